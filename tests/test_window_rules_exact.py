"""The sliding-window helpers (archcompiler/layers/windows.py, conv_output_length) and the window kinds'
refusals pinned exactly: Keras' 'same' split (the extra pixel after, as TensorFlow pads), the docs' per-axis
formula figures, the padding forms, and each impossible shape's message, field, hint and code, worked out by
hand. Pure Python (no Keras)."""

import pytest
from kind_stand_in import infer, refusal

from archcompiler.layers import KINDS, ShapeError
from archcompiler.layers.base import conv_output_length, fmt_shape, need_rank
from archcompiler.layers.windows import (
    axis_facts,
    check_stride_with_dilation,
    pads_1d,
    pads_2d,
    same_pad,
    stride_text,
)


@pytest.mark.parametrize("n, k, s, padding, d, out", [
    (10, 3, 1, "valid", 1, 8), (10, 3, 2, "valid", 1, 4), (10, 3, 3, "valid", 1, 3), (10, 3, 1, "valid", 2, 6),
    (10, 1, 1, "valid", 5, 10), (7, 7, 1, "valid", 1, 1), (10, 3, 1, "same", 1, 10), (10, 3, 3, "same", 1, 4),
    (9, 3, 3, "same", 1, 3), (11, 5, 2, "same", 3, 6), (None, 3, 1, "valid", 1, None), (None, 3, 2, "same", 1, None),
    (5, 3, 1, "causal", 1, 3),  # causal is handled by the conv1d kind; the generic rule is valid's
])
def test_conv_output_length(n, k, s, padding, d, out):
    assert conv_output_length(n, k, s, padding, d) == out


def test_conv_output_length_dilation_defaults_to_one():
    assert conv_output_length(10, 3, 1, "valid") == 8


@pytest.mark.parametrize("n, k, s, pads", [
    (10, 3, 1, (1, 1)), (10, 4, 1, (1, 2)), (10, 3, 2, (0, 1)), (9, 3, 2, (1, 1)), (7, 1, 1, (0, 0)),
    (5, 7, 1, (3, 3)), (4, 1, 3, (0, 0)), (None, 3, 1, None), (224, 7, 2, (2, 3)),
])
def test_same_padding_puts_the_extra_pixel_after(n, k, s, pads):
    assert same_pad(n, k, s) == pads


def test_axis_facts_show_the_formula_with_this_layers_numbers():
    # (12 − 5 + 1 + 2) // 2 + 1 = 6, with a kernel 3 dilated by 2 (effective 5)
    assert axis_facts(12, 3, 2, 2, (1, 2), 6) == {
        "n": 12, "k": 3, "ek": 5, "s": 2, "d": 2, "pad": (1, 2), "out": 6, "known": True, "ok": True,
        "sym": False, "p": 1, "num": 10}
    wrong = axis_facts(12, 3, 1, 1, (0, 0), 11)  # the formula gives 10
    assert wrong["ok"] is False and wrong["known"] is True and wrong["sym"] is True and wrong["num"] == 9
    unknown = axis_facts(None, 3, 1, 1, (0, 0), None)
    assert (unknown["known"], unknown["ok"], unknown["num"], unknown["p"]) == (False, False, None, 0)
    no_pad = axis_facts(12, 3, 1, 1, None, 10)
    assert (no_pad["known"], no_pad["sym"], no_pad["p"], no_pad["num"]) == (False, False, None, None)


@pytest.mark.parametrize("padding, pads", [
    (2, ((2, 2), (2, 2))), ((1, 3), ((1, 1), (3, 3))), (((1, 2), (3, 4)), ((1, 2), (3, 4))),
    ([[0, 1], [2, 0]], ((0, 1), (2, 0))),
])
def test_pads_2d_forms(padding, pads):
    assert pads_2d(padding) == pads


def test_pads_1d_forms():
    assert pads_1d(3) == (3, 3) and pads_1d((1, 4)) == (1, 4) and pads_1d([2, 0]) == (2, 0)


def test_stride_text():
    assert [stride_text(s) for s in ((1, 1), (2, 2), (2, 1), (1, 3))] == ["1", "2", "2×1", "1×3"]


