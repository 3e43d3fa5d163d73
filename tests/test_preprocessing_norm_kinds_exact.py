"""``batchnorm``, ``normalization`` and ``rescaling`` pinned exactly, without Keras: shapes, parameters and MACs
worked out by hand, every refusal (message, field, hint, code), the labels and briefs in English and Korean, the
Keras call (through a recording stand-in) and the figures the docs explain them with (``doc_facts``)."""

from types import SimpleNamespace

from kind_stand_in import FakeKeras, figures, infer, layer, refusal, words

import archcompiler
from archcompiler.analysis import Analysis


def facts(spec, name):
    graph = archcompiler.load(spec).graph
    node = graph.nodes[name]
    return node.layer.doc_facts(node, Analysis(graph))


# --- batchnorm --------------------------------------------------------------------------------------------

def test_batchnorm_figures():
    # γ and β per channel (unless left out), moving mean and variance per channel (not trained);
    # x·scale + shift: 2 MACs per value, the convention tests/test_macs_independent.py pins
    assert figures(infer("batchnorm", [(4, 5, 6)])) == ([(4, 5, 6)], 2 * 6, 2 * 6, 4 * 5 * 6 * 2)
    assert figures(infer("batchnorm", [(4, 5, 6)], center=False)) == ([(4, 5, 6)], 6, 12, 240)
    assert figures(infer("batchnorm", [(4, 5, 6)], scale=False)) == ([(4, 5, 6)], 6, 12, 240)
    assert figures(infer("batchnorm", [(4, 5, 6)], center=False, scale=False)) == ([(4, 5, 6)], 0, 12, 240)
    # an unknown axis counts as one position
    assert figures(infer("batchnorm", [(None, 7)])) == ([(None, 7)], 14, 14, 7 * 2)
    assert figures(infer("batchnorm", [(3,)])) == ([(3,)], 6, 6, 6)


def test_batchnorm_refuses_an_unknown_channel_count():
    for shape in ((4, None), (None,)):
        assert refusal("batchnorm", [shape]) == ("batch norm needs a known channel count", "", "", "E-SHAPE")


def test_batchnorm_keras_call():
    assert layer("batchnorm").keras(FakeKeras(), "B") == ("BatchNormalization", (), {
        "epsilon": 1e-3, "momentum": 0.99, "center": True, "scale": True, "name": "B"})
    assert layer("batchnorm", epsilon=1e-5, momentum=0.9, center=False, scale=False).keras(FakeKeras(), "N") == (
        "BatchNormalization", (), {"epsilon": 1e-5, "momentum": 0.9, "center": False, "scale": False, "name": "N"})


def test_batchnorm_label_and_brief():
    # the English brief says what is left out, as the Korean one does
    cases = [({}, "batch norm", "batch norm", "배치 정규화"),
             ({"scale": False}, "batch norm (no γ)", "batch norm (no γ)", "배치 정규화(γ 없음)"),
             ({"center": False}, "batch norm (no β)", "batch norm (no β)", "배치 정규화(β 없음)"),
             ({"center": False, "scale": False}, "batch norm (no γ, β)", "batch norm (no γ, β)", "배치 정규화(γ, β 없음)")]
    for fields, label, en, ko in cases:
        assert words(layer("batchnorm", **fields)) == (label, en, ko)
    bn = layer("batchnorm", scale=False)
    assert (bn.caption("en"), bn.caption("ko")) == ("batch norm (no γ)", "배치 정규화(γ 없음)")
    assert bn.default_name() == "batch_normalization"


BATCHNORMS = """
name: bns
inputs:
  x: {shape: [5, 5, 4]}
layers:
  - {type: batchnorm, name: bn}
  - {type: batchnorm, name: bn2, center: false, epsilon: 0.00001, momentum: 0.9}
  - {type: batchnorm, name: bn3, scale: false}
  - {type: batchnorm, name: bn4, center: false, scale: false}
"""


def test_batchnorm_doc_facts():
    assert facts(BATCHNORMS, "bn") == {
        "in": (5, 5, 4), "out": (5, 5, 4), "c": 4, "epsilon": 1e-3, "momentum": 0.99, "trainable": 8,
        "non_trainable": 8, "params": 16, "center": True, "scale": True, "learned": 2, "params_ok": True}
    assert facts(BATCHNORMS, "bn2") == {
        "in": (5, 5, 4), "out": (5, 5, 4), "c": 4, "epsilon": 1e-5, "momentum": 0.9, "trainable": 4,
        "non_trainable": 8, "params": 12, "center": False, "scale": True, "learned": 1, "params_ok": True}
    f = facts(BATCHNORMS, "bn3")
    assert (f["trainable"], f["params"], f["center"], f["scale"], f["learned"], f["params_ok"]) == (
        4, 12, True, False, 1, True)
    f = facts(BATCHNORMS, "bn4")
    assert (f["trainable"], f["params"], f["learned"], f["params_ok"]) == (0, 8, 0, True)


