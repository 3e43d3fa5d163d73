"""The resolver's params, cells and inputs (resolve/params.py), its names (resolve/names.py: frames,
``Names``, Keras-style automatic names, ``${in.channels}`` and references such as ``conv1``, ``enc.h``,
``lstm[1]``) and its ``${...}`` in values (resolve/values.py), pinned exactly without Keras.

Every mistake is compared whole: location (file:line:column, 1-based, a value's place being where it
starts), path, message, hint and code, worked out by hand from the spec text. Specs that load are pinned
by their nodes (names in order, inputs, shapes, paths, locations, scopes), outputs and params."""


import pytest
from resolve_text import errors, graph

from archcompiler.errors import Loc
from archcompiler.graph import Scope, TensorRef
from archcompiler.resolve.names import Frame, Names
from archcompiler.resolve.values import substitute_all
from archcompiler.source import YDict, YList, ydict, ylist

REF_SYNTAX_HINT = "write a layer name, 'name.output' (e.g. encoder.h) or 'name[1]'"
LATER = "is defined later in the spec: a layer can only read layers above it, so the graph has no cycles"
CELL_MISSING = ("an rnn layer runs a cell declared under 'cells:'; add 'cell: <name>'",
                "for the plain recurrent layer write 'type: simple_rnn'", "E-CELL-MISSING")


def nodes(g):
    """Each node as (name, kind, inputs as text, shapes, path, location)."""
    return [(n.name, n.kind, [str(r) for r in n.inputs], n.shapes, n.path, str(n.loc)) for n in g.nodes.values()]


# --- params and --set ---------------------------------------------------------------------------

PARAMS = """name: t
params: {units: 4, act: relu, flag: true, rate: 0.5}
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: "${units}", activation: "${act}"}
"""


def test_a_set_value_is_read_as_yaml_and_replaces_the_default():
    g = graph(PARAMS, units=6, act="tanh", flag="false", rate=1)
    assert g.params == {"units": 6, "act": "tanh", "flag": False, "rate": 1}
    assert nodes(g) == [("x", "input", [], [(8,)], "inputs.x", "s.yaml:3:13"),
                        ("dense", "dense", ["x"], [(6,)], "layers[0]", "s.yaml:5:5")]
    assert g.nodes["dense"].layer.activation == "tanh"


def test_params_keep_their_defaults_without_a_set():
    assert graph(PARAMS).params == {"units": 4, "act": "relu", "flag": True, "rate": 0.5}




def test_a_set_for_a_param_the_spec_lacks_names_the_params_or_the_closest_one():
    assert errors(PARAMS, nope=1, unit=5) == [
        ("--set", "--set nope", "unknown param 'nope'", "params of this spec: units, act, flag, rate", "E-PARAM-UNKNOWN"),
        ("--set", "--set unit", "unknown param 'unit'", "did you mean 'units'?", "E-PARAM-UNKNOWN")]


def test_a_set_for_a_spec_without_params_says_none():
    text = "name: t\ninputs: {x: {shape: [8]}}\nlayers:\n  - {type: dense, units: 3}\n"
    assert errors(text, units=5) == [
        ("--set", "--set units", "unknown param 'units'", "params of this spec: none", "E-PARAM-UNKNOWN")]


def test_a_set_of_the_wrong_type_is_refused_and_the_default_kept():
    # the default stays in force after the refusal: 'half' is worked out from units = 4, with no second error
    text = """name: t
params: {units: 4, half: "${units // 2}", flag: true}
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: "${half}"}
"""
    assert errors(text, units="abc") == [
        ("--set", "--set units", "param 'units' expects an integer, got 'abc'", "", "E-PARAM-TYPE")]
    assert errors(text, units="2.5", flag="3") == [
        ("--set", "--set units", "param 'units' expects an integer, got '2.5'", "", "E-PARAM-TYPE"),
        ("--set", "--set flag", "param 'flag' expects true or false, got '3'", "", "E-PARAM-TYPE")]
    # a boolean is not an integer, and an integer is not a boolean
    assert errors(text, units="true", flag="1") == [
        ("--set", "--set units", "param 'units' expects an integer, got 'true'", "", "E-PARAM-TYPE"),
        ("--set", "--set flag", "param 'flag' expects true or false, got '1'", "", "E-PARAM-TYPE")]
    assert graph(text, units=10).params == {"units": 10, "half": 5, "flag": True}


