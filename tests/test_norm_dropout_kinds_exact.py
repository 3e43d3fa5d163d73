"""``layernorm``, ``layer_scale``, ``lrn``, ``dropout`` and ``drop_path`` pinned exactly, without Keras: shapes,
parameters and MACs worked out by hand, every refusal (message, field, hint, code), the labels and briefs, the
Keras call (through a recording stand-in) and the figures the docs explain them with (``doc_facts``)."""


from kind_stand_in import FakeKeras, figures, infer, layer, refusal

import archcompiler
from archcompiler.analysis import Analysis


def facts(spec, name, analysed=True):
    graph = archcompiler.load(spec).graph
    node = graph.nodes[name]
    return node.layer.doc_facts(node, Analysis(graph) if analysed else graph)


# --- layernorm --------------------------------------------------------------------------------------------

def test_layernorm_figures():
    # γ and β, each as large as the normalised axes; a mean/variance pass and a scale/shift pass per value
    assert figures(infer("layernorm", [(4, 5, 6)])) == ([(4, 5, 6)], 2 * 6, 0, 4 * 5 * 6 * 2)
    assert figures(infer("layernorm", [(4, 5, 6)], center=False)) == ([(4, 5, 6)], 6, 0, 240)
    assert figures(infer("layernorm", [(4, 5, 6)], scale=False)) == ([(4, 5, 6)], 6, 0, 240)
    assert figures(infer("layernorm", [(4, 5, 6)], center=False, scale=False)) == ([(4, 5, 6)], 0, 0, 240)
    assert infer("layernorm", [(4, 5, 6)], axis=[1, 2]).trainable == 2 * 4 * 5
    assert infer("layernorm", [(4, 5, 6)], axis=1).trainable == 2 * 4
    assert figures(infer("layernorm", [(None, 6)])) == ([(None, 6)], 12, 0, 6 * 2)


def test_layernorm_axes_count_the_batch_axis_as_zero():
    ln = layer("layernorm")
    assert ln.axes((4, 5, 6)) == [2]
    for axis, axes in ((1, [0]), (3, [2]), (-3, [0]), (-2, [1]), ([2, 1], [0, 1]), ([-1, 1], [0, 2])):
        assert layer("layernorm", axis=axis).axes((4, 5, 6)) == axes
    for axis in (0, 4, -4, [1, 0], [1, 5]):
        bad = axis if isinstance(axis, int) else axis[-1]
        assert refusal("layernorm", [(4, 5, 6)], axis=axis) == (
            f"axis {bad} is not a feature axis of an input with 3 axes after the batch axis", "axis",
            "use 1 … 3 (counting the batch axis as 0, as Keras does) or -1 … -3", "E-VALUE-INVALID")
    assert refusal("layernorm", [(4,)], axis=2)[2] == "use 1 … 1 (counting the batch axis as 0, as Keras does) or -1 … -1"
    assert refusal("layernorm", [(4, 5, 6)], axis=[1, -3]) == (
        "axis [1, -3] names an axis twice", "axis", "", "E-VALUE-INVALID")
    assert refusal("layernorm", [(None, 6)], axis=1) == (
        "layer norm needs a known size on the axes it normalises over", "axis", "", "E-SHAPE")
    assert refusal("layernorm", [(6, None)], axis=[1, 2])[0] == (
        "layer norm needs a known size on the axes it normalises over")


def test_layernorm_keras_label_and_brief():
    assert layer("layernorm").keras(FakeKeras(), "L") == ("LayerNormalization", (), {
        "axis": -1, "epsilon": 1e-6, "center": True, "scale": True, "name": "L"})
    assert layer("layernorm", axis=[1, 2], epsilon=1e-3, center=False, scale=False).keras(FakeKeras(), "N") == (
        "LayerNormalization", (), {"axis": [1, 2], "epsilon": 1e-3, "center": False, "scale": False, "name": "N"})
    cases = [({}, "layer norm", "층 정규화"),
             ({"center": False}, "layer norm, γ only", "층 정규화, γ만"),
             ({"scale": False}, "layer norm, β only", "층 정규화, β만"),
             ({"center": False, "scale": False}, "layer norm, no γ, β", "층 정규화, γ, β 없음"),
             ({"axis": 1}, "layer norm, axis 1", "층 정규화, 축 1"),
             ({"axis": [1, 2], "scale": False}, "layer norm, β only, axis [1, 2]", "층 정규화, β만, 축 [1, 2]")]
    for fields, en, ko in cases:
        ln = layer("layernorm", **fields)
        assert (ln.label(), ln.brief("en"), ln.brief("ko")) == (en, en, ko)
    assert layer("layernorm").default_name() == "layer_normalization"


