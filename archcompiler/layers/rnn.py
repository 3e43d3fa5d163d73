"""``type: rnn`` — a recurrent layer whose cell is declared in the spec by its gate equations
(see :mod:`archcompiler.cells`). The resolver replaces the ``cell:`` name with the validated
declaration before this model sees it."""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, WithJsonSchema

from ..cells import CellSpec, equation_rows, equations
from .base import PositiveInt, runtime
from .recurrent import RecurrentLayer

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
    display: ClassVar[dict[str, str]] = {"en": "recurrent (declared cell)", "ko": "순환층(선언한 셀)"}

    def state_names(self):
        return tuple(self.cell.state)

    def cell_params(self, m):
        return self.cell.params(m, self.units)

    def step_macs(self, m):
        return self.cell.macs_per_step(m, self.units)

    def keras_rnn(self, keras, name):
        from ..cells import runtime_config
        cell = runtime(keras).GateCell(self.units, **runtime_config(self.cell), cell_name=self.cell.name,
                        name=f"{self.cell.name}_cell")
        return keras.layers.RNN(cell, name=name, **self.keras_options())

    def kind_label(self, lang="en"):
        return f"{self.cell.name} {'셀' if lang == 'ko' else 'cell'}"

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

    def diagram(self, m: int | None = None, lang: str = "en"):
        """The inside of the cell as a ``graphviz.Digraph`` (gates, products, sums), labelled in ``lang``."""
        from ..cells import cell_diagram

        return cell_diagram(self.cell, m, self.units, lang=lang)

    def figure_stem(self, spec_name: str) -> str:
        """The file name (without suffix) of the figure of this layer's cell, beside the diagram."""
        return f"{spec_name}_cell_{self.cell.name}"

    def doc_facts(self, node, graph):
        f = self.recurrent_facts(node, graph)
        rows = self.equation_rows(f["m"])
        cell = self.cell
        per_direction = sum(r["params"] for r in rows)
        f.update(cell=cell.name, cell_title=cell.title.model_dump() if cell.title else None,
                 cell_explain=cell.explain.model_dump() if cell.explain else None, states=list(cell.state),
                 output_state=cell.output_state, rows=rows, gates=[r for r in rows if r["kind"] == "gate"],
                 per_direction=per_direction, params_ok=per_direction * f["directions"] == node.params,
                 figure=f"{self.figure_stem(graph.name)}.svg", figure_ko=f"{self.figure_stem(graph.name)}.ko.svg")
        return f
