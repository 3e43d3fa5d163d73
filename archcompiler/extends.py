"""``extends`` and ``override``: a spec that starts from another. ``params``, ``blocks`` and ``cells``
merge key by key, every other top-level key replaces the parent's, and ``override`` changes fields of
named layers or block uses; chains are limited and cycles reported where they start."""

from __future__ import annotations

from pathlib import Path

from .errors import SpecError, SpecErrors, did_you_mean
from .library import builtin_names, locate
from .source import YDict, load_file, ydict

MAX_EXTENDS = 8


def with_extends(raw, path: Path, chain: tuple[Path, ...]):
    if not isinstance(raw, YDict) or "extends" not in raw:
        return raw
    where = raw.where("extends")
    if len(chain) >= MAX_EXTENDS:
        raise SpecErrors([SpecError(where, f"'extends' chain longer than {MAX_EXTENDS}", "extends", code="E-EXTENDS-DEPTH")])
    parent_path = _locate_parent(raw["extends"], path)
    if parent_path is None:
        raise SpecErrors([SpecError(where, f"cannot find the spec '{raw['extends']}' to extend", "extends",
                                    did_you_mean(str(raw["extends"]), builtin_names()), "E-EXTENDS-UNKNOWN")])
    if parent_path.resolve() in {p.resolve() for p in chain + (path,)}:
        names = " → ".join(p.stem for p in chain + (path, parent_path))
        raise SpecErrors([SpecError(where, f"'extends' forms a cycle: {names}", "extends",
                                    code="E-EXTENDS-CYCLE")])
    parent = with_extends(load_file(parent_path), parent_path, chain + (path,))
    items, locs = dict(parent), dict(parent.value_locs)
    for key, value in raw.items():
        if key in ("params", "blocks", "cells") and isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged = ydict({**parent[key], **value}, value.loc, {**parent[key].value_locs, **value.value_locs})
            merged.key_locs = {**parent[key].key_locs, **value.key_locs}
            items[key], locs[key] = merged, raw.where(key)
        elif key not in ("extends", "override"):
            items[key], locs[key] = value, raw.where(key)
    items.pop("override", None)
    merged = ydict(items, raw.loc, locs)
    overrides = raw.get("override") or {}
    if isinstance(overrides, dict):
        errors = []
        for layer_name, changes in overrides.items():
            if not isinstance(changes, dict) or not _apply_override(merged, layer_name, changes):
                known = sorted(entry_names(merged))
                errors.append(SpecError(overrides.key_locs.get(layer_name, overrides.loc),
                                        f"no layer or block use named '{layer_name}' in '{raw['extends']}'",
                                        f"override.{layer_name}", did_you_mean(layer_name, known), "E-OVERRIDE-UNKNOWN"))
        if errors:
            raise SpecErrors(errors)
    return merged


def _locate_parent(extends, path: Path) -> Path | None:
    """The file ``extends:`` names, or None (also for a value that cannot be a file name)."""
    if not isinstance(extends, str) or not extends.strip():
        return None
    try:
        return locate(extends, relative_to=path.parent)
    except (OSError, ValueError):  # a name too long for the file system, or with a null byte
        return None


def _entry_lists(doc):
    yield doc.get("layers")
    for block in (doc.get("blocks") or {}).values():
        if isinstance(block, dict):
            yield block.get("layers")


def _walk_entries(entries):
    """Every entry of a layer list, nested bodies and branches included, with its list and index."""
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            yield entries, index, entry
            for key in ("body", "shortcut"):
                yield from _walk_entries(entry.get(key))
            for branch in entry.get("branches") or []:
                yield from _walk_entries(branch)


def entry_names(doc) -> set[str]:
    return {str(e.get("name")) for lst in _entry_lists(doc) for _, _, e in _walk_entries(lst) if e.get("name")}


def _apply_override(doc, layer_name: str, changes: YDict) -> bool:
    found = False
    for lst in _entry_lists(doc):
        for entries, index, entry in list(_walk_entries(lst)):
            if entry.get("name") == layer_name:
                updated = ydict({**entry, **changes}, entry.loc, {**entry.value_locs, **changes.value_locs})
                updated.key_locs = {**entry.key_locs, **changes.key_locs}
                entries[index] = updated
                found = True
    return found
