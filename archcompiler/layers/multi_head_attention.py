"""``multi_head_attention``: `heads` scaled dot-product attentions side by side (the Transformer's)."""

import math
from typing import ClassVar, Literal

from pydantic import Field

from .attention import query_value_key, query_value_key_facts
from .base import Inferred, Layer, PositiveInt, Rate, ShapeError, causal_text, counted_steps


class MultiHeadAttention(Layer):
    """Multi-head attention: `heads` scaled dot-product attentions of width `key_dim`, side by side."""

    type: Literal["multi_head_attention"] = "multi_head_attention"
    heads: PositiveInt
    key_dim: PositiveInt | None = Field(None, description="Width of each head; default: model width // heads.")
    value_dim: PositiveInt | None = None
    dropout: Rate = 0.0
    use_bias: bool = True
    causal: bool = Field(False, description="Mask future positions (the decoder's masked self-attention).")

    family: ClassVar[str] = "attention"
    max_inputs: ClassVar[int] = 3
    input_roles: ClassVar[str] = "query_value_key"
    display: ClassVar[dict[str, str]] = {"en": "multi-head attention", "ko": "멀티헤드 어텐션"}

    def settle(self, inputs):
        width = inputs[0][-1] if inputs and inputs[0] else None
        if self.key_dim is None:
            if width is None:
                raise ShapeError("the query's feature size must be known to split it into heads",
                                 hint="set key_dim")
            if width % self.heads:
                raise ShapeError(f"{self.heads} heads do not divide the model width {width}", field="heads",
                                 hint=f"choose heads among the divisors of {width}, or set key_dim")
            return self.model_copy(update={"key_dim": width // self.heads})
        return self

    def infer(self, inputs):
        query, value, key = query_value_key(self, inputs)
        k, v = self.key_dim, self.value_dim or self.key_dim
        h, bias = self.heads, 1 if self.use_bias else 0
        params = (query[-1] * h * k + bias * h * k) + (key[-1] * h * k + bias * h * k) \
            + (value[-1] * h * v + bias * h * v) + (h * v * query[-1] + bias * query[-1])
        tq, tv = counted_steps(query[0]), counted_steps(value[0])
        macs = tq * query[-1] * h * k + tv * key[-1] * h * k + tv * value[-1] * h * v \
            + tq * tv * h * (k + v) + tq * h * v * query[-1]
        return Inferred([query], trainable=params, macs=macs)

    def keras(self, keras, name):
        return keras.layers.MultiHeadAttention(self.heads, self.key_dim, value_dim=self.value_dim,
                                               dropout=self.dropout, use_bias=self.use_bias, name=name)

    def call(self, layer, tensors):
        query = tensors[0]
        value = tensors[1] if len(tensors) > 1 else query
        key = tensors[2] if len(tensors) > 2 else None
        return layer(query, value, key=key, use_causal_mask=self.causal)

    def label(self):
        mask = ", causal mask" if self.causal else ""
        return f"multi-head attention, {self.heads} heads{mask}"

    def brief(self, lang):
        if lang == "ko":
            return causal_text(f"멀티헤드 어텐션, 헤드 {self.heads}개", self.causal, lang)
        return self.label()

    def doc_facts(self, node, graph):
        f = query_value_key_facts(graph, node)
        h, dk = self.heads, self.key_dim
        dv = self.value_dim or dk
        b = 1 if self.use_bias else 0
        q = f["dq"] * h * dk + b * h * dk
        kk = f["dk"] * h * dk + b * h * dk
        v = f["dv"] * h * dv + b * h * dv
        o = h * dv * f["dq"] + b * f["dq"]
        f.update(out=node.shape, heads=h, key_dim=dk, value_dim=dv, d=f["dq"], use_bias=self.use_bias,
                 causal=self.causal, dropout=self.dropout, q_params=q, k_params=kk, v_params=v, o_params=o,
                 params=node.params, params_ok=q + kk + v + o == node.params, sqrt_dk=math.sqrt(dk),
                 concat_width=h * dv, splits_model=h * dk == f["dq"])
        return f
