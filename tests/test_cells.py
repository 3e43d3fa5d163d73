"""Recurrent cells declared by their gate equations: the declaration language and its errors,
parameter inference, LaTeX and diagrams, and the proof that declared LSTM/GRU cells are Keras'
own LSTM/GRU (same parameters, same outputs with the weights copied across)."""

import subprocess
import sys

import numpy as np
import pytest

from archcompiler.cells import CellExprError, build_program, cell_diagram, equations, parse_update, validate_cell
from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

STEPS, M, U = 7, 5, 6


def errors_of(path, sets=None):
    with pytest.raises(SpecErrors) as info:
        load_graph(path, sets)
    return info.value.errors


def only(errors, text):
    found = [e for e in errors if text in str(e)]
    assert len(found) == 1, [str(e) for e in errors]
    return found[0]


# --- parameters without Keras ------------------------------------------------------------

def test_library_specs_parameter_counts():
    lstm = load_graph("lstm_gates")
    assert lstm.nodes["encoder"].trainable == 4 * 256 * (71 + 256 + 1) == 335_872
    assert lstm.nodes["decoder"].trainable == 4 * 256 * (93 + 256 + 1) == 358_400
    assert lstm.total_params == 335_872 + 358_400 + 256 * 93 + 93 == 718_173  # as specs/seq2seq.yaml
    assert lstm.nodes["encoder"].output_names == ["output", "h", "c"]

    gru = load_graph("gru_gates")
    assert gru.nodes["gru"].trainable == 2 * 3 * 64 * (128 + 64 + 2) == 74_496
    assert gru.nodes["gru"].shape == (128,)
    assert gru.total_params == 1_354_625
    gru_v1 = load_graph("gru_gates", {"reset_after": "false"})
    assert gru_v1.nodes["gru"].trainable == 2 * 3 * 64 * (128 + 64 + 1)
    assert gru_v1.total_params == 1_354_241

    peephole = load_graph("peephole_lstm")
    assert peephole.nodes["lstm"].trainable == 4 * 32 * (4 + 32 + 1) + 3 * 32 == 4_832
    assert peephole.nodes["lstm"].shape == (None, 32)

    mgu = load_graph("mgu")
    assert mgu.nodes["mgu"].trainable == 2 * 64 * (16 + 64 + 1) == 10_368
    assert mgu.total_params == 11_018


def test_validation_does_not_import_keras_or_graphviz():
    code = ("import sys; from archcompiler.resolve import load_graph\n"
            "for s in ('lstm_gates', 'gru_gates', 'peephole_lstm', 'mgu'): load_graph(s)\n"
            "bad = [m for m in ('keras', 'tensorflow', 'graphviz') if m in sys.modules]\n"
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_full_peephole_and_no_recurrent_matrix(spec_file):
    path = spec_file(f"""
name: t
inputs: {{x: {{shape: [{STEPS}, {M}]}}}}
cells:
  odd:
    state: [h, c]
    gates:
      a: {{peephole: {{c: full}}, recurrent: c}}
      b: {{activation: tanh, recurrent: false, bias: false}}
    update:
      c: "a * c + b"
      h: "relu(c) - 0.5 * h"
layers:
  - {{type: rnn, cell: odd, units: {U}}}
""")
    node = load_graph(path).nodes["rnn"]
    assert node.trainable == (M * U + U * U + U * U + U) + (M * U)
    assert node.macs == STEPS * (M * U + 2 * U * U + M * U)


def test_extends_inherits_and_overrides_cells(spec_file):
    path = spec_file("""
name: child
extends: lstm_gates
params: {latent: 32}
cells:
  relu_lstm:
    state: [h, c]
    gates: {i: {}, f: {}, g: {activation: relu}, o: {}}
    update: {c: "f * c + i * g", h: "o * relu(c)"}
override:
  decoder: {cell: relu_lstm}
""")
    graph = load_graph(path)
    assert graph.nodes["encoder"].layer.cell.name == "lstm"
    assert graph.nodes["decoder"].layer.cell.name == "relu_lstm"
    assert graph.nodes["decoder"].trainable == 4 * 32 * (93 + 32 + 1)
    assert graph.nodes["decoder"].layer.hyperparameters()["cell"] == "relu_lstm"


# --- the expression language and its errors ----------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("f / c", "'/' is not allowed"),
    ("f ** 2", "'**' is not allowed"),
    ("c.real", "not allowed"),
    ("exp(c)", "unknown function 'exp'"),
    ("__import__('os')", "unknown function '__import__'"),
    ("f if c else g", "not allowed"),
    ("[f, c]", "not allowed"),
    ("lambda: f", "not allowed"),
    ("tanh(c, f)", "exactly one argument"),
    ("True * c", "not a number"),
    ("f * (c", "cannot parse"),
    ("x := 1", "cannot parse"),
])
def test_update_expressions_are_a_whitelist(text, message):
    with pytest.raises(CellExprError) as info:
        parse_update(text)
    assert message in info.value.message


