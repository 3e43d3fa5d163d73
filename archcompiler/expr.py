"""The ``${...}`` expressions of the spec language: a small, safe evaluator.

Python's parser turns the text into a syntax tree; we walk only a short list of
node kinds (numbers, names, arithmetic, comparisons, ``a if c else b``, a few
functions). Nothing is ever passed to ``eval``, and results are bounded so an
expression cannot exhaust memory."""

from __future__ import annotations

import ast
import operator
import re
from typing import Any, Mapping

MAX_INT = 10**15
_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")


class ExprError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


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
_FUNCS = {"min": min, "max": max, "abs": abs, "int": int}


def _check(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ExprError(f"value {value:.3g} is too large")
    return value


def _eval(node: ast.AST, names: Mapping[str, Any]):
    if isinstance(node, ast.Expression):
        return _eval(node.body, names)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)) or (
        isinstance(node, ast.Constant) and node.value is None
    ):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        if node.id in ("true", "false"):
            return node.id == "true"
        from .errors import did_you_mean

        raise ExprError(f"undefined name '{node.id}'",
                        did_you_mean(node.id, names) or f"defined here: {', '.join(sorted(names)) or 'nothing'}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left, names), _eval(node.right, names)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):
            raise ExprError("exponent too large")
        if isinstance(left, str) or isinstance(right, str):
            if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
                return left + right
            raise ExprError("arithmetic on text")
        try:
            return _check(_BINOPS[type(node.op)](left, right))
        except ZeroDivisionError:
            raise ExprError("division by zero") from None
        except TypeError as e:
            raise ExprError(str(e)) from None
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, names)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        if isinstance(node.op, ast.Not):
            return not value
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, names) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names)
        for op, comparator in zip(node.ops, node.comparators):
            if type(op) not in _CMPOPS:
                break
            right = _eval(comparator, names)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        else:
            return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, names) else node.orelse, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and not node.keywords:
        return _check(_FUNCS[node.func.id](*[_eval(a, names) for a in node.args]))
    raise ExprError(f"'{ast.unparse(node)}' is not allowed in an expression",
                    "use numbers, names, + - * // % **, comparisons, 'a if cond else b', min/max/abs")


def evaluate(text: str, names: Mapping[str, Any]):
    """Evaluate one expression (the text between ``${`` and ``}``)."""
    if len(text) > 500:
        raise ExprError("expression longer than 500 characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ExprError(f"cannot parse expression '{text}'") from None
    return _eval(tree, names)


def has_placeholder(value) -> bool:
    return isinstance(value, str) and "${" in value


def substitute(value: str, names: Mapping[str, Any]):
    """``"${a * 2}"`` becomes a number; ``"block${i}_conv"`` becomes text."""
    whole = _PLACEHOLDER.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), names)
    if "${" in value and not _PLACEHOLDER.search(value):
        raise ExprError(f"unclosed '${{' in '{value}'")

    def piece(m: re.Match) -> str:
        result = evaluate(m.group(1), names)
        return str(result).lower() if isinstance(result, bool) else str(result)

    return _PLACEHOLDER.sub(piece, value)
