"""Plugins: users' own layer kinds from installed packages (archcompiler.plugin, archcompiler.plugins).

The example plugin examples/plugin_cbam (CBAM as the kind ``cbam``) is installed by scripts/setup.sh,
or here if missing; fake distributions (a dist-info folder on sys.path) stand for broken plugins. Every
test leaves the registry of kinds as it found it, so other tests see the built-in kinds only."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from typing import ClassVar, Literal

import pytest
from conftest import ROOT
from hypothesis import strategies as st
from typer.testing import CliRunner

from archcompiler import plugins
from archcompiler.errors import SpecErrors
from archcompiler.layers import KINDS
from archcompiler.plugin import PLUGIN_API_VERSION, Inferred, Layer, PositiveInt, need_rank
from archcompiler.resolve import graph_from_yaml
from archcompiler.source import load_yaml

EXAMPLE = ROOT / "examples" / "plugin_cbam"
SPEC = EXAMPLE / "cbam_net.yaml"


@pytest.fixture(scope="session")
def cbam():
    """The example plugin, installed (pip install -e) if it is not yet; returns its package."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution("archcompiler-cbam")
    except PackageNotFoundError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e",
                        str(EXAMPLE)], check=True, capture_output=True)
        importlib.invalidate_caches()
        plugins._entry_points.cache_clear()
    if str(EXAMPLE) not in sys.path:  # an editable install made in this process is not on its path yet
        sys.path.append(str(EXAMPLE))
    return importlib.import_module("archcompiler_cbam")


@pytest.fixture(autouse=True)
def registry():
    """Kinds registered by a test (a plugin's, or one defined in the test) are removed after it."""
    kinds, origins = dict(KINDS), dict(plugins.ORIGINS)
    yield
    KINDS.clear(), KINDS.update(kinds)
    plugins.ORIGINS.clear(), plugins.ORIGINS.update(origins)
    plugins._entry_points.cache_clear()


def load(text: str, name: str = "plugin_spec.yaml"):
    return graph_from_yaml(load_yaml(textwrap.dedent(text).lstrip(), name), __import__("pathlib").Path(name))


def errors_of(text: str) -> list:
    with pytest.raises(SpecErrors) as caught:
        load(text)
    return caught.value.errors


