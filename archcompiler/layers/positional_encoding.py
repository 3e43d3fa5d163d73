"""``positional_encoding``: the Transformer paper's sinusoidal position signal."""

import math
from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, fmt_shape, need_rank, runtime


class PositionalEncoding(Layer):
    """Adds the Transformer paper's sinusoidal position signal (optionally scaling the input by √d first)."""

    type: Literal["positional_encoding"] = "positional_encoding"
    scale: bool = Field(True, description="Multiply the embeddings by √d_model before adding (Vaswani et al.).")

    family: ClassVar[str] = "embedding"
    display: ClassVar[dict[str, str]] = {"en": "positional encoding", "ko": "위치 인코딩"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        if shape[-1] is None or shape[-1] % 2:
            raise ShapeError(f"sinusoidal encoding needs an even, known model width, got {fmt_shape(shape)}")
        return Inferred([shape])

    def keras(self, keras, name):
        return runtime(keras).SinusoidalPositionalEncoding(scale=self.scale, name=name)

    def label(self):
        return "sinusoidal positions"

    def brief(self, lang):
        if lang == "ko":
            return "사인파 위치 인코딩" + ("(입력 ×√d)" if self.scale else "")
        return "sinusoidal positions" + (" (input ×√d)" if self.scale else "")

    def doc_facts(self, node, graph):
        steps, d = node.shape
        return {"in": node.shape, "out": node.shape, "steps": steps, "d": d, "scale": self.scale,
                "sqrt_d": math.sqrt(d), "half": d // 2, "params": node.params}
