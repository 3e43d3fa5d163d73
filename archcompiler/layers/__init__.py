"""The layer kinds of the spec language. Importing this package registers them all."""

from . import conv, core, sequence, cell  # noqa: F401  (registration happens on import)
from .base import FAMILIES, KINDS, Inferred, Layer, Shape, ShapeError, fmt_shape

__all__ = ["FAMILIES", "KINDS", "Inferred", "Layer", "Shape", "ShapeError", "fmt_shape"]
