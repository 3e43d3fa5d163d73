"""``layernorm``: layer normalisation over the last axis (the Transformer's 'norm' in add & norm)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product


class LayerNorm(Layer):
    """Layer normalisation over the last axis (the Transformer's 'norm' in add & norm)."""

    type: Literal["layernorm"] = "layernorm"
    epsilon: float = Field(1e-6, gt=0)

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "layer normalization", "ko": "층 정규화"}

    def infer(self, inputs):
        (shape,) = inputs
        if shape[-1] is None:
            raise ShapeError("layer norm needs a known feature size")
        return Inferred([shape], trainable=2 * shape[-1], macs=product(d for d in shape if d) * 2)

    def keras(self, keras, name):
        return keras.layers.LayerNormalization(epsilon=self.epsilon, name=name)

    def label(self):
        return "layer norm"

    def doc_facts(self, node, graph):
        d = node.shape[-1]
        src = graph.nodes[node.inputs[0].node]
        return {"in": node.shape, "out": node.shape, "d": d, "epsilon": self.epsilon, "params": node.params,
                "params_ok": node.params == 2 * d, "after_add": src.layer.merges == "sum", "add": src.name,
                "positions": node.shape[:-1]}
