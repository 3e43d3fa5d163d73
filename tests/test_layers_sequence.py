"""The sequence layer kinds against Keras: for each kind, the output shapes and parameter counts we
infer in pure Python equal the ones Keras gives for the same layer (and the textbook formula), the
extra outputs and inputs (return_state, initial states, bidirectional) are wired to the right
tensors, causal masks hide the future, the sinusoidal encoding is the paper's formula, and impossible
settings are SpecErrors at the layer's line."""

import math

import numpy as np
import pytest

from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

keras = pytest.importorskip("keras")

from archcompiler.emit.keras_model import build_model  # noqa: E402
from archcompiler.keras import SinusoidalPositionalEncoding  # noqa: E402


def keras_figures(model, graph):
    """name → (output shapes, parameter count) as Keras reports them, for every layer of the graph."""
    out = {}
    for node in graph.layers():
        layer = model.get_layer(node.name)
        tensors = keras.tree.flatten(layer.output)
        out[node.name] = ([tuple(t.shape[1:]) for t in tensors], layer.count_params())
    return out


def compiled(spec_file, body):
    """Load a small spec, build it in Keras without the built-in check, and compare layer by layer here."""
    graph = load_graph(spec_file("name: t\n" + body.lstrip("\n")))
    model = build_model(graph, check=False)
    figures = keras_figures(model, graph)
    for node in graph.layers():
        assert figures[node.name] == ([tuple(s) for s in node.shapes], node.params), node.name
    return graph, model


def errors(spec_file, body):
    with pytest.raises(SpecErrors) as info:
        load_graph(spec_file("name: t\n" + body.lstrip("\n")))
    return info.value.errors


# --- recurrent layers -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind, extra, formula", [
    ("simple_rnn", "", lambda u, m: u * (u + m + 1)),
    ("lstm", "", lambda u, m: 4 * u * (u + m + 1)),
    ("gru", "", lambda u, m: 3 * u * (u + m + 2)),  # reset_after (Keras' default): two biases
    ("gru", ", reset_after: true", lambda u, m: 3 * u * (u + m + 2)),
    ("gru", ", reset_after: false", lambda u, m: 3 * u * (u + m + 1)),
    ("lstm", ", gate_activation: hard_sigmoid, activation: relu", lambda u, m: 4 * u * (u + m + 1)),
])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_params_and_shapes(spec_file, kind, extra, formula, return_sequences):
    u, m, steps = 6, 5, 7
    graph, model = compiled(spec_file, f"""
inputs: {{x: {{shape: [{steps}, {m}]}}}}
layers:
  - {{type: {kind}, name: r, units: {u}, return_sequences: {str(return_sequences).lower()}{extra}}}
""")
    node = graph.nodes["r"]
    assert node.params == formula(u, m)
    assert node.shapes == [(steps, u) if return_sequences else (u,)]
    keras_layer = model.get_layer("r")
    if kind != "simple_rnn":
        assert keras_layer.cell.recurrent_activation.__name__ == node.layer.gate_activation
    if kind == "gru":
        assert keras_layer.cell.reset_after == node.layer.reset_after


def test_variable_length_sequence(spec_file):
    graph, _ = compiled(spec_file, """
inputs: {x: {shape: [null, 3]}}
layers:
  - {type: lstm, name: r, units: 4, return_sequences: true}
""")
    assert graph.nodes["r"].shapes == [(None, 4)]


@pytest.mark.parametrize("kind, states", [("simple_rnn", ["h"]), ("lstm", ["h", "c"]), ("gru", ["h"])])
def test_return_state_outputs_and_references(spec_file, kind, states):
    refs = ", ".join(f"r.{s}" for s in states + ["h"])  # the final h twice: concat needs two inputs
    graph, _ = compiled(spec_file, f"""
inputs: {{x: {{shape: [7, 5]}}}}
layers:
  - {{type: {kind}, name: r, units: 4, return_sequences: true, return_state: true}}
  - {{type: concat, name: states, inputs: [{refs}]}}
""")
    assert graph.nodes["r"].output_names == ["output", *states]
    assert graph.nodes["r"].shapes == [(7, 4)] + [(4,)] * len(states)
    assert graph.nodes["states"].shape == (4 * (len(states) + 1),)
    assert [r.index for r in graph.nodes["states"].inputs] == list(range(1, len(states) + 1)) + [1]


