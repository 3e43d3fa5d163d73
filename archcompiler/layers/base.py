"""What every layer kind declares, in one place.

A kind is one pydantic model (its fields, validated, unknown keys rejected) plus
four small methods: ``infer`` (shapes, parameters and multiply-accumulates in
pure Python, following Keras' own rules), ``keras`` (the Keras layer it becomes),
``label`` (a short description in the lecture's terms) and, for layers with
several inputs or outputs, ``call``/``output_names``. Defining a subclass
registers it; nothing else in the project has to change for a new kind."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Shape = tuple  # one tensor's shape without the batch axis; None marks a variable length

KINDS: dict[str, type["Layer"]] = {}

FAMILIES = (
    "input", "conv", "pool", "dense", "recurrent", "attention", "norm", "merge",
    "activation", "regularization", "reshape", "embedding",
)


class ShapeError(Exception):
    """An impossible shape, reported at the layer's line (and field, if known)."""

    def __init__(self, message: str, field: str = "", hint: str = ""):
        super().__init__(message)
        self.message, self.field, self.hint = message, field, hint


@dataclass
class Inferred:
    shapes: list[Shape]
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0


def _pair(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return (value[0], value[0])
    return value


PositiveInt = Annotated[int, Field(ge=1)]
Pair = Annotated[tuple[PositiveInt, PositiveInt],
                 BeforeValidator(_pair, json_schema_input_type=Union[PositiveInt, tuple[PositiveInt, PositiveInt]])]
Activation = Literal[
    "linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "swish", "silu",
    "leaky_relu", "relu6", "hard_sigmoid", "softplus", "softsign", "exponential", "mish",
]
Rate = Annotated[float, Field(ge=0.0, lt=1.0)]


class Layer(BaseModel):
    """Fields every layer entry may carry, whatever its kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str | None = Field(None, description="Layer name (inside a block, relative to the block's name).")
    inputs: list[str] | str | None = Field(
        None, description="Earlier layers or inputs this layer reads; default: the previous layer. "
        "'layer.h' or 'layer[1]' picks one output of a layer with several.")
    repeat: PositiveInt = Field(1, description="Stack this layer N times; ${i} counts from 1.")
    when: bool = Field(True, description="Leave the layer out when false (e.g. when: ${project}).")
    note: dict[str, str] | None = Field(None, description="Extra explanation for the docs: {en: ..., ko: ...}.")

    family: ClassVar[str] = "reshape"
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields["type"].default
        if isinstance(kind, str):
            KINDS[kind] = cls

    # --- the rule ---------------------------------------------------------
    def output_names(self) -> list[str]:
        return ["output"]

    def settle(self, inputs: list[Shape]) -> "Layer":
        """This layer with defaults that depend on the input filled in (e.g. a head's width)."""
        return self

    def infer(self, inputs: list[Shape]) -> Inferred:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def expand(self) -> list[tuple[str, "Layer"]]:
        """The graph nodes this entry becomes, as (name suffix, layer): usually just itself.
        A convolution with numeric padding becomes a zero-padding node and a 'valid' one."""
        return [("", self)]

    # --- the Keras side (keras is imported by the caller, never at module level) ---
    def keras(self, keras, name: str):  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def call(self, layer, tensors: list):
        """Apply the Keras layer to its input tensors; returns one tensor or a list."""
        return layer(tensors[0] if len(tensors) == 1 else tensors)

    # --- words -----------------------------------------------------------
    def label(self) -> str:
        return self.type

    def hyperparameters(self) -> dict[str, Any]:
        """The kind's own settings (without name/inputs/repeat/when/note), for docs and diagrams."""
        skip = {"type", "name", "inputs", "repeat", "when", "note"}
        return {k: v for k, v in self.model_dump().items() if k not in skip}


# --- helpers shared by the rules ---------------------------------------------

def conv_output_length(length: int | None, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Keras' rule for one spatial axis of a convolution or pooling window."""
    if length is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "same":
        return math.ceil(length / stride)
    return (length - effective) // stride + 1


def product(values) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def need_rank(shape: Shape, rank: int, what: str) -> None:
    if len(shape) != rank:
        raise ShapeError(f"{what} expects an input of rank {rank} (without batch), got shape {fmt_shape(shape)}")


def fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
