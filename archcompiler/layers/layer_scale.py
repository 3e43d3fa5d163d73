"""``layer_scale``: a learned factor per channel, all starting small (ConvNeXt's and CaiT's γ): a
residual branch begins close to switched off and the network learns how much of it to let in."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, product, runtime


class LayerScale(Layer):
    """Multiplies each channel (the last axis) by its own learned factor, starting at `init_value`."""

    type: Literal["layer_scale"] = "layer_scale"
    init_value: float = Field(1e-6, description="Every factor's starting value (ConvNeXt: 1e-6).")

    family: ClassVar[str] = "norm"
    folds_into: ClassVar[str] = "previous"
    display: ClassVar[dict[str, str]] = {"en": "layer scale", "ko": "레이어 스케일"}

    def infer(self, inputs):
        (shape,) = inputs
        if not shape or shape[-1] is None:
            raise ShapeError("layer scale needs a known number of channels (the last axis)")
        return Inferred([shape], trainable=shape[-1], macs=product(d for d in shape if d))

    def keras(self, keras, name):
        return runtime(keras).LayerScale(self.init_value, name=name)

    def label(self):
        return f"layer scale γ₀={self.init_value:g}"

    def brief(self, lang):
        return f"{'레이어 스케일' if lang == 'ko' else 'layer scale'} γ₀={self.init_value:g}"

    def doc_facts(self, node, graph):
        c = node.shape[-1]
        readers = graph.consumers(node.name)  # through an identity, activation or drop path to the add
        while len(readers) == 1 and readers[0].family in ("activation", "regularization"):
            readers = graph.consumers(readers[0].name)
        return {"in": node.shape, "out": node.shape, "c": c, "init": self.init_value, "params": node.params,
                "params_ok": node.params == c, "feeds_add": any(n.layer.merges == "sum" for n in readers)}
