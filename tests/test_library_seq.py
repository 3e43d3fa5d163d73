"""The sequence half of the spec library: rnn, lstm, gru, seq2seq, attention, transformer.

Parameter counts are checked against the textbook formulas (computed here from each spec's params)
and against the published / reference figures (Keras' lstm_seq2seq example: 718,173; the Transformer
base with separate 37,000-token embeddings and output projection: 101,007,496). Then every spec is
built in Keras (shrunk with --set where it is big): Keras agrees layer by layer, a forward pass on a
random batch gives the declared output shape, and one training step runs."""

import numpy as np
import pytest

from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

SEQ_SPECS = ["rnn", "lstm", "gru", "seq2seq", "attention", "transformer"]


def output_shape(graph):
    (ref,) = graph.outputs
    return graph.nodes[ref.node].shapes[ref.index]


def assert_metadata(graph):
    spec = graph.spec
    assert spec.year and spec.authors and spec.paper and spec.paper.title
    for text in [spec.result, spec.summary, *spec.key_ideas]:
        assert text.en.strip() and text.ko.strip()
    assert len(spec.key_ideas) >= 3
    for block in spec.blocks.values():
        assert block.title.en and block.title.ko and block.explain.en and block.explain.ko


@pytest.mark.parametrize("name", SEQ_SPECS)
def test_metadata_in_english_and_korean(name):
    assert_metadata(load_graph(name))


# --- recurrent layers: u(u+m+1), 4u(u+m+1), 3u(u+m+2) -------------------------------------------

@pytest.mark.parametrize("sets", [{}, {"many_to_many": "true"}, {"units": "7", "features": "3", "num_classes": "2"},
                                  {"steps": "12"}])
def test_rnn_parameters_by_formula(sets):
    g = load_graph("rnn", sets)
    u, m, o = g.params["units"], g.params["features"], g.params["num_classes"]
    assert g.nodes["rnn"].params == u * (u + m + 1)
    assert g.nodes["predictions"].params == o * (u + 1)
    assert g.total_params == u * (u + m + 1) + o * (u + 1)
    assert g.nodes["rnn"].layer.activation == "tanh"
    steps = g.params["steps"]
    assert output_shape(g) == ((steps, o) if g.params["many_to_many"] else (o,))


def test_rnn_default_figures():
    g = load_graph("rnn")
    assert (g.params["units"], g.params["features"], g.params["num_classes"]) == (32, 8, 4)
    assert g.total_params == 32 * (32 + 8 + 1) + 4 * 33 == 1_444
    assert output_shape(g) == (4,)
    assert output_shape(load_graph("rnn", {"many_to_many": "true"})) == (None, 4)


@pytest.mark.parametrize("sets", [{}, {"many_to_many": "true"}, {"bidirectional": "true"},
                                  {"units": "64", "embed": "32", "vocab": "500", "many_to_many": "true",
                                   "bidirectional": "true"}])
def test_lstm_parameters_by_formula(sets):
    g = load_graph("lstm", sets)
    p = g.params
    u, m, directions = p["units"], p["embed"], 2 if p["bidirectional"] else 1
    lstm = g.nodes["lstm"]
    assert lstm.params == directions * 4 * u * (u + m + 1)
    assert (lstm.layer.activation, lstm.layer.gate_activation) == ("tanh", "sigmoid")
    assert g.nodes["embedding"].params == p["vocab"] * m
    assert g.total_params == p["vocab"] * m + directions * 4 * u * (u + m + 1) \
        + p["num_classes"] * (directions * u + 1)
    assert output_shape(g) == ((None, p["num_classes"]) if p["many_to_many"] else (p["num_classes"],))


def test_lstm_default_figures():
    g = load_graph("lstm")
    assert g.nodes["lstm"].params == 4 * 128 * (128 + 128 + 1) == 131_584
    assert g.total_params == 20_000 * 128 + 131_584 + 258 == 2_691_842


@pytest.mark.parametrize("sets", [{}, {"reset_after": "false"}, {"many_to_many": "true", "bidirectional": "true"},
                                  {"reset_after": "false", "bidirectional": "true", "units": "10", "embed": "6"}])
