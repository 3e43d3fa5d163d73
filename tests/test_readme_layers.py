"""The README's layer table lists every built-in kind with every option it takes, and the spec format's
limits are said before its errors."""

import re
from pathlib import Path

import pytest

from archcompiler.layers import KINDS
from archcompiler.layers.base import is_builtin

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ENTRY_FIELDS = {"type", "name", "inputs", "repeat", "when", "note"}  # every entry's, described above the table


def _section(title: str) -> str:
    return README.split(f"\n### {title}\n", 1)[1].split("\n### ", 1)[0]


def _rows() -> list[str]:
    return [line for line in _section("Layers").splitlines() if line.startswith("| ") and "`" in line]


BUILTIN = sorted(kind for kind, cls in KINDS.items() if is_builtin(cls) and kind != "input")  # inputs: 'inputs'


@pytest.mark.parametrize("kind", BUILTIN)
def test_the_layer_table_names_every_kind_and_its_options(kind):
    rows = [row for row in _rows() if f"`{kind}`" in row]
    assert rows, f"the README's layer table does not list `{kind}`"
    options = sorted(set(KINDS[kind].model_fields) - ENTRY_FIELDS)
    missing = [f for f in options if not re.search(rf"(?<!\w){re.escape(f)}(?!\w)", rows[0])]
    assert not missing, f"`{kind}`: options missing from its row: {missing}"


def test_what_the_format_does_not_support_comes_before_the_errors():
    text = README.index("\n### What the format does not support\n")
    assert README.index("\n### Layers\n") < text < README.index("\n### Errors\n")
    limits = _section("What the format does not support")
    for word in ("TimeDistributed", "Conv3D", "E-SOURCE", "tied", "flatten", "2147483648"):
        assert word in limits, word
