"""``embedding``: a lookup table, token id → learned vector; with ``tied: true`` it also outputs the
table itself (``name.table``) for layers that use the same weights (``tied_dense``, ``tied_embedding``)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, PositiveInt, runtime


class Table(tuple):
    """The shape (vocab, dim) of an embedding's table, marked so that a tied layer tells it from an
    activation of the same shape."""


class Embedding(Layer):
    """A lookup table: token id → learned vector of size `dim`."""

    type: Literal["embedding"] = "embedding"
    vocab: PositiveInt = Field(description="Number of distinct token ids (input_dim).")
    dim: PositiveInt = Field(description="Size of each vector (output_dim).")
    mask_zero: bool = False
    tied: bool = Field(False, description="Also output the table (read as 'name.table', shape vocab × dim) for "
                       "layers that share it: tied_dense (the output projection) and tied_embedding.")

    family: ClassVar[str] = "embedding"
    display: ClassVar[dict[str, str]] = {"en": "embedding", "ko": "임베딩"}

    def output_names(self):
        return ["output", "table"] if self.tied else ["output"]

    def infer(self, inputs):
        (shape,) = inputs
        shapes = [shape + (self.dim,)] + ([Table((self.vocab, self.dim))] if self.tied else [])
        return Inferred(shapes, trainable=self.vocab * self.dim)

    def keras(self, keras, name):
        if self.tied:
            return runtime(keras).TiedEmbedding(self.vocab, self.dim, mask_zero=self.mask_zero, name=name)
        return keras.layers.Embedding(self.vocab, self.dim, mask_zero=self.mask_zero, name=name)

    def label(self):
        return f"embedding {self.vocab}→{self.dim}" + (", tied" if self.tied else "")

    def brief(self, lang):
        if lang == "ko":
            return f"임베딩 {self.vocab}→{self.dim}" + (", 표 공유" if self.tied else "")
        return self.label()

    def doc_facts(self, node, graph):
        ins = graph.input_shapes(node)[0]
        sharers = [n.name for n in graph.consumers(node.name)
                   if any(r.node == node.name and r.index == 1 for r in n.inputs)]
        return {"in": ins, "out": node.shape, "vocab": self.vocab, "dim": self.dim, "steps": ins[0] if ins else None,
                "params": node.params, "params_ok": self.vocab * self.dim == node.params,
                "mask_zero": self.mask_zero, "source": node.inputs[0].node, "tied": self.tied, "sharers": sharers}
