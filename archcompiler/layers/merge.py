"""``add`` and ``concat``: how branches and shortcuts join."""

import math
from typing import ClassVar, Literal

from .base import Inferred, Layer, ShapeError, fmt_shape
from .layernorm import LayerNorm


class _Merge(Layer):
    family: ClassVar[str] = "merge"
    min_inputs: ClassVar[int] = 2
    max_inputs: ClassVar[int] = 64


def broadcast(first, second):
    """Keras' rule for an elementwise merge of two shapes (without the batch axis): aligned at the
    last axis, an axis of size 1 stretches to the other's, a missing leading axis counts as 1;
    None (a size only known at run time) stays None. None where the shapes cannot be combined."""
    if len(first) < len(second):
        first, second = second, first
    out = list(first[:len(first) - len(second)])
    for a, b in zip(first[len(first) - len(second):], second):
        if a is None or b is None:
            out.append(None)
        elif a == 1 or b == 1 or a == b:
            out.append(b if a == 1 else a)
        else:
            return None
    return tuple(out)


class _Elementwise(_Merge):
    """A merge value by value, with Keras' broadcasting (``broadcast``)."""

    def infer(self, inputs):
        out = inputs[0]
        for other in inputs[1:]:
            out = broadcast(out, other)
            if out is None:
                raise ShapeError(f"{self.type} needs inputs of the same shape (or sizes of 1 that broadcast), got "
                                 f"{' and '.join(fmt_shape(s) for s in inputs)}", hint=self.mismatch_hint)
        return Inferred([out])

    mismatch_hint: ClassVar[str] = ""


class Add(_Elementwise):
    """Elementwise sum (a residual connection's merge); shapes broadcast as in Keras (sizes of 1 stretch)."""

    type: Literal["add"] = "add"

    merges: ClassVar[str] = "sum"
    display: ClassVar[dict[str, str]] = {"en": "add", "ko": "덧셈(Add)"}
    mismatch_hint: ClassVar[str] = "give the shortcut a projection (1×1 conv with the right filters and stride)"

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
                "shortcut_chain": graph.steps(chains[shortcut]) if residual else [],
                "body_chain": graph.steps(chains[body]) if residual else [],
                "then": then.name if then else None,
                "add_norm": then is not None and isinstance(then.layer, LayerNorm),
                "residuals": sum(1 for n in graph.g.nodes.values() if graph.residual(n)) if residual else 0,
                "bottleneck": _bottleneck_facts(graph, node, chains[body]) if residual else None}


def _bottleneck_facts(graph, node, body) -> dict | None:
    """At the first identity sum whose body is 1×1 → 3×3 → 1×1: its weights against the two 3×3
    convolutions at the block's width that a plain residual block would use."""
    if graph.bottleneck_residual() is not node:
        return None
    convs = [n for n in body if n.kind == "conv2d"]
    layers = [{"name": n.name, "kh": n.layer.kernel[0], "kw": n.layer.kernel[1],
               "c_in": graph.input_shapes(n)[0][-1], "c_out": n.layer.filters,
               "weights": n.layer.kernel[0] * n.layer.kernel[1] * graph.input_shapes(n)[0][-1] * n.layer.filters}
              for n in convs]
    width, k = node.shape[-1], convs[1].layer.kernel[0]
    weights = sum(x["weights"] for x in layers)
    plain = 2 * k * k * width * width
    return {"layers": layers, "width": width, "k": k, "weights": weights, "plain_each": k * k * width * width,
            "plain": plain, "ratio": plain / weights, "inner": layers[1]["c_in"]}


class Multiply(_Elementwise):
    """Elementwise product; shapes broadcast as in Keras, so a (1, 1, C) gate scales every position
    of an (H, W, C) map (squeeze-and-excitation)."""

    type: Literal["multiply"] = "multiply"

    merges: ClassVar[str] = "product"
    display: ClassVar[dict[str, str]] = {"en": "multiply", "ko": "곱셈(Multiply)"}
    mismatch_hint: ClassVar[str] = "a gate must have the map's channels, with 1 for each axis it is shared along"

    def keras(self, keras, name):
        return keras.layers.Multiply(name=name)

    def label(self):
        return "multiply"

    def doc_facts(self, node, graph):
        shapes = graph.input_shapes(node)
        out = node.shape
        # a gate: an input whose every axis but the last is 1 (or missing), scaling a larger map
        gates = [k for k, s in enumerate(shapes) if s != out and all(d == 1 for d in s[:-1])
                 and s[-1] == out[-1]]
        gate = gates[0] if len(shapes) == 2 and len(gates) == 1 else None
        spread = None if gate is None or None in out[:-1] else math.prod(out[:-1])
        return {"in": shapes, "out": out, "inputs": [str(r) for r in node.inputs], "gate": gate,
                "gate_name": str(node.inputs[gate]) if gate is not None else None,
                "map_name": str(node.inputs[1 - gate]) if gate is not None else None,
                "channels": out[-1], "positions": spread,
                "sigmoid": gate is not None and _ends_in_sigmoid(graph, node.inputs[gate].node)}


def _ends_in_sigmoid(graph, name) -> bool:
    layer = graph.nodes[name].layer
    return getattr(layer, "activation", None) in ("sigmoid", "hard_sigmoid")


class Concat(_Merge):
    """Joins tensors along an axis (the inception module's filter concatenation). The axis follows Keras'
    convention: it counts the batch axis, so 1 is the first axis after it, and -1 (the default) the last."""

    type: Literal["concat"] = "concat"
    keras_name: ClassVar[str] = "concatenate"
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
                "chains": br["chains"], "paths": [graph.steps(c) for c in br["chains"]],
                "spatial": node.shape[:-1] if axis == rank - 1 else None}
