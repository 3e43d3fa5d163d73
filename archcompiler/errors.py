"""Errors are values with a location, so every user mistake can be reported as
``file:line:column: path: message (hint)`` and collected in one pass.

Each error also carries a stable ``code`` (``E-REF-UNKNOWN``, ``E-YAML-SYNTAX``…): the wording
of a message may improve, its code does not change, so tests and tools match codes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable


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