def test_update_expression_limits():
    with pytest.raises(CellExprError):
        parse_update("c" + " + c" * 200)
    with pytest.raises(CellExprError):
        parse_update("(" * 300 + "c" + ")" * 300)


BAD_CELL = """
name: t
inputs:
  x: {shape: [7, 5]}
cells:
  lstm:
    state: [h, c, n]
    gates:
      f: {activation: sigmoid}
      i: {activation: sigmoid}
      g: {activation: tanh}
      o: {activation: sigmoid}
      q: {activation: sigmoid, peephole: [k], reset: zz}
    update:
      c: "f * c + i * gg"
      h: "o * tanh(c)"
    output: y
layers:
  - {type: rnn, cell: lstm, units: 4}
"""


def test_cell_mistakes_reported_together_with_locations(spec_file):
    path = spec_file(BAD_CELL)
    errors = errors_of(path)
    unknown = only(errors, "unknown name 'gg'")
    assert (unknown.loc.line, unknown.loc.column) == (14, 10) and unknown.path == "cells.lstm.update.c"
    assert "at character 13" in unknown.message and "did you mean 'g'" in unknown.hint
    unused = only(errors, "gate 'q' is never used")
    assert (unused.loc.line, unused.loc.column) == (12, 7) and unused.path == "cells.lstm.gates.q"
    only(errors, "gate 'g' is never used")  # its only use was misspelt
    never = only(errors, "state 'n' is never updated")
    assert (never.loc.line, never.loc.column) == (6, 19) and never.path == "cells.lstm.state[2]"
    output = only(errors, "the output 'y' is not a state")
    assert (output.loc.line, output.loc.column) == (16, 13)
    peek = only(errors, "peeks at 'k'")
    assert (peek.loc.line, peek.loc.column) == (12, 43)
    reset = only(errors, "reset by 'zz'")
    assert (reset.loc.line, reset.loc.column) == (12, 54)
    assert all(str(e).startswith(f"{path}:") for e in errors)
    assert len(errors) == 7, [str(e) for e in errors]


def test_unknown_cell_in_a_layer_hints_the_closest(spec_file):
    path = spec_file("""
name: t
inputs:
  x: {shape: [7, 5]}
cells:
  lstm:
    state: [h, c]
    gates: {i: {}, f: {}, g: {activation: tanh}, o: {}}
    update: {c: "f * c + i * g", h: "o * tanh(c)"}
layers:
  - {type: rnn, cell: lstn, units: 4}
""")
    (error,) = errors_of(path)
    assert "unknown cell 'lstn'" in error.message and "did you mean 'lstm'" in error.hint
    assert (error.loc.line, error.loc.column) == (10, 23)


