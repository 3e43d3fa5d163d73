"""The shared base of every layer kind (``archcompiler/layers/base.py``) pinned exactly, without Keras: the
name rule and its whole message, ``_pair``, an activation's name per language, the caption of a diagram's line
in another language, the fallbacks of ``display_name``/``default_name``, ``hyperparameters``, the helpers the
rules share (``conv_output_length``, ``counted_steps``, ``need_rank``, ``activation_suffix``, ``causal_text``,
``fmt_shape``, ``product``, ``runtime``) and how defining a kind registers it (a plugin never replaces a
built-in kind; a plugin's schema mistake shows at once, a built-in's validator waits for first use)."""

import sys
import types
from typing import Literal

import pytest
from kind_stand_in import FakeKeras, layer
from pydantic_core import PydanticCustomError

import archcompiler
from archcompiler.errors import SpecErrors
from archcompiler.layers import KINDS, Layer, ShapeError
from archcompiler.layers.base import (
    Inferred,
    _layer_name,
    _pair,
    activation_name,
    activation_suffix,
    causal_text,
    conv_output_length,
    counted_steps,
    fmt_shape,
    is_builtin,
    need_rank,
    product,
    runtime,
)

NAME_RULE = ("a name is letters, digits, '_' and '-' (not first): it is read in references such as name.h or "
             "name[1], and Keras refuses '/'")


# --- names ----------------------------------------------------------------------------------------------

def test_an_invalid_layer_name_is_refused_with_the_whole_rule():
    with pytest.raises(SpecErrors) as info:
        archcompiler.load("name: t\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: relu, name: a/b}\n")
    [e] = info.value.errors
    assert (e.code, e.message, e.path, e.hint) == (
        "E-NAME-INVALID", "relu: invalid value 'a/b': " + NAME_RULE, "layers[0].name", "")


def test_the_name_validator_keeps_good_names_and_refuses_the_rest():
    for name in ("conv1", "conv-1", "_a", "9x", "A_b-C"):
        assert _layer_name(name) == name
    for name in ("-a", "a.b", "a/b", "a[1]", "", "a b"):
        with pytest.raises(PydanticCustomError) as info:
            _layer_name(name)
        assert (info.value.type, info.value.message()) == ("E-NAME-INVALID", NAME_RULE)


# --- _pair ----------------------------------------------------------------------------------------------

def test_pair_doubles_a_number_or_a_one_item_list_and_leaves_the_rest():
    assert _pair(3) == (3, 3)
    assert _pair(2.5) == (2.5, 2.5)
    assert _pair([3]) == (3, 3)
    assert _pair((4,)) == (4, 4)
    assert _pair([2, 5]) == [2, 5]
    assert _pair((2, 5)) == (2, 5)
    assert _pair([1, 2, 3]) == [1, 2, 3]
    assert _pair(True) is True  # a bool is no size: pydantic refuses it afterwards
    assert _pair("3") == "3"


def test_a_one_item_window_is_square():
    pool = layer("maxpool2d", pool=[3], stride=[2])
    assert (pool.pool, pool.stride) == ((3, 3), (2, 2))
    assert layer("conv2d", filters=4, kernel=[5]).kernel == (5, 5)


# --- words ----------------------------------------------------------------------------------------------

def test_activation_name_is_the_keras_name_in_english_and_the_docs_word_in_korean():
    assert activation_name("linear", "en") == "linear"
    assert activation_name("sigmoid", "en") == "sigmoid"
    assert activation_name("sigmoid", "de") == "sigmoid"
    assert activation_name("sigmoid", "ko") == "시그모이드"
    assert activation_name("relu", "ko") == "ReLU"
    assert activation_name("linear", "ko") == "선형"
    assert activation_name("my_act", "ko") == "my_act"  # unknown to the table: the name itself


def test_caption_is_the_label_in_english():
    dense = layer("dense", units=3, activation="sigmoid")
    assert dense.caption("en") == "dense 3, sigmoid"


def test_caption_adds_the_activation_a_dense_or_convolution_applies_itself():
    assert layer("dense", units=3, activation="sigmoid").caption("ko") == "완전연결 3, 시그모이드"
    assert layer("dense", units=3, activation="sigmoid").caption("de") == "dense 3, sigmoid"
    assert layer("conv2d", filters=8, kernel=3, activation="relu").caption("ko") == "3×3 합성곱 8, ReLU"
    assert layer("conv1d", filters=8, kernel=3, activation="gelu").caption("ko") == "길이 3 1차원 합성곱 8, GELU"


