"""The built-in recurrent kinds (simple_rnn, lstm, gru) pinned by hand, without Keras: shapes, parameters
(u·(d+u+1) per gate; GRU's reset_after adds a second bias per gate), MACs (u·(d+u) per gate per step), every
refusal, labels and briefs, output names, the Keras call (through a recording stand-in) and the figures the docs
explain them with (``doc_facts``) on small graphs."""

import pytest
from kind_stand_in import FakeKeras, layer, refusal

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.layers import KINDS


def figures(kind, shapes, **fields):
    r = layer(kind, **fields).infer(shapes)
    return r.shapes, r.trainable, r.non_trainable, r.macs


# --- infer: shapes, parameters, MACs ---------------------------------------------------------------------------

def test_simple_rnn_figures():
    # one gate: u·(d+u+1) = 4·(3+4+1) = 32; per step u·(d+u) = 4·7 = 28, 10 steps
    assert figures("simple_rnn", [(10, 3)], units=4) == ([(4,)], 32, 0, 280)
    assert figures("simple_rnn", [(10, 3)], units=4, return_sequences=True) == ([(10, 4)], 32, 0, 280)
    # unknown length: counted per step
    assert figures("simple_rnn", [(None, 3)], units=4, return_sequences=True) == ([(None, 4)], 32, 0, 28)


def test_lstm_figures():
    # 4 gates: 4·u·(d+u+1) = 4·5·(6+5+1) = 240; per step 4·5·11 = 220, 7 steps
    assert figures("lstm", [(7, 6)], units=5) == ([(5,)], 240, 0, 1540)
    assert figures("lstm", [(7, 6)], units=5, return_state=True) == ([(5,), (5,), (5,)], 240, 0, 1540)
    # bidirectional: twice the parameters and work, output width 2u, states per direction
    assert figures("lstm", [(7, 6)], units=5, bidirectional=True, return_sequences=True, return_state=True) == (
        [(7, 10), (5,), (5,), (5,), (5,)], 480, 0, 3080)


def test_gru_figures():
    # 3 gates, reset_after (default) two biases: 3·u·(d+u+2) = 3·4·(2+4+2) = 96; per step 3·4·6 = 72
    assert figures("gru", [(5, 2)], units=4) == ([(4,)], 96, 0, 360)
    # one bias: 3·4·(2+4+1) = 84
    assert figures("gru", [(5, 2)], units=4, reset_after=False) == ([(4,)], 84, 0, 360)
    assert figures("gru", [(5, 2)], units=4, return_state=True, bidirectional=True) == (
        [(8,), (4,), (4,)], 192, 0, 720)


def test_initial_states_are_accepted_when_they_fit():
    assert figures("lstm", [(7, 6), (5,), (5,)], units=5)[0] == [(5,)]
    assert figures("gru", [(7, 6), (5,), (5,)], units=5, bidirectional=True)[0] == [(10,)]
    assert figures("simple_rnn", [(7, 6), (5,)], units=5)[0] == [(5,)]


def test_refusals():
    assert refusal("lstm", [(7, 6, 2)], units=5) == (
        "lstm expects an input of rank 2 (without batch), got shape (7, 6, 2)", "", "", "E-SHAPE")
    assert refusal("gru", [(7, None)], units=5) == (
        "the feature size of a recurrent layer's input must be known", "", "", "E-SHAPE")
    assert refusal("lstm", [(7, 6)], units=5, bidirectional=True, go_backwards=True) == (
        "bidirectional already reads the sequence both ways (Keras runs a second copy with go_backwards), so it "
        "refuses go_backwards: true as well", "go_backwards", "remove go_backwards: the backward direction is included",
        "E-KERAS-BIDIRECTIONAL-BACKWARDS")
    assert refusal("lstm", [(7, 6), (5,)], units=5) == (
        "LSTM takes 2 initial state(s) (h, c), got 1", "inputs", "", "E-SHAPE")
    assert refusal("lstm", [(7, 6), (5,), (5,)], units=5, bidirectional=True) == (
        "LSTM takes 4 initial state(s) (h, c for each direction), got 2", "inputs", "", "E-SHAPE")
    assert refusal("simple_rnn", [(7, 6), (5,), (5,)], units=5) == (
        "RNN takes 1 initial state(s) (h), got 2", "inputs", "", "E-SHAPE")
    assert refusal("lstm", [(7, 6), (5,), (4,)], units=5) == (
        "initial states must have shape (5), got (4)", "inputs", "", "E-SHAPE")
    assert refusal("gru", [(7, 6), (5, 1)], units=5) == (
        "initial states must have shape (5), got (5, 1)", "inputs", "", "E-SHAPE")
    # go_backwards alone is fine
    assert figures("gru", [(7, 6)], units=5, go_backwards=True)[0] == [(5,)]


# --- names, labels, briefs ------------------------------------------------------------------------------------