@pytest.mark.parametrize("cell, message", [
    ("state: [h]\n    gates: {g: {activation: tanh}}\n    update: {h: 'g', k: 'h'}", "'k' is not a state"),
    ("state: [h]\n    gates: {h: {activation: tanh}}\n    update: {h: 'h'}", "names both a gate and a state"),
    ("state: [h]\n    gates: {g: {reset: g}}\n    update: {h: 'g'}", "cannot reset itself"),
    ("state: [h]\n    gates: {a: {reset: b}, b: {reset: a}}\n    update: {h: 'a'}", "reset each other in a loop"),
    ("state: [h]\n    gates: {g: {reset_after: true}}\n    update: {h: 'g'}", "reset_after without a reset"),
    ("state: [h]\n    gates: {g: {recurrent: false, recurrent_bias: true}}\n    update: {h: 'g'}",
     "recurrent bias but no recurrent matrix"),
    ("state: [h]\n    gates: {g: {recurrent: k}}\n    update: {h: 'g'}", "reads 'k', which is not a state"),
    ("state: [h]\n    gates: {g: {}}\n    update: {h: '2 * 3'}", "reads no gate or state"),
    ("state: [h]\n    gates: {g: {activation: softmax}}\n    update: {h: 'g'}", "invalid value 'softmax'"),
    ("state: [h]\n    gates: {g: {}}\n    update: {h: 'g'}\n    extra: 1", "unknown field 'extra'"),
])
def test_other_cell_mistakes(spec_file, cell, message):
    path = spec_file(f"""
name: t
inputs:
  x: {{shape: [7, 5]}}
cells:
  c1:
    {cell}
layers:
  - {{type: rnn, cell: c1, units: 4}}
""")
    errors = errors_of(path)
    assert any(message in str(e) for e in errors), [str(e) for e in errors]
    assert all(e.loc and e.loc.line >= 6 for e in errors), [str(e) for e in errors]


def test_initial_states_must_match_the_cell(spec_file):
    path = spec_file("""
name: t
extends: lstm_gates
inputs:
  x: {shape: [7, 5]}
  h0: {shape: [4]}
layers:
  - {type: rnn, name: r, inputs: [x, h0], cell: lstm, units: 4}
""")
    (error,) = errors_of(path)
    assert "takes 2 initial state(s) (h, c)" in error.message and error.loc.line == 7


# --- words and pictures --------------------------------------------------------------------

def test_lstm_equations_in_order_with_sizes():
    lines = load_graph("lstm_gates").nodes["encoder"].layer.equations(71)
    assert [line.split(" = ")[0] for line in lines] == ["F_t", "I_t", "G_t", "C_{t}", "O_t", "H_{t}"]
    assert lines[0] == (r"F_t = \sigma\left(W_{f} X_t + U_{f} H_{t-1} + b_{f}\right) \qquad "
                        r"W_{f} \in \mathbb{R}^{256 \times 71},\ U_{f} \in \mathbb{R}^{256 \times 256},\ "
                        r"b_{f} \in \mathbb{R}^{256}")
    assert lines[3] == r"C_{t} = F_t \odot C_{t-1} + I_t \odot G_t"
    assert lines[5] == r"H_{t} = O_t \odot \tanh\left(C_{t}\right)"


def test_peephole_output_gate_sees_the_new_cell_state():
    cell = load_graph("peephole_lstm").nodes["lstm"].layer.cell
    lines = dict(line.split(" = ", 1) for line in equations(cell, 4, 32, sizes=False))
    assert r"p_{fc} \odot C_{t-1}" in lines["F_t"]
    assert r"p_{oc} \odot C_{t}" in lines["O_t"]


def test_gru_equations_show_the_reset_variant():
    after = load_graph("gru_gates").nodes["gru"].layer.cell
    before = load_graph("gru_gates", {"reset_after": "false"}).nodes["gru"].layer.cell
    cand = [line for line in equations(after, 128, 64) if line.startswith(r"\tilde{H}_t")][0]
    assert r"R_t \odot \left(U_{g} H_{t-1} + b'_{g}\right)" in cand and r"b'_{g} \in \mathbb{R}^{64}" in cand
    cand = [line for line in equations(before, sizes=False) if line.startswith(r"\tilde{H}_t")][0]
    assert r"U_{g} \left(R_t \odot H_{t-1}\right)" in cand and "b'" not in cand
    assert equations(after, sizes=False)[-1] == r"H_{t} = z_t \odot H_{t-1} + \left(1 - z_t\right) \odot \tilde{H}_t"


def test_cell_diagram_draws_gates_products_and_sums():
    cell = load_graph("lstm_gates").nodes["encoder"].layer.cell
    graph = cell_diagram(cell, 71, 256)
    source = graph.source
    for gate in "ifgo":
        assert f"gate_{gate} [label=" in source
    assert source.count('label="×"') == 3 and source.count('label="+"') == 1
    assert "forget gate" in source and "83,968 params" in source  # 256 × (71 + 256 + 1)
    svg = graph.pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_program_order_and_reads():
    cell = load_graph("mgu").nodes["mgu"].layer.cell
    steps = build_program(cell)
    assert [getattr(s, "name", None) or s.state for s in steps] == ["f", "g", "h"]
    assert steps[1].reset == "f" and steps[1].recurrent.state == "h" and not steps[1].recurrent.new


