"""The kinds that change a map's size — ``zeropad2d``/``zeropad1d``, ``cropping2d``/``cropping1d``,
``upsampling2d``, the global pools and the transposed convolutions — pinned exactly, without Keras: shapes,
parameters and MACs worked out by hand from Keras' documented rules, every refusal (message, field, hint, code),
the labels and briefs, the Keras call (through a recording stand-in) and the figures the docs explain them with
(``doc_facts``)."""

import pytest
from kind_stand_in import FakeKeras, figures, infer, layer, refusal, words

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.layers import ShapeError
from archcompiler.layers.conv_transpose import transposed_length
from archcompiler.layers.cropping import _cut


def out(kind, shape, **fields):
    return infer(kind, [shape], **fields).shapes[0]


def all_facts(spec):
    graph = archcompiler.load(spec).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items() if not node.is_input}


def rank_refusal(kind, shape, rank):
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return (f"{kind} expects an input of rank {rank} (without batch), got shape ({dims})", "", "", "E-SHAPE")


# --- zero padding -----------------------------------------------------------------------------------------

def test_zero_padding():
    assert figures(infer("zeropad2d", [(8, 8, 3)])) == ([(10, 10, 3)], 0, 0, 0)
    assert out("zeropad2d", (8, 8, 3), padding=[1, 2]) == (10, 12, 3)
    assert out("zeropad2d", (8, 6, 3), padding=[[1, 2], [0, 3]]) == (11, 9, 3)
    assert out("zeropad2d", (None, 6, 3), padding=[[1, 2], [0, 3]]) == (None, 9, 3)
    assert out("zeropad2d", (8, None, 3), padding=[[1, 2], [0, 3]]) == (11, None, 3)
    for shape in ((8, 3), (1, 8, 8, 3)):
        assert refusal("zeropad2d", [shape]) == rank_refusal("zeropad2d", shape, 3)
    assert figures(infer("zeropad1d", [(10, 4)])) == ([(12, 4)], 0, 0, 0)
    assert out("zeropad1d", (10, 4), padding=[2, 3]) == (15, 4)
    assert out("zeropad1d", (None, 4), padding=[2, 3]) == (None, 4)
    assert words(layer("zeropad1d", padding=[2, 3])) == ("zero pad (2,3)", "zero pad (2,3)", "제로 패딩 (2,3)")
    assert words(layer("zeropad1d", padding=[2, 2]))[0] == "zero pad 2"
    for shape in ((10,), (8, 8, 3)):
        assert refusal("zeropad1d", [shape]) == rank_refusal("zeropad1d", shape, 2)


def test_zero_padding_keras_and_words():
    assert layer("zeropad2d").keras(FakeKeras(), "L") == ("ZeroPadding2D", (((1, 1), (1, 1)),), {"name": "L"})
    assert layer("zeropad2d", padding=[[1, 2], [0, 3]]).keras(FakeKeras(), "P") == (
        "ZeroPadding2D", (((1, 2), (0, 3)),), {"name": "P"})
    assert layer("zeropad1d").keras(FakeKeras(), "L") == ("ZeroPadding1D", ((1, 1),), {"name": "L"})
    assert layer("zeropad1d", padding=[2, 3]).keras(FakeKeras(), "Q") == ("ZeroPadding1D", ((2, 3),), {"name": "Q"})
    assert words(layer("zeropad2d")) == ("zero pad 1", "zero pad 1", "제로 패딩 1")
    assert words(layer("zeropad2d", padding=3)) == ("zero pad 3", "zero pad 3", "제로 패딩 3")
    assert words(layer("zeropad2d", padding=[[1, 2], [0, 3]])) == (
        "zero pad (1,2)×(0,3)", "zero pad (1,2)×(0,3)", "제로 패딩 (1,2)×(0,3)")
    assert words(layer("zeropad2d", padding=[2, 2])) == ("zero pad 2", "zero pad 2", "제로 패딩 2")
    assert words(layer("zeropad2d", padding=[1, 2]))[0] == "zero pad (1,1)×(2,2)"
    assert words(layer("zeropad1d", padding=2)) == ("zero pad 2", "zero pad 2", "제로 패딩 2")
    assert (layer("zeropad2d").default_name(), layer("zeropad1d").default_name()) == (
        "zero_padding2d", "zero_padding1d")


