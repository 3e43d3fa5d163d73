"""The figures the docs explain a convolution with (Conv2D.doc_facts), worked out by hand on a small network:
three stacked 3×3 convolutions at width 8 (VGG's argument), a 1×1 reduction to 4 channels before a 5×5
window (GoogLeNet's), and the per-axis output-size formula with 'same' and numeric padding. Pure Python."""

import pytest

import archcompiler
from archcompiler.analysis import Analysis

SPEC = """
name: facts
inputs:
  x: {shape: [16, 16, 8]}
layers:
  - {type: conv2d, name: c1, filters: 8, kernel: 3, padding: same, activation: relu}
  - {type: conv2d, name: c2, filters: 8, kernel: 3, padding: same, activation: relu}
  - {type: conv2d, name: c3, filters: 8, kernel: 3, padding: same}
  - {type: conv2d, name: r, filters: 4, kernel: 1, activation: relu}
  - {type: conv2d, name: big, filters: 16, kernel: 5, use_bias: false}
  - {type: conv2d, name: padded, filters: 2, kernel: [3, 2], stride: [2, 1], padding: [[1, 0], [2, 1]], groups: 2}
  - {type: flatten}
  - {type: dense, units: 3}
"""


@pytest.fixture  # per test: mutation testing credits a fixture's calls to the test that builds it
def facts():
    graph = archcompiler.load(SPEC).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items()
            if node.kind == "conv2d"}


def test_same_padding_formula_per_axis(facts):
    f = facts["c1"]
    axis = {"n": 16, "k": 3, "ek": 3, "s": 1, "d": 1, "pad": (1, 1), "out": 16, "known": True, "ok": True,
            "sym": True, "p": 1, "num": 15}
    assert f["axes"] == [axis, axis] and f["square"] and f["formula_ok"] and f["mode"] == "same"
    assert (f["in"], f["out"], f["h"], f["w"], f["c"], f["oh"], f["ow"], f["oc"]) == (
        (16, 16, 8), (16, 16, 8), 16, 16, 8, 16, 16, 8)
    assert (f["kernel"], f["stride"], f["pad_node"], f["halves"]) == ((3, 3), (1, 1), None, False)


def test_a_convolutions_weights_against_a_dense_layer(facts):
    f = facts["c1"]
    assert (f["per_filter"], f["weights"], f["bias"], f["params"], f["params_ok"]) == (72, 576, 8, 584, True)
    assert (f["dense_in"], f["dense_equiv"]) == (2048, 2048 * 16 * 16 * 8)
    assert f["dense_ratio"] == pytest.approx(2048 * 2048 / 584)
    assert (f["filters"], f["groups"], f["group_in"], f["group_out"], f["dilation"]) == (8, 1, 8, 8, (1, 1))
    assert (f["activation"], f["use_bias"], f["pointwise"], f["reduces"], f["bottleneck"]) == (
        "relu", True, False, False, False)
    assert facts["c3"]["activation"] == "linear"
    assert (facts["big"]["bias"], facts["big"]["params"], facts["big"]["use_bias"]) == (0, 5 * 5 * 4 * 16, False)


def test_stacked_small_windows_against_one_large(facts):
    stack = facts["c1"]["stack"]
    assert (stack["c"], stack["k"], stack["run"]) == (8, 3, ["c1", "c2", "c3"])
    two, three = stack["rows"]
    assert {k: v for k, v in two.items() if k != "saved"} == {
        "layers": 2, "reach": 5, "coef_stacked": 18, "stacked": 18 * 64, "coef_single": 25, "single": 25 * 64,
        "names": ["c1", "c2"], "nonlinear": 2}
    assert two["saved"] == pytest.approx(1 - 18 / 25)
    assert (three["layers"], three["reach"], three["coef_stacked"], three["single"], three["nonlinear"]) == (
        3, 7, 27, 49 * 64, 2)  # c3 has no activation and nothing after it is one
    assert three["saved"] == pytest.approx(1 - 27 / 49)
    assert stack["nonlinear"] is False
    assert facts["c2"]["stack"] is None and facts["r"]["stack"] is None


