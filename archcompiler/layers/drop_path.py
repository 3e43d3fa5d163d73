"""``drop_path``: stochastic depth — while training, a residual branch's whole output is dropped
for a random fraction of the samples (EfficientNet's and ConvNeXt's drop path). It is Keras'
Dropout with one decision per sample (``noise_shape=(None, 1, …, 1)``), as keras.applications
EfficientNet writes it."""

from typing import ClassVar, Literal

from .dropout import Dropout


class DropPath(Dropout):
    """Drops the whole input of a sample with probability `rate` during training (stochastic depth);
    put it at the end of a residual body, before the add."""

    type: Literal["drop_path"] = "drop_path"

    display: ClassVar[dict[str, str]] = {"en": "drop path (stochastic depth)", "ko": "드롭 패스(확률적 깊이)"}

    def settle(self, inputs):
        return self.model_copy(update={"noise_shape": [1] * len(inputs[0])})

    def label(self):
        return f"drop path {self.rate:g}"

    def brief(self, lang):
        return f"{'드롭 패스' if lang == 'ko' else 'drop path'} {self.rate:g}"
