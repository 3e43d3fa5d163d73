"""What the program writer keeps while it writes: the lines, the function being written, names
as Python, and the few questions asked of a spec's raw entries."""

from __future__ import annotations

import ast
from contextlib import contextmanager
from dataclasses import dataclass, field

from ...errors import Loc, SpecError, SpecErrors
from ...expr import _IN_ID, _PLACEHOLDER
from ...layers import Shape, fmt_shape
from ...resolve import _REF
from .layout import INDENT, lay_out
from .symbolic import SymStr, Translator, literal, parse_expression, python_name

ENTRY_KEYS = {"name", "inputs", "repeat", "when", "note"}  # an entry's own keys, not the layer's settings


class SourceError(SpecErrors):
    """A spec the Python source cannot express: a located error (exit 2 in the CLI) saying which
    entry and why."""

    def __init__(self, file: str, path: str, message: str, hint: str = ""):
        super().__init__([SpecError(Loc(file or "<spec>"), message, path, hint, code="E-SOURCE")])


class Code:
    """Lines of Python at the current indentation."""

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
    prefix: str | None = None  # the Python expression of the names' prefix (None: top level, a prefix: false block)
    block: str | None = None  # the block whose function this is (None: build_model)
    referenced: set[str] = field(default_factory=set)  # local names read by name later
    computed: set[str] = field(default_factory=set)  # references written with ${...}
    tensors: dict[str, object] = field(default_factory=dict)  # local name → variable (or {output: variable})
    texts: set[str] = field(default_factory=set)  # the block's arguments declared str: a name can be one whole
    last_of: dict[str, str] = field(default_factory=dict)  # "encoder${layers}" → a loop's last output
    loops: int = 0

    def fresh(self, base: str) -> str:
        name, n = python_name(base), 1
        while name in self.reserved:
            n += 1
            name = f"{python_name(base)}_{n}"
        self.reserved.add(name)
        return name

    @property
    def labelled(self) -> bool:
        """Whether a statement stands for several layers, so its comment names the one it describes."""
        return self.block is not None or self.loops > 0


# --- names -----------------------------------------------------------------------------------------

def name_value(pieces) -> SymStr:
    """Name pieces ((False, text) or (True, expression)) as a string that renders as a literal or an f-string;
    (None, variable): a text argument, written as itself."""
    if len(pieces) == 1 and pieces[0][0] is None:
        return SymStr("{" + pieces[0][1] + "}", pieces[0][1])
    if all(not e for e, _ in pieces):
        text = "".join(t for _, t in pieces)
        return SymStr(text, literal(text))
    text = "".join("{" + t + "}" if e else t.replace("{", "{{").replace("}", "}}") for e, t in pieces)
    return SymStr(text, 'f"' + text + '"')


def layer_name(pieces) -> SymStr | None:
    """A layer's ``name=`` value; None where the program leaves the name to Keras."""
    return None if pieces is None else name_value(pieces)


def name_pieces(text: str, translate: Translator) -> list:
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > last:
            out.append((False, text[last:match.start()]))
        out.append((True, translate.expression(match.group(1))))
        last = match.end()
    if last < len(text):
        out.append((False, text[last:]))
    return out


def plain_name(pieces) -> str:
    """A name's literal text (the part a reader recognises: "conv" of f"{name}_conv{i}")."""
    return "".join(t for e, t in pieces if e is False).strip("_") or "layer"


def shape_text(shape: Shape) -> str:
    """A shape as Keras prints it, the batch axis first."""
    return fmt_shape((None, *shape))


def docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''").rstrip(".")


def one_or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def loop_stop(count_source: str) -> str:
    """``range``'s stop for a repeat count: ``convs + 1``, ``blocks`` for ``blocks - 1 + 1``, ``4`` for ``3 + 1``."""
    if count_source.endswith(" - 1"):
        return count_source[:-4]
    return str(int(count_source) + 1) if count_source.isdigit() else f"{count_source} + 1"


# --- questions about raw entries -------------------------------------------------------------------

def placeholder_names(value) -> list[str]:
    """The names ``${...}`` expressions in a (nested) value read."""
    if isinstance(value, str):
        return [n.id for m in _PLACEHOLDER.finditer(value)
                for n in ast.walk(parse_expression(m.group(1))) if isinstance(n, ast.Name)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in placeholder_names(v)]
    if isinstance(value, list):
        return [n for v in value for n in placeholder_names(v)]
    return []


def tensors_read(value) -> set[str]:
    """The tensors, by name, whose shape ``${...}`` expressions in a (nested) value read (``skip`` of
    ``${skip.channels}``; ``in`` is left out: it is whatever flows in)."""
    if isinstance(value, str):
        return {n.value.id for m in _PLACEHOLDER.finditer(value) for n in ast.walk(parse_expression(m.group(1)))
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id != _IN_ID}
    if isinstance(value, dict):
        return {n for v in value.values() for n in tensors_read(v)}
    if isinstance(value, list):
        return {n for v in value for n in tensors_read(v)}
    return set()


def nested(entry: dict) -> list:
    """The entry lists inside a residual or branches entry."""
    return [entry.get("body") or [], entry.get("shortcut") or [], *(entry.get("branches") or [])]


def block_uses(entries) -> set[str]:
    out = set()
    for entry in entries or []:
        if isinstance(entry, dict):
            if "use" in entry:
                out.add(entry["use"])
            for inner in nested(entry):
                out |= block_uses(inner)
    return out


def references(entries, blocks: dict) -> set[str]:
    """The local names read by name in a list of entries (its bodies and branches included), as an
    input or by an expression that reads its shape; a reference written with ``${...}`` is kept whole."""
    out: set[str] = set()
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        out |= tensors_read({k: v for k, v in entry.items() if k not in ("body", "shortcut", "branches")})
        refs = entry.get("inputs") or []
        values = [refs] if isinstance(refs, str) else list(refs)
        if "use" in entry and entry["use"] in blocks:  # later block inputs may be given by name (memory: encoder6)
            named = set(blocks[entry["use"]].inputs[1:]) - set(blocks[entry["use"]].args)  # not a text argument
            values += [v for k, v in entry.items() if k in named and isinstance(v, str)]
        for value in values:
            match = _REF.match(str(value))
            if "${" in str(value):
                out.add(value)
            elif match:
                out.add(match["base"])
        for inner in nested(entry):
            out |= references(inner, blocks)
    return out
