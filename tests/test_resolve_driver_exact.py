"""The resolver's driver (archcompiler/resolve/__init__.py) pinned exactly: the entry points (load_graph,
graph_from_yaml, --set values for params a spec does not have), the whole pass (no inputs, no layers, which
errors are reported together and in what order), the listed outputs (``{layer:, when:}`` entries), the check
that every layer feeds an output (E-UNUSED, the layers only an output left out by ``when`` needs), each layer
entry (when, repeat and its limit, the names of repeated copies, the order its values are worked out in) and
its dispatch (block use, residual/branches, plugin kinds, an unknown type with its hint). Each error is
compared whole: file:line:column (1-based; a value's place is where it starts, worked out from the text by
hand), path, message, hint and code; each graph by its nodes' names, inputs, shapes, paths, places and
scopes. Pure Python (no Keras)."""

from pathlib import Path

import pytest
from resolve_text import errors
from resolve_text import graph as _graph

from archcompiler import resolve
from archcompiler.errors import SpecErrors
from archcompiler.graph import Scope, TensorRef
from archcompiler.layers import KINDS
from archcompiler.resolve import graph_from_yaml, load_graph
from archcompiler.source import load_yaml

UNUSED_HINT = "read it in a later layer's 'inputs', list it under 'outputs:', or remove it"
SCHEMA_HINT = "run 'archcompiler schema' for the list of layer kinds"
X4 = "name: t\ninputs:\n  x: {shape: [4]}\n"  # lines 1-3; the input's value starts at 3:6


def nodes(graph):
    """Each node as (name, inputs, shapes, path, place)."""
    return [(n.name, [str(r) for r in n.inputs], n.shapes, n.path, str(n.loc)) for n in graph.nodes.values()]


def unused(loc, path, name, what="layer"):
    return (loc, path, f"never used: the {what} '{name}' feeds no output", UNUSED_HINT, "E-UNUSED")


# --- the whole pass --------------------------------------------------------------------------------

def test_a_spec_without_inputs_says_so_and_nothing_about_its_layers():
    assert errors("name: t\ninputs: {}\nlayers: []\n") == [
        ("s.yaml:2:9", "inputs", "the spec has no inputs", "declare one, e.g. inputs: {image: {shape: [224, 224, 3]}}",
         "E-INPUTS-NONE")]


def test_a_spec_without_layers_is_located_at_its_layers():
    assert errors(X4 + "layers: []\n") == [
        ("s.yaml:4:9", "layers", "the spec has no layers (or every one is left out by 'when')", "", "E-LAYERS-NONE")]


def test_a_spec_whose_every_layer_is_left_out_by_when_has_no_layers():
    assert errors(X4 + "params: {on: false}\nlayers:\n  - {type: relu, when: false}\n  - {type: relu, when: '${on}'}\n") == [
        ("s.yaml:6:3", "layers", "the spec has no layers (or every one is left out by 'when')", "", "E-LAYERS-NONE")]


def test_the_graph_holds_the_spec_inputs_outputs_params_and_file():
    graph = _graph("name: t\nparams: {n: 3}\ninputs:\n  x: {shape: [4]}\n  y: {shape: [2]}\nlayers:\n"
                   "  - {type: dense, units: '${n}', name: a}\n  - {type: concat, inputs: [a, y]}\n", n=5)
    assert (graph.spec.name, graph.inputs, graph.outputs, graph.params, graph.file) == (
        "t", ["x", "y"], [TensorRef("concatenate")], {"n": 5}, "s.yaml")
    assert nodes(graph) == [  # the first layer reads the first input
        ("x", [], [(4,)], "inputs.x", "s.yaml:4:6"), ("y", [], [(2,)], "inputs.y", "s.yaml:5:6"),
        ("a", ["x"], [(5,)], "layers[0]", "s.yaml:7:5"),
        ("concatenate", ["a", "y"], [(7,)], "layers[1]", "s.yaml:8:5")]


def test_an_empty_outputs_list_means_the_last_layer():
    graph = _graph(X4 + "layers:\n  - {type: relu}\noutputs: []\n")
    assert graph.outputs == [TensorRef("activation")]


def test_a_missing_required_plugin_is_reported_with_the_layers_mistakes():
    assert errors(X4 + "requires: [surely-not-installed-pkg]\nlayers:\n  - {type: relu, when: 3}\n") == [
        ("s.yaml:4:12", "requires[0]", "the plugin 'surely-not-installed-pkg' is not installed",
         "pip install surely-not-installed-pkg", "E-PLUGIN-MISSING"),
        ("s.yaml:6:24", "layers[0].when", "'when' must be true or false, got 3", "", "E-WHEN-INVALID")]


