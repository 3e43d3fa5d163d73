#!/usr/bin/env bash
# Mutation testing of the pure-Python core on a private copy of the tree (mutants never touch the
# working tree others use). Configuration: [tool.mutmut] in pyproject.toml.
#   scripts/mutation.sh                          every module in only_mutate
#   scripts/mutation.sh 'archcompiler.expr.*'    one module (mutmut's mutant-name glob)
# Then: cd "$MUT" && mutmut results / mutmut show <name>. MUT defaults to /tmp/archcompiler-mutation.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MUT=${MUT:-/tmp/archcompiler-mutation}
PY=${PY:-$ROOT/.venv/bin/python}
mkdir -p "$MUT"
# the tracked and new files as they are now (mutmut's own mutants/ folder there is kept between runs). Only the
# files that changed are copied, stamped with the time of the copy: mutmut remakes a module's mutants when its
# source is newer than them, and a working-tree time kept by the copy could be older (a change made while the
# last run was making its mutants would then never be mutated)
stage=$(mktemp -d)
(cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$stage"
(cd "$stage" && find . -type f -print0) | while IFS= read -r -d '' f; do
  cmp -s "$stage/$f" "$MUT/$f" || { mkdir -p "$(dirname "$MUT/$f")"; cp "$stage/$f" "$MUT/$f"; }
done
rm -rf "$stage"
cd "$MUT"
# mutmut remembers which tests reach which function for every test it has seen; a test changed since then
# would keep its old reach (and a mutant it now kills could pass as a survivor), so learn them all again
stats=mutants/mutmut-stats.json
if [ -f "$stats" ] && [ -n "$(find tests scripts -name '*.py' -newer "$stats" -print -quit)" ]; then rm "$stats"; fi
export PYTHONPATH="$MUT/scripts${PYTHONPATH:+:$PYTHONPATH}" TF_CPP_MIN_LOG_LEVEL=3 HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-mutation}
"$PY" -m mutmut run --max-children "${JOBS:-2}" "$@" || true
"$PY" -m mutmut results --all true 2>/dev/null | awk '{print $NF}' | sort | uniq -c || true
