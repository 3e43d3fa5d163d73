"""Where in the spec an entry the program cannot express is written, so that a SourceError reads like
every other error (``file:line:column: layers[3]: …``)."""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import Loc, SpecErrors
from ...graph import Graph
from ...source import YDict, YList

_KEY = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def located(error: SpecErrors, graph: Graph) -> SpecErrors:
    """``error`` with each of its errors placed at the entry its path names."""
    raw = _raw(graph.file)
    for item in error.errors:
        item.loc = _node_loc(graph, item.path) or _raw_loc(raw, item.path) or item.loc
    return error


def _node_loc(graph: Graph, path: str) -> Loc | None:
    """The entry's location as the resolver kept it on the layers it made."""
    return next((n.loc for n in graph.nodes.values() if n.path == path and n.loc and n.loc.line), None)


def _raw(file: str):
    """The spec as the resolver read it (its ``extends`` merged in), for entries that made no layer
    (block uses, arguments); None where the spec is not a file (a string, stdin)."""
    from ...extends import with_extends
    from ...source import load_file

    path = Path(file)
    try:
        return with_extends(load_file(path), path, ()) if file and path.is_file() else None
    except (OSError, SpecErrors):
        return None


def _raw_loc(raw, path: str) -> Loc | None:
    loc = None
    for name, index in _KEY.findall(path):
        key = int(index) if index else name
        if not isinstance(raw, (YDict, YList)) or key not in (raw if isinstance(raw, YDict) else range(len(raw))):
            return loc
        loc, raw = raw.where(key), raw[key]
    return getattr(raw, "loc", loc)
