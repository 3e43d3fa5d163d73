"""The Python API: ``archcompiler.load`` over every kind of source, its plain data, its outputs, and one
exception type with located messages."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import archcompiler
from archcompiler import Architecture, SpecErrors, load
from archcompiler.errors import Loc

ROOT = Path(__file__).resolve().parent.parent
SMALL = "name: small\ninputs: {x: {shape: [4]}}\nlayers:\n  - {type: dense, units: 3}\n  - {type: dnse, units: 3}\n"


@pytest.fixture(scope="module")
def vgg16():
    return load("vgg16")


# --- sources ----------------------------------------------------------------------------------

def test_the_package_exports_load_the_result_class_and_one_exception_type():
    assert {"load", "Architecture", "SpecErrors", "__version__"} <= set(archcompiler.__all__)
    assert archcompiler.__version__ == "0.1.0"
    with pytest.raises(AttributeError):
        archcompiler.nothing_here  # noqa: B018


def test_a_builtin_name_with_params(vgg16):
    assert isinstance(vgg16, Architecture) and vgg16.name == "vgg16" and vgg16.title == "VGG-16"
    assert vgg16.totals["params"] == 138_357_544 and vgg16.totals["macs"] == 15_470_264_320
    small = load("vgg16", num_classes=10)
    assert small.totals["params"] == 134_301_514 and small.params["num_classes"] == 10
    mlp = load("mlp", hidden_layers=3, width=512)  # 784·512+512, 512·256+256, 256·128+128, 128·10+10
    assert mlp.totals["params"] == 401_920 + 131_328 + 32_896 + 1_290
    assert load("googlenet", aux=True).totals["params"] > load("googlenet", aux=False).totals["params"]


def test_an_unknown_param_raises_spec_errors():
    with pytest.raises(SpecErrors) as caught:
        load("vgg16", num_clases=10)
    assert "unknown param 'num_clases'" in str(caught.value) and "num_classes" in str(caught.value)


def test_paths_as_text_and_as_path_objects(tmp_path, monkeypatch):
    spec = tmp_path / "Net.YAML"
    spec.write_text((ROOT / "specs" / "mlp.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load(spec).totals["params"] == load(str(spec)).totals["params"] == 235_146
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecErrors) as caught:
        load(Path("vgg16"))  # a Path is a file, never a built-in name
    assert caught.value.errors[0].code == "E-SPEC-NOT-FOUND"
    with pytest.raises(SpecErrors) as caught:
        load(str(tmp_path / "typo" / "vgg16.yaml"))
    assert "no such spec file" in str(caught.value) and "bare name: vgg16" in str(caught.value)


def test_yaml_text_loads_and_its_mistakes_point_into_the_string():
    ok = load(SMALL.replace("dnse", "dense"))
    assert ok.totals["params"] == (4 * 3 + 3) + (3 * 3 + 3)
    with pytest.raises(SpecErrors) as caught:
        load(SMALL)
    [error] = caught.value.errors
    assert error.loc == Loc("<string>", 5, 12) and error.path == "layers[1].type"
    assert str(caught.value) == "<string>:5:12: layers[1].type: unknown layer type 'dnse' (hint: did you mean 'dense'?)"


def test_yaml_text_may_extend_a_builtin():
    child = load("name: small_vgg\nextends: vgg16\nparams: {size: 32, num_classes: 10}\n")
    assert child.name == "small_vgg" and child.totals == load("vgg16", size=32, num_classes=10).totals


def test_a_dict_loads_and_its_mistakes_are_located_by_path():
    spec = yaml.safe_load(SMALL.replace("dnse", "dense"))
    spec["inputs"]["x"]["shape"] = (4,)  # tuples are lists
    assert load(spec).totals["params"] == 27
    spec["layers"][1]["type"] = "dnse"
    with pytest.raises(SpecErrors) as caught:
        load(spec)
    assert str(caught.value) == "<dict>: layers[1].type: unknown layer type 'dnse' (hint: did you mean 'dense'?)"
    spec["layers"][1] = {"type": "dense", "units": {1, 2}}
    with pytest.raises(SpecErrors) as caught:
        load(spec)
    assert str(caught.value).startswith("<dict>: layers[1].units: unsupported value of type set")


def test_other_sources_are_a_type_error():
    with pytest.raises(TypeError, match="not int"):
        load(42)


# --- properties -------------------------------------------------------------------------------

dense = st.fixed_dictionaries({"type": st.just("dense"), "units": st.integers(1, 64)},
                              optional={"activation": st.sampled_from(["relu", "tanh", "softmax", "linear"]),
                                        "use_bias": st.booleans()})


@given(width=st.integers(1, 64), layers=st.lists(dense, min_size=1, max_size=6))
def test_a_dict_and_its_yaml_text_give_the_same_figures(width, layers):
    spec = {"name": "net", "inputs": {"x": {"shape": [width]}}, "layers": layers}
    from_dict, from_text = load(spec), load(yaml.safe_dump(spec, sort_keys=False))
    expected, fan_in = 0, width
    for layer in layers:
        expected += fan_in * layer["units"] + (layer["units"] if layer.get("use_bias", True) else 0)
        fan_in = layer["units"]
    assert from_dict.totals["params"] == from_text.totals["params"] == expected
    assert [r["shape"] for r in from_dict.layers] == [[layer["units"]] for layer in layers]
    assert from_dict.layers == from_text.layers


@given(units=st.lists(st.integers(1, 9), min_size=1, max_size=8), data=st.data())
def test_a_mistake_in_yaml_text_is_located_at_its_line_and_column(units, data):
    bad = data.draw(st.integers(0, len(units) - 1))
    lines = ["name: t", "inputs: {x: {shape: [4]}}", "layers:"]
    lines += [f"  - {{type: dense, units: {u}{', unitz: 1' if k == bad else ''}}}" for k, u in enumerate(units)]
    with pytest.raises(SpecErrors) as caught:
        load("\n".join(lines) + "\n")
    [error] = caught.value.errors
    assert error.loc == Loc("<string>", 4 + bad, lines[3 + bad].index("unitz") + 1)
    assert error.path == f"layers[{bad}].unitz"


plain = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=20)


@given(extra=st.dictionaries(st.sampled_from(["name", "inputs", "layers", "params", "blocks", "outputs", "junk"]),
                             plain, max_size=4))
def test_any_dict_loads_or_raises_spec_errors_located_in_the_dict(extra):
    spec = {"name": "t", "inputs": {"x": {"shape": [4]}}, "layers": [{"type": "dense", "units": 2}], **extra}
    try:
        load(spec)
    except SpecErrors as e:
        assert e.errors and all(error.loc is not None and error.loc.file in ("<dict>", "--set") for error in e.errors)


@given(st.text(max_size=300).filter(lambda s: s != "-"))
def test_any_string_loads_or_raises_spec_errors(source):
    try:
        load(source)
    except SpecErrors as e:
        assert e.errors and all(error.loc is not None for error in e.errors)


def test_a_spec_without_inputs_is_a_located_error():
    with pytest.raises(SpecErrors) as caught:
        load({"name": "t", "inputs": {}, "layers": [{"type": "dense", "units": 2}]})
    assert caught.value.errors[0].loc.file == "<dict>"


# --- plain data -------------------------------------------------------------------------------

def test_layers_summary_and_totals_are_plain_data(vgg16):
    summary = vgg16.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["layers"] == vgg16.layers and summary["totals"] == vgg16.totals
    assert summary["inputs"] == [{"name": "image", "shape": [224, 224, 3], "dtype": "float32"}]
    conv = vgg16.layer("block1_conv1")
    assert conv == {"name": "block1_conv1", "type": "conv2d", "family": "conv", "inputs": ["image"],
                    "shape": [224, 224, 64], "shapes": [[224, 224, 64]], "params": 1_792, "trainable": 1_792,
                    "non_trainable": 0, "macs": 224 * 224 * 64 * 27}
    assert sum(r["params"] for r in vgg16.layers) == vgg16.totals["params"]
    assert vgg16.totals["flops"] == 2 * vgg16.totals["macs"] and vgg16.totals["depth"] == 16
    with pytest.raises(KeyError):
        vgg16.layer("image")  # an input, not a layer
    seq2seq = load("seq2seq").summary()
    assert seq2seq["inputs"][0]["shape"] == [None, 71]  # a variable length is None (JSON null)
    assert next(r for r in seq2seq["layers"] if r["name"] == "encoder")["shapes"] == [[256], [256], [256]]  # output, h, c
    assert "Total params: 138,357,544" in vgg16.summary_text()


def test_notebook_display(vgg16):
    assert repr(vgg16) == "<Architecture vgg16: 22 layers, 138,357,544 params, 15,470,264,320 MACs>"
    table = vgg16._repr_markdown_()
    assert table.startswith("**VGG-16** (`vgg16`): 22 layers, 138,357,544 parameters")
    assert sum(line.startswith("| ") for line in table.splitlines()) == 1 + 22
    assert "| block1_conv1 | conv2d | 224×224×64 | 1,792 | 86,704,128 |" in table


# --- outputs ----------------------------------------------------------------------------------

def test_diagram_shows_as_svg_or_mermaid(vgg16, monkeypatch, tmp_path):
    drawing = vgg16.diagram(rankdir="LR")
    assert "block1_conv1" in drawing.dot and "rankdir=LR" in drawing.dot
    assert drawing.mermaid.startswith("flowchart") and "block5_pool" in drawing.mermaid
    if shutil.which("dot"):
        svg = drawing._repr_svg_()
        assert "<svg" in svg and "block1_conv1" in svg and drawing._repr_markdown_() is None
    monkeypatch.setattr(shutil, "which", lambda name: None)
    bare = vgg16.diagram()
    assert bare._repr_svg_() is None and bare._repr_markdown_().startswith("```mermaid\nflowchart")
    monkeypatch.undo()
    written = vgg16.diagram().save(tmp_path, ["dot", "mmd"])
    assert written == [tmp_path / "vgg16.dot", tmp_path / "vgg16.mmd"] and all(p.is_file() for p in written)
    with pytest.raises(ValueError):
        vgg16.diagram(rankdir="BT")


def test_docs_in_both_languages(vgg16):
    english, korean = vgg16.docs(), vgg16.docs("ko")
    assert english._repr_markdown_() == english and english.startswith("# VGG-16")
    assert "138,357,544" in english and any("\uac00" <= ch <= "\ud7a3" for ch in korean)
    with pytest.raises(ValueError):
        vgg16.docs("fr")


def test_compare_lists_what_changed_from_alexnet_to_zfnet():
    alexnet, zfnet = load("alexnet"), load("zfnet")
    comparison = alexnet.compare(zfnet)
    changes = {c.name: c for c in comparison.changes}
    assert changes["conv1"].change == "changed"
    assert ("kernel", "11×11", "7×7") in changes["conv1"].what and ("stride", "4×4", "2×2") in changes["conv1"].what
    assert changes["conv1"].a.params == 11 * 11 * 3 * 96 + 96 and changes["conv1"].b.params == 7 * 7 * 3 * 96 + 96
    assert changes["conv1_pad"].change == "added"
    data = comparison.as_dict()
    assert data["totals"]["params"]["delta"] == zfnet.totals["params"] - alexnet.totals["params"]
    assert data["totals"]["macs"]["delta"] == zfnet.totals["macs"] - alexnet.totals["macs"]
    assert len(comparison.changes) + comparison.unchanged == len(set(r["name"] for r in alexnet.layers + zfnet.layers))
    assert "| ~ | conv1 | conv2d | kernel 11×11 → 7×7; stride 4×4 → 2×2; output 55×55×96 → 110×110×96 |" \
        in comparison.markdown()
    assert "| ~ | conv1 | 합성곱 | 커널 11×11 → 7×7; 스트라이드 4×4 → 2×2; 출력 55×55×96 → 110×110×96 |" \
        in comparison.markdown("ko")
    assert not load("vgg16").compare(load("vgg16")).changes


# --- Keras (imports TensorFlow: a few seconds) --------------------------------------------------

def test_keras_model_agrees_with_the_inferred_figures():
    keras = pytest.importorskip("keras")
    lenet = load("lenet5")
    model = lenet.keras_model()
    assert isinstance(model, keras.Model) and model.count_params() == lenet.totals["params"] == 61_706
    for record in lenet.layers:
        assert list(model.get_layer(record["name"]).output.shape[1:]) == record["shape"], record["name"]


def test_build_writes_every_output_into_its_folder(tmp_path):
    keras = pytest.importorskip("keras")
    folder = load("mlp", num_classes=3).build(tmp_path, langs=["en"])
    assert folder == tmp_path / "mlp"
    names = {p.name for p in folder.iterdir()}
    assert {"mlp.keras", "summary.txt", "mlp.dot", "mlp.mmd", "README.md"} <= names and "README.ko.md" not in names
    assert keras.saving.load_model(folder / "mlp.keras").count_params() == 235_146 - 7 * 129


def test_the_docs_comparison_starts_from_the_spec_a_spec_extends(tmp_path):
    from archcompiler.compare import changes_from_parent

    zfnet = changes_from_parent(load("zfnet").graph)
    assert (zfnet["name"], zfnet["title"], zfnet["rows"]) == ("alexnet", "AlexNet", 11)
    assert "| ~ | conv1 | conv2d | kernel 11×11 → 7×7;" in zfnet["markdown"]["en"]
    assert zfnet["markdown"]["ko"].startswith("|  | 층 | 종류 | 바뀐 점 |")
    vgg19 = changes_from_parent(load("vgg19").graph)
    assert vgg19["name"] == "vgg16" and vgg19["rows"] == 3
    assert changes_from_parent(load("alexnet").graph) is None
    assert changes_from_parent(load("name: v\nextends: vgg16\n").graph) is None  # no file to read it from
    (tmp_path / "base.yaml").write_text(SMALL.replace("dnse", "dense"), encoding="utf-8")
    (tmp_path / "child.yaml").write_text("name: child\nextends: base.yaml\nlayers: [{type: dense, units: 5}]\n")
    child = changes_from_parent(load(tmp_path / "child.yaml").graph)
    assert child["name"] == "small" and child["rows"] == 2  # dense_1 removed, dense changed 3 → 5 units


def test_the_docs_of_zfnet_and_vgg19_show_what_changed_from_their_parents():
    zfnet = load("zfnet").docs()
    assert "### What changed from AlexNet" in zfnet and "This spec extends `alexnet`." in zfnet
    assert "| ~ | conv1 | conv2d | kernel 11×11 → 7×7; stride 4×4 → 2×2;" in zfnet
    vgg19 = load("vgg19").docs("ko")
    assert "### VGG-16에서 바뀐 점" in vgg19 and "| + | block3_conv4 | 합성곱 |" in vgg19 and "<details>" not in vgg19
    assert "<details><summary>층 170개가 다릅니다</summary>" in load("resnet101").docs("ko")
    assert "What changed from" not in load("alexnet").docs()


def test_python_source_is_a_program_that_builds_the_same_model():
    pytest.importorskip("keras")
    lenet = load("lenet5", num_classes=7)
    source = lenet.python_source()
    assert not [line for line in source.splitlines() if line.startswith(("import archcompiler", "from archcompiler"))]
    namespace = {"__name__": "lenet5_program"}
    exec(compile(source, "lenet5.py", "exec"), namespace)
    assert namespace["build_model"](num_classes=7).count_params() == lenet.totals["params"] == 61_706 - 3 * 85
