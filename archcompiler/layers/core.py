"""Dense layers, activations, normalisation, regularisation, reshaping and merges."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Activation, Inferred, Layer, PositiveInt, Rate, ShapeError, fmt_shape, need_rank, product


class Dense(Layer):
    """Fully connected: every input unit to every output unit (applied to the last axis)."""

    type: Literal["dense"] = "dense"
    units: PositiveInt
    activation: Activation | None = None
    use_bias: bool = True

    family: ClassVar[str] = "dense"

    def infer(self, inputs):
        (shape,) = inputs
        if not shape:
            raise ShapeError("dense needs at least one axis besides the batch")
        features = shape[-1]
        if features is None:
            raise ShapeError("the last axis of a dense layer's input must have a known size",
                             hint="flatten a feature map of known size first")
        params = features * self.units + (self.units if self.use_bias else 0)
        positions = product(d for d in shape[:-1] if d is not None)
        return Inferred([shape[:-1] + (self.units,)], trainable=params, macs=positions * features * self.units)

    def keras(self, keras, name):
        return keras.layers.Dense(self.units, activation=self.activation, use_bias=self.use_bias, name=name)

    def label(self):
        act = f", {self.activation}" if self.activation and self.activation != "linear" else ""
        return f"dense {self.units}{act}"


class ActivationLayer(Layer):
    """A separate activation, e.g. the ReLU after a batch norm."""

    type: Literal["activation"] = "activation"
    activation: Activation

    family: ClassVar[str] = "activation"

    def infer(self, inputs):
        return Inferred([inputs[0]])

    def keras(self, keras, name):
        return keras.layers.Activation(self.activation, name=name)

    def label(self):
        return self.activation


def _shorthand(kind: str):
    """`{type: relu}` is short for `{type: activation, activation: relu}`."""

    class Shorthand(ActivationLayer):
        type: Literal[kind] = kind  # type: ignore[valid-type]
        activation: Literal[kind] = kind  # type: ignore[valid-type]

    Shorthand.__name__ = Shorthand.__qualname__ = kind.capitalize()
    Shorthand.__doc__ = f"Shorthand for an activation layer applying {kind}."
    return Shorthand


Relu, Sigmoid, Tanh, Softmax, Gelu = (_shorthand(k) for k in ("relu", "sigmoid", "tanh", "softmax", "gelu"))


class Flatten(Layer):
    """Unrolls a feature map into one vector (before the fully connected layers)."""

    type: Literal["flatten"] = "flatten"

    def infer(self, inputs):
        (shape,) = inputs
        if any(d is None for d in shape):
            raise ShapeError(f"cannot flatten a shape with a variable axis {fmt_shape(shape)}")
        return Inferred([(product(shape),)])

    def keras(self, keras, name):
        return keras.layers.Flatten(name=name)

    def label(self):
        return "flatten"


class Reshape(Layer):
    type: Literal["reshape"] = "reshape"
    shape: list[int] = Field(description="Target shape without the batch axis; -1 once for 'the rest'.")

    def infer(self, inputs):
        (shape,) = inputs
        if any(d is None for d in shape):
            raise ShapeError("reshape needs a fully known input shape")
        total, target = product(shape), list(self.shape)
        if target.count(-1) > 1 or any(d == 0 or d < -1 for d in target):
            raise ShapeError("at most one -1 and no zeros in the target shape", field="shape")
        known = product(d for d in target if d != -1)
        if -1 in target:
            if total % known:
                raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) into {self.shape}", field="shape")
            target[target.index(-1)] = total // known
        elif known != total:
            raise ShapeError(f"cannot reshape {fmt_shape(shape)} ({total} values) into {self.shape}", field="shape")
        return Inferred([tuple(target)])

    def keras(self, keras, name):
        return keras.layers.Reshape(tuple(self.shape), name=name)

    def label(self):
        return f"reshape to {tuple(self.shape)}"


class Dropout(Layer):
    """Drops a fraction `rate` of units at random during training (regularisation)."""

    type: Literal["dropout"] = "dropout"
    rate: Rate

    family: ClassVar[str] = "regularization"

    def infer(self, inputs):
        return Inferred([inputs[0]])

    def keras(self, keras, name):
        return keras.layers.Dropout(self.rate, name=name)

    def label(self):
        return f"dropout {self.rate:g}"


class BatchNorm(Layer):
    """Batch normalisation over the last axis: γ, β learned; moving mean and variance not trained."""

    type: Literal["batchnorm"] = "batchnorm"
    epsilon: float = Field(1e-3, gt=0)
    momentum: float = Field(0.99, ge=0, le=1)

    family: ClassVar[str] = "norm"

    def infer(self, inputs):
        (shape,) = inputs
        c = shape[-1]
        if c is None:
            raise ShapeError("batch norm needs a known channel count")
        return Inferred([shape], trainable=2 * c, non_trainable=2 * c, macs=product(d for d in shape if d) * 2)

    def keras(self, keras, name):
        return keras.layers.BatchNormalization(epsilon=self.epsilon, momentum=self.momentum, name=name)

    def label(self):
        return "batch norm"


class LayerNorm(Layer):
    """Layer normalisation over the last axis (the Transformer's 'norm' in add & norm)."""

    type: Literal["layernorm"] = "layernorm"
    epsilon: float = Field(1e-6, gt=0)

    family: ClassVar[str] = "norm"

    def infer(self, inputs):
        (shape,) = inputs
        if shape[-1] is None:
            raise ShapeError("layer norm needs a known feature size")
        return Inferred([shape], trainable=2 * shape[-1], macs=product(d for d in shape if d) * 2)

    def keras(self, keras, name):
        return keras.layers.LayerNormalization(epsilon=self.epsilon, name=name)

    def label(self):
        return "layer norm"


class LRN(Layer):
    """Local response normalisation across channels (AlexNet, GoogLeNet)."""

    type: Literal["lrn"] = "lrn"
    depth_radius: PositiveInt = 2
    bias: float = 2.0
    alpha: float = 1e-4
    beta: float = 0.75

    family: ClassVar[str] = "norm"

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 3, self.type)
        return Inferred([shape])

    def keras(self, keras, name):
        from ..keras import LocalResponseNormalization

        return LocalResponseNormalization(self.depth_radius, self.bias, self.alpha, self.beta, name=name)

    def label(self):
        return f"LRN (n={2 * self.depth_radius + 1})"


