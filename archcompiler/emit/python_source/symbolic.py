"""Values that remember the Python source they stand for, and a stand-in for ``keras`` that
records what a layer kind builds instead of building it.

A layer kind's ``keras(keras, name)`` and ``call(layer, tensors)`` are the one description of
its Keras layer. Run with :class:`KerasRecorder` in place of the ``keras`` module and with
symbolic field values (``${filters}`` becomes a number that renders as ``filters``), they give
the source text of the same construction, so the generated program and the compiler's own
model can never disagree."""

from __future__ import annotations

import ast
import keyword
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from ...expr import _IN, _IN_ID, _PLACEHOLDER


class Sym:
    """Mixin: a value computed from params or block arguments; renders as ``source``."""

    source: str


def _sym_type(base: type) -> type:
    def __new__(cls, value, source):
        obj = base.__new__(cls, value)
        obj.source = source
        return obj

    def binary(symbol):
        def forward(self, other):
            result = getattr(base, f"__{symbol}__")(self, other)
            if result is NotImplemented or not isinstance(result, (int, float)) or isinstance(result, bool):
                return result
            return sym(result, f"{_operand(self)} {OPERATORS[symbol]} {_operand(other)}")
        return forward

    namespace = {"__new__": __new__, "__repr__": lambda self: f"Sym({base.__repr__(self)}, {self.source!r})"}
    if base in (int, float):
        namespace.update({f"__{s}__": binary(s) for s in OPERATORS})
    return type(f"Sym{base.__name__.capitalize()}", (Sym, base), namespace)


OPERATORS = {"add": "+", "sub": "-", "mul": "*", "floordiv": "//", "truediv": "/", "mod": "%"}
SymInt, SymFloat, SymStr, SymTuple = (_sym_type(t) for t in (int, float, str, tuple))


class SymValue(Sym):
    """True, False or None from an expression (``bool`` cannot be subclassed)."""

    def __init__(self, value, source: str):
        self.value, self.source = value, source

    def __bool__(self):
        return bool(self.value)

    def __eq__(self, other):
        return self.value == other

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return f"SymValue({self.value}, {self.source!r})"


def sym(value, source: str):
    """``value`` wrapped so that it renders as ``source`` (unchanged where it cannot be wrapped)."""
    if isinstance(value, Sym):
        return type(value)(value.value if isinstance(value, SymValue) else value, source)
    if value is None or isinstance(value, bool):
        return SymValue(value, source)
    for base, wrapper in ((int, SymInt), (float, SymFloat), (str, SymStr), (tuple, SymTuple)):
        if isinstance(value, base):
            return wrapper(value, source)
    if isinstance(value, list):
        return SymTuple(value, source)
    return value


def _operand(value) -> str:
    text = value.source if isinstance(value, Sym) else repr(value)
    return f"({text})" if " " in text else text


def symbolize(raw, concrete, translate):
    """``concrete`` (a validated field value) with the parts written as ``${...}`` in ``raw`` made
    symbolic; ``translate`` turns the text of a placeholder into Python source."""
    if isinstance(raw, str) and "${" in raw:
        return sym(concrete, translate(raw))
    if isinstance(raw, list) and isinstance(concrete, (list, tuple)) and len(raw) == len(concrete):
        items = [symbolize(r, c, translate) for r, c in zip(raw, concrete)]
        return type(concrete)(items)
    return concrete


# --- ${...} as Python source -----------------------------------------------------------------

_PRECEDENCE = {ast.Or: 1, ast.And: 2, ast.Not: 3, ast.Compare: 4, ast.BitOr: 5, ast.Add: 7, ast.Sub: 7,
               ast.Mult: 8, ast.Div: 8, ast.FloorDiv: 8, ast.Mod: 8, ast.USub: 9, ast.UAdd: 9, ast.Pow: 10}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
            ast.Pow: "**", ast.USub: "-", ast.UAdd: "+", ast.Not: "not ", ast.And: "and", ast.Or: "or",
            ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def python_name(name: str) -> str:
    """A spec name as a Python identifier."""
    text = re.sub(r"\W", "_", name)
    if not text or text[0].isdigit() or keyword.iskeyword(text):
        text = f"{text}_" if keyword.iskeyword(text) else f"_{text}"
    return text


