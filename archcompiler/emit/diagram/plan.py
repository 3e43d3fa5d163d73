"""The plan: what is drawn — units (a layer and the layers folded into it, standing for every copy
of a repeat), clusters (block instances), edges with their roles — decided once from the graph and
its :class:`~archcompiler.analysis.Analysis`, then written as DOT and as Mermaid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ...analysis import Analysis
from ...graph import Graph, Node, Scope
from ...spec import kind_name
from .collapse import Collapse
from .style import FAMILY_STYLE, _shape, word


# --- the plan: what is drawn ------------------------------------------------------------

@dataclass
class Unit:
    """One drawn node: a layer (plus the layers folded into it), standing for all its copies."""

    id: str
    nodes: list[Node]  # the drawn layers: the head first, then folded ones in order
    copies: list[list[Node]] = field(default_factory=list)  # per drawn layer, every node it stands for
    repeat: int = 1  # ×N shown on the node (a repeated plain layer or one-node block), 1 otherwise
    repeat_names: tuple[str, str] = ("", "")
    cluster: str | None = None  # key of the innermost cluster holding it
    # the block instances drawn as this unit alone, outermost first: (instance name, block title)
    instances: list[tuple[str, str]] = field(default_factory=list)

    @property
    def head(self) -> Node:
        return self.nodes[0]

    @property
    def tail(self) -> Node:
        return self.nodes[-1]

    @property
    def pads_next(self) -> bool:
        """The unit is a zero padding drawn inside the window it pads."""
        return self.head.layer.folds_into == "next" and len(self.nodes) > 1

    @property
    def family(self) -> str:
        if self.head.is_input:
            return "input"
        if self.pads_next:
            return self.nodes[1].family
        return self.head.family


@dataclass
class Cluster:
    key: str
    id: str
    parent: str | None
    title: str  # bold part
    subtitle: str  # grey part
    params: int = 0
    repeat: int = 1
    instance: str = ""  # the instance's name, or "first … last" for a run of copies
    block_title: str = ""


@dataclass
class Edge:
    src: str
    dst: str
    label: str = ""
    style: str = "data"  # data | state | attention | skip (a key of EDGE_STYLE)


@dataclass
class Plan:
    graph: Graph
    units: list[Unit]
    clusters: dict[str, Cluster]
    edges: list[Edge]
    outputs: list[tuple[str, str, str]]  # (output node id, source unit id, its text)
    families: list[str]
    rows: list[tuple[str | None, list[str]]] = field(default_factory=list)  # parallel branches, in spec order
    lang: str = "en"  # the language of the drawn text

    @property
    def node_count(self) -> int:
        """Nodes drawn for layers, inputs and outputs (the legend not counted)."""
        return len(self.units) + len(self.outputs)


def diagram_plan(graph: Graph, expand: bool = False, lang: str = "en") -> Plan:
    """Decide what is drawn: units (nodes), clusters, edges. Shared by the DOT and Mermaid writers;
    ``lang``: the language of the text (block titles, roles, the diagram's own words)."""
    analysis = Analysis(graph)
    collapse = Collapse(analysis, expand)
    drawn = [n for n in graph.nodes.values() if collapse.rep(n.name) == n.name]
    stands_for: dict[str, list[Node]] = {n.name: [] for n in drawn}
    for node in graph.nodes.values():
        stands_for[collapse.rep(node.name)].append(node)

    # drawn edges between drawn nodes: (src, tensor index, dst, input position)
    raw_edges: list[tuple[str, int, str, int]] = []
    for node in graph.nodes.values():
        for position, ref in enumerate(node.inputs):
            if collapse.same_run_other_copy(graph.nodes[ref.node], node):
                continue
            raw_edges.append((collapse.rep(ref.node), ref.index, collapse.rep(node.name), position))
    raw_edges = list(dict.fromkeys(raw_edges))
    output_sources = {collapse.rep(r.node) for r in graph.outputs}
    out_degree: dict[str, set] = {}
    in_degree: dict[str, set] = {}
    for src, index, dst, position in raw_edges:
        out_degree.setdefault(src, set()).add((index, dst))
        in_degree.setdefault(dst, set()).add((src, index))

    def drawn_scopes(node: Node) -> tuple:
        return tuple(s for s in node.scopes)

    def foldable(u: Node, v: Node) -> bool:
        if expand or u.is_input or u.name in output_sources:
            return False
        if out_degree.get(u.name) != {(0, v.name)} or in_degree.get(v.name) != {(u.name, 0)}:
            return False
        if len(u.shapes) != 1 or drawn_scopes(u) != drawn_scopes(v):
            return False
        if len(stands_for[u.name]) != len(stands_for[v.name]):
            return False
        return v.layer.folds_into == "previous" or analysis.padding_source(v) is u

    unit_of: dict[str, Unit] = {}
    units: list[Unit] = []
    for node in drawn:
        if node.name in unit_of:
            continue
        unit = Unit(f"n{len(units)}", [node])
        units.append(unit)
        unit_of[node.name] = unit
        while True:
            nxt = [dst for (index, dst) in out_degree.get(unit.tail.name, ())]
            if len(nxt) == 1 and nxt[0] not in unit_of and foldable(unit.tail, graph.nodes[nxt[0]]):
                unit.nodes.append(graph.nodes[nxt[0]])
                unit_of[nxt[0]] = unit
            else:
                break
        unit.copies = [stands_for[n.name] for n in unit.nodes]

    clusters = _clusters(graph, units, unit_of, collapse, lang)

    # edges between units
    edges: list[Edge] = []
    seen: dict[tuple[str, str], Edge] = {}
    for src, index, dst, position in raw_edges:
        a, b = unit_of[src], unit_of[dst]
        if a is b:
            continue
        source, target = graph.nodes[src], graph.nodes[dst]
        label, style = "", "data"
        names = source.output_names
        if len(names) > 1:
            label = f"{names[index]} {_shape(source.shapes[index])}"
        if target.layer.input_roles == "states" and position > 0:
            style = "state"
        elif _is_identity_shortcut(analysis, target, position):
            style = "skip"
        elif target.layer.input_roles == "query_value_key" and len(target.inputs) > 1:
            role = ("query", "key, value" if len(target.inputs) == 2 else "value", "key")[min(position, 2)]
            label = f"{label}, {role}" if label else role
            style = "attention" if position > 0 else "data"
        pair = (a.id, b.id)
        if pair in seen and not (len(names) > 1 and seen[pair].label.split(" ")[0] != names[index]):
            # one source feeding several inputs of a layer (self-attention): one edge, roles joined
            if label and label not in seen[pair].label:
                roles = f"{seen[pair].label}, {label}" if seen[pair].label else label
                order = ["query", "key", "value"]
                parts = roles.split(", ")
                seen[pair].label = ", ".join(sorted(parts, key=lambda p: order.index(p) if p in order else -1))
            continue
        edge = Edge(a.id, b.id, label, style)
        seen[pair] = edge
        edges.append(edge)
    rows = _branch_rows(units, edges, _reachability(edges))

    outputs = []
    for k, ref in enumerate(graph.outputs):
        unit = unit_of[collapse.rep(ref.node)]
        source = graph.nodes[ref.node]
        which = f" ({source.output_names[ref.index]})" if len(source.output_names) > 1 else ""
        outputs.append((f"out{k}", unit.id, f"{word(lang, 'output')} {_shape(source.shapes[ref.index])}{which}"))
    families = list(dict.fromkeys(u.family for u in units))
    families = [f for f in FAMILY_STYLE if f in families] + [f for f in families if f not in FAMILY_STYLE]
    if lang != "en":  # the attention roles in the plan's language (decided in English above)
        roles = {role: word(lang, role) for role in ("query", "key", "value")}
        output = word("en", "output") + " ("
        for edge in edges:
            parts = [roles.get(part, part) for part in edge.label.split(", ")] if edge.label else []
            parts = [word(lang, "output") + part[len(output) - 2:] if part.startswith(output) else part
                     for part in parts]
            edge.label = ", ".join(parts)
    return Plan(graph, units, clusters, edges, outputs, families, rows, lang)


def _clusters(graph: Graph, units: list[Unit], unit_of: dict[str, Unit], collapse: Collapse,
              lang: str) -> dict[str, Cluster]:
    """Block instances as clusters; a repeated plain layer drawn as one unit gets a ×N badge instead,
    and so does an instance drawn as one unit (see ``_fold_lone_instances``)."""
    clusters: dict[str, Cluster] = {}
    for unit in units:
        parent, run = None, None  # run: the group of the innermost enclosing run of copies drawn once
        for depth, scope in enumerate(unit.head.scopes):
            size = collapse.run_size(scope) if scope.count > 1 else 1
            members = collapse.copies.get((scope.group, scope.index)) if scope.count > 1 else None
            if not scope.block and members is not None and \
                    len({unit_of[m.name].id for m in members if m.name in unit_of}) == 1:
                unit.repeat = size
                if size > 1:
                    first, last = collapse.run_scopes(scope)
                    unit.repeat_names = (collapse.copies[(first.group, first.index)][0].name,
                                         collapse.copies[(last.group, last.index)][0].name)
                continue
            key = f"{scope.group}/{collapse.run_first.get((scope.group, scope.index), scope.index)}"
            if key not in clusters:
                block = graph.spec.blocks.get(scope.block) if scope.block else None
                title = getattr(block.title, lang, block.title.en) if block is not None and block.title \
                    else scope.block or (kind_name(scope.structure, lang) if scope.structure else scope.name)
                if size > 1:
                    first, last = (_instance(collapse, s) for s in collapse.run_scopes(scope))
                    clusters[key] = Cluster(key, "", parent, word(lang, "block times", title=title, n=size),
                                            f"{first} … {last}", repeat=size, instance=f"{first} … {last}",
                                            block_title=title)
                else:
                    name = _instance(collapse, scope)
                    if run is not None:  # inside a run drawn once: this instance in its first … last copy
                        last = _instance(collapse, collapse.in_last_copy(unit.head, run).scopes[depth])
                        name = name if last == name else f"{name} … {last}"
                    subtitle = title if title != name else ""
                    clusters[key] = Cluster(key, "", parent, name, subtitle, instance=name, block_title=subtitle)
            parent = key
            run = scope.group if size > 1 else run
        unit.cluster = parent
    _fold_lone_instances(clusters, units, collapse)
    for number, cluster in enumerate(clusters.values()):
        cluster.id = f"cluster_{number}"
    for unit in units:
        key = unit.cluster
        total = sum(n.params for copies in unit.copies for n in copies)
        while key is not None:
            clusters[key].params += total
            key = clusters[key].parent
    return clusters


def _instance(collapse: Collapse, scope: Scope) -> str:
    """A cluster's instance name: a block instance's prefix; for one copy of a repeated residual or branches (no
    block), the name of the merge that ends it (res1, res2, …)."""
    if scope.block or scope.count == 1:
        return scope.name
    return collapse.copies[(scope.group, scope.index)][-1].name


def _fold_lone_instances(clusters: dict[str, Cluster], units: list[Unit], collapse: Collapse) -> None:
    """A block instance drawn as one unit (conv → batch norm → ReLU folded into one node) would be a
    box around a single node, dozens of them in Inception: the unit takes the instance's name and
    title (and its ×N) instead, and the cluster goes. Innermost first, so that an instance left with
    one unit after that folds too."""
    held: dict[str, list[Unit]] = {}
    for unit in units:
        held.setdefault(unit.cluster, []).append(unit)
    nested: dict[str, int] = {}
    for cluster in clusters.values():
        nested[cluster.parent] = nested.get(cluster.parent, 0) + 1
    for key in reversed(list(clusters)):  # a cluster is made before the clusters inside it
        cluster, lone = clusters[key], held.get(key, [])
        if len(lone) != 1 or nested.get(key) or (cluster.repeat > 1 and lone[0].repeat > 1):
            continue
        unit = lone[0]
        if cluster.repeat > 1:
            unit.repeat = cluster.repeat
            unit.repeat_names = (unit.head.name, collapse.in_last_copy(unit.head, key.rpartition("/")[0]).name)
        unit.instances.insert(0, (cluster.instance, cluster.block_title))
        unit.cluster = cluster.parent
        held.setdefault(cluster.parent, []).append(unit)
        nested[cluster.parent] -= 1
        del clusters[key]


def _is_identity_shortcut(analysis: Analysis, node: Node, position: int) -> bool:
    """The input at ``position`` of ``node`` is the identity path of a residual connection."""
    residual = analysis.residual(node)
    return residual is not None and residual["identity"] and position == residual["shortcut"]


def _reachability(edges: list[Edge]) -> Callable[[str, str], bool]:
    """Whether one unit reaches another along the drawn edges."""
    succ: dict[str, list[str]] = {}
    for e in edges:
        succ.setdefault(e.src, []).append(e.dst)

    def reaches(a: str, b: str) -> bool:
        stack, seen = [a], set()
        while stack:
            x = stack.pop()
            if x == b:
                return True
            if x not in seen:
                seen.add(x)
                stack.extend(succ.get(x, ()))
        return False

    return reaches


def _branch_rows(units: list[Unit], edges: list[Edge], reaches) -> list[tuple[str | None, list[str]]]:
    """Parallel branches leaving one node (an inception module's paths, a residual body and its
    projection) start on one row, left to right in the spec's order."""
    cluster = {u.id: u.cluster for u in units}
    targets: dict[str, list[str]] = {}
    for e in edges:
        if e.style != "skip" and e.dst in cluster:
            targets.setdefault(e.src, [])
            if e.dst not in targets[e.src]:
                targets[e.src].append(e.dst)
    rows, placed = [], set()
    for src, dsts in targets.items():
        if len(dsts) < 2 or len({cluster[d] for d in dsts}) != 1 or placed & set(dsts):
            continue
        if any(reaches(a, b) for a in dsts for b in dsts if a != b):
            continue
        rows.append((cluster[dsts[0]], dsts))
        placed |= set(dsts)
    return rows


def _cut_vertices(plan: Plan) -> list[int]:
    """Positions of the units every path from the inputs to the outputs passes through."""
    position = {u.id: k for k, u in enumerate(plan.units)}
    reach = [0] * len(plan.units)  # furthest unit an edge leaving units[≤k] reaches
    for e in plan.edges:
        k = position[e.src]
        reach[k] = max(reach[k], position[e.dst])
    cuts, furthest = [], 0
    inputs = sum(1 for u in plan.units if u.head.is_input)
    for k in range(len(plan.units) - 1):
        if k >= inputs - 1 and furthest <= k and not plan.units[k].head.is_input:
            cuts.append(k)
        furthest = max(furthest, reach[k])
    return cuts


def _spine(plan: Plan) -> set[str]:
    """A straight line down the drawing: through the units every path passes through and, between
    two of them, along the longest path (the middle one of equally long branches). Graphviz keeps a
    ``group`` vertical, so stacked modules do not drift sideways and their branches spread evenly."""
    cuts = _cut_vertices(plan)
    if not cuts:
        return set()
    position = {u.id: k for k, u in enumerate(plan.units)}
    preds: dict[int, list[int]] = {}
    for e in plan.edges:
        preds.setdefault(position[e.dst], []).append(position[e.src])
    single_input = sum(u.head.is_input for u in plan.units) == 1
    stops = sorted({*([0] if single_input else []), *cuts, len(plan.units) - 1})
    spine = {plan.units[k].id for k in stops}
    for a, b in zip(stops, stops[1:]):
        longest = {a: 0}
        for k in range(a + 1, b + 1):
            known = [longest[p] for p in preds.get(k, []) if p in longest]
            if known:
                longest[k] = max(known) + 1
        k = b
        while k != a and k in longest:
            best = sorted(p for p in preds.get(k, []) if longest.get(p) == longest[k] - 1)
            if not best:
                break
            k = best[(len(best) - 1) // 2]
            spine.add(plan.units[k].id)
    return spine
