"""A figure of each declared cell's inside (gates, products, sums), written beside the diagram."""

from __future__ import annotations

import shutil
from pathlib import Path

from ...graph import Graph, Node
from .layout import _run_dot


def declared_cells(graph: Graph) -> dict[str, Node]:
    """The first layer running each cell the spec declares by its gates (``type: rnn``), by cell name."""
    found: dict[str, Node] = {}
    for node in graph.layers():
        if node.layer.uses_cell:
            found.setdefault(node.layer.cell.name, node)
    return found


def _write_cells(graph: Graph, folder: Path, wanted: list[str], lang: str = "en") -> list[Path]:
    """A figure of each declared cell's inside (gates, products, sums), beside the main diagram,
    labelled in ``lang`` (``<name>_cell_<cell>.<lang>.*`` for a language other than English)."""
    written = []
    binary = shutil.which("dot")
    for name, node in declared_cells(graph).items():
        digraph = node.layer.diagram(graph.input_shapes(node)[0][-1], lang)
        stem = node.layer.figure_stem(graph.name) + ("" if lang == "en" else f".{lang}")
        paths = {f: folder / f"{stem}.{f}" for f in ("dot", "svg", "png")}
        if "dot" in wanted:
            paths["dot"].write_text(digraph.source, encoding="utf-8")
            written.append(paths["dot"])
        files = {f: paths[f] for f in ("svg", "png") if f in wanted}
        if binary and files:
            _run_dot(binary, digraph.source, files, plain=False)
            written += files.values()
    return written
