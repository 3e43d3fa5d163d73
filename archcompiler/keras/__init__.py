"""The runtime of compiled models: the custom Keras layers and the declared-cell RNN cell, registered
under the package name ``archcompiler`` so that saved models load back::

    import archcompiler.keras
    model = keras.saving.load_model("build/alexnet/alexnet.keras")

It imports Keras (and its backend) and nothing else of archcompiler: no spec language, no CLI.
Plain ``import archcompiler`` does not register these classes, because it must stay free of Keras
for the commands that never build a model; Keras only imports the modules of its own packages
when it loads a file, so this import is needed once per process before loading."""

from .gate_cell import GateCell
from .layers import GELU, LocalResponseNormalization, SinusoidalPositionalEncoding
from .learned import (
    ClassToken,
    LayerScale,
    PositionEmbedding,
    SliceAxis,
    Take,
    TiedDense,
    TiedEmbedding,
    TiedLookup,
)

LEARNED = (ClassToken, PositionEmbedding, LayerScale, Take, SliceAxis, TiedEmbedding, TiedDense, TiedLookup)
CUSTOM_OBJECTS = {f"archcompiler>{cls.__name__}": cls
                  for cls in (LocalResponseNormalization, SinusoidalPositionalEncoding, GELU, GateCell, *LEARNED)}

__all__ = ["CUSTOM_OBJECTS", "GELU", "ClassToken", "GateCell", "LayerScale", "LocalResponseNormalization",
           "PositionEmbedding", "SinusoidalPositionalEncoding", "SliceAxis", "Take", "TiedDense", "TiedEmbedding",
           "TiedLookup"]
