"""Convolution, pooling and zero padding (the lecture's channel, filter, stride, padding)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

from pydantic import BeforeValidator, Field

from .base import (Activation, Inferred, Layer, Pair, PositiveInt, ShapeError, conv_output_length,
                   fmt_shape, need_rank)

Padding2D = Union[Literal["same", "valid"], Annotated[int, Field(ge=0)],
                  tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]],
                  tuple[tuple[int, int], tuple[int, int]]]
Padding1D = Union[Literal["same", "valid"], Annotated[int, Field(ge=0)],
                  tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]]]


def _tuple(value):
    if isinstance(value, list):
        return tuple(_tuple(v) for v in value)
    return value


def _pads_2d(padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) for Keras' ZeroPadding2D forms."""
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if isinstance(padding[0], int):
        return ((padding[0], padding[0]), (padding[1], padding[1]))
    return tuple(tuple(p) for p in padding)


def _pads_1d(padding) -> tuple[int, int]:
    return (padding, padding) if isinstance(padding, int) else tuple(padding)


def _spatial_2d(layer, shape, kernel, stride, padding, dilation=(1, 1), what="window"):
    need_rank(shape, 3, layer.type)
    out = []
    for n, k, s, d in zip(shape[:2], kernel, stride, dilation):
        size = conv_output_length(n, k, s, padding, d)
        if size is not None and size < 1:
            effective = (k - 1) * d + 1
            raise ShapeError(
                f"{what} {effective} is larger than the input ({fmt_shape(shape)}): the output would be empty",
                field="kernel" if hasattr(layer, "kernel") else "pool",
                hint="use padding: same, a smaller kernel, or fewer downsampling layers before it "
                     "(or a larger input)")
        out.append(size)
    return out