NORMS = """
name: norms
inputs:
  x: {shape: [4, 6]}
layers:
  - {type: dense, name: a, units: 6}
  - {type: add, name: sum, inputs: [x, a]}
  - {type: layernorm, name: ln}
  - {type: layernorm, name: ln2, axis: 1, center: false, epsilon: 0.001}
  - {type: layernorm, name: ln3, inputs: [a], axis: [1, 2], scale: false, center: false}
  - {type: concat, name: cat, inputs: [ln2, ln3]}
"""


def test_layernorm_doc_facts():
    assert facts(NORMS, "ln") == {
        "in": (4, 6), "out": (4, 6), "d": 6, "epsilon": 1e-6, "params": 12, "params_ok": True, "after_add": True,
        "add": "sum", "positions": (4,), "last_axis": True, "center": True, "scale": True, "learned": 2,
        "axes": [2]}
    assert facts(NORMS, "ln2") == {
        "in": (4, 6), "out": (4, 6), "d": 4, "epsilon": 0.001, "params": 4, "params_ok": True, "after_add": False,
        "add": "ln", "positions": (6,), "last_axis": False, "center": False, "scale": True, "learned": 1,
        "axes": [1]}
    f = facts(NORMS, "ln3")
    assert (f["d"], f["params"], f["params_ok"], f["after_add"], f["add"], f["positions"], f["last_axis"],
            f["learned"], f["axes"]) == (24, 0, True, False, "a", (), False, 0, [1, 2])


# --- layer_scale ------------------------------------------------------------------------------------------

def test_layer_scale():
    # one factor per channel, one product per value
    assert figures(infer("layer_scale", [(3, 4, 8)])) == ([(3, 4, 8)], 8, 0, 3 * 4 * 8)
    assert figures(infer("layer_scale", [(None, 8)])) == ([(None, 8)], 8, 0, 8)
    assert figures(infer("layer_scale", [(5,)])) == ([(5,)], 5, 0, 5)
    for shape in ((), (4, None)):
        assert refusal("layer_scale", [shape]) == (
            "layer scale needs a known number of channels (the last axis)", "", "", "E-SHAPE")
    assert layer("layer_scale").keras(FakeKeras(), "L") == ("LayerScale", (1e-6,), {"name": "L"})
    assert layer("layer_scale", init_value=0.1).keras(FakeKeras(), "S") == ("LayerScale", (0.1,), {"name": "S"})
    s = layer("layer_scale")
    assert (s.label(), s.brief("en"), s.brief("ko")) == ("layer scale γ₀=1e-06", "layer scale γ₀=1e-06",
                                                         "레이어 스케일 γ₀=1e-06")
    s = layer("layer_scale", init_value=0.25)
    assert (s.label(), s.brief("en"), s.brief("ko")) == ("layer scale γ₀=0.25", "layer scale γ₀=0.25",
                                                         "레이어 스케일 γ₀=0.25")
    assert s.default_name() == "layer_scale"


SCALES = """
name: scales
inputs:
  x: {shape: [4, 8]}
layers:
  - {type: dense, name: a, units: 8}
  - {type: layer_scale, name: g, init_value: 0.01}
  - {type: activation, name: r, activation: relu}
  - {type: drop_path, name: dp, rate: 0.1}
  - {type: add, name: sum, inputs: [x, dp]}
  - {type: layer_scale, name: g2}
  - {type: dropout, name: d, rate: 0.5}
  - {type: dense, name: out, units: 8}
  - {type: layer_scale, name: g3, inputs: [sum]}
  - {type: add, name: sum2, inputs: [g3, out]}
  - {type: dense, name: o2, inputs: [g3], units: 2}
outputs: [sum2, o2]
"""


