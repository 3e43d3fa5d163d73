"""``type: rnn`` — a recurrent layer whose cell is declared in the spec by its gate equations
(see :mod:`archcompiler.cells`). The resolver replaces the ``cell:`` name with the validated
declaration before this model sees it."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, WithJsonSchema

from ..cells import CellSpec, equation_rows, equations
from .base import Inferred, Layer, PositiveInt, ShapeError, fmt_shape, need_rank

DeclaredCell = Annotated[CellSpec, WithJsonSchema(
    {"type": "string", "description": "The name of a cell declared under 'cells:'."})]


class Rnn(Layer):
    """A recurrent layer running a cell declared under ``cells:`` (its gates and state updates)."""

    type: Literal["rnn"] = "rnn"
    cell: DeclaredCell = Field(description="The name of a cell declared under 'cells:'.")
    units: PositiveInt = Field(description="Size of every state of the cell (u).")
    return_sequences: bool = Field(False, description="Output every step (many-to-many) or only the last.")
    return_state: bool = Field(False, description="Also output the final state(s), in the cell's state order.")
    bidirectional: bool = False
    go_backwards: bool = False

    family: ClassVar[str] = "recurrent"
    max_inputs: ClassVar[int] = 17  # the sequence, then one initial state per state (×2 if bidirectional)
    summary_name: ClassVar[str] = "recurrent (declared cell)"
    uses_cell: ClassVar[bool] = True  # the resolver puts the declared cell in place of its name

    # --- the rule -------------------------------------------------------------------------
    def output_names(self):
        if not self.return_state:
            return ["output"]
        if self.bidirectional:
            return ["output"] + [f"{d}_{s}" for d in ("forward", "backward") for s in self.cell.state]
        return ["output", *self.cell.state]

    def infer(self, inputs):
        shape = inputs[0]
        need_rank(shape, 2, self.type)
        steps, m = shape
        if m is None:
            raise ShapeError("the feature size of a recurrent layer's input must be known")
        directions = 2 if self.bidirectional else 1
        expected = len(self.cell.state) * directions
        if len(inputs) > 1:
            if len(inputs) - 1 != expected:
                names = ", ".join(self.cell.state)
                raise ShapeError(f"cell '{self.cell.name}' takes {expected} initial state(s) "
                                 f"({names}{' for each direction' if directions == 2 else ''}), "
                                 f"got {len(inputs) - 1}", field="inputs")
            for s in inputs[1:]:
                if s != (self.units,):
                    raise ShapeError(f"initial states must have shape ({self.units},), got {fmt_shape(s)}",
                                     field="inputs")
        width = self.units * directions
        shapes = [(steps, width) if self.return_sequences else (width,)]
        if self.return_state:
            shapes += [(self.units,)] * expected
        params = self.cell.params(m, self.units) * directions
        macs = directions * (1 if steps is None else steps) * self.cell.macs_per_step(m, self.units)
        return Inferred(shapes, trainable=params, macs=macs)

    # --- the Keras side -----------------------------------------------------------------
    def keras(self, keras, name):
        from ..keras_cells import GateCell

        cell = GateCell(self.units, self.cell.model_dump(mode="json", exclude_defaults=True),
                        cell_name=self.cell.name, name=f"{self.cell.name}_cell")
        options = dict(return_sequences=self.return_sequences, return_state=self.return_state,
                       go_backwards=self.go_backwards)
        if self.bidirectional:
            return keras.layers.Bidirectional(keras.layers.RNN(cell, **options), name=name)
        return keras.layers.RNN(cell, name=name, **options)

    def call(self, layer, tensors):
        if len(tensors) > 1:
            return layer(tensors[0], initial_state=list(tensors[1:]))
        return layer(tensors[0])

    # --- words ------------------------------------------------------------------------------
    def label(self):
        flags = [f for f in ("return_sequences", "return_state") if getattr(self, f)]
        prefix = "bidirectional " if self.bidirectional else ""
        return f"{prefix}{self.cell.name} cell {self.units}" + "".join(f", {f}" for f in flags)

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
