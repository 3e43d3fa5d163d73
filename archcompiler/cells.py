"""Recurrent cells declared as their gate equations.

A spec may declare cells under ``cells:`` and use them with ``{type: rnn, cell: <name>}``::

    cells:
      lstm:
        state: [h, c]                 # the recurrent states; each has `units` numbers
        gates:                        # each gate: activation(W X_t + U H_{t-1} + b)
          f: {activation: sigmoid}
          i: {activation: sigmoid}
          g: {activation: tanh}
          o: {activation: sigmoid}
        update:                       # applied in the order written
          c: "f * c + i * g"
          h: "o * tanh(c)"
        output: h                     # the state the layer outputs (default: the first)

The rules, which the docs' equations and the Keras cell both follow:

- every gate reads the input ``X_t`` through its own ``W`` (m×u in Keras' layout) and, unless
  ``recurrent: false``, a state through ``U`` (u×u): the output state by default, or the one
  ``recurrent:`` names; a bias ``b`` unless ``bias: false``, and a second one added to the recurrent
  part with ``recurrent_bias: true`` (cuDNN's convention, which Keras' GRU uses when reset_after);
- ``reset: r`` makes another gate scale the recurrent state: ``U (R_t ⊙ H_{t-1})`` — or with
  ``reset_after: true`` ``R_t ⊙ (U H_{t-1} + b')``, Keras' default GRU;
- ``peephole: [c]`` adds ``p ⊙ C`` (a diagonal weight, u numbers), ``peephole: {c: full}`` a full
  u×u matrix;
- update expressions use ``+ - *``, numbers, ``sigmoid/tanh/relu(...)``, names of gates and states.
  They run in the order written, and a state's name means its latest value: the new one once its
  update has run (LSTM's ``h: o * tanh(c)`` reads the new C_t), else the previous step's;
- a gate is computed where it is first needed — by the first update that names it, or by the gate
  it resets — and reads the states' latest values at that point. A peephole on the output gate of
  an LSTM therefore sees C_t, as in Gers et al. (2002), while the forget gate's sees C_{t-1}.

This module is pure Python (no Keras, no Graphviz at import time): the resolver validates cells
with it, the ``rnn`` layer kind infers parameters from it, :mod:`archcompiler.keras` runs the
same program with ``keras.ops`` and :func:`cell_diagram` draws it.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .errors import Loc, SpecError, did_you_mean

FUNCTIONS = ("sigmoid", "tanh", "relu")
GATE_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "tanh", "relu", "softsign", "linear")
MAX_EXPRESSION = 500
MAX_EXPRESSION_NODES = 200
IDENT = r"^[A-Za-z][A-Za-z0-9_]{0,30}$"

# A value written as ``${...}``: the resolver substitutes the spec's params before the cell is
# checked, so the document-level validation lets such strings through.
Placeholder = Annotated[str, Field(pattern=r"^.*\$\{.*\}.*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CellText(_Strict):
    """The same text in English and Korean."""

    en: str
    ko: str


class GateSpec(_Strict):
    """One gate: ``activation(W X_t + U S + b)``, with optional reset and peephole terms."""

    activation: Union[Literal[GATE_ACTIVATIONS], Placeholder] = Field(  # type: ignore[valid-type]
        "sigmoid", description="Elementwise activation of the gate (sigmoid for gates, tanh for candidates).")
    recurrent: Union[bool, str] = Field(
        True, description="Which state the recurrent matrix U reads: true = the output state (default), "
        "a state's name, or false for no recurrent matrix.")
    reset: str | None = Field(None, description="A gate that scales the recurrent state first (GRU's reset gate).")
    reset_after: Union[bool, Placeholder] = Field(
        False, description="Apply the reset gate after the recurrent matrix: R ⊙ (U H + b') (Keras' default GRU).")
    bias: Union[bool, Placeholder] = Field(True, description="Add a bias b.")
    recurrent_bias: Union[bool, Placeholder] = Field(
        False, description="Add a second bias to the recurrent part (cuDNN/Keras GRU with reset_after).")
    bias_init: Literal["zeros", "ones"] = Field(
        "zeros", description="Initial bias (ones for an LSTM forget gate, as Keras' unit_forget_bias).")
    peephole: Union[list[str], dict[str, Literal["diagonal", "full"]]] = Field(
        default_factory=list, description="States the gate also reads directly: a list (diagonal weights, "
        "u numbers each) or {state: diagonal|full}.")
    symbol: Annotated[str, Field(pattern=r"^[A-Za-z0-9\\{}~^' ]{1,40}$")] | None = Field(
        None, description="LaTeX symbol for the docs (default: the name in capitals), e.g. '\\tilde{H}'.")
    title: CellText | None = Field(None, description="What the gate is called, e.g. {en: forget gate, ko: 망각게이트}.")

    def peepholes(self) -> dict[str, str]:
        if isinstance(self.peephole, list):
            return {s: "diagonal" for s in self.peephole}
        return dict(self.peephole)


class CellSpec(_Strict):
    """A recurrent cell declared by its gates and state updates."""

    title: CellText | None = Field(None, description="What the cell is called in the docs.")
    explain: CellText | None = Field(None, description="A paragraph for the docs about the cell.")
    state: list[Annotated[str, Field(pattern=IDENT)]] = Field(
        min_length=1, max_length=8, description="The recurrent states, e.g. [h, c]; each has `units` numbers. "
        "Their order is the order of initial states and of return_state outputs.")
    gates: dict[Annotated[str, Field(pattern=IDENT)], GateSpec] = Field(
        min_length=1, max_length=32, description="The gates, each an activation of a weighted sum of the input "
        "and a state.")
    update: dict[str, str] = Field(description="For every state, its new value as an expression "
                                   "(+ - *, numbers, sigmoid/tanh/relu, gate and state names), in order.")
    output: str | None = Field(None, description="The state the layer outputs at each step (default: the first).")

    _name: str = PrivateAttr("cell")

    @property
    def name(self) -> str:
        return self._name

    def named(self, name: str) -> "CellSpec":
        copy = self.model_copy()
        copy._name = name
        return copy

    @property
    def output_state(self) -> str:
        return self.output or self.state[0]

    def recurrent_state(self, gate: GateSpec) -> str | None:
        if gate.recurrent is False:
            return None
        return self.output_state if gate.recurrent is True else str(gate.recurrent)

    # --- figures -------------------------------------------------------------------------
    def weight_shapes(self, m: int, u: int) -> list[tuple[str, str, tuple[int, ...]]]:
        """Every weight as (gate, kind, shape) in Keras' layout (kernels are m×u: X_t W)."""
        out = []
        for name, gate in self.gates.items():
            out.append((name, "kernel", (m, u)))
            if self.recurrent_state(gate):
                out.append((name, "recurrent_kernel", (u, u)))
            if gate.bias is True:
                out.append((name, "bias", (u,)))
            if gate.recurrent_bias is True:
                out.append((name, "recurrent_bias", (u,)))
            for state, kind in gate.peepholes().items():
                out.append((name, f"peephole_{state}", (u,) if kind == "diagonal" else (u, u)))
        return out

    def params(self, m: int, u: int) -> int:
        total = 0
        for _, _, shape in self.weight_shapes(m, u):
            n = 1
            for d in shape:
                n *= d
            total += n
        return total

    def macs_per_step(self, m: int, u: int) -> int:
        """Multiply-accumulates of the matrix products in one step (elementwise work not counted)."""
        total = 0
        for _, kind, shape in self.weight_shapes(m, u):
            if len(shape) == 2:
                total += shape[0] * shape[1]
        return total

    def program(self) -> list["Step"]:
        return build_program(self)


