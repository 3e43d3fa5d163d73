"""Keras layers for learned weights that are not a layer's input (a class token, learned position
embeddings, layer scale), for reading one position back out, and for weight tying — written with
``keras.ops`` only and registered, so that saved models load back.

Each class imports only ``keras``, so the generated Python source can copy it as it is. Keras has
no built-in for the first three outside its applications' private modules; ``Take`` and
``SliceAxis`` stand in for a ``Lambda``, which would not load back safely. Tying is done by
passing the weight matrix itself along the graph: ``TiedEmbedding`` also outputs its table, and
``TiedDense``/``TiedLookup`` read it as an input, so one variable serves every layer that uses it."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archcompiler", name="ClassToken")
class ClassToken(keras.layers.Layer):
    """Prepends one learned vector (ViT's [class] token) to a (batch, steps, d) input along the
    sequence axis: (batch, steps + 1, d)."""

    def build(self, input_shape):
        self.token = self.add_weight(name="token", shape=(input_shape[-1],), initializer="zeros")

    def call(self, x):
        token = ops.cast(self.token, x.dtype)[None, None, :]
        return ops.concatenate([ops.tile(token, (ops.shape(x)[0], 1, 1)), x], axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], steps, input_shape[2])


@keras.saving.register_keras_serializable(package="archcompiler", name="PositionEmbedding")
class PositionEmbedding(keras.layers.Layer):
    """Adds a learned vector per position (BERT's, GPT-2's and ViT's position embeddings): a
    (length, d) table of which the first ``steps`` rows are added to a (batch, steps, d) input."""

    def __init__(self, length, **kwargs):
        super().__init__(**kwargs)
        self.length = length

    def build(self, input_shape):
        self.embeddings = self.add_weight(name="embeddings", shape=(self.length, input_shape[-1]),
                                          initializer="glorot_uniform")

    def call(self, x):
        table = ops.cast(self.embeddings, x.dtype)
        return x + ops.slice(table, (0, 0), (ops.shape(x)[1], x.shape[-1]))[None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "length": self.length}


@keras.saving.register_keras_serializable(package="archcompiler", name="LayerScale")
class LayerScale(keras.layers.Layer):
    """Multiplies each channel by a learned factor, all starting at ``init_value`` (ConvNeXt's and
    CaiT's layer scale γ): y = γ ⊙ x over the last axis."""

    def __init__(self, init_value=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.init_value = init_value

    def build(self, input_shape):
        self.gamma = self.add_weight(name="gamma", shape=(input_shape[-1],),
                                     initializer=keras.initializers.Constant(self.init_value))

    def call(self, x):
        return x * ops.cast(self.gamma, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "init_value": self.init_value}


@keras.saving.register_keras_serializable(package="archcompiler", name="Take")
class Take(keras.layers.Layer):
    """One position along ``axis`` (counting the batch axis as 0), the axis removed: ViT's and
    BERT's read-out of the [class] token is ``Take(0, axis=1)``."""

    def __init__(self, index=0, axis=1, **kwargs):
        super().__init__(**kwargs)
        self.index, self.axis = index, axis

    def call(self, x):
        return ops.take(x, self.index, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(d for k, d in enumerate(input_shape) if k != self.axis % len(input_shape))

    def get_config(self):
        return {**super().get_config(), "index": self.index, "axis": self.axis}


@keras.saving.register_keras_serializable(package="archcompiler", name="SliceAxis")
class SliceAxis(keras.layers.Layer):
    """Positions ``start`` to ``stop`` (excluded) along ``axis`` (counting the batch axis as 0)."""

    def __init__(self, start=0, stop=None, axis=1, **kwargs):
        super().__init__(**kwargs)
        self.start, self.stop, self.axis = start, stop, axis

    def call(self, x):
        axis = self.axis % len(x.shape)
        stop = ops.shape(x)[axis] if self.stop is None else self.stop
        return ops.take(x, ops.arange(self.start, stop), axis=axis)

    def compute_output_shape(self, input_shape):
        axis = self.axis % len(input_shape)
        shape = list(input_shape)
        if self.stop is not None:
            shape[axis] = self.stop - self.start
        elif shape[axis] is not None:
            shape[axis] -= self.start
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "start": self.start, "stop": self.stop, "axis": self.axis}


@keras.saving.register_keras_serializable(package="archcompiler", name="TiedEmbedding")
class TiedEmbedding(keras.layers.Embedding):
    """``keras.layers.Embedding`` (same weight, same lookup) that also outputs its table, shaped
    (1, vocab, d), for the layers tied to it: ``[vectors, table]``."""

    def call(self, inputs):
        return [super().call(inputs), ops.expand_dims(ops.cast(self.embeddings, self.compute_dtype), 0)]

    def compute_output_shape(self, input_shape):
        return [super().compute_output_shape(input_shape), (1, self.input_dim, self.output_dim)]

    def compute_output_spec(self, inputs):
        return [keras.KerasTensor((*inputs.shape, self.output_dim), dtype=self.compute_dtype),
                keras.KerasTensor((1, self.input_dim, self.output_dim), dtype=self.compute_dtype)]

    def compute_mask(self, inputs, mask=None):
        mask = super().compute_mask(inputs, mask)
        return None if mask is None else [mask, None]


@keras.saving.register_keras_serializable(package="archcompiler", name="TiedDense")
class TiedDense(keras.layers.Layer):
    """The output projection tied to an embedding: logits = x · Eᵀ, with the (1, vocab, d) table E
    that a ``TiedEmbedding`` outputs as its second input; no weights of its own."""

    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)

    def call(self, inputs):
        x, table = inputs
        return self.activation(ops.matmul(x, ops.transpose(ops.cast(table[0], x.dtype))))

    def compute_output_shape(self, input_shape):
        x, table = input_shape
        return (*x[:-1], table[1])

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="archcompiler", name="TiedLookup")
class TiedLookup(keras.layers.Layer):
    """An embedding lookup in another embedding's table (shared source and target embeddings):
    ``[ids, table]`` → the table's rows for the ids; no weights of its own."""

    def call(self, inputs):
        ids, table = inputs
        return ops.take(table[0], ops.cast(ids, "int32"), axis=0)

    def compute_output_shape(self, input_shape):
        ids, table = input_shape
        return (*ids, table[2])
