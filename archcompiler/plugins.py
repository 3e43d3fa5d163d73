"""Installed plugins: packages that declare layer kinds under the entry-point group ``archcompiler.kinds``
(``<kind> = package.module:Class``; the public base they build on is :mod:`archcompiler.plugin`).

Nothing is looked up until it is needed — a spec names a kind that is not built in, or says
``requires: [package]``, or ``list --kinds``/``schema`` asks for every kind — so built-in specs pay
nothing, and no code is ever taken from a spec. A plugin that is missing, fails to import, declares a
broken kind or was built for another version of the base is one clear error naming it (exit 2),
located where the spec asks for it; so is a plugin kind whose own code fails or disagrees with Keras."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from .errors import Loc, SpecError, SpecErrors
from .layers.base import FAMILIES, KINDS, Layer, is_builtin

GROUP = "archcompiler.kinds"
KIND_NAME = re.compile(r"[a-z][a-z0-9_]*")
RESERVED = {"input", "residual", "branches"}  # the resolver's own entry types


@dataclass(frozen=True)
class Origin:
    """Where a plugin kind comes from: its distribution and version, or (a kind defined without an
    entry point, e.g. in a test or a notebook) its module."""

    package: str
    version: str | None = None

    def __str__(self) -> str:
        return f"plugin {self.package} {self.version}" if self.version else f"plugin {self.package} (not installed)"


ORIGINS: dict[str, tuple[type, Origin]] = {}  # kind → (class, origin) for kinds loaded through an entry point


class PluginError(Exception):
    """One plugin problem, in one line, with the hint that fixes it."""

    def __init__(self, message: str, hint: str = "", code: str = "E-PLUGIN-BROKEN"):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code

    def error(self, loc: Loc | None, path: str) -> SpecError:
        return SpecError(loc, self.message, path, self.hint, self.code)


def origin(cls: type) -> Origin | None:
    """None for a built-in kind; otherwise the plugin it comes from."""
    if is_builtin(cls):
        return None
    kind = cls.model_fields["type"].default
    if kind in ORIGINS and ORIGINS[kind][0] is cls:
        return ORIGINS[kind][1]
    return Origin(cls.__module__)


def describe(cls: type) -> str:
    """``built-in`` or ``plugin archcompiler-cbam 0.1.0``."""
    found = origin(cls)
    return "built-in" if found is None else str(found)


# --- finding and loading -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _entry_points() -> tuple:
    from importlib.metadata import entry_points

    return tuple(entry_points(group=GROUP))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _origin_of(ep) -> Origin:
    dist = getattr(ep, "dist", None)
    if dist is not None:
        return Origin(dist.name, dist.version)
    return Origin(ep.value.split(":")[0].split(".")[0])


def _load(ep) -> type:
    who = _origin_of(ep)
    try:
        cls = ep.load()
    except Exception as e:  # the plugin's own code: named, never a traceback
        raise PluginError(f"{who}: cannot import its kind '{ep.name}' ({ep.value}): {_first_line(e)}",
                          f"reinstall it (pip install --force-reinstall {who.package}) or report it to its "
                          "authors", "E-PLUGIN-IMPORT") from None
    check_kind(cls, ep.name, who)
    KINDS[ep.name] = cls
    ORIGINS[ep.name] = (cls, who)
    return cls


def load_kind(kind: str) -> type | None:
    """The kind ``kind``: a built-in one, or the installed plugin's that declares it, loaded and
    registered; None where there is no such kind."""
    existing = KINDS.get(kind)
    if is_builtin(existing) or (kind in ORIGINS and ORIGINS[kind][0] is existing):
        return existing
    declared = [ep for ep in _entry_points() if ep.name == kind]
    if len({_origin_of(ep).package for ep in declared}) > 1:
        raise PluginError(f"the kind '{kind}' is declared by several plugins: "
                          f"{', '.join(sorted(str(_origin_of(ep)) for ep in declared))}",
                          "uninstall all but one of them", "E-PLUGIN-CONFLICT")
    if declared:
        return _load(declared[0])
    if existing is not None:  # defined without an entry point (a test, a notebook): checked all the same
        check_kind(existing, kind)
        ORIGINS[kind] = (existing, origin(existing))
    return existing


def _load_declared(ep) -> type:
    """The kind an entry point declares; one with a built-in kind's name is refused, not ignored."""
    return _load(ep) if is_builtin(KINDS.get(ep.name)) else load_kind(ep.name)


def require(package: str) -> list[type]:
    """Every kind of the installed distribution ``package``, loaded (a spec's ``requires:``)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(package)
    except PackageNotFoundError:
        raise PluginError(f"the plugin '{package}' is not installed", f"pip install {package}",
                          "E-PLUGIN-MISSING") from None
    declared = [ep for ep in _entry_points() if _normal(_origin_of(ep).package) == _normal(dist.name)]
    if not declared:
        raise PluginError(f"{package} {dist.version} is installed but declares no layer kinds "
                          f"(no entry points in the group '{GROUP}')",
                          "check the name, or the plugin's [project.entry-points] table", "E-PLUGIN-NONE")
    return [_load_declared(ep) for ep in declared]


def load_all() -> list[PluginError]:
    """Every installed plugin kind, loaded; the problems of those that could not be."""
    problems = []
    for ep in _entry_points():
        try:
            _load_declared(ep)
        except PluginError as e:
            problems.append(e)
    return list({p.message: p for p in problems}.values())


def load_all_or_raise() -> None:
    """``load_all`` for commands that list every kind: a broken plugin is an error (exit 2)."""
    problems = load_all()
    if problems:
        raise SpecErrors([p.error(None, "") for p in problems])


def check_requires(raw) -> list[SpecError]:
    """The located errors of a spec's ``requires:`` list (its plugins loaded on the way)."""
    wanted = raw.get("requires") or []
    errors = []
    for k, package in enumerate(wanted):
        try:
            require(package)
        except PluginError as e:
            errors.append(e.error(wanted.where(k) if hasattr(wanted, "where") else None, f"requires[{k}]"))
    return errors