# --- Keras: the same numbers as keras.layers.LSTM / GRU -------------------------------------

@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(7)


def declared_model(tmp_path, base, layer, outputs, inputs=None, sets=None):
    from archcompiler.emit.keras_model import build_model

    extra = "".join(f"\n  {name}: {{shape: [{size}]}}" for name, size in (inputs or {}).items())
    path = tmp_path / "declared.yaml"
    path.write_text(f"name: declared\nextends: {base}\ninputs:\n  x: {{shape: [{STEPS}, {M}]}}{extra}\n"
                    f"layers:\n  - {layer}\noutputs: {outputs}\n", encoding="utf-8")
    graph = load_graph(path, sets)
    return graph, build_model(graph)  # build_model checks shapes and parameter counts against Keras


def randomize(keras_model, rng):
    keras_model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32")
                             for w in keras_model.get_weights()])


def copy_lstm(ref_cell, cell):
    kernel, recurrent, bias = (np.asarray(w) for w in (ref_cell.kernel, ref_cell.recurrent_kernel, ref_cell.bias))
    for k, gate in enumerate("ifgo"):  # Keras' gate order: i, f, c (our g), o
        cols = slice(k * U, (k + 1) * U)
        w = cell.gate_weights[gate]
        w["kernel"].assign(kernel[:, cols])
        w["recurrent_kernel"].assign(recurrent[:, cols])
        w["bias"].assign(bias[cols])


def copy_gru(ref_cell, cell, reset_after, sign=None):
    kernel, recurrent, bias = (np.asarray(w) for w in (ref_cell.kernel, ref_cell.recurrent_kernel, ref_cell.bias))
    sign = sign or {}
    for k, gate in enumerate("zrg"):  # Keras' gate order: z, r, h (our g)
        cols, s = slice(k * U, (k + 1) * U), sign.get(gate, 1.0)
        target = cell.gate_weights[sign.get("name_" + gate, gate)]
        target["kernel"].assign(s * kernel[:, cols])
        target["recurrent_kernel"].assign(s * recurrent[:, cols])
        if reset_after:  # bias has shape (2, 3u): input biases, then recurrent biases
            target["bias"].assign(s * bias[0, cols])
            target["recurrent_bias"].assign(s * bias[1, cols])
        else:
            target["bias"].assign(s * bias[cols])


def assert_same(ours, reference, *inputs):
    got, want = ours(list(inputs) if len(inputs) > 1 else inputs[0]), reference(
        list(inputs) if len(inputs) > 1 else inputs[0])
    got = got if isinstance(got, (list, tuple)) else [got]
    want = want if isinstance(want, (list, tuple)) else [want]
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5, rtol=1e-5)


@pytest.fixture(scope="module")
def lstm_pair(keras, rng, tmp_path_factory):
    graph, ours = declared_model(tmp_path_factory.mktemp("lstm"), "lstm_gates",
                                 f"{{type: rnn, name: rnn, cell: lstm, units: {U}, return_sequences: true, "
                                 "return_state: true}", "[rnn, rnn.h, rnn.c]")
    x = keras.Input((STEPS, M))
    reference = keras.Model(x, keras.layers.LSTM(U, return_sequences=True, return_state=True, name="rnn")(x))
    randomize(reference, rng)
    copy_lstm(reference.get_layer("rnn").cell, ours.get_layer("rnn").cell)
    return graph, ours, reference


def test_declared_lstm_equals_keras_lstm(lstm_pair, rng):
    graph, ours, reference = lstm_pair
    assert graph.total_params == ours.count_params() == reference.count_params() == 4 * U * (M + U + 1)
    x = rng.normal(size=(3, STEPS, M)).astype("float32")
    assert_same(ours, reference, x)  # the sequence, then h and c


def test_declared_lstm_saves_and_loads(lstm_pair, rng, keras, tmp_path):
    _, ours, _ = lstm_pair
    path = tmp_path / "declared_lstm.keras"
    ours.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.get_layer("rnn").cell).__name__ == "GateCell"
    x = rng.normal(size=(2, STEPS, M)).astype("float32")
    assert_same(loaded, ours, x)


