"""The library beyond the lecture (issue 11, CNN half): each spec matches its reference exactly —
total, trainable and non-trainable parameters — and, where keras.applications has the model, it is
the same network: every layer with weights has the same name, output shape and weight shapes, and
with the reference's weights copied in by name (batch-norm statistics randomised, so a wrong epsilon
or a swapped input shows) the outputs agree. One module-scoped build per model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from archcompiler.resolve import load_graph

# (total, trainable, non-trainable) as Keras counts them
FIGURES = {
    "densenet121": (8_062_504, 7_978_856, 83_648),
    "mobilenet_v2": (3_538_984, 3_504_872, 34_112),
    "efficientnet_b0": (5_330_571, 5_288_548, 42_023),  # 7 of the non-trainable: the input normalization
    "xception": (22_910_480, 22_855_952, 54_528),
    "inception_v3": (23_851_784, 23_817_352, 34_432),  # batch norms without γ: β trained, the statistics not
}
REFERENCES = {"densenet121": "DenseNet121", "mobilenet_v2": "MobileNetV2", "efficientnet_b0": "EfficientNetB0",
              "xception": "Xception", "inception_v3": "InceptionV3"}
# batch-norm scales that keep a random network's outputs depending on its input: the gating of
# squeeze-and-excitation (× ~0.5) and swish near 0 damp EfficientNet's signal block by block
GAIN = {"efficientnet_b0": 2.5}
SETS = {"efficientnet_b0": {"imagenet_rescaling": "false"}}  # as EfficientNetB0(weights=None) builds it


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_parameter_counts(name):
    g = load_graph(name)
    assert (g.total_params, g.trainable, g.non_trainable) == FIGURES[name]


def _random_weights(keras, layer, rng, gain=1.0):
    """Weights that keep the signal alive through a deep random network (He-normal by each kernel's
    true fan-in: a depthwise filter sees k·k values, not k·k·C), and random statistics for batch
    norms and input normalizations (variances positive), so that a wrong epsilon, a swapped input or
    a missing layer changes the outputs."""
    values = []
    for variable in layer.weights:
        shape, name = tuple(variable.shape), variable.name
        if name == "gamma":
            values.append(gain * rng.uniform(0.5, 1.5, shape))
        elif name in ("moving_variance", "variance"):
            values.append(rng.uniform(0.5, 1.5, shape))
        elif name == "count":
            values.append(np.ones(shape))
        elif len(shape) < 2:
            values.append(rng.normal(0, 0.1, shape))
        else:
            fan_in = math.prod(shape[:2] if "depthwise" in name else shape[:-1])
            values.append(rng.normal(0, math.sqrt(2 / fan_in), shape))
    return [v.astype("float32") for v in values]


def _count(weights):
    return sum(math.prod(w.shape) for w in weights)


@pytest.fixture(scope="module", params=sorted(REFERENCES))
def pair(request):
    keras = pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    name = request.param
    graph = load_graph(name, SETS.get(name))
    ours = build_model(graph)  # itself checks Keras against the inferred graph, layer by layer
    # the reference's unnamed layers (InceptionV3's conv2d_57) are numbered as in a fresh process; ours,
    # built before, must come through the cleared session, as it does when export loads imagenet weights
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    reference = getattr(keras.applications, REFERENCES[name])(weights=None)
    yield name, graph, reference, ours
    del reference, ours
    keras.backend.clear_session()


def test_same_network_as_keras_applications(pair):
    keras = pytest.importorskip("keras")
    name, graph, reference, ours = pair
    assert reference.count_params() == graph.total_params
    assert graph.spec.keras_application == REFERENCES[name]  # so build --weights imagenet finds it
    ref = {layer.name: layer for layer in reference.layers if layer.weights}
    mine = {layer.name: layer for layer in ours.layers if layer.weights}
    assert set(mine) == set(ref), (sorted(set(mine) - set(ref))[:5], sorted(set(ref) - set(mine))[:5])
    # every layer, the weightless too (activation_93, concatenate_1, Xception's add_3 … add_10)
    everything = ({layer.name for layer in model.layers[1:]} for model in (reference, ours))
    assert next(everything) == next(everything)
    for layer_name, layer in ref.items():
        node = graph.nodes[layer_name]
        assert tuple(layer.output.shape[1:]) == node.shape, layer_name
        assert (_count(layer.trainable_weights), _count(layer.non_trainable_weights)) == (
            node.trainable, node.non_trainable), layer_name
        assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in mine[layer_name].weights]
    rng = np.random.default_rng(0)
    for layer_name, layer in ref.items():
        values = _random_weights(keras, layer, rng, GAIN.get(name, 1.0))
        layer.set_weights(values)
        mine[layer_name].set_weights(values)
    pixels = any(isinstance(layer, keras.layers.Rescaling) for layer in reference.layers)  # takes 0..255 itself
    x = rng.uniform(*((0, 255) if pixels else (-1, 1)), (2, *reference.input_shape[1:])).astype("float32")
    probe = reference.layers[-2].name  # the features the classifier reads, and its predictions
    outputs = []
    for model in (reference, ours):
        tap = keras.Model(model.inputs[0], [model.get_layer(probe).output, model.outputs[0]])
        outputs.append([np.asarray(t) for t in tap(x, training=False)])
    (ref_features, ref_pred), (our_features, our_pred) = outputs
    assert ref_features.std() > 0 and not np.allclose(ref_features[0], ref_features[1])  # a non-trivial check
    np.testing.assert_allclose(our_features, ref_features, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(our_pred, ref_pred, rtol=1e-4, atol=1e-7)


# --- U-Net: no keras.applications model; checked against U-Net written in plain Keras ----------

def _plain_keras_unet(keras):
    """Ronneberger et al. 2015, Fig. 1, in plain Keras: what the spec must equal."""
    layers = keras.layers

    def twice(x, filters):
        for _ in range(2):
            x = layers.Conv2D(filters, 3, activation="relu")(x)
        return x

    image = keras.Input((572, 572, 1))
    x, skips = image, []
    for filters in (64, 128, 256, 512):
        x = twice(x, filters)
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = twice(x, 1024)
    for filters, skip in zip((512, 256, 128, 64), reversed(skips)):
        x = layers.Conv2DTranspose(filters, 2, strides=2)(x)
        crop = (skip.shape[1] - x.shape[1]) // 2
        x = layers.Concatenate()([layers.Cropping2D(crop)(skip), x])
        x = twice(x, filters)
    return keras.Model(image, layers.Conv2D(2, 1)(x))


def test_unet_as_drawn():
    keras = pytest.importorskip("keras")
    graph = load_graph("unet")
    reference = _plain_keras_unet(keras)
    assert graph.total_params == graph.trainable == reference.count_params() == 31_030_658
    n = graph.nodes
    assert n["bottom_conv2"].shape == (28, 28, 1024) and n["scores"].shape == (388, 388, 2)
    assert [n[f"up{k}_crop"].shape[0] for k in (4, 3, 2, 1)] == [56, 104, 200, 392]
    # the same layers (Keras orders the crops and up-convolutions differently): output shapes and parameters
    theirs = [layer for layer in reference.layers if layer.__class__.__name__ != "InputLayer"]
    assert sorted((tuple(layer.output.shape[1:]), layer.count_params()) for layer in theirs) == \
        sorted((v.shape, v.params) for v in graph.layers())
