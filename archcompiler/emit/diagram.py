"""Architecture diagrams: Graphviz (DOT, SVG, PNG) and a Mermaid flowchart, from the Graph alone.

Nothing here touches Keras. The drawing is planned once (``diagram_plan``) and written twice:

- every layer is a node (name, kind and hyperparameters, output shape, parameters), coloured by family;
- block instances (``node.scopes``) are clusters; the copies made by one ``repeat`` that are identical
  (same kinds, hyperparameters and wiring) are drawn once and labelled ×N, unless ``expand`` is set.
  Edges from outside go into the drawn copy, and what the last copy feeds is drawn out of it;
- by default a normalisation, activation or dropout that follows a single layer is folded into that
  layer's node (``conv 1×1, 64 filters … → batch norm → relu``), and a zero padding into the layer
  it pads: every layer is still named, but deep networks stay a slide, not a strip.
  ``expand`` draws every layer and every copy as its own node;
- residual shortcuts are drawn as such (the identity path of an ``add``), recurrent states and
  attention inputs are labelled with what they carry (``h (256,)``, ``query``/``value``).
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import graphviz

from ..analysis import Analysis
from ..graph import Graph, Node, Scope
from ..outputs import OutputError

# family → (fill, border, legend text)
FAMILY_STYLE: dict[str, tuple[str, str, str]] = {
    "input": ("#eceff1", "#546e7a", "input / output"),
    "conv": ("#dbeafe", "#2563eb", "convolution"),
    "pool": ("#dcfce7", "#16a34a", "pooling"),
    "dense": ("#fef3c7", "#d97706", "dense (fully connected)"),
    "recurrent": ("#ffe4e6", "#e11d48", "recurrent"),
    "attention": ("#f3e8ff", "#9333ea", "attention"),
    "norm": ("#ccfbf1", "#0d9488", "normalisation"),
    "merge": ("#ffedd5", "#ea580c", "merge (add, concat)"),
    "activation": ("#fef9c3", "#a16207", "activation"),
    "regularization": ("#f5f5f4", "#78716c", "regularisation"),
    "reshape": ("#f4f4f5", "#71717a", "reshape (flatten, pad)"),
    "embedding": ("#e0e7ff", "#4f46e5", "embedding"),
}
_FALLBACK_STYLE = ("#ffffff", "#52525b", "other")
FONT = "Helvetica,Arial,sans-serif"
MAX_PIXELS = 5000  # no side of a PNG longer than this
PNG_DPI = 96
INSTALL_HINT = ("Graphviz's 'dot' was not found, so {what} skipped (the .dot and .mmd files are written): "
                "install Graphviz, e.g. 'sudo apt-get install graphviz' or 'brew install graphviz' "
                "(https://graphviz.org/download/).")
FORMATS = ("dot", "svg", "png", "mmd")


# --- the plan: what is drawn ------------------------------------------------------------

@dataclass
class Unit:
    """One drawn node: a layer (plus the layers folded into it), standing for all its copies."""

    id: str
    nodes: list[Node]  # the drawn layers: the head first, then folded ones in order
    copies: list[list[Node]] = field(default_factory=list)  # per drawn layer, every node it stands for
    repeat: int = 1  # ×N shown on the node (a repeated plain layer), 1 otherwise
    repeat_names: tuple[str, str] = ("", "")
    cluster: str | None = None  # key of the innermost cluster holding it

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

    @property
    def node_count(self) -> int:
        """Nodes drawn for layers, inputs and outputs (the legend not counted)."""
        return len(self.units) + len(self.outputs)


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


class _Collapse:
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

    def same_run_other_copy(self, a: Node, b: Node) -> bool:
        """True for an edge between two different copies of one run (the chain the ×N stands for)."""
        mine = {s.group: s.index for s in a.scopes if s.count > 1}
        for scope in b.scopes:
            if scope.count > 1 and scope.group in mine and mine[scope.group] != scope.index:
                if self.run_first[(scope.group, scope.index)] == self.run_first[(scope.group, mine[scope.group])]:
                    return True
        return False


def diagram_plan(graph: Graph, expand: bool = False) -> Plan:
    """Decide what is drawn: units (nodes), clusters, edges. Shared by the DOT and Mermaid writers."""
    analysis = Analysis(graph)
    collapse = _Collapse(analysis, expand)
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

    # clusters: block instances; a repeated plain layer drawn as one unit gets a ×N badge instead
    clusters: dict[str, Cluster] = {}
    for unit in units:
        parent = None
        for scope in unit.head.scopes:
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
                title = block.title.en if block is not None and block.title else (scope.block or scope.name)
                if size > 1:
                    first, last = collapse.run_scopes(scope)
                    clusters[key] = Cluster(key, f"cluster_{len(clusters)}", parent, f"{title} ×{size}",
                                            f"{first.name} … {last.name}", repeat=size)
                else:
                    clusters[key] = Cluster(key, f"cluster_{len(clusters)}", parent, scope.name,
                                            title if title != scope.name else "")
            parent = key
        unit.cluster = parent
    for unit in units:
        key = unit.cluster
        total = sum(n.params for copies in unit.copies for n in copies)
        while key is not None:
            clusters[key].params += total
            key = clusters[key].parent

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
        outputs.append((f"out{k}", unit.id, f"output {_shape(source.shapes[ref.index])}{which}"))
    families = list(dict.fromkeys(u.family for u in units))
    families = [f for f in FAMILY_STYLE if f in families] + [f for f in families if f not in FAMILY_STYLE]
    return Plan(graph, units, clusters, edges, outputs, families, rows)


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


# --- words ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text) -> str:
    return _CONTROL.sub(" ", str(text))


def _h(text) -> str:
    """Text for a Graphviz HTML-like label."""
    return html.escape(_clean(text), quote=True)


def _shape(shape) -> str:
    """(224, 224, 3), (4096,), (None, 64): Python's tuple notation, batch axis left out."""
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _shape_text(shapes: list) -> str:
    return ", ".join(_shape(s) for s in shapes)


