"""The spec's structure written as Python: a function per block (its arguments, the params it
reads as keyword-only arguments) and ``build_model(**params)``; their entries are written by
:mod:`.entries`, the names by :mod:`.naming`."""

from __future__ import annotations

from ...expr import has_placeholder
from ...graph import Graph
from ...resolve import _REF
from .code import (Code, Function, SourceError, block_uses, docstring, name_value, one_or_list, placeholder_names,
                   references, shape_text)
from .copies import Copies
from .entries import Entries
from .layout import Atom, Brackets, Item
from .naming import Naming
from .render import Renderer
from .statements import LayerStatements
from .symbolic import KerasRecorder, Translator, literal, python_name, symbolize

REQUIRED = ("int", "float", "bool", "str", "list")  # a block argument's type name: no default


class Program:
    def __init__(self, graph: Graph, unused: frozenset = frozenset(), weights: str | None = None):
        self.graph, self.doc = graph, graph.spec
        self.weights = weights  # the weights file beside the program that build_model loads, if any
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
        self.naming = Naming(graph, self.copies)
        self.entries = Entries(graph, self.code, self.render, self.copies, self.layers, self.naming, self.params,
                               self.block_params)

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
        fn = Function(Translator(names), set(self.globals) | set(names.values()) | {"name"},
                      prefix="name" if spec.prefix else None, block=block)
        inputs = [fn.fresh(i) for i in spec.inputs]
        fn.tensors.update(zip(spec.inputs, inputs))
        fn.texts = {python_name(a) for a, default in spec.args.items() if default == "str"}
        arguments = [*inputs, *(["name"] if spec.prefix else [])]
        for arg, default in spec.args.items():
            if isinstance(default, str) and default in REQUIRED:
                arguments.append(python_name(arg))
            else:
                arguments.append(f"{python_name(arg)}={'None' if has_placeholder(default) else literal(default)}")
        if params:
            arguments += ["*", *(self.params[p] for p in params)]
        fn.referenced = references(spec.layers, self.doc.blocks) | ({spec.output} if spec.output else set())
        fn.computed = {r for r in fn.referenced if has_placeholder(r)}
        self.code.statement("def ", Brackets(Atom(python_name(block)), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        self.code.line(f'"""{docstring(spec.title.en if spec.title else block.replace("_", " ").capitalize())}."""')
        for arg, default in spec.args.items():
            if has_placeholder(default):
                with self.code.block(f"if {python_name(arg)} is None:"), fn.translate.reading(
                        lambda name, arg=arg: self._default_reads(block, arg, name, inputs[0])):
                    self.code.line(f"{python_name(arg)} = {fn.translate(default)}")
        running = fn.fresh("x") if spec.inputs[0] in fn.referenced else inputs[0]
        out = self.entries.sequence(spec.layers, f"blocks.{block}.layers", fn, inputs[0], running)
        self.code.line(f"return {self.naming.reference(fn, spec.output, f'blocks.{block}.output') if spec.output else out}")
        self.code.depth -= 1

    def _default_reads(self, block: str, arg: str, name: str, first: str) -> str:
        """The tensor a block argument's default reads: ``in``, the block's first input (a name is looked up
        where the block is used, which its function cannot see)."""
        if name == "in":
            return first
        raise SourceError(self.graph.file, f"blocks.{block}.args.{arg}", f"the default reads the shape of '{name}', "
                          "a tensor where the block is used, which the block's function cannot see",
                          "read in (the block's first input), or pass the size where the block is used")

    def _build_model(self) -> None:
        fn = Function(Translator(dict(self.params)), set(self.globals) | set(self.params.values()))
        derived = [p for p in self.graph.params if not self.copies.explicit(p)]
        arguments = [f"{self.params[p]}={'None' if p in derived else literal(v)}" for p, v in self.graph.params.items()]
        loads = fn.fresh("weights") if self.weights else None
        if loads:
            arguments.append(f"{loads}=WEIGHTS")
        self.code.statement("def ", Brackets(Atom("build_model"), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        self.code.line(f'"""{docstring(self.doc.title or self.doc.name)}: '
                       f'{self.graph.total_params:,} parameters with the defaults."""')
        for p in derived:
            with self.code.block(f"if {self.params[p]} is None:"):
                self.code.line(f"{self.params[p]} = {fn.translate(self.doc.params[p])}")
        outputs = [o if isinstance(o, str) else o.layer for o in self.doc.outputs or []]
        fn.referenced = references(self.doc.layers, self.doc.blocks) | {_REF.match(r)["base"] for r in outputs if _REF.match(r)}
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
        last = self.entries.sequence(self.doc.layers, "layers", fn, first, fn.fresh("x"))  # inputs keep their variables
        result = self._outputs(fn) if self.doc.outputs else last
        inputs = one_or_list([fn.tensors[n] for n in self.doc.inputs])
        model = Brackets(Atom("keras.Model"), [Atom(inputs), Atom(result), Item("name", Atom(literal(self.doc.name)))])
        if loads:
            variable = fn.fresh("model")
            self.code.statement(f"{variable} = ", model)
            with self.code.block(f"if {loads} is not None:"):
                self.code.line(f"{variable}.load_weights({loads})")
            self.code.line(f"return {variable}")
        else:
            self.code.statement("return ", model)
        self.code.depth -= 1

    def _outputs(self, fn: Function) -> str:
        if all(isinstance(o, str) or o.when is True for o in self.doc.outputs):
            return one_or_list([self.naming.reference(fn, o if isinstance(o, str) else o.layer, f"outputs[{k}]")
                                for k, o in enumerate(self.doc.outputs)])
        var = fn.fresh("outputs")
        self.code.line(f"{var} = []")
        condition, depth = True, self.code.depth
        for k, output in enumerate(self.doc.outputs):
            when = True if isinstance(output, str) else output.when
            if when is False:
                continue
            if when != condition:  # outputs under the same condition share one if
                self.code.depth = depth
                if when is not True:
                    self.code.line(f"if {fn.translate(when)}:")
                    self.code.depth += 1
                condition = when
            reference = self.naming.reference(fn, output if isinstance(output, str) else output.layer, f"outputs[{k}]")
            self.code.line(f"{var}.append({reference})")
        self.code.depth = depth
        return f"{var} if len({var}) > 1 else {var}[0]"
