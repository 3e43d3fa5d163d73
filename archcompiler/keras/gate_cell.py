"""The Keras side of declared cells: one registered RNN cell that runs a cell's gates and state
updates with ``keras.ops`` only (every backend).

Its configuration is plain data that the compiler writes (:func:`archcompiler.cells.runtime_config`),
so loading a model needs neither the spec language nor any parser, and the class imports only
``keras``: the generated Python source copies it as it is."""

from __future__ import annotations

from typing import ClassVar

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archcompiler", name="GateCell")
class GateCell(keras.layers.Layer):
    """A recurrent cell given as its gates and state updates; use it inside ``keras.layers.RNN``
    (and ``Bidirectional``), like ``keras.layers.LSTMCell``.

    Args:
        units: the size of every state.
        state_names: the states' names, in the order of initial states and returned states.
        gates: per gate, in the order its weights are made: ``activation``, ``recurrent`` (the
            state its U matrix reads, or None), ``reset`` (a gate that scales that state, or None),
            ``reset_after`` (scale U·H + b' instead of H), ``bias``, ``recurrent_bias``,
            ``bias_init`` and ``peepholes`` ({state: "diagonal" | "full"}).
        program: one time step in order: ``{"gate": g}`` computes gate g from the states' latest
            values; ``{"update": s, "value": e}`` sets state s. An expression e is a gate or state
            name, a number, or ``[op, operand, ...]`` with op one of + - * neg sigmoid tanh relu.
        output_state: the state the cell outputs at each step.
        cell_name: the declaration's name (for messages).

    Weights, per gate g: ``g_kernel`` (input_dim, units), ``g_recurrent_kernel`` (units, units),
    ``g_bias`` and ``g_recurrent_bias`` (units,), ``g_peephole_<state>`` (units,) or (units, units);
    also reachable as ``cell.gate_weights[g]["kernel" | "recurrent_kernel" | ...]``.
    """

    OPERATIONS: ClassVar[dict] = {
        "+": ops.add, "-": ops.subtract, "*": ops.multiply, "neg": ops.negative,
        "sigmoid": ops.sigmoid, "hard_sigmoid": ops.hard_sigmoid, "tanh": ops.tanh,
        "relu": ops.relu, "softsign": ops.softsign, "linear": lambda x: x,
    }

    def __init__(self, units, state_names, gates, program, output_state=None, cell_name="cell", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.state_names, self.gates, self.program = list(state_names), dict(gates), list(program)
        self.output_state, self.cell_name = output_state or self.state_names[0], cell_name
        self.state_size = [self.units] * len(self.state_names)
        self.output_size = self.units
        self.gate_weights: dict[str, dict] = {}

    def build(self, input_shape):
        m, u = int(input_shape[-1]), self.units
        for name, gate in self.gates.items():
            shapes = {"kernel": ((m, u), "glorot_uniform")}
            if gate["recurrent"]:
                shapes["recurrent_kernel"] = ((u, u), "orthogonal")
            if gate["bias"]:
                shapes["bias"] = ((u,), gate["bias_init"])
            if gate["recurrent_bias"]:
                shapes["recurrent_bias"] = ((u,), "zeros")
            for state, kind in gate["peepholes"].items():
                shapes[f"peephole_{state}"] = ((u,) if kind == "diagonal" else (u, u), "glorot_uniform")
            self.gate_weights[name] = {kind: self.add_weight(shape=shape, initializer=init, name=f"{name}_{kind}")
                                       for kind, (shape, init) in shapes.items()}
        self.built = True

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        values = dict(zip(self.state_names, states))  # every state's latest value
        gates: dict = {}
        for step in self.program:
            if "gate" in step:
                gates[step["gate"]] = self._gate(step["gate"], inputs, values, gates)
            else:
                values[step["update"]] = self._evaluate(step["value"], {**values, **gates})
        return values[self.output_state], [values[s] for s in self.state_names]

    def _gate(self, name, x, values, gates):
        gate, w = self.gates[name], self.gate_weights[name]
        total = ops.matmul(x, w["kernel"])
        if gate["bias"]:
            total = total + w["bias"]
        if gate["recurrent"]:
            h = values[gate["recurrent"]]
            if gate["reset"] and not gate["reset_after"]:
                h = gates[gate["reset"]] * h
            recurrent = ops.matmul(h, w["recurrent_kernel"])
            if gate["recurrent_bias"]:
                recurrent = recurrent + w["recurrent_bias"]
            if gate["reset"] and gate["reset_after"]:
                recurrent = gates[gate["reset"]] * recurrent
            total = total + recurrent
        for state, kind in gate["peepholes"].items():
            p = w[f"peephole_{state}"]
            total = total + (p * values[state] if kind == "diagonal" else ops.matmul(values[state], p))
        return self.OPERATIONS[gate["activation"]](total)

    def _evaluate(self, expression, names):
        if isinstance(expression, str):
            return names[expression]
        if isinstance(expression, (int, float)):
            return float(expression)
        op, *operands = expression
        if op not in self.OPERATIONS:
            raise ValueError(f"{self.cell_name}: unknown operation {op!r} in a state update")
        return self.OPERATIONS[op](*(self._evaluate(e, names) for e in operands))

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in self.state_names]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "state_names": self.state_names, "gates": self.gates,
                "program": self.program, "output_state": self.output_state, "cell_name": self.cell_name}
