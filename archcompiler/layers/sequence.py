"""Sequence layers: embeddings, positional encoding, recurrent layers and attention."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Activation, Inferred, Layer, PositiveInt, Rate, ShapeError, fmt_shape, need_rank


def _steps(n):
    """MACs of sequence layers are counted for the declared length, or per step if it varies."""
    return 1 if n is None else n


class Embedding(Layer):
    """A lookup table: token id → learned vector of size `dim`."""

    type: Literal["embedding"] = "embedding"
    vocab: PositiveInt = Field(description="Number of distinct token ids (input_dim).")
    dim: PositiveInt = Field(description="Size of each vector (output_dim).")
    mask_zero: bool = False

    family: ClassVar[str] = "embedding"

    def infer(self, inputs):
        (shape,) = inputs
        return Inferred([shape + (self.dim,)], trainable=self.vocab * self.dim)

    def keras(self, keras, name):
        return keras.layers.Embedding(self.vocab, self.dim, mask_zero=self.mask_zero, name=name)

    def label(self):
        return f"embedding {self.vocab}→{self.dim}"


class PositionalEncoding(Layer):
    """Adds the Transformer paper's sinusoidal position signal (optionally scaling the input by √d first)."""

    type: Literal["positional_encoding"] = "positional_encoding"
    scale: bool = Field(True, description="Multiply the embeddings by √d_model before adding (Vaswani et al.).")

    family: ClassVar[str] = "embedding"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        if shape[-1] is None or shape[-1] % 2:
            raise ShapeError(f"sinusoidal encoding needs an even, known model width, got {fmt_shape(shape)}")
        return Inferred([shape])

    def keras(self, keras, name):
        from ..keras import SinusoidalPositionalEncoding

        return SinusoidalPositionalEncoding(scale=self.scale, name=name)

    def label(self):
        return "sinusoidal positions"


class RecurrentLayer(Layer):
    """What every recurrent layer shares: states carried across steps, optional initial states as
    extra inputs, ``return_sequences``/``return_state`` and a bidirectional wrapper. Subclasses
    say what their cell is: its states, its parameters and work per step, and its Keras layer."""

    units: PositiveInt
    return_sequences: bool = Field(False, description="Output every step (many-to-many) or only the last.")
    return_state: bool = Field(False, description="Also output the final state(s).")
    bidirectional: bool = False
    go_backwards: bool = False

    family: ClassVar[str] = "recurrent"

    def state_names(self) -> tuple[str, ...]:
        return ("h",)

    def cell_params(self, m: int) -> int:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def step_macs(self, m: int) -> int:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def keras_rnn(self, keras, name: str):
        """The one-directional Keras layer (wrapped in Bidirectional by ``keras`` when asked)."""
        raise NotImplementedError  # pragma: no cover

    def output_names(self):
        if not self.return_state:
            return ["output"]
        if self.bidirectional:
            return ["output"] + [f"{d}_{s}" for d in ("forward", "backward") for s in self.state_names()]
        return ["output", *self.state_names()]

    def infer(self, inputs):
        shape = inputs[0]
        need_rank(shape, 2, self.type)
        steps, m = shape
        if m is None:
            raise ShapeError("the feature size of a recurrent layer's input must be known")
        directions = 2 if self.bidirectional else 1
        expected = len(self.state_names()) * directions
        if len(inputs) > 1:
            if len(inputs) - 1 != expected:
                names = ", ".join(self.state_names())
                raise ShapeError(f"{self.kind_label()} takes {expected} initial state(s) ({names}"
                                 f"{' for each direction' if directions == 2 else ''}), got {len(inputs) - 1}",
                                 field="inputs")
            for s in inputs[1:]:
                if s != (self.units,):
                    raise ShapeError(f"initial states must have shape {fmt_shape((self.units,))}, got {fmt_shape(s)}",
                                     field="inputs")
        width = self.units * directions
        shapes = [(steps, width) if self.return_sequences else (width,)]
        if self.return_state:
            shapes += [(self.units,)] * expected
        return Inferred(shapes, trainable=self.cell_params(m) * directions,
                        macs=directions * _steps(steps) * self.step_macs(m))

    def keras(self, keras, name):
        if self.bidirectional:
            return keras.layers.Bidirectional(self.keras_rnn(keras, None), name=name)
        return self.keras_rnn(keras, name)

    def keras_options(self) -> dict:
        return dict(return_sequences=self.return_sequences, return_state=self.return_state,
                    go_backwards=self.go_backwards)

    def call(self, layer, tensors):
        if len(tensors) > 1:
            return layer(tensors[0], initial_state=list(tensors[1:]))
        return layer(tensors[0])

    def kind_label(self) -> str:
        return self.type

    def label(self):
        flags = [f for f in ("return_sequences", "return_state") if getattr(self, f)]
        prefix = "bidirectional " if self.bidirectional else ""
        return f"{prefix}{self.kind_label()} {self.units}" + "".join(f", {f}" for f in flags)