def test_a_float_or_text_param_takes_any_set_value_and_text_that_is_not_yaml_as_it_is():
    text = """name: t
params: {rate: 0.5, act: relu}
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: 3}
"""
    assert graph(text, rate=1, act=7).params == {"rate": 1, "act": 7}
    assert graph(text, act="[1, 2").params == {"rate": 0.5, "act": "[1, 2"}  # not YAML: kept as its text


def test_a_param_reads_the_params_above_it_and_a_mistake_is_located_in_params():
    text = """name: t
params:
  units: 4
  twice: "${units * 2}"
  bad: "${units +}"
  after: "${bad + 1}"
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: "${twice}"}
"""
    readers = text + '  - {type: dense, units: "${after}", when: "${bad > 0}"}\n  - {type: dense, units: "${ghost}"}\n'
    # what reads a failed param, directly or through another param, stays quiet: its one error says it all
    # (it once read null, and 'after' reported "'+' needs numbers, got null"); an undefined name is still one
    assert errors(readers) == [
        ("s.yaml:5:8", "params.bad", "cannot parse expression 'units +'",
         ("use numbers, names, + - * / // % **, comparisons, 'a if cond else b', min/max/abs/int, in.channels, "
          "in.shape[k]"), "E-EXPR-SYNTAX"),
        ("s.yaml:11:26", "layers[2].units", "undefined name 'ghost'", "defined here: twice, units", "E-EXPR-NAME")]
    fixed = text.replace('"${units +}"', '"${units + 1}"')
    g = graph(fixed, units=3)
    assert g.params == {"units": 3, "twice": 6, "bad": 4, "after": 5}
    assert g.nodes["dense"].shapes == [(6,)]


# --- cells --------------------------------------------------------------------------------------

CELLS = """name: t
params: {act: tanh, n: 5}
inputs: {x: {shape: ["${n}", 8]}}
cells:
  mine:
    state: [h]
    gates: {z: {activation: "${act}"}}
    update: {h: "z * h"}
layers:
  - {type: rnn, cell: mine, units: 4, name: r}
"""


def test_a_cell_is_declared_with_the_params_substituted_and_named():
    g = graph(CELLS, act="relu")
    assert nodes(g) == [("x", "input", [], [(5, 8)], "inputs.x", "s.yaml:3:13"),
                        ("r", "rnn", ["x"], [(4,)], "layers[0]", "s.yaml:10:5")]
    cell = g.nodes["r"].layer.cell
    assert (cell._name, cell.state, cell.update, cell.gates["z"].activation) == ("mine", ["h"], {"h": "z * h"}, "relu")


BROKEN_CELLS = """name: t
params: {act: tanh}
inputs: {x: {shape: [5, 8]}}
cells:
  mine:
    state: [h]
    gates: {z: {activation: "${act}"}}
    update: {h: "z * h"}
  bad:
    state: [h]
    gates: {z: {}}
    update: {h: "q * h"}
  broken:
    state: [h]
    gates: {z: {activation: "${nope}"}}
    update: {h: "z * h"}
layers:
"""
CELL_ERRORS = [
    ("s.yaml:12:17", "cells.bad.update.h", "update of 'h': unknown name 'q' (at character 1)", "gates: z; states: h",
     "E-CELL"),
    ("s.yaml:11:13", "cells.bad.gates.z", "gate 'z' is never used",
     "use it in an update expression or as another gate's reset, or remove it", "E-CELL"),
    ("s.yaml:14:5", "cells.broken", "undefined name 'nope'", "defined here: act", "E-EXPR-NAME")]


