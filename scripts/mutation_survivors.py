"""The surviving mutants of a mutmut run, one changed line each, and a per-module score table.

Run in the mutation copy (``cd $MUT && python /path/to/scripts/mutation_survivors.py [module-glob]``):
for every ``mutants/**/*.py.meta`` the counts (killed = killed or timed out; checked = killed + survived),
then each survivor's changed lines (``-`` original, ``+`` mutant), for the modules matching the glob. A mutant no test reaches ("no tests")
counts as a survivor."""

import fnmatch
import json
import sys
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

KILLED = ("killed", "timeout", "caught by type check", "segfault")


def main(pattern: str = "*") -> None:
    rows = []
    survivors = []
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        module = str(meta.relative_to("mutants"))[:-len(".meta")]
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        status = {k: status_by_exit_code[c] for k, c in codes.items()}
        killed = sum(1 for s in status.values() if s in KILLED)
        survived = [k for k, s in status.items() if s in ("survived", "no tests", "suspicious")]
        unchecked = sum(1 for s in status.values() if s == "not checked")
        untested = sum(1 for s in status.values() if s == "no tests")
        rows.append((module, len(codes), killed, len(survived), unchecked, untested))
        if fnmatch.fnmatch(module, pattern):
            survivors += [(module, k, status[k]) for k in sorted(survived)]
    print("module | mutants | killed | survived (of them no tests) | not checked | score (of checked)")
    for module, total, killed, survived, unchecked, untested in rows:
        if killed + survived:
            print(f"{module} | {total} | {killed} | {survived} ({untested}) | {unchecked} | "
                  f"{100 * killed / (killed + survived):.0f} %")
    for module, key, why in survivors:
        diff = get_diff_for_mutant(key, path=Path(module))
        lines = [line for line in diff.split("\n")[2:] if line[:1] in "+-" and line[1:].strip()]
        print(f"\n{key.split('.')[-1]}  [{why}]")
        for line in lines:
            print("   ", line.strip()[:160])


if __name__ == "__main__":
    main(*sys.argv[1:])