def test_gru_parameters_by_formula(sets):
    g = load_graph("gru", sets)
    p = g.params
    u, m, directions = p["units"], p["embed"], 2 if p["bidirectional"] else 1
    gru = g.nodes["gru"]
    assert gru.layer.reset_after == p["reset_after"]
    biases = 2 if p["reset_after"] else 1
    assert gru.params == directions * 3 * u * (u + m + biases)
    assert (gru.layer.activation, gru.layer.gate_activation) == ("tanh", "sigmoid")
    assert g.total_params == p["vocab"] * m + gru.params + p["num_classes"] * (directions * u + 1)
    assert output_shape(g) == ((None, p["num_classes"]) if p["many_to_many"] else (p["num_classes"],))


def test_gru_default_figures_and_reset_after_difference():
    default, original = load_graph("gru"), load_graph("gru", {"reset_after": "false"})
    assert default.nodes["gru"].params == 3 * 128 * (128 + 128 + 2) == 99_072
    assert original.nodes["gru"].params == 3 * 128 * (128 + 128 + 1) == 98_688
    assert default.total_params - original.total_params == 3 * 128  # the second bias


# --- seq2seq: 718,173 -----------------------------------------------------------------------------

def test_seq2seq_matches_the_keras_example():
    g = load_graph("seq2seq")
    assert g.total_params == 718_173
    assert g.nodes["encoder"].params == 4 * 256 * (256 + 71 + 1) == 335_872
    assert g.nodes["decoder"].params == 4 * 256 * (256 + 93 + 1) == 358_400
    assert g.nodes["predictions"].params == 256 * 93 + 93 == 23_901
    assert g.nodes["encoder_inputs"].shape == (None, 71)
    assert g.nodes["decoder_inputs"].shape == (None, 93)
    assert g.nodes["encoder"].output_names == ["output", "h", "c"]
    # the decoder starts from the encoder's final h and c
    assert [(r.node, r.index) for r in g.nodes["decoder"].inputs] == [("decoder_inputs", 0), ("encoder", 1),
                                                                      ("encoder", 2)]
    assert g.nodes["predictions"].inputs[0].node == "decoder"
    assert output_shape(g) == (None, 93)


@pytest.mark.parametrize("sets", [{"latent": "32"}, {"encoder_tokens": "10", "decoder_tokens": "12"}])
def test_seq2seq_parameters_by_formula(sets):
    g = load_graph("seq2seq", sets)
    u, m, n = g.params["latent"], g.params["encoder_tokens"], g.params["decoder_tokens"]
    assert g.total_params == 4 * u * (u + m + 1) + 4 * u * (u + n + 1) + n * (u + 1)


# --- attention ------------------------------------------------------------------------------------

def attention_params(p):
    vs, vt, e, u = p["source_vocab"], p["target_vocab"], p["embed"], p["units"]
    total = (vs + vt) * e + 2 * 3 * u * (u + e + 2) + (2 * u * u + u) + (u * vt + vt)
    if not p["luong"]:
        total += 2 * u * u + u  # W, U (no bias) and v of vᵀ tanh(W s + U h)
    return total


@pytest.mark.parametrize("sets", [{}, {"luong": "true"}, {"units": "48", "embed": "20", "source_vocab": "300"},
                                  {"units": "48", "luong": "true", "target_vocab": "70"}])
def test_attention_parameters_by_formula(sets):
    g = load_graph("attention", sets)
    assert g.total_params == attention_params(g.params)
    u = g.params["units"]
    kind = g.nodes["attention"].kind
    assert kind == ("attention" if g.params["luong"] else "additive_attention")
    assert ("query_projection" in g.nodes) == (not g.params["luong"])
    # attention reads every encoder output (the sequence, index 0), not just the final state
    assert ("encoder", 0) in [(r.node, r.index) for r in g.nodes["attention"].inputs]
    assert g.nodes["encoder"].shapes[0] == (None, u)
    assert g.nodes["attention"].shape == (None, u)
    assert g.nodes["context_and_state"].shape == (None, 2 * u)
    assert output_shape(g) == (None, g.params["target_vocab"])


