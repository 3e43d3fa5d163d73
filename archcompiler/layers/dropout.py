"""``dropout``: a random fraction of the values set to zero while training (regularisation)."""

from __future__ import annotations

import math
from typing import ClassVar, Literal

from .base import Inferred, Layer, Rate


class Dropout(Layer):
    """Drops a fraction `rate` of units at random during training (regularisation)."""

    type: Literal["dropout"] = "dropout"
    rate: Rate

    family: ClassVar[str] = "regularization"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "dropout", "ko": "드롭아웃"}

    def infer(self, inputs):
        return Inferred([inputs[0]])

    def keras(self, keras, name):
        return keras.layers.Dropout(self.rate, name=name)

    def label(self):
        return f"dropout {self.rate:g}"

    def doc_facts(self, node, graph):
        rate = self.rate
        units = None if None in node.shape else math.prod(node.shape)
        return {"in": node.shape, "out": node.shape, "rate": rate, "keep": 1 - rate,
                "scale": 1 / (1 - rate) if rate < 1 else None, "units": units,
                "dropped": None if units is None else round(rate * units)}