def test_a_reduction_before_a_larger_window(facts):
    r = facts["r"]
    assert (r["pointwise"], r["reduces"], r["bottleneck"]) == (True, True, True)
    red = r["reduction"]
    assert {k: v for k, v in red.items() if k != "ratio"} == {
        "conv": "big", "c_in": 8, "r": 4, "out": 16, "kh": 5, "kw": 5, "positions": 144, "oh": 12, "ow": 12,
        "direct_weights": 3200, "direct_macs": 144 * 3200, "reduce_weights": 32, "window_weights": 1600,
        "with_weights": 1632, "reduce_macs": 16 * 16 * 4 * 8, "window_macs": 144 * 16 * 100,
        "with_macs": 8192 + 230400}
    assert red["ratio"] == pytest.approx(460800 / 238592)
    assert facts["c1"]["reduction"] is None and facts["big"]["bottleneck"] is False


def test_numeric_padding_is_part_of_the_formula(facts):
    f = facts["padded"]
    # big's output 12×12×16 padded by (1, 0) rows and (2, 1) columns: 13×15, then a 3×2 window, stride 2×1
    assert (f["mode"], f["pad_node"], f["pre_pad"], f["in"]) == ("explicit", "padded_pad", (12, 12, 16), (13, 15, 16))
    rows, cols = f["axes"]
    assert (rows["n"], rows["pad"], rows["num"], rows["out"], rows["ok"], rows["sym"]) == (12, (1, 0), 10, 6, True, False)
    assert (cols["n"], cols["pad"], cols["num"], cols["out"], cols["ok"]) == (12, (2, 1), 13, 14, True)
    assert f["out"] == (6, 14, 2) and f["square"] is False
    assert (f["groups"], f["group_in"], f["group_out"], f["per_filter"]) == (2, 8, 1, 3 * 2 * 8)
    assert f["dense_in"] == 12 * 12 * 16  # the real values, not the padding's zeros
    assert f["halves"] is False


def _facts_of(spec):
    graph = archcompiler.load(spec).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items() if not node.is_input}


def test_a_convolution_without_bias_gets_its_shift_from_a_batch_norm():
    f = _facts_of("""
name: bn
inputs:
  x: {shape: [8, 8, 3]}
layers:
  - {type: conv2d, name: a, filters: 4, kernel: 3, use_bias: false}
  - {type: batchnorm, name: a_bn}
  - {type: conv2d, name: b, filters: 4, kernel: 3, use_bias: false}
  - {type: batchnorm, name: b_bn, center: false}
  - {type: conv2d, name: c, filters: 4, kernel: 1}
  - {type: batchnorm}
  - {type: conv2d, name: d, filters: 4, kernel: 1, use_bias: false}
""")
    assert [f[n]["bias_from_norm"] for n in "abcd"] == [True, False, False, False]