def test_unused_layers_come_before_shape_errors():
    assert errors(X4 + "layers:\n  - {type: conv2d, filters: 2, kernel: 3, name: c}\n  - {type: relu, name: r, inputs: [x]}\n"
                  "  - {type: relu, inputs: [x]}\n") == [
        unused("s.yaml:5:5", "layers[0]", "c"), unused("s.yaml:6:5", "layers[1]", "r"),
        ("s.yaml:5:5", "layers[0]", "c (conv2d): conv2d expects an input of rank 3 (without batch), got shape (4)", "",
         "E-SHAPE")]


def test_an_output_lost_to_an_unknown_shape_reports_only_the_shape_error():
    # the dense reads the conv's unknown shape, so it is left out quietly; 'r' feeds nothing, but with the
    # model's output unknown that is not reported
    assert errors(X4 + "layers:\n  - {type: conv2d, filters: 2, kernel: 3, name: c}\n  - {type: relu, name: r, inputs: [x]}\n"
                  "  - {type: dense, units: '${in.shape[-1]}', inputs: [c]}\n") == [
        ("s.yaml:5:5", "layers[0]", "c (conv2d): conv2d expects an input of rank 3 (without batch), got shape (4)", "",
         "E-SHAPE")]


def test_a_layer_mistake_hides_the_unused_and_shape_checks():
    assert errors(X4 + "layers:\n  - {type: conv2d, filters: 2, kernel: 3, name: c}\n  - {type: relu, inputs: [x]}\n"
                  "  - {type: relu, when: 2}\n") == [
        ("s.yaml:7:24", "layers[2].when", "'when' must be true or false, got 2", "", "E-WHEN-INVALID")]


# --- entry points ---------------------------------------------------------------------------------

SPEC_N = "name: t\nparams: {n: 3}\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: dense, units: '${n}'}\n"


def test_load_graph_reads_a_file_and_applies_sets(tmp_path):
    file = tmp_path / "m.yaml"
    file.write_text(SPEC_N)
    graph = load_graph(file, {"n": "6"})
    assert (graph.file, graph.params, graph.nodes["dense"].shapes) == (str(file), {"n": 6}, [(6,)])
    assert str(graph.nodes["dense"].loc) == f"{file}:6:5"
    assert load_graph(str(file)).nodes["dense"].shapes == [(3,)]


def test_load_graph_refuses_a_set_for_an_unknown_param_unless_told_to_ignore_it(tmp_path):
    file = tmp_path / "m.yaml"
    file.write_text(SPEC_N)
    with pytest.raises(SpecErrors) as info:
        load_graph(file, {"m": "1", "n": "4"})
    assert [(str(e.loc), e.path, e.message, e.hint, e.code) for e in info.value.errors] == [
        ("--set", "--set m", "unknown param 'm'", "params of this spec: n", "E-PARAM-UNKNOWN")]
    graph = load_graph(file, {"m": "1", "n": "4"}, only_known_sets=False)
    assert (graph.params, graph.nodes["dense"].shapes) == ({"n": 4}, [(4,)])


def test_sets_for_a_spec_without_params_are_all_ignored_when_told_to():
    text = X4 + "layers:\n  - {type: relu}\n"
    graph = graph_from_yaml(load_yaml(text, "s.yaml"), Path("s.yaml"), {"n": "4"}, only_known_sets=False)
    assert (graph.params, graph.outputs) == ({}, [TensorRef("activation")])
    assert graph_from_yaml(load_yaml(text, "s.yaml"), Path("s.yaml")).params == {}


def test_the_whole_document_is_validated_first_with_top_level_paths():
    assert errors("inputs:\n  x: {shape: [4]}\nlayers:\n  - {type: relu}\n") == [
        ("s.yaml:1:1", "", "missing required field 'name'", "", "E-FIELD-MISSING")]
    assert errors(X4 + "layers:\n  - 3\n") == [
        ("s.yaml:5:5", "layers[0]", "invalid value 3: Input should be a valid dictionary", "", "E-VALUE-INVALID")]


def test_extends_is_looked_up_beside_the_file(tmp_path):
    (tmp_path / "parent.yaml").write_text(SPEC_N)
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: c\nparams: {n: 8}\n")
    graph = load_graph(child)
    assert (graph.spec.name, graph.params, graph.nodes["dense"].shapes) == ("c", {"n": 8}, [(8,)])


# --- outputs --------------------------------------------------------------------------------------