class _Recurrent(RecurrentLayer):
    """The built-in kinds (simple_rnn, lstm, gru): Keras' own layers, their activations as fields."""

    activation: Activation = Field("tanh", description="Activation of the candidate / hidden state.")

    max_inputs: ClassVar[int] = 5  # the sequence, then initial states
    states: ClassVar[tuple[str, ...]] = ("h",)
    gates: ClassVar[int] = 1
    keras_class: ClassVar[str] = ""

    def state_names(self):
        return self.states

    def cell_params(self, m: int) -> int:
        return self.gates * self.units * (m + self.units + 1)

    def step_macs(self, m: int) -> int:
        return self.gates * self.units * (m + self.units)

    def extra_keras_options(self) -> dict:
        return {}

    def keras_rnn(self, keras, name):
        cls = getattr(keras.layers, self.keras_class)
        return cls(self.units, name=name, activation=self.activation, **self.keras_options(),
                   **self.extra_keras_options())

    def kind_label(self):
        return "RNN" if self.keras_class == "SimpleRNN" else self.keras_class


class SimpleRNN(_Recurrent):
    """The plain recurrent layer: H_t = tanh(U H_{t-1} + W X_t + b)."""

    type: Literal["simple_rnn"] = "simple_rnn"
    keras_class: ClassVar[str] = "SimpleRNN"


class LSTM(_Recurrent):
    """Long short-term memory: forget, input and output gates and a candidate, with a cell state C."""

    type: Literal["lstm"] = "lstm"
    gate_activation: Activation = Field("sigmoid", description="Activation of the forget, input and output gates.")
    unit_forget_bias: bool = True

    states: ClassVar[tuple[str, ...]] = ("h", "c")
    gates: ClassVar[int] = 4
    keras_class: ClassVar[str] = "LSTM"

    def extra_keras_options(self):
        return {"recurrent_activation": self.gate_activation, "unit_forget_bias": self.unit_forget_bias}


class GRU(_Recurrent):
    """Gated recurrent unit: reset and update gates and a candidate; one state H."""

    type: Literal["gru"] = "gru"
    gate_activation: Activation = Field("sigmoid", description="Activation of the reset and update gates.")
    reset_after: bool = Field(True, description="Apply the reset gate after the recurrent matrix "
                              "(Keras/cuDNN default; adds a second bias).")

    gates: ClassVar[int] = 3
    keras_class: ClassVar[str] = "GRU"

    def cell_params(self, m):
        return 3 * self.units * (m + self.units + (2 if self.reset_after else 1))

    def extra_keras_options(self):
        return {"recurrent_activation": self.gate_activation, "reset_after": self.reset_after}


def _query_value_key(layer, inputs):
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

    def infer(self, inputs):
        query, value, key = _query_value_key(self, inputs)
        if query[-1] != key[-1]:
            raise ShapeError(f"dot-product attention needs query and key of the same width, "
                             f"got {query[-1]} and {key[-1]}", hint="project one of them with a dense layer")
        tq, tv = _steps(query[0]), _steps(value[0])
        return Inferred([(query[0], value[-1])], trainable=1 if self.scale else 0,
                        macs=tq * tv * (query[-1] + value[-1]))

    def keras(self, keras, name):
        return keras.layers.Attention(use_scale=self.scale, name=name)

    def call(self, layer, tensors):
        qv = tensors if len(tensors) > 1 else tensors * 2
        return layer(qv, use_causal_mask=self.causal)

    def label(self):
        return "dot attention (Luong)"


class AdditiveAttention(Layer):
    """Bahdanau (additive) attention: scores = Σ scale · tanh(query + key)."""

    type: Literal["additive_attention"] = "additive_attention"
    scale: bool = True
    causal: bool = False

    family: ClassVar[str] = "attention"
    max_inputs: ClassVar[int] = 3

    def infer(self, inputs):
        query, value, key = _query_value_key(self, inputs)
        if query[-1] != key[-1]:
            raise ShapeError(f"additive attention needs query and key of the same width, "
                             f"got {query[-1]} and {key[-1]}", hint="project one of them with a dense layer")
        tq, tv = _steps(query[0]), _steps(value[0])
        return Inferred([(query[0], value[-1])], trainable=query[-1] if self.scale else 0,
                        macs=tq * tv * (query[-1] + value[-1]))

    def keras(self, keras, name):
        return keras.layers.AdditiveAttention(use_scale=self.scale, name=name)

    call = Attention.call

    def label(self):
        return "additive attention (Bahdanau)"


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
        query, value, key = _query_value_key(self, inputs)
        k, v = self.key_dim, self.value_dim or self.key_dim
        h, bias = self.heads, 1 if self.use_bias else 0
        params = (query[-1] * h * k + bias * h * k) + (key[-1] * h * k + bias * h * k) \
            + (value[-1] * h * v + bias * h * v) + (h * v * query[-1] + bias * query[-1])
        tq, tv = _steps(query[0]), _steps(value[0])
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
