"""`archcompiler build`: every output of a spec, whole or not at all."""

import os
import shutil

import pytest

from conftest import run_cli

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def lenet_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    result = run_cli("build", "lenet5", "mlp", "--out", out, timeout=300)
    return out, result


def test_build_writes_model_summary_diagram_and_docs(lenet_build):
    out, result = lenet_build
    assert result.returncode == 0, result.stderr
    folder = out / "lenet5"
    names = {p.name for p in folder.iterdir()}
    assert {"lenet5.keras", "summary.txt", "lenet5.dot", "lenet5.mmd", "README.md", "README.ko.md"} <= names
    if shutil.which("dot"):
        assert {"lenet5.svg", "lenet5.png"} <= names
    assert (out / "mlp" / "mlp.keras").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folders left behind
    model = keras.saving.load_model(folder / "lenet5.keras")
    assert model.count_params() == 61_706
    assert tuple(model.get_layer("c1").output.shape[1:]) == (28, 28, 6)
    assert "Total params: 61,706" in (folder / "summary.txt").read_text()


def test_bad_spec_builds_nothing(tmp_path, spec_file):
    path = spec_file("""
        name: broken
        inputs: {x: {shape: [4]}}
        layers:
          - {type: dense, units: 0}
    """)
    result = run_cli("build", path, "--out", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "broken").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_folder_is_one_line_and_exit_1(tmp_path):  # pragma: no cover - CI runs as root
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    result = run_cli("build", "mlp", "--out", locked)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_write_failure_is_one_line_exit_1_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("build", "mlp", "--out", blocker / "sub")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "not a folder"


def test_staged_folder_replaces_whole_or_not_at_all(tmp_path):
    from archcompiler.outputs import OutputError, safe_child, staged_folder

    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_folder(target) as stage:
            (stage / "new.txt").write_text("new")
            raise RuntimeError("interrupted")
    assert [p.name for p in tmp_path.iterdir()] == ["model"] and (target / "old.txt").exists()
    with staged_folder(target) as stage:
        (stage / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    with pytest.raises(OutputError):
        safe_child(tmp_path, "../escape")
