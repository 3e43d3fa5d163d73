"""The contract: for every built-in spec, Keras' output shapes and parameter counts equal our own
inference, layer by layer (checked inside build_model), and the model is real: a forward pass gives
the declared output shapes and one training step runs."""

import numpy as np
import pytest

from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

keras = pytest.importorskip("keras")

from archcompiler.emit.keras_model import build_model  # noqa: E402

# Inputs shrunk for the forward pass and training step, where the architecture allows it.
SHRINK = {
    "vgg16": {"size": "32", "num_classes": "10"},
    "vgg19": {"size": "32", "num_classes": "10"},
    "alexnet": {"num_classes": "10"},
    "zfnet": {"num_classes": "10"},
    "resnet50": {"size": "64", "num_classes": "10"},
    "resnet101": {"size": "32", "num_classes": "10"},
    "resnet152": {"size": "32", "num_classes": "10"},
    "googlenet": {"size": "96", "num_classes": "10"},
    "transformer": {"vocab": "1000", "d_model": "64", "d_ff": "128", "heads": "4", "layers": "2"},
    "vit_b16": {"size": "32", "patch": "8", "width": "64", "mlp": "128", "heads": "4", "layers": "2",
                "num_classes": "10"},
    "gpt2": {"vocab": "1000", "context": "32", "width": "64", "heads": "4", "layers": "2"},
    "bert_base": {"vocab": "1000", "positions": "32", "length": "32", "width": "64", "heads": "4", "layers": "2"},
    "convnext_tiny": {"size": "64", "num_classes": "10"},
}


def random_inputs(graph, batch=2, steps=5):
    rng = np.random.default_rng(0)
    data = []
    for name in graph.inputs:
        node = graph.nodes[name]
        shape = (batch,) + tuple(steps if d is None else d for d in node.shape)
        if node.layer.dtype.startswith("int"):
            data.append(rng.integers(0, 2, size=shape).astype(node.layer.dtype))
        else:
            data.append(rng.standard_normal(shape).astype("float32"))
    return data


@pytest.mark.parametrize("name", builtin_names())
def test_full_size_model_matches_inference_layer_by_layer(name):
    graph = load_graph(name)
    model = build_model(graph)  # raises InferenceMismatch on any disagreement
    assert model.count_params() == graph.total_params
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == graph.non_trainable
    keras.backend.clear_session()


def _applicable(name, sets):
    params = load_graph(name).params
    return {k: v for k, v in sets.items() if k in params}


@pytest.mark.parametrize("name", builtin_names())
def test_forward_pass_and_one_training_step(name):
    graph = load_graph(name, _applicable(name, SHRINK.get(name, {})))
    model = build_model(graph)
    x = random_inputs(graph)
    outputs = model(x if len(x) > 1 else x[0], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    for ref, out in zip(graph.outputs, outputs):
        declared = graph.nodes[ref.node].shapes[ref.index]
        assert tuple(out.shape[1:]) == tuple(5 if d is None else d for d in declared)
        assert np.all(np.isfinite(np.asarray(out)))
    targets = [np.zeros(tuple(o.shape), "float32") for o in outputs]
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)  # tracing costs more than one step
    history = model.fit(x if len(x) > 1 else x[0], targets if len(targets) > 1 else targets[0],
                        epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    keras.backend.clear_session()


def test_custom_layers_save_and_load(spec_file, tmp_path):
    path = spec_file("""
        name: custom
        inputs:
          image: {shape: [16, 16, 4]}
          tokens: {shape: [null], dtype: int32}
        layers:
          - {type: conv2d, filters: 8, kernel: 3, groups: 2, inputs: image}
          - {type: lrn, depth_radius: 2}
          - {type: global_avgpool2d, name: pooled}
          - {type: embedding, vocab: 20, dim: 8, inputs: tokens}
          - {type: positional_encoding}
          - {type: global_avgpool1d, name: seq}
          - {type: concat, inputs: [pooled, seq]}
          - {type: dense, units: 3}
    """)
    graph = load_graph(path)
    model = build_model(graph)
    x = random_inputs(graph)
    file = tmp_path / "custom.keras"
    model.save(file)
    again = keras.saving.load_model(file)
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(again(x)), rtol=1e-5, atol=1e-6)


def test_lrn_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    from archcompiler.keras import LocalResponseNormalization

    x = np.random.default_rng(1).standard_normal((2, 5, 5, 7)).astype("float32")
    ours = LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)(x)
    reference = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    np.testing.assert_allclose(np.asarray(ours), reference.numpy(), rtol=1e-5, atol=1e-6)
