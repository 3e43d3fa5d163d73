"""The document's structure: which layers are explained, in which order and depth, identical
copies and block instances explained once, each with its facts and its templates; and the lecture's
lineages a spec belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..analysis import Analysis
from ..graph import Graph, Node, Scope
from ..library import TEMPLATES_DIR


# --- facts: what each layer's explanation needs, read from the graph ----------------------
# Each kind gathers its own (``Layer.doc_facts``); a kind without them gets these.

def _generic(graph: Graph, node: Node) -> dict:
    return {"in": graph.input_shapes(node), "out": node.shape, "outs": list(zip(node.output_names, node.shapes)),
            "params": node.params, "trainable": node.trainable, "non_trainable": node.non_trainable,
            "hyper": node.layer.hyperparameters(), "generic": True}


# --- the document's structure: layers, repeated copies and block instances ---------------

@dataclass
class Item:
    """One layer explained (or several identical copies of it, explained once)."""

    node: Node
    f: dict
    full: bool
    names: list[str]
    templates: list[str]  # the explanation's template names, most specific first (without language)
    level: int
    share: float = 0.0

    @property
    def name(self): return self.node.name
    @property
    def kind(self): return self.node.kind
    @property
    def family(self): return self.node.family
    @property
    def params(self): return self.node.params
    @property
    def macs(self): return self.node.macs
    @property
    def out(self): return self.node.shapes
    is_block = False


@dataclass
class Block:
    """A block instance (or several identical instances, explained once), with its layers."""

    scope: Scope
    spec: Any  # BlockSpec or None for a repeated plain layer
    instances: list[str]
    children: list
    level: int
    first: bool  # the first time this block kind appears: its explanation is shown here
    in_shapes: list
    out_shape: tuple
    params: int
    macs: int
    merges: list = field(default_factory=list)  # Items of concat/add nodes directly in the block
    first_anchor: str = ""
    in_lengths: list = field(default_factory=list)  # the symbol of each input's variable length (T, T_x, T_y)
    out_length: str = "T"
    is_block = True

    @property
    def name(self): return self.instances[0]
    @property
    def count(self): return len(self.instances)
    @property
    def args(self): return list(getattr(self.scope, "args", ()))


class Doc:
    """Everything the templates read about one graph."""

    def __init__(self, g: Graph):
        self.g = g
        self.graph = Analysis(g)
        self.explained: set[str] = set()
        self.blocks_seen: dict[str, str] = {}
        self.items: list[Item] = []
        self.folded: set[str] = self.graph.folded_paddings()
        # facts that could not be gathered or explanations that could not be rendered (tests assert none)
        self.fallbacks: list[str] = []

    def facts(self, node: Node) -> dict:
        try:
            facts = node.layer.doc_facts(node, self.graph)
        except Exception as e:  # a kind whose fields differ from what its rule expects: still documented
            self.fallbacks.append(f"{node.name}: {type(e).__name__}: {e}")
            facts = None
        return _generic(self.g, node) if facts is None else facts

    def item(self, nodes: list[Node], level: int) -> Item:
        node = nodes[0]
        cell = getattr(node.layer, "cell", None)  # declared recurrent cells: each explained in full once
        key = node.kind + (f":{cell.name}" if cell is not None and hasattr(cell, "name") else "")
        full = key not in self.explained
        self.explained.add(key)
        total = self.g.total_params or 1
        f = self.facts(node)
        it = Item(node, f, full, [n.name for n in nodes], _templates(node, f), level,
                  share=sum(n.params for n in nodes) / total)
        self.items.append(it)
        return it

    # -- signatures: identical copies are explained once
    @staticmethod
    def node_sig(g: Graph, node: Node):
        return (node.kind, repr(sorted(node.layer.hyperparameters().items())), tuple(g.input_shapes(node)),
                tuple(node.shapes), node.trainable, node.non_trainable)

    def sections(self, nodes: list[Node], depth: int = 0, level: int = 3) -> list:
        out: list = []
        i = 0
        nodes = [n for n in nodes if n.name not in self.folded]
        while i < len(nodes):
            node = nodes[i]
            if len(node.scopes) <= depth:
                out.append(self.item([node], level))
                i += 1
                continue
            # a run of instances of one repeat group (or one instance)
            group = node.scopes[depth].group
            instances: list[list[Node]] = []
            while i < len(nodes) and len(nodes[i].scopes) > depth and nodes[i].scopes[depth].group == group:
                index = nodes[i].scopes[depth].index
                members = []
                while (i < len(nodes) and len(nodes[i].scopes) > depth and nodes[i].scopes[depth].group == group
                       and nodes[i].scopes[depth].index == index):
                    members.append(nodes[i])
                    i += 1
                instances.append(members)
            # consecutive identical instances collapse
            runs: list[list[list[Node]]] = []
            for inst in instances:
                sig = tuple(self.node_sig(self.g, n) for n in inst)
                if runs and tuple(self.node_sig(self.g, n) for n in runs[-1][0]) == sig:
                    runs[-1].append(inst)
                else:
                    runs.append([inst])
            for run in runs:
                scope = run[0][0].scopes[depth]
                if not scope.block and all(len(inst) == 1 for inst in run):
                    out.append(self.item([inst[0] for inst in run], level))  # copies of one plain layer
                else:  # block instances, or copies of a repeated residual/branches
                    out.append(self.block(run, depth, level))
        return out

    def block(self, run: list[list[Node]], depth: int, level: int) -> Block:
        first_nodes = run[0]
        scope = first_nodes[0].scopes[depth]
        spec = self.g.spec.blocks.get(scope.block)
        first = scope.block not in self.blocks_seen
        if first:
            self.blocks_seen[scope.block] = scope.name
        inside = {n.name for n in first_nodes}
        in_refs = []
        for n in first_nodes:
            for r in n.inputs:
                if r.node not in inside and str(r) not in [str(x) for x in in_refs]:
                    in_refs.append(r)
        in_shapes = [(str(r), self.g.nodes[r.node].shapes[r.index]) for r in in_refs]
        last = first_nodes[-1]
        children = self.sections(first_nodes, depth + 1, min(level + 1, 6))
        merges = [c for c in children if not c.is_block and c.node.layer.merges]
        # a copy of a repeated entry is named after its last node (the merge of a residual: add_3, add_4, …)
        instances = [inst[0].scopes[depth].name if scope.block else inst[-1].name for inst in run]
        return Block(scope, spec, instances, children, level, first,
                     in_shapes, last.shape, sum(n.params for n in first_nodes), sum(n.macs for n in first_nodes),
                     merges, self.blocks_seen[scope.block],
                     [self.graph.length_of(r.node) for r in in_refs], self.graph.length_of(last.name))


# --- lineage (the lecture's two timelines) -----------------------------------------------

@lru_cache(maxsize=1)
def lineages() -> dict:
    import yaml

    with open(TEMPLATES_DIR / "lineage.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def lineage_step(name: str):
    """The lineage and step a spec belongs to, by its name (vgg16 → cnn, VGGNet)."""
    for line, data in lineages()["lines"].items():
        for i, step in enumerate(data["steps"]):
            for prefix in step.get("match", []):
                if name == prefix or (name.startswith(prefix) and (name[len(prefix):][:1].isdigit()
                                                                   or name[len(prefix):][:1] in "_-")):
                    return line, i
    return None, None


def _templates(node: Node, facts: dict) -> list[str]:
    """Where a layer's explanation is looked up: its kind's template, its family's, the generic one.
    A kind without facts of its own is explained generically."""
    if facts.get("generic"):
        return ["generic"]
    layer = node.layer
    return [f"kinds/{layer.doc_template or layer.type}", layer.family, "generic"]
