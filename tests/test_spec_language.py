"""The spec language: loading, params, blocks, repeats, references, extends — and its errors."""

import pytest

from archcompiler.errors import SpecErrors
from archcompiler.expr import ExprError, evaluate, substitute
from archcompiler.resolve import load_graph

HEADER = """
name: t
inputs:
  x: {shape: [32, 32, 3]}
"""


def errors_of(path, sets=None):
    with pytest.raises(SpecErrors) as info:
        load_graph(path, sets)
    return info.value.errors


def one_error(path, sets=None):
    errors = errors_of(path, sets)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# --- the evaluator --------------------------------------------------------------------

def test_expressions_integer_arithmetic_and_conditionals():
    names = {"d_model": 512, "heads": 8, "filters": 64, "i": 1}
    assert evaluate("d_model // heads", names) == 64
    assert evaluate("4 * filters", names) == 256
    assert evaluate("2 if i == 1 else 1", names) == 2
    assert evaluate("max(1, filters // 128)", names) == 1
    assert substitute("${4 * filters}", names) == 256
    assert substitute("block${i}_conv", names) == "block1_conv"


@pytest.mark.parametrize("text", ["__import__('os')", "filters.__class__", "[x for x in 'ab']", "lambda: 1",
                                  "open('f')", "9 ** 9 ** 9"])
def test_expressions_reject_anything_but_arithmetic(text):
    with pytest.raises(ExprError):
        evaluate(text, {"filters": 1})


def test_expression_undefined_name_hints_the_closest():
    with pytest.raises(ExprError) as info:
        evaluate("filter * 2", {"filters": 1})
    assert "undefined name 'filter'" in info.value.message and "filters" in info.value.hint


# --- what the language expresses ---------------------------------------------------------

def test_params_and_set_overrides(spec_file):
    path = spec_file(HEADER + """
params: {width: 16, classes: 10, hidden: "${4 * width}"}
layers:
  - {type: flatten}
  - {type: dense, units: "${hidden}", activation: relu}
  - {type: dense, name: out, units: "${classes}", activation: softmax}
""")
    g = load_graph(path)
    assert g.nodes["dense"].shape == (64,) and g.nodes["out"].shape == (10,)
    g = load_graph(path, {"width": "8", "classes": "3"})
    assert g.nodes["dense"].shape == (32,) and g.nodes["out"].shape == (3,)
    assert g.nodes["out"].params == 32 * 3 + 3


def test_blocks_repeats_and_names(spec_file):
    path = spec_file(HEADER + """
blocks:
  stage:
    args: {filters: int, convs: 2}
    layers:
      - {type: conv2d, name: "conv${i}", repeat: "${convs}", filters: "${filters}", kernel: 3, padding: same}
      - {type: maxpool2d, name: pool}
layers:
  - {use: stage, name: block1, filters: 8}
  - {use: stage, name: "block${i + 1}", filters: 16, convs: 3, repeat: 2}
""")
    g = load_graph(path)
    names = [n for n in g.nodes if n != "x"]
    assert names == ["block1_conv1", "block1_conv2", "block1_pool",
                     "block2_conv1", "block2_conv2", "block2_conv3", "block2_pool",
                     "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool"]
    assert g.nodes["block3_pool"].shape == (4, 4, 16)
    scope = g.nodes["block3_conv2"].scopes[0]
    assert (scope.block, scope.index, scope.count) == ("stage", 2, 2)
    assert scope.group == g.nodes["block2_pool"].scopes[0].group


def test_unnamed_layers_take_keras_default_names(spec_file):
    path = spec_file(HEADER + """
layers:
  - {type: conv2d, filters: 4, kernel: 3}
  - {type: batchnorm}
  - {type: relu}
  - {type: maxpool2d, pool: 2}
  - {type: conv2d, filters: 4, kernel: 1}
  - {type: batchnorm}
  - {type: global_avgpool2d}
""")
    names = [n for n in load_graph(path).nodes if n != "x"]
    assert names == ["conv2d", "batch_normalization", "activation", "max_pooling2d", "conv2d_1",
                     "batch_normalization_1", "global_average_pooling2d"]


