"""Where the built-in specs and templates live: inside the installed package
(wheel), or at the top of the source tree (editable install / checkout)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    inside = _PACKAGE / name  # where the wheel puts it
    return inside if inside.is_dir() else _PACKAGE.parent / name


SPECS_DIR = _data_dir("specs")
TEMPLATES_DIR = _data_dir("templates")


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SPECS_DIR.glob("*.yaml"))


def locate(spec: str, relative_to: Path | None = None) -> Path | None:
    """A path as given (or relative to another spec's folder), else a built-in spec by name."""
    candidates = [Path(spec)]
    if relative_to is not None:
        candidates.insert(0, relative_to / spec)
    for path in candidates:
        if path.suffix in (".yaml", ".yml") and path.is_file():
            return path
    builtin = SPECS_DIR / f"{Path(spec).stem if spec.endswith(('.yaml', '.yml')) else spec}.yaml"
    return builtin if builtin.is_file() else None