# --- the update-expression language -----------------------------------------------------

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


# --- the program: what one time step computes, in order -----------------------------------

@dataclass(frozen=True)
class Read:
    """A state's value as read at some point of the step: the previous one, or the new one."""

    state: str
    new: bool = False


@dataclass(frozen=True)
class GateStep:
    name: str
    gate: GateSpec
    recurrent: Read | None
    reset: str | None
    peepholes: tuple[tuple[Read, str], ...]


@dataclass(frozen=True)
class UpdateStep:
    state: str
    text: str
    tree: ast.expr = field(compare=False)
    reads: dict = field(compare=False)  # state name -> Read, for the state names in the expression


Step = Union[GateStep, UpdateStep]


def build_program(cell: CellSpec) -> list[Step]:
    """The steps of one time step in execution order (a valid cell is assumed; see check_cell)."""
    steps: list[Step] = []
    updated: set[str] = set()
    done: set[str] = set()

    def read(state: str) -> Read:
        return Read(state, state in updated)

    def gate(name: str, stack=()):
        if name in done or name in stack or name not in cell.gates:
            return
        spec = cell.gates[name]
        if spec.reset:
            gate(spec.reset, stack + (name,))
        rec = cell.recurrent_state(spec)
        steps.append(GateStep(name, spec, read(rec) if rec else None, spec.reset,
                              tuple((read(s), kind) for s, kind in spec.peepholes().items())))
        done.add(name)

    for state, text in cell.update.items():
        tree = parse_update(text)
        names = names_in(tree)
        for n in names:
            gate(n)
        steps.append(UpdateStep(state, text.strip(), tree, {n: read(n) for n in names if n in cell.state}))
        updated.add(state)
    return steps



