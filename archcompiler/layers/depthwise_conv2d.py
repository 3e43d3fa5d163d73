"""``depthwise_conv2d``: a 2-D convolution that filters every input channel on its own (Keras'
DepthwiseConv2D, MobileNet's first half of a depthwise separable convolution)."""

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


class DepthwiseConv2D(Layer):
    """A depthwise 2-D convolution: `depth_multiplier` filters of size `kernel` per input channel,
    each seeing only its own channel."""

    type: Literal["depthwise_conv2d"] = "depthwise_conv2d"
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Padding2D = "valid"
    depth_multiplier: PositiveInt = Field(1, description="Filters per input channel (output channels: C × this).")
    dilation: Pair = (1, 1)
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"
    takes_padding: ClassVar[bool] = True
    display: ClassVar[dict[str, str]] = {"en": "depthwise convolution", "ko": "깊이별 합성곱"}

    def expand(self):
        if isinstance(self.padding, str):
            return [("", self)]
        return [("_pad", ZeroPad2D(padding=self.padding)), ("", self.model_copy(update={"padding": "valid"}))]

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        channels = shape[2]
        if channels is None:
            raise ShapeError("the number of input channels must be known")
        h, w = spatial_2d(self, shape, self.kernel, self.stride, self.padding, self.dilation, "kernel")
        out_channels = channels * self.depth_multiplier
        window = self.kernel[0] * self.kernel[1]
        params = window * out_channels + (out_channels if self.use_bias else 0)
        return Inferred([(h, w, out_channels)], trainable=params, macs=(h or 0) * (w or 0) * out_channels * window)

    def keras(self, keras, name):
        return keras.layers.DepthwiseConv2D(self.kernel, strides=self.stride, padding=self.padding,
                                            depth_multiplier=self.depth_multiplier, dilation_rate=self.dilation,
                                            activation=self.activation, use_bias=self.use_bias, name=name)

    def label(self):
        s = stride_text(self.stride)
        extra = f", ×{self.depth_multiplier} per channel" if self.depth_multiplier > 1 else ""
        extra += f", dilation {stride_text(self.dilation)}" if tuple(self.dilation) != (1, 1) else ""
        act = activation_suffix(self.activation)
        return f"depthwise conv {self.kernel[0]}×{self.kernel[1]}, stride {s}, {self.padding}{extra}{act}"

    def brief(self, lang):
        k = f"{self.kernel[0]}×{self.kernel[1]}"
        if lang == "ko":
            return f"{k} 깊이별 합성곱" + (f", 스트라이드 {stride_text(self.stride)}" if tuple(self.stride) != (1, 1) else "")
        return f"{k} depthwise conv" + (f", stride {stride_text(self.stride)}" if tuple(self.stride) != (1, 1) else "")

    def doc_facts(self, node, graph):
        f = window_2d_facts(graph, node, self.kernel, self.stride, self.dilation, self.padding)
        c, dm = f["c"], self.depth_multiplier
        per_filter = self.kernel[0] * self.kernel[1]
        weights, bias = per_filter * c * dm, (c * dm if self.use_bias else 0)
        full = per_filter * c * c * dm  # a plain convolution from c to c·dm channels with this window
        f.update(multiplier=dm, oc=c * dm, per_filter=per_filter, weights=weights, bias=bias,
                 use_bias=self.use_bias, dilation=tuple(self.dilation), activation=self.activation or "linear",
                 params=node.params, params_ok=weights + bias == node.params, full_weights=full,
                 saving=full / weights if weights else None)
        return f
