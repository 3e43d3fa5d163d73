"""dense, conv1d, reshape and the merges (add, multiply, concat) pinned exactly: shapes, parameters and MACs
worked out by hand from Keras' documented rules (Dense acts on the last axis; Conv1D's causal padding adds
(kernel − 1) · dilation steps on the left; broadcasting aligns the last axes and stretches sizes of 1;
Concatenate's axis counts the batch axis), and each refusal's whole message, field, hint and code.
Pure Python (no Keras)."""

import pytest
from kind_stand_in import infer, refusal

from archcompiler.layers import KINDS
from archcompiler.layers.merge import broadcast

# --- dense -----------------------------------------------------------------------------------------------

def test_dense_acts_on_the_last_axis():
    r = infer("dense", [(12,)], units=7)
    assert (r.shapes, r.trainable, r.non_trainable, r.macs) == ([(7,)], 12 * 7 + 7, 0, 84)
    r = infer("dense", [(3, 5, 12)], units=7, use_bias=False)
    assert (r.shapes, r.trainable, r.macs) == ([(3, 5, 7)], 84, 3 * 5 * 12 * 7)
    r = infer("dense", [(None, 4, 12)], units=2)  # an unknown axis counts once
    assert (r.shapes, r.trainable, r.macs) == ([(None, 4, 2)], 26, 4 * 12 * 2)


def test_dense_refusals():
    assert refusal("dense", [()], units=3) == ("dense needs at least one axis besides the batch", "", "", "E-SHAPE")
    assert refusal("dense", [(4, None)], units=3) == (
        "the last axis of a dense layer's input must have a known size", "",
        "flatten a feature map of known size first", "E-SHAPE")


# --- conv1d ----------------------------------------------------------------------------------------------

def test_conv1d_causal_pads_on_the_left_and_keeps_the_length():
    r = infer("conv1d", [(20, 4)], filters=6, kernel=3, dilation=2, padding="causal")
    # 20 + (3 − 1)·2 = 24 steps, then valid: (24 − 5) // 1 + 1 = 20
    assert (r.shapes, r.trainable, r.macs) == ([(20, 6)], 3 * 4 * 6 + 6, 20 * 6 * 12)
    assert infer("conv1d", [(None, 4)], filters=6, kernel=3, padding="causal").shapes == [(None, 6)]
    r = infer("conv1d", [(15, 4)], filters=6, kernel=3, padding="same", groups=2, use_bias=False)
    assert (r.shapes, r.trainable, r.macs) == ([(15, 6)], 3 * 2 * 6, 15 * 6 * 3 * 2)
    r = infer("conv1d", [(20, 4)], filters=6, kernel=5, stride=2)
    assert (r.shapes, r.macs) == ([(8, 6)], 8 * 6 * 20)
    assert infer("conv1d", [(None, 4)], filters=2, kernel=3).macs == 0
    r = infer("conv1d", [(9, 6)], filters=4, kernel=3, groups=2)  # whole numbers: 3 · 6 / 2 = 9 per filter
    assert (r.trainable, r.macs) == (40, 7 * 4 * 9) and type(r.trainable) is int and type(r.macs) is int


def test_conv1d_refusals():
    assert refusal("conv1d", [(5, None)], filters=2, kernel=3) == (
        "the number of input channels must be known", "", "", "E-SHAPE")
    assert refusal("conv1d", [(5, 6)], filters=2, kernel=3, groups=3) == (
        "groups=3 must divide the input channels (6) and filters", "groups", "", "E-SHAPE")
    assert refusal("conv1d", [(5, 4)], filters=6, kernel=3, groups=4)[1] == "groups"
    assert refusal("conv1d", [(4, 2)], filters=1, kernel=5) == (
        "kernel 5 is longer than the sequence (4)", "kernel", "", "E-SHAPE")
    assert infer("conv1d", [(5, 2)], filters=1, kernel=5).shapes == [(1, 1)]
    assert refusal("conv1d", [(9, 2)], filters=1, kernel=3, stride=2, dilation=2)[3] == "E-KERAS-STRIDE-DILATION"


# --- reshape ---------------------------------------------------------------------------------------------

def test_reshape_fills_in_minus_one():
    assert infer("reshape", [(4, 6)], shape=[-1]).shapes == [(24,)]
    assert infer("reshape", [(4, 6)], shape=[2, -1, 3]).shapes == [(2, 4, 3)]
    assert infer("reshape", [(4, 6)], shape=[24]).shapes == [(24,)]
    assert all(type(d) is int for d in infer("reshape", [(4, 6)], shape=[3, -1]).shapes[0])  # 8, not 8.0
    r = infer("reshape", [(4, 6)], shape=[3, 8])
    assert (r.trainable, r.macs) == (0, 0)


def test_reshape_refusals():
    assert refusal("reshape", [(None, 6)], shape=[-1]) == ("reshape needs a fully known input shape", "", "",
                                                          "E-SHAPE")
    # the target as written in the spec (a YAML list)
    several = ("at most one -1 and no zeros in the target shape", "shape", "", "E-SHAPE")
    assert refusal("reshape", [(4, 6)], shape=[-1, -1]) == several
    assert refusal("reshape", [(4, 6)], shape=[0, 24]) == several
    assert refusal("reshape", [(4, 6)], shape=[-2, -12]) == several
    assert refusal("reshape", [(4, 6)], shape=[-2, 12]) == several  # −2 is no size, even when the product fits
    assert refusal("reshape", [(4, 6)], shape=[5, -1]) == (
        "cannot reshape (4, 6) (24 values) into (5, -1)", "shape", "", "E-SHAPE")
    assert refusal("reshape", [(4, 6)], shape=[5, 5]) == (
        "cannot reshape (4, 6) (24 values) into (5, 5)", "shape", "", "E-SHAPE")