def runtime_config(cell: CellSpec) -> dict:
    """The cell as the plain data :class:`archcompiler.keras.GateCell` runs: every gate setting
    spelled out and the program's steps, update expressions as prefix lists (``["*", "f", "c"]``),
    so that loading a model needs no parser."""
    gates = {name: {"activation": g.activation, "recurrent": cell.recurrent_state(g), "reset": g.reset,
                    "reset_after": g.reset_after is True, "bias": g.bias is True,
                    "recurrent_bias": g.recurrent_bias is True, "bias_init": g.bias_init,
                    "peepholes": g.peepholes()}
             for name, g in cell.gates.items()}
    program = [{"gate": s.name} if isinstance(s, GateStep) else {"update": s.state, "value": _prefix(s.tree)}
               for s in build_program(cell)]
    return {"state_names": list(cell.state), "gates": gates, "program": program, "output_state": cell.output_state}


def _prefix(node: ast.expr):
    if isinstance(node, ast.BinOp):
        return [_OPS[type(node.op)], _prefix(node.left), _prefix(node.right)]
    if isinstance(node, ast.UnaryOp):
        return ["neg", _prefix(node.operand)] if isinstance(node.op, ast.USub) else _prefix(node.operand)
    if isinstance(node, ast.Call):
        return [node.func.id, _prefix(node.args[0])]
    if isinstance(node, ast.Constant):
        return float(node.value)
    return node.id  # a gate or state name (parse_update allows nothing else)

# --- validation with locations ---------------------------------------------------------

def _key_loc(raw, key) -> Loc | None:
    if hasattr(raw, "key_locs"):
        return raw.key_locs.get(key) or raw.where(key)
    return getattr(raw, "loc", None)


def _value_loc(raw, key) -> Loc | None:
    if hasattr(raw, "where"):
        return raw.where(key)
    return getattr(raw, "loc", None)