def test_pooling_figures():
    f = _facts_of("""
name: pools
inputs:
  x: {shape: [9, 7, 4]}
layers:
  - {type: maxpool2d, name: p, pool: [3, 2], stride: [2, 1], padding: same}
  - {type: avgpool2d, name: q, pool: 2}
  - {type: reshape, shape: [4, 6]}
  - {type: maxpool1d, name: s, pool: 3, stride: 3, padding: same}
  - {type: avgpool1d, name: t, pool: 2, stride: 1}
""")
    p = f["p"]
    # 9×7 with a 3×2 window, stride 2×1, same: ⌈9/2⌉ = 5 rows (pad 1 + 1), ⌈7/1⌉ = 7 columns (pad 0 + 1)
    assert (p["out"], p["pool"], p["op"], p["overlapping"], p["params"], p["mode"]) == (
        (5, 7, 4), (3, 2), "max", True, 0, "same")
    assert [(a["pad"], a["num"], a["ok"]) for a in p["axes"]] == [((1, 1), 8, True), ((0, 1), 6, True)]
    q = f["q"]  # 5×7 → 2×3, stride the window (not half: 2 · 2 is neither 5 nor 6)
    assert (q["out"], q["op"], q["overlapping"], q["mode"], q["halves"]) == ((2, 3, 4), "avg", False, "valid", False)
    s = f["s"]  # 4 steps, window 3, stride 3, same: ⌈4/3⌉ = 2, total padding 3 + 3 − 4 = 2 (1 + 1)
    assert {k: v for k, v in s.items() if k != "axis"} == {
        "in": (4, 6), "out": (2, 6), "pool": 3, "stride": 3, "mode": "same", "op": "max", "c": 6, "params": 0}
    assert (s["axis"]["pad"], s["axis"]["num"], s["axis"]["ok"]) == ((1, 1), 3, True)
    t = f["t"]  # valid: no padding (same would pad 0 + 1 here)
    assert (t["stride"], t["out"], t["axis"]["pad"], t["axis"]["out"], t["op"]) == (1, (1, 6), (0, 0), 1, "avg")


def test_a_non_linearity_is_found_through_normalisation_and_dropout():
    f = _facts_of("""
name: vgg_bn
inputs:
  x: {shape: [8, 8, 4]}
layers:
  - {type: conv2d, name: k1, filters: 4, kernel: 3, padding: same}
  - {type: batchnorm}
  - {type: relu}
  - {type: conv2d, name: k2, filters: 4, kernel: 3, padding: same}
  - {type: batchnorm}
  - {type: dropout, rate: 0.1}
  - {type: conv2d, name: k3, filters: 4, kernel: 3, padding: same}
  - {type: dropout, rate: 0.1}
  - {type: activation, activation: tanh}
""")
    rows = f["k1"]["stack"]["rows"]
    # k1 reaches a ReLU through its batch norm; k2 only another convolution; k3 a tanh through dropout
    assert [(r["layers"], r["names"], r["nonlinear"]) for r in rows] == [
        (2, ["k1", "k2"], 1), (3, ["k1", "k2", "k3"], 2)]
    assert f["k1"]["stack"]["run"] == ["k1", "k2", "k3"] and f["k1"]["stack"]["nonlinear"] is False


def test_reductions_and_weights_in_other_shapes():
    f = _facts_of("""
name: shapes
inputs:
  x: {shape: [6, 10, 2]}
  u: {shape: [null, null, 1]}
layers:
  - {type: conv2d, name: wide, filters: 6, kernel: 3, groups: 2, inputs: [x]}
  - {type: conv2d, name: same_width, filters: 6, kernel: 1}
  - {type: batchnorm}
  - {type: relu}
  - {type: dropout, rate: 0.1}
  - {type: conv2d, name: three, filters: 6, kernel: 3, padding: same}
  - {type: conv2d, name: narrow, filters: 3, kernel: 1}
  - {type: conv2d, name: one_by_one, filters: 2, kernel: 1}
  - {type: conv2d, name: narrow2, filters: 1, kernel: 1}
  - {type: conv2d, name: widen, filters: 4, kernel: 2, padding: same}
  - {type: conv2d, name: single, filters: 1, kernel: 1, use_bias: false, inputs: [u]}
outputs: [widen, single]
""")
    wide = f["wide"]  # 6×10×2 in: a dense layer would read 120 values; 2 groups of 1 channel → 3 filters each
    assert (wide["dense_in"], wide["dense_equiv"], wide["group_in"], wide["group_out"], wide["per_filter"]) == (
        120, 120 * 4 * 8 * 6, 1, 3, 9)
    assert all(type(wide[k]) is int for k in ("group_in", "group_out", "per_filter", "weights"))
    # a 1×1 convolution is a bottleneck only when it narrows the channels and reaches a larger window:
    # same_width keeps 6 (through batch norm, ReLU and dropout to a 3×3); narrow reaches only a 1×1;
    # narrow2 narrows to 1 and reaches a 2×2
    assert [f[n]["bottleneck"] for n in ("same_width", "narrow", "one_by_one", "narrow2")] == [
        False, False, False, True]
    assert [f[n]["reduces"] for n in ("same_width", "narrow", "one_by_one", "narrow2")] == [False, True, True, True]
    single = f["single"]  # sizes unknown: no dense comparison; one weight
    assert (single["dense_in"], single["dense_equiv"], single["dense_ratio"], single["params"]) == (None, None, None, 1)
    three = f["three"]
    assert three["dense_ratio"] == pytest.approx(three["dense_equiv"] / (9 * 6 * 6 + 6))


