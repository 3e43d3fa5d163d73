"""The resolved copies of each spec entry: in the graph being written and in graphs of the same
spec with each true/false param flipped — those show the entries the built graph leaves out
(GoogLeNet's auxiliary heads) and the forms a flag switches between (a bidirectional wrapper)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ...api import from_data
from ...expr import TensorView, has_placeholder, substitute
from ...graph import Graph, Node, TensorRef
from ...resolve import _REF, graph_from_yaml
from ...resolve.names import Names
from ...spec import STRUCTURAL
from .code import SourceError


class Copies:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.graphs = [graph, *self._flipped()]
        self.by_path: list[dict[str, list[Node]]] = []  # per graph, the nodes each entry made
        self.members: list[dict] = []  # per graph, every block instance (Scope) → its nodes, in order
        for variant in self.graphs:
            self.by_path.append({})
            self.members.append({})
            for node in variant.nodes.values():
                self.by_path[-1].setdefault(node.path, []).append(node)
                for scope in node.scopes:
                    if scope.block:
                        self.members[-1].setdefault(scope, []).append(node)

    def _flipped(self) -> list[Graph]:
        doc = self.graph.spec
        data = from_data(doc.model_dump(mode="python", exclude={"extends", "override"}), self.graph.file)
        out = []
        for name, value in self.graph.params.items():
            if not isinstance(value, bool):
                continue
            sets = {k: yaml.safe_dump(v, default_flow_style=True).splitlines()[0]
                    for k, v in self.graph.params.items() if k != name and self.explicit(k)}
            sets[name] = "false" if value else "true"
            try:
                out.append(graph_from_yaml(data, Path(self.graph.file or "<string>"), sets))
            except Exception:  # noqa: BLE001 - a combination the spec refuses has no copies to show
                continue
        return out

    def explicit(self, param: str) -> bool:
        """Whether a param's value is not simply its default's expression of other params."""
        default = self.graph.spec.params[param]
        if not has_placeholder(default):
            return True
        try:
            return substitute(default, self.graph.params) != self.graph.params[param]
        except Exception:  # noqa: BLE001 - an expression that fails here is no longer the value
            return True

    def groups(self, path: str, built_only: bool = False) -> list[tuple[int, list[Node]]]:
        """The nodes each expansion of the entry at ``path`` made, as (graph index, nodes), the built graph first."""
        out = []
        for v, index in enumerate(self.by_path[:1] if built_only else self.by_path):
            groups: dict[tuple, list[Node]] = {}
            for node in index.get(path, []):
                groups.setdefault(node.scopes, []).append(node)
            out += [(v, nodes) for nodes in groups.values()]
        return out

    def environment(self, v: int, nodes: list[Node]) -> Names:
        """The ``${}`` names as the resolver saw them when it made the copy ``nodes`` of graph ``v``:
        params, block arguments and ``i``, then the tensors an expression may read (``in``, ``skip``)."""
        node = nodes[0]
        env = dict(self.graphs[v].params)
        blocks = [s for s in node.scopes if s.block]
        if blocks:
            env.update(dict(blocks[-1].args))
        env["i"] = node.scopes[-1].index if node.scopes and not node.scopes[-1].block else 1
        return Names(env, lambda key: self._view(v, node, key))

    def _view(self, v: int, node: Node, key: str) -> TensorView | None:
        """The tensor ``key`` names where the entry of ``node`` (its first part) is: ``in``, its first input;
        else, as the resolver looks names up, a tensor of the same block instance (or of the top level),
        then any layer of the graph."""
        graph = self.graphs[v]
        if key == "in":
            return TensorView(key, graph.input_shapes(node)[0]) if node.inputs else None
        scope = next((s for s in reversed(node.scopes) if s.block), None)
        ref = self._block_input(v, scope, key) if scope else None
        if ref is None:
            prefix = self.prefix(scope, v) if scope else ""
            local = f"{prefix}_{key}" if prefix else key
            instance = next((s for s in self.members[v] if s.name == local), None)
            result = self.result(instance, v) if instance else None
            ref = TensorRef(result.name) if result else TensorRef(local) if local in graph.nodes else \
                TensorRef(key) if key in graph.nodes else None
        return TensorView(key, graph.nodes[ref.node].shapes[ref.index]) if ref else None

    def _block_input(self, v: int, scope, key: str) -> TensorRef | None:
        """What the block input ``key`` holds in the instance ``scope``: the tensor that a layer of the block
        listing it among its inputs reads there; None for a name that is not one of the block's inputs."""
        block = self.graph.spec.blocks[scope.block]
        if key not in block.inputs:
            return None
        for path, names in _readers(block.layers, f"blocks.{scope.block}.layers", block.inputs[0]):
            if key in names:
                read = next((n for n in self.members[v][scope] if n.path == path), None)
                if read is not None:
                    return read.inputs[names.index(key)]
        raise SourceError(self.graph.file, f"blocks.{scope.block}", f"an expression reads the shape of the block "
                          f"input '{key}', which no layer of the block reads among its inputs",
                          "read it in a layer's inputs, or pass the size as an argument")

    def result(self, scope, v: int = 0) -> Node:
        """The node a block instance returns."""
        output = self.graph.spec.blocks[scope.block].output
        if not output:
            return self.members[v][scope][-1]
        prefix = self.prefix(scope, v)
        return self.graphs[v].nodes.get(f"{prefix}_{output}" if prefix else output)

    def prefix(self, scope, v: int = 0) -> str:
        """What a block instance's layer names start with: its own name, or for a prefix: false block
        the name of the nearest prefixed instance it sits in ("" at the top)."""
        chain = self.members[v][scope][0].scopes
        return next((s.name for s in reversed(chain[:chain.index(scope) + 1]) if self._prefixes(s)), "")

    def prefixed(self, node: Node) -> bool:
        """Whether the node's name starts with a block instance's name."""
        return any(self._prefixes(s) for s in node.scopes)

    def _prefixes(self, scope) -> bool:
        return bool(scope.block) and self.graph.spec.blocks[scope.block].prefix

    def top_instance(self, name: str) -> str | None:
        """The top-level block use whose result is the node ``name`` (aux1 for aux1_predictions)."""
        for v, variant in enumerate(self.graphs):
            node = variant.nodes.get(name)
            if node is not None and node.scopes and node.scopes[0].block:
                scope = node.scopes[0]
                return scope.name if self.result(scope, v).name == name else None
        return None

    def instance(self, block: str, name: str | None):
        """The built use of ``block`` named ``name``: (result node, parameter count), or None."""
        for scope, members in self.members[0].items():
            if scope.block == block and scope.name == name:
                return self.result(scope), sum(n.params for n in members)
        return None

    def first_instance(self, block: str):
        """The first built use of ``block`` (its Scope), or None."""
        return next((s for s in self.members[0] if s.block == block), None)

    def auto_name(self, path: str) -> set[str]:
        """The local names an unnamed entry's built copies were given."""
        names = set()
        for _, nodes in self.groups(path, built_only=True):
            main = min(nodes, key=lambda n: len(n.name))
            prefix = next((s.name for s in reversed(main.scopes) if self._prefixes(s)), "")
            names.add(main.name[len(prefix) + 1:] if prefix else main.name)
        return names


def _readers(entries, path: str, flowing: str | None):
    """The layer entries of a list (bodies and branches included) with the names of the tensors they read,
    as (path, names): given as ``inputs``, or ``flowing``, what flows into the list's first entry."""
    for k, entry in enumerate(entries or []):
        where, refs = f"{path}[{k}]", entry.get("inputs")
        given = [refs] if isinstance(refs, str) else list(refs or [])
        names = [_REF.match(str(r))["base"] if _REF.match(str(r)) else None for r in given] if refs is not None \
            else [flowing] if k == 0 and flowing else []
        if entry.get("type") == "residual":
            for key in ("body", "shortcut"):
                yield from _readers(entry.get(key), f"{where}.{key}", names[0] if names else None)
        elif entry.get("type") in STRUCTURAL:
            for b, branch in enumerate(entry.get("branches") or []):
                yield from _readers(branch, f"{where}.branches[{b}]", names[0] if names else None)
        elif "use" not in entry:
            yield where, names