def _unit_lines(unit: Unit) -> tuple[str, list[str], str]:
    """(title, folded layers, details) of a unit, as plain text."""
    head = unit.head
    if head.is_input:
        dtype = head.layer.dtype if getattr(head.layer, "dtype", "float32") != "float32" else ""
        return head.name, [], f"input {_shape(head.shape)}" + (f" {dtype}" if dtype else "")
    nodes = unit.nodes
    extra: list[str] = []
    if unit.pads_next:
        title = f"{nodes[1].layer.label()}, after {head.layer.label()}"
        rest = nodes[2:]
    else:
        title = head.layer.label()
        rest = nodes[1:]
    if rest:
        extra = [n.layer.label() for n in rest]
    if unit.repeat > 1:
        title += f"  ×{unit.repeat}"
    tail_copies = unit.copies[-1]
    shapes = {tuple(n.shapes[0]) for n in tail_copies}
    shape = _shape(unit.tail.shapes[0]) if len(shapes) == 1 else \
        f"{_shape(tail_copies[0].shapes[0])} … {_shape(tail_copies[-1].shapes[0])}"
    if len(unit.tail.shapes) > 1:
        shape = _shape_text(unit.tail.shapes)
    name = head.name if unit.repeat == 1 else f"{unit.repeat_names[0]} … {unit.repeat_names[1]}"
    if unit.pads_next:
        name = nodes[1].name if unit.repeat == 1 else name
    per_copy = [sum(copies[k].params for copies in unit.copies) for k in range(len(unit.copies[0]))]
    params = ""
    if any(per_copy):
        if len(per_copy) == 1:
            params = f"{per_copy[0]:,} params"
        elif len(set(per_copy)) == 1:
            params = f"{per_copy[0]:,} params each"
        else:
            params = f"{sum(per_copy):,} params in all"
    details = "  ·  ".join(x for x in (name, shape, params) if x)
    return title, extra, details


def _tooltip(unit: Unit) -> str:
    lines = []
    for node in unit.nodes:
        where = f" ({node.loc})" if node.loc else ""
        lines.append(f"{node.name}: {node.layer.label()} → {_shape_text(node.shapes)}, "
                     f"{node.params:,} params{where}")
    return "\n".join(lines)


