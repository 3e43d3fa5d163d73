"""A cell as LaTeX equations, in the order one step computes them, with its weights' sizes."""

import ast
import math

from .program import GateStep, Read, build_program
from .spec import CellSpec


def _sym(name: str) -> str:
    return name.upper() if len(name) == 1 else rf"\mathrm{{{name}}}"


def _sub_name(name: str) -> str:
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def gate_symbol(cell: CellSpec, name: str) -> str:
    """A gate's LaTeX symbol at step t: F_t for gate f, or the declared symbol (\\tilde{H}_t)."""
    return f"{cell.gates[name].symbol or _sym(name)}_t"


def state_symbol(read: Read) -> str:
    return f"{_sym(read.state)}_{{t}}" if read.new else f"{_sym(read.state)}_{{t-1}}"


_LATEX_FUNC = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}"}
_LATEX_ACT = {**_LATEX_FUNC, "hard_sigmoid": r"\mathrm{hard\_sigmoid}", "softsign": r"\mathrm{softsign}",
              "linear": ""}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2}


def _latex_expr(node: ast.expr, cell: CellSpec, reads: dict, parent: int = 0, wrap_equal: bool = False) -> str:
    if isinstance(node, ast.BinOp):
        p = _PRECEDENCE[type(node.op)]
        op = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\odot"}[type(node.op)]
        left = _latex_expr(node.left, cell, reads, p)
        right = _latex_expr(node.right, cell, reads, p, wrap_equal=isinstance(node.op, ast.Sub))
        text = f"{left} {op} {right}"
        return rf"\left({text}\right)" if p < parent or (p == parent and wrap_equal) else text
    if isinstance(node, ast.UnaryOp):
        inner = _latex_expr(node.operand, cell, reads, 3)
        return f"-{inner}" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
    if isinstance(node, ast.Call):
        return rf"{_LATEX_FUNC[node.func.id]}\left({_latex_expr(node.args[0], cell, reads)}\right)"
    if isinstance(node, ast.Name):
        if node.id in cell.gates:
            return gate_symbol(cell, node.id)
        return state_symbol(reads.get(node.id, Read(node.id)))
    return ast.unparse(node)  # pragma: no cover - parse_update admits nothing else


def _dims(*dims: int | str) -> str:
    return r"\mathbb{R}^{" + r" \times ".join(str(d) for d in dims) + "}"


def gate_terms(cell: CellSpec, step: GateStep) -> tuple[str, list[tuple[str, tuple]]]:
    """The gate's pre-activation sum in LaTeX, and its weights as (LaTeX symbol, math shape)."""
    n = _sub_name(step.name)
    terms = [f"W_{{{n}}} X_t"]
    weights: list[tuple[str, tuple]] = [(f"W_{{{n}}}", ("u", "m"))]
    gate = step.gate
    if step.recurrent:
        h = state_symbol(step.recurrent)
        weights.append((f"U_{{{n}}}", ("u", "u")))
        if step.reset and gate.reset_after is True:
            inner = f"U_{{{n}}} {h}" + (f" + b'_{{{n}}}" if gate.recurrent_bias is True else "")
            terms.append(rf"{gate_symbol(cell, step.reset)} \odot \left({inner}\right)")
        elif step.reset:
            terms.append(rf"U_{{{n}}} \left({gate_symbol(cell, step.reset)} \odot {h}\right)")
        else:
            terms.append(f"U_{{{n}}} {h}")
    for read, kind in step.peepholes:
        s = _sub_name(read.state)
        if kind == "diagonal":
            terms.append(rf"p_{{{n}{s}}} \odot {state_symbol(read)}")
            weights.append((f"p_{{{n}{s}}}", ("u",)))
        else:
            terms.append(rf"P_{{{n}{s}}} {state_symbol(read)}")
            weights.append((f"P_{{{n}{s}}}", ("u", "u")))
    if gate.bias is True:
        terms.append(f"b_{{{n}}}")
        weights.append((f"b_{{{n}}}", ("u",)))
    if gate.recurrent_bias is True and not (step.reset and gate.reset_after is True):
        terms.append(f"b'_{{{n}}}")
    if gate.recurrent_bias is True:
        weights.append((f"b'_{{{n}}}", ("u",)))
    return " + ".join(terms), weights


def equations(cell: CellSpec, m: int | None = None, u: int | None = None, sizes: bool = True) -> list[str]:
    """One LaTeX line per gate and per state update, in the order a step computes them. With the
    input width ``m`` and ``units`` ``u``, each gate line ends with its weights' sizes (math layout:
    W is u×m because the equations read W X_t; Keras stores its transpose, m×u)."""
    lines = []
    for step in build_program(cell):
        if isinstance(step, GateStep):
            total, weights = gate_terms(cell, step)
            act = _LATEX_ACT[step.gate.activation]
            body = rf"{act}\left({total}\right)" if act else total
            line = f"{gate_symbol(cell, step.name)} = {body}"
            if sizes:
                dims = {"u": u if u is not None else "u", "m": m if m is not None else "m"}
                shown = [rf"{w} \in {_dims(*(dims[d] for d in shape))}" for w, shape in weights]
                line += r" \qquad " + r",\ ".join(shown)
            lines.append(line)
        else:
            lines.append(f"{state_symbol(Read(step.state, True))} = {_latex_expr(step.tree, cell, step.reads)}")
    return lines


def equation_rows(cell: CellSpec, m: int, u: int) -> list[dict]:
    """The same lines as :func:`equations`, with what the docs need around them: ``kind``
    ("gate" or "update"), ``name``, ``symbol`` (LaTeX), ``latex`` (the equation without sizes),
    ``sizes`` (LaTeX of the weights' sizes, "" for updates), ``title`` (``{en, ko}`` or None) and
    ``params`` (the gate's parameter count, 0 for updates)."""
    rows = []
    bare = equations(cell, m, u, sizes=False)
    sized = equations(cell, m, u, sizes=True)
    for step, line, full in zip(build_program(cell), bare, sized):
        if isinstance(step, GateStep):
            params = sum(math.prod(shape) for g, _, shape in cell.weight_shapes(m, u) if g == step.name)
            rows.append({"kind": "gate", "name": step.name, "symbol": gate_symbol(cell, step.name), "latex": line,
                         "sizes": full[len(line):].replace(r" \qquad ", "", 1),
                         "title": step.gate.title.model_dump() if step.gate.title else None, "params": params})
        else:
            rows.append({"kind": "update", "name": step.state, "symbol": state_symbol(Read(step.state, True)),
                         "latex": line, "sizes": "", "title": None, "params": 0})
    return rows
