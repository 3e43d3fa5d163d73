"""A built model in other forms and with other weights: ``export --format savedmodel|onnx`` through
Keras' own exporters, ``--weights imagenet|FILE`` through Keras' own loaders, and the size the
weights would take (``build --no-weights``).

Keras is imported by the functions, never at module level."""

from __future__ import annotations

import inspect
import logging
import re
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import Loc, SpecError, SpecErrors
from .graph import Graph
from .outputs import staged_files, staged_folder

FORMATS = ("savedmodel", "onnx")
SUFFIXES = {"savedmodel": "_savedmodel", "onnx": ".onnx"}


def weights_bytes(graph: Graph) -> int:
    """What the weights take at float32 (4 bytes a parameter, trainable or not)."""
    return 4 * graph.total_params


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover


def _error(message: str, hint: str = "", where: str = "", code: str = "E-EXPORT") -> SpecErrors:
    return SpecErrors([SpecError(Loc(where) if where else None, message, hint=hint, code=code)])


# --- export ------------------------------------------------------------------------------

def export_graph(graph: Graph, fmt: str, target: Path | None = None, weights: str | None = None,
                 notify: Callable[[str], object] = print) -> Path:
    """Build the graph's model (with ``weights`` if given) and write it as ``fmt`` at ``target``
    (default: ``<name>_savedmodel/`` or ``<name>.onnx`` here), whole or not at all."""
    from .emit.keras_model import build_model, import_keras

    if fmt not in FORMATS:
        raise _error(f"unknown export format '{fmt}'", f"use {', '.join(FORMATS)} or python", "--format")
    if fmt == "onnx":
        _require_onnx()
    import_keras()  # a missing Keras or backend: one clear error before anything is written
    target = Path(target or f"{graph.name}{SUFFIXES[fmt]}")
    model = build_model(graph)
    if weights:
        load_weights(model, graph, weights, notify)
    model(sample_inputs(graph))  # Keras' exporters need a model that has run once
    if fmt == "savedmodel":
        with staged_folder(target.resolve()) as stage:
            model.export(str(stage), format="tf_saved_model", verbose=False)
        return target
    with staged_files(target.resolve().parent) as stage, _quiet("tf2onnx"):
        file = stage / target.name
        model.export(str(file), format="onnx", verbose=False)
        _check_onnx(file, model)
    return target


def export_python(graph: Graph, target: Path | None, weights: str, notify: Callable[[str], object] = print) -> Path:
    """The graph's program at ``target`` with ``weights`` loaded into its own model and saved beside it
    as ``<stem>.weights.h5``, which its ``build_model`` loads; both files or neither."""
    from .emit.keras_model import import_keras
    from .emit.python_source import python_source

    if target is None:
        raise _error("--weights with --format python writes the weights beside the program, not to stdout",
                     "give the program's file: --out FILE.py", "--out")
    keras = import_keras()
    stored = f"{target.stem}.weights.h5"
    text = python_source(graph, stored)
    with staged_files(target.resolve().parent) as stage:
        program = stage / target.name
        program.write_text(text, encoding="utf-8")
        namespace = {"__name__": target.stem, "__file__": str(program)}
        exec(compile(text, str(target), "exec"), namespace)  # noqa: S102 - the program just generated
        build = namespace["build_model"]
        *_, loads = inspect.signature(build).parameters  # the last argument: the weights file to load
        keras.backend.clear_session()  # the layers the program leaves unnamed take the spec's names
        model = build(**{loads: None})
        load_weights(model, graph, weights, notify)
        model.save_weights(stage / stored)
    return target


@contextmanager
def _quiet(logger: str):
    """tf2onnx logs every op it cannot convert; _check_onnx says it once, naming the layer."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # Keras' tf2onnx patch probes np.object
            yield
    finally:
        log.setLevel(level)


def sample_inputs(graph: Graph, batch: int = 1, steps: int = 1):
    """Zeros of each input's shape and dtype (a variable length becomes ``steps``)."""
    import numpy as np

    arrays = [np.zeros((batch,) + tuple(steps if d is None else d for d in graph.nodes[name].shape),
                       graph.nodes[name].layer.dtype) for name in graph.inputs]
    return arrays if len(arrays) > 1 else arrays[0]


def _require_onnx() -> None:
    import importlib.util

    missing = [m for m in ("onnx", "tf2onnx") if importlib.util.find_spec(m) is None]
    if missing:
        raise _error(f"ONNX export needs {' and '.join(missing)}", "pip install 'archcompiler[export]'",
                     code="E-KERAS-MISSING")


