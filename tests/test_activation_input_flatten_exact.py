"""``activation`` (and its shorthands ``relu``, ``gelu``, … ``hard_swish``), ``input`` and ``flatten`` pinned
exactly, without Keras: shapes worked out by hand, every refusal (message, field, hint, code), the labels and
briefs, the Keras call (through a recording stand-in), the shorthand classes' names, docstrings and fields, and
the figures the docs explain them with (``doc_facts``)."""

import pytest
from kind_stand_in import Call, FakeKeras, figures, infer, layer, refusal, words
from pydantic import ValidationError

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.layers import KINDS
from archcompiler.layers import activation as activation_module

SHORTHANDS = ("relu", "sigmoid", "tanh", "softmax", "gelu", "relu6", "swish", "silu", "hard_swish")


def all_facts(spec):
    graph = archcompiler.load(spec).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items()}


def facts_on_the_bare_graph(spec, name):
    graph = archcompiler.load(spec).graph
    node = graph.nodes[name]
    return node.layer.doc_facts(node, graph)


class InputKeras(FakeKeras):
    """The stand-in with ``keras.Input`` too (an input is ``keras.Input(...)``, not a layer class)."""

    @staticmethod
    def Input(*args, **kwargs):
        return Call("Input", args, kwargs)


# --- activation -------------------------------------------------------------------------------------------

def test_activation_passes_the_shape_through_with_no_weights_or_macs():
    assert figures(infer("activation", [(4, 5, 6)], activation="relu")) == ([(4, 5, 6)], 0, 0, 0)
    assert figures(infer("activation", [(None, 6)], activation="gelu", approximate=True)) == ([(None, 6)], 0, 0, 0)
    assert figures(infer("softmax", [(7,)])) == ([(7,)], 0, 0, 0)


def test_activation_approximate_is_refused_but_for_gelu():
    assert refusal("activation", [(4,)], activation="relu", approximate=True) == (
        "approximate applies to gelu, not relu", "approximate", "", "E-SHAPE")
    assert refusal("activation", [(4,)], activation="tanh", approximate=True) == (
        "approximate applies to gelu, not tanh", "approximate", "", "E-SHAPE")
    assert refusal("swish", [(4,)], approximate=True) == (
        "approximate applies to gelu, not swish", "approximate", "", "E-SHAPE")
    assert infer("gelu", [(4,)], approximate=True).shapes == [(4,)]


def test_activation_keras_calls():
    assert layer("activation", activation="relu").keras(FakeKeras(), "A") == ("Activation", ("relu",), {"name": "A"})
    assert layer("gelu").keras(FakeKeras(), "G") == ("Activation", ("gelu",), {"name": "G"})
    # Keras' Activation('gelu') is the exact one: the tanh approximation is archcompiler's own GELU class
    assert layer("gelu", approximate=True).keras(FakeKeras(), "T") == ("GELU", (), {"approximate": True, "name": "T"})
    assert layer("activation", activation="gelu", approximate=True).keras(FakeKeras(), "U") == (
        "GELU", (), {"approximate": True, "name": "U"})


def test_activation_label_and_brief():
    assert words(layer("activation", activation="relu")) == ("relu", "relu", "ReLU")
    assert words(layer("activation", activation="leaky_relu")) == ("leaky_relu", "leaky_relu", "Leaky ReLU")
    assert words(layer("softmax")) == ("softmax", "softmax", "소프트맥스")
    assert words(layer("hard_swish")) == ("hard_swish", "hard_swish", "하드 Swish")
    # the English brief stays the bare name (compact branch listings); the Korean one carries the approximation
    assert words(layer("gelu", approximate=True)) == ("gelu (tanh approximation)", "gelu", "GELU(tanh 근사)")
    assert words(layer("activation", activation="gelu", approximate=True)) == (
        "gelu (tanh approximation)", "gelu", "GELU(tanh 근사)")
    assert words(layer("gelu")) == ("gelu", "gelu", "GELU")
    assert layer("relu").default_name() == "activation"
    assert layer("activation", activation="tanh").default_name() == "activation"
    assert layer("relu").display_name("ko") == "활성화 함수"