TWO_HEADS = ("name: t\nparams: {aux: false}\ninputs:\n  x: {shape: [4]}\n  y: {shape: [2]}\nlayers:\n"
             "  - {type: dense, units: 3, name: a, inputs: [x]}\n  - {type: dense, units: 5, name: h, inputs: [y]}\n"
             "  - {type: dense, units: 6, name: h2}\n")  # lines 1-9; outputs start on line 10


def test_listed_outputs_with_their_mistakes_each_located_at_its_item():
    assert errors(TWO_HEADS + "outputs:\n  - {layer: h2, when: '${3}'}\n  - {layer: h2, when: '${zz}'}\n"
                  "  - {layer: 'not a ref', when: false}\n  - {layer: nope, when: false}\n  - {layer: a}\n"
                  "  - nope2\n  - 'bad ref!'\n  - {layer: h9, when: true}\n") == [
        ("s.yaml:11:23", "outputs[0].when", "'when' must be true or false, got 3", "", "E-WHEN-INVALID"),
        ("s.yaml:12:23", "outputs[1].when", "undefined name 'zz'", "defined here: aux", "E-EXPR-NAME"),
        ("s.yaml:16:5", "outputs[5]", "unknown layer or input 'nope2'", "layers above it here: x, y, a, h, h2",
         "E-REF-UNKNOWN"),
        ("s.yaml:17:5", "outputs[6]", "'bad ref!' is not a layer reference",
         "write a layer name, 'name.output' (e.g. encoder.h) or 'name[1]'", "E-REF-SYNTAX"),
        ("s.yaml:18:5", "outputs[7]", "unknown layer or input 'h9'", "did you mean 'h'?", "E-REF-UNKNOWN")]


def test_outputs_not_read_from_yaml_are_located_at_the_outputs_key():
    raw = load_yaml(TWO_HEADS + "outputs: [a, h2, nope]\n", "s.yaml")
    raw["outputs"] = list(raw["outputs"])  # a plain list (a document built in code) knows no item places
    with pytest.raises(SpecErrors) as info:
        graph_from_yaml(raw, Path("s.yaml"))
    assert [(str(e.loc), e.path, e.message, e.code) for e in info.value.errors] == [
        ("s.yaml:10:10", "outputs[2]", "unknown layer or input 'nope'", "E-REF-UNKNOWN")]


def test_an_output_whose_when_holds_is_an_output():
    graph = _graph(TWO_HEADS + "outputs:\n  - a\n  - {layer: h2, when: '${aux}'}\n", aux="true")
    assert graph.outputs == [TensorRef("a"), TensorRef("h2")]
    assert [n.name for n in graph.nodes.values()] == ["x", "y", "a", "h", "h2"]
    graph = _graph(TWO_HEADS + "outputs:\n  - {layer: h2}\n  - a\n")  # no 'when': always
    assert graph.outputs == [TensorRef("h2"), TensorRef("a")]


def test_an_output_left_out_by_when_takes_what_only_it_needs_keeping_the_inputs():
    graph = _graph(TWO_HEADS + "outputs:\n  - a\n  - {layer: h2, when: '${aux}'}\n")
    assert graph.outputs == [TensorRef("a")]
    assert nodes(graph) == [("x", [], [(4,)], "inputs.x", "s.yaml:4:6"), ("y", [], [(2,)], "inputs.y", "s.yaml:5:6"),
                            ("a", ["x"], [(3,)], "layers[0]", "s.yaml:7:5")]


def test_an_output_left_out_by_when_keeps_what_a_listed_output_needs():
    graph = _graph(TWO_HEADS + "outputs:\n  - {layer: h, when: false}\n  - h2\n  - {layer: ghost, when: false}\n"
                   "  - {layer: 'no ref!', when: false}\n  - a\n")
    assert graph.outputs == [TensorRef("h2"), TensorRef("a")]
    assert [n.name for n in graph.nodes.values()] == ["x", "y", "a", "h", "h2"]


def test_a_layer_reading_an_output_left_out_is_still_unused():
    assert errors(TWO_HEADS + "outputs:\n  - {layer: h, when: false}\n  - a\n") == [
        unused("s.yaml:9:5", "layers[2]", "h2")]


# --- every layer feeds an output --------------------------------------------------------------------

def test_a_dead_end_is_reported_once_where_it_ends_and_an_unread_input_too():
    assert errors("name: t\ninputs:\n  x: {shape: [4]}\n  y: {shape: [2]}\nlayers:\n  - {type: relu, name: r1}\n"
                  "  - {type: relu, name: r2}\n  - {type: relu, name: out, inputs: [x]}\n") == [
        unused("s.yaml:4:6", "inputs.y", "y", "input"), unused("s.yaml:7:5", "layers[1]", "r2")]


