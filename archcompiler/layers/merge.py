"""``add`` and ``concat``: how branches and shortcuts join."""

from __future__ import annotations

from typing import ClassVar, Literal

from .base import Inferred, Layer, ShapeError, fmt_shape
from .layernorm import LayerNorm


class _Merge(Layer):
    family: ClassVar[str] = "merge"
    min_inputs: ClassVar[int] = 2
    max_inputs: ClassVar[int] = 64


class Add(_Merge):
    """Elementwise sum of tensors of the same shape (a residual connection's merge)."""

    type: Literal["add"] = "add"

    merges: ClassVar[str] = "sum"
    display: ClassVar[dict[str, str]] = {"en": "add", "ko": "덧셈(Add)"}

    def infer(self, inputs):
        first = inputs[0]
        for other in inputs[1:]:
            if len(other) != len(first) or any(a is not None and b is not None and a != b
                                               for a, b in zip(first, other)):
                raise ShapeError(f"add needs inputs of the same shape, got "
                                 f"{' and '.join(fmt_shape(s) for s in inputs)}",
                                 hint="give the shortcut a projection (1×1 conv with the right filters and stride)")
        return Inferred([first])

    def keras(self, keras, name):
        return keras.layers.Add(name=name)

    def label(self):
        return "add"

    def doc_facts(self, node, graph):
        br = graph.branches(node)
        chains = br["chains"]
        residual = graph.residual(node)
        shortcut, body = (residual["shortcut"], residual["body"]) if residual else (None, None)
        readers = graph.consumers(node.name)
        then = readers[0] if len(readers) == 1 else None
        return {"in": graph.input_shapes(node), "out": node.shape, "inputs": [str(r) for r in node.inputs],
                "fork": br["fork"], "chains": chains, "residual": residual is not None, "shortcut": shortcut,
                "body": body, "identity": residual is not None and residual["identity"],
                "shortcut_chain": chains[shortcut] if residual else [], "body_chain": chains[body] if residual else [],
                "then": then.name if then else None,
                "add_norm": then is not None and isinstance(then.layer, LayerNorm)}


class Concat(_Merge):
    """Joins tensors along an axis (the inception module's filter concatenation). The axis follows Keras'
    convention: it counts the batch axis, so 1 is the first axis after it, and -1 (the default) the last."""

    type: Literal["concat"] = "concat"
    axis: int = -1

    merges: ClassVar[str] = "concat"
    display: ClassVar[dict[str, str]] = {"en": "concatenation", "ko": "연결(Concatenate)"}

    def position(self, rank: int) -> int:
        """The axis as an index into a shape without the batch axis (``rank`` axes); -1 for the batch
        axis itself, and an index outside 0 … rank-1 when the axis is out of range."""
        return self.axis - 1 if self.axis >= 0 else rank + self.axis

    def infer(self, inputs):
        rank = len(inputs[0])
        if any(len(s) != rank for s in inputs):
            raise ShapeError(f"concat needs inputs of the same rank, got {', '.join(fmt_shape(s) for s in inputs)}")
        axis = self.position(rank)
        if axis == -1:
            raise ShapeError(f"axis {self.axis} is the batch axis: joining along it would stack examples, not "
                             "features", field="axis", code="E-CONCAT-AXIS",
                             hint="axes count the batch axis, as in Keras: 1 is the first axis after it, -1 the last")
        if not 0 <= axis < rank:
            raise ShapeError(f"axis {self.axis} is out of range: the inputs have {rank} axes after the batch axis",
                             field="axis", code="E-CONCAT-AXIS",
                             hint=f"use 1 … {rank} (counting the batch axis as 0, as Keras does) or -1 … -{rank}")
        out = list(inputs[0])
        for other in inputs[1:]:
            for i, (a, b) in enumerate(zip(out, other)):
                if i != axis and a is not None and b is not None and a != b:
                    raise ShapeError(f"concat along axis {self.axis} needs the other axes equal, got "
                                     f"{' and '.join(fmt_shape(s) for s in inputs)}",
                                     hint="pad or pool the branches to the same spatial size")
            out[axis] = None if out[axis] is None or other[axis] is None else out[axis] + other[axis]
        return Inferred([tuple(out)])

    def keras(self, keras, name):
        return keras.layers.Concatenate(axis=self.axis, name=name)

    def label(self):
        return "concat"

    def doc_facts(self, node, graph):
        shapes = graph.input_shapes(node)
        rank = len(node.shape)
        axis = self.position(rank)
        br = graph.branches(node)
        widths = [s[axis] for s in shapes]
        return {"in": shapes, "out": node.shape, "axis": axis + 1, "last_axis": axis == rank - 1,
                "inputs": [str(r) for r in node.inputs], "widths": widths, "total": node.shape[axis],
                "ok": None not in widths and sum(widths) == node.shape[axis], "fork": br["fork"],
                "chains": br["chains"], "spatial": node.shape[:-1] if axis == rank - 1 else None}
