"""The spec's structure (blocks, repeats, ``when``, params) written as Python: one function per
block, a loop per repeat, an ``if`` per condition, params as ``build_model``'s arguments.

Each layer statement is recorded from the layer kind's own ``keras``/``call`` on the resolved
copies of its entry (see :mod:`.symbolic`); where the copies differ in more than values (a
bidirectional wrapper, a zero padding) the statement is split by the condition that decides it."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import yaml

from ...errors import Loc, SpecError, SpecErrors
from ...expr import _PLACEHOLDER, has_placeholder, substitute
from ...api import from_data
from ...graph import Graph, Node
from ...layers import KINDS, Shape, fmt_shape
from ...resolve import _REF, graph_from_yaml
from ...spec import STRUCTURAL
from .layout import INDENT, Atom, Brackets, Item, lay_out
from .render import Renderer
from .symbolic import KerasRecorder, SymStr, Translator, Var, if_parts, literal, python_name, sym, symbolize

ENTRY_KEYS = {"name", "inputs", "repeat", "when", "note"}


class SourceError(SpecErrors):
    """A spec the Python source cannot express: a located error (exit 2 in the CLI) saying which
    entry and why."""

    def __init__(self, file: str, path: str, message: str, hint: str = ""):
        super().__init__([SpecError(Loc(file or "<spec>"), message, path, hint, code="E-SOURCE")])


class Code:
    def __init__(self):
        self.lines: list[str] = []
        self.depth = 0

    def line(self, text: str = "") -> None:
        self.lines.append(INDENT * self.depth + text if text else "")

    def statement(self, prefix: str, tree, suffix: str = "") -> None:
        self.lines += lay_out(prefix, tree, suffix, self.depth)

    @contextmanager
    def block(self, header: str):
        self.line(header)
        self.depth += 1
        yield
        self.depth -= 1


@dataclass
class Function:
    """build_model or one block's function, while it is written."""

    translate: Translator
    reserved: set[str]
    prefix: str | None = None  # the Python expression of the block instance's name (None: top level)
    referenced: set[str] = field(default_factory=set)  # local names read by name later
    tensors: dict[str, object] = field(default_factory=dict)  # local name → variable (or variables)
    computed: set[str] = field(default_factory=set)  # references written with ${...}
    last_of: dict[str, str] = field(default_factory=dict)  # "encoder${layers}" → a loop's last output
    loops: int = 0

    def fresh(self, base: str) -> str:
        name, n = python_name(base), 1
        while name in self.reserved:
            n += 1
            name = f"{python_name(base)}_{n}"
        self.reserved.add(name)
        return name