def test_a_cell_with_mistakes_is_reported_once_and_its_layers_stay_quiet():
    # the rnn running the bad cell is left out, so the layer after it cannot read its (rank-1) shape
    text = BROKEN_CELLS + """  - {type: rnn, cell: bad, units: 4}
  - {type: dense, units: "${in.height}"}
  - {type: rnn, cell: broken, units: 4, inputs: x}
"""
    assert errors(text) == CELL_ERRORS


def test_an_rnn_names_a_declared_cell():
    text = BROKEN_CELLS + """  - {type: rnn, cell: mien, units: 4}
  - {type: rnn, cell: zzz, units: 4}
  - {type: rnn, cell: 5, units: 4}
  - {type: rnn, units: 4}
"""
    assert errors(text) == CELL_ERRORS + [
        ("s.yaml:18:23", "layers[0].cell", "unknown cell 'mien'", "did you mean 'mine'?", "E-CELL-UNKNOWN"),
        ("s.yaml:19:23", "layers[1].cell", "unknown cell 'zzz'", "cells of this spec: mine, bad, broken",
         "E-CELL-UNKNOWN"),
        ("s.yaml:20:23", "layers[2].cell",
         "rnn: invalid value 5: Input should be a valid dictionary or instance of CellSpec", "", "E-VALUE-INVALID"),
        ("s.yaml:21:5", "layers[3].cell") + CELL_MISSING]


def test_an_rnn_in_a_spec_without_cells_is_told_to_declare_one():
    text = "name: t\ninputs: {x: {shape: [5, 8]}}\nlayers:\n  - {type: rnn, cell: zzz, units: 4}\n  - {type: rnn, units: 4}\n"
    assert errors(text) == [
        ("s.yaml:4:23", "layers[0].cell", "unknown cell 'zzz'", "declare it under 'cells:'", "E-CELL-UNKNOWN"),
        ("s.yaml:5:5", "layers[1].cell") + CELL_MISSING]


# --- inputs -------------------------------------------------------------------------------------

def test_inputs_become_nodes_in_order_with_params_substituted():
    text = """name: t
params: {n: 5}
inputs:
  image: {shape: ["${n}", 4, 3]}
  extra: {shape: [2], dtype: int32}
layers:
  - {type: flatten, name: f}
  - {type: concat, inputs: [f, extra], name: both}
"""
    g = graph(text)
    assert g.inputs == ["image", "extra"]
    assert nodes(g) == [("image", "input", [], [(5, 4, 3)], "inputs.image", "s.yaml:4:10"),
                        ("extra", "input", [], [(2,)], "inputs.extra", "s.yaml:5:10"),
                        ("f", "flatten", ["image"], [(60,)], "layers[0]", "s.yaml:7:5"),
                        ("both", "concat", ["f", "extra"], [(62,)], "layers[1]", "s.yaml:8:5")]
    assert g.outputs == [TensorRef("both")]


def test_an_input_with_a_mistake_is_left_out_and_its_readers_stay_quiet():
    # regression: a layer reading a broken input was told "unknown layer or input 'a'", a declared input
    text = """name: t
inputs:
  a: {shape: ["${zz}"]}
  b: {shape: [two]}
  c: {shape: [3]}
layers:
  - {type: dense, units: 3, inputs: a}
  - {type: dense, units: 3, inputs: b}
  - {type: dense, units: 3, inputs: c}
"""
    assert errors(text) == [
        ("s.yaml:3:6", "inputs.a", "undefined name 'zz'", "defined here: nothing", "E-EXPR-NAME"),
        ("s.yaml:4:15", "inputs.b.shape[0]",
         "input: invalid value 'two': Input should be a valid integer, unable to parse string as an integer", "",
         "E-VALUE-INVALID")]


