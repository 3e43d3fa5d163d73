"""``input``: a named model input (declared under ``inputs:``, not in the layer list)."""

from typing import ClassVar, Literal

from pydantic import Field

from .base import Inferred, Layer, PositiveInt, fmt_shape


class Input(Layer):
    """A named model input (declared under `inputs:`, not in the layer list)."""

    type: Literal["input"] = "input"
    shape: list[PositiveInt | None] = Field(min_length=1, description="Shape without the batch axis; null for a variable length.")
    dtype: Literal["float32", "float16", "bfloat16", "int32", "int64", "bool"] = "float32"

    family: ClassVar[str] = "input"
    min_inputs: ClassVar[int] = 0
    max_inputs: ClassVar[int] = 0
    display: ClassVar[dict[str, str]] = {"en": "input", "ko": "입력"}

    def infer(self, inputs):
        return Inferred([tuple(self.shape)])

    def keras(self, keras, name):
        return keras.Input(shape=tuple(self.shape), dtype=self.dtype, name=name)

    def label(self):
        return f"input {fmt_shape(tuple(self.shape))}" + ("" if self.dtype == "float32" else f" {self.dtype}")

    def doc_facts(self, node, graph):
        s = node.shape
        return {"in": [], "out": s, "dtype": self.dtype, "rank": len(s), "image": len(s) == 3,
                "tokens": self.dtype.startswith("int"), "channels": s[-1] if len(s) == 3 else None,
                "steps": s[0] if len(s) >= 1 else None, "readers": [n.name for n in graph.consumers(node.name)]}
