"""Questions about a resolved graph that several emitters ask, answered once: who reads a node,
what a node descends from, where a merge's branches fork, which input of an add is a residual
shortcut, which zero padding belongs to the window after it, which copies a repeat made, which
fully connected layer reads a node. The docs' facts (``Layer.doc_facts``) and the diagram both
ask here."""

from __future__ import annotations

from .graph import Graph, Node


class Split:
    """Paths of a branch that run side by side before a merge inside it (see ``Analysis.steps``)."""

    def __init__(self, paths: list[list]):
        self.paths = paths


class WhyRules:
    """The structures the docs' "why" comparisons explain, found by rule, never by a spec's name:
    stacked small windows (VGG), 1×1 reductions (GoogLeNet), bottleneck residuals (ResNet). Part of
    ``Analysis``, whose relations (consumers, branches, residual) they use."""

    def next_conv(self, node: Node) -> Node | None:
        """The convolution this node's output reaches alone (through normalisation, activation or
        dropout, each read by nothing else)."""
        readers = self.consumers(node.name)
        while len(readers) == 1 and readers[0].family in ("norm", "activation", "regularization"):
            readers = self.consumers(readers[0].name)
        return readers[0] if len(readers) == 1 and readers[0].family == "conv" else None

    def _plain(self, node: Node, kernel: tuple) -> bool:
        layer = node.layer
        return node.layer.mixes_channels_2d and tuple(layer.kernel) == kernel and tuple(layer.stride) == (1, 1) \
            and tuple(layer.dilation) == (1, 1) and layer.groups == 1

    def stacked_3x3(self) -> dict | None:
        """The longest run (the first of equals) of at least two 3×3 convolutions in a row that keep
        the width C (C channels in, C out, stride 1): VGG's argument for small stacked windows."""
        if not hasattr(self, "_stacked"):
            best: list[Node] = []
            seen: set[str] = set()
            for node in self.g.nodes.values():
                if node.name in seen or not self._plain(node, (3, 3)):
                    continue
                c = node.layer.filters
                if self.input_shapes(node)[0][-1] != c:
                    continue
                run = [node]
                nxt = self.next_conv(node)
                while nxt is not None and self._plain(nxt, (3, 3)) and nxt.layer.filters == c:
                    run.append(nxt)
                    nxt = self.next_conv(nxt)
                seen |= {n.name for n in run}
                if len(run) > len(best):
                    best = run
            self._stacked = {"nodes": [n.name for n in best], "c": best[0].layer.filters} if len(best) >= 2 else None
        return self._stacked

    def widest_reduction(self) -> tuple[Node, Node] | None:
        """A 1×1 convolution that narrows the channels right before a larger window (GoogLeNet's
        reductions): the first of those before the largest window."""
        if not hasattr(self, "_reduction"):
            best = None
            for node in self.g.nodes.values():
                if not self._plain(node, (1, 1)) or node.layer.filters >= self.input_shapes(node)[0][-1]:
                    continue
                conv = self.next_conv(node)
                if conv is None or not conv.layer.mixes_channels_2d or conv.layer.groups != 1:
                    continue
                area = conv.layer.kernel[0] * conv.layer.kernel[1]
                if area > 1 and (best is None or area > best[2]):
                    best = (node, conv, area)
            self._reduction = best[:2] if best else None
        return self._reduction

    def bottleneck_residual(self) -> Node | None:
        """The first residual sum with an identity shortcut whose body is 1×1 → 3×3 → 1×1 (ResNet's
        bottleneck block)."""
        if not hasattr(self, "_bottleneck"):
            self._bottleneck = None
            for node in self.g.nodes.values():
                residual = self.residual(node)
                if residual is None or not residual["identity"]:
                    continue
                convs = [n for n in self.branches(node)["chains"][residual["body"]] if n.layer.mixes_channels_2d]
                if [tuple(n.layer.kernel) for n in convs] == [(1, 1), (3, 3), (1, 1)]:
                    self._bottleneck = node
                    break
        return self._bottleneck


class Analysis(WhyRules):
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

    def steps(self, chain: list[Node]) -> list:
        """A branch's chain as it runs: nodes in order, where a part of it forks again and merges
        inside the branch a ``Split`` of its own paths stands before the merge (Inception-V3's side-by-side
        1×3 and 3×1 convolutions), so the docs never read parallel layers as stacked."""
        inside = {n.name for n in chain}
        steps: list = []
        current = chain[-1] if chain else None
        while current is not None:
            steps.append(current)
            sources = [r.node for r in current.inputs if r.node in inside]
            if len(sources) > 1:
                inner = self.branches(current)
                steps.append(Split([self.steps(c) for c in inner["chains"]]))
                current = self.nodes[inner["fork"]] if inner["fork"] in inside else None
            else:
                current = self.nodes[sources[0]] if sources else None
        return steps[::-1]

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