def _check_onnx(file: Path, model) -> None:
    """tf2onnx leaves what it cannot convert as TensorFlow ops, which no ONNX runtime can run:
    name the layers they came from."""
    import onnx

    nodes = [n for n in onnx.load(str(file)).graph.node if not onnx.defs.has(n.op_type, n.domain)]
    if not nodes:
        return
    names = {layer.name: layer for layer in model.layers}
    culprits = {}
    for node in nodes:
        for part in node.name.split("/")[1:]:
            layer = names.get(part) or names.get(re.sub(r"_\d+$", "", part))
            if layer is not None:
                culprits.setdefault(layer.name, (layer, node.op_type))
                break
    if not culprits:
        raise _error(f"{model.name}: ONNX export left TensorFlow ops it could not convert "
                     f"({', '.join(sorted({n.op_type for n in nodes}))})", "export to savedmodel instead")
    errors = []
    for name, (layer, op) in culprits.items():
        groups = getattr(layer, "groups", 1)
        what = (f"a {type(layer).__name__} with groups={groups}, which TensorFlow runs through XLA" if groups > 1
                else type(layer).__name__)
        errors.append(SpecError(None, f"{model.name}: layer '{name}' ({what}) cannot be "
                                f"exported to ONNX: tf2onnx left its TensorFlow op {op} unconverted",
                                hint="export to savedmodel, or change that layer (e.g. groups: 1)", code="E-EXPORT"))
    raise SpecErrors(errors)


# --- weights -----------------------------------------------------------------------------

@dataclass
class WeightsReport:
    source: str
    loaded: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # "name: ours (…) vs theirs (…)"
    missing: list[str] = field(default_factory=list)  # our layers with weights the source lacks
    unused: list[str] = field(default_factory=list)  # the source's layers with weights we lack

    def lines(self) -> list[str]:
        out = [f"weights: {len(self.loaded)} layer(s) loaded from {self.source}"]
        if self.mismatched:
            out.append("  not loaded, shapes differ: " + "; ".join(self.mismatched))
        if self.missing:
            out.append("  not in the source, left as initialised: " + ", ".join(self.missing))
        if self.unused:
            out.append("  in the source but not in this model: " + ", ".join(self.unused))
        return out


def load_weights(model, graph: Graph, source: str, notify: Callable[[str], object] = print) -> WeightsReport:
    """Load ``imagenet`` (the spec's keras_application) or a ``.keras`` file by layer name, or a
    ``.weights.h5`` file by Keras' own rule (layer order), and report what did not match."""
    from .emit.keras_model import import_keras

    keras = import_keras()
    if source == "imagenet":
        report = copy_by_name(_application(graph, keras), model, f"imagenet ({graph.spec.keras_application})")
    else:
        path = Path(source)
        if not path.is_file():
            raise _error(f"no weights file '{source}'", "imagenet, or a .keras or .weights.h5 file", "--weights")
        if path.name.endswith(".weights.h5"):
            report = _load_structural(model, path)
        elif path.suffix == ".keras":
            try:
                other = keras.saving.load_model(path, compile=False)
            except Exception as e:  # a broken or foreign file: one line, no traceback
                raise _error(f"cannot read {path}: {str(e).splitlines()[0]}", where="--weights") from None
            report = copy_by_name(other, model, str(path))
        else:
            raise _error(f"'{source}' is neither a .keras nor a .weights.h5 file", where="--weights")
    if not report.loaded:
        raise _error(f"no layer of {graph.name} matches {report.source}", "the layers are matched by name and shape",
                     "--weights")
    for line in report.lines():
        notify(line)
    return report


def copy_by_name(source_model, model, source: str) -> WeightsReport:
    """Every layer of ``model`` with weights takes those of the same-named layer of ``source_model``
    when all their shapes agree."""
    report = WeightsReport(source)
    theirs = {layer.name: layer for layer in _leaf_layers(source_model) if layer.weights}
    for layer in model.layers:
        if not layer.weights:
            continue
        other = theirs.pop(layer.name, None)
        if other is None:
            report.missing.append(layer.name)
            continue
        ours_shapes = [tuple(w.shape) for w in layer.weights]
        their_shapes = [tuple(w.shape) for w in other.weights]
        if ours_shapes != their_shapes:
            report.mismatched.append(f"{layer.name}: {_shapes(ours_shapes)} vs {_shapes(their_shapes)}")
            continue
        layer.set_weights(other.get_weights())
        report.loaded.append(layer.name)
    report.unused = list(theirs)
    return report


