"""``cropping2d`` and ``cropping1d``: a border cut off (U-Net crops its skip connections to the
size of the up-sampled map before joining them)."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, ShapeError, fmt_shape, need_rank
from .windows import Pads1D, Pads2D, pads_1d, pads_2d

_NAMES = {"en": "cropping", "ko": "자르기(Cropping)"}


def _cut(n, before, after, axis, shape):
    if before < 0 or after < 0:
        raise ShapeError("cropping cannot be negative", field="cropping")
    if n is None:
        return None
    if before + after >= n:
        raise ShapeError(f"cropping {before} + {after} along axis {axis} leaves nothing of {fmt_shape(shape)}",
                         field="cropping", hint="crop less than the input's size")
    return n - before - after


class Cropping2D(Layer):
    """Removes rows and columns at the border: an int, [rows, cols] or [[top, bottom], [left, right]]."""

    type: Literal["cropping2d"] = "cropping2d"
    cropping: Pads2D = 0

    family: ClassVar[str] = "reshape"
    display: ClassVar[dict[str, str]] = _NAMES
    doc_template: ClassVar[str] = "cropping"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        (t, b), (l, r) = pads_2d(self.cropping)
        return Inferred([(_cut(shape[0], t, b, 0, shape), _cut(shape[1], l, r, 1, shape), shape[2])])

    def keras(self, keras, name):
        return keras.layers.Cropping2D(pads_2d(self.cropping), name=name)

    def label(self):
        (t, b), (l, r) = pads_2d(self.cropping)
        return f"crop {t}" if len({t, b, l, r}) == 1 else f"crop ({t},{b})×({l},{r})"

    def brief(self, lang):
        return ("자르기" + self.label()[len("crop"):]) if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        (t, b), (l, r) = pads_2d(self.cropping)
        return {"in": ins, "out": node.shape, "cuts": [(t, b), (l, r)], "uniform": len({t, b, l, r}) == 1,
                "image": True, "source": str(node.inputs[0])}


class Cropping1D(Layer):
    """Removes steps at the start and the end of a sequence: an int or [start, end]."""

    type: Literal["cropping1d"] = "cropping1d"
    cropping: Pads1D = 1

    family: ClassVar[str] = "reshape"
    display: ClassVar[dict[str, str]] = _NAMES
    doc_template: ClassVar[str] = "cropping"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        a, b = pads_1d(self.cropping)
        return Inferred([(_cut(shape[0], a, b, 0, shape), shape[1])])

    def keras(self, keras, name):
        return keras.layers.Cropping1D(pads_1d(self.cropping), name=name)

    def label(self):
        a, b = pads_1d(self.cropping)
        return f"crop {a}" if a == b else f"crop ({a},{b})"

    def brief(self, lang):
        return ("자르기" + self.label()[len("crop"):]) if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        a, b = pads_1d(self.cropping)
        return {"in": ins, "out": node.shape, "cuts": [(a, b)], "uniform": a == b, "image": False,
                "source": str(node.inputs[0])}
