"""``tied_embedding``: an embedding lookup in another embedding's table — the Transformer paper's
shared source and target embeddings. It reads the ids and the table: ``inputs: [ids, emb.table]``."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, runtime
from .tied_dense import table_shape


class TiedEmbedding(Layer):
    """Looks the ids up in the table of a tied embedding: (steps,) → (steps, dim), no weights of its own."""

    type: Literal["tied_embedding"] = "tied_embedding"

    family: ClassVar[str] = "embedding"
    min_inputs: ClassVar[int] = 2
    max_inputs: ClassVar[int] = 2
    display: ClassVar[dict[str, str]] = {"en": "shared embedding", "ko": "공유 임베딩"}

    def infer(self, inputs):
        _, dim = table_shape(inputs, self.type)
        return Inferred([inputs[0] + (dim,)])

    def keras(self, keras, name):
        return runtime(keras).TiedLookup(name=name)

    def label(self):
        return "embedding (shared table)"

    def doc_facts(self, node, graph):
        ids, (vocab, dim) = graph.input_shapes(node)
        owner = graph.nodes[node.inputs[1].node]
        return {"in": ids, "out": node.shape, "vocab": vocab, "dim": dim, "owner": owner.name,
                "saved": vocab * dim, "source": node.inputs[0].node, "params": node.params}
