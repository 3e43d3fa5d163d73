"""The Keras layer of the ``cbam`` kind. It imports Keras, so the kind module imports it only when a
model is built (``archcompiler.plugin.keras_layer``); a generated program imports it by name."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archcompiler_cbam")
class CBAM(keras.layers.Layer):
    """Channel attention, then spatial attention (Woo et al., 2018): ``x · σ(MLP(avg) + MLP(max))``,
    then ``· σ(conv_k×k([mean_c, max_c]))``. The MLP's layers have biases, the convolution none."""

    def __init__(self, reduction=8, kernel=7, **kwargs):
        super().__init__(**kwargs)
        self.reduction, self.kernel = reduction, kernel

    def build(self, input_shape):
        channels = input_shape[-1]
        self.hidden = keras.layers.Dense(channels // self.reduction, activation="relu", name="mlp_hidden")
        self.hidden.build((None, channels))
        self.restore = keras.layers.Dense(channels, name="mlp_out")
        self.restore.build((None, channels // self.reduction))
        self.spatial = keras.layers.Conv2D(1, self.kernel, padding="same", activation="sigmoid", use_bias=False,
                                           name="spatial")
        self.spatial.build((None, None, None, 2))

    def call(self, x):
        average = ops.mean(x, axis=(1, 2), keepdims=True)
        largest = ops.max(x, axis=(1, 2), keepdims=True)
        x = x * ops.sigmoid(self.restore(self.hidden(average)) + self.restore(self.hidden(largest)))
        pooled = ops.concatenate([ops.mean(x, axis=-1, keepdims=True), ops.max(x, axis=-1, keepdims=True)], axis=-1)
        return x * self.spatial(pooled)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reduction": self.reduction, "kernel": self.kernel}
