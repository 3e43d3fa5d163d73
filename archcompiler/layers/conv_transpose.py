"""``conv2d_transpose`` and ``conv1d_transpose``: transposed convolutions ("up-convolutions"),
which spread every input value over a window of the output and so enlarge the map (U-Net's
decoder). One rule for both: Keras' output size per axis."""

from typing import Annotated, ClassVar, Literal, Union

from pydantic import BeforeValidator, Field

from .base import (
    Activation,
    Inferred,
    Layer,
    Pair,
    PositiveInt,
    ShapeError,
    activation_suffix,
    need_rank,
    product,
)
from .windows import stride_text

NonNegative = Annotated[int, Field(ge=0)]
OutputPadding2D = Annotated[Union[NonNegative, tuple[NonNegative, NonNegative]],
                            BeforeValidator(lambda v: tuple(v) if isinstance(v, list) else v)]


def transposed_length(n, kernel, stride, padding, output_padding, dilation=1):
    """Keras' output size of one axis of a transposed convolution: 'valid' gives
    (n − 1)·s + k + extra (extra: output_padding, by default max(s − k, 0)); 'same' gives n·s, or
    (n − 1)·s + k mod 2 + output_padding when output_padding is given."""
    if n is None:
        return None
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (n - 1) * stride + k + extra
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + k % 2 + output_padding


class _Transposed(Layer):
    filters: PositiveInt
    padding: Literal["same", "valid"] = "valid"
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"
    doc_template: ClassVar[str] = "conv_transpose"
    rank: ClassVar[int] = 2

    def _axes(self):
        def two(v):
            return (v, v) if isinstance(v, int) else tuple(v)
        pads = (None,) * self.rank if self.output_padding is None else \
            (two(self.output_padding) if self.rank == 2 else (self.output_padding,))
        kernel, stride, dilation = ((self.kernel, self.stride, self.dilation) if self.rank == 2 else
                                    ((self.kernel,), (self.stride,), (self.dilation,)))
        return list(zip(kernel, stride, pads, dilation))

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, self.rank + 1, self.type)
        if shape[-1] is None:
            raise ShapeError("the number of input channels must be known")
        axes = self._axes()
        for k, s, p, d in axes:
            if p is not None and p >= s:
                raise ShapeError(f"output_padding {p} must be smaller than the stride {s}", field="output_padding")
            if s > 1 and d > 1:
                raise ShapeError("Keras does not combine a stride above 1 with a dilation above 1", field="dilation")
        out = tuple(transposed_length(n, k, s, self.padding, p, d) for n, (k, s, p, d) in zip(shape, axes))
        if any(n is not None and n < 1 for n in out):
            raise ShapeError(f"the output {out} would be empty", field="output_padding",
                             hint="with padding 'same' an even kernel needs output_padding ≥ 1 here")
        window = product(k for k, _, _, _ in axes)
        params = window * shape[-1] * self.filters + (self.filters if self.use_bias else 0)
        positions = product(n or 0 for n in shape[:-1])
        return Inferred([(*out, self.filters)], trainable=params, macs=positions * window * shape[-1] * self.filters)

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        axes = []
        for n, out, (k, s, p, d) in zip(ins, node.shape, self._axes()):
            ek = (k - 1) * d + 1
            extra = (max(ek, s) - ek if p is None else p) if self.padding == "valid" else p
            axes.append({"n": n, "k": ek, "s": s, "p": p, "extra": extra, "out": out,
                         "ok": None not in (n, out) and out == transposed_length(n, k, s, self.padding, p, d)})
        # the weights are the kernel's; a dilation only spreads them (a["k"] is the span, for the size)
        kernel = [k for k, _, _, _ in self._axes()]
        c, window = ins[-1], product(kernel)
        weights, bias = window * c * self.filters, (self.filters if self.use_bias else 0)
        return {"in": ins, "out": node.shape, "c": c, "filters": self.filters, "axes": axes,
                "square": len(axes) == 2 and axes[0] == axes[1], "padding": self.padding,
                "kernel": kernel, "window": window, "weights": weights, "bias": bias,
                "use_bias": self.use_bias, "params": node.params,
                "positions": None if None in ins[:-1] else product(ins[:-1]), "params_ok": weights + bias == node.params,
                "activation": self.activation or "linear", "image": self.rank == 2,
                "grows": all(a["out"] is not None and a["n"] is not None and a["out"] > a["n"] for a in axes)}

    def _stride_text(self) -> str:
        """The stride as a label shows it: '2', or '1×2' when the axes differ."""
        strides = [a[1] for a in self._axes()]
        return stride_text(strides) if len(strides) == 2 else str(strides[0])

    def label(self):
        k = "×".join(str(a[0]) for a in self._axes())
        s = self._stride_text()
        op = f", output padding {self.output_padding}" if self.output_padding is not None else ""
        act = activation_suffix(self.activation)
        return f"transposed conv {k}, {self.filters} filters, stride {s}, {self.padding}{op}{act}"

    def brief(self, lang):
        k = "×".join(str(a[0]) for a in self._axes())
        strided = any(a[1] > 1 for a in self._axes())
        s = self._stride_text()
        if lang == "ko":
            return f"{k} 전치 합성곱 {self.filters}" + (f", 스트라이드 {s}" if strided else "")
        return f"{k} transposed conv, {self.filters}" + (f", stride {s}" if strided else "")


class Conv2DTranspose(_Transposed):
    """A 2-D transposed convolution (an up-convolution): each input value, times a `kernel` window
    of weights per filter, is added into the output, `stride` apart — the map grows."""

    type: Literal["conv2d_transpose"] = "conv2d_transpose"
    kernel: Pair
    stride: Pair = (1, 1)
    output_padding: OutputPadding2D | None = Field(
        None, description="Extra rows/columns on the bottom/right (smaller than the stride); default: Keras' rule.")
    dilation: Pair = (1, 1)

    display: ClassVar[dict[str, str]] = {"en": "transposed convolution", "ko": "전치 합성곱"}

    def keras(self, keras, name):
        return keras.layers.Conv2DTranspose(self.filters, self.kernel, strides=self.stride, padding=self.padding,
                                            output_padding=self.output_padding, dilation_rate=self.dilation,
                                            activation=self.activation, use_bias=self.use_bias, name=name)


class Conv1DTranspose(_Transposed):
    """A 1-D transposed convolution over a sequence (steps, channels): the sequence grows."""

    type: Literal["conv1d_transpose"] = "conv1d_transpose"
    kernel: PositiveInt
    stride: PositiveInt = 1
    output_padding: NonNegative | None = Field(None, description="Extra steps at the end (smaller than the stride).")
    dilation: PositiveInt = 1

    display: ClassVar[dict[str, str]] = {"en": "1-D transposed convolution", "ko": "1차원 전치 합성곱"}
    rank: ClassVar[int] = 1

    def keras(self, keras, name):
        return keras.layers.Conv1DTranspose(self.filters, self.kernel, strides=self.stride, padding=self.padding,
                                            output_padding=self.output_padding, dilation_rate=self.dilation,
                                            activation=self.activation, use_bias=self.use_bias, name=name)
