"""Multiply-accumulates checked against an independent count, not against our own formulas.

Each case is a one-layer model built by Keras (TensorFlow backend) and traced as a graph with a batch of
one; the counter below reads the graph's own ops and their static shapes — a MatMul of (m, k)·(k, n) is
m·k·n MACs, a Conv2D is its output size times the filter's window and input depth, a loop body counts once
per trip — and knows nothing of archcompiler's rules. Conventions, stated where they differ from a count of
the graph's products:

- a bias add and an activation are not MACs (Keras' own graph adds them as BiasAdd/AddV2 and Relu/Tanh…);
- batch normalisation at inference counts 2 per element (x·scale + shift: the graph's full-size Mul and
  AddV2), layer scale 1 per element (its Mul), a learned position table 1 per element (its AddV2);
- attention's softmax and a causal mask are not MACs; additive attention's score (query + key, tanh,
  times the learned scale, summed) counts one per query step × key step × feature, as dot-product's does;
- recurrent layers count their two matrix products per step (input and state), not the gates' elementwise
  products; the counter sees Keras' first step outside the loop and the rest inside it. A declared cell
  (``cells:``) counts each gate's products with weights per step: input, recurrent state, a full peephole
  matrix; a diagonal peephole and the update's products (``f * c + i * g``) are elementwise and not counted;
- layer norm counts 2 per element (the graph's x·inv + res); Keras also multiplies γ into inv, −mean into
  inv and adds β at full size, which folds the learned scale and shift into those two, as batch
  normalisation's are, and is not counted;
- local response normalisation and ``normalization`` (fixed or adapted mean and variance) count 0: no
  weights, and the graph has no products with one — LRN's square, window sum, power and division and
  normalization's subtraction and division are elementwise arithmetic, like an activation's;
- a tied output projection (``tied_dense``) is the MatMul of x with the embedding's table transposed.
- pools, merges (add, multiply, concat), rescaling, the fixed sinusoidal positional encoding, dropout,
  activations, reshapes, crops, pads, upsampling, take and slice count 0: no products with a weight or another
  tensor's values (not consistent with every count above: a learned position table's add counts 1 per element
  and batch normalisation's x·scale + shift 2, while the fixed encoding's add and rescaling's x·scale + offset
  count 0; the rule is the kind's, pinned here as it is).

Whole-model totals are compared with published figures from our inference alone (no Keras needed).
"""

import os

import pytest

import archcompiler

