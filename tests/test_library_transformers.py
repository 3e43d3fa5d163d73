"""The Transformer half of "beyond the lecture": the kinds for learned weights that are not a layer's
input (class token, learned positions, layer scale), reading one position out (take, slice), layer
norm's options and weight tying; and the specs vit_b16, gpt2, bert_base, convnext_tiny and the
Transformer's shared embeddings — their published counts by our inference at full size, plain-Keras
reference models of the same design (shrunk with --set) for the count, and keras.applications'
ConvNeXtTiny for names, weight layouts and outputs."""

import math

import numpy as np
import pytest
from test_library_seq import assert_metadata

from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

# (total, trainable, non-trainable): the published figures
FIGURES = {
    "vit_b16": (86_567_656, 86_567_656, 0),  # ViT-B/16 at 224, timm vit_base_patch16_224
    "gpt2": (124_439_808, 124_439_808, 0),  # Hugging Face gpt2, tied head
    "bert_base": (109_482_240, 109_482_240, 0),  # Hugging Face bert-base-uncased, BertModel with pooler
    "convnext_tiny": (28_589_128, 28_589_128, 0),  # keras.applications.ConvNeXtTiny
}
NEW_SPECS = list(FIGURES)


def _keras():
    return pytest.importorskip("keras")


def _count(weights):
    return sum(math.prod(w.shape) for w in weights)


# --- full-size figures (pure Python) -------------------------------------------------------------

@pytest.mark.parametrize("name", NEW_SPECS)
def test_published_parameter_counts(name):
    g = load_graph(name)
    assert (g.total_params, g.trainable, g.non_trainable) == FIGURES[name]
    assert_metadata(g)


def test_vit_b16_shapes_and_the_class_token():
    g = load_graph("vit_b16")
    shapes = {n: g.nodes[n].shape for n in ("patch_embedding", "patches", "class_token", "position_embedding",
                                            "encoder12_mlp_add", "class_token_out", "head")}
    assert shapes == {"patch_embedding": (14, 14, 768), "patches": (196, 768), "class_token": (197, 768),
                      "position_embedding": (197, 768), "encoder12_mlp_add": (197, 768),
                      "class_token_out": (768,), "head": (1000,)}
    assert g.nodes["class_token"].params == 768
    assert g.nodes["position_embedding"].params == 197 * 768
    assert g.nodes["patch_embedding"].params == 16 * 16 * 3 * 768 + 768


def test_gpt2_ties_its_head_and_counts_the_table_once():
    g = load_graph("gpt2")
    head, table = g.nodes["lm_head"], g.nodes["token_embedding"]
    assert head.params == 0 and table.params == 50257 * 768
    assert [str(r) for r in head.inputs] == ["ln_f", "token_embedding[1]"]
    assert head.shape == (1024, 50257) and table.shapes[1] == (50257, 768)
    assert head.macs == 1024 * 768 * 50257
    assert all(n.layer.causal for n in g.layers() if n.kind == "multi_head_attention")


def test_bert_base_embeddings_and_pooler():
    g = load_graph("bert_base")
    assert [g.nodes[n].params for n in ("token_embedding", "segment_embedding", "position_embedding",
                                        "embedding_norm", "pooler")] == [23_440_896, 1_536, 393_216, 1_536, 590_592]
    assert g.nodes["cls_token"].shape == (768,) and g.nodes["pooler"].layer.activation == "tanh"
    assert [str(r) for r in g.outputs] == ["encoder_layer12_output_norm", "pooler"]  # sequence, pooled


def test_transformer_shared_embeddings_give_the_papers_model():
    separate = load_graph("transformer")
    shared = load_graph("transformer", {"shared_embeddings": "true"})
    assert separate.total_params == 101_007_496
    assert shared.total_params == 63_082_496
    assert separate.total_params - shared.total_params == 2 * 37_000 * 512 + 37_000
    assert shared.nodes["target_embedding"].params == shared.nodes["predictions"].params == 0
    assert str(shared.nodes["predictions"].inputs[1]) == "source_embedding[1]"