def test_an_unknown_reference_with_nothing_above_it_has_no_hint():
    text = """name: t
inputs:
  a: {shape: ["${zz}"]}
layers:
  - {type: dense, units: 3, inputs: q}
"""
    assert errors(text) == [
        ("s.yaml:3:6", "inputs.a", "undefined name 'zz'", "defined here: nothing", "E-EXPR-NAME"),
        ("s.yaml:5:37", "layers[0].inputs", "unknown layer or input 'q'", "", "E-REF-UNKNOWN")]


# --- automatic names ----------------------------------------------------------------------------

def test_unnamed_layers_are_numbered_per_kind_like_keras_skipping_taken_names():
    text = """name: t
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: 3}
  - {type: dense, units: 3, name: dense_1}
  - {type: dense, units: 3}
  - {type: dropout, rate: 0.5}
  - {type: dense, units: 3}
  - {type: dropout, rate: 0.5}
"""
    assert nodes(graph(text)) == [
        ("x", "input", [], [(8,)], "inputs.x", "s.yaml:2:13"),
        ("dense", "dense", ["x"], [(3,)], "layers[0]", "s.yaml:4:5"),
        ("dense_1", "dense", ["dense"], [(3,)], "layers[1]", "s.yaml:5:5"),
        ("dense_2", "dense", ["dense_1"], [(3,)], "layers[2]", "s.yaml:6:5"),
        ("dropout", "dropout", ["dense_2"], [(3,)], "layers[3]", "s.yaml:7:5"),
        ("dense_3", "dense", ["dropout"], [(3,)], "layers[4]", "s.yaml:8:5"),
        ("dropout_1", "dropout", ["dense_3"], [(3,)], "layers[5]", "s.yaml:9:5")]


BLOCKS = """name: t
inputs: {x: {shape: [8]}}
blocks:
  b:
    args: {k: 2}
    layers:
      - {type: dense, units: "${x.channels + k}"}
      - {type: dense, units: "${in.channels + top.channels}"}
  flat:
    prefix: false
    layers:
      - {type: dense, units: 3}
layers:
  - {type: dense, units: 4, name: top}
  - {type: dense, units: 5, name: b_dense}
  - {use: b, name: b}
  - {use: flat}
  - {use: flat}
  - {type: dense, units: 2}
"""


def test_names_in_a_block_skip_those_taken_by_the_whole_model_and_expressions_read_tensors():
    # in block b: x is the block's input (b_dense, 5 wide), 'in' the layer above, 'top' a layer of the model;
    # its first dense would be b_dense, which a top-level layer already has. 'flat' (prefix: false) numbers on.
    g = graph(BLOCKS)
    assert nodes(g) == [
        ("x", "input", [], [(8,)], "inputs.x", "s.yaml:2:13"),
        ("top", "dense", ["x"], [(4,)], "layers[0]", "s.yaml:14:5"),
        ("b_dense", "dense", ["top"], [(5,)], "layers[1]", "s.yaml:15:5"),
        ("b_dense_1", "dense", ["b_dense"], [(5 + 2,)], "blocks.b.layers[0]", "s.yaml:7:9"),
        ("b_dense_2", "dense", ["b_dense_1"], [(7 + 4,)], "blocks.b.layers[1]", "s.yaml:8:9"),
        ("dense", "dense", ["b_dense_2"], [(3,)], "blocks.flat.layers[0]", "s.yaml:12:9"),
        ("dense_1", "dense", ["dense"], [(3,)], "blocks.flat.layers[0]", "s.yaml:12:9"),
        ("dense_2", "dense", ["dense_1"], [(2,)], "layers[5]", "s.yaml:19:5")]
    assert [n.scopes for n in g.nodes.values()][3:7] == [
        (Scope("b", "b", "g1", 1, 1),), (Scope("b", "b", "g1", 1, 1),),
        (Scope("flat", "flat", "g2", 1, 1),), (Scope("flat_1", "flat", "g3", 1, 1),)]


