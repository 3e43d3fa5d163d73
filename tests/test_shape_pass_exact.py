"""The shape pass (archcompiler/shapes.py) on hand-built graphs: each node's figures from its inputs, an
impossible shape located at the field it comes from (or the layer), a failure reported once (the nodes
after it are skipped), a plugin kind's crash named as the plugin's and a built-in kind's passed on as our
bug. Figures worked out by hand. Pure Python (no Keras)."""

from typing import Literal

import pytest

from archcompiler.errors import Loc
from archcompiler.graph import Graph, Node, TensorRef
from archcompiler.layers import KINDS, Layer
from archcompiler.shapes import infer_graph, infer_node


def node(name, kind, inputs=(), path="", field_locs=None, **fields):
    layer = KINDS[kind].model_validate({"type": kind, **fields})
    return Node(name, layer, [TensorRef(i) for i in inputs], Loc("s.yaml", len(name), 3), (), path,
                dict(field_locs or {}))


def graph(*nodes):
    return Graph(spec=None, nodes={n.name: n for n in nodes}, inputs=[nodes[0].name],
                 outputs=[TensorRef(nodes[-1].name)], params={})


def test_the_pass_fills_in_each_nodes_figures():
    g = graph(node("x", "input", shape=[8, 8, 3]), node("conv", "conv2d", ["x"], filters=4, kernel=3),
              node("flat", "flatten", ["conv"]), node("out", "dense", ["flat"], units=10))
    assert infer_graph(g) == []
    conv, out = g.nodes["conv"], g.nodes["out"]
    assert conv.shapes == [(6, 6, 4)] and (conv.trainable, conv.non_trainable, conv.macs) == (112, 0, 6 * 6 * 4 * 27)
    assert g.nodes["flat"].shapes == [(144,)]
    assert out.shapes == [(10,)] and (out.trainable, out.macs) == (1450, 1440)
    assert (g.trainable, g.total_params, g.macs) == (1562, 1562, 3888 + 1440)


def test_an_impossible_shape_is_located_at_its_field():
    g = graph(node("x", "input", shape=[4, 4, 3]),
              node("conv", "conv2d", ["x"], path="layers[0]", field_locs={"kernel": Loc("s.yaml", 9, 12)},
                   filters=2, kernel=5),
              node("after", "relu", ["conv"]))
    (error,) = infer_graph(g)
    assert (error.loc, error.path, error.code) == (Loc("s.yaml", 9, 12), "layers[0].kernel", "E-SHAPE")
    assert error.message == "conv (conv2d): kernel 5 is larger than the input ((4, 4, 3)): the output would be empty"
    assert error.hint.startswith("use padding: same")
    assert g.nodes["after"].shapes == []  # skipped: its input failed, reported once


def test_an_error_without_a_field_location_is_at_the_layer():
    g = graph(node("x", "input", shape=[6]), node("conv", "conv2d", ["x"], path="layers[2]", filters=2, kernel=1))
    (error,) = infer_graph(g)
    assert (error.loc, error.path, error.hint, error.code) == (
        Loc("s.yaml", 4, 3), "layers[2]", "", "E-SHAPE")
    assert error.message == "conv (conv2d): conv2d expects an input of rank 3 (without batch), got shape (6)"
    g = graph(node("x", "input", shape=[4, 4, 3]),
              node("conv", "conv2d", ["x"], path="layers[0]", field_locs={}, filters=2, kernel=5))
    (error,) = infer_graph(g)
    assert (error.loc, error.path) == (Loc("s.yaml", 4, 3), "layers[0].kernel")  # the field, at the layer's line


def test_a_failure_is_reported_once_and_passed_on():
    failed = set()
    nodes = {"x": node("x", "input", shape=[6])}
    a = node("a", "conv2d", ["x"], filters=2, kernel=1)
    b = node("b", "relu", ["a"])
    nodes.update(a=a, b=b)
    assert infer_node(nodes["x"], nodes, failed) is None and failed == set()
    assert infer_node(a, nodes, failed) is not None and failed == {"a"}
    assert infer_node(b, nodes, failed) is None and failed == {"a", "b"} and b.shapes == []


def test_a_later_output_of_a_node_is_read_by_index():
    nodes = {"x": node("x", "input", shape=[5, 4])}
    lstm = node("lstm", "lstm", ["x"], units=3, return_state=True)
    nodes["lstm"] = lstm
    assert infer_node(nodes["x"], nodes, set()) is None and infer_node(lstm, nodes, set()) is None
    assert lstm.shapes == [(3,), (3,), (3,)]
    reader = Node("d", KINDS["dense"].model_validate({"type": "dense", "units": 2}), [TensorRef("lstm", 2)],
                  Loc("s.yaml", 1, 1))
    nodes["d"] = reader
    assert infer_node(reader, nodes, set()) is None and reader.shapes == [(2,)] and reader.trainable == 8


def test_a_plugin_kinds_crash_is_the_plugins_a_builtin_kinds_is_ours():
    class Broken(Layer):
        """A plugin kind whose infer crashes (a kind defined outside archcompiler counts as a plugin's)."""

        type: Literal["broken_for_test"] = "broken_for_test"

        def infer(self, inputs):
            raise ZeroDivisionError("oops")

    KINDS.pop("broken_for_test")  # defining it registered it; the other tests should not see it
    nodes = {"x": node("x", "input", shape=[4])}
    broken = Node("b", Broken(), [TensorRef("x")], Loc("s.yaml", 7, 3), (), "layers[1]")
    nodes["b"] = broken
    failed = set()
    infer_node(nodes["x"], nodes, failed)
    error = infer_node(broken, nodes, failed)
    assert failed == {"b"} and (error.loc, error.path, error.code) == (Loc("s.yaml", 7, 3), "layers[1]",
                                                                       "E-PLUGIN-FAILED")
    assert error.message == ("b (broken_for_test): plugin test_shape_pass_exact (not installed) failed in infer: "
                             "ZeroDivisionError: oops — a bug in the plugin, not in your spec")
    assert error.hint == "report it to the plugin's authors"

    dense = KINDS["dense"].model_validate({"type": "dense", "units": 2})
    crashing = Node("d", dense, [TensorRef("x")], Loc("s.yaml", 8, 3))
    nodes["d"] = crashing
    nodes["x"].shapes = ["not a shape"]
    with pytest.raises(Exception) as info:
        infer_node(crashing, nodes, set())
    assert not isinstance(info.value, AssertionError)
