"""The safety limits' comparisons at a small edge: each limit constant lowered (monkeypatched), then a document
or model exactly at it and one past it. test_rules_exact.py checks the real edges (20,000 layers, 200,000 YAML
values), which take 10–35 s a run; these take milliseconds, so mutation testing (which skips the real-size
ones, see [tool.mutmut] in pyproject.toml) still catches a ``>`` turned into ``>=`` or a limit read off by one.
Pure Python (no Keras)."""

import sys

import pytest

import archcompiler
import archcompiler.resolve  # noqa: F401  (its modules are where the limits live)
import archcompiler.source as source
from archcompiler.errors import SpecErrors
from archcompiler.source import load_yaml


def _lower(monkeypatch, name, value):
    """Set the limit ``name`` in every resolve module that defines it (it may be split into several)."""
    found = [m for key, m in list(sys.modules.items())
             if key.startswith("archcompiler.resolve") and m is not None and hasattr(m, name)]
    assert found, name
    for module in found:
        monkeypatch.setattr(module, name, value)


def _spec(layers, blocks=""):
    return f"name: t\ninputs:\n  x: {{shape: [4]}}\n{blocks}layers:\n{layers}"


def _errors(text):
    with pytest.raises(SpecErrors) as info:
        archcompiler.load(text)
    return info.value.errors


# --- YAML values (source.MAX_NODES) ------------------------------------------------------------

def test_value_budget_counts_the_root_each_list_and_each_item(monkeypatch):
    monkeypatch.setattr(source, "MAX_NODES", 5)
    assert load_yaml("a: [0, 0, 0]") == {"a": [0, 0, 0]}  # root 1 + list 1 + 3 items = 5
    with pytest.raises(SpecErrors) as info:
        load_yaml("a: [0, 0, 0, 0]")  # 6
    error = info.value.errors[0]
    assert error.code == "E-YAML-TOO-BIG" and error.message == "the document expands to more than 5 values"
    assert (error.loc.line, error.loc.column) == (1, 14)  # the sixth value: the fourth 0


def test_value_budget_counts_an_alias_each_time_it_is_read(monkeypatch):
    text = "a: &x [0, 0]\nb: *x\n"  # root 1 + (list 1 + 2) twice = 7
    monkeypatch.setattr(source, "MAX_NODES", 7)
    assert load_yaml(text) == {"a": [0, 0], "b": [0, 0]}
    monkeypatch.setattr(source, "MAX_NODES", 6)
    with pytest.raises(SpecErrors) as info:
        load_yaml(text)
    assert info.value.errors[0].code == "E-YAML-TOO-BIG"
    assert info.value.errors[0].message == "the document expands to more than 6 values"


def test_alias_bomb_stops_at_the_budget(monkeypatch):
    monkeypatch.setattr(source, "MAX_NODES", 1000)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [" + ", ".join([f"*{chr(97 + k)}"] * 9) + "]\n" for k in range(9))
    with pytest.raises(SpecErrors) as info:
        load_yaml(bomb)
    assert info.value.errors[0].message == "the document expands to more than 1,000 values"


# --- layers in a model (resolve: MAX_NODES counts the inputs too; MAX_REPEAT) ---------------------

def test_layer_budget_counts_the_input(monkeypatch):
    _lower(monkeypatch, "MAX_NODES", 30)
    assert len(archcompiler.load(_spec("  - {type: relu, repeat: 29}\n")).layers) == 29  # 29 + the input = 30
    errors = _errors(_spec("  - {type: relu, repeat: 30}\n"))
    assert [e.code for e in errors] == ["E-LIMIT"]
    assert errors[0].message == "the model has more than 30 layers"
    assert errors[0].hint == "check the 'repeat' counts"


def test_layer_budget_across_two_repeats(monkeypatch):
    _lower(monkeypatch, "MAX_NODES", 30)
    assert len(archcompiler.load(_spec("  - {type: relu, repeat: 15}\n  - {type: relu, repeat: 14}\n")).layers) == 29
    assert [e.code for e in _errors(_spec("  - {type: relu, repeat: 15}\n  - {type: relu, repeat: 15}\n"))] == [
        "E-LIMIT"]


def test_repeat_limit_edge(monkeypatch):
    _lower(monkeypatch, "MAX_REPEAT", 20)
    assert len(archcompiler.load(_spec("  - {type: relu, repeat: 20}\n")).layers) == 20
    errors = _errors(_spec("  - {type: relu, repeat: 21}\n"))
    assert [e.code for e in errors] == ["E-LIMIT"]
    assert errors[0].message == "repeat 21 is more than the limit of 20"
    assert (errors[0].loc.line, errors[0].path) == (5, "layers[0].repeat")


def test_repeat_limit_with_thousands_separators(monkeypatch):
    _lower(monkeypatch, "MAX_REPEAT", 1000)
    assert _errors(_spec("  - {type: relu, repeat: 1001}\n"))[0].message == (
        "repeat 1,001 is more than the limit of 1,000")


def _nested_blocks(depth):
    blocks = "".join(f"  b{i}: {{layers: [{{use: b{i + 1}}}]}}\n" for i in range(1, depth))
    return _spec("  - {use: b1}\n", "blocks:\n" + blocks + f"  b{depth}: {{layers: [{{type: relu}}]}}\n")


def test_block_depth_edge_lowered(monkeypatch):
    _lower(monkeypatch, "MAX_BLOCK_DEPTH", 3)
    assert len(archcompiler.load(_nested_blocks(3)).layers) == 1
    errors = _errors(_nested_blocks(4))
    assert [e.code for e in errors] == ["E-LIMIT"]
    assert errors[0].message == "blocks nested more than 3 deep"


# --- inputs of a merge (at most 64) and a declared cell's update expressions (500 characters, 200 parts) --

def _merge_of(count):
    names = ", ".join(f"r{i}" for i in range(1, count + 1))
    return _spec(f"  - {{type: relu, name: 'r${{i}}', repeat: {count}, inputs: [x]}}\n"
                 f"  - {{type: add, name: sum, inputs: [{names}]}}\n")


def test_a_merge_takes_at_most_64_inputs():
    assert len(archcompiler.load(_merge_of(64)).graph.nodes["sum"].inputs) == 64
    errors = [e for e in _errors(_merge_of(65)) if e.code == "E-INPUTS-COUNT"]
    assert [(e.message, e.path) for e in errors] == [("add takes 2 to 64 input(s), got 65", "layers[1].inputs")]


def test_a_cell_expression_length_edge():
    from archcompiler.cells.expressions import CellExprError, parse_update

    assert parse_update("h" + " " * 499).id == "h"  # 500 characters
    with pytest.raises(CellExprError) as info:
        parse_update("h" + " " * 500)
    assert info.value.message == "the expression is longer than 500 characters"


def test_a_cell_expression_parts_edge():
    from archcompiler.cells.expressions import CellExprError, parse_update

    # 66 additions (each a BinOp and its Add), the name h (a Name and its Load) and 66 numbers: 200 parts
    assert parse_update("h + " + " + ".join(["1"] * 66)) is not None
    with pytest.raises(CellExprError) as info:
        parse_update("h + h + " + " + ".join(["1"] * 65))  # a second name instead of a number: 201
    assert info.value.message == "the expression has more than 200 parts"
