"""The Keras program written as a compiler output (``archcompiler.emit.python_source``).

Every built-in spec's program is generated from its default params, then built in one
subprocess where ``archcompiler`` cannot be imported, with small param values passed to
``build_model`` — so the params-as-arguments claim is checked too: the layers' names, output
shapes and parameter counts must equal the graph resolved with the same values as ``--set``
(which is what ``emit.keras_model`` checks its own model against). For a few specs our model's
weights are copied into the generated one by layer name and the outputs compared."""

from __future__ import annotations

import ast
import json
import keyword
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archcompiler.emit.python_source import python_source
from archcompiler.emit.python_source.layout import Atom, Brackets, Item, lay_out
from archcompiler.emit.python_source.symbolic import Translator
from archcompiler.expr import evaluate
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

# small values for every param that makes a model big (and flags flipped from their defaults)
EXPLICIT = {
    "alexnet": {"num_classes": 10, "size": 99, "towers": 1, "dropout": 0.3},
    "attention": {"source_vocab": 50, "target_vocab": 60, "embed": 16, "units": 24, "luong": True},
    "googlenet": {"num_classes": 10, "size": 96, "aux": True},
    "gru": {"steps": 12, "vocab": 50, "embed": 8, "units": 8, "num_classes": 3, "many_to_many": True,
            "reset_after": False, "bidirectional": True},
    "gru_gates": {"vocab": 50, "embed": 8, "units": 8, "maxlen": 12, "reset_after": False},
    "lenet5": {"num_classes": 5, "channels": 3, "activation": "relu"},
    "lstm": {"steps": 12, "vocab": 50, "embed": 8, "units": 8, "num_classes": 3, "many_to_many": True,
             "bidirectional": True},
    "lstm_gates": {"encoder_tokens": 7, "decoder_tokens": 9, "latent": 16},
    "mgu": {"features": 5, "units": 6, "classes": 3},
    "mlp": {"input_size": 20, "num_classes": 3, "width": 32, "hidden_layers": 3, "activation": "tanh"},
    "peephole_lstm": {"features": 3, "units": 5},
    "resnet18": {"num_classes": 10, "size": 32},
    "resnet34": {"num_classes": 10, "size": 32},
    "resnet50": {"num_classes": 10, "size": 32},
    "resnet101": {"num_classes": 10, "size": 32},
    "resnet152": {"num_classes": 10, "size": 32},
    "rnn": {"steps": 6, "features": 3, "units": 5, "num_classes": 2, "many_to_many": True},
    "seq2seq": {"encoder_tokens": 7, "decoder_tokens": 9, "latent": 16},
    "transformer": {"vocab": 64, "target_vocab": 70, "d_model": 32, "d_ff": 48, "heads": 4, "layers": 2,
                    "dropout": 0.2},
    "vgg16": {"num_classes": 10, "size": 32},
    "vgg19": {"num_classes": 10, "size": 32},
    "zfnet": {"num_classes": 10, "size": 99},
    "densenet121": {"num_classes": 10, "size": 32, "growth": 8},
    "bert_base": {"vocab": 100, "positions": 16, "length": 16, "width": 32, "mlp": 64, "heads": 4, "layers": 2},
    "gpt2": {"vocab": 100, "context": 16, "width": 32, "mlp": 64, "heads": 4, "layers": 2},
    "vit_b16": {"size": 32, "patch": 8, "width": 32, "mlp": 64, "heads": 4, "layers": 2, "num_classes": 10},
    "convnext_tiny": {"num_classes": 10, "size": 32, "width": 16, "depth1": 1, "depth2": 1, "depth3": 2, "depth4": 1,
                      "stochastic_depth": True},
    "efficientnet_b0": {"num_classes": 10, "size": 32, "imagenet_rescaling": False},
    "unet": {"classes": 3},
    "xception": {"num_classes": 10, "size": 71},
    "inception_v3": {"num_classes": 10, "size": 75},  # Keras' smallest: both reductions still fit (7 → 3 → 1)
}
GENERIC = {"num_classes": 10, "size": 32}  # for a spec added since: its image size and classes, if it has them
SMALL = {name: EXPLICIT.get(name) or {k: v for k, v in GENERIC.items() if k in load_graph(name).params}
         for name in builtin_names()}