def fake_plugin(tmp_path, monkeypatch, name: str, module_source: str, kinds: dict[str, str]) -> None:
    """An installed distribution ``name`` 1.0 (a dist-info folder on sys.path) with one module."""
    package = name.replace("-", "_")
    info = tmp_path / f"{package}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[archcompiler.kinds]\n" + "".join(
        f"{kind} = {target}\n" for kind, target in kinds.items()), encoding="utf-8")
    (tmp_path / f"{package}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    plugins._entry_points.cache_clear()


KIND_SOURCE = """
    from typing import ClassVar, Literal
    from archcompiler.plugin import Inferred, Layer

    class Scale(Layer):
        type: Literal["{kind}"] = "{kind}"
        plugin_api: ClassVar[int] = {api}

        def infer(self, inputs):
            return Inferred([inputs[0]])

        def keras(self, keras, name):
            return keras.layers.Identity(name=name)
"""


# --- the example plugin: CBAM -----------------------------------------------------------------------

def cbam_reference(keras, shape, reduction, kernel):
    """CBAM in plain Keras layers (after the reference implementation, kobiso/CBAM-keras): a shared MLP
    with biases over the average- and max-pooled channels, then a bias-free k×k convolution over the
    channel-wise average and max."""
    ops = keras.ops
    x = keras.Input(shape)
    hidden = keras.layers.Dense(shape[-1] // reduction, activation="relu")
    restore = keras.layers.Dense(shape[-1])
    average = keras.layers.GlobalAveragePooling2D(keepdims=True)(x)
    largest = keras.layers.GlobalMaxPooling2D(keepdims=True)(x)
    mask = keras.layers.Activation("sigmoid")(keras.layers.Add()([restore(hidden(average)), restore(hidden(largest))]))
    y = keras.layers.Multiply()([x, mask])
    pooled = keras.layers.Concatenate()([ops.mean(y, axis=-1, keepdims=True), ops.max(y, axis=-1, keepdims=True)])
    spatial = keras.layers.Conv2D(1, kernel, padding="same", activation="sigmoid", use_bias=False)(pooled)
    return keras.Model(x, keras.layers.Multiply()([y, spatial])), [hidden, restore]


def test_the_example_spec_builds_and_each_cbam_equals_a_plain_keras_reference(cbam):
    import numpy as np

    from archcompiler.api import Architecture, load_graph

    graph = load_graph(str(SPEC))
    assert graph.total_params == 40_208
    model = Architecture(graph).keras_model()  # checked layer by layer against infer
    keras = sys.modules["keras"]
    checked = 0
    for node in graph.layers():
        if node.kind != "cbam":
            continue
        ours = model.get_layer(node.name)
        reference, _ = cbam_reference(keras, node.shapes[0], node.layer.reduction, node.layer.kernel)
        assert reference.count_params() == node.params == ours.count_params()
        reference.set_weights([w.numpy() for w in ours.weights])  # same order: hidden, out, spatial
        x = np.random.default_rng(1).normal(size=(2, *node.shapes[0])).astype("float32")
        np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(reference(x)), rtol=1e-5, atol=1e-6)
        checked += 1
    assert checked == 3


def test_the_example_spec_is_documented_drawn_and_exported(cbam):
    from archcompiler.api import Architecture, load_graph
    from archcompiler.emit.docs import context, render_doc

    graph = load_graph(str(SPEC))
    ctx = context(graph)
    en, ko = render_doc(graph, "en", ctx), render_doc(graph, "ko", ctx)
    assert not ctx["doc"].fallbacks
    assert "**Channel attention — what to look at.**" in en and "32 → 4 → 32" in en and "390 in all" in en
    assert "**채널 어텐션 — 무엇을 볼지.**" in ko and "모두 390개" in ko
    assert "convolutional block attention (CBAM)" in en and "합성곱 블록 어텐션(CBAM)" in ko
    drawing = Architecture(graph).diagram()
    assert "CBAM, reduction 4, spatial 5×5" in drawing.dot and "CBAM, reduction 16, spatial 7×7" in drawing.mermaid
    source = Architecture(graph).python_source()
    assert "from archcompiler_cbam.keras_layers import CBAM\n" in source
    assert 'CBAM(reduction=4, kernel=5, name="attention")' in source


def test_check_kind_runs_the_property_tests_on_cbam(cbam):
    from archcompiler.testing import check_kind

    settings = st.fixed_dictionaries({"reduction": st.sampled_from([1, 2, 4, 8]), "kernel": st.integers(1, 5)})
    shapes = st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 12))
    assert check_kind(cbam.CBAMKind, settings, shapes, max_examples=5) >= 1