def _sub(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if value is not None else raw


def check_cell(cell: CellSpec, raw: Any, path: str) -> list[SpecError]:
    """Everything pydantic cannot see: names, uses and order. ``raw`` is the cell's YAML mapping
    (a YDict), whose locations the errors carry."""
    errors: list[SpecError] = []

    def error(loc, message, where, hint=""):
        errors.append(SpecError(loc, message, f"{path}.{where}" if where else path, hint, "E-CELL"))

    reserved = set(FUNCTIONS)
    states_raw, gates_raw, update_raw = _sub(raw, "state"), _sub(raw, "gates"), _sub(raw, "update")
    seen: set[str] = set()
    for index, state in enumerate(cell.state):
        loc = states_raw.where(index) if hasattr(states_raw, "item_locs") else _value_loc(raw, "state")
        if state in seen:
            error(loc, f"state '{state}' is listed twice", f"state[{index}]")
        if state in reserved or keyword.iskeyword(state):
            error(loc, f"'{state}' cannot name a state: it is a function or a keyword", f"state[{index}]")
        seen.add(state)
    for name in cell.gates:
        loc = _key_loc(gates_raw, name)
        if name in cell.state:
            error(loc, f"'{name}' names both a gate and a state", f"gates.{name}", "give the gate another name")
        if name in reserved or keyword.iskeyword(name):
            error(loc, f"'{name}' cannot name a gate: it is a function or a keyword", f"gates.{name}")

    # gates: what they read
    for name, gate in cell.gates.items():
        graw = _sub(gates_raw, name)
        for fld in ("activation", "reset_after", "bias", "recurrent_bias"):
            value = getattr(gate, fld)
            if (value not in GATE_ACTIVATIONS) if fld == "activation" else not isinstance(value, bool):
                error(_value_loc(graw, fld), f"'{fld}' is still {value!r} after substitution",
                      f"gates.{name}.{fld}")
        if isinstance(gate.recurrent, str) and gate.recurrent not in cell.state:
            error(_value_loc(graw, "recurrent"), f"gate '{name}' reads '{gate.recurrent}', which is not a state",
                  f"gates.{name}.recurrent", did_you_mean(gate.recurrent, cell.state)
                  or f"states: {', '.join(cell.state)}")
        if gate.reset is not None:
            if gate.reset not in cell.gates:
                error(_value_loc(graw, "reset"), f"gate '{name}' is reset by '{gate.reset}', which is not a gate",
                      f"gates.{name}.reset", did_you_mean(gate.reset, cell.gates) or f"gates: {', '.join(cell.gates)}")
            elif gate.reset == name:
                error(_value_loc(graw, "reset"), f"gate '{name}' cannot reset itself", f"gates.{name}.reset")
            if gate.recurrent is False:
                error(_value_loc(graw, "reset"), f"gate '{name}' has a reset gate but no recurrent matrix",
                      f"gates.{name}.reset", "remove 'recurrent: false' or the reset")
        elif gate.reset_after is True:
            error(_value_loc(graw, "reset_after"), f"gate '{name}' sets reset_after without a reset gate",
                  f"gates.{name}.reset_after", "add 'reset: <gate>'")
        if gate.recurrent_bias is True and gate.recurrent is False:
            error(_value_loc(graw, "recurrent_bias"), f"gate '{name}' has a recurrent bias but no recurrent matrix",
                  f"gates.{name}.recurrent_bias")
        peep_raw = _sub(graw, "peephole")
        for state in gate.peepholes():
            if state not in cell.state:
                loc = (peep_raw.where(gate.peephole.index(state)) if isinstance(gate.peephole, list)
                       and hasattr(peep_raw, "item_locs") else _key_loc(peep_raw, state))
                error(loc, f"gate '{name}' peeks at '{state}', which is not a state", f"gates.{name}.peephole",
                      did_you_mean(state, cell.state) or f"states: {', '.join(cell.state)}")

    # reset chains must not loop
    for name in cell.gates:
        chain, current = [name], cell.gates[name].reset
        while current in cell.gates and current not in chain:
            chain.append(current)
            current = cell.gates[current].reset
        if current == name and len(chain) > 1:
            error(_value_loc(_sub(gates_raw, name), "reset"),
                  f"gates reset each other in a loop: {' → '.join(chain + [name])}", f"gates.{name}.reset")

    # updates: states only, every state, known names
    used: set[str] = set()
    for state, text in cell.update.items():
        if state not in cell.state:
            error(_key_loc(update_raw, state), f"'{state}' is not a state, so it cannot be updated",
                  f"update.{state}", did_you_mean(state, cell.state) or f"states: {', '.join(cell.state)}")
        loc = _value_loc(update_raw, state)
        try:
            tree = parse_update(text)
        except CellExprError as e:
            detail = f" (at character {e.offset + 1})" if e.offset else ""
            error(loc, f"update of '{state}': {e.message}{detail}", f"update.{state}", e.hint)
            continue
        names = names_in(tree)
        if not names:
            error(loc, f"update of '{state}' reads no gate or state", f"update.{state}",
                  "an update combines gates and states, e.g. 'f * c + i * g'")
        for n in names:
            if n not in cell.gates and n not in cell.state:
                col = _name_offset(text, n)
                detail = f" (at character {col + 1})" if col is not None else ""
                error(loc, f"update of '{state}': unknown name '{n}'{detail}", f"update.{state}",
                      did_you_mean(n, [*cell.gates, *cell.state])
                      or f"gates: {', '.join(cell.gates)}; states: {', '.join(cell.state)}")
            elif n in cell.gates:
                used.add(n)
    for index, state in enumerate(cell.state):
        if state not in cell.update:
            loc = states_raw.where(index) if hasattr(states_raw, "item_locs") else _value_loc(raw, "state")
            error(loc, f"state '{state}' is never updated", f"state[{index}]",
                  f"add '{state}: <expression>' under update")
    if cell.output is not None and cell.output not in cell.state:
        error(_value_loc(raw, "output"), f"the output '{cell.output}' is not a state", "output",
              did_you_mean(cell.output, cell.state) or f"states: {', '.join(cell.state)}")

    # unused gates: not in any update, not the reset of a used gate
    frontier = list(used)
    while frontier:
        reset = cell.gates[frontier.pop()].reset
        if reset in cell.gates and reset not in used:
            used.add(reset)
            frontier.append(reset)
    for name in cell.gates:
        if name not in used:
            error(_key_loc(gates_raw, name), f"gate '{name}' is never used", f"gates.{name}",
                  "use it in an update expression or as another gate's reset, or remove it")
    return errors


def _name_offset(text: str, name: str) -> int | None:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    lead = len(text) - len(text.lstrip())
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name:
            return node.col_offset + lead
    return None


def validate_cell(name: str, data: Any, path: str = "") -> CellSpec:
    """Validate a plain cell declaration (e.g. from a saved Keras config); raises ValueError."""
    cell = CellSpec.model_validate(data)
    errors = check_cell(cell, data, path or f"cells.{name}")
    if errors:
        raise ValueError("; ".join(str(e) for e in errors))
    return cell.named(name)


# --- words: LaTeX equations ------------------------------------------------------------

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
            params = sum(_prod(shape) for g, _, shape in cell.weight_shapes(m, u) if g == step.name)
            rows.append({"kind": "gate", "name": step.name, "symbol": gate_symbol(cell, step.name), "latex": line,
                         "sizes": full[len(line):].replace(r" \qquad ", "", 1),
                         "title": step.gate.title.model_dump() if step.gate.title else None, "params": params})
        else:
            rows.append({"kind": "update", "name": step.state, "symbol": state_symbol(Read(step.state, True)),
                         "latex": line, "sizes": "", "title": None, "params": 0})
    return rows


# --- pictures: the inside of a cell ------------------------------------------------------

_DIAGRAM_OP = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×"}
_DIAGRAM_ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "hard_sigmoid": "hard σ", "softsign": "softsign",
                "linear": "linear"}


