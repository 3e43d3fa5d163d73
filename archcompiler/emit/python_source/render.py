"""Recorded Keras constructions → layout trees of Python source; the classes of
:mod:`archcompiler.keras` they use, copied into the program."""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import lru_cache
from pathlib import Path

from .layout import Atom, Brackets, Item
from .symbolic import Apply, Construct, Sym, Var, literal

RUNTIME = "archcompiler.keras"


@lru_cache(maxsize=None)
def _defaults(path: str, runtime: bool, method: str | None, module: str | None = None) -> dict:
    """The keyword defaults of a Keras class (or of its ``call``), to leave out what equals them."""
    from ..keras_model import import_keras

    target, parts = import_keras(), path.split(".")[1:]
    if runtime or module:
        target, parts = importlib.import_module(module or RUNTIME), path.split(".")
    for part in parts:
        target = getattr(target, part)
    if method:
        target = getattr(target, method)
    defaults = {}
    # what a layer passes on through **kwargs (name, dtype...) has the base Layer's defaults
    for function in (getattr(import_keras().layers.Layer, method or "__init__"), target):
        parameters = inspect.signature(function).parameters.values()
        defaults.update({p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty})
    return defaults


def _same(value, default) -> bool:
    if isinstance(value, Sym):
        return False  # a param's value: always written, whatever its default
    try:
        return type(value) is type(default) and value == default or value is None is default
    except Exception:  # pragma: no cover - a default that cannot be compared is kept
        return False


class Renderer:
    """Turns recorded values into layout trees; collects what the program must define."""

    def __init__(self):
        self.runtime: list[str] = []  # archcompiler.keras classes used, in order of first use
        self.imports: list[str] = []  # plugins' own classes used: "from module import Class"
        self.constants: dict[str, str] = {}  # module constant name → its flat source
        self.constant_trees: dict[str, object] = {}

    def tree(self, value, hoist: str = ""):
        if isinstance(value, Apply):
            return Brackets(self.tree(value.layer, hoist), self._arguments(value.layer, value.args, value.kwargs,
                                                                           "call"))
        if isinstance(value, Construct):
            if value.runtime and value.path not in self.runtime:
                self.runtime.append(value.path)
            if value.module and f"from {value.module} import {value.path}" not in self.imports:
                self.imports.append(f"from {value.module} import {value.path}")
            return Brackets(Atom(value.path), self._arguments(value, value.args, value.kwargs, None, hoist))
        if isinstance(value, Var):
            return Atom(value.name)
        if isinstance(value, Sym):
            return Atom(value.source)
        if isinstance(value, (list, tuple)):
            items = [self.tree(v, hoist) for v in value]
            if isinstance(value, list):
                return Brackets(None, items, "[", "]")
            return Brackets(None, items, one_tuple=len(items) == 1)
        if isinstance(value, dict):
            return Brackets(None, [Item(literal(k), self.tree(v, hoist), ": ") for k, v in value.items()], "{", "}")
        return Atom(literal(value))

    def _arguments(self, construct: Construct, args, kwargs, method, hoist: str = "") -> list:
        defaults = _defaults(construct.path, construct.runtime, method, construct.module)
        items = [self.tree(a, hoist) for a in args]
        for key, value in kwargs.items():
            if key in defaults and _same(value, defaults[key]):
                continue
            tree = self.tree(value, hoist)
            if hoist and isinstance(value, (dict, list)) and not _symbolic(value) and len(tree.flat()) > 60:
                tree = Atom(self._constant(f"{hoist}_{key}".upper(), tree))
            items.append(Item(key, tree))
        return items

    def _constant(self, name: str, tree) -> str:
        """A long literal as a module constant (one per distinct value)."""
        text = tree.flat()
        for existing, source in self.constants.items():
            if source == text:
                return existing
        unique, n = name, 1
        while unique in self.constants:
            n += 1
            unique = f"{name}_{n}"
        self.constants[unique], self.constant_trees[unique] = text, tree
        return unique


def _symbolic(value) -> bool:
    if isinstance(value, Sym):
        return True
    if isinstance(value, dict):
        return any(_symbolic(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_symbolic(v) for v in value)
    return False


def runtime_source(names: list[str]) -> tuple[list[str], list[str]]:
    """The import lines and the class definitions (verbatim, decorators included) of the named
    classes of :mod:`archcompiler.keras`, read from its source files without importing Keras."""
    spec = importlib.util.find_spec(RUNTIME)
    imports: list[str] = []
    classes: dict[str, str] = {}
    for file in sorted(Path(p) for p in spec.submodule_search_locations for p in Path(p).glob("*.py")):
        text = file.read_text(encoding="utf-8")
        module = ast.parse(text)
        lines = text.splitlines()
        for node in module.body:
            if isinstance(node, ast.ClassDef) and node.name in names:
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                source = "\n".join(lines[start - 1:node.end_lineno])
                classes[node.name] = source
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                for statement in module.body:
                    if isinstance(statement, (ast.Import, ast.ImportFrom)) and getattr(statement, "module", "") != "__future__":
                        bound = {(a.asname or a.name).split(".")[0] for a in statement.names}
                        line = ast.get_source_segment(text, statement)
                        if bound & used and line not in imports:
                            imports.append(line)
    missing = [n for n in names if n not in classes]
    if missing:  # pragma: no cover - a kind names a class the runtime does not define
        raise LookupError(f"{RUNTIME} defines no class {', '.join(missing)}")
    return imports, [classes[n] for n in names]
