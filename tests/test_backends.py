"""Every Keras backend builds the same models: a spec built under JAX (and, run by hand, PyTorch)
has the same per-layer shapes and counts as our inference (build_model checks each layer), loads
the `.keras` file saved by the TensorFlow build, and with the TensorFlow build's weights gives the
same outputs.

Keras chooses its backend once, when it is imported, so the other backend runs in a subprocess:
this file is also that subprocess's script (``python tests/test_backends.py WORKDIR``). PyTorch's
run, which CI does not install (its PyPI wheel pulls the CUDA libraries), is this file run in an
environment that has torch besides TensorFlow (the reference build stays on TensorFlow)::

    python -m pytest tests/test_backends.py -k torch
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# A representative subset, shrunk where a spec has params for it; every spec with a custom layer
# (LRN, sinusoidal positions) or a declared cell is in it.
SPECS = {
    "lenet5": {},
    "mlp": {},
    "alexnet": {"size": "67", "num_classes": "10"},        # LRN, grouped convolutions
    "zfnet": {"size": "99", "num_classes": "10"},          # LRN, numeric padding
    "googlenet": {"size": "96", "num_classes": "10"},      # LRN, branches
    "resnet18": {"size": "32", "num_classes": "10"},       # batch norm, residuals
    "rnn": {},
    "lstm": {"vocab": "100", "embed": "16", "units": "16", "bidirectional": "true"},
    "gru": {"vocab": "100", "embed": "16", "units": "16", "reset_after": "false"},
    "seq2seq": {"latent": "32"},                           # several inputs, initial states
    "attention": {"source_vocab": "50", "target_vocab": "50", "embed": "16", "units": "32"},
    "transformer": {"vocab": "100", "d_model": "32", "d_ff": "64", "heads": "4", "layers": "2"},
    "lstm_gates": {"latent": "32"},                        # declared cells
    "gru_gates": {"vocab": "100", "embed": "16", "units": "16", "maxlen": "12"},
    "peephole_lstm": {},
    "mgu": {},
    "bert_base": {"vocab": "100", "positions": "16", "length": "8", "width": "32", "mlp": "64", "heads": "4",
                  "layers": "1"},
    "gpt2": {"vocab": "100", "context": "8", "width": "32", "mlp": "64", "heads": "4", "layers": "1"},
    "vit_b16": {"size": "32", "patch": "8", "width": "32", "mlp": "64", "heads": "4", "layers": "1",
                "num_classes": "10"},
    "convnext_tiny": {"size": "32", "width": "16", "depth1": "1", "depth2": "1", "depth3": "1", "depth4": "1",
                      "num_classes": "10"},
}
ATOL = 1e-4


def sample_inputs(graph, batch=2, steps=6):
    rng = np.random.default_rng(0)
    data = []
    for name in graph.inputs:
        node = graph.nodes[name]
        shape = (batch,) + tuple(steps if d is None else d for d in node.shape)
        if node.layer.dtype.startswith("int"):
            data.append(rng.integers(0, 2, size=shape).astype(node.layer.dtype))  # every vocabulary has 2
        else:
            data.append(rng.standard_normal(shape).astype("float32"))
    return data


def outputs_of(model, inputs) -> list[np.ndarray]:
    from keras import ops

    out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    return [ops.convert_to_numpy(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def randomize(model, seed=1):
    """Weights away from their initial values (batch norm's statistics included), so that a
    wrong copy or a misread weight shows."""
    rng = np.random.default_rng(seed)
    model.set_weights([(rng.uniform(0.5, 1.5, w.shape) if "variance" in w.path
                        else rng.normal(scale=0.2, size=w.shape)).astype("float32") for w in model.weights])


def reference(workdir: Path) -> None:
    """Under the current backend (TensorFlow): each spec's .keras file, inputs and outputs."""
    import keras

    from archcompiler.emit.keras_model import build_model
    from archcompiler.resolve import load_graph

    for name, sets in SPECS.items():
        graph = load_graph(name, sets)
        model = build_model(graph)
        randomize(model)
        inputs = sample_inputs(graph)
        model.save(workdir / f"{name}.keras")
        np.savez(workdir / f"{name}.npz", *inputs)
        np.savez(workdir / f"{name}.out.npz", *outputs_of(model, inputs))
        keras.backend.clear_session()


def compare(workdir: Path) -> dict:
    """Under another backend: build every spec, load the reference file, compare outputs."""
    import keras

    import archcompiler.keras  # noqa: F401  (the README's way to load a model)
    from archcompiler.emit.keras_model import build_model
    from archcompiler.resolve import load_graph

    report = {"backend": keras.backend.backend(), "specs": {}}
    for name, sets in SPECS.items():
        inputs = list(np.load(workdir / f"{name}.npz").values())
        want = list(np.load(workdir / f"{name}.out.npz").values())
        try:
            built = build_model(load_graph(name, sets))  # raises on any per-layer disagreement
            loaded = keras.saving.load_model(workdir / f"{name}.keras")
            built.set_weights(loaded.get_weights())
            result = {"loaded": _difference(outputs_of(loaded, inputs), want),
                      "built": _difference(outputs_of(built, inputs), want),
                      "params": built.count_params()}
        except Exception as e:  # reported to the parent test, which fails with the message
            result = {"error": f"{type(e).__name__}: {e}"[:2000]}
        report["specs"][name] = result
        keras.backend.clear_session()
    return report


def _difference(got, want) -> float:
    if [g.shape for g in got] != [w.shape for w in want]:
        return float("inf")
    return max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))


