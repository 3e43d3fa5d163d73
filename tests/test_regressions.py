"""One test per bug found by fuzzing (issue 10), each named after what it checks: a user mistake is a
located, coded SpecError (never another exception), and a spec that validates builds in Keras."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from archcompiler.errors import SpecErrors
from archcompiler.resolve import graph_from_yaml, load_graph
from archcompiler.source import load_yaml

HEAD = "name: t\ninputs:\n  x: {shape: [8, 8, 3]}\nlayers:\n"


def errors_of(text: str, file: str = "spec.yaml"):
    """The located errors of a spec given as text (the test fails if it validates)."""
    with pytest.raises(SpecErrors) as info:
        graph_from_yaml(load_yaml(text, file), Path(file))
    return info.value.errors


def only_error(text: str):
    errors = errors_of(text)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def graph_of(text: str, file: str = "spec.yaml"):
    return graph_from_yaml(load_yaml(text, file), Path(file))


# --- expressions --------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, words", [
    ("max()", "needs at least one number"),
    ("int('x')", "cannot read 'x'"),
    ("int(1e400)", "not a finite number"),
    ("999999.0 ** 64", "too large"),
    ("-'a'", "needs numbers, got the text 'a'"),
    ("1 < 'a'", "cannot compare"),
    ("(-8) ** 0.5", "not a real number"),
    ("[1] * 10", "not allowed"),
])
def test_a_failing_expression_is_a_located_error_not_a_python_exception(expression, words):
    e = only_error(HEAD + f"  - {{type: flatten}}\n  - {{type: dense, units: \"${{{expression}}}\"}}\n")
    assert (e.loc.line, e.loc.column, e.path) == (6, 26, "layers[1].units")
    assert words in e.message and e.code.startswith("E-EXPR")


def test_repeat_none_is_an_error_not_zero_copies():
    e = only_error(HEAD + "  - {type: flatten}\n  - {type: dense, units: 3, repeat: '${None}'}\n")
    assert e.code == "E-REPEAT-INVALID" and "got None" in e.message and e.loc.line == 6


def test_a_setting_that_evaluates_to_none_is_an_error_not_a_dropped_layer():
    e = only_error(HEAD + "  - {type: flatten}\n  - {type: dense, units: '${None}'}\n")
    assert e.code == "E-VALUE-INVALID" and e.path == "layers[1].units"


# --- YAML ---------------------------------------------------------------------------------------

def test_a_type_written_as_a_list_is_a_located_error():
    e = only_error(HEAD + "  - {type: [dense], units: 3}\n")
    assert e.code == "E-TYPE-UNKNOWN" and (e.loc.line, e.loc.column) == (5, 12)


@pytest.mark.parametrize("value, words", [("!!int four", "'four' is not a whole number"),
                                          ("!!bool maybe", "'maybe' is not true or false"),
                                          ("!!float x", "'x' is not a number"),
                                          (".inf", "not a finite number")])
def test_an_explicit_tag_that_cannot_be_honoured_is_a_located_error(value, words):
    e = only_error(HEAD + f"  - {{type: flatten}}\n  - {{type: dense, units: {value}}}\n")
    assert words in e.message and e.code == "E-YAML-VALUE" and (e.loc.line, e.loc.column) == (6, 26)


def test_a_control_character_is_reported_with_line_and_column():
    e = only_error(HEAD + "  - {type: flatten}\x07\n")
    assert (e.loc.line, e.loc.column) == (5, 20) and "U+0007" in e.message and e.code == "E-YAML-SYNTAX"


@pytest.mark.parametrize("text, words", [("hello\n", "not the single value 'hello'"), ("# a comment\n- a\n", "not a list")])
def test_a_document_that_is_not_a_mapping_is_located_in_its_file(text, words):
    e = only_error(text)
    assert str(e.loc).startswith("spec.yaml:") and e.loc.line == text.count("#") + 1
    assert words in e.message and e.code == "E-SPEC-NOT-MAPPING"


def test_yaml_keys_are_the_words_as_written():
    # YAML 1.1 reads 'on' as true and '1' as a number; a spec's keys are names
    graph = graph_of("name: t\nparams: {on: 3, 1: 2}\ninputs:\n  x: {shape: [4]}\nlayers:\n"
                     "  - {type: dense, units: '${on + 1}'}\n")
    assert graph.params == {"on": 3, "1": 2} and graph.layers()[0].shape == (4,)


def test_bytes_that_are_not_utf8_are_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: t\ntitle: caf\xe9\n")
    with pytest.raises(SpecErrors) as info:
        load_graph(path)
    (e,) = info.value.errors
    assert (e.loc.line, e.loc.column, e.code) == (2, 11, "E-FILE-ENCODING")


# --- output -------------------------------------------------------------------------------------

def test_locations_and_user_values_are_printed_literally(spec_file):
    # Rich once turned ':100:' of 'file.yaml:100:26' and a value ':fire:' into emoji
    path = spec_file(HEAD + "  - {type: flatten}\n" * 95 + "  - {type: dense, units: ':fire:'}\n")
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert f"{path}:100:26: layers[95].units: dense: invalid value ':fire:'" in result.stderr


# --- inference against Keras --------------------------------------------------------------------

TWO = "name: t\ninputs:\n  a: {shape: [4, 6, 2]}\n  b: {shape: [4, 6, 2]}\nlayers:\n"


@pytest.mark.parametrize("axis, shape", [(1, (8, 6, 2)), (2, (4, 12, 2)), (3, (4, 6, 4)), (-1, (4, 6, 4)),
                                         (-3, (8, 6, 2))])
def test_concat_axis_counts_the_batch_axis_like_keras(axis, shape):
    graph = graph_of(TWO + f"  - {{type: concat, axis: {axis}, inputs: [a, b]}}\n")
    assert graph.layers()[0].shape == shape


@pytest.mark.parametrize("axis, words", [(0, "is the batch axis"), (-4, "is the batch axis"), (4, "out of range")])
def test_concat_along_the_batch_axis_or_beyond_the_rank_is_a_located_error(axis, words):
    e = only_error(TWO + f"  - {{type: concat, axis: {axis}, inputs: [a, b]}}\n")
    assert words in e.message and e.code == "E-CONCAT-AXIS" and e.path == "layers[0].axis"


def test_branches_axis_counts_the_batch_axis_like_keras():
    graph = graph_of(HEAD + "  - type: branches\n    name: joined\n    axis: 1\n    branches:\n"
                     "      - [{type: conv2d, name: a, filters: 3, kernel: 1}]\n"
                     "      - [{type: conv2d, name: b, filters: 3, kernel: 1}]\n")
    assert graph.nodes["joined"].shape == (16, 8, 3)


@pytest.mark.parametrize("layer", [
    "{type: conv2d, filters: 3, kernel: 3, stride: 2, dilation: 2}",
    "{type: conv2d, filters: 3, kernel: 3, stride: [2, 1], dilation: [1, 2]}",  # on different axes too
])
def test_stride_with_dilation_is_refused_as_keras_refuses_it(layer):
    e = only_error(HEAD + f"  - {layer}\n")
    assert e.code == "E-KERAS-STRIDE-DILATION" and e.path == "layers[0].dilation" and "Keras" in e.message


def test_conv1d_stride_with_dilation_is_refused_as_keras_refuses_it():
    e = only_error("name: t\ninputs:\n  x: {shape: [9, 3]}\nlayers:\n"
                   "  - {type: conv1d, filters: 3, kernel: 3, stride: 2, dilation: 2, padding: causal}\n")
    assert e.code == "E-KERAS-STRIDE-DILATION"


def test_bidirectional_with_go_backwards_is_refused_as_keras_refuses_it():
    e = only_error("name: t\ninputs:\n  x: {shape: [5, 3]}\nlayers:\n"
                   "  - {type: lstm, units: 3, bidirectional: true, go_backwards: true}\n")
    assert e.code == "E-KERAS-BIDIRECTIONAL-BACKWARDS" and e.path == "layers[0].go_backwards"
    assert (e.loc.line, e.loc.column) == (5, 63)


def test_negative_nested_padding_is_refused_as_keras_refuses_it():
    e = only_error(HEAD + "  - {type: zeropad2d, padding: [[-1, 0], [0, 0]]}\n")
    assert e.path.startswith("layers[0].padding")


def test_a_name_keras_refuses_is_a_located_error():
    e = only_error(HEAD + "  - {type: relu, name: a/b}\n")
    assert e.code == "E-NAME-INVALID" and e.path == "layers[0].name"


def test_a_rank_zero_input_is_a_located_error():
    e = only_error("name: t\ninputs:\n  x: {shape: []}\nlayers:\n  - {type: batchnorm}\n")
    assert e.path == "inputs.x.shape" and e.loc.line == 3


# --- resolving ----------------------------------------------------------------------------------

def test_a_layer_that_feeds_no_output_is_a_located_error_and_never_counted():
    e = only_error(HEAD + "  - {type: flatten, name: f}\n  - {type: dense, units: 3, name: dead}\n"
                   "  - {type: dense, units: 2, inputs: f}\n")
    assert e.code == "E-UNUSED" and "never used" in e.message and "'dead'" in e.message
    assert (e.loc.line, e.path) == (6, "layers[1]")


def test_an_input_that_feeds_no_output_is_a_located_error():
    e = only_error("name: t\ninputs:\n  x: {shape: [4]}\n  spare: {shape: [4]}\nlayers:\n  - {type: dense, units: 2}\n")
    assert e.code == "E-UNUSED" and "input 'spare'" in e.message and e.loc.line == 4


def test_a_layer_named_like_2_conv_can_be_referenced():
    graph = graph_of(HEAD + "  - {type: conv2d, name: 2_conv, filters: 3, kernel: 1}\n  - {type: relu, inputs: 2_conv}\n")
    assert [str(r) for r in graph.layers()[1].inputs] == ["2_conv"]


def test_extends_that_cannot_be_a_file_name_is_a_located_error():
    e = only_error("name: t\nextends: {en: a, ko: b}\n")
    assert e.code == "E-EXTENDS-UNKNOWN" and e.loc.line == 2
    e = only_error(f"name: t\nextends: {'x' * 300}\n")  # longer than a file name may be
    assert e.code == "E-EXTENDS-UNKNOWN"


def test_a_spec_without_inputs_is_a_located_error():
    e = only_error("name: t\ninputs: {}\nlayers:\n  - {type: dense, units: 2}\n")
    assert e.code == "E-INPUTS-NONE" and e.loc.line == 2


def test_a_spec_whose_layers_are_all_left_out_is_a_located_error():
    e = only_error("name: t\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: dense, units: 2, when: false}\n")
    assert e.code == "E-LAYERS-NONE"


# --- the same fixes, built in Keras ---------------------------------------------------------------

def test_the_fixed_rules_build_in_keras_and_agree_layer_by_layer():
    from archcompiler.emit.keras_model import build_model

    graph = graph_of(TWO + "  - {type: concat, name: rows, axis: 1, inputs: [a, b]}\n"
                     "  - {type: concat, name: channels, axis: 3, inputs: [rows, rows]}\n"
                     "  - {type: conv2d, name: 2_conv, filters: 3, kernel: [3, 1], stride: [1, 1], dilation: [1, 2], padding: same}\n"
                     "  - type: branches\n    name: joined\n    axis: 2\n    branches:\n"
                     "      - [{type: conv2d, name: p, filters: 3, kernel: 1}]\n"
                     "      - [{type: relu, name: q, inputs: 2_conv}]\n"
                     "  - {type: reshape, shape: [-1, 3]}\n"
                     "  - {type: lstm, units: 2, bidirectional: true, return_sequences: true}\n"
                     "  - {type: gru, units: 2, go_backwards: true}\n")
    model = build_model(graph, check=True)  # raises InferenceMismatch if any layer disagrees
    assert model.get_layer("joined").output.shape == (None, 8, 12, 3)


def test_layers_only_a_disabled_output_needs_are_left_out_not_unused():
    text = ("name: t\nparams: {aux: false}\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: dense, name: a, units: 2}\n"
            "  - {type: dense, name: h, units: 3, inputs: x}\n  - {type: dense, name: b, units: 3}\n"
            "outputs:\n  - a\n  - {layer: b, when: '${aux}'}\n")
    assert [n.name for n in graph_of(text).layers()] == ["a"]  # h and b: left out with their output, not counted
    assert [n.name for n in graph_of(text.replace("aux: false", "aux: true")).layers()] == ["a", "h", "b"]


@pytest.mark.parametrize("kind, fields, en, ko", [
    ("conv2d", {"filters": 8, "kernel": 3, "stride": [1, 2]}, "stride 1×2", "스트라이드 1×2"),
    ("depthwise_conv2d", {"kernel": 3, "stride": [2, 1]}, "stride 2×1", "스트라이드 2×1"),
    ("separable_conv2d", {"filters": 8, "kernel": 3, "stride": [1, 2]}, "stride 1×2", "스트라이드 1×2"),
    ("maxpool2d", {"pool": 2, "stride": [2, 1]}, "stride 2×1", "스트라이드 2×1"),
    ("conv2d", {"filters": 8, "kernel": 3, "dilation": [2, 1]}, "dilation 2×1", "팽창 2×1"),
])
def test_briefs_and_labels_show_both_axes_of_a_stride(kind, fields, en, ko):
    """A stride of 1×2 was shown as the first axis only: 1, which reads as no stride at all."""
    from archcompiler.layers import KINDS

    layer = KINDS[kind](type=kind, **fields)
    axes = en.split()[-1]
    assert axes in layer.label() and ko in layer.brief("ko")
    if "dilation" not in fields:  # the English brief names no dilation
        assert en in layer.brief("en")


def test_an_unclosed_placeholder_after_a_closed_one_is_an_error():
    """'a${b}${c' once passed with the open '${c' left in the text, since something else closed."""
    from archcompiler.expr import ExprError, substitute

    with pytest.raises(ExprError, match="unclosed"):
        substitute("a${b}${c", {"b": 1, "c": 2})
    assert substitute("a${b}c", {"b": 1}) == "a1c"


def test_null_is_written_into_text_as_yaml_writes_it():
    from archcompiler.expr import substitute

    assert substitute("x${n}", {"n": None}) == "xnull"
    assert substitute("${n}", {"n": None}) is None


def test_a_recurrent_layer_read_by_a_tied_projection_documents_without_error():
    """doc_facts once asked the tied projection for the units only a dense layer has (AttributeError)."""
    from archcompiler.emit.docs import render_doc
    from archcompiler.source import load_yaml

    text = """