class Program:
    def __init__(self, graph: Graph, unused: frozenset = frozenset()):
        self.graph, self.doc = graph, graph.spec
        self.unused = unused  # outputs nothing reads: unpacked into _
        self.code = Code()
        self.render = Renderer()
        self.variants = [graph, *self._variants()]
        self.by_path: list[dict[str, list[Node]]] = []
        for variant in self.variants:
            index: dict[str, list[Node]] = {}
            for node in variant.nodes.values():
                index.setdefault(node.path, []).append(node)
            self.by_path.append(index)
        self.blocks = [b for b in self.doc.blocks if b in self._used_blocks()]
        self.globals = {"keras", "build_model", "range", "len", *map(python_name, self.blocks)}
        self.params = {p: python_name(p) for p in self.doc.params}
        self.block_params = self._block_params()
        self.members: list[dict] = []  # per graph, every block instance (Scope) → its nodes, in order
        for variant in self.variants:
            self.members.append({})
            for node in variant.nodes.values():
                for scope in node.scopes:
                    if scope.block:
                        self.members[-1].setdefault(scope, []).append(node)

    # --- graphs of the same spec with each true/false param flipped: the copies of entries that
    # --- the built graph leaves out (GoogLeNet's auxiliary heads) and the forms a flag switches
    def _variants(self) -> list[Graph]:
        data = self.doc.model_dump(mode="python", exclude={"extends", "override"})
        out = []
        for name, value in self.graph.params.items():
            if isinstance(value, bool):
                sets = {k: yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip()
                        for k, v in self.graph.params.items() if k != name and self._explicit(k)}
                sets[name] = "false" if value else "true"
                try:
                    out.append(graph_from_yaml(from_data(data, self.graph.file), _path(self.graph), sets))
                except Exception:  # noqa: BLE001 - a combination the spec does not allow has nothing to show
                    continue
        return out

    def _explicit(self, param: str) -> bool:
        """Whether a param's value is not simply its default's expression of other params."""
        default = self.doc.params[param]
        if not has_placeholder(default):
            return True
        try:
            return substitute(default, self.graph.params) != self.graph.params[param]
        except Exception:  # noqa: BLE001
            return True

    def _used_blocks(self) -> set[str]:
        used: set[str] = set()

        def visit(entries):
            for entry in entries or []:
                if isinstance(entry, dict):
                    if "use" in entry and entry["use"] not in used:
                        used.add(entry["use"])
                        if entry["use"] in self.doc.blocks:
                            visit(self.doc.blocks[entry["use"]].layers)
                    visit(entry.get("body"))
                    visit(entry.get("shortcut"))
                    for branch in entry.get("branches") or []:
                        visit(branch)

        visit(self.doc.layers)
        return used

    # --- the program ---------------------------------------------------------------------------
    def functions(self) -> list[str]:
        for block in self.blocks:
            self._block_function(block)
            self.code.line()
            self.code.line()
        self._build_model()
        return self.code.lines

    def _block_params(self) -> dict[str, list[str]]:
        """Per block, the params its layers (and the blocks it uses) read: keyword-only arguments."""
        reads: dict[str, set[str]] = {}
        for block in self.blocks:
            spec = self.doc.blocks[block]
            names = set(_placeholder_names(spec.layers)) | set(_placeholder_names(list(spec.args.values())))
            reads[block] = {n for n in names if n in self.params and n not in spec.args}
        changed = True
        while changed:
            changed = False
            for block in self.blocks:
                for used in _uses(self.doc.blocks[block].layers):
                    extra = {n for n in reads.get(used, ()) if n not in self.doc.blocks[block].args}
                    if not extra <= reads[block]:
                        reads[block] |= extra
                        changed = True
        return {b: sorted(reads[b], key=list(self.params).index) for b in self.blocks}

    def _block_function(self, block: str) -> None:
        spec = self.doc.blocks[block]
        params = self.block_params[block]
        names = {**{p: self.params[p] for p in params}, **{a: python_name(a) for a in spec.args}, "i": "i"}
        fn = Function(Translator(names), set(self.globals) | set(names.values()) | {"name"}, prefix="name")
        inputs = [fn.fresh(i) for i in spec.inputs]
        fn.tensors.update(zip(spec.inputs, inputs))
        arguments = [*inputs, "name"]
        for arg, default in spec.args.items():
            if isinstance(default, str) and default in ("int", "float", "bool", "str", "list"):
                arguments.append(python_name(arg))
            elif has_placeholder(default):
                arguments.append(f"{python_name(arg)}=None")
            else:
                arguments.append(f"{python_name(arg)}={literal(default)}")
        if params:
            arguments += ["*", *(self.params[p] for p in params)]
        fn.referenced = _references(spec.layers) | ({spec.output} if spec.output else set())
        fn.computed = {r for r in fn.referenced if has_placeholder(r)}
        self.code.statement("def ", Brackets(Atom(python_name(block)), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        title = spec.title.en if spec.title else block.replace("_", " ").capitalize()
        self.code.line(f'"""{_docstring(title)}."""')
        for arg, default in spec.args.items():
            if has_placeholder(default):
                with self.code.block(f"if {python_name(arg)} is None:"):
                    self.code.line(f"{python_name(arg)} = {fn.translate(default)}")
        running = fn.fresh("x") if spec.inputs[0] in fn.referenced else inputs[0]
        out = self._sequence(spec.layers, f"blocks.{block}.layers", fn, inputs[0], running)
        if spec.output:
            out = self._reference(fn, spec.output)
        self.code.line(f"return {out}")
        self.code.depth -= 1

    def _build_model(self) -> None:
        fn = Function(Translator(dict(self.params)), set(self.globals) | set(self.params.values()))
        arguments = []
        for name, value in self.graph.params.items():
            derived = not self._explicit(name)
            arguments.append(f"{self.params[name]}={'None' if derived else literal(value)}")
        self.code.statement("def ", Brackets(Atom("build_model"), [Atom(a) for a in arguments]), ":")
        self.code.depth += 1
        self.code.line(f'"""{_docstring(self.doc.title or self.doc.name)}: '
                       f'{self.graph.total_params:,} parameters with the defaults."""')
        for name in self.graph.params:
            if not self._explicit(name):
                with self.code.block(f"if {self.params[name]} is None:"):
                    self.code.line(f"{self.params[name]} = {fn.translate(self.doc.params[name])}")
        fn.referenced = _references(self.doc.layers) | set(self._output_refs())
        fn.computed = {r for r in fn.referenced if has_placeholder(r)}
        fn.referenced |= {self._top_instance(r) for r in list(fn.referenced) if self._top_instance(r)}
        for name, spec in self.doc.inputs.items():
            var = fn.fresh(name)
            fn.tensors[name] = var
            node = self.graph.nodes[name]
            layer = node.layer.model_copy(update={k: symbolize(getattr(spec, k), getattr(node.layer, k), fn.translate)
                                                  for k in ("shape", "dtype")})
            self.code.line(f"# {_shape(node.shape)}")
            self.code.statement(f"{var} = ", self.render.tree(layer.keras(KerasRecorder(), _name([(False, name)]))))
        first = next(iter(self.doc.inputs))
        running = fn.fresh("x")  # the inputs stay in their variables for keras.Model
        self._sequence(self.doc.layers, "layers", fn, fn.tensors[first], running)
        outputs = self._outputs(fn)
        inputs = _one_or_list([fn.tensors[n] for n in self.doc.inputs])
        model = Brackets(Atom("keras.Model"), [Atom(inputs), Atom(outputs), Item("name", Atom(literal(self.doc.name)))])
        self.code.statement("return ", model)
        self.code.depth -= 1

    def _output_refs(self) -> list[str]:
        refs = [o if isinstance(o, str) else o.layer for o in self.doc.outputs or []]
        return [_REF.match(r)["base"] for r in refs if _REF.match(r)]

    def _outputs(self, fn: Function) -> str:
        if not self.doc.outputs:
            return fn.tensors["__last__"]
        fixed = [o for o in self.doc.outputs if isinstance(o, str) or o.when is True]
        if len(fixed) == len(self.doc.outputs):
            return _one_or_list([self._reference(fn, o if isinstance(o, str) else o.layer) for o in fixed])
        var = fn.fresh("outputs")
        self.code.line(f"{var} = []")
        for output in self.doc.outputs:
            ref = self._reference(fn, output if isinstance(output, str) else output.layer)
            if isinstance(output, str) or output.when is True:
                self.code.line(f"{var}.append({ref})")
            elif output.when is not False:
                with self.code.block(f"if {fn.translate(output.when)}:"):
                    self.code.line(f"{var}.append({ref})")
        return f"{var} if len({var}) > 1 else {var}[0]"

    # --- entries -------------------------------------------------------------------------------
    def _sequence(self, entries, path: str, fn: Function, source: str, target: str) -> str:
        previous = source
        for k, raw in enumerate(entries):
            following = entries[k + 1] if k + 1 < len(entries) else None
            needed = following is None or "inputs" not in following
            previous = self._entry(raw, f"{path}[{k}]", fn, previous, target, needed)
        fn.tensors["__last__"] = previous
        return previous

    def _entry(self, raw, path, fn: Function, previous: str, target: str, needed: bool) -> str:
        when = raw.get("when", True)
        if when is False:
            return previous
        if when is True:
            return self._repeated(raw, path, fn, previous, target)
        condition = fn.translate(when)
        if needed and previous != target:  # the entry may be left out: the next one reads the target either way
            self.code.line(f"{target} = {previous}")
            previous = target
        with self.code.block(f"if {condition}:"):
            out = self._repeated(raw, path, fn, previous, target)
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
        stop = f"{count} + 1" if isinstance(count, int) else f"{fn.translate(count)} + 1"
        fn.loops += 1
        with self.code.block(f"for i in range(1, {_simplify(stop)}):"):
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
        return self._layer(raw, path, fn, previous, target, count)

    def _local_name(self, raw, fn: Function, count, path: str, kind: str) -> list:
        """The layer's name as pieces: (False, text) or (True, Python expression)."""
        name = raw.get("name")
        if name is None:
            name = self._auto_name(path, kind)
        pieces = _pieces(str(name), fn.translate)
        if count not in (None, 1) and not has_placeholder(name):
            if isinstance(count, int):
                pieces += [(False, "_"), (True, "i")]
            else:
                pieces = [(True, f"{_name(pieces).source} if {fn.translate(count)} == 1 else "
                                 f"{_name(pieces + [(False, '_'), (True, 'i')]).source}")]
        return ([(True, fn.prefix), (False, "_")] if fn.prefix else []) + pieces

    def _auto_name(self, path: str, kind: str) -> str:
        """An unnamed entry's automatic name, where every copy has the same one."""
        locals_ = set()
        for nodes in self._groups(path, primary=True):
            main = min(nodes, key=lambda n: len(n.name))
            prefix = next((s.name for s in reversed(main.scopes) if s.block), "")
            locals_.add(main.name[len(prefix) + 1:] if prefix else main.name)
        if len(locals_) != 1:
            raise SourceError(self.graph.file, path, f"an unnamed {kind} whose automatic name differs between "
                              f"its copies ({', '.join(sorted(locals_)) or 'none built'})", "give it a name")
        return locals_.pop()

    def _groups(self, path: str, primary: bool = False) -> list[tuple[int, list[Node]]]:
        """The nodes each expansion of the entry at ``path`` made, per graph (the built one first)."""
        out = []
        for v, index in enumerate(self.by_path[:1] if primary else self.by_path):
            groups: dict[tuple, list[Node]] = {}
            for node in index.get(path, []):
                groups.setdefault(node.scopes, []).append(node)
            out += [(v, nodes) for nodes in groups.values()]
        return out

    def _sources(self, raw, fn: Function, previous: str) -> list[str]:
        refs = raw.get("inputs")
        if refs is None:
            return [previous]
        return [self._reference(fn, r) for r in ([refs] if isinstance(refs, str) else refs)]

    def _target(self, raw, fn: Function, target: str, count) -> str:
        name = raw.get("name")
        if isinstance(name, str) and name in fn.referenced and count in (None, 1):
            return fn.tensors.get(name) if isinstance(fn.tensors.get(name), str) else fn.fresh(name)
        return target

    # --- layers ---------------------------------------------------------------------------------
    def _layer(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        kind = KINDS.get(raw.get("type"))
        if kind is None:
            raise SourceError(self.graph.file, path, f"unknown layer type {raw.get('type')!r}")
        sources = self._sources(raw, fn, previous)
        out = self._target(raw, fn, target, count)
        pieces = self._local_name(raw, fn, count, path, raw["type"])
        outputs = self._forms(kind, raw, path, fn, sources, out, pieces, self._groups(path), {})
        name = raw.get("name")
        if isinstance(name, str):
            fn.tensors[name] = outputs if len(outputs) > 1 else next(iter(outputs.values()))
        return next(iter(outputs.values()))

    def _forms(self, kind, raw, path, fn: Function, sources, out, pieces, groups, targets: dict) -> dict:
        """The entry's statements for its copies in ``groups``; a field written ``${a if c else b}``
        becomes ``if c:`` … ``else:`` …, each side with its own copies."""
        for key, value in raw.items():
            parts = None if key in ENTRY_KEYS else if_parts(value)
            if parts:
                test, yes, no = parts
                outputs = {}
                for header, field_value, truth in ((f"if {fn.translate(test)}:", yes, True), ("else:", no, False)):
                    chosen = [g for g in groups if bool(substitute(test, self._environment(*g))) is truth]
                    with self.code.block(header):
                        outputs = self._forms(kind, {**raw, key: field_value}, path, fn, sources, out, pieces,
                                              chosen, targets) or outputs
                return outputs
        variants = []
        for v, nodes in groups:
            env = self._environment(v, nodes)
            layer = self._symbolic_layer(kind, raw, nodes[-1], env, fn)
            lines, outputs = self._layer_lines(layer, v, nodes, sources, out, pieces, fn, targets)
            variants.append((env, lines, outputs))
        if not variants:
            raise SourceError(self.graph.file, path, "no value of the params tried builds this entry, so its "
                              "form is unknown", "export with --set values that build it")
        if any(list(v[2]) != list(variants[0][2]) for v in variants):
            raise SourceError(self.graph.file, path, "a param changes which outputs the layer has",
                              "export with --set values fixed")
        self._emit_variants(variants, fn, raw)
        return variants[0][2]

    def _environment(self, v: int, nodes: list[Node]) -> dict:
        """The ``${}`` names as the resolver saw them when it made the copy ``nodes`` of graph ``v``."""
        node = nodes[0]
        env = dict(self.variants[v].params)
        blocks = [s for s in node.scopes if s.block]
        if blocks:
            env.update(dict(blocks[-1].args))
        env["i"] = node.scopes[-1].index if node.scopes and not node.scopes[-1].block else 1
        return env

    def _symbolic_layer(self, kind, raw, node, env, fn: Function):
        data = {k: _substitute_all(v, env) for k, v in raw.items() if k not in ENTRY_KEYS}
        if kind.uses_cell:
            data["cell"] = node.layer.cell
        layer = kind.model_validate(data)
        return layer.model_copy(update={k: symbolize(raw[k], getattr(layer, k), fn.translate)
                                        for k in data if k != "type" and _has_placeholder(raw[k])})

    def _layer_lines(self, layer, v: int, nodes, sources, out, pieces, fn: Function, targets: dict):
        """One copy's statements (to compare copies) and its outputs, by output name."""
        parts = layer.expand()
        inputs, outputs, lines = sources, {}, []
        for k, (suffix, part) in enumerate(parts):
            part = _resymbolize(part, layer)
            node = nodes[k] if k < len(nodes) else nodes[-1]
            shapes = [_symbolic_shape(s, var) for s, var in zip(self.variants[v].input_shapes(node), inputs)]
            part = part.settle(shapes)
            construct = part.keras(KerasRecorder(), _name(pieces + ([(False, suffix)] if suffix else [])))
            applied = part.call(construct, [Var(var) for var in inputs])
            names = tuple(part.output_names()) if k == len(parts) - 1 else ("output",)
            if names not in targets:
                targets[names] = [out] if len(names) == 1 else [fn.fresh(f"{out}_{n}") for n in names]
            outputs = dict(zip(names, targets[names]))
            if v == 0:
                lines.append(self._comment(node, fn.prefix is not None or fn.loops > 0))
            assigned = ", ".join("_" if t in self.unused else t for t in targets[names])
            lines.append((f"{assigned} = ", self.render.tree(applied, python_name(_plain(pieces)))))
            inputs = [targets[names][0]]
        return lines, outputs

    def _emit_variants(self, variants, fn: Function, raw) -> None:
        """The statements, split by the true/false name that decides between different forms."""
        forms = {_form(lines) for _, lines, _ in variants}
        if len(forms) == 1:
            for line in variants[0][1]:
                self.code.line(line) if isinstance(line, str) else self.code.statement(*line)
            return
        names = set.intersection(*(set(env) for env, _, _ in variants)) & set(fn.translate.names)
        for name in sorted(names, key=lambda n: (n not in fn.translate.used, n)):
            if not all(isinstance(env[name], bool) for env, _, _ in variants):
                continue
            by_value: dict[bool, set] = {}
            for env, lines, _ in variants:
                by_value.setdefault(env[name], set()).add(_form(lines))
            if len(by_value) == 2 and not by_value[True] & by_value[False]:
                fn.translate.used.add(name)
                for value, header in ((True, f"if {fn.translate.names[name]}:"), (False, "else:")):
                    with self.code.block(header):
                        self._emit_variants([v for v in variants if v[0][name] is value], fn, raw)
                return
        raise SourceError(self.graph.file, str(raw.get("name") or raw.get("type")), "its copies differ in form "
                          "and no true/false param or argument tells them apart",
                          "give the block a true/false argument that decides it")

    def _comment(self, node: Node, named: bool) -> str:
        shapes = ", ".join(_shape(s) for s in node.shapes)
        params = f"{node.params:,} params" if node.params else "no params"
        if node.non_trainable:
            params += f" ({node.non_trainable:,} non-trainable)"
        return f"# {node.name + ': ' if named else ''}{shapes}, {params}"

    # --- structure: residual connections and parallel branches ----------------------------------
    def _structure(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        (source,) = self._sources(raw, fn, previous)
        if raw["type"] == "residual":
            shortcut = fn.fresh("shortcut")
            entries = raw.get("shortcut") or []
            if not entries or entries[0].get("when", True) is not True:
                self.code.line(f"{shortcut} = {source}")
                begin = shortcut
            else:
                begin = source
            merged = [self._sequence(entries, f"{path}.shortcut", fn, begin, shortcut)]
            merged.append(self._sequence(raw["body"], f"{path}.body", fn, source, target))
        else:
            merged = []
            for k, branch in enumerate(raw["branches"]):
                merged.append(self._sequence(branch, f"{path}.branches[{k}]", fn, source, fn.fresh(f"branch{k + 1}")))
        out = self._target(raw, fn, target, count)
        pieces = self._local_name(raw, fn, count, path, "add" if raw["type"] == "residual" else
                                  raw.get("merge", "concat"))
        v, nodes = (self._groups(path, primary=True) or self._groups(path))[0]
        layer = nodes[-1].layer
        construct = layer.keras(KerasRecorder(), _name(pieces))
        if v == 0:
            self.code.line(self._comment(nodes[-1], fn.prefix is not None or fn.loops > 0))
        self.code.statement(f"{out} = ", self.render.tree(layer.call(construct, [Var(v) for v in merged])))
        if raw.get("name"):
            fn.tensors[raw["name"]] = out
        return out

    # --- blocks ---------------------------------------------------------------------------------
    def _block_use(self, raw, path, fn: Function, previous: str, target: str, count) -> str:
        block = self.doc.blocks[raw["use"]]
        sources = self._sources(raw, fn, previous)
        for extra in block.inputs[len(sources):]:
            if extra in raw:
                sources.append(self._reference(fn, raw[extra]))
        out = self._target(raw, fn, target, count)
        pieces = self._local_name(raw, fn, count, path, raw["use"])
        arguments = [*sources, f"name={_name(pieces).source}"]
        for arg in block.args:
            if arg in raw:
                value = raw[arg]
                arguments.append(f"{python_name(arg)}="
                                 f"{fn.translate(value) if has_placeholder(value) else literal(value)}")
        arguments += [f"{self.params[p]}={fn.translate.names[p]}" for p in self.block_params[raw["use"]]]
        fn.translate.used.update(self.block_params[raw["use"]])
        instance = self._instance_node(raw, pieces)
        if instance is not None:
            self.code.line(f"# {instance[0] + ': ' if fn.prefix or fn.loops else ''}{_shape(instance[1].shape)}, "
                           f"{instance[2]:,} params")
        self.code.statement(f"{out} = ", Brackets(Atom(python_name(raw["use"])), [Atom(a) for a in arguments]))
        if isinstance(raw.get("name"), str):
            fn.tensors[raw["name"]] = out
        return out

    def _instance_node(self, raw, pieces):
        """The first built copy of a block use: its name, output node and parameter count."""
        for scope, members in self.members[0].items():
            if scope.block == raw["use"] and self._built_from(scope.name, pieces):
                return scope.name, self._result(scope), sum(n.params for n in members)
        return None

    @staticmethod
    def _built_from(instance: str, pieces) -> bool:
        pattern = "".join(re.escape(t) if not e else r".+" for e, t in pieces)
        return re.fullmatch(pattern, instance) is not None

    # --- references -----------------------------------------------------------------------------
    def _reference(self, fn: Function, text: str) -> str:
        if has_placeholder(text):
            if text in fn.last_of:
                return fn.last_of[text]
            raise SourceError(self.graph.file, text, "a computed reference other than a repeat's last copy",
                              "name${i} with repeat: ${n} can be read as name${n}")
        match = _REF.match(text)
        base, output, index = match["base"], match["out"], match["index"]
        if base in fn.tensors:
            value = fn.tensors[base]
        elif fn.prefix is None and self._top_instance(base) in fn.tensors:
            value = fn.tensors[self._top_instance(base)]
        else:
            raise SourceError(self.graph.file, text, "the reference reaches into a block from outside",
                              "give the block an 'output:' or read the block's result")
        if isinstance(value, dict):  # a layer with several outputs
            return value[output] if output in value else list(value.values())[int(index or 0)]
        return value

    def _top_instance(self, name: str) -> str | None:
        """The top-level block use whose result is the node ``name`` (e.g. aux1 for aux1_predictions)."""
        for v, variant in enumerate(self.variants):
            node = variant.nodes.get(name)
            if node is not None and node.scopes and node.scopes[0].block:
                scope = node.scopes[0]
                return scope.name if self._result(scope, v).name == name else None
        return None

    def _result(self, scope, v: int = 0) -> Node:
        """The node a block instance returns."""
        output = self.doc.blocks[scope.block].output
        return self.variants[v].nodes.get(f"{scope.name}_{output}") if output else self.members[v][scope][-1]


# --- helpers -------------------------------------------------------------------------------------

def _path(graph: Graph):
    from pathlib import Path

    return Path(graph.file or "<string>")


def _shape(shape: Shape) -> str:
    """A shape as Keras prints it, the batch axis first."""
    return fmt_shape((None, *shape))


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''").rstrip(".")


def _one_or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def _simplify(text: str) -> str:
    match = re.fullmatch(r"(.*) - 1 \+ 1", text)
    if match:
        return match[1]
    match = re.fullmatch(r"(\d+) \+ 1", text)
    return str(int(match[1]) + 1) if match else text


def _name(pieces) -> SymStr:
    """Name pieces as a string value that renders as its Python source (a literal or an f-string)."""
    if all(not e for e, _ in pieces):
        return SymStr("".join(t for _, t in pieces), literal("".join(t for _, t in pieces)))
    text = "".join("{" + t + "}" if e else t.replace("{", "{{").replace("}", "}}") for e, t in pieces)
    return SymStr(text, 'f"' + text + '"')


def _plain(pieces) -> str:
    """A name's literal text (the part a reader recognises: "conv" of f"{name}_conv{i}")."""
    return "".join(t for e, t in pieces if not e).strip("_") or "layer"


def _pieces(text: str, translate: Translator) -> list:
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > last:
            out.append((False, text[last:match.start()]))
        out.append((True, translate.expression(match.group(1))))
        last = match.end()
    if last < len(text):
        out.append((False, text[last:]))
    return out


def _substitute_all(value, env):
    if isinstance(value, str):
        return substitute(value, env) if "${" in value else value
    if isinstance(value, list):
        return [_substitute_all(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _substitute_all(v, env) for k, v in value.items()}
    return value


def _has_placeholder(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has_placeholder(v) for v in value)
    return has_placeholder(value)


def _resymbolize(part, layer):
    """A part of an expanded layer with the symbolic values of the fields it shares with it
    (constructing a part validates its fields, which drops what they stood for)."""
    if part is layer:
        return part
    update = {}
    for name in part.model_fields:
        value = getattr(layer, name, None) if name in layer.model_fields else None
        if type(value).__name__.startswith("Sym") and getattr(part, name) == value:
            update[name] = value
    return part.model_copy(update=update) if update else part


def _symbolic_shape(shape: Shape, var: str) -> Shape:
    """A tensor's shape with each known size standing for ``var.shape[k]``."""
    rank = len(shape)
    return tuple(d if d is None else sym(d, f"{var}.shape[{-1 if k == rank - 1 else k + 1}]")
                 for k, d in enumerate(shape))


def _form(lines) -> tuple:
    """A copy's statements without their comments, to compare copies."""
    return tuple(prefix + tree.flat() for prefix, tree in (line for line in lines if not isinstance(line, str)))


def _placeholder_names(value) -> list[str]:
    import ast

    if isinstance(value, str):
        return [n.id for m in _PLACEHOLDER.finditer(value) for n in ast.walk(ast.parse(m.group(1).strip(), mode="eval"))
                if isinstance(n, ast.Name)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _placeholder_names(v)]
    if isinstance(value, list):
        return [n for v in value for n in _placeholder_names(v)]
    return []


def _uses(entries) -> set[str]:
    out = set()
    for entry in entries or []:
        if isinstance(entry, dict):
            if "use" in entry:
                out.add(entry["use"])
            out |= _uses(entry.get("body")) | _uses(entry.get("shortcut"))
            for branch in entry.get("branches") or []:
                out |= _uses(branch)
    return out


def _references(entries) -> set[str]:
    """The local names read by name in a list of entries (its nested bodies and branches included)."""
    out: set[str] = set()
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        refs = entry.get("inputs") or []
        for ref in [refs] if isinstance(refs, str) else refs:
            match = _REF.match(str(ref))
            if match:
                out.add(match["base"])
        for key, value in entry.items():
            if "use" in entry and key not in ENTRY_KEYS | {"use"} and isinstance(value, str):
                match = _REF.match(value)
                if has_placeholder(value):
                    out.add(value)
                elif match:
                    out.add(match["base"])
        out |= _references(entry.get("body")) | _references(entry.get("shortcut"))
        for branch in entry.get("branches") or []:
            out |= _references(branch)
    return out