def test_output_and_default_names():
    assert layer("lstm", units=3).output_names() == ["output"]
    assert layer("lstm", units=3, bidirectional=True).output_names() == ["output"]
    assert layer("lstm", units=3, return_state=True).output_names() == ["output", "h", "c"]
    assert layer("gru", units=3, return_state=True).output_names() == ["output", "h"]
    assert layer("lstm", units=3, return_state=True, bidirectional=True).output_names() == [
        "output", "forward_h", "forward_c", "backward_h", "backward_c"]
    assert layer("simple_rnn", units=3, return_state=True, bidirectional=True).output_names() == [
        "output", "forward_h", "backward_h"]
    assert layer("lstm", units=3, bidirectional=True).default_name() == "bidirectional"
    assert layer("lstm", units=3).default_name() == "lstm"
    assert layer("simple_rnn", units=3).default_name() == "simple_rnn"


@pytest.mark.parametrize("kind, fields, label, en, ko, caption_ko", [
    ("simple_rnn", {"units": 8}, "RNN 8", "RNN 8", "RNN 8", "RNN 8"),
    ("lstm", {"units": 16, "return_sequences": True}, "LSTM 16, return_sequences", "LSTM 16", "LSTM 16",
     "LSTM 16, 모든 시점 출력"),
    ("gru", {"units": 4, "return_state": True, "bidirectional": True}, "bidirectional GRU 4, return_state",
     "bidirectional GRU 4", "양방향 GRU 4", "양방향 GRU 4, 마지막 상태 출력"),
    ("lstm", {"units": 2, "return_sequences": True, "return_state": True},
     "LSTM 2, return_sequences, return_state", "LSTM 2", "LSTM 2", "LSTM 2, 모든 시점 출력, 마지막 상태 출력"),
])
def test_labels_briefs_captions(kind, fields, label, en, ko, caption_ko):
    lay = layer(kind, **fields)
    assert lay.label() == label
    assert lay.brief("en") == en and lay.brief("ko") == ko
    assert lay.caption("en") == label
    assert lay.caption("ko") == caption_ko
    assert lay.caption("xx") == en


def test_kind_labels():
    assert layer("simple_rnn", units=1).kind_label() == "RNN"
    assert layer("lstm", units=1).kind_label("ko") == "LSTM"
    assert layer("gru", units=1).kind_label() == "GRU"


# --- the Keras call -------------------------------------------------------------------------------------------

