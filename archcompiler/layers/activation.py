"""``activation`` and its shorthands ``relu``, ``sigmoid``, ``tanh``, ``softmax``, ``gelu``: a
separate activation, e.g. the ReLU after a batch norm."""

from __future__ import annotations

from typing import ClassVar, Literal

from .base import Activation, Inferred, Layer
from .batchnorm import BatchNorm


class ActivationLayer(Layer):
    """A separate activation, e.g. the ReLU after a batch norm."""

    type: Literal["activation"] = "activation"
    activation: Activation

    family: ClassVar[str] = "activation"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "activation", "ko": "활성화 함수"}

    def infer(self, inputs):
        return Inferred([inputs[0]])

    def keras(self, keras, name):
        return keras.layers.Activation(self.activation, name=name)

    def label(self):
        return self.activation

    def brief(self, lang):
        return self.activation

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        source = graph.nodes[node.inputs[0].node]
        return {"in": ins, "out": node.shape, "activation": self.activation, "is_output": graph.is_output(node),
                "after_batchnorm": isinstance(source.layer, BatchNorm)}


def _shorthand(kind: str):
    """`{type: relu}` is short for `{type: activation, activation: relu}`."""

    class Shorthand(ActivationLayer):
        type: Literal[kind] = kind  # type: ignore[valid-type]
        activation: Literal[kind] = kind  # type: ignore[valid-type]

    Shorthand.__name__ = Shorthand.__qualname__ = kind.capitalize()
    Shorthand.__doc__ = f"Shorthand for an activation layer applying {kind}."
    return Shorthand


Relu, Sigmoid, Tanh, Softmax, Gelu = (_shorthand(k) for k in ("relu", "sigmoid", "tanh", "softmax", "gelu"))