def test_the_dense_comparison_divides_by_a_single_weight():
    f = _facts_of("""
name: one
inputs:
  x: {shape: [3, 3, 1]}
layers:
  - {type: conv2d, name: k, filters: 1, kernel: 1, use_bias: false}
""")
    assert (f["k"]["params"], f["k"]["dense_equiv"], f["k"]["dense_ratio"]) == (1, 81, 81.0)


def test_halving_and_same_padding_per_axis():
    f = _facts_of("""
name: halves
inputs:
  x: {shape: [9, 9, 2]}
  y: {shape: [10, 10, 1]}
layers:
  - {type: avgpool2d, name: both, pool: 2, padding: same, inputs: [x]}
  - {type: maxpool2d, name: cols, pool: [1, 2], padding: same, inputs: [x]}
  - {type: maxpool2d, name: rows, pool: [2, 1], padding: same, inputs: [x]}
  - {type: conv2d, name: dilated, filters: 1, kernel: 3, dilation: [2, 3], padding: same, inputs: [x]}
  - {type: conv2d, name: strided, filters: 1, kernel: 3, stride: [2, 1], padding: same, inputs: [y]}
outputs: [both, cols, rows, dilated, strided]
""")
    # 9 → 5 is a halving (5 · 2 = 10 = 9 + 1), on both axes; one axis alone is not
    assert [f[n]["out"][:2] for n in ("both", "cols", "rows")] == [(5, 5), (9, 5), (5, 9)]
    assert [f[n]["halves"] for n in ("both", "cols", "rows")] == [True, False, False]
    # 'same' with dilation: effective windows (3 − 1)·2 + 1 = 5 and (3 − 1)·3 + 1 = 7 at stride 1
    assert [a["pad"] for a in f["dilated"]["axes"]] == [(2, 2), (3, 3)]
    # 'same' with stride 2 on 10 rows: 5 out, 4·2 + 3 − 10 = 1 (0 + 1); stride 1 on columns: (1, 1)
    assert [a["pad"] for a in f["strided"]["axes"]] == [(0, 1), (1, 1)]


def test_a_reduction_reaches_its_window_through_norm_activation_and_dropout():
    f = _facts_of("""
name: reach
inputs:
  x: {shape: [9, 12, 8]}
layers:
  - {type: conv2d, name: k1, filters: 8, kernel: 3, padding: same}
  - {type: conv2d, name: k2, filters: 8, kernel: 3, padding: same}
  - {type: conv2d, name: k3, filters: 8, kernel: 3, padding: same}
  - {type: conv2d, name: k4, filters: 8, kernel: 3, padding: same}
  - {type: conv2d, name: red, filters: 2, kernel: 1}
  - {type: batchnorm}
  - {type: relu}
  - {type: dropout, rate: 0.1}
  - {type: conv2d, name: window, filters: 4, kernel: [3, 5]}
""")
    assert f["red"]["bottleneck"] is True
    red = f["red"]["reduction"]  # the window's output: (9 − 3 + 1) × (12 − 5 + 1) = 7 × 8
    assert (red["conv"], red["kh"], red["kw"], red["oh"], red["ow"], red["positions"]) == ("window", 3, 5, 7, 8, 56)
    assert (red["direct_weights"], red["direct_macs"]) == (3 * 5 * 8 * 4, 56 * 480)
    # four stacked 3×3 convolutions: the docs compare two and three of them (no more) with one window
    stack = f["k1"]["stack"]
    assert stack["run"] == ["k1", "k2", "k3", "k4"] and [r["layers"] for r in stack["rows"]] == [2, 3]


