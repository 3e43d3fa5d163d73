"""Which unnamed layers the program leaves for Keras to name.

An unnamed entry gets one name in the program, the automatic one the resolver gave it. An entry
whose copies got different names (the layers of a ``prefix: false`` block, as Keras' own helper
functions make them: conv2d_5, conv2d_6…) cannot be written with one, but it need not be: the
resolver numbers unnamed layers as Keras does, so the program can leave them unnamed and let Keras
number them, provided that Keras counts exactly these layers, in this order. That is checked here:
every unnamed, unprefixed layer of the same Keras name is left unnamed, they are numbered from the
first in the order the program creates them, and Keras' name for their class is the resolver's."""

from __future__ import annotations

import re

from ...graph import Graph, Node
from ...spec import STRUCTURAL
from .code import SourceError
from .copies import Copies
from .symbolic import KerasRecorder


class Numbering:
    def __init__(self, graph: Graph, copies: Copies):
        self.graph, self.copies = graph, copies
        self.anonymous: set[str] = set()  # entry paths written without a name
        self.bases: dict[str, str] = {}  # such a path → the name Keras numbers its layers by
        varying = [path for path, nodes in copies.by_path[0].items()
                   if nodes[0].layer.name is None and len(copies.auto_name(path)) > 1]
        if not varying:
            return
        free: dict[str, list[Node]] = {}  # base name → the unnamed, unprefixed layers, in the graph's order
        for node in graph.nodes.values():
            if node.layer.name is None and not node.is_input and not copies.prefixed(node):
                free.setdefault(node.layer.default_name(), []).append(node)
        for path in varying:
            nodes = copies.by_path[0][path]
            if any(copies.prefixed(n) for n in nodes):
                self._refuse(path, "some of its copies are named inside a block's prefix")
            for base in {n.layer.default_name() for n in nodes}:
                self._claim(path, base, free.get(base, []))
        self._check_residuals()

    def _claim(self, path: str, base: str, nodes: list[Node]) -> None:
        """Leave every unnamed layer called ``base`` unnamed, if Keras would give them the same names."""
        expected = [base if k == 0 else f"{base}_{k}" for k in range(len(nodes))]
        if [n.name for n in nodes] != expected:
            self._refuse(path, f"Keras would number the unnamed {base} layers otherwise "
                         f"({', '.join(n.name for n in nodes[:4])}…)")
        for node in nodes:
            if len(self.copies.by_path[0][node.path]) != len(self.copies.groups(node.path, built_only=True)):
                self._refuse(path, f"the entry of {node.name} makes several layers")
            if keras_name(node) != base:
                self._refuse(path, f"Keras names such a layer {keras_name(node) or 'otherwise'}, not {base}")
            self.anonymous.add(node.path)
            self.bases[node.path] = base

    def _check_residuals(self) -> None:
        """The program writes a residual's shortcut before its body (the resolver: the body first), so
        the two must not both hold unnamed layers that Keras numbers in one sequence."""
        doc = self.graph.spec
        lists = [("layers", doc.layers)] + [(f"blocks.{b}.layers", s.layers) for b, s in doc.blocks.items()]
        for path, entries in lists:
            for entry, where in _walk(entries, path):
                if entry.get("type") == "residual":
                    body = self._bases(entry.get("body") or [], f"{where}.body")
                    shortcut = self._bases(entry.get("shortcut") or [], f"{where}.shortcut")
                    if body & shortcut:
                        self._refuse(where, f"its body and shortcut both hold unnamed {min(body & shortcut)} "
                                     "layers, which the program would create in another order")

    def _bases(self, entries, path: str, seen: frozenset = frozenset()) -> set[str]:
        """The names of the unnamed layers Keras numbers that ``entries`` make, through prefix: false blocks."""
        out = set()
        for k, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            where = f"{path}[{k}]"
            block = self.graph.spec.blocks.get(entry.get("use")) if "use" in entry else None
            if block is not None and not block.prefix and entry["use"] not in seen:
                out |= self._bases(block.layers, f"blocks.{entry['use']}.layers", seen | {entry["use"]})
            elif entry.get("type") in STRUCTURAL:
                for key, inner in _nested(entry, where):
                    out |= self._bases(inner, key, seen)
            if where in self.anonymous:
                out.add(self.bases[where])
        return out

    def _refuse(self, path: str, why: str) -> None:
        raise SourceError(self.graph.file, path, f"an unnamed entry whose automatic name differs between its copies, "
                          f"and the program cannot leave it to Keras: {why}", "give it a name")


def keras_name(node: Node) -> str | None:
    """The name Keras gives the layer's class when none is given (Conv2D → conv2d)."""
    try:
        construct = node.layer.keras(KerasRecorder(), None)
    except Exception:  # noqa: BLE001 - a kind that needs more than its fields to build: not left unnamed
        return None
    name = re.sub(r"\W+", "", str(getattr(construct, "path", "")).rsplit(".", 1)[-1])
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)  # as keras.src.utils.naming.to_snake_case
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower() or None


def _nested(entry: dict, where: str):
    if entry.get("type") == "residual":
        yield f"{where}.body", entry.get("body") or []
        yield f"{where}.shortcut", entry.get("shortcut") or []
    else:
        for k, branch in enumerate(entry.get("branches") or []):
            yield f"{where}.branches[{k}]", branch


def _walk(entries, path: str):
    """Every entry of a list, nested ones included, with its path."""
    for k, entry in enumerate(entries or []):
        if isinstance(entry, dict):
            yield entry, f"{path}[{k}]"
            if entry.get("type") in STRUCTURAL:
                for key, inner in _nested(entry, f"{path}[{k}]"):
                    yield from _walk(inner, key)
