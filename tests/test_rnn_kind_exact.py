"""``type: rnn`` (a recurrent layer running a cell declared under ``cells:``) pinned by hand, without Keras:
a minimal gated unit (gates f and g: 2·u·(d+u+1) parameters, 2·u·(d+u) MACs a step) and a declared LSTM cell
(two states, four gates), their refusals, names, labels, briefs, the Keras call through a recording stand-in
and the figures the docs explain them with (``doc_facts``)."""

import pytest
from kind_stand_in import FakeKeras

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.cells import equation_rows, equations, runtime_config
from archcompiler.layers.base import ShapeError

CELLS = """
cells:
  mgu:
    title: {en: minimal gated unit, ko: 최소 게이트 유닛}
    explain: {en: One gate., ko: 게이트 하나.}
    state: [h]
    gates:
      f: {activation: sigmoid}
      g: {activation: tanh, reset: f}
    update:
      h: "(1 - f) * h + f * g"
  lstm:
    state: [h, c]
    gates:
      i: {activation: sigmoid}
      f: {activation: sigmoid, bias_init: ones}
      g: {activation: tanh}
      o: {activation: sigmoid}
    update:
      c: "f * c + i * g"
      h: "o * tanh(c)"
    output: h
"""

SPEC = "name: cellnet\n" + CELLS + """
inputs:
  x: {shape: [9, 4]}
  y: {shape: [null, 4]}
layers:
  - {type: rnn, name: enc, cell: lstm, units: 3, return_state: true, inputs: [y]}
  - {type: rnn, name: dec, cell: lstm, units: 3, return_sequences: true, inputs: [x, enc.h, enc.c]}
  - {type: rnn, name: both, cell: mgu, units: 3, bidirectional: true, inputs: [x]}
  - {type: dense, name: out, units: 2, activation: softmax}
outputs: [dec, out]
"""


def _graph():
    return archcompiler.load(SPEC).graph


def _layer(name):
    return _graph().nodes[name].layer


def figures(lay, shapes, **changes):
    r = lay.model_copy(update=changes).infer(shapes)
    return r.shapes, r.trainable, r.non_trainable, r.macs


def test_figures_of_the_declared_cells():
    g = _graph()
    # LSTM cell: 4 gates, u·(d+u+1) each: 4·3·(4+3+1) = 96; 4·3·(4+3) = 84 MACs a step
    assert (g.nodes["enc"].shapes, g.nodes["enc"].params) == ([(3,), (3,), (3,)], 96)
    assert (g.nodes["dec"].shapes, g.nodes["dec"].params) == ([(9, 3)], 96)
    # MGU bidirectional: 2·(2·3·8) = 96 parameters, output 2u
    assert (g.nodes["both"].shapes, g.nodes["both"].params) == ([(6,)], 96)
    mgu, lstm = g.nodes["both"].layer, g.nodes["enc"].layer
    assert figures(mgu, [(9, 4)], bidirectional=False) == ([(3,)], 48, 0, 9 * 42)
    assert figures(mgu, [(9, 4)]) == ([(6,)], 96, 0, 2 * 9 * 42)
    assert figures(mgu, [(None, 4)], bidirectional=False, return_sequences=True) == ([(None, 3)], 48, 0, 42)
    assert figures(lstm, [(9, 4)]) == ([(3,), (3,), (3,)], 96, 0, 9 * 84)
    assert figures(lstm, [(9, 5)], return_state=False, units=2) == ([(2,)], 4 * 2 * 8, 0, 9 * 4 * 2 * 7)


def refusal(lay, shapes, **changes):
    with pytest.raises(ShapeError) as e:
        lay.model_copy(update=changes).infer(shapes)
    return e.value.message, e.value.field, e.value.hint, e.value.code


def test_refusals_name_the_cell():
    lstm, mgu = _layer("enc"), _layer("both")
    assert refusal(lstm, [(9, 4), (3,)]) == ("lstm cell takes 2 initial state(s) (h, c), got 1", "inputs", "", "E-SHAPE")
    assert refusal(mgu, [(9, 4), (3,)]) == (
        "mgu cell takes 2 initial state(s) (h for each direction), got 1", "inputs", "", "E-SHAPE")
    assert refusal(lstm, [(9, 4), (3,), (2,)]) == (
        "initial states must have shape (3), got (2)", "inputs", "", "E-SHAPE")
    assert refusal(lstm, [(9, None)])[0] == "the feature size of a recurrent layer's input must be known"
    assert refusal(lstm, [(9,)])[0] == "rnn expects an input of rank 2 (without batch), got shape (9)"
    assert refusal(mgu, [(9, 4)], go_backwards=True)[3] == "E-KERAS-BIDIRECTIONAL-BACKWARDS"


