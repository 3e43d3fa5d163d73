"""The update-expression language: ``+ − *``, numbers, sigmoid/tanh/relu and the names of gates and
states, parsed with Python's ``ast`` and checked node by node (never evaluated by Python)."""

import ast

from ..errors import did_you_mean
from .spec import FUNCTIONS, MAX_EXPRESSION, MAX_EXPRESSION_NODES


class CellExprError(ValueError):
    def __init__(self, message: str, hint: str = "", offset: int = 0):
        super().__init__(message)
        self.message, self.hint, self.offset = message, hint, offset


_ALLOWED_HINT = "use + - *, numbers, sigmoid/tanh/relu(...) and the names of gates and states"
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


def parse_update(text: str) -> ast.expr:
    """Parse one update expression and check every node against the whitelist (never evaluated
    by Python). Returns the expression's tree; raises CellExprError with the offending column."""
    if not isinstance(text, str) or not text.strip():
        raise CellExprError("an update expression cannot be empty")
    if len(text) > MAX_EXPRESSION:
        raise CellExprError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise CellExprError(f"cannot parse '{text.strip()}': {e.msg}", _ALLOWED_HINT, (e.offset or 1) - 1) from None
    except (RecursionError, MemoryError, ValueError):
        raise CellExprError("the expression is nested too deeply") from None
    count = 0
    for node in ast.walk(tree.body):
        count += 1
        if count > MAX_EXPRESSION_NODES:
            raise CellExprError(f"the expression has more than {MAX_EXPRESSION_NODES} parts")
        _check_node(node)
    return tree.body


def _check_node(node: ast.AST) -> None:
    offset = getattr(node, "col_offset", 0)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPS:
            symbol = {ast.Div: "/", ast.FloorDiv: "//", ast.Pow: "**", ast.Mod: "%", ast.MatMult: "@"}.get(
                type(node.op), type(node.op).__name__)
            raise CellExprError(f"'{symbol}' is not allowed in an update expression", _ALLOWED_HINT,
                                node.left.end_col_offset or offset)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise CellExprError(f"'{ast.unparse(node)}' is not allowed in an update expression", _ALLOWED_HINT, offset)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise CellExprError(f"{node.value!r} is not a number", _ALLOWED_HINT, offset)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise CellExprError(f"unknown function '{called}'",
                                did_you_mean(called, FUNCTIONS) or f"functions: {', '.join(FUNCTIONS)}", offset)
        if len(node.args) != 1 or node.keywords:
            raise CellExprError(f"{node.func.id}() takes exactly one argument", "", offset)
    elif isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load):  # pragma: no cover - mode="eval" only loads
            raise CellExprError("assignment is not allowed", _ALLOWED_HINT, offset)
    elif isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
        pass
    else:
        raise CellExprError(f"'{ast.unparse(node)}' is not allowed in an update expression", _ALLOWED_HINT, offset)


def names_in(tree: ast.expr) -> list[str]:
    """The gate and state names an expression reads, in reading order (left to right), once each."""
    out: list[str] = []

    def visit(node):
        if isinstance(node, ast.Name):
            if node.id not in out:
                out.append(node.id)
        elif isinstance(node, ast.Call):
            for a in node.args:
                visit(a)
        elif isinstance(node, ast.BinOp):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.UnaryOp):
            visit(node.operand)

    visit(tree)
    return out