@pytest.mark.parametrize("reset_after", [True, False])
def test_declared_gru_equals_keras_gru(reset_after, keras, rng, tmp_path):
    backwards = not reset_after  # cover go_backwards on one of the two
    graph, ours = declared_model(tmp_path, "gru_gates",
                                 f"{{type: rnn, name: rnn, cell: gru, units: {U}, return_sequences: true, "
                                 f"return_state: true, go_backwards: {str(backwards).lower()}}}",
                                 "[rnn, rnn.h]", sets={"reset_after": str(reset_after).lower()})
    x = keras.Input((STEPS, M))
    reference = keras.Model(x, keras.layers.GRU(U, reset_after=reset_after, return_sequences=True, return_state=True,
                                                go_backwards=backwards, name="rnn")(x))
    randomize(reference, rng)
    copy_gru(reference.get_layer("rnn").cell, ours.get_layer("rnn").cell, reset_after)
    expected = 3 * U * (M + U + (2 if reset_after else 1))
    assert graph.total_params == ours.count_params() == reference.count_params() == expected
    assert_same(ours, reference, rng.normal(size=(3, STEPS, M)).astype("float32"))


def test_lecture_form_gru_equals_keras_with_negated_update_gate(keras, rng, tmp_path):
    """The lecture writes H_t = (1 − U_t) ⊙ H_{t−1} + U_t ⊙ h̃_t: its update gate is 1 − Z_t, and since
    σ(−a) = 1 − σ(a) the same GRU results from Keras' z weights with their signs flipped."""
    path = tmp_path / "lecture.yaml"
    path.write_text(f"""
name: lecture_gru
inputs: {{x: {{shape: [{STEPS}, {M}]}}}}
cells:
  gru:
    state: [h]
    gates:
      u: {{recurrent_bias: true}}
      r: {{recurrent_bias: true}}
      g: {{activation: tanh, reset: r, reset_after: true, recurrent_bias: true}}
    update:
      h: "(1 - u) * h + u * g"
layers:
  - {{type: rnn, name: rnn, cell: gru, units: {U}, return_sequences: true}}
""", encoding="utf-8")
    from archcompiler.emit.keras_model import build_model

    ours = build_model(load_graph(path))
    x = keras.Input((STEPS, M))
    reference = keras.Model(x, keras.layers.GRU(U, return_sequences=True, name="rnn")(x))
    randomize(reference, rng)
    copy_gru(reference.get_layer("rnn").cell, ours.get_layer("rnn").cell, True, sign={"z": -1.0, "name_z": "u"})
    assert_same(ours, reference, rng.normal(size=(2, STEPS, M)).astype("float32"))


