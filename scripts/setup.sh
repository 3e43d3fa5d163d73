#!/usr/bin/env bash
# Sets up archcompiler on a fresh Debian machine: Graphviz (for diagrams) and a Python 3.11
# virtual environment in .venv with the project, Keras/TensorFlow and the test tools.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
fi

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[keras,test]' 2>&1 | grep -v -E '^WARNING: (Location|Skipping)' || true
.venv/bin/python -c "import archcompiler, keras, pydantic, typer, rich, jinja2, graphviz, pytest" \
  || { echo "setup failed: the Python packages did not install" >&2; exit 1; }
echo "archcompiler is set up: .venv/bin/archcompiler --help"