def literal(value) -> str:
    """A plain value as Python source, strings in double quotes (as ``ruff format`` writes them)."""
    if isinstance(value, Sym):
        return value.source
    if isinstance(value, str):
        return '"' + repr(value)[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'
    if isinstance(value, (list, tuple)):
        items = ", ".join(literal(v) for v in value)
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"[{items}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def parse_expression(text: str) -> ast.expr:
    """The syntax tree of the text inside ``${...}``, ``in`` (the tensor flowing in) named ``__in__``
    as the spec's evaluator names it."""
    return ast.parse(_IN.sub(_IN_ID, text.strip()), mode="eval").body


# a tensor's sizes (TensorView in expr.py) as the Keras tensor's static shape, whose axis 0 is the batch
_AXES = {"channels": "-1", "height": "1", "width": "2", "steps": "1"}


class Translator:
    """``${...}`` text → Python source, with names mapped to the generated program's variables; a
    read of a tensor's shape (``in.channels``) becomes a read of its Keras tensor's (``x.shape[-1]``)."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self.used: set[str] = set()  # the spec names the translated expressions read
        self.tensor: Callable[[str], str] | None = None  # "in" or a layer's name → the variable holding it

    @contextmanager
    def reading(self, tensor: Callable[[str], str]):
        """Expressions translated meanwhile read tensors through ``tensor``."""
        saved, self.tensor = self.tensor, tensor
        try:
            yield
        finally:
            self.tensor = saved

    def __call__(self, text: str) -> str:
        """A whole value (``"${4 * filters}"``) → an expression; text with placeholders → an f-string."""
        whole = _PLACEHOLDER.fullmatch(text.strip())
        if whole:
            return self.expression(whole.group(1))
        pieces, last = [], 0
        for match in _PLACEHOLDER.finditer(text):
            pieces.append(text[last:match.start()].replace("{", "{{").replace("}", "}}"))
            pieces.append("{" + self.expression(match.group(1)) + "}")
            last = match.end()
        pieces.append(text[last:].replace("{", "{{").replace("}", "}}"))
        return 'f"' + "".join(pieces) + '"'

    def expression(self, text: str) -> str:
        return self._source(parse_expression(text))

    def _shape(self, node: ast.Attribute) -> str:
        """``<tensor>.shape`` of the tensor an attribute reads (``in.channels``: ``x.shape``)."""
        name = "in" if node.value.id == _IN_ID else node.value.id
        if self.tensor is None:  # pragma: no cover - the writer sets it wherever the resolver reads tensors
            raise ValueError(f"no tensor '{name}' here")
        return f"{self.tensor(name)}.shape"

    def _source(self, node, parent: int = 0) -> str:
        if isinstance(node, ast.Constant):
            return literal(node.value)
        if isinstance(node, ast.Attribute):
            shape = self._shape(node)
            if node.attr == "rank":
                return _wrap(f"len({shape}) - 1", _PRECEDENCE[ast.Sub], parent)
            return f"{shape}[1:]" if node.attr == "shape" else f"{shape}[{_AXES[node.attr]}]"
        if isinstance(node, ast.Subscript):  # <tensor>.shape[k]: the spec's axis k is Keras' k + 1
            shape, index = self._shape(node.value), node.slice
            negative = isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and \
                isinstance(index.operand, ast.Constant)
            if isinstance(index, ast.Constant):
                return f"{shape}[{index.value + 1}]"
            return f"{shape}[-{index.operand.value}]" if negative else f"{shape}[1:][{self._source(index)}]"
        if isinstance(node, ast.Name):
            if node.id in self.names:
                self.used.add(node.id)
                return self.names[node.id]
            return {"true": "True", "false": "False"}.get(node.id, node.id)
        if isinstance(node, ast.BinOp):
            level = _PRECEDENCE[type(node.op)]
            if isinstance(node.op, ast.Pow):  # right-associative; simple operands hug it (ruff format)
                left, right = self._source(node.left, level + 1), self._source(node.right, level)
                op = "**" if _simple(node.left) and _simple(node.right) else " ** "
                return _wrap(f"{left}{op}{right}", level, parent)
            left, right = self._source(node.left, level), self._source(node.right, level + 1)
            return _wrap(f"{left} {_SYMBOLS[type(node.op)]} {right}", level, parent)
        if isinstance(node, ast.UnaryOp):
            level = _PRECEDENCE[type(node.op)]
            return _wrap(_SYMBOLS[type(node.op)] + self._source(node.operand, level), level, parent)
        if isinstance(node, ast.BoolOp):
            level = _PRECEDENCE[type(node.op)]
            text = f" {_SYMBOLS[type(node.op)]} ".join(self._source(v, level + 1) for v in node.values)
            return _wrap(text, level, parent)
        if isinstance(node, ast.Compare):
            level = _PRECEDENCE[ast.Compare]
            parts = [self._source(node.left, level + 1)]
            for left, op, right in zip([node.left, *node.comparators], node.ops, node.comparators):
                parts += [_IDENTITY.get(type(op), _SYMBOLS[type(op)]) if _is_none(left) or _is_none(right)
                          else _SYMBOLS[type(op)], self._source(right, level + 1)]
            return _wrap(" ".join(parts), level, parent)
        if isinstance(node, ast.IfExp):
            text = f"{self._source(node.body, 1)} if {self._source(node.test, 1)} else {self._source(node.orelse, 0)}"
            return _wrap(text, 0, parent)
        if isinstance(node, ast.Call):
            return f"{node.func.id}({', '.join(self._source(a) for a in node.args)})"
        raise ValueError(f"unexpected expression {ast.dump(node)}")  # pragma: no cover - expr.py allows no other


_IDENTITY = {ast.Eq: "is", ast.NotEq: "is not"}  # == None as Python (and ruff) write it


def _is_none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _simple(node) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _simple(node.operand)
    return isinstance(node, ast.Name) or isinstance(node, ast.Constant) and isinstance(node.value, (int, float))


def _wrap(text: str, level: int, parent: int) -> str:
    return f"({text})" if level < parent else text


def if_parts(text) -> tuple[str, str, str] | None:
    """``"${a if c else b}"`` → the texts ``("${c}", "${a}", "${b}")``; None for anything else."""
    if not isinstance(text, str):
        return None
    whole = _PLACEHOLDER.fullmatch(text.strip())
    if not whole:
        return None
    node = parse_expression(whole.group(1))
    if not isinstance(node, ast.IfExp):
        return None
    return tuple("${" + ast.unparse(n) + "}" for n in (node.test, node.body, node.orelse))


# --- a stand-in for the keras module -----------------------------------------------------------

@dataclass
class Construct:
    """A recorded construction ``path(*args, **kwargs)``; calling it records an application."""

    path: str
    args: tuple
    kwargs: dict
    runtime: bool = False  # one of archcompiler's own classes (archcompiler.keras), copied into the file
    module: str | None = None  # a plugin's own class, imported from this module

    def __call__(self, *args, **kwargs):
        return Apply(self, args, kwargs)


@dataclass
class Apply:
    layer: Construct
    args: tuple
    kwargs: dict


@dataclass(frozen=True)
class Var:
    """A tensor of the generated program, by the name of the variable that holds it."""

    name: str


@dataclass
class KerasRecorder:
    """Stands in for the ``keras`` module: ``keras.layers.Dense(10, name=n)`` gives a Construct."""

    path: str = "keras"
    runtime: bool = False
    seen: list = field(default_factory=list)
    module: str | None = None

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute == "archcompiler_runtime":  # layers.base.runtime(keras) asks for archcompiler.keras
            return KerasRecorder("", True, self.seen)
        if attribute == "archcompiler_import":  # plugin.keras_layer(keras, module, name): a plugin's own class
            return lambda module, name: KerasRecorder(name, False, self.seen, module)
        return KerasRecorder(f"{self.path}.{attribute}" if self.path else attribute, self.runtime, self.seen,
                             self.module)

    def __call__(self, *args, **kwargs):
        construct = Construct(self.path, args, kwargs, self.runtime, self.module)
        self.seen.append(construct)
        return construct
