"""conv1d (every padding mode, stride, dilation, groups) and conv2d's dilation: kinds and options that
no built-in spec uses, checked against Keras and through the docs and the diagram."""

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.emit.diagram import mermaid_text
from archcompiler.emit.docs import context, render_doc
from archcompiler.layers import KINDS, ShapeError
from archcompiler.resolve import graph_from_yaml
from archcompiler.source import load_yaml

SPEC = """
name: conv1d_small
inputs:
  signal: {shape: [50, 6]}
layers:
  - {type: conv1d, name: c1, filters: 8, kernel: 5, padding: same, activation: relu}
  - {type: conv1d, name: c2, filters: 8, kernel: 3, dilation: 4, padding: causal}
  - {type: conv1d, name: c3, filters: 12, kernel: 3, stride: 2, groups: 4}
  - {type: global_avgpool1d, name: gap}
  - {type: dense, name: out, units: 3, activation: softmax}
"""


@pytest.fixture(scope="module")
def graph():
    return graph_from_yaml(load_yaml(textwrap.dedent(SPEC), "spec.yaml"), Path("spec.yaml"))


def test_conv1d_shapes_and_parameters(graph):
    n = graph.nodes
    assert n["c1"].shape == (50, 8) and n["c1"].params == 5 * 6 * 8 + 8
    assert n["c2"].shape == (50, 8) and n["c2"].params == 3 * 8 * 8 + 8  # causal keeps the length
    assert n["c3"].shape == ((50 - 3) // 2 + 1, 12) and n["c3"].params == 3 * (8 // 4) * 12 + 12
    assert n["c3"].macs == 24 * 12 * 3 * 2


def test_keras_agrees_layer_by_layer(graph):
    pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    model = build_model(graph)  # checks every layer's shape and parameter counts against Keras
    assert model.get_layer("c2").dilation_rate == (4,) and model.get_layer("c2").padding == "causal"
    assert model.count_params() == graph.total_params


def _keras_or_none(make, shape):
    """Keras' output shape and parameter count, or None where Keras finds no room for the window."""
    layer = make()
    try:
        out = tuple(layer.compute_output_shape((None, *shape))[1:])
    except ValueError:
        return None
    if any(d is not None and d < 1 for d in out):
        return None
    layer.build((None, *shape))
    return out, layer.count_params()


@given(steps=st.integers(1, 60), channels=st.sampled_from([2, 4, 6]), filters=st.sampled_from([2, 4, 8]),
       kernel=st.integers(1, 7), stride=st.integers(1, 3), dilation=st.integers(1, 4),
       padding=st.sampled_from(["valid", "same", "causal"]), groups=st.sampled_from([1, 2]))
def test_conv1d_follows_keras(steps, channels, filters, kernel, stride, dilation, padding, groups):
    keras = pytest.importorskip("keras")
    if stride > 1 and dilation > 1:
        dilation = 1  # Keras refuses strides and dilation together
    layer = KINDS["conv1d"](filters=filters, kernel=kernel, stride=stride, dilation=dilation, padding=padding,
                            groups=groups)
    expected = _keras_or_none(lambda: keras.layers.Conv1D(filters, kernel, strides=stride, dilation_rate=dilation,
                                                          padding=padding, groups=groups), (steps, channels))
    if expected is None:
        with pytest.raises(ShapeError):
            layer.infer([(steps, channels)])
        return
    inferred = layer.infer([(steps, channels)])
    assert (inferred.shapes[0], inferred.trainable) == expected


@given(size=st.tuples(st.integers(1, 40), st.integers(1, 40)), kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       dilation=st.tuples(st.integers(1, 4), st.integers(1, 4)), padding=st.sampled_from(["valid", "same"]))
def test_conv2d_dilation_follows_keras(size, kernel, dilation, padding):
    keras = pytest.importorskip("keras")
    layer = KINDS["conv2d"](filters=4, kernel=kernel, dilation=dilation, padding=padding)
    expected = _keras_or_none(lambda: keras.layers.Conv2D(4, kernel, dilation_rate=dilation, padding=padding),
                              (*size, 3))
    if expected is None:
        with pytest.raises(ShapeError):
            layer.infer([(*size, 3)])
        return
    inferred = layer.infer([(*size, 3)])
    assert (inferred.shapes[0], inferred.trainable) == expected


def test_docs_and_diagram_show_conv1d_and_dilation(graph):
    ctx = context(graph)
    for lang in ("en", "ko"):
        text = render_doc(graph, lang, ctx)
        assert r"\left\lfloor \frac{ 50 - 5 + 2 \cdot 2 }{ 1 } \right\rfloor + 1 = 50" in text  # 'same': 2 each side
        # dilation 4 spreads the 3-tap kernel over 9 steps; causal padding puts all 8 zeros first
        assert r"\left\lfloor \frac{ 50 - 9 + (8 + 0) }{ 1 } \right\rfloor + 1 = 50" in text
        assert r"3 \cdot 2 \cdot 12 + 12 = 84" in text  # groups: each filter sees 8 / 4 channels
    assert ctx["doc"].fallbacks == []
    mmd = mermaid_text(graph)
    assert "conv1d 3, 8 filters, stride 1, causal" in mmd and "conv1d 3, 12 filters, stride 2, valid" in mmd
    dilated = graph_from_yaml(load_yaml(textwrap.dedent("""
        name: dilated
        inputs:
          image: {shape: [32, 32, 3]}
        layers:
          - {type: conv2d, name: atrous, filters: 4, kernel: 3, dilation: 2}
        """), "spec.yaml"), Path("spec.yaml"))
    assert dilated.nodes["atrous"].shape == (28, 28, 4)
    assert "conv 3×3, 4 filters, stride 1, valid, dilation 2" in mermaid_text(dilated)
    text = render_doc(dilated, "en")
    assert r"\left\lfloor \frac{ 32 - 5 + 2 \cdot 0 }{ 1 } \right\rfloor + 1 = 28" in text
