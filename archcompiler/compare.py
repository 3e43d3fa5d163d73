"""Two architectures side by side: the layers added, removed and changed, with their parameters and
multiply-accumulates — the lecture's AlexNet → ZFNet step (conv1 11×11 stride 4 → 7×7 stride 2)."""

from __future__ import annotations

import difflib
from pathlib import Path
from dataclasses import dataclass, field

from .graph import Graph, Node

HEADERS = {
    "en": ("", "layer", "type", "what changed", "params", "MACs", "total", "layers"),
    "ko": ("", "층", "종류", "바뀐 점", "파라미터", "MACs", "합계", "층"),
}
SIGNS = {"added": "+", "removed": "-", "changed": "~"}
WORDS = {"en": {}, "ko": {"type": "종류", "reads": "입력 층", "output": "출력", "input": "입력"}}
# Korean words for the common fields and their values; other fields stay spec words, shown as code
FIELDS_KO = {"kernel": "커널", "stride": "스트라이드", "strides": "스트라이드", "filters": "필터 수", "units": "유닛 수",
             "padding": "패딩", "activation": "활성화 함수", "pool": "윈도", "rate": "비율", "groups": "그룹 수"}
VALUES_KO = {"padding": {"same": "크기 유지", "valid": "없음"}}


@dataclass
class LayerChange:
    change: str  # "added", "removed" or "changed"
    name: str
    a: Node | None  # the layer in the first architecture (None when added)
    b: Node | None  # the layer in the second (None when removed)
    # (what, before, after): a field ("kernel", "11×11", "7×7"), "type", "reads", "output" or "input";
    # an added or removed layer has ("layer", its description, None) and ("output", its shape, None)
    what: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.b.kind if self.b is not None else self.a.kind

    def text(self, lang: str = "en") -> str:
        """``kernel 11×11 → 7×7; output 55×55×96 → 110×110×96`` (an added layer: its description and output)."""
        words = WORDS[lang]
        parts = []
        for key, before, after in self.what:
            if key == "layer" and lang != "en":  # the layer in the table's language, as the diagram says it
                parts.append((self.b if self.b is not None else self.a).layer.caption(lang))
            elif key == "layer":
                parts.append(before)
            elif lang == "ko" and key in FIELDS_KO:
                parts.append(f"{FIELDS_KO[key]} {_value_ko(key, before)}"
                             + (f" → {_value_ko(key, after)}" if after is not None else ""))
            elif lang != "en" and key not in words:  # another spec field and its values: spec words, as code
                parts.append(f"`{key}` `{before}`" + (f" → `{after}`" if after is not None else ""))
            else:
                parts.append(f"{words.get(key, key)} {before}" + (f" → {after}" if after is not None else ""))
        return "; ".join(parts)


def _value_ko(key: str, value: str) -> str:
    from .layers.base import activation_name

    if key == "activation":
        return activation_name(value, "ko") if value != "null" else "없음"
    return VALUES_KO.get(key, {}).get(value, value)


def _kind(kind: str, lang: str) -> str:
    """The kind in the table's language: the spec's word in English, the kind's own display name otherwise."""
    from .layers import KINDS

    cls = KINDS.get(kind)
    return cls.display.get(lang, kind) if lang != "en" and cls is not None else kind


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "×".join(map(str, value))
    return "null" if value is None else str(value)


def _shapes(node: Node) -> str:
    from .emit.docs import shape

    return ", ".join(shape(s) for s in node.shapes)


def _described(node: Node) -> list[tuple]:
    """An added or removed layer: what it is and what it outputs."""
    return [("layer", node.layer.label(), None), ("output", _shapes(node), None)]


def _differences(a: Graph, b: Graph, x: Node, y: Node) -> list[tuple]:
    what = [("type", x.kind, y.kind)] if x.kind != y.kind else []
    fx, fy = x.layer.hyperparameters(), y.layer.hyperparameters()
    for key in dict.fromkeys([*fx, *fy]):
        if fx.get(key) != fy.get(key):
            what.append((key, _text(fx.get(key)), _text(fy.get(key))))
    refs_x, refs_y = [str(r) for r in x.inputs], [str(r) for r in y.inputs]
    # a layer inserted or removed in front of this one is its own row; a rewiring between kept layers is news
    kept = all(r.node in a.nodes and r.node in b.nodes for r in x.inputs + y.inputs)
    if refs_x != refs_y and kept:
        what.append(("reads", ", ".join(refs_x), ", ".join(refs_y)))
    if x.shapes != y.shapes:
        what.append(("output", _shapes(x), _shapes(y)))
    elif a.input_shapes(x) != b.input_shapes(y):
        from .emit.docs import shape

        what.append(("input", ", ".join(map(shape, a.input_shapes(x))), ", ".join(map(shape, b.input_shapes(y)))))
    return what


