"""CBAM — the convolutional block attention module (Woo et al., ECCV 2018) — as an archcompiler layer
kind: ``{type: cbam, reduction: 8, kernel: 7}`` after a convolution.

The kind is declared in ``pyproject.toml`` (entry point ``cbam`` in the group ``archcompiler.kinds``);
its Keras layer is :class:`archcompiler_cbam.keras_layers.CBAM`, imported only when a model is built,
and its explanation in the docs is ``templates/<lang>/cbam.md.j2``."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from archcompiler.plugin import Inferred, Layer, PositiveInt, ShapeError, keras_layer, need_rank

__version__ = "0.1.0"


class CBAMKind(Layer):
    """Channel attention (a shared two-layer MLP over the average- and max-pooled channels) and then
    spatial attention (a k×k convolution over the channel-wise average and max), each a sigmoid mask
    multiplied into the feature map. Shape-preserving."""

    type: Literal["cbam"] = "cbam"
    reduction: PositiveInt = Field(8, description="The channel MLP's hidden width is channels // reduction.")
    kernel: PositiveInt = Field(7, description="The spatial attention's convolution window (kernel × kernel).")

    plugin_api: ClassVar[int] = 1
    family: ClassVar[str] = "attention"
    display: ClassVar[dict[str, str]] = {"en": "convolutional block attention (CBAM)",
                                         "ko": "합성곱 블록 어텐션(CBAM)"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        h, w, c = shape
        if c is None:
            raise ShapeError("the number of input channels must be known")
        hidden = c // self.reduction
        if hidden < 1:
            raise ShapeError(f"reduction {self.reduction} leaves no hidden unit for {c} channels",
                             "reduction", f"use a reduction of at most {c}")
        mlp = c * hidden + hidden + hidden * c + c
        spatial = self.kernel * self.kernel * 2
        macs = 2 * 2 * c * hidden + (h or 0) * (w or 0) * spatial  # the MLP on two vectors, the conv per pixel
        return Inferred([shape], trainable=mlp + spatial, macs=macs)

    def keras(self, keras, name):
        CBAM = keras_layer(keras, "archcompiler_cbam.keras_layers", "CBAM")
        return CBAM(reduction=self.reduction, kernel=self.kernel, name=name)

    def label(self):
        return f"CBAM, reduction {self.reduction}, spatial {self.kernel}×{self.kernel}"

    def brief(self, lang):
        return f"CBAM (r={self.reduction})" if lang == "en" else f"CBAM 어텐션 (r={self.reduction})"

    def doc_facts(self, node, graph):
        h, w, c = node.shapes[0]
        hidden = c // self.reduction
        mlp_weights, mlp_biases = 2 * c * hidden, hidden + c
        spatial = self.kernel * self.kernel * 2
        return {"h": h, "w": w, "c": c, "hidden": hidden, "reduction": self.reduction, "kernel": self.kernel,
                "mlp_weights": mlp_weights, "mlp_biases": mlp_biases, "spatial": spatial,
                "params": node.params, "params_ok": mlp_weights + mlp_biases + spatial == node.params,
                "macs": node.macs}