def test_numbering_goes_on_past_a_name_that_a_failed_layer_took():
    # the block's conv2d (named as if written at the top) is conv2d, whose zero-padding conv2d_pad is taken,
    # so it fails; the next unnamed conv2d is conv2d_1 (its padding conv2d_1_pad), not conv2d again
    text = """name: t
inputs: {x: {shape: [4, 4, 3]}}
blocks:
  flat:
    prefix: false
    layers:
      - {type: conv2d, filters: 2, kernel: 1, padding: 1}
layers:
  - {type: conv2d, filters: 2, kernel: 1, name: conv2d_pad}
  - {use: flat}
  - {type: conv2d, filters: 2, kernel: 1, padding: 1, inputs: conv2d_pad}
"""
    assert errors(text) == [("s.yaml:7:9", "blocks.flat.layers[0].name",
                             "the name 'conv2d_pad' is already used (at line 9)", "every layer needs its own name",
                             "E-NAME-DUPLICATE")]


def test_frame_names_a_local_under_its_prefix():
    assert Frame("", {}, {}).qualify("conv") == "conv"
    assert Frame("block1", {}, {}).qualify("conv") == "block1_conv"


# --- Names: what ${...} reads -------------------------------------------------------------------

def test_names_reads_values_first_then_tensors_and_lists_only_the_values():
    asked = []

    def tensor(key):
        asked.append(key)
        return "view of in" if key == "in" else None

    names = Names({"units": 4, "in": "the value"}, tensor)
    assert (names["units"], names["in"]) == (4, "the value")
    assert asked == []  # a value hides a tensor of the same name, which is not even looked up
    names = Names({"units": 4}, tensor)
    assert names["in"] == "view of in"
    with pytest.raises(KeyError) as info:
        names["conv"]
    assert info.value.args == ("conv",)
    assert ("units" in names, "in" in names, "conv" in names) == (True, True, False)
    assert (list(names), len(names), dict(names)) == (["units"], 1, {"units": 4})


# --- ${in...} and ${layer...} -------------------------------------------------------------------

def test_in_is_the_first_listed_input_or_the_layer_above():
    text = """name: t
inputs: {x: {shape: [8]}, y: {shape: [6]}}
layers:
  - {type: dense, units: 5, name: a, inputs: y}
  - {type: dense, units: "${in.channels + 1}", name: b, inputs: x}
  - {type: dense, units: "${in.channels + 2}", name: c}
  - {type: concat, inputs: [a, c], name: d}
  - {type: dense, units: "${in.channels * 10 + a.channels}", inputs: [d], name: e}
  - {type: dense, units: "${in.channels}", inputs: null, name: f}
"""
    assert nodes(graph(text)) == [
        ("x", "input", [], [(8,)], "inputs.x", "s.yaml:2:13"),
        ("y", "input", [], [(6,)], "inputs.y", "s.yaml:2:30"),
        ("a", "dense", ["y"], [(5,)], "layers[0]", "s.yaml:4:5"),
        ("b", "dense", ["x"], [(8 + 1,)], "layers[1]", "s.yaml:5:5"),
        ("c", "dense", ["b"], [(9 + 2,)], "layers[2]", "s.yaml:6:5"),
        ("d", "concat", ["a", "c"], [(5 + 11,)], "layers[3]", "s.yaml:7:5"),
        ("e", "dense", ["d"], [(16 * 10 + 5,)], "layers[4]", "s.yaml:8:5"),
        ("f", "dense", ["e"], [(165,)], "layers[5]", "s.yaml:9:5")]


