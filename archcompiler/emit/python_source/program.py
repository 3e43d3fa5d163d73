"""The spec's structure written as Python: a function per block (its arguments, the params it
reads as keyword-only arguments), a loop per repeat, an ``if`` per condition, residual
connections and branches as variables merged by name, and ``build_model(**params)``."""

from __future__ import annotations

import re

from ...expr import ExprError, has_placeholder, reads_shapes, substitute
from ...graph import Graph
from ...layers import KINDS
from ...resolve import _REF
from ...spec import STRUCTURAL
from .code import (Code, Function, SourceError, block_uses, docstring, loop_stop, name_pieces, name_value,
                   one_or_list, placeholder_names, references, shape_text)
from .copies import Copies
from .layout import Atom, Brackets, Item
from .render import Renderer
from .statements import LayerStatements, comment
from .symbolic import KerasRecorder, Translator, Var, literal, python_name, symbolize

REQUIRED = ("int", "float", "bool", "str", "list")  # a block argument's type name: no default


class Program:
    def __init__(self, graph: Graph, unused: frozenset = frozenset()):
        self.graph, self.doc = graph, graph.spec
        if reads_shapes(self.doc.layers) or any(reads_shapes([b.layers, list(b.args.values())])
                                                for b in self.doc.blocks.values()):
            raise SourceError(graph.file, "layers", "the program cannot express expressions that read the shape "
                              "flowing in (in.channels, <layer>.height) yet", "give those sizes as params or block "
                              "arguments")
        self.code, self.render, self.copies = Code(), Renderer(), Copies(graph)
        self.layers = LayerStatements(self.code, self.render, self.copies, unused)
        used = block_uses(self.doc.layers)
        for _ in self.doc.blocks:  # the blocks used by used blocks, to any depth
            used |= {u for b in used if b in self.doc.blocks for u in block_uses(self.doc.blocks[b].layers)}
        self.blocks = [b for b in self.doc.blocks if b in used]
        # names the program itself uses: no variable may take them
        self.globals = {"keras", "ops", "math", "build_model", "range", "len", "min", "max", "abs", "int",
                        *map(python_name, self.blocks)}
        self.params = {p: python_name(p) for p in self.doc.params}
        self.block_params = self._block_params()

    def functions(self) -> list[str]:
        for block in self.blocks:
            self._block_function(block)
            self.code.line()
            self.code.line()
        self._build_model()
        return self.code.lines

    def _block_params(self) -> dict[str, list[str]]:
        """Per block, the params its layers (and the blocks it uses) read."""
        reads = {}
        for block in self.blocks:
            spec = self.doc.blocks[block]
            names = set(placeholder_names(spec.layers)) | set(placeholder_names(list(spec.args.values())))
            reads[block] = {n for n in names if n in self.params and n not in spec.args}
        for _ in self.blocks:
            for block in self.blocks:
                for used in block_uses(self.doc.blocks[block].layers):
                    reads[block] |= {n for n in reads.get(used, ()) if n not in self.doc.blocks[block].args}
        return {b: sorted(reads[b], key=list(self.params).index) for b in self.blocks}

    def _block_function(self, block: str) -> None:
        spec = self.doc.blocks[block]
        params = self.block_params[block]
        names = {**{p: self.params[p] for p in params}, **{a: python_name(a) for a in spec.args}, "i": "i"}
        fn = Function(Translator(names), set(self.globals) | set(names.values()) | {"name"}, prefix="name",
                      block=block)
        inputs = [fn.fresh(i) for i in spec.inputs]
        fn.tensors.update(zip(spec.inputs, inputs))
        arguments = [*inputs, "name"]
        for arg, default in spec.args.items():
            if isinstance(default, str) and default in REQUIRED:
                arguments.append(python_name(arg))
            else:
                arguments.append(f"{python_name(arg)}={'None' if has_placeholder(default) else literal(default)}")
        if params:
            arguments += ["*", *(self.params[p] for p in params)]
        fn.referenced = references(spec.layers) | ({spec.output} if spec.output else set())
        fn.computed = {r for r in fn.referenced if has_placeholder(r)}
        self.code.statement("def ", Brackets(Atom(python_name(block)), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        self.code.line(f'"""{docstring(spec.title.en if spec.title else block.replace("_", " ").capitalize())}."""')
        for arg, default in spec.args.items():
            if has_placeholder(default):
                with self.code.block(f"if {python_name(arg)} is None:"):
                    self.code.line(f"{python_name(arg)} = {fn.translate(default)}")
        running = fn.fresh("x") if spec.inputs[0] in fn.referenced else inputs[0]
        out = self._sequence(spec.layers, f"blocks.{block}.layers", fn, inputs[0], running)
        self.code.line(f"return {self._reference(fn, spec.output) if spec.output else out}")
        self.code.depth -= 1

    def _build_model(self) -> None:
        fn = Function(Translator(dict(self.params)), set(self.globals) | set(self.params.values()))
        derived = [p for p in self.graph.params if not self.copies.explicit(p)]
        arguments = [f"{self.params[p]}={'None' if p in derived else literal(v)}" for p, v in self.graph.params.items()]
        self.code.statement("def ", Brackets(Atom("build_model"), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        self.code.line(f'"""{docstring(self.doc.title or self.doc.name)}: '
                       f'{self.graph.total_params:,} parameters with the defaults."""')
        for p in derived:
            with self.code.block(f"if {self.params[p]} is None:"):
                self.code.line(f"{self.params[p]} = {fn.translate(self.doc.params[p])}")
        outputs = [o if isinstance(o, str) else o.layer for o in self.doc.outputs or []]
        fn.referenced = references(self.doc.layers) | {_REF.match(r)["base"] for r in outputs if _REF.match(r)}
        fn.computed = {r for r in fn.referenced if has_placeholder(r)}
        fn.referenced |= {self.copies.top_instance(r) for r in fn.referenced} - {None}
        for name, spec in self.doc.inputs.items():
            fn.tensors[name] = fn.fresh(name)
            node = self.graph.nodes[name]
            layer = node.layer.model_copy(update={k: symbolize(getattr(spec, k), getattr(node.layer, k), fn.translate)
                                                  for k in ("shape", "dtype")})
            self.code.line(f"# {shape_text(node.shape)}")
            self.code.statement(f"{fn.tensors[name]} = ",
                                self.render.tree(layer.keras(KerasRecorder(), name_value([(False, name)]))))
        first = fn.tensors[next(iter(self.doc.inputs))]
        last = self._sequence(self.doc.layers, "layers", fn, first, fn.fresh("x"))  # inputs keep their variables
        result = self._outputs(fn) if self.doc.outputs else last
        inputs = one_or_list([fn.tensors[n] for n in self.doc.inputs])
        model = Brackets(Atom("keras.Model"), [Atom(inputs), Atom(result), Item("name", Atom(literal(self.doc.name)))])
        self.code.statement("return ", model)
        self.code.depth -= 1

    def _outputs(self, fn: Function) -> str:
        if all(isinstance(o, str) or o.when is True for o in self.doc.outputs):
            return one_or_list([self._reference(fn, o if isinstance(o, str) else o.layer) for o in self.doc.outputs])
        var = fn.fresh("outputs")
        self.code.line(f"{var} = []")
        condition, depth = True, self.code.depth
        for output in self.doc.outputs:
            when = True if isinstance(output, str) else output.when
            if when is False:
                continue
            if when != condition:  # outputs under the same condition share one if
                self.code.depth = depth
                if when is not True:
                    self.code.line(f"if {fn.translate(when)}:")
                    self.code.depth += 1
                condition = when
            self.code.line(f"{var}.append({self._reference(fn, output if isinstance(output, str) else output.layer)})")
        self.code.depth = depth
        return f"{var} if len({var}) > 1 else {var}[0]"

    # --- entries -------------------------------------------------------------------------------
    def _sequence(self, entries, path: str, fn: Function, source: str, target: str) -> str:
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
        if "use" in raw:
            return self._block_use(raw, path, fn, previous, target, count)
        if raw.get("type") in STRUCTURAL:
            return self._structure(raw, path, fn, previous, target, count)
        kind = KINDS.get(raw.get("type"))
        if kind is None:
            raise SourceError(self.graph.file, path, f"unknown layer type {raw.get('type')!r}")
        sources = self._sources(raw, fn, previous)
        out = self._target(raw, fn, target, count)
        outputs = self.layers.write(kind, raw, path, fn, sources, out, self._local_name(raw, fn, count, path))
        result = outputs if len(outputs) > 1 else next(iter(outputs.values()))
        if isinstance(raw.get("name"), str):
            fn.tensors[raw["name"]] = result
        return next(iter(outputs.values()))

    def _local_name(self, raw, fn: Function, count, path: str) -> list:
        """The layer's full name as pieces: (False, text) or (True, Python expression)."""
        name = raw.get("name")
        if name is None:
            names = self.copies.auto_name(path)
            if len(names) != 1:
                raise SourceError(self.graph.file, path, "an unnamed entry whose automatic name differs between "
                                  f"its copies ({', '.join(sorted(names)) or 'none built'})", "give it a name")
            name = names.pop()
        pieces = name_pieces(str(name), fn.translate)
        if count not in (None, 1) and not has_placeholder(name):  # the resolver's name_1, name_2, ...
            numbered = pieces + [(False, "_"), (True, "i")]
            pieces = numbered if isinstance(count, int) else [
                (True, f"{name_value(pieces).source} if {fn.translate(count)} == 1 else {name_value(numbered).source}")]
        return ([(True, fn.prefix), (False, "_")] if fn.prefix else []) + pieces

    def _sources(self, raw, fn: Function, previous: str) -> list[str]:
        refs = raw.get("inputs")
        if refs is None:
            return [previous]
        return [self._reference(fn, r) for r in ([refs] if isinstance(refs, str) else refs)]

    def _target(self, raw, fn: Function, target: str, count) -> str:
        """The variable an entry writes: its own name's where a later entry reads it by name."""
        name = raw.get("name")
        if isinstance(name, str) and name in fn.referenced and count in (None, 1):
            known = fn.tensors.get(name)
            return known if isinstance(known, str) else fn.fresh(name)
        return target

    # --- residual connections and parallel branches ---------------------------------------------
    def _structure(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        (source,) = self._sources(raw, fn, previous)
        if raw["type"] == "residual":
            shortcut = fn.fresh("shortcut")
            entries = raw.get("shortcut") or []
            if not entries or entries[0].get("when", True) is not True:
                self.code.line(f"{shortcut} = {source}")  # before the body overwrites what it holds
            begin = shortcut if not entries or entries[0].get("when", True) is not True else source
            merged = [self._sequence(entries, f"{path}.shortcut", fn, begin, shortcut),
                      self._sequence(raw["body"], f"{path}.body", fn, source, target)]
        else:
            merged = [self._sequence(branch, f"{path}.branches[{k}]", fn, source, fn.fresh(f"branch{k + 1}"))
                      for k, branch in enumerate(raw["branches"])]
        out = self._target(raw, fn, target, count)
        v, nodes = (self.copies.groups(path, built_only=True) or self.copies.groups(path))[0]
        merge = nodes[-1].layer
        construct = merge.keras(KerasRecorder(), name_value(self._local_name(raw, fn, count, path)))
        if v == 0:
            self.code.line(comment(nodes[-1], fn.labelled))
        self.code.statement(f"{out} = ", self.render.tree(merge.call(construct, [Var(m) for m in merged])))
        if raw.get("name"):
            fn.tensors[raw["name"]] = out
        return out

    # --- blocks ---------------------------------------------------------------------------------
    def _block_use(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        block = self.doc.blocks[raw["use"]]
        sources = self._sources(raw, fn, previous)
        sources += [self._reference(fn, raw[extra]) for extra in block.inputs[len(sources):] if extra in raw]
        out = self._target(raw, fn, target, count)
        pieces = self._local_name(raw, fn, count, path)
        arguments = [*sources, f"name={name_value(pieces).source}"]
        for arg in (a for a in block.args if a in raw):
            value = raw[arg]
            arguments.append(f"{python_name(arg)}={fn.translate(value) if has_placeholder(value) else literal(value)}")
        arguments += [f"{self.params[p]}={fn.translate.names[p]}" for p in self.block_params[raw["use"]]]
        fn.translate.used.update(self.block_params[raw["use"]])
        instance = self.copies.instance(raw["use"], self._first_name(raw, fn))
        if instance is not None:
            result, params = instance
            self.code.line(f"# {self._first_name(raw, fn) + ': ' if fn.labelled else ''}"
                           f"{shape_text(result.shape)}, {params:,} params")
        self.code.statement(f"{out} = ", Brackets(Atom(python_name(raw["use"])), [Atom(a) for a in arguments]))
        if isinstance(raw.get("name"), str):
            fn.tensors[raw["name"]] = out
        return out

    def _first_name(self, raw, fn: Function) -> str | None:
        """The name of the first copy a block use makes (in the first copy of the function it is in)."""
        scope = self.copies.first_instance(fn.block) if fn.block else None
        env = {**self.graph.params, **dict(scope.args if scope else ()), "i": 1}
        try:
            local = substitute(str(raw.get("name", "")), env)
            count = substitute(raw.get("repeat", 1), env) if isinstance(raw.get("repeat"), str) else raw.get("repeat", 1)
        except ExprError:
            return None
        if count > 1 and not has_placeholder(raw.get("name")):
            local += "_1"
        return f"{scope.name}_{local}" if scope else local

    # --- references -----------------------------------------------------------------------------
    def _reference(self, fn: Function, text: str) -> str:
        """The variable holding what ``text`` (``layer``, ``layer.h``, ``layer[1]``) names."""
        if has_placeholder(text):
            if text in fn.last_of:
                return fn.last_of[text]
            raise SourceError(self.graph.file, text, "a computed reference other than a repeat's last copy",
                              "name${i} with repeat: ${n} can be read as name${n}")
        match = _REF.match(text)
        base, output, index = match["base"], match["out"], match["index"]
        if base not in fn.tensors and fn.prefix is None:
            base = self.copies.top_instance(base) or base
        if base not in fn.tensors:
            raise SourceError(self.graph.file, text, "the reference reaches into a block from outside",
                              "give the block an 'output:' or read the block's result")
        value = fn.tensors[base]
        if isinstance(value, dict):  # a layer with several outputs
            return value[output] if output in value else list(value.values())[int(index or 0)]
        return value