def _html_label(unit: Unit) -> str:
    title, extra, details = _unit_lines(unit)
    rows = [f'<TR><TD ALIGN="CENTER"><B>{_h(title)}</B></TD></TR>']
    if extra:
        rows.append(f'<TR><TD ALIGN="CENTER">{_h("→ " + " → ".join(extra))}</TD></TR>')
    rows.append(f'<TR><TD ALIGN="CENTER"><FONT POINT-SIZE="9" COLOR="#52525b">{_h(details)}</FONT></TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _title_label(graph: Graph, plan: "Plan") -> str:
    """The title, with the legend under it: the families drawn and the special edges, in rows of four."""
    items = []
    for family in plan.families:
        fill, border, text = FAMILY_STYLE.get(family, _FALLBACK_STYLE)
        items.append(f'<FONT COLOR="{border}" POINT-SIZE="15">■</FONT> {_h(text)}')
    styles = {e.style for e in plan.edges}
    for style, text in (("skip", "⟶ residual shortcut"), ("state", "⇢ recurrent state"),
                       ("attention", "⟶ attention key / value")):
        if style in styles:
            items.append(f'<FONT COLOR="{EDGE_STYLE[style]["color"]}">{_h(text)}</FONT>')
    per_row = 5 if len(items) > 5 else len(items)
    rows = "".join(f'<TR><TD><FONT POINT-SIZE="10">{"     ".join(items[k:k + per_row])}</FONT></TD></TR>'
                   for k in range(0, len(items), per_row))
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD><FONT POINT-SIZE="16"><B>{_h(_graph_title(graph))}</B></FONT></TD></TR>{rows}</TABLE>>')


def _graph_title(graph: Graph) -> str:
    title = graph.spec.title or graph.name
    year = f" ({graph.spec.year})" if graph.spec.year else ""
    return f"{title}{year}  ·  {graph.total_params:,} params"


# --- Graphviz -----------------------------------------------------------------------------

EDGE_STYLE = {
    "data": {"color": "#52525b"},
    "state": {"color": FAMILY_STYLE["recurrent"][1], "style": "dashed", "fontcolor": FAMILY_STYLE["recurrent"][1]},
    "attention": {"color": FAMILY_STYLE["attention"][1], "fontcolor": FAMILY_STYLE["attention"][1]},
    "skip": {"color": FAMILY_STYLE["merge"][1], "penwidth": "1.6", "weight": "0"},
}


def diagram_source(graph: Graph, expand: bool = False, rankdir: str = "TB", wrap: bool = True) -> graphviz.Digraph:
    """The diagram as a ``graphviz.Digraph`` (``.source`` is the DOT text).

    With ``wrap`` (and Graphviz installed), a drawing much longer than broad is laid out once to
    measure it, then cut between top-level blocks into columns side by side (rows, left to right),
    about 16:9, so that a deep network fits a slide."""
    return _layout(diagram_plan(graph, expand), rankdir, wrap, {})


def _layout(plan: Plan, rankdir: str, wrap: bool, files: dict[str, Path]) -> graphviz.Digraph:
    """Build the DOT, wrap it into columns where that helps, and render ``files`` (format → path)
    with as few Graphviz runs as possible."""
    dot = _build_dot(plan, rankdir, ())
    binary = shutil.which("dot")
    if binary is None:
        return dot
    measure = wrap and rankdir in ("TB", "LR")
    if not measure and not files:
        return dot
    plain = _run_dot(binary, dot.source, files, plain=measure)
    cuts = _wrap_cuts(plan, plain, rankdir) if measure else ()
    if cuts:
        dot = _build_dot(plan, rankdir, cuts)
        if files:
            _run_dot(binary, dot.source, files, plain=False)
    return dot


def _run_dot(binary: str, source: str, files: dict[str, Path], plain: bool) -> str:
    """One Graphviz run writing ``files``; returns the layout in ``-Tplain`` form if asked."""
    with tempfile.TemporaryDirectory(prefix="archcompiler-") as tmp:
        args = [binary]
        for fmt, path in files.items():
            args += [f"-T{fmt}", f"-o{path}"]
        measured = Path(tmp) / "layout.txt"
        if plain:
            args += ["-Tplain", f"-o{measured}"]
        try:
            done = subprocess.run(args, input=source.encode("utf-8"), capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise OutputError(f"Graphviz could not run: {e}") from None
        if done.returncode != 0:
            first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise OutputError(f"Graphviz failed: {first[0] if first else f'exit code {done.returncode}'}")
        if "svg" in files:
            files["svg"].write_text(flowing_text(files["svg"].read_text(encoding="utf-8")), encoding="utf-8")
        return measured.read_text(encoding="utf-8", errors="replace") if plain else ""


_SVG_TEXT = re.compile(r'<text (?P<attrs>[^>]*)>(?P<body>[^<]*)</text>')
_PLACED = re.compile(r'\s(?:x|y|text-anchor)="[^"]*"')


def flowing_text(svg: str) -> str:
    """Graphviz writes each piece of a line of mixed text (X, then a subscript t) as a <text> at an
    absolute x measured with its own font metrics, so in a browser with other fonts the pieces drift
    apart ('H     t'). Each such line becomes one <text> whose later pieces are <tspan>s that follow
    the first, whatever the font (the subscript keeps its baseline-shift)."""
    out: list[str] = []
    run: list[re.Match] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0].group(0))
        elif run:
            pieces = "".join(f"<tspan{_PLACED.sub('', ' ' + m.group('attrs'))}>{m.group('body')}</tspan>" for m in run[1:])
            out.append(f"<text {run[0].group('attrs')}>{run[0].group('body')}{pieces}</text>")
        run.clear()

    for line in svg.split("\n"):
        m = _SVG_TEXT.fullmatch(line)
        if m and run and _y(m) != _y(run[0]):
            flush()
        if m:
            run.append(m)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def _y(text: re.Match) -> str | None:
    found = re.search(r'\sy="([^"]*)"', " " + text.group("attrs"))
    return found.group(1) if found else None


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


