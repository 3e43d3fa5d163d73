"""The concepts guide (concepts.md / concepts.ko.md): its worked examples recomputed by Keras (the
convolution, pooling, softmax, Glorot's limit, clipping, one RNN, LSTM and GRU step), the output-size
rule against the project's own inference, and the written guide: both languages, every section the
per-spec docs link to, its figures (Korean ones labelled in Korean), no number left unfilled."""

import math
import re
import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler import concepts as C
from archcompiler.emit.concept_figures import figures
from archcompiler.emit.concepts import CONCEPT_FILES, FIGURES_DIR, render_concepts, write_concepts
from archcompiler.resolve import load_graph

HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def keras():
    from archcompiler.emit.keras_model import import_keras

    return import_keras()


@pytest.fixture(scope="module")
def lesson():
    return C.lesson()


# --- the worked examples, recomputed by Keras ----------------------------------------------

def test_worked_convolution_matches_keras(keras, lesson):
    cv = lesson["conv"]
    x = np.array(cv["input"], dtype="float32").transpose(1, 2, 0)[None]  # channels last
    pad = keras.layers.ZeroPadding2D(cv["padding"])
    conv = keras.layers.Conv2D(cv["filters"], cv["k"], strides=cv["stride"])
    y = conv(pad(x))
    kernel = np.array(cv["weights"], dtype="float32").transpose(2, 3, 1, 0)  # (rows, cols, in, filters)
    conv.set_weights([kernel, np.array(cv["biases"], dtype="float32")])
    y = np.asarray(conv(pad(x)))[0]
    assert y.shape == cv["out_shape"] == (3, 3, 2)
    assert conv.count_params() == cv["params"] == 56
    np.testing.assert_array_equal(y.transpose(2, 0, 1), np.array(cv["outputs"], dtype="float32"))


def test_worked_position_adds_up(lesson):
    cv = lesson["conv"]
    sums = [sum(a * w for a, w in t["pairs"]) for t in cv["terms"]]
    assert [t["sum"] for t in cv["terms"]] == sums
    assert sum(sums) + cv["biases"][0] == cv["shown_value"] == cv["outputs"][0][cv["shown"][0]][cv["shown"][1]]
    assert cv["in_padding"] == 3  # the window at row 0 reaches into the top border: one row of zeros
    assert all(x == 0 for t in cv["terms"] for x, _ in t["pairs"][:3])


def test_worked_convolution_matches_project_inference(spec_file, lesson):
    cv = lesson["conv"]
    g = load_graph(spec_file(f"""
        name: worked
        inputs: {{x: {{shape: [{cv['n']}, {cv['n']}, {cv['channels']}]}}}}
        layers:
          - {{type: conv2d, filters: {cv['filters']}, kernel: {cv['k']}, stride: {cv['stride']}, padding: {cv['padding']}}}
        """))
    assert g.nodes[g.outputs[0].node].shape == cv["out_shape"]
    assert g.total_params == cv["params"]


def test_pooling_matches_keras(keras, lesson):
    p = lesson["pool"]
    x = np.array(p["patch"], dtype="float32")[None, :, :, None]
    assert np.asarray(keras.layers.MaxPooling2D(2)(x))[0, :, :, 0].tolist() == p["max"] == [[6, 4], [7, 9]]
    assert np.asarray(keras.layers.AveragePooling2D(2)(x))[0, :, :, 0].tolist() == p["avg"]
    assert (-np.asarray(keras.layers.MaxPooling2D(2)(-x))[0, :, :, 0]).tolist() == p["min"] == [[1, 0], [0, 3]]


def test_softmax_matches_keras(keras, lesson):
    s = lesson["softmax"]
    expected = np.asarray(keras.ops.softmax(np.array([s["scores"]], dtype="float64")))[0]
    np.testing.assert_allclose(s["probs"], expected, rtol=1e-6)
    assert s["probs"][0] == pytest.approx(0.836, abs=5e-4)


def test_glorot_limit_is_keras_bound(keras, lesson):
    cv = lesson["conv"]
    shape = (cv["k"], cv["k"], cv["channels"], cv["filters"])
    draws = np.concatenate([np.asarray(keras.initializers.GlorotUniform(seed=s)(shape)).ravel() for s in range(40)])
    assert np.abs(draws).max() <= cv["glorot_limit"] + 1e-6
    assert np.abs(draws).max() > 0.98 * cv["glorot_limit"]  # the bound is reached, not just respected
    assert cv["glorot_limit"] == pytest.approx(math.sqrt(6 / 45))


def test_clipnorm_matches_keras_optimizer(keras, lesson):
    clip = lesson["clip"]
    v = keras.Variable(np.zeros(3, dtype="float32"))
    keras.optimizers.SGD(learning_rate=1.0, clipnorm=clip["c"]).apply_gradients(
        [(np.array(clip["g"], dtype="float32"), v)])
    np.testing.assert_allclose(-np.asarray(v), clip["clipped"], rtol=1e-6)
    assert clip["norm"] == 13 and clip["by_value"] == [3, 4, 5]