PADS = """
name: pads
inputs:
  x: {shape: [8, 6, 3]}
  s: {shape: [10, 4]}
layers:
  - {type: zeropad2d, name: p, inputs: [x], padding: [[1, 2], [0, 3]]}
  - {type: conv2d, name: c, filters: 4, kernel: 3}
  - {type: zeropad2d, name: q, inputs: [x]}
  - {type: conv2d, name: c1, inputs: [q], filters: 4, kernel: 3}
  - {type: conv2d, name: c2, inputs: [q], filters: 4, kernel: 3}
  - {type: zeropad1d, name: z, inputs: [s], padding: [2, 3]}
outputs: [c, c1, c2, z]
"""


def test_zero_padding_doc_facts():
    f = all_facts(PADS)
    assert f["p"] == {"in": (8, 6, 3), "out": (11, 9, 3), "top": 1, "bottom": 2, "left": 0, "right": 3,
                      "uniform": False, "h": 8, "w": 6, "oh": 11, "ow": 9, "c": 3, "for": "c"}
    assert (f["q"]["uniform"], f["q"]["for"], f["q"]["out"]) == (True, None, (10, 8, 3))
    assert f["z"] == {"in": (10, 4), "out": (15, 4), "before": 2, "after": 3, "steps": 10, "out_steps": 15}


# --- cropping ---------------------------------------------------------------------------------------------

def test_cropping():
    assert figures(infer("cropping2d", [(8, 6, 3)], cropping=[[1, 2], [0, 3]])) == ([(5, 3, 3)], 0, 0, 0)
    assert out("cropping2d", (8, 8, 3)) == (8, 8, 3)
    assert out("cropping2d", (8, 8, 3), cropping=[1, 2]) == (6, 4, 3)
    assert out("cropping2d", (None, 8, 3), cropping=1) == (None, 6, 3)
    assert out("cropping2d", (8, None, 3), cropping=1) == (6, None, 3)
    assert out("cropping2d", (3, 3, 3), cropping=1) == (1, 1, 3)
    hint = "crop less than the input's size"
    assert refusal("cropping2d", [(3, 8, 3)], cropping=[[1, 2], [0, 0]]) == (
        "cropping 1 + 2 along axis 0 leaves nothing of (3, 8, 3)", "cropping", hint, "E-SHAPE")
    assert refusal("cropping2d", [(8, 4, 3)], cropping=[[0, 0], [2, 2]]) == (
        "cropping 2 + 2 along axis 1 leaves nothing of (8, 4, 3)", "cropping", hint, "E-SHAPE")
    assert refusal("cropping2d", [(8, 3)]) == rank_refusal("cropping2d", (8, 3), 3)
    assert figures(infer("cropping1d", [(10, 4)])) == ([(8, 4)], 0, 0, 0)
    assert out("cropping1d", (10, 4), cropping=[2, 3]) == (5, 4)
    assert out("cropping1d", (None, 4), cropping=[2, 3]) == (None, 4)
    assert refusal("cropping1d", [(4, 4)], cropping=2) == (
        "cropping 2 + 2 along axis 0 leaves nothing of (4, 4)", "cropping", hint, "E-SHAPE")
    assert refusal("cropping1d", [(8, 4, 3)]) == rank_refusal("cropping1d", (8, 4, 3), 2)
    # the schema refuses a negative cropping; the rule refuses it too
    for args in ((5, -1, 0), (5, 0, -1), (None, -1, 0)):
        with pytest.raises(ShapeError) as info:
            _cut(*args, 0, (5,))
        assert (info.value.message, info.value.field) == ("cropping cannot be negative", "cropping")
    assert (_cut(5, 0, 0, 0, (5,)), _cut(5, 2, 2, 0, (5,)), _cut(None, 0, 0, 0, (None,))) == (5, 1, None)


