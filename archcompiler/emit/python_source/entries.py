"""A list of spec entries written as statements: conditions as ``if``, repeats as loops, layers
through :class:`.statements.LayerStatements`, residual connections and branches as variables merged
by name, block uses as calls of the block's function."""

from __future__ import annotations

import re

from ...expr import has_placeholder
from ...graph import Graph
from ...layers import KINDS
from ...spec import STRUCTURAL
from .code import Code, Function, SourceError, layer_name, loop_stop, shape_text
from .copies import Copies
from .layout import Atom, Brackets
from .naming import Naming
from .render import Renderer
from .statements import LayerStatements, comment
from .symbolic import KerasRecorder, Var, literal, python_name


class Entries:
    def __init__(self, graph: Graph, code: Code, render: Renderer, copies: Copies, layers: LayerStatements,
                 naming: Naming, params: dict[str, str], block_params: dict[str, list[str]]):
        self.graph, self.doc = graph, graph.spec
        self.code, self.render, self.copies, self.layers, self.naming = code, render, copies, layers, naming
        self.params, self.block_params = params, block_params

    def sequence(self, entries, path: str, fn: Function, source: str, target: str) -> str:
        """The entries in order, each reading the previous one's result by default."""
        previous, k = source, 0
        while k < len(entries):
            when = entries[k].get("when", True)
            run = 1  # consecutive entries under the same condition share one if
            while when is not True and k + run < len(entries) and entries[k + run].get("when", True) == when:
                run += 1
            needed = k + run == len(entries) or "inputs" not in entries[k + run]  # the next one reads it
            previous = self._entries(entries[k:k + run], path, k, fn, previous, target, needed)
            k += run
        return previous

    def _entries(self, run, path, first: int, fn: Function, previous: str, target: str, needed: bool) -> str:
        """Entries under one condition (``when``), or one entry without."""
        when = run[0].get("when", True)
        if when is False:
            return previous
        if when is True:
            return self._repeated(run[0], f"{path}[{first}]", fn, previous, target)
        if needed and previous != target:  # left out or not, what follows reads the target
            self.code.line(f"{target} = {previous}")
            previous = target
        with self.code.block(f"if {fn.translate(when)}:"):
            out = previous
            for k, raw in enumerate(run):
                out = self._repeated(raw, f"{path}[{first + k}]", fn, out, target)
            if needed and out != target:
                self.code.line(f"{target} = {out}")
                out = target
        return out

    def _repeated(self, raw, path, fn: Function, previous: str, target: str) -> str:
        count = raw.get("repeat", 1)
        if count == 1:
            return self._one(raw, path, fn, previous, target, None)
        if previous != target:
            self.code.line(f"{target} = {previous}")
        fn.loops += 1
        with self.code.block(f"for i in range(1, {loop_stop(str(count) if isinstance(count, int) else fn.translate(count))}):"):
            out = self._one(raw, path, fn, target, target, count)
            if out != target:
                self.code.line(f"{target} = {out}")
        fn.loops -= 1
        name = raw.get("name")
        if isinstance(name, str) and "${i}" in name and isinstance(count, str):
            last = name.replace("${i}", count.strip())  # the last copy, read as name${n} after the loop
            if last in fn.computed:
                fn.last_of[last] = fn.fresh(re.sub(r"_?\$\{[^}]*\}", "", name) or "last")
                self.code.line(f"{fn.last_of[last]} = {target}")
        return target

    def _one(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        sources = self._sources(raw, path, fn, previous)
        # an expression reads the shape of what flows in (in: the entry's first input) or of a tensor by name
        with fn.translate.reading(lambda name: sources[0] if name == "in" else self.naming.reference(fn, name, path)):
            if "use" in raw:
                return self._block_use(raw, path, fn, sources, target, count)
            if raw.get("type") in STRUCTURAL:
                return self._structure(raw, path, fn, sources, target, count)
            return self._layer(raw, path, fn, sources, target, count)

    def _layer(self, raw, path, fn: Function, sources: list[str], target: str, count) -> str:
        kind = KINDS.get(raw.get("type"))
        if kind is None:
            raise SourceError(self.graph.file, path, f"unknown layer type {raw.get('type')!r}")
        out = self._target(raw, fn, target, count)
        outputs = self.layers.write(kind, raw, path, fn, sources, out, self.naming.local_name(raw, fn, count, path))
        result = outputs if len(outputs) > 1 else next(iter(outputs.values()))
        if isinstance(raw.get("name"), str):
            fn.tensors[raw["name"]] = result
        return next(iter(outputs.values()))

    def _sources(self, raw, path, fn: Function, previous: str) -> list[str]:
        refs = raw.get("inputs")
        if refs is None:
            return [previous]
        return [self.naming.reference(fn, r, path) for r in ([refs] if isinstance(refs, str) else refs)]

    def _target(self, raw, fn: Function, target: str, count) -> str:
        """The variable an entry writes: its own name's where a later entry reads it by name."""
        name = raw.get("name")
        if isinstance(name, str) and name in fn.referenced and count in (None, 1):
            known = fn.tensors.get(name)
            return known if isinstance(known, str) else fn.fresh(name)
        return target

    # --- residual connections and parallel branches ---------------------------------------------
    def _structure(self, raw, path, fn: Function, sources: list[str], target: str, count) -> str:
        (source,) = sources
        if raw["type"] == "residual":
            shortcut = fn.fresh("shortcut")
            entries = raw.get("shortcut") or []
            if not entries or entries[0].get("when", True) is not True:
                self.code.line(f"{shortcut} = {source}")  # before the body overwrites what it holds
            begin = shortcut if not entries or entries[0].get("when", True) is not True else source
            merged = [self.sequence(entries, f"{path}.shortcut", fn, begin, shortcut),
                      self.sequence(raw["body"], f"{path}.body", fn, source, target)]
        else:
            merged = [self.sequence(branch, f"{path}.branches[{k}]", fn, source, fn.fresh(f"branch{k + 1}"))
                      for k, branch in enumerate(raw["branches"])]
        out = self._target(raw, fn, target, count)
        v, nodes = (self.copies.groups(path, built_only=True) or self.copies.groups(path))[0]
        merge = nodes[-1].layer
        construct = merge.keras(KerasRecorder(), layer_name(self.naming.local_name(raw, fn, count, path)))
        if v == 0:
            self.code.line(comment(nodes[-1], fn.labelled))
        self.code.statement(f"{out} = ", self.render.tree(merge.call(construct, [Var(m) for m in merged])))
        if raw.get("name"):
            fn.tensors[raw["name"]] = out
        return out

    # --- blocks ---------------------------------------------------------------------------------
    def _block_use(self, raw, path, fn: Function, sources: list[str], target: str, count) -> str:
        block = self.doc.blocks[raw["use"]]
        sources = sources + [self.naming.reference(fn, raw[extra], path) for extra in block.inputs[len(sources):]
                             if extra in raw]
        out = self._target(raw, fn, target, count)
        arguments = list(sources)
        if block.prefix:  # a prefix: false block names its layers as if written here: it takes no name
            arguments.append(f"name={layer_name(self.naming.local_name(raw, fn, count, path)).source}")
        for arg in (a for a in block.args if a in raw):
            value = raw[arg]
            arguments.append(f"{python_name(arg)}={fn.translate(value) if has_placeholder(value) else literal(value)}")
        arguments += [f"{self.params[p]}={fn.translate.names[p]}" for p in self.block_params[raw["use"]]]
        fn.translate.used.update(self.block_params[raw["use"]])
        first = self.naming.first_name(raw, fn)
        instance = self.copies.instance(raw["use"], first)
        if instance is not None:
            result, params = instance
            self.code.line(f"# {first + ': ' if fn.labelled else ''}{shape_text(result.shape)}, {params:,} params")
        self.code.statement(f"{out} = ", Brackets(Atom(python_name(raw["use"])), [Atom(a) for a in arguments]))
        if isinstance(raw.get("name"), str):
            fn.tensors[raw["name"]] = out
        return out
