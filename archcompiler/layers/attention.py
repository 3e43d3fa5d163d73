"""``attention`` (Luong, dot product) and ``additive_attention`` (Bahdanau): a query attending over
values (and keys); and what every attention kind shares, the query/value/key inputs."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, causal_text, counted_steps, fmt_shape, need_rank


def query_value_key_facts(graph, node) -> dict:
    """The query, value and key an attention layer reads (value defaults to the query, key to the value)."""
    refs = list(node.inputs)
    query = refs[0]
    value = refs[1] if len(refs) > 1 else query
    key = refs[2] if len(refs) > 2 else value

    def shape_of(r):
        return graph.nodes[r.node].shapes[r.index]

    def length_of(name):
        return graph.length_of(name) if hasattr(graph, "length_of") else "T"

    return {"query": str(query), "value": str(value), "key": str(key),
            "q_shape": shape_of(query), "v_shape": shape_of(value), "k_shape": shape_of(key),
            "tq": shape_of(query)[0], "tv": shape_of(value)[0], "dq": shape_of(query)[-1],
            "dv": shape_of(value)[-1], "dk": shape_of(key)[-1],
            "self": len({str(query), str(value), str(key)}) == 1,
            # the symbols of the two variable lengths (T_y for the target's queries, T_x for the source)
            "tq_T": length_of(query.node), "tv_T": length_of(value.node)}


def query_value_key(layer, inputs):
    if not 1 <= len(inputs) <= 3:
        raise ShapeError(f"{layer.type} takes [query, value] or [query, value, key]", field="inputs")
    query = inputs[0]
    value = inputs[1] if len(inputs) > 1 else query
    key = inputs[2] if len(inputs) > 2 else value
    for what, s in (("query", query), ("value", value), ("key", key)):
        need_rank(s, 2, f"{layer.type} {what}")
        if s[-1] is None:
            raise ShapeError(f"the {what}'s feature size must be known")
    if value[0] is not None and key[0] is not None and value[0] != key[0]:
        raise ShapeError(f"value and key must have the same length, got {fmt_shape(value)} and {fmt_shape(key)}")
    return query, value, key


class Attention(Layer):
    """Luong (dot-product) attention: scores = query · key, weights = softmax(scores), output = weights · value."""

    type: Literal["attention"] = "attention"
    scale: bool = Field(False, description="Learn a scalar that multiplies the scores.")
    causal: bool = False

    family: ClassVar[str] = "attention"
    max_inputs: ClassVar[int] = 3
    input_roles: ClassVar[str] = "query_value_key"
    display: ClassVar[dict[str, str]] = {"en": "dot-product attention (Luong)", "ko": "내적 어텐션(Luong)"}

    def infer(self, inputs):
        query, value, key = query_value_key(self, inputs)
        if query[-1] != key[-1]:
            raise ShapeError(f"dot-product attention needs query and key of the same width, "
                             f"got {query[-1]} and {key[-1]}", hint="project one of them with a dense layer")
        tq, tv = counted_steps(query[0]), counted_steps(value[0])
        return Inferred([(query[0], value[-1])], trainable=1 if self.scale else 0,
                        macs=tq * tv * (query[-1] + value[-1]))

    def keras(self, keras, name):
        return keras.layers.Attention(use_scale=self.scale, name=name)

    def call(self, layer, tensors):
        qv = tensors if len(tensors) > 1 else tensors * 2
        return layer(qv, use_causal_mask=self.causal)

    def label(self):
        return "dot attention (Luong)"

    def brief(self, lang):
        return causal_text("내적 어텐션(Luong)" if lang == "ko" else self.label(), self.causal, lang)

    def doc_facts(self, node, graph):
        f = query_value_key_facts(graph, node)
        f.update(out=node.shape, scale=self.scale, causal=self.causal, params=node.params, additive=False)
        return f


class AdditiveAttention(Layer):
    """Bahdanau (additive) attention: scores = Σ scale · tanh(query + key)."""

    type: Literal["additive_attention"] = "additive_attention"
    scale: bool = True
    causal: bool = False

    family: ClassVar[str] = "attention"
    max_inputs: ClassVar[int] = 3
    input_roles: ClassVar[str] = "query_value_key"
    doc_template: ClassVar[str] = "attention"  # explained beside the dot-product kind
    display: ClassVar[dict[str, str]] = {"en": "additive attention (Bahdanau)", "ko": "가산 어텐션(Bahdanau)"}

    def infer(self, inputs):
        query, value, key = query_value_key(self, inputs)
        if query[-1] != key[-1]:
            raise ShapeError(f"additive attention needs query and key of the same width, "
                             f"got {query[-1]} and {key[-1]}", hint="project one of them with a dense layer")
        tq, tv = counted_steps(query[0]), counted_steps(value[0])
        return Inferred([(query[0], value[-1])], trainable=query[-1] if self.scale else 0,
                        macs=tq * tv * (query[-1] + value[-1]))

    def keras(self, keras, name):
        return keras.layers.AdditiveAttention(use_scale=self.scale, name=name)

    call = Attention.call

    def label(self):
        return "additive attention (Bahdanau)"

    def brief(self, lang):
        return causal_text("가산 어텐션(Bahdanau)" if lang == "ko" else self.label(), self.causal, lang)

    def doc_facts(self, node, graph):
        f = query_value_key_facts(graph, node)
        f.update(out=node.shape, scale=self.scale, causal=self.causal, params=node.params, additive=True)
        return f