# --- merges ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, second, out", [
    ((4, 5), (4, 5), (4, 5)), ((4, 5), (1, 5), (4, 5)), ((1, 5), (4, 5), (4, 5)), ((4, 1), (1, 5), (4, 5)),
    ((3, 4, 5), (5,), (3, 4, 5)), ((5,), (3, 4, 5), (3, 4, 5)), ((None, 5), (4, 5), (None, 5)),
    ((4, 5), (4, None), (4, None)), ((4, 5), (3, 5), None), ((4, 5), (4, 2), None), ((2, 1, 1), (1, 3), (2, 1, 3)),
])
def test_broadcast(first, second, out):
    assert broadcast(first, second) == out


def test_elementwise_merges_broadcast_and_refuse():
    assert infer("add", [(8, 8, 3), (8, 8, 3), (1, 1, 3)]).shapes == [(8, 8, 3)]
    r = infer("multiply", [(8, 8, 16), (1, 1, 16)])
    assert (r.shapes, r.trainable, r.macs) == ([(8, 8, 16)], 0, 0)
    assert refusal("add", [(8, 8, 3), (4, 4, 3)]) == (
        "add needs inputs of the same shape (or sizes of 1 that broadcast), got (8, 8, 3) and (4, 4, 3)", "",
        "give the shortcut a projection (1×1 conv with the right filters and stride)", "E-SHAPE")
    assert refusal("multiply", [(8, 8, 3), (8, 8, 3), (1, 1, 4)]) == (
        "multiply needs inputs of the same shape (or sizes of 1 that broadcast), got (8, 8, 3) and (8, 8, 3) "
        "and (1, 1, 4)", "", "a gate must have the map's channels, with 1 for each axis it is shared along",
        "E-SHAPE")


def test_concat_joins_along_its_axis():
    assert infer("concat", [(8, 8, 3), (8, 8, 5), (8, 8, 1)]).shapes == [(8, 8, 9)]
    assert infer("concat", [(8, 8, 3), (8, 8, 5)], axis=3).shapes == [(8, 8, 8)]
    assert infer("concat", [(8, 6, 3), (2, 6, 3)], axis=1).shapes == [(10, 6, 3)]
    assert infer("concat", [(8, 6, 3), (8, 2, 3)], axis=-2).shapes == [(8, 8, 3)]
    assert infer("concat", [(None, 3), (4, 3)], axis=1).shapes == [(None, 3)]
    assert infer("concat", [(4, None), (4, 3)]).shapes == [(4, None)]
    assert infer("concat", [(None, 3), (4, 5)]).shapes == [(None, 8)]  # an unknown other axis is not compared
    assert infer("concat", [(4, 3), (4, 5)], axis=-1).trainable == 0


def test_concat_refusals():
    assert refusal("concat", [(8, 8, 3), (8, 3)]) == (
        "concat needs inputs of the same rank, got (8, 8, 3), (8, 3)", "", "", "E-SHAPE")
    assert refusal("concat", [(8, 3), (8, 3)], axis=0) == (
        "axis 0 is the batch axis: joining along it would stack examples, not features", "axis",
        "axes count the batch axis, as in Keras: 1 is the first axis after it, -1 the last", "E-CONCAT-AXIS")
    assert refusal("concat", [(8, 3), (8, 3)], axis=-3)[0] == (
        "axis -3 is the batch axis: joining along it would stack examples, not features")
    assert refusal("concat", [(8, 3), (8, 3)], axis=3) == (
        "axis 3 is out of range: the inputs have 2 axes after the batch axis", "axis",
        "use 1 … 2 (counting the batch axis as 0, as Keras does) or -1 … -2", "E-CONCAT-AXIS")
    assert refusal("concat", [(8, 3), (8, 3)], axis=-4)[0] == (
        "axis -4 is out of range: the inputs have 2 axes after the batch axis")
    assert refusal("concat", [(8, 8, 3), (4, 8, 3)]) == (
        "concat along axis -1 needs the other axes equal, got (8, 8, 3) and (4, 8, 3)", "",
        "pad or pool the branches to the same spatial size", "E-SHAPE")
    assert refusal("concat", [(8, 8, 3), (8, 4, 3)], axis=1)[0] == (
        "concat along axis 1 needs the other axes equal, got (8, 8, 3) and (8, 4, 3)")


def test_merge_position_and_keras_calls():
    from test_layer_calls_and_labels import FakeKeras

    concat = KINDS["concat"].model_validate({"type": "concat", "axis": 2})
    assert [concat.position(3), KINDS["concat"].model_validate({"type": "concat"}).position(3)] == [1, 2]
    assert concat.keras(FakeKeras(), "c") == ("Concatenate", (), {"axis": 2, "name": "c"})
    assert KINDS["add"].model_validate({"type": "add"}).keras(FakeKeras(), "a") == ("Add", (), {"name": "a"})
    assert KINDS["multiply"].model_validate({"type": "multiply"}).keras(FakeKeras(), "m") == (
        "Multiply", (), {"name": "m"})
    assert [KINDS[k].model_validate({"type": k}).label() for k in ("add", "multiply", "concat")] == [
        "add", "multiply", "concat"]