def test_cropping_keras_and_words():
    assert layer("cropping2d", cropping=1).keras(FakeKeras(), "L") == ("Cropping2D", (((1, 1), (1, 1)),),
                                                                      {"name": "L"})
    assert layer("cropping2d", cropping=[[1, 2], [0, 3]]).keras(FakeKeras(), "C") == (
        "Cropping2D", (((1, 2), (0, 3)),), {"name": "C"})
    assert layer("cropping1d").keras(FakeKeras(), "L") == ("Cropping1D", ((1, 1),), {"name": "L"})
    assert layer("cropping1d", cropping=[2, 3]).keras(FakeKeras(), "D") == ("Cropping1D", ((2, 3),), {"name": "D"})
    assert words(layer("cropping2d", cropping=2)) == ("crop 2", "crop 2", "자르기 2")
    assert words(layer("cropping2d", cropping=[[1, 2], [0, 3]])) == (
        "crop (1,2)×(0,3)", "crop (1,2)×(0,3)", "자르기 (1,2)×(0,3)")
    assert words(layer("cropping2d", cropping=[1, 2]))[0] == "crop (1,1)×(2,2)"
    assert words(layer("cropping1d")) == ("crop 1", "crop 1", "자르기 1")
    assert words(layer("cropping1d", cropping=[2, 3])) == ("crop (2,3)", "crop (2,3)", "자르기 (2,3)")
    assert words(layer("cropping1d", cropping=[2, 2])) == ("crop 2", "crop 2", "자르기 2")
    assert (layer("cropping2d").default_name(), layer("cropping1d").default_name()) == ("cropping2d", "cropping1d")


CROPS = """
name: crops
inputs:
  x: {shape: [8, 6, 3]}
  s: {shape: [10, 4]}
layers:
  - {type: cropping2d, name: c, inputs: [x], cropping: [[1, 2], [0, 3]]}
  - {type: cropping2d, name: u, inputs: [x], cropping: 1}
  - {type: cropping1d, name: d, inputs: [s], cropping: [2, 3]}
  - {type: cropping1d, name: e, inputs: [s]}
outputs: [c, u, d, e]
"""


def test_cropping_doc_facts():
    f = all_facts(CROPS)
    assert f["c"] == {"in": (8, 6, 3), "out": (5, 3, 3), "cuts": [(1, 2), (0, 3)], "uniform": False, "image": True,
                      "source": "x"}
    assert (f["u"]["uniform"], f["u"]["cuts"], f["u"]["out"]) == (True, [(1, 1), (1, 1)], (6, 4, 3))
    assert f["d"] == {"in": (10, 4), "out": (5, 4), "cuts": [(2, 3)], "uniform": False, "image": False,
                      "source": "s"}
    assert (f["e"]["uniform"], f["e"]["cuts"]) == (True, [(1, 1)])


# --- upsampling -------------------------------------------------------------------------------------------

def test_upsampling():
    assert figures(infer("upsampling2d", [(4, 5, 3)])) == ([(8, 10, 3)], 0, 0, 0)
    assert out("upsampling2d", (4, 5, 3), size=[2, 3]) == (8, 15, 3)
    assert out("upsampling2d", (None, 5, 3), size=[2, 3]) == (None, 15, 3)
    assert out("upsampling2d", (4, None, 3), size=[2, 3]) == (8, None, 3)
    assert refusal("upsampling2d", [(4, 3)]) == rank_refusal("upsampling2d", (4, 3), 3)
    assert layer("upsampling2d").keras(FakeKeras(), "L") == ("UpSampling2D", ((2, 2),), {"interpolation": "nearest",
                                                                                         "name": "L"})
    assert layer("upsampling2d", size=3, interpolation="bilinear").keras(FakeKeras(), "U") == (
        "UpSampling2D", ((3, 3),), {"interpolation": "bilinear", "name": "U"})
    assert words(layer("upsampling2d")) == ("upsample ×2", "upsample ×2", "업샘플링 ×2")
    assert words(layer("upsampling2d", size=3, interpolation="bilinear")) == (
        "upsample ×3, bilinear", "upsample ×3, bilinear", "업샘플링 ×3, 쌍선형 보간")
    assert words(layer("upsampling2d", size=2, interpolation="bicubic")) == (
        "upsample ×2, bicubic", "upsample ×2, bicubic", "업샘플링 ×2, bicubic")
    assert layer("upsampling2d", size=[2, 3]).label() == "upsample ×2×3"
    assert layer("upsampling2d").default_name() == "up_sampling2d"
    spec = """
name: up
inputs:
  x: {shape: [4, 5, 3]}
layers:
  - {type: upsampling2d, name: u, inputs: [x], size: [2, 3], interpolation: bilinear}
  - {type: upsampling2d, name: v, inputs: [x]}
outputs: [u, v]
"""
    f = all_facts(spec)
    assert f["u"] == {"in": (4, 5, 3), "out": (8, 15, 3), "size": (2, 3), "interpolation": "bilinear",
                      "nearest": False, "square": False}
    assert f["v"] == {"in": (4, 5, 3), "out": (8, 10, 3), "size": (2, 2), "interpolation": "nearest",
                      "nearest": True, "square": True}