def test_layer_scale_doc_facts():
    # through an activation and a drop path to the add
    assert facts(SCALES, "g") == {"in": (4, 8), "out": (4, 8), "c": 8, "init": 0.01, "params": 8, "params_ok": True,
                                  "feeds_add": True}
    f = facts(SCALES, "g2")  # through a dropout to a dense layer
    assert (f["c"], f["init"], f["params"], f["feeds_add"]) == (8, 1e-6, 8, False)
    assert facts(SCALES, "g3")["feeds_add"] is True  # read by an add and a dense layer
    spec = """
name: maps
inputs:
  x: {shape: [2, 3, 8]}
layers:
  - {type: layer_scale, name: g}
"""
    f = facts(spec, "g")  # the channels are the last axis
    assert (f["c"], f["params"], f["params_ok"], f["feeds_add"]) == (8, 8, True, False)


# --- lrn --------------------------------------------------------------------------------------------------

def test_lrn():
    assert figures(infer("lrn", [(5, 5, 8)])) == ([(5, 5, 8)], 0, 0, 0)
    for shape in ((5, 8), (2, 5, 5, 8)):
        assert refusal("lrn", [shape]) == (
            f"lrn expects an input of rank 3 (without batch), got shape ({', '.join(map(str, shape))})", "", "",
            "E-SHAPE")
    assert layer("lrn").keras(FakeKeras(), "L") == ("LocalResponseNormalization", (2, 2.0, 1e-4, 0.75),
                                                    {"name": "L"})
    n = layer("lrn", depth_radius=3, bias=1.0, alpha=2e-5, beta=0.5)
    assert n.keras(FakeKeras(), "N") == ("LocalResponseNormalization", (3, 1.0, 2e-5, 0.5), {"name": "N"})
    assert (layer("lrn").label(), layer("lrn").brief("en"), layer("lrn").brief("ko")) == (
        "LRN (n=5)", "LRN (n=5)", "국소 응답 정규화(LRN), n=5")
    assert (n.label(), n.brief("en"), n.brief("ko")) == ("LRN (n=7)", "LRN (n=7)", "국소 응답 정규화(LRN), n=7")
    assert n.default_name() == "lrn"
    spec = """
name: alex
inputs:
  x: {shape: [6, 6, 16]}
layers:
  - {type: lrn, name: n, depth_radius: 3, bias: 1.0, alpha: 0.00002, beta: 0.5}
"""
    assert facts(spec, "n") == {"in": (6, 6, 16), "out": (6, 6, 16), "radius": 3, "window": 7, "bias": 1.0,
                                "alpha": 2e-5, "beta": 0.5, "c": 16, "params": 0}


# --- dropout and drop path --------------------------------------------------------------------------------

def test_dropout_noise_shape():
    assert figures(infer("dropout", [(4, 6)], rate=0.5)) == ([(4, 6)], 0, 0, 0)
    for noise in ([1, None], [4, 1], [None, None], [4, 6], [1, 1]):
        assert infer("dropout", [(4, 6)], rate=0.5, noise_shape=noise).shapes == [(4, 6)]
    assert infer("dropout", [(None, 6)], rate=0.5, noise_shape=[1, 6]).shapes == [(None, 6)]
    hint = "one entry per axis: 1, null or the axis' size"
    assert refusal("dropout", [(4, 6)], rate=0.5, noise_shape=[3, 1]) == (
        "noise_shape (3, 1) does not fit the input (4, 6)", "noise_shape", hint, "E-SHAPE")
    assert refusal("dropout", [(4, 6)], rate=0.5, noise_shape=[1, 2]) == (
        "noise_shape (1, 2) does not fit the input (4, 6)", "noise_shape", hint, "E-SHAPE")
    assert refusal("dropout", [(4, 6)], rate=0.5, noise_shape=[1]) == (
        "noise_shape (1) does not fit the input (4, 6)", "noise_shape", hint, "E-SHAPE")
    assert refusal("dropout", [(4, 6)], rate=0.5, noise_shape=[1, 1, 1])[0] == (
        "noise_shape (1, 1, 1) does not fit the input (4, 6)")
    assert refusal("dropout", [(None, 6)], rate=0.5, noise_shape=[2, 6])[0] == (
        "noise_shape (2, 6) does not fit the input (None, 6)")


