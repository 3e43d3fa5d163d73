#!/usr/bin/env bash
# Sets up archcompiler on a fresh Debian machine: Graphviz (for diagrams), Chromium and fonts (for the
# site's browser tests), and a Python 3.11 virtual environment in .venv with the project, Keras/TensorFlow
# and the test tools.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Graphviz draws the diagrams; Chromium (with its driver), a Korean font and a math font let the tests
# open the course site (archcompiler site) in a real browser.
PACKAGES="graphviz chromium chromium-driver fonts-nanum fonts-dejavu-extra"
MISSING=""
for package in $PACKAGES; do
  dpkg -s "$package" >/dev/null 2>&1 || MISSING="$MISSING $package"
done
if [ -n "$MISSING" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# TensorFlow is Keras' default backend; JAX (~90 MB, for the backend tests) and the ONNX exporter
# (~40 MB) come along. PyTorch does not (its PyPI wheel brings ~5 GB of CUDA): '.[torch]' by hand.
.venv/bin/python -m pip install -q -e '.[keras,test,jax,export]' 2>&1 | grep -v -E '^WARNING: (Location|Skipping)' || true
# the example plugin (a layer kind from another package), which tests/test_plugins.py uses
.venv/bin/python -m pip install -q --no-build-isolation --no-deps -e examples/plugin_cbam 2>&1 \
  | grep -v -E '^WARNING: (Location|Skipping)|Warning|warn|^ *$|^ +[A-Za-z]' || true
.venv/bin/python -c "import archcompiler_cbam" || { echo "setup failed: the example plugin did not install" >&2; exit 1; }
.venv/bin/python -c "import archcompiler, keras, jax, onnx, onnxruntime, pydantic, typer, rich, jinja2, graphviz, pytest" \
  || { echo "setup failed: the Python packages did not install" >&2; exit 1; }
# an editable install leaves the source tree uncompiled; compiled once here, every command starts quicker
# (also where PYTHONDONTWRITEBYTECODE keeps Python from caching it itself)
.venv/bin/python -m compileall -q archcompiler >/dev/null || true
echo "archcompiler is set up: .venv/bin/archcompiler --help"