# --- global pools -----------------------------------------------------------------------------------------

GLOBAL = [("global_avgpool2d", "GlobalAveragePooling2D", "global_average_pooling2d", 3, "average",
           "global average pooling", "전역 평균 풀링"),
          ("global_maxpool2d", "GlobalMaxPooling2D", "global_max_pooling2d", 3, "max",
           "global max pooling", "전역 최대 풀링"),
          ("global_avgpool1d", "GlobalAveragePooling1D", "global_average_pooling1d", 2, "average",
           "global average pooling", "전역 평균 풀링"),
          ("global_maxpool1d", "GlobalMaxPooling1D", "global_max_pooling1d", 2, "max",
           "global max pooling", "전역 최대 풀링")]


@pytest.mark.parametrize("kind,cls,name,rank,word,en,ko", GLOBAL)
def test_global_pools(kind, cls, name, rank, word, en, ko):
    shape = (7, 7, 32)[3 - rank:]
    assert figures(infer(kind, [shape])) == ([(32,)], 0, 0, 0)
    assert figures(infer(kind, [(None,) * (rank - 1) + (16,)])) == ([(16,)], 0, 0, 0)
    wrong = (7, 7, 7, 32)[rank - 1:] if rank == 3 else (7, 7, 32)
    assert refusal(kind, [wrong]) == rank_refusal(kind, wrong, rank)
    g = layer(kind)
    assert g.keras(FakeKeras(), "L") == (cls, (), {"name": "L"})
    assert words(g) == (f"global {word} pool", en, ko)
    assert g.default_name() == name


POOLS = """
name: gap
inputs:
  x: {shape: [7, 7, 32]}
  s: {shape: [null, 16]}
layers:
  - {type: global_avgpool2d, name: g, inputs: [x]}
  - {type: dropout, name: d, rate: 0.5}
  - {type: dense, name: o, units: 10}
  - {type: global_maxpool1d, name: m, inputs: [s]}
  - {type: dense, name: o2, units: 3}
  - {type: global_maxpool2d, name: h, inputs: [x]}
outputs: [o, o2, h]
"""


def test_global_pool_doc_facts():
    f = all_facts(POOLS)
    # flattening would feed the dense layer 7·7·32 values, pooling 32: 10 · (1568 − 32) weights fewer
    assert f["g"] == {"in": (7, 7, 32), "out": (32,), "c": 32, "flat": 1568, "spatial": (7, 7), "op": "avg",
                      "next_dense": "o", "next_units": 10, "saved": 10 * (1568 - 32), "params": 0}
    assert f["m"] == {"in": (None, 16), "out": (16,), "c": 16, "flat": None, "spatial": (None,), "op": "max",
                      "next_dense": "o2", "next_units": 3, "saved": None, "params": 0}
    assert f["h"] == {"in": (7, 7, 32), "out": (32,), "c": 32, "flat": 1568, "spatial": (7, 7), "op": "max",
                      "next_dense": None, "next_units": None, "saved": None, "params": 0}


# --- transposed convolutions ------------------------------------------------------------------------------

