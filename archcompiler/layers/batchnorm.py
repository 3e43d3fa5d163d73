"""``batchnorm``: batch normalisation over the last axis."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product


class BatchNorm(Layer):
    """Batch normalisation over the last axis: γ, β learned; moving mean and variance not trained."""

    type: Literal["batchnorm"] = "batchnorm"
    epsilon: float = Field(1e-3, gt=0)
    momentum: float = Field(0.99, ge=0, le=1)

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "batch normalization", "ko": "배치 정규화"}

    def infer(self, inputs):
        (shape,) = inputs
        c = shape[-1]
        if c is None:
            raise ShapeError("batch norm needs a known channel count")
        return Inferred([shape], trainable=2 * c, non_trainable=2 * c, macs=product(d for d in shape if d) * 2)

    def keras(self, keras, name):
        return keras.layers.BatchNormalization(epsilon=self.epsilon, momentum=self.momentum, name=name)

    def label(self):
        return "batch norm"

    def brief(self, lang):
        return "배치 정규화" if lang == "ko" else "batch norm"

    def doc_facts(self, node, graph):
        c = node.shape[-1]
        return {"in": node.shape, "out": node.shape, "c": c, "epsilon": self.epsilon, "momentum": self.momentum,
                "trainable": node.trainable, "non_trainable": node.non_trainable, "params": node.params,
                "params_ok": node.trainable == 2 * c and node.non_trainable == 2 * c}
