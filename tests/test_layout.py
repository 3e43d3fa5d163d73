"""One kind, one place: emitters ask a layer's roles and never name a kind, so a new kind is its
module (plus, at most, its two templates) and no shared file changes."""

import ast
import re
from pathlib import Path

import archcompiler
from archcompiler.layers import FAMILIES, KINDS
from archcompiler.layers.base import Activation, is_builtin
from archcompiler.library import TEMPLATES_DIR

PACKAGE = Path(archcompiler.__file__).parent
EMITTERS = sorted((PACKAGE / "emit").rglob("*.py")) + [PACKAGE / "analysis.py", PACKAGE / "graph.py"]
# words that are a kind's name and also something else an emitter may rightly say
SHARED_WORDS = set(FAMILIES) | set(Activation.__args__)
KIND_WORDS = set(KINDS) - SHARED_WORDS
BUILTIN = {kind: cls for kind, cls in KINDS.items() if is_builtin(cls)}  # not an installed plugin's


def _names_a_kind(node) -> bool:
    """A string naming a kind, or a literal collection holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in KIND_WORDS
    return isinstance(node, (ast.Set, ast.Tuple, ast.List)) and any(_names_a_kind(e) for e in node.elts)


def kind_mentions(source: str) -> list[str]:
    """Kinds named in comparisons or in literal collections, and ``.kind`` tested against text:
    the ways an emitter used to single out kinds (dictionary keys and call arguments are free)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Set, ast.Tuple, ast.List)) and _names_a_kind(node):
            found.append(f"line {node.lineno}: a collection of kinds")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_a_kind(side) for side in sides):
                found.append(f"line {node.lineno}: compares with a kind")
            elif any(isinstance(side, ast.Attribute) and side.attr == "kind" for side in sides):
                found.append(f"line {node.lineno}: tests .kind")
        elif isinstance(node, ast.Attribute) and node.attr in ("startswith", "endswith") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "kind":
            found.append(f"line {node.lineno}: tests .kind")
    return found


def test_no_emitter_names_a_kind():
    offenders = {path.name: kind_mentions(path.read_text(encoding="utf-8")) for path in EMITTERS}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_catches_what_it_looks_for():
    assert kind_mentions('if node.kind == "rnn": pass') == ["line 1: compares with a kind"]
    assert kind_mentions('PADDING = {"zeropad2d", "zeropad1d"}') == ["line 1: a collection of kinds"]
    assert kind_mentions('ok = src.type in ("zeropad2d", "zeropad1d")') == ["line 1: compares with a kind",
                                                                            "line 1: a collection of kinds"]
    assert kind_mentions('if node.kind != other: pass') == ["line 1: tests .kind"]
    assert kind_mentions('op = "max" if node.kind.startswith("max") else "avg"') == ["line 1: tests .kind"]
    assert kind_mentions('if node.family == "conv": pass') == []
    assert kind_mentions('figures = {"flatten": draw()}') == []


TEMPLATE_KIND_TEST = re.compile(r"\bkind\s*(==|!=|\bin\b|\bnot in\b)|\bkind\.(startswith|endswith)\(")


def test_no_template_branches_on_a_kind():
    """Explanations are chosen per kind by file name (``kinds/<kind>.md.j2``); inside a template
    nothing tests a kind by its name (which is how a new kind once fell into another's branch)."""
    offenders = []
    for path in TEMPLATES_DIR.rglob("*.md.j2"):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if TEMPLATE_KIND_TEST.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES_DIR)}:{number}")
    assert offenders == []


def test_every_kind_declares_its_words_and_roles():
    for kind, cls in BUILTIN.items():  # plugin kinds are checked by archcompiler.plugins.check_kind
        assert cls.family in FAMILIES, kind
        assert set(cls.display) == {"en", "ko"}, f"{kind}: display names in English and Korean"
        assert cls.folds_into in (None, "previous", "next")
        assert cls.__module__.startswith("archcompiler.layers."), kind


def test_a_kind_is_one_module_and_a_module_stays_small():
    modules = {cls.__module__ for cls in BUILTIN.values()}
    for module in modules:
        path = PACKAGE / "layers" / f"{module.rsplit('.', 1)[1]}.py"
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name


def test_shape_propagation_over_a_finished_graph_gives_the_resolvers_figures():
    """shapes.infer_graph is the same pass the resolver runs node by node: re-running it over a
    built-in graph changes nothing."""
    from archcompiler.resolve import load_graph
    from archcompiler.shapes import infer_graph

    graph = load_graph("resnet18")
    before = {name: (n.shapes, n.trainable, n.non_trainable, n.macs) for name, n in graph.nodes.items()}
    assert infer_graph(graph) == []
    assert {name: (n.shapes, n.trainable, n.non_trainable, n.macs) for name, n in graph.nodes.items()} == before
