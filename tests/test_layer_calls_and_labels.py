"""What each window and dense kind hands Keras and what it prints, pinned without Keras.

``keras()`` is given a stand-in for the ``keras`` module that records the call: the class and its
arguments must be those of Keras' documented constructors (``Conv2D(filters, kernel_size, strides, padding,
dilation_rate, groups, activation, use_bias, name)`` …), every option carried over. The diagram's label and
the short ``brief`` (English and Korean) are pinned as the diagrams show them. Pure Python: the fast tier
of mutation testing runs these, where the Keras build tests skip."""

import pytest
from kind_stand_in import FakeKeras, layer


def call(kind, **fields):
    return layer(kind, **fields).keras(FakeKeras(), "L")


def test_conv2d_hands_keras_every_option():
    assert call("conv2d", filters=8, kernel=[3, 5], stride=[2, 1], padding="same", groups=2, activation="relu",
                use_bias=False) == ("Conv2D", (8, (3, 5)), {
                    "strides": (2, 1), "padding": "same", "dilation_rate": (1, 1), "groups": 2, "activation": "relu",
                    "use_bias": False, "name": "L"})
    assert call("conv2d", filters=4, kernel=3, dilation=[2, 3]) == ("Conv2D", (4, (3, 3)), {
        "strides": (1, 1), "padding": "valid", "dilation_rate": (2, 3), "groups": 1, "activation": None,
        "use_bias": True, "name": "L"})


def test_conv1d_hands_keras_every_option():
    assert call("conv1d", filters=6, kernel=5, stride=2, padding="causal", groups=3, activation="tanh",
                use_bias=False) == ("Conv1D", (6, 5), {
                    "strides": 2, "padding": "causal", "dilation_rate": 1, "groups": 3, "activation": "tanh",
                    "use_bias": False, "name": "L"})
    assert call("conv1d", filters=2, kernel=3, dilation=4).kwargs["dilation_rate"] == 4


def test_depthwise_and_separable_hand_keras_every_option():
    assert call("depthwise_conv2d", kernel=[3, 2], stride=[1, 2], padding="same", depth_multiplier=2,
                activation="relu", use_bias=False) == ("DepthwiseConv2D", ((3, 2),), {
                    "strides": (1, 2), "padding": "same", "depth_multiplier": 2, "dilation_rate": (1, 1),
                    "activation": "relu", "use_bias": False, "name": "L"})
    assert call("separable_conv2d", filters=7, kernel=[3, 5], dilation=[2, 2], depth_multiplier=3,
                activation="relu") == ("SeparableConv2D", (7, (3, 5)), {
                    "strides": (1, 1), "padding": "valid", "depth_multiplier": 3, "dilation_rate": (2, 2),
                    "activation": "relu", "use_bias": True, "name": "L"})


def test_pools_hand_keras_the_window_and_stride():
    assert call("maxpool2d", pool=[3, 2], stride=[2, 1], padding="same") == (
        "MaxPooling2D", ((3, 2),), {"strides": (2, 1), "padding": "same", "name": "L"})
    assert call("avgpool2d", pool=3) == ("AveragePooling2D", ((3, 3),), {"strides": (3, 3), "padding": "valid",
                                                                         "name": "L"})
    assert call("maxpool1d", pool=3) == ("MaxPooling1D", (3,), {"strides": 3, "padding": "valid", "name": "L"})
    assert call("avgpool1d", pool=4, stride=2, padding="same") == (
        "AveragePooling1D", (4,), {"strides": 2, "padding": "same", "name": "L"})


def test_dense_and_reshape_hand_keras_their_sizes():
    assert call("dense", units=10, activation="softmax", use_bias=False) == (
        "Dense", (10,), {"activation": "softmax", "use_bias": False, "name": "L"})
    assert call("dense", units=3) == ("Dense", (3,), {"activation": None, "use_bias": True, "name": "L"})
    assert call("reshape", shape=[4, -1]) == ("Reshape", ((4, -1),), {"name": "L"})


