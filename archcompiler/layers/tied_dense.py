"""``tied_dense``: the output projection that reuses an embedding's table — logits = x · Eᵀ — so the
vocab × dim matrix is learned once for reading tokens in and writing them out (Press & Wolf 2017;
the Transformer paper, GPT-2). It reads the table as its second input: ``inputs: [x, emb.table]``."""

from typing import ClassVar, Literal

from .base import (
    Activation,
    Inferred,
    Layer,
    ShapeError,
    activation_suffix,
    fmt_shape,
    product,
    runtime,
)
from .embedding import Table


def table_shape(inputs, what: str) -> tuple:
    """The (vocab, dim) table among a tied layer's inputs, or a located error saying how to get one."""
    if len(inputs) != 2 or not isinstance(inputs[1], Table):
        got = f"a tensor of shape {fmt_shape(inputs[1])}" if len(inputs) == 2 else f"{len(inputs)} input(s)"
        raise ShapeError(f"{what} reads an embedding's table as its second input, got {got}", field="inputs",
                         hint="write inputs: [x, emb.table] with {type: embedding, name: emb, tied: true} above")
    return inputs[1]


class TiedDense(Layer):
    """x · Eᵀ with the (vocab × dim) table E of a tied embedding: vocab outputs, no weights of its own."""

    type: Literal["tied_dense"] = "tied_dense"
    activation: Activation | None = None

    family: ClassVar[str] = "dense"
    min_inputs: ClassVar[int] = 2
    max_inputs: ClassVar[int] = 2
    display: ClassVar[dict[str, str]] = {"en": "tied output projection", "ko": "묶인(tied) 출력 투영"}

    def infer(self, inputs):
        vocab, dim = table_shape(inputs, self.type)
        x = inputs[0]
        if not x or x[-1] != dim:
            raise ShapeError(f"the input's last axis must be the table's width {dim}, got {fmt_shape(x)}",
                             field="inputs")
        positions = product(d for d in x[:-1] if d is not None)
        return Inferred([x[:-1] + (vocab,)], macs=positions * dim * vocab)

    def keras(self, keras, name):
        return runtime(keras).TiedDense(activation=self.activation, name=name)

    def label(self):
        act = activation_suffix(self.activation)
        return f"tied dense (embedding transposed){act}"

    def doc_facts(self, node, graph):
        x, (vocab, dim) = graph.input_shapes(node)
        owner = graph.nodes[node.inputs[1].node]
        return {"in": x, "out": node.shape, "vocab": vocab, "dim": dim, "owner": owner.name,
                "saved": vocab * dim, "bias_saved": vocab, "params": node.params, "activation": self.activation
                or "linear", "owner_params": owner.params, "source": node.inputs[0].node}
