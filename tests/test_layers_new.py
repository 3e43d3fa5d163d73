"""The kinds beyond the lecture (issue 11, CNN half): separable and transposed convolutions,
upsampling, cropping, multiply and broadcasting merges, batchnorm center/scale, rescaling and
normalization, more activations, dropout noise_shape and drop path — shapes and parameters against
Keras (each rule by property, all of them in one model checked layer by layer), their docs with
their own numbers, and expressions that read the shape flowing in (``${in.channels}``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.emit.diagram import mermaid_text
from archcompiler.emit.docs import context, render_doc
from archcompiler.errors import SpecErrors
from archcompiler.layers import KINDS, ShapeError
from archcompiler.layers.merge import broadcast
from archcompiler.resolve import graph_from_yaml
from archcompiler.source import load_yaml

SPEC = """
name: new_kinds
inputs:
  image: {shape: [32, 30, 3]}
  seq: {shape: [20, 8]}
layers:
  - {type: rescaling, scale: 0.00392156862745098, inputs: image}
  - {type: normalization, name: stats}
  - {type: normalization, name: fixed, mean: [0.5, 0.4, 0.3], variance: [0.1, 0.2, 0.3]}
  - {type: rescaling, name: per_channel, scale: [1.0, 2.0, 3.0], offset: -1}
  - {type: separable_conv2d, name: sep, filters: 16, kernel: 3, padding: same, depth_multiplier: 2, activation: swish}
  - {type: batchnorm, name: bn, scale: false}
  - {type: relu6, name: clip}
  - {type: conv2d_transpose, name: up, filters: 8, kernel: 3, stride: 2}
  - {type: cropping2d, name: crop, cropping: [[1, 2], [3, 4]]}
  - {type: upsampling2d, name: ups, size: [2, 3], interpolation: bilinear}
  - {type: hard_swish, name: hs}
  - {type: global_avgpool2d, name: squeeze}
  - {type: reshape, name: se_reshape, shape: [1, 1, 8]}
  - {type: conv2d, name: se_reduce, filters: 2, kernel: 1, activation: swish}
  - {type: conv2d, name: se_expand, filters: "${hs.channels}", kernel: 1, activation: sigmoid}
  - {type: multiply, name: excite, inputs: [hs, se_expand]}
  - {type: dropout, name: drop, rate: 0.2, noise_shape: [1, 1, null]}
  - {type: drop_path, name: dp, rate: 0.1}
  - {type: add, name: broadcast_add, inputs: [dp, se_expand]}
  - {type: gelu, name: gelu_tanh, approximate: true}
  - {type: conv2d_transpose, name: up_same, filters: 4, kernel: [3, 2], stride: 2, padding: same, output_padding: 1}
  - {type: global_maxpool2d, name: pooled}
  - {type: conv1d_transpose, name: seq_up, filters: 4, kernel: 3, stride: 2, output_padding: 1, inputs: seq}
  - {type: cropping1d, name: seq_crop, cropping: [1, 2]}
  - {type: flatten, name: flat}
  - {type: concat, name: joined, inputs: [pooled, flat]}
  - {type: dense, name: predictions, units: 3}
