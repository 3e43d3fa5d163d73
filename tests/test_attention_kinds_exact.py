"""The attention kinds (``attention``, ``additive_attention``, ``multi_head_attention``) pinned exactly, without
Keras: shapes, parameters and MACs worked out by hand from the documented formulas, every refusal (message,
field, hint, code), the labels and briefs, the Keras call (through a recording stand-in) and the figures the
docs explain them with (``doc_facts``)."""

import math

import pytest
from kind_stand_in import FakeKeras, figures, infer, layer, refusal

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.layers import ShapeError


def record(*args, **kwargs):
    return args, kwargs


# --- dot-product and additive attention -------------------------------------------------------------------

def test_dot_attention_figures():
    # scores Tq×Tv (each a d-wide dot product), then Tq×Tv weights times d_v-wide values
    assert figures(infer("attention", [(5, 8), (7, 6), (7, 8)])) == ([(5, 6)], 0, 0, 5 * 7 * (8 + 6))
    assert figures(infer("attention", [(5, 8), (7, 6), (7, 8)], scale=True)) == ([(5, 6)], 1, 0, 5 * 7 * 14)
    # value defaults to the query, the key to the value
    assert figures(infer("attention", [(4, 3)])) == ([(4, 3)], 0, 0, 4 * 4 * 6)
    assert figures(infer("attention", [(4, 3), (9, 3)])) == ([(4, 3)], 0, 0, 4 * 9 * 6)
    # an unknown length counts once
    assert figures(infer("attention", [(None, 3), (None, 5), (None, 3)])) == ([(None, 5)], 0, 0, 8)
    assert figures(infer("attention", [(2, 3), (None, 5), (6, 3)])) == ([(2, 5)], 0, 0, 2 * 8)


def test_additive_attention_figures():
    # a learned scale vector as wide as the query (use_scale, on by default)
    assert figures(infer("additive_attention", [(5, 8), (7, 6), (7, 8)])) == ([(5, 6)], 8, 0, 5 * 7 * 14)
    assert figures(infer("additive_attention", [(5, 8), (7, 6), (7, 8)], scale=False)) == ([(5, 6)], 0, 0, 490)
    assert figures(infer("additive_attention", [(None, 4)])) == ([(None, 4)], 4, 0, 8)


@pytest.mark.parametrize("kind,name", [("attention", "dot-product"), ("additive_attention", "additive")])
def test_attention_refusals(kind, name):
    takes = (f"{kind} takes [query, value] or [query, value, key]", "inputs", "", "E-SHAPE")
    assert refusal(kind, []) == takes
    assert refusal(kind, [(2, 3)] * 4) == takes
    for i, what in enumerate(("query", "value", "key")):
        shapes = [(2, 3), (2, 3), (2, 3)]
        shapes[i] = (3,)
        assert refusal(kind, shapes) == (
            f"{kind} {what} expects an input of rank 2 (without batch), got shape (3)", "", "", "E-SHAPE")
        shapes[i] = (2, 2, 3)
        assert refusal(kind, shapes)[0] == (
            f"{kind} {what} expects an input of rank 2 (without batch), got shape (2, 2, 3)")
        shapes[i] = (2, None)
        assert refusal(kind, shapes) == (f"the {what}'s feature size must be known", "", "", "E-SHAPE")
    assert refusal(kind, [(5, 8), (7, 6), (6, 8)]) == (
        "value and key must have the same length, got (7, 6) and (6, 8)", "", "", "E-SHAPE")
    # an unknown length on either side is not a mismatch
    assert infer(kind, [(5, 8), (None, 6), (6, 8)]).shapes == [(5, 6)]
    assert infer(kind, [(5, 8), (6, 6), (None, 8)]).shapes == [(5, 6)]
    assert refusal(kind, [(5, 8), (7, 6), (7, 4)]) == (
        f"{name} attention needs query and key of the same width, got 8 and 4", "", "project one of them with a "
        "dense layer", "E-SHAPE")


