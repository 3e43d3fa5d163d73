"""Safe YAML loading that remembers where every value came from.

PyYAML's *composer* gives a node graph with line/column marks and no Python
tags; we turn it into plain dicts and lists ourselves, which lets us count nodes
as we go (an alias bomb expands exponentially, so we stop at a budget) and
reject duplicate keys, which PyYAML would silently overwrite."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import Loc, SpecError, SpecErrors

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

try:  # the C composer is several times faster and marks positions the same way
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}


class YDict(dict):
    """A mapping that remembers its own location and those of its keys and values."""

    loc: Loc
    key_locs: dict
    value_locs: dict

    def where(self, key) -> Loc:
        return self.value_locs.get(key) or self.loc


class YList(list):
    """A sequence that remembers its own location and those of its items."""

    loc: Loc
    item_locs: list

    def where(self, index: int) -> Loc:
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc


def ydict(items: dict, loc: Loc, value_locs: dict | None = None) -> YDict:
    d = YDict(items)
    d.loc = loc
    d.value_locs = dict(value_locs or {})
    d.key_locs = dict(value_locs or {})
    return d


def ylist(items: list, loc: Loc, item_locs: list | None = None) -> YList:
    y = YList(items)
    y.loc = loc
    y.item_locs = list(item_locs) if item_locs is not None else [loc] * len(items)
    return y


def where(container, key) -> Loc | None:
    """The location of ``container[key]``, if the container knows it."""
    if isinstance(container, (YDict, YList)):
        return container.where(key)
    return None


def location_of(value) -> Loc | None:
    return getattr(value, "loc", None)


def _mark(file: str, node) -> Loc:
    return Loc(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.scalar_loader = _Loader("")

    def build(self, node, depth: int = 0):
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(
                _mark(self.file, node),
                f"the document expands to more than {MAX_NODES:,} values",
                hint="YAML aliases that reference each other grow exponentially; write the values out",
            )
        if depth > MAX_DEPTH:
            raise SpecError(_mark(self.file, node), f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in (
                "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            raise SpecError(_mark(self.file, node), f"unsupported YAML tag '{node.tag}'",
                            hint="specs are plain data: strings, numbers, booleans, lists and mappings")
        if isinstance(node, yaml.MappingNode):
            items, locs, key_locs = {}, {}, {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise SpecError(_mark(self.file, key_node), "YAML merge keys ('<<') are not supported",
                                    hint="use a block or 'extends' to reuse definitions")
                key = self.build(key_node, depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise SpecError(_mark(self.file, key_node), "mapping keys must be plain scalars")
                if key in items:
                    raise SpecError(_mark(self.file, key_node), f"duplicate key '{key}'",
                                    hint="each key may appear once in a mapping")
                items[key] = self.build(value_node, depth + 1)
                locs[key] = _mark(self.file, value_node)
                key_locs[key] = _mark(self.file, key_node)
            d = ydict(items, _mark(self.file, node), locs)
            d.key_locs = key_locs
            return d
        if isinstance(node, yaml.SequenceNode):
            return ylist([self.build(n, depth + 1) for n in node.value], _mark(self.file, node),
                         [_mark(self.file, n) for n in node.value])
        # scalars: the safe constructor resolves ints, floats, bools and nulls
        if node.tag in _SCALAR_TAGS:
            return self.scalar_loader.construct_object(node, deep=True)
        raise SpecError(_mark(self.file, node), f"unsupported YAML tag '{node.tag}'",
                        hint="specs are plain data: strings, numbers, booleans, lists and mappings")


def load_yaml(text: str, file: str = "<string>"):
    """Parse YAML text safely into YDict/YList trees; raise SpecErrors on any problem."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise SpecErrors([SpecError(Loc(file, 1, 1), f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB",
                                    hint="a spec describes an architecture; it should be a few kilobytes")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Loc(file, mark.line + 1, mark.column + 1) if mark else Loc(file)
        raise SpecErrors([SpecError(loc, f"YAML syntax error: {e.problem or e.context}")]) from None
    except yaml.YAMLError as e:
        raise SpecErrors([SpecError(Loc(file), f"YAML error: {e}")]) from None
    except RecursionError:
        raise SpecErrors([SpecError(Loc(file), f"nesting deeper than {MAX_DEPTH} levels")]) from None
    if node is None:
        raise SpecErrors([SpecError(Loc(file, 1, 1), "the file is empty")])
    try:
        return _Builder(file).build(node)
    except SpecError as e:
        raise SpecErrors([e]) from None


def load_file(path: str | Path):
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecErrors([SpecError(Loc(str(path), 1, 1),
                                        f"file is {size / 1e6:.1f} MB, larger than the {MAX_FILE_BYTES // 1_000_000} MB limit",
                                        hint="a spec describes an architecture; it should be a few kilobytes")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecErrors([SpecError(Loc(str(path)), "not UTF-8 text")]) from None
    except OSError as e:
        raise SpecErrors([SpecError(Loc(str(path)), f"cannot read the file: {e.strerror}")]) from None
    return load_yaml(text, str(path))