def _cluster_chain(plan: Plan, key: str | None) -> list[str]:
    chain = []
    while key is not None:
        chain.append(key)
        key = plan.clusters[key].parent
    return chain


def _wrap_cuts(plan: Plan, plain: str, rankdir: str = "TB") -> tuple[int, ...]:
    """Where to cut a long drawing into columns (TB) or rows (LR): at units every path passes
    through, between top-level blocks, so that the pieces side by side come closest to 16:9."""
    width = height = 0.0
    # id → (across: low, high; along the flow: start, end), in inches
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for line in plain.splitlines():
        parts = line.split(" ", 6)
        if parts[0] == "graph" and len(parts) >= 4:
            width, height = float(parts[2]), float(parts[3])
        elif parts[0] == "node" and len(parts) >= 6:
            x, y, w, h = (float(v) for v in parts[2:6])
            if rankdir == "LR":
                boxes[parts[1]] = (height - y - h / 2, height - y + h / 2, x - w / 2, x + w / 2)
            else:
                boxes[parts[1]] = (x - w / 2, x + w / 2, height - y - h / 2, height - y + h / 2)
    if not width or not height:
        return ()
    length, breadth = (width, height) if rankdir == "LR" else (height, width)
    if length / breadth < (3.5 if rankdir == "LR" else 2.0):
        return ()

    def aspect(along: float, across: float) -> float:
        """Width / height of a drawing whose flow runs ``along`` and whose pieces stack ``across``."""
        return along / across if rankdir == "LR" else across / along

    position = {u.id: k for k, u in enumerate(plan.units)}
    successors: dict[str, list[str]] = {}
    for e in plan.edges:
        successors.setdefault(e.src, []).append(e.dst)
    eligible = []
    for k in _cut_vertices(plan):
        unit = plan.units[k]
        mine = set(_cluster_chain(plan, unit.cluster))
        nxt = successors.get(unit.id, [])
        if nxt and unit.id in boxes and \
                all(not mine & set(_cluster_chain(plan, plan.units[position[n]].cluster)) for n in nxt):
            eligible.append(k)
    ids = [u.id for u in plan.units] + [o[0] for o in plan.outputs]

    def score(cuts: tuple[int, ...]) -> float:
        """How far the drawing cut there is from 16:9 (pieces side by side, 0.6 in apart)."""
        bounds = [-1, *cuts, len(ids) - 1]
        across, along = [], []
        for lo, hi in zip(bounds, bounds[1:]):
            piece = [boxes[i] for i in ids[lo + 1:hi + 1] if i in boxes]
            if piece:
                across.append(max(b[1] for b in piece) - min(b[0] for b in piece) + 0.6)
                along.append(max(b[3] for b in piece) - min(b[2] for b in piece))
        if len(along) < 2 or min(along) < 0.25 * max(along):
            return math.inf  # a stub column helps no one
        return abs(math.log(aspect(max(along) + 1.0, sum(across)) / (16 / 9)))

    best, best_score = (), abs(math.log(width / height / (16 / 9)))
    for columns in range(2, 9):
        chosen: list[int] = []
        for j in range(1, columns):
            target = j * length / columns
            options = [k for k in eligible if not chosen or k > chosen[-1]]
            if options:
                chosen.append(min(options, key=lambda k: abs(boxes[plan.units[k].id][3] - target)))
        candidate = tuple(dict.fromkeys(chosen))
        if candidate and score(candidate) < best_score - 0.05:
            best, best_score = candidate, score(candidate)
    return best


