"""Block uses (archcompiler/resolve/blocks.py) pinned exactly, without Keras: what an expanded block becomes
(node names under the instance's prefix, inputs, shapes, paths, locations, scopes with their group, copy
number and arguments, the block's 'output'), 'prefix: false', inputs given by name, defaults that read a
tensor, and every mistake a block use can hold reported whole: file:line:column (1-based, where the value
or key is written), path, message, hint and code. A use with a mistake is not expanded, so the blocks the
error tests use hold a mistake of their own ('ghost') that would show if it were."""


import pytest
from resolve_text import errors, graph

HEADER = """name: t
inputs:
  x: {shape: [8, 3]}
"""
# a block whose expansion reports a mistake of its own: an error list without it proves the use was not expanded
FRAGILE = """blocks:
  proj:
    args: {units: int, act: relu}
    layers:
      - {type: dense, units: "${units}", activation: "${act}"}
      - {type: dense, units: 1, inputs: ghost}
"""
GHOST = ("s.yaml:9:41", "blocks.proj.layers[1].inputs", "unknown layer or input 'ghost'",
         "layers above it here: x, dense")
RECURSIVE_HINT = "a block cannot contain itself, directly or through another block"


def rows(g):
    """Each node as (name, inputs, shapes, path, location)."""
    return [(n.name, [str(r) for r in n.inputs], n.shapes, n.path, str(n.loc)) for n in g.nodes.values()]


def scopes(g):
    """Each node's scopes as (name, block, group, index, count, args): args are left out of Scope equality."""
    return {n.name: [(s.name, s.block, s.group, s.index, s.count, s.args) for s in n.scopes]
            for n in g.nodes.values()}


# --- what a block use becomes ---------------------------------------------------------------------

PROJ = HEADER + """blocks:
  proj:
    args: {units: int, act: relu, wide: "${units * 2}", c: "${in.channels}"}
    layers:
      - {type: dense, units: "${wide}", activation: "${act}", name: a}
      - {type: dense, units: "${c}", name: b}
    output: a
layers:
  - {use: proj, units: 4}
  - {use: proj, name: p2, units: 5, act: tanh}
  - {type: dense, units: 2}
outputs: [dense, proj_b, p2_b]
"""


def test_a_block_expands_under_its_instance_name_and_hands_on_its_output():
    g = graph(PROJ)
    # proj: wide = 4 * 2 = 8, c = the channels flowing in = 3; p2 reads proj's output 'a' (8 wide): wide 10, c 8
    assert rows(g) == [
        ("x", [], [(8, 3)], "inputs.x", "s.yaml:3:6"),
        ("proj_a", ["x"], [(8, 8)], "blocks.proj.layers[0]", "s.yaml:8:9"),
        ("proj_b", ["proj_a"], [(8, 3)], "blocks.proj.layers[1]", "s.yaml:9:9"),
        ("p2_a", ["proj_a"], [(8, 10)], "blocks.proj.layers[0]", "s.yaml:8:9"),
        ("p2_b", ["p2_a"], [(8, 8)], "blocks.proj.layers[1]", "s.yaml:9:9"),
        ("dense", ["p2_a"], [(8, 2)], "layers[2]", "s.yaml:14:5"),
    ]
    proj = [("proj", "proj", "g1", 1, 1, (("units", 4), ("act", "relu"), ("wide", 8), ("c", 3)))]
    p2 = [("p2", "proj", "g2", 1, 1, (("units", 5), ("act", "tanh"), ("wide", 10), ("c", 8)))]
    assert scopes(g) == {"x": [], "proj_a": proj, "proj_b": proj, "p2_a": p2, "p2_b": p2, "dense": []}
    assert [n.layer.activation for n in list(g.nodes.values())[1:]] == ["relu", None, "tanh", None, None]
    assert [str(r) for r in g.outputs] == ["dense", "proj_b", "p2_b"]


NESTED = """name: t
params: {k: 2}
inputs:
  x: {shape: [8, 3]}
blocks:
  inner:
    args: {u: 3}
    layers:
      - {type: dense, units: "${u}"}
  outer:
    args: {u: int}
    layers:
      - {use: inner, u: "${u + 1}"}
      - {use: inner}
layers:
  - {use: outer, u: "${i * 10}", repeat: 2}
  - {use: outer, name: "o${i}", u: 1, repeat: 2}
  - {use: outer, name: z, u: 7}
  - {type: dense, units: "${k}", inputs: z}
"""