def test_an_unused_layer_in_a_block_is_located_in_the_block():
    assert errors(X4 + "blocks:\n  b:\n    layers:\n      - {type: relu, name: side}\n      - {type: relu, inputs: [x]}\n"
                  "layers:\n  - {use: b, name: u}\n") == [unused("s.yaml:7:9", "blocks.b.layers[0]", "u_side")]


# --- when and repeat ------------------------------------------------------------------------------

@pytest.mark.parametrize("entry, error", [
    ("{type: relu, when: 2}", ("s.yaml:5:24", "layers[0].when", "'when' must be true or false, got 2", "",
                               "E-WHEN-INVALID")),
    ("{type: relu, when: '${1.5}'}", ("s.yaml:5:24", "layers[0].when", "'when' must be true or false, got 1.5", "",
                                      "E-WHEN-INVALID")),
    ("{type: relu, when: '${nope}'}", ("s.yaml:5:24", "layers[0].when", "undefined name 'nope'",
                                       "defined here: nothing", "E-EXPR-NAME")),
    ("{type: relu, repeat: -1}", ("s.yaml:5:26", "layers[0].repeat", "'repeat' must be a whole number ≥ 0, got -1",
                                  "", "E-REPEAT-INVALID")),
    ("{type: relu, repeat: true}", ("s.yaml:5:26", "layers[0].repeat",
                                    "'repeat' must be a whole number ≥ 0, got True", "", "E-REPEAT-INVALID")),
    ("{type: relu, repeat: 1.5}", ("s.yaml:5:26", "layers[0].repeat", "'repeat' must be a whole number ≥ 0, got 1.5",
                                   "", "E-REPEAT-INVALID")),
    ("{type: relu, repeat: '${-2}'}", ("s.yaml:5:26", "layers[0].repeat",
                                       "'repeat' must be a whole number ≥ 0, got -2", "", "E-REPEAT-INVALID")),
    ("{type: relu, repeat: '${nope}'}", ("s.yaml:5:26", "layers[0].repeat", "undefined name 'nope'",
                                         "defined here: nothing", "E-EXPR-NAME")),
], ids=["when-2", "when-number", "when-undefined", "repeat-negative", "repeat-bool", "repeat-float",
        "repeat-expr-negative", "repeat-undefined"])
def test_a_bad_when_or_repeat_is_pinned_and_the_next_layer_reads_what_came_before(entry, error):
    # the add after it reads the input alone (one input, so it is refused): the bad entry passed it on
    assert errors(X4 + f"layers:\n  - {entry}\n  - {{type: add}}\n") == [
        error, ("s.yaml:6:5", "layers[1].inputs", "add takes 2 to 64 input(s), got 1", "", "E-INPUTS-COUNT")]


def test_a_layer_left_out_by_when_passes_its_input_on():
    graph = _graph("name: t\nparams: {on: false}\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: dense, units: 2}\n"
                   "  - {type: dense, units: 9, when: '${on}'}\n  - {type: dense, units: 7, when: false}\n"
                   "  - {type: dense, units: 5, repeat: 0}\n  - {type: dense, units: 3, when: true}\n")
    assert nodes(graph) == [("x", [], [(4,)], "inputs.x", "s.yaml:4:6"),
                            ("dense", ["x"], [(2,)], "layers[0]", "s.yaml:6:5"),
                            ("dense_1", ["dense"], [(3,)], "layers[4]", "s.yaml:10:5")]


def test_repeated_copies_are_named_x_1_x_2_and_grouped():
    graph = _graph(X4 + "layers:\n  - {type: relu, name: r, repeat: 3}\n  - {type: relu, name: 'q${i}', repeat: 2}\n"
                   "  - {type: relu, name: s, repeat: 1}\n  - {type: relu, repeat: 2}\n")
    assert [(n.name, [str(r) for r in n.inputs], n.path, str(n.loc), n.scopes) for n in graph.nodes.values()] == [
        ("x", [], "inputs.x", "s.yaml:3:6", ()),
        ("r_1", ["x"], "layers[0]", "s.yaml:5:5", (Scope("r", "", "g1", 1, 3),)),
        ("r_2", ["r_1"], "layers[0]", "s.yaml:5:5", (Scope("r", "", "g1", 2, 3),)),
        ("r_3", ["r_2"], "layers[0]", "s.yaml:5:5", (Scope("r", "", "g1", 3, 3),)),
        ("q1", ["r_3"], "layers[1]", "s.yaml:6:5", (Scope("q", "", "g2", 1, 2),)),  # ${i} names them: no suffix
        ("q2", ["q1"], "layers[1]", "s.yaml:6:5", (Scope("q", "", "g2", 2, 2),)),
        ("s", ["q2"], "layers[2]", "s.yaml:7:5", ()),  # one copy: its own name (the count still takes g3)
        ("activation", ["s"], "layers[3]", "s.yaml:8:5", (Scope("relu", "", "g4", 1, 2),)),
        ("activation_1", ["activation"], "layers[3]", "s.yaml:8:5", (Scope("relu", "", "g4", 2, 2),))]


