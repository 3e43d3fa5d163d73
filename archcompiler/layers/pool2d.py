"""``maxpool2d`` and ``avgpool2d``: a window summarised by its maximum or mean; no parameters."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, Pair
from .windows import Padding2D, spatial_2d, stride_text, window_2d_facts
from .zeropad import ZeroPad2D


class _Pool2D(Layer):
    pool: Pair = (2, 2)
    stride: Pair | None = Field(None, description="Default: the window size (Keras' rule).")
    padding: Padding2D = "valid"

    family: ClassVar[str] = "pool"
    takes_padding: ClassVar[bool] = True
    doc_template: ClassVar[str] = "pool2d"
    keras_class: ClassVar[str] = ""
    op: ClassVar[str] = ""  # max | avg
    words: ClassVar[dict[str, str]] = {}  # the operation in a label or a brief, per language

    @property
    def strides(self):
        return self.stride or self.pool

    def expand(self):
        if isinstance(self.padding, str):
            return [("", self)]
        return [("_pad", ZeroPad2D(padding=self.padding)), ("", self.model_copy(update={"padding": "valid"}))]

    def infer(self, inputs):
        (shape,) = inputs
        h, w = spatial_2d(self, shape, self.pool, self.strides, self.padding, what="pooling window")
        return Inferred([(h, w, shape[2])], macs=0)

    def keras(self, keras, name):
        return getattr(keras.layers, self.keras_class)(self.pool, strides=self.strides, padding=self.padding,
                                                       name=name)

    def label(self):
        s = stride_text(self.strides)
        pad = "" if self.padding == "valid" else f", {self.padding}"
        return f"{self.words['en']} pool {self.pool[0]}×{self.pool[1]} / {s}{pad}"

    def brief(self, lang):
        window = f"{self.pool[0]}×{self.pool[1]}"
        stride = stride_text(self.strides) if tuple(self.strides) != (1, 1) else ""
        if lang == "ko":
            return f"{window} {self.words['ko']} 풀링" + (f", 스트라이드 {stride}" if stride else "")
        return f"{window} {self.words['en']} pool" + (f", stride {stride}" if stride else "")

    def doc_facts(self, node, graph):
        f = window_2d_facts(graph, node, self.pool, self.strides, (1, 1), self.padding)
        f.update(pool=tuple(self.pool), op=self.op, overlapping=tuple(self.strides) != tuple(self.pool),
                 params=node.params)
        return f


class MaxPool2D(_Pool2D):
    """Max pooling: keeps the largest value in each window; no parameters."""

    type: Literal["maxpool2d"] = "maxpool2d"
    keras_name: ClassVar[str] = "max_pooling2d"
    keras_class: ClassVar[str] = "MaxPooling2D"
    op: ClassVar[str] = "max"
    words: ClassVar[dict[str, str]] = {"en": "max", "ko": "최대"}
    display: ClassVar[dict[str, str]] = {"en": "max pooling", "ko": "최대 풀링"}


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each window; no parameters."""

    type: Literal["avgpool2d"] = "avgpool2d"
    keras_name: ClassVar[str] = "average_pooling2d"
    keras_class: ClassVar[str] = "AveragePooling2D"
    op: ClassVar[str] = "avg"
    words: ClassVar[dict[str, str]] = {"en": "average", "ko": "평균"}
    display: ClassVar[dict[str, str]] = {"en": "average pooling", "ko": "평균 풀링"}