def test_attention_default_figures():
    assert load_graph("attention").total_params == 13_665_040
    assert load_graph("attention", {"luong": "true"}).total_params == 13_665_040 - (2 * 512 * 512 + 512)


# --- transformer: 101,007,496 ----------------------------------------------------------------------

def transformer_params(p):
    d, f, n = p["d_model"], p["d_ff"], p["layers"]
    mha, norm, ffn = 4 * (d * d + d), 2 * d, d * f + f + f * d + d
    encoder_layer, decoder_layer = mha + ffn + 2 * norm, 2 * mha + ffn + 3 * norm
    return (p["source_vocab"] + p["target_vocab"]) * d + n * (encoder_layer + decoder_layer) \
        + d * p["target_vocab"] + p["target_vocab"]


def test_transformer_base_figures():
    g = load_graph("transformer")
    p = g.params
    assert (p["layers"], p["d_model"], p["d_ff"], p["heads"], p["dropout"]) == (6, 512, 2048, 8, 0.1)
    assert (p["source_vocab"], p["target_vocab"]) == (37_000, 37_000)
    assert g.total_params == transformer_params(p) == 101_007_496
    assert g.nodes["encoder1_self_attention"].layer.key_dim == 64
    assert output_shape(g) == (None, 37_000)


def test_transformer_structure():
    g = load_graph("transformer")
    encoders = {s.name for n in g.nodes.values() for s in n.scopes if s.block == "encoder_layer"}
    decoders = {s.name for n in g.nodes.values() for s in n.scopes if s.block == "decoder_layer"}
    assert encoders == {f"encoder{i}" for i in range(1, 7)}
    assert decoders == {f"decoder{i}" for i in range(1, 7)}
    # the copies of one repeat share a group (a diagram draws one, ×6)
    assert len({s.group for n in g.nodes.values() for s in n.scopes if s.block == "decoder_layer"}) == 1
    mha = [n for n in g.nodes.values() if n.kind == "multi_head_attention"]
    assert len(mha) == 6 + 2 * 6
    assert all(n.layer.heads == 8 and n.layer.key_dim == 64 for n in mha)
    assert all(n.layer.causal == n.name.endswith("self_attention") and n.name.startswith("decoder")
               or not n.layer.causal for n in mha)
    assert sum(n.layer.causal for n in mha) == 6
    for i in range(1, 7):
        cross = g.nodes[f"decoder{i}_cross_attention"]
        # queries from the decoder, keys and values from the last encoder layer (the memory)
        assert [r.node for r in cross.inputs] == [f"decoder{i}_self_attention_norm", "encoder6_ffn_norm"]
    # post-norm: every sub-layer is add (input + dropout(sublayer)) then layer norm
    assert g.nodes["encoder1_attention_add"].kind == "add"
    assert [r.node for r in g.nodes["encoder1_attention_add"].inputs] == ["source_dropout",
                                                                         "encoder1_attention_dropout"]
    assert g.consumers("encoder1_attention_add")[0].kind == "layernorm"
    assert g.nodes["source_positions"].kind == "positional_encoding"
    assert g.nodes["source_positions"].layer.scale  # embeddings × √d_model
    assert g.nodes["source_embedding"].params == g.nodes["target_embedding"].params == 37_000 * 512
    dropouts = [n.layer.rate for n in g.nodes.values() if n.kind == "dropout"]
    assert len(dropouts) == 2 + 6 * 2 + 6 * 3 and set(dropouts) == {0.1}


@pytest.mark.parametrize("sets", [
    {"vocab": "1000"},
    {"layers": "1"},
    {"layers": "2", "d_model": "128", "d_ff": "256", "heads": "4"},
    {"source_vocab": "800", "target_vocab": "900", "d_model": "64", "heads": "2"},
])
def test_transformer_shrinks_with_set(sets):
    g = load_graph("transformer", sets)
    assert g.total_params == transformer_params(g.params)
    n = g.params["layers"]
    assert sum(1 for node in g.nodes.values() if node.name.endswith("cross_attention")) == n
    assert g.nodes["decoder1_cross_attention"].inputs[1].node == f"encoder{n}_ffn_norm"


