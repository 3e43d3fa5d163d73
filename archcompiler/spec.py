"""The spec document's structure: metadata, params, inputs, blocks, layers.

Layer entries are validated one by one while blocks and repeats are expanded
(their ``${...}`` values depend on block arguments), so here they stay raw;
``json_schema`` gives pydantic's view of them for editors."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .cells import CellSpec
from .layers import KINDS
from .layers.base import LayerName

Family = Literal["mlp", "cnn", "rnn", "attention", "transformer"]
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", max_length=100)]
ARG_TYPES = {"int": int, "float": (int, float), "bool": bool, "str": str, "list": list}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(Strict):
    """The same text in English and Korean."""

    en: str
    ko: str


class Paper(Strict):
    title: str
    venue: str | None = None
    url: str | None = None


class InputSpec(Strict):
    shape: list[int | None | str] = Field(min_length=1, description="Without the batch axis; null for a variable length.")
    dtype: Literal["float32", "float16", "bfloat16", "int32", "int64", "bool"] = "float32"


class BlockSpec(Strict):
    """A reusable group of layers with arguments (an inception module, a residual block...)."""

    title: Text | None = Field(None, description="What the block is called in the docs.")
    explain: Text | None = Field(None, description="A paragraph for the docs about what the block does.")
    args: dict[str, Any] = Field(default_factory=dict, description=(
        "Arguments and their defaults; a type name (int, float, bool, str, list) marks a required one."))
    inputs: list[str] = Field(["x"], description="Names of the block's input tensors, usable in its layers.")
    layers: list[dict[str, Any]]
    output: str | None = Field(None, description="Which layer is the block's output (default: the last).")
    prefix: bool = Field(True, description=(
        "Prefix the names of the block's layers with the use's name (conv2_block1_1_conv). false: its layers "
        "are named as if written where the block is used, and unnamed ones continue the model's Keras-style "
        "numbering (conv2d_12, batch_normalization_12), as a Keras helper function that names nothing does."))


class OutputRef(Strict):
    """An output that exists only under a condition: ``{layer: aux1_predictions, when: ${aux}}``."""

    layer: str
    when: bool | str = True


class SpecDoc(Strict):
    """One architecture."""

    name: Name
    title: str | None = None
    title_ko: str | None = Field(None, description="The title in the Korean docs (default: title).")
    family: Family | None = None
    extends: str | None = Field(None, description="A built-in spec name or a path; this file overrides it.")
    requires: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$", max_length=100)]] = Field(
        default_factory=list, description="Plugins (installed packages) whose layer kinds the spec uses; "
        "a missing one is reported with its install command.")
    override: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="With extends: changed fields of named layers or block uses.")
    year: int | None = None
    authors: list[str] = Field(default_factory=list)
    paper: Paper | None = None
    result: Text | None = Field(None, description="The ILSVRC result, or the problem it solved.")
    summary: Text | None = None
    key_ideas: list[Text] = Field(default_factory=list)
    keras_application: Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9]{1,40}$")] | None = Field(None, description=(
        "The keras.applications model with this layout (e.g. VGG16), whose published weights "
        "build --weights imagenet loads by layer name."))
    params: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[LayerName, InputSpec]
    blocks: dict[str, BlockSpec] = Field(default_factory=dict)
    cells: dict[Name, CellSpec] = Field(default_factory=dict, description=(
        "Recurrent cells declared by their gate equations, used by {type: rnn, cell: <name>}."))
    layers: list[dict[str, Any]]
    outputs: list[str | OutputRef] | None = Field(None, description=(
        "The model's outputs (default: the last layer); {layer: name, when: ${flag}} for an optional one."))


# --- structural entries (their validation happens during expansion) ----------------------

class _Entry(Strict):
    name: LayerName | None = None
    inputs: list[str] | str | None = None
    repeat: Annotated[int, Field(ge=1)] | str = 1
    when: bool | str = True


class BlockUse(_Entry):
    """``{use: inception, name: 3a, c1: 64, ...}``: the block's layers, with these arguments."""

    model_config = ConfigDict(extra="allow")
    use: str


class Residual(_Entry):
    """``body`` and ``shortcut`` (identity when empty) both read the input; an add merges them."""

    type: Literal["residual"]
    body: list[dict[str, Any]]
    shortcut: list[dict[str, Any]] = Field(default_factory=list)

    display: ClassVar[dict[str, str]] = {"en": "residual block", "ko": "잔차 블록"}


class Branches(_Entry):
    """Parallel paths from the same input, merged by concat (inception) or add."""

    type: Literal["branches"]
    branches: list[list[dict[str, Any]]] = Field(min_length=2)
    merge: Literal["concat", "add"] = "concat"
    axis: int = -1

    display: ClassVar[dict[str, str]] = {"en": "parallel branches", "ko": "병렬 가지"}


STRUCTURAL = {"residual": Residual, "branches": Branches}


def kind_name(kind: str, lang: str) -> str:
    """A layer kind's or a structure's name in a language (the kind itself where it declares none)."""
    cls = KINDS.get(kind) or STRUCTURAL.get(kind)
    return cls.display.get(lang, kind) if cls is not None else kind


def json_schema() -> dict:
    """The JSON Schema of the spec format, layer entries included (installed plugins' too), for editors."""
    from .plugins import load_all_or_raise

    load_all_or_raise()
    kinds = tuple(k for t, k in KINDS.items() if t != "input")
    layer = Annotated[Union[kinds + (Residual, Branches)], Field(discriminator="type")]  # type: ignore[valid-type]
    entry = Union[layer, BlockUse]

    class BlockSchema(BlockSpec):
        layers: list[entry]  # type: ignore[valid-type]

    class SpecSchema(SpecDoc):
        blocks: dict[str, BlockSchema] = Field(default_factory=dict)  # type: ignore[assignment]
        layers: list[entry]  # type: ignore[valid-type]

    SpecSchema.__name__ = "ArchcompilerSpec"
    schema = SpecSchema.model_json_schema()
    for definition in schema.get("$defs", {}).values():
        _allow_expressions(definition)
    # a spec that extends another may leave out what it inherits
    schema["required"] = [r for r in schema.get("required", []) if r not in ("inputs", "layers")]
    schema["if"] = {"not": {"required": ["extends"]}}
    schema["then"] = {"required": ["inputs", "layers"]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "archcompiler spec"
    return schema


EXPRESSION = {"type": "string", "pattern": r"\$\{[^{}]*\}", "description": "A ${...} expression."}


def _allow_expressions(definition: dict) -> None:
    """Any setting of an entry may be a ``${...}`` expression (evaluated during expansion)."""
    if "discriminator" in definition or "use" in definition.get("properties", {}):
        return
    for key, prop in definition.get("properties", {}).items():
        if key not in ("type", "name", "inputs") and prop.get("type") != "string":
            definition["properties"][key] = {"anyOf": [_items_allow_expressions(prop), EXPRESSION],
                                             **{k: prop[k] for k in ("description", "default", "title") if k in prop}}


def _items_allow_expressions(node, inside: bool = False):
    """A list's numbers may be expressions too (``padding: [["${k // 2}", 1], …]``, ``mean: ["${…}", …]``)."""
    if not isinstance(node, dict):
        return node
    if inside and node.get("type") in ("integer", "number", "boolean"):
        return {"anyOf": [node, EXPRESSION]}
    out = dict(node)
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _items_allow_expressions(out[key], True)
    for key in ("prefixItems", "anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_items_allow_expressions(n, inside or key == "prefixItems") for n in out[key]]
    return out