def test_repeat_counts_i_from_one():
    graph = _graph(X4 + "layers:\n  - {type: dense, units: '${i * 10}', repeat: 2}\n")
    assert [(n.name, n.shapes) for n in graph.nodes.values()] == [("x", [(4,)]), ("dense", [(10,)]),
                                                                ("dense_1", [(20,)])]


def test_repeat_limit_edge_and_its_error_whole(monkeypatch):
    monkeypatch.setattr(resolve, "MAX_REPEAT", 3)
    assert len(_graph(X4 + "layers:\n  - {type: relu, repeat: 3}\n").layers()) == 3
    assert errors(X4 + "layers:\n  - {type: relu, repeat: 4}\n  - {type: add}\n") == [
        ("s.yaml:5:26", "layers[0].repeat", "repeat 4 is more than the limit of 3",
         "no architecture in the lecture repeats a layer more than a few dozen times", "E-LIMIT"),
        ("s.yaml:6:5", "layers[1].inputs", "add takes 2 to 64 input(s), got 1", "", "E-INPUTS-COUNT")]


def test_repeat_limit_is_written_with_thousands_separators(monkeypatch):
    monkeypatch.setattr(resolve, "MAX_REPEAT", 1000)
    assert errors(X4 + "layers:\n  - {type: relu, repeat: 1001}\n")[0][2] == "repeat 1,001 is more than the limit of 1,000"


def test_repeat_inside_a_block_keeps_the_block_name_scope_and_counters():
    graph = _graph(X4 + "blocks:\n  b:\n    args: {n: 2}\n    layers:\n      - {type: dense, units: '${n}', repeat: 2}\n"
                   "      - {type: relu, name: r, repeat: 2}\n      - {type: relu}\n"
                   "layers:\n  - {use: b, name: u, n: 3}\n  - {use: b, repeat: 2}\n")
    u = Scope("u", "b", "g1", 1, 1, (("n", 3),))
    b1, b2 = Scope("b", "b", "g4", 1, 2, (("n", 2),)), Scope("b_1", "b", "g4", 2, 2, (("n", 2),))
    assert [(n.name, [str(r) for r in n.inputs], n.shapes, n.path, n.scopes) for n in graph.nodes.values()] == [
        ("x", [], [(4,)], "inputs.x", ()),
        ("u_dense", ["x"], [(3,)], "blocks.b.layers[0]", (u, Scope("u_dense", "", "g2", 1, 2))),
        ("u_dense_1", ["u_dense"], [(3,)], "blocks.b.layers[0]", (u, Scope("u_dense", "", "g2", 2, 2))),
        ("u_r_1", ["u_dense_1"], [(3,)], "blocks.b.layers[1]", (u, Scope("u_r", "", "g3", 1, 2))),
        ("u_r_2", ["u_r_1"], [(3,)], "blocks.b.layers[1]", (u, Scope("u_r", "", "g3", 2, 2))),
        ("u_activation", ["u_r_2"], [(3,)], "blocks.b.layers[2]", (u,)),
        ("b_dense", ["u_activation"], [(2,)], "blocks.b.layers[0]", (b1, Scope("b_dense", "", "g5", 1, 2))),
        ("b_dense_1", ["b_dense"], [(2,)], "blocks.b.layers[0]", (b1, Scope("b_dense", "", "g5", 2, 2))),
        ("b_r_1", ["b_dense_1"], [(2,)], "blocks.b.layers[1]", (b1, Scope("b_r", "", "g6", 1, 2))),
        ("b_r_2", ["b_r_1"], [(2,)], "blocks.b.layers[1]", (b1, Scope("b_r", "", "g6", 2, 2))),
        ("b_activation", ["b_r_2"], [(2,)], "blocks.b.layers[2]", (b1,)),
        ("b_1_dense", ["b_activation"], [(2,)], "blocks.b.layers[0]", (b2, Scope("b_1_dense", "", "g7", 1, 2))),
        ("b_1_dense_1", ["b_1_dense"], [(2,)], "blocks.b.layers[0]", (b2, Scope("b_1_dense", "", "g7", 2, 2))),
        ("b_1_r_1", ["b_1_dense_1"], [(2,)], "blocks.b.layers[1]", (b2, Scope("b_1_r", "", "g8", 1, 2))),
        ("b_1_r_2", ["b_1_r_1"], [(2,)], "blocks.b.layers[1]", (b2, Scope("b_1_r", "", "g8", 2, 2))),
        ("b_1_activation", ["b_1_r_2"], [(2,)], "blocks.b.layers[2]", (b2,))]
    assert graph.nodes["b_1_r_2"].scopes[0].args == (("n", 2),)


