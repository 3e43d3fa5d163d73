"""``maxpool1d`` and ``avgpool1d``: pooling along a sequence; no parameters."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, PositiveInt, ShapeError, conv_output_length, need_rank
from .windows import axis_facts, same_pad


class _Pool1D(Layer):
    pool: PositiveInt = 2
    stride: PositiveInt | None = None
    padding: Literal["same", "valid"] = "valid"

    family: ClassVar[str] = "pool"
    doc_template: ClassVar[str] = "pool1d"
    keras_class: ClassVar[str] = ""
    op: ClassVar[str] = ""  # max | avg
    word: ClassVar[str] = ""

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        out = conv_output_length(shape[0], self.pool, self.stride or self.pool, self.padding)
        if out is not None and out < 1:
            raise ShapeError(f"pooling window {self.pool} is longer than the sequence ({shape[0]})", field="pool")
        return Inferred([(out, shape[1])])

    def keras(self, keras, name):
        return getattr(keras.layers, self.keras_class)(self.pool, strides=self.stride or self.pool,
                                                       padding=self.padding, name=name)

    def label(self):
        return f"{self.word} pool {self.pool} / {self.stride or self.pool}"

    def brief(self, lang):
        stride = self.stride or self.pool
        if lang == "ko":
            return f"길이 {self.pool} {self.display['ko']}" + (f", 스트라이드 {stride}" if stride > 1 else "")
        return f"{self.word} pool {self.pool}" + (f", stride {stride}" if stride > 1 else "")

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        stride = self.stride or self.pool
        pad = same_pad(ins[0], self.pool, stride) if self.padding == "same" else (0, 0)
        return {"in": ins, "out": node.shape, "pool": self.pool, "stride": stride, "mode": self.padding,
                "op": self.op, "c": ins[-1], "axis": axis_facts(ins[0], self.pool, stride, 1, pad, node.shape[0]),
                "params": node.params}


class MaxPool1D(_Pool1D):
    """Max pooling along a sequence."""

    type: Literal["maxpool1d"] = "maxpool1d"
    keras_name: ClassVar[str] = "max_pooling1d"
    keras_class: ClassVar[str] = "MaxPooling1D"
    op: ClassVar[str] = "max"
    word: ClassVar[str] = "max"
    display: ClassVar[dict[str, str]] = {"en": "max pooling", "ko": "최대 풀링"}


class AvgPool1D(_Pool1D):
    """Average pooling along a sequence."""

    type: Literal["avgpool1d"] = "avgpool1d"
    keras_name: ClassVar[str] = "average_pooling1d"
    keras_class: ClassVar[str] = "AveragePooling1D"
    op: ClassVar[str] = "avg"
    word: ClassVar[str] = "average"
    display: ClassVar[dict[str, str]] = {"en": "average pooling", "ko": "평균 풀링"}
