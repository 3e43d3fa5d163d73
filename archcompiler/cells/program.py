"""The program: what one time step of a cell computes, in order (gates, then the state updates),
and the plain-data form the Keras runtime runs."""

import ast
from dataclasses import dataclass, field
from typing import Union

from .expressions import _OPS, names_in, parse_update
from .spec import CellSpec, GateSpec


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
