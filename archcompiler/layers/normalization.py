"""``normalization``: (x − mean) / √variance with fixed statistics, the preprocessing step that
keras.applications models such as EfficientNet start with. Given `mean` and `variance`, they are
constants; without them they are weights filled by ``adapt`` on data (not trained), as in Keras."""

from typing import ClassVar, Literal, Union

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product

Number = Union[float, int]


class Normalization(Layer):
    """Subtracts a mean and divides by the standard deviation, per feature along `axis`."""

    type: Literal["normalization"] = "normalization"
    axis: int | list[int] | None = Field(-1, description="Axes (counting the batch axis as 0) that keep their "
                                         "own statistics; null: one mean and variance for everything.")
    mean: Number | list[Number] | None = None
    variance: Number | list[Number] | None = None
    invert: bool = Field(False, description="Undo a normalization: x · √variance + mean.")

    family: ClassVar[str] = "norm"
    display: ClassVar[dict[str, str]] = {"en": "normalization", "ko": "입력 정규화(Normalization)"}

    def kept(self, shape) -> list[int]:
        """The axes (without the batch axis) with their own statistics."""
        axes = [] if self.axis is None else [self.axis] if isinstance(self.axis, int) else list(self.axis)
        rank = len(shape) + 1
        out = []
        for a in axes:
            if a == 0 or not -rank < a < rank:  # -rank is the batch axis too
                raise ShapeError(f"axis {a} is not a feature axis of an input of rank {rank - 1} "
                                 f"(the batch axis is 0)", field="axis")
            out.append((a if a > 0 else rank + a) - 1)
        return sorted(set(out))

    def infer(self, inputs):
        (shape,) = inputs
        kept = self.kept(shape)
        if (self.mean is None) != (self.variance is None):
            raise ShapeError("give both mean and variance, or neither", field="mean" if self.mean is None else "variance")
        if self.mean is not None:
            return Inferred([shape])
        if any(shape[a] is None for a in kept):
            raise ShapeError("the axes that keep their own statistics must have a known size", field="axis")
        stats = product(shape[a] for a in kept)
        return Inferred([shape], non_trainable=2 * stats + 1)

    def keras(self, keras, name):
        return keras.layers.Normalization(axis=self.axis, mean=self.mean, variance=self.variance, invert=self.invert,
                                          name=name)

    def label(self):
        return "normalize" + (" (fixed mean, variance)" if self.mean is not None else "")

    def brief(self, lang):
        if lang == "ko":
            return "입력 정규화" + ("(고정된 평균, 분산)" if self.mean is not None else "")
        return self.label()

    def doc_facts(self, node, graph):
        kept = self.kept(node.shape)
        stats = product(node.shape[a] for a in kept)
        return {"in": node.shape, "out": node.shape, "given": self.mean is not None, "stats": stats,
                "kept": kept, "channels": kept == [len(node.shape) - 1], "invert": self.invert,
                "non_trainable": node.non_trainable, "ok": self.mean is not None or node.non_trainable == 2 * stats + 1}