def test_in_reads_the_output_an_input_reference_picks():
    text = """name: t
inputs: {x: {shape: [5, 8]}}
layers:
  - {type: lstm, units: 4, return_sequences: true, return_state: true, name: l}
  - {type: dense, units: "${in.rank * 100 + in.channels}", inputs: "l[2]", name: a}
  - {type: dense, units: "${in.rank * 100 + in.channels}", inputs: [l], name: b}
  - {type: flatten, inputs: b, name: g}
  - {type: concat, inputs: [a, l.h, g], name: c}
"""
    g = graph(text)
    assert nodes(g) == [
        ("x", "input", [], [(5, 8)], "inputs.x", "s.yaml:2:13"),
        ("l", "lstm", ["x"], [(5, 4), (4,), (4,)], "layers[0]", "s.yaml:4:5"),
        ("a", "dense", ["l[2]"], [(104,)], "layers[1]", "s.yaml:5:5"),
        ("b", "dense", ["l"], [(5, 204)], "layers[2]", "s.yaml:6:5"),
        ("g", "flatten", ["b"], [(5 * 204,)], "layers[3]", "s.yaml:7:5"),
        ("c", "concat", ["a", "l[1]", "g"], [(104 + 4 + 1020,)], "layers[4]", "s.yaml:8:5")]
    assert g.nodes["c"].inputs == [TensorRef("a", 0), TensorRef("l", 1), TensorRef("g", 0)]


def test_a_mistake_in_the_inputs_that_in_reads_is_reported_at_the_expression():
    # regression: the entry stopped at its ${in...} without a word, so the layer silently went missing
    # (or, when it was the last one, the resolver crashed); now the mistake is said where 'in' is read
    text = """name: t
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: 4, name: a}
  - {type: dense, units: "${in.channels}", name: b, inputs: "nope"}
  - {type: dense, units: "${in.channels}", name: c, inputs: [later]}
  - {type: dense, units: "${in.channels}", name: d, inputs: []}
  - {type: dense, units: "${in.channels}", name: e, inputs: "a b"}
  - {type: dense, units: "${in.channels}", name: f, inputs: a.h}
  - {type: dense, units: 3, name: later}
"""
    assert errors(text) == [
        ("s.yaml:5:26", "layers[1].units", "in 'inputs': unknown layer or input 'nope'",
         "layers above it here: x, a", "E-REF-UNKNOWN"),
        ("s.yaml:6:26", "layers[2].units", f"in 'inputs': 'later' {LATER}", "move the layer above its first reader",
         "E-REF-LATER"),
        ("s.yaml:7:26", "layers[3].units", "'in' is the entry's first input, and its 'inputs' names none",
         "list the layer it reads under 'inputs'", "E-INPUTS-COUNT"),
        ("s.yaml:8:26", "layers[4].units", "in 'inputs': 'a b' is not a layer reference", REF_SYNTAX_HINT,
         "E-REF-SYNTAX"),
        ("s.yaml:9:26", "layers[5].units", "in 'inputs': 'a' has no output 'h'",
         "its outputs: output [0] (set return_state: true for the states)", "E-REF-OUTPUT")]


def test_an_expression_reading_a_broken_layer_stays_quiet():
    text = """name: t
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: -1, name: a}
  - {type: dense, units: "${a.channels}", name: b}
  - {type: dense, units: "${in.channels}", inputs: a, name: c}
  - {type: dense, units: 2, name: e}
  - {type: dense, units: 2, inputs: x, name: d}
"""
    (only,) = errors(text)
    assert only[:2] == ("s.yaml:4:26", "layers[0].units")


def test_an_expression_reading_a_layer_whose_shape_failed_stays_quiet():
    text = """name: t
inputs: {x: {shape: [4]}}
layers:
  - {type: maxpool2d, pool: 2, name: p}
  - {type: dense, units: "${p.channels}"}
  - {type: dense, units: "${in.channels}", inputs: p}
"""
    assert errors(text) == [("s.yaml:4:5", "layers[0]",
                             "p (maxpool2d): maxpool2d expects an input of rank 3 (without batch), got shape (4)", "",
                             "E-SHAPE")]


