"""The ``${...}`` expressions of the spec language: a small, safe evaluator.

Python's parser turns the text into a syntax tree; we walk only a short list of
node kinds (numbers, names, arithmetic, comparisons, ``a if c else b``, a few
functions). Nothing is ever passed to ``eval``; every value is checked to be a
finite number, a truth value, text or null, and bounded so an expression cannot
exhaust memory or time. Every failure is an ``ExprError`` with a readable message."""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Any, Mapping

MAX_INT = 10**15
MAX_LENGTH = 500
MAX_TEXT = 10_000
_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
_ALLOWED = ("use numbers, names, + - * / // % **, comparisons, 'a if cond else b', min/max/abs/int, "
            "in.channels, in.shape[k]")
# 'in' not followed by an operand is the tensor flowing in (in.channels), not Python's operator: it is parsed
# under a name Python accepts and looked up as "in"
_IN = re.compile(r"\bin\b(?!\s*[\w'\"(\[{])")
_IN_ID = "__in__"


class TensorView:
    """What an expression reads of a tensor that flows in (``in``, or a layer above by its name):
    ``shape`` (without the batch axis; null where the size varies), ``rank``, ``channels`` (the
    last axis), ``height`` and ``width`` (an image's first two axes), ``steps`` (a sequence's first)."""

    NAMES = ("shape", "rank", "channels", "height", "width", "steps")

    def __init__(self, name: str, shape: tuple):
        self.name, self.shape = name, tuple(shape)

    def attribute(self, attr: str):
        shape, rank = self.shape, len(self.shape)
        if attr == "shape":
            return shape
        if attr == "rank":
            return rank
        if attr == "channels" and rank:
            return shape[-1]
        if attr in ("height", "width") and rank == 3:
            return shape[0 if attr == "height" else 1]
        if attr == "steps" and rank == 2:
            return shape[0]
        if attr in self.NAMES:
            raise ExprError(f"'{self.name}' has shape {_shape_text(shape)}: no {attr} at rank {rank}",
                            "height and width need an image (rank 3), steps a sequence (rank 2); "
                            "shape[k] reads any axis")
        from .errors import did_you_mean

        raise ExprError(f"'{self.name}' has no '{attr}'", did_you_mean(attr, self.NAMES) or
                        f"a tensor has {', '.join(self.NAMES)}", "E-EXPR-NAME")


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


class ExprError(ValueError):
    """A mistake in a ``${...}`` expression; ``code`` is the stable error code."""

    def __init__(self, message: str, hint: str = "", code: str = "E-EXPR-VALUE", name: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code
        self.name = name  # an undefined name's: the caller may know why it is missing


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _int(value):
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise ExprError(f"int() cannot read {value!r} as a whole number") from None
    return int(_number(value, "int()"))


def _extreme(pick):
    def call(*values):
        if not values:
            raise ExprError(f"{pick.__name__}() needs at least one number")
        return pick(_number(v, f"{pick.__name__}()") for v in values)

    return call


_FUNCS = {"min": _extreme(min), "max": _extreme(max), "abs": lambda *v: abs(_number(_one(v, "abs"), "abs()")),
          "int": lambda *v: _int(_one(v, "int"))}


def _one(values: tuple, name: str):
    if len(values) != 1:
        raise ExprError(f"{name}() takes one argument, got {len(values)}")
    return values[0]


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, TensorView):
        return f"the tensor '{value.name}' (read one of its sizes: {value.name}.channels, {value.name}.shape[k])"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _number(value, where: str):
    """``value`` if it is a number (a truth value counts as 0 or 1, as in Python)."""
    if isinstance(value, (int, float)):
        return value
    raise ExprError(f"{where} needs numbers, got {_describe(value)}")


def _check(value):
    """Keep results finite and within ±10¹⁵, so nothing downstream sees inf, nan or a huge number."""
    if isinstance(value, complex):  # a negative number to a fractional power
        raise ExprError("the result is not a real number")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ExprError(f"text longer than {MAX_TEXT:,} characters", code="E-EXPR-RANGE")
    if isinstance(value, float) and not math.isfinite(value):
        raise ExprError("the result is not a finite number", code="E-EXPR-RANGE")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ExprError(f"value {value:.3g} is too large (the limit is ±10**15)", code="E-EXPR-RANGE")
    return value


def _binop(node: ast.BinOp, names):
    left, right = _eval(node.left, names), _eval(node.right, names)
    if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
        return _check(left + right)  # joined text is bounded too (params doubling a text each)
    symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/", ast.Mod: "%",
              ast.Pow: "**"}[type(node.op)]
    for value in (left, right):
        if isinstance(value, str):
            raise ExprError(f"'{symbol}' on text ({value!r})", "only text + text joins texts")
        _number(value, f"'{symbol}'")
    if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):
        raise ExprError("exponent too large", "powers are limited to a base of 10**6 and an exponent of 64",
                        code="E-EXPR-RANGE")
    try:
        return _check(_BINOPS[type(node.op)](left, right))
    except ZeroDivisionError:
        raise ExprError("division by zero") from None
    except OverflowError:
        raise ExprError("the result is too large", code="E-EXPR-RANGE") from None
    except TypeError:
        raise ExprError(f"'{symbol}' cannot combine {_describe(left)} and {_describe(right)}") from None


