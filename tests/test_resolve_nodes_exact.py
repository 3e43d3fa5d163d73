"""The resolver's nodes (archcompiler/resolve/nodes.py) pinned exactly, without Keras: what a layer entry and
a ``residual``/``branches`` merge become (names, automatic names, inputs, shapes, parameters and MACs, the
entry's location, path and value locations, repeat and block scopes), a convolution or pooling with numeric
padding split into a zero-padding node and a 'valid' one, and every mistake reported whole (file, line and
column, path, message, hint, code), lines and columns worked out by hand from the text (1-based; a value's
place is where it starts). Readers of a broken layer stay quiet: what they would say is pinned too."""



from resolve_text import errors, graph

import archcompiler.resolve.nodes as nodes_module
from archcompiler.graph import Scope, TensorRef

DUPLICATE_HINT = "every layer needs its own name"


def summary(g):
    """Each node as (name, kind, inputs, shapes, loc, path, trainable, non-trainable, MACs), in order."""
    return [(n.name, n.kind, [str(r) for r in n.inputs], n.shapes, str(n.loc), n.path, n.trainable,
             n.non_trainable, n.macs) for n in g.nodes.values()]


def field_locs(node):
    return {key: str(loc) for key, loc in node.field_locs.items()}


def head(inputs="  x: {shape: [4]}\n", extra=""):
    return f"name: t\ninputs:\n{inputs}{extra}layers:\n"


# --- layers: one node, or a zero-padding node and a 'valid' one ------------------------------------------

PADDED = head("  x: {shape: [8, 8, 3]}\n") + """\
  - {type: conv2d, name: c, filters: 4, kernel: 3, padding: 1}
  - {type: maxpool2d, pool: 2, padding: [1, 1]}
outputs: [c, max_pooling2d]
"""


def test_numeric_padding_becomes_a_zero_padding_node_then_a_valid_one():
    g = graph(PADDED)
    # c: 8+2 = 10 padded, 10-3+1 = 8; 3·3·3·4 + 4 = 112 weights; 8·8·4 outputs × 27 = 6,912 MACs
    # the pool: 8+2 = 10 padded, 10/2 = 5
    assert summary(g) == [
        ("x", "input", [], [(8, 8, 3)], "s.yaml:3:6", "inputs.x", 0, 0, 0),
        ("c_pad", "zeropad2d", ["x"], [(10, 10, 3)], "s.yaml:5:5", "layers[0]", 0, 0, 0),
        ("c", "conv2d", ["c_pad"], [(8, 8, 4)], "s.yaml:5:5", "layers[0]", 112, 0, 6912),
        ("max_pooling2d_pad", "zeropad2d", ["c"], [(10, 10, 4)], "s.yaml:6:5", "layers[1]", 0, 0, 0),
        ("max_pooling2d", "maxpool2d", ["max_pooling2d_pad"], [(5, 5, 4)], "s.yaml:6:5", "layers[1]", 0, 0, 0),
    ]
    assert g.outputs == [TensorRef("c"), TensorRef("max_pooling2d")]  # a name reads the last part
    assert g.nodes["c"].layer.padding == "valid" and g.nodes["max_pooling2d"].layer.padding == "valid"
    entry = {"type": "s.yaml:5:12", "name": "s.yaml:5:26", "filters": "s.yaml:5:38", "kernel": "s.yaml:5:49",
             "padding": "s.yaml:5:61"}
    assert field_locs(g.nodes["c_pad"]) == field_locs(g.nodes["c"]) == entry  # both parts point at the entry
    assert field_locs(g.nodes["x"]) == {"shape": "s.yaml:3:14"}
    assert all(n.scopes == () for n in g.nodes.values())


def test_a_layer_reads_the_previous_one_or_its_inputs_by_name():
    g = graph(head("  x: {shape: [4]}\n  y: {shape: [4]}\n") + """\
  - {type: dense, units: 3, name: a, inputs: y}
  - {type: dense, units: 2}
  - {type: concat, inputs: [x, a]}
outputs: [dense, concatenate]
""")
    # a: 4·3 + 3 = 15 weights, 12 MACs; dense: 3·2 + 2 = 8, 6 MACs; concat: 4 + 3 = 7
    assert summary(g) == [
        ("x", "input", [], [(4,)], "s.yaml:3:6", "inputs.x", 0, 0, 0),
        ("y", "input", [], [(4,)], "s.yaml:4:6", "inputs.y", 0, 0, 0),
        ("a", "dense", ["y"], [(3,)], "s.yaml:6:5", "layers[0]", 15, 0, 12),
        ("dense", "dense", ["a"], [(2,)], "s.yaml:7:5", "layers[1]", 8, 0, 6),
        ("concatenate", "concat", ["x", "a"], [(7,)], "s.yaml:8:5", "layers[2]", 0, 0, 0),
    ]


