"""Export formats, weights and a missing Keras: a CNN and a recurrent model exported to SavedModel
(run by TensorFlow) and ONNX (run by onnxruntime) give the Keras outputs; weights load by layer
name with a report, imagenet through Keras' own loader (with a file the test makes); the build's
--no-weights and the one-line errors of a missing Keras or backend."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from archcompiler.errors import SpecErrors
from archcompiler.resolve import load_graph

from conftest import run_cli

keras = pytest.importorskip("keras")

from archcompiler.emit.keras_model import build_model  # noqa: E402
from archcompiler.export import export_graph, load_weights  # noqa: E402

needs_onnx = pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("onnx", "tf2onnx", "onnxruntime")),
    reason="the ONNX exporter is not installed: pip install -e '.[export]'")
CNN = ("lenet5", {})
RECURRENT = ("lstm_gates", {"latent": "16"})  # a declared cell, two inputs, initial states


def sample(graph, steps=5):
    rng = np.random.default_rng(3)
    return [rng.standard_normal((2,) + tuple(steps if d is None else d for d in graph.nodes[n].shape))
            .astype("float32") for n in graph.inputs]


def listify(out):
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The CNN and the recurrent model with random weights, saved as .keras, and their outputs."""
    folder = tmp_path_factory.mktemp("export")
    models = {}
    for name, sets in (CNN, RECURRENT):
        graph = load_graph(name, sets)
        model = build_model(graph)
        rng = np.random.default_rng(5)
        model.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.weights])
        x = sample(graph)
        model.save(folder / f"{name}.keras")
        models[name] = (graph, folder / f"{name}.keras", x, listify(model(x if len(x) > 1 else x[0])))
    return folder, models


@pytest.mark.parametrize("name", [CNN[0], RECURRENT[0]])
def test_savedmodel_runs_in_tensorflow_like_keras(trained, name):
    tf = pytest.importorskip("tensorflow")
    folder, models = trained
    graph, weights, x, want = models[name]
    path = export_graph(graph, "savedmodel", folder / f"{name}_savedmodel", str(weights), notify=lambda line: None)
    loaded = tf.saved_model.load(str(path))  # kept: its variables live as long as it does
    served = loaded.serve(x if len(x) > 1 else x[0])
    for got, expected in zip(listify(served), want):
        np.testing.assert_allclose(got, expected, atol=1e-5)


@needs_onnx
@pytest.mark.parametrize("name", [CNN[0], RECURRENT[0]])
def test_onnx_runs_in_onnxruntime_like_keras(trained, name):
    import onnxruntime

    folder, models = trained
    graph, weights, x, want = models[name]
    path = export_graph(graph, "onnx", folder / f"{name}.onnx", str(weights), notify=lambda line: None)
    session = onnxruntime.InferenceSession(str(path))
    got = session.run(None, {i.name: v for i, v in zip(session.get_inputs(), x)})
    for g, expected in zip(got, want):
        np.testing.assert_allclose(g, expected, atol=1e-5)


@needs_onnx
def test_onnx_names_the_layer_it_cannot_convert(spec_file, tmp_path):
    path = spec_file("""
        name: towers
        inputs: {image: {shape: [8, 8, 4]}}
        layers:
          - {type: conv2d, name: split_conv, filters: 8, kernel: 3, groups: 2}
          - {type: global_avgpool2d}
    """)
    with pytest.raises(SpecErrors) as caught:
        export_graph(load_graph(path), "onnx", tmp_path / "out" / "towers.onnx")
    (error,) = caught.value.errors
    assert "'split_conv'" in error.message and "groups=2" in error.message and error.code == "E-EXPORT"
    assert not list((tmp_path / "out").iterdir())  # nothing written


def test_weights_by_layer_name_report_what_did_not_match(trained, tmp_path):
    _, models = trained
    weights = models["lenet5"][1]
    other = build_model(load_graph("lenet5", {"num_classes": "7"}))  # a different head
    lines = []
    report = load_weights(other, load_graph("lenet5", {"num_classes": "7"}), str(weights), lines.append)
    assert "predictions" in report.mismatched[0] and "84×10" in report.mismatched[0]
    assert set(report.loaded) == {layer.name for layer in other.layers if layer.weights} - {"predictions"}
    assert lines[0].startswith(f"weights: {len(report.loaded)} layer(s) loaded from")
    source = keras.saving.load_model(weights)
    for name in report.loaded:
        for a, b in zip(other.get_layer(name).get_weights(), source.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)


def test_weights_file_of_another_architecture_is_a_clear_error(trained, tmp_path):
    _, models = trained
    graph = load_graph("mlp")
    with pytest.raises(SpecErrors) as caught:
        load_weights(build_model(graph), graph, str(models["lenet5"][1]))
    assert "no layer of mlp matches" in caught.value.errors[0].message
    h5 = tmp_path / "lenet5.weights.h5"
    build_model(load_graph("lenet5")).save_weights(h5)
    with pytest.raises(SpecErrors) as caught:
        load_weights(build_model(graph), graph, str(h5))
    assert "does not fit" in caught.value.errors[0].message


