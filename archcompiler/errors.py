"""Errors are values with a location, so every user mistake can be reported as
``file:line:column: path: message (hint)`` and collected in one pass.

Each error also carries a stable ``code`` (``E-REF-UNKNOWN``, ``E-YAML-SYNTAX``…): the wording
of a message may improve, its code does not change, so tests and tools match codes."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pydantic is imported where a spec is validated: `import archcompiler` stays light
    from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Loc:
    """A place in a spec file (1-based line and column)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


@dataclass
class SpecError(Exception):
    """One user mistake in a spec."""

    loc: Loc | None
    message: str
    path: str = ""
    hint: str = ""
    code: str = "E-SPEC"  # the generic code, for the rare mistake without a more specific one

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        what = f"{self.path}: " if self.path else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{what}{self.message}{hint}"

    def key(self) -> tuple:
        return (str(self.loc), self.path, self.message)


@dataclass
class SpecErrors(Exception):
    """All the mistakes found in one pass over a spec."""

    errors: list[SpecError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class ErrorCollector:
    """Gathers errors during a pass, dropping duplicates (a block used nine
    times with one bad line reports that line once)."""

    def __init__(self) -> None:
        self.errors: list[SpecError] = []
        self._seen: set[tuple] = set()

    def add(self, error: SpecError) -> None:
        if error.key() not in self._seen:
            self._seen.add(error.key())
            self.errors.append(error)

    def extend(self, errors: Iterable[SpecError]) -> None:
        for e in errors:
            self.add(e)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SpecErrors(list(self.errors))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or '' if none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


# --- pydantic's errors, located in the YAML ------------------------------------------

def validate(model: type[BaseModel], data: dict, path: str, name: str = ""):
    """Validate ``data`` with a pydantic model; raise SpecErrors located in the YAML."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise SpecErrors(pydantic_errors(e, data, path, model, name)) from None


def pydantic_errors(exc: ValidationError, data, path: str, model: type[BaseModel], name: str = "") -> list[SpecError]:
    """pydantic's errors as located, readable SpecErrors; one per field (unions report once)."""
    grouped: dict[tuple, list[dict]] = {}
    for err in exc.errors():
        container, key, parts = _walk(data, err["loc"], err["type"])
        grouped.setdefault((id(container), key, tuple(parts)), []).append((err, container, key, parts))
    # a union reports each alternative at its own depth ([[-1, 0], ...] is not an int, not a pair of
    # ints, and -1 is negative): within one field, only the deepest errors say what is wrong
    deepest: dict[str, int] = {}
    for _, _, parts in grouped:
        deepest[parts[:1]] = max(deepest.get(parts[:1], 0), len(parts))
    out = []
    for (_, _, parts), items in grouped.items():
        if len(parts) < deepest[parts[:1]]:
            continue
        err, container, key, parts = items[0]
        where = ".".join(parts).replace(".[", "[")
        full = f"{path}.{where}" if path and where else path or where
        owner = f"{name}: " if name else ""
        kind = err["type"]
        if kind == "extra_forbidden":
            fields = list(model.model_fields) if model else []
            loc = getattr(container, "key_locs", {}).get(key)
            out.append(SpecError(loc or _loc(container, key), f"{owner}unknown field '{key}'", full, code="E-FIELD-UNKNOWN", hint=
                                 did_you_mean(key, fields) or (f"fields: {', '.join(f for f in fields if f != 'type')}"
                                                               if fields else "")))
        elif kind == "missing":
            out.append(SpecError(_loc(container, None), f"{owner}missing required field '{err['loc'][-1]}'",
                                 full.rsplit(".", 1)[0] if "." in full else path, code="E-FIELD-MISSING"))
        else:
            value = err.get("input")
            literals = [i[0] for i in items if i[0]["type"] == "literal_error"]
            hint = ""
            if literals and isinstance(value, str):  # a word where a word was expected: a typo
                items = [(literals[0],)]
                choices = re.findall(r"'([^']*)'", literals[0].get("ctx", {}).get("expected", ""))
                hint = did_you_mean(value, choices)
            messages = list(dict.fromkeys(i[0]["msg"] for i in items))
            shown = show_value(value)
            text = messages[0] if len(messages) == 1 else "; or ".join(m.lower() for m in messages[:4])
            code = kind if kind.startswith("E-") else "E-VALUE-INVALID"  # a layer's own rule names its code
            out.append(SpecError(_loc(container, key), f"{owner}invalid value {shown}: {text}", full, hint, code))
    return out


def show_value(value) -> str:
    """A value as the user wrote it in YAML, briefly."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        text = "[" + ", ".join(show_value(v) for v in value) + "]"
        return text if len(text) <= 60 else text[:57] + "...]"
    return repr(value)


def _walk(data, loc: tuple, kind: str):
    """Follow pydantic's error location through the YAML data (skipping union tags)."""
    container, key, parts = data, None, []
    node = data
    for element in loc:
        if isinstance(node, dict) and element in node:
            container, key, node = node, element, node[element]
            parts.append(str(element))
        elif isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node):
            container, key, node = node, element, node[element]
            parts.append(f"[{element}]")
        elif kind == "missing" and isinstance(node, dict):
            return node, None, parts
    return container, key, parts


def _loc(container, key) -> Loc | None:
    if key is not None and hasattr(container, "where"):  # YAML containers know where their items are
        return container.where(key)
    return getattr(container, "loc", None)