def test_a_block_repeating_a_use_of_itself_is_refused():
    assert errors(X4 + "blocks:\n  b:\n    layers:\n      - {use: b, repeat: 2}\nlayers:\n  - {use: b}\n") == [
        ("s.yaml:7:15", "blocks.b.layers[0].use", "block 'b' uses itself (b → b)",
         "a block cannot contain itself, directly or through another block", "E-BLOCK-RECURSIVE")]


def test_repeated_copies_auto_named_after_a_layer_of_the_same_kind():
    graph = _graph(X4 + "layers:\n  - {type: relu}\n  - {type: relu, repeat: 2}\n  - {type: relu}\n")
    assert [n.name for n in graph.nodes.values()] == ["x", "activation", "activation_1", "activation_2",
                                                      "activation_3"]


# --- one entry: the order its values are worked out in ------------------------------------------

def test_inputs_are_worked_out_first_so_in_names_them():
    graph = _graph("name: t\ninputs:\n  x: {shape: [4]}\n  y: {shape: [7]}\nlayers:\n"
                   "  - {type: dense, units: 2, name: a, inputs: x}\n"
                   "  - {type: dense, units: '${in.shape[-1]}', name: b, inputs: [y]}\n  - {type: concat, inputs: [a, b]}\n")
    assert nodes(graph) == [("x", [], [(4,)], "inputs.x", "s.yaml:3:6"), ("y", [], [(7,)], "inputs.y", "s.yaml:4:6"),
                            ("a", ["x"], [(2,)], "layers[0]", "s.yaml:6:5"),
                            ("b", ["y"], [(7,)], "layers[1]", "s.yaml:7:5"),
                            ("concatenate", ["a", "b"], [(9,)], "layers[2]", "s.yaml:8:5")]


def test_the_keys_after_when_and_repeat_are_still_read():
    graph = _graph(X4 + "layers:\n  - {when: true, type: dense, units: 2}\n  - {repeat: 2, type: dense, units: 3}\n")
    assert [(n.name, n.shapes) for n in graph.nodes.values()] == [
        ("x", [(4,)]), ("dense", [(2,)]), ("dense_1", [(3,)]), ("dense_2", [(3,)])]


def test_readers_of_a_broken_layer_stay_quiet():
    assert errors(X4 + "layers:\n  - {type: dense, name: a, units: '${nope}'}\n  - {type: add, inputs: [a]}\n"
                  "  - {type: dense, name: b, units: -1}\n  - {type: add, inputs: [b]}\n"
                  "  - {type: dense, units: '${nope}', name: c, repeat: 2}\n  - {type: add, inputs: [c_2]}\n"
                  "  - {type: dense, units: '${nope}', name: 'q${i}', repeat: 2}\n  - {type: add, inputs: [q2]}\n"
                  "  - {use: blk, n: '${nope}', name: u}\n  - {type: add, inputs: [u]}\n"
                  "blocks:\n  blk:\n    args: {n: 1}\n    layers: [{type: relu}]\n") == [
        ("s.yaml:5:35", "layers[0].units", "undefined name 'nope'", "defined here: nothing", "E-EXPR-NAME"),
        ("s.yaml:7:35", "layers[2].units", "dense: invalid value -1: Input should be greater than or equal to 1", "",
         "E-VALUE-INVALID"),
        ("s.yaml:9:26", "layers[4].units", "undefined name 'nope'", "defined here: i", "E-EXPR-NAME"),
        ("s.yaml:11:26", "layers[6].units", "undefined name 'nope'", "defined here: i", "E-EXPR-NAME"),
        ("s.yaml:13:19", "layers[8].n", "undefined name 'nope'", "defined here: nothing", "E-EXPR-NAME")]


def test_a_layer_left_out_for_an_unknown_shape_hides_no_shape_error_behind_its_readers():
    # the dense cannot read the conv's shape (the conv's own error made it unknown); its reader used to be told
    # "'d' is defined later in the spec", which hid the conv's error
    assert errors(X4 + "layers:\n  - {type: conv2d, filters: 2, kernel: 3, name: c}\n"
                  "  - {type: dense, name: d, units: '${in.shape[-1]}'}\n  - {type: relu, inputs: [d]}\n") == [
        ("s.yaml:5:5", "layers[0]", "c (conv2d): conv2d expects an input of rank 3 (without batch), got shape (4)", "",
         "E-SHAPE")]