def test_imagenet_weights_come_through_keras_loader(monkeypatch, tmp_path):
    """--weights imagenet asks keras.applications for the spec's model; Keras' file fetcher is
    pointed at a weights file made here (no network)."""
    from keras.src.utils import file_utils

    graph = load_graph("vgg16", {"size": "32", "num_classes": "10"})
    published = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    rng = np.random.default_rng(9)
    published.set_weights([rng.normal(size=w.shape).astype("float32") for w in published.weights])
    file = tmp_path / "vgg16_notop.weights.h5"
    published.save_weights(file)
    asked = []
    monkeypatch.setattr(file_utils, "get_file", lambda name, *a, **k: asked.append(name) or str(file))
    model = build_model(graph)
    report = load_weights(model, graph, "imagenet", notify=lambda line: None)
    assert asked and "notop" in asked[0]  # the headless file: our classifier is not ImageNet's
    assert sorted(report.missing) == ["fc1", "fc2", "predictions"]
    assert len(report.loaded) == 13 and not report.mismatched
    np.testing.assert_array_equal(model.get_layer("block5_conv3").get_weights()[0],
                                  published.get_layer("block5_conv3").get_weights()[0])
    assert model(np.zeros((1, 32, 32, 3), "float32")).shape == (1, 10)  # runs after the session was cleared


def test_build_without_weights_writes_the_architecture(tmp_path):
    done = run_cli("build", "lenet5", "--no-weights", "--lang", "en", "--out", tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "lenet5"
    assert not (folder / "lenet5.keras").exists()
    model = keras.models.model_from_json((folder / "lenet5.json").read_text())
    assert model.count_params() == load_graph("lenet5").total_params
    assert "the weights would take 246.8 KB at float32" in done.stderr
    assert "Weights at float32: 246.8 KB" in " ".join((folder / "summary.txt").read_text().split())


def test_weights_mistakes_stop_before_anything_is_written(tmp_path):
    done = run_cli("build", "lenet5", "--weights", "imagenet", "--out", tmp_path / "out")
    assert done.returncode == 2 and "no published weights for lenet5" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("blocked, backend, words", [
    ("keras", "tensorflow", "Keras is not installed (hint: pip install 'archcompiler[keras]')"),
    ("jax", "jax", "the Keras backend 'jax' is not installed (hint: pip install 'archcompiler[jax]')"),
])
def test_missing_keras_or_backend_is_one_line(tmp_path, blocked, backend, words):
    """The module is hidden from the process (sys.modules[name] = None makes its import fail)."""
    script = (f"import sys; sys.modules[{blocked!r}] = None; sys.argv = ['archcompiler', 'build', 'lenet5', "
              f"'--out', {str(tmp_path / 'out')!r}]; from archcompiler.cli import app; app()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KERAS_BACKEND": backend})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {words}"]
    assert not (tmp_path / "out").exists()


def test_the_imagenet_classifier_comes_along_at_the_applications_own_input_size():
    """ImageNet's classifier is asked for where ours has 1000 classes; at an input size that is not the
    application's own, Keras refuses it before building or downloading anything (the real
    InceptionV3 is asked here, offline), and the weights come without it."""
    from archcompiler.export import imagenet_application

    asked = []

    def application(**options):  # Keras' own answer to a refused size, a stand-in for the download
        asked.append((options["include_top"], options["input_shape"]))
        if options["include_top"] and options["input_shape"] != (299, 299, 3):
            return keras.applications.InceptionV3(**options)
        return "with the classifier" if options["include_top"] else "features only"

    assert imagenet_application(application, (299, 299, 3), [(1000,)]) == "with the classifier"
    assert imagenet_application(application, (224, 224, 3), [(1000,)]) == "features only"
    assert imagenet_application(application, (299, 299, 3), [(10,)]) == "features only"
    assert asked == [(True, (299, 299, 3)), (True, (224, 224, 3)), (False, (224, 224, 3)), (False, (299, 299, 3))]

    def broken(**options):
        raise ValueError("Incomplete or corrupted file detected")

    with pytest.raises(ValueError, match="corrupted"):  # another failure is not taken for a refused size
        imagenet_application(broken, (299, 299, 3), [(1000,)])


@pytest.mark.parametrize("name, sets", [CNN, RECURRENT])
def test_python_export_with_weights_writes_them_beside_the_program_which_loads_them(trained, tmp_path, name, sets):
    """export --format python --weights: the program's build_model() loads <stem>.weights.h5 from beside
    it and gives the outputs of the model the weights came from; weights=None leaves Keras' own."""
    from typer.testing import CliRunner

    from archcompiler.cli import app

    _, models = trained
    graph, weights, x, want = models[name]
    target = tmp_path / "out" / "net.py"
    args = ["export", name, "-f", "python", "--weights", str(weights), "-o", str(target)]
    result = CliRunner().invoke(app, args + [f"--set={k}={v}" for k, v in sets.items()])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.parent.iterdir()) == ["net.py", "net.weights.h5"]
    assert "weights: " in result.output and "net.weights.h5" in result.output
    source = target.read_text()
    assert 'WEIGHTS = Path(__file__).with_name("net.weights.h5")' in source and "weights=WEIGHTS" in source
    namespace = {"__name__": "net", "__file__": str(target)}
    keras.backend.clear_session()
    exec(compile(source, str(target), "exec"), namespace)  # noqa: S102 - the generated program
    for got, expected in zip(listify(namespace["build_model"]()(x if len(x) > 1 else x[0])), want):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    fresh = namespace["build_model"](weights=None)
    assert fresh.count_params() == graph.total_params
    assert not np.allclose(listify(fresh(x if len(x) > 1 else x[0]))[0], want[0])


def test_python_export_with_weights_to_stdout_is_refused(trained):
    from typer.testing import CliRunner

    from archcompiler.cli import app

    _, models = trained
    result = CliRunner().invoke(app, ["export", "lenet5", "-f", "python", "--weights", str(models["lenet5"][1])])
    assert result.exit_code == 2 and "--out" in result.output and "beside the program" in result.output