def _leaf_layers(model) -> list:
    """The layers of ``model``, nested models opened up: keras.applications.ConvNeXtTiny keeps its stem
    and downsampling layers in Sequentials, whose layers a spec names one by one."""
    out = []
    for layer in model.layers:
        out += _leaf_layers(layer) if hasattr(layer, "layers") else [layer]
    return out


def _shapes(shapes) -> str:
    return ", ".join("×".join(map(str, s)) or "scalar" for s in shapes)


def _load_structural(model, path: Path) -> WeightsReport:
    """A .weights.h5 file names no layers (Keras keys them by class and order), so it loads only
    into the same architecture, all or nothing."""
    try:
        model.load_weights(path)
    except Exception as e:
        raise _error(f"{path} does not fit this model: {str(e).splitlines()[0]}",
                     "a .weights.h5 file loads only into the same architecture; a .keras file loads by layer name",
                     "--weights") from None
    return WeightsReport(str(path), loaded=[layer.name for layer in model.layers if layer.weights])


def _application(graph: Graph, keras):
    """The keras.applications model of the spec's layout with its published weights, through
    Keras' own loader and cache (~/.keras/models)."""
    name = graph.spec.keras_application
    if not name:
        raise _error(f"{graph.name} has no published weights", "only specs with keras_application (VGG16, "
                     "ResNet50, …) take --weights imagenet; give a .keras or .weights.h5 file instead", "--weights")
    application = getattr(keras.applications, name, None)
    if application is None:
        raise _error(f"keras.applications has no {name}", "see keras.applications for the names", "keras_application")
    (image,) = [graph.nodes[n].shape for n in graph.inputs]
    outputs = [graph.nodes[r.node].shapes[r.index] for r in graph.outputs]
    # Layers the application leaves unnamed are numbered on from what the session built before
    # (conv2d_94…); a fresh session gives them the first numbers, which are the spec's. The model
    # already built keeps its layers and weights: only the name counters start again.
    keras.backend.clear_session()
    try:
        return imagenet_application(application, tuple(image), outputs)
    except Exception as e:  # no network, a bad cache, an input keras.applications refuses
        raise _error(f"cannot load {name}'s imagenet weights: {str(e).splitlines()[0]}", where="--weights") from None


def imagenet_application(application, image: tuple, outputs: list):
    """``application`` with ImageNet weights, its classifier included where ours is ImageNet's: 1000
    classes at the application's own input size (224×224 for VGG16, 299×299 for InceptionV3). Keras
    alone knows that size: asked for the classifier at another, it refuses before it builds or
    downloads anything, and the model comes without it."""
    if outputs == [(1000,)]:
        try:
            return application(weights="imagenet", include_top=True, input_shape=image)
        except ValueError as e:
            if not _refused_input_shape(e):
                raise
    return application(weights="imagenet", include_top=False, input_shape=image)


def _refused_input_shape(error: BaseException) -> bool:
    """Whether keras.applications' input check (imagenet_utils.obtain_input_shape) raised ``error``."""
    return any(frame.name == "obtain_input_shape" for frame in traceback.extract_tb(error.__traceback__))


# --- the model file of a build -----------------------------------------------------------

def save_model(graph: Graph, folder: Path, notify: Callable[[str], object] = print, weights: str | None = None,
               with_weights: bool = True) -> Path:
    """``<name>.keras`` in ``folder`` (with ``weights`` loaded first if given); without weights, the
    architecture alone as ``<name>.json`` (``keras.models.model_from_json`` reads it back)."""
    from .emit.keras_model import build_model

    model = build_model(graph)
    if weights:
        load_weights(model, graph, weights, notify)
    if with_weights:
        path = folder / f"{graph.name}.keras"
        model.save(path)
        return path
    path = folder / f"{graph.name}.json"
    path.write_text(model.to_json(indent=1) + "\n", encoding="utf-8")
    notify(f"{graph.name}: architecture only; the weights would take {human_bytes(weights_bytes(graph))} at float32")
    return path


def check_weights_option(graphs: list[Graph], weights: str | None, with_weights: bool = True) -> None:
    """The --weights/--no-weights mistakes a build can find before it starts."""
    if weights and not with_weights:
        raise _error("--weights and --no-weights together", "drop one of them", "--weights")
    if weights == "imagenet":
        lacking = [g.name for g in graphs if not g.spec.keras_application]
        if lacking:
            raise _error(f"no published weights for {', '.join(lacking)}", "--weights imagenet needs a spec with "
                         "keras_application (VGG16, ResNet50, ConvNeXtTiny, InceptionV3, …)", "--weights")
    elif weights and not Path(weights).is_file():
        raise _error(f"no weights file '{weights}'", "imagenet, or a .keras or .weights.h5 file", "--weights")
