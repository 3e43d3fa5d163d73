"""What a spec declares before its layers: params (with ``--set`` values), cells and inputs."""

from __future__ import annotations

from typing import Any

import yaml

from ..cells import CellSpec, check_cell
from ..errors import Loc, did_you_mean
from ..graph import TensorRef
from ..layers import KINDS
from .names import Frame
from .values import FAILED


class ParamsMixin:
    """Part of the Resolver (resolve/__init__.py): reads its ``raw`` and ``sets``; uses ``_subst``, ``_validate`` and
    ``_add_node`` from the other parts."""

    def _params(self) -> dict[str, Any]:
        raw = self.raw.get("params") or {}
        for name in self.sets:
            if name not in raw:
                self.error(Loc("--set"), f"unknown param '{name}'", f"--set {name}",
                           did_you_mean(name, raw) or f"params of this spec: {', '.join(raw) or 'none'}",
                           "E-PARAM-UNKNOWN")
        values: dict[str, Any] = {}
        for name, default in raw.items():
            value = default
            if name in self.sets:
                try:
                    value = yaml.safe_load(self.sets[name])
                except yaml.YAMLError:
                    value = self.sets[name]
                if isinstance(default, bool) != isinstance(value, bool) or (
                        isinstance(default, int) and not isinstance(value, int)):
                    kind = "true or false" if isinstance(default, bool) else "an integer"
                    self.error(Loc("--set"), f"param '{name}' expects {kind}, got {self.sets[name]!r}",
                               f"--set {name}", code="E-PARAM-TYPE")
                    value = default
            value = self._subst(value, values, raw, name, f"params.{name}")
            if value is FAILED:  # left out: what reads it stays quiet (see _subst)
                self.failed_params.add(name)
            else:
                values[name] = value
        return values

    def _cells(self) -> dict[str, CellSpec | None]:
        """Every declared cell, with the params substituted and checked (None where it has errors)."""
        raw = self.raw.get("cells") or {}
        cells: dict[str, CellSpec | None] = {}
        for name, entry in raw.items():
            data = self._subst(entry, self.params, raw, name, f"cells.{name}")
            cell = self._validate(CellSpec, data, data, f"cells.{name}") if isinstance(data, dict) else None
            if cell is not None:
                errors = check_cell(cell, data, f"cells.{name}")
                self.errors.extend(errors)
                cell = None if errors else cell.named(name)
            cells[name] = cell
        return cells

    def _with_cell(self, raw, data, path):
        """An rnn entry with its ``cell:`` name replaced by the checked declaration."""
        name = data.get("cell")
        if name is None:
            self.error(raw.loc, "an rnn layer runs a cell declared under 'cells:'; add 'cell: <name>'",
                       f"{path}.cell", "for the plain recurrent layer write 'type: simple_rnn'", "E-CELL-MISSING")
            return None
        if not isinstance(name, str):
            return data  # pydantic reports a malformed cell
        if name not in self.cells:
            self.error(raw.where("cell"), f"unknown cell '{name}'", f"{path}.cell",
                       did_you_mean(name, self.cells) or (f"cells of this spec: {', '.join(self.cells)}" if self.cells
                                                          else "declare it under 'cells:'"), "E-CELL-UNKNOWN")
            return None
        if self.cells[name] is None:
            return None  # the cell's own errors are reported
        return {**data, "cell": self.cells[name]}

    def _inputs(self, frame: Frame) -> list[str]:
        names = []
        for name, spec in self.raw["inputs"].items():
            frame.names[name] = None  # until it is added: a reader of a broken input stays quiet, as for a layer
            data = self._subst(spec, frame.env, self.raw["inputs"], name, f"inputs.{name}")
            if data is FAILED:
                continue
            layer = self._validate(KINDS["input"], {"type": "input", **data}, data, f"inputs.{name}")
            if layer is not None:
                self._add_node(name, layer, [], spec, f"inputs.{name}", frame)
                frame.names[name] = TensorRef(name)
                names.append(name)
        return names