def test_names_labels_briefs():
    lstm, mgu, dec = _layer("enc"), _layer("both"), _layer("dec")
    assert lstm.output_names() == ["output", "h", "c"]
    assert dec.output_names() == ["output"]
    assert mgu.model_copy(update={"return_state": True}).output_names() == ["output", "forward_h", "backward_h"]
    assert (lstm.default_name(), mgu.default_name()) == ("rnn", "bidirectional")
    assert lstm.kind_label() == "lstm cell" and lstm.kind_label("ko") == "lstm 셀"
    assert lstm.label() == "lstm cell 3, return_state"
    assert dec.label() == "lstm cell 3, return_sequences"
    assert mgu.label() == "bidirectional mgu cell 3"
    assert (mgu.brief("en"), mgu.brief("ko")) == ("bidirectional mgu cell 3", "양방향 mgu 셀 3")
    assert (lstm.brief("en"), lstm.brief("ko")) == ("lstm cell 3", "lstm 셀 3")
    assert lstm.caption("ko") == "lstm 셀 3, 마지막 상태 출력"
    assert lstm.hyperparameters()["cell"] == "lstm"
    assert lstm.hyperparameters()["units"] == 3
    assert (lstm.figure_stem("net"), mgu.figure_stem("cellnet")) == ("net_cell_lstm", "cellnet_cell_mgu")


def test_equations_and_diagram_come_from_the_cell():
    lstm = _layer("enc")
    assert lstm.equations(4) == equations(lstm.cell, 4, 3, True)
    assert lstm.equations(4, sizes=False) == equations(lstm.cell, 4, 3, False)
    assert lstm.equations(4) != lstm.equations(4, sizes=False)
    assert lstm.equation_rows(4) == equation_rows(lstm.cell, 4, 3)
    assert lstm.equation_rows(4) != equation_rows(lstm.cell, 5, 3)
    assert sum(r["params"] for r in lstm.equation_rows(4)) == 96


def test_keras_call():
    lstm = _layer("enc")
    cell = ("GateCell", (3,), {**runtime_config(lstm.cell), "cell_name": "lstm", "name": "lstm_cell"})
    assert lstm.keras(FakeKeras(), "L") == ("RNN", (cell,), {"name": "L", "return_sequences": False,
                                                            "return_state": True, "go_backwards": False})
    wrapped = _layer("both").keras(FakeKeras(), "B")
    assert (wrapped.cls, wrapped.kwargs) == ("Bidirectional", {"name": "B"})
    (inner,) = wrapped.args
    assert (inner.cls, inner.kwargs) == ("RNN", {"name": None, "return_sequences": False, "return_state": False,
                                                 "go_backwards": False})
    assert inner.args[0].kwargs["name"] == "mgu_cell" and inner.args[0].kwargs["cell_name"] == "mgu"


def _facts():
    graph = _graph()
    analysis = Analysis(graph)
    return {name: graph.nodes[name].layer.doc_facts(graph.nodes[name], analysis) for name in ("enc", "dec", "both")}


def test_doc_facts():
    f = _facts()
    both, enc, dec = f["both"], f["enc"], f["dec"]
    assert (both["cell"], both["states"], both["output_state"], both["per_direction"], both["params"]) == (
        "mgu", ["h"], "h", 48, 96)
    assert both["cell_title"] == {"en": "minimal gated unit", "ko": "최소 게이트 유닛"}
    assert both["cell_explain"] == {"en": "One gate.", "ko": "게이트 하나."}
    assert (both["figure"], both["figure_ko"]) == ("cellnet_cell_mgu.svg", "cellnet_cell_mgu.ko.svg")
    assert both["params_ok"] is True and both["directions"] == 2 and both["width"] == 6
    assert [r["params"] for r in both["gates"]] == [24, 24]
    assert both["rows"] == equation_rows(_layer("both").cell, 4, 3)
    assert [r for r in both["rows"] if r["kind"] == "gate"] == both["gates"]
    assert (both["o"], both["v_layer"], both["v_cols"]) == (2, "out", 6)
    assert (enc["cell_title"], enc["cell_explain"], enc["states"], enc["per_direction"], enc["params_ok"]) == (
        None, None, ["h", "c"], 96, True)
    assert len(enc["gates"]) == 4 and enc["m"] == 4 and enc["steps"] is None
    assert enc["state_readers"] == ["dec"] and enc["output_used"] is False
    assert [s["output"] for s in dec["states_in"]] == ["h", "c"]
    assert dec["output_used"] is True and dec["steps"] == 9


def test_diagram_is_the_cell_figure_in_the_language_asked():
    from archcompiler.cells import cell_diagram

    mgu = _layer("both")
    assert mgu.diagram(4).source == cell_diagram(mgu.cell, 4, 3, lang="en").source
    assert mgu.diagram(4, lang="ko").source == cell_diagram(mgu.cell, 4, 3, lang="ko").source
    assert mgu.diagram(4, lang="ko").source != mgu.diagram(4).source
    assert mgu.diagram().source == cell_diagram(mgu.cell, None, 3, lang="en").source
    assert mgu.diagram().source != mgu.diagram(4).source
