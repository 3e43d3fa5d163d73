"""Which copies of each repeat are drawn: consecutive identical copies (same kinds, hyperparameters
and wiring) form a run drawn once, and every hidden node is stood for by its drawn counterpart."""

from __future__ import annotations

from ...analysis import Analysis
from ...graph import Graph, Node, Scope


def _signature(graph: Graph, members: list[Node], group: str) -> tuple:
    """What must be equal for two copies of a repeat to be drawn as one."""
    position = {n.name: k for k, n in enumerate(members)}
    sig = []
    for node in members:
        depth = next(k for k, s in enumerate(node.scopes) if s.group == group)
        inner = tuple((s.block, s.index, s.count) for s in node.scopes[depth + 1:])
        refs = tuple(("in", position[r.node], r.index) if r.node in position else ("out", r.index)
                     for r in node.inputs)
        sig.append((node.kind, repr(sorted(node.layer.hyperparameters().items())), refs, inner,
                    len(node.shapes)))
    return tuple(sig)


class Collapse:
    """Which copies of each repeat are drawn, and which drawn node stands for a hidden one."""

    def __init__(self, analysis: Analysis, expand: bool):
        graph = self.graph = analysis.g
        self.copies, self.scope_of = analysis.repeat_copies()
        self.position = {(g, n.name): k for (g, _), members in self.copies.items() for k, n in enumerate(members)}
        # runs: consecutive identical copies of one group; run_first[(group, index)] = first index of its run
        self.run_first: dict[tuple[str, int], int] = {}
        self.run_last: dict[tuple[str, int], int] = {}
        by_group: dict[str, list[int]] = {}
        for group, index in self.copies:
            by_group.setdefault(group, []).append(index)
        for group, indices in by_group.items():
            indices.sort()
            first, previous_sig = None, None
            for index in indices:
                sig = None if expand else _signature(graph, self.copies[(group, index)], group)
                if first is None or expand or sig != previous_sig:
                    first = index
                self.run_first[(group, index)] = first
                previous_sig = sig
            for index in indices:
                self.run_last[(group, self.run_first[(group, index)])] = index
        self._rep: dict[str, str] = {}

    def rep(self, name: str) -> str:
        """The drawn node that stands for ``name``."""
        if name in self._rep:
            return self._rep[name]
        node = self.graph.nodes[name]
        out = name
        for scope in node.scopes:
            if scope.count > 1:
                first = self.run_first[(scope.group, scope.index)]
                if first != scope.index:
                    k = self.position[(scope.group, name)]
                    out = self.rep(self.copies[(scope.group, first)][k].name)
                    break
        self._rep[name] = out
        return out

    def run_size(self, scope: Scope) -> int:
        first = self.run_first[(scope.group, scope.index)]
        return self.run_last[(scope.group, first)] - first + 1

    def run_scopes(self, scope: Scope) -> tuple[Scope, Scope]:
        first = self.run_first[(scope.group, scope.index)]
        return self.scope_of[(scope.group, first)], self.scope_of[(scope.group, self.run_last[(scope.group, first)])]

    def in_last_copy(self, node: Node, group: str) -> Node:
        """The node that stands where ``node`` stands in the last copy of its run of ``group``."""
        index = next(s.index for s in node.scopes if s.group == group)
        last = self.run_last[(group, self.run_first[(group, index)])]
        return self.copies[(group, last)][self.position[(group, node.name)]]

    def same_run_other_copy(self, a: Node, b: Node) -> bool:
        """True for an edge between two different copies of one run (the chain the ×N stands for)."""
        mine = {s.group: s.index for s in a.scopes if s.count > 1}
        for scope in b.scopes:
            if scope.count > 1 and scope.group in mine and mine[scope.group] != scope.index:
                if self.run_first[(scope.group, scope.index)] == self.run_first[(scope.group, mine[scope.group])]:
                    return True
        return False
