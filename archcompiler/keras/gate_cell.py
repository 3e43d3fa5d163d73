"""The Keras side of declared cells: one registered, serialisable RNN cell that runs a cell
declaration (:mod:`archcompiler.cells`) with ``keras.ops`` only, so it works on any backend and
``.keras`` files load back (``import archcompiler.keras_cells`` registers it).

Use it inside ``keras.layers.RNN`` (and ``Bidirectional``), like ``keras.layers.LSTMCell``.

Imported only when a Keras model is built."""

from __future__ import annotations

import ast

import keras
from keras import ops

from .cells import FUNCTIONS, GateStep, build_program, validate_cell

PACKAGE = "archcompiler"

_ACTIVATIONS = {
    "sigmoid": ops.sigmoid,
    "hard_sigmoid": ops.hard_sigmoid,
    "tanh": ops.tanh,
    "relu": ops.relu,
    "softsign": ops.softsign,
    "linear": lambda x: x,
}
assert set(FUNCTIONS) <= set(_ACTIVATIONS)


@keras.saving.register_keras_serializable(package=PACKAGE)
class GateCell(keras.layers.Layer):
    """A recurrent cell defined by a gate declaration.

    Args:
        units: the size of every state.
        cell: the declaration, as the plain mapping of a ``cells:`` entry (``state``, ``gates``,
            ``update``, ``output``).
        cell_name: the declaration's name (for messages and the docs).

    Weights, per gate ``g``: ``g_kernel`` (input_dim, units), ``g_recurrent_kernel`` (units, units)
    unless ``recurrent: false``, ``g_bias`` (units,), ``g_recurrent_bias`` (units,) with
    ``recurrent_bias: true``, ``g_peephole_<state>`` (units,) or (units, units). They are also
    reachable as ``cell.gate_weights[g]["kernel" | "recurrent_kernel" | "bias" | ...]``.
    """

    def __init__(self, units, cell, cell_name="cell", **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.cell_name = cell_name
        self.cell_config = dict(cell)
        self.spec = validate_cell(cell_name, self.cell_config)
        self.program = build_program(self.spec)
        self.state_size = [self.units] * len(self.spec.state)
        self.output_size = self.units
        self.gate_weights: dict[str, dict] = {}

    def build(self, input_shape):
        m, u = int(input_shape[-1]), self.units
        for gate_name, kind, shape in self.spec.weight_shapes(m, u):
            gate = self.spec.gates[gate_name]
            if kind == "kernel":
                init = "glorot_uniform"
            elif kind == "recurrent_kernel":
                init = "orthogonal"
            elif kind in ("bias", "recurrent_bias"):
                init = gate.bias_init if kind == "bias" else "zeros"
            else:  # peepholes
                init = "glorot_uniform"
            weight = self.add_weight(shape=shape, initializer=init, name=f"{gate_name}_{kind}")
            self.gate_weights.setdefault(gate_name, {})[kind] = weight
        self.built = True

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        values = dict(zip(self.spec.state, states))  # every state's latest value
        gates: dict = {}
        for step in self.program:
            if isinstance(step, GateStep):
                gates[step.name] = self._gate(step, inputs, values, gates)
            else:
                values[step.state] = self._evaluate(step.tree, values, gates)
        new_states = [values[s] for s in self.spec.state]
        return values[self.spec.output_state], new_states

    def _gate(self, step: GateStep, x, values, gates):
        w = self.gate_weights[step.name]
        gate = step.gate
        total = ops.matmul(x, w["kernel"])
        if gate.bias:
            total = total + w["bias"]
        if step.recurrent is not None:
            h = values[step.recurrent.state]
            if step.reset and not gate.reset_after:
                h = gates[step.reset] * h
            recurrent = ops.matmul(h, w["recurrent_kernel"])
            if gate.recurrent_bias:
                recurrent = recurrent + w["recurrent_bias"]
            if step.reset and gate.reset_after:
                recurrent = gates[step.reset] * recurrent
            total = total + recurrent
        for read, kind in step.peepholes:
            p = w[f"peephole_{read.state}"]
            state = values[read.state]
            total = total + (p * state if kind == "diagonal" else ops.matmul(state, p))
        return _ACTIVATIONS[gate.activation](total)

    def _evaluate(self, node, values, gates):
        if isinstance(node, ast.BinOp):
            left = self._evaluate(node.left, values, gates)
            right = self._evaluate(node.right, values, gates)
            if isinstance(node.op, ast.Add):
                return ops.add(left, right)
            if isinstance(node.op, ast.Sub):
                return ops.subtract(left, right)
            return ops.multiply(left, right)
        if isinstance(node, ast.UnaryOp):
            value = self._evaluate(node.operand, values, gates)
            return ops.negative(value) if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Call):
            return _ACTIVATIONS[node.func.id](self._evaluate(node.args[0], values, gates))
        if isinstance(node, ast.Name):
            return gates[node.id] if node.id in gates else values[node.id]
        raise ValueError(f"unexpected expression {ast.dump(node)}")  # pragma: no cover

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in self.state_size]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "cell": self.cell_config,
                "cell_name": self.cell_name}