tf = pytest.importorskip("tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

WEIGHT_PRODUCTS = {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "Conv2D",
                   "DepthwiseConv2dNative", "Conv2DBackpropInput"}


def _dims(t):
    return [int(d) for d in t.shape]


def _product(values):
    out = 1
    for v in values:
        out *= v
    return out


def _op_macs(op) -> int:
    """MACs of one op that multiplies by a weight or another tensor, from its static shapes only."""
    kind = op.type
    if kind == "MatMul":
        a, b = _dims(op.inputs[0]), _dims(op.inputs[1])
        m, k = (a[1], a[0]) if op.get_attr("transpose_a") else (a[0], a[1])
        n = b[0] if op.get_attr("transpose_b") else b[1]
        return m * k * n
    if kind.startswith("BatchMatMul"):
        out = _dims(op.outputs[0])
        a = _dims(op.inputs[0])
        k = a[-2] if op.get_attr("adj_x") else a[-1]
        return _product(out) * k
    if kind == "Einsum":  # every index of the equation, once: sum over the contracted ones
        equation = op.get_attr("equation").decode()
        sizes = {}
        for operand, t in zip(equation.split("->")[0].split(","), op.inputs):
            sizes.update(zip(operand, _dims(t)))
        return _product(sizes.values())
    if kind == "Conv2D":  # filter (kh, kw, in / groups, out)
        kh, kw, cin, _ = _dims(op.inputs[1])
        return _product(_dims(op.outputs[0])) * kh * kw * cin
    if kind == "DepthwiseConv2dNative":  # filter (kh, kw, in, multiplier)
        kh, kw, _, _ = _dims(op.inputs[1])
        return _product(_dims(op.outputs[0])) * kh * kw
    if kind == "Conv2DBackpropInput":  # a transposed convolution: every input position × window × out
        kh, kw, cout, _ = _dims(op.inputs[1])
        return _product(_dims(op.inputs[2])) * kh * kw * cout
    return 0


def live_ops(graph):
    """The ops the graph's outputs depend on: Keras traces a recurrent layer's first step once outside
    its loop only to learn the output's shape, and nothing reads that step."""
    seen, todo = set(), [t.op for t in graph.outputs] + list(graph.control_outputs)
    while todo:
        op = todo.pop()
        if op.name not in seen:
            seen.add(op.name)
            todo += [t.op for t in op.inputs] + list(op.control_inputs)
    return [op for op in graph.get_operations() if op.name in seen]


def trips(op, functions) -> int:
    """A Keras loop's trip count: its condition is ``time < steps`` with time starting from the loop's
    third input."""
    cond = functions[op.get_attr("cond").name].graph
    limits = [tf.get_static_value(c.inputs[1]) for c in cond.get_operations() if c.type == "Less"]
    return int(min(v for v in limits if v is not None)) - int(tf.get_static_value(op.inputs[2]))


def count(graph, functions, elementwise=None, scale=1) -> int:
    """MACs of a traced graph's live products; loop bodies × their trip count, calls followed.
    ``elementwise``, if given, collects the element counts of Mul/AddV2/Sub ops by type."""
    total = 0
    for op in live_ops(graph):
        total += scale * _op_macs(op)
        if elementwise is not None and op.type in ("Mul", "AddV2", "Sub", "Add") and op.outputs:
            elementwise.setdefault(op.type, []).append(scale * _product(_dims(op.outputs[0])))
        if op.type in ("While", "StatelessWhile"):
            body = functions[op.get_attr("body").name].graph
            total += count(body, functions, elementwise, scale * trips(op, functions))
        if op.type in ("PartitionedCall", "StatefulPartitionedCall"):  # a grouped convolution's XLA call
            total += count(functions[op.get_attr("f").name].graph, functions, elementwise, scale)
    return total


def traced(net):
    """The Keras model of ``net`` traced with a batch of one: (graph, its functions)."""
    model = net.keras_model()
    spec = [tf.TensorSpec((1, *i.shape[1:]), i.dtype) for i in model.inputs]
    fn = tf.function(lambda *xs: model(list(xs) if len(xs) > 1 else xs[0], training=False))
    graph = fn.get_concrete_function(*spec).graph
    functions = {}
    for name in graph._functions:  # the loop bodies Keras' recurrent layers trace
        functions[name] = graph._get_function(name)
    return graph, functions


def one_layer(inputs: dict, layer: dict, extra: list | None = None):
    layers = [{"name": "L", **layer}] + (extra or [])
    return archcompiler.load({"name": "m", "inputs": {k: {"shape": v} for k, v in inputs.items()},
                              "layers": layers})


# (id, inputs, layer): the layer's MACs must equal the graph's count of products exactly
EXACT = [
    ("conv2d-square", {"x": [9, 9, 3]}, {"type": "conv2d", "filters": 4, "kernel": 3}),
    ("conv2d-nonsquare-kernel-stride", {"x": [11, 13, 3]},
     {"type": "conv2d", "filters": 5, "kernel": [3, 5], "stride": [2, 3]}),
    ("conv2d-same", {"x": [10, 7, 2]}, {"type": "conv2d", "filters": 3, "kernel": [2, 4], "stride": 2,
                                         "padding": "same", "activation": "relu"}),
    ("conv2d-numeric-padding", {"x": [8, 8, 2]}, {"type": "conv2d", "filters": 3, "kernel": 3,
                                                   "padding": [1, 2]}),
    ("conv2d-dilation", {"x": [12, 12, 2]}, {"type": "conv2d", "filters": 3, "kernel": 3, "dilation": [2, 3]}),
    ("conv2d-groups-nobias", {"x": [8, 8, 6]}, {"type": "conv2d", "filters": 9, "kernel": [3, 1], "groups": 3,
                                                "use_bias": False}),
    ("conv1d", {"x": [20, 4]}, {"type": "conv1d", "filters": 6, "kernel": 5, "stride": 2}),
    ("conv1d-causal-dilated", {"x": [20, 4]}, {"type": "conv1d", "filters": 6, "kernel": 3, "dilation": 2,
                                               "padding": "causal"}),
    ("conv1d-same-groups", {"x": [15, 4]}, {"type": "conv1d", "filters": 6, "kernel": 3, "padding": "same",
                                            "groups": 2}),
    ("depthwise", {"x": [9, 11, 4]}, {"type": "depthwise_conv2d", "kernel": [3, 2], "stride": [1, 2],
                                      "depth_multiplier": 2}),
    ("depthwise-same", {"x": [9, 9, 3]}, {"type": "depthwise_conv2d", "kernel": 3, "padding": "same"}),
    ("separable", {"x": [10, 10, 4]}, {"type": "separable_conv2d", "filters": 7, "kernel": [3, 5],
                                        "depth_multiplier": 2}),
    ("conv2d-transpose", {"x": [5, 6, 3]}, {"type": "conv2d_transpose", "filters": 4, "kernel": [3, 2],
                                             "stride": [2, 3]}),
    ("conv2d-transpose-same", {"x": [5, 5, 3]}, {"type": "conv2d_transpose", "filters": 2, "kernel": 3,
                                                  "stride": 2, "padding": "same"}),
    ("conv1d-transpose", {"x": [7, 3]}, {"type": "conv1d_transpose", "filters": 5, "kernel": 4, "stride": 2}),
    ("dense", {"x": [12]}, {"type": "dense", "units": 7}),
    ("dense-rank3-nobias", {"x": [5, 12]}, {"type": "dense", "units": 7, "use_bias": False}),
    ("mha-self", {"x": [6, 8]}, {"type": "multi_head_attention", "heads": 2}),
    ("mha-separate-qvk", {"q": [4, 8], "v": [6, 10], "k": [6, 12]},
     {"type": "multi_head_attention", "heads": 3, "key_dim": 5, "value_dim": 7, "inputs": ["q", "v", "k"]}),
    ("mha-causal-nobias", {"x": [5, 6]}, {"type": "multi_head_attention", "heads": 2, "causal": True,
                                          "use_bias": False}),
    ("attention-separate-value", {"q": [4, 6], "v": [7, 9], "k": [7, 6]},
     {"type": "attention", "inputs": ["q", "v", "k"]}),
    ("simple-rnn", {"x": [7, 5]}, {"type": "simple_rnn", "units": 4}),
    ("lstm-sequences", {"x": [6, 5]}, {"type": "lstm", "units": 3, "return_sequences": True}),
    ("gru", {"x": [6, 5]}, {"type": "gru", "units": 4}),
    ("gru-reset-before", {"x": [6, 5]}, {"type": "gru", "units": 4, "reset_after": False}),
    ("lstm-bidirectional", {"x": [5, 3]}, {"type": "lstm", "units": 2, "bidirectional": True}),
    ("maxpool", {"x": [8, 8, 3]}, {"type": "maxpool2d", "pool": 2}),
    ("flatten", {"x": [4, 4, 3]}, {"type": "flatten"}),
    ("embedding", {"x": [9]}, {"type": "embedding", "vocab": 20, "dim": 4}),
]


@pytest.mark.parametrize("inputs, layer", [c[1:] for c in EXACT], ids=[c[0] for c in EXACT])
def test_products_match_the_traced_graph(inputs, layer):
    net = one_layer(inputs, layer)
    ours = net.layer("L")["macs"]
    graph, functions = traced(net)
    assert ours == count(graph, functions)
    assert ours > 0 or layer["type"] in ("maxpool2d", "flatten", "embedding")


def _full_size(inputs, layer, ops=("Mul", "AddV2", "Sub", "Add")):
    net = one_layer(inputs, layer)
    graph, functions = traced(net)
    found = {}
    assert count(graph, functions, found) == 0  # no products with weights: elementwise only
    size = _product(net.layer("L")["shape"])
    return net.layer("L")["macs"], {k: v.count(size) for k, v in found.items() if k in ops}, size


def test_batchnorm_is_one_multiply_and_one_add_per_element():
    ours, full, size = _full_size({"x": [5, 6, 3]}, {"type": "batchnorm"})
    assert full.get("Mul", 0) == 1 and full.get("AddV2", 0) + full.get("Sub", 0) == 1
    assert ours == 2 * size == 180


def test_layer_scale_is_one_multiply_per_element():
    ours, full, size = _full_size({"x": [5, 6]}, {"type": "layer_scale"})
    assert full == {"Mul": 1} and ours == size == 30


def test_position_embedding_is_one_add_per_element():
    ours, full, size = _full_size({"x": [7, 4]}, {"type": "position_embedding", "length": 10})
    assert sum(full.values()) == 1 and ours == size == 28


def test_additive_attention_counts_a_score_term_per_feature_and_a_product_with_the_value():
    net = one_layer({"q": [4, 6], "v": [5, 3], "k": [5, 6]},
                    {"type": "additive_attention", "inputs": ["q", "v", "k"]})
    graph, functions = traced(net)
    found = {}
    products = count(graph, functions, found)
    assert products == 4 * 5 * 3  # weights · value
    assert 4 * 5 * 6 in found["AddV2"]  # query + key, for every (query step, key step, feature)
    assert net.layer("L")["macs"] == products + 4 * 5 * 6


def test_published_totals():
    """From our inference alone: VGG-16 ≈ 15.5 G MACs (Simonyan & Zisserman's 224² network, as quoted by
    every FLOP counter) and ResNet-50 ≈ 3.8 G (He et al. 2016, Table 1: "3.8 × 10⁹ FLOPs", which are
    multiply-adds). Our resnet50 is Keras' v1, stride 2 in the first 1×1 of a block; the 4.1 G often
    quoted is torchvision's v1.5, stride 2 in the 3×3, which sees 4× the positions there."""
    vgg = archcompiler.load("vgg16").totals["macs"]
    resnet = archcompiler.load("resnet50").totals["macs"]
    assert vgg == 15_470_264_320 or abs(vgg - 15.5e9) / 15.5e9 < 0.01, vgg
    assert abs(resnet - 3.8e9) / 3.8e9 < 0.03, resnet
    assert archcompiler.load("vgg16").totals["flops"] == 2 * vgg


def test_tied_dense_is_the_product_with_the_transposed_table():
    net = archcompiler.load({"name": "m", "inputs": {"x": {"shape": [6]}}, "layers": [
        {"type": "embedding", "name": "emb", "vocab": 11, "dim": 4, "tied": True},
        {"type": "tied_dense", "name": "L", "inputs": ["emb", "emb.table"]}]})
    graph, functions = traced(net)
    assert net.layer("L")["macs"] == count(graph, functions) == 6 * 4 * 11
    assert net.layer("emb")["macs"] == 0  # a lookup


def _declared_cell(cell, steps=7, features=5, units=3):
    return archcompiler.load({"name": "m", "inputs": {"x": {"shape": [steps, features]}}, "cells": {"c": cell},
                              "layers": [{"type": "rnn", "name": "L", "cell": "c", "units": units}]})


# (id, cell, products per step for 5 features and 3 units): input 5·3, recurrent 3·3, full peephole 3·3 per gate
DECLARED_CELLS = [
    ("full-peephole-no-recurrent-matrix",
     {"state": ["h", "c"], "gates": {"a": {"peephole": {"c": "full"}, "recurrent": "c"},
                                     "b": {"activation": "tanh", "recurrent": False, "bias": False}},
      "update": {"c": "a * c + b", "h": "relu(c) - 0.5 * h"}},
     (5 * 3 + 3 * 3 + 3 * 3) + 5 * 3),
    ("mgu-reset-by-its-gate",
     {"state": ["h"], "gates": {"f": {"activation": "sigmoid"}, "g": {"activation": "tanh", "reset": "f"}},
      "update": {"h": "(1 - f) * h + f * g"}},
     2 * (5 * 3 + 3 * 3)),
    ("lstm-diagonal-peepholes",
     {"state": ["h", "c"], "gates": {"i": {"activation": "sigmoid", "peephole": ["c"]},
                                     "f": {"activation": "sigmoid", "peephole": ["c"]},
                                     "g": {"activation": "tanh"}, "o": {"activation": "sigmoid", "peephole": ["c"]}},
      "update": {"c": "f * c + i * g", "h": "o * tanh(c)"}},
     4 * (5 * 3 + 3 * 3)),
]


@pytest.mark.parametrize("cell, per_step", [c[1:] for c in DECLARED_CELLS], ids=[c[0] for c in DECLARED_CELLS])
def test_declared_cell_products_match_the_traced_loop(cell, per_step):
    net = _declared_cell(cell)
    graph, functions = traced(net)
    assert net.layer("L")["macs"] == count(graph, functions) == 7 * per_step


def test_layer_norm_is_one_multiply_and_one_add_per_element():
    ours, full, size = _full_size({"x": [5, 6]}, {"type": "layernorm", "center": False, "scale": False})
    assert full == {"Mul": 1, "AddV2": 1} and ours == 2 * size == 60
    ours, full, size = _full_size({"x": [4, 5, 6]}, {"type": "layernorm", "axis": [2, 3]})
    assert full.get("Mul", 0) >= 1 and full.get("AddV2", 0) >= 1  # x·inv + res, with γ and β folded in
    assert ours == 2 * size == 240


def test_lrn_and_normalization_have_no_products():
    ours, full, size = _full_size({"x": [5, 6, 7]}, {"type": "lrn", "depth_radius": 2})
    assert ours == 0 and full.get("AddV2", 0) >= 2 * 2  # the window's sum of 2r + 1 squares
    for layer in ({"type": "normalization", "mean": [1, 2, 3], "variance": [1, 4, 9]}, {"type": "normalization"}):
        ours, full, size = _full_size({"x": [5, 3]}, layer)
        assert ours == 0 and full == {"Sub": 1}  # (x − mean), then a division


# (id, inputs, layer): kinds with no products with a weight or another tensor's values — the graph's count of
# such products is 0, and so is ours (their elementwise arithmetic is not counted, as an activation's is not)
NO_PRODUCTS = [
    ("avgpool2d-same", {"x": [7, 9, 3]}, {"type": "avgpool2d", "pool": [3, 2], "padding": "same"}),
    ("maxpool1d", {"x": [9, 3]}, {"type": "maxpool1d", "pool": 3}),
    ("avgpool1d", {"x": [9, 3]}, {"type": "avgpool1d", "pool": 2, "stride": 1}),
    ("global-avgpool2d", {"x": [5, 5, 4]}, {"type": "global_avgpool2d"}),
    ("global-maxpool1d", {"x": [6, 4]}, {"type": "global_maxpool1d"}),
    ("add", {"a": [4, 4, 3], "b": [4, 4, 3]}, {"type": "add", "inputs": ["a", "b"]}),
    ("multiply-broadcast", {"a": [4, 4, 3], "b": [1, 1, 3]}, {"type": "multiply", "inputs": ["a", "b"]}),
    ("concat", {"a": [4, 4, 3], "b": [4, 4, 5]}, {"type": "concat", "inputs": ["a", "b"]}),
    ("rescaling", {"x": [4, 4, 3]}, {"type": "rescaling", "scale": 0.5, "offset": -1}),
    ("positional-encoding", {"x": [6, 8]}, {"type": "positional_encoding"}),
    ("dropout", {"x": [6, 8]}, {"type": "dropout", "rate": 0.5}),
    ("softmax", {"x": [6, 8]}, {"type": "softmax"}),
    ("gelu", {"x": [6, 8]}, {"type": "gelu"}),
    ("reshape", {"x": [6, 8]}, {"type": "reshape", "shape": [4, -1]}),
    ("cropping2d", {"x": [8, 8, 2]}, {"type": "cropping2d", "cropping": [[1, 2], [0, 3]]}),
    ("zeropad2d", {"x": [4, 4, 2]}, {"type": "zeropad2d", "padding": [1, 2]}),
    ("upsampling2d", {"x": [3, 4, 2]}, {"type": "upsampling2d", "size": [2, 3]}),
    ("take", {"x": [6, 8]}, {"type": "take", "index": -1}),
    ("slice", {"x": [6, 8]}, {"type": "slice", "start": 1, "stop": 4}),
]


@pytest.mark.parametrize("inputs, layer", [c[1:] for c in NO_PRODUCTS], ids=[c[0] for c in NO_PRODUCTS])
def test_kinds_without_products(inputs, layer):
    net = one_layer(inputs, layer)
    graph, functions = traced(net)
    assert net.layer("L")["macs"] == count(graph, functions) == 0
