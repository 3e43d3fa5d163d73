"""The plan as Graphviz DOT: HTML-like node labels, clusters, the legend under the title, and the
wrapped columns the layout asks for."""

from __future__ import annotations

import html

import graphviz

from ...graph import Graph
from .plan import Plan, Unit, _spine
from .style import EDGE_STYLE, FAMILY_STYLE, FONTS, _FALLBACK_STYLE, _clean, _shape_text, _unit_lines, family_text, word

MAX_PIXELS = 5000  # no side of a PNG longer than this
PNG_DPI = 96


def _h(text) -> str:
    """Text for a Graphviz HTML-like label."""
    return html.escape(_clean(text), quote=True)

def _tooltip(unit: Unit, lang: str = "en") -> str:
    lines = [f"{name}: {title}" if title else name for name, title in unit.instances]
    for node in unit.nodes:
        where = f" ({node.loc})" if node.loc else ""
        lines.append(f"{node.name}: {node.layer.caption(lang)} → {_shape_text(node.shapes)}, "
                     f"{word(lang, 'params', n=f'{node.params:,}')}{where}")
    return "\n".join(lines)


def _html_label(unit: Unit, lang: str = "en") -> str:
    title, extra, details = _unit_lines(unit, lang)
    rows = [f'<TR><TD ALIGN="CENTER"><B>{_h(title)}</B></TD></TR>']
    if extra:
        rows.append(f'<TR><TD ALIGN="CENTER">{_h("→ " + " → ".join(extra))}</TD></TR>')
    rows.append(f'<TR><TD ALIGN="CENTER"><FONT POINT-SIZE="9" COLOR="#52525b">{_h(details)}</FONT></TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _title_label(graph: Graph, plan: "Plan") -> str:
    """The title, with the legend under it: the families drawn and the special edges, in rows of four."""
    items = []
    for family in plan.families:
        fill, border, _ = FAMILY_STYLE.get(family, _FALLBACK_STYLE)
        items.append(f'<FONT COLOR="{border}" POINT-SIZE="15">■</FONT> {_h(family_text(family, plan.lang))}')
    styles = {e.style for e in plan.edges}
    for style in ("skip", "state", "attention"):
        if style in styles:
            items.append(f'<FONT COLOR="{EDGE_STYLE[style]["color"]}">{_h(word(plan.lang, style))}</FONT>')
    per_row = 5 if len(items) > 5 else len(items)
    rows = "".join(f'<TR><TD><FONT POINT-SIZE="10">{"     ".join(items[k:k + per_row])}</FONT></TD></TR>'
                   for k in range(0, len(items), per_row))
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD><FONT POINT-SIZE="16"><B>{_h(_graph_title(graph, plan.lang))}</B></FONT></TD></TR>{rows}</TABLE>>')


def _graph_title(graph: Graph, lang: str = "en") -> str:
    title = (graph.spec.title_ko if lang == "ko" else None) or graph.spec.title or graph.name
    year = f" ({graph.spec.year})" if graph.spec.year else ""
    return f"{title}{year}  ·  {word(lang, 'params', n=f'{graph.total_params:,}')}"


def _build_dot(plan: Plan, rankdir: str, cuts: tuple[int, ...]) -> graphviz.Digraph:
    graph, lang = plan.graph, plan.lang
    font = FONTS.get(lang, FONTS["en"])
    limit = f"{MAX_PIXELS / PNG_DPI:.2f}"
    dot = graphviz.Digraph(graph.name)
    dot.attr("graph", rankdir=rankdir, fontname=font, fontsize="16", labelloc="t", labeljust="c",
             label=_title_label(graph, plan), nodesep="0.25", ranksep="0.32", newrank="true",
             size=f"{limit},{limit}", pad="0.2", bgcolor="white", outputorder="edgesfirst")
    dot.attr("node", shape="box", style="rounded,filled", fontname=font, fontsize="11", margin="0.12,0.05",
             penwidth="1.2")
    dot.attr("edge", fontname=font, fontsize="9", arrowsize="0.7", color="#52525b")
    spine = _spine(plan)

    by_cluster: dict[str | None, list[Unit]] = {}
    for unit in plan.units:
        by_cluster.setdefault(unit.cluster, []).append(unit)
    children: dict[str | None, list[str]] = {}
    for key, cluster in plan.clusters.items():
        children.setdefault(cluster.parent, []).append(key)

    def add_unit(g: graphviz.Digraph, unit: Unit) -> None:
        fill, border, _ = FAMILY_STYLE.get(unit.family, _FALLBACK_STYLE)
        attrs = {"fillcolor": fill, "color": border, "tooltip": graphviz.escape(_tooltip(unit, lang))}
        if unit.head.is_input:
            attrs["shape"] = "box"
            attrs["style"] = "rounded,filled,bold"
        if unit.repeat > 1:
            attrs["peripheries"] = "2"
        if unit.id in spine:
            attrs["group"] = "spine"
        g.node(unit.id, _html_label(unit, lang), **attrs)

    def add_cluster(g: graphviz.Digraph, key: str) -> None:
        cluster = plan.clusters[key]
        with g.subgraph(name=cluster.id) as c:
            sub = f'  <FONT COLOR="#52525b">{_h(cluster.subtitle)}</FONT>' if cluster.subtitle else ""
            count = word(lang, "params", n=f"{cluster.params:,}")
            params = (f'  <FONT POINT-SIZE="9" COLOR="#71717a">{_h(count)}</FONT>'
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
                     tooltip=graphviz.escape(word(lang, "continues" if end == "out" else "continued", x=letter)))
    for source, letter in cut_ids.items():
        dot.edge(source, f"wrap{letter}out")
    merges = {u.id for u in plan.units if u.family == "merge"}
    for edge in plan.edges:
        attrs = dict(EDGE_STYLE[edge.style])
        if edge.label:
            attrs["label"] = f"<{_h(edge.label)}>"
        src = f"wrap{cut_ids[edge.src]}in" if edge.src in cut_ids else edge.src
        if edge.src in spine and edge.dst in spine and edge.style != "skip":
            attrs["weight"] = "10"
        elif edge.dst in merges and edge.style == "data":
            # a merge's inputs sit beside it: U-Net's crop of a skip next to the up-convolution it
            # joins, not far up beside the layer it crops, stretching its block's box down the page
            attrs["weight"] = "4"
        dot.edge(src, edge.dst, **attrs)
    if cuts:  # columns side by side, left to right, their first nodes on the top row
        heads = [u.id for u in plan.units if u.head.is_input] + [f"wrap{letter}in" for letter in cut_ids.values()]
        with dot.subgraph() as row:
            row.attr(rank="same")
            for a, b in zip(heads, heads[1:]):
                row.edge(a, b, style="invis")
    return dot