def test_convnext_tiny_stage_widths_and_stochastic_depth_schedule():
    g = load_graph("convnext_tiny")
    assert g.nodes["convnext_tiny_stage_3_block_2_add"].shape == (7, 7, 768)
    dw = g.nodes["convnext_tiny_stage_0_block_0_depthwise_conv"]
    assert dw.layer.groups == 96 and dw.params == 7 * 7 * 96 + 96
    assert g.nodes["convnext_tiny_prestem_normalization"].params == 0
    rates = [n.layer.rate for n in load_graph("convnext_tiny", {"stochastic_depth": "true"}).layers()
             if n.kind == "drop_path"]
    assert len(rates) == 17 and rates[0] == pytest.approx(0.1 / 17) and rates[-1] == pytest.approx(0.1)


# --- mistakes are located, coded errors ----------------------------------------------------------

def _errors(text):
    import archcompiler

    with pytest.raises(SpecErrors) as e:
        archcompiler.load(text)
    return e.value.errors


def test_tied_layers_need_a_table():
    (error,) = _errors("""
name: t
inputs: {x: {shape: [4, 8]}, y: {shape: [50, 8]}}
layers:
  - {type: tied_dense, inputs: [x, y]}
""")
    assert error.code == "E-SHAPE" and "table" in error.message and "tied: true" in error.hint
    assert error.loc.line == 5


@pytest.mark.parametrize("entry,words", [
    ("{type: take, index: 9}", "outside the 4 positions"),
    ("{type: take, axis: 0}", "the batch axis"),
    ("{type: slice, start: 2, stop: 2}", "not after start"),
    ("{type: slice, stop: 5}", "past the 4 positions"),
    ("{type: position_embedding, length: 3}", "only 3"),
    ("{type: layernorm, axis: 3}", "not a feature axis"),
])
def test_kind_mistakes(entry, words):
    (error,) = _errors(f"name: t\ninputs: {{x: {{shape: [4, 8]}}}}\nlayers:\n  - {entry}\n")
    assert words in error.message and error.loc.line == 4


# --- Keras: the kinds, the tie, save and load ----------------------------------------------------

@pytest.fixture(scope="module")
def small_gpt2():
    _keras()
    from archcompiler.emit.keras_model import build_model

    graph = load_graph("gpt2", {"vocab": "97", "context": "12", "width": "32", "heads": "4", "layers": "2"})
    return graph, build_model(graph)


def test_tied_head_is_the_embedding_transposed_and_survives_save_and_load(small_gpt2, tmp_path):
    keras = _keras()
    graph, model = small_gpt2
    assert model.count_params() == graph.total_params
    assert len({id(w) for w in model.weights}) == len(model.weights)  # the table is one variable
    tokens = np.random.default_rng(0).integers(0, 97, (2, 12)).astype("int32")
    tap = keras.Model(model.input, [model.get_layer("ln_f").output, model.output])
    hidden, logits = (np.asarray(t) for t in tap(tokens))
    table = np.asarray(model.get_layer("token_embedding").embeddings)
    np.testing.assert_allclose(logits, hidden @ table.T, rtol=1e-5, atol=1e-5)
    path = tmp_path / "gpt2.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(again(tokens)), np.asarray(model(tokens)), rtol=1e-6, atol=1e-6)
    # training moves the table through both of its uses: the lookup and the projection
    grads = _gradient_norms(model, tokens)
    assert grads["token_embedding/embeddings"] > 0


def _gradient_norms(model, tokens):
    tf = pytest.importorskip("tensorflow")

    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(tokens, training=False) ** 2)
    grads = tape.gradient(loss, model.trainable_weights)
    return {w.path: float(tf.norm(g)) for w, g in zip(model.trainable_weights, grads)}


def _positions(keras, like, n):
    """Position ids 0 … n-1 per example, computed from a tensor of the model so the embedding that
    reads them is a layer of the model (one applied to a constant would run once, outside it)."""
    return keras.ops.cast(keras.ops.zeros_like(like), "int32") + keras.ops.arange(n)