def test_a_broken_layer_reusing_a_name_leaves_the_first_one_readable():
    assert errors(X4 + "layers:\n  - {type: dense, units: 2, name: a}\n  - {type: dense, name: a, units: '${nope}'}\n"
                  "  - {type: add, inputs: [a]}\n") == [
        ("s.yaml:6:35", "layers[1].units", "undefined name 'nope'", "defined here: nothing", "E-EXPR-NAME"),
        ("s.yaml:7:25", "layers[2].inputs", "add takes 2 to 64 input(s), got 1", "", "E-INPUTS-COUNT")]


# --- dispatch ----------------------------------------------------------------------------------------

def test_each_type_mistake_is_pinned_whole():
    assert errors(X4 + "layers:\n  - {type: 3}\n  - {type: dense2}\n  - {type: zzzzqq}\n  - {units: 3}\n"
                  "  - {type: input}\n  - {type: [a, b]}\n  - {type: residul}\n  - {type: Dense}\n") == [
        ("s.yaml:5:12", "layers[0].type", "'type' must be the name of a layer kind, got 3",
         "write it as a word, e.g. type: dense", "E-TYPE-UNKNOWN"),
        ("s.yaml:6:12", "layers[1].type", "unknown layer type 'dense2'", "did you mean 'dense'?", "E-TYPE-UNKNOWN"),
        ("s.yaml:7:12", "layers[2].type", "unknown layer type 'zzzzqq'", SCHEMA_HINT, "E-TYPE-UNKNOWN"),
        ("s.yaml:8:5", "layers[3]", "a layer entry needs 'type' (a layer kind) or 'use' (a block)", "",
         "E-ENTRY-NO-TYPE"),
        ("s.yaml:9:12", "layers[4].type", "unknown layer type 'input'", SCHEMA_HINT, "E-TYPE-UNKNOWN"),
        ("s.yaml:10:12", "layers[5].type", "'type' must be the name of a layer kind, got ['a', 'b']",
         "write it as a word, e.g. type: dense", "E-TYPE-UNKNOWN"),
        ("s.yaml:11:12", "layers[6].type", "unknown layer type 'residul'", "did you mean 'residual'?",
         "E-TYPE-UNKNOWN"),
        ("s.yaml:12:12", "layers[7].type", "unknown layer type 'Dense'", "did you mean 'dense'?", "E-TYPE-UNKNOWN")]


@pytest.mark.parametrize("word, kind", [
    ("conv", "conv2d"), ("convolution", "conv2d"), ("pool", "maxpool2d"), ("maxpool", "maxpool2d"),
    ("max_pool", "maxpool2d"), ("avgpool", "avgpool2d"), ("fc", "dense"), ("linear", "dense"), ("bn", "batchnorm"),
    ("batch_norm", "batchnorm"), ("layer_norm", "layernorm"), ("mha", "multi_head_attention"),
    ("concatenate", "concat"), ("gap", "global_avgpool2d"), ("zeropad", "zeropad2d"), ("padding", "zeropad2d"),
    ("bahdanau", "additive_attention"), ("luong", "attention")])
def test_another_framework_s_word_for_a_kind_is_answered_with_ours(word, kind):
    assert errors(X4 + f"layers:\n  - {{type: {word}}}\n") == [
        ("s.yaml:5:12", "layers[0].type", f"unknown layer type '{word}'", f"did you mean '{kind}'?", "E-TYPE-UNKNOWN")]
    assert kind in KINDS


def test_structures_and_block_uses_are_dispatched_with_their_place_and_repeat():
    graph = _graph(X4 + "blocks:\n  b:\n    layers:\n      - {type: relu}\n"
                   "layers:\n  - {type: residual, repeat: 2, body: [{type: relu}]}\n"
                   "  - {type: branches, branches: [[{type: relu}], [{type: relu}]], name: br}\n  - {use: b, repeat: 2}\n")
    assert nodes(graph) == [
        ("x", [], [(4,)], "inputs.x", "s.yaml:3:6"),
        ("activation", ["x"], [(4,)], "layers[0].body[0]", "s.yaml:9:40"),
        ("add", ["x", "activation"], [(4,)], "layers[0]", "s.yaml:9:5"),
        ("activation_1", ["add"], [(4,)], "layers[0].body[0]", "s.yaml:9:40"),
        ("add_1", ["add", "activation_1"], [(4,)], "layers[0]", "s.yaml:9:5"),
        ("activation_2", ["add_1"], [(4,)], "layers[1].branches[0][0]", "s.yaml:10:34"),
        ("activation_3", ["add_1"], [(4,)], "layers[1].branches[1][0]", "s.yaml:10:50"),
        ("br", ["activation_2", "activation_3"], [(8,)], "layers[1]", "s.yaml:10:5"),
        ("b_activation", ["br"], [(8,)], "blocks.b.layers[0]", "s.yaml:7:9"),
        ("b_1_activation", ["b_activation"], [(8,)], "blocks.b.layers[0]", "s.yaml:7:9")]
    assert [n.scopes for n in graph.nodes.values()][-2:] == [(Scope("b", "b", "g2", 1, 2),),
                                                             (Scope("b_1", "b", "g2", 2, 2),)]