def test_keras_calls():
    assert layer("simple_rnn", units=4, activation="relu", return_sequences=True).keras(FakeKeras(), "L") == (
        "SimpleRNN", (4,), {"name": "L", "activation": "relu", "return_sequences": True, "return_state": False,
                            "go_backwards": False})
    assert layer("lstm", units=3, gate_activation="hard_sigmoid", unit_forget_bias=False, return_state=True,
                 go_backwards=True).keras(FakeKeras(), "L") == (
        "LSTM", (3,), {"name": "L", "activation": "tanh", "return_sequences": False, "return_state": True,
                       "go_backwards": True, "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False})
    assert layer("lstm", units=3).keras(FakeKeras(), "L").kwargs["unit_forget_bias"] is True
    assert layer("gru", units=2, reset_after=False).keras(FakeKeras(), "L") == (
        "GRU", (2,), {"name": "L", "activation": "tanh", "return_sequences": False, "return_state": False,
                      "go_backwards": False, "recurrent_activation": "sigmoid", "reset_after": False})
    wrapped = layer("gru", units=2, bidirectional=True).keras(FakeKeras(), "L")
    assert (wrapped.cls, wrapped.kwargs) == ("Bidirectional", {"name": "L"})
    assert wrapped.args == (("GRU", (2,), {"name": None, "activation": "tanh", "return_sequences": False,
                                           "return_state": False, "go_backwards": False,
                                           "recurrent_activation": "sigmoid", "reset_after": True}),)


def test_call_passes_initial_states():
    seen = []

    def fake(*args, **kwargs):
        seen.append((args, kwargs))
        return "out"

    lay = layer("lstm", units=3)
    assert lay.call(fake, ["x"]) == "out"
    assert lay.call(fake, ["x", "h", "c"]) == "out"
    assert layer("gru", units=3).call(fake, ["x", "h"]) == "out"
    assert seen == [(("x",), {}), (("x",), {"initial_state": ["h", "c"]}), (("x",), {"initial_state": ["h"]})]


# --- doc_facts ------------------------------------------------------------------------------------------------

def _facts(spec):
    graph = archcompiler.load(spec).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items() if not node.is_input}


CLASSIFIER = """
name: cls
inputs:
  x: {shape: [12, 6]}
layers:
  - {type: lstm, name: enc, units: 5, bidirectional: true}
  - {type: dense, name: out, units: 3, activation: softmax}
"""


def test_doc_facts_of_a_bidirectional_lstm_classifier():
    f = _facts(CLASSIFIER)["enc"]
    per_gate = 5 * 6 + 5 * 5 + 5  # k·m + k·k + k = 60
    expected = {
        "o": 3, "v_layer": "out", "v_activation": "softmax", "v_cols": 10, "v_bias": True,
        "in": (12, 6), "out": (10,), "outs": [("output", (10,))], "steps": 12, "m": 6, "k": 5, "directions": 2,
        "params": 2 * 4 * per_gate, "return_sequences": False, "return_state": False, "bidirectional": True,
        "go_backwards": False, "states_in": [], "state_outputs": [], "width": 10, "output_used": True,
        "state_readers": [],
        "gates": 4, "biases": 1, "per_gate": 60, "per_direction": 240, "params_ok": True, "activation": "tanh",
        "gate_activation": "sigmoid", "reset_after": None, "unit_forget_bias": True, "kernel_shape": (6, 20),
        "recurrent_shape": (5, 20)}
    step = f.pop("step")
    assert step is not None
    assert f == expected


SEQ2SEQ = """
name: s2s
inputs:
  x: {shape: [9, 4]}
  y: {shape: [7, 3]}
layers:
  - {type: gru, name: enc, units: 6, return_state: true, inputs: [x], reset_after: false, activation: relu}
  - {type: gru, name: dec, units: 6, return_sequences: true, inputs: [y, enc.h]}
  - {type: dense, name: out, units: 2, use_bias: false}
"""


def test_doc_facts_of_an_encoder_decoder():
    facts = _facts(SEQ2SEQ)
    enc, dec = facts["enc"], facts["dec"]
    assert (enc["outs"], enc["state_outputs"], enc["output_used"], enc["state_readers"]) == (
        [("output", (6,)), ("h", (6,))], ["h"], False, ["dec"])
    assert (enc["o"], enc["v_layer"], enc["v_activation"], enc["v_cols"], enc["v_bias"]) == (None,) * 5
    assert (enc["gates"], enc["biases"], enc["per_gate"], enc["per_direction"], enc["params"], enc["params_ok"]) == (
        3, 1, 6 * 4 + 36 + 6, 3 * 66, 198, True)
    assert (enc["reset_after"], enc["gate_activation"], enc["unit_forget_bias"], enc["activation"]) == (
        False, "sigmoid", None, "relu")
    assert (enc["kernel_shape"], enc["recurrent_shape"], enc["step"]) == ((4, 18), (6, 18), None)
    assert (enc["directions"], enc["width"], enc["return_state"]) == (1, 6, True)
    # the decoder: two biases (reset_after), its initial state from the encoder, its output read by the dense
    assert dec["states_in"] == [{"ref": "enc[1]", "node": "enc", "output": "h", "shape": (6,)}]
    assert (dec["biases"], dec["per_gate"], dec["per_direction"], dec["params"]) == (2, 6 * 3 + 36 + 12, 198, 198)
    assert (dec["o"], dec["v_layer"], dec["v_activation"], dec["v_cols"], dec["v_bias"]) == (
        2, "out", "linear", 6, False)
    assert (dec["out"], dec["steps"], dec["output_used"], dec["state_readers"], dec["state_outputs"]) == (
        (7, 6), 7, True, [], [])
    assert dec["step"] is not None


def test_one_unit_step_only_for_the_standard_activations():
    assert layer("lstm", units=2).one_unit_step() is not None
    assert layer("lstm", units=2, gate_activation="hard_sigmoid").one_unit_step() is None
    assert layer("lstm", units=2, activation="relu").one_unit_step() is None
    assert layer("gru", units=2).one_unit_step() is not None
    assert layer("gru", units=2, activation="relu").one_unit_step() is None
    assert layer("gru", units=2, gate_activation="hard_sigmoid").one_unit_step() is None
    assert layer("simple_rnn", units=2).one_unit_step() is None


PLAIN = """
name: plain
inputs:
  x: {shape: [null, 3]}
layers:
  - {type: simple_rnn, name: r, units: 2, return_state: true, go_backwards: true}
outputs: [r]
"""


def test_doc_facts_of_a_simple_rnn_read_as_a_model_output():
    f = _facts(PLAIN)["r"]
    # one gate, one bias set: k·m + k·k + k = 6 + 4 + 2 = 12
    assert (f["gates"], f["biases"], f["per_gate"], f["per_direction"], f["params"], f["params_ok"]) == (
        1, 1, 12, 12, 12, True)
    assert (f["gate_activation"], f["reset_after"], f["unit_forget_bias"], f["step"]) == (None, None, None, None)
    assert (f["kernel_shape"], f["recurrent_shape"], f["steps"], f["in"], f["out"]) == (
        (3, 2), (2, 2), None, (None, 3), (2,))
    # no layer reads the output, but the model returns it
    assert (f["output_used"], f["state_readers"], f["state_outputs"], f["go_backwards"]) == (True, [], ["h"], True)
    assert (f["o"], f["v_layer"], f["v_bias"]) == (None, None, None)


def test_the_built_in_kinds_take_up_to_four_initial_states():
    # the sequence, then a bidirectional LSTM's four states (h, c per direction)
    assert {KINDS[k].max_inputs for k in ("simple_rnn", "lstm", "gru")} == {5}
    assert {KINDS[k].family for k in ("simple_rnn", "lstm", "gru")} == {"recurrent"}