@pytest.mark.parametrize("kind, fields, label", [
    ("conv2d", {"filters": 8, "kernel": [3, 5], "stride": [2, 1]}, "conv 3×5, 8 filters, stride 2×1, valid"),
    ("conv2d", {"filters": 8, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"},
     "conv 3×3, 8 filters, stride 2, same, relu"),
    ("conv2d", {"filters": 6, "kernel": 3, "groups": 3, "dilation": [2, 2], "activation": "linear"},
     "conv 3×3, 6 filters, stride 1, valid, 3 groups, dilation 2"),
    ("conv2d", {"filters": 4, "kernel": 1, "groups": 2}, "conv 1×1, 4 filters, stride 1, valid, 2 groups"),
    ("conv2d", {"filters": 4, "kernel": 1, "groups": 1}, "conv 1×1, 4 filters, stride 1, valid"),
    ("conv1d", {"filters": 6, "kernel": 5, "stride": 2, "padding": "causal"}, "conv1d 5, 6 filters, stride 2, causal"),
    ("depthwise_conv2d", {"kernel": [3, 2], "stride": [1, 2]}, "depthwise conv 3×2, stride 1×2, valid"),
    ("depthwise_conv2d", {"kernel": 3, "depth_multiplier": 2, "dilation": [3, 3], "activation": "relu"},
     "depthwise conv 3×3, stride 1, valid, ×2 per channel, dilation 3, relu"),
    ("separable_conv2d", {"filters": 7, "kernel": 3, "padding": "same"},
     "separable conv 3×3, 7 filters, stride 1, same"),
    ("separable_conv2d", {"filters": 7, "kernel": [3, 5], "stride": [2, 2], "depth_multiplier": 2,
                          "activation": "relu"}, "separable conv 3×5, 7 filters, stride 2, valid, ×2 per channel, relu"),
    ("separable_conv2d", {"filters": 2, "kernel": 3, "dilation": [2, 2]},
     "separable conv 3×3, 2 filters, stride 1, valid, dilation 2"),
    ("maxpool2d", {"pool": 2}, "max pool 2×2 / 2"),
    ("maxpool2d", {"pool": [3, 2], "stride": [2, 1], "padding": "same"}, "max pool 3×2 / 2×1, same"),
    ("avgpool2d", {"pool": 3, "stride": 1}, "average pool 3×3 / 1"),
    ("maxpool1d", {"pool": 3}, "max pool 3 / 3"),
    ("avgpool1d", {"pool": 4, "stride": 2}, "average pool 4 / 2"),
    ("dense", {"units": 10}, "dense 10"),
    ("dense", {"units": 10, "activation": "softmax"}, "dense 10, softmax"),
    ("reshape", {"shape": [4, -1]}, "reshape to (4, -1)"),
])
def test_labels(kind, fields, label):
    assert layer(kind, **fields).label() == label


@pytest.mark.parametrize("kind, fields, en, ko", [
    ("conv2d", {"filters": 8, "kernel": [3, 5]}, "3×5 conv, 8", "3×5 합성곱 8"),
    ("conv2d", {"filters": 8, "kernel": 3, "stride": 2, "groups": 2, "dilation": 1},
     "3×3 conv, 8, stride 2", "3×3 합성곱 8, 스트라이드 2, 2개 그룹"),
    ("conv2d", {"filters": 4, "kernel": 3, "dilation": [2, 2]}, "3×3 conv, 4", "3×3 합성곱 4, 팽창 2"),
    ("conv1d", {"filters": 6, "kernel": 5}, "conv1d 5, 6", "길이 5 1차원 합성곱 6"),
    ("conv1d", {"filters": 6, "kernel": 5, "stride": 2}, "conv1d 5, 6, stride 2", "길이 5 1차원 합성곱 6, 스트라이드 2"),
    ("depthwise_conv2d", {"kernel": 3}, "3×3 depthwise conv", "3×3 깊이별 합성곱"),
    ("depthwise_conv2d", {"kernel": [3, 2], "stride": [2, 1]}, "3×2 depthwise conv, stride 2×1",
     "3×2 깊이별 합성곱, 스트라이드 2×1"),
    ("separable_conv2d", {"filters": 7, "kernel": 3}, "3×3 separable conv, 7", "3×3 분리 합성곱 7"),
    ("separable_conv2d", {"filters": 7, "kernel": 3, "stride": 2}, "3×3 separable conv, 7, stride 2",
     "3×3 분리 합성곱 7, 스트라이드 2"),
    ("separable_conv2d", {"filters": 7, "kernel": [3, 5]}, "3×5 separable conv, 7", "3×5 분리 합성곱 7"),
    ("maxpool2d", {"pool": 2}, "2×2 max pool, stride 2", "2×2 최대 풀링, 스트라이드 2"),
    ("avgpool2d", {"pool": 3, "stride": 1}, "3×3 average pool", "3×3 평균 풀링"),
    ("maxpool1d", {"pool": 2}, "max pool 2, stride 2", "길이 2 최대 풀링, 스트라이드 2"),
    ("avgpool1d", {"pool": 3, "stride": 1}, "average pool 3", "길이 3 평균 풀링"),
    ("dense", {"units": 10}, "dense 10", "완전연결 10"),
    ("reshape", {"shape": [4, -1]}, "reshape to (4, -1)", "형태 변환 → (4, -1)"),
])
def test_briefs(kind, fields, en, ko):
    assert (layer(kind, **fields).brief("en"), layer(kind, **fields).brief("ko")) == (en, ko)


def test_a_non_square_window_keeps_its_shape_in_the_brief():
    assert layer("maxpool2d", pool=[3, 2]).brief("en").startswith("3×2 max pool")
    assert layer("avgpool2d", pool=[2, 4], stride=1).brief("ko") == "2×4 평균 풀링"
