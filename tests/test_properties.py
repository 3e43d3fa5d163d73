"""Property-based tests (Hypothesis) of the promises the README makes:

1. whatever the input — a built-in spec with random mutations, random bytes — loading, validating and
   inferring either succeed or raise SpecErrors, each error located (file:line:column) and coded, within
   a few seconds; a spec that validates also renders its summary, diagram and docs;
2. a random *valid* spec over every layer kind and option validates, builds in Keras, and Keras agrees
   with the inference on every layer's shapes and parameter counts (``build_model``'s own check).

Profiles are registered in conftest.py: "ci" by default, HYPOTHESIS_PROFILE=long for a longer run."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from random_specs import valid_specs

from archcompiler.errors import SpecErrors
from archcompiler.library import SPECS_DIR
from archcompiler.resolve import graph_from_yaml, load_graph
from archcompiler.source import load_yaml

BUILTINS = sorted(SPECS_DIR.glob("*.yaml"))
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in BUILTINS}
TREES = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
SECONDS = 5.0  # no input may keep the core busy longer than this, in CPU time (built-ins take ~50 ms;
# the largest spec allowed, 20,000 layers, about 2 s) — CPU time, as the machine may be shared
# the slower properties (docs rendering, Keras builds) run a third as many examples as the profile says
FEWER = max(8, settings.default.max_examples // 3)


def load_text(text: str, name: str):
    """Load, validate and infer YAML text as if it were the built-in file ``name`` (so a relative
    ``extends`` still works). Returns the graph, or the SpecErrors it raised; anything else escapes."""
    path = SPECS_DIR / name
    start = time.process_time()
    try:
        return graph_from_yaml(load_yaml(text, str(path)), path)
    except SpecErrors as e:
        return e
    finally:
        assert time.process_time() - start < SECONDS, "the core took too long"


def assert_located(errors: SpecErrors) -> None:
    assert errors.errors, "SpecErrors without an error"
    for e in errors.errors:
        assert e.loc is not None and e.loc.line >= 1 and e.loc.column >= 1, f"no file:line:column: {e}"
        assert e.loc.file.endswith(".yaml"), f"not located in a spec file: {e}"
        assert e.code.startswith("E-") and e.code != "E-SPEC", f"no specific error code: {e} ({e.code})"
        assert e.message and "Traceback" not in str(e)


# --- random mutations of the built-in specs ------------------------------------------------------

YAML_CHARS = st.sampled_from(list(":{}[],-#&*!|>'\"\n ${}()._=+/\\%@`?\t0123456789abcxyz") + ["\x00", "\x7f", "é"])
SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(-3, 3), st.integers(-10**20, 10**20), st.sampled_from([0, 1, 2, 7, 64, 10**6, 10**9]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["same", "valid", "causal", "relu", "softmax", "concat", "add", "x", "dense", "conv2d",
                     "lstm", "2_conv", "block1", "input_1", "encoder.h", "encoder[2]", "a/b", ":fire:", "",
                     "${i}", "${None}", "${max()}", "${int('x')}", "${int(1e400)}", "${999999.0 ** 64}",
                     "${-'a'}", "${1 < 'a'}", "${filters * 2}", "${undefined}", "${", "${1/0}", "${2 ** 0.5}",
                     "${[1] * 10}", "${'a' * 3}", "${(-8) ** 0.5}", "${10 ** 15 * 10}", "${true and 1}"]),
    st.text(max_size=8),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(
                                                           ["type", "name", "inputs", "units", "filters",
                                                            "kernel", "shape", "layers", "x", "axis"]),
                                                           inner, max_size=3)), max_leaves=6)


def _places(tree, path=()):
    """Every (container, key) of a YAML tree, to pick one to mutate."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield tree, key
            yield from _places(value, path + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield tree, index
            yield from _places(value, path + (index,))


def _nudge(draw, value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(st.sampled_from([value + 1, value - 1, value * 2, value // 2, 0, 1, 2, 3, -1]))
    if isinstance(value, float):
        return draw(st.sampled_from([value * 2, value / 2, 0.0, 1.0, -value]))
    if isinstance(value, list) and value:
        value = list(value)
        index = draw(st.integers(0, len(value) - 1))
        value[index] = _nudge(draw, value[index])
        return value
    return value


@st.composite
def tree_mutants(draw):
    """A built-in spec with a few values replaced, removed or added, written back as YAML."""
    name = draw(st.sampled_from(sorted(TREES)))
    tree = copy.deepcopy(TREES[name])
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(tree))
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "nudge", "nudge", "delete", "add", "copy"]))
        if action == "nudge":  # a plausible value: small changes to numbers, a flipped flag
            container[key] = _nudge(draw, container[key])
        elif action == "replace":
            container[key] = draw(VALUES)
        elif action == "delete":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(["name", "inputs", "repeat", "when", "axis", "padding", "stride",
                                            "dilation", "groups", "bidirectional", "go_backwards",
                                            "return_state", "causal", "outputs", "output", "zzz"]))] = draw(VALUES)
        elif action == "copy":  # a value from elsewhere in the spec: plausible, often subtly wrong
            other_container, other_key = draw(st.sampled_from(places))
            container[key] = copy.deepcopy(other_container[other_key])
    return name, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


