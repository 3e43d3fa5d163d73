"""The runtime that saved models need (archcompiler.keras): models load the README's way in a fresh
process, the runtime imports nothing of the compiler, and each class stands alone (the generated
Python source copies them)."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

keras = pytest.importorskip("keras")

import archcompiler.keras as runtime  # noqa: E402
from archcompiler.emit.keras_model import build_model  # noqa: E402

# Inputs shrunk where a spec has params for it (the classes in the file do not depend on sizes).
SHRINK = {"size": "32", "num_classes": "10", "vocab": "100", "source_vocab": "50", "target_vocab": "50",
          "d_model": "32", "d_ff": "64", "heads": "4", "layers": "2", "latent": "32", "units": "16",
          "embed": "16", "width": "32", "mlp": "64", "positions": "16", "length": "8", "context": "8",
          "patch": "8", "depth1": "1", "depth2": "1", "depth3": "1", "depth4": "1"}
FITS = {"alexnet": {"size": "67"}, "zfnet": {"size": "99"}, "googlenet": {"size": "96"}, "resnet50": {"size": "64"}}


def small_graph(name):
    params = load_graph(name).params
    sets = {k: v for k, v in {**SHRINK, **FITS.get(name, {})}.items() if k in params}
    return load_graph(name, sets)


def sample_input(node, rng, batch=2, steps=6):
    shape = (batch,) + tuple(steps if d is None else d for d in node.shape)
    if node.layer.dtype.startswith("int"):
        return rng.integers(0, 2, shape).astype(node.layer.dtype)  # every vocabulary has 2
    return rng.standard_normal(shape).astype("float32")


def run_fresh(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


# Specs without our classes hold Keras' own only, of which two stand for all.
PLAIN = ["lenet5", "seq2seq"]


def needs_runtime(name):
    """Whether one of the spec's Keras layers (one of each kind, made but not built) is ours."""
    one_of_each = {node.layer.type: node for node in load_graph(name).layers()}.values()
    return any('"archcompiler>' in json.dumps(keras.saving.serialize_keras_object(node.layer.keras(keras, node.name)))
               for node in one_of_each)


@pytest.fixture(scope="module")
def saved_library(tmp_path_factory):
    """Every built-in spec with one of our classes, and two without, small: a .keras file (weights,
    inputs and outputs too) where the model holds one of our classes, the architecture JSON for the others."""
    folder = tmp_path_factory.mktemp("library")
    custom = []
    rng = np.random.default_rng(0)
    for name in [n for n in builtin_names() if needs_runtime(n)] + PLAIN:
        graph = small_graph(name)
        model = build_model(graph)
        architecture = model.to_json()
        if '"archcompiler>' in architecture:
            x = [sample_input(graph.nodes[i], rng) for i in graph.inputs]
            out = model(x if len(x) > 1 else x[0])
            model.save(folder / f"{name}.keras")
            np.savez(folder / f"{name}.npz", *x, *(out if isinstance(out, (list, tuple)) else [out]))
            custom.append(name)
        else:
            (folder / f"{name}.json").write_text(architecture, encoding="utf-8")
        keras.backend.clear_session()
    return folder, custom


def test_every_builtin_model_loads_the_readme_way_in_a_fresh_process(saved_library):
    folder, custom = saved_library
    assert {"alexnet", "zfnet", "googlenet", "transformer", "lstm_gates", "gru_gates", "mgu"} <= set(custom)
    done = run_fresh(f"""
        import sys
        from pathlib import Path
        import numpy as np
        import keras
        import archcompiler.keras
        folder = Path({str(folder)!r})
        for path in sorted(folder.glob("*.keras")):
            model = keras.saving.load_model(path)
            arrays = list(np.load(path.with_suffix(".npz")).values())
            n = len(model.inputs)
            out = model(arrays[:n] if n > 1 else arrays[0])
            for got, want in zip(out if isinstance(out, (list, tuple)) else [out], arrays[n:]):
                np.testing.assert_allclose(np.asarray(got), want, atol=1e-5, rtol=1e-5)
            print("loaded", path.stem)
        for path in sorted(folder.glob("*.json")):
            keras.models.model_from_json(path.read_text())
            print("loaded", path.stem)
        print("modules", sorted(m for m in sys.modules if m.startswith("archcompiler")))
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("loaded")]
    assert sorted(loaded) == sorted(custom + PLAIN)
    assert not set(PLAIN) & set(custom)
    modules = set(json.loads(done.stdout.splitlines()[-1].split(" ", 1)[1].replace("'", '"')))
    heavy = {m for m in modules if m not in ("archcompiler", "archcompiler.errors")
             and not m.startswith("archcompiler.keras")}
    assert not heavy  # no spec language, no layer kinds, no CLI


def test_without_the_runtime_the_error_names_the_class(saved_library):
    """What the README's first line is for: plain Keras cannot locate our classes."""
    folder, _ = saved_library
    done = run_fresh(f"""
        import keras
        keras.saving.load_model({str(folder / "mgu.keras")!r})
    """)
    assert done.returncode != 0 and "GateCell" in done.stderr


@pytest.mark.parametrize("cls", [runtime.LocalResponseNormalization, runtime.SinusoidalPositionalEncoding,
                                 runtime.GateCell])
def test_each_class_stands_alone(cls):
    """The class's own source, run with nothing but keras, defines a class that registers under the
    same name and computes the same thing (how the generated Python source embeds it)."""
    namespace = {}
    exec(compile("import keras\nfrom keras import ops\n\n" + inspect.getsource(cls), "<copy>", "exec"), namespace)
    copy = namespace[cls.__name__]
    try:
        assert keras.saving.get_registered_name(copy) == f"archcompiler>{cls.__name__}"
        assert runtime.CUSTOM_OBJECTS[f"archcompiler>{cls.__name__}"] is cls
        if cls is runtime.GateCell:
            config = small_graph("mgu").nodes["mgu"].layer
            from archcompiler.cells import runtime_config

            kwargs = {"units": 4, **runtime_config(config.cell)}
            x = np.random.default_rng(2).standard_normal((2, 3, 5)).astype("float32")
            make = lambda c: keras.layers.RNN(c(**kwargs))  # noqa: E731
        else:
            kwargs = {}
            x = np.random.default_rng(2).standard_normal((2, 3, 6)).astype("float32")
            make = lambda c: c(**kwargs)  # noqa: E731
        ours, theirs = make(cls), make(copy)
        ours.build(x.shape)
        theirs.build(x.shape)
        theirs.set_weights(ours.get_weights())
        np.testing.assert_allclose(np.asarray(theirs(x)), np.asarray(ours(x)), atol=1e-6)
    finally:
        keras.saving.register_keras_serializable("archcompiler", cls.__name__)(cls)  # the original again


def test_declared_cell_config_is_plain_data():
    from archcompiler.cells import runtime_config

    for name in ("lstm_gates", "gru_gates", "peephole_lstm", "mgu"):
        graph = load_graph(name)
        for node in graph.layers():
            if node.layer.type == "rnn":
                config = runtime_config(node.layer.cell)
                assert json.loads(json.dumps(config)) == config
