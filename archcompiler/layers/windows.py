"""Sliding windows, shared by the convolution, pooling and zero-padding kinds: the padding forms a
spec may write, the output-size rule with its errors, and the output-size formula's figures that
the docs show (⌊(n − k + p_before + p_after) / s⌋ + 1, with this layer's numbers)."""

from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field

from .base import ShapeError, conv_output_length, fmt_shape, need_rank

NonNegative = Annotated[int, Field(ge=0)]


def _tuple(value):
    if isinstance(value, list):
        return tuple(_tuple(v) for v in value)
    return value


# an int, [rows, cols] or [[top, bottom], [left, right]] (Keras' ZeroPadding2D forms)
Pads2D = Annotated[Union[NonNegative, tuple[NonNegative, NonNegative],
                         tuple[tuple[NonNegative, NonNegative], tuple[NonNegative, NonNegative]]],
                   BeforeValidator(_tuple)]
Pads1D = Annotated[Union[NonNegative, tuple[NonNegative, NonNegative]], BeforeValidator(_tuple)]
# a window's padding: Keras' words, or numbers (a zero padding, then 'valid')
Padding2D = Annotated[Union[Literal["same", "valid"], NonNegative, tuple[NonNegative, NonNegative],
                            tuple[tuple[NonNegative, NonNegative], tuple[NonNegative, NonNegative]]],
                      BeforeValidator(_tuple)]


def pads_2d(padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) for Keras' ZeroPadding2D forms."""
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if isinstance(padding[0], int):
        return ((padding[0], padding[0]), (padding[1], padding[1]))
    return tuple(tuple(p) for p in padding)


def pads_1d(padding) -> tuple[int, int]:
    """(before, after) for Keras' ZeroPadding1D forms."""
    return (padding, padding) if isinstance(padding, int) else tuple(padding)


def check_stride_with_dilation(stride, dilation) -> None:
    """Keras refuses a stride above 1 together with a dilation above 1, even on different axes
    (its convolutions are computed either strided or dilated, never both)."""
    strides, dilations = _tuple(stride), _tuple(dilation)
    strides = strides if isinstance(strides, tuple) else (strides,)
    dilations = dilations if isinstance(dilations, tuple) else (dilations,)
    if max(strides) > 1 and max(dilations) > 1:
        raise ShapeError(f"stride {stride} with dilation {dilation}: Keras cannot combine a stride above 1 with a "
                         "dilation above 1, not even on different axes", field="dilation",
                         hint="keep stride 1 with the dilation and downsample in a pooling layer after it",
                         code="E-KERAS-STRIDE-DILATION")


def spatial_2d(layer, shape, kernel, stride, padding, dilation=(1, 1), what="window"):
    """The output height and width of a 2-D window over ``shape`` (rows, cols, channels)."""
    need_rank(shape, 3, layer.type)
    check_stride_with_dilation(stride, dilation)
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


# --- the docs' figures -------------------------------------------------------------------

def stride_text(stride) -> str:
    """A 2-D stride for a label: '2' when both axes agree, else '2×1'."""
    return str(stride[0]) if stride[0] == stride[1] else f"{stride[0]}×{stride[1]}"


def same_pad(n, k, s):
    """Keras' 'same' padding as (before, after): the total is split with the extra pixel after."""
    if n is None:
        return None
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def axis_facts(n, k, s, d, pad, out) -> dict:
    """One spatial axis of the output-size formula ⌊(n − k + p_before + p_after) / s⌋ + 1."""
    ek = (k - 1) * d + 1
    known = n is not None and out is not None and pad is not None
    ok = known and (n - ek + pad[0] + pad[1]) // s + 1 == out
    return {"n": n, "k": k, "ek": ek, "s": s, "d": d, "pad": pad, "out": out, "known": known, "ok": ok,
            "sym": pad is not None and pad[0] == pad[1], "p": pad[0] if pad else None,
            "num": None if not known else n - ek + pad[0] + pad[1]}


def window_2d_facts(graph, node, kernel, stride, dilation, padding) -> dict:
    """A 2-D window's input, output and formula per axis; a zero padding that feeds only this
    layer (numeric padding in the spec) is part of its formula."""
    (ins,) = graph.input_shapes(node)
    h, w, c = ins
    oh, ow, oc = node.shape
    pad_node = None
    if padding == "same":
        mode = "same"
        pre = ins
        pads, n = [same_pad(h, (kernel[0] - 1) * dilation[0] + 1, stride[0]),
                   same_pad(w, (kernel[1] - 1) * dilation[1] + 1, stride[1])], (h, w)
    else:
        src = graph.padding_source(node)
        if src is not None:
            mode, pad_node = "explicit", src.name
            pads = list(pads_2d(src.layer.padding))
            n = graph.input_shapes(src)[0][:2]
            pre = graph.input_shapes(src)[0]
        else:
            mode, pads, n, pre = "valid", [(0, 0), (0, 0)], (h, w), ins
    axes = [axis_facts(n[i], kernel[i], stride[i], dilation[i], pads[i], (oh, ow)[i]) for i in range(2)]
    return {"in": ins, "h": h, "w": w, "c": c, "out": node.shape, "oh": oh, "ow": ow, "oc": oc,
            "mode": mode, "pad_node": pad_node, "pre_pad": pre, "axes": axes, "square": axes[0] == axes[1],
            "formula_ok": all(a["ok"] for a in axes),
            "kernel": tuple(kernel), "stride": tuple(stride),
            "halves": h is not None and oh is not None and oh * 2 in (h, h + 1) and ow * 2 in (w, w + 1)}
