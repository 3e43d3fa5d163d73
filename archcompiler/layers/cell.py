"""``type: rnn`` — a recurrent layer whose cell is declared in the spec by its gate equations
(see :mod:`archcompiler.cells`). The resolver replaces the ``cell:`` name with the validated
declaration before this model sees it."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, WithJsonSchema

from ..cells import CellSpec, equation_rows, equations
from .base import PositiveInt
from .sequence import RecurrentLayer

DeclaredCell = Annotated[CellSpec, WithJsonSchema(
    {"type": "string", "description": "The name of a cell declared under 'cells:'."})]


class Rnn(RecurrentLayer):
    """A recurrent layer running a cell declared under ``cells:`` (its gates and state updates)."""

    type: Literal["rnn"] = "rnn"
    cell: DeclaredCell = Field(description="The name of a cell declared under 'cells:'.")
    units: PositiveInt = Field(description="Size of every state of the cell (u).")
    return_state: bool = Field(False, description="Also output the final state(s), in the cell's state order.")

    max_inputs: ClassVar[int] = 17  # the sequence, then one initial state per state (×2 if bidirectional)
    uses_cell: ClassVar[bool] = True  # the resolver puts the declared cell in place of its name

    def state_names(self):
        return tuple(self.cell.state)

    def cell_params(self, m):
        return self.cell.params(m, self.units)

    def step_macs(self, m):
        return self.cell.macs_per_step(m, self.units)

    def keras_rnn(self, keras, name):
        from ..cells import runtime_config
        from ..keras import GateCell

        cell = GateCell(self.units, **runtime_config(self.cell), cell_name=self.cell.name,
                        name=f"{self.cell.name}_cell")
        return keras.layers.RNN(cell, name=name, **self.keras_options())

    def kind_label(self):
        return f"{self.cell.name} cell"

    def hyperparameters(self) -> dict[str, Any]:
        values = super().hyperparameters()
        values["cell"] = self.cell.name
        return values

    def equations(self, m: int, sizes: bool = True) -> list[str]:
        """The cell's gate equations and state updates as LaTeX lines, in the order one step
        computes them, each gate with its weights' sizes for input width ``m`` and ``units``."""
        return equations(self.cell, m, self.units, sizes)

    def equation_rows(self, m: int) -> list[dict]:
        """The equations with their gate titles (en/ko), symbols, sizes and parameter counts."""
        return equation_rows(self.cell, m, self.units)

    def diagram(self, m: int | None = None):
        """The inside of the cell as a ``graphviz.Digraph`` (gates, products, sums)."""
        from ..cells import cell_diagram

        return cell_diagram(self.cell, m, self.units)