def test_caption_adds_nothing_for_linear_or_no_activation():
    assert layer("dense", units=3, activation="linear").caption("ko") == "완전연결 3"
    assert layer("dense", units=3).caption("ko") == "완전연결 3"
    assert layer("conv2d", filters=8, kernel=3).caption("ko") == "3×3 합성곱 8"


def test_caption_of_other_families_is_their_brief_even_with_an_activation_field():
    assert layer("activation", activation="sigmoid").caption("ko") == "시그모이드"
    assert layer("relu").caption("ko") == "ReLU"
    assert layer("flatten").caption("ko") == "평탄화(Flatten)"
    assert layer("flatten").caption("de") == "flatten"


def test_display_name_falls_back_to_the_kind():
    assert layer("flatten").display_name("ko") == "평탄화(Flatten)"
    assert layer("flatten").display_name("en") == "flatten"
    assert layer("flatten").display_name("de") == "flatten"
    assert layer("dense", units=2).display_name("de") == "dense"


def test_default_name_is_keras_own_or_the_kind():
    assert layer("concat").default_name() == "concatenate"
    assert layer("maxpool2d").default_name() == "max_pooling2d"
    assert layer("flatten").default_name() == "flatten"


def test_hyperparameters_leave_out_the_fields_every_layer_has():
    dropout = layer("dropout", rate=0.5, name="d", inputs=["x"], repeat=2, when=False, note={"en": "n"})
    assert dropout.hyperparameters() == {"rate": 0.5, "noise_shape": None}
    assert layer("dense", units=3, name="fc", inputs="x").hyperparameters() == {
        "units": 3, "activation": None, "use_bias": True}


def test_the_base_rule_hooks():
    flatten = layer("flatten")
    assert flatten.output_names() == ["output"]
    assert flatten.settle([(2, 3)]) is flatten
    assert flatten.expand() == [("", flatten)]
    assert flatten.label() == "flatten"
    assert flatten.brief("ko") == "평탄화(Flatten)"
    assert flatten.call(lambda x: ("called", x), ["t"]) == ("called", "t")
    assert flatten.call(lambda x: ("called", x), ["t", "u"]) == ("called", ["t", "u"])


# --- helpers shared by the rules ------------------------------------------------------------------------

def test_conv_output_length_follows_keras():
    assert conv_output_length(None, 3, 1, "valid") is None
    assert conv_output_length(None, 3, 2, "same") is None
    assert conv_output_length(10, 3, 1, "valid") == 8
    assert conv_output_length(10, 3, 3, "valid") == 3  # (10 - 3) // 3 + 1
    assert conv_output_length(10, 3, 1, "valid", dilation=2) == 6  # span 5
    assert conv_output_length(10, 3, 2, "same") == 5
    assert conv_output_length(11, 3, 2, "same") == 6  # ceil(11 / 2)
    assert conv_output_length(10, 3, 1, "same", dilation=2) == 10


def test_counted_steps_and_product():
    assert counted_steps(None) == 1
    assert counted_steps(7) == 7
    assert product([]) == 1
    assert product([2, 3, 4]) == 24


def test_need_rank_refuses_another_rank_with_the_shape():
    assert need_rank((1, 2, 3), 3, "conv2d") is None
    with pytest.raises(ShapeError) as info:
        need_rank((4, None), 3, "conv2d")
    e = info.value
    assert (e.message, e.field, e.hint, e.code, str(e)) == (
        "conv2d expects an input of rank 3 (without batch), got shape (4, None)", "", "", "E-SHAPE",
        "conv2d expects an input of rank 3 (without batch), got shape (4, None)")


def test_shape_error_and_inferred_defaults():
    e = ShapeError("too small", field="units", hint="use 1", code="E-VALUE-INVALID")
    assert (e.message, e.field, e.hint, e.code) == ("too small", "units", "use 1", "E-VALUE-INVALID")
    r = Inferred([(3,)])
    assert (r.shapes, r.trainable, r.non_trainable, r.macs) == ([(3,)], 0, 0, 0)


