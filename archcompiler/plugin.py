"""The public base for plugin layer kinds: everything a plugin may subclass and call, versioned.

A plugin is an installed package that declares its kinds under the entry-point group
``archcompiler.kinds`` (``pyproject.toml``: ``[project.entry-points."archcompiler.kinds"]``,
``cbam = "archcompiler_cbam:CBAMKind"``: the name is the kind's ``type``). Each kind is a
:class:`Layer` subclass, written like a built-in one (``archcompiler/layers/<kind>.py``):

- ``type: Literal["cbam"] = "cbam"`` and its fields (pydantic; unknown keys are refused);
- ``plugin_api = 1``: the version of this base it was built for (:data:`PLUGIN_API_VERSION`);
  a kind built for another version is refused with a message saying which to upgrade;
- ``infer(inputs)`` → :class:`Inferred` (shapes without the batch axis, trainable and
  non-trainable parameters, multiply-accumulates), raising :class:`ShapeError` for impossible
  shapes — ``archcompiler build`` checks it against Keras layer by layer;
- ``keras(keras, name)``: the Keras layer it becomes — a built-in (``keras.layers.Dense(...)``) or
  the package's own registered layer (``keras_layer(keras, "my_pkg.layers", "MyLayer")(...)``);
  ``keras`` is passed in (never import it at module level: ``validate``/``docs`` must not load
  TensorFlow), and through it the generated Python program writes the same construction and
  imports the plugin's layer;
- words: ``family`` (one of :data:`FAMILIES`: the diagram's colour), ``display`` ({"en", "ko"}),
  ``label()`` (the diagram's line), ``brief(lang)``, ``doc_facts(node, graph)`` (the figures its
  explanation reads) and the explanation itself, a Jinja2 template per language: the package's
  ``templates/<lang>/<kind>.md.j2``, or ``doc_text = {"en": "...", "ko": "..."}`` on the class.

:func:`archcompiler.testing.check_kind` runs the project's property tests on a kind."""

from __future__ import annotations

import importlib

from .layers.base import (
    FAMILIES,
    Activation,
    Inferred,
    Layer,
    LayerName,
    Pair,
    PositiveInt,
    Rate,
    Shape,
    ShapeError,
    conv_output_length,
    counted_steps,
    fmt_shape,
    need_rank,
    product,
)

PLUGIN_API_VERSION = 1  # raised when what a kind may declare or call changes incompatibly

__all__ = [
    "PLUGIN_API_VERSION", "FAMILIES", "Activation", "Inferred", "Layer", "LayerName", "Pair", "PositiveInt", "Rate",
    "Shape", "ShapeError", "conv_output_length", "counted_steps", "fmt_shape", "keras_layer", "need_rank", "product",
]


def keras_layer(keras, module: str, name: str):
    """The plugin's own Keras layer class ``module.name`` (registered with
    ``keras.saving.register_keras_serializable``), reached through the ``keras`` a kind's ``keras()``
    is given: the model gets the class, the generated program ``from module import name``."""
    recorded = getattr(keras, "archcompiler_import", None)
    if recorded is not None:
        return recorded(module, name)
    return getattr(importlib.import_module(module), name)
