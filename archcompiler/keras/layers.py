"""Keras layers the lecture needs that Keras does not ship, written with ``keras.ops`` only (so
they run on every backend) and registered so that saved models load back.

Each class imports only ``keras``, so the generated Python source can copy it as it is
(``inspect.getsource``). Keras has no built-in for either: LRN's window sum over channels and
sinusoidal positions over a variable length would need weights or a fixed length; its GELU
activation has no ``approximate`` option."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archcompiler", name="LocalResponseNormalization")
class LocalResponseNormalization(keras.layers.Layer):
    """AlexNet's local response normalisation across channels:
    b = a / (bias + alpha · Σ_{j=c−r}^{c+r} a_j²)^beta, the same as TensorFlow's
    ``tf.nn.local_response_normalization`` (alpha is not divided by the window)."""

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta

    def call(self, x):
        r, channels = self.depth_radius, x.shape[-1]
        padded = ops.pad(ops.square(x), [[0, 0]] * (len(x.shape) - 1) + [[r, r]])
        window = sum(padded[..., i:i + channels] for i in range(2 * r + 1))
        return x / ops.power(self.bias + self.alpha * window, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "depth_radius": self.depth_radius, "bias": self.bias,
                "alpha": self.alpha, "beta": self.beta}


@keras.saving.register_keras_serializable(package="archcompiler", name="SinusoidalPositionalEncoding")
class SinusoidalPositionalEncoding(keras.layers.Layer):
    """Adds PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)) to a
    (batch, steps, d) input, after multiplying it by √d when ``scale`` (Vaswani et al. 2017, §3.4–3.5)."""

    def __init__(self, scale=True, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.supports_masking = True

    def call(self, x):
        d = x.shape[-1]
        steps = ops.shape(x)[1]
        # The angles are computed in float32 whatever the layer's dtype: in float16 a position
        # like 500 has a spacing of 0.25 and the sines would be off by up to ~0.2.
        positions = ops.cast(ops.arange(steps), "float32")[:, None]
        even = ops.cast(ops.arange(0, d, 2), "float32")[None, :]  # 2i
        angles = positions / ops.power(10000.0, even / d)
        # interleave sin (even features) and cos (odd features)
        encoding = ops.reshape(ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1), (steps, d))
        if self.scale:
            x = x * ops.cast(float(d) ** 0.5, x.dtype)
        return x + ops.cast(encoding, x.dtype)[None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="archcompiler", name="GELU")
class GELU(keras.layers.Layer):
    """GELU as a layer with Keras' ``approximate`` option (``keras.layers.Activation('gelu')`` is the
    exact x·Φ(x) and takes no options): True gives 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""

    def __init__(self, approximate=False, **kwargs):
        super().__init__(**kwargs)
        self.approximate = approximate
        self.supports_masking = True

    def call(self, x):
        return keras.activations.gelu(x, approximate=self.approximate)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "approximate": self.approximate}