name: tied_lm
inputs: {tokens: {shape: [12], dtype: int32}}
layers:
  - {type: embedding, name: emb, vocab: 50, dim: 16, tied: true}
  - {type: lstm, name: rnn, units: 16, return_sequences: true}
  - {type: tied_dense, name: logits, inputs: [rnn, emb.table]}
"""
    from archcompiler.emit.docs import context

    graph = graph_from_yaml(load_yaml(text), Path("<spec>"))
    for lang in ("en", "ko"):
        ctx = context(graph)
        doc = render_doc(graph, lang, ctx)
        assert ctx["doc"].fallbacks == [] and "`logits`" in doc


def test_taking_feature_zero_is_not_called_the_class_token_read_out():
    """A take of index 0 along the feature axis (axis 2) below a class token was reported as its read-out."""
    from archcompiler.analysis import Analysis
    from archcompiler.source import load_yaml

    text = """
name: tokens
inputs: {x: {shape: [4, 8]}}
layers:
  - {type: class_token, name: cls}
  - {type: take, name: feature0, index: 0, axis: 2}
  - {type: take, name: first, inputs: cls, index: 0}
  - {type: concat, name: both, inputs: [feature0, first], axis: -1}
"""
    graph = graph_from_yaml(load_yaml(text), Path("<spec>"))
    analysis = Analysis(graph)
    facts = graph.nodes["cls"].layer.doc_facts(graph.nodes["cls"], analysis)
    assert facts["readers"] == ["first"]
    assert graph.nodes["feature0"].layer.doc_facts(graph.nodes["feature0"], analysis)["class_token"] is None
    assert graph.nodes["first"].layer.doc_facts(graph.nodes["first"], analysis)["class_token"] == "cls"


def test_a_dilated_transposed_convolution_counts_its_kernel_weights_not_its_span():
    """doc_facts once counted the dilated span (5×5) as weights: 600 where the layer has 3·3·3·8 + 8 = 224."""
    from archcompiler.analysis import Analysis
    from archcompiler.source import load_yaml

    text = """