def test_bidirectional_doubles_width_and_params_and_names_both_directions(spec_file):
    u, m = 4, 5
    graph, _ = compiled(spec_file, f"""
inputs: {{x: {{shape: [null, {m}]}}}}
layers:
  - {{type: lstm, name: enc, units: {u}, bidirectional: true, return_sequences: true, return_state: true}}
  - {{type: concat, name: final_h, inputs: [enc.forward_h, enc.backward_h]}}
  - {{type: gru, name: g, units: {u}, bidirectional: true, reset_after: false, inputs: x}}
outputs: [final_h, g]
""")
    enc = graph.nodes["enc"]
    assert enc.output_names == ["output", "forward_h", "forward_c", "backward_h", "backward_c"]
    assert enc.shapes == [(None, 2 * u)] + [(u,)] * 4
    assert enc.params == 2 * 4 * u * (u + m + 1)
    assert graph.nodes["final_h"].shape == (2 * u,)
    assert graph.nodes["g"].params == 2 * 3 * u * (u + m + 1)
    assert graph.nodes["g"].shape == (2 * u,)


def test_initial_states_feed_the_decoder(spec_file):
    graph, model = compiled(spec_file, """
inputs: {x: {shape: [7, 5]}, y: {shape: [3, 6]}}
layers:
  - {type: lstm, name: enc, units: 4, return_state: true, inputs: x}
  - {type: lstm, name: dec, units: 4, return_sequences: true, inputs: [y, enc.h, enc.c]}
""")
    assert graph.nodes["dec"].shapes == [(3, 4)]
    assert graph.nodes["dec"].params == 4 * 4 * (4 + 6 + 1)
    # the states really arrive: the decoder's output depends on the encoder's input
    rng = np.random.default_rng(0)
    y = rng.standard_normal((1, 3, 6)).astype("float32")
    x1, x2 = (rng.standard_normal((1, 7, 5)).astype("float32") for _ in range(2))
    assert np.abs(np.asarray(model([x1, y])) - np.asarray(model([x2, y]))).max() > 1e-4


def test_bidirectional_initial_states_go_to_their_direction(spec_file):
    _, model = compiled(spec_file, """
inputs: {x: {shape: [7, 5]}, hf: {shape: [4]}, hb: {shape: [4]}}
layers:
  - {type: gru, name: r, units: 4, bidirectional: true, return_sequences: true, inputs: [x, hf, hb]}
""")
    x = np.random.default_rng(1).standard_normal((2, 7, 5)).astype("float32")
    zero, one = np.zeros((2, 4), "float32"), np.ones((2, 4), "float32")
    base = np.asarray(model([x, zero, zero]))
    forward = np.asarray(model([x, one, zero])) - base
    backward = np.asarray(model([x, zero, one])) - base
    assert np.abs(forward[..., :4]).max() > 1e-3 and np.abs(forward[..., 4:]).max() == 0
    assert np.abs(backward[..., 4:]).max() > 1e-3 and np.abs(backward[..., :4]).max() == 0


# --- embeddings and positions ---------------------------------------------------------------------

def test_embedding_and_positional_encoding(spec_file):
    graph, _ = compiled(spec_file, """
inputs: {t: {shape: [9], dtype: int32}}
layers:
  - {type: embedding, name: e, vocab: 50, dim: 8, mask_zero: true}
  - {type: positional_encoding, name: p}
""")
    assert graph.nodes["e"].shapes == [(9, 8)] and graph.nodes["e"].params == 50 * 8
    assert graph.nodes["p"].shapes == [(9, 8)] and graph.nodes["p"].params == 0


