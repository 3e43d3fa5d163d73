"""`archcompiler diagram --lang en|ko|all`: the Korean diagram's files, Mermaid included, beside or
instead of the English ones; the docs keep their English-only Mermaid file."""

import re

import pytest
from typer.testing import CliRunner

from archcompiler.api import Architecture
from archcompiler.cli import app
from archcompiler.emit.diagram import mermaid_text, write_diagram
from archcompiler.resolve import load_graph

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def diagram(*args):
    result = CliRunner().invoke(app, ["diagram", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("lang, files", [
    (None, {"mgu.dot", "mgu.mmd", "mgu_cell_mgu.dot"}),  # default: English, as before the option
    ("en", {"mgu.dot", "mgu.mmd", "mgu_cell_mgu.dot"}),
    ("ko", {"mgu.ko.dot", "mgu.ko.mmd", "mgu_cell_mgu.ko.dot"}),
    ("all", {"mgu.dot", "mgu.mmd", "mgu_cell_mgu.dot", "mgu.ko.dot", "mgu.ko.mmd", "mgu_cell_mgu.ko.dot"}),
])
def test_lang_chooses_the_files(tmp_path, lang, files):
    result = diagram("mgu", "-f", "dot,mmd", "-o", tmp_path, *(["--lang", lang] if lang else []))
    assert {p.name for p in tmp_path.iterdir()} == files
    assert all(f"wrote {tmp_path / name}" in result.output.replace("\n", "") for name in files)


def test_korean_mermaid_is_the_korean_flowchart(tmp_path):
    diagram("mgu", "-f", "mmd", "--lang", "ko", "-o", tmp_path)
    assert (tmp_path / "mgu.ko.mmd").read_text(encoding="utf-8") == mermaid_text(load_graph("mgu"), lang="ko")
    assert HANGUL.search((tmp_path / "mgu.ko.mmd").read_text(encoding="utf-8"))


def test_korean_dot_is_labelled_in_korean(tmp_path):
    diagram("resnet18", "-f", "dot", "--lang", "all", "-o", tmp_path)
    english, korean = ((tmp_path / f).read_text(encoding="utf-8") for f in ("resnet18.dot", "resnet18.ko.dot"))
    assert not HANGUL.search(english) and "NanumGothic" in korean and "파라미터" in korean


def test_unknown_lang_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["diagram", "mgu", "--lang", "fr", "-o", str(tmp_path)])
    assert result.exit_code == 2 and not list(tmp_path.iterdir())


def test_the_docs_still_write_no_korean_mermaid(tmp_path):
    files = {p.name for p in write_diagram(load_graph("mgu"), tmp_path, ["dot", "mmd"], langs=("ko",))}
    assert files == {"mgu.dot", "mgu.mmd", "mgu_cell_mgu.dot", "mgu.ko.dot", "mgu_cell_mgu.ko.dot"}


def test_api_save_takes_langs(tmp_path):
    saved = Architecture(load_graph("mlp")).diagram().save(tmp_path, ["mmd"], langs=("en", "ko"))
    assert [p.name for p in saved] == ["mlp.mmd", "mlp.ko.mmd"]
