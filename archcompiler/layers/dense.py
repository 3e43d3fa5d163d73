"""``dense``: fully connected, every input unit to every output unit (applied to the last axis)."""

from typing import ClassVar, Literal

from .base import (
    Activation,
    Inferred,
    Layer,
    PositiveInt,
    ShapeError,
    activation_suffix,
    product,
)
from .flatten import Flatten


class Dense(Layer):
    """Fully connected: every input unit to every output unit (applied to the last axis)."""

    type: Literal["dense"] = "dense"
    units: PositiveInt
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "dense"
    display: ClassVar[dict[str, str]] = {"en": "fully connected", "ko": "완전연결층"}

    def infer(self, inputs):
        (shape,) = inputs
        if not shape:
            raise ShapeError("dense needs at least one axis besides the batch")
        features = shape[-1]
        if features is None:
            raise ShapeError("the last axis of a dense layer's input must have a known size",
                             hint="flatten a feature map of known size first")
        params = features * self.units + (self.units if self.use_bias else 0)
        positions = product(d for d in shape[:-1] if d is not None)
        return Inferred([shape[:-1] + (self.units,)], trainable=params, macs=positions * features * self.units)

    def keras(self, keras, name):
        return keras.layers.Dense(self.units, activation=self.activation, use_bias=self.use_bias, name=name)

    def label(self):
        act = activation_suffix(self.activation)
        return f"dense {self.units}{act}"

    def brief(self, lang):
        return f"{'완전연결' if lang == 'ko' else 'dense'} {self.units}"

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        features = ins[-1]
        weights, bias = features * self.units, (self.units if self.use_bias else 0)
        positions = ins[:-1]
        src = graph.nodes[node.inputs[0].node]
        readers = graph.consumers(node.name)
        ffn = None  # a position-wise dense with a non-linearity feeding a linear one back to its width:
        # the Transformer's feed-forward sublayer
        nxt = readers[0].layer if len(readers) == 1 else None
        if (positions and isinstance(nxt, Dense) and self.activation not in (None, "linear")
                and nxt.activation in (None, "linear") and nxt.units == features):
            ffn = {"next": readers[0].name, "d_in": features, "d_ff": self.units, "d_out": nxt.units}
        return {"ffn": ffn, "in": ins, "out": node.shape, "features": features, "units": self.units,
                "activation": self.activation or "linear", "use_bias": self.use_bias, "weights": weights,
                "bias": bias, "params": node.params, "params_ok": weights + bias == node.params,
                "positions": positions, "per_position": len(positions) > 0,
                "is_output": graph.is_output(node), "after_flatten": isinstance(src.layer, Flatten),
                "source": src.name}