def test_transposed_length_follows_keras():
    # 'valid': (n − 1)·s + k + max(s − k, 0), or + output_padding
    assert transposed_length(4, 3, 2, "valid", None) == 3 * 2 + 3
    assert transposed_length(4, 2, 3, "valid", None) == 3 * 3 + 2 + 1
    assert transposed_length(4, 3, 2, "valid", 1) == 3 * 2 + 3 + 1
    assert transposed_length(4, 3, 1, "valid", None, dilation=2) == 3 + 5
    assert transposed_length(4, 2, 5, "valid", None, dilation=2) == 3 * 5 + 3 + 2
    # 'same': n·s, or (n − 1)·s + k mod 2 + output_padding
    assert transposed_length(4, 3, 2, "same", None) == 8
    assert transposed_length(4, 3, 2, "same", 1) == 3 * 2 + 1 + 1
    assert transposed_length(4, 4, 3, "same", 2) == 3 * 3 + 0 + 2
    assert transposed_length(4, 2, 3, "same", 0, dilation=2) == 3 * 3 + 1
    assert transposed_length(None, 3, 2, "valid", None) is None


def test_conv2d_transpose_figures():
    r = infer("conv2d_transpose", [(4, 4, 3)], filters=8, kernel=3, stride=2)
    # every input value times a 3×3×8 window: 16 positions · 9 · 3 · 8 products; 9·3·8 weights + 8 biases
    assert figures(r) == ([(9, 9, 8)], 9 * 3 * 8 + 8, 0, 16 * 9 * 3 * 8)
    r = infer("conv2d_transpose", [(4, 5, 3)], filters=8, kernel=[3, 2], use_bias=False)
    assert figures(r) == ([(6, 6, 8)], 6 * 3 * 8, 0, 20 * 6 * 3 * 8)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, stride=2, padding="same") == (8, 8, 2)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, stride=2, padding="same", output_padding=1) == (
        8, 8, 2)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, stride=2, output_padding=[1, 0]) == (10, 9, 2)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, stride=[2, 3]) == (9, 12, 2)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, dilation=2) == (8, 8, 2)
    assert out("conv2d_transpose", (4, 4, 3), filters=2, kernel=3, stride=1, dilation=[1, 2]) == (6, 8, 2)
    # an unknown size stays unknown, and its positions are not counted
    r = infer("conv2d_transpose", [(None, 4, 3)], filters=8, kernel=3, stride=2)
    assert figures(r) == ([(None, 9, 8)], 224, 0, 0)


def test_conv1d_transpose_figures():
    r = infer("conv1d_transpose", [(5, 4)], filters=6, kernel=3, stride=2)
    assert figures(r) == ([(11, 6)], 3 * 4 * 6 + 6, 0, 5 * 3 * 4 * 6)
    assert out("conv1d_transpose", (5, 4), filters=6, kernel=3, stride=2, output_padding=1) == (12, 6)
    assert out("conv1d_transpose", (5, 4), filters=6, kernel=3, stride=2, padding="same") == (10, 6)
    assert out("conv1d_transpose", (5, 4), filters=6, kernel=4, stride=2, padding="same", output_padding=1) == (9, 6)
    assert out("conv1d_transpose", (5, 4), filters=6, kernel=3, dilation=3) == (11, 6)
    assert figures(infer("conv1d_transpose", [(None, 4)], filters=6, kernel=3, use_bias=False)) == (
        [(None, 6)], 72, 0, 0)


