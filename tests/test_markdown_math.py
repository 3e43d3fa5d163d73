"""GitHub's math delimiter rules, applied to every generated Markdown document in both languages.

GitHub renders ``$…$`` as math only when the dollars hug the formula (no space just inside) and are
not glued to a letter, digit or bracket on the outside: ``($X_t$)`` and ``$1 - U_t$에`` come out as raw
text. Such formulas are written ``$`…`$``, which GitHub accepts anywhere."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.emit.concepts import CONCEPT_FILES, render_concepts
from archcompiler.emit.docs import LANGS, context, render_doc, write_index
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

FENCE = re.compile(r"^\s*(```|~~~)")
TICK_MATH = re.compile(r"\$`[^`\n]+`\$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
DOLLAR = re.compile(r"(?<!\\)\$")


def _glued(ch: str) -> bool:
    return ch.isalnum() or ch in "([{)]}\\$`"


def github_math_problems(text: str) -> list[str]:
    """Every place where GitHub would leave a formula unrendered, as 'line N: what'."""
    problems, fenced = [], False
    for no, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        whole = line.strip()
        if whole.startswith("$$") and whole.endswith("$$") and len(whole) > 4:
            if whole[2:-2] != whole[2:-2].strip():
                problems.append(f"line {no}: space just inside $$…$$")
            continue
        line = CODE_SPAN.sub("C", TICK_MATH.sub("M", line))
        if "$$" in line:
            problems.append(f"line {no}: $$ inside a line of text")
            continue
        dollars = [m.start() for m in DOLLAR.finditer(line)]
        if len(dollars) % 2:
            problems.append(f"line {no}: a $ without its pair")
            continue
        for start, end in zip(dollars[::2], dollars[1::2]):
            formula = line[start:end + 1]
            if formula[1:-1] != formula[1:-1].strip() or len(formula) == 2:
                problems.append(f"line {no}: space just inside {formula}")
            if start > 0 and _glued(line[start - 1]):
                problems.append(f"line {no}: {line[start - 1]!r} glued before {formula}")
            if end + 1 < len(line) and _glued(line[end + 1]):
                problems.append(f"line {no}: {line[end + 1]!r} glued after {formula}")
    return problems


# --- the rule itself ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "so 224×224×3 becomes 230×230×3($ 224 + 3 + 3 = 230 $).",  # the ResNet padding sentence as it was
    "현재 입력($X_t$)과",
    "$1 - U_t$에 해당",
    "a $x $ b",
    "cost$x$",
    "one $x$ and $y",
    "inline $$x$$ display",
    "$$ x = 1$$",
])
def test_rule_flags_what_github_leaves_raw(text):
    assert github_math_problems(text)


@pytest.mark.parametrize("text", [
    "so 224×224×3 becomes 230×230×3 ($`224 + 3 + 3 = 230`$).",
    "현재 입력($`X_t`$)과 $`1 - U_t`$에 해당",
    "- $F_t$ — **forget gate**: $x \\cdot y$, $z$.",
    "$$\\frac{a}{b} = 1$$",
    "a code span `${filters}` is not math, nor is \\$5",
    "```\n$ echo $?\n```",
])
def test_rule_accepts_what_github_renders(text):
    assert github_math_problems(text) == []


FORMULA = st.text(alphabet="xyzHUt_^{}+-=0123456789\\ ", min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and "$" not in s and not s.endswith("\\"))
WORDS = st.text(alphabet="ab 가나.,:;", max_size=10)


@given(FORMULA, WORDS, WORDS)
def test_spaced_formulas_pass_and_glued_ones_fail(formula, before, after):
    text = f"{before} ${formula}$ {after}"
    assert github_math_problems(text) == []
    assert github_math_problems(f"{before} $ {formula}$ {after}")
    assert github_math_problems(f"{before}가${formula}$ {after}")
    assert github_math_problems(f"{before} (${formula}$) {after}")
    assert github_math_problems(f"{before} ($`{formula}`$)가 {after}") == []


# --- every generated document ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """What `archcompiler docs --all` writes as Markdown: every built-in spec, the index and the concepts
    guide, in both languages."""
    graphs = [load_graph(name) for name in builtin_names()]
    docs = {}
    for g in graphs:
        ctx = context(g)
        for lang in LANGS:
            docs[f"{g.name}/{lang}"] = render_doc(g, lang, ctx)
    for path in write_index(graphs, tmp_path_factory.mktemp("index")):
        docs[path.name] = path.read_text(encoding="utf-8")
    for lang in LANGS:
        docs[CONCEPT_FILES[lang]] = render_concepts(lang, LANGS)
    return docs


def test_every_generated_document_follows_githubs_math_rules(documents):
    assert len(documents) == 2 * len(builtin_names()) + 4
    problems = {name: github_math_problems(text) for name, text in documents.items()}
    assert {name: p for name, p in problems.items() if p} == {}


def test_generated_documents_do_have_formulas(documents):
    # the rule must see real math: inline formulas in the Korean recurrent docs, display ones everywhere
    assert "$`X_t`$" in documents["lstm/ko"]
    assert sum(text.count("$$") for text in documents.values()) > 1000
