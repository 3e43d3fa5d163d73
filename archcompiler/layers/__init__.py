"""The layer kinds of the spec language, one module per kind (closely related variants share one:
``pool2d`` holds ``maxpool2d`` and ``avgpool2d``). Importing this package imports every module in
it, and defining a kind registers it, so a new kind is a new module and nothing else."""

import importlib
import pkgutil

from .base import FAMILIES, KINDS, Inferred, Layer, Shape, ShapeError, fmt_shape

_SHARED = {"base", "windows"}  # helpers, not kinds

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module not in _SHARED:
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["FAMILIES", "KINDS", "Inferred", "Layer", "Shape", "ShapeError", "fmt_shape"]
