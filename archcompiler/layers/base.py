"""What every layer kind declares, in one place.

A kind is one module under ``archcompiler/layers/`` holding one pydantic model (its fields,
validated, unknown keys rejected) with:

- the rule: ``infer`` (shapes, parameters and multiply-accumulates in pure Python, following
  Keras' own rules), ``settle``/``expand`` where needed, and for layers with several inputs or
  outputs ``call``/``output_names``;
- the Keras side: ``keras`` (the Keras layer it becomes);
- words: ``label`` (the diagram's line; ``caption(lang)`` in another language), ``display`` (its name in the docs, per language),
  ``brief`` (a compact description for branch listings) and ``doc_facts`` (the figures its
  explanation needs; the wording is in ``templates/<lang>/kinds/<kind>.md.j2``);
- roles: class properties the emitters ask instead of naming kinds (``family``, ``folds_into``,
  ``takes_padding``, ``merges``, ``input_roles``, ``uses_cell``).

Defining a subclass registers it, and ``archcompiler.layers`` imports every module of the
package, so a new kind is its module (plus, optionally, its two templates): no other file changes."""

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

Shape = tuple  # one tensor's shape without the batch axis; None marks a variable length

KINDS: dict[str, type["Layer"]] = {}

FAMILIES = (
    "input", "conv", "pool", "dense", "recurrent", "attention", "norm", "merge",
    "activation", "regularization", "reshape", "embedding",
)


def is_builtin(cls) -> bool:
    """Whether a kind is one of archcompiler's own (a module of this package), not a plugin's."""
    return cls is not None and cls.__module__.startswith(__name__.rsplit(".", 1)[0] + ".")


class ShapeError(Exception):
    """An impossible shape, reported at the layer's line (and field, if known)."""

    def __init__(self, message: str, field: str = "", hint: str = "", code: str = "E-SHAPE"):
        super().__init__(message)
        self.message, self.field, self.hint, self.code = message, field, hint, code


@dataclass
class Inferred:
    shapes: list[Shape]
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0


