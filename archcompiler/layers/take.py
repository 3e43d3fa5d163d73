"""``take``: one position along an axis, the axis removed — ViT's and BERT's read-out of the [class]
token at position 0 of the sequence (``{type: take, index: 0}``)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, runtime


def axis_position(axis: int, rank: int) -> int:
    """``axis`` (counted as Keras counts it: the batch axis is 0, -1 the last) as an index into a
    shape without the batch axis; a located error for the batch axis or one out of range."""
    k = axis - 1 if axis >= 0 else rank + axis
    if axis == 0 or not 0 <= k < rank:
        raise ShapeError(f"axis {axis} is {'the batch axis' if axis == 0 else 'out of range'}: the input has "
                         f"{rank} axes after the batch axis", field="axis", code="E-VALUE-INVALID",
                         hint=f"use 1 … {rank} (counting the batch axis as 0, as Keras does) or -1 … -{rank}")
    return k


class Take(Layer):
    """Position `index` along `axis` (default 1: the sequence axis); that axis disappears."""

    type: Literal["take"] = "take"
    index: int = Field(0, description="The position read (negative counts from the end).")
    axis: int = Field(1, description="Counting the batch axis as 0, as Keras does: 1 is the sequence axis.")

    family: ClassVar[str] = "reshape"
    display: ClassVar[dict[str, str]] = {"en": "take one position", "ko": "한 위치 꺼내기"}

    def infer(self, inputs):
        (shape,) = inputs
        k = axis_position(self.axis, len(shape))
        n = shape[k]
        if n is not None and not -n <= self.index < n:
            raise ShapeError(f"index {self.index} is outside the {n} positions of axis {self.axis}", field="index")
        if n is None and self.index < 0:
            raise ShapeError("a negative index needs a known length along the axis", field="index")
        return Inferred([shape[:k] + shape[k + 1:]])

    def reads_first_step(self, shape) -> bool:
        """Whether this takes position 0 of the sequence axis (where a class token sits), not of another axis."""
        return self.index == 0 and axis_position(self.axis, len(shape)) == 0

    def keras(self, keras, name):
        return runtime(keras).Take(self.index, axis=self.axis, name=name)

    def label(self):
        return f"take [{self.index}] of axis {self.axis}"

    def brief(self, lang):
        return f"위치 {self.index} 꺼내기" if lang == "ko" else f"take position {self.index}"

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        k = axis_position(self.axis, len(ins))
        src = graph.nodes[node.inputs[0].node]
        return {"in": ins, "out": node.shape, "index": self.index, "axis": self.axis, "length": ins[k],
                "source": src.name,
                "sequence": k == 0 and len(ins) == 2, "class_token": _first_class_token(graph, node)}


def _first_class_token(graph, node) -> str | None:
    """The class token this read-out picks up: position 0 of a sequence one was put in front of."""
    from .class_token import ClassToken

    if not node.layer.reads_first_step(graph.input_shapes(node)[0]):
        return None
    found = [a for a in graph.ancestors(node.name) if isinstance(graph.nodes[a].layer, ClassToken)]
    return found[0] if found else None
