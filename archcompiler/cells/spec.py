"""A declared cell as the spec writes it: its states, its gates (each an activation of a weighted
sum) and its state updates, validated field by field; its weight shapes, parameters and work per step."""

from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

if TYPE_CHECKING:
    from .program import Step

FUNCTIONS = ("sigmoid", "tanh", "relu")
GATE_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "tanh", "relu", "softsign", "linear")
MAX_EXPRESSION = 500
MAX_EXPRESSION_NODES = 200
IDENT = r"^[A-Za-z][A-Za-z0-9_]{0,30}$"

# A value written as ``${...}``: the resolver substitutes the spec's params before the cell is
# checked, so the document-level validation lets such strings through.
Placeholder = Annotated[str, Field(pattern=r"^.*\$\{.*\}.*$")]



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # built when a spec declares a cell


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
        from .program import build_program

        return build_program(self)