def test_automatic_names_count_on_per_kind():
    g = graph(head() + "  - {type: dense, units: 4}\n  - {type: dense, units: 4}\n  - {type: relu}\n"
              "  - {type: dense, units: 4}\n")
    assert list(g.nodes) == ["x", "dense", "dense_1", "activation", "dense_2"]
    assert [str(r) for n in g.nodes.values() for r in n.inputs] == ["x", "dense", "dense_1", "activation"]


# --- repeats: copies named and grouped ----------------------------------------------------------------

REPEATS = head(extra="params: {tag: t}\nblocks:\n  unit:\n    layers:\n"
                     "      - {type: dense, name: fc, units: 4, repeat: 2}\n"
                     "      - {type: dense, units: 4, repeat: 2}\n") + """\
  - {use: unit, name: u}
  - {type: dense, units: 4, name: "a_${i}", repeat: 2}
  - {type: dense, units: 4, name: "${i}b", repeat: 2}
  - {type: dense, units: 4, name: "p${i}_q", repeat: 2}
  - {type: dense, units: 4, name: "${tag}${i}", repeat: 2}
  - {type: dense, units: 4, name: "c${i}", repeat: 1}
  - {type: relu, repeat: 2}
"""


def test_repeated_layers_share_a_scope_named_after_the_entry():
    g = graph(REPEATS)
    unit = Scope("u", "unit", "g1", 1, 1)

    def copies(name, group):
        return [Scope(name, "", group, 1, 2), Scope(name, "", group, 2, 2)]

    assert [(n.name, n.scopes) for n in g.nodes.values()] == [
        ("x", ()),
        ("u_fc_1", (unit, copies("u_fc", "g2")[0])), ("u_fc_2", (unit, copies("u_fc", "g2")[1])),
        ("u_dense", (unit, copies("u_dense", "g3")[0])), ("u_dense_1", (unit, copies("u_dense", "g3")[1])),
        ("a_1", (copies("a", "g4")[0],)), ("a_2", (copies("a", "g4")[1],)),  # '_${i}' is left out of the scope
        ("1b", (copies("b", "g5")[0],)), ("2b", (copies("b", "g5")[1],)),
        ("p1_q", (copies("p_q", "g6")[0],)), ("p2_q", (copies("p_q", "g6")[1],)),
        ("t1", (copies("dense", "g7")[0],)), ("t2", (copies("dense", "g7")[1],)),  # nothing left: the kind
        ("c1", ()),  # one copy: no scope of its own
        ("activation", (copies("relu", "g9")[0],)), ("activation_1", (copies("relu", "g9")[1],)),
    ]
    assert [n.path for n in g.nodes.values()][1:6] == ["blocks.unit.layers[0]"] * 2 + ["blocks.unit.layers[1]"] * 2 + [
        "layers[1]"]
    assert [str(n.loc) for n in g.nodes.values()][1:6] == ["s.yaml:8:9"] * 2 + ["s.yaml:9:9"] * 2 + ["s.yaml:12:5"]
    # dense 4 → 4: 4·4 + 4 = 20 weights, 16 MACs each
    assert {(n.trainable, n.macs, n.shapes[0]) for n in g.layers() if n.kind == "dense"} == {(20, 16, (4,))}


# --- structures: residual and branches ----------------------------------------------------------------

STRUCTURES = head() + """\
  - type: residual
    body:
      - {type: dense, units: 4}
    shortcut:
      - {type: dense, units: 4, name: proj}
  - type: branches
    name: mix
    axis: -1
    branches:
      - [{type: dense, units: 2}]
      - [{type: relu}]
  - type: branches
    merge: add
    branches:
      - [{type: dense, units: 6}]
      - []
"""


