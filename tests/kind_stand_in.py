"""Helpers of the Keras-free tests that pin a layer kind exactly: build it from its fields, infer, catch a
refusal whole, and record the Keras call it makes through a stand-in for ``keras`` (no Keras needed)."""

import pytest

from archcompiler.layers import KINDS, ShapeError


class Call:
    """What a stand-in Keras constructor was called with; equal to ``(class name, args, kwargs)``."""

    def __init__(self, cls, args, kwargs):
        self.cls, self.args, self.kwargs = cls, args, kwargs

    def __eq__(self, other):
        return (self.cls, self.args, self.kwargs) == other

    def __repr__(self):
        return f"Call({self.cls!r}, {self.args!r}, {self.kwargs!r})"


class FakeLayers:
    def __getattr__(self, cls):
        return lambda *args, **kwargs: Call(cls, args, kwargs)


class FakeKeras:
    layers = FakeLayers()
    archcompiler_runtime = FakeLayers()  # archcompiler's own classes (LayerScale, Take, …)


def layer(kind, **fields):
    return KINDS[kind].model_validate({"type": kind, **fields})


def infer(kind, shapes, **fields):
    return layer(kind, **fields).infer(shapes)


def refusal(kind, shapes, **fields):
    """A refusal whole: (message, field, hint, code)."""
    with pytest.raises(ShapeError) as info:
        infer(kind, shapes, **fields)
    e = info.value
    return e.message, e.field, e.hint, e.code


def figures(result):
    """What a rule inferred: (shapes, trainable, non-trainable, MACs)."""
    return result.shapes, result.trainable, result.non_trainable, result.macs


def words(kind_layer):
    """A layer's diagram line and its briefs: (label, English brief, Korean brief)."""
    return kind_layer.label(), kind_layer.brief("en"), kind_layer.brief("ko")
