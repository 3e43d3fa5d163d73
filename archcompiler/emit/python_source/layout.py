"""Lines of Python laid out the way ``ruff format`` (and black) lays them out, for the few shapes
of statement the generated program has: a line that fits stays whole; otherwise the right-most
bracket whose opening line fits is split, its contents on one indented line if they fit there,
else one item per line with a trailing comma, each item laid out the same way."""

from __future__ import annotations

from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "


@dataclass
class Atom:
    text: str

    def flat(self) -> str:
        return self.text


@dataclass
class Item:
    """``key=value`` (a keyword argument) or ``key: value`` (a dict entry)."""

    key: str
    value: object
    joiner: str = "="

    def flat(self) -> str:
        return f"{self.key}{self.joiner}{self.value.flat()}"


@dataclass
class Brackets:
    """``head(items)``, ``[items]``, ``(items)`` or ``{items}``; head is an Atom, a Brackets or None."""

    head: object
    items: list
    open: str = "("
    close: str = ")"
    one_tuple: bool = False  # (x,)

    def flat(self) -> str:
        inner = ", ".join(i.flat() for i in self.items) + ("," if self.one_tuple else "")
        return f"{self.head.flat() if self.head else ''}{self.open}{inner}{self.close}"


def lay_out(prefix: str, expr, suffix: str = "", depth: int = 0) -> list[str]:
    """``prefix + expr + suffix`` as indented lines no longer than LINE_LENGTH where possible."""
    indent = INDENT * depth
    line = f"{indent}{prefix}{expr.flat()}{suffix}"
    splits = list(_brackets(expr))
    if len(line) <= LINE_LENGTH or not splits:
        return [line]
    for head, brackets, tail in reversed(splits):  # the right-most split whose first line fits
        first = f"{indent}{prefix}{head}{brackets.open}"
        if len(first) <= LINE_LENGTH:
            break
    else:
        head, brackets, tail = splits[-1]
        first = f"{indent}{prefix}{head}{brackets.open}"
    last = f"{indent}{brackets.close}{tail}{suffix}"
    return [first, *_body(brackets, depth + 1), last]


def _body(brackets: Brackets, depth: int) -> list[str]:
    items = brackets.items
    if not items:
        return []
    joined = ", ".join(i.flat() for i in items) + ("," if brackets.one_tuple else "")
    if len(INDENT * depth + joined) <= LINE_LENGTH:
        return [INDENT * depth + joined]
    lines = []
    for item in items:
        if isinstance(item, Item):
            lines += lay_out(f"{item.key}{item.joiner}", item.value, ",", depth)
        else:
            lines += lay_out("", item, ",", depth)
    return lines


def _brackets(expr, before: str = ""):
    """Every bracket pair of the expression's outermost chain, left to right, as
    (text before its opening, the Brackets, text after its closing)."""
    if not isinstance(expr, Brackets):
        return
    head = expr.head.flat() if expr.head else ""
    if isinstance(expr.head, Brackets):
        yield from ((h, b, t + _tail(expr)) for h, b, t in _brackets(expr.head, before))
    yield before + head, expr, ""


def _tail(expr: Brackets) -> str:
    return expr.open + ", ".join(i.flat() for i in expr.items) + ("," if expr.one_tuple else "") + expr.close
