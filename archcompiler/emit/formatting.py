"""How the docs print numbers, shapes and names: filters for the templates (numbers stay
numbers until a template prints them)."""

from __future__ import annotations

import contextvars
import math
import re
from contextlib import contextmanager

# the symbol a variable length prints as while one explanation is rendered (T, or T_x/T_y where an
# encoder–decoder has two lengths: Analysis.lengths)
_LENGTH = contextvars.ContextVar("length", default="T")


@contextmanager
def length_symbol(symbol: str):
    token = _LENGTH.set(symbol)
    try:
        yield
    finally:
        _LENGTH.reset(token)


def num(n) -> str:
    """1792 → '1,792'; floats keep up to 4 significant digits."""
    if n is None:
        return "?"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:.4g}"
    return f"{int(n):,}"


def tex(n) -> str:
    """A number inside LaTeX: 1792 → '1{,}792' (no space after the thousands comma)."""
    return num(n).replace(",", "{,}")


def _mantissa(x: float) -> tuple[str, int] | None:
    if not isinstance(x, float) or x == 0 or 1e-3 <= abs(x) < 1e6:
        return None
    e = math.floor(math.log10(abs(x)))
    return f"{x / 10 ** e:.4g}", e


def texnum(x) -> str:
    """A number inside LaTeX, small and large floats as powers of ten: 2e-05 → '2 \\times 10^{-5}'."""
    parts = _mantissa(x)
    if parts is None:
        return tex(x) if not isinstance(x, float) or x.is_integer() and abs(x) >= 1000 else f"{x:g}"
    m, e = parts
    return (f"{m} \\times " if m != "1" else "") + f"10^{{{e}}}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x) -> str:
    """A number in running text, small and large floats as powers of ten: 1e-06 → '10⁻⁶'."""
    parts = _mantissa(x)
    if parts is None:
        return f"{x:g}" if isinstance(x, float) else num(x)
    m, e = parts
    return (f"{m}×" if m != "1" else "") + "10" + str(e).translate(_SUPERSCRIPT)


def value(v) -> str:
    """A spec value as YAML writes it: true/false, null, numbers with their own digits."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)


def dim(d, length: str | None = None) -> str:
    """A size; a variable length as its symbol (``length``, else the one being rendered)."""
    return (length or _LENGTH.get()) if d is None else str(d)


def shape(s, length: str | None = None) -> str:
    """(224, 224, 64) → '224×224×64'; a variable length shows as T (or T_x, T_y: ``dim``)."""
    if s is None:
        return "?"
    if len(s) == 0:
        return "1"
    return "×".join(dim(d, length) for d in s)


def tex_shape(s, length: str | None = None) -> str:
    return " \\times ".join(dim(d, length) for d in s)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 else f"{100 * x:.2f}%"


def anchor(text: str) -> str:
    """GitHub's heading anchor for a heading text (lower case, spaces → '-', punctuation dropped)."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")