def test_activation_suffix_and_causal_text():
    assert activation_suffix("relu") == ", relu"
    assert activation_suffix("linear") == ""
    assert activation_suffix(None) == ""
    assert activation_suffix("") == ""
    assert causal_text("attention", True, "en") == "attention, causal mask"
    assert causal_text("어텐션", True, "ko") == "어텐션, 인과 마스크"
    assert causal_text("attention", False, "en") == "attention"
    assert causal_text("어텐션", False, "ko") == "어텐션"


def test_fmt_shape():
    assert fmt_shape((None, 4)) == "(None, 4)"
    assert fmt_shape((3,)) == "(3)"
    assert fmt_shape(()) == "()"
    assert fmt_shape((2, None, 5)) == "(2, None, 5)"


def test_runtime_is_the_given_keras_own_or_archcompiler_keras(monkeypatch):
    fake = FakeKeras()
    assert runtime(fake) is FakeKeras.archcompiler_runtime
    # without one, archcompiler.keras itself (a stand-in here: the fast tests never import Keras)
    package = types.ModuleType("archcompiler.keras")
    monkeypatch.setitem(sys.modules, "archcompiler.keras", package)
    monkeypatch.setattr(archcompiler, "keras", package, raising=False)
    assert runtime(types.SimpleNamespace()) is package


# --- registration ---------------------------------------------------------------------------------------

@pytest.fixture
def kinds():
    """KINDS as it is now, put back after the test (the kinds a test defines leave no trace)."""
    saved = dict(KINDS)
    yield KINDS
    KINDS.clear()
    KINDS.update(saved)


def test_is_builtin_means_a_module_of_the_layers_package():
    assert is_builtin(KINDS["dense"]) is True
    assert is_builtin(None) is False
    for module, builtin in (("archcompiler.layers.mine", True), ("archcompiler.plugin", False),
                            ("archcompiler.keras", False), ("archcompiler.layersx", False),
                            ("archcompiler", False), ("my_plugin.layers", False)):
        assert is_builtin(type("K", (), {"__module__": module})) is builtin, module


def test_a_plugin_kind_registers_and_is_built_at_once(kinds):
    class Probe(Layer):
        __module__ = "h3_plugin"
        type: Literal["h3_probe"] = "h3_probe"

    assert kinds["h3_probe"] is Probe
    assert Probe.__pydantic_complete__ is True


def test_a_plugin_schema_mistake_shows_when_it_is_defined(kinds):
    from pydantic.errors import PydanticUndefinedAnnotation

    with pytest.raises(PydanticUndefinedAnnotation):
        class Broken(Layer):
            __module__ = "h3_plugin"
            type: Literal["h3_broken"] = "h3_broken"
            size: "NoSuchType" = 1  # noqa: F821


def test_a_builtin_kind_waits_for_first_use_to_build(kinds):
    class Lazy(Layer):
        __module__ = "archcompiler.layers.h3_lazy"
        type: Literal["h3_lazy"] = "h3_lazy"
        size: "NoSuchType" = 1  # noqa: F821  (a built-in's mistake would show in its first use)

    assert kinds["h3_lazy"] is Lazy
    assert Lazy.__pydantic_complete__ is False


def test_a_plugin_never_replaces_a_builtin_kind(kinds):
    dense = kinds["dense"]

    class Impostor(Layer):
        __module__ = "h3_plugin"
        type: Literal["dense"] = "dense"

    assert kinds["dense"] is dense


def test_a_later_plugin_replaces_an_earlier_plugin(kinds):
    class First(Layer):
        __module__ = "h3_plugin"
        type: Literal["h3_twice"] = "h3_twice"

    class Second(Layer):
        __module__ = "h3_plugin_two"
        type: Literal["h3_twice"] = "h3_twice"

    assert kinds["h3_twice"] is Second


def test_a_builtin_module_redefining_a_kind_takes_its_place(kinds):
    # what reloading a kind's module does: the new class is the kind
    class Dense(Layer):
        __module__ = "archcompiler.layers.dense"
        type: Literal["dense"] = "dense"

    assert kinds["dense"] is Dense


def test_a_base_without_a_kind_registers_nothing(kinds):
    before = dict(kinds)

    class PluginBase(Layer):
        __module__ = "h3_plugin"
        units: int = 1

    class BuiltinBase(Layer):
        __module__ = "archcompiler.layers.h3_base"
        units: int = 1

    assert kinds == before
