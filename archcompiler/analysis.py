"""Questions about a resolved graph that several emitters ask, answered once: who reads a node,
what a node descends from, where a merge's branches fork, which input of an add is a residual
shortcut, which zero padding belongs to the window after it, which copies a repeat made, which
fully connected layer reads a node. The docs' facts (``Layer.doc_facts``) and the diagram both
ask here."""

from __future__ import annotations

from .graph import Graph, Node


class Analysis:
    """A read-only view of one graph with its derived relations, computed once."""

    def __init__(self, graph: Graph):
        self.g = graph
        self.nodes = graph.nodes
        self.name = graph.name
        self.outputs = {r.node for r in graph.outputs}
        self._readers: dict[str, list[Node]] = {}
        self._ancestors: dict[str, set[str]] = {}
        self._branches: dict[str, dict] = {}

    def input_shapes(self, node: Node) -> list:
        return self.g.input_shapes(node)

    def consumers(self, name: str) -> list[Node]:
        """The nodes reading ``name``'s outputs, in graph order, each once."""
        if name not in self._readers:
            self._readers[name] = self.g.consumers(name)
        return self._readers[name]

    def ancestors(self, name: str) -> set[str]:
        """Every node ``name`` depends on."""
        if name not in self._ancestors:
            out: set[str] = set()
            for r in self.g.nodes[name].inputs:
                out |= {r.node} | self.ancestors(r.node)
            self._ancestors[name] = out
        return self._ancestors[name]

    def lengths(self) -> dict[str, str]:
        """The symbol of the variable sequence length each node runs along: ``T`` where the graph has
        one such length; where inputs of different lengths meet (an encoder–decoder), the lecture's
        ``T_x`` for the source and ``T_y`` for the target (the length the outputs have), or
        ``T_<input>`` where there are more. A node's length is its first sequence input's."""
        if not hasattr(self, "_lengths"):
            origin: dict[str, str] = {}
            for node in self.g.nodes.values():
                if node.name in self.g.inputs:
                    if None in node.shape:
                        origin[node.name] = node.name
                    continue
                for r in node.inputs:
                    if r.node in origin and None in self.g.nodes[r.node].shapes[r.index]:
                        origin[node.name] = origin[r.node]
                        break
            sources = list(dict.fromkeys(origin[n] for n in self.g.inputs if n in origin))
            targets = {origin[r.node] for r in self.g.outputs if r.node in origin}
            if len(sources) <= 1:
                names = {s: "T" for s in sources}
            elif len(sources) == 2 and len(targets) == 1:
                names = {s: "T_y" if s in targets else "T_x" for s in sources}
            else:
                names = {s: f"T_{s}" for s in sources}
            self._lengths = {n: names[o] for n, o in origin.items()}
        return self._lengths

    def length_of(self, name: str) -> str:
        return self.lengths().get(name, "T")

    def is_output(self, node: Node) -> bool:
        return node.name in self.outputs

    def padding_source(self, node: Node) -> Node | None:
        """A zero padding feeding only this window (a convolution or pooling): its padding belongs in
        the window's formula, and the diagram draws it inside the window's node."""
        if not node.layer.takes_padding or not node.inputs:
            return None
        src = self.g.nodes[node.inputs[0].node]
        if src.layer.folds_into == "next" and len(self.consumers(src.name)) == 1:
            return src
        return None

    def folded_paddings(self) -> set[str]:
        """Zero paddings written as a window's numeric padding (``conv1`` with ``padding: 3`` becomes
        ``conv1_pad`` and ``conv1``): explained inside that window's formula, not as layers of their own."""
        out = set()
        for node in self.g.nodes.values():
            readers = self.consumers(node.name)
            if len(readers) == 1 and self.padding_source(readers[0]) is node \
                    and node.name == readers[0].name + "_pad" and node.path == readers[0].path:
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

    def branches(self, node: Node) -> dict:
        """For a merge: the node where its inputs fork, and each input's chain of nodes from there."""
        if node.name not in self._branches:
            self._branches[node.name] = self._fork_and_chains(node)
        return self._branches[node.name]

    def _fork_and_chains(self, node: Node) -> dict:
        sets = [self.ancestors(r.node) | {r.node} for r in node.inputs]
        common = set.intersection(*sets)
        order = list(self.g.nodes)
        fork = max(common, key=order.index) if common else None
        chains = []
        for anc in sets:
            # the nodes on the paths from the fork to this input: below the fork and above the input
            chains.append([self.g.nodes[n] for n in order if n in anc and n != fork and fork in self.ancestors(n)])
        return {"fork": fork, "chains": chains}

    def residual(self, node: Node) -> dict | None:
        """For a sum of two inputs (a residual connection): which input is the shortcut (the shorter
        chain from the fork) and which the body, and whether the shortcut is the identity."""
        if node.layer.merges != "sum" or len(node.inputs) != 2:
            return None
        chains = self.branches(node)["chains"]
        shortcut = 0 if len(chains[0]) <= len(chains[1]) else 1
        return {"shortcut": shortcut, "body": 1 - shortcut, "identity": len(chains[shortcut]) == 0}

    def repeat_copies(self) -> tuple[dict, dict]:
        """The copies made by each repeat: (group, index) → its nodes in graph order, and → its scope."""
        copies: dict[tuple[str, int], list[Node]] = {}
        scopes: dict = {}
        for node in self.g.nodes.values():
            for scope in node.scopes:
                if scope.count > 1:
                    copies.setdefault((scope.group, scope.index), []).append(node)
                    scopes[(scope.group, scope.index)] = scope
        return copies, scopes