def test_repeated_and_nested_uses_are_named_numbered_and_scoped():
    g = graph(NESTED)
    path, loc = "blocks.inner.layers[0]", "s.yaml:9:9"
    assert rows(g) == [
        ("x", [], [(8, 3)], "inputs.x", "s.yaml:4:6"),
        ("outer_inner_dense", ["x"], [(8, 11)], path, loc),  # u = 1 * 10, inner's u = 10 + 1
        ("outer_inner_1_dense", ["outer_inner_dense"], [(8, 3)], path, loc),  # inner's default u: 3
        ("outer_1_inner_dense", ["outer_inner_1_dense"], [(8, 21)], path, loc),  # u = 2 * 10 + 1
        ("outer_1_inner_1_dense", ["outer_1_inner_dense"], [(8, 3)], path, loc),
        ("o1_inner_dense", ["outer_1_inner_1_dense"], [(8, 2)], path, loc),
        ("o1_inner_1_dense", ["o1_inner_dense"], [(8, 3)], path, loc),
        ("o2_inner_dense", ["o1_inner_1_dense"], [(8, 2)], path, loc),
        ("o2_inner_1_dense", ["o2_inner_dense"], [(8, 3)], path, loc),
        ("z_inner_dense", ["o2_inner_1_dense"], [(8, 8)], path, loc),
        ("z_inner_1_dense", ["z_inner_dense"], [(8, 3)], path, loc),
        ("dense", ["z_inner_1_dense"], [(8, 2)], "layers[3]", "s.yaml:19:5"),  # 'z' reads the instance's output
    ]
    # one group per repeat (copies 1 and 2 of 2), one per single use; a use inside a block adds its own scope
    assert scopes(g) == {
        "x": [],
        "outer_inner_dense": [("outer", "outer", "g1", 1, 2, (("u", 10),)),
                              ("outer_inner", "inner", "g2", 1, 1, (("u", 11),))],
        "outer_inner_1_dense": [("outer", "outer", "g1", 1, 2, (("u", 10),)),
                                ("outer_inner_1", "inner", "g3", 1, 1, (("u", 3),))],
        "outer_1_inner_dense": [("outer_1", "outer", "g1", 2, 2, (("u", 20),)),
                                ("outer_1_inner", "inner", "g4", 1, 1, (("u", 21),))],
        "outer_1_inner_1_dense": [("outer_1", "outer", "g1", 2, 2, (("u", 20),)),
                                  ("outer_1_inner_1", "inner", "g5", 1, 1, (("u", 3),))],
        "o1_inner_dense": [("o1", "outer", "g6", 1, 2, (("u", 1),)), ("o1_inner", "inner", "g7", 1, 1, (("u", 2),))],
        "o1_inner_1_dense": [("o1", "outer", "g6", 1, 2, (("u", 1),)),
                             ("o1_inner_1", "inner", "g8", 1, 1, (("u", 3),))],
        "o2_inner_dense": [("o2", "outer", "g6", 2, 2, (("u", 1),)), ("o2_inner", "inner", "g9", 1, 1, (("u", 2),))],
        "o2_inner_1_dense": [("o2", "outer", "g6", 2, 2, (("u", 1),)),
                             ("o2_inner_1", "inner", "g10", 1, 1, (("u", 3),))],
        "z_inner_dense": [("z", "outer", "g11", 1, 1, (("u", 7),)), ("z_inner", "inner", "g12", 1, 1, (("u", 8),))],
        "z_inner_1_dense": [("z", "outer", "g11", 1, 1, (("u", 7),)),
                            ("z_inner_1", "inner", "g13", 1, 1, (("u", 3),))],
        "dense": [],
    }


FLAT = """name: t
params: {k: 2}
inputs:
  x: {shape: [8, 3]}
blocks:
  flat:
    prefix: false
    args: {u: int, on: bool, f: float, s: str, l: list}
    layers:
      - {type: dense, units: "${u}"}
      - {type: dense, units: "${k}", name: top}
layers:
  - {type: dense, units: 4}
  - {use: flat, name: f1, u: 5, on: true, f: 2, s: hi, l: [1]}
  - {type: dense, units: 6}
"""


def test_prefix_false_names_the_layers_as_if_written_at_the_use():
    g = graph(FLAT)
    assert rows(g) == [
        ("x", [], [(8, 3)], "inputs.x", "s.yaml:4:6"),
        ("dense", ["x"], [(8, 4)], "layers[0]", "s.yaml:13:5"),
        ("dense_1", ["dense"], [(8, 5)], "blocks.flat.layers[0]", "s.yaml:10:9"),  # numbered on from 'dense'
        ("top", ["dense_1"], [(8, 2)], "blocks.flat.layers[1]", "s.yaml:11:9"),  # no 'f1_' prefix; k is a param
        ("dense_2", ["top"], [(8, 6)], "layers[2]", "s.yaml:15:5"),
    ]
    # every argument type accepted: an int for a float, true for a bool
    f1 = [("f1", "flat", "g1", 1, 1, (("u", 5), ("on", True), ("f", 2), ("s", "hi"), ("l", [1])))]
    assert scopes(g) == {"x": [], "dense": [], "dense_1": f1, "top": f1, "dense_2": []}


