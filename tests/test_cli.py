"""The command line: exit codes, located errors without tracebacks, and no TensorFlow on the fast paths."""

import json
import subprocess
import sys
import textwrap

from conftest import run_cli


def test_fast_commands_never_import_tensorflow(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from archcompiler.cli import app
        runner = CliRunner()
        for args in (["validate", "vgg16"], ["summary", "vgg16"], ["list"], ["schema"],
                     ["diagram", "vgg16", "--out", r"{tmp_path}", "--format", "dot,mmd"],
                     ["docs", "vgg16", "--out", r"{tmp_path / 'docs'}"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (args, result.output)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "jax", "torch"))
        print("HEAVY", heavy)
        assert not heavy, heavy
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
    result = run_cli("validate", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, result.stderr
    assert f"{path}:5:12: layers[0].type: unknown layer type 'conv' (hint: did you mean 'conv2d'?)" in lines[0]
    assert f"{path}:6:42" in lines[1] and "'softmaxx'" in lines[1] and "did you mean 'softmax'?" in lines[1]
    assert f"{path}:7:30" in lines[2] and "nowhere" in lines[2]


def test_validate_good_specs_and_set(spec_file):
    result = run_cli("validate", "vgg16", "--set", "num_classes=10")
    assert result.returncode == 0 and "134,301,514 params" in result.stdout
    result = run_cli("validate", "vgg16", "--set", "num_classes")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr
    result = run_cli("validate", "vgg16", "--set", "num_classes=ten")
    assert result.returncode == 2 and "expects an integer" in result.stderr
    result = run_cli("validate", "vgg16", "--set", "size=16")
    assert result.returncode == 2 and "block5_pool" in result.stderr and "larger than the input" in result.stderr


def test_unknown_spec_and_missing_file():
    result = run_cli("summary", "vgg61")
    assert result.returncode == 2 and "no such spec" in result.stderr and "did you mean 'vgg1" in result.stderr


def test_summary_table_totals():
    result = run_cli("summary", "vgg16")
    assert result.returncode == 0
    assert "block1_conv1" in result.stdout and "1,792" in result.stdout
    assert "Total params: 138,357,544" in result.stdout and "15,470,264,320" in result.stdout


def test_schema_is_json_with_every_layer_kind():
    from archcompiler.layers import KINDS

    result = run_cli("schema")
    schema = json.loads(result.stdout)
    text = json.dumps(schema)
    for kind in KINDS:
        if kind != "input":
            assert f'"const": "{kind}"' in text or f'"enum": ["{kind}"]' in text, kind
    assert "layers" in schema["properties"] and "blocks" in schema["properties"]


def test_every_builtin_spec_validates_against_the_schema_and_mistakes_do_not():
    jsonschema = __import__("pytest").importorskip("jsonschema")
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
