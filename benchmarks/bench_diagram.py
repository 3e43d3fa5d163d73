"""Our diagram (load the spec + DOT + render PNG with Graphviz) against keras.utils.plot_model on the same
network, the Keras side including the time to build the model (keras.applications, weights=None).

Run: .venv/bin/python benchmarks/bench_diagram.py
One run of each, in one process, after the imports (import times printed apart). Prints both times,
their ratio and the PNG sizes. plot_model needs pydot; without it the Keras side is timed as
model build + model.to_json(), and says so."""

import os
import struct
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = [("vgg16", "VGG16"), ("resnet50", "ResNet50"), ("resnet152", "ResNet152")]


def png_size(path: Path) -> str:
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "?"
    w, h = struct.unpack(">II", data[16:24])
    return f"{w} × {h} px"


def main() -> None:
    start = time.perf_counter()
    from archcompiler.emit.diagram import write_diagram
    from archcompiler.library import builtin_names
    from archcompiler.resolve import load_graph

    ours_import = time.perf_counter() - start
    start = time.perf_counter()
    import keras

    keras_import = time.perf_counter() - start
    import importlib.util

    have_pydot = importlib.util.find_spec("pydot") is not None
    print(f"imports: archcompiler {ours_import:.2f} s, keras {keras_import:.2f} s (not counted below)")
    if not have_pydot:
        print("pydot is not installed: keras.utils.plot_model cannot run, so the Keras side below is "
              "model build + model.to_json() only (a lower bound of what plot_model would cost)")

    out = Path(tempfile.mkdtemp(prefix="bench-diagram-"))
    keras.applications.MobileNetV2(weights=None)  # warm-up: TensorFlow's first-use costs belong to neither side
    keras.backend.clear_session()
    for name, app_name in CASES:
        if name not in builtin_names():
            print(f"{name}: no built-in spec, skipped")
            continue
        start = time.perf_counter()
        graph = load_graph(name)
        files = write_diagram(graph, out / "ours", ["dot", "png"])
        ours = time.perf_counter() - start

        keras.backend.clear_session()
        start = time.perf_counter()
        model = getattr(keras.applications, app_name)(weights=None)
        if have_pydot:
            target = out / "keras" / f"{name}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            keras.utils.plot_model(model, to_file=str(target), show_shapes=True, show_layer_names=True)
            what = "build + plot_model"
        else:
            model.to_json()
            what = "build + to_json"
        theirs = time.perf_counter() - start
        theirs_size = png_size(target) if have_pydot else "no image"
        print(f"{name:9s} ours (load + DOT + PNG): {ours:6.3f} s, {png_size(files[1])}   "
              f"keras ({what}): {theirs:6.3f} s, {theirs_size}   ratio {theirs / ours:5.1f}× faster")
    sys.exit(0)


if __name__ == "__main__":
    main()
