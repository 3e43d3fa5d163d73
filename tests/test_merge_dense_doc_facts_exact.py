"""The figures the docs explain merges, dense and conv1d layers with (their ``doc_facts``), worked out by hand
on small networks: a ResNet bottleneck (1×1 → 3×3 → 1×1 around an identity shortcut), a squeeze-and-excitation
gate (a (1, 1, C) sigmoid scaling an (H, W, C) map), a concatenation of two branches, a Transformer
feed-forward pair, and 1-D windows with causal and same padding. Pure Python (no Keras)."""

import pytest

import archcompiler
from archcompiler.analysis import Analysis

BLOCK = """
name: block
inputs:
  x: {shape: [8, 8, 16]}
layers:
  - {type: conv2d, name: a, filters: 4, kernel: 1, activation: relu}
  - {type: conv2d, name: b, filters: 6, kernel: 3, padding: same, activation: relu}
  - {type: conv2d, name: c, filters: 16, kernel: 1}
  - {type: add, name: sum, inputs: [x, c]}
  - {type: layernorm, name: ln}
  - {type: global_avgpool2d, name: g}
  - {type: reshape, name: r, shape: [1, 1, 16]}
  - {type: conv2d, name: s1, filters: 4, kernel: 1, activation: relu}
  - {type: conv2d, name: s2, filters: 16, kernel: 1, activation: sigmoid}
  - {type: multiply, name: mul, inputs: [ln, s2]}
  - {type: concat, name: cat, inputs: [mul, ln]}
  - {type: flatten, name: flat}
  - {type: dense, name: out, units: 3}
"""


def _facts(spec):
    graph = archcompiler.load(spec).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items() if not node.is_input}


@pytest.fixture  # per test: mutation testing credits a fixture's calls to the test that builds it
def block():
    return _facts(BLOCK)


def test_a_residual_sum_knows_its_shortcut_and_body(block):
    f = block["sum"]
    assert (f["in"], f["out"], f["inputs"], f["fork"]) == ([(8, 8, 16), (8, 8, 16)], (8, 8, 16), ["x", "c"], "x")
    assert (f["residual"], f["shortcut"], f["body"], f["identity"], f["residuals"]) == (True, 0, 1, True, 1)
    assert [[n.name for n in chain] for chain in f["chains"]] == [[], ["a", "b", "c"]]
    assert f["shortcut_chain"] == [] and [n.name for n in f["body_chain"]] == ["a", "b", "c"]
    assert (f["then"], f["add_norm"]) == ("ln", True)


def test_a_bottleneck_against_two_plain_3x3_convolutions(block):
    f = block["sum"]["bottleneck"]
    assert f["layers"] == [
        {"name": "a", "kh": 1, "kw": 1, "c_in": 16, "c_out": 4, "weights": 64},
        {"name": "b", "kh": 3, "kw": 3, "c_in": 4, "c_out": 6, "weights": 216},
        {"name": "c", "kh": 1, "kw": 1, "c_in": 6, "c_out": 16, "weights": 96}]
    assert {k: v for k, v in f.items() if k not in ("layers", "ratio")} == {
        "width": 16, "k": 3, "weights": 376, "plain_each": 9 * 256, "plain": 2 * 9 * 256, "inner": 4}
    assert f["ratio"] == pytest.approx(4608 / 376)


def test_a_gate_scales_every_position(block):
    f = block["mul"]
    assert (f["in"], f["out"], f["inputs"]) == ([(8, 8, 16), (1, 1, 16)], (8, 8, 16), ["ln", "s2"])
    assert (f["gate"], f["gate_name"], f["map_name"], f["channels"], f["positions"], f["sigmoid"]) == (
        1, "s2", "ln", 16, 64, True)


def test_a_concatenation_adds_its_widths(block):
    f = block["cat"]
    assert (f["in"], f["out"], f["axis"], f["last_axis"], f["inputs"]) == (
        [(8, 8, 16), (8, 8, 16)], (8, 8, 32), 3, True, ["mul", "ln"])
    assert (f["widths"], f["total"], f["ok"], f["fork"], f["spatial"]) == ([16, 16], 32, True, "ln", (8, 8))
    assert [[n.name for n in chain] for chain in f["chains"]] == [["g", "r", "s1", "s2", "mul"], []]


