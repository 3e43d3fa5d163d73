"""``zeropad2d`` and ``zeropad1d``: a border of zeros. Written as a window's numeric padding
(``conv2d`` with ``padding: 3``), one is drawn and explained inside that window."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, need_rank
from .windows import Pads1D, Pads2D, pads_1d, pads_2d

_NAMES = {"en": "zero padding", "ko": "제로 패딩"}


class ZeroPad2D(Layer):
    """Zero padding around a feature map: an int, [rows, cols] or [[top, bottom], [left, right]]."""

    type: Literal["zeropad2d"] = "zeropad2d"
    keras_name: ClassVar[str] = "zero_padding2d"
    padding: Pads2D = 1

    family: ClassVar[str] = "reshape"
    folds_into: ClassVar[str] = "next"
    display: ClassVar[dict[str, str]] = _NAMES

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        (t, b), (l, r) = pads_2d(self.padding)
        h = None if shape[0] is None else shape[0] + t + b
        w = None if shape[1] is None else shape[1] + l + r
        return Inferred([(h, w, shape[2])])

    def keras(self, keras, name):
        return keras.layers.ZeroPadding2D(pads_2d(self.padding), name=name)

    def label(self):
        (t, b), (l, r) = pads_2d(self.padding)
        return f"zero pad {t}" if len({t, b, l, r}) == 1 else f"zero pad ({t},{b})×({l},{r})"

    def brief(self, lang):
        return ("제로 패딩" + self.label()[len("zero pad"):]) if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        (t, b), (l, r) = pads_2d(self.padding)
        readers = graph.consumers(node.name)
        return {"in": ins, "out": node.shape, "top": t, "bottom": b, "left": l, "right": r,
                "uniform": len({t, b, l, r}) == 1, "h": ins[0], "w": ins[1], "oh": node.shape[0],
                "ow": node.shape[1], "c": ins[2], "for": readers[0].name if len(readers) == 1 else None}


class ZeroPad1D(Layer):
    """Zero steps at the start and the end of a sequence: an int or [before, after]."""

    type: Literal["zeropad1d"] = "zeropad1d"
    keras_name: ClassVar[str] = "zero_padding1d"
    padding: Pads1D = 1

    family: ClassVar[str] = "reshape"
    folds_into: ClassVar[str] = "next"
    display: ClassVar[dict[str, str]] = _NAMES

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        a, b = pads_1d(self.padding)
        return Inferred([(None if shape[0] is None else shape[0] + a + b, shape[1])])

    def keras(self, keras, name):
        return keras.layers.ZeroPadding1D(pads_1d(self.padding), name=name)

    def label(self):
        a, b = pads_1d(self.padding)
        return f"zero pad {a}" if a == b else f"zero pad ({a},{b})"

    def brief(self, lang):
        return ("제로 패딩" + self.label()[len("zero pad"):]) if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        a, b = pads_1d(self.padding)
        return {"in": ins, "out": node.shape, "before": a, "after": b, "steps": ins[0], "out_steps": node.shape[0]}
