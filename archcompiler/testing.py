"""The project's property tests, for a plugin's own kinds: ``check_kind(MyKind, settings, shapes)``.

Hypothesis draws specs that use the kind — its settings (some written as ``${param}`` expressions),
input shapes, sometimes a second copy reading the first — and for each one checks what archcompiler
promises for built-in kinds:

- ``validate``/``infer`` either accept the spec or reject it with located, coded errors — never a
  traceback, never the plugin's own code failing (``E-PLUGIN-FAILED``);
- an accepted spec builds in Keras, and Keras agrees with ``infer`` on every layer's output shapes and
  trainable and non-trainable parameters (the build's own check), and on a real batch's output shapes;
- its docs render in English and Korean without falling back to the generic explanation, its diagram
  (Graphviz and Mermaid) is drawn, and its generated Python program builds the same model (same
  parameter count).

A failure raises AssertionError with the spec (YAML) that shows it, shrunk by Hypothesis. Needs
``hypothesis`` and Keras (``pip install 'archcompiler[keras,test]'``)."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from .errors import SpecErrors
from .layers.base import Layer


def check_kind(kind: type[Layer], settings=None, shapes=None, *, max_examples: int = 10,
               python_source: bool = True) -> int:
    """Run the property tests on ``kind``: ``settings`` draws dicts of its fields (default: none, so its
    defaults), ``shapes`` draws an input shape without the batch axis — a tuple, or a list of tuples for
    a kind with several inputs (default: small feature maps, height × width × channels). Returns how
    many drawn specs were valid (at least one must be)."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from .plugins import PluginError
    from .plugins import check_kind as check_declaration

    if not isinstance(kind, type) or not issubclass(kind, Layer):
        raise TypeError(f"check_kind takes a Layer subclass, not {kind!r}")
    try:
        check_declaration(kind)
    except PluginError as e:
        raise AssertionError(f"{e.message} (hint: {e.hint})") from None
    settings = st.just({}) if settings is None else settings
    shapes = shapes if shapes is not None else st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 16))
    valid = []

    @hypothesis_settings(max_examples=max_examples, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def run(data):
        spec = _draw_spec(data, kind, settings, shapes)
        text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
        if _check_spec(text, spec["name"], python_source):
            valid.append(text)

    run()
    assert valid, (f"none of the {max_examples} specs drawn for '{kind.model_fields['type'].default}' was valid: "
                   "the settings and shapes strategies should draw mostly valid combinations")
    return len(valid)


def _draw_spec(data, kind, settings, shapes) -> dict:
    from hypothesis import strategies as st

    name = kind.model_fields["type"].default
    drawn = data.draw(shapes, label="input shapes")
    shapes_in = drawn if isinstance(drawn, list) else [drawn]
    spec = {"name": f"check_{name}", "params": {}, "inputs": {}, "layers": []}
    for k, shape in enumerate(shapes_in):
        spec["inputs"][f"x{k}"] = {"shape": list(shape)}
    copies = 2 if len(shapes_in) == 1 and data.draw(st.booleans(), label="a second copy") else 1
    previous = list(spec["inputs"])
    for copy in range(1, copies + 1):
        entry = {"type": name, "name": f"{name}{copy}", "inputs": previous}
        for field, value in data.draw(settings, label=f"settings of copy {copy}").items():
            if isinstance(value, (int, float, str)) and not isinstance(value, bool) \
                    and data.draw(st.booleans(), label=f"{field} as a param"):
                spec["params"][f"{field}{copy}"] = value
                value = f"${{{field}{copy}}}"
            entry[field] = value
        spec["layers"].append(entry)
        previous = [entry["name"]]
    return spec


def _check_spec(text: str, name: str, python_source: bool) -> bool:
    """The checks on one drawn spec; False where it is (rightly) rejected."""
    from .resolve import graph_from_yaml
    from .source import load_yaml

    path = Path(f"{name}.yaml")
    try:
        graph = graph_from_yaml(load_yaml(text, str(path)), path)
    except SpecErrors as e:
        for error in e.errors:
            where = f"\n{error}\nin the spec:\n{text}"
            assert error.code != "E-PLUGIN-FAILED", f"the kind's own code failed:{where}"
            assert error.loc is not None and error.loc.line >= 1, f"an error without file:line:column:{where}"
            assert error.code.startswith("E-") and error.code != "E-SPEC", f"an error without a specific code:{where}"
        return False
    _check_keras(graph, text)
    _check_words(graph, text)
    if python_source:
        _check_source(graph, text)
    return True


def _check_keras(graph, text: str) -> None:
    import numpy as np

    from .emit.keras_model import build_model

    try:
        model = build_model(graph)  # checks every layer's shapes and parameter counts against Keras
    except SpecErrors as e:
        raise AssertionError(f"{e}\nin the spec:\n{text}") from None
    batch = [np.random.default_rng(0).random((2, *[3 if d is None else d for d in graph.nodes[n].shape]))
             .astype("float32") for n in graph.inputs]
    outputs = model(batch if len(batch) > 1 else batch[0])
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    for ref, out in zip(graph.outputs, outputs):
        inferred = graph.nodes[ref.node].shapes[ref.index]
        actual = tuple(out.shape[1:])
        assert len(actual) == len(inferred) and all(i is None or i == a for i, a in zip(inferred, actual)), (
            f"{ref}: infer gives {inferred}, a batch through Keras {actual}\nin the spec:\n{text}")
        assert np.all(np.isfinite(np.asarray(out))), f"{ref}: the Keras layer gives non-finite values\n{text}"


def _check_words(graph, text: str) -> None:
    from .emit.diagram import diagram_source, mermaid_text
    from .emit.docs import context, render_doc

    ctx = context(graph)
    for lang in ("en", "ko"):
        assert render_doc(graph, lang, ctx).strip()
    assert not ctx["doc"].fallbacks, f"docs fell back to the generic explanation: {ctx['doc'].fallbacks}\n{text}"
    diagram_source(graph, wrap=False).source
    mermaid_text(graph)


def _check_source(graph, text: str) -> None:
    from .emit.python_source import python_source

    program = python_source(graph)
    namespace: dict = {"__name__": f"{graph.name}_program"}
    exec(compile(program, f"<{graph.name}.py>", "exec"), namespace)  # the program archcompiler just wrote
    model = namespace["build_model"]()
    counted = sum(math.prod(w.shape) for w in model.weights)
    assert counted == graph.total_params, (f"the generated program's model has {counted:,} parameters, the spec "
                                           f"{graph.total_params:,}\n{text}\n{program}")