def test_transformer_heads_must_divide_d_model():
    with pytest.raises(SpecErrors) as info:
        load_graph("transformer", {"d_model": "100"})
    messages = {e.message.split(": ", 1)[1] for e in info.value.errors}
    assert messages == {"8 heads do not divide the model width 100"}
    assert all(e.loc.file.endswith("transformer.yaml") and e.path.endswith(".heads") for e in info.value.errors)


def test_block_inputs_by_name_errors(spec_file):
    body = """
        name: t
        inputs: {x: {shape: [4, 8]}, m: {shape: [5, 8]}}
        blocks:
          cross:
            inputs: [x, memory]
            layers:
              - {type: multi_head_attention, heads: 2, inputs: [x, memory]}
        layers:
          - {use: cross, name: a, %s}
    """
    ok = load_graph(spec_file(body % "memory: m"))
    assert [r.node for r in ok.nodes["a_multi_head_attention"].inputs] == ["x", "m"]
    for use, message in [("inputs: [x, m], memory: m", "input 'memory' of block 'cross' is given twice"),
                         ("repeat: 1", "block 'cross' reads 2 input(s) (x, memory), got 1"),
                         ("memory: nowhere", "unknown layer or input 'nowhere'")]:
        with pytest.raises(SpecErrors) as info:
            load_graph(spec_file(body % use))
        assert any(message in e.message and e.loc.line == 9 for e in info.value.errors), str(info.value)


# --- Keras: layer-by-layer agreement, forward pass, one training step -------------------------------

KERAS_CASES = [
    ("rnn", {}),
    ("rnn", {"many_to_many": "true"}),
    ("lstm", {"vocab": "200"}),
    ("lstm", {"vocab": "200", "many_to_many": "true", "bidirectional": "true"}),
    ("gru", {"vocab": "200"}),
    ("gru", {"vocab": "200", "many_to_many": "true", "reset_after": "false"}),
    ("seq2seq", {}),
    ("attention", {"source_vocab": "50", "target_vocab": "60", "embed": "16", "units": "32"}),
    ("attention", {"source_vocab": "50", "target_vocab": "60", "embed": "16", "units": "32", "luong": "true"}),
    ("transformer", {"vocab": "100", "layers": "2", "d_model": "32", "d_ff": "64", "heads": "4"}),
]


def random_batch(graph, batch=2, steps=6, seed=0):
    rng = np.random.default_rng(seed)
    data = []
    for name in graph.inputs:
        node = graph.nodes[name]
        shape = (batch,) + tuple(steps if d is None else d for d in node.shape)
        if node.layer.dtype.startswith("int"):
            (embedding,) = [c for c in graph.consumers(name) if c.kind == "embedding"]
            data.append(rng.integers(1, embedding.layer.vocab, size=shape).astype(node.layer.dtype))
        else:
            data.append(rng.standard_normal(shape).astype("float32"))
    return data


@pytest.mark.parametrize("name, sets", KERAS_CASES, ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in s.items())}"
                                                         for n, s in KERAS_CASES])
def test_keras_forward_pass_and_one_training_step(name, sets):
    keras = pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    graph = load_graph(name, sets)
    model = build_model(graph)  # raises on any layer whose shapes or parameters differ from ours
    assert model.count_params() == graph.total_params
    x = random_batch(graph)
    out = np.asarray(model(x if len(x) > 1 else x[0], training=False))
    declared = output_shape(graph)
    assert out.shape == (2,) + tuple(6 if d is None else d for d in declared)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-4)  # every spec ends in a softmax
    labels = np.random.default_rng(1).integers(0, declared[-1], size=out.shape[:-1])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=False)
    history = model.fit(x if len(x) > 1 else x[0], labels, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    keras.backend.clear_session()