def test_an_expression_reading_an_unknown_tensor_name_is_an_undefined_name():
    text = """name: t
params: {k: 1}
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: "${zz.channels}", name: b}
"""
    assert errors(text) == [("s.yaml:5:26", "layers[0].units", "undefined name 'zz'", "defined here: k", "E-EXPR-NAME")]


# --- references ---------------------------------------------------------------------------------

def test_each_kind_of_reference_mistake_is_located_where_it_is_written():
    text = """name: t
inputs: {x: {shape: [5, 8]}}
layers:
  - {type: lstm, units: 4, return_state: true, name: l}
  - {type: dense, units: 3, name: a, inputs: "x y"}
  - {type: concat, name: b, inputs: [l, later]}
  - {type: dense, units: 3, name: later, inputs: l}
  - {type: dense, units: 3, inputs: lter}
  - {type: dense, units: 3, inputs: l.q}
  - {type: dense, units: 3, inputs: "l[3]"}
  - {type: dense, units: 3, inputs: "x[1]"}
  - {type: gru, units: 4, return_state: true, name: g, inputs: x}
  - {type: dense, units: 3, inputs: g.c}
  - {type: dense, units: 3, inputs: a}
"""
    assert errors(text) == [
        ("s.yaml:5:46", "layers[1].inputs", "'x y' is not a layer reference", REF_SYNTAX_HINT, "E-REF-SYNTAX"),
        ("s.yaml:6:41", "layers[2].inputs", f"'later' {LATER}", "move the layer above its first reader", "E-REF-LATER"),
        ("s.yaml:8:37", "layers[4].inputs", "unknown layer or input 'lter'", "did you mean 'later'?", "E-REF-UNKNOWN"),
        ("s.yaml:9:37", "layers[5].inputs", "'l' has no output 'q'", "its outputs: output [0], h [1], c [2]",
         "E-REF-OUTPUT"),
        ("s.yaml:10:37", "layers[6].inputs", "'l' has no output '3'", "its outputs: output [0], h [1], c [2]",
         "E-REF-OUTPUT"),
        ("s.yaml:11:37", "layers[7].inputs", "'x' has no output '1'",
         "its outputs: output [0] (set return_state: true for the states)", "E-REF-OUTPUT"),
        ("s.yaml:13:37", "layers[9].inputs", "'g' has no output 'c'", "its outputs: output [0], h [1]",
         "E-REF-OUTPUT")]


def test_an_unknown_reference_lists_the_last_six_working_layers_above_it():
    text = """name: t
inputs: {x: {shape: [8]}}
layers:
  - {type: dense, units: 3, name: a1}
  - {type: dense, units: 3, name: a2}
  - {type: dense, units: 3, name: a3}
  - {type: dense, units: 3, name: a4}
  - {type: dense, units: 3, name: a5}
  - {type: dense, units: 0, name: a6}
  - {type: dense, units: 3, name: a7, inputs: a5}
  - {type: dense, units: 3, inputs: qqqqq}
"""
    assert errors(text)[1:] == [
        ("s.yaml:11:37", "layers[7].inputs", "unknown layer or input 'qqqqq'",
         "layers above it here: a1, a2, a3, a4, a5, a7", "E-REF-UNKNOWN")]


def test_a_reference_inside_a_block_reads_its_inputs_and_the_model_s_layers():
    text = """name: t
inputs: {x: {shape: [8]}}
blocks:
  b:
    inputs: [p, q]
    layers:
      - {type: concat, inputs: [q, top, p]}
      - {type: dense, units: 2, inputs: nowhere}
layers:
  - {type: dense, units: 4, name: top}
  - {use: b, inputs: [x, top]}
"""
    assert errors(text) == [
        ("s.yaml:8:41", "blocks.b.layers[1].inputs", "unknown layer or input 'nowhere'",
         "layers above it here: p, q, concatenate", "E-REF-UNKNOWN")]
    g = graph(text.replace("      - {type: dense, units: 2, inputs: nowhere}\n", ""))
    assert [(n.name, [str(r) for r in n.inputs], n.shapes) for n in g.nodes.values()] == [
        ("x", [], [(8,)]), ("top", ["x"], [(4,)]), ("b_concatenate", ["top", "top", "x"], [(16,)])]


