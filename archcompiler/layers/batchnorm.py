"""``batchnorm``: batch normalisation over the last axis."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product


class BatchNorm(Layer):
    """Batch normalisation over the last axis: γ, β learned (unless `scale`/`center` is false); moving mean
    and variance not trained."""

    type: Literal["batchnorm"] = "batchnorm"
    keras_name: ClassVar[str] = "batch_normalization"
    epsilon: float = Field(1e-3, gt=0)
    momentum: float = Field(0.99, ge=0, le=1)
    center: bool = Field(True, description="Learn the shift β (false: none, e.g. before a ReLU that a bias would not change).")
    scale: bool = Field(True, description="Learn the scale γ (false: none, e.g. before a linear layer or a ReLU).")

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "batch normalization", "ko": "배치 정규화"}

    def infer(self, inputs):
        (shape,) = inputs
        c = shape[-1]
        if c is None:
            raise ShapeError("batch norm needs a known channel count")
        learned = int(self.center) + int(self.scale)
        return Inferred([shape], trainable=learned * c, non_trainable=2 * c, macs=product(d for d in shape if d) * 2)

    def keras(self, keras, name):
        return keras.layers.BatchNormalization(epsilon=self.epsilon, momentum=self.momentum, center=self.center,
                                               scale=self.scale, name=name)

    def label(self):
        left_out = [w for w, on in (("γ", self.scale), ("β", self.center)) if not on]
        return "batch norm" + (f" (no {', '.join(left_out)})" if left_out else "")

    def brief(self, lang):
        if lang == "ko":
            left_out = [w for w, on in (("γ", self.scale), ("β", self.center)) if not on]
            return "배치 정규화" + (f"({', '.join(left_out)} 없음)" if left_out else "")
        return self.label()  # what is left out, as in Korean

    def doc_facts(self, node, graph):
        c = node.shape[-1]
        learned = int(self.center) + int(self.scale)
        return {"in": node.shape, "out": node.shape, "c": c, "epsilon": self.epsilon, "momentum": self.momentum,
                "trainable": node.trainable, "non_trainable": node.non_trainable, "params": node.params,
                "center": self.center, "scale": self.scale, "learned": learned,
                "params_ok": node.trainable == learned * c and node.non_trainable == 2 * c}
