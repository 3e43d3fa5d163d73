"""Where specs and templates live, and how a SPEC argument names one.

The built-in specs and templates are inside the installed package (wheel) or at the top of the source
tree (editable install / checkout). A SPEC is an existing file (whatever its extension), or a bare name
(no slash, no extension) of a built-in spec. A path that does not exist is an error even when its file
name matches a built-in: a typo in the path to your own ``vgg16.yaml`` must not build the library's."""

from __future__ import annotations

from pathlib import Path

from .errors import Loc, SpecError, SpecErrors, did_you_mean

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    inside = _PACKAGE / name  # where the wheel puts it
    return inside if inside.is_dir() else _PACKAGE.parent / name


SPECS_DIR = _data_dir("specs")
TEMPLATES_DIR = _data_dir("templates")


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SPECS_DIR.glob("*.yaml"))


def is_bare_name(spec: str) -> bool:
    """``vgg16`` (asks for a built-in), as opposed to ``./vgg16``, ``vgg16.yaml`` or ``specs/vgg16``."""
    return bool(spec) and "/" not in spec and "\\" not in spec and not Path(spec).suffix and spec not in (".", "..")


def _exists(path: Path, kind: str = "file") -> bool:
    """``path.is_file()``/``is_dir()``, False for names no file can have (too long, a null byte)."""
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except (OSError, ValueError):
        return False


def locate(spec: str, relative_to: Path | None = None) -> Path | None:
    """The file a SPEC names, or None. An existing file wins (relative to ``relative_to`` first, for
    ``extends:`` inside a spec); otherwise a bare name is a built-in spec."""
    candidates = ([relative_to / spec] if relative_to is not None else []) + [Path(spec)]
    for path in candidates:
        if _exists(path):
            return path
    builtin = SPECS_DIR / f"{spec}.yaml"
    return builtin if is_bare_name(spec) and _exists(builtin) else None


def spec_path(spec: str) -> Path:
    """Like ``locate``, but a SPEC that names nothing is an error saying why."""
    found = locate(spec)
    if found is not None:
        return found
    stem = Path(spec).stem
    if _exists(Path(spec), "dir"):
        message, hint = f"'{spec}' is a folder, not a spec file", "name a YAML file, or a built-in spec by its bare name"
    elif is_bare_name(spec):
        message = f"no built-in spec named '{spec}' and no such file"
        hint = did_you_mean(spec, builtin_names()) or "run 'archcompiler list' to see the built-in specs"
    else:
        message = "no such spec file"
        hint = f"to use the built-in spec, write its bare name: {stem}" if stem in builtin_names() else ""
    raise SpecErrors([SpecError(Loc(spec), message, hint=hint, code="E-SPEC-NOT-FOUND")])