def cell_diagram(cell: CellSpec, m: int | None = None, u: int | None = None, name: str | None = None):
    """A Graphviz picture of one time step inside the cell: the input and previous states on the
    left, gates as boxes (activation and weights), elementwise products and sums as circles, the new
    states on the right. Returns a ``graphviz.Digraph`` (not rendered)."""
    import graphviz

    title = name or cell.name
    g = graphviz.Digraph(f"cell_{title}", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11",
                                                       "label": f"{title} cell", "labelloc": "t", "nodesep": "0.3"},
                         node_attr={"fontname": "Helvetica", "fontsize": "10"}, edge_attr={"arrowsize": "0.6", "fontname": "Helvetica", "fontsize": "8"})
    g.node("x", "<X<sub>t</sub>>", shape="plaintext", fontsize="12")
    current: dict[str, str] = {}
    for s in cell.state:
        g.node(f"prev_{s}", f"<{_html(s)}<sub>t-1</sub>>", shape="plaintext", fontsize="12")
        current[s] = f"prev_{s}"
    counter = [0]

    def fresh(prefix):
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def op_node(label, inputs, shape="circle", edge_labels=()):
        node = fresh("op")
        g.node(node, label, shape=shape, width="0.3", height="0.3", fixedsize="false", style="filled",
               fillcolor="#fff2cc")
        for k, i in enumerate(inputs):
            g.edge(i, node, **({"headlabel": edge_labels[k]} if k < len(edge_labels) and edge_labels[k] else {}))
        return node

    gate_nodes: dict[str, str] = {}

    def expr_node(tree) -> str:
        if isinstance(tree, ast.BinOp):
            operands = [expr_node(tree.left), expr_node(tree.right)]
            # a difference is not symmetric: mark the subtracted operand
            return op_node(_DIAGRAM_OP[type(tree.op)], operands,
                           edge_labels=("", "−") if isinstance(tree.op, ast.Sub) else ())
        if isinstance(tree, ast.UnaryOp):
            inner = expr_node(tree.operand)
            return op_node("−", [inner]) if isinstance(tree.op, ast.USub) else inner
        if isinstance(tree, ast.Call):
            return op_node(_DIAGRAM_ACT[tree.func.id], [expr_node(tree.args[0])], shape="ellipse")
        if isinstance(tree, ast.Constant):
            node = fresh("const")
            g.node(node, f"{tree.value:g}", shape="plaintext")
            return node
        if isinstance(tree, ast.Name):
            return gate_nodes[tree.id] if tree.id in cell.gates else current[tree.id]
        raise AssertionError(ast.dump(tree))  # pragma: no cover

    for step in build_program(cell):
        if isinstance(step, GateStep):
            gate = step.gate
            node = f"gate_{step.name}"
            detail = []
            if m is not None and u is not None:
                gp = sum(_prod(shape) for gname, _, shape in cell.weight_shapes(m, u) if gname == step.name)
                detail.append(f"{gp:,} params")
            label = f"{step.name}: {_DIAGRAM_ACT[gate.activation]}"
            if gate.title:
                label += f"\n{gate.title.en}"
            if detail:
                label += "\n" + ", ".join(detail)
            g.node(node, label, shape="box", style="rounded,filled", fillcolor="#dae8fc")
            g.edge("x", node, label="W")
            if step.recurrent:
                source = current[step.recurrent.state]
                if step.reset and gate.reset_after is not True:
                    source = op_node("×", [gate_nodes[step.reset], source])
                    g.edge(source, node, label="U")
                elif step.reset:
                    g.edge(source, node, label="U, then ×")
                    g.edge(gate_nodes[step.reset], node, label="× after U", style="dashed")
                else:
                    g.edge(source, node, label="U")
            for read, kind in step.peepholes:
                g.edge(current[read.state], node, label="peephole" + (" (full)" if kind == "full" else ""),
                       style="dotted")
            gate_nodes[step.name] = node
        else:
            result = expr_node(step.tree)
            out = f"new_{step.state}"
            g.node(out, f"<{_html(step.state)}<sub>t</sub>>", shape="plaintext", fontsize="12", fontcolor="#1f4e79")
            g.edge(result, out)
            current[step.state] = out
    g.node("output", f"<output = {_html(cell.output_state)}<sub>t</sub>>", shape="plaintext")
    g.edge(current[cell.output_state], "output", style="dashed")
    return g


def _html(name: str) -> str:
    return name.upper() if len(name) == 1 else name


def _prod(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