def paper_encoding(steps, d):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), in float64."""
    pe = np.zeros((steps, d))
    for pos in range(steps):
        for i in range(d // 2):
            angle = pos / 10000 ** (2 * i / d)
            pe[pos, 2 * i], pe[pos, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return pe


def test_sinusoidal_encoding_is_the_papers_formula():
    steps, d = 50, 16
    x = np.random.default_rng(2).standard_normal((2, steps, d)).astype("float32")
    plain = np.asarray(SinusoidalPositionalEncoding(scale=False)(x))
    np.testing.assert_allclose(plain - x, np.broadcast_to(paper_encoding(steps, d), x.shape), atol=2e-6)
    scaled = np.asarray(SinusoidalPositionalEncoding(scale=True)(x))
    np.testing.assert_allclose(scaled, x * math.sqrt(d) + paper_encoding(steps, d), rtol=1e-5, atol=1e-5)


def test_sinusoidal_encoding_keeps_float32_angles_under_mixed_precision():
    steps, d = 500, 32  # in float16 the angle of position 500 is only known to ±0.25
    out = SinusoidalPositionalEncoding(scale=False, dtype="mixed_float16")(np.zeros((1, steps, d), "float16"))
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    error = np.abs(np.asarray(out, dtype="float64")[0] - paper_encoding(steps, d)).max()
    assert error < 1e-3  # float16 rounding of values in [-1, 1]


def test_positional_encoding_needs_an_even_width(spec_file):
    (error,) = errors(spec_file, """
inputs: {x: {shape: [4, 7]}}
layers:
  - {type: positional_encoding}
""")
    assert "even" in error.message and error.loc.line == 4


# --- attention ------------------------------------------------------------------------------------

def test_dot_attention_with_key_and_scale(spec_file):
    graph, _ = compiled(spec_file, """
inputs: {q: {shape: [3, 6]}, v: {shape: [5, 4]}, k: {shape: [5, 6]}}
layers:
  - {type: attention, name: a, scale: true, inputs: [q, v, k]}
  - {type: attention, name: b, inputs: [q, k]}
outputs: [a, b]
""")
    assert graph.nodes["a"].shapes == [(3, 4)] and graph.nodes["a"].params == 1
    assert graph.nodes["b"].shapes == [(3, 6)] and graph.nodes["b"].params == 0


def test_additive_attention_learns_one_scale_per_feature(spec_file):
    graph, _ = compiled(spec_file, """
inputs: {q: {shape: [3, 6]}, v: {shape: [5, 4]}, k: {shape: [5, 6]}}
layers:
  - {type: additive_attention, name: a, inputs: [q, v, k]}
  - {type: additive_attention, name: b, scale: false, inputs: [q, k]}
outputs: [a, b]
""")
    assert graph.nodes["a"].shapes == [(3, 4)] and graph.nodes["a"].params == 6
    assert graph.nodes["b"].shapes == [(3, 6)] and graph.nodes["b"].params == 0


def mha_params(dq, dk, dv, heads, key_dim, value_dim, bias=True):
    b = 1 if bias else 0
    return (dq * heads * key_dim + b * heads * key_dim) + (dk * heads * key_dim + b * heads * key_dim) \
        + (dv * heads * value_dim + b * heads * value_dim) + (heads * value_dim * dq + b * dq)


def test_multi_head_attention_default_key_dim_is_width_over_heads(spec_file):
    graph, model = compiled(spec_file, """
inputs: {q: {shape: [3, 12]}, v: {shape: [5, 10]}}
layers:
  - {type: multi_head_attention, name: a, heads: 4, inputs: [q, v]}
  - {type: multi_head_attention, name: self, heads: 3, inputs: q}
outputs: [a, self]
""")
    assert graph.nodes["a"].layer.key_dim == 3 and model.get_layer("a").key_dim == 3
    assert graph.nodes["a"].shapes == [(3, 12)]
    assert graph.nodes["a"].params == mha_params(12, 10, 10, 4, 3, 3)
    assert graph.nodes["self"].params == 4 * (12 * 12 + 12)


def test_multi_head_attention_with_key_dim_value_dim_and_separate_key(spec_file):
    graph, _ = compiled(spec_file, """
