"""Recurrent layers: what they all share (``RecurrentLayer``: states carried across steps, initial
states as extra inputs, ``return_sequences``/``return_state``, a bidirectional wrapper) and the
built-in kinds ``simple_rnn``, ``lstm`` and ``gru`` (Keras' own layers, their activations as fields)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Activation, Inferred, Layer, PositiveInt, ShapeError, counted_steps, fmt_shape, need_rank


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
    input_roles: ClassVar[str] = "states"

    def state_names(self) -> tuple[str, ...]:
        return ("h",)

    def cell_params(self, m: int) -> int:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def step_macs(self, m: int) -> int:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def keras_rnn(self, keras, name: str):
        """The one-directional Keras layer (wrapped in Bidirectional by ``keras`` when asked)."""
        raise NotImplementedError  # pragma: no cover

    def default_name(self):
        return "bidirectional" if self.bidirectional else super().default_name()

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
        if self.bidirectional and self.go_backwards:
            raise ShapeError("bidirectional already reads the sequence both ways (Keras runs a second copy with "
                             "go_backwards), so it refuses go_backwards: true as well", field="go_backwards",
                             hint="remove go_backwards: the backward direction is included",
                             code="E-KERAS-BIDIRECTIONAL-BACKWARDS")
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
                        macs=directions * counted_steps(steps) * self.step_macs(m))

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

    def kind_label(self, lang: str = "en") -> str:
        return self.type

    def label(self):
        flags = [f for f in ("return_sequences", "return_state") if getattr(self, f)]
        prefix = "bidirectional " if self.bidirectional else ""
        return f"{prefix}{self.kind_label()} {self.units}" + "".join(f", {f}" for f in flags)

    def brief(self, lang):
        prefix = ("양방향 " if lang == "ko" else "bidirectional ") if self.bidirectional else ""
        return f"{prefix}{self.kind_label(lang)} {self.units}"

    def caption(self, lang):
        """The Korean diagram says what the English label's return_sequences / return_state say."""
        if lang == "en":
            return self.label()
        flags = [words for f, words in (("return_sequences", "모든 시점 출력"), ("return_state", "마지막 상태 출력"))
                 if getattr(self, f)]
        return ", ".join([self.brief(lang), *flags]) if lang == "ko" else self.brief(lang)

    def recurrent_facts(self, node, graph) -> dict:
        """What every recurrent layer's explanation shares: sizes, outputs, initial states."""
        steps, m = graph.input_shapes(node)[0]
        directions = 2 if self.bidirectional else 1
        states_in = [{"ref": str(r), "node": r.node, "output": graph.nodes[r.node].output_names[r.index],
                      "shape": graph.nodes[r.node].shapes[r.index]} for r in node.inputs[1:]]
        names = node.output_names
        dense = graph.next_dense(node)
        if dense is not None and not dense.params:  # a tied projection: its V is the embedding's table, counted there
            dense = None
        # who reads the sequence output (index 0) and who only the final states (an encoder's)
        readers = [c.name for c in graph.consumers(node.name)
                   if any(r.node == node.name and r.index == 0 for r in c.inputs)]
        outputs = getattr(graph, "g", graph).outputs
        output_used = bool(readers) or any(r.node == node.name and r.index == 0 for r in outputs)
        state_readers = [c.name for c in graph.consumers(node.name)
                         if any(r.node == node.name and r.index > 0 for r in c.inputs)]
        return {"o": dense.layer.units if dense else None, "v_layer": dense.name if dense else None,
                "v_activation": (dense.layer.activation or "linear") if dense else None,
                # V's columns are what the dense reads: the state, both directions' when bidirectional
                "v_cols": graph.input_shapes(dense)[0][-1] if dense else None,
                "v_bias": bool(getattr(dense.layer, "use_bias", True)) if dense else None,
                "in": (steps, m), "out": node.shape, "outs": list(zip(names, node.shapes)), "steps": steps, "m": m,
                "k": self.units, "directions": directions, "params": node.params,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "bidirectional": self.bidirectional, "go_backwards": self.go_backwards,
                "states_in": states_in, "state_outputs": names[1:] if self.return_state else [],
                "width": self.units * directions, "output_used": output_used, "state_readers": state_readers}