# our model's weights copied in, the same inputs, the same outputs
OUTPUTS = ["alexnet", "gru_gates", "seq2seq", "transformer"]
SAVED = ["gru_gates", "transformer"]  # saved by the generated program, loaded with archcompiler.keras

# Runs in a temporary folder holding the generated programs, with archcompiler made unimportable.
BUILD_ALL = textwrap.dedent('''
    import importlib, json, math, sys
    sys.modules["archcompiler"] = None  # the programs must not need it
    sys.path.insert(0, ".")  # -I leaves the current folder out
    import numpy as np
    small, outputs, saved = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
    report = {}
    import keras
    for name, params in small.items():
        keras.backend.clear_session()  # a fresh session each: Keras numbers the layers a program leaves unnamed
        model = importlib.import_module(name).build_model(**params)
        layers = {}
        for layer in model.layers:
            shapes = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
            layers[layer.name] = [[list(t.shape[1:]) for t in shapes],
                                  sum(math.prod(w.shape) for w in layer.trainable_weights),
                                  sum(math.prod(w.shape) for w in layer.non_trainable_weights)]
        report[name] = layers
        if name in outputs:
            weights = np.load(f"{name}.weights.npz")
            for layer in model.layers:
                count = len(layer.weights)
                if count:
                    layer.set_weights([weights[f"{layer.name}/{k}"] for k in range(count)])
            inputs = np.load(f"{name}.inputs.npz")
            result = model([inputs[f"arr_{k}"] for k in range(len(inputs.files))], training=False)
            result = result if isinstance(result, (list, tuple)) else [result]
            np.savez(f"{name}.outputs.npz", *[np.asarray(r) for r in result])
        if name in saved:
            model.save(f"{name}.keras")
    import contextlib, io, runpy
    summary = io.StringIO()
    with contextlib.redirect_stdout(summary):
        runpy.run_path("mlp.py", run_name="__main__")  # python mlp.py
    print(json.dumps({"models": report, "script": summary.getvalue()}))
''')