def test_the_output_dense_after_flatten(block):
    f = block["out"]
    assert (f["in"], f["out"], f["features"], f["units"], f["weights"], f["bias"], f["params"]) == (
        (2048,), (3,), 2048, 3, 6144, 3, 6147)
    assert (f["params_ok"], f["positions"], f["per_position"], f["is_output"], f["after_flatten"], f["source"]) == (
        True, (), False, True, True, "flat")
    assert (f["ffn"], f["activation"], f["use_bias"]) == (None, "linear", True)


FFN = """
name: ffn
inputs:
  x: {shape: [5, 8]}
layers:
  - {type: dense, name: up, units: 32, activation: gelu}
  - {type: dense, name: down, units: 8, use_bias: false}
  - {type: dense, name: up2, units: 16, activation: relu}
  - {type: dense, name: wide, units: 4}
  - {type: conv1d, name: causal, filters: 6, kernel: 3, dilation: 2, padding: causal}
  - {type: conv1d, name: same, filters: 2, kernel: 4, stride: 2, padding: same, groups: 2, use_bias: false}
  - {type: conv1d, name: valid, filters: 3, kernel: 2, activation: relu}
"""


def test_a_feed_forward_pair_and_other_dense_layers():
    f = _facts(FFN)
    assert f["up"]["ffn"] == {"next": "down", "d_in": 8, "d_ff": 32, "d_out": 8}
    assert (f["up"]["positions"], f["up"]["per_position"], f["up"]["is_output"], f["up"]["after_flatten"]) == (
        (5,), True, False, False)
    assert (f["up"]["weights"], f["up"]["bias"], f["up"]["activation"], f["up"]["source"]) == (256, 32, "gelu", "x")
    assert (f["down"]["ffn"], f["down"]["bias"], f["down"]["params"], f["down"]["use_bias"]) == (None, 0, 256, False)
    assert f["up2"]["ffn"] is None  # the next dense does not return to 8 wide