def test_list_kinds_and_schema_show_plugin_kinds(cbam):
    from archcompiler.cli import app
    from archcompiler.spec import json_schema

    result = CliRunner().invoke(app, ["list", "--kinds", "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {r["kind"]: r for r in json.loads(result.stdout)}
    assert rows["cbam"] == {"kind": "cbam", "family": "attention", "from": "plugin", "package": "archcompiler-cbam",
                            "version": "0.1.0"}
    assert rows["conv2d"]["from"] == "built-in" and rows["conv2d"]["package"] is None
    assert '"const": "cbam"' in __import__("json").dumps(json_schema())


# --- a plugin kind whose infer is wrong -----------------------------------------------------------------

def wrong_dense():
    class ForgetfulDense(Layer):
        """A dense layer whose infer forgets the bias: Keras counts units more parameters."""

        type: Literal["forgetful_dense"] = "forgetful_dense"
        units: PositiveInt
        plugin_api: ClassVar[int] = PLUGIN_API_VERSION
        family: ClassVar[str] = "dense"

        def infer(self, inputs):
            (shape,) = inputs
            need_rank(shape, 1, self.type)
            return Inferred([(self.units,)], trainable=shape[0] * self.units)

        def keras(self, keras, name):
            return keras.layers.Dense(self.units, name=name)

    return ForgetfulDense


WRONG = """
name: wrong
inputs: {x: {shape: [4]}}
layers:
  - {type: dense, units: 3}
  - {type: forgetful_dense, name: head, units: 2}
"""


def test_a_plugin_kind_whose_infer_keras_contradicts_fails_the_build_naming_the_plugin(tmp_path):
    from archcompiler.cli import app
    from archcompiler.emit.keras_model import build_model
    from archcompiler.testing import check_kind

    wrong_dense()
    graph = load(WRONG)  # validate trusts infer: 8 params
    assert graph.nodes["head"].params == 6
    with pytest.raises(SpecErrors) as caught:
        build_model(graph)
    (error,) = caught.value.errors
    assert error.code == "E-PLUGIN-INFER" and (error.loc.line, error.loc.column) == (5, 5)
    assert str(error) == ("plugin_spec.yaml:5:5: layers[1]: forgetful_dense: Keras disagrees with plugin "
                          f"{__name__} (not installed)'s infer() — head: 6 + 0 params inferred, Keras counts 8 + 0 "
                          "(hint: a bug in the plugin, not in your spec: report it to the plugin's authors)")
    spec = tmp_path / "wrong.yaml"
    spec.write_text(WRONG.lstrip(), encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(spec), "--out", str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("error")] == [
        f"error: {spec}:5:5: layers[1]: forgetful_dense: Keras disagrees with plugin {__name__} (not installed)'s "
        "infer() — head: 6 + 0 params inferred, Keras counts 8 + 0 (hint: a bug in the plugin, not in your spec: "
        "report it to the plugin's authors)"]
    assert not (tmp_path / "out" / "wrong").exists()
    with pytest.raises(AssertionError, match="Keras disagrees with plugin"):  # the harness finds it too
        check_kind(KINDS["forgetful_dense"], st.just({"units": 2}), st.just((3,)), max_examples=2,
                   python_source=False)  # fixed draws: little for Hypothesis to shrink, each step a Keras build


def test_a_plugin_kind_whose_own_code_fails_is_a_located_error_naming_it():
    class Crashing(Layer):
        type: Literal["crashing"] = "crashing"
        plugin_api: ClassVar[int] = PLUGIN_API_VERSION

        def infer(self, inputs):
            return {}["oops"]

        def keras(self, keras, name):  # pragma: no cover - never reached
            raise AssertionError

    (error,) = errors_of("""
        name: crash
        inputs: {x: {shape: [4]}}
        layers:
          - {type: crashing}
        """)
    assert error.code == "E-PLUGIN-FAILED" and error.loc.line == 4
    assert f"crashing (crashing): plugin {__name__} (not installed) failed in infer: KeyError: 'oops'" in str(error)


# --- missing, broken and incompatible plugins ---------------------------------------------------------

def test_a_missing_required_plugin_is_located_with_its_install_command():
    error, unknown = errors_of("""
        name: needs
        requires: [archcompiler-nonexistent-blocks]
        inputs: {x: {shape: [4]}}
        layers:
          - {type: fancy_block}
        """)
    assert (error.code, error.loc.line, error.loc.column, error.path) == ("E-PLUGIN-MISSING", 2, 12, "requires[0]")
    assert error.hint == "pip install archcompiler-nonexistent-blocks"
    assert unknown.code == "E-TYPE-UNKNOWN"  # and the kind it would have brought is unknown, as written


def test_a_plugin_built_for_another_api_version_says_what_to_upgrade(tmp_path, monkeypatch):
    fake_plugin(tmp_path, monkeypatch, "old-blocks", KIND_SOURCE.format(kind="scale", api=0), {"scale": "old_blocks:Scale"})
    error, = errors_of("""
        name: old
        requires: [old-blocks]
        inputs: {x: {shape: [4]}}
        layers:
          - {type: scale}
        """)
    assert (error.code, error.loc.line, error.path) == ("E-PLUGIN-API", 2, "requires[0]")
    assert error.message == (f"plugin old-blocks 1.0 was built for plugin API 0; this archcompiler provides plugin "
                             f"API {PLUGIN_API_VERSION}")
    assert error.hint == f"install a version of old-blocks built for plugin API {PLUGIN_API_VERSION} (pip install -U old-blocks)"


def test_an_entry_point_kind_works_without_requires_and_a_newer_api_asks_to_upgrade_archcompiler(tmp_path, monkeypatch):
    fake_plugin(tmp_path, monkeypatch, "new-blocks", KIND_SOURCE.format(kind="scale", api=PLUGIN_API_VERSION)
                + KIND_SOURCE.replace("Scale", "Future").format(kind="future", api=PLUGIN_API_VERSION + 1),
                {"scale": "new_blocks:Scale", "future": "new_blocks:Future"})
    graph = load("""
        name: fine
        inputs: {x: {shape: [4]}}
        layers:
          - {type: scale}
        """)
    assert plugins.describe(type(graph.nodes["scale"].layer)) == "plugin new-blocks 1.0"
    (error,) = errors_of("""
        name: future
        inputs: {x: {shape: [4]}}
        layers:
          - {type: future}
        """)
    assert (error.code, error.loc.line, error.path) == ("E-PLUGIN-API", 4, "layers[0].type")
    assert error.hint == "upgrade archcompiler (pip install -U archcompiler)"


def test_broken_plugins_are_one_line_each_and_never_replace_a_built_in_kind(tmp_path, monkeypatch):
    fake_plugin(tmp_path, monkeypatch, "bad-blocks", textwrap.dedent(KIND_SOURCE.format(kind="dense", api=PLUGIN_API_VERSION))
                + "NOT_A_KIND = 3\n", {"dense": "bad_blocks:Scale", "numbers": "bad_blocks:NOT_A_KIND",
                                         "ghost": "bad_blocks_missing_module:Ghost"})
    import archcompiler.layers.dense as dense

    assert KINDS["dense"] is dense.Dense  # defining a class named 'dense' elsewhere replaced nothing
    assert {(p.code, p.message) for p in plugins.load_all()} == {
        ("E-PLUGIN-BROKEN", "plugin bad-blocks 1.0: its kind 'dense' has the name of a built-in kind"),
        ("E-PLUGIN-BROKEN", "plugin bad-blocks 1.0: its kind 'numbers' is not a layer kind (int 3, not a subclass "
                            "of archcompiler.plugin.Layer)"),
        ("E-PLUGIN-IMPORT", "plugin bad-blocks 1.0: cannot import its kind 'ghost' (bad_blocks_missing_module:Ghost): "
                            "ModuleNotFoundError: No module named 'bad_blocks_missing_module'")}
    assert KINDS["dense"] is dense.Dense
    (error,) = errors_of("""
        name: ghostly
        inputs: {x: {shape: [4]}}
        layers:
          - {type: ghost}
        """)
    assert (error.code, error.loc.line, error.path) == ("E-PLUGIN-IMPORT", 4, "layers[0].type")


def test_the_cli_reports_a_broken_plugin_in_one_line_and_never_loads_tensorflow_to_validate(tmp_path, cbam):
    """In a fresh process: validating a spec with a plugin kind imports neither Keras nor TensorFlow, a
    built-in spec does not even look for plugins, and a plugin that fails to import is one line, exit 2."""
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "crash_blocks-1.0.dist-info").mkdir()
    (fake / "crash_blocks-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: crash-blocks\nVersion: 1.0\n")
    (fake / "crash_blocks-1.0.dist-info" / "entry_points.txt").write_text("[archcompiler.kinds]\nboom = crash_blocks:Boom\n")
    (fake / "crash_blocks.py").write_text("raise RuntimeError('the plugin cannot start')\n")
    spec = tmp_path / "boom.yaml"
    spec.write_text("name: boom\ninputs: {x: {shape: [4]}}\nlayers:\n  - {type: boom}\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import subprocess, sys
        from archcompiler import api, plugins
        api.load_graph("vgg16")
        assert plugins._entry_points.cache_info().currsize == 0, "a built-in spec looked for plugins"
        graph = api.load_graph({str(SPEC)!r})
        assert graph.total_params == 40_208
        assert "keras" not in sys.modules and "tensorflow" not in sys.modules, "validate imported Keras"
        from archcompiler.cli import app
        sys.argv = ["archcompiler", "validate", {str(spec)!r}]
        app()
        """)
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), str(EXAMPLE)])}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[1:] == [
        f"error: {spec}:4:12: layers[0].type: plugin crash-blocks 1.0: cannot import its kind 'boom' "
        "(crash_blocks:Boom): RuntimeError: the plugin cannot start (hint: reinstall it (pip install "
        "--force-reinstall crash-blocks) or report it to its authors)"]