def _sets(params: dict) -> dict[str, str]:
    return {k: yaml.safe_dump(v, default_flow_style=True).splitlines()[0] for k, v in params.items()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Every built-in spec's program, generated from its default params."""
    path = tmp_path_factory.mktemp("programs")
    for name in builtin_names():
        (path / f"{name}.py").write_text(python_source(load_graph(name)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ours(folder):
    """Our models (emit.keras_model) for OUTPUTS, with random weights and inputs written for the programs."""
    from archcompiler.emit.keras_model import build_model

    rng = np.random.default_rng(0)
    models = {}
    for name in OUTPUTS:
        model = build_model(load_graph(name, _sets(SMALL[name])))
        weights = {}
        for layer in model.layers:
            values = [rng.normal(0, 0.2, w.shape).astype("float32") for w in layer.get_weights()]
            layer.set_weights(values)
            weights.update({f"{layer.name}/{k}": v for k, v in enumerate(values)})
        np.savez(folder / f"{name}.weights.npz", **weights)
        inputs = []
        for tensor in model.inputs:
            shape = [2] + [7 if d is None else d for d in tensor.shape[1:]]
            inputs.append(rng.integers(0, 5, shape).astype(tensor.dtype) if "int" in str(tensor.dtype)
                          else rng.normal(0, 1, shape).astype("float32"))
        np.savez(folder / f"{name}.inputs.npz", *inputs)
        models[name] = (model, inputs)
    return models


@pytest.fixture(scope="module")
def built(folder, ours):
    """Per spec, per layer of the generated program's model: output shapes, trainable, non-trainable."""
    result = subprocess.run([sys.executable, "-I", "-c", BUILD_ALL, json.dumps(SMALL), json.dumps(OUTPUTS),
                             json.dumps(SAVED)], cwd=folder, capture_output=True, text=True, timeout=300,
                            env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["models"], json.loads(
        result.stdout.strip().splitlines()[-1])["script"]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_program_builds_the_same_layers_with_the_same_params_as_set(name, built):
    models, _ = built
    graph = load_graph(name, _sets(SMALL[name]))
    expected = {node.name: [[list(s) for s in node.shapes], node.trainable, node.non_trainable]
                for node in graph.nodes.values()}
    got = {layer: [[[None if d is None else d for d in s] for s in shapes], t, n]
           for layer, (shapes, t, n) in models[name].items()}
    assert got == expected


@pytest.mark.parametrize("name", OUTPUTS)
def test_outputs_agree_with_our_model_given_the_same_weights(name, built, ours, folder):
    model, inputs = ours[name]
    expected = model(inputs, training=False)
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    got = np.load(folder / f"{name}.outputs.npz")
    assert len(got.files) == len(expected)
    for k, tensor in enumerate(expected):
        np.testing.assert_allclose(got[f"arr_{k}"], np.asarray(tensor), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", SAVED)
def test_model_saved_by_the_program_loads_with_archcompiler_keras(name, built, folder):
    import keras

    import archcompiler.keras  # noqa: F401  (registers the same names the program's copies use)

    model = keras.saving.load_model(folder / f"{name}.keras")
    assert model.count_params() == load_graph(name, _sets(SMALL[name])).total_params


def test_programs_pass_ruff_check_and_are_formatted(folder):
    ruff = [sys.executable, "-m", "ruff"]
    files = [str(folder / f"{n}.py") for n in builtin_names()]
    check = subprocess.run([*ruff, "check", "--isolated", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:]
    formatted = subprocess.run([*ruff, "format", "--isolated", "--diff", *files], capture_output=True, text=True)
    assert formatted.returncode == 0, formatted.stdout[-3000:] + formatted.stderr[-2000:]


def test_program_run_as_a_script_prints_the_summary(built):
    _, printed = built  # python mlp.py, where archcompiler cannot be imported
    assert "Total params: 235,146" in printed and "hidden2" in printed


# --- the program reads like hand-written Keras ------------------------------------------------

def _function(source: str, name: str) -> ast.FunctionDef:
    return next(f for f in ast.parse(source).body if isinstance(f, ast.FunctionDef) and f.name == name)


def test_blocks_are_functions_repeats_are_loops_and_params_are_arguments(folder):
    vgg = (folder / "vgg16.py").read_text()
    stage = _function(vgg, "stage")
    assert [a.arg for a in stage.args.args] == ["x", "name", "filters", "convs"]
    assert "for i in range(1, convs + 1):" in vgg and 'name=f"{name}_conv{i}"' in vgg
    assert "block1_conv2" not in vgg.replace("# block1_conv1", "")  # no unrolled copies
    build = _function(vgg, "build_model")
    assert [(a.arg, ast.literal_eval(d)) for a, d in zip(build.args.args, build.args.defaults)] == [
        ("num_classes", 1000), ("size", 224)]


def test_conditions_become_ifs(folder):
    assert "if aux:" in (folder / "googlenet.py").read_text()
    resnet = (folder / "resnet50.py").read_text()
    assert "if project:" in _function_source(resnet, "bottleneck")
    resnet18 = (folder / "resnet18.py").read_text()
    assert "if stride > 1:" in resnet18  # padding: ${1 if stride > 1 else 'same'}
    assert "if bidirectional:" in (folder / "lstm.py").read_text()


def test_two_input_blocks_and_derived_params(folder):
    transformer = (folder / "transformer.py").read_text()
    decoder = _function(transformer, "decoder_layer")
    assert [a.arg for a in decoder.args.args][:3] == ["x", "memory", "name"]
    assert "if source_vocab is None:" in transformer  # source_vocab: ${vocab}
    assert "class SinusoidalPositionalEncoding(keras.layers.Layer):" in transformer
    imports = [n for n in ast.parse(transformer).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert sorted(ast.unparse(n) for n in imports) == ["from keras import ops", "import keras"]
    assert "memory = encoder" not in transformer and "x = decoder_layer(\n            x,\n            encoder," in transformer


def test_comments_give_shapes_and_params(folder):
    vgg = (folder / "vgg16.py").read_text()
    assert "# block1_conv1: (None, 224, 224, 64), 1,792 params" in vgg
    assert "# (None, 1000), 4,097,000 params" in vgg


def _function_source(source: str, name: str) -> str:
    return ast.get_source_segment(source, _function(source, name))


# --- properties of the pieces ------------------------------------------------------------------

NAMES = ["a", "b", "filters", "i"]
leaf = st.one_of(st.integers(-50, 50).map(str), st.sampled_from(NAMES))


def _expressions():
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%", "**"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(["<", "==", ">="]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
    ), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(_expressions(), st.lists(st.integers(-9, 9), min_size=4, max_size=4))
def test_translated_expressions_compute_what_the_spec_evaluator_computes(text, values):
    env = dict(zip(NAMES, values))
    try:
        expected = evaluate(text, env)
    except Exception:
        return  # the spec language refuses it (division by zero, a huge power): nothing to translate
    source = Translator({n: n for n in NAMES}).expression(text)
    assert eval(source, {"max": max}, dict(env)) == expected  # noqa: S307 - our own generated expression


atoms = st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(lambda t: not keyword.iskeyword(t)).map(Atom)


def _trees():
    return st.recursive(atoms, lambda inner: st.one_of(
        st.tuples(atoms, st.lists(inner, max_size=4),
                  st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}", fullmatch=True)
                                          .filter(lambda t: not keyword.iskeyword(t)), inner), max_size=4))
        .map(lambda t: Brackets(t[0], t[1] + [Item(k, v) for k, v in t[2]])),
        st.lists(inner, max_size=5).map(lambda items: Brackets(None, items, "[", "]")),
    ), max_leaves=20)


@settings(max_examples=100, deadline=None)
@given(_trees())
def test_laid_out_lines_are_the_same_statement(tree):
    lines = lay_out("x = ", tree)
    assert ast.dump(ast.parse("\n".join(lines))) == ast.dump(ast.parse("x = " + tree.flat()))
    assert (len(lines) == 1) == (len("x = " + tree.flat()) <= 88 or not isinstance(tree, Brackets))


# --- where it is written: build and export ---------------------------------------------------------

ODD = """\
name: odd
inputs: {x: {shape: [8, 8, 3]}}
blocks:
  b:
    args: {p: 1}
    layers:
      - {type: conv2d, name: c, filters: 4, kernel: 3, padding: "${p}"}
layers:
  - {use: b, name: one, p: 1}
  - {use: b, name: two, p: same}
"""


def test_a_spec_the_source_cannot_express_is_a_located_error(tmp_path):
    from archcompiler.emit.python_source import SourceError

    (tmp_path / "odd.yaml").write_text(ODD)
    with pytest.raises(SourceError) as raised:
        python_source(load_graph(str(tmp_path / "odd.yaml")))
    (error,) = raised.value.errors
    assert error.code == "E-SOURCE" and error.path == "blocks.b.layers[0]" and "odd.yaml:7:9:" in str(error)


@pytest.mark.parametrize("entry, located, words", [
    # a block argument's default reads a tensor of where the block is used, which its function cannot see
    ("blocks:\n  b:\n    args: {f: \"${x.channels}\"}\n    layers:\n      - {type: conv2d, filters: \"${f}\", "
     "kernel: 1}\nlayers:\n  - {use: b, name: one}\n", "spec.yaml:5:15: blocks.b.args.f", "reads the shape of 'x'"),
    # a top-level layer reads a layer inside a block instance
    ("blocks:\n  b:\n    layers:\n      - {type: conv2d, name: c, filters: 4, kernel: 1}\n      - {type: relu}\n"
     "layers:\n  - {use: b, name: one}\n  - {type: dense, units: \"${one_c.channels}\"}\n",
     "spec.yaml:10:5: layers[1]", "'one_c' reaches into a block"),
    # a block use reads a layer inside another block instance: the use is located, though it makes no layer
    ("blocks:\n  b:\n    layers:\n      - {type: conv2d, name: c, filters: 4, kernel: 1}\n      - {type: relu}\n"
     "layers:\n  - {use: b, name: one}\n  - {use: b, name: two, inputs: one_c}\n  - {type: concat, inputs: [one, two]}\n",
     "spec.yaml:10:5: layers[1]", "'one_c' reaches into a block"),
])
def test_every_refusal_is_located_at_its_entry(tmp_path, monkeypatch, entry, located, words):
    from archcompiler.emit.python_source import SourceError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text("name: refused\ninputs: {x: {shape: [8, 8, 3]}}\n" + entry)
    with pytest.raises(SourceError) as raised:
        python_source(load_graph("spec.yaml"))
    (error,) = raised.value.errors
    assert str(error).startswith(located) and words in error.message and error.code == "E-SOURCE"


def test_export_writes_the_program_to_stdout_or_a_file(tmp_path):
    from typer.testing import CliRunner

    from archcompiler.cli import app

    runner = CliRunner()
    printed = runner.invoke(app, ["export", "lenet5", "--format", "python", "--set", "num_classes=7"])
    assert printed.exit_code == 0, printed.output
    assert "def build_model(num_classes=7," in printed.stdout
    target = tmp_path / "lenet.py"
    written = runner.invoke(app, ["export", "lenet5", "-f", "python", "-o", str(target)])
    assert written.exit_code == 0 and target.read_text() == python_source(load_graph("lenet5"))
    (tmp_path / "odd.yaml").write_text(ODD)
    refused = runner.invoke(app, ["export", str(tmp_path / "odd.yaml"), "-f", "python", "-o", str(tmp_path / "o.py")])
    assert refused.exit_code == 2 and "E-SOURCE" not in refused.output and "differ in form" in refused.output
    assert not (tmp_path / "o.py").exists()


def test_build_writes_the_program_beside_the_model(tmp_path, ours):
    from archcompiler.build import build_one

    graph = load_graph("mlp", {"hidden_layers": "1"})
    folder = build_one(graph, tmp_path, ("en",), notify=lambda text: None)
    assert (folder / "mlp.py").read_text() == python_source(graph)
    build = _function((folder / "mlp.py").read_text(), "build_model")
    assert dict(zip((a.arg for a in build.args.args), (ast.literal_eval(d) for d in build.args.defaults))) == {
        "input_size": 784, "num_classes": 10, "width": 256, "hidden_layers": 1, "activation": "relu"}


# --- prefix: false blocks: Keras numbers the layers the program leaves unnamed ----------------------

HELPER = """\
name: helper
inputs: {x: {shape: [16, 16, 3]}}
blocks:
  conv_bn:
    prefix: false
    args: {filters: int, kernel: 1}
    layers:
      - {type: conv2d, filters: "${filters}", kernel: "${kernel}", padding: same, use_bias: false}
      - {type: batchnorm, scale: false}
      - {type: relu}
  mix:
    prefix: false
    args: {out: str}
    layers:
      - type: branches
        name: "${out}"
        branches:
          - [{use: conv_bn, filters: 4}]
          - [{use: conv_bn, filters: 2}, {use: conv_bn, filters: 2, kernel: [1, 3]}]
          - [{type: avgpool2d, pool: 3, stride: 1, padding: same}]
layers:
  - {use: conv_bn, filters: 8, kernel: 3}
  - {type: maxpool2d, pool: 2}
  - {use: mix, out: "mixed${i - 1}", repeat: 2}
"""


def _build_in_a_fresh_session(source: str):
    import keras

    keras.backend.clear_session()
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # noqa: S102 - our own generated program
    return namespace["build_model"]()


def test_a_prefix_false_block_is_a_function_without_a_name_whose_layers_keras_numbers(tmp_path):
    """As Keras' conv2d_bn: the function takes no name, the layers whose names differ between its uses
    are left unnamed, the names passed in (mixed0) are used as they are, and a fresh session gives
    every layer the spec's name."""
    pytest.importorskip("keras")
    (tmp_path / "helper.yaml").write_text(HELPER)
    graph = load_graph(str(tmp_path / "helper.yaml"))
    source = python_source(graph)
    assert [a.arg for a in _function(source, "conv_bn").args.args] == ["x", "filters", "kernel"]
    assert "keras.layers.Conv2D(filters, kernel, padding=\"same\", use_bias=False)(x)" in source
    assert "name=out" in source and 'name="max_pooling2d"' in source and "keras.backend.clear_session()" in source
    model = _build_in_a_fresh_session(source)
    assert {layer.name: (tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers} == {
        n.name: (n.shape, n.params) for n in graph.nodes.values()}


@pytest.mark.parametrize("change, why", [
    # an explicit conv2d_1 takes a number Keras would give an unnamed layer
    ("  - {type: conv2d, name: conv2d_1, filters: 3, kernel: 1}\n", "number the unnamed conv2d layers otherwise"),
    # the shortcut's layers would be created before the body's
    ("  - {type: residual, body: [{use: conv_bn, filters: 8}], shortcut: [{use: conv_bn, filters: 8}]}\n",
     "body and shortcut both hold unnamed"),
])
def test_a_numbering_keras_would_not_reproduce_is_refused(tmp_path, change, why):
    from archcompiler.emit.python_source import SourceError

    (tmp_path / "helper.yaml").write_text(HELPER.replace("  - {type: maxpool2d, pool: 2}\n", change))
    with pytest.raises(SourceError) as raised:
        python_source(load_graph(str(tmp_path / "helper.yaml")))
    assert why in str(raised.value)


def test_inception_v3_program_writes_keras_helper_functions(folder):
    source = (folder / "inception_v3.py").read_text()
    assert [a.arg for a in _function(source, "conv_bn").args.args] == ["x", "filters", "kernel", "stride", "padding"]
    assert "keras.layers.BatchNormalization(scale=False)(x)" in source and "name=split_out" in source
    assert "name=f\"{out}\"" not in source and "conv2d_" not in source.replace("# conv2d", "")


# --- expressions that read the shape flowing in: the Keras tensor's static shape --------------------

INVERTED = """\
name: inverted_net
params: {size: 16, expand: 6}
inputs: {image: {shape: ["${size}", "${size}", 3]}}
blocks:
  inverted:
    args: {expand: 6, squeeze: "${max(1, in.channels // 4)}"}
    layers:
      - type: residual
        body:
          - {type: conv2d, name: expand, filters: "${in.channels * expand}", kernel: 1, activation: relu6}
          - {type: depthwise_conv2d, name: dw, kernel: 3, padding: same}
          - {type: conv2d, name: squeeze, filters: "${squeeze}", kernel: 1}
          - {type: conv2d, name: project, filters: "${x.channels}", kernel: 1}
layers:
  - {type: conv2d, name: stem, filters: 8, kernel: 3, padding: 1}
  - {use: inverted, name: block1, expand: "${expand}"}
  - {use: inverted, name: block2, repeat: 2}
  - {type: conv2d, name: wide, filters: "${in.channels * 2 + in.rank}", kernel: "${in.height // 4}", padding: 1}
  - {type: conv2d, name: narrow, filters: "${stem.channels}", kernel: [1, "${in.shape[-2] - in.shape[1] + 1}"]}
  - {type: global_avgpool2d, name: pool}
  - {type: dense, name: head, units: "${in.shape[0] + 2}"}
"""

UNET = """\
name: unet_step
inputs: {image: {shape: [16, 16, 3]}}
blocks:
  down:
    args: {filters: int}
    layers:
      - {type: conv2d, name: conv, filters: "${filters}", kernel: 3, padding: same, activation: relu}
  up:
    inputs: [x, skip]
    layers:
      - {type: conv2d_transpose, name: up, filters: "${skip.channels}", kernel: 2, stride: 2}
      - {type: concat, inputs: [up, skip]}
      - {type: conv2d, name: conv, filters: "${skip.channels}", kernel: 3, padding: same, activation: relu}
layers:
  - {use: down, name: enc1, filters: 8}
  - {type: maxpool2d, pool: 2}
  - {use: down, name: enc2, filters: 16}
  - {type: maxpool2d, pool: 2}
  - {type: conv2d, name: bottom, filters: "${enc2.channels * 2}", kernel: 3, padding: same}
  - {use: up, name: up2, skip: enc2}
  - {use: up, name: up1, skip: enc1}
  - {type: conv2d, name: head, filters: 2, kernel: 1}
"""


# a condition on a shape inside a block (copies on both sides), a block use's argument and a loop reading
# what flows in (named d0 alone or d0_1, d0_2… as n says), a residual's body reading a layer above, a
# fallback for a variable length (!= None)
SEQUENCES = """\
name: sequences
params: {n: 2}
inputs: {seq: {shape: [null, 6]}}
blocks:
  mix:
    args: {width: int}
    layers:
      - {type: dense, name: a, units: "${width}"}
      - {type: dense, name: b, units: "${64 if in.channels > 8 else 4}"}
      - {type: dense, name: c, units: "${x.channels + a.channels}"}
layers:
  - {type: dense, name: d0, units: "${in.channels * 2}", repeat: "${n}"}
  - {use: mix, name: m1, width: "${in.channels + 1}"}
  - {use: mix, name: m2, width: 3}
  - {type: relu, name: res_in}
  - type: residual
    name: res
    body:
      - {type: dense, units: "${in.shape[-1] * 2}"}
      - {type: dense, units: "${res_in.channels}"}
  - {type: lstm, units: "${in.steps if in.steps != None else 5}"}
"""


# copies of a repeated residual and branches, reading ${i}: each copy's unnamed layers numbered on by Keras
REPEATED_STRUCTURES = """
name: repeated_structures
params: {n: 3}
inputs: {x: {shape: [8, 8, 16]}}
layers:
  - type: residual
    repeat: "${n}"
    body:
      - {type: conv2d, filters: 16, kernel: "${2 * i - 1}", padding: same, activation: relu}
      - {type: conv2d, name: "d${i}", filters: 16, kernel: 3, padding: same}
  - type: branches
    name: "br${i}"
    repeat: 2
    merge: concat
    branches:
      - [{type: conv2d, filters: "${4 * i}", kernel: 1}]
      - [{type: maxpool2d, pool: 3, stride: 1, padding: same}]
  - {type: global_avgpool2d}
  - {type: dense, units: 10, activation: softmax}
"""


@pytest.fixture(scope="module")
def shape_reading(tmp_path_factory):
    """The specs that read shapes, as files, and their programs."""
    folder = tmp_path_factory.mktemp("shape_reads")
    programs = {}
    for name, text in (("inverted_net", INVERTED), ("unet_step", UNET), ("sequences", SEQUENCES),
                       ("repeated_structures", REPEATED_STRUCTURES)):
        (folder / f"{name}.yaml").write_text(text)
        programs[name] = python_source(load_graph(str(folder / f"{name}.yaml")))
        (folder / f"{name}.py").write_text(programs[name])
    return folder, programs


def _program_model(source: str, **params):
    import keras

    keras.backend.clear_session()
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # noqa: S102 - our own generated program
    return namespace["build_model"](**params)


@pytest.mark.parametrize("name, params", [("inverted_net", {}), ("inverted_net", {"size": 24, "expand": 3}),
                                          ("unet_step", {}), ("sequences", {}), ("sequences", {"n": 1}),
                                          ("repeated_structures", {}), ("repeated_structures", {"n": 1})])
def test_shape_reads_build_the_spec_model_layer_by_layer(shape_reading, name, params):
    """Each layer of the program's model has the spec's name, output shape and parameters (also with other
    params), and with our model's weights copied in by name the same outputs."""
    pytest.importorskip("keras")
    from archcompiler.emit.keras_model import build_model

    folder, programs = shape_reading
    graph = load_graph(str(folder / f"{name}.yaml"), _sets(params))
    model = _program_model(programs[name], **params)
    assert [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers] == [
        (n.name, n.shape, n.params) for n in graph.nodes.values()]
    ours = build_model(graph)
    rng = np.random.default_rng(1)
    for layer in ours.layers:
        layer.set_weights([rng.normal(0, 0.2, w.shape).astype("float32") for w in layer.get_weights()])
        model.get_layer(layer.name).set_weights(layer.get_weights())
    x = rng.normal(0, 1, (2, *[7 if d is None else d for d in graph.nodes[graph.inputs[0]].shape])).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(ours(x)), rtol=1e-5, atol=1e-5)


def test_shape_reads_read_the_keras_tensor_shape_where_it_is(shape_reading):
    folder, programs = shape_reading
    inverted, unet = programs["inverted_net"], programs["unet_step"]
    block = _function_source(inverted, "inverted")
    assert "squeeze = max(1, x.shape[-1] // 4)" in block  # a default reads the block's first input
    assert "x.shape[-1] * expand" in block  # in: the body's input, the block's
    assert 'x_2 = keras.layers.Conv2D(x.shape[-1], (1, 1), name=f"{name}_project")(x_2)' in block  # x: kept
    assert 'x_pad = keras.layers.ZeroPadding2D(((1, 1), (1, 1)), name="wide_pad")(x)' in inverted  # x kept
    assert "x.shape[-1] * 2 + (len(x.shape) - 1), x.shape[1] // 4" in inverted
    assert "stem.shape[-1], (1, x.shape[-2] - x.shape[2] + 1)" in inverted  # a layer above, by name
    assert "keras.layers.Dense(x.shape[1] + 2" in inverted
    up = _function_source(unet, "up")
    assert [a.arg for a in _function(unet, "up").args.args] == ["x", "skip", "name"]
    assert up.count("skip.shape[-1]") == 2 and "enc2.shape[-1] * 2" in unet
    sequences = programs["sequences"]
    assert "    if a.shape[-1] > 8:\n" in _function_source(sequences, "mix")
    assert "x = mix(x, name=\"m1\", width=x.shape[-1] + 1)" in sequences
    assert "keras.layers.Dense(res_in.shape[-1], name=\"dense_1\")(x)" in sequences
    assert "LSTM(x.shape[1] if x.shape[1] is not None else 5" in sequences
    files = [str(folder / f"{n}.py") for n in programs]
    assert subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", *files]).returncode == 0
    assert subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--check", *files]).returncode == 0


@pytest.mark.parametrize("expression", [
    "in.channels", "in.height", "in.width", "in.steps", "in.rank", "in.shape[0]", "in.shape[1]", "in.shape[-1]",
    "in.shape[-2]", "in.shape[i]", "in.shape[i - 2]", "in.rank * 2", "2 - in.rank", "skip.channels // 2",
    "in.shape", "in.shape[0] == None", "None != in.shape[-1]", "max(1, in.channels // 4)",
])
@pytest.mark.parametrize("shape", [(5, 7, 3), (None, 4), (6,)])
def test_translated_shape_reads_compute_what_the_spec_evaluator_computes(expression, shape):
    """On a tensor of Keras' shape (the batch axis first), the translation gives the spec's value; where
    the spec refuses (no height at rank 2), nothing is compared."""
    from archcompiler.expr import ExprError, TensorView

    class Tensor:
        def __init__(self, shape):
            self.shape = (None, *shape)

    try:
        expected = evaluate(expression, {"i": 1, "in": TensorView("in", shape),
                                         "skip": TensorView("skip", (2, 2, 8))})
    except ExprError:
        return
    translate = Translator({"i": "i"})
    with translate.reading(lambda name: {"in": "x", "skip": "skip"}[name]):
        source = translate.expression(expression)
    got = eval(source, {"max": max, "len": len}, {"i": 1, "x": Tensor(shape), "skip": Tensor((2, 2, 8))})  # noqa: S307
    assert (list(got) if isinstance(got, tuple) else got) == expected
