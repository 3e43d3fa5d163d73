"""Spec → Graph: merge ``extends``, evaluate ``${...}`` params, expand blocks and
repeats into a DAG of nodes, then infer every node's shapes, parameters and
multiply-accumulates. All mistakes found on the way are collected and raised
together as ``SpecErrors``.

This package's ``__init__`` is the driver: the entry points, the pass over the layer lists and each entry's dispatch.
The ``Resolver``'s other parts live beside it, one job each:

- params.py         params (with ``--set``), cells and inputs, before the layers
- values.py         ``${...}`` in a value
- names.py          frames, names, references (``conv1``, ``encoder.h``, ``${in.channels}``)
- blocks.py         block uses: arguments, inputs, expansion
- nodes.py          layers and residual/branches merges → nodes, shapes inferred as they are added"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from .. import plugins
from ..errors import ErrorCollector, SpecError, did_you_mean, show_value, validate
from ..expr import has_placeholder
from ..extends import with_extends
from ..graph import Graph, Node, TensorRef
from ..layers import KINDS
from ..layers.base import is_builtin
from ..library import spec_path
from ..source import YDict, YList, load_file
from ..spec import STRUCTURAL, SpecDoc
from .blocks import BlocksMixin
from .names import REF, Frame, Names, NamesMixin
from .nodes import NodesMixin
from .params import ParamsMixin
from .values import FAILED, ValuesMixin

_REF = REF  # the name emit/python_source reads it by
MAX_REPEAT = 10_000
NESTED_KEYS = {"body", "shortcut", "branches"}  # lists of entries, substituted when expanded
SYNONYMS = {"conv": "conv2d", "convolution": "conv2d", "pool": "maxpool2d", "maxpool": "maxpool2d",
            "max_pool": "maxpool2d", "avgpool": "avgpool2d", "fc": "dense", "linear": "dense",
            "bn": "batchnorm", "batch_norm": "batchnorm", "layer_norm": "layernorm",
            "mha": "multi_head_attention", "concatenate": "concat", "gap": "global_avgpool2d",
            "zeropad": "zeropad2d", "padding": "zeropad2d", "bahdanau": "additive_attention",
            "luong": "attention"}


# --- entry points -------------------------------------------------------------------------

def load_graph(spec: str | Path, sets: dict[str, str] | None = None, only_known_sets: bool = True) -> Graph:
    """Load, validate, resolve and infer one spec (a path or a built-in name). With
    ``only_known_sets=False``, ``--set`` values for params the spec does not have are ignored
    (one --set applied to a whole library)."""
    path = spec_path(str(spec))
    return graph_from_yaml(load_file(path), path, sets, only_known_sets)


def graph_from_yaml(raw, path: Path, sets: dict[str, str] | None = None, only_known_sets: bool = True) -> Graph:
    """Validate, resolve and infer a loaded YAML document; ``path`` names it in errors and is where a
    relative ``extends:`` is looked for (``<string>``: the current folder)."""
    raw = with_extends(raw, path, ())
    doc = validate(SpecDoc, raw, "")
    sets = sets or {}
    if not only_known_sets:
        sets = {k: v for k, v in sets.items() if k in (raw.get("params") or {})}
    return Resolver(doc, raw, str(path), sets).run()


class Resolver(ParamsMixin, ValuesMixin, NamesMixin, BlocksMixin, NodesMixin):
    """One pass over one spec. The state every part shares is set up here; the parts (the mixins) call
    each other's methods through ``self``."""

    def __init__(self, doc: SpecDoc, raw: YDict, file: str, sets: dict[str, str]):
        self.doc, self.raw, self.file, self.sets = doc, raw, file, sets
        self.errors = ErrorCollector()
        self.nodes: dict[str, Node] = {}
        self.groups = itertools.count(1)
        self.params: dict[str, Any] = {}
        self.failed_params: set[str] = set()  # params whose own expression failed (reported once, there)
        self.optional: list[TensorRef] = []  # outputs left out by their 'when'
        # shapes are inferred as nodes are added (an expression may read them: ${in.channels});
        # their errors are reported after the structure's, as one pass over the graph would
        self.shape_errors: list[SpecError] = []
        self.failed: set[str] = set()

    # -- the whole pass
    def run(self) -> Graph:
        self.params = self._params()
        self.errors.extend(plugins.check_requires(self.raw))
        self.cells = self._cells()
        top = Frame("", {}, dict(self.params))
        inputs = self._inputs(top)
        last = TensorRef(inputs[0]) if inputs else None
        if not self.raw["inputs"]:
            self.error(self.raw.where("inputs"), "the spec has no inputs", "inputs",
                       "declare one, e.g. inputs: {image: {shape: [224, 224, 3]}}", "E-INPUTS-NONE")
        last = self._sequence(self.raw["layers"], top, last, "layers")
        outputs = [last]
        if self.doc.outputs:
            outputs = self._outputs(top)
        if not self.errors.errors and all(n.is_input for n in self.nodes.values()):
            self.error(self.raw.where("layers"), "the spec has no layers (or every one is left out by 'when')",
                       "layers", code="E-LAYERS-NONE")
        self.errors.raise_if_any()
        if None in outputs:  # left out quietly: an expression read a shape that an error made unknown
            self.errors.extend(self.shape_errors)
            self.errors.raise_if_any()
        self._check_all_used(outputs)
        self.errors.extend(self.shape_errors)
        self.errors.raise_if_any()
        return Graph(self.doc, self.nodes, inputs, outputs, self.params, self.file)

    def _outputs(self, top: Frame) -> list[TensorRef | None]:
        """The listed outputs; a ``{layer: ..., when: ...}`` entry only where its condition holds."""
        listed = self.raw["outputs"]
        outputs = []
        for k, entry in enumerate(listed):
            loc, path = listed.where(k) if isinstance(listed, YList) else self.raw.where("outputs"), f"outputs[{k}]"
            if isinstance(entry, dict):
                when = self._subst(entry.get("when", True), top.env, entry, "when", f"{path}.when")
                if not isinstance(when, bool):
                    if when is not FAILED:
                        self.error(entry.where("when"), f"'when' must be true or false, got {when!r}", f"{path}.when",
                                   code="E-WHEN-INVALID")
                    continue
                if not when:  # what only this output needs is left out of the model
                    match = REF.match(str(entry["layer"]))
                    target = top.names.get(match["base"]) if match else None
                    if target is not None:
                        self.optional.append(target)
                    continue
                entry = entry["layer"]
            outputs.append(self._lookup(entry, top, loc, path))
        return outputs

    def _upstream(self, refs) -> set[str]:
        """The nodes these tensors are computed from, themselves included."""
        found: set[str] = set()
        stack = [r.node for r in refs]
        while stack:
            name = stack.pop()
            if name not in found:
                found.add(name)
                stack.extend(r.node for r in self.nodes[name].inputs)
        return found

    def _check_all_used(self, outputs: list[TensorRef]) -> None:
        """A layer that feeds no output would be counted in the totals and left out of the Keras
        model, so it is a mistake; reported once, where its dead-end path ends. The layers that only
        an output left out by ``when`` needs (an auxiliary head) are left out with it."""
        used = self._upstream(outputs)
        optional = self._upstream(self.optional) - used
        self.nodes = {name: node for name, node in self.nodes.items()
                      if name not in optional or node.is_input}  # the model keeps all its inputs
        read = {r.node for node in self.nodes.values() for r in node.inputs}
        needed = used | optional
        for node in self.nodes.values():
            if node.name not in needed and node.name not in read:
                what = "input" if node.is_input else "layer"
                self.error(node.loc, f"never used: the {what} '{node.name}' feeds no output", node.path,
                           "read it in a later layer's 'inputs', list it under 'outputs:', or remove it",
                           "E-UNUSED")

    def error(self, loc, message, path="", hint="", code="E-SPEC"):
        self.errors.add(SpecError(loc, message, path, hint, code))

    # -- lists of entries
    def _sequence(self, entries, frame: Frame, previous: TensorRef | None, path: str) -> TensorRef | None:
        """A list of entries (the spec's validation made each one a mapping), each reading the one before."""
        for index, entry in enumerate(entries):
            previous = self._entry(entry, frame, previous, f"{path}[{index}]")
        return previous

    def _entry(self, raw, frame: Frame, previous, path) -> TensorRef | None:
        when = self._subst(raw.get("when", True), frame.env, raw, "when", f"{path}.when")
        if not isinstance(when, bool):
            if when is not FAILED:
                self.error(raw.where("when"), f"'when' must be true or false, got {when!r}", f"{path}.when",
                           code="E-WHEN-INVALID")
            return previous
        if not when:
            return previous
        if "repeat" not in raw:
            return self._one(raw, frame, previous, path, None)
        count = self._subst(raw["repeat"], frame.env, raw, "repeat", f"{path}.repeat")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            if count is not FAILED:
                self.error(raw.where("repeat"), f"'repeat' must be a whole number ≥ 0, got {count!r}",
                           f"{path}.repeat", code="E-REPEAT-INVALID")
            return previous
        if count > MAX_REPEAT:
            self.error(raw.where("repeat"), f"repeat {count:,} is more than the limit of {MAX_REPEAT:,}",
                       f"{path}.repeat", "no architecture in the lecture repeats a layer more than a few dozen times",
                       "E-LIMIT")
            return previous
        group = f"g{next(self.groups)}"
        for i in range(1, count + 1):
            inner = Frame(frame.prefix, frame.names, {**frame.env, "i": i}, frame.scopes, frame.blocks,
                          frame.counters)
            previous = self._one(raw, inner, previous, path, (group, i, count))
        return previous

    def _one(self, raw: YDict, frame: Frame, previous, path, repeat) -> TensorRef | None:
        data = {}
        names = Names(frame.env, lambda key: self._view(key, frame, previous, data))
        for key in sorted(raw, key=lambda k: k != "inputs"):  # 'inputs' first: 'in' is what it names
            value = raw[key]
            if key in ("repeat", "when"):
                continue
            data[key] = value if key in NESTED_KEYS else self._subst(value, names, raw, key, f"{path}.{key}")
            if data[key] is FAILED:
                if "name" in raw:  # its name all the same, for its readers (below); a failed one fails alike
                    data["name"] = self._subst(raw["name"], names, raw, "name", f"{path}.name")
                break
        failed = any(v is FAILED for v in data.values())
        if repeat and repeat[2] > 1 and "name" in data and not has_placeholder(raw.get("name")):
            data["name"] = f"{data['name']}_{repeat[1]}"
        out = None if failed else self._dispatch(raw, data, frame, previous, path, repeat)
        name = data.get("name")
        if out is None and isinstance(name, str) and name not in frame.names:
            frame.names[name] = None  # readers of a broken layer stay quiet: its own error says it all
        return out

    def _dispatch(self, raw: YDict, data: dict, frame: Frame, previous, path, repeat) -> TensorRef | None:
        if "use" in data:
            return self._block_use(raw, data, frame, previous, path, repeat)
        kind = data.get("type")
        if not isinstance(kind, (str, type(None))):
            self.error(raw.where("type"), f"'type' must be the name of a layer kind, got {show_value(kind)}",
                       f"{path}.type", "write it as a word, e.g. type: dense", "E-TYPE-UNKNOWN")
            return None
        if kind in STRUCTURAL:
            return self._structure(raw, data, frame, previous, path, repeat)
        if kind is not None and not is_builtin(KINDS.get(kind)):
            try:
                plugins.load_kind(kind)  # an installed plugin's kind, checked; a broken one is reported here
            except plugins.PluginError as e:  # said once, where first met (requires:, or the first use)
                if all(reported.message != e.message for reported in self.errors.errors):
                    self.errors.add(e.error(raw.where("type"), f"{path}.type"))
                return None
        if kind not in KINDS or kind == "input":
            if "type" not in data:
                self.error(raw.loc, "a layer entry needs 'type' (a layer kind) or 'use' (a block)", path,
                           code="E-ENTRY-NO-TYPE")
            else:
                choices = [k for k in KINDS if k != "input"] + list(STRUCTURAL)
                hint = f"did you mean '{SYNONYMS[kind]}'?" if kind in SYNONYMS else did_you_mean(kind, choices)
                self.error(raw.where("type"), f"unknown layer type '{kind}'", f"{path}.type",
                           hint or "run 'archcompiler schema' for the list of layer kinds", "E-TYPE-UNKNOWN")
            return None
        return self._layer(raw, data, frame, previous, path, repeat)