def _build_dot(plan: Plan, rankdir: str, cuts: tuple[int, ...]) -> graphviz.Digraph:
    graph = plan.graph
    limit = f"{MAX_PIXELS / PNG_DPI:.2f}"
    dot = graphviz.Digraph(graph.name)
    dot.attr("graph", rankdir=rankdir, fontname=FONT, fontsize="16", labelloc="t", labeljust="c",
             label=_title_label(graph, plan), nodesep="0.25", ranksep="0.32", newrank="true",
             size=f"{limit},{limit}", pad="0.2", bgcolor="white", outputorder="edgesfirst")
    dot.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="11", margin="0.12,0.05",
             penwidth="1.2")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7", color="#52525b")
    spine = _spine(plan)

    by_cluster: dict[str | None, list[Unit]] = {}
    for unit in plan.units:
        by_cluster.setdefault(unit.cluster, []).append(unit)
    children: dict[str | None, list[str]] = {}
    for key, cluster in plan.clusters.items():
        children.setdefault(cluster.parent, []).append(key)

    def add_unit(g: graphviz.Digraph, unit: Unit) -> None:
        fill, border, _ = FAMILY_STYLE.get(unit.family, _FALLBACK_STYLE)
        attrs = {"fillcolor": fill, "color": border, "tooltip": graphviz.escape(_tooltip(unit))}
        if unit.head.is_input:
            attrs["shape"] = "box"
            attrs["style"] = "rounded,filled,bold"
        if unit.repeat > 1:
            attrs["peripheries"] = "2"
        if unit.id in spine:
            attrs["group"] = "spine"
        g.node(unit.id, _html_label(unit), **attrs)

    def add_cluster(g: graphviz.Digraph, key: str) -> None:
        cluster = plan.clusters[key]
        with g.subgraph(name=cluster.id) as c:
            sub = f'  <FONT COLOR="#52525b">{_h(cluster.subtitle)}</FONT>' if cluster.subtitle else ""
            params = (f'  <FONT POINT-SIZE="9" COLOR="#71717a">{cluster.params:,} params</FONT>'
                      if cluster.params else "")
            c.attr(label=f"<<B>{_h(cluster.title)}</B>{sub}{params}>", labeljust="l", fontsize="11",
                   style="rounded,dashed,filled" if cluster.repeat == 1 else "rounded,bold,filled",
                   color="#a1a1aa" if cluster.repeat == 1 else "#3f3f46",
                   fillcolor="#fafafa" if cluster.repeat == 1 else "#f4f4f5", penwidth="1.2", margin="10")
            for unit in by_cluster.get(key, []):
                add_unit(c, unit)
            for child in children.get(key, []):
                add_cluster(c, child)
            add_rows(c, key)

    def add_rows(g: graphviz.Digraph, key: str | None) -> None:
        for where, ids in plan.rows:
            if where == key:
                if rankdir == "LR":  # Graphviz stacks a rotated row bottom-up
                    ids = ids[::-1]
                with g.subgraph() as row:
                    row.attr(rank="same")
                    for a, b in zip(ids, ids[1:]):
                        row.edge(a, b, style="invis")

    for unit in by_cluster.get(None, []):
        add_unit(dot, unit)
    for key in children.get(None, []):
        add_cluster(dot, key)
    add_rows(dot, None)
    fill, border, _ = FAMILY_STYLE["input"]
    for out_id, source, text in plan.outputs:
        dot.node(out_id, f"<{_h(text)}>", shape="box", style="rounded,filled,bold", fillcolor=fill, color=border,
                 fontsize="10")
        dot.edge(source, out_id)
    inputs = [u.id for u in plan.units if u.head.is_input]
    if len(inputs) > 1:
        with dot.subgraph() as same:
            same.attr(rank="same")
            for unit_id in inputs:
                same.node(unit_id)
    # a cut sends its edges to a lettered connector at the foot of its column, and the next column
    # starts from the same letter (like the off-page connectors of a flowchart)
    cut_ids = {plan.units[k].id: chr(ord("A") + j) for j, k in enumerate(cuts)}
    for letter in cut_ids.values():
        for end in ("out", "in"):
            dot.node(f"wrap{letter}{end}", letter, shape="circle", style="filled", fillcolor="white",
                     color="#71717a", fontcolor="#3f3f46", fontsize="11", width="0.32", fixedsize="true",
                     tooltip=graphviz.escape(f"continues at {letter}" if end == "out" else f"continued from {letter}"))
    for source, letter in cut_ids.items():
        dot.edge(source, f"wrap{letter}out")
    for edge in plan.edges:
        attrs = dict(EDGE_STYLE[edge.style])
        if edge.label:
            attrs["label"] = f"<{_h(edge.label)}>"
        src = f"wrap{cut_ids[edge.src]}in" if edge.src in cut_ids else edge.src
        if edge.src in spine and edge.dst in spine and edge.style != "skip":
            attrs["weight"] = "10"
        dot.edge(src, edge.dst, **attrs)
    if cuts:  # columns side by side, left to right, their first nodes on the top row
        heads = [u.id for u in plan.units if u.head.is_input] + [f"wrap{letter}in" for letter in cut_ids.values()]
        with dot.subgraph() as row:
            row.attr(rank="same")
            for a, b in zip(heads, heads[1:]):
                row.edge(a, b, style="invis")
    return dot


