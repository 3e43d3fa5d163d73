"""Safe YAML loading that remembers where every value came from.

PyYAML's *composer* gives a node graph with line/column marks and no Python
tags; we turn it into plain dicts and lists ourselves, which lets us count nodes
as we go (an alias bomb expands exponentially, so we stop at a budget) and
reject duplicate keys, which PyYAML would silently overwrite."""

from __future__ import annotations

import math
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


_TAG_WORDS = {"int": "a whole number", "float": "a number", "bool": "true or false", "null": "null",
              "str": "text"}
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
                code="E-YAML-TOO-BIG",
            )
        if depth > MAX_DEPTH:
            raise SpecError(_mark(self.file, node), f"nesting deeper than {MAX_DEPTH} levels", code="E-YAML-TOO-BIG")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in (
                "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            raise SpecError(_mark(self.file, node), f"unsupported YAML tag '{node.tag}'",
                            hint="specs are plain data: strings, numbers, booleans, lists and mappings",
                            code="E-YAML-TAG")
        if isinstance(node, yaml.MappingNode):
            items, locs, key_locs = {}, {}, {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise SpecError(_mark(self.file, key_node), "YAML merge keys ('<<') are not supported",
                                    hint="use a block or 'extends' to reuse definitions", code="E-YAML-MERGE")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise SpecError(_mark(self.file, key_node), "mapping keys must be plain words",
                                    hint="a key is a name such as 'units' or 'conv1'", code="E-YAML-KEY")
                # a key is the word as written: YAML 1.1 would read 'on:' as true and '1:' as a number
                key = key_node.value
                if key in items:
                    raise SpecError(_mark(self.file, key_node), f"duplicate key '{key}'",
                                    hint="each key may appear once in a mapping", code="E-YAML-DUPLICATE-KEY")
                items[key] = self.build(value_node, depth + 1)
                locs[key] = _mark(self.file, value_node)
                key_locs[key] = _mark(self.file, key_node)
            d = ydict(items, _mark(self.file, node), locs)
            d.key_locs = key_locs
            return d
        if isinstance(node, yaml.SequenceNode):
            return ylist([self.build(n, depth + 1) for n in node.value], _mark(self.file, node),
                         [_mark(self.file, n) for n in node.value])
        if node.tag not in _SCALAR_TAGS:
            raise SpecError(_mark(self.file, node), f"unsupported YAML tag '{node.tag}'",
                            hint="specs are plain data: strings, numbers, booleans, lists and mappings",
                            code="E-YAML-TAG")
        return self.scalar(node)

    def scalar(self, node):
        """The safe constructor resolves ints, floats, bools and nulls; an explicit tag it cannot
        honour (``!!int four``, ``!!bool maybe``) is the user's mistake, not a crash."""
        try:
            value = self.scalar_loader.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError, yaml.YAMLError):
            kind = node.tag.rsplit(":", 1)[-1]
            raise SpecError(_mark(self.file, node), f"{node.value!r} is not {_TAG_WORDS.get(kind, kind)}",
                            hint=f"remove the '!!{kind}' tag, or write {_TAG_WORDS.get(kind, kind)}",
                            code="E-YAML-VALUE") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError(_mark(self.file, node), f"{node.value!r} is not a finite number",
                            hint="every size and setting of a layer is a finite number", code="E-YAML-VALUE")
        return value


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index (PyYAML's reader reports only the index)."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def load_yaml(text: str, file: str = "<string>"):
    """Parse a spec's YAML text safely into YDict/YList trees; raise SpecErrors on any problem.
    A spec is a mapping: any other document is reported where it starts."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise SpecErrors([SpecError(Loc(file, 1, 1), f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB",
                                    hint="a spec describes an architecture; it should be a few kilobytes",
                                    code="E-FILE-TOO-BIG")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Loc(file, mark.line + 1, mark.column + 1) if mark else Loc(file, 1, 1)
        raise SpecErrors([SpecError(loc, f"YAML syntax error: {e.problem or e.context}", code="E-YAML-SYNTAX")]) from None
    except yaml.reader.ReaderError as e:
        character = e.character if isinstance(e.character, int) else ord(e.character[:1] or "\0")
        loc = Loc(file, *_position(text, e.position))
        raise SpecErrors([SpecError(loc, f"character U+{character:04X} is not allowed in YAML",
                                    hint="control characters (other than tab and newline) cannot appear in a spec",
                                    code="E-YAML-SYNTAX")]) from None
    except yaml.YAMLError as e:
        raise SpecErrors([SpecError(Loc(file, 1, 1), f"YAML error: {e}", code="E-YAML-SYNTAX")]) from None
    except RecursionError:
        raise SpecErrors([SpecError(Loc(file, 1, 1), f"nesting deeper than {MAX_DEPTH} levels",
                                    code="E-YAML-TOO-BIG")]) from None
    if node is None:
        raise SpecErrors([SpecError(Loc(file, 1, 1), "the file is empty",
                                    hint="a spec is a mapping with at least name, inputs and layers", code="E-FILE-EMPTY")])
    if not isinstance(node, yaml.MappingNode):
        what = "a list" if isinstance(node, yaml.SequenceNode) else f"the single value {node.value[:40]!r}"
        raise SpecErrors([SpecError(_mark(file, node), f"a spec is a mapping of keys, not {what}",
                                    hint="start with 'name: ...', then 'inputs:' and 'layers:'",
                                    code="E-SPEC-NOT-MAPPING")])
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
                                        hint="a spec describes an architecture; it should be a few kilobytes",
                                        code="E-FILE-TOO-BIG")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SpecErrors([SpecError(Loc(str(path), *_byte_position(path, e.start)), "not UTF-8 text",
                                    hint="save the spec as UTF-8", code="E-FILE-ENCODING")]) from None
    except OSError as e:
        raise SpecErrors([SpecError(Loc(str(path)), f"cannot read the file: {e.strerror or e}",
                                    code="E-FILE-READ")]) from None
    return load_yaml(text, str(path))


def _byte_position(path: Path, index: int) -> tuple[int, int]:
    """Line and column of the first byte that is not UTF-8 (counting the valid characters before it)."""
    head = path.read_bytes()[:index].decode("utf-8", "replace")
    return _position(head, len(head))