@pytest.mark.parametrize("kind,shape", [("conv2d_transpose", (4, 4, 3)), ("conv1d_transpose", (4, 3))])
def test_transposed_convolution_refusals(kind, shape):
    rank = len(shape)
    wrong = shape[1:]
    assert refusal(kind, [wrong], filters=2, kernel=3) == rank_refusal(kind, wrong, rank)
    assert refusal(kind, [shape + (1,)], filters=2, kernel=3) == rank_refusal(kind, shape + (1,), rank)
    assert refusal(kind, [shape[:-1] + (None,)], filters=2, kernel=3) == (
        "the number of input channels must be known", "", "", "E-SHAPE")
    assert refusal(kind, [shape], filters=2, kernel=3, stride=2, output_padding=2) == (
        "output_padding 2 must be smaller than the stride 2", "output_padding", "", "E-SHAPE")
    assert refusal(kind, [shape], filters=2, kernel=3, output_padding=1) == (
        "output_padding 1 must be smaller than the stride 1", "output_padding", "", "E-SHAPE")
    assert refusal(kind, [shape], filters=2, kernel=3, stride=2, dilation=2) == (
        "Keras does not combine a stride above 1 with a dilation above 1", "dilation", "", "E-SHAPE")
    # 'same' with an even kernel and output_padding 0 shrinks a length-1 axis to nothing
    one = (1,) * (rank - 1) + (3,)
    empty = "(0, 0)" if rank == 3 else "(0,)"
    assert refusal(kind, [one], filters=2, kernel=2, padding="same", output_padding=0) == (
        f"the output {empty} would be empty", "output_padding",
        "with padding 'same' an even kernel needs output_padding ≥ 1 here", "E-SHAPE")
    assert out(kind, one, filters=2, kernel=3, padding="same", output_padding=0)[0] == 1


def test_transposed_convolutions_keras_and_words():
    t = layer("conv2d_transpose", filters=8, kernel=3, stride=2)
    assert t.keras(FakeKeras(), "L") == ("Conv2DTranspose", (8, (3, 3)), {
        "strides": (2, 2), "padding": "valid", "output_padding": None, "dilation_rate": (1, 1), "activation": None,
        "use_bias": True, "name": "L"})
    t2 = layer("conv2d_transpose", filters=4, kernel=[3, 2], stride=[2, 2], padding="same", output_padding=[1, 0],
               activation="relu", use_bias=False)
    assert t2.keras(FakeKeras(), "T") == ("Conv2DTranspose", (4, (3, 2)), {
        "strides": (2, 2), "padding": "same", "output_padding": (1, 0), "dilation_rate": (1, 1),
        "activation": "relu", "use_bias": False, "name": "T"})
    u = layer("conv1d_transpose", filters=6, kernel=3, stride=2, output_padding=1, dilation=1, activation="tanh")
    assert u.keras(FakeKeras(), "U") == ("Conv1DTranspose", (6, 3), {
        "strides": 2, "padding": "valid", "output_padding": 1, "dilation_rate": 1, "activation": "tanh",
        "use_bias": True, "name": "U"})
    assert words(t) == ("transposed conv 3×3, 8 filters, stride 2, valid", "3×3 transposed conv, 8, stride 2",
                        "3×3 전치 합성곱 8, 스트라이드 2")
    assert words(t2) == ("transposed conv 3×2, 4 filters, stride 2, same, output padding (1, 0), relu",
                         "3×2 transposed conv, 4, stride 2", "3×2 전치 합성곱 4, 스트라이드 2")
    assert words(u) == ("transposed conv 3, 6 filters, stride 2, valid, output padding 1, tanh",
                        "3 transposed conv, 6, stride 2", "3 전치 합성곱 6, 스트라이드 2")
    one = layer("conv1d_transpose", filters=6, kernel=5, activation="linear")
    assert words(one) == ("transposed conv 5, 6 filters, stride 1, valid", "5 transposed conv, 6", "5 전치 합성곱 6")
    wide = layer("conv2d_transpose", filters=2, kernel=3, stride=[1, 2])  # a per-axis stride is shown whole
    assert words(wide) == ("transposed conv 3×3, 2 filters, stride 1×2, valid", "3×3 transposed conv, 2, stride 1×2",
                           "3×3 전치 합성곱 2, 스트라이드 1×2")
    assert (t.default_name(), u.default_name()) == ("conv2d_transpose", "conv1d_transpose")


