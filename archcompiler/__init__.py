"""archcompiler: YAML architecture specs compiled into Keras models, diagrams and docs.

    >>> import archcompiler
    >>> vgg = archcompiler.load("vgg16", num_classes=10)   # a built-in name, a path, YAML text or a dict
    >>> vgg.totals["params"]
    134301514

A mistake raises ``archcompiler.SpecErrors``, whose ``errors`` are located like the CLI's messages.
Nothing heavy is imported here: Keras only when a model is asked for."""

from .errors import SpecError, SpecErrors

__version__ = "0.1.0"
__all__ = ["load", "Architecture", "SpecErrors", "SpecError", "__version__"]


def __getattr__(name: str):  # the API module (pydantic, the layer kinds) on first use
    if name in ("load", "Architecture"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'archcompiler' has no attribute {name!r}")
