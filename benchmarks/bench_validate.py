"""Validating every built-in spec (pure Python) against building the same models in Keras.

Run: .venv/bin/python benchmarks/bench_validate.py
Prints both times from one run and their ratio."""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    start = time.perf_counter()
    from archcompiler.library import builtin_names
    from archcompiler.resolve import load_graph

    names = builtin_names()
    graphs = [load_graph(name) for name in names]
    validate_s = time.perf_counter() - start  # imports included: what `archcompiler validate` costs

    start = time.perf_counter()
    import keras

    from archcompiler.emit.keras_model import build_model

    for graph in graphs:
        build_model(graph, check=False)
        keras.backend.clear_session()
    build_s = time.perf_counter() - start

    layers = sum(len(g.layers()) for g in graphs)
    print(f"specs: {len(graphs)} ({layers:,} layers)")
    print(f"validate all (pure Python, imports included): {validate_s:8.3f} s")
    print(f"build all in Keras (TensorFlow import included): {build_s:8.3f} s")
    print(f"ratio build / validate: {build_s / validate_s:8.1f}×")
    sys.exit(0 if validate_s < 1.0 else 1)


if __name__ == "__main__":
    main()