class _Recurrent(RecurrentLayer):
    """The built-in kinds (simple_rnn, lstm, gru): Keras' own layers, their activations as fields."""

    activation: Activation = Field("tanh", description="Activation of the candidate / hidden state.")

    max_inputs: ClassVar[int] = 5  # the sequence, then initial states
    states: ClassVar[tuple[str, ...]] = ("h",)
    gates: ClassVar[int] = 1
    keras_class: ClassVar[str] = ""

    def state_names(self):
        return self.states

    def bias_sets(self) -> int:
        return 1

    def cell_params(self, m: int) -> int:
        return self.gates * self.units * (m + self.units + self.bias_sets())

    def step_macs(self, m: int) -> int:
        return self.gates * self.units * (m + self.units)

    def extra_keras_options(self) -> dict:
        return {}

    def keras_rnn(self, keras, name):
        cls = getattr(keras.layers, self.keras_class)
        return cls(self.units, name=name, activation=self.activation, **self.keras_options(),
                   **self.extra_keras_options())

    def kind_label(self, lang="en"):
        return "RNN" if self.keras_class == "SimpleRNN" else self.keras_class

    def doc_facts(self, node, graph):
        f = self.recurrent_facts(node, graph)
        m, k = f["m"], f["k"]
        per_gate = k * m + k * k + self.bias_sets() * k
        per_direction = self.gates * per_gate
        f.update(gates=self.gates, biases=self.bias_sets(), per_gate=per_gate, per_direction=per_direction,
                 params_ok=per_direction * f["directions"] == node.params,
                 activation=self.activation, gate_activation=getattr(self, "gate_activation", None),
                 reset_after=getattr(self, "reset_after", None),
                 unit_forget_bias=getattr(self, "unit_forget_bias", None),
                 kernel_shape=(m, self.gates * k), recurrent_shape=(k, self.gates * k),
                 step=self.one_unit_step())
        return f

    def one_unit_step(self) -> dict | None:
        """The concepts guide's one-unit step (archcompiler.concepts), where this layer computes the same
        functions (sigmoid gates, tanh candidate); None otherwise."""
        return None


class SimpleRNN(_Recurrent):
    """The plain recurrent layer: H_t = tanh(U H_{t-1} + W X_t + b)."""

    type: Literal["simple_rnn"] = "simple_rnn"
    keras_class: ClassVar[str] = "SimpleRNN"
    display: ClassVar[dict[str, str]] = {"en": "RNN", "ko": "RNN"}


class LSTM(_Recurrent):
    """Long short-term memory: forget, input and output gates and a candidate, with a cell state C."""

    type: Literal["lstm"] = "lstm"
    gate_activation: Activation = Field("sigmoid", description="Activation of the forget, input and output gates.")
    unit_forget_bias: bool = True

    states: ClassVar[tuple[str, ...]] = ("h", "c")
    gates: ClassVar[int] = 4
    keras_class: ClassVar[str] = "LSTM"
    display: ClassVar[dict[str, str]] = {"en": "LSTM", "ko": "LSTM"}

    def extra_keras_options(self):
        return {"recurrent_activation": self.gate_activation, "unit_forget_bias": self.unit_forget_bias}

    def one_unit_step(self):
        from ..concepts import lstm_step

        return lstm_step() if (self.gate_activation, self.activation) == ("sigmoid", "tanh") else None


class GRU(_Recurrent):
    """Gated recurrent unit: reset and update gates and a candidate; one state H."""

    type: Literal["gru"] = "gru"
    gate_activation: Activation = Field("sigmoid", description="Activation of the reset and update gates.")
    reset_after: bool = Field(True, description="Apply the reset gate after the recurrent matrix "
                              "(Keras/cuDNN default; adds a second bias).")

    gates: ClassVar[int] = 3
    keras_class: ClassVar[str] = "GRU"
    display: ClassVar[dict[str, str]] = {"en": "GRU", "ko": "GRU"}

    def bias_sets(self):
        return 2 if self.reset_after else 1

    def extra_keras_options(self):
        return {"recurrent_activation": self.gate_activation, "reset_after": self.reset_after}

    def one_unit_step(self):
        from ..concepts import gru_step

        return gru_step() if (self.gate_activation, self.activation) == ("sigmoid", "tanh") else None
