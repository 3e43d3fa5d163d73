"""``reshape``: the same values in another arrangement."""

import math
from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, fmt_shape, product


class Reshape(Layer):
    """The same values in another arrangement."""

    type: Literal["reshape"] = "reshape"
    shape: list[int] = Field(min_length=1, description="Target shape without the batch axis; -1 once for 'the rest'.")

    display: ClassVar[dict[str, str]] = {"en": "reshape", "ko": "형태 변환(Reshape)"}

    def infer(self, inputs):
        (shape,) = inputs
        if any(d is None for d in shape):
            raise ShapeError("reshape needs a fully known input shape")
        total, target = product(shape), list(self.shape)
        if target.count(-1) > 1 or any(d == 0 or d < -1 for d in target):
            raise ShapeError("at most one -1 and no zeros in the target shape", field="shape")
        known = product(d for d in target if d != -1)
        if -1 in target:
            if total % known:
                raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) into {fmt_shape(self.shape)}", field="shape")
            target[target.index(-1)] = total // known
        elif known != total:
            raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) into {fmt_shape(self.shape)}", field="shape")
        return Inferred([tuple(target)])

    def keras(self, keras, name):
        return keras.layers.Reshape(tuple(self.shape), name=name)

    def label(self):
        return f"reshape to {tuple(self.shape)}"

    def brief(self, lang):
        return f"형태 변환 → {tuple(self.shape)}" if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        return {"in": ins, "out": node.shape, "total": math.prod(d for d in ins if d)}
