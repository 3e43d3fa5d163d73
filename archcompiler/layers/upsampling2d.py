"""``upsampling2d``: every row and column repeated (or interpolated) `size` times — no weights."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, Pair, need_rank


class UpSampling2D(Layer):
    """Enlarges a feature map by `size` (rows, cols), repeating values ('nearest') or interpolating."""

    type: Literal["upsampling2d"] = "upsampling2d"
    keras_name: ClassVar[str] = "up_sampling2d"
    size: Pair = (2, 2)
    interpolation: Literal["nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"] = "nearest"

    family: ClassVar[str] = "reshape"
    display: ClassVar[dict[str, str]] = {"en": "upsampling", "ko": "업샘플링"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        h, w, c = shape
        return Inferred([(None if h is None else h * self.size[0], None if w is None else w * self.size[1], c)])

    def keras(self, keras, name):
        return keras.layers.UpSampling2D(self.size, interpolation=self.interpolation, name=name)

    def label(self):
        return self.brief("en")

    def brief(self, lang):
        size = f"×{self.size[0]}" + (f"×{self.size[1]}" if self.size[0] != self.size[1] else "")
        if lang == "ko":
            return f"업샘플링 {size}" + (", 쌍선형 보간" if self.interpolation == "bilinear" else
                                         f", {self.interpolation}" if self.interpolation != "nearest" else "")
        return f"upsample {size}" + (f", {self.interpolation}" if self.interpolation != "nearest" else "")

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        return {"in": ins, "out": node.shape, "size": tuple(self.size), "interpolation": self.interpolation,
                "nearest": self.interpolation == "nearest", "square": self.size[0] == self.size[1]}
