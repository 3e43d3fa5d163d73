"""``rescaling``: x · scale + offset, the fixed preprocessing step that maps pixel values
(0–255) into the range a network was trained on — no weights."""

from typing import ClassVar, Literal, Union

from .base import Inferred, Layer, ShapeError

Number = Union[float, int]
PIXEL_MAX = 255  # an 8-bit image's largest value, for the docs' example


def _values(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


class Rescaling(Layer):
    """Multiplies by `scale` and adds `offset`: numbers, or one per channel (a list)."""

    type: Literal["rescaling"] = "rescaling"
    scale: Number | list[Number]
    offset: Number | list[Number] = 0.0

    family: ClassVar[str] = "norm"
    display: ClassVar[dict[str, str]] = {"en": "rescaling", "ko": "값 범위 조정(Rescaling)"}

    def infer(self, inputs):
        (shape,) = inputs
        for field in ("scale", "offset"):
            n = len(_values(getattr(self, field)))
            if n > 1 and shape[-1] is not None and n != shape[-1]:
                raise ShapeError(f"{field} has {n} values for {shape[-1]} channels", field=field,
                                 hint="give one number, or one per channel")
        return Inferred([shape])

    def keras(self, keras, name):
        return keras.layers.Rescaling(self.scale, offset=self.offset, name=name)

    def label(self):
        def text(v):
            return "[" + ", ".join(f"{x:.4g}" for x in v) + "]" if isinstance(v, list) else f"{v:.4g}"
        offset = self.offset
        if _values(offset) == [0] * len(_values(offset)):
            return f"×{text(self.scale)}"
        if not isinstance(offset, list) and offset < 0:  # − 1, not + -1
            return f"×{text(self.scale)} − {text(-offset)}"
        return f"×{text(self.scale)} + {text(offset)}"

    def brief(self, lang):
        return self.label()

    def doc_facts(self, node, graph):
        scale, offset = _values(self.scale), _values(self.offset)
        per_channel = len(scale) > 1 or len(offset) > 1
        ranges = None
        if not per_channel:  # what the usual 8-bit pixel range becomes
            ranges = (offset[0], PIXEL_MAX * scale[0] + offset[0])
        return {"in": node.shape, "out": node.shape, "scale": scale, "offset": offset, "per_channel": per_channel,
                "no_offset": all(o == 0 for o in offset), "range": ranges, "pixel_max": PIXEL_MAX}