@st.composite
def text_mutants(draw):
    """A built-in spec's text with a few characters deleted, inserted or lines swapped."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "line"]))
        if action == "insert":
            text = text[:at] + draw(st.text(YAML_CHARS, min_size=1, max_size=6)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return name, text


def _check_mutant(name: str, text: str) -> None:
    result = load_text(text, name)
    if isinstance(result, SpecErrors):
        assert_located(result)


@given(tree_mutants())
def test_mutated_builtin_specs_give_located_errors_or_a_graph(mutant):
    _check_mutant(*mutant)


@given(text_mutants())
def test_mistyped_builtin_specs_give_located_errors_or_a_graph(mutant):
    _check_mutant(*mutant)


@given(st.binary(max_size=400))
def test_random_bytes_give_located_errors(data):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load_graph(path)
        except SpecErrors as e:
            assert_located(e)


@settings(max_examples=FEWER)
@given(tree_mutants())
def test_a_mutant_that_validates_renders_summary_diagram_and_docs(mutant):
    from archcompiler.emit.diagram import diagram_source, mermaid_text
    from archcompiler.emit.docs import render_doc
    from archcompiler.emit.summary import summary_text

    graph = load_text(mutant[1], mutant[0])
    if isinstance(graph, SpecErrors):
        return
    assert graph.name in summary_text(graph)
    assert "digraph" in diagram_source(graph, wrap=False).source
    assert mermaid_text(graph).strip()
    for lang in ("en", "ko"):
        assert render_doc(graph, lang).strip()


# --- random valid specs (tests/random_specs.py), built in Keras -----------------------------------

@pytest.fixture(scope="module")
def keras_build():
    from archcompiler.emit.keras_model import build_model, import_keras

    keras = import_keras()

    def build(graph):
        keras.backend.clear_session()
        return build_model(graph, check=True)

    return build


@settings(max_examples=FEWER)
@given(valid_specs())
def test_random_valid_specs_validate_build_and_agree_with_keras(keras_build, text):
    graph = load_text(text, "random.yaml")
    layers = yaml.safe_dump({k: v for k, v in yaml.safe_load(text).items() if k in ("inputs", "layers", "outputs")},
                            default_flow_style=None, width=200)
    assert not isinstance(graph, SpecErrors), f"a valid spec was rejected:\n{graph}\n{layers}"
    try:
        keras_build(graph)  # raises InferenceMismatch if Keras disagrees on any layer's shapes or parameters
    except Exception as e:
        raise AssertionError(f"{type(e).__name__}: {e}\n{layers}") from e