name: up
inputs: {x: {shape: [4, 4, 3]}}
layers:
  - {type: conv2d_transpose, name: up, filters: 8, kernel: 3, dilation: 2}
"""
    graph = graph_from_yaml(load_yaml(text), Path("<spec>"))
    node = graph.nodes["up"]
    facts = node.layer.doc_facts(node, Analysis(graph))
    assert node.params == 3 * 3 * 3 * 8 + 8
    assert (facts["window"], facts["weights"], facts["params_ok"]) == (9, 216, True)
    assert [a["k"] for a in facts["axes"]] == [5, 5] and node.shape == (8, 8, 8)  # the span sets the size


def test_conv1d_label_shows_its_groups_dilation_and_activation():
    """The English diagram line of a conv1d once dropped its activation, groups and dilation (conv2d's shows them),
    and the Korean line its groups and dilation."""
    from archcompiler.layers import KINDS

    conv = KINDS["conv1d"].model_validate({"type": "conv1d", "filters": 8, "kernel": 3, "groups": 2, "dilation": 2,
                                           "activation": "gelu", "padding": "causal"})
    assert conv.label() == "conv1d 3, 8 filters, stride 1, causal, 2 groups, dilation 2, gelu"
    assert conv.caption("ko") == "길이 3 1차원 합성곱 8, 2개 그룹, 팽창 2, GELU"
    plain = KINDS["conv1d"].model_validate({"type": "conv1d", "filters": 8, "kernel": 3, "activation": "linear"})
    assert (plain.label(), plain.caption("ko")) == ("conv1d 3, 8 filters, stride 1, valid", "길이 3 1차원 합성곱 8")


REPEATED_STRUCTURES = """
name: repeats
inputs: {x: {shape: [8, 8, 16]}}
layers:
  - type: residual
    repeat: 3
    body:
      - {type: conv2d, filters: 16, kernel: 3, padding: same, activation: relu}
      - {type: conv2d, name: "d${i}", filters: 16, kernel: 3, padding: same}
  - {type: global_avgpool2d}
  - {type: dense, units: 10, activation: softmax}
"""


def test_copies_of_a_repeated_residual_are_one_group_in_the_diagram_and_the_docs():
    """A repeated residual's copies had no scope: the generated program wrote their unnamed layers with one fixed
    name (the model failed on duplicate names), the diagram drew every copy, and the docs grouped nothing."""
    import archcompiler
    from archcompiler.graph import Scope

    arch = archcompiler.load(REPEATED_STRUCTURES)
    graph = arch.graph
    copies = [[n for n in graph.nodes.values() if n.scopes and n.scopes[0].index == k] for k in (1, 2, 3)]
    assert [[n.name for n in copy] for copy in copies] == [
        ["conv2d", "d1", "add"], ["conv2d_1", "d2", "add_1"], ["conv2d_2", "d3", "add_2"]]
    assert {n.scopes for copy in copies for n in copy} == {(Scope("residual", "", "g1", k, 3),) for k in (1, 2, 3)}
    assert {n.scopes[0].structure for copy in copies for n in copy} == {"residual"}
    assert 'c0t["residual block ×3 · add … add_2"]' in arch.diagram().mermaid
    assert '잔차 블록 ×3번' in archcompiler.emit.diagram.mermaid_text(graph, False, "ko")
    docs = arch.docs("en")
    assert "### `add` … `add_2` — residual block ×3" in docs
    assert "3 copies in a row (one `repeat`), identical in every shape and parameter count: `add`, `add_1`, `add_2`." in docs
    assert "#### `d1` — convolution" in docs and "`d2`" not in docs.split("### `add` … `add_2`")[1].split("####")[0]
    assert "### `add` … `add_2` — 잔차 블록 ×3" in arch.docs("ko")