def test_block_without_prefix_names_its_layers_where_used(spec_file):
    """prefix: false — Inception-V3's helper: unnamed layers number on across uses (conv2d_3), named
    ones (an argument) keep their name exactly, nested blocks included."""
    path = spec_file(HEADER + """
blocks:
  conv_bn:
    prefix: false
    args: {filters: int, kernel: [1, 1]}
    layers:
      - {type: conv2d, filters: "${filters}", kernel: "${kernel}", padding: same, use_bias: false}
      - {type: batchnorm, scale: false}
      - {type: relu}
  mix:
    prefix: false
    args: {out: str}
    layers:
      - {use: conv_bn, name: a, filters: 2}
      - {use: conv_bn, name: b, inputs: x, filters: 2, kernel: [1, 3]}
      - {type: concat, name: "${out}", inputs: [a, b]}
layers:
  - {use: conv_bn, filters: 4}
  - {use: mix, out: mixed0}
  - {use: mix, out: mixed1}
""")
    g = load_graph(path)
    convs = [n for n in g.nodes if g.nodes[n].layer.type == "conv2d"]
    assert convs == ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"]
    assert [s.node for s in g.nodes["mixed1"].inputs] == ["activation_3", "activation_4"]
    assert g.nodes["conv2d_4"].inputs[0].node == "mixed0" and g.nodes["mixed1"].shape == (32, 32, 4)
    assert g.nodes["batch_normalization_2"].params == 2 * 2 + 2  # β and the moving statistics, no γ


def test_residual_with_projection_and_identity(spec_file):
    path = spec_file(HEADER + """
blocks:
  bottleneck:
    args: {filters: int, stride: 1, project: false}
    layers:
      - type: residual
        name: add
        body:
          - {type: conv2d, name: 1_conv, filters: "${filters}", kernel: 1, stride: "${stride}"}
          - {type: relu, name: 1_relu}
          - {type: conv2d, name: 2_conv, filters: "${4 * filters}", kernel: 3, padding: same}
        shortcut:
          - {type: conv2d, name: 0_conv, filters: "${4 * filters}", kernel: 1, stride: "${stride}", when: "${project}"}
      - {type: relu, name: out}
layers:
  - {use: bottleneck, name: b1, filters: 4, stride: 2, project: true}
  - {use: bottleneck, name: "b${i + 1}", filters: 4, repeat: 2}
""")
    g = load_graph(path)
    assert g.nodes["b1_add"].shape == (16, 16, 16)
    assert [r.node for r in g.nodes["b1_add"].inputs] == ["b1_0_conv", "b1_2_conv"]
    assert [r.node for r in g.nodes["b2_add"].inputs] == ["b1_out", "b2_2_conv"]  # identity shortcut
    assert "b2_0_conv" not in g.nodes


def test_branches_concat_inception(spec_file):
    path = spec_file(HEADER + """
layers:
  - type: branches
    name: mixed
    branches:
      - [{type: conv2d, filters: 8, kernel: 1}]
      - [{type: conv2d, filters: 4, kernel: 1}, {type: conv2d, filters: 12, kernel: 3, padding: same}]
      - [{type: maxpool2d, pool: 3, stride: 1, padding: same}, {type: conv2d, filters: 2, kernel: 1}]
""")
    g = load_graph(path)
    assert g.nodes["mixed"].shape == (32, 32, 22)
    assert len(g.nodes["mixed"].inputs) == 3