# --- what a plugin kind must be ------------------------------------------------------------------

def check_kind(cls, kind: str | None = None, who: Origin | None = None) -> None:
    """Raise PluginError saying what is wrong with a plugin kind's class, or return."""
    from .plugin import PLUGIN_API_VERSION

    name = kind or getattr(getattr(cls, "model_fields", {}).get("type"), "default", None) or repr(cls)
    who = who or (origin(cls) if isinstance(cls, type) and issubclass(cls, Layer) else Origin(str(name)))

    def broken(what: str, hint: str = "report it to the plugin's authors", code="E-PLUGIN-BROKEN"):
        raise PluginError(f"{who}: its kind '{name}' {what}", hint, code)

    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        broken(f"is not a layer kind ({type(cls).__name__} {getattr(cls, '__name__', cls)!r}, not a subclass of "
               "archcompiler.plugin.Layer)")
    declared = cls.model_fields["type"].default
    if kind is not None and declared != kind:
        broken(f"is declared by a class whose type is {declared!r}")
    if not isinstance(declared, str) or not KIND_NAME.fullmatch(declared):
        broken("has no valid type (lower-case letters, digits and '_': type: Literal['my_kind'] = 'my_kind')")
    if declared in RESERVED or is_builtin(KINDS.get(declared)):
        broken("has the name of a built-in kind", "a plugin adds kinds; it cannot replace one")
    api = cls.plugin_api
    if api != PLUGIN_API_VERSION:
        built = "no plugin API version (plugin_api)" if api is None else f"plugin API {api}"
        hint = ("upgrade archcompiler (pip install -U archcompiler)" if isinstance(api, int) and api > PLUGIN_API_VERSION
                else f"install a version of {who.package} built for plugin API {PLUGIN_API_VERSION} "
                     f"(pip install -U {who.package})")
        raise PluginError(f"{who} was built for {built}; this archcompiler provides plugin API "
                          f"{PLUGIN_API_VERSION}", hint, "E-PLUGIN-API")
    if cls.family not in FAMILIES:
        broken(f"has the family {cls.family!r}, not one of {', '.join(FAMILIES)}")
    for method in ("infer", "keras"):
        if getattr(cls, method) is getattr(Layer, method):
            broken(f"does not define {method}()")
    if not 1 <= cls.min_inputs <= cls.max_inputs:
        broken(f"takes {cls.min_inputs} to {cls.max_inputs} inputs")


# --- a plugin kind's explanation in the docs -------------------------------------------------------

def template_source(name: str) -> str | None:
    """For the docs' Jinja2 loader: ``<lang>/kinds/<kind>.md.j2`` of a plugin kind — its ``doc_text[lang]``,
    or its package's ``templates/<lang>/<kind>.md.j2``; None for anything else (the built-in templates)."""
    match = re.fullmatch(r"(\w+)/kinds/(\w+)\.md\.j2", name)
    if not match:
        return None
    lang, kind = match.groups()
    for cls in list(KINDS.values()):
        if is_builtin(cls) or (cls.doc_template or cls.model_fields["type"].default) != kind:
            continue
        text = (getattr(cls, "doc_text", None) or {}).get(lang)
        if text is not None:
            return text
        from importlib.resources import files

        try:
            file = files(cls.__module__.split(".")[0]) / "templates" / lang / f"{kind}.md.j2"
            return file.read_text(encoding="utf-8") if file.is_file() else None
        except (ModuleNotFoundError, OSError):
            return None
    return None


# --- a plugin kind's own code at work ---------------------------------------------------------------

def fault(node, what: str, error: BaseException) -> SpecError:
    """A plugin kind's ``what`` raised ``error``: located at the layer, naming the plugin."""
    return SpecError(node.loc, f"{node.name} ({node.kind}): {origin(type(node.layer))} failed in {what}: "
                     f"{_first_line(error)} — a bug in the plugin, not in your spec", node.path,
                     "report it to the plugin's authors", "E-PLUGIN-FAILED")


@contextmanager
def guard(node, what: str):
    """Run a node's kind's code: a built-in kind's exceptions pass (our bugs), a plugin kind's become
    one located error naming the plugin."""
    try:
        yield
    except (SpecErrors, KeyboardInterrupt):
        raise
    except Exception as e:
        if is_builtin(type(node.layer)):
            raise
        raise SpecErrors([fault(node, what, e)]) from None


def blame(graph, problems: list[str]) -> None:
    """Where Keras disagrees with a plugin kind's ``infer`` (``problems`` as the build's check words
    them, ``<layer>: ...``), raise one located error per such layer, naming the plugin."""
    errors = []
    for problem in problems:
        node = graph.nodes.get(problem.partition(":")[0])
        if node is not None and not is_builtin(type(node.layer)):
            errors.append(SpecError(node.loc, f"{node.kind}: Keras disagrees with {origin(type(node.layer))}'s "
                                    f"infer() — {problem}", node.path, "a bug in the plugin, not in your spec: "
                                    "report it to the plugin's authors", "E-PLUGIN-INFER"))
    if errors:
        raise SpecErrors(errors)


def _first_line(error: BaseException) -> str:
    text = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
