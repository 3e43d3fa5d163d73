"""Rules pinned exactly where a one-character slip would hide: non-square windows, padding order, reshape's
-1, Conv1D, attention's separate inputs, the MACs Keras has no number for, every safety limit at its edge
and one past it, and text in expressions. Pure Python (no Keras): the fast tier mutation testing runs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.errors import SpecErrors
from archcompiler.expr import ExprError, evaluate, substitute
from archcompiler.layers import KINDS, ShapeError
from archcompiler.source import load_file, load_yaml


def layer(kind, **fields):
    return KINDS[kind].model_validate({"type": kind, **fields})


def infer(kind, shapes, **fields):
    return layer(kind, **fields).infer(shapes)


def out_len(n, k, s, padding="valid", d=1):
    """The output length of a window by hand: ⌈n / s⌉ for 'same', else ⌊(n − effective) / s⌋ + 1."""
    return -(-n // s) if padding == "same" else (n - ((k - 1) * d + 1)) // s + 1


# --- windows: non-square kernels and strides, every 2-D kind ------------------------------------

sizes = st.integers(1, 6)


@given(kh=sizes, kw=sizes, sh=st.integers(1, 4), sw=st.integers(1, 4), h=st.integers(6, 30),
       w=st.integers(6, 30), c=st.integers(1, 5), f=st.integers(1, 5), padding=st.sampled_from(["valid", "same"]),
       bias=st.booleans())
def test_conv2d_rectangular(kh, kw, sh, sw, h, w, c, f, padding, bias):
    r = infer("conv2d", [(h, w, c)], filters=f, kernel=[kh, kw], stride=[sh, sw], padding=padding, use_bias=bias)
    oh, ow = out_len(h, kh, sh, padding), out_len(w, kw, sw, padding)
    assert r.shapes == [(oh, ow, f)]
    assert r.trainable == kh * kw * c * f + (f if bias else 0)
    assert r.macs == oh * ow * f * kh * kw * c


def test_conv2d_values_pinned():
    r = infer("conv2d", [(11, 13, 3)], filters=5, kernel=[3, 5], stride=[2, 3])
    assert r.shapes == [(5, 3, 5)] and r.trainable == 3 * 5 * 3 * 5 + 5 == 230 and r.macs == 5 * 3 * 5 * 45
    g = infer("conv2d", [(8, 8, 6)], filters=9, kernel=[3, 1], groups=3, use_bias=False)
    assert g.shapes == [(6, 8, 9)] and g.trainable == 3 * 1 * 2 * 9 and g.macs == 6 * 8 * 9 * 3 * 2
    d = infer("conv2d", [(12, 12, 2)], filters=3, kernel=3, dilation=[2, 3])
    assert d.shapes == [(8, 6, 3)] and d.macs == 8 * 6 * 3 * 9 * 2


def test_conv2d_groups_must_divide_both():
    with pytest.raises(ShapeError) as info:
        infer("conv2d", [(8, 8, 6)], filters=8, kernel=1, groups=3)
    assert info.value.field == "groups"
    with pytest.raises(ShapeError):
        infer("conv2d", [(8, 8, 4)], filters=6, kernel=1, groups=4)
    with pytest.raises(ShapeError):
        infer("conv2d", [(8, 8, None)], filters=6, kernel=1)


def test_a_window_exactly_the_input_fits_and_one_more_does_not():
    assert infer("conv2d", [(5, 7, 1)], filters=1, kernel=[5, 7]).shapes == [(1, 1, 1)]
    with pytest.raises(ShapeError):
        infer("conv2d", [(5, 7, 1)], filters=1, kernel=[5, 8])
    with pytest.raises(ShapeError):
        infer("conv2d", [(5, 7, 1)], filters=1, kernel=[6, 7])
    with pytest.raises(ShapeError):  # dilation widens the window: (3 - 1) * 3 + 1 = 7 > 6
        infer("conv2d", [(6, 9, 1)], filters=1, kernel=3, dilation=3)


def test_stride_with_dilation_refused_even_on_different_axes():
    with pytest.raises(ShapeError) as info:
        infer("conv2d", [(9, 9, 1)], filters=1, kernel=3, stride=[1, 2], dilation=[2, 1])
    assert info.value.code == "E-KERAS-STRIDE-DILATION"


@given(kh=sizes, kw=sizes, sh=st.integers(1, 3), sw=st.integers(1, 3), h=st.integers(6, 20), w=st.integers(6, 20),
       c=st.integers(1, 4), m=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]))
def test_depthwise_rectangular(kh, kw, sh, sw, h, w, c, m, padding):
    r = infer("depthwise_conv2d", [(h, w, c)], kernel=[kh, kw], stride=[sh, sw], padding=padding, depth_multiplier=m)
    oh, ow = out_len(h, kh, sh, padding), out_len(w, kw, sw, padding)
    assert r.shapes == [(oh, ow, c * m)]
    assert r.trainable == kh * kw * c * m + c * m and r.macs == oh * ow * c * m * kh * kw


@given(kh=sizes, kw=sizes, sh=st.integers(1, 3), sw=st.integers(1, 3), h=st.integers(6, 20), w=st.integers(6, 20),
       c=st.integers(1, 4), m=st.integers(1, 3), f=st.integers(1, 5), bias=st.booleans())
def test_separable_rectangular(kh, kw, sh, sw, h, w, c, m, f, bias):
    r = infer("separable_conv2d", [(h, w, c)], filters=f, kernel=[kh, kw], stride=[sh, sw], depth_multiplier=m,
              use_bias=bias)
    oh, ow = out_len(h, kh, sh), out_len(w, kw, sw)
    assert r.shapes == [(oh, ow, f)]
    assert r.trainable == kh * kw * c * m + c * m * f + (f if bias else 0)
    assert r.macs == oh * ow * (c * m * kh * kw + c * m * f)


@given(ph=sizes, pw=sizes, sh=st.integers(1, 4), sw=st.integers(1, 4), h=st.integers(6, 30), w=st.integers(6, 30),
       kind=st.sampled_from(["maxpool2d", "avgpool2d"]), padding=st.sampled_from(["valid", "same"]))
def test_pool2d_rectangular(ph, pw, sh, sw, h, w, kind, padding):
    r = infer(kind, [(h, w, 3)], pool=[ph, pw], stride=[sh, sw], padding=padding)
    assert r.shapes == [(out_len(h, ph, sh, padding), out_len(w, pw, sw, padding), 3)] and r.macs == 0


def test_pool2d_stride_defaults_to_the_window():
    assert infer("maxpool2d", [(12, 12, 2)], pool=[3, 2]).shapes == [(4, 6, 2)]


@given(kh=sizes, kw=sizes, sh=st.integers(1, 3), sw=st.integers(1, 3), h=st.integers(1, 10), w=st.integers(1, 10),
       c=st.integers(1, 4), f=st.integers(1, 4), padding=st.sampled_from(["valid", "same"]))
def test_conv2d_transpose_rectangular(kh, kw, sh, sw, h, w, c, f, padding):
    r = infer("conv2d_transpose", [(h, w, c)], filters=f, kernel=[kh, kw], stride=[sh, sw], padding=padding)
    # Keras: 'same' gives n·s; 'valid' gives n·s + max(k − s, 0)
    oh = h * sh if padding == "same" else h * sh + max(kh - sh, 0)
    ow = w * sw if padding == "same" else w * sw + max(kw - sw, 0)
    assert r.shapes == [(oh, ow, f)]
    assert r.trainable == kh * kw * c * f + f and r.macs == h * w * kh * kw * c * f


def test_upsampling_and_cropping_rows_then_cols():
    assert infer("upsampling2d", [(3, 5, 2)], size=[2, 3]).shapes == [(6, 15, 2)]
    assert infer("cropping2d", [(10, 12, 2)], cropping=[1, 2]).shapes == [(8, 8, 2)]
    assert infer("cropping2d", [(10, 12, 2)], cropping=[[1, 2], [3, 4]]).shapes == [(7, 5, 2)]
    assert infer("cropping1d", [(10, 2)], cropping=[1, 3]).shapes == [(6, 2)]


# --- padding: two values are (rows, cols); four are ((top, bottom), (left, right)) ----------------

def test_zeropad_two_values_are_rows_then_cols():
    assert infer("zeropad2d", [(10, 20, 3)], padding=[1, 4]).shapes == [(12, 28, 3)]
    assert infer("zeropad2d", [(10, 20, 3)], padding=[[1, 2], [3, 5]]).shapes == [(13, 28, 3)]
    assert infer("zeropad2d", [(10, 20, 3)], padding=2).shapes == [(14, 24, 3)]
    assert infer("zeropad1d", [(10, 3)], padding=[1, 4]).shapes == [(15, 3)]
    assert infer("zeropad1d", [(10, 3)]).shapes == [(12, 3)]


def test_numeric_conv_padding_expands_into_a_zero_padding_then_valid():
    conv = layer("conv2d", filters=2, kernel=3, padding=[1, 3])
    (pad_suffix, pad), (conv_suffix, valid) = conv.expand()
    assert (pad_suffix, conv_suffix, pad.type, valid.padding) == ("_pad", "", "zeropad2d", "valid")
    padded = pad.infer([(10, 20, 1)]).shapes[0]
    assert padded == (12, 26, 1) and valid.infer([padded]).shapes == [(10, 24, 2)]
    assert layer("conv2d", filters=2, kernel=3, padding="same").expand()[0][1].padding == "same"


# --- reshape with -1 ------------------------------------------------------------------------------

@given(a=st.integers(1, 6), b=st.integers(1, 6), c=st.integers(1, 6), where=st.integers(0, 1))
def test_reshape_minus_one_is_the_rest(a, b, c, where):
    target = [-1, a * b] if where == 0 else [a * b, -1]
    expected = (c, a * b) if where == 0 else (a * b, c)
    assert infer("reshape", [(a, b, c)], shape=target).shapes == [expected]


def test_reshape_refusals():
    assert infer("reshape", [(4, 6)], shape=[3, 8]).shapes == [(3, 8)]
    for bad in ([5, -1], [3, 9], [-1, -1], [0, 24], [-2, -12]):
        with pytest.raises(ShapeError):
            infer("reshape", [(4, 6)], shape=bad)
    with pytest.raises(ShapeError):
        infer("reshape", [(None, 6)], shape=[-1])


# --- sequences: Conv1D, pooling, attention's separate inputs -----------------------------------

@given(n=st.integers(8, 40), k=st.integers(1, 5), s=st.integers(1, 3), c=st.integers(1, 4), f=st.integers(1, 4),
       padding=st.sampled_from(["valid", "same", "causal"]))
def test_conv1d(n, k, s, c, f, padding):
    r = infer("conv1d", [(n, c)], filters=f, kernel=k, stride=s, padding=padding)
    out = -(-n // s) if padding != "valid" else (n - k) // s + 1
    assert r.shapes == [(out, f)] and r.trainable == k * c * f + f and r.macs == out * f * k * c


def test_conv1d_pinned():
    r = infer("conv1d", [(20, 4)], filters=6, kernel=3, dilation=2, groups=2, use_bias=False)
    assert r.shapes == [(16, 6)] and r.trainable == 3 * 2 * 6 and r.macs == 16 * 6 * 3 * 2
    assert infer("maxpool1d", [(11, 3)], pool=3).shapes == [(3, 3)]
    assert infer("avgpool1d", [(11, 3)], pool=3, stride=2, padding="same").shapes == [(6, 3)]


def test_attention_reads_its_separate_value():
    r = infer("attention", [(4, 6), (7, 9), (7, 6)])
    assert r.shapes == [(4, 9)] and r.macs == 4 * 7 * (6 + 9) and r.trainable == 0
    assert infer("attention", [(4, 6), (7, 6)], scale=True).trainable == 1  # key: the value
    with pytest.raises(ShapeError):
        infer("attention", [(4, 6), (7, 9), (7, 5)])
    a = infer("additive_attention", [(4, 6), (7, 9), (7, 6)])
    assert a.shapes == [(4, 9)] and a.trainable == 6 and a.macs == 4 * 7 * 15
    assert infer("additive_attention", [(4, 6), (7, 6)], scale=False).trainable == 0


def test_multi_head_attention_separate_query_value_key():
    mha = layer("multi_head_attention", heads=3, key_dim=5, value_dim=7).settle([(4, 8), (6, 10), (6, 12)])
    r = mha.infer([(4, 8), (6, 10), (6, 12)])
    q, k, v, o = 8 * 15 + 15, 12 * 15 + 15, 10 * 21 + 21, 21 * 8 + 8
    assert r.shapes == [(4, 8)] and r.trainable == q + k + v + o
    assert r.macs == 4 * 8 * 15 + 6 * 12 * 15 + 6 * 10 * 21 + 4 * 6 * 3 * (5 + 7) + 4 * 21 * 8
    self_attention = layer("multi_head_attention", heads=2).settle([(6, 8)])
    assert self_attention.key_dim == 4
    with pytest.raises(ShapeError):
        layer("multi_head_attention", heads=3).settle([(6, 8)])


# --- MACs Keras has no figure for ---------------------------------------------------------------

@pytest.mark.parametrize("kind, gates", [("simple_rnn", 1), ("lstm", 4), ("gru", 3)])
def test_recurrent_macs_are_steps_times_two_products(kind, gates):
    r = infer(kind, [(7, 5)], units=4)
    assert r.macs == 7 * gates * 4 * (5 + 4)
    assert infer(kind, [(7, 5)], units=4, bidirectional=True).macs == 2 * r.macs
    assert infer(kind, [(None, 5)], units=4).macs == gates * 4 * (5 + 4)  # a varying length: one step


def test_recurrent_params():
    assert infer("simple_rnn", [(7, 5)], units=4).trainable == 4 * (5 + 4 + 1)
    assert infer("lstm", [(7, 5)], units=4).trainable == 4 * 4 * (5 + 4 + 1)
    assert infer("gru", [(7, 5)], units=4).trainable == 3 * 4 * (5 + 4 + 2)
    assert infer("gru", [(7, 5)], units=4, reset_after=False).trainable == 3 * 4 * (5 + 4 + 1)


def test_elementwise_macs_and_unknown_sizes():
    bn = infer("batchnorm", [(5, 6, 3)])
    assert bn.macs == 2 * 90 and bn.trainable == 6 and bn.non_trainable == 6
    assert infer("batchnorm", [(5, 6, 3)], scale=False).trainable == 3
    assert infer("batchnorm", [(None, 3)]).macs == 2 * 3  # an unknown length counts once
    assert infer("layernorm", [(5, 6)]).macs == 60 and infer("layernorm", [(5, 6)]).trainable == 12
    assert infer("layer_scale", [(5, 6)]).macs == 30
    assert infer("position_embedding", [(7, 4)], length=10).macs == 28
    assert infer("dense", [(5, 12)], units=7).macs == 5 * 12 * 7
    assert infer("dense", [(None, 12)], units=7).macs == 12 * 7
    assert infer("conv2d", [(None, None, 3)], filters=2, kernel=3).macs == 0
    assert infer("dense", [(12,)], units=7, use_bias=False).trainable == 84


# --- safety limits: exactly at the edge, and one past it ------------------------------------

def _values(n):
    """A spec-shaped YAML document that expands to exactly ``n`` values (aliases count each time)."""
    assert n >= 1003
    aliases, rest = divmod(n - 1003, 1001)  # root, 'a' (1 + 1000), 'b' (1 + aliases × 1001), 'c'
    pad = rest - 1 if rest else 0
    doc = "a: &x [" + ", ".join(["0"] * 1000) + "]\nb: [" + ", ".join(["*x"] * aliases) + "]\n"
    return doc + ("c: [" + ", ".join(["0"] * pad) + "]\n" if rest else "")


def test_value_budget_edge():
    load_yaml(_values(200_000))
    with pytest.raises(SpecErrors) as info:
        load_yaml(_values(200_001))
    assert info.value.errors[0].code == "E-YAML-TOO-BIG" and "200,000 values" in info.value.errors[0].message


def test_nesting_depth_edge():
    load_yaml("a: " + "[" * 63 + "0" + "]" * 63)
    with pytest.raises(SpecErrors) as info:
        load_yaml("a: " + "[" * 64 + "0" + "]" * 64)
    assert "nesting deeper than 64 levels" in info.value.errors[0].message


def test_file_size_edge(tmp_path):
    text = "a: 1\n#" + "x" * (1_000_000 - 7) + "\n"
    assert len(text.encode()) == 1_000_000
    assert load_yaml(text) == {"a": 1}
    path = tmp_path / "big.yaml"
    path.write_text(text)
    assert load_file(path) == {"a": 1}
    for load in (lambda t: load_yaml(t), lambda t: (path.write_text(t), load_file(path))):
        with pytest.raises(SpecErrors) as info:
            load(text + "#")
        assert info.value.errors[0].code == "E-FILE-TOO-BIG"
    assert "1.0 MB, larger than the 1 MB limit" in info.value.errors[0].message


def _spec(layers, blocks=""):
    return f"name: t\ninputs:\n  x: {{shape: [4]}}\n{blocks}layers:\n{layers}"


def _load(text):
    import archcompiler

    return archcompiler.load(text)


def test_repeat_and_layer_budget_edges():
    """20,000 graph nodes (the input is one), a repeat of at most 10,000: both at the edge, then one past."""
    net = _load(_spec("  - {type: relu, repeat: 10000}\n  - {type: relu, repeat: 9999}\n"))
    assert len(net.layers) == 19_999
    with pytest.raises(SpecErrors) as info:
        _load(_spec("  - {type: relu, repeat: 10000}\n  - {type: relu, repeat: 10000}\n"))
    assert [e.code for e in info.value.errors] == ["E-LIMIT"]
    assert "more than 20,000 layers" in info.value.errors[0].message
    with pytest.raises(SpecErrors) as info:
        _load(_spec("  - {type: relu, repeat: 10001}\n"))
    assert "repeat 10,001 is more than the limit of 10,000" in info.value.errors[0].message


def _nested_blocks(depth):
    blocks = "".join(f"  b{i}: {{layers: [{{use: b{i + 1}}}]}}\n" for i in range(1, depth))
    return _spec("  - {use: b1}\n", "blocks:\n" + blocks + f"  b{depth}: {{layers: [{{type: relu}}]}}\n")


def test_block_nesting_edge():
    assert len(_load(_nested_blocks(16)).layers) == 1
    with pytest.raises(SpecErrors) as info:
        _load(_nested_blocks(17))
    assert "blocks nested more than 16 deep" in info.value.errors[0].message


def test_extends_chain_edge(tmp_path):
    import archcompiler

    (tmp_path / "s0.yaml").write_text(_spec("  - {type: relu}\n"))
    for i in range(1, 10):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i - 1}.yaml\n")
    assert len(archcompiler.load(tmp_path / "s8.yaml").layers) == 1
    with pytest.raises(SpecErrors) as info:
        archcompiler.load(tmp_path / "s9.yaml")
    assert info.value.errors[0].code == "E-EXTENDS-DEPTH"


def _range_error(text, names=None):
    with pytest.raises(ExprError) as info:
        evaluate(text, names or {})
    return info.value


def test_integer_limit_edge():
    assert evaluate("10**15", {}) == 10**15 and evaluate("-10**15", {}) == -10**15
    assert evaluate("n", {"n": 10**15}) == 10**15
    assert _range_error("10**15 + 1").code == "E-EXPR-RANGE"
    assert _range_error("-10**15 - 1").code == "E-EXPR-RANGE"
    assert _range_error("1e15 * 1.5").code == "E-EXPR-RANGE"


def test_power_limits_edge():
    assert evaluate("1 ** 64", {}) == 1 and evaluate("1 ** -64", {}) == 1.0
    assert evaluate("1000000 ** 1", {}) == 10**6 and evaluate("(-1000000) ** 1", {}) == -10**6
    for text in ("1 ** 65", "1 ** -65", "1000001 ** 1", "(-1000001) ** 1"):
        error = _range_error(text)
        assert error.message == "exponent too large" and error.code == "E-EXPR-RANGE"


def test_expression_length_edge():
    assert evaluate("1" + " " * 499, {}) == 1
    error = _range_error("1" + " " * 500)
    assert error.code == "E-EXPR-SYNTAX" and "longer than 500" in error.message


def test_text_length_edge():
    names = {"t": "a" * 5000}
    assert evaluate("t + t", names) == "a" * 10_000
    error = _range_error("t + t + 'a'", names)
    assert error.code == "E-EXPR-RANGE" and "longer than 10,000" in error.message


# --- text in expressions ------------------------------------------------------------------

def test_text_joins_and_interpolates():
    assert evaluate("'conv' + '_' + name", {"name": "a"}) == "conv_a"
    assert substitute("${'a' + 'b'}", {}) == "ab"
    assert substitute("x${flag}_${n * 2}", {"flag": True, "n": 3}) == "xtrue_6"
    assert substitute("  ${n}  ", {"n": 3}) == 3  # a whole value stays a number
    assert evaluate("int(' 42 ')", {}) == 42


@pytest.mark.parametrize("text, symbol", [("'a' * 2", "*"), ("'a' + 1", "+"), ("1 + 'a'", "+"), ("'a' - 'b'", "-"),
                                          ("'ab' // 2", "//"), ("'a' % 2", "%")])
def test_arithmetic_on_text_is_refused(text, symbol):
    error = _range_error(text)
    assert error.message.startswith(f"'{symbol}' on text (") and error.hint == "only text + text joins texts"


def test_other_expression_errors():
    assert _range_error("1 / 0").message == "division by zero"
    assert "cannot read 'x'" in _range_error("int('x')").message
    assert _range_error("min()").message == "min() needs at least one number"
    assert _range_error("abs(1, 2)").message == "abs() takes one argument, got 2"
    assert "needs numbers" in _range_error("-'a'").message
    assert "cannot compare" in _range_error("1 < 'a'").message
    assert "unclosed" in pytest.raises(ExprError, substitute, "a${b", {"b": 1}).value.message
    assert evaluate("1 < 2 < 3", {}) is True and evaluate("3 > 2 > 2", {}) is False
    assert evaluate("max(2, 7, 3) - min(4, 1) + abs(-2)", {}) == 8
    assert evaluate("7 // 2 + 7 % 2 + 7 / 2", {}) == 7.5
    assert evaluate("1 if 0 else 2", {}) == 2 and evaluate("not 0 and 1", {}) == 1
    assert evaluate("0 or 5", {}) is True and evaluate("true", {}) is True


def test_tensor_sizes_read_in_expressions():
    from archcompiler.expr import TensorView

    image, seq = {"in": TensorView("in", (8, 6, 3))}, {"x": TensorView("x", (None, 5))}
    assert [evaluate(f"in.{a}", image) for a in ("height", "width", "channels", "rank")] == [8, 6, 3, 3]
    assert evaluate("in.shape[-3] * in.shape[1]", image) == 48 and evaluate("x.steps", seq) is None
    assert evaluate("x.channels", seq) == 5 and substitute("${in.shape}", image) == [8, 6, 3]
    assert "no steps at rank 3" in _range_error("in.steps", image).message
    assert "no height at rank 2" in _range_error("x.height", seq).message
    assert _range_error("in.chanels", image).code == "E-EXPR-NAME"
    assert "out of range for a shape of rank 3" in _range_error("in.shape[3]", image).message
    assert "(None, 5)" in _range_error("x.width", seq).message