def test_attention_keras_call_label_and_brief():
    assert layer("attention").keras(FakeKeras(), "L") == ("Attention", (), {"use_scale": False, "name": "L"})
    assert layer("attention", scale=True).keras(FakeKeras(), "A") == ("Attention", (), {"use_scale": True,
                                                                                        "name": "A"})
    assert layer("additive_attention").keras(FakeKeras(), "L") == ("AdditiveAttention", (),
                                                                   {"use_scale": True, "name": "L"})
    assert layer("additive_attention", scale=False).keras(FakeKeras(), "B") == (
        "AdditiveAttention", (), {"use_scale": False, "name": "B"})
    for kind in ("attention", "additive_attention"):
        # one input attends to itself: Keras gets [query, query]
        assert layer(kind).call(record, ["q"]) == ((["q", "q"],), {"use_causal_mask": False})
        assert layer(kind, causal=True).call(record, ["q", "v"]) == ((["q", "v"],), {"use_causal_mask": True})
        assert layer(kind).call(record, ["q", "v", "k"]) == ((["q", "v", "k"],), {"use_causal_mask": False})
        assert layer(kind).default_name() == kind
    a, b = layer("attention"), layer("additive_attention")
    assert (a.label(), b.label()) == ("dot attention (Luong)", "additive attention (Bahdanau)")
    assert (a.brief("en"), a.brief("ko")) == ("dot attention (Luong)", "내적 어텐션(Luong)")
    assert (b.brief("en"), b.brief("ko")) == ("additive attention (Bahdanau)", "가산 어텐션(Bahdanau)")
    a, b = layer("attention", causal=True), layer("additive_attention", causal=True)
    assert (a.label(), b.label()) == ("dot attention (Luong)", "additive attention (Bahdanau)")
    assert (a.brief("en"), a.brief("ko")) == ("dot attention (Luong), causal mask", "내적 어텐션(Luong), 인과 마스크")
    assert (b.brief("en"), b.brief("ko")) == ("additive attention (Bahdanau), causal mask",
                                              "가산 어텐션(Bahdanau), 인과 마스크")


CROSS = """
name: cross
inputs:
  x: {shape: [null, 8]}
  y: {shape: [null, 6]}
  z: {shape: [null, 8]}
layers:
  - {type: attention, name: dot, inputs: [x, y, z], scale: true}
  - {type: additive_attention, name: add, inputs: [x, y, z], causal: true}
  - {type: multi_head_attention, name: m, heads: 2, key_dim: 3, value_dim: 5, inputs: [x, y]}
  - {type: multi_head_attention, name: s, heads: 2, inputs: [x], causal: true, use_bias: false, dropout: 0.25}
  - {type: concat, name: cat, inputs: [dot, add, m, s]}
"""


def _node(name, spec=CROSS):
    graph = archcompiler.load(spec).graph
    return graph, graph.nodes[name]


def test_dot_and_additive_attention_doc_facts():
    graph, node = _node("dot")
    f = node.layer.doc_facts(node, Analysis(graph))
    assert f == {"query": "x", "value": "y", "key": "z", "q_shape": (None, 8), "v_shape": (None, 6),
                 "k_shape": (None, 8), "tq": None, "tv": None, "dq": 8, "dv": 6, "dk": 8, "self": False,
                 "tq_T": "T_x", "tv_T": "T_y", "out": (None, 6), "scale": True, "causal": False, "params": 1,
                 "additive": False}
    graph, node = _node("add")
    f = node.layer.doc_facts(node, Analysis(graph))
    assert (f["query"], f["value"], f["key"], f["params"], f["scale"], f["causal"], f["additive"], f["out"]) == (
        "x", "y", "z", 8, True, True, True, (None, 6))
    assert (f["tq"], f["tv"], f["dq"], f["dv"], f["dk"], f["self"]) == (None, None, 8, 6, 8, False)
    # a graph without lengths (no analysis) names every length T
    f = node.layer.doc_facts(node, graph)
    assert (f["tq_T"], f["tv_T"]) == ("T", "T")


# --- multi-head attention ---------------------------------------------------------------------------------

def test_multi_head_attention_self_attention_formula():
    # h heads of size k on d-wide query/key/value: 3·d·h·k + 3·h·k (Q, K, V) + h·k·d + d (output), biases on
    d, h, k, t = 8, 2, 4, 6
    r = infer("multi_head_attention", [(t, d)], heads=h, key_dim=k)
    assert figures(r) == ([(t, d)], 3 * d * h * k + 3 * h * k + h * k * d + d, 0,
                          3 * t * d * h * k + t * t * h * 2 * k + t * h * k * d)
    r = infer("multi_head_attention", [(t, d)], heads=h, key_dim=k, use_bias=False)
    assert r.trainable == 4 * d * h * k


def test_multi_head_attention_cross_figures():
    # query 5×8, value 7×6, key 7×4; 2 heads, key width 3, value width 5
    r = infer("multi_head_attention", [(5, 8), (7, 6), (7, 4)], heads=2, key_dim=3, value_dim=5)
    q, kk, v, o = 8 * 6 + 6, 4 * 6 + 6, 6 * 10 + 10, 10 * 8 + 8
    macs = 5 * 8 * 6 + 7 * 4 * 6 + 7 * 6 * 10 + 5 * 7 * 2 * (3 + 5) + 5 * 10 * 8
    assert figures(r) == ([(5, 8)], q + kk + v + o, 0, macs)
    r = infer("multi_head_attention", [(5, 8), (7, 6), (7, 4)], heads=2, key_dim=3, value_dim=5, use_bias=False)
    assert (r.trainable, r.macs) == (48 + 24 + 60 + 80, macs)
    # unknown lengths count once
    r = infer("multi_head_attention", [(None, 8), (None, 6), (None, 4)], heads=2, key_dim=3, value_dim=5)
    assert figures(r) == ([(None, 8)], q + kk + v + o, 0, 48 + 24 + 60 + 16 + 80)
    with pytest.raises(ShapeError, match=r"^value and key must have the same length"):
        infer("multi_head_attention", [(5, 8), (7, 6), (6, 4)], heads=2, key_dim=3)