def run_backend(backend: str, workdir: Path, timeout=900) -> dict:
    # XLA's optimisation passes cost more than these small models' runs (JAX compiles every
    # weight's initializer per shape); they do not change what is computed.
    xla = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "XLA_FLAGS": xla}
    done = subprocess.run([sys.executable, __file__, str(workdir)], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((workdir / f"report.{backend}.json").read_text())


def problems_in(report: dict, backend: str) -> dict[str, str]:
    from archcompiler.resolve import load_graph

    assert report["backend"] == backend
    problems = {}
    for name, sets in SPECS.items():
        result = report["specs"][name]
        if "error" in result:
            problems[name] = result["error"]
        elif result["params"] != load_graph(name, sets).total_params:
            problems[name] = f"{result['params']:,} parameters under {backend}"
        elif result["loaded"] > ATOL:
            problems[name] = f"the TensorFlow .keras file loaded under {backend} differs by {result['loaded']:.2g}"
        elif result["built"] > ATOL:
            problems[name] = f"the {backend} build with TensorFlow's weights differs by {result['built']:.2g}"
    return problems


# --- the tests (one per backend, so that xdist runs each subprocess once) -------------------

@pytest.fixture(scope="module")
def tensorflow_build(tmp_path_factory):
    pytest.importorskip("keras")
    from archcompiler.emit.keras_model import import_keras

    if import_keras().backend.backend() != "tensorflow":
        pytest.skip("the reference build runs under TensorFlow")
    workdir = tmp_path_factory.mktemp("backends")
    reference(workdir)
    return workdir


def test_every_spec_with_our_classes_is_checked():
    pytest.importorskip("keras")
    from test_runtime import needs_runtime

    from archcompiler.library import builtin_names

    assert {name for name in builtin_names() if needs_runtime(name)} <= set(SPECS)


@pytest.mark.skipif(not importlib.util.find_spec("jax"), reason="JAX is not installed: pip install -e '.[jax]'")
def test_jax_builds_loads_and_agrees_with_tensorflow(tensorflow_build):
    assert problems_in(run_backend("jax", tensorflow_build), "jax") == {}


@pytest.mark.skipif(not importlib.util.find_spec("torch"), reason="PyTorch is not installed: pip install -e '.[torch]'")
def test_torch_builds_loads_and_agrees_with_tensorflow(tensorflow_build):
    """A local run (CI installs only JAX); see the module's docstring."""
    assert problems_in(run_backend("torch", tensorflow_build), "torch") == {}


if __name__ == "__main__":  # the subprocess: compare under $KERAS_BACKEND
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    folder = Path(sys.argv[1])
    result = compare(folder)
    (folder / f"report.{result['backend']}.json").write_text(json.dumps(result, indent=1))