def test_shorthand_classes_names_docstrings_and_fields():
    names = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "gelu": "Gelu",
             "relu6": "Relu6", "swish": "Swish", "silu": "Silu", "hard_swish": "HardSwish"}
    fields = ["type", "name", "inputs", "repeat", "when", "note", "activation", "approximate"]
    for kind in SHORTHANDS:
        cls = KINDS[kind]
        assert issubclass(cls, activation_module.ActivationLayer)
        assert (cls.__name__, cls.__qualname__) == (names[kind], names[kind])
        assert cls.__doc__ == f"Shorthand for an activation layer applying {kind}."
        assert list(cls.model_fields) == fields
        assert (cls.model_fields["type"].default, cls.model_fields["activation"].default) == (kind, kind)
        made = cls()
        assert (made.type, made.activation, made.approximate) == (kind, kind, False)
    assert activation_module.HardSwish is KINDS["hard_swish"] and activation_module.Relu6 is KINDS["relu6"]


def test_a_shorthand_takes_no_other_activation():
    with pytest.raises(ValidationError):
        layer("relu", activation="tanh")
    assert layer("relu", activation="relu").activation == "relu"


def test_the_shorthand_factory_builds_and_registers_a_kind():
    saved = dict(KINDS)
    try:
        Elu = activation_module._shorthand("elu")
        assert KINDS["elu"] is Elu
        assert (Elu.__name__, Elu.__qualname__, Elu.__doc__) == (
            "Elu", "Elu", "Shorthand for an activation layer applying elu.")
        assert (Elu.model_fields["type"].default, Elu.model_fields["activation"].default) == ("elu", "elu")
        made = Elu()
        assert (made.type, made.activation, made.label()) == ("elu", "elu", "elu")
        assert KINDS["elu"].model_validate({"type": "elu"}).activation == "elu"
        leaky = activation_module._shorthand("leaky_relu")  # a kind of two words: one word per part
        assert (leaky.__name__, leaky.__qualname__) == ("LeakyRelu", "LeakyRelu")
    finally:
        KINDS.clear()
        KINDS.update(saved)


ACTS = """
name: acts
inputs:
  x: {shape: [4, 6]}
layers:
  - {type: dense, name: a, units: 6}
  - {type: batchnorm, name: bn}
  - {type: relu, name: r}
  - {type: activation, name: r2, inputs: [bn], activation: relu}
  - {type: dense, name: b, inputs: [r], units: 3}
  - {type: gelu, name: g, approximate: true}
  - {type: activation, name: g2, inputs: [b], activation: gelu, approximate: true}
  - {type: concat, name: cat, inputs: [g, g2, r2]}
outputs: [cat, r2]
"""


def test_activation_doc_facts():
    facts = all_facts(ACTS)
    assert facts["r"] == {"in": (4, 6), "out": (4, 6), "activation": "relu", "approximate": False,
                          "is_output": False, "after_batchnorm": True}
    assert facts["r2"] == {"in": (4, 6), "out": (4, 6), "activation": "relu", "approximate": False,
                           "is_output": True, "after_batchnorm": True}
    assert facts["g"] == {"in": (4, 3), "out": (4, 3), "activation": "gelu", "approximate": True,
                          "is_output": False, "after_batchnorm": False}
    assert facts["g2"] == facts["g"]


def test_a_shorthand_behaves_as_the_activation_it_stands_for():
    short, long = layer("relu"), layer("activation", activation="relu")
    assert (short.type, long.type) == ("relu", "activation")
    assert figures(short.infer([(3, 5)])) == figures(long.infer([(3, 5)])) == ([(3, 5)], 0, 0, 0)
    assert short.keras(FakeKeras(), "x") == long.keras(FakeKeras(), "x") == ("Activation", ("relu",), {"name": "x"})
    assert words(short) == words(long) == ("relu", "relu", "ReLU")
    assert short.default_name() == long.default_name() == "activation"
    for kind in SHORTHANDS:
        s, a = layer(kind), layer("activation", activation=kind)
        assert (s.activation, s.approximate) == (a.activation, a.approximate) == (kind, False)
        assert s.keras(FakeKeras(), "n") == a.keras(FakeKeras(), "n") == ("Activation", (kind,), {"name": "n"})
        assert words(s) == words(a)
    facts = all_facts(ACTS)
    assert facts["r"] | {"is_output": True} == facts["r2"]  # differ only in that r2 is an output


# --- input ------------------------------------------------------------------------------------------------

def test_input_shape_and_fields():
    assert figures(layer("input", shape=[8, 6, 3]).infer([])) == ([(8, 6, 3)], 0, 0, 0)
    assert figures(layer("input", shape=[None], dtype="int32").infer([])) == ([(None,)], 0, 0, 0)
    assert layer("input", shape=[4]).dtype == "float32"
    for bad in ({"shape": []}, {"shape": [0]}, {"shape": [3], "dtype": "float64"}, {}):
        with pytest.raises(ValidationError):
            layer("input", **bad)