def test_batchnorm_doc_facts_check_both_counts():
    # params_ok holds only when γ/β and the moving statistics are both as counted
    bn = layer("batchnorm")

    def ok(trainable, non_trainable):
        node = SimpleNamespace(shape=(5, 4), trainable=trainable, non_trainable=non_trainable,
                               params=trainable + non_trainable)
        return bn.doc_facts(node, None)["params_ok"]

    assert (ok(8, 8), ok(8, 9), ok(7, 8), ok(8, 12)) == (True, False, False, False)


# --- normalization ----------------------------------------------------------------------------------------

def test_normalization_figures():
    # without mean and variance: a mean and a variance per kept position, and Keras' sample count, none trained
    assert figures(infer("normalization", [(4, 5, 6)])) == ([(4, 5, 6)], 0, 2 * 6 + 1, 0)
    assert figures(infer("normalization", [(4, 5, 6)], axis=None)) == ([(4, 5, 6)], 0, 2 * 1 + 1, 0)
    assert infer("normalization", [(4, 5, 6)], axis=1).non_trainable == 2 * 4 + 1
    assert infer("normalization", [(4, 5, 6)], axis=[1, 2]).non_trainable == 2 * 4 * 5 + 1
    assert infer("normalization", [(4, 5, 6)], axis=[3, 1]).non_trainable == 2 * 4 * 6 + 1
    assert infer("normalization", [(None, 6)]).non_trainable == 2 * 6 + 1
    assert infer("normalization", [(None, None)], axis=None).non_trainable == 3
    # given mean and variance are constants: no weights at all, and the sizes need not be known
    given = {"mean": [1, 2, 3], "variance": [1, 4, 9]}
    assert figures(infer("normalization", [(4, 4, 3)], **given)) == ([(4, 4, 3)], 0, 0, 0)
    assert figures(infer("normalization", [(None, 3)], axis=1, mean=0.5, variance=2.0)) == ([(None, 3)], 0, 0, 0)


def test_normalization_axes_count_the_batch_axis_as_zero():
    for axis, kept in ((-1, [2]), (1, [0]), (2, [1]), (3, [2]), (-3, [0]), (-2, [1]), (None, []),
                       ([1, 2], [0, 1]), ([3, 1], [0, 2]), ([2, -2], [1]), ([-1, 1, 2], [0, 1, 2])):
        assert layer("normalization", axis=axis).kept((4, 5, 6)) == kept
    assert layer("normalization", axis=-1).kept((6,)) == [0]


def test_normalization_refuses_the_batch_axis_and_axes_past_the_end():
    # -4 is the batch axis of a rank-3 input as much as 0 is (it was once read as the last axis)
    for axis, bad in ((0, 0), (4, 4), (-4, -4), (5, 5), (-5, -5), ([1, 4], 4), ([0, 1], 0), ([2, -4], -4)):
        assert refusal("normalization", [(4, 5, 6)], axis=axis) == (
            f"axis {bad} is not a feature axis of an input of rank 3 (the batch axis is 0)", "axis", "", "E-SHAPE")
    for axis in (2, -2):
        assert refusal("normalization", [(6,)], axis=axis) == (
            f"axis {axis} is not a feature axis of an input of rank 1 (the batch axis is 0)", "axis", "", "E-SHAPE")
    # the axes are checked first, even with mean and variance given
    assert refusal("normalization", [(6,)], axis=0, mean=1.0)[0] == (
        "axis 0 is not a feature axis of an input of rank 1 (the batch axis is 0)")


def test_normalization_refuses_half_the_statistics_and_unknown_kept_sizes():
    assert refusal("normalization", [(4, 6)], mean=0.5) == (
        "give both mean and variance, or neither", "variance", "", "E-SHAPE")
    assert refusal("normalization", [(4, 6)], variance=[1, 2, 3, 4, 5, 6]) == (
        "give both mean and variance, or neither", "mean", "", "E-SHAPE")
    unknown = ("the axes that keep their own statistics must have a known size", "axis", "", "E-SHAPE")
    assert refusal("normalization", [(4, None)]) == unknown
    assert refusal("normalization", [(None, 6)], axis=1) == unknown
    assert refusal("normalization", [(4, None, 6)], axis=[1, 2]) == unknown


