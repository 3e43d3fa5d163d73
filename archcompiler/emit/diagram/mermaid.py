"""The plan as a Mermaid flowchart (GitHub renders it inside a ```mermaid fence)."""

from __future__ import annotations

from ...graph import Graph
from .plan import Cluster, Plan, Unit, diagram_plan
from .style import FAMILY_STYLE, _FALLBACK_STYLE, _clean, _unit_lines


def _mm(text) -> str:
    """Text inside a quoted Mermaid label: entity codes for what Mermaid or HTML would read."""
    text = _clean(text).replace("#", "#35;")
    for char, code in (("&", "#38;"), ("<", "#60;"), (">", "#62;"), ('"', "#quot;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


def mermaid_text(graph: Graph, expand: bool = False, lang: str = "en") -> str:
    """The diagram as a Mermaid flowchart (GitHub renders it inside a ```mermaid fence), in ``lang``."""
    return _mermaid(diagram_plan(graph, expand, lang))


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
        title, extra, details = _unit_lines(unit, plan.lang)
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