def test_conv1d_figures_per_padding():
    f = _facts(FFN)
    causal = f["causal"]  # 5 steps; an effective window of (3 − 1)·2 + 1 = 5, padded 4 on the left
    assert {k: v for k, v in causal.items() if k != "axis"} == {
        "in": (5, 4), "steps": 5, "c": 4, "out": (5, 6), "out_steps": 5, "filters": 6, "kernel": 3, "stride": 1,
        "mode": "causal", "groups": 1, "activation": "linear", "per_filter": 12, "weights": 72, "bias": 6,
        "params": 78, "params_ok": True}
    assert (causal["axis"]["ek"], causal["axis"]["pad"], causal["axis"]["num"], causal["axis"]["ok"]) == (
        5, (4, 0), 4, True)
    same = f["same"]  # ⌈5 / 2⌉ = 3 steps; total padding (3 − 1)·2 + 4 − 5 = 3: 1 before, 2 after
    assert (same["out_steps"], same["axis"]["pad"], same["axis"]["ok"], same["per_filter"], same["bias"],
            same["params"]) == (3, (1, 2), True, 4 * 6 // 2, 0, 24)
    valid = f["valid"]
    assert (valid["out_steps"], valid["axis"]["pad"], valid["axis"]["num"], valid["activation"]) == (
        2, (0, 0), 1, "relu")


OTHERS = """
name: others
inputs:
  x: {shape: [4, 8, 16]}
  m: {shape: [4, null, 16]}
  g: {shape: [1, 1, 16]}
  s: {shape: [null, 3]}
  t: {shape: [4, 3]}
layers:
  - {type: relu, name: p1, inputs: [x]}
  - {type: relu, name: p2, inputs: [x]}
  - {type: add, name: three, inputs: [x, p1, p2]}
  - {type: conv2d, name: proj, filters: 16, kernel: 1, inputs: [three]}
  - {type: conv2d, name: body1, filters: 16, kernel: 3, padding: same, inputs: [three]}
  - {type: conv2d, name: body2, filters: 16, kernel: 3, padding: same}
  - {type: add, name: projected, inputs: [proj, body2]}
  - {type: relu, name: after}
  - {type: conv2d, name: row, filters: 16, kernel: [1, 8], inputs: [three]}
  - {type: multiply, name: not_a_gate, inputs: [three, row]}
  - {type: conv2d, name: column, filters: 16, kernel: [4, 1], inputs: [three]}
  - {type: multiply, name: column_gate, inputs: [three, column]}
  - {type: conv2d, name: hard, filters: 16, kernel: [4, 8], activation: hard_sigmoid, inputs: [three]}
  - {type: multiply, name: hard_gate, inputs: [three, hard]}
  - {type: multiply, name: unknown_positions, inputs: [m, g]}
  - {type: concat, name: rows, axis: 1, inputs: [s, t]}
  - {type: add, name: total, inputs: [after, not_a_gate, hard_gate, column_gate]}
  - {type: flatten, inputs: [total]}
  - {type: dense, name: out, units: 2}
outputs: [out, unknown_positions, rows]
"""


def test_a_sum_that_is_no_residual_and_one_with_a_projection():
    f = _facts(OTHERS)
    three = f["three"]  # three inputs: no residual; read by five layers: no single next layer
    assert (three["residual"], three["shortcut"], three["body"], three["identity"], three["residuals"]) == (
        False, None, None, False, 0)
    assert (three["shortcut_chain"], three["body_chain"], three["bottleneck"], three["then"], three["add_norm"]) == (
        [], [], None, None, False)
    projected = f["projected"]  # the 1×1 projection is the shorter chain
    assert (projected["residual"], projected["shortcut"], projected["body"], projected["identity"]) == (
        True, 0, 1, False)
    assert [n.name for n in projected["shortcut_chain"]] == ["proj"]
    assert [n.name for n in projected["body_chain"]] == ["body1", "body2"]
    assert (projected["then"], projected["add_norm"], projected["residuals"], projected["bottleneck"]) == (
        "after", False, 1, None)
    assert (f["total"]["then"], f["total"]["add_norm"]) == ("flatten", False)  # one reader, not a layer norm


def test_what_is_not_a_gate():
    f = _facts(OTHERS)
    no = f["not_a_gate"]  # (1, 8, 16) spans the columns: not shared along every position
    assert (no["gate"], no["gate_name"], no["map_name"], no["positions"], no["sigmoid"]) == (None, None, None, None,
                                                                                             False)
    column = f["column_gate"]  # (1, 8, 16): one row, shared down the rows but not along them
    assert (column["in"][1], column["gate"], column["positions"]) == ((1, 8, 16), None, None)
    hard = f["hard_gate"]
    assert (hard["gate"], hard["gate_name"], hard["map_name"], hard["positions"], hard["sigmoid"]) == (
        1, "hard", "three", 32, True)
    unknown = f["unknown_positions"]  # a gate from an input (no activation of its own), positions unknown
    assert (unknown["gate"], unknown["gate_name"], unknown["positions"], unknown["sigmoid"]) == (1, "g", None, False)


def test_a_concatenation_along_rows_with_an_unknown_length():
    f = _facts(OTHERS)["rows"]
    assert (f["in"], f["out"], f["axis"], f["last_axis"], f["widths"], f["total"]) == (
        [(None, 3), (4, 3)], (None, 3), 1, False, [None, 4], None)
    assert (f["ok"], f["spatial"], f["fork"], f["chains"], f["paths"]) == (False, None, None, [[], []], [[], []])


def test_linear_written_out_is_no_activation_for_the_feed_forward_rule():
    f = _facts("""
name: linear
inputs:
  x: {shape: [5, 8]}
layers:
  - {type: dense, name: lin, units: 32, activation: linear}
  - {type: dense, name: back, units: 8}
  - {type: dense, name: up, units: 32, activation: relu}
  - {type: dense, name: down, units: 8, activation: linear}
""")
    assert f["lin"]["ffn"] is None and f["lin"]["activation"] == "linear"
    assert f["up"]["ffn"] == {"next": "down", "d_in": 8, "d_ff": 32, "d_out": 8}


def test_conv1d_figures_are_whole_numbers():
    f = _facts(FFN)
    assert type(f["same"]["per_filter"]) is int and type(f["same"]["weights"]) is int
