"""The resolved copies of each spec entry: in the graph being written and in graphs of the same
spec with each true/false param flipped — those show the entries the built graph leaves out
(GoogLeNet's auxiliary heads) and the forms a flag switches between (a bidirectional wrapper)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ...api import from_data
from ...expr import has_placeholder, substitute
from ...graph import Graph, Node
from ...resolve import graph_from_yaml


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

    def environment(self, v: int, nodes: list[Node]) -> dict:
        """The ``${}`` names as the resolver saw them when it made the copy ``nodes`` of graph ``v``."""
        node = nodes[0]
        env = dict(self.graphs[v].params)
        blocks = [s for s in node.scopes if s.block]
        if blocks:
            env.update(dict(blocks[-1].args))
        env["i"] = node.scopes[-1].index if node.scopes and not node.scopes[-1].block else 1
        return env

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