def test_residual_and_branches_become_their_paths_then_a_merge():
    g = graph(STRUCTURES)
    # dense 4 → 4: 20 weights, 16 MACs; 4 → 2: 10, 8; 6 → 6: 42, 36; concat 2 + 4 = 6
    assert summary(g) == [
        ("x", "input", [], [(4,)], "s.yaml:3:6", "inputs.x", 0, 0, 0),
        ("dense", "dense", ["x"], [(4,)], "s.yaml:7:9", "layers[0].body[0]", 20, 0, 16),
        ("proj", "dense", ["x"], [(4,)], "s.yaml:9:9", "layers[0].shortcut[0]", 20, 0, 16),
        ("add", "add", ["proj", "dense"], [(4,)], "s.yaml:5:5", "layers[0]", 0, 0, 0),  # shortcut first
        ("dense_1", "dense", ["add"], [(2,)], "s.yaml:14:10", "layers[1].branches[0][0]", 10, 0, 8),
        ("activation", "relu", ["add"], [(4,)], "s.yaml:15:10", "layers[1].branches[1][0]", 0, 0, 0),
        ("mix", "concat", ["dense_1", "activation"], [(6,)], "s.yaml:10:5", "layers[1]", 0, 0, 0),
        ("dense_2", "dense", ["mix"], [(6,)], "s.yaml:19:10", "layers[2].branches[0][0]", 42, 0, 36),
        ("add_1", "add", ["dense_2", "mix"], [(6,)], "s.yaml:16:5", "layers[2]", 0, 0, 0),  # an empty path: the input
    ]
    assert field_locs(g.nodes["add"]) == {"type": "s.yaml:5:11", "body": "s.yaml:7:7", "shortcut": "s.yaml:9:7"}
    assert field_locs(g.nodes["mix"]) == {"type": "s.yaml:10:11", "name": "s.yaml:11:11", "axis": "s.yaml:12:11",
                                          "branches": "s.yaml:14:7"}
    mix = g.nodes["mix"].layer
    assert (mix.type, mix.name, mix.axis) == ("concat", "mix", -1)
    assert (g.nodes["add"].layer.type, g.nodes["add"].layer.name) == ("add", None)
    assert g.outputs == [TensorRef("add_1")]


def test_a_residual_without_shortcut_adds_its_input():
    g = graph(head() + "  - {type: residual, name: r, body: [{type: dense, units: 4}]}\n"
                       "  - {type: dense, units: 2, inputs: r}\n")
    assert [(n.name, n.kind, [str(i) for i in n.inputs]) for n in g.nodes.values()] == [
        ("x", "input", []), ("dense", "dense", ["x"]), ("r", "add", ["x", "dense"]), ("dense_1", "dense", ["r"])]
    assert g.nodes["r"].layer.name == "r"


def test_branches_concatenate_along_their_axis():
    g = graph(head("  x: {shape: [2, 4]}\n") + """\
  - {type: branches, name: m, axis: 1, branches: [[{type: relu}], [{type: sigmoid}], []]}
""")
    assert [(n.name, [str(i) for i in n.inputs], n.shapes) for n in g.nodes.values()] == [
        ("x", [], [(2, 4)]), ("activation", ["x"], [(2, 4)]), ("activation_1", ["x"], [(2, 4)]),
        ("m", ["activation", "activation_1", "x"], [(6, 4)])]  # 2 + 2 + 2 rows
    assert g.nodes["m"].layer.axis == 1  # the first axis after the batch


def test_structures_inside_a_block_are_named_after_the_instance():
    g = graph(head(extra="blocks:\n  res:\n    layers:\n"
                         "      - {type: residual, body: [{type: dense, units: 4}]}\n"
                         "      - {type: branches, branches: [[{type: relu}], [{type: relu}]]}\n")
              + "  - {use: res, name: b}\n  - {use: res, inputs: x}\noutputs: [b, res]\n")
    block = Scope("b", "res", "g1", 1, 1)
    second = Scope("res", "res", "g2", 1, 1)
    assert [(n.name, n.kind, n.scopes, n.path) for n in g.nodes.values()] == [
        ("x", "input", (), "inputs.x"),
        ("b_dense", "dense", (block,), "blocks.res.layers[0].body[0]"),
        ("b_add", "add", (block,), "blocks.res.layers[0]"),
        ("b_activation", "relu", (block,), "blocks.res.layers[1].branches[0][0]"),
        ("b_activation_1", "relu", (block,), "blocks.res.layers[1].branches[1][0]"),
        ("b_concatenate", "concat", (block,), "blocks.res.layers[1]"),
        ("res_dense", "dense", (second,), "blocks.res.layers[0].body[0]"),
        ("res_add", "add", (second,), "blocks.res.layers[0]"),
        ("res_activation", "relu", (second,), "blocks.res.layers[1].branches[0][0]"),
        ("res_activation_1", "relu", (second,), "blocks.res.layers[1].branches[1][0]"),
        ("res_concatenate", "concat", (second,), "blocks.res.layers[1]"),
    ]
    assert str(g.nodes["b_add"].loc) == "s.yaml:7:9"
    assert g.nodes["res_add"].shapes == [(4,)] and g.nodes["res_concatenate"].shapes == [(8,)]
    assert g.outputs == [TensorRef("b_concatenate"), TensorRef("res_concatenate")]