def test_dropout_and_drop_path_keras_label_and_brief():
    assert layer("dropout", rate=0.5).keras(FakeKeras(), "L") == ("Dropout", (0.5,), {"noise_shape": None,
                                                                                      "name": "L"})
    assert layer("dropout", rate=0.2, noise_shape=[1, None]).keras(FakeKeras(), "D") == (
        "Dropout", (0.2,), {"noise_shape": (None, 1, None), "name": "D"})
    d = layer("dropout", rate=0.25)
    assert (d.label(), d.brief("en"), d.brief("ko"), d.default_name()) == (
        "dropout 0.25", "dropout 0.25", "드롭아웃 0.25", "dropout")
    p = layer("drop_path", rate=0.1)
    settled = p.settle([(4, 5, 6)])
    assert settled.noise_shape == [1, 1, 1] and p.noise_shape is None
    assert layer("drop_path", rate=0.1).settle([(7,)]).noise_shape == [1]
    assert settled.keras(FakeKeras(), "P") == ("Dropout", (0.1,), {"noise_shape": (None, 1, 1, 1), "name": "P"})
    assert figures(settled.infer([(4, 5, 6)])) == ([(4, 5, 6)], 0, 0, 0)
    assert (p.label(), p.brief("en"), p.brief("ko"), p.default_name()) == (
        "drop path 0.1", "drop path 0.1", "드롭 패스 0.1", "drop_path")


DROPS = """
name: drops
inputs:
  x: {shape: [4, 6]}
  s: {shape: [null, 6]}
layers:
  - {type: dropout, name: d, inputs: [x], rate: 0.25}
  - {type: dropout, name: dn, inputs: [x], rate: 0.5, noise_shape: [1, null]}
  - {type: drop_path, name: dp, inputs: [x], rate: 0.2}
  - {type: dropout, name: ds, inputs: [s], rate: 0.5, noise_shape: [1, null]}
  - {type: dropout, name: dt, inputs: [s], rate: 0.5, noise_shape: [null, 1]}
outputs: [d, dn, dp, ds, dt]
"""


def test_dropout_doc_facts():
    assert facts(DROPS, "d") == {
        "in": (4, 6), "out": (4, 6), "rate": 0.25, "keep": 0.75, "scale": 1 / 0.75, "units": 24, "dropped": 6,
        "mask": None, "per_sample": False, "decisions": None, "proposed": 2012, "history": False}
    f = facts(DROPS, "dn")
    assert (f["rate"], f["keep"], f["scale"], f["units"], f["dropped"], f["mask"], f["per_sample"],
            f["decisions"]) == (0.5, 0.5, 2.0, 24, 12, [1, 6], False, 6)
    f = facts(DROPS, "dp")  # one decision per sample
    assert (f["mask"], f["per_sample"], f["decisions"], f["dropped"], f["keep"]) == ([1, 1], True, 1, 5, 0.8)
    f = facts(DROPS, "ds", analysed=False)
    assert (f["units"], f["dropped"], f["mask"], f["per_sample"], f["decisions"]) == (None, None, [1, 6], False, 6)
    f = facts(DROPS, "dt")
    assert (f["units"], f["dropped"], f["mask"], f["per_sample"], f["decisions"]) == (
        None, None, [None, 1], False, None)
    conv = """
name: c
inputs:
  x: {shape: [8, 8, 3]}
layers:
  - {type: conv2d, name: c, filters: 4, kernel: 3}
  - {type: dropout, name: d, rate: 0.5}
"""
    assert facts(conv, "d")["history"] is True
    assert facts(conv, "d", analysed=False)["history"] is True