# --- Mermaid ------------------------------------------------------------------------------

def _mm(text) -> str:
    """Text inside a quoted Mermaid label: entity codes for what Mermaid or HTML would read."""
    text = _clean(text).replace("#", "#35;")
    for char, code in (("&", "#38;"), ("<", "#60;"), (">", "#62;"), ('"', "#quot;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


def mermaid_text(graph: Graph, expand: bool = False) -> str:
    """The diagram as a Mermaid flowchart (GitHub renders it inside a ```mermaid fence)."""
    return _mermaid(diagram_plan(graph, expand))


def _mermaid_cluster_id(cluster: Cluster) -> str:
    return cluster.id.replace("cluster_", "c")


def _mermaid_title_links(plan: Plan) -> list[str]:
    """Mermaid writes a subgraph's title at its top middle, right where an edge into the subgraph's top
    unit runs. So each title is a node of its own inside the subgraph, and invisible links put it between
    such an edge's source and its unit: the edge then passes beside the title and enters below it."""
    holder = {unit.id: unit.cluster for unit in plan.units}

    def clusters_of(unit_id: str) -> list[str]:  # innermost first
        keys, key = [], holder.get(unit_id)
        while key is not None:
            keys.append(key)
            key = plan.clusters[key].parent
        return keys

    sources: dict[str, list[str]] = {}
    for edge in plan.edges:
        sources.setdefault(edge.dst, []).append(edge.src)
    links: list[str] = []
    for edge in plan.edges:
        entered = [key for key in clusters_of(edge.dst) if key not in clusters_of(edge.src)]
        if entered and not any(entered[-1] in clusters_of(src) for src in sources[edge.dst]):
            titles = [_mermaid_cluster_id(plan.clusters[key]) + "t" for key in reversed(entered)]
            link = " ~~~ ".join([edge.src, *titles, edge.dst])
            if link not in links:
                links.append(link)
    return links


def _mermaid(plan: Plan) -> str:
    lines = ["flowchart TB"]
    by_cluster: dict[str | None, list[Unit]] = {}
    for unit in plan.units:
        by_cluster.setdefault(unit.cluster, []).append(unit)
    children: dict[str | None, list[str]] = {}
    for key, cluster in plan.clusters.items():
        children.setdefault(cluster.parent, []).append(key)

    def unit_line(unit: Unit, indent: str) -> str:
        title, extra, details = _unit_lines(unit)
        text = f"<b>{_mm(title)}</b>"
        if extra:
            text += "<br>" + _mm("→ " + " → ".join(extra))
        text += f"<br><small>{_mm(details)}</small>"
        if unit.head.is_input:
            return f'{indent}{unit.id}(["{text}"])'
        return f'{indent}{unit.id}["{text}"]'

    def emit(key: str | None, indent: str) -> None:
        for unit in by_cluster.get(key, []):
            lines.append(unit_line(unit, indent))
        for child in children.get(key, []):
            cluster = plan.clusters[child]
            title = cluster.title + (f" · {cluster.subtitle}" if cluster.subtitle else "")
            lines.append(f'{indent}subgraph {_mermaid_cluster_id(cluster)}[" "]')
            lines.append(f'{indent}  {_mermaid_cluster_id(cluster)}t["{_mm(title)}"]')  # see _mermaid_title_links
            emit(child, indent + "  ")
            lines.append(f"{indent}end")

    emit(None, "  ")
    for out_id, source, text in plan.outputs:
        lines.append(f'  {out_id}(["{_mm(text)}"])')
        lines.append(f"  {source} --> {out_id}")
    arrows = {"data": "-->", "state": "-.->", "attention": "-->", "skip": "==>"}
    for edge in plan.edges:
        arrow = arrows[edge.style]
        label = f'|"{_mm(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.src} {arrow}{label} {edge.dst}")
    lines += [f"  {link}" for link in _mermaid_title_links(plan)]
    for family in plan.families:
        fill, border, _ = FAMILY_STYLE.get(family, _FALLBACK_STYLE)
        lines.append(f"  classDef {family} fill:{fill},stroke:{border},color:#18181b")
    for family in plan.families:
        members = [u.id for u in plan.units if u.family == family]
        if family == "input":
            members += [o[0] for o in plan.outputs]
        if members:
            lines.append(f"  class {','.join(members)} {family}")
    if plan.clusters:
        lines.append("  classDef title fill:none,stroke:none,color:#3f3f46")
        lines.append(f"  class {','.join(_mermaid_cluster_id(c) + 't' for c in plan.clusters.values())} title")
    return "\n".join(lines) + "\n"


# --- files --------------------------------------------------------------------------------

def write_diagram(graph: Graph, folder: Path, formats: list[str], expand: bool = False, rankdir: str = "TB",
                  notify: Callable[[str], object] = print) -> list[Path]:
    """Write ``<name>.dot/.svg/.png/.mmd`` (those asked for) into ``folder``; returns the files written.

    Without Graphviz's ``dot`` the DOT and Mermaid files are still written and ``notify`` is told, in one
    line, how to install it."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown diagram format(s): {', '.join(unknown)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = list(dict.fromkeys(formats))
    written = {f: folder / f"{graph.name}.{f}" for f in wanted}
    plan = diagram_plan(graph, expand)
    if {"dot", "svg", "png"} & set(wanted):
        rendered = [f for f in ("svg", "png") if f in wanted]
        if rendered and shutil.which("dot") is None:
            notify(INSTALL_HINT.format(what=" and ".join(f"{graph.name}.{f}" for f in rendered)
                                       + (" were" if len(rendered) > 1 else " was")))
            for f in rendered:
                del written[f]
        dot = _layout(plan, rankdir, True, {f: written[f] for f in rendered if f in written})
        if "dot" in wanted:
            written["dot"].write_text(dot.source, encoding="utf-8")
    if "mmd" in wanted:
        written["mmd"].write_text(_mermaid(plan), encoding="utf-8")
    return [written[f] for f in wanted if f in written] + _write_cells(graph, folder, wanted)


def declared_cells(graph: Graph) -> dict[str, Node]:
    """The first layer running each cell the spec declares by its gates (``type: rnn``), by cell name."""
    found: dict[str, Node] = {}
    for node in graph.layers():
        if node.layer.uses_cell:
            found.setdefault(node.layer.cell.name, node)
    return found


def _write_cells(graph: Graph, folder: Path, wanted: list[str]) -> list[Path]:
    """A figure of each declared cell's inside (gates, products, sums), beside the main diagram."""
    written = []
    binary = shutil.which("dot")
    for name, node in declared_cells(graph).items():
        digraph = node.layer.diagram(graph.input_shapes(node)[0][-1])
        stem = folder / node.layer.figure_stem(graph.name)
        if "dot" in wanted:
            stem.with_suffix(".dot").write_text(digraph.source, encoding="utf-8")
            written.append(stem.with_suffix(".dot"))
        files = {f: stem.with_suffix(f".{f}") for f in ("svg", "png") if f in wanted}
        if binary and files:
            _run_dot(binary, digraph.source, files, plain=False)
            written += files.values()
    return written
