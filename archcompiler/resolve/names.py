"""Names while resolving: the frame an entry is expanded in, what a ``${...}`` can read (params,
arguments, and tensors by name: ``${in.channels}``), automatic layer names, and the lookup of a
reference such as ``conv1``, ``encoder.h`` or ``lstm[1]`` (a mistake reported where it is written)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import did_you_mean
from ..expr import ExprError, TensorView
from ..extends import entry_names
from ..graph import Scope, TensorRef
from ..source import YList
from .values import FAILED, Unavailable

REF = re.compile(r"^(?P<base>[A-Za-z0-9_][A-Za-z0-9_\-]*)(?:\.(?P<out>[A-Za-z_]\w*)|\[(?P<index>\d+)\])?$")


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


class NamesMixin:
    """Part of the Resolver (resolve/__init__.py): reads its ``nodes`` and ``raw``; reports through its ``error``."""

    def _view(self, key: str, frame: Frame, previous: TensorRef | None, data: dict) -> TensorView | None:
        """The tensor an expression names: ``in`` (the entry's first input) or a layer above it."""
        if key == "in":
            refs = data.get("inputs")
            if refs is not None and refs is not FAILED:
                first = refs if isinstance(refs, str) else (refs[0] if isinstance(refs, list) and refs else None)
                if first is None:
                    raise ExprError("'in' is the entry's first input, and its 'inputs' names none",
                                    "list the layer it reads under 'inputs'", "E-INPUTS-COUNT")
                mistakes: list[tuple] = []
                ref = self._lookup(first, frame, None, "", lambda *args: mistakes.append(args))
                if mistakes:  # said here, as the entry stops at this expression (a broken layer stays quiet)
                    _, message, _, hint, code = mistakes[0]
                    raise ExprError(f"in 'inputs': {message}", hint, code)
            else:
                ref = previous
        elif key in frame.names or key in self.nodes:
            ref = frame.names[key] if key in frame.names else TensorRef(key)
        else:
            return None
        node = self.nodes.get(ref.node) if ref is not None else None
        if node is None or not node.shapes:
            raise Unavailable(f"the shape of '{key}' is unknown")
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

    def _lookup(self, ref: str, frame: Frame, loc, path, report=None) -> TensorRef | None:
        """The tensor ``ref`` names; None, with the mistake reported (to ``report`` where given)."""
        error = report or self.error
        match = REF.match(str(ref))
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

