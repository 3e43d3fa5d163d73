"""Recurrent cells declared as their gate equations.

A spec may declare cells under ``cells:`` and use them with ``{type: rnn, cell: <name>}``::

    cells:
      lstm:
        state: [h, c]                 # the recurrent states; each has `units` numbers
        gates:                        # each gate: activation(W X_t + U H_{t-1} + b)
          f: {activation: sigmoid}
          i: {activation: sigmoid}
          g: {activation: tanh}
          o: {activation: sigmoid}
        update:                       # applied in the order written
          c: "f * c + i * g"
          h: "o * tanh(c)"
        output: h                     # the state the layer outputs (default: the first)

The rules, which the docs' equations and the Keras cell both follow:

- every gate reads the input ``X_t`` through its own ``W`` (m×u in Keras' layout) and, unless
  ``recurrent: false``, a state through ``U`` (u×u): the output state by default, or the one
  ``recurrent:`` names; a bias ``b`` unless ``bias: false``, and a second one added to the recurrent
  part with ``recurrent_bias: true`` (cuDNN's convention, which Keras' GRU uses when reset_after);
- ``reset: r`` makes another gate scale the recurrent state: ``U (R_t ⊙ H_{t-1})`` — or with
  ``reset_after: true`` ``R_t ⊙ (U H_{t-1} + b')``, Keras' default GRU;
- ``peephole: [c]`` adds ``p ⊙ C`` (a diagonal weight, u numbers), ``peephole: {c: full}`` a full
  u×u matrix;
- update expressions use ``+ - *``, numbers, ``sigmoid/tanh/relu(...)``, names of gates and states.
  They run in the order written, and a state's name means its latest value: the new one once its
  update has run (LSTM's ``h: o * tanh(c)`` reads the new C_t), else the previous step's;
- a gate is computed where it is first needed — by the first update that names it, or by the gate
  it resets — and reads the states' latest values at that point. A peephole on the output gate of
  an LSTM therefore sees C_t, as in Gers et al. (2002), while the forget gate's sees C_{t-1}.

This module is pure Python (no Keras, no Graphviz at import time): the resolver validates cells
with it, the ``rnn`` layer kind infers parameters from it, :mod:`archcompiler.keras` runs the
same program with ``keras.ops`` and :func:`cell_diagram` draws it.
"""

from .checks import check_cell, validate_cell
from .expressions import CellExprError, names_in, parse_update
from .figure import cell_diagram
from .latex import equation_rows, equations, gate_symbol, gate_terms, state_symbol
from .program import GateStep, Read, Step, UpdateStep, build_program, runtime_config
from .spec import CellSpec, CellText, GateSpec

__all__ = ["CellExprError", "CellSpec", "CellText", "GateSpec", "GateStep", "Read", "Step", "UpdateStep",
           "build_program", "cell_diagram", "check_cell", "equation_rows", "equations", "gate_symbol", "gate_terms",
           "names_in", "parse_update", "runtime_config", "state_symbol", "validate_cell"]