def test_multiple_outputs_and_state_references(spec_file):
    path = spec_file("""
name: s2s
inputs:
  src: {shape: [null, 7]}
  tgt: {shape: [null, 9]}
layers:
  - {type: lstm, name: encoder, units: 16, return_state: true, inputs: src}
  - {type: lstm, name: decoder, units: 16, return_sequences: true, inputs: [tgt, encoder.h, "encoder[2]"]}
  - {type: dense, name: out, units: 9, activation: softmax}
""")
    g = load_graph(path)
    assert g.nodes["encoder"].shapes == [(16,), (16,), (16,)]
    assert [str(r) for r in g.nodes["decoder"].inputs] == ["tgt", "encoder[1]", "encoder[2]"]
    assert g.nodes["out"].shape == (None, 9)
    assert g.inputs == ["src", "tgt"]


def test_extends_overrides_params_and_named_layers(spec_file, tmp_path):
    spec_file(HEADER + """
params: {classes: 10}
layers:
  - {type: conv2d, name: conv1, filters: 8, kernel: 5}
  - {type: flatten}
  - {type: dense, name: out, units: "${classes}"}
""", name="base.yaml")
    child = spec_file("""
name: child
extends: base.yaml
params: {classes: 5}
override:
  conv1: {kernel: 3, padding: 1}
""", name="child.yaml")
    g = load_graph(child)
    assert g.name == "child"
    assert g.nodes["conv1_pad"].shape == (34, 34, 3)  # numeric padding becomes a zero-padding node
    assert g.nodes["conv1"].shape == (32, 32, 8)
    assert g.nodes["out"].shape == (5,)


def test_vgg16_figures():
    g = load_graph("vgg16")
    assert g.total_params == 138_357_544
    assert g.nodes["block5_pool"].shape == (7, 7, 512)
    assert g.nodes["block1_conv1"].params == 3 * 3 * 3 * 64 + 64


def test_batchnorm_moving_stats_are_non_trainable(spec_file):
    g = load_graph(spec_file(HEADER + "layers:\n  - {type: batchnorm}\n"))
    assert (g.trainable, g.non_trainable) == (6, 6)


# --- errors: located, hinted, all at once --------------------------------------------------

def test_yaml_syntax_error_has_line_and_column(spec_file):
    e = one_error(spec_file("name: t\ninputs: {x: {shape: [1]}\nlayers: []\n"))
    assert "YAML syntax error" in e.message and e.loc.line >= 2 and e.loc.column > 0


def test_unknown_type_suggests_the_right_one(spec_file):
    e = one_error(spec_file(HEADER + "layers:\n  - {type: conv, filters: 8, kernel: 3}\n"))
    assert (e.loc.line, e.loc.column) == (5, 12)
    assert "unknown layer type 'conv'" in e.message and "conv2d" in e.hint


def test_unknown_field_and_wrong_type_reported_together(spec_file):
    path = spec_file(HEADER + """
layers:
  - {type: conv2d, filter: 8, kernel: 3}
  - {type: dense, units: many}
""")
    errors = errors_of(path)
    text = "\n".join(map(str, errors))
    assert "unknown field 'filter'" in text and "filters" in text  # the hint
    assert "missing required field 'filters'" in text
    assert "invalid value 'many'" in text
    lines = sorted(e.loc.line for e in errors)
    assert lines[0] == 6 and lines[-1] == 7


def test_unknown_reference_and_cycle(spec_file):
    e = one_error(spec_file(HEADER + "layers:\n  - {type: flatten, inputs: [xx]}\n"))
    assert "unknown layer or input 'xx'" in e.message and "'x'" in e.hint
    e = one_error(spec_file(HEADER + """
layers:
  - {type: dense, name: a, units: 4, inputs: [b]}
  - {type: dense, name: b, units: 4, inputs: [a]}
"""))
    assert "defined later" in e.message and "cycles" in e.message and e.loc.line == 6


def test_undefined_param(spec_file):
    e = one_error(spec_file(HEADER + "params: {classes: 3}\nlayers:\n  - {type: dense, units: '${clases}'}\n"))
    assert "undefined name 'clases'" in e.message and "classes" in e.hint and e.loc.line == 6


