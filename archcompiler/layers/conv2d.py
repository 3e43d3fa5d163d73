"""``conv2d``: a 2-D convolution (the lecture's channels, filters, stride and padding)."""

from typing import ClassVar, Literal

from .batchnorm import BatchNorm
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


class Conv2D(Layer):
    """A 2-D convolution: `filters` kernels of size `kernel`, slid with `stride`."""

    type: Literal["conv2d"] = "conv2d"
    filters: PositiveInt
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Padding2D = "valid"
    dilation: Pair = (1, 1)
    groups: PositiveInt = 1
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "conv"
    takes_padding: ClassVar[bool] = True
    mixes_channels_2d: ClassVar[bool] = True
    display: ClassVar[dict[str, str]] = {"en": "convolution", "ko": "합성곱"}

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
        h, w = spatial_2d(self, shape, self.kernel, self.stride, self.padding, self.dilation, "kernel")
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
        s = stride_text(self.stride)
        extra = f", {self.groups} groups" if self.groups > 1 else ""
        extra += f", dilation {stride_text(self.dilation)}" if tuple(self.dilation) != (1, 1) else ""
        act = activation_suffix(self.activation)
        return f"conv {k}, {self.filters} filters, stride {s}, {self.padding}{extra}{act}"

    def brief(self, lang):
        k = f"{self.kernel[0]}×{self.kernel[1]}"
        if lang == "ko":  # the Korean diagram's line: what the English label says, groups and dilation too
            return f"{k} 합성곱 {self.filters}" + (f", 스트라이드 {stride_text(self.stride)}" if tuple(self.stride) != (1, 1) else "") \
                + (f", {self.groups}개 그룹" if self.groups > 1 else "") \
                + (f", 팽창 {stride_text(self.dilation)}" if tuple(self.dilation) != (1, 1) else "")
        return f"{k} conv, {self.filters}" + (f", stride {stride_text(self.stride)}" if tuple(self.stride) != (1, 1) else "")

    def doc_facts(self, node, graph):
        f = window_2d_facts(graph, node, self.kernel, self.stride, self.dilation, self.padding)
        c, groups = f["c"], self.groups
        per_filter = self.kernel[0] * self.kernel[1] * (c // groups)
        weights, bias = per_filter * self.filters, (self.filters if self.use_bias else 0)
        oh, ow = f["oh"], f["ow"]
        # the comparison dense layer reads the real input values, not the zeros of a padding layer
        dense_in = None if None in f["pre_pad"] else f["pre_pad"][0] * f["pre_pad"][1] * f["pre_pad"][2]
        dense = None if None in (dense_in, oh, ow) else dense_in * oh * ow * self.filters
        f.update(filters=self.filters, groups=groups, group_in=c // groups, group_out=self.filters // groups,
                 dilation=tuple(self.dilation), activation=self.activation or "linear", use_bias=self.use_bias,
                 per_filter=per_filter, weights=weights, bias=bias, params=node.params,
                 params_ok=weights + bias == node.params, dense_in=dense_in, dense_equiv=dense,
                 dense_ratio=None if not dense else dense / max(node.params, 1),
                 pointwise=tuple(self.kernel) == (1, 1), reduces=self.filters < c,
                 bottleneck=tuple(self.kernel) == (1, 1) and self.filters < c and _feeds_wider_conv(graph, node),
                 stack=_stack_facts(graph, node), reduction=_reduction_facts(graph, node),
                 bias_from_norm=not self.use_bias and _shifted_by_norm(graph, node))
        return f


def _stack_facts(graph, node) -> dict | None:
    """At the first of the longest run of same-width 3×3 convolutions: what n stacked 3×3 windows
    cost against the one window of the same reach, (1 + 2n)×(1 + 2n), at this width C."""
    run = graph.stacked_3x3() if hasattr(graph, "stacked_3x3") else None
    if not run or run["nodes"][0] != node.name:
        return None
    c, k = run["c"], node.layer.kernel[0]
    rows = []
    for n in range(2, min(len(run["nodes"]), 3) + 1):
        reach = 1 + n * (k - 1)
        rows.append({"layers": n, "reach": reach, "coef_stacked": n * k * k, "stacked": n * k * k * c * c,
                     "coef_single": reach * reach, "single": reach * reach * c * c,
                     "saved": 1 - (n * k * k) / (reach * reach), "names": run["nodes"][:n],
                     "nonlinear": sum(_nonlinear_after(graph, graph.nodes[name]) for name in run["nodes"][:n])})
    return {"c": c, "k": k, "run": run["nodes"], "rows": rows,
            "nonlinear": all(r["nonlinear"] == r["layers"] for r in rows)}


def _nonlinear_after(graph, node) -> bool:
    """Whether a non-linearity follows this convolution: its own activation, or an activation layer
    it reaches through normalisation."""
    if (node.layer.activation or "linear") != "linear":
        return True
    readers = graph.consumers(node.name)
    while len(readers) == 1 and readers[0].family in ("norm", "regularization"):
        readers = graph.consumers(readers[0].name)
    return len(readers) == 1 and readers[0].family == "activation"


def _reduction_facts(graph, node) -> dict | None:
    """At the reduction before the largest window: that window's weights and MACs with the 1×1
    reduction and without it (reading all the input channels directly)."""
    pair = graph.widest_reduction() if hasattr(graph, "widest_reduction") else None
    if not pair or pair[0].name != node.name:
        return None
    conv = pair[1]
    c_in, r, out = graph.input_shapes(node)[0][-1], node.layer.filters, conv.layer.filters
    kh, kw = conv.layer.kernel
    positions = conv.shape[0] * conv.shape[1]
    direct = kh * kw * c_in * out
    reduced_weights, window_weights = c_in * r, kh * kw * r * out
    macs_with = node.macs + conv.macs
    return {"conv": conv.name, "c_in": c_in, "r": r, "out": out, "kh": kh, "kw": kw, "positions": positions,
            "oh": conv.shape[0], "ow": conv.shape[1],
            "direct_weights": direct, "direct_macs": positions * direct,
            "reduce_weights": reduced_weights, "window_weights": window_weights,
            "with_weights": reduced_weights + window_weights, "reduce_macs": node.macs, "window_macs": conv.macs,
            "with_macs": macs_with, "ratio": positions * direct / macs_with}


def _feeds_wider_conv(graph, node) -> bool:
    """Whether this layer's output reaches a convolution with a larger window (through normalisation,
    activation or dropout only): a 1×1 convolution that narrows the channels is a bottleneck only then,
    as GoogLeNet's reductions before its 3×3 and 5×5 filters are — not its 1×1 branch or pool_proj."""
    readers = graph.consumers(node.name)
    while len(readers) == 1 and readers[0].family in ("norm", "activation", "regularization"):
        readers = graph.consumers(readers[0].name)
    return any(r.family == "conv" and max(getattr(r.layer, "kernel", (1, 1))) > 1 for r in readers)


def _shifted_by_norm(graph, node) -> bool:
    """Whether every reader of the output is a batch norm that adds a learned shift β (the bias it replaces)."""
    readers = graph.consumers(node.name)
    return bool(readers) and all(isinstance(r.layer, BatchNorm) and r.layer.center for r in readers)