TRIPLE = HEADER + """  m: {shape: [8, 3]}
blocks:
  three:
    inputs: [a, b, c]
    layers:
      - {type: add, inputs: [a, b, c]}
  pair:
    inputs: [a, b]
    layers:
      - {type: concat, inputs: [b, a]}
layers:
"""


def test_inputs_after_the_first_may_be_given_by_name_after_the_positional_ones():
    g = graph(TRIPLE + "  - {use: three, b: m, c: x}\n  - {use: pair, inputs: [three], b: m}\n")
    assert rows(g) == [
        ("x", [], [(8, 3)], "inputs.x", "s.yaml:3:6"),
        ("m", [], [(8, 3)], "inputs.m", "s.yaml:4:6"),
        ("three_add", ["x", "m", "x"], [(8, 3)], "blocks.three.layers[0]", "s.yaml:9:9"),
        ("pair_concatenate", ["m", "three_add"], [(8, 6)], "blocks.pair.layers[0]", "s.yaml:13:9"),
    ]
    assert scopes(g)["pair_concatenate"] == [("pair", "pair", "g2", 1, 1, ())]


def test_a_default_may_read_a_layer_above_by_name():
    g = graph(HEADER + """blocks:
  p:
    args: {u: "${d.channels}"}
    layers: [{type: dense, units: "${u}"}]
layers:
  - {type: dense, units: 3, name: d}
  - {use: p}
""")
    assert rows(g) == [
        ("x", [], [(8, 3)], "inputs.x", "s.yaml:3:6"),
        ("d", ["x"], [(8, 3)], "layers[0]", "s.yaml:9:5"),
        ("p_dense", ["d"], [(8, 3)], "blocks.p.layers[0]", "s.yaml:7:14"),
    ]
    assert scopes(g)["p_dense"] == [("p", "p", "g1", 1, 1, (("u", 3),))]


def test_blocks_nested_sixteen_deep_expand():
    text = HEADER + "blocks:\n" + "".join(f"  b{k}: {{layers: [{{use: b{k + 1}}}]}}\n" for k in range(15)) \
        + "  b15: {layers: [{type: relu}]}\nlayers:\n  - {use: b0}\n"
    g = graph(text)
    name = "_".join(f"b{k}" for k in range(16)) + "_activation"
    assert rows(g)[1:] == [(name, ["x"], [(8, 3)], "blocks.b15.layers[0]", "s.yaml:20:18")]
    assert scopes(g)[name] == [("_".join(f"b{j}" for j in range(k + 1)), f"b{k}", f"g{k + 1}", 1, 1, ())
                               for k in range(16)]


# --- mistakes ---------------------------------------------------------------------------------------

def _use(line):
    return HEADER + FRAGILE + "layers:\n  - " + line + "\n"  # the use is on line 11, '  - ' before it


@pytest.mark.parametrize("line, expected", [
    # unknown block: the closest name, else the list of blocks
    ("{use: prog, units: 2}", ("s.yaml:11:11", "layers[0].use", "unknown block 'prog'", "did you mean 'proj'?",
                               "E-BLOCK-UNKNOWN")),
    ("{use: zzz}", ("s.yaml:11:11", "layers[0].use", "unknown block 'zzz'", "blocks of this spec: proj",
                    "E-BLOCK-UNKNOWN")),
    # a required argument left out: where the use starts
    ("{use: proj}", ("s.yaml:11:5", "layers[0]", "block 'proj' needs argument 'units' (int)", "",
                     "E-BLOCK-ARG-MISSING")),
    # an argument of the wrong type: where its value is
    ("{use: proj, units: two}", ("s.yaml:11:24", "layers[0].units",
                                 "argument 'units' of block 'proj' must be int, got 'two'", "", "E-BLOCK-ARG-TYPE")),
    ("{use: proj, units: true}", ("s.yaml:11:24", "layers[0].units",
                                  "argument 'units' of block 'proj' must be int, got True", "", "E-BLOCK-ARG-TYPE")),
    # an argument the block does not have: where its key is
    ("{use: proj, units: 2, unit: 3}", ("s.yaml:11:27", "layers[0].unit", "block 'proj' has no argument 'unit'",
                                        "did you mean 'units'?", "E-BLOCK-ARG-UNKNOWN")),
    ("{use: proj, units: 2, zzz: 3}", ("s.yaml:11:27", "layers[0].zzz", "block 'proj' has no argument 'zzz'",
                                       "its arguments: units, act", "E-BLOCK-ARG-UNKNOWN")),
    # the use's own fields checked first
    ("{use: proj, units: 2, name: [1]}", ("s.yaml:11:33", "layers[0].name",
                                          "proj: invalid value [1]: Input should be a valid string", "",
                                          "E-VALUE-INVALID")),
    # a reference in 'inputs'
    ("{use: proj, units: 2, inputs: [nope]}", ("s.yaml:11:36", "layers[0].inputs", "unknown layer or input 'nope'",
                                               "layers above it here: x", "E-REF-UNKNOWN")),
])
def test_a_mistaken_use_is_reported_where_written_and_not_expanded(line, expected):
    assert errors(_use(line)) == [expected]


