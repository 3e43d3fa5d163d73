"""``embedding``: a lookup table, token id → learned vector."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, PositiveInt


class Embedding(Layer):
    """A lookup table: token id → learned vector of size `dim`."""

    type: Literal["embedding"] = "embedding"
    vocab: PositiveInt = Field(description="Number of distinct token ids (input_dim).")
    dim: PositiveInt = Field(description="Size of each vector (output_dim).")
    mask_zero: bool = False

    family: ClassVar[str] = "embedding"
    display: ClassVar[dict[str, str]] = {"en": "embedding", "ko": "임베딩"}

    def infer(self, inputs):
        (shape,) = inputs
        return Inferred([shape + (self.dim,)], trainable=self.vocab * self.dim)

    def keras(self, keras, name):
        return keras.layers.Embedding(self.vocab, self.dim, mask_zero=self.mask_zero, name=name)

    def label(self):
        return f"embedding {self.vocab}→{self.dim}"

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        return {"in": ins, "out": node.shape, "vocab": self.vocab, "dim": self.dim, "steps": ins[0] if ins else None,
                "params": node.params, "params_ok": self.vocab * self.dim == node.params,
                "mask_zero": self.mask_zero, "source": node.inputs[0].node}
