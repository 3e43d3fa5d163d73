"""The per-layer table (like Keras' ``model.summary()``, plus multiply-accumulates)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..export import human_bytes, weights_bytes
from ..graph import Graph, Node
from ..layers import fmt_shape


def human(n: int) -> str:
    """1234567 → '1.23M' (for totals)."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def shapes_text(node: Node) -> str:
    return ", ".join(fmt_shape(("None",) + tuple(s)).replace("'", "") for s in node.shapes)


def sources_text(node: Node) -> str:
    return ", ".join(str(r) for r in node.inputs)


def summary_table(graph: Graph) -> Table:
    title = graph.spec.title or graph.name
    table = Table(title=f"{title} ({graph.name})", title_justify="left", show_lines=False)
    table.add_column("Layer")
    table.add_column("Type")
    table.add_column("Output shape")
    table.add_column("Params", justify="right")
    table.add_column("MACs", justify="right")
    table.add_column("FLOPs", justify="right")
    table.add_column("Reads")
    for node in graph.nodes.values():
        table.add_row(node.name, node.kind, shapes_text(node), f"{node.params:,}", f"{node.macs:,}",
                      f"{2 * node.macs:,}", "" if node.is_input else sources_text(node))
    table.caption = (f"Total params: {graph.total_params:,} ({human(graph.total_params)})  ·  "
                     f"Trainable: {graph.trainable:,}  ·  Non-trainable: {graph.non_trainable:,}  ·  "
                     f"MACs: {graph.macs:,} ({human(graph.macs)})  ·  FLOPs ≈ 2 × MACs: {2 * graph.macs:,} "
                     f"({human(2 * graph.macs)})  ·  Weights at float32: {human_bytes(weights_bytes(graph))}")
    table.caption_justify = "left"
    return table


def summary_text(graph: Graph, width: int = 140) -> str:
    """The same table as plain text, for the build folder."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, markup=False, emoji=False)
    console.print(summary_table(graph))
    return console.export_text()
