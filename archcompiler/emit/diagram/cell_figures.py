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


def _write_cells(graph: Graph, folder: Path, wanted: list[str]) -> list[Path]:
    """A figure of each declared cell's inside (gates, products, sums), beside the main diagram."""
    written = []
    binary = shutil.which("dot")
    for name, node in declared_cells(graph).items():
        digraph = node.layer.diagram(graph.input_shapes(node)[0][-1])
        stem = folder / node.layer.figure_stem(graph.name)
        if "dot" in wanted:
            stem.with_suffix(".dot").write_text(digraph.source, encoding="utf-8")
            written.append(stem.with_suffix(".dot"))
        files = {f: stem.with_suffix(f".{f}") for f in ("svg", "png") if f in wanted}
        if binary and files:
            _run_dot(binary, digraph.source, files, plain=False)
            written += files.values()
    return written