def test_bidirectional_lstm_with_initial_states(keras, rng, tmp_path):
    graph, ours = declared_model(
        tmp_path, "lstm_gates",
        f"{{type: rnn, name: rnn, inputs: [x, h0, c0, h1, c1], cell: lstm, units: {U}, bidirectional: true, "
        "return_sequences: true, return_state: true}",
        "[rnn, rnn.forward_h, rnn.forward_c, rnn.backward_h, rnn.backward_c]",
        inputs={"h0": U, "c0": U, "h1": U, "c1": U})
    assert graph.nodes["rnn"].shapes == [(STEPS, 2 * U)] + [(U,)] * 4
    x, *states = [keras.Input(s) for s in [(STEPS, M), (U,), (U,), (U,), (U,)]]
    layer = keras.layers.Bidirectional(keras.layers.LSTM(U, return_sequences=True, return_state=True), name="rnn")
    reference = keras.Model([x, *states], layer(x, initial_state=states))
    randomize(reference, rng)
    mine = ours.get_layer("rnn")
    copy_lstm(layer.forward_layer.cell, mine.forward_layer.cell)
    copy_lstm(layer.backward_layer.cell, mine.backward_layer.cell)
    assert ours.count_params() == reference.count_params() == graph.total_params
    data = [rng.normal(size=(2, STEPS, M)).astype("float32")] + [
        rng.normal(size=(2, U)).astype("float32") for _ in range(4)]
    assert_same(ours, reference, *data)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def test_peephole_lstm_and_mgu_follow_their_papers(keras, rng, tmp_path):
    """Peephole LSTM (Gers & Schmidhuber 2000) and MGU (Zhou et al. 2016) against NumPy loops
    written from the papers' equations."""
    x = rng.normal(size=(2, STEPS, M)).astype("float32")

    _, model = declared_model(tmp_path, "peephole_lstm",
                              f"{{type: rnn, name: rnn, cell: peephole_lstm, units: {U}, return_sequences: true}}",
                              "[rnn]")
    randomize(model, rng)
    w = {g: {k: np.asarray(v) for k, v in d.items()} for g, d in model.get_layer("rnn").cell.gate_weights.items()}
    h, c, outs = np.zeros((2, U)), np.zeros((2, U)), []

    def pre(g, xt, peek):
        return xt @ w[g]["kernel"] + h @ w[g]["recurrent_kernel"] + w[g]["bias"] + (
            w[g]["peephole_c"] * peek if "peephole_c" in w[g] else 0)

    for t in range(STEPS):
        xt = x[:, t]
        i, f, g = _sigmoid(pre("i", xt, c)), _sigmoid(pre("f", xt, c)), np.tanh(pre("g", xt, None))
        c = f * c + i * g
        o = _sigmoid(pre("o", xt, c))  # the output gate peeks at the new cell state
        h = o * np.tanh(c)
        outs.append(h)
    np.testing.assert_allclose(np.asarray(model(x)), np.stack(outs, axis=1), atol=1e-5)

    _, model = declared_model(tmp_path, "mgu", f"{{type: rnn, name: rnn, cell: mgu, units: {U}}}", "[rnn]")
    randomize(model, rng)
    w = {g: {k: np.asarray(v) for k, v in d.items()} for g, d in model.get_layer("rnn").cell.gate_weights.items()}
    h = np.zeros((2, U))
    for t in range(STEPS):
        f = _sigmoid(x[:, t] @ w["f"]["kernel"] + h @ w["f"]["recurrent_kernel"] + w["f"]["bias"])
        g = np.tanh(x[:, t] @ w["g"]["kernel"] + (f * h) @ w["g"]["recurrent_kernel"] + w["g"]["bias"])
        h = (1 - f) * h + f * g
    np.testing.assert_allclose(np.asarray(model(x)), h, atol=1e-5)


@pytest.mark.parametrize("spec", ["lstm_gates", "gru_gates", "peephole_lstm", "mgu"])
def test_library_specs_build_in_keras(spec, keras):
    from archcompiler.emit.keras_model import build_model

    graph = load_graph(spec)
    model = build_model(graph)  # raises if any layer's shapes or parameter counts differ from ours
    assert model.count_params() == graph.total_params


def test_cell_config_round_trips_without_locations():
    cell = load_graph("gru_gates").nodes["gru"].layer.cell
    again = validate_cell("gru", cell.model_dump(mode="json", exclude_defaults=True))
    assert again == cell and again.name == "gru"
    with pytest.raises(ValueError, match="never used"):
        validate_cell("bad", {"state": ["h"], "gates": {"g": {}, "k": {}}, "update": {"h": "g"}})


def test_rnn_without_a_cell_points_to_simple_rnn(spec_file):
    path = spec_file("""
name: t
inputs:
  x: {shape: [7, 5]}
layers:
  - {type: rnn, units: 4}
""")
    (error,) = errors_of(path)
    assert "add 'cell: <name>'" in error.message and "simple_rnn" in error.hint and error.loc.line == 5


def test_equation_rows_for_the_docs():
    rows = load_graph("lstm_gates").nodes["decoder"].layer.equation_rows(93)
    assert [(r["kind"], r["name"]) for r in rows] == [("gate", "f"), ("gate", "i"), ("gate", "g"), ("update", "c"),
                                                     ("gate", "o"), ("update", "h")]
    forget = rows[0]
    assert forget["title"] == {"en": "forget gate", "ko": "망각게이트"}
    assert forget["params"] == 256 * (93 + 256 + 1)
    assert forget["sizes"].startswith(r"W_{f} \in \mathbb{R}^{256 \times 93}")
    assert sum(r["params"] for r in rows) == load_graph("lstm_gates").nodes["decoder"].trainable