inputs: {q: {shape: [3, 10]}, v: {shape: [5, 8]}, k: {shape: [5, 7]}}
layers:
  - {type: multi_head_attention, name: a, heads: 3, key_dim: 4, value_dim: 2, use_bias: false, inputs: [q, v, k]}
""")
    # 3 heads of width 4 on a width of 10: no divisibility needed once key_dim is given
    assert graph.nodes["a"].shapes == [(3, 10)]
    assert graph.nodes["a"].params == mha_params(10, 7, 8, 3, 4, 2, bias=False)


@pytest.mark.parametrize("layer", ["attention", "additive_attention", "multi_head_attention, heads: 2"])
def test_causal_mask_hides_the_future(spec_file, layer):
    def influence_of_later_steps(causal):
        _, model = compiled(spec_file, f"""
inputs: {{q: {{shape: [6, 8]}}}}
layers:
  - {{type: {layer}, causal: {causal}}}
""")
        x = 0.5 * np.random.default_rng(3).standard_normal((1, 6, 8)).astype("float32")
        changed = x.copy()
        changed[:, 3:] += 1.0
        return np.abs(np.asarray(model(x)) - np.asarray(model(changed))).max(axis=-1)[0]

    masked = influence_of_later_steps("true")
    assert masked[:3].max() < 1e-6 and masked[3:].min() > 1e-4
    assert influence_of_later_steps("false")[:3].min() > 1e-4  # without the mask the past sees the future


# --- impossible settings --------------------------------------------------------------------------

def test_heads_that_do_not_divide_the_width(spec_file):
    (error,) = errors(spec_file, """
inputs: {q: {shape: [6, 10]}}
layers:
  - {type: multi_head_attention, heads: 3}
""")
    assert "3 heads do not divide the model width 10" in error.message
    assert error.path.endswith("heads") and (error.loc.line, error.loc.column) == (4, 41)
    assert "key_dim" in error.hint


@pytest.mark.parametrize("body, message, line", [
    ("""
inputs: {x: {shape: [7, 5]}, y: {shape: [3, 6]}}
layers:
  - {type: lstm, name: enc, units: 4, return_state: true, inputs: x}
  - {type: lstm, units: 4, inputs: [y, enc.h]}
""", "LSTM takes 2 initial state(s) (h, c), got 1", 5),
    ("""
inputs: {x: {shape: [7, 5]}, h: {shape: [3]}}
layers:
  - {type: gru, units: 4, inputs: [x, h]}
""", "initial states must have shape (4), got (3)", 4),
    ("""
inputs: {x: {shape: [7, 5]}}
layers:
  - {type: lstm, name: enc, units: 4}
  - {type: dense, units: 2, inputs: enc.c}
""", "'enc' has no output 'c'", 5),
    ("""
inputs: {x: {shape: [4, 5, 5]}}
layers:
  - {type: simple_rnn, units: 4}
""", "expects an input of rank 2", 4),
    ("""
inputs: {q: {shape: [3, 6]}, v: {shape: [5, 4]}}
layers:
  - {type: attention, inputs: [q, v]}
""", "query and key of the same width, got 6 and 4", 4),
    ("""
inputs: {q: {shape: [3, 6]}, v: {shape: [5, 6]}, k: {shape: [4, 6]}}
layers:
  - {type: additive_attention, inputs: [q, v, k]}
""", "value and key must have the same length", 4),
    ("""
inputs: {q: {shape: [3, null]}}
layers:
  - {type: multi_head_attention, heads: 2}
""", "feature size must be known", 4),
])
def test_impossible_sequence_settings_are_located_errors(spec_file, body, message, line):
    found = errors(spec_file, body)
    assert any(message in e.message and e.loc.line == line for e in found), [str(e) for e in found]