# --- mistakes, reported whole -----------------------------------------------------------------------------

def test_too_many_or_too_few_inputs():
    assert errors(head("  x: {shape: [4]}\n  y: {shape: [4]}\n") + """\
  - {type: dense, units: 2, inputs: [x, y]}
  - {type: add, inputs: x}
  - {type: residual, inputs: [x, y], body: [{type: dense, units: 3}]}
  - {type: branches, inputs: [], branches: [[], []]}
""") == [
        ("s.yaml:6:37", "layers[0].inputs", "dense takes 1 input(s), got 2", "", "E-INPUTS-COUNT"),
        ("s.yaml:7:25", "layers[1].inputs", "add takes 2 to 64 input(s), got 1", "", "E-INPUTS-COUNT"),
        ("s.yaml:8:30", "layers[2].inputs", "residual reads one input, got 2", "", "E-INPUTS-COUNT"),
        ("s.yaml:9:30", "layers[3].inputs", "branches reads one input, got 0", "", "E-INPUTS-COUNT"),
    ]


def test_a_structure_entry_checked_by_its_model():
    assert errors(head() + """\
  - {type: residual}
  - {type: branches, branches: [[{type: dense, units: 3}]]}
  - {type: branches, merge: mul, branches: [[], []]}
  - {type: residual, body: [], bogus: 1}
""") == [
        ("s.yaml:5:5", "layers[0]", "residual: missing required field 'body'", "", "E-FIELD-MISSING"),
        ("s.yaml:6:32", "layers[1].branches",
         "branches: invalid value [[a mapping]]: List should have at least 2 items after validation, not 1", "",
         "E-VALUE-INVALID"),
        ("s.yaml:7:29", "layers[2].merge", "branches: invalid value 'mul': Input should be 'concat' or 'add'", "",
         "E-VALUE-INVALID"),
        ("s.yaml:8:32", "layers[3].bogus", "residual: unknown field 'bogus'",
         "fields: name, inputs, repeat, when, body, shortcut",
         "E-FIELD-UNKNOWN"),
    ]


def test_a_layer_checked_by_its_kind_says_the_kind():
    assert errors(head() + "  - {type: dense, units: 0}\n  - {type: relu, bogus: 1}\n") == [
        ("s.yaml:5:26", "layers[0].units", "dense: invalid value 0: Input should be greater than or equal to 1", "",
         "E-VALUE-INVALID"),
        ("s.yaml:6:18", "layers[1].bogus", "relu: unknown field 'bogus'",
         "fields: name, inputs, repeat, when, note, activation, approximate", "E-FIELD-UNKNOWN"),
    ]


def test_a_cell_checked_by_its_model_once_its_params_are_in_says_no_owner():
    text = head("  x: {shape: [5, 4]}\n", "params: {act: softmax}\n"
                "cells:\n  cc: {state: [h], gates: {g: {activation: \"${act}\"}}, update: {h: g}}\n") + (
        "  - {type: rnn, cell: cc, units: 3}\n")
    assert errors(text) == [
        ("s.yaml:6:44", "cells.cc.gates.g.activation", ("invalid value 'softmax': Input should be 'sigmoid', "
                                                        "'hard_sigmoid', 'tanh', 'relu', 'softsign' or 'linear'"),
         "", "E-VALUE-INVALID"),
    ]  # the rnn running the broken cell stays quiet


def test_a_block_use_checked_by_its_model_says_the_block():
    text = head(extra="params: {nm: 5}\nblocks:\n  unit: {layers: [{type: relu}]}\n") + (
        '  - {use: unit, name: "${nm}"}\n')
    assert errors(text) == [
        ("s.yaml:8:23", "layers[0].name", "unit: invalid value 5: Input should be a valid string", "",
         "E-VALUE-INVALID"),
    ]


