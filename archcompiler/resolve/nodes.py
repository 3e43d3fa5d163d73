"""Entries that become nodes: a layer (checked by its pydantic model, named, maybe split into parts)
and the merge that ends a ``residual`` or ``branches``. Each node's shapes, parameters and MACs are
inferred as it is added, since a later ``${...}`` may read them."""

from __future__ import annotations

import re

from pydantic import ValidationError

from ..errors import SpecErrors, pydantic_errors
from ..graph import Node, Scope, TensorRef
from ..layers import KINDS
from ..shapes import infer_node
from ..source import YDict
from ..spec import STRUCTURAL
from .names import Frame

MAX_NODES = 20_000


class NodesMixin:
    """Part of the Resolver (resolve/__init__.py): adds to its ``nodes``; a residual's or branches' paths are
    expanded with its ``_sequence``."""

    def _layer(self, raw: YDict, data: dict, frame: Frame, previous, path, repeat) -> TensorRef | None:
        """A layer of a known kind: one node, or two for a convolution with numeric padding (zero-padding first)."""
        kind = data["type"]
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
            scopes += (self._repeat_scope(raw, kind, frame, repeat),)
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
        kind = data["type"]
        if repeat and repeat[2] > 1:  # the copies of a repeated residual/branches are one group, as a layer's are
            scope = self._repeat_scope(raw, kind, frame, repeat)
            frame = Frame(frame.prefix, frame.names, frame.env, frame.scopes + (scope,), frame.blocks, frame.counters)
        if kind == "residual":
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

    def _repeat_scope(self, raw, kind: str, frame: Frame, repeat) -> Scope:
        """The scope of one copy of a repeated entry, named after the entry without its ``${...}``."""
        base = re.sub(r"_?\$\{[^}]*\}", "", str(raw.get("name") or kind)) or kind
        return Scope(frame.qualify(base), "", repeat[0], repeat[1], repeat[2],
                     structure=kind if kind in STRUCTURAL else "")

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