def test_unknown_set_param(spec_file):
    e = one_error(spec_file(HEADER + "params: {classes: 3}\nlayers:\n  - {type: flatten}\n"), {"clases": "3"})
    assert "unknown param 'clases'" in e.message and "classes" in e.hint


@pytest.mark.parametrize("layers, message, line", [
    ("- {type: conv2d, filters: 8, kernel: 40}", "larger than the input", 5),
    ("- {type: maxpool2d, pool: 2, repeat: 6}", "larger than the input", 5),
    ("- {type: dense, name: a, units: 5}\n  - {type: conv2d, name: b, filters: 4, kernel: 1, inputs: x}\n"
     "  - {type: add, inputs: [a, b]}", "same shape", 7),
    ("- {type: maxpool2d, name: p}\n  - {type: concat, inputs: [x, p]}", "other axes equal", 6),
    ("- {type: reshape, shape: [1024, 3]}\n  - {type: multi_head_attention, heads: 5}", "do not divide", 6),
])
def test_impossible_shapes_are_errors_at_the_layer(spec_file, layers, message, line):
    e = one_error(spec_file(HEADER + "layers:\n  " + layers + "\n"))
    assert message in e.message and e.loc.line == line


def test_duplicate_names_and_keys(spec_file):
    e = one_error(spec_file(HEADER + "layers:\n  - {type: flatten, name: f}\n  - {type: dense, name: f, units: 2}\n"))
    assert "already used" in e.message
    e = one_error(spec_file(HEADER + "layers:\n  - {type: flatten, type: dense}\n"))
    assert "duplicate key 'type'" in e.message


def test_python_tags_are_refused(spec_file):
    e = one_error(spec_file(HEADER + "layers:\n  - !!python/object/apply:os.system ['echo hi']\n"))
    assert "unsupported YAML tag" in e.message or "YAML" in e.message


# --- limits -----------------------------------------------------------------------------------

def test_huge_repeat_is_refused_quickly(spec_file):
    e = one_error(spec_file(HEADER + "layers:\n  - {type: relu, repeat: 100000000}\n"))
    assert "more than the limit" in e.message


def test_alias_bomb_is_refused(spec_file):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
        f"*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}]\n" for k in range(9))
    e = one_error(spec_file(bomb))
    assert "expands to more than" in e.message


def test_large_file_is_refused(spec_file):
    e = one_error(spec_file("# " + "x" * 10_000_000 + "\n"))
    assert "MB" in e.message


def test_recursive_and_deep_blocks(spec_file):
    e = one_error(spec_file(HEADER + """
blocks:
  a: {layers: [{use: b}]}
  b: {layers: [{use: a}]}
layers:
  - {use: a}
"""))
    assert "uses itself (a → b → a)" in e.message
    deep = "\n".join(f"  b{k}: {{layers: [{{use: b{k + 1}}}]}}" for k in range(40))
    e = one_error(spec_file(HEADER + "blocks:\n" + deep + "\n  b40: {layers: [{type: relu}]}\nlayers:\n  - {use: b0}\n"))
    assert "nested more than" in e.message


def test_deeply_nested_yaml(spec_file):
    e = one_error(spec_file("a: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nesting" in e.message or "deeper" in e.message


def test_one_set_for_several_specs_applies_where_the_param_exists():
    from archcompiler.api import load_graphs

    lenet, seq2seq = load_graphs(["lenet5", "seq2seq"], {"num_classes": "7"})
    assert lenet.nodes["predictions"].shape == (7,)
    assert seq2seq.total_params == 718_173
    with pytest.raises(SpecErrors) as info:
        load_graphs(["lenet5", "seq2seq"], {"num_clases": "7"})
    assert "no spec here has the param 'num_clases'" in str(info.value)