def test_normalization_keras_call():
    assert layer("normalization").keras(FakeKeras(), "N") == ("Normalization", (), {
        "axis": -1, "mean": None, "variance": None, "invert": False, "name": "N"})
    n = layer("normalization", axis=[1, 2], mean=[0.485, 0.456], variance=[0.052, 0.05], invert=True)
    assert n.keras(FakeKeras(), "M") == ("Normalization", (), {
        "axis": [1, 2], "mean": [0.485, 0.456], "variance": [0.052, 0.05], "invert": True, "name": "M"})
    assert layer("normalization", axis=None, mean=3, variance=4).keras(FakeKeras(), "S") == (
        "Normalization", (), {"axis": None, "mean": 3, "variance": 4, "invert": False, "name": "S"})


def test_normalization_label_and_brief():
    assert words(layer("normalization")) == ("normalize", "normalize", "입력 정규화")
    assert words(layer("normalization", mean=0.5, variance=2.0)) == (
        "normalize (fixed mean, variance)", "normalize (fixed mean, variance)", "입력 정규화(고정된 평균, 분산)")
    n = layer("normalization", mean=0.5, variance=2.0)
    assert (n.caption("en"), n.caption("ko")) == ("normalize (fixed mean, variance)", "입력 정규화(고정된 평균, 분산)")
    assert n.default_name() == "normalization"


NORMALIZATIONS = """
name: norms
inputs:
  x: {shape: [4, 5, 3]}
layers:
  - {type: normalization, name: n}
  - {type: normalization, name: given, mean: [0.485, 0.456, 0.406], variance: [0.052, 0.050, 0.051]}
  - {type: normalization, name: rows, axis: 1, invert: true}
  - {type: normalization, name: one, axis: null}
  - {type: normalization, name: maps, axis: [1, 2]}
"""


def test_normalization_doc_facts():
    assert facts(NORMALIZATIONS, "n") == {
        "in": (4, 5, 3), "out": (4, 5, 3), "given": False, "stats": 3, "kept": [2], "channels": True,
        "invert": False, "non_trainable": 7, "ok": True}
    assert facts(NORMALIZATIONS, "given") == {
        "in": (4, 5, 3), "out": (4, 5, 3), "given": True, "stats": 3, "kept": [2], "channels": True,
        "invert": False, "non_trainable": 0, "ok": True}
    assert facts(NORMALIZATIONS, "rows") == {
        "in": (4, 5, 3), "out": (4, 5, 3), "given": False, "stats": 4, "kept": [0], "channels": False,
        "invert": True, "non_trainable": 9, "ok": True}
    f = facts(NORMALIZATIONS, "one")
    assert (f["stats"], f["kept"], f["channels"], f["non_trainable"], f["ok"]) == (1, [], False, 3, True)
    f = facts(NORMALIZATIONS, "maps")
    assert (f["stats"], f["kept"], f["channels"], f["non_trainable"], f["ok"]) == (20, [0, 1], False, 41, True)


def test_normalization_doc_facts_check_the_count():
    def ok(**fields):
        return layer("normalization", **fields).doc_facts(SimpleNamespace(shape=(4, 3), non_trainable=6), None)["ok"]

    # 6 is not 2·3 + 1; given statistics have no count to check
    assert (ok(), ok(mean=1, variance=2)) == (False, True)


# --- rescaling --------------------------------------------------------------------------------------------

def test_rescaling_figures():
    assert figures(infer("rescaling", [(4, 4, 3)], scale=1 / 255)) == ([(4, 4, 3)], 0, 0, 0)
    assert figures(infer("rescaling", [(4, 4, 3)], scale=[0.5, 0.25, 2], offset=[0, 1, 0])) == (
        [(4, 4, 3)], 0, 0, 0)
    # one value fits anything; a list can not be checked against an unknown channel count
    assert infer("rescaling", [(4, 4, 3)], scale=[0.5]).shapes == [(4, 4, 3)]
    assert infer("rescaling", [(4, None)], scale=[1, 2], offset=[1, 2, 3]).shapes == [(4, None)]