def test_the_fragile_block_reports_its_ghost_when_expanded():
    """The control for the tests above: a correct use of the same block does expand it."""
    assert errors(_use("{use: proj, units: 2}")) == [GHOST + ("E-REF-UNKNOWN",)]


def test_an_unknown_block_in_a_spec_without_blocks_lists_none():
    assert errors(HEADER + "layers:\n  - {use: zzz}\n") == [
        ("s.yaml:5:11", "layers[0].use", "unknown block 'zzz'", "blocks of this spec: none", "E-BLOCK-UNKNOWN")]


def test_an_unknown_block_lists_every_block_of_the_spec_in_order():
    text = HEADER + "blocks:\n  up: {layers: [{type: relu}]}\n  down: {layers: [{type: relu}]}\nlayers:\n  - {use: zzz}\n"
    assert errors(text) == [
        ("s.yaml:8:11", "layers[0].use", "unknown block 'zzz'", "blocks of this spec: up, down", "E-BLOCK-UNKNOWN")]


@pytest.mark.parametrize("kind, value, shown", [
    ("bool", "1", "1"), ("float", "true", "True"), ("float", "'2'", "'2'"), ("str", "3", "3"),
    ("list", "a", "'a'"), ("int", "2.5", "2.5")])
def test_each_argument_type_refuses_what_is_not_it(kind, value, shown):
    text = HEADER + f"""blocks:
  p:
    args: {{v: {kind}}}
    layers: [{{type: dense, units: 1, inputs: ghost}}]
layers:
  - {{use: p, v: {value}}}
"""
    assert errors(text) == [("s.yaml:9:17", "layers[0].v", f"argument 'v' of block 'p' must be {kind}, got {shown}",
                             "", "E-BLOCK-ARG-TYPE")]


def test_every_missing_argument_is_reported():
    assert errors(HEADER + """blocks:
  p:
    args: {u: int, v: float, w: 2}
    layers: [{type: dense, units: 1, inputs: ghost}]
layers:
  - {use: p}
""") == [("s.yaml:9:5", "layers[0]", "block 'p' needs argument 'u' (int)", "", "E-BLOCK-ARG-MISSING"),
         ("s.yaml:9:5", "layers[0]", "block 'p' needs argument 'v' (float)", "", "E-BLOCK-ARG-MISSING")]


def test_every_failing_default_is_reported_where_the_block_declares_it_and_its_readers_stay_quiet():
    assert errors(HEADER + """blocks:
  p:
    args: {u: "${zz}", v: "${1/0}", w: 2}
    layers: [{type: dense, units: 1, inputs: ghost}]
layers:
  - {use: p, name: q}
  - {type: dense, units: 2, inputs: q}
""") == [("s.yaml:6:15", "blocks.p.args.u", "undefined name 'zz'", "defined here: nothing", "E-EXPR-NAME"),
         ("s.yaml:6:27", "blocks.p.args.v", "division by zero", "", "E-EXPR-VALUE")]


def test_a_named_use_missing_an_argument_keeps_its_readers_quiet():
    assert errors(_use("{use: proj, name: q}") + "  - {type: dense, units: 2, inputs: q}\n") == [
        ("s.yaml:11:5", "layers[0]", "block 'proj' needs argument 'units' (int)", "", "E-BLOCK-ARG-MISSING")]


