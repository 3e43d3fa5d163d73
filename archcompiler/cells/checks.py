"""A cell's checks with locations: unknown names, unused gates, states never updated, an output
that is not a state — each a located error, all of a cell in one pass."""

import ast
import keyword
from typing import Any

from ..errors import Loc, SpecError, did_you_mean
from .expressions import CellExprError, names_in, parse_update
from .spec import FUNCTIONS, GATE_ACTIVATIONS, CellSpec


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