def test_macs_with_an_unknown_width_and_whole_numbers():
    from archcompiler.layers import KINDS

    conv = KINDS["conv2d"].model_validate({"type": "conv2d", "filters": 4, "kernel": 3, "groups": 2})
    r = conv.infer([(8, None, 6)])
    assert r.shapes == [(6, None, 4)] and r.macs == 0 and r.trainable == 3 * 3 * 3 * 4 + 4
    assert type(conv.infer([(8, 8, 6)]).trainable) is int and type(conv.infer([(8, 8, 6)]).macs) is int


def test_depthwise_and_separable_figures_against_a_plain_convolution():
    f = _facts_of("""
name: separable
inputs:
  x: {shape: [9, 7, 3]}
  u: {shape: [null, 7, 3]}
layers:
  - {type: depthwise_conv2d, name: d, kernel: [3, 2], depth_multiplier: 2, use_bias: false, activation: relu, inputs: [x]}
  - {type: separable_conv2d, name: s, filters: 5, kernel: [3, 2], depth_multiplier: 2, dilation: [2, 2]}
  - {type: separable_conv2d, name: u_s, filters: 4, kernel: 3, padding: same, inputs: [u]}
outputs: [s, u_s]
""")
    d = f["d"]  # 3 channels, ×2: 6 out; 3·2 = 6 weights per filter; a plain 3×2 conv from 3 to 6: 6·3·6
    assert {k: d[k] for k in ("multiplier", "oc", "per_filter", "weights", "bias", "use_bias", "dilation",
                              "activation", "params", "params_ok", "full_weights")} == {
        "multiplier": 2, "oc": 6, "per_filter": 6, "weights": 36, "bias": 0, "use_bias": False,
        "dilation": (1, 1), "activation": "relu", "params": 36, "params_ok": True, "full_weights": 108}
    assert d["saving"] == 3.0 and d["out"] == (7, 6, 6)
    s = f["s"]  # 7×6×6 in, dilation 2: effective 5×3 → 3×4 positions
    assert {k: s[k] for k in ("filters", "multiplier", "mid", "window", "depthwise", "pointwise", "bias",
                              "use_bias", "dilation", "activation", "params", "params_ok", "full_weights",
                              "positions", "depthwise_macs", "pointwise_macs")} == {
        "filters": 5, "multiplier": 2, "mid": 12, "window": 6, "depthwise": 72, "pointwise": 60, "bias": 5,
        "use_bias": True, "dilation": (2, 2), "activation": "linear", "params": 137, "params_ok": True,
        "full_weights": 6 * 6 * 5, "positions": 12, "depthwise_macs": 12 * 12 * 6, "pointwise_macs": 12 * 12 * 5}
    assert s["saving"] == pytest.approx(180 / 132)
    plain = _facts_of("""
name: plain
inputs:
  x: {shape: [5, 5, 2]}
layers:
  - {type: depthwise_conv2d, name: d, kernel: 3}
  - {type: depthwise_conv2d, name: same, kernel: 3, padding: same}
  - {type: separable_conv2d, name: sep_same, filters: 2, kernel: 3, padding: same}
""")
    assert (plain["d"]["activation"], plain["d"]["bias"], plain["d"]["oc"], plain["d"]["saving"]) == (
        "linear", 2, 2, 2.0)
    assert [(plain[n]["mode"], plain[n]["axes"][0]["pad"]) for n in ("same", "sep_same")] == [
        ("same", (1, 1)), ("same", (1, 1))]
    u = f["u_s"]  # rows unknown: no positions, no MACs to compare
    assert (u["positions"], u["depthwise_macs"], u["pointwise_macs"]) == (None, None, None)