@pytest.mark.parametrize("text, expected", [
    (HEADER + "blocks:\n  a: {layers: [{use: a}]}\nlayers:\n  - {use: a}\n",
     ("s.yaml:5:22", "blocks.a.layers[0].use", "block 'a' uses itself (a → a)")),
    (HEADER + "blocks:\n  a: {layers: [{use: b}]}\n  b: {layers: [{type: relu}, {use: a}]}\nlayers:\n  - {use: a}\n",
     ("s.yaml:6:36", "blocks.b.layers[1].use", "block 'a' uses itself (a → b → a)")),
])
def test_a_block_that_uses_itself_is_refused_with_its_chain(text, expected):
    assert errors(text) == [expected + (RECURSIVE_HINT, "E-BLOCK-RECURSIVE")]


def test_blocks_nested_seventeen_deep_are_refused_at_the_seventeenth_use():
    text = HEADER + "blocks:\n" + "".join(f"  b{k}: {{layers: [{{use: b{k + 1}}}]}}\n" for k in range(16)) \
        + "  b16: {layers: [{type: relu}]}\nlayers:\n  - {use: b0}\n"
    # b15's use of b16 (line 5 + 15) is the seventeenth: 16 blocks are open around it
    assert errors(text) == [("s.yaml:20:24", "blocks.b15.layers[0].use", "blocks nested more than 16 deep", "",
                             "E-LIMIT")]


def test_the_blocks_output_must_name_one_of_its_layers():
    assert errors(HEADER + """blocks:
  p:
    layers: [{type: dense, units: 2}]
    output: nope
layers:
  - {use: p}
""") == [("s.yaml:7:13", "blocks.p.output", "unknown layer or input 'nope'", "layers above it here: x, dense",
          "E-REF-UNKNOWN")]


# --- inputs: how many, and by name ------------------------------------------------------------------

THREE_FRAGILE = HEADER + """  m: {shape: [8, 3]}
blocks:
  three:
    inputs: [a, b, c]
    layers:
      - {type: add, inputs: [a, b, c]}
      - {type: dense, units: 1, inputs: ghost}
layers:
"""  # the use is on line 12
COUNT = "E-INPUTS-COUNT"


@pytest.mark.parametrize("line, expected", [
    # without 'inputs', where the use starts; the first input missing by name is named in the hint
    ("{use: three}", ("s.yaml:12:5", "layers[0].inputs", "block 'three' reads 3 input(s) (a, b, c), got 1",
                      "give the others by name, e.g. b: <layer>", COUNT)),
    ("{use: three, c: m}", ("s.yaml:12:5", "layers[0].inputs", "block 'three' reads 3 input(s) (a, b, c), got 1",
                            "give the others by name, e.g. b: <layer>", COUNT)),  # c after a gap: not read
    # with 'inputs', where its value starts
    ("{use: three, inputs: [x, m]}", ("s.yaml:12:26", "layers[0].inputs",
                                      "block 'three' reads 3 input(s) (a, b, c), got 2",
                                      "give the others by name, e.g. c: <layer>", COUNT)),
    ("{use: three, inputs: [x, m, x, m]}", ("s.yaml:12:26", "layers[0].inputs",
                                            "block 'three' reads 3 input(s) (a, b, c), got 4", "", COUNT)),
    ("{use: three, inputs: []}", ("s.yaml:12:26", "layers[0].inputs",
                                  "block 'three' reads 3 input(s) (a, b, c), got 0", "", COUNT)),
    # given twice: where the key is
    ("{use: three, inputs: [x, m], b: m, c: x}", ("s.yaml:12:34", "layers[0].b",
                                                  "input 'b' of block 'three' is given twice, in 'inputs' and by name",
                                                  "", "E-BLOCK-INPUT-TWICE")),
    # a reference by name: where its value is
    ("{use: three, b: mm, c: x}", ("s.yaml:12:21", "layers[0].b", "unknown layer or input 'mm'",
                                   "did you mean 'm'?", "E-REF-UNKNOWN")),
    # the first input is not given by name: 'a' is no argument
    ("{use: three, a: m, b: m, c: x}", ("s.yaml:12:18", "layers[0].a", "block 'three' has no argument 'a'",
                                        "its arguments: none", "E-BLOCK-ARG-UNKNOWN")),
])
def test_a_block_reads_exactly_its_inputs(line, expected):
    assert errors(THREE_FRAGILE + "  - " + line + "\n") == [expected]


def test_every_input_given_twice_is_reported():
    assert errors(THREE_FRAGILE + "  - {use: three, inputs: [x, m, x], c: m, b: x}\n") == [
        ("s.yaml:12:43", "layers[0].b", "input 'b' of block 'three' is given twice, in 'inputs' and by name", "",
         "E-BLOCK-INPUT-TWICE"),  # in the block's order, not the use's
        ("s.yaml:12:37", "layers[0].c", "input 'c' of block 'three' is given twice, in 'inputs' and by name", "",
         "E-BLOCK-INPUT-TWICE")]