def test_one_unit_rnn_matches_keras(keras, lesson):
    r = lesson["one_unit"]
    layer = keras.layers.SimpleRNN(1, return_sequences=True)
    xs = np.array(r["inputs"], dtype="float32")[None, :, None]
    layer(xs)
    layer.set_weights([np.array([[r["w"]]]), np.array([[r["u"]]]), np.zeros(1)])
    np.testing.assert_allclose(np.asarray(layer(xs))[0, :, 0], r["h"], rtol=1e-5)
    # ∂H5/∂H1 by finite differences of the recurrence
    def last(h1):
        for x in r["inputs"][1:]:
            h1 = math.tanh(r["u"] * h1 + r["w"] * x)
        return h1
    eps = 1e-6
    numeric = (last(r["h"][0] + eps) - last(r["h"][0] - eps)) / (2 * eps)
    assert r["gradient"] == pytest.approx(numeric, rel=1e-5)


def test_lstm_step_matches_keras(keras, lesson):
    s = lesson["lstm"]
    layer = keras.layers.LSTM(1, return_state=True)
    x = np.array([[[s["x"]]]], dtype="float32")
    states = [np.array([[s["h"]]], dtype="float32"), np.array([[s["c"]]], dtype="float32")]
    layer(x, initial_state=states)
    order = "IFGO"  # Keras' gate order: input, forget, candidate, output
    w = s["weights"]
    layer.set_weights([np.array([[w[g][0] for g in order]]), np.array([[w[g][1] for g in order]]),
                       np.array([w[g][2] for g in order])])
    out, h, c = layer(x, initial_state=states)
    assert float(h[0, 0]) == pytest.approx(s["h_new"], rel=1e-5)
    assert float(c[0, 0]) == pytest.approx(s["c_new"], rel=1e-5)


def test_gru_step_matches_keras_with_z_as_one_minus_update(keras, lesson):
    s = lesson["gru"]
    layer = keras.layers.GRU(1, return_state=True, reset_after=False)
    x = np.array([[[s["x"]]]], dtype="float32")
    h0 = [np.array([[s["h"]]], dtype="float32")]
    layer(x, initial_state=h0)
    w = s["weights"]
    # Keras' order is z, r, h; its z is 1 − U_t = σ(−pre_U), so the update gate's weights enter negated
    z, r, hh = tuple(-v for v in w["U"]), w["R"], w["h"]
    layer.set_weights([np.array([[z[0], r[0], hh[0]]]), np.array([[z[1], r[1], hh[1]]]),
                       np.array([z[2], r[2], hh[2]])])
    out, h = layer(x, initial_state=h0)
    assert float(h[0, 0]) == pytest.approx(s["h_new"], rel=1e-5)


def test_powers_and_truncation(lesson):
    assert lesson["powers"]["vanish"] == pytest.approx(0.00515, abs=1e-5)
    assert lesson["powers"]["explode"] == pytest.approx(117.39, abs=0.01)
    assert lesson["relu"]["relu"] == pytest.approx(lesson["powers"]["explode"])
    assert -1 < lesson["relu"]["tanh"] < 1
    tb = lesson["tbptt"]
    assert tb["windows"] == [(1, 5), (6, 10), (11, 15), (16, 20)]
    assert (tb["full_factors"], tb["truncated_factors"]) == (19, 4)


def test_nested_h_has_one_tanh_per_level():
    for level, text in enumerate(C.nested_h(4), start=1):
        assert text.count(r"\tanh") == level == text.count("U ")
        assert text.count("(") == text.count(")")
        assert f"H_{{t-{level}}}" in text


# --- properties of the helpers ------------------------------------------------------------

@given(n=st.integers(1, 9), k=st.integers(1, 4), p=st.integers(0, 2), s=st.integers(1, 3), channels=st.integers(1, 2))
def test_convolve_size_follows_the_formula(n, k, p, s, channels):
    if n + 2 * p < k:
        return
    inputs = [[[(i * 7 + j * 3 + c) % 3 for j in range(n)] for i in range(n)] for c in range(channels)]
    filters = [[[[1] * k for _ in range(k)] for _ in range(channels)]]
    padded, outputs = C.convolve(inputs, filters, [0], p, s)
    out = C.output_size(n, k, p, s)
    assert len(outputs[0]) == len(outputs[0][0]) == out
    # an all-ones filter sums its window: the top-left value is the sum of the padded corner
    assert outputs[0][0][0] == sum(padded[c][a][b] for c in range(channels) for a in range(k) for b in range(k))


@given(st.lists(st.floats(-30, 30), min_size=1, max_size=8))
def test_softmax_is_a_distribution_in_score_order(scores):
    probs = C.softmax(scores)
    assert sum(probs) == pytest.approx(1.0)
    assert all(p > 0 for p in probs)
    best = max(range(len(scores)), key=scores.__getitem__)
    assert probs[best] == max(probs)