def test_stride_with_dilation_message():
    check_stride_with_dilation((2, 2), (1, 1))
    check_stride_with_dilation((1, 1), (3, 3))
    check_stride_with_dilation(1, 4)
    with pytest.raises(ShapeError) as info:
        check_stride_with_dilation((1, 2), (2, 1))
    e = info.value
    assert (e.message, e.field, e.hint, e.code) == (
        "stride (1, 2) with dilation (2, 1): Keras cannot combine a stride above 1 with a dilation above 1, "
        "not even on different axes", "dilation",
        "keep stride 1 with the dilation and downsample in a pooling layer after it", "E-KERAS-STRIDE-DILATION")
    with pytest.raises(ShapeError):
        check_stride_with_dilation(2, 2)
    with pytest.raises(ShapeError):
        check_stride_with_dilation([2, 1], [1, 2])


LARGER_HINT = "use padding: same, a smaller kernel, or fewer downsampling layers before it (or a larger input)"


def test_a_window_larger_than_the_input():
    assert refusal("conv2d", [(5, 7, 1)], filters=1, kernel=[5, 8]) == (
        "kernel 8 is larger than the input ((5, 7, 1)): the output would be empty", "kernel", LARGER_HINT, "E-SHAPE")
    assert refusal("conv2d", [(6, 9, 1)], filters=1, kernel=3, dilation=3)[0] == (
        "kernel 7 is larger than the input ((6, 9, 1)): the output would be empty")
    assert refusal("maxpool2d", [(3, 8, 2)], pool=[4, 2]) == (
        "pooling window 4 is larger than the input ((3, 8, 2)): the output would be empty", "pool", LARGER_HINT,
        "E-SHAPE")
    assert refusal("depthwise_conv2d", [(4, 2, 3)], kernel=3)[:2] == (
        "kernel 3 is larger than the input ((4, 2, 3)): the output would be empty", "kernel")


def test_window_kinds_refuse_other_ranks():
    assert refusal("conv2d", [(5, 7)], filters=1, kernel=3) == (
        "conv2d expects an input of rank 3 (without batch), got shape (5, 7)", "", "", "E-SHAPE")
    assert refusal("maxpool2d", [(5, 7, 2, 1)])[0] == (
        "maxpool2d expects an input of rank 3 (without batch), got shape (5, 7, 2, 1)")
    assert refusal("conv1d", [(5, 7, 2)], filters=1, kernel=3)[0] == (
        "conv1d expects an input of rank 2 (without batch), got shape (5, 7, 2)")
    need_rank((1, None), 2, "x")
    assert fmt_shape((None, 3)) == "(None, 3)" and fmt_shape(()) == "()"


def test_conv2d_channel_refusals():
    assert refusal("conv2d", [(8, 8, None)], filters=6, kernel=1) == (
        "the number of input channels must be known", "", "", "E-SHAPE")
    assert refusal("conv2d", [(8, 8, 6)], filters=8, kernel=1, groups=3) == (
        "groups=3 must divide both the input channels (6) and the filters (8)", "groups", "", "E-SHAPE")
    assert refusal("conv2d", [(8, 8, 4)], filters=6, kernel=1, groups=4)[1] == "groups"
    r = infer("conv2d", [(8, 8, 6)], filters=6, kernel=1, groups=6)  # depthwise-like: one channel a group
    assert r.trainable == 6 + 6 and r.macs == 8 * 8 * 6


def test_conv2d_with_an_unknown_size_counts_no_macs():
    r = infer("conv2d", [(None, 8, 3)], filters=2, kernel=3)
    assert r.shapes == [(None, 6, 2)] and r.macs == 0 and r.trainable == 3 * 3 * 3 * 2 + 2


def test_pool2d_shapes_and_no_parameters():
    r = infer("maxpool2d", [(9, 7, 4)], pool=[3, 2], stride=[3, 1])
    assert r.shapes == [(3, 6, 4)] and (r.trainable, r.non_trainable, r.macs) == (0, 0, 0)
    assert infer("avgpool2d", [(9, 7, 4)], pool=2, padding="same").shapes == [(5, 4, 4)]
    assert infer("maxpool2d", [(9, 7, 4)]).shapes == [(4, 3, 4)]  # 2×2, stride the window


