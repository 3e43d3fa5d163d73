"""What ``archcompiler list`` and ``compare`` print: their records (also printed as JSON) and Rich tables.
Imported only by those commands, so the others never load the library's lineages or the plugins."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text

from . import api
from .errors import SpecErrors


def spec_records() -> list[dict]:
    """Every built-in spec with title, family, year, layer and parameter counts (or its first error)."""
    from .library import builtin_names

    records = []
    for name in builtin_names():
        try:
            g = api.load_graph(name)
        except SpecErrors as e:  # a broken built-in is a bug, but the others are still worth listing
            records.append({"name": name, "error": str(e.errors[0])})
            continue
        records.append({"name": name, "title": g.spec.title, "family": g.spec.family, "year": g.spec.year,
                        "layers": len(g.layers()), "params": g.total_params, "macs": g.macs})
    return records


def specs_table(records: list[dict]) -> Table:
    """The specs grouped by lineage — the lecture's, then the later ones — in their order along it."""
    from .emit.doc_structure import lineage_step, lineages

    lines = lineages()["lines"]
    order = list(lines)
    for r in records:
        r["lineage"] = lineage_step(r["name"])[0]
    records.sort(key=lambda r: (order.index(r["lineage"]) if r["lineage"] in order else len(order),
                                lineage_step(r["name"])[1] or 0,
                                [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", r["name"])]))
    table = Table(title="Built-in specs", title_justify="left")
    for column in ("Name", "Title", "Family", "Year", "Layers", "Params", "Lineage"):
        table.add_column(column, justify="right" if column in ("Year", "Layers", "Params") else "left")
    for r in records:
        if "error" in r:
            table.add_row(r["name"], Text(f"invalid: {r['error']}", style="red"), "", "", "", "", "")
        else:
            line = lines.get(r["lineage"])
            where = "" if line is None else ("lecture: " if line.get("lecture", True) else "later: ") + \
                line["title"]["en"].split(" (")[0].removeprefix("Beyond the lecture: ")
            table.add_row(r["name"], r["title"] or "", r["family"] or "", str(r["year"] or ""), str(r["layers"]),
                          f"{r['params']:,}", where)
    return table


def kind_records() -> list[dict]:
    """Every layer kind, built in or from an installed plugin (package and version)."""
    from .layers import KINDS
    from .plugins import load_all_or_raise, origin

    load_all_or_raise()
    records = []
    for kind in sorted(k for k in KINDS if k != "input"):
        found = origin(KINDS[kind])
        records.append({"kind": kind, "family": KINDS[kind].family, "from": "built-in" if found is None else "plugin",
                        "package": found and found.package, "version": found and found.version})
    return records


def kinds_table(records: list[dict]) -> Table:
    table = Table(title="Layer kinds", title_justify="left")
    for column in ("Kind", "Family", "From"):
        table.add_column(column)
    for r in records:
        where = "built-in" if r["from"] == "built-in" else f"plugin {r['package']} {r['version'] or ''}".rstrip()
        table.add_row(r["kind"], r["family"], where)
    return table


def comparison_table(comparison, a, b) -> Table:
    """Layers added (+), removed (-) and changed (~), then the totals in bold."""
    table = Table(title=f"{a.name} → {b.name}  ({comparison.unchanged} layers unchanged)", title_justify="left")
    for column in ("", "Layer", "Type", "What changed", "Params", "MACs"):
        table.add_column(column, justify="right" if column in ("Params", "MACs") else "left",
                         overflow="fold")
    rows = comparison.rows()
    for k, row in enumerate(rows):
        table.add_row(*row, style="bold" if k == len(rows) - 1 else None, end_section=k == len(rows) - 2)
    return table
