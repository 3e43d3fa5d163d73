"""``separable_conv2d``: a depthwise convolution and a 1×1 (pointwise) convolution in one layer
(Keras' SeparableConv2D, Xception's building block)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import (
    Activation,
    Inferred,
    Layer,
    Pair,
    PositiveInt,
    ShapeError,
    activation_suffix,
    need_rank,
)
from .windows import Padding2D, spatial_2d, stride_text, window_2d_facts
from .zeropad import ZeroPad2D


class SeparableConv2D(Layer):
    """A depthwise separable 2-D convolution: `depth_multiplier` filters of size `kernel` per input
    channel, then `filters` 1×1 filters that mix the channels."""

    type: Literal["separable_conv2d"] = "separable_conv2d"
    filters: PositiveInt
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Padding2D = "valid"
    depth_multiplier: PositiveInt = Field(1, description="Depthwise filters per input channel.")
    dilation: Pair = (1, 1)
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"
    takes_padding: ClassVar[bool] = True
    display: ClassVar[dict[str, str]] = {"en": "separable convolution", "ko": "분리 합성곱"}

    def expand(self):
        if isinstance(self.padding, str):
            return [("", self)]
        return [("_pad", ZeroPad2D(padding=self.padding)), ("", self.model_copy(update={"padding": "valid"}))]

    def _counts(self, c):
        window = self.kernel[0] * self.kernel[1]
        mid = c * self.depth_multiplier
        return window, mid, window * mid, mid * self.filters, (self.filters if self.use_bias else 0)

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        if shape[2] is None:
            raise ShapeError("the number of input channels must be known")
        h, w = spatial_2d(self, shape, self.kernel, self.stride, self.padding, self.dilation, "kernel")
        window, mid, depthwise, pointwise, bias = self._counts(shape[2])
        positions = (h or 0) * (w or 0)
        return Inferred([(h, w, self.filters)], trainable=depthwise + pointwise + bias,
                        macs=positions * (mid * window + mid * self.filters))

    def keras(self, keras, name):
        return keras.layers.SeparableConv2D(self.filters, self.kernel, strides=self.stride, padding=self.padding,
                                            depth_multiplier=self.depth_multiplier, dilation_rate=self.dilation,
                                            activation=self.activation, use_bias=self.use_bias, name=name)

    def label(self):
        s = stride_text(self.stride)
        extra = f", ×{self.depth_multiplier} per channel" if self.depth_multiplier > 1 else ""
        extra += f", dilation {stride_text(self.dilation)}" if tuple(self.dilation) != (1, 1) else ""
        act = activation_suffix(self.activation)
        return (f"separable conv {self.kernel[0]}×{self.kernel[1]}, {self.filters} filters, stride {s}, "
                f"{self.padding}{extra}{act}")

    def brief(self, lang):
        k = f"{self.kernel[0]}×{self.kernel[1]}"
        stride = tuple(self.stride) != (1, 1)
        if lang == "ko":
            return f"{k} 분리 합성곱 {self.filters}" + (f", 스트라이드 {stride_text(self.stride)}" if stride else "")
        return f"{k} separable conv, {self.filters}" + (f", stride {stride_text(self.stride)}" if stride else "")

    def doc_facts(self, node, graph):
        f = window_2d_facts(graph, node, self.kernel, self.stride, self.dilation, self.padding)
        c = f["c"]
        window, mid, depthwise, pointwise, bias = self._counts(c)
        full = window * c * self.filters  # an ordinary convolution with this window from c to filters channels
        positions = None if None in (f["oh"], f["ow"]) else f["oh"] * f["ow"]
        f.update(filters=self.filters, multiplier=self.depth_multiplier, mid=mid, window=window,
                 depthwise=depthwise, pointwise=pointwise, bias=bias, use_bias=self.use_bias,
                 dilation=tuple(self.dilation), activation=self.activation or "linear", params=node.params,
                 params_ok=depthwise + pointwise + bias == node.params, full_weights=full,
                 saving=full / (depthwise + pointwise), positions=positions,
                 depthwise_macs=None if positions is None else positions * mid * window,
                 pointwise_macs=None if positions is None else positions * mid * self.filters)
        return f