def test_pool1d_shapes_and_refusal():
    assert infer("maxpool1d", [(9, 4)], pool=3).shapes == [(3, 4)]
    assert infer("avgpool1d", [(9, 4)], pool=3, stride=2).shapes == [(4, 4)]
    assert infer("maxpool1d", [(9, 4)], pool=4, padding="same").shapes == [(3, 4)]
    assert infer("maxpool1d", [(None, 4)], pool=4).shapes == [(None, 4)]
    assert refusal("maxpool1d", [(3, 4)], pool=4) == (
        "pooling window 4 is longer than the sequence (3)", "pool", "", "E-SHAPE")
    assert infer("maxpool1d", [(4, 4)], pool=4).shapes == [(1, 4)]
    assert refusal("avgpool1d", [(3, 4, 1)], pool=2)[0] == (
        "avgpool1d expects an input of rank 2 (without batch), got shape (3, 4, 1)")


def test_numeric_pool_padding_expands_into_a_zero_padding_then_valid():
    pool = KINDS["maxpool2d"].model_validate({"type": "maxpool2d", "pool": 3, "stride": 2, "padding": [1, 2]})
    (pad_suffix, pad), (pool_suffix, valid) = pool.expand()
    assert (pad_suffix, pad.type, pad.padding, pool_suffix, valid.type, valid.padding) == (
        "_pad", "zeropad2d", (1, 2), "", "maxpool2d", "valid")
    assert (valid.pool, valid.stride) == ((3, 3), (2, 2))
    padded = pad.infer([(9, 9, 4)]).shapes[0]
    assert padded == (11, 13, 4) and valid.infer([padded]).shapes == [(5, 6, 4)]
    same = KINDS["avgpool2d"].model_validate({"type": "avgpool2d", "padding": "same"})
    assert [(suffix, layer.padding) for suffix, layer in same.expand()] == [("", "same")]


@pytest.mark.parametrize("kind, fields", [("depthwise_conv2d", {}), ("separable_conv2d", {"filters": 4})])
def test_depthwise_and_separable_refusals_and_unknown_sizes(kind, fields):
    assert refusal(kind, [(6, 6, None)], kernel=3, **fields) == (
        "the number of input channels must be known", "", "", "E-SHAPE")
    assert refusal(kind, [(6, 6)], kernel=3, **fields)[0] == (
        f"{kind} expects an input of rank 3 (without batch), got shape (6, 6)")
    assert refusal(kind, [(2, 6, 3)], kernel=3, **fields)[:2] == (
        "kernel 3 is larger than the input ((2, 6, 3)): the output would be empty", "kernel")
    for shape in ((None, 6, 3), (6, None, 3)):  # an unknown size: no MACs counted, weights still known
        r = infer(kind, [shape], kernel=3, **fields)
        assert r.macs == 0 and r.trainable > 0


def test_depthwise_and_separable_figures():
    d = infer("depthwise_conv2d", [(9, 7, 3)], kernel=[3, 2], depth_multiplier=2, use_bias=False)
    assert (d.shapes, d.trainable, d.macs) == ([(7, 6, 6)], 3 * 2 * 6, 7 * 6 * 6 * 6)
    s = infer("separable_conv2d", [(9, 7, 3)], filters=5, kernel=[3, 2], depth_multiplier=2)
    # depthwise 3·2·6 = 36, pointwise 6·5 = 30, bias 5; MACs per position 6·6 + 6·5
    assert (s.shapes, s.trainable, s.macs) == ([(7, 6, 5)], 36 + 30 + 5, 42 * (36 + 30))


@pytest.mark.parametrize("kind, fields", [("depthwise_conv2d", {}), ("separable_conv2d", {"filters": 4})])
def test_depthwise_and_separable_numeric_padding_expands(kind, fields):
    layer = KINDS[kind].model_validate({"type": kind, "kernel": 3, "padding": [[1, 0], [2, 1]], **fields})
    (pad_suffix, pad), (suffix, valid) = layer.expand()
    assert (pad_suffix, pad.type, pad.padding, suffix, valid.type, valid.padding) == (
        "_pad", "zeropad2d", ((1, 0), (2, 1)), "", kind, "valid")
    same = KINDS[kind].model_validate({"type": kind, "kernel": 3, "padding": "same", **fields})
    assert [(s, x.padding) for s, x in same.expand()] == [("", "same")]
