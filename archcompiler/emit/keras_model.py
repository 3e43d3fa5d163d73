"""Graph → Keras 3 functional model, checked layer by layer against our own inference.

This is the only module that imports Keras (and so TensorFlow, the default backend)."""

from __future__ import annotations

import math
import os
import sys

from ..errors import SpecError, SpecErrors
from ..graph import Graph
from ..layers import fmt_shape

# The extra that installs each Keras backend (KERAS_BACKEND chooses one; TensorFlow by default).
BACKEND_EXTRAS = {"tensorflow": "keras", "jax": "jax", "torch": "torch"}


class InferenceMismatch(AssertionError):
    """Keras disagrees with the project's inference: a bug in one of the two, never hidden."""


def import_keras():
    """Import Keras and the project's runtime (:mod:`archcompiler.keras`), or raise one clear
    error naming the extra to install when Keras or its backend is missing."""
    if "keras" not in sys.modules or "archcompiler.keras" not in sys.modules:
        try:
            _import_quietly()
        except ImportError as e:
            raise SpecErrors([_missing(e)]) from None
        except ValueError as e:  # Keras' own words for an unknown KERAS_BACKEND
            if "backend" not in str(e):
                raise
            raise SpecErrors([SpecError(None, f"unknown Keras backend '{os.environ.get('KERAS_BACKEND')}'",
                                        "KERAS_BACKEND", "use tensorflow, jax or torch")]) from None
    return sys.modules["keras"]


def require_keras() -> None:
    """Fail fast, before anything is written and without importing them, when Keras or the chosen
    backend (KERAS_BACKEND) is not installed."""
    import importlib.util

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    for module in ("keras", backend if backend in BACKEND_EXTRAS else None):
        if module and importlib.util.find_spec(module) is None:
            raise SpecErrors([_missing(ModuleNotFoundError(f"No module named '{module}'", name=module))])


def _import_quietly():
    """TensorFlow's native start-up notices go straight to file descriptor 2, bypassing Python,
    so they are muted only for the duration of the import."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import keras

                if keras.backend.backend() == "tensorflow":
                    import tensorflow as tf

                    tf.constant(0.0) + 1.0  # the first operation prints its own notices
                from .. import keras as runtime  # noqa: F401  (registers the custom layers and cells)
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _missing(error: ImportError) -> SpecError:
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    missing = (error.name or "").split(".")[0]
    if missing == "keras":
        what, extra = "Keras is not installed", "keras"
    else:
        detail = "" if missing == backend else f" (no module '{missing}')"
        what, extra = f"the Keras backend '{backend}' is not installed{detail}", BACKEND_EXTRAS.get(backend, "keras")
    return SpecError(None, what, hint=f"pip install 'archcompiler[{extra}]'", code="E-KERAS-MISSING")


def build_model(graph: Graph, check: bool = True):
    keras = import_keras()

    from ..plugins import blame, guard

    tensors: dict[str, list] = {}
    for node in graph.nodes.values():
        if node.is_input:
            tensors[node.name] = [node.layer.keras(keras, node.name)]
            continue
        with guard(node, "keras()"):  # a plugin kind's failure names the plugin
            layer = node.layer.keras(keras, node.name)
            out = node.layer.call(layer, [tensors[r.node][r.index] for r in node.inputs])
        tensors[node.name] = list(out) if isinstance(out, (list, tuple)) else [out]
    inputs = [tensors[name][0] for name in graph.inputs]
    outputs = [tensors[r.node][r.index] for r in graph.outputs]
    model = keras.Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                        outputs=outputs if len(outputs) > 1 else outputs[0], name=graph.name)
    if check:
        problems = compare(graph, model, tensors)
        blame(graph, problems)  # a plugin kind's infer() that Keras contradicts: the plugin's bug, named
        if problems:
            raise InferenceMismatch(f"{graph.name}: Keras disagrees with the inferred graph:\n  "
                                    + "\n  ".join(problems))
    return model


def compare(graph: Graph, model, tensors: dict[str, list]) -> list[str]:
    """Every layer's output shapes and parameter counts, ours against Keras'."""
    problems = []
    for node in graph.layers():
        layer = model.get_layer(node.name)
        keras_shapes = [tuple(t.shape[1:]) for t in tensors[node.name]]
        if keras_shapes != [tuple(s) for s in node.shapes]:
            problems.append(f"{node.name}: shape {', '.join(map(fmt_shape, node.shapes))} inferred, "
                            f"Keras gives {', '.join(map(fmt_shape, keras_shapes))}")
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        non_trainable = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
        if (trainable, non_trainable) != (node.trainable, node.non_trainable):
            problems.append(f"{node.name}: {node.trainable:,} + {node.non_trainable:,} params inferred, "
                            f"Keras counts {trainable:,} + {non_trainable:,}")
    return problems
