"""Names in the program: the name each layer is given (or not, see :mod:`.numbering`), the name of a
block use's first copy (for its comment), and the variable a reference reads."""

from __future__ import annotations

from ...expr import ExprError, has_placeholder, substitute
from ...graph import Graph
from ...resolve import _REF
from .code import Function, SourceError, name_pieces, name_value
from .copies import Copies
from .numbering import Numbering


class Naming:
    def __init__(self, graph: Graph, copies: Copies):
        self.graph, self.copies = graph, copies
        self.numbering = Numbering(graph, copies)

    def local_name(self, raw, fn: Function, count, path: str) -> list | None:
        """The layer's full name as pieces: (False, text) or (True, Python expression); None where
        the program leaves the name to Keras."""
        name = raw.get("name")
        if name is None:
            if path in self.numbering.anonymous:
                return None
            names = self.copies.auto_name(path)
            if len(names) != 1:
                raise SourceError(self.graph.file, path, "an unnamed entry whose automatic name differs between "
                                  f"its copies ({', '.join(sorted(names)) or 'none built'})", "give it a name")
            name = names.pop()
        pieces = name_pieces(str(name), fn.translate)
        if pieces == [(True, pieces[0][1])] and pieces[0][1] in fn.texts and not fn.prefix and count in (None, 1):
            return [(None, pieces[0][1])]  # name=out, not name=f"{out}"
        if count not in (None, 1) and not has_placeholder(name):  # the resolver's name_1, name_2, ...
            numbered = pieces + [(False, "_"), (True, "i")]
            pieces = numbered if isinstance(count, int) else [
                (True, f"{_inner(name_value(pieces).source)} if {fn.translate(count)} == 1 else "
                       f"{_inner(name_value(numbered).source)}")]
        return ([(True, fn.prefix), (False, "_")] if fn.prefix else []) + pieces

    def first_name(self, raw, fn: Function) -> str | None:
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
        prefix = self.copies.prefix(scope) if scope else ""
        return f"{prefix}_{local}" if prefix else local

    def reference(self, fn: Function, text: str, path: str) -> str:
        """The variable holding what ``text`` (``layer``, ``layer.h``, ``layer[1]``) names, read by the entry
        at ``path``."""
        if has_placeholder(text):
            if text in fn.last_of:
                return fn.last_of[text]
            raise SourceError(self.graph.file, path, f"'{text}' is a computed reference other than a repeat's "
                              "last copy", "name${i} with repeat: ${n} can be read as name${n}")
        match = _REF.match(text)
        base, output, index = match["base"], match["out"], match["index"]
        if base not in fn.tensors and fn.block is None:
            base = self.copies.top_instance(base) or base
        if base not in fn.tensors:
            raise SourceError(self.graph.file, path, f"'{text}' reaches into a block from outside",
                              "give the block an 'output:' or read the block's result")
        value = fn.tensors[base]
        if isinstance(value, dict):  # a layer with several outputs
            return value[output] if output in value else list(value.values())[int(index or 0)]
        return value


def _inner(source: str) -> str:
    """A string literal or f-string written in single quotes, to sit inside an f-string's braces (before
    Python 3.12 they cannot hold its own quotes); ruff format writes them so."""
    opening = source.index('"')
    return f"{source[:opening]}'{source[opening + 1:-1]}'"
