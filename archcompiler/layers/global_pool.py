"""``global_avgpool2d``, ``global_maxpool2d``, ``global_avgpool1d``, ``global_maxpool1d``: one value
per channel (GoogLeNet's global average pooling in place of flattening)."""

import math
from typing import ClassVar, Literal

from .base import Inferred, Layer, need_rank


class _GlobalPool(Layer):
    family: ClassVar[str] = "pool"
    doc_template: ClassVar[str] = "global_pool"
    keras_class: ClassVar[str] = ""
    rank: ClassVar[int] = 3
    op: ClassVar[str] = ""  # max | avg
    word: ClassVar[str] = ""

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, self.rank, self.type)
        return Inferred([(shape[-1],)])

    def keras(self, keras, name):
        return getattr(keras.layers, self.keras_class)(name=name)

    def label(self):
        return f"global {self.word} pool"

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        c = ins[-1]
        flat = math.prod(ins) if None not in ins else None
        dense = graph.next_dense(node)
        saved = None
        if dense is not None and flat is not None:
            saved = dense.layer.units * (flat - c)
        return {"in": ins, "out": node.shape, "c": c, "flat": flat, "spatial": ins[:-1], "op": self.op,
                "next_dense": dense.name if dense else None, "next_units": dense.layer.units if dense else None,
                "saved": saved, "params": node.params}


_AVG = {"en": "global average pooling", "ko": "전역 평균 풀링"}
_MAX = {"en": "global max pooling", "ko": "전역 최대 풀링"}


class GlobalAvgPool2D(_GlobalPool):
    """Global average pooling: one mean per channel (GoogLeNet's GAP)."""

    type: Literal["global_avgpool2d"] = "global_avgpool2d"
    keras_name: ClassVar[str] = "global_average_pooling2d"
    keras_class: ClassVar[str] = "GlobalAveragePooling2D"
    op: ClassVar[str] = "avg"
    word: ClassVar[str] = "average"
    display: ClassVar[dict[str, str]] = _AVG


class GlobalMaxPool2D(_GlobalPool):
    """Global max pooling: the largest value of each channel."""

    type: Literal["global_maxpool2d"] = "global_maxpool2d"
    keras_name: ClassVar[str] = "global_max_pooling2d"
    keras_class: ClassVar[str] = "GlobalMaxPooling2D"
    op: ClassVar[str] = "max"
    word: ClassVar[str] = "max"
    display: ClassVar[dict[str, str]] = _MAX


class GlobalAvgPool1D(_GlobalPool):
    """Global average pooling over the steps of a sequence."""

    type: Literal["global_avgpool1d"] = "global_avgpool1d"
    keras_name: ClassVar[str] = "global_average_pooling1d"
    keras_class: ClassVar[str] = "GlobalAveragePooling1D"
    rank: ClassVar[int] = 2
    op: ClassVar[str] = "avg"
    word: ClassVar[str] = "average"
    display: ClassVar[dict[str, str]] = _AVG


class GlobalMaxPool1D(_GlobalPool):
    """Global max pooling over the steps of a sequence."""

    type: Literal["global_maxpool1d"] = "global_maxpool1d"
    keras_name: ClassVar[str] = "global_max_pooling1d"
    keras_class: ClassVar[str] = "GlobalMaxPooling1D"
    rank: ClassVar[int] = 2
    op: ClassVar[str] = "max"
    word: ClassVar[str] = "max"
    display: ClassVar[dict[str, str]] = _MAX