@dataclass
class Comparison:
    a: Graph
    b: Graph
    changes: list[LayerChange]
    unchanged: int

    def as_dict(self) -> dict:
        """``compare --json``: both sides' totals and every layer that differs."""
        def side(node: Node | None):
            return None if node is None else {"type": node.kind, "shapes": [list(s) for s in node.shapes],
                                              "params": node.params, "macs": node.macs}

        def total(x: int, y: int) -> dict:
            return {"a": x, "b": y, "delta": y - x}

        return {"a": {"name": self.a.name, "file": self.a.file}, "b": {"name": self.b.name, "file": self.b.file},
                "layers": [{"change": c.change, "name": c.name, "text": c.text(),
                            "what": [{"field": k, "a": x, "b": y} for k, x, y in c.what] if c.change == "changed" else [],
                            "a": side(c.a), "b": side(c.b)}
                           for c in self.changes],
                "unchanged": self.unchanged,
                "totals": {"layers": total(len(self.a.layers()), len(self.b.layers())),
                           "params": total(self.a.total_params, self.b.total_params),
                           "macs": total(self.a.macs, self.b.macs)}}

    def rows(self, lang: str = "en") -> list[tuple[str, ...]]:
        """The table's rows as text: sign, layer, type, what changed, params and MACs (a → b)."""
        rows = [(SIGNS[c.change], c.name, _kind(c.kind, lang), c.text(lang), _pair(c.a, c.b, "params"),
                 _pair(c.a, c.b, "macs")) for c in self.changes]
        h = HEADERS[lang]
        rows.append(("", h[6], "", f"{h[7]} {len(self.a.layers())} → {len(self.b.layers())}",
                     _arrow(self.a.total_params, self.b.total_params), _arrow(self.a.macs, self.b.macs)))
        return rows

    def markdown(self, lang: str = "en") -> str:
        """A Markdown table (English or Korean headers) for docs and pull requests."""
        h = HEADERS[lang]
        lines = ["| " + " | ".join(h[:6]) + " |", "|---|---|---|---|---:|---:|"]
        rows = self.rows(lang)
        rows[-1] = ("", f"**{rows[-1][1]}**", *rows[-1][2:])
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return f"**{self.a.name} → {self.b.name}**\n\n" + self.markdown()


def _arrow(x: int, y: int) -> str:
    if x == y:
        return f"{x:,}"
    return f"{x:,} → {y:,} ({y - x:+,})"


def _pair(a: Node | None, b: Node | None, what: str) -> str:
    x = getattr(a, what) if a is not None else 0
    y = getattr(b, what) if b is not None else 0
    if a is None:
        return f"+{y:,}" if y else "0"
    if b is None:
        return f"-{x:,}" if x else "0"
    return _arrow(x, y)


def compare(a: Graph, b: Graph) -> Comparison:
    """Match layers by name in order (a difflib alignment), then list what differs."""
    left, right = [n.name for n in a.layers()], [n.name for n in b.layers()]
    changes, unchanged = [], 0
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(left[i1:i2], right[j1:j2]):
                what = _differences(a, b, a.nodes[x], b.nodes[y])
                if what:
                    changes.append(LayerChange("changed", x, a.nodes[x], b.nodes[y], what))
                else:
                    unchanged += 1
            continue
        changes += [LayerChange("removed", x, a.nodes[x], None, _described(a.nodes[x])) for x in left[i1:i2]]
        changes += [LayerChange("added", y, None, b.nodes[y], _described(b.nodes[y])) for y in right[j1:j2]]
    return Comparison(a, b, changes, unchanged)


def parent_graph(graph: Graph) -> Graph | None:
    """The spec a spec ``extends``, with its own default params; None without ``extends`` or for a spec
    not read from a file."""
    from .errors import SpecErrors
    from .library import locate
    from .resolve import load_graph
    from .source import load_file

    path = Path(graph.file)
    if not path.is_file():
        return None
    raw = load_file(path)
    extends = raw.get("extends") if isinstance(raw, dict) else None
    parent = locate(extends, relative_to=path.parent) if isinstance(extends, str) else None
    try:
        return load_graph(str(parent)) if parent is not None else None
    except SpecErrors:
        return None


def changes_from_parent(graph: Graph) -> dict | None:
    """For the docs of a spec with ``extends``: the parent's name and title, how many layers differ and the
    comparison as a Markdown table in each language; None where there is no parent."""
    parent = parent_graph(graph)
    if parent is None:
        return None
    comparison = compare(parent, graph)
    return {"name": parent.name, "title": parent.spec.title or parent.name, "rows": len(comparison.changes),
            "markdown": {lang: comparison.markdown(lang) for lang in HEADERS}}
