"""How the diagram looks and says things: colours per family and edge, and the text of a node
(title, folded layers, details), shared by the DOT and Mermaid writers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..fonts import FONT, FONTS  # noqa: F401 (the diagram's modules read them here)

if TYPE_CHECKING:
    from .plan import Unit

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
# the legend's words in the Korean diagram (the Korean docs' terms)
FAMILY_KO: dict[str, str] = {
    "input": "입력 / 출력", "conv": "합성곱", "pool": "풀링", "dense": "완전연결층", "recurrent": "순환층",
    "attention": "어텐션", "norm": "정규화", "merge": "병합(덧셈, 연결)", "activation": "활성화 함수",
    "regularization": "규제", "reshape": "모양 바꾸기(평탄화, 패딩)", "embedding": "임베딩", "other": "기타",
}


# the diagram's own words, per language
WORDS: dict[str, dict[str, str]] = {
    "en": {"input": "input", "output": "output", "params": "{n} params", "each": "{n} params each",
           "in all": "{n} params in all", "after": "{window}, after {pad}", "times": "{title}  ×{n}",
           "block times": "{title} ×{n}", "skip": "⟶ residual shortcut", "state": "⇢ recurrent state",
           "attention": "⟶ attention key / value", "continues": "continues at {x}", "continued": "continued from {x}",
           "query": "query", "key": "key", "value": "value"},
    "ko": {"input": "입력", "output": "출력", "params": "파라미터 {n}개", "each": "하나에 파라미터 {n}개",
           "in all": "파라미터 모두 {n}개", "after": "{pad} 뒤 {window}", "times": "{title}  ×{n}번",
           "block times": "{title} ×{n}번", "skip": "⟶ 지름길(잔차 연결)", "state": "⇢ 순환층의 상태",
           "attention": "⟶ 어텐션의 키 / 값", "continues": "{x}에서 이어짐", "continued": "{x}에서 이어받음",
           "query": "쿼리", "key": "키", "value": "값"},
}


def word(lang: str, key: str, **values) -> str:
    """One of the diagram's own words in ``lang`` (English where the language has none)."""
    return WORDS.get(lang, WORDS["en"]).get(key, WORDS["en"][key]).format(**values)


def family_text(family: str, lang: str) -> str:
    """A family's name in the legend."""
    if lang == "ko":
        return FAMILY_KO.get(family, FAMILY_KO["other"])
    return FAMILY_STYLE.get(family, _FALLBACK_STYLE)[2]

EDGE_STYLE = {
    "data": {"color": "#52525b"},
    "state": {"color": FAMILY_STYLE["recurrent"][1], "style": "dashed", "fontcolor": FAMILY_STYLE["recurrent"][1]},
    "attention": {"color": FAMILY_STYLE["attention"][1], "fontcolor": FAMILY_STYLE["attention"][1]},
    "skip": {"color": FAMILY_STYLE["merge"][1], "penwidth": "1.6", "weight": "0"},
}


# --- words ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text) -> str:
    return _CONTROL.sub(" ", str(text))




def _shape(shape) -> str:
    """(224, 224, 3), (4096,), (None, 64): Python's tuple notation, batch axis left out."""
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _shape_text(shapes: list) -> str:
    return ", ".join(_shape(s) for s in shapes)


def _instance_text(unit: Unit, name: str, folded: bool) -> str:
    """The layer's name with the block instance it alone draws (``mixed0_5x5 (conv2d_5)``), and the
    block's title where the node's lines do not already spell the block out (a single layer)."""
    if not unit.instances:
        return name
    innermost, title = unit.instances[-1]
    title = "" if folded else title
    ends, instance_ends = name.split(" … "), innermost.split(" … ")  # a run: first … last
    if len(unit.instances) == 1 and not title and len(ends) == len(instance_ends) and \
            all(end.startswith(prefix) for end, prefix in zip(ends, instance_ends)):
        return name  # the layer's name already says it (a block whose names take the instance's prefix)
    instance = " › ".join(n for n, _ in unit.instances)
    return f"{instance}: {title} ({name})" if title else f"{instance} ({name})"


def _unit_lines(unit: Unit, lang: str = "en") -> tuple[str, list[str], str]:
    """(title, folded layers, details) of a unit, as plain text in ``lang``."""
    head = unit.head
    if head.is_input:
        dtype = head.layer.dtype if getattr(head.layer, "dtype", "float32") != "float32" else ""
        return head.name, [], f"{word(lang, 'input')} {_shape(head.shape)}" + (f" {dtype}" if dtype else "")
    nodes = unit.nodes
    extra: list[str] = []
    if unit.pads_next:
        title = word(lang, "after", window=nodes[1].layer.caption(lang), pad=head.layer.caption(lang))
        rest = nodes[2:]
    else:
        title = head.layer.caption(lang)
        rest = nodes[1:]
    if rest:
        extra = [n.layer.caption(lang) for n in rest]
    if unit.repeat > 1:
        title = word(lang, "times", title=title, n=unit.repeat)
    tail_copies = unit.copies[-1]
    shapes = {tuple(n.shapes[0]) for n in tail_copies}
    shape = _shape(unit.tail.shapes[0]) if len(shapes) == 1 else \
        f"{_shape(tail_copies[0].shapes[0])} … {_shape(tail_copies[-1].shapes[0])}"
    if len(unit.tail.shapes) > 1:
        shape = _shape_text(unit.tail.shapes)
    name = head.name if unit.repeat == 1 else f"{unit.repeat_names[0]} … {unit.repeat_names[1]}"
    if unit.pads_next:
        name = nodes[1].name if unit.repeat == 1 else name
    name = _instance_text(unit, name, folded=bool(rest))
    per_copy = [sum(copies[k].params for copies in unit.copies) for k in range(len(unit.copies[0]))]
    params = ""
    if any(per_copy):
        if len(per_copy) == 1:
            params = word(lang, "params", n=f"{per_copy[0]:,}")
        elif len(set(per_copy)) == 1:
            params = word(lang, "each", n=f"{per_copy[0]:,}")
        else:
            params = word(lang, "in all", n=f"{sum(per_copy):,}")
    details = "  ·  ".join(x for x in (name, shape, params) if x)
    return title, extra, details