class Conv2D(Layer):
    """A 2-D convolution: `filters` kernels of size `kernel`, slid with `stride`."""

    type: Literal["conv2d"] = "conv2d"
    filters: PositiveInt
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Annotated[Padding2D, BeforeValidator(_tuple)] = "valid"
    dilation: Pair = (1, 1)
    groups: PositiveInt = 1
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"

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
        if channels % self.groups or self.filters % self.groups:
            raise ShapeError(f"groups={self.groups} must divide both the input channels ({channels}) "
                             f"and the filters ({self.filters})", field="groups")
        h, w = _spatial_2d(self, shape, self.kernel, self.stride, self.padding, self.dilation, "kernel")
        per_filter = self.kernel[0] * self.kernel[1] * (channels // self.groups)
        params = per_filter * self.filters + (self.filters if self.use_bias else 0)
        macs = (h or 0) * (w or 0) * self.filters * per_filter
        return Inferred([(h, w, self.filters)], trainable=params, macs=macs)

    def keras(self, keras, name):
        return keras.layers.Conv2D(self.filters, self.kernel, strides=self.stride, padding=self.padding,
                                   dilation_rate=self.dilation, groups=self.groups, activation=self.activation,
                                   use_bias=self.use_bias, name=name)

    def label(self):
        k = f"{self.kernel[0]}×{self.kernel[1]}"
        s = self.stride[0] if self.stride[0] == self.stride[1] else f"{self.stride[0]}×{self.stride[1]}"
        extra = f", {self.groups} groups" if self.groups > 1 else ""
        extra += f", dilation {self.dilation[0]}" if self.dilation != (1, 1) else ""
        act = f", {self.activation}" if self.activation and self.activation != "linear" else ""
        return f"conv {k}, {self.filters} filters, stride {s}, {self.padding}{extra}{act}"


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

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
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
        return f"conv1d {self.kernel}, {self.filters} filters, stride {self.stride}, {self.padding}"


class _Pool2D(Layer):
    pool: Pair = (2, 2)
    stride: Pair | None = Field(None, description="Default: the window size (Keras' rule).")
    padding: Annotated[Padding2D, BeforeValidator(_tuple)] = "valid"

    family: ClassVar[str] = "pool"
    keras_class: ClassVar[str] = ""
    word: ClassVar[str] = ""

    @property
    def strides(self):
        return self.stride or self.pool

    def expand(self):
        if isinstance(self.padding, str):
            return [("", self)]
        return [("_pad", ZeroPad2D(padding=self.padding)), ("", self.model_copy(update={"padding": "valid"}))]

    def infer(self, inputs):
        (shape,) = inputs
        h, w = _spatial_2d(self, shape, self.pool, self.strides, self.padding, what="pooling window")
        return Inferred([(h, w, shape[2])], macs=0)

    def keras(self, keras, name):
        return getattr(keras.layers, self.keras_class)(self.pool, strides=self.strides, padding=self.padding,
                                                       name=name)

    def label(self):
        s = self.strides[0] if self.strides[0] == self.strides[1] else f"{self.strides[0]}×{self.strides[1]}"
        pad = "" if self.padding == "valid" else f", {self.padding}"
        return f"{self.word} pool {self.pool[0]}×{self.pool[1]} / {s}{pad}"


class MaxPool2D(_Pool2D):
    """Max pooling: keeps the largest value in each window; no parameters."""

    type: Literal["maxpool2d"] = "maxpool2d"
    keras_class: ClassVar[str] = "MaxPooling2D"
    word: ClassVar[str] = "max"


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each window; no parameters."""

    type: Literal["avgpool2d"] = "avgpool2d"
    keras_class: ClassVar[str] = "AveragePooling2D"
    word: ClassVar[str] = "average"


class _Pool1D(Layer):
    pool: PositiveInt = 2
    stride: PositiveInt | None = None
    padding: Literal["same", "valid"] = "valid"

    family: ClassVar[str] = "pool"
    keras_class: ClassVar[str] = ""
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


class MaxPool1D(_Pool1D):
    type: Literal["maxpool1d"] = "maxpool1d"
    keras_class: ClassVar[str] = "MaxPooling1D"
    word: ClassVar[str] = "max"


class AvgPool1D(_Pool1D):
    type: Literal["avgpool1d"] = "avgpool1d"
    keras_class: ClassVar[str] = "AveragePooling1D"
    word: ClassVar[str] = "average"


class _GlobalPool(Layer):
    family: ClassVar[str] = "pool"
    keras_class: ClassVar[str] = ""
    rank: ClassVar[int] = 3
    word: ClassVar[str] = ""

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, self.rank, self.type)
        return Inferred([(shape[-1],)])

    def keras(self, keras, name):
        return getattr(keras.layers, self.keras_class)(name=name)

    def label(self):
        return f"global {self.word} pool"


class GlobalAvgPool2D(_GlobalPool):
    """Global average pooling: one mean per channel (GoogLeNet's GAP)."""

    type: Literal["global_avgpool2d"] = "global_avgpool2d"
    keras_class: ClassVar[str] = "GlobalAveragePooling2D"
    word: ClassVar[str] = "average"


class GlobalMaxPool2D(_GlobalPool):
    type: Literal["global_maxpool2d"] = "global_maxpool2d"
    keras_class: ClassVar[str] = "GlobalMaxPooling2D"
    word: ClassVar[str] = "max"


class GlobalAvgPool1D(_GlobalPool):
    type: Literal["global_avgpool1d"] = "global_avgpool1d"
    keras_class: ClassVar[str] = "GlobalAveragePooling1D"
    rank: ClassVar[int] = 2
    word: ClassVar[str] = "average"


class GlobalMaxPool1D(_GlobalPool):
    type: Literal["global_maxpool1d"] = "global_maxpool1d"
    keras_class: ClassVar[str] = "GlobalMaxPooling1D"
    rank: ClassVar[int] = 2
    word: ClassVar[str] = "max"


class ZeroPad2D(Layer):
    """Zero padding around a feature map: an int, [rows, cols] or [[top, bottom], [left, right]]."""

    type: Literal["zeropad2d"] = "zeropad2d"
    padding: Annotated[Union[Annotated[int, Field(ge=0)], tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]],
                             tuple[tuple[int, int], tuple[int, int]]], BeforeValidator(_tuple)] = 1

    family: ClassVar[str] = "reshape"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        (t, b), (l, r) = _pads_2d(self.padding)
        h = None if shape[0] is None else shape[0] + t + b
        w = None if shape[1] is None else shape[1] + l + r
        return Inferred([(h, w, shape[2])])

    def keras(self, keras, name):
        return keras.layers.ZeroPadding2D(_pads_2d(self.padding), name=name)

    def label(self):
        (t, b), (l, r) = _pads_2d(self.padding)
        return f"zero pad {t}" if len({t, b, l, r}) == 1 else f"zero pad ({t},{b})×({l},{r})"


class ZeroPad1D(Layer):
    type: Literal["zeropad1d"] = "zeropad1d"
    padding: Annotated[Union[Annotated[int, Field(ge=0)], tuple[int, int]], BeforeValidator(_tuple)] = 1

    family: ClassVar[str] = "reshape"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        a, b = _pads_1d(self.padding)
        return Inferred([(None if shape[0] is None else shape[0] + a + b, shape[1])])

    def keras(self, keras, name):
        return keras.layers.ZeroPadding1D(_pads_1d(self.padding), name=name)

    def label(self):
        return f"zero pad {self.padding}"

