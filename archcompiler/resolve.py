"""Spec → Graph: merge ``extends``, evaluate ``${...}`` params, expand blocks and
repeats into a DAG of nodes, then infer every node's shapes, parameters and
multiply-accumulates. All mistakes found on the way are collected and raised
together as ``SpecErrors``."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from . import plugins
from .cells import CellSpec, check_cell
from .errors import ErrorCollector, Loc, SpecError, SpecErrors, did_you_mean, pydantic_errors, show_value, validate
from .extends import entry_names, with_extends
from .expr import ExprError, TensorView, has_placeholder, substitute
from .graph import Graph, Node, Scope, TensorRef
from .layers import KINDS
from .layers.base import is_builtin
from .library import spec_path
from .shapes import infer_node
from .source import YDict, YList, load_file, ydict, ylist
from .spec import ARG_TYPES, STRUCTURAL, BlockUse, SpecDoc

MAX_NODES = 20_000
MAX_REPEAT = 10_000
MAX_BLOCK_DEPTH = 16
ENTRY_KEYS = {"name", "inputs", "repeat", "when"}
NESTED_KEYS = {"body", "shortcut", "branches"}  # lists of entries, substituted when expanded
SYNONYMS = {"conv": "conv2d", "convolution": "conv2d", "pool": "maxpool2d", "maxpool": "maxpool2d",
            "max_pool": "maxpool2d", "avgpool": "avgpool2d", "fc": "dense", "linear": "dense",
            "bn": "batchnorm", "batch_norm": "batchnorm", "layer_norm": "layernorm", "rnn": "simple_rnn",
            "mha": "multi_head_attention", "concatenate": "concat", "gap": "global_avgpool2d",
            "zeropad": "zeropad2d", "padding": "zeropad2d", "bahdanau": "additive_attention",
            "luong": "attention"}
FAILED = object()  # what _subst gives for an expression whose error is already reported


class _Unavailable(ExprError):
    """An expression reads a tensor whose shape is unknown because of an error reported elsewhere."""


class Names(Mapping):
    """What a layer entry's ``${...}`` can read: params, block arguments and ``i`` first, then the
    tensors flowing in, looked up only when asked (``in``, or a layer above by its name)."""

    def __init__(self, env: dict, tensor):
        self.env, self.tensor = env, tensor  # tensor(name) -> TensorView, or None for no such tensor

    def __getitem__(self, key):
        if key in self.env:
            return self.env[key]
        view = self.tensor(key)
        if view is None:
            raise KeyError(key)
        return view

    def __contains__(self, key):
        return key in self.env or self.tensor(key) is not None

    def __iter__(self):
        return iter(self.env)

    def __len__(self):
        return len(self.env)
_REF = re.compile(r"^(?P<base>[A-Za-z0-9_][A-Za-z0-9_\-]*)(?:\.(?P<out>[A-Za-z_]\w*)|\[(?P<index>\d+)\])?$")


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


# --- expansion ---------------------------------------------------------------------------

@dataclass
class Frame:
    """Where an entry is expanded: the name prefix, visible names and ``${}`` values."""

    prefix: str
    names: dict[str, TensorRef | None]
    env: dict[str, Any]
    scopes: tuple[Scope, ...] = ()
    blocks: tuple[str, ...] = ()
    counters: dict[str, int] = field(default_factory=dict)

    def qualify(self, local: str) -> str:
        return f"{self.prefix}_{local}" if self.prefix else local


class Resolver:
    def __init__(self, doc: SpecDoc, raw: YDict, file: str, sets: dict[str, str]):
        self.doc, self.raw, self.file, self.sets = doc, raw, file, sets
        self.errors = ErrorCollector()
        self.nodes: dict[str, Node] = {}
        self.groups = itertools.count(1)
        self.params: dict[str, Any] = {}
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
                    match = _REF.match(str(entry["layer"]))
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
        for node in self.nodes.values():
            if node.name not in used | optional and node.name not in read:
                what = "input" if node.is_input else "layer"
                self.error(node.loc, f"never used: the {what} '{node.name}' feeds no output", node.path,
                           "read it in a later layer's 'inputs', list it under 'outputs:', or remove it",
                           "E-UNUSED")

    def error(self, loc, message, path="", hint="", code="E-SPEC"):
        self.errors.add(SpecError(loc, message, path, hint, code))

    # -- params and inputs
    def _params(self) -> dict[str, Any]:
        raw = self.raw.get("params") or {}
        for name in self.sets:
            if name not in raw:
                self.error(Loc("--set"), f"unknown param '{name}'", f"--set {name}",
                           did_you_mean(name, raw) or f"params of this spec: {', '.join(raw) or 'none'}",
                           "E-PARAM-UNKNOWN")
        values: dict[str, Any] = {}
        for name, default in raw.items():
            value = default
            if name in self.sets:
                try:
                    value = yaml.safe_load(self.sets[name])
                except yaml.YAMLError:
                    value = self.sets[name]
                if isinstance(default, bool) != isinstance(value, bool) or (
                        isinstance(default, int) and not isinstance(value, int)):
                    kind = "true or false" if isinstance(default, bool) else "an integer"
                    self.error(Loc("--set"), f"param '{name}' expects {kind}, got {self.sets[name]!r}",
                               f"--set {name}", code="E-PARAM-TYPE")
                    value = default
            value = self._subst(value, values, raw, name, f"params.{name}")
            values[name] = None if value is FAILED else value
        return values

    def _cells(self) -> dict[str, CellSpec | None]:
        """Every declared cell, with the params substituted and checked (None where it has errors)."""
        raw = self.raw.get("cells") or {}
        cells: dict[str, CellSpec | None] = {}
        for name, entry in raw.items():
            data = self._subst(entry, self.params, raw, name, f"cells.{name}")
            cell = self._validate(CellSpec, data, data, f"cells.{name}") if isinstance(data, dict) else None
            if cell is not None:
                errors = check_cell(cell, data, f"cells.{name}")
                self.errors.extend(errors)
                cell = None if errors else cell.named(name)
            cells[name] = cell
        return cells

    def _with_cell(self, raw, data, path):
        """An rnn entry with its ``cell:`` name replaced by the checked declaration."""
        name = data.get("cell")
        if name is None:
            self.error(raw.loc, "an rnn layer runs a cell declared under 'cells:'; add 'cell: <name>'",
                       f"{path}.cell", "for the plain recurrent layer write 'type: simple_rnn'", "E-CELL-MISSING")
            return None
        if not isinstance(name, str):
            return data  # pydantic reports a malformed cell
        if name not in self.cells:
            self.error(raw.where("cell"), f"unknown cell '{name}'", f"{path}.cell",
                       did_you_mean(name, self.cells) or (f"cells of this spec: {', '.join(self.cells)}" if self.cells
                                                          else "declare it under 'cells:'"), "E-CELL-UNKNOWN")
            return None
        if self.cells[name] is None:
            return None  # the cell's own errors are reported
        return {**data, "cell": self.cells[name]}

    def _inputs(self, frame: Frame) -> list[str]:
        names = []
        for name, spec in self.raw["inputs"].items():
            data = self._subst(spec, frame.env, self.raw["inputs"], name, f"inputs.{name}")
            if data is FAILED:
                continue
            layer = self._validate(KINDS["input"], {"type": "input", **data}, data, f"inputs.{name}")
            if layer is not None:
                self._add_node(name, layer, [], spec, f"inputs.{name}", frame)
                frame.names[name] = TensorRef(name)
                names.append(name)
        return names

    # -- substitution of ${...}
    def _subst(self, value, env, container, key, path):
        """The value with its ``${...}`` evaluated, or FAILED (the error reported): never None,
        which an expression may legitimately give (``${None}``)."""
        try:
            return _substitute(value, env)
        except _Unavailable:
            return FAILED
        except ExprError as e:
            loc = container.where(key) if isinstance(container, (YDict, YList)) else None
            self.error(loc, e.message, path, e.hint, e.code)
            return FAILED

    # -- lists of entries
    def _sequence(self, entries, frame: Frame, previous: TensorRef | None, path: str) -> TensorRef | None:
        if not isinstance(entries, list):
            return previous
        for index, entry in enumerate(entries):
            previous = self._entry(entry, frame, previous, f"{path}[{index}]",
                                   entries.where(index) if isinstance(entries, YList) else None)
        return previous

    def _entry(self, raw, frame: Frame, previous, path, loc) -> TensorRef | None:
        if not isinstance(raw, dict):
            self.error(loc, "a layer entry must be a mapping such as {type: dense, units: 10}", path,
                       code="E-ENTRY-NOT-MAPPING")
            return previous
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
                return None
        if repeat and repeat[2] > 1 and "name" in data and not has_placeholder(raw.get("name")):
            data["name"] = f"{data['name']}_{repeat[1]}"
        out = self._dispatch(raw, data, frame, previous, path, repeat)
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
        if getattr(KINDS[kind], "uses_cell", False):
            data = self._with_cell(raw, data, path)
            if data is None:
                return None
        layer = self._validate(KINDS[kind], {**data, "repeat": 1}, raw, path)
        if layer is None:
            return None
        sources = self._sources(raw, data, frame, previous, path)
        if sources is None:
            return None
        cls = KINDS[kind]
        if not cls.min_inputs <= len(sources) <= cls.max_inputs:
            expected = cls.min_inputs if cls.min_inputs == cls.max_inputs else f"{cls.min_inputs} to {cls.max_inputs}"
            self.error(raw.where("inputs"), f"{kind} takes {expected} input(s), got {len(sources)}", f"{path}.inputs",
                       code="E-INPUTS-COUNT")
            return None
        local = layer.name or self._auto_name(frame, layer.default_name())
        scopes = frame.scopes
        if repeat and repeat[2] > 1:
            base = re.sub(r"_?\$\{[^}]*\}", "", str(raw.get("name") or kind)) or kind
            scopes += (Scope(frame.qualify(base), "", repeat[0], repeat[1], repeat[2]),)
        name = frame.qualify(local)
        parts = layer.expand()
        for suffix, part in parts:
            if not self._add_node(name + suffix, part, sources, raw, path, frame, scopes):
                frame.names[local] = None
                return None
            sources = [TensorRef(name + suffix)]
        frame.names[local] = TensorRef(name)
        return TensorRef(name)

    def _structure(self, raw, data, frame: Frame, previous, path, repeat) -> TensorRef | None:
        model = STRUCTURAL[data["type"]]
        entry = self._validate(model, {**data, "repeat": 1, "when": True}, raw, path)
        if entry is None:
            return None
        sources = self._sources(raw, data, frame, previous, path)
        if sources is None:
            return None
        if len(sources) != 1:
            self.error(raw.where("inputs"), f"{data['type']} reads one input, got {len(sources)}", f"{path}.inputs",
                       code="E-INPUTS-COUNT")
            return None
        (source,) = sources
        if data["type"] == "residual":
            body = self._sequence(raw["body"], frame, source, f"{path}.body")
            shortcut = self._sequence(raw.get("shortcut") or [], frame, source, f"{path}.shortcut")
            merged, merge_type = [shortcut, body], "add"
        else:
            merged = [self._sequence(branch, frame, source, f"{path}.branches[{k}]")
                      for k, branch in enumerate(raw["branches"])]
            merge_type = entry.merge
        if any(m is None for m in merged):
            if entry.name:
                frame.names[entry.name] = None
            return None
        options = {"axis": entry.axis} if merge_type == "concat" else {}
        merge = KINDS[merge_type](type=merge_type, name=entry.name, **options)
        local = entry.name or self._auto_name(frame, merge.default_name())
        name = frame.qualify(local)
        if not self._add_node(name, merge, merged, raw, path, frame):
            frame.names[local] = None
            return None
        frame.names[local] = TensorRef(name)
        return TensorRef(name)

    def _block_use(self, raw, data, frame: Frame, previous, path, repeat) -> TensorRef | None:
        use = self._validate(BlockUse, data, raw, path)
        if use is None:
            return None
        block = self.doc.blocks.get(use.use)
        if block is None:
            self.error(raw.where("use"), f"unknown block '{use.use}'", f"{path}.use",
                       did_you_mean(use.use, self.doc.blocks) or
                       f"blocks of this spec: {', '.join(self.doc.blocks) or 'none'}", "E-BLOCK-UNKNOWN")
            return None
        if use.use in frame.blocks:
            chain = " → ".join(frame.blocks + (use.use,))
            self.error(raw.where("use"), f"block '{use.use}' uses itself ({chain})", f"{path}.use",
                       "a block cannot contain itself, directly or through another block", "E-BLOCK-RECURSIVE")
            return None
        if len(frame.blocks) >= MAX_BLOCK_DEPTH:
            self.error(raw.where("use"), f"blocks nested more than {MAX_BLOCK_DEPTH} deep", f"{path}.use",
                       code="E-LIMIT")
            return None
        block_raw = self.raw["blocks"][use.use]
        env = dict(self.params)
        names = Names(env, lambda key: self._view(key, frame, previous, data))  # a default may read 'in'
        ok = True
        for arg, default in block.args.items():
            given = arg in data
            value = data[arg] if given else default
            if isinstance(default, str) and default in ARG_TYPES:
                if not given:
                    self.error(raw.loc, f"block '{use.use}' needs argument '{arg}' ({default})", path,
                               code="E-BLOCK-ARG-MISSING")
                    ok = False
                    continue
                if not isinstance(value, ARG_TYPES[default]) or (default != "bool" and isinstance(value, bool)):
                    self.error(raw.where(arg), f"argument '{arg}' of block '{use.use}' must be {default}, "
                               f"got {value!r}", f"{path}.{arg}", code="E-BLOCK-ARG-TYPE")
                    ok = False
            elif not given:
                value = self._subst(default, names, block_raw["args"], arg, f"blocks.{use.use}.args.{arg}")
                if value is FAILED:
                    ok = False
                    continue
            env[arg] = value
        for arg in data:
            if arg not in block.args and arg not in ENTRY_KEYS | {"use"} and arg not in block.inputs[1:]:
                self.error(raw.key_locs.get(arg, raw.loc), f"block '{use.use}' has no argument '{arg}'",
                           f"{path}.{arg}", did_you_mean(arg, block.args) or
                           f"its arguments: {', '.join(block.args) or 'none'}", "E-BLOCK-ARG-UNKNOWN")
                ok = False
        sources = self._sources(raw, data, frame, previous, path)
        if ok and sources is not None:
            sources = self._named_inputs(raw, data, block, use.use, frame, sources, path)
        if not ok or sources is None:
            if use.name:
                frame.names[use.name] = None
            return None
        if len(sources) != len(block.inputs):
            missing = block.inputs[len(sources):]
            self.error(raw.where("inputs") if "inputs" in raw else raw.loc,
                       f"block '{use.use}' reads {len(block.inputs)} input(s) ({', '.join(block.inputs)}), "
                       f"got {len(sources)}", f"{path}.inputs",
                       f"give the others by name, e.g. {missing[0]}: <layer>" if missing and len(sources) else "",
                       "E-INPUTS-COUNT")
            return None
        instance = use.name or self._auto_name(frame, use.use)
        prefix = frame.qualify(instance)
        group, index, count = repeat or (f"g{next(self.groups)}", 1, 1)
        scope = Scope(prefix, use.use, group, index, count, tuple((a, env[a]) for a in block.args if a in env))
        inner = Frame(prefix, dict(zip(block.inputs, sources)), env, frame.scopes + (scope,),
                      frame.blocks + (use.use,))
        if not block.prefix:  # the layers are named as if written here, numbered on with the enclosing ones
            inner.prefix, inner.counters = frame.prefix, frame.counters
        out = self._sequence(block_raw["layers"], inner, sources[0], f"blocks.{use.use}.layers")
        if block.output and out is not None:
            out = self._lookup(block.output, inner, block_raw.where("output"), f"blocks.{use.use}.output")
        frame.names[instance] = out
        return out

    def _named_inputs(self, raw, data, block, block_name, frame: Frame, sources, path):
        """Block inputs after the first may also be given by name (``memory: encoder``): they follow
        the positional ones (``inputs:``, or the previous layer), so a repeated block reads its
        previous copy and a fixed tensor at once (a Transformer decoder layer and the encoder output)."""
        named = [n for n in block.inputs[1:] if n in data and n not in block.args]
        if not named:
            return sources
        out, ok = list(sources), True
        for n in named:
            if n in block.inputs[:len(sources)]:
                self.error(raw.key_locs.get(n, raw.loc), f"input '{n}' of block '{block_name}' is given twice, "
                           "in 'inputs' and by name", f"{path}.{n}", code="E-BLOCK-INPUT-TWICE")
                ok = False
        for n in block.inputs[len(sources):]:
            if n not in data:
                break
            found = self._lookup(data[n], frame, raw.where(n), f"{path}.{n}")
            if found is None:
                return None
            out.append(found)
        return out if ok else None

    # -- names and references
    def _view(self, key: str, frame: Frame, previous: TensorRef | None, data: dict) -> TensorView | None:
        """The tensor an expression names: ``in`` (the entry's first input) or a layer above it."""
        if key == "in":
            refs = data.get("inputs")
            if "inputs" in data and refs is not FAILED and refs is not None:
                first = refs if isinstance(refs, str) else (refs[0] if isinstance(refs, list) and refs else None)
                ref = self._lookup(first, frame, None, "", quiet=True) if first is not None else None
            else:
                ref = previous
        elif key in frame.names or key in self.nodes:
            ref = frame.names[key] if key in frame.names else TensorRef(key)
        else:
            return None
        node = self.nodes.get(ref.node) if ref is not None else None
        if node is None or not node.shapes:
            raise _Unavailable(f"the shape of '{key}' is unknown")
        return TensorView(key, node.shapes[ref.index])

    def _auto_name(self, frame: Frame, kind: str) -> str:
        n = frame.counters.get(kind, 0)
        while True:
            local = kind if n == 0 else f"{kind}_{n}"
            n += 1
            if local not in frame.names and frame.qualify(local) not in self.nodes:
                frame.counters[kind] = n
                return local

    def _sources(self, raw, data, frame: Frame, previous, path) -> list[TensorRef] | None:
        refs = data.get("inputs")
        if refs is None:
            if previous is None:
                return None  # an earlier mistake already reported
            return [previous]
        listed = raw.get("inputs")
        refs = [refs] if isinstance(refs, str) else refs
        found = [self._lookup(r, frame, listed.where(k) if isinstance(listed, YList) else raw.where("inputs"),
                              f"{path}.inputs") for k, r in enumerate(refs)]
        return None if any(f is None for f in found) else found

    def _lookup(self, ref: str, frame: Frame, loc, path, quiet: bool = False) -> TensorRef | None:
        """The tensor ``ref`` names; None, with the mistake reported unless ``quiet``."""
        error = (lambda *args: None) if quiet else self.error
        match = _REF.match(str(ref))
        if not match:
            error(loc, f"'{ref}' is not a layer reference", path,
                       "write a layer name, 'name.output' (e.g. encoder.h) or 'name[1]'", "E-REF-SYNTAX")
            return None
        base = match["base"]
        if base in frame.names:
            target = frame.names[base]
            if target is None:
                return None  # that layer had an error of its own
        elif base in self.nodes:
            target = TensorRef(base)
        else:
            visible = list(frame.names) + list(self.nodes)
            later = base in entry_names(self.raw)
            message = (f"'{base}' is defined later in the spec: a layer can only read layers above it, "
                       "so the graph has no cycles" if later else f"unknown layer or input '{base}'")
            nearby = [n for n in frame.names if frame.names[n] is not None][-6:]
            hint = ("move the layer above its first reader" if later else did_you_mean(base, visible)
                    or (f"layers above it here: {', '.join(nearby)}" if nearby else ""))
            error(loc, message, path, hint, "E-REF-LATER" if later else "E-REF-UNKNOWN")
            return None
        if match["out"] is None and match["index"] is None:
            return target
        node = self.nodes[target.node]
        names = node.output_names
        index = names.index(match["out"]) if match["out"] in names else (
            int(match["index"]) if match["index"] is not None and int(match["index"]) < len(names) else None)
        if index is None:
            error(loc, f"'{base}' has no output '{match['out'] or match['index']}'", path,
                       f"its outputs: {', '.join(f'{n} [{i}]' for i, n in enumerate(names))}"
                       + ("" if len(names) > 1 else " (set return_state: true for the states)"), "E-REF-OUTPUT")
            return None
        return TensorRef(target.node, index)

    # -- nodes
    def _validate(self, model, data, raw, path):
        try:
            return model.model_validate(data)
        except ValidationError as e:
            name = data.get("type") or data.get("use") or ""
            self.errors.extend(pydantic_errors(e, raw, path, model, str(name)))
            return None

    def _add_node(self, name, layer, sources, raw, path, frame: Frame, scopes=None) -> bool:
        if name in self.nodes:
            first = self.nodes[name].loc
            self.error(raw.where("name") if isinstance(raw, YDict) and "name" in raw else getattr(raw, "loc", None),
                       f"the name '{name}' is already used (at line {first.line})", f"{path}.name",
                       "every layer needs its own name", "E-NAME-DUPLICATE")
            return False
        if len(self.nodes) >= MAX_NODES:
            self.error(getattr(raw, "loc", None), f"the model has more than {MAX_NODES:,} layers", path,
                       "check the 'repeat' counts", "E-LIMIT")
            raise SpecErrors(self.errors.errors)
        node = Node(name, layer, list(sources), getattr(raw, "loc", None),
                    frame.scopes if scopes is None else scopes, path, dict(getattr(raw, "value_locs", {})))
        self.nodes[name] = node
        self._infer(node)
        return True

    def _infer(self, node: Node) -> None:
        """The node's shapes, parameters and MACs (its inputs are already inferred)."""
        error = infer_node(node, self.nodes, self.failed)
        if error is not None:
            self.shape_errors.append(error)


def _substitute(value, env):
    """Evaluate ``${...}`` inside a value, keeping the YAML locations of containers."""
    if isinstance(value, str):
        return substitute(value, env) if "${" in value else value
    if isinstance(value, YDict):
        out = ydict({k: _substitute(v, env) for k, v in value.items()}, value.loc, value.value_locs)
        out.key_locs = value.key_locs
        return out
    if isinstance(value, YList):
        return ylist([_substitute(v, env) for v in value], value.loc, value.item_locs)
    if isinstance(value, dict):
        return {k: _substitute(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, env) for v in value]
    return value