UP = """
name: up
inputs:
  x: {shape: [4, 4, 3]}
  s: {shape: [null, 4]}
layers:
  - {type: conv2d_transpose, name: t, inputs: [x], filters: 8, kernel: 3, stride: 2, activation: relu}
  - {type: conv2d_transpose, name: w, inputs: [x], filters: 2, kernel: [3, 2], stride: [2, 1], output_padding: [1, 0]}
  - {type: conv2d_transpose, name: v, inputs: [x], filters: 2, kernel: 2, stride: 3}
  - {type: conv1d_transpose, name: u, inputs: [s], filters: 6, kernel: 3, stride: 2, padding: same,
     output_padding: 1, use_bias: false}
  - {type: conv1d_transpose, name: z, inputs: [s], filters: 6, kernel: 3}
  - {type: conv2d_transpose, name: e, inputs: [x], filters: 2, kernel: 3, padding: same}
  - {type: conv2d_transpose, name: n, inputs: [x], filters: 2, kernel: 2, padding: same, output_padding: 0}
  - {type: conv2d_transpose, name: d, inputs: [x], filters: 2, kernel: 3, dilation: 2}
outputs: [t, w, v, u, z, e, n, d]
"""


def test_transposed_convolution_doc_facts():
    f = all_facts(UP)
    axis = {"n": 4, "k": 3, "s": 2, "p": None, "extra": 0, "out": 9, "ok": True}
    assert f["t"] == {"in": (4, 4, 3), "out": (9, 9, 8), "c": 3, "filters": 8, "axes": [axis, axis], "square": True,
                      "padding": "valid", "kernel": [3, 3], "window": 9, "weights": 9 * 3 * 8, "bias": 8,
                      "use_bias": True, "params": 224, "positions": 16, "params_ok": True, "activation": "relu",
                      "image": True, "grows": True}
    w = f["w"]
    assert w["axes"] == [{"n": 4, "k": 3, "s": 2, "p": 1, "extra": 1, "out": 10, "ok": True},
                         {"n": 4, "k": 2, "s": 1, "p": 0, "extra": 0, "out": 5, "ok": True}]
    assert (w["square"], w["kernel"], w["window"], w["weights"], w["bias"], w["params"], w["params_ok"],
            w["activation"], w["grows"]) == (False, [3, 2], 6, 36, 2, 38, True, "linear", True)
    # kernel 2, stride 3: Keras adds max(s − k, 0) = 1 so that the windows tile the output
    assert f["v"]["axes"][0] == {"n": 4, "k": 2, "s": 3, "p": None, "extra": 1, "out": 12, "ok": True}
    assert f["u"] == {"in": (None, 4), "out": (None, 6), "c": 4, "filters": 6,
                      "axes": [{"n": None, "k": 3, "s": 2, "p": 1, "extra": 1, "out": None, "ok": False}],
                      "square": False, "padding": "same", "kernel": [3], "window": 3, "weights": 72, "bias": 0,
                      "use_bias": False, "params": 72, "positions": None, "params_ok": True, "activation": "linear",
                      "image": False, "grows": False}
    z = f["z"]
    assert (z["axes"], z["grows"], z["bias"], z["params"]) == (
        [{"n": None, "k": 3, "s": 1, "p": None, "extra": 0, "out": None, "ok": False}], False, 6, 78)
    # 'same', stride 1: as large as the input (no output_padding: no extra to tell)
    e = f["e"]
    assert (e["axes"][0], e["grows"], e["out"]) == (
        {"n": 4, "k": 3, "s": 1, "p": None, "extra": None, "out": 4, "ok": True}, False, (4, 4, 2))
    # 'same' with an even kernel and output_padding 0: one row and column fewer
    n = f["n"]
    assert (n["axes"][1], n["grows"], n["out"]) == (
        {"n": 4, "k": 2, "s": 1, "p": 0, "extra": 0, "out": 3, "ok": True}, False, (3, 3, 2))
    # a dilated 3×3 window spans 5: (4 − 1) + 5 = 8
    assert f["d"]["axes"] == [{"n": 4, "k": 5, "s": 1, "p": None, "extra": 0, "out": 8, "ok": True}] * 2
    assert (f["d"]["kernel"], f["d"]["grows"]) == ([3, 3], True)  # the weights are the 3×3 kernel's
    wide = """
name: wide
inputs:
  x: {shape: [4, null, 3]}
layers:
  - {type: conv2d_transpose, name: t, filters: 2, kernel: 3}
"""
    f = all_facts(wide)["t"]
    assert (f["positions"], f["out"], f["grows"], f["params_ok"]) == (None, (6, None, 2), False, True)