class Broken:  # registered as a kind below: not a layer kind at all
    pass


class Wrong:
    pass


def test_a_broken_plugin_kind_is_reported_once_where_first_used(monkeypatch):
    monkeypatch.setitem(KINDS, "broken", Broken)
    monkeypatch.setitem(KINDS, "wrong", Wrong)
    not_kind = "not a layer kind (type '{}', not a subclass of archcompiler.plugin.Layer)"
    assert errors(X4 + "requires: [surely-not-installed-pkg]\nlayers:\n  - {type: broken, name: k}\n"
                  "  - {type: broken}\n  - {type: wrong}\n  - {type: add, inputs: [k]}\n") == [
        ("s.yaml:4:12", "requires[0]", "the plugin 'surely-not-installed-pkg' is not installed",
         "pip install surely-not-installed-pkg", "E-PLUGIN-MISSING"),
        ("s.yaml:6:12", "layers[0].type", f"plugin broken (not installed): its kind 'broken' is {not_kind.format('Broken')}",
         "report it to the plugin's authors", "E-PLUGIN-BROKEN"),
        ("s.yaml:8:12", "layers[2].type", f"plugin wrong (not installed): its kind 'wrong' is {not_kind.format('Wrong')}",
         "report it to the plugin's authors", "E-PLUGIN-BROKEN")]


def test_the_entries_of_a_body_shortcut_or_branch_are_worked_out_where_they_run():
    # '${d.shape[-1] + 1}' reads the dense d in the same list (3 + 1); where the structure is, d is not defined yet
    grow = "[{type: dense, units: 3, name: d}, {type: dense, units: '${d.shape[-1] + 1}'}]"
    shapes = lambda graph: [(n.name, n.shapes) for n in graph.nodes.values()][1:]
    assert shapes(_graph(X4 + f"layers:\n  - {{type: residual, body: {grow}}}\n")) == [
        ("d", [(3,)]), ("dense", [(4,)]), ("add", [(4,)])]
    assert shapes(_graph(X4 + f"layers:\n  - {{type: residual, body: [{{type: relu}}], shortcut: {grow}}}\n")) == [
        ("activation", [(4,)]), ("d", [(3,)]), ("dense", [(4,)]), ("add", [(4,)])]
    assert shapes(_graph(X4 + f"layers:\n  - {{type: branches, branches: [{grow}, [{{type: relu}}]]}}\n")) == [
        ("d", [(3,)]), ("dense", [(4,)]), ("activation", [(4,)]), ("concatenate", [(8,)])]


def test_inputs_come_first_even_before_a_key_earlier_in_the_alphabet():
    # filters (before 'inputs' alphabetically) reads in = z (6 channels), not the layer above (2)
    graph = _graph("name: t\ninputs:\n  x: {shape: [4]}\n  z: {shape: [5, 6]}\nlayers:\n  - {type: dense, units: 2, name: a}\n"
                   "  - {type: conv1d, filters: '${in.shape[-1]}', kernel: 1, inputs: [z], name: c}\noutputs: [a, c]\n")
    assert [(n.name, [str(r) for r in n.inputs], n.shapes) for n in graph.nodes.values()] == [
        ("x", [], [(4,)]), ("z", [], [(5, 6)]), ("a", ["x"], [(2,)]), ("c", ["z"], [(5, 6)])]


def test_a_failed_value_and_a_failed_name_after_it_are_both_reported():
    assert errors(X4 + "layers:\n  - {type: dense, units: '${nope}', name: '${bad}'}\n  - {type: relu}\n") == [
        ("s.yaml:5:26", "layers[0].units", "undefined name 'nope'", "defined here: nothing", "E-EXPR-NAME"),
        ("s.yaml:5:43", "layers[0].name", "undefined name 'bad'", "defined here: nothing", "E-EXPR-NAME")]
