"""The resolved architecture: a DAG of layer nodes with their inferred figures.

Every number a user sees (summary, diagram, docs, the Keras check) is read from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Loc
from .layers import Layer, Shape


@dataclass(frozen=True)
class Scope:
    """One block instance (or one copy of a repeated layer, residual or branches) that a node belongs to.

    Copies made by one ``repeat`` share ``group``; ``index`` counts them from 1 to ``count``,
    which lets a diagram draw the first copy once, labelled ×count."""

    name: str  # the instance's name prefix, e.g. "conv2_block1"; a repeated entry's name without its ${...}
    block: str  # the block's name ("bottleneck"), or "" for a copy of a repeated entry
    group: str
    index: int = 1
    count: int = 1
    # the block's arguments for this instance, as (name, value) pairs (for the docs); not part of equality
    args: tuple = field(default=(), compare=False)
    # a copy of a repeated residual or branches: which of the two ("residual", "branches"); else empty
    structure: str = field(default="", compare=False)


@dataclass(frozen=True)
class TensorRef:
    node: str
    index: int = 0

    def __str__(self) -> str:
        return self.node if self.index == 0 else f"{self.node}[{self.index}]"


@dataclass
class Node:
    name: str
    layer: Layer
    inputs: list[TensorRef]
    loc: Loc
    scopes: tuple[Scope, ...] = ()
    path: str = ""  # where in the spec, e.g. "layers[3]" or "blocks.bottleneck.layers[2]"
    field_locs: dict = field(default_factory=dict)
    shapes: list[Shape] = field(default_factory=list)
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0

    @property
    def kind(self) -> str:
        return self.layer.type

    @property
    def family(self) -> str:
        return self.layer.family

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def shape(self) -> Shape:
        return self.shapes[0]

    @property
    def output_names(self) -> list[str]:
        return self.layer.output_names()

    @property
    def is_input(self) -> bool:
        return self.layer.family == "input"


@dataclass
class Graph:
    spec: Any  # the validated Spec (metadata, params, blocks)
    nodes: dict[str, Node]  # in topological order
    inputs: list[str]
    outputs: list[TensorRef]
    params: dict[str, Any]  # the parameter values actually used
    file: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    def input_shapes(self, node: Node) -> list[Shape]:
        return [self.nodes[r.node].shapes[r.index] for r in node.inputs]

    def layers(self) -> list[Node]:
        """Every node but the inputs."""
        return [n for n in self.nodes.values() if not n.is_input]

    def consumers(self, name: str) -> list[Node]:
        return [n for n in self.nodes.values() if any(r.node == name for r in n.inputs)]

    @property
    def trainable(self) -> int:
        return sum(n.trainable for n in self.nodes.values())

    @property
    def non_trainable(self) -> int:
        return sum(n.non_trainable for n in self.nodes.values())

    @property
    def total_params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def macs(self) -> int:
        return sum(n.macs for n in self.nodes.values())

    @property
    def depth(self) -> int:
        """Weighted layers on the longest path (how papers count depth: conv and dense layers)."""
        best: dict[str, int] = {}
        for node in self.nodes.values():
            weighted = 1 if node.family in ("conv", "dense", "recurrent", "attention") and node.trainable else 0
            best[node.name] = weighted + max((best[r.node] for r in node.inputs), default=0)
        return max(best.values(), default=0)