def test_a_layer_name_used_twice():
    assert errors(head() + """\
  - {type: dense, name: d, units: 4}
  - {type: dense, name: d, units: 4, inputs: x}
  - {type: dense, units: "${d.channels - 4}", inputs: x}
""") == [
        ("s.yaml:6:25", "layers[1].name", "the name 'd' is already used (at line 5)", DUPLICATE_HINT,
         "E-NAME-DUPLICATE"),
    ]  # the last layer reads the broken second 'd' and stays quiet (the first: 4 − 4 = 0 units, refused)


def test_a_structure_name_used_twice():
    assert errors(head() + """\
  - {type: dense, name: d, units: 4}
  - type: residual
    name: d
    inputs: x
    body: [{type: relu}]
  - {type: dense, units: "${d.channels - 4}", inputs: x}
""") == [
        ("s.yaml:7:11", "layers[1].name", "the name 'd' is already used (at line 5)", DUPLICATE_HINT,
         "E-NAME-DUPLICATE"),
    ]  # the last layer reads the broken residual 'd' and stays quiet (the layer: 4 − 4 = 0 units, refused)


def test_a_padding_part_clashing_with_a_name_is_reported_where_the_entry_is():
    assert errors(head("  x: {shape: [8, 8, 3]}\n  conv2d_pad: {shape: [8, 8, 3]}\n") + """\
  - {type: conv2d, filters: 4, kernel: 3, padding: 1, inputs: x}
  - {type: dense, units: "${conv2d.channels - 4}"}
""") == [
        ("s.yaml:6:5", "layers[0].name", "the name 'conv2d_pad' is already used (at line 4)", DUPLICATE_HINT,
         "E-NAME-DUPLICATE"),
    ]  # its readers stay quiet: 4 − 4 = 0 units would be refused


def test_a_repeated_constant_name_clashes_with_its_first_copy():
    assert errors(head(extra="params: {tag: t}\n") + '  - {type: dense, units: 4, name: "${tag}", repeat: 2}\n') == [
        ("s.yaml:6:35", "layers[0].name", "the name 't' is already used (at line 6)", DUPLICATE_HINT,
         "E-NAME-DUPLICATE"),
    ]


def test_a_broken_path_leaves_the_structure_out_quietly():
    assert errors(head() + """\
  - {type: dense, name: r, units: 4}
  - type: residual
    name: r
    body: [{type: dense, units: 0}]
  - {type: dense, units: "${r.channels - 4}", inputs: x}
  - {type: branches, inputs: x, branches: [[], [{type: nothing}]]}
""") == [
        ("s.yaml:8:33", "layers[1].body[0].units", "dense: invalid value 0: Input should be greater than or equal to 1",
         "", "E-VALUE-INVALID"),
        ("s.yaml:10:56", "layers[3].branches[1][0].type", "unknown layer type 'nothing'",
         "run 'archcompiler schema' for the list of layer kinds", "E-TYPE-UNKNOWN"),
    ]  # the reader of the broken 'r' stays quiet, though a layer 'r' came before (4 − 4 = 0 units)


def test_a_merge_that_does_not_fit_is_reported_as_a_shape_error():
    assert errors(head() + "  - {type: residual, body: [{type: dense, units: 3}]}\n") == [
        ("s.yaml:5:5", "layers[0]", "add (add): add needs inputs of the same shape (or sizes of 1 that broadcast), got (4) and (3)",
         "give the shortcut a projection (1×1 conv with the right filters and stride)", "E-SHAPE"),
    ]


def test_a_layer_that_does_not_fit_its_input_is_reported_where_it_is_written():
    assert errors(head() + "  - {type: conv2d, filters: 2, kernel: 1}\n") == [
        ("s.yaml:5:5", "layers[0]", "conv2d (conv2d): conv2d expects an input of rank 3 (without batch), got shape (4)", "",
         "E-SHAPE"),
    ]


def test_an_rnn_without_its_cell_is_reported_once():
    assert errors(head("  x: {shape: [5, 4]}\n") + "  - {type: rnn, units: 3}\n") == [
        ("s.yaml:5:5", "layers[0].cell", "an rnn layer runs a cell declared under 'cells:'; add 'cell: <name>'",
         "for the plain recurrent layer write 'type: simple_rnn'", "E-CELL-MISSING"),
    ]


