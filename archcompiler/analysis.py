"""Questions about a resolved graph that several emitters ask, answered once: who reads a node,
what a node descends from, which zero paddings belong to the window after them, which fully
connected layer reads a node. The docs' facts (``Layer.doc_facts``) and the diagram both use it."""

from __future__ import annotations

from .graph import Graph, Node


class Analysis:
    """A read-only view of one graph with its derived relations, computed once."""

    def __init__(self, graph: Graph):
        self.g = graph
        self.nodes = graph.nodes
        self.name = graph.name
        self.outputs = {r.node for r in graph.outputs}
        self._readers: dict[str, list[Node]] = {name: [] for name in graph.nodes}
        for node in graph.nodes.values():
            for source in dict.fromkeys(r.node for r in node.inputs):
                self._readers[source].append(node)
        self._ancestors: dict[str, set[str]] = {}

    def input_shapes(self, node: Node) -> list:
        return self.g.input_shapes(node)

    def consumers(self, name: str) -> list[Node]:
        """The nodes reading ``name``'s outputs, in graph order, each once."""
        return self._readers[name]

    def ancestors(self, name: str) -> set[str]:
        """Every node ``name`` depends on."""
        if name not in self._ancestors:
            out: set[str] = set()
            for r in self.g.nodes[name].inputs:
                out |= {r.node} | self.ancestors(r.node)
            self._ancestors[name] = out
        return self._ancestors[name]

    def is_output(self, node: Node) -> bool:
        return node.name in self.outputs

    def padding_source(self, node: Node) -> Node | None:
        """A zero padding feeding only this layer: its padding belongs in this layer's formula."""
        src = self.g.nodes[node.inputs[0].node]
        if src.layer.folds_into == "next" and len(self.consumers(src.name)) == 1:
            return src
        return None

    def folded_paddings(self) -> set[str]:
        """Zero paddings written as a window's numeric padding (``conv1`` with ``padding: 3`` becomes
        ``conv1_pad`` and ``conv1``): explained inside that window's formula, not as layers of their own."""
        out = set()
        for node in self.g.nodes.values():
            if node.layer.folds_into == "next":
                readers = self.consumers(node.name)
                if len(readers) == 1 and node.name == readers[0].name + "_pad" and node.path == readers[0].path:
                    out.add(node.name)
        return out

    def next_dense(self, node: Node, through=("regularization", "activation", "reshape")) -> Node | None:
        """The fully connected layer that reads this node's output (directly or through dropout/flatten)."""
        current = node
        for _ in range(4):
            readers = self.consumers(current.name)
            if len(readers) != 1:
                return None
            current = readers[0]
            if current.family == "dense":
                return current
            if current.family not in through:
                return None
        return None