def _compare(node: ast.Compare, names):
    left = _eval(node.left, names)
    for op, comparator in zip(node.ops, node.comparators):
        if type(op) not in _CMPOPS:
            raise ExprError(f"'{ast.unparse(node)}' is not allowed in an expression", _ALLOWED, "E-EXPR-SYNTAX")
        right = _eval(comparator, names)
        try:
            holds = _CMPOPS[type(op)](left, right)
        except TypeError:
            raise ExprError(f"cannot compare {_describe(left)} with {_describe(right)}") from None
        if not holds:
            return False
        left = right
    return True


def _eval(node: ast.AST, names: Mapping[str, Any]):
    if isinstance(node, ast.Expression):
        return _eval(node.body, names)
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (int, float, str))):
        return _check(node.value)
    if isinstance(node, ast.Name):
        key = "in" if node.id == _IN_ID else node.id
        if key in names:
            return names[key]
        if node.id in ("true", "false"):
            return node.id == "true"
        from .errors import did_you_mean

        known = sorted(str(n) for n in names)
        raise ExprError(f"undefined name '{key}'",
                        did_you_mean(key, known) or f"defined here: {', '.join(known) or 'nothing'}",
                        "E-EXPR-NAME", key)
    if isinstance(node, ast.Attribute):
        value = _eval(node.value, names)
        if not isinstance(value, TensorView):
            raise ExprError(f"'.{node.attr}' reads a tensor's sizes, not {_describe(value)}",
                            "write in.channels, in.shape[1] or <layer>.channels", "E-EXPR-SYNTAX")
        return value.attribute(node.attr)
    if isinstance(node, ast.Subscript):
        value, index = _eval(node.value, names), _eval(node.slice, names)
        if not isinstance(value, tuple) or not isinstance(index, int) or isinstance(index, bool):
            raise ExprError(f"'{ast.unparse(node).replace(_IN_ID, 'in')}': only a shape is indexed, by a whole number",
                            "e.g. in.shape[0]", "E-EXPR-SYNTAX")
        if not -len(value) <= index < len(value):
            raise ExprError(f"axis {index} is out of range for a shape of rank {len(value)}")
        return value[index]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _binop(node, names)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        value = _eval(node.operand, names)
        if isinstance(node.op, ast.Not):
            return not value
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        number = _number(value, f"'{sign}'")
        return -number if sign == "-" else +number
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, names) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        return _compare(node, names)
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, names) else node.orelse, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and not node.keywords \
            and not any(isinstance(a, ast.Starred) for a in node.args):
        return _check(_FUNCS[node.func.id](*[_eval(a, names) for a in node.args]))
    raise ExprError(f"'{ast.unparse(node)}' is not allowed in an expression", _ALLOWED, "E-EXPR-SYNTAX")


def evaluate(text: str, names: Mapping[str, Any]):
    """Evaluate one expression (the text between ``${`` and ``}``)."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters", code="E-EXPR-SYNTAX")
    try:
        tree = ast.parse(_IN.sub(_IN_ID, text.strip()), mode="eval")
    except (SyntaxError, ValueError):  # ValueError: a null byte in the text
        raise ExprError(f"cannot parse expression '{text}'", _ALLOWED, "E-EXPR-SYNTAX") from None
    except (RecursionError, MemoryError):
        raise ExprError("the expression is nested too deeply", code="E-EXPR-SYNTAX") from None
    try:
        value = _eval(tree, names)
    except RecursionError:
        raise ExprError("the expression is nested too deeply", code="E-EXPR-SYNTAX") from None
    if isinstance(value, TensorView):
        raise ExprError(f"an expression gives a number or text, not {_describe(value)}")
    return list(value) if isinstance(value, tuple) else value


def reads_shapes(value) -> bool:
    """Whether ``${...}`` expressions in a (nested) value read a tensor's shape (``in.channels``,
    ``skip.height``): the values an emitter without shapes cannot reproduce."""
    if isinstance(value, dict):
        return any(reads_shapes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(reads_shapes(v) for v in value)
    if not isinstance(value, str) or "${" not in value:
        return False
    for match in _PLACEHOLDER.finditer(value):
        try:
            tree = ast.parse(_IN.sub(_IN_ID, match.group(1).strip()), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if any(isinstance(n, (ast.Attribute, ast.Subscript)) or isinstance(n, ast.Name) and n.id == _IN_ID
               for n in ast.walk(tree)):
            return True
    return False


def has_placeholder(value) -> bool:
    return isinstance(value, str) and "${" in value


def substitute(value: str, names: Mapping[str, Any]):
    """``"${a * 2}"`` becomes a number; ``"block${i}_conv"`` becomes text."""
    whole = _PLACEHOLDER.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), names)
    if "${" in _PLACEHOLDER.sub("", value):  # one left open, even after others that close
        raise ExprError(f"unclosed '${{' in '{value}'", code="E-EXPR-SYNTAX")

    def piece(m: re.Match) -> str:
        result = evaluate(m.group(1), names)
        if result is None:  # text never reads 'None': null is written as YAML writes it
            return "null"
        return str(result).lower() if isinstance(result, bool) else str(result)

    return _PLACEHOLDER.sub(piece, value)