def test_an_rnn_runs_its_declared_cell():
    g = graph(head("  x: {shape: [5, 4]}\n",
                   "cells:\n  cc: {state: [h], gates: {g: {activation: tanh}}, update: {h: g}}\n")
              + "  - {type: rnn, cell: cc, units: 3}\n")
    (node,) = g.layers()
    # one gate: 3·(4 + 3 + 1) = 24 weights
    assert (node.name, node.kind, node.shapes, node.trainable) == ("rnn", "rnn", [(3,)], 24)
    assert node.layer.cell.state == ["h"]


def test_the_layer_budget_stops_at_once_with_what_was_found(monkeypatch):
    monkeypatch.setattr(nodes_module, "MAX_NODES", 3)
    assert errors(head() + "  - {type: dense, units: 0}\n  - {type: relu, repeat: 3, inputs: x}\n"
                           "  - {type: nothing}\n") == [
        ("s.yaml:5:26", "layers[0].units", "dense: invalid value 0: Input should be greater than or equal to 1", "",
         "E-VALUE-INVALID"),
        ("s.yaml:6:5", "layers[1]", "the model has more than 3 layers", "check the 'repeat' counts", "E-LIMIT"),
    ]  # the third layer is never read


def test_the_layer_budget_is_written_with_thousands_separators(monkeypatch):
    monkeypatch.setattr(nodes_module, "MAX_NODES", 1000)
    assert errors(head() + "  - {type: relu, repeat: 1000}\n")[0][2] == "the model has more than 1,000 layers"


def test_an_unknown_input_is_reported_at_the_entrys_inputs():
    assert errors(head() + """\
  - {type: dense, units: 2, inputs: [x, nowhere]}
  - {type: residual, inputs: nowhere, body: [{type: relu}]}
""") == [
        ("s.yaml:5:41", "layers[0].inputs", "unknown layer or input 'nowhere'", "layers above it here: x",
         "E-REF-UNKNOWN"),
        ("s.yaml:6:30", "layers[1].inputs", "unknown layer or input 'nowhere'", "layers above it here: x",
         "E-REF-UNKNOWN"),
    ]


def test_the_copies_of_a_repeated_residual_are_scopes_inside_a_block_and_only_when_repeated():
    """Each copy of a repeated residual is one scope of the repeat's group (kind 'residual'), named inside the
    block it is written in, with block uses in its body; a residual written once (repeat: 1) has none."""
    g = graph("""name: t
inputs:
  x: {shape: [4]}
blocks:
  unit:
    layers:
      - {type: dense, units: 4}
  stage:
    layers:
      - {type: residual, repeat: 2, body: [{use: unit}]}
layers:
  - {use: stage, name: s}
  - {type: residual, repeat: 1, body: [{type: dense, units: 4}]}
""")
    stage, copy = Scope("s", "stage", "g1", 1, 1), (Scope("s_residual", "", "g2", 1, 2), Scope("s_residual", "", "g2", 2, 2))
    assert [(n.name, [str(r) for r in n.inputs], n.scopes) for n in g.nodes.values()] == [
        ("x", [], ()),
        ("s_unit_dense", ["x"], (stage, copy[0], Scope("s_unit", "unit", "g3", 1, 1))),
        ("s_add", ["x", "s_unit_dense"], (stage, copy[0])),
        ("s_unit_1_dense", ["s_add"], (stage, copy[1], Scope("s_unit_1", "unit", "g4", 1, 1))),
        ("s_add_1", ["s_add", "s_unit_1_dense"], (stage, copy[1])),
        ("dense", ["s_add_1"], ()),
        ("add", ["s_add_1", "dense"], ()),
    ]
    assert {n.scopes[1].structure for n in g.nodes.values() if len(n.scopes) > 1} == {"residual"}
    layers = graph("name: t\ninputs:\n  x: {shape: [4]}\nlayers:\n  - {type: dense, units: 4, repeat: 2}\n")
    assert [(n.name, n.scopes, [s.structure for s in n.scopes]) for n in layers.nodes.values()] == [
        ("x", (), []), ("dense", (Scope("dense", "", "g1", 1, 2),), [""]),
        ("dense_1", (Scope("dense", "", "g1", 2, 2),), [""])]  # a repeated layer is no structure