class _Merge(Layer):
    family: ClassVar[str] = "merge"
    min_inputs: ClassVar[int] = 2
    max_inputs: ClassVar[int] = 64


class Add(_Merge):
    """Elementwise sum of tensors of the same shape (a residual connection's merge)."""

    type: Literal["add"] = "add"

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


class Concat(_Merge):
    """Joins tensors along an axis (the inception module's filter concatenation)."""

    type: Literal["concat"] = "concat"
    axis: int = -1

    def infer(self, inputs):
        rank = len(inputs[0])
        if any(len(s) != rank for s in inputs):
            raise ShapeError(f"concat needs inputs of the same rank, got {', '.join(fmt_shape(s) for s in inputs)}")
        axis = self.axis if self.axis >= 0 else rank + self.axis
        if not 0 <= axis < rank:
            raise ShapeError(f"axis {self.axis} is out of range for rank {rank}", field="axis")
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


class Input(Layer):
    """A named model input (declared under `inputs:`, not in the layer list)."""

    type: Literal["input"] = "input"
    shape: list[PositiveInt | None] = Field(description="Shape without the batch axis; null for a variable length.")
    dtype: Literal["float32", "float16", "bfloat16", "int32", "int64", "bool"] = "float32"

    family: ClassVar[str] = "input"
    min_inputs: ClassVar[int] = 0
    max_inputs: ClassVar[int] = 0

    def infer(self, inputs):
        return Inferred([tuple(self.shape)])

    def keras(self, keras, name):
        return keras.Input(shape=tuple(self.shape), dtype=self.dtype, name=name)

    def label(self):
        return f"input {fmt_shape(tuple(self.shape))}" + ("" if self.dtype == "float32" else f" {self.dtype}")