@given(st.lists(st.integers(0, 9), min_size=16, max_size=16))
def test_pooling_orders_max_average_min(values):
    patch = [values[i:i + 4] for i in range(0, 16, 4)]
    hi, mean, lo = (C.pool(patch, 2, op) for op in (max, lambda v: sum(v) / len(v), min))
    assert all(lo[i][j] <= mean[i][j] <= hi[i][j] for i in range(2) for j in range(2))


# --- the written guide ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guide")
    write_concepts(folder, ("en", "ko"), notify=lambda msg: None)
    return folder


def test_both_languages_have_every_linked_section(guide):
    for lang in ("en", "ko"):
        text = (guide / CONCEPT_FILES[lang]).read_text(encoding="utf-8")
        anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
        assert set(C.SECTION_OF_FAMILY.values()) <= anchors
        assert set(re.findall(r"\]\(#([^)]+)\)", text)) <= anchors  # the contents line points at real sections
        assert not [f for f in re.findall(r"\$\$(.*?)\$\$", text, re.S) if "?" in f]  # no unknown number
        assert text.count("$$") % 2 == 0


def test_guide_shows_the_lecture_numbers(guide):
    en = (guide / "concepts.md").read_text(encoding="utf-8")
    for figure in ("= 56$$", "= 3$$", "0.9^{ 50 } = 0.005154", "1.1^{ 50 } = 117.4", "25,088", "150,528,000"):
        assert figure in en
    ko = (guide / "concepts.ko.md").read_text(encoding="utf-8")
    assert "= 56$$" in ko and "117.4" in ko


def test_figures_for_both_languages(guide):
    names = set(figures("en", C.lesson()))
    for lang in ("en", "ko"):
        for name in names:
            stem = name if lang == "en" else f"{name}.ko"
            dot = (guide / FIGURES_DIR / f"{stem}.dot").read_text(encoding="utf-8")
            assert ("NanumGothic" in dot) == (lang == "ko")
            if shutil.which("dot"):
                svg = (guide / FIGURES_DIR / f"{stem}.svg").read_text(encoding="utf-8")
                assert (guide / FIGURES_DIR / f"{stem}.png").stat().st_size > 0
                assert bool(HANGUL.search(svg)) == (lang == "ko"), f"{stem}.svg"


def test_korean_figures_are_labelled_in_korean():
    for name, source in figures("ko", C.lesson()).items():
        labels = re.findall(r'label="([^"]*)"', source) + re.findall(r"<TD[^>]*BORDER=\"0\">([^<]*)</TD>", source)
        worded = [t for t in labels if re.search(r"[A-Za-z]{3,}", t) and not re.fullmatch(r"[A-Z]\d*|[A-Z]", t)]
        assert not worded, f"{name}: English words in a Korean figure: {worded}"


def test_guide_is_rendered_without_keras():
    import subprocess
    import sys

    code = ("import sys; from archcompiler.emit.concepts import render_concepts; render_concepts('ko', ('en', 'ko')); "
            "print('keras' in sys.modules or 'tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_render_is_stable():
    assert render_concepts("en", ("en",)) == render_concepts("en", ("en",))


# --- wired into the library -------------------------------------------------------------------

def test_first_layer_of_each_family_links_its_section():
    assert C.first_of_each_section(load_graph("vgg16")) == {
        "block1_conv1": "convolution", "block1_pool": "pooling", "fc1": "fully-connected"}
    assert C.first_of_each_section(load_graph("rnn")) == {"rnn": "rnn", "predictions": "fully-connected"}


def test_docs_all_writes_the_guide_and_every_link_lands(tmp_path):
    from rich.console import Console

    from archcompiler.build import docs_graphs

    graphs = [load_graph("lenet5"), load_graph("lstm")]
    docs_graphs(graphs, tmp_path, ("en", "ko"), index=True, status=Console(file=open("/dev/null", "w")))
    for lang, readme in (("en", "README.md"), ("ko", "README.ko.md")):
        guide = (tmp_path / CONCEPT_FILES[lang]).read_text(encoding="utf-8")
        anchors = set(re.findall(r'<a id="([^"]+)"></a>', guide))
        assert f"]({CONCEPT_FILES[lang]})" in (tmp_path / readme).read_text(encoding="utf-8")
        for g in graphs:
            links = re.findall(r"\]\(\.\./" + re.escape(CONCEPT_FILES[lang]) + r"#([^)]+)\)",
                               (tmp_path / g.name / readme).read_text(encoding="utf-8"))
            assert sorted(links) == sorted(C.first_of_each_section(g).values())  # one link per family, each once
            assert set(links) <= anchors
        for figure in re.findall(r"\]\((concepts_figures/[^)]+)\)", guide):
            assert (tmp_path / figure).is_file()


def test_a_single_spec_without_the_guide_has_no_dangling_link(tmp_path):
    from archcompiler.emit.docs import write_docs

    for path in write_docs(load_graph("lenet5"), tmp_path):
        assert "concepts.md" not in path.read_text(encoding="utf-8")
        assert "concepts.ko.md" not in path.read_text(encoding="utf-8")
