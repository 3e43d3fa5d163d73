"""Compiling VGG-16 and ResNet-50 from their specs against hand-written Keras
(keras.applications, weights=None), in one process, alternating, median of N runs.

Run: .venv/bin/python benchmarks/bench_build.py [runs]"""

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed(make, runs: int) -> float:
    import keras

    times = []
    for _ in range(runs):
        keras.backend.clear_session()
        start = time.perf_counter()
        make()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    import keras

    from archcompiler.emit.keras_model import build_model
    from archcompiler.resolve import load_graph

    cases = [("vgg16", keras.applications.VGG16), ("resnet50", keras.applications.ResNet50)]
    build_model(load_graph("vgg16"))  # warm-up: first-use costs of TensorFlow belong to neither side
    worst = 0.0
    for name, reference in cases:
        ours = timed(lambda: build_model(load_graph(name)), runs)
        theirs = timed(lambda: reference(weights=None), runs)
        overhead = ours / theirs - 1
        worst = max(worst, overhead)
        print(f"{name:9s} spec → Keras (load + resolve + build + check): {ours:6.3f} s   "
              f"keras.applications: {theirs:6.3f} s   ratio {ours / theirs:5.3f} ({overhead:+.1%})")
    sys.exit(0 if worst < 0.10 else 1)


if __name__ == "__main__":
    main()
