"""``conv1d``: a 1-D convolution over a sequence (steps, channels)."""

from typing import ClassVar, Literal

from .base import (Activation, Inferred, Layer, PositiveInt, ShapeError, activation_suffix, conv_output_length,
                   need_rank)
from .windows import axis_facts, check_stride_with_dilation, same_pad


class Conv1D(Layer):
    """A 1-D convolution over a sequence (steps, channels)."""

    type: Literal["conv1d"] = "conv1d"
    filters: PositiveInt
    kernel: PositiveInt
    stride: PositiveInt = 1
    padding: Literal["same", "valid", "causal"] = "valid"
    dilation: PositiveInt = 1
    groups: PositiveInt = 1
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"
    display: ClassVar[dict[str, str]] = {"en": "1-D convolution", "ko": "1차원 합성곱"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        check_stride_with_dilation(self.stride, self.dilation)
        steps, channels = shape
        if channels is None:
            raise ShapeError("the number of input channels must be known")
        if channels % self.groups or self.filters % self.groups:
            raise ShapeError(f"groups={self.groups} must divide the input channels ({channels}) and filters",
                             field="groups")
        mode = self.padding
        if self.padding == "causal":  # Keras pads (kernel - 1) * dilation steps on the left
            mode = "valid"
            steps = None if steps is None else steps + (self.kernel - 1) * self.dilation
        out = conv_output_length(steps, self.kernel, self.stride, mode, self.dilation)
        if out is not None and out < 1:
            raise ShapeError(f"kernel {self.kernel} is longer than the sequence ({steps})", field="kernel")
        per_filter = self.kernel * channels // self.groups
        params = per_filter * self.filters + (self.filters if self.use_bias else 0)
        return Inferred([(out, self.filters)], trainable=params, macs=(out or 0) * self.filters * per_filter)

    def keras(self, keras, name):
        return keras.layers.Conv1D(self.filters, self.kernel, strides=self.stride, padding=self.padding,
                                   dilation_rate=self.dilation, groups=self.groups, activation=self.activation,
                                   use_bias=self.use_bias, name=name)

    def label(self):
        extra = f", {self.groups} groups" if self.groups > 1 else ""
        extra += f", dilation {self.dilation}" if self.dilation > 1 else ""
        return (f"conv1d {self.kernel}, {self.filters} filters, stride {self.stride}, {self.padding}{extra}"
                + activation_suffix(self.activation))

    def brief(self, lang):
        stride = self.stride > 1
        if lang == "ko":  # the Korean diagram's line: what the English label says, groups and dilation too
            return f"길이 {self.kernel} 1차원 합성곱 {self.filters}" + (f", 스트라이드 {self.stride}" if stride else "") \
                + (f", {self.groups}개 그룹" if self.groups > 1 else "") \
                + (f", 팽창 {self.dilation}" if self.dilation > 1 else "")
        return f"conv1d {self.kernel}, {self.filters}" + (f", stride {self.stride}" if stride else "")

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        steps, c = ins
        out_steps, oc = node.shape
        ek = (self.kernel - 1) * self.dilation + 1
        if self.padding == "same":
            pad = same_pad(steps, ek, self.stride)
        elif self.padding == "causal":
            pad = (ek - 1, 0)
        else:
            pad = (0, 0)
        per_filter = self.kernel * c // self.groups
        weights, bias = per_filter * self.filters, (self.filters if self.use_bias else 0)
        return {"in": ins, "steps": steps, "c": c, "out": node.shape, "out_steps": out_steps,
                "filters": self.filters, "kernel": self.kernel, "stride": self.stride, "mode": self.padding,
                "groups": self.groups, "axis": axis_facts(steps, self.kernel, self.stride, self.dilation, pad, out_steps),
                "activation": self.activation or "linear", "per_filter": per_filter, "weights": weights,
                "bias": bias, "params": node.params, "params_ok": weights + bias == node.params}