def _pair(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return (value[0], value[0])
    return value


PositiveInt = Annotated[int, Field(ge=1)]
Pair = Annotated[tuple[PositiveInt, PositiveInt],
                 BeforeValidator(_pair, json_schema_input_type=Union[PositiveInt, tuple[PositiveInt, PositiveInt]])]
Activation = Literal[
    "linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "swish", "silu",
    "leaky_relu", "relu6", "hard_sigmoid", "softplus", "softsign", "exponential", "mish",
    "hard_swish", "hard_silu", "celu", "hard_tanh", "log_sigmoid", "log_softmax", "sparse_plus", "squareplus",
    "sparse_sigmoid", "sparsemax", "tanh_shrink", "soft_shrink", "hard_shrink",
]
# an activation's name in Korean prose and diagrams (the English is the Keras name itself)
ACTIVATION_NAMES_KO = {
    "linear": "선형", "relu": "ReLU", "sigmoid": "시그모이드", "tanh": "tanh", "softmax": "소프트맥스", "gelu": "GELU",
    "elu": "ELU", "selu": "SELU", "swish": "Swish", "silu": "SiLU", "leaky_relu": "Leaky ReLU", "relu6": "ReLU6",
    "hard_sigmoid": "하드 시그모이드", "softplus": "소프트플러스", "softsign": "소프트사인", "exponential": "지수 함수",
    "mish": "Mish", "hard_swish": "하드 Swish", "hard_silu": "하드 SiLU", "celu": "CELU", "hard_tanh": "하드 tanh",
    "log_sigmoid": "로그 시그모이드", "log_softmax": "로그 소프트맥스", "sparse_plus": "스파스 플러스",
    "squareplus": "스퀘어플러스", "sparse_sigmoid": "스파스 시그모이드", "sparsemax": "스파스맥스",
    "tanh_shrink": "tanh 수축", "soft_shrink": "소프트 수축", "hard_shrink": "하드 수축",
}


def activation_name(activation: str, lang: str) -> str:
    """An activation's name in ``lang``: the Keras name in English, the Korean docs' word in Korean."""
    return ACTIVATION_NAMES_KO.get(activation, activation) if lang == "ko" else activation


Rate = Annotated[float, Field(ge=0.0, lt=1.0)]
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


def _layer_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise PydanticCustomError("E-NAME-INVALID", "a name is letters, digits, '_' and '-' (not first): it is "
                                  "read in references such as name.h or name[1], and Keras refuses '/'")
    return name


# the name of a layer, block use or input: what references (``inputs: [conv1, encoder.h]``) can read
LayerName = Annotated[str, Field(max_length=200), AfterValidator(_layer_name)]


class Layer(BaseModel):
    """Fields every layer entry may carry, whatever its kind."""

    # built-in kinds build their validators on first use: a spec validates the few kinds it uses
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    type: str
    name: LayerName | None = Field(None, description="Layer name (inside a block, relative to the block's name).")
    inputs: list[str] | str | None = Field(
        None, description="Earlier layers or inputs this layer reads; default: the previous layer. "
        "'layer.h' or 'layer[1]' picks one output of a layer with several.")
    repeat: PositiveInt = Field(1, description="Stack this layer N times; ${i} counts from 1.")
    when: bool = Field(True, description="Leave the layer out when false (e.g. when: ${project}).")
    note: dict[str, str] | None = Field(None, description="Extra explanation for the docs: {en: ..., ko: ...}.")

    # --- roles: what the resolver and the emitters ask instead of naming kinds ---
    family: ClassVar[str] = "reshape"  # one of FAMILIES: the diagram's colour, the docs' fallback template
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int] = 1
    # "previous": drawn inside the node it follows (a norm, an activation, a dropout);
    # "next": a padding drawn inside, and explained by, the window it pads
    folds_into: ClassVar[Literal["previous", "next"] | None] = None
    takes_padding: ClassVar[bool] = False  # a window (convolution, pooling) a padding before it folds into
    merges: ClassVar[Literal["sum", "product", "concat"] | None] = None  # how a merge layer joins its inputs
    # what the inputs after the first are: initial "states" (recurrent) or "query_value_key" (attention)
    input_roles: ClassVar[Literal["states", "query_value_key"] | None] = None
    # a 2-D convolution whose every filter reads all input channels (no groups): the docs compare
    # stacked small windows, 1×1 reductions and bottlenecks among these
    mixes_channels_2d: ClassVar[bool] = False
    uses_cell: ClassVar[bool] = False  # runs a cell declared under 'cells:' (the resolver puts it in place)
    # the name Keras gives such a layer when none is given (default: the kind), so an unnamed layer
    # gets Keras' own name: batch_normalization_3, max_pooling2d, concatenate_1
    keras_name: ClassVar[str | None] = None
    # --- words ---
    display: ClassVar[dict[str, str]] = {}  # the kind's name in the docs, per language (default: the kind)
    # the docs template under templates/<lang>/kinds/ (default: the kind's own name); the docs fall
    # back to templates/<lang>/<family>.md.j2, then to generic.md.j2
    doc_template: ClassVar[str | None] = None
    # a plugin kind's version of the public base (archcompiler.plugin.PLUGIN_API_VERSION); None: built in
    plugin_api: ClassVar[int | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields["type"].default
        # a kind defined elsewhere (a plugin) never replaces a built-in one; the plugin loader says so
        if isinstance(kind, str) and (is_builtin(cls) or not is_builtin(KINDS.get(kind))):
            KINDS[kind] = cls
        if not is_builtin(cls):  # a plugin's schema mistake shows when it is loaded (E-PLUGIN-IMPORT)
            cls.model_rebuild()

    def default_name(self) -> str:
        """The name of an unnamed layer before numbering: Keras' own default for it."""
        return self.keras_name or self.type

    # --- the rule ---------------------------------------------------------
    def output_names(self) -> list[str]:
        return ["output"]

    def settle(self, inputs: list[Shape]) -> "Layer":
        """This layer with defaults that depend on the input filled in (e.g. a head's width)."""
        return self

    def infer(self, inputs: list[Shape]) -> Inferred:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def expand(self) -> list[tuple[str, "Layer"]]:
        """The graph nodes this entry becomes, as (name suffix, layer): usually just itself.
        A convolution with numeric padding becomes a zero-padding node and a 'valid' one."""
        return [("", self)]

    # --- the Keras side (keras is imported by the caller, never at module level) ---
    def keras(self, keras, name: str):  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def call(self, layer, tensors: list):
        """Apply the Keras layer to its input tensors; returns one tensor or a list."""
        return layer(tensors[0] if len(tensors) == 1 else tensors)

    # --- words -----------------------------------------------------------
    def label(self) -> str:
        return self.type

    def display_name(self, lang: str) -> str:
        return self.display.get(lang, self.type)

    def brief(self, lang: str) -> str:
        """A compact description for a chain of layers (an inception branch, a residual body)."""
        return self.display_name(lang)

    def caption(self, lang: str) -> str:
        """The diagram's line in ``lang``: ``label()`` in English; in another language ``brief(lang)``,
        with the activation a convolution or dense layer applies itself."""
        if lang == "en":
            return self.label()
        activation = getattr(self, "activation", None)
        own = self.family in ("conv", "dense") and isinstance(activation, str) and activation != "linear"
        return self.brief(lang) + (f", {activation_name(activation, lang)}" if own else "")

    def doc_facts(self, node, graph) -> dict | None:
        """The figures the docs' explanation of this layer reads, gathered from ``node`` (its
        shapes and counts) and ``graph`` (an :class:`archcompiler.analysis.Analysis`); None
        leaves the layer to the generic explanation."""
        return None

    def hyperparameters(self) -> dict[str, Any]:
        """The kind's own settings (without name/inputs/repeat/when/note), for docs and diagrams."""
        skip = {"type", "name", "inputs", "repeat", "when", "note"}
        return {k: v for k, v in self.model_dump().items() if k not in skip}


# --- helpers shared by the rules ---------------------------------------------

def runtime(keras):
    """archcompiler's own Keras classes (:mod:`archcompiler.keras`), reached through the ``keras`` a
    kind's ``keras()`` is given, so that the Python source emitter's stand-in records them too."""
    found = getattr(keras, "archcompiler_runtime", None)
    if found is not None:
        return found
    from .. import keras as package

    return package


def conv_output_length(length: int | None, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Keras' rule for one spatial axis of a convolution or pooling window."""
    if length is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "same":
        return math.ceil(length / stride)
    return (length - effective) // stride + 1


def product(values) -> int:
    """The product of integers (1 for none): element counts of shapes, weight matrices."""
    return math.prod(values)


def counted_steps(n) -> int:
    """MACs of sequence layers are counted for the declared length, or per step if it varies."""
    return 1 if n is None else n


def need_rank(shape: Shape, rank: int, what: str) -> None:
    if len(shape) != rank:
        raise ShapeError(f"{what} expects an input of rank {rank} (without batch), got shape {fmt_shape(shape)}")


def activation_suffix(activation) -> str:
    """', relu' for a label; nothing for no activation or 'linear'."""
    return f", {activation}" if activation and activation != "linear" else ""


def causal_text(text: str, causal: bool, lang: str) -> str:
    """An attention's brief with its mask: ', causal mask' (', 인과 마스크')."""
    return text + ((", 인과 마스크" if lang == "ko" else ", causal mask") if causal else "")


def fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