def test_multi_head_attention_settles_its_head_width():
    m = layer("multi_head_attention", heads=4)
    assert m.settle([(3, 12)]).key_dim == 3
    assert m.settle([(3, 12), (5, 7)]).key_dim == 3
    assert m.key_dim is None  # a copy, not the layer itself
    assert type(m.settle([(3, 12)]).key_dim) is int  # a whole head width (Keras' key_dim), not 3.0
    # the width is the last axis whatever the rank: a wrong rank is infer's refusal, not a crash here
    assert m.settle([(12,)]).key_dim == 3 and m.settle([(2, 5, 12)]).key_dim == 3
    fixed = layer("multi_head_attention", heads=5, key_dim=2)
    assert fixed.settle([(3, 12)]) is fixed and fixed.settle([]) is fixed
    for inputs in ([], [()], [(3, None)]):
        with pytest.raises(ShapeError) as info:
            m.settle(inputs)
        e = info.value
        assert (e.message, e.field, e.hint, e.code) == (
            "the query's feature size must be known to split it into heads", "", "set key_dim", "E-SHAPE")
    with pytest.raises(ShapeError) as info:
        layer("multi_head_attention", heads=5).settle([(3, 12)])
    e = info.value
    assert (e.message, e.field, e.hint, e.code) == (
        "5 heads do not divide the model width 12", "heads", "choose heads among the divisors of 12, or set key_dim",
        "E-SHAPE")


def test_multi_head_attention_keras_call_label_and_brief():
    m = layer("multi_head_attention", heads=4, key_dim=8)
    assert m.keras(FakeKeras(), "L") == ("MultiHeadAttention", (4, 8), {
        "value_dim": None, "dropout": 0.0, "use_bias": True, "name": "L"})
    m2 = layer("multi_head_attention", heads=2, key_dim=3, value_dim=5, dropout=0.1, use_bias=False, causal=True)
    assert m2.keras(FakeKeras(), "M") == ("MultiHeadAttention", (2, 3), {
        "value_dim": 5, "dropout": 0.1, "use_bias": False, "name": "M"})
    assert m.call(record, ["q"]) == (("q", "q"), {"key": None, "use_causal_mask": False})
    assert m.call(record, ["q", "v"]) == (("q", "v"), {"key": None, "use_causal_mask": False})
    assert m2.call(record, ["q", "v", "k"]) == (("q", "v"), {"key": "k", "use_causal_mask": True})
    assert (m.label(), m.brief("en"), m.brief("ko")) == (
        "multi-head attention, 4 heads", "multi-head attention, 4 heads", "멀티헤드 어텐션, 헤드 4개")
    assert (m2.label(), m2.brief("en"), m2.brief("ko")) == (
        "multi-head attention, 2 heads, causal mask", "multi-head attention, 2 heads, causal mask",
        "멀티헤드 어텐션, 헤드 2개, 인과 마스크")
    assert m.default_name() == "multi_head_attention"


def test_multi_head_attention_doc_facts():
    graph, node = _node("m")
    f = node.layer.doc_facts(node, Analysis(graph))
    assert f == {"query": "x", "value": "y", "key": "y", "q_shape": (None, 8), "v_shape": (None, 6),
                 "k_shape": (None, 6), "tq": None, "tv": None, "dq": 8, "dv": 6, "dk": 6, "self": False,
                 "tq_T": "T_x", "tv_T": "T_y", "out": (None, 8), "heads": 2, "key_dim": 3, "value_dim": 5, "d": 8,
                 "use_bias": True, "causal": False, "dropout": 0.0, "q_params": 8 * 6 + 6, "k_params": 6 * 6 + 6,
                 "v_params": 6 * 10 + 10, "o_params": 10 * 8 + 8, "params": 254, "params_ok": True,
                 "sqrt_dk": math.sqrt(3), "concat_width": 10, "splits_model": False}
    graph, node = _node("s")
    f = node.layer.doc_facts(node, Analysis(graph))
    # self-attention, 2 heads of 8 // 2 = 4, no biases: four 8×8 projections
    assert {k: f[k] for k in ("query", "value", "key", "self", "heads", "key_dim", "value_dim", "d", "use_bias",
                              "causal", "dropout", "q_params", "k_params", "v_params", "o_params", "params",
                              "params_ok", "sqrt_dk", "concat_width", "splits_model", "tq_T", "tv_T")} == {
        "query": "x", "value": "x", "key": "x", "self": True, "heads": 2, "key_dim": 4, "value_dim": 4, "d": 8,
        "use_bias": False, "causal": True, "dropout": 0.25, "q_params": 64, "k_params": 64, "v_params": 64,
        "o_params": 64, "params": 256, "params_ok": True, "sqrt_dk": 2.0, "concat_width": 8,
        "splits_model": True, "tq_T": "T_x", "tv_T": "T_x"}
