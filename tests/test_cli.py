"""The command line: its conventions (help, completion, choices, JSON, stdin, stdout for data and stderr
for status), exit codes 0/1/2/3 without tracebacks, and no TensorFlow on the fast paths.

Most tests run the app in-process (CliRunner); a fresh process only where the process itself matters."""

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, run_cli
from typer.testing import CliRunner

from archcompiler import api
from archcompiler.cli import app

runner = CliRunner()
MLP = (ROOT / "specs" / "mlp.yaml").read_text(encoding="utf-8")


def invoke(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def test_fast_commands_and_the_api_never_import_tensorflow(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        import archcompiler
        from archcompiler.cli import app
        runner = CliRunner()
        for args in (["validate", "vgg16"], ["summary", "vgg16", "--json"], ["list"], ["schema"],
                     ["diagram", "vgg16", "--out", r"{tmp_path}", "--format", "dot,mmd"],
                     ["docs", "vgg16", "--out", r"{tmp_path / 'docs'}"], ["compare", "alexnet", "zfnet"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (args, result.output)
        vgg = archcompiler.load("vgg16")
        vgg.summary(), vgg.diagram().dot, vgg.diagram().mermaid, vgg.docs("ko")
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "jax", "torch"))
        print("HEAVY", heavy)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HEAVY []" in result.stdout


def test_validate_reports_all_errors_with_exit_2_and_no_traceback(spec_file):
    path = spec_file("""
        name: broken
        inputs:
          x: {shape: [32, 32, 3]}
        layers:
          - {type: conv, filters: 8, kernel: 3}
          - {type: dense, units: 10, activation: softmaxx}
          - {type: flatten, inputs: [nowhere]}
    """)
    result = run_cli("validate", path)  # a real process: the real exit code and stderr
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, result.stderr
    assert f"{path}:5:12: layers[0].type: unknown layer type 'conv' (hint: did you mean 'conv2d'?)" in lines[0]
    assert f"{path}:6:42" in lines[1] and "'softmaxx'" in lines[1] and "did you mean 'softmax'?" in lines[1]
    assert f"{path}:7:30" in lines[2] and "nowhere" in lines[2]


def test_validate_good_specs_and_set():
    result = invoke("validate", "vgg16", "--set", "num_classes=10")
    assert result.exit_code == 0 and "134,301,514 params" in result.stdout
    result = invoke("validate", "vgg16", "--set", "num_classes")
    assert result.exit_code == 2 and "NAME=VALUE" in result.stderr
    result = invoke("validate", "vgg16", "--set", "num_classes=ten")
    assert result.exit_code == 2 and "expects an integer" in result.stderr
    result = invoke("validate", "vgg16", "--set", "size=16")
    assert result.exit_code == 2 and "block5_pool" in result.stderr and "larger than the input" in result.stderr


def test_summary_table_totals():
    result = invoke("summary", "vgg16")
    assert result.exit_code == 0
    assert "block1_conv1" in result.stdout and "1,792" in result.stdout
    assert "Total params: 138,357,544" in result.stdout and "15,470,264,320" in result.stdout


# --- which file a SPEC names ------------------------------------------------------------------

def test_any_existing_file_is_a_spec_whatever_its_extension(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.YAML").write_text(MLP.replace("name: mlp", "name: upper"), encoding="utf-8")
    (tmp_path / "mynet").write_text(MLP.replace("name: mlp", "name: bare"), encoding="utf-8")
    result = invoke("validate", "my.YAML", "./mynet", "mynet")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["✓ my.YAML: upper, 3 layers, 235,146 params",
                                          "✓ ./mynet: bare, 3 layers, 235,146 params",
                                          "✓ mynet: bare, 3 layers, 235,146 params"]


def test_a_missing_path_is_an_error_even_when_its_name_is_a_builtin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vgg16").mkdir()  # a build output folder does not hide the built-in
    for typo in (tmp_path / "nope" / "vgg16.yaml", "vgg16.yaml", "./vgg16.yml"):
        result = invoke("validate", typo)
        assert result.exit_code == 2 and "✓" not in result.stdout, typo
        assert f"error: {typo}: no such spec file (hint: to use the built-in spec, write its bare name: vgg16)" \
            in result.stderr
    assert invoke("validate", "vgg16").exit_code == 0
    result = invoke("summary", "vgg61")
    assert result.exit_code == 2 and "no built-in spec named 'vgg61'" in result.stderr and "'vgg19'" in result.stderr
    result = invoke("summary", "./vgg16")
    assert result.exit_code == 2 and "'./vgg16' is a folder, not a spec file" in result.stderr


def test_a_dash_reads_the_spec_from_stdin():
    result = invoke("validate", "-", input=MLP)
    assert result.exit_code == 0 and result.stdout == "✓ -: mlp, 3 layers, 235,146 params\n"
    broken = MLP.replace("units: \"${max(width", "units: \"${max(widht", 1)
    assert broken != MLP
    result = invoke("summary", "-", input=broken)
    assert result.exit_code == 2 and result.stderr.startswith("error: <stdin>:") and "widht" in result.stderr
    result = invoke("validate", "-", input=b"name: t\xff\n")
    assert result.exit_code == 2 and "error: <stdin>: not UTF-8 text (hint: save the spec as UTF-8)" in result.stderr


# --- conventions ------------------------------------------------------------------------------

def test_help_short_option_and_completion_are_offered():
    for args in (["-h"], ["--help"], ["build", "-h"]):
        result = invoke(*args)
        assert result.exit_code == 0 and "Usage:" in result.stdout, args
    assert "--install-completion" in invoke("-h").stdout
    help_text = invoke("diagram", "-h").stdout
    assert "svg, png, dot, mmd" in help_text and "[TB|LR]" in help_text
    assert "<en|ko|all>" in invoke("docs", "-h").stdout


@pytest.mark.parametrize("words, expected", [
    ("archcompiler summary vg", ["vgg16", "vgg19"]),
    ("archcompiler diagram vgg16 -f svg,p", ["svg,png"]),
    ("archcompiler docs --lang ", ["en", "ko", "all"]),
    ("archcompiler diagram vgg16 --rankdir ", ["TB", "LR"]),
    ("archcompiler di", ["diagram", "diff"]),
])
def test_shell_completion_of_specs_commands_and_choices(words, expected):
    env = {"_ARCHCOMPILER_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = runner.invoke(app, [], env=env, prog_name="archcompiler")
    assert result.stdout.split() == expected


@pytest.mark.parametrize("args, word", [
    (["docs", "vgg16", "--lang", "fr"], "'fr' is not one of 'en', 'ko', 'all'"),
    (["diagram", "vgg16", "--rankdir", "XY"], "'XY' is not one of"),
    (["diagram", "vgg16", "-f", "dot,jpeg"], "unknown format 'jpeg'; choose from svg, png, dot, mmd"),
])
def test_declared_choices_refuse_other_values_with_exit_2(args, word):
    result = invoke(*args)
    assert result.exit_code == 2 and word in result.stderr, result.output


def test_json_output_has_the_documented_keys():
    result = invoke("validate", "mlp", "nope.yaml", "--json")
    assert result.exit_code == 2 and result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) == {"ok", "specs"} and data["ok"] is False
    good, bad = data["specs"]
    assert set(good) == {"spec", "ok", "name", "file", "layers", "params", "macs", "errors"}
    assert (good["ok"], good["layers"], good["params"]) == (True, 3, 235_146)
    assert set(bad) == {"spec", "ok", "errors"} and bad["ok"] is False
    assert set(bad["errors"][0]) == {"code", "file", "line", "column", "path", "message", "hint", "text"}
    assert bad["errors"][0]["code"] == "E-SPEC-NOT-FOUND"

    summary = json.loads(invoke("summary", "lenet5", "--json").stdout)
    assert set(summary) == {"name", "title", "file", "params", "inputs", "outputs", "layers", "totals"}
    assert set(summary["totals"]) == {"layers", "params", "trainable", "non_trainable", "macs", "flops", "depth"}
    assert summary["totals"]["params"] == 61_706 and summary["totals"]["flops"] == 2 * summary["totals"]["macs"]
    c1 = summary["layers"][0]
    assert set(c1) == {"name", "type", "family", "inputs", "shape", "shapes", "params", "trainable",
                       "non_trainable", "macs"}
    assert (c1["name"], c1["shape"], c1["params"]) == ("c1", [28, 28, 6], 156)

    listed = json.loads(invoke("list", "--json").stdout)
    assert [r["name"] for r in listed] == sorted(r["name"] for r in listed)
    vgg16 = next(r for r in listed if r["name"] == "vgg16")
    assert vgg16 == {"name": "vgg16", "title": "VGG-16", "family": "cnn", "year": 2014, "layers": 22,
                     "params": 138_357_544, "macs": 15_470_264_320}


def test_stdout_is_for_data_and_status_goes_to_stderr(tmp_path):
    result = invoke("diagram", "mlp", "-f", "dot", "-f", "mmd", "--out", tmp_path)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [f"wrote {tmp_path / 'mlp.dot'}", f"wrote {tmp_path / 'mlp.mmd'}"]
    result = invoke("docs", "mlp", "--lang", "en", "--out", tmp_path / "docs")
    assert result.exit_code == 0 and result.stdout == "" and "wrote" in result.stderr
    assert (tmp_path / "docs" / "mlp" / "README.md").is_file()
    assert not (tmp_path / "docs" / "mlp" / "README.ko.md").exists()


def test_compare_and_its_alias_in_the_terminal_as_json_and_as_markdown():
    table = invoke("compare", "alexnet", "zfnet")
    assert table.exit_code == 0 and "alexnet → zfnet" in table.stdout and "kernel 11×11 → 7×7" in table.stdout
    data = json.loads(invoke("diff", "vgg16", "vgg19", "--json").stdout)
    assert [(c["change"], c["name"]) for c in data["layers"]] == [
        ("added", "block3_conv4"), ("added", "block4_conv4"), ("added", "block5_conv4")]
    assert data["totals"]["params"] == {"a": 138_357_544, "b": 143_667_240, "delta": 5_309_696}
    markdown = invoke("compare", "vgg16", "vgg19", "--markdown", "--lang", "ko").stdout
    assert markdown.startswith("|  | 층 | 종류 | 바뀐 점 | 파라미터 | MACs |")
    assert "| + | block3_conv4 | 합성곱 |" in markdown and "+590,080" in markdown
    assert invoke("compare", "vgg16", "vgg19", "--json", "--markdown").exit_code == 2


# --- no traceback, ever -----------------------------------------------------------------------

def test_an_internal_error_is_one_line_exit_3_and_debug_shows_the_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(api, "load_graph", broken)
    result = invoke("summary", "vgg16")
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("internal error: ZeroDivisionError: division by zero — this is a bug")
    assert "report it" in result.stderr
    result = invoke("--debug", "summary", "vgg16")
    assert result.exit_code == 3 and "Traceback (most recent call last)" in result.stderr
    assert "in broken" in result.stderr and result.stderr.rstrip().splitlines()[-1].startswith("internal error:")


def test_user_text_is_printed_literally_without_markup_or_emoji(spec_file):
    padding = "".join(f"# line {k}\n" for k in range(1, 97))
    path = spec_file(f"""name: t
title: ":fire: [bold]hot[/bold] :100:"
{padding}inputs: {{x: {{shape: [4]}}}}
layers: [{{type: dense, units: 2}}, {{type: dense, units: 2, activaton: relu}}]
""")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert f"error: {path}:100:59: layers[1].activaton:" in result.stderr, result.stderr
    path.write_text(path.read_text().replace(", activaton: relu", ""))
    result = invoke("summary", path)
    assert result.exit_code == 0 and ":fire: [bold]hot[/bold] :100: (t)" in result.stdout


def test_write_failure_of_the_schema_is_one_line_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = invoke("schema", "--out", blocker / "schema.json")
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot write") and result.stderr.count("\n") == 1


def test_schema_is_json_with_every_layer_kind():
    from archcompiler.layers import KINDS

    schema = json.loads(invoke("schema").stdout)
    text = json.dumps(schema)
    for kind in KINDS:
        if kind != "input":
            assert f'"const": "{kind}"' in text or f'"enum": ["{kind}"]' in text, kind
    assert "layers" in schema["properties"] and "blocks" in schema["properties"]


def test_every_builtin_spec_validates_against_the_schema_and_mistakes_do_not():
    jsonschema = pytest.importorskip("jsonschema")
    from archcompiler.library import SPECS_DIR
    from archcompiler.source import load_file, load_yaml
    from archcompiler.spec import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    plain = lambda data: json.loads(json.dumps(data))  # noqa: E731
    for path in sorted(SPECS_DIR.glob("*.yaml")):
        errors = list(validator.iter_errors(plain(load_file(path))))
        assert not errors, (path.name, errors[0].message)
    for bad in ("{type: conv2d, filter: 8, kernel: 3}", "{type: conv2d, filters: many, kernel: 3}",
                "{type: dense, units: 4, activation: softmaxx}", "{type: convolution, filters: 8}"):
        spec = plain(load_yaml(f"name: t\ninputs: {{x: {{shape: [4]}}}}\nlayers:\n  - {bad}\n"))
        assert list(validator.iter_errors(spec)), bad


def test_diagram_rankdir_is_case_insensitive(tmp_path):
    result = invoke("diagram", "mlp", "--rankdir", "lr", "-f", "dot", "--out", tmp_path)
    assert result.exit_code == 0 and "rankdir=LR" in (tmp_path / "mlp.dot").read_text()


def test_a_reader_that_leaves_early_is_no_internal_error():
    """`archcompiler summary vgg16 --json | head -1`: the pipe closes; a quiet exit 1, no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "archcompiler", "summary", "mlp", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # nobody reads: the first write fails with EPIPE
    assert process.wait(timeout=120) == 1
    assert process.stderr.read() == b""