"""


def graph_of(text: str):
    return graph_from_yaml(load_yaml(textwrap.dedent(text), "spec.yaml"), Path("spec.yaml"))


@pytest.fixture(scope="module")
def graph():
    return graph_of(SPEC)


@pytest.fixture(scope="module")
def model(graph):
    pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    return build_model(graph)  # checks every layer's output shape and parameter counts against Keras


def test_figures(graph):
    n = graph.nodes
    assert n["stats"].non_trainable == 2 * 3 + 1 and n["fixed"].params == 0
    assert n["sep"].params == 3 * 3 * 3 * 2 + 6 * 16 + 16 and n["sep"].macs == 32 * 30 * (6 * 9 + 6 * 16)
    assert (n["bn"].trainable, n["bn"].non_trainable) == (16, 32)  # β only; moving mean and variance
    assert n["up"].shape == ((32 - 1) * 2 + 3, (30 - 1) * 2 + 3, 8) and n["up"].params == 3 * 3 * 16 * 8 + 8
    assert n["crop"].shape == (65 - 3, 61 - 7, 8) and n["ups"].shape == (124, 162, 8)
    assert n["excite"].shape == (124, 162, 8) and n["broadcast_add"].shape == (124, 162, 8)
    assert n["se_expand"].layer.filters == 8  # ${hs.channels}
    assert n["up_same"].shape == ((124 - 1) * 2 + 3 % 2 + 1, (162 - 1) * 2 + 0 + 1, 4)
    assert n["seq_up"].shape == ((20 - 1) * 2 + 3 + 1, 4) and n["seq_crop"].shape == (39, 4)


def test_keras_agrees_layer_by_layer(graph, model):
    keras = pytest.importorskip("keras")
    assert model.count_params() == graph.total_params
    assert isinstance(model.get_layer("sep"), keras.layers.SeparableConv2D)
    assert model.get_layer("drop").noise_shape == (None, 1, 1, None)
    assert model.get_layer("dp").noise_shape == (None, 1, 1, 1)
    assert not model.get_layer("bn").scale and model.get_layer("bn").center


def test_gelu_approximate_is_the_tanh_form(model):
    keras = pytest.importorskip("keras")
    layer = model.get_layer("gelu_tanh")
    x = np.linspace(-4, 4, 17, dtype="float32")
    exact = keras.ops.convert_to_numpy(keras.activations.gelu(x, approximate=False))
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    got = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(got, tanh_form, rtol=1e-5, atol=1e-6)
    assert np.abs(got - exact).max() > 1e-5  # not the exact one


def test_the_model_saves_and_loads(model, tmp_path):
    keras = pytest.importorskip("keras")
    import archcompiler.keras  # noqa: F401 - registers GELU

    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    x = [np.random.default_rng(0).uniform(0, 255, (2, 32, 30, 3)).astype("float32"),
         np.random.default_rng(1).normal(size=(2, 20, 8)).astype("float32")]
    np.testing.assert_allclose(again(x), model(x), rtol=1e-5, atol=1e-5)


# --- each rule against Keras, by property -----------------------------------------------

def _keras_shape(layer, shape):
    try:
        out = layer.compute_output_shape((None, *shape))
    except ValueError:
        return None
    return tuple(out[1:]) if min(d for d in out[1:] if d is not None) >= 1 else None


def _check(ours, reference, shape):
    expected = _keras_shape(reference, shape)
    if expected is None:
        with pytest.raises(ShapeError):
            ours.infer([shape])
        return
    inferred = ours.infer([shape])
    reference.build((None, *shape))
    assert inferred.shapes == [expected]
    assert inferred.trainable == sum(int(np.prod(w.shape)) for w in reference.trainable_weights)
    assert inferred.non_trainable == sum(int(np.prod(w.shape)) for w in reference.non_trainable_weights)


@given(size=st.tuples(st.integers(1, 24), st.integers(1, 24)), channels=st.integers(1, 8),
       filters=st.integers(1, 8), kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)), stride=st.integers(1, 3),
       padding=st.sampled_from(["same", "valid"]), multiplier=st.integers(1, 3), use_bias=st.booleans())
def test_separable_conv2d_matches_keras(size, channels, filters, kernel, stride, padding, multiplier, use_bias):
    keras = pytest.importorskip("keras")
    ours = KINDS["separable_conv2d"](filters=filters, kernel=kernel, stride=stride, padding=padding,
                                     depth_multiplier=multiplier, use_bias=use_bias)
    _check(ours, keras.layers.SeparableConv2D(filters, kernel, strides=stride, padding=padding,
                                              depth_multiplier=multiplier, use_bias=use_bias), (*size, channels))


@given(size=st.tuples(st.integers(1, 12), st.integers(1, 12)), channels=st.integers(1, 6), filters=st.integers(1, 6),
       kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)), stride=st.integers(1, 3),
       padding=st.sampled_from(["same", "valid"]), dilation=st.integers(1, 2), extra=st.none() | st.integers(0, 2))
def test_conv2d_transpose_matches_keras(size, channels, filters, kernel, stride, padding, dilation, extra):
    keras = pytest.importorskip("keras")
    if stride > 1 and dilation > 1 or extra is not None and extra >= stride:
        ours = KINDS["conv2d_transpose"](filters=filters, kernel=kernel, stride=stride, padding=padding,
                                         dilation=dilation, output_padding=extra)
        with pytest.raises(ShapeError):  # Keras refuses these when the layer is made
            ours.infer([(*size, channels)])
        return
    ours = KINDS["conv2d_transpose"](filters=filters, kernel=kernel, stride=stride, padding=padding,
                                     dilation=dilation, output_padding=extra)
    _check(ours, keras.layers.Conv2DTranspose(filters, kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                              output_padding=extra), (*size, channels))


@given(steps=st.integers(1, 30), channels=st.integers(1, 6), kernel=st.integers(1, 6), stride=st.integers(1, 4),
       padding=st.sampled_from(["same", "valid"]), extra=st.none() | st.integers(0, 3))
def test_conv1d_transpose_matches_keras(steps, channels, kernel, stride, padding, extra):
    keras = pytest.importorskip("keras")
    if extra is not None and extra >= stride:
        return
    ours = KINDS["conv1d_transpose"](filters=3, kernel=kernel, stride=stride, padding=padding, output_padding=extra)
    _check(ours, keras.layers.Conv1DTranspose(3, kernel, strides=stride, padding=padding, output_padding=extra),
           (steps, channels))


@given(size=st.tuples(st.integers(1, 16), st.integers(1, 16)), crop=st.tuples(*[st.integers(0, 9)] * 4),
       up=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_cropping_and_upsampling_match_keras(size, crop, up):
    keras = pytest.importorskip("keras")
    shape = (*size, 3)
    cropping = ((crop[0], crop[1]), (crop[2], crop[3]))
    _check(KINDS["cropping2d"](cropping=cropping), keras.layers.Cropping2D(cropping), shape)
    _check(KINDS["cropping1d"](cropping=crop[:2]), keras.layers.Cropping1D(crop[:2]), (size[0], 3))
    _check(KINDS["upsampling2d"](size=up), keras.layers.UpSampling2D(up), shape)


dims = st.lists(st.sampled_from([1, 2, 3, None]), min_size=0, max_size=3).map(tuple)


@given(a=dims, b=dims)
def test_broadcasting_follows_keras_merge_rule(a, b):
    keras = pytest.importorskip("keras")
    if not a or not b:
        return
    layer = keras.layers.Multiply()
    try:
        expected = layer.compute_output_shape([(None, *a), (None, *b)])
        expected = None if expected is None else tuple(expected[1:])
    except ValueError:
        expected = None
    assert broadcast(a, b) == expected


@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple),
       axis=st.sampled_from([-1, None, 1, [1, -1]]), given_stats=st.booleans())
def test_normalization_counts_what_keras_counts(shape, axis, given_stats):
    keras = pytest.importorskip("keras")
    kw = {"mean": 0.5, "variance": 2.0} if given_stats else {}
    if isinstance(axis, list) and len(shape) == 1:
        axis = -1
    _check(KINDS["normalization"](axis=axis, **kw), keras.layers.Normalization(axis=axis, **kw), shape)


@given(center=st.booleans(), scale=st.booleans(), channels=st.integers(1, 9))
def test_batchnorm_center_and_scale(center, scale, channels):
    keras = pytest.importorskip("keras")
    _check(KINDS["batchnorm"](center=center, scale=scale),
           keras.layers.BatchNormalization(center=center, scale=scale), (4, channels))


# --- words -------------------------------------------------------------------------------

def test_docs_explain_each_kind_with_its_numbers(graph):
    ctx = context(graph)
    texts = {lang: render_doc(graph, lang, ctx) for lang in ("en", "ko")}
    assert ctx["doc"].fallbacks == []
    for text in texts.values():
        assert r"\underbrace{3 \cdot 3 \cdot 3 \cdot 2}" in text and r"\underbrace{6 \cdot 16}" in text  # sep
        assert r"(32 - 1) \cdot 2 + 3 = 65" in text  # the transposed convolution's size
        assert r"3 \cdot 3 \cdot 16 \cdot 8 + 8 = 1{,}160" in text
        assert r"65 - 1 - 2 = 62" in text and r"62 \cdot 2 = 124" in text  # crop, upsample
        assert r"\underbrace{1 \cdot 16}_{\beta}" in text  # batchnorm without γ
        assert r"2 \cdot 3 + 1 = 7" in text  # normalization's non-trainable statistics
        assert "noise_shape=(None, 1, 1, 1)" in text  # drop path
    en, ko = texts["en"], texts["ko"]
    assert "3×3×3×16 = 432 weights" in en  # the full convolution a separable one replaces
    assert "squeeze-and-excitation" in en and "squeeze-and-excitation" in ko
    assert "Multiplies every value of `hs` 124×162×8 by the gate `se_expand` 1×1×8" in en
    assert "Pixel values from 0 to 255 come out between 0.0 and 1.0" in en
    assert "ReLU6 is ReLU capped at six" in en and "tanh approximation" in en


def test_diagram_labels():
    text = mermaid_text(graph_of(SPEC))
    for label in ("separable conv 3×3, 16 filters", "transposed conv 3×3, 8 filters, stride 2, valid",
                  "crop (1,2)×(3,4)", "upsample ×2×3, bilinear", "multiply", "batch norm (no γ)"):
        assert label in text


# --- expressions that read what flows in ------------------------------------------------

def test_a_block_sizes_itself_from_its_input():
    g = graph_of("""
    name: sized
    inputs:
      x: {shape: [16, 16, 24]}
    blocks:
      inverted:
        args: {expand: 6, squeeze: "${max(1, in.channels // 4)}"}
        layers:
          - {type: conv2d, name: expand, filters: "${in.channels * expand}", kernel: 1}
          - {type: depthwise_conv2d, name: dw, kernel: 3, padding: same}
          - {type: conv2d, name: se, filters: "${squeeze}", kernel: 1}
          - {type: conv2d, name: project, filters: "${x.channels}", kernel: 1}
          - {type: conv2d, name: rows, filters: "${in.shape[0] + in.height + in.shape[-1] + in.rank}", kernel: 1}
    layers:
      - {use: inverted, name: b1}
      - {use: inverted, name: b2, expand: 2}
    """)
    n = g.nodes
    assert n["b1_expand"].shape[-1] == 144 and n["b1_se"].shape[-1] == 6 and n["b1_project"].shape[-1] == 24
    assert n["b1_rows"].shape[-1] == 16 + 16 + 24 + 3
    assert n["b2_expand"].shape[-1] == 59 * 2 and n["b2_se"].shape[-1] == 59 // 4


@pytest.mark.parametrize("expression, message", [
    ("${in.height}", "'in' has shape (20, 8): no height at rank 2"),
    ("${in.chanels}", "'in' has no 'chanels'"),
    ("${in.shape[2]}", "axis 2 is out of range for a shape of rank 2"),
    ("${in * 2}", "the tensor 'in'"),
    ("${nowhere.channels}", "undefined name 'nowhere'"),
])
def test_reading_a_shape_wrongly_is_a_located_error(expression, message):
    with pytest.raises(SpecErrors) as info:
        graph_of(f"""
        name: wrong
        inputs:
          seq: {{shape: [20, 8]}}
        layers:
          - {{type: dense, units: "{expression}"}}
        """)
    text = str(info.value)
    assert "spec.yaml:6:" in text and message in text


def test_a_shape_error_upstream_is_reported_once():
    with pytest.raises(SpecErrors) as info:
        graph_of("""
        name: upstream
        inputs:
          x: {shape: [4, 4, 3]}
        layers:
          - {type: conv2d, filters: 8, kernel: 5}
          - {type: conv2d, filters: "${in.channels}", kernel: 1}
        """)
    errors = info.value.errors
    assert len(errors) == 1 and "kernel 5 is larger than the input" in errors[0].message


def test_the_python_program_reads_the_shape_of_the_keras_tensor():
    from archcompiler.emit.python_source import python_source

    source = python_source(graph_of(SPEC))  # se_expand's filters: ${hs.channels}
    assert "hs.shape[-1], (1, 1)" in source