def _reference_gpt2(keras, vocab, context, width, heads, layers):
    """GPT-2 written in plain Keras: Keras' own ReversibleEmbedding ties the head."""
    tokens = keras.Input((context,), dtype="int32")
    embed = keras.layers.ReversibleEmbedding(vocab, width)
    x = embed(tokens) + keras.layers.Embedding(context, width)(_positions(keras, tokens, context))
    for _ in range(layers):
        y = keras.layers.LayerNormalization(epsilon=1e-5)(x)
        x = x + keras.layers.MultiHeadAttention(heads, width // heads)(y, y, use_causal_mask=True)
        y = keras.layers.LayerNormalization(epsilon=1e-5)(x)
        y = keras.layers.Dense(4 * width, activation="gelu")(y)
        x = x + keras.layers.Dense(width)(y)
    x = keras.layers.LayerNormalization(epsilon=1e-5)(x)
    return keras.Model(tokens, embed(x, reverse=True))


def _reference_bert(keras, vocab, positions, length, width, heads, layers):
    ids, segments = keras.Input((length,), dtype="int32"), keras.Input((length,), dtype="int32")
    x = keras.layers.Embedding(vocab, width)(ids) + keras.layers.Embedding(2, width)(segments)
    x = x + keras.layers.Embedding(positions, width)(_positions(keras, ids, length))
    x = keras.layers.LayerNormalization(epsilon=1e-12)(x)
    for _ in range(layers):
        x = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(heads, width // heads)(x, x))
        y = keras.layers.Dense(width)(keras.layers.Dense(4 * width, activation="gelu")(x))
        x = keras.layers.LayerNormalization()(x + y)
    pooled = keras.layers.Dense(width, activation="tanh")(x[:, 0])
    return keras.Model([ids, segments], [x, pooled])


def _reference_vit(keras, size, patch, width, mlp, heads, layers, classes):
    image = keras.Input((size, size, 3))
    n = (size // patch) ** 2
    x = keras.layers.Reshape((n, width))(keras.layers.Conv2D(width, patch, strides=patch)(image))
    cls = keras.layers.Embedding(1, width)(_positions(keras, x[:, :1, 0], 1))  # one learned vector
    x = keras.ops.concatenate([cls, x], axis=1)
    x = x + keras.layers.Embedding(n + 1, width)(_positions(keras, x[:, :, 0], n + 1))
    for _ in range(layers):
        y = keras.layers.LayerNormalization()(x)
        x = x + keras.layers.MultiHeadAttention(heads, width // heads)(y, y)
        y = keras.layers.Dense(mlp, activation="gelu")(keras.layers.LayerNormalization()(x))
        x = x + keras.layers.Dense(width)(y)
    x = keras.layers.LayerNormalization()(x)
    return keras.Model(image, keras.layers.Dense(classes)(x[:, 0]))


@pytest.mark.parametrize("name,sets,reference", [
    ("gpt2", {"vocab": 97, "context": 12, "width": 32, "heads": 4, "layers": 2}, _reference_gpt2),
    ("bert_base", {"vocab": 97, "positions": 16, "length": 12, "width": 32, "heads": 4, "layers": 2},
     _reference_bert),
    ("vit_b16", {"size": 32, "patch": 8, "width": 32, "mlp": 64, "heads": 4, "layers": 2, "num_classes": 10},
     _reference_vit),
])
def test_counts_agree_with_plain_keras_models_of_the_same_design(name, sets, reference):
    keras = _keras()
    from archcompiler.emit.keras_model import build_model

    graph = load_graph(name, {k: str(v) for k, v in sets.items()})
    ours = build_model(graph)  # checks Keras against the inferred graph, layer by layer
    theirs = reference(keras, *sets.values())
    assert ours.count_params() == theirs.count_params() == graph.total_params
    assert _count(ours.non_trainable_weights) == _count(theirs.non_trainable_weights) == graph.non_trainable == 0


def test_shared_transformer_builds_with_one_table():
    keras = _keras()
    from archcompiler.emit.keras_model import build_model

    sets = {"vocab": "61", "d_model": "16", "d_ff": "32", "heads": "2", "layers": "1", "shared_embeddings": "true"}
    graph = load_graph("transformer", sets)
    model = build_model(graph)
    assert model.count_params() == graph.total_params
    tables = [w for w in model.weights if tuple(w.shape) == (61, 16)]
    assert len(tables) == 1
    rng = np.random.default_rng(0)
    source, target = rng.integers(0, 61, (2, 5)), rng.integers(0, 61, (2, 7))
    probs = np.asarray(model([source, target]))
    assert probs.shape == (2, 7, 61) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    looked_up = keras.Model(model.inputs, model.get_layer("target_embedding").output)([source, target])
    np.testing.assert_allclose(np.asarray(looked_up), np.asarray(tables[0])[target], rtol=1e-6)


# --- ConvNeXt-T: identical to keras.applications ---------------------------------------------------

def _leaves(model):
    """Layers with their own computation, nested Sequentials (ConvNeXt's stem) opened up."""
    out = {}
    for layer in model.layers:
        if hasattr(layer, "layers"):
            out.update(_leaves(layer))
        elif layer.__class__.__name__ != "InputLayer":
            out[layer.name] = layer
    return out


def test_convnext_tiny_is_keras_applications_convnext_tiny():
    keras = _keras()
    from archcompiler.emit.keras_model import build_model
    from archcompiler.export import copy_by_name

    keras.utils.set_random_seed(0)
    reference = keras.applications.ConvNeXtTiny(weights=None)
    graph = load_graph("convnext_tiny")
    ours = build_model(graph)
    assert ours.count_params() == reference.count_params() == graph.total_params
    theirs, mine = _leaves(reference), _leaves(ours)
    weighted = {n for n, layer in theirs.items() if layer.weights}
    assert weighted == {n for n, layer in mine.items() if layer.weights}
    assert set(theirs) <= set(mine)  # ours adds only the residual adds (Keras writes `inputs + x`)
    assert {n for n in set(mine) - set(theirs)} == {n.name for n in graph.layers() if n.kind == "add"}
    rng = np.random.default_rng(1)
    for name in sorted(weighted):
        ref = theirs[name]
        assert [tuple(w.shape) for w in mine[name].weights] == [tuple(w.shape) for w in ref.weights], name
        if "layer_scale" in name:  # 1e-6 would leave every block close to the identity: a weak check
            ref.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in ref.get_weights()])
    report = copy_by_name(reference, ours, "ConvNeXtTiny")  # what build --weights imagenet does
    assert sorted(report.loaded) == sorted(weighted) and not (report.missing or report.mismatched or report.unused)
    x = rng.uniform(0, 255, (2, 224, 224, 3)).astype("float32")
    probe = "convnext_tiny_head_layernorm"
    outputs = []
    for model in (reference, ours):
        tap = keras.Model(model.inputs[0], [_leaves(model)[probe].output, model.outputs[0]])
        outputs.append([np.asarray(t) for t in tap(x, training=False)])
    (ref_features, ref_pred), (our_features, our_pred) = outputs
    assert ref_features.std() > 0 and not np.allclose(ref_pred[0], ref_pred[1])
    np.testing.assert_allclose(our_features, ref_features, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(our_pred, ref_pred, rtol=1e-4, atol=1e-6)
    del reference, ours
    keras.backend.clear_session()


# --- docs and diagram ------------------------------------------------------------------------------

def test_docs_explain_the_tie_and_the_class_token_with_their_numbers():
    from archcompiler.emit.docs import render_doc

    gpt2 = load_graph("gpt2")
    en, ko = render_doc(gpt2, "en"), render_doc(gpt2, "ko")
    assert "50,257·768 = 38,597,376 weights" in en and "counted once, at `token_embedding`" in en
    assert "38,597,376개" in ko and "read by `lm_head`" in en
    vit = render_doc(load_graph("vit_b16"), "en")
    assert "a learned vector of 768 numbers is put **in front of** the 196" in vit
    assert "read back out by `class_token_out`" in vit
    assert "197 \\cdot 768 = 151296" in vit or "197 \\cdot 768 = 151{,}296" in vit


def test_diagram_draws_the_tie_as_an_edge():
    from archcompiler.emit.diagram import mermaid_text

    text = mermaid_text(load_graph("gpt2"))
    assert 'table (50257, 768)' in text
