import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Hypothesis: "ci" (the default) keeps the property tests to a few seconds each; HYPOTHESIS_PROFILE=long
# explores far more examples locally. No deadline: the machine is shared and Keras' first build is slow.
settings.register_profile("ci", max_examples=25, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=1500, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def spec_file(tmp_path):
    """Write a YAML spec (dedented) to a temporary file and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def run_cli(*args, cwd=None, timeout=120):
    """Run the archcompiler command in a fresh process; returns CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "archcompiler", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
