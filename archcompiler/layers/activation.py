"""``activation`` and its shorthands ``relu``, ``sigmoid``, ``tanh``, ``softmax``, ``gelu``, ``relu6``,
``swish``, ``silu``, ``hard_swish``: a
separate activation, e.g. the ReLU after a batch norm."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Activation, Inferred, Layer, ShapeError, activation_name, runtime
from .batchnorm import BatchNorm


class ActivationLayer(Layer):
    """A separate activation, e.g. the ReLU after a batch norm."""

    type: Literal["activation"] = "activation"
    keras_name: ClassVar[str] = "activation"
    activation: Activation
    approximate: bool = Field(False, description="gelu only: the tanh approximation "
                              "0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) instead of the exact x·Φ(x).")

    family: ClassVar[str] = "activation"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "activation", "ko": "활성화 함수"}

    def infer(self, inputs):
        if self.approximate and self.activation != "gelu":
            raise ShapeError(f"approximate applies to gelu, not {self.activation}", field="approximate")
        return Inferred([inputs[0]])

    def keras(self, keras, name):
        if self.approximate:  # Keras' Activation('gelu') is the exact one and takes no options
            return runtime(keras).GELU(approximate=True, name=name)
        return keras.layers.Activation(self.activation, name=name)

    def label(self):
        return self.activation + (" (tanh approximation)" if self.approximate else "")

    def brief(self, lang):
        approximate = "(tanh 근사)" if self.approximate and lang == "ko" else ""
        return activation_name(self.activation, lang) + approximate

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        source = graph.nodes[node.inputs[0].node]
        return {"in": ins, "out": node.shape, "activation": self.activation, "approximate": self.approximate, "is_output": graph.is_output(node),
                "after_batchnorm": isinstance(source.layer, BatchNorm)}


def _shorthand(kind: str):
    """`{type: relu}` is short for `{type: activation, activation: relu}`."""

    class Shorthand(ActivationLayer):
        type: Literal[kind] = kind  # type: ignore[valid-type]
        activation: Literal[kind] = kind  # type: ignore[valid-type]

    # the schema's name for it: HardSwish, as the module calls it (not Hard_swish)
    Shorthand.__name__ = Shorthand.__qualname__ = "".join(part.capitalize() for part in kind.split("_"))
    Shorthand.__doc__ = f"Shorthand for an activation layer applying {kind}."
    return Shorthand


Relu, Sigmoid, Tanh, Softmax, Gelu, Relu6, Swish, Silu, HardSwish = (
    _shorthand(k) for k in ("relu", "sigmoid", "tanh", "softmax", "gelu", "relu6", "swish", "silu", "hard_swish"))
