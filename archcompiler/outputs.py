"""Writing output folders whole or not at all: everything goes to a temporary
folder beside the target, which replaces the target only when complete."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """A build could not write its outputs (disk full, unwritable folder...)."""


def safe_child(parent: Path, name: str) -> Path:
    """``parent/name``, refusing any name that would land outside ``parent``."""
    child = (parent / name).resolve()
    if child.parent != parent.resolve() or name in ("", ".", ".."):
        raise OutputError(f"refusing to write '{name}' outside {parent}")
    return child


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder}: {e.strerror or e}") from None


@contextmanager
def staged_folder(target: Path):
    """Yield an empty temporary folder; on success it becomes ``target``."""
    make_folder(target.parent)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as e:
        raise OutputError(f"cannot write in {target.parent}: {e.strerror or e}") from None
    try:
        yield stage
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        stage.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {e.strerror or e}") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


@contextmanager
def staged_files(folder: Path):
    """Yield an empty temporary folder; on success every file in it moves into ``folder``
    (for commands that write a few files beside others, like ``diagram``)."""
    make_folder(folder)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".archcompiler.", dir=folder))
    except OSError as e:
        raise OutputError(f"cannot write in {folder}: {e.strerror or e}") from None
    try:
        yield stage
        for path in sorted(stage.iterdir()):
            path.replace(folder / path.name)
    except OSError as e:
        raise OutputError(f"cannot write in {folder}: {e.strerror or e}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
