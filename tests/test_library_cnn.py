"""The CNN/MLP half of the spec library: every spec's published figures, its key shapes, its params,
and — for VGG-16/19 and the ResNets — identity with keras.applications: same layer names, shapes and
parameters layer by layer and, with the reference weights copied in by name, the same outputs."""

import math
import re

import numpy as np
import pytest

from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

CNN_SPECS = ["mlp", "lenet5", "alexnet", "zfnet", "vgg16", "vgg19", "googlenet",
             "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]

# (total, trainable, non-trainable) as Keras counts them; None where the reference gives no figure.
FIGURES = {
    "mlp": (784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, None, 0),  # 235,146 by formula
    "lenet5": (61_706, 61_706, 0),
    "alexnet": (60_965_224, 60_965_224, 0),
    "zfnet": (62_357_608, 62_357_608, 0),
    "vgg16": (138_357_544, 138_357_544, 0),
    "vgg19": (143_667_240, 143_667_240, 0),
    "googlenet": (6_998_552, 6_998_552, 0),
    "resnet50": (25_636_712, 25_583_592, 53_120),
    "resnet101": (44_707_176, 44_601_832, 105_344),
    "resnet152": (60_419_944, 60_268_520, 151_424),
    "resnet18": (None, 11_689_512, None),  # torchvision's parameter count (BN running stats are buffers)
    "resnet34": (None, 21_797_672, None),
}


@pytest.fixture(scope="module")
def graphs():
    return {name: load_graph(name) for name in CNN_SPECS}


# --- figures and shapes (pure Python) ------------------------------------------------------

@pytest.mark.parametrize("name", CNN_SPECS)
def test_parameter_counts(graphs, name):
    total, trainable, non_trainable = FIGURES[name]
    g = graphs[name]
    if total is not None:
        assert g.total_params == total
    if trainable is not None:
        assert g.trainable == trainable
    if non_trainable is not None:
        assert g.non_trainable == non_trainable


def _shapes(g):
    return {name: node.shape for name, node in g.nodes.items()}


def test_lenet5_feature_maps(graphs):
    s = _shapes(graphs["lenet5"])
    assert [s[n] for n in ("image", "c1", "s2", "c3", "s4", "c5", "f6", "predictions")] == [
        (32, 32, 1), (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120), (84,), (10,)]
    assert graphs["lenet5"].nodes["c3"].trainable == 5 * 5 * 6 * 16 + 16  # C3 fully connected to S2


def test_alexnet_two_towers(graphs):
    g = graphs["alexnet"]
    s = _shapes(g)
    assert [s[n] for n in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv5", "pool5", "flatten")] == [
        (55, 55, 96), (27, 27, 96), (27, 27, 256), (13, 13, 256), (13, 13, 384), (13, 13, 256), (6, 6, 256),
        (9216,)]
    groups = {n: g.nodes[n].layer.groups for n in ("conv1", "conv2", "conv3", "conv4", "conv5")}
    assert groups == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    assert g.nodes["conv2"].trainable == 5 * 5 * 48 * 256 + 256  # each filter sees its own GPU's 48 maps
    assert [g.nodes[n].layer.rate for n in ("drop6", "drop7")] == [0.5, 0.5]
    assert sum(n.kind == "lrn" for n in g.layers()) == 2


def test_zfnet_extends_alexnet_with_fig3_feature_maps(graphs):
    g = graphs["zfnet"]
    assert g.spec.family == "cnn" and g.spec.year == 2013  # inherited family, own metadata
    conv1 = g.nodes["conv1"].layer
    assert (conv1.kernel, conv1.stride) == ((7, 7), (2, 2))
    assert g.nodes["conv2"].layer.stride == (2, 2)
    assert all(g.nodes[n].layer.groups == 1 for n in ("conv2", "conv4", "conv5"))
    sizes = [g.nodes[n].shape[0] for n in ("conv1", "pool1", "conv2", "pool2", "pool5")]
    assert sizes == [110, 55, 26, 13, 6]
    assert g.nodes["image"].shape == (224, 224, 3)
    assert g.nodes["conv3"].layer.note is None  # AlexNet's two-GPU note is overridden away
    assert graphs["alexnet"].nodes["conv3"].layer.note is not None


def test_vgg19_extends_vgg16(graphs):
    g = graphs["vgg19"]
    convs = [n.name for n in g.layers() if n.kind == "conv2d"]
    assert len(convs) == 16 and "block5_conv4" in convs and "block2_conv3" not in convs
    assert g.nodes["block5_pool"].shape == (7, 7, 512)


GOOGLENET_TABLE1 = {  # output channels and size of every inception module (Szegedy et al., Table 1)
    "3a": (256, 28), "3b": (480, 28), "4a": (512, 14), "4b": (512, 14), "4c": (512, 14),
    "4d": (528, 14), "4e": (832, 14), "5a": (832, 7), "5b": (1024, 7)}


def test_googlenet_table1(graphs):
    g = graphs["googlenet"]
    for module, (channels, size) in GOOGLENET_TABLE1.items():
        assert g.nodes[f"inception_{module}_output"].shape == (size, size, channels)
    assert g.nodes["inception_3a_5x5"].layer.kernel == (5, 5)
    assert g.nodes["inception_5b_5x5"].trainable == 5 * 5 * 48 * 128 + 128
    assert g.nodes["pool2"].shape == (28, 28, 192) and g.nodes["avg_pool"].shape == (1024,)
    assert g.nodes["dropout"].layer.rate == 0.4
    assert [n.name for n in g.layers() if n.kind == "lrn"] == ["norm1", "norm2"]
    assert g.depth == 22  # the paper's "22 layers deep (counting only layers with parameters)"
    assert [str(o) for o in g.outputs] == ["predictions"]
    assert not any(name.startswith("aux") for name in g.nodes)


def test_googlenet_auxiliary_heads_behind_a_param():
    g = load_graph("googlenet", {"aux": "true", "num_classes": "10"})
    assert [str(o) for o in g.outputs] == ["predictions", "aux1_predictions", "aux2_predictions"]
    assert g.nodes["aux1_pool"].shape == (4, 4, 512) and g.nodes["aux2_pool"].shape == (4, 4, 528)
    assert g.nodes["aux1_drop"].layer.rate == 0.7
    assert all(g.nodes[o.node].shape == (10,) for o in g.outputs)
    head = lambda c: (c * 128 + 128) + (2048 * 1024 + 1024) + (1024 * 10 + 10)  # noqa: E731
    assert g.total_params == load_graph("googlenet", {"num_classes": "10"}).total_params + head(512) + head(528)
    assert g.nodes["inception_4b_1x1"].inputs[0].node == "inception_4a_output"  # main path skips the head


RESNET_STAGES = {"conv2": (56, 256), "conv3": (28, 512), "conv4": (14, 1024), "conv5": (7, 2048)}


@pytest.mark.parametrize("name,blocks", [("resnet50", [3, 4, 6, 3]), ("resnet101", [3, 4, 23, 3]),
                                         ("resnet152", [3, 8, 36, 3])])
def test_resnet_bottleneck_stages(graphs, name, blocks):
    g = graphs[name]
    for (stage, (size, channels)), count in zip(RESNET_STAGES.items(), blocks):
        assert g.nodes[f"{stage}_block{count}_out"].shape == (size, size, channels)
        assert f"{stage}_block{count + 1}_out" not in g.nodes
        assert f"{stage}_block1_0_conv" in g.nodes and f"{stage}_block2_0_conv" not in g.nodes
    assert sum(n.kind == "conv2d" for n in g.layers()) + 1 == int(name[6:]) + 4  # 4 projections
    blocks_used = {s.block for n in g.layers() for s in n.scopes}
    assert blocks_used == {"stage", "bottleneck"}  # one shared bottleneck definition


@pytest.mark.parametrize("name,blocks", [("resnet18", [2, 2, 2, 2]), ("resnet34", [3, 4, 6, 3])])
def test_resnet_basic_blocks_torchvision_style(graphs, name, blocks):
    g = graphs[name]
    for (stage, (size, channels)), count in zip(RESNET_STAGES.items(), blocks):
        assert g.nodes[f"{stage}_block{count}_out"].shape == (size, size, channels // 4)
        assert f"{stage}_block{count + 1}_out" not in g.nodes
    convs = [n for n in g.layers() if n.kind == "conv2d"]
    assert not any(c.layer.use_bias for c in convs)
    assert len(convs) + 1 == int(name[6:]) + 3  # three projection shortcuts (conv3..conv5)
    assert "conv2_block1_0_conv" not in g.nodes and "conv3_block1_0_conv" in g.nodes
    # a stride-2 3×3 convolution pads one pixel on every side, as torchvision does
    assert g.nodes["conv3_block1_1_conv_pad"].shape == (58, 58, 64)
    assert g.nodes["conv3_block1_1_conv"].layer.stride == (2, 2)
    bn = g.nodes["conv1_bn"].layer
    assert (bn.epsilon, bn.momentum) == (1e-5, 0.9)
    assert g.non_trainable == g.trainable - 513_000 - sum(c.trainable for c in convs)  # mean/var mirror γ/β


def test_mlp_depth_and_width_params():
    g = load_graph("mlp", {"hidden_layers": "3", "width": "512"})
    dense = [n for n in g.layers() if n.kind == "dense"]
    assert [n.shape for n in dense] == [(512,), (256,), (128,), (10,)]
    widths = [784, 512, 256, 128, 10]
    assert g.total_params == sum(a * b + b for a, b in zip(widths, widths[1:]))
    assert g.depth == 4


# --- params --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CNN_SPECS)
def test_num_classes_changes_the_last_layer(graphs, name):
    g = load_graph(name, {"num_classes": "7"})
    (out,) = g.outputs
    last = g.nodes[out.node]
    assert last.kind == "dense" and last.layer.units == 7 and last.shape == (7,)
    features = g.input_shapes(last)[0][-1]
    assert last.trainable == features * 7 + 7
    full = graphs[name].nodes[out.node]
    assert g.total_params == graphs[name].total_params - full.trainable + last.trainable


def test_vgg_input_size_32_and_an_impossible_16():
    g = load_graph("vgg16", {"size": "32", "num_classes": "10"})
    assert g.nodes["block5_pool"].shape == (1, 1, 512)
    assert g.nodes["fc1"].trainable == 512 * 4096 + 4096
    assert g.nodes["predictions"].shape == (10,)
    for name in ("vgg16", "vgg19"):
        with pytest.raises(SpecErrors) as info:
            load_graph(name, {"size": "16"})
        (error,) = info.value.errors
        assert "block5_pool" in error.message and "larger than the input" in error.message
        assert error.loc.file.endswith("vgg16.yaml") and error.loc.line > 0  # the stage's pooling line


@pytest.mark.parametrize("name,size,ok", [("resnet50", 32, True), ("resnet18", 32, True), ("googlenet", 32, True),
                                          ("lenet5", 28, False), ("alexnet", 64, False), ("zfnet", 64, True),
                                          ("zfnet", 32, False)])
def test_other_input_sizes(name, size, ok):
    if ok:
        g = load_graph(name, {"size": str(size)})
        assert g.nodes["image"].shape[:2] == (size, size)
    else:
        with pytest.raises(SpecErrors) as info:
            load_graph(name, {"size": str(size)})
        assert all(e.loc and e.loc.line > 0 for e in info.value.errors)


# --- metadata ------------------------------------------------------------------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _bilingual(text):
    return text is not None and text.en.strip() and HANGUL.search(text.ko)


@pytest.mark.parametrize("name", CNN_SPECS)
def test_metadata_in_english_and_korean(graphs, name):
    spec = graphs[name].spec
    assert spec.title and spec.family in ("mlp", "cnn") and spec.year and spec.authors and spec.paper.title
    assert _bilingual(spec.result) and _bilingual(spec.summary)
    assert len(spec.key_ideas) >= 2 and all(_bilingual(k) for k in spec.key_ideas)
    for block in spec.blocks.values():
        assert _bilingual(block.title) and _bilingual(block.explain)


def test_block_kinds_are_explained(graphs):
    assert set(graphs["googlenet"].spec.blocks) == {"inception", "aux_classifier"}
    assert set(graphs["resnet50"].spec.blocks) == {"bottleneck", "stage"}
    assert set(graphs["resnet18"].spec.blocks) == {"basic", "stage"}
    assert set(graphs["vgg16"].spec.blocks) == {"stage"}


# --- optional outputs (the spec-language addition googlenet needs) ----------------------------

def test_optional_output_needs_a_boolean_condition(spec_file):
    path = spec_file("""
        name: t
        params: {extra: 1}
        inputs:
          x: {shape: [4]}
        layers:
          - {type: dense, name: a, units: 2}
          - {type: dense, name: b, units: 3, inputs: x}
        outputs:
          - a
          - {layer: b, when: "${extra}"}
    """)
    with pytest.raises(SpecErrors) as info:
        load_graph(path)
    (error,) = info.value.errors
    assert error.path == "outputs[1].when" and "true or false" in error.message and error.loc.line == 10
    path2 = spec_file(path.read_text().replace("{extra: 1}", "{extra: true}"), "t2.yaml")
    assert [str(o) for o in load_graph(path2).outputs] == ["a", "b"]
    assert [str(o) for o in load_graph(path2, {"extra": "false"}).outputs] == ["a"]


# --- identity with keras.applications ------------------------------------------------------

def _keras():
    return pytest.importorskip("keras")


def _weighted_layers(model):
    return {layer.name: layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"}


def _count(weights):
    return sum(math.prod(w.shape) for w in weights)


def _randomise_batchnorm(model, seed=0):
    """Random γ, β, moving mean and variance, so a wrong epsilon or a swapped input shows."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape).astype("float32"),
                               rng.normal(0, 0.1, beta.shape).astype("float32"),
                               rng.normal(0, 0.1, mean.shape).astype("float32"),
                               rng.uniform(0.5, 1.5, var.shape).astype("float32")])


def _compare_to_graph(graph, reference):
    """Layer names, output shapes and parameter counts: the graph against a Keras model."""
    ref = _weighted_layers(reference)
    nodes = {n.name: n for n in graph.layers()}
    assert set(nodes) == set(ref), (sorted(set(nodes) - set(ref))[:5], sorted(set(ref) - set(nodes))[:5])
    for name, layer in ref.items():
        node = nodes[name]
        assert tuple(layer.output.shape[1:]) == node.shape, name
        assert (_count(layer.trainable_weights), _count(layer.non_trainable_weights)) == (
            node.trainable, node.non_trainable), name
    assert reference.count_params() == graph.total_params


KERAS_REFERENCES = {"vgg16": "VGG16", "vgg19": "VGG19", "resnet50": "ResNet50"}


@pytest.fixture(scope="module", params=list(KERAS_REFERENCES))
def reference_pair(request):
    keras = _keras()
    from archcompiler.emit.keras_model import build_model

    name = request.param
    keras.utils.set_random_seed(0)
    reference = getattr(keras.applications, KERAS_REFERENCES[name])(weights=None)
    graph = load_graph(name)
    ours = build_model(graph)  # itself checks Keras against the inferred graph, layer by layer
    yield name, graph, reference, ours
    del reference, ours
    keras.backend.clear_session()


def test_identical_to_keras_applications(reference_pair):
    keras = _keras()
    name, graph, reference, ours = reference_pair
    _compare_to_graph(graph, reference)
    ref_layers, our_layers = _weighted_layers(reference), _weighted_layers(ours)
    assert set(ref_layers) == set(our_layers)
    for layer_name, layer in our_layers.items():
        assert tuple(layer.output.shape) == tuple(ref_layers[layer_name].output.shape), layer_name
        assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in ref_layers[layer_name].weights]
    # same computation: copy the reference's weights in by name, compare features and predictions
    _randomise_batchnorm(reference)
    for layer_name, layer in ref_layers.items():
        if layer.weights:
            our_layers[layer_name].set_weights(layer.get_weights())
    probe = "avg_pool" if name.startswith("resnet") else "fc2"
    x = np.random.default_rng(1).uniform(-1, 1, (2, 224, 224, 3)).astype("float32")
    outputs = []
    for model in (reference, ours):
        tap = keras.Model(model.inputs[0], [model.get_layer(probe).output, model.outputs[0]])
        outputs.append([np.asarray(t) for t in tap(x, training=False)])
    (ref_features, ref_pred), (our_features, our_pred) = outputs
    assert ref_features.std() > 0 and not np.allclose(ref_pred[0], ref_pred[1])  # a non-trivial check
    np.testing.assert_allclose(our_features, ref_features, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(our_pred, ref_pred, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name,factory", [("resnet101", "ResNet101"), ("resnet152", "ResNet152")])
def test_deep_resnets_match_keras_names_shapes_and_counts(graphs, name, factory):
    keras = _keras()
    reference = getattr(keras.applications, factory)(weights=None)
    _compare_to_graph(graphs[name], reference)
    del reference
    keras.backend.clear_session()