def test_input_keras_label_and_brief():
    assert layer("input", shape=[8, 6, 3]).keras(InputKeras(), "img") == (
        "Input", (), {"shape": (8, 6, 3), "dtype": "float32", "name": "img"})
    assert layer("input", shape=[None], dtype="int32").keras(InputKeras(), "tok") == (
        "Input", (), {"shape": (None,), "dtype": "int32", "name": "tok"})
    assert words(layer("input", shape=[8, 6, 3])) == ("input (8, 6, 3)", "input", "입력")
    assert words(layer("input", shape=[None, 12], dtype="bfloat16")) == ("input (None, 12) bfloat16", "input", "입력")
    assert layer("input", shape=[7], dtype="bool").label() == "input (7) bool"
    assert layer("input", shape=[4]).default_name() == "input"


INPUTS = """
name: inputs
inputs:
  img: {shape: [8, 6, 3]}
  tok: {shape: [null], dtype: int32}
  ids: {shape: [7], dtype: int64}
  vol: {shape: [5, 4, 3, 2], dtype: bfloat16}
  seq: {shape: [9, 16], dtype: float16}
layers:
  - {type: conv2d, name: c, inputs: [img], filters: 2, kernel: 3}
  - {type: dense, name: d, inputs: [img], units: 2}
  - {type: embedding, name: e, inputs: [tok], vocab: 10, dim: 4}
  - {type: embedding, name: e2, inputs: [ids], vocab: 10, dim: 4}
  - {type: batchnorm, name: bn, inputs: [vol]}
  - {type: dense, name: s, inputs: [seq], units: 2}
outputs: [c, d, e, e2, bn, s]
"""


def test_input_doc_facts():
    facts = all_facts(INPUTS)
    assert facts["img"] == {"in": [], "out": (8, 6, 3), "dtype": "float32", "rank": 3, "image": True,
                            "tokens": False, "channels": 3, "steps": 8, "readers": ["c", "d"]}
    assert facts["tok"] == {"in": [], "out": (None,), "dtype": "int32", "rank": 1, "image": False,
                            "tokens": True, "channels": None, "steps": None, "readers": ["e"]}
    assert facts["ids"] == {"in": [], "out": (7,), "dtype": "int64", "rank": 1, "image": False,
                            "tokens": True, "channels": None, "steps": 7, "readers": ["e2"]}
    assert facts["vol"] == {"in": [], "out": (5, 4, 3, 2), "dtype": "bfloat16", "rank": 4, "image": False,
                            "tokens": False, "channels": None, "steps": 5, "readers": ["bn"]}
    assert facts["seq"] == {"in": [], "out": (9, 16), "dtype": "float16", "rank": 2, "image": False,
                            "tokens": False, "channels": None, "steps": 9, "readers": ["s"]}
    assert facts_on_the_bare_graph(INPUTS, "img") == facts["img"]


# --- flatten ----------------------------------------------------------------------------------------------

def test_flatten_shape():
    assert figures(infer("flatten", [(6, 4, 2)])) == ([(6 * 4 * 2,)], 0, 0, 0)
    assert figures(infer("flatten", [(5,)])) == ([(5,)], 0, 0, 0)
    assert infer("flatten", [(3, 1, 1, 2)]).shapes == [(6,)]
    assert refusal("flatten", [(None, 4)]) == (
        "cannot flatten a shape with a variable axis (None, 4)", "", "", "E-SHAPE")
    assert refusal("flatten", [(8, 8, None)]) == (
        "cannot flatten a shape with a variable axis (8, 8, None)", "", "", "E-SHAPE")


def test_flatten_keras_label_and_brief():
    assert layer("flatten").keras(FakeKeras(), "F") == ("Flatten", (), {"name": "F"})
    assert words(layer("flatten")) == ("flatten", "flatten", "평탄화(Flatten)")
    assert layer("flatten").default_name() == "flatten"


def test_flatten_doc_facts():
    spec = """
name: flat
inputs:
  x: {shape: [8, 6, 3]}
layers:
  - {type: conv2d, name: c, filters: 2, kernel: 3}
  - {type: flatten, name: f}
  - {type: flatten, name: f1, inputs: [f]}
outputs: [f1]
"""
    facts = all_facts(spec)
    assert facts["f"] == {"in": (6, 4, 2), "out": (48,), "dims": [6, 4, 2], "total": 48, "ok": True}
    assert facts["f1"] == {"in": (48,), "out": (48,), "dims": [48], "total": 48, "ok": True}
