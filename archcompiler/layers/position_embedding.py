"""``position_embedding``: a learned vector per position, added to the input (BERT's, GPT-2's and
ViT's position embeddings, where the Transformer paper added fixed sinusoids)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, PositiveInt, ShapeError, need_rank, runtime


class PositionEmbedding(Layer):
    """Adds row t of a learned (length × d) table to position t of a (steps, d) input (steps ≤ length)."""

    type: Literal["position_embedding"] = "position_embedding"
    length: PositiveInt = Field(description="Positions the table holds: the longest sequence the model reads.")

    family: ClassVar[str] = "embedding"
    display: ClassVar[dict[str, str]] = {"en": "learned position embedding", "ko": "학습되는 위치 임베딩"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        steps, d = shape
        if d is None:
            raise ShapeError("position embeddings need a known width (the input's last axis)")
        if steps is not None and steps > self.length:
            raise ShapeError(f"the input has {steps} positions but the table only {self.length}", field="length",
                             hint=f"set length to at least {steps}")
        return Inferred([shape], trainable=self.length * d, macs=(steps or 1) * d)

    def keras(self, keras, name):
        return runtime(keras).PositionEmbedding(self.length, name=name)

    def label(self):
        return f"+ learned positions ({self.length})"

    def brief(self, lang):
        if lang == "ko":
            return f"학습되는 위치 임베딩, 위치 {self.length}개"
        return f"learned positions ({self.length})"

    def doc_facts(self, node, graph):
        steps, d = node.shape
        return {"in": node.shape, "out": node.shape, "steps": steps, "d": d, "length": self.length,
                "params": node.params, "params_ok": node.params == self.length * d,
                "unused_rows": None if steps is None else self.length - steps}
