"""``slice``: positions `start` to `stop` along an axis, the axis kept (a class token's sequence
without it, the first tokens of a sequence)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, ShapeError, runtime
from .take import axis_position


class Slice(Layer):
    """Positions `start` … `stop` − 1 along `axis` (default 1: the sequence axis); `stop` null: to the end."""

    type: Literal["slice"] = "slice"
    start: int = Field(0, ge=0, description="The first position kept.")
    stop: int | None = Field(None, ge=1, description="The position after the last one kept; null: the end.")
    axis: int = Field(1, description="Counting the batch axis as 0, as Keras does: 1 is the sequence axis.")

    family: ClassVar[str] = "reshape"
    display: ClassVar[dict[str, str]] = {"en": "slice", "ko": "구간 자르기(slice)"}

    def infer(self, inputs):
        (shape,) = inputs
        k = axis_position(self.axis, len(shape))
        n = shape[k]
        stop = n if self.stop is None else self.stop
        # start first: without a stop, the stop is the axis' length, which the user never wrote
        if n is not None and self.start >= n:
            raise ShapeError(f"start {self.start} is past the {n} positions of axis {self.axis}", field="start")
        if stop is not None and stop <= self.start:
            raise ShapeError(f"stop {stop} is not after start {self.start}", field="stop")
        if n is not None and stop > n:
            raise ShapeError(f"stop {stop} is past the {n} positions of axis {self.axis}", field="stop")
        out = list(shape)
        out[k] = None if stop is None else stop - self.start
        return Inferred([tuple(out)])

    def keras(self, keras, name):
        return runtime(keras).SliceAxis(self.start, self.stop, axis=self.axis, name=name)

    def label(self):
        return f"slice [{self.start}:{'' if self.stop is None else self.stop}] of axis {self.axis}"

    def brief(self, lang):
        if lang == "ko":
            return f"축 {self.axis}에서 [{self.start}:{'' if self.stop is None else self.stop}] 꺼내기"
        return self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        k = axis_position(self.axis, len(ins))
        return {"in": ins, "out": node.shape, "start": self.start, "stop": self.stop, "axis": self.axis,
                "length": ins[k], "kept": node.shape[k]}