def test_rescaling_refuses_a_list_that_does_not_fit_the_channels():
    hint = "give one number, or one per channel"
    assert refusal("rescaling", [(4, 5, 3)], scale=[1, 2]) == ("scale has 2 values for 3 channels", "scale", hint,
                                                                "E-SHAPE")
    assert refusal("rescaling", [(4, None, 3)], scale=[1, 2]) == ("scale has 2 values for 3 channels", "scale",
                                                                   hint, "E-SHAPE")
    assert refusal("rescaling", [(5, 2)], scale=0.5, offset=[1, 2, 3, 4]) == (
        "offset has 4 values for 2 channels", "offset", hint, "E-SHAPE")
    assert refusal("rescaling", [(None, 4)], scale=[1, 2, 3], offset=[1, 2]) == (
        "scale has 3 values for 4 channels", "scale", hint, "E-SHAPE")


def test_rescaling_keras_call():
    assert layer("rescaling", scale=0.5).keras(FakeKeras(), "R") == ("Rescaling", (0.5,), {"offset": 0.0,
                                                                                         "name": "R"})
    assert layer("rescaling", scale=[0.5, 2], offset=[-1, 1]).keras(FakeKeras(), "S") == (
        "Rescaling", ([0.5, 2],), {"offset": [-1, 1], "name": "S"})


def test_rescaling_label_and_brief():
    cases = [({"scale": 1 / 255}, "×0.003922"),
             ({"scale": 2, "offset": 0}, "×2"),
             ({"scale": 1 / 127.5, "offset": -1}, "×0.007843 − 1"),
             ({"scale": 2, "offset": -0.25}, "×2 − 0.25"),
             ({"scale": 0.5, "offset": 1}, "×0.5 + 1"),
             ({"scale": 2, "offset": 0.5}, "×2 + 0.5"),
             ({"scale": [0.5, 0.25, 2]}, "×[0.5, 0.25, 2]"),
             ({"scale": [0.5, 0.25], "offset": [0, 0]}, "×[0.5, 0.25]"),
             ({"scale": [0.5, 0.25], "offset": [0, 1.5]}, "×[0.5, 0.25] + [0, 1.5]"),
             ({"scale": 3, "offset": [1]}, "×3 + [1]")]
    for fields, text in cases:
        assert words(layer("rescaling", **fields)) == (text, text, text)
    assert layer("rescaling", scale=1).default_name() == "rescaling"


RESCALINGS = """
name: rescales
inputs:
  x: {shape: [4, 4, 3]}
layers:
  - {type: rescaling, name: unit, scale: 0.00392156862745098}
  - {type: rescaling, name: sym, inputs: [x], scale: 0.00784313725490196, offset: -1}
  - {type: rescaling, name: chans, inputs: [x], scale: [0.5, 0.25, 2], offset: [0, 0, 0]}
  - {type: rescaling, name: shift, inputs: [x], scale: 0.5, offset: [0, 1, 0]}
outputs: [unit, sym, chans, shift]
"""


def test_rescaling_doc_facts():
    # what 0 … 255 becomes: (offset, 255·scale + offset)
    assert facts(RESCALINGS, "sym") == {
        "in": (4, 4, 3), "out": (4, 4, 3), "scale": [1 / 127.5], "offset": [-1], "per_channel": False,
        "no_offset": False, "range": (-1, 1.0), "pixel_max": 255}
    f = facts(RESCALINGS, "unit")
    assert (f["scale"], f["offset"], f["per_channel"], f["no_offset"], f["range"]) == (
        [1 / 255], [0.0], False, True, (0.0, 1.0))
    assert facts(RESCALINGS, "chans") == {
        "in": (4, 4, 3), "out": (4, 4, 3), "scale": [0.5, 0.25, 2], "offset": [0, 0, 0], "per_channel": True,
        "no_offset": True, "range": None, "pixel_max": 255}
    f = facts(RESCALINGS, "shift")  # one scale, an offset per channel
    assert (f["per_channel"], f["no_offset"], f["range"]) == (True, False, None)


def test_rescaling_doc_facts_per_channel_from_two_values():
    # two values (of either field) are per channel; one is not
    def per_channel(**fields):
        f = layer("rescaling", **fields).doc_facts(SimpleNamespace(shape=(2,)), None)
        return f["per_channel"], f["range"]

    assert per_channel(scale=[0.5, 2]) == (True, None)
    assert per_channel(scale=0.5, offset=[1, 2]) == (True, None)
    assert per_channel(scale=[0.5], offset=[1]) == (False, (1, 255 * 0.5 + 1))
