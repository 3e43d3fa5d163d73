"""depthwise_conv2d — the first kind added as one module (archcompiler/layers/depthwise_conv2d.py) plus its
two templates, with no shared file edited: shapes and parameters against Keras, the docs and the diagram."""

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.emit.diagram import diagram_plan, mermaid_text
from archcompiler.emit.docs import context, render_doc
from archcompiler.errors import SpecErrors
from archcompiler.layers import KINDS, ShapeError
from archcompiler.resolve import graph_from_yaml
from archcompiler.source import load_yaml

SPEC = """
name: depthwise_small
inputs:
  image: {shape: [32, 30, 8]}
layers:
  - {type: depthwise_conv2d, name: dw1, kernel: 3, padding: same}
  - {type: depthwise_conv2d, name: dw2, kernel: [3, 5], stride: 2, padding: 1, depth_multiplier: 2, activation: relu}
  - {type: depthwise_conv2d, name: dw3, kernel: 3, dilation: 2, use_bias: false}
  - {type: conv2d, name: pointwise, filters: 12, kernel: 1}
  - {type: global_avgpool2d, name: gap}
  - {type: dense, name: predictions, units: 4, activation: softmax}
"""


def graph_of(text: str):
    from pathlib import Path

    return graph_from_yaml(load_yaml(textwrap.dedent(text), "spec.yaml"), Path("spec.yaml"))


@pytest.fixture(scope="module")
def graph():
    return graph_of(SPEC)


def test_shapes_parameters_and_macs(graph):
    n = graph.nodes
    assert n["dw1"].shape == (32, 30, 8) and n["dw1"].params == 3 * 3 * 8 + 8
    assert "dw2_pad" in n and n["dw2_pad"].shape == (34, 32, 8)  # numeric padding: zero pad, then 'valid'
    assert n["dw2"].shape == ((34 - 3) // 2 + 1, (32 - 5) // 2 + 1, 16)
    assert n["dw2"].params == 3 * 5 * 8 * 2 + 16
    assert n["dw3"].shape == (16 - 5 + 1, 14 - 5 + 1, 16) and n["dw3"].params == 3 * 3 * 16  # no bias
    assert n["dw3"].macs == 12 * 10 * 16 * 9


def test_keras_agrees_layer_by_layer(graph):
    keras = pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    model = build_model(graph)  # checks every layer's output shape and parameter counts against Keras
    layer = model.get_layer("dw2")
    assert isinstance(layer, keras.layers.DepthwiseConv2D)
    assert layer.depth_multiplier == 2 and tuple(layer.kernel_size) == (3, 5) and layer.padding == "valid"
    assert model.count_params() == graph.total_params


@given(size=st.tuples(st.integers(1, 40), st.integers(1, 40)), channels=st.integers(1, 16),
       kernel=st.tuples(st.integers(1, 7), st.integers(1, 7)), stride=st.integers(1, 3),
       padding=st.sampled_from(["same", "valid"]), multiplier=st.integers(1, 3), dilation=st.integers(1, 3),
       use_bias=st.booleans())
def test_inference_matches_keras_rules(size, channels, kernel, stride, padding, multiplier, dilation, use_bias):
    keras = pytest.importorskip("keras")
    layer = KINDS["depthwise_conv2d"](kernel=kernel, stride=stride, padding=padding, depth_multiplier=multiplier,
                                      dilation=dilation, use_bias=use_bias)
    shape = (*size, channels)
    reference = keras.layers.DepthwiseConv2D(kernel, strides=stride, padding=padding, depth_multiplier=multiplier,
                                             dilation_rate=dilation, use_bias=use_bias)
    try:
        expected = tuple(reference.compute_output_shape((None, *shape))[1:])
    except ValueError:  # Keras: the window does not fit the input
        expected = None
    if expected is None or min(expected[:2]) < 1 or (stride > 1 and dilation > 1):  # Keras refuses the last at run time
        with pytest.raises(ShapeError):
            layer.infer([shape])
        return
    inferred = layer.infer([shape])
    reference.build((None, *shape))
    assert inferred.shapes == [expected]
    assert inferred.trainable == reference.count_params()


def test_a_kernel_larger_than_the_input_is_a_located_error():
    with pytest.raises(SpecErrors) as info:
        graph_of("""
        name: too_small
        inputs:
          x: {shape: [4, 4, 3]}
        layers:
          - {type: depthwise_conv2d, kernel: 5}
        """)
    (error,) = info.value.errors
    assert error.code == "E-SHAPE" and error.loc.line == 6 and error.path == "layers[0].kernel"


def test_docs_explain_it_with_its_own_numbers(graph):
    ctx = context(graph)
    texts = {lang: render_doc(graph, lang, ctx) for lang in ("en", "ko")}
    assert ctx["doc"].fallbacks == []
    for lang, text in texts.items():
        assert r"3 \cdot 5 \cdot 8 \cdot 2 + 16 = 256" in text  # dw2's parameters
        # dw2's zero padding is part of its output-size formula; dw3's dilation 2 makes its 3×3 window span 5
        assert r"\left\lfloor \frac{ 32 - 3 + 2 \cdot 1 }{ 2 } \right\rfloor + 1 = 16" in text
        assert r"\left\lfloor \frac{ 16 - 5 + 2 \cdot 0 }{ 1 } \right\rfloor + 1 = 12" in text
        assert r"3 \cdot 3 \cdot 16 \cdot 1 = 144" in text  # dw3: no bias
        assert ("depthwise convolution" if lang == "en" else "깊이별 합성곱") in text
        assert "dw2_pad" in text  # the zero padding is named where it is explained
    assert "An ordinary convolution from 8 to 8 channels with the same window would need 3×3×8×8 = 576 weights" \
        in texts["en"]


def test_diagram_draws_it_with_its_padding_folded_in(graph):
    plan = diagram_plan(graph)
    titles = [u.nodes[-1].name for u in plan.units]
    assert "dw2_pad" not in titles  # drawn inside dw2's node
    assert "depthwise conv 3×5, stride 2, valid, ×2 per channel, relu, after zero pad 1" in mermaid_text(graph)
    assert {u.family for u in plan.units if u.head.kind == "depthwise_conv2d"} == {"conv"}
