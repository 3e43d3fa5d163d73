"""``flatten``: a feature map unrolled into one vector (before the fully connected layers)."""

import math
from typing import ClassVar, Literal

from .base import Inferred, Layer, ShapeError, fmt_shape, product


class Flatten(Layer):
    """Unrolls a feature map into one vector (before the fully connected layers)."""

    type: Literal["flatten"] = "flatten"

    display: ClassVar[dict[str, str]] = {"en": "flatten", "ko": "평탄화(Flatten)"}

    def infer(self, inputs):
        (shape,) = inputs
        if any(d is None for d in shape):
            raise ShapeError(f"cannot flatten a shape with a variable axis {fmt_shape(shape)}")
        return Inferred([(product(shape),)])

    def keras(self, keras, name):
        return keras.layers.Flatten(name=name)

    def label(self):
        return "flatten"

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        return {"in": ins, "out": node.shape, "dims": list(ins), "total": node.shape[0],
                "ok": math.prod(ins) == node.shape[0]}
