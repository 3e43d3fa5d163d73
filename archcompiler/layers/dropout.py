"""``dropout``: a random fraction of the values set to zero while training (regularisation)."""

import math
from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, PositiveInt, Rate, ShapeError, fmt_shape


# Hinton, Srivastava, Krizhevsky, Sutskever and Salakhutdinov, "Improving neural networks by preventing
# co-adaptation of feature detectors" (arXiv:1207.0580); AlexNet, the same year, made it popular
PROPOSED = 2012


class Dropout(Layer):
    """Drops a fraction `rate` of units at random during training (regularisation)."""

    type: Literal["dropout"] = "dropout"
    rate: Rate
    noise_shape: list[PositiveInt | None] | None = Field(
        None, description="The shape of the random keep/drop mask without the batch axis; 1 shares one "
        "decision along an axis, null takes the input's size (Keras' noise_shape with its batch axis left out).")

    family: ClassVar[str] = "regularization"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "dropout", "ko": "드롭아웃"}

    def infer(self, inputs):
        (shape,) = inputs
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape) or any(
                    m not in (None, 1) and m != d for m, d in zip(self.noise_shape, shape)):
                raise ShapeError(f"noise_shape {fmt_shape(self.noise_shape)} does not fit the input {fmt_shape(shape)}",
                                 field="noise_shape", hint="one entry per axis: 1, null or the axis' size")
        return Inferred([shape])

    def keras(self, keras, name):
        noise = None if self.noise_shape is None else (None, *self.noise_shape)
        return keras.layers.Dropout(self.rate, noise_shape=noise, name=name)

    def label(self):
        return f"dropout {self.rate:g}"

    def brief(self, lang):
        return f"{'드롭아웃' if lang == 'ko' else 'dropout'} {self.rate:g}"

    def doc_facts(self, node, graph):
        rate = self.rate
        units = None if None in node.shape else math.prod(node.shape)
        mask = None if self.noise_shape is None else [d if m is None else m for m, d in zip(self.noise_shape, node.shape)]
        per_sample = mask is not None and all(m == 1 for m in mask)
        decisions = None if mask is None or None in mask else math.prod(mask)
        return {"in": node.shape, "out": node.shape, "rate": rate, "keep": 1 - rate,
                "scale": 1 / (1 - rate) if rate < 1 else None, "units": units,
                "dropped": None if units is None else round(rate * units), "mask": mask,
                "per_sample": per_sample, "decisions": decisions,
                # its history is told in image networks (where AlexNet, which popularised it, is a step)
                "proposed": PROPOSED,
                "history": any(n.family == "conv" for n in getattr(graph, "g", graph).nodes.values())}