def test_references_in_a_block_and_expressions_name_the_tensor_they_read():
    # 'tpo' is close to the model's layer 'top', seen from inside the block; a block input given by name is
    # read as a reference even when it is a number; an expression's mistake names the tensor as written
    text = """name: t
inputs: {x: {shape: [8]}}
blocks:
  b:
    inputs: [p]
    layers:
      - {type: dense, units: 2, inputs: tpo}
      - {type: dense, units: "${p.width}"}
  two:
    inputs: [p, m]
    layers:
      - {type: concat, inputs: [p, m]}
layers:
  - {type: dense, units: 4, name: top}
  - {use: b}
  - {type: dense, units: "${top.height}"}
  - {type: dense, units: "${top.chanels}"}
  - {type: dense, units: 2, inputs: "x[0]"}
  - {use: two, m: 5}
"""
    rank = "height and width need an image (rank 3), steps a sequence (rank 2); shape[k] reads any axis"
    assert errors(text) == [
        ("s.yaml:7:41", "blocks.b.layers[0].inputs", "unknown layer or input 'tpo'", "did you mean 'top'?",
         "E-REF-UNKNOWN"),
        ("s.yaml:8:30", "blocks.b.layers[1].units", "'p' has shape (4): no width at rank 1", rank, "E-EXPR-VALUE"),
        ("s.yaml:16:26", "layers[2].units", "'top' has shape (4): no height at rank 1", rank, "E-EXPR-VALUE"),
        ("s.yaml:17:26", "layers[3].units", "'top' has no 'chanels'", "did you mean 'channels'?", "E-EXPR-NAME"),
        ("s.yaml:19:19", "layers[5].m", "unknown layer or input '5'", "layers above it here: x, top, dense",
         "E-REF-UNKNOWN")]


# --- values: ${...} in containers ---------------------------------------------------------------

def test_substitute_all_evaluates_inside_containers_and_keeps_their_locations():
    at = Loc("s.yaml", 3, 4)
    inner = ylist(["${n + 1}", "plain", 7], Loc("s.yaml", 5, 6), [Loc("s.yaml", 5, 7), Loc("s.yaml", 5, 9), None])
    outer = ydict({"a": "${n * 2}", "b": inner, "c": {"d": ["${n}"]}, "e": None}, at, {"a": Loc("s.yaml", 3, 8)})
    outer.key_locs = {"a": Loc("s.yaml", 3, 5)}
    out = substitute_all(outer, {"n": 3})
    assert out == {"a": 6, "b": [4, "plain", 7], "c": {"d": [3]}, "e": None}
    assert isinstance(out, YDict) and isinstance(out["b"], YList)
    assert (out.loc, out.value_locs, out.key_locs) == (at, {"a": Loc("s.yaml", 3, 8)}, {"a": Loc("s.yaml", 3, 5)})
    assert (out["b"].loc, out["b"].item_locs) == (Loc("s.yaml", 5, 6), [Loc("s.yaml", 5, 7), Loc("s.yaml", 5, 9), None])
    assert type(out["c"]) is dict and type(out["c"]["d"]) is list
    assert substitute_all("no placeholder", {}) == "no placeholder"
    assert substitute_all(5, {}) == 5


def test_an_expression_error_in_a_nested_value_is_located_at_its_field():
    text = """name: t
params: {k: 2}
inputs: {x: {shape: [4, 4, 3]}}
layers:
  - {type: conv2d, filters: 4, kernel: ["${k}", "${k / 0}"]}
"""
    (only,) = errors(text)
    assert only[:2] == ("s.yaml:5:40", "layers[0].kernel")
