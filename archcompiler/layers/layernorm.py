"""``layernorm``: layer normalisation (the Transformer's 'norm' in add & norm), with Keras' options:
the axes normalised over, ε, and whether the learned shift β (`center`) and scale γ (`scale`) exist."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product


class LayerNorm(Layer):
    """Layer normalisation over `axis` (default: the last), then a learned scale γ and shift β."""

    type: Literal["layernorm"] = "layernorm"
    keras_name: ClassVar[str] = "layer_normalization"
    axis: int | list[int] = Field(-1, description="Axis or axes normalised over, counting the batch axis as 0 "
                                  "as Keras does (-1, the default, is the last); γ and β have their sizes.")
    epsilon: float = Field(1e-6, gt=0, description="Added to the variance; default 1e-6 (the Transformer's and "
                           "ViT's; Keras' own default is 1e-3).")
    center: bool = Field(True, description="Learn a shift β (false: none).")
    scale: bool = Field(True, description="Learn a scale γ (false: none).")

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "layer normalization", "ko": "층 정규화"}

    def axes(self, shape) -> list[int]:
        """The normalised axes as indices into a shape without the batch axis."""
        rank, out = len(shape), []
        for a in [self.axis] if isinstance(self.axis, int) else self.axis:
            k = a - 1 if a >= 0 else rank + a
            if a == 0 or not 0 <= k < rank:
                raise ShapeError(f"axis {a} is not a feature axis of an input with {rank} axes after the batch "
                                 "axis", field="axis", code="E-VALUE-INVALID",
                                 hint=f"use 1 … {rank} (counting the batch axis as 0, as Keras does) or -1 … -{rank}")
            out.append(k)
        if len(set(out)) != len(out):
            raise ShapeError(f"axis {self.axis} names an axis twice", field="axis", code="E-VALUE-INVALID")
        return sorted(out)

    def infer(self, inputs):
        (shape,) = inputs
        axes = self.axes(shape)
        if any(shape[a] is None for a in axes):
            raise ShapeError("layer norm needs a known size on the axes it normalises over", field="axis")
        d = product(shape[a] for a in axes)
        return Inferred([shape], trainable=(int(self.center) + int(self.scale)) * d,
                        macs=product(x for x in shape if x) * 2)

    def keras(self, keras, name):
        return keras.layers.LayerNormalization(axis=self.axis, epsilon=self.epsilon, center=self.center,
                                               scale=self.scale, name=name)

    def label(self):
        return self.brief("en")

    def brief(self, lang):
        ko = lang == "ko"
        learned = "" if self.center and self.scale else \
            (", γ만" if ko else ", γ only") if self.scale else \
            (", β만" if ko else ", β only") if self.center else (", γ, β 없음" if ko else ", no γ, β")
        axis = "" if self.axis == -1 else f", {'축' if ko else 'axis'} {self.axis}"
        return f"{'층 정규화' if ko else 'layer norm'}{learned}{axis}"

    def doc_facts(self, node, graph):
        axes = self.axes(node.shape)
        d = product(node.shape[a] for a in axes)
        src = graph.nodes[node.inputs[0].node]
        learned = int(self.center) + int(self.scale)
        return {"in": node.shape, "out": node.shape, "d": d, "epsilon": self.epsilon, "params": node.params,
                "params_ok": node.params == learned * d, "after_add": src.layer.merges == "sum", "add": src.name,
                "positions": tuple(x for k, x in enumerate(node.shape) if k not in axes), "last_axis":
                axes == [len(node.shape) - 1], "center": self.center, "scale": self.scale, "learned": learned,
                "axes": [a + 1 for a in axes]}
