"""One layer entry as statements: the kind's own ``keras``/``call`` recorded on each resolved copy
of the entry, with its ``${}`` settings symbolic (see :mod:`.symbolic`). Copies that differ only
in values give one statement; where they differ in form (a bidirectional wrapper, a zero padding
before a convolution) the statements are split by the condition that decides it: a field written
``${a if c else b}``, or a true/false param or block argument."""

from __future__ import annotations

from ...expr import has_placeholder, reads_shapes, substitute
from ...graph import Node
from ...layers import Shape
from .code import ENTRY_KEYS, Code, Function, SourceError, layer_name, plain_name, shape_text
from .copies import Copies
from .render import Renderer
from .symbolic import KerasRecorder, Sym, Var, if_parts, python_name, sym, symbolize


class LayerStatements:
    def __init__(self, code: Code, render: Renderer, copies: Copies, unused: frozenset):
        self.code, self.render, self.copies, self.unused = code, render, copies, unused
        self.file = copies.graph.file

    def write(self, kind, raw, path, fn: Function, sources: list[str], out: str, pieces) -> dict:
        """The entry's statements; returns its outputs, by output name, as variables."""
        return self._forms(kind, raw, path, fn, sources, out, pieces, self.copies.groups(path), {})

    def _forms(self, kind, raw, path, fn: Function, sources, out, pieces, groups, targets: dict) -> dict:
        for key, value in raw.items():
            parts = None if key in ENTRY_KEYS else if_parts(value)
            if parts:  # ${a if c else b}: if c: ... else: ..., each side with its own copies
                test, yes, no = parts
                sides = {truth: [g for g in groups if bool(substitute(test, self.copies.environment(*g))) is truth]
                         for truth in (True, False)}
                if reads_shapes(test) and not all(sides.values()):
                    continue  # no params make the other side's copy: the field keeps its condition, in the call
                outputs = {}
                for header, field_value, truth in ((f"if {fn.translate(test)}:", yes, True), ("else:", no, False)):
                    chosen = sides[truth]
                    with self.code.block(header):
                        outputs = self._forms(kind, {**raw, key: field_value}, path, fn, sources, out, pieces,
                                              chosen, targets) or outputs
                return outputs
        variants = []
        for v, nodes in groups:
            env = self.copies.environment(v, nodes)
            layer = self._symbolic_layer(kind, raw, nodes[-1], env, fn)
            lines, outputs = self._copy(layer, v, nodes, sources, out, pieces, fn, targets, reads_shapes(raw))
            variants.append((env, lines, outputs))
        if not variants:
            raise SourceError(self.file, path, "no value of the params tried builds this entry, so its form is "
                              "unknown", "export with --set values that build it")
        if any(list(v[2]) != list(variants[0][2]) for v in variants):
            raise SourceError(self.file, path, "a param changes which outputs the layer has",
                              "export with --set values fixed")
        self._emit(variants, fn, path)
        return variants[0][2]

    def _symbolic_layer(self, kind, raw, node: Node, env: dict, fn: Function):
        """The copy's layer as the resolver validated it, its ``${}`` settings standing for their source."""
        data = {k: _substitute_all(v, env) for k, v in raw.items() if k not in ENTRY_KEYS}
        if kind.uses_cell:
            data["cell"] = node.layer.cell  # the resolver put the declared cell in place of its name
        layer = kind.model_validate(data)
        return layer.model_copy(update={k: symbolize(raw[k], getattr(layer, k), fn.translate)
                                        for k in data if k != "type" and _has_placeholder(raw[k])})

    def _copy(self, layer, v: int, nodes, sources, out, pieces, fn: Function, targets: dict, reads: bool):
        """One copy's statements — comments as text, statements as (prefix, tree) — and its outputs;
        where the entry ``reads`` a shape, its parts before the last keep the tensors it reads (x_pad =
        ZeroPadding2D(…)(x), not x = …)."""
        parts = layer.expand()
        inputs, outputs, lines = sources, {}, []
        for k, (suffix, part) in enumerate(parts):
            part = _resymbolize(part, layer)
            node = nodes[k] if k < len(nodes) else nodes[-1]
            shapes = [_symbolic_shape(s, var) for s, var in zip(self.copies.graphs[v].input_shapes(node), inputs)]
            part = part.settle(shapes)
            construct = part.keras(KerasRecorder(), layer_name(None if pieces is None else
                                                                pieces + ([(False, suffix)] if suffix else [])))
            applied = part.call(construct, [Var(var) for var in inputs])
            kept = reads and k < len(parts) - 1
            names = (suffix,) if kept else tuple(part.output_names()) if k == len(parts) - 1 else ("output",)
            if names not in targets:  # one set of variables for every copy and form
                targets[names] = [fn.fresh(f"{out}{suffix}")] if kept else [out] if len(names) == 1 else \
                    [fn.fresh(f"{out}_{n}") for n in names]
            outputs = dict(zip(names, targets[names]))
            if v == 0:
                lines.append(comment(node, fn.labelled))
            assigned = ", ".join("_" if t in self.unused else t for t in targets[names])
            hoist = python_name(plain_name(pieces if pieces is not None else [(False, node.layer.default_name())]))
            lines.append((f"{assigned} = ", self.render.tree(applied, hoist)))
            inputs = [targets[names][0]]
        return lines, outputs

    def _emit(self, variants, fn: Function, path: str) -> None:
        """The statements, split by the true/false name that decides between different forms."""
        if len({_form(lines) for _, lines, _ in variants}) == 1:
            for line in variants[0][1]:
                self.code.line(line) if isinstance(line, str) else self.code.statement(*line)
            return
        names = set.intersection(*(set(env) for env, _, _ in variants)) & set(fn.translate.names)
        for name in sorted(names, key=lambda n: (n not in fn.translate.used, n)):
            if not all(isinstance(env[name], bool) for env, _, _ in variants):
                continue
            forms: dict[bool, set] = {}
            for env, lines, _ in variants:
                forms.setdefault(env[name], set()).add(_form(lines))
            if len(forms) == 2 and not forms[True] & forms[False]:
                fn.translate.used.add(name)
                for value, header in ((True, f"if {fn.translate.names[name]}:"), (False, "else:")):
                    with self.code.block(header):
                        self._emit([v for v in variants if v[0][name] is value], fn, path)
                return
        raise SourceError(self.file, path, "the entry's copies differ in form and no true/false param or "
                          "argument tells them apart", "give the block a true/false argument that decides it")


def comment(node: Node, labelled: bool) -> str:
    """``# [name: ](None, 56, 56, 64), 4,160 params``."""
    shapes = ", ".join(shape_text(s) for s in node.shapes)
    params = f"{node.params:,} params" if node.params else "no params"
    if node.non_trainable:
        params += f" ({node.non_trainable:,} non-trainable)"
    return f"# {node.name + ': ' if labelled else ''}{shapes}, {params}"


def _form(lines) -> tuple:
    """A copy's statements without their comments, to compare copies."""
    return tuple(prefix + tree.flat() for prefix, tree in (line for line in lines if not isinstance(line, str)))


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
        if isinstance(value, Sym) and getattr(part, name) == value:
            update[name] = value
    return part.model_copy(update=update) if update else part


def _symbolic_shape(shape: Shape, var: str) -> Shape:
    """A tensor's shape with each known size standing for ``var.shape[k]``."""
    rank = len(shape)
    return tuple(d if d is None else sym(d, f"{var}.shape[{-1 if k == rank - 1 else k + 1}]")
                 for k, d in enumerate(shape))
