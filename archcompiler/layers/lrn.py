"""``lrn``: local response normalisation across channels (AlexNet, GoogLeNet)."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, PositiveInt, need_rank, runtime


class LRN(Layer):
    """Local response normalisation across channels (AlexNet, GoogLeNet)."""

    type: Literal["lrn"] = "lrn"
    depth_radius: PositiveInt = 2
    bias: float = 2.0
    alpha: float = 1e-4
    beta: float = 0.75

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "local response normalization", "ko": "국소 응답 정규화(LRN)"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        return Inferred([shape])

    def keras(self, keras, name):
        return runtime(keras).LocalResponseNormalization(self.depth_radius, self.bias, self.alpha, self.beta, name=name)

    def label(self):
        return f"LRN (n={2 * self.depth_radius + 1})"

    def brief(self, lang):
        return f"국소 응답 정규화(LRN), n={2 * self.depth_radius + 1}" if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        return {"in": node.shape, "out": node.shape, "radius": self.depth_radius, "window": 2 * self.depth_radius + 1,
                "bias": self.bias, "alpha": self.alpha, "beta": self.beta, "c": node.shape[-1], "params": node.params}
