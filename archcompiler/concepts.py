"""The numbers of the concepts guide (``concepts.md``): every figure the guide shows is computed
here, in plain Python, from small fixed inputs a reader can check by hand, or read from the
built-in specs' graphs. The wording lives in ``templates/<lang>/concepts.md.j2``.

Nothing here imports Keras; ``tests/test_concepts.py`` checks the worked examples against it."""

from __future__ import annotations

import math
from functools import lru_cache

# The anchor of the guide's section for each layer family; the per-spec docs link their first
# layer of each family there. The ids are the same in both languages.
SECTION_OF_FAMILY = {"conv": "convolution", "pool": "pooling", "dense": "fully-connected", "recurrent": "rnn"}


def first_of_each_section(graph) -> dict[str, str]:
    """The first layer of each family the guide explains (in the graph's order) → its section's anchor."""
    found: dict[str, str] = {}
    for node in graph.layers():
        section = SECTION_OF_FAMILY.get(node.family)
        if section is not None and section not in found.values():
            found[node.name] = section
    return found

# --- the worked convolution: 5×5×3 input, zero padding 1, two 3×3×3 filters, stride 2 ----------

CONV_INPUT = [  # [channel][row][column], values 0..2 so that every product is easy to check
    [[1, 0, 2, 1, 0],
     [0, 2, 1, 0, 1],
     [2, 1, 0, 2, 2],
     [1, 0, 1, 1, 0],
     [0, 2, 2, 0, 1]],
    [[2, 1, 0, 0, 1],
     [1, 1, 2, 1, 0],
     [0, 2, 1, 1, 2],
     [2, 0, 0, 1, 1],
     [1, 1, 0, 2, 0]],
    [[0, 1, 1, 2, 0],
     [2, 0, 1, 0, 2],
     [1, 1, 2, 0, 1],
     [0, 2, 0, 1, 2],
     [1, 0, 1, 2, 1]],
]
CONV_FILTERS = [  # [filter][channel][row][column], weights −1, 0 or 1
    [[[1, 0, -1], [0, 1, 1], [-1, 0, 1]],
     [[0, 1, 0], [1, -1, 1], [0, 1, 0]],
     [[-1, 0, 0], [0, 0, 1], [1, 0, -1]]],
    [[[0, -1, 1], [1, 0, 0], [0, 1, -1]],
     [[1, 0, 1], [0, 0, 0], [-1, 1, 0]],
     [[0, 1, 0], [-1, 1, 1], [0, 0, 1]]],
]
CONV_BIASES = [1, 0]
CONV_PADDING, CONV_STRIDE = 1, 2
GLOROT_SCALE = 6  # Glorot uniform draws from ±√(6 / (fan_in + fan_out))
CONV_SHOWN = (0, 1)  # the output position worked out term by term (row, column): its window overlaps the padding


def output_size(n: int, k: int, p: int, s: int) -> int:
    """⌊(N − F + 2P) / S⌋ + 1."""
    return (n - k + 2 * p) // s + 1


def zero_pad(channel: list[list[int]], p: int) -> list[list[int]]:
    width = len(channel[0]) + 2 * p
    rows = [[0] * width for _ in range(p)]
    rows += [[0] * p + list(row) + [0] * p for row in channel]
    return rows + [[0] * width for _ in range(p)]


def convolve(inputs, filters, biases, padding: int, stride: int):
    """Cross-correlation as Keras computes it (channels first here for readability): returns
    outputs[filter][row][column] and, for every output value, its window's top-left corner."""
    padded = [zero_pad(ch, padding) for ch in inputs]
    k = len(filters[0][0])
    n = len(padded[0])
    out_n = (n - k) // stride + 1
    outputs = []
    for f, bias in zip(filters, biases):
        fmap = []
        for i in range(out_n):
            row = []
            for j in range(out_n):
                r0, c0 = i * stride, j * stride
                row.append(bias + sum(padded[c][r0 + a][c0 + b] * f[c][a][b]
                                      for c in range(len(padded)) for a in range(k) for b in range(k)))
            fmap.append(row)
        outputs.append(fmap)
    return padded, outputs


def conv_example() -> dict:
    padded, outputs = convolve(CONV_INPUT, CONV_FILTERS, CONV_BIASES, CONV_PADDING, CONV_STRIDE)
    channels, n = len(CONV_INPUT), len(CONV_INPUT[0])
    k, filters = len(CONV_FILTERS[0][0]), len(CONV_FILTERS)
    out_n = output_size(n, k, CONV_PADDING, CONV_STRIDE)
    i, j = CONV_SHOWN
    r0, c0 = i * CONV_STRIDE, j * CONV_STRIDE
    terms = []  # per channel: the nine (input, weight) pairs under the window, and their sum
    for c in range(channels):
        pairs = [(padded[c][r0 + a][c0 + b], CONV_FILTERS[0][c][a][b]) for a in range(k) for b in range(k)]
        terms.append({"pairs": pairs, "sum": sum(x * w for x, w in pairs),
                      "window": [row[c0:c0 + k] for row in padded[c][r0:r0 + k]]})
    per_filter = k * k * channels
    fan_in, fan_out = per_filter, k * k * filters
    return {
        "n": n, "channels": channels, "k": k, "filters": filters, "padding": CONV_PADDING, "stride": CONV_STRIDE,
        "padded_n": n + 2 * CONV_PADDING, "out_n": out_n, "out_shape": (out_n, out_n, filters),
        "input": CONV_INPUT, "padded": padded, "weights": CONV_FILTERS, "biases": CONV_BIASES,
        "outputs": outputs, "shown": CONV_SHOWN, "window_at": (r0, c0), "terms": terms,
        "shown_value": outputs[0][i][j], "per_filter": per_filter, "params": filters * (per_filter + 1),
        "in_padding": sum(not (CONV_PADDING <= r0 + a < n + CONV_PADDING and CONV_PADDING <= c0 + b < n + CONV_PADDING)
                          for a in range(k) for b in range(k)),
        # Keras' default initialisation of these weights (glorot_uniform) and biases (zeros)
        "fan_in": fan_in, "fan_out": fan_out, "glorot_scale": GLOROT_SCALE,
        "glorot_limit": math.sqrt(GLOROT_SCALE / (fan_in + fan_out)),
        "positions": out_n * out_n, "unpadded_out_n": output_size(n, k, 0, CONV_STRIDE),
        "whole_input_out_n": output_size(n, n, 0, 1),  # a filter as large as the input fits once: a dense unit
    }


def learning_step(example: dict, rate: float = 0.1) -> dict:
    """One gradient step on filter 0's bias, for a target map of zeros and the loss ½ Σ (y − t)²:
    the bias is shared by every position, so its gradient is the sum over all of them."""
    outputs = [y for row in example["outputs"][0] for y in row]
    gradient = sum(outputs)
    bias = example["biases"][0]
    return {"rate": rate, "outputs": outputs, "gradient": gradient, "bias": bias, "new_bias": bias - rate * gradient}


# --- flattening, pooling, softmax ------------------------------------------------------------

FLATTEN_SIDE, FLATTEN_PIXEL = 4, 6  # a 4×4 image numbered 1…16 row by row; pixel 6 and its neighbours


def flatten_example() -> dict:
    n, p = FLATTEN_SIDE, FLATTEN_PIXEL
    return {"side": n, "pixel": p, "left": p - 1, "right": p + 1, "above": p - n, "below": p + n, "distance": n}


# data whose channels the guide tabulates: (rows of a table read by a 1-D convolution, features);
# (days of a time series, measured variables)
TABLE_FEATURES, SERIES_DAYS, SERIES_VARIABLES = 8, 30, 3
# the papers the recurrent sections cite, by year
CITED = {"bengio": 1994, "pascanu": 2013}
ILSVRC_BREAKTHROUGH = 2012


POOL_PATCH = [[1, 3, 2, 4],
              [5, 6, 1, 0],
              [7, 2, 9, 8],
              [0, 1, 3, 5]]


def pool(patch: list[list[float]], size: int, op) -> list[list[float]]:
    n = len(patch)
    return [[op([patch[r][c] for r in range(i, i + size) for c in range(j, j + size)])
             for j in range(0, n - size + 1, size)] for i in range(0, n - size + 1, size)]


def pooling_example() -> dict:
    windows = [[[POOL_PATCH[r][c] for r in range(i, i + 2) for c in range(j, j + 2)] for j in (0, 2)] for i in (0, 2)]
    return {"patch": POOL_PATCH, "size": 2, "stride": 2, "windows": windows,
            "max": pool(POOL_PATCH, 2, max), "avg": pool(POOL_PATCH, 2, lambda v: sum(v) / len(v)),
            "min": pool(POOL_PATCH, 2, min)}


SOFTMAX_SCORES = (3.0, 1.0, 0.2)


def softmax(scores) -> list[float]:
    top = max(scores)  # shifting by the largest score changes nothing but avoids overflow
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


def softmax_example() -> dict:
    exps = [math.exp(s) for s in SOFTMAX_SCORES]
    return {"scores": SOFTMAX_SCORES, "exps": exps, "total": sum(exps), "probs": softmax(SOFTMAX_SCORES)}


# --- read from the built-in specs ------------------------------------------------------------

def _graph(name: str, sets: dict | None = None):
    from .resolve import load_graph

    return load_graph(name, sets)


def _first(graph, kind: str):
    return next(n for n in graph.nodes.values() if n.kind == kind)


def library_facts() -> dict:
    """MLP depth, the cost of a dense layer on an image, flatten sizes, the RNN's four types."""
    mlp = _graph("mlp")
    dense = [n for n in mlp.nodes.values() if n.kind == "dense"]
    mlp_in = mlp.nodes[mlp.inputs[0]].shape
    vgg = _graph("vgg16")
    image = vgg.nodes[vgg.inputs[0]].shape
    pixels = math.prod(image)
    vgg_conv, vgg_flat = _first(vgg, "conv2d"), _first(vgg, "flatten")
    vgg_fc = vgg.consumers(vgg_flat.name)[0]
    lenet = _graph("lenet5")
    lenet_flat = _first(lenet, "flatten")
    lenet_in = lenet.nodes[lenet.inputs[0]].shape
    h, w, c = image
    types = {}
    for many, key in ((False, "many_to_one"), (True, "many_to_many")):
        g = _graph("rnn", {"many_to_many": str(many).lower()})
        rnn = _first(g, "simple_rnn")
        types[key] = {"in": g.nodes[g.inputs[0]].shape, "out": g.nodes[g.outputs[0].node].shape,
                      "params": g.total_params, "rnn_params": rnn.params}
    rnn = _graph("rnn")
    layer = _first(rnn, "simple_rnn")
    m, k = rnn.nodes[rnn.inputs[0]].shape[-1], layer.layer.units
    out = _first(rnn, "dense")
    return {
        "mlp": {"input": mlp_in, "side": math.isqrt(mlp_in[0]), "hidden": [n.layer.units for n in dense[:-1]], "output": dense[-1].layer.units,
                "params": mlp.total_params},
        "image": image, "pixels": pixels, "dense_units": 1000, "dense_weights": pixels * 1000,
        "first_conv": {"name": vgg_conv.name, "params": vgg_conv.params, "filters": vgg_conv.layer.filters},
        # flattened with channels last, the pixel below a pixel is a whole row of values further on
        "below_distance": w * c, "right_distance": c, "width": w,
        "vgg_flat": {"in": vgg.input_shapes(vgg_flat)[0], "out": vgg_flat.shape[0], "fc": vgg_fc.name,
                     "fc_units": vgg_fc.layer.units, "fc_params": vgg_fc.params, "share": vgg_fc.params / vgg.total_params},
        "lenet_flat": {"in": lenet.input_shapes(lenet_flat)[0], "out": lenet_flat.shape[0], "pixels": math.prod(lenet_in),
                       "input": lenet_in},
        "rnn": {"m": m, "k": k, "o": out.layer.units, "rnn_params": layer.params, "out_params": out.params},
        "types": types,
    }


# --- the recurrent lessons -------------------------------------------------------------------

def nested_h(levels: int) -> list[str]:
    """H_t written out with H_{t−1}, H_{t−2}, … substituted (LaTeX), one string per level."""
    def x(step: int) -> str:
        return "X_t" if step == 0 else f"X_{{t-{step}}}"

    def h(step: int) -> str:
        return "H_{t-%d}" % step

    inner = f"U {h(1)} + W {x(0)}"
    out = [rf"\tanh({inner})"]
    for level in range(2, levels + 1):
        expr = f"U {h(level)} + W {x(level - 1)}"
        for step in range(level - 2, -1, -1):
            expr = rf"U \tanh({expr}) + W {x(step)}"
        out.append(rf"\tanh({expr})")
    return out


ONE_UNIT = {"u": 0.5, "w": 1.0, "inputs": (1.0, 0.0, 0.0, 0.0, 0.0)}


def one_unit_rnn() -> dict:
    """A one-unit RNN reading 1, 0, 0, 0, 0: how the first input's trace fades step by step, and
    ∂H_5/∂H_1 as the product of (1 − H_i²)·u."""
    u, w, xs = ONE_UNIT["u"], ONE_UNIT["w"], ONE_UNIT["inputs"]
    hs, h = [], 0.0
    for x in xs:
        h = math.tanh(u * h + w * x)
        hs.append(h)
    factors = [(1 - hi * hi) * u for hi in hs[1:]]
    return {"u": u, "w": w, "inputs": xs, "h": hs, "factors": factors, "gradient": math.prod(factors)}


def gradient_powers(steps: int = 50) -> dict:
    return {"steps": steps, "small": 0.9, "large": 1.1, "vanish": 0.9 ** steps, "explode": 1.1 ** steps}


def relu_vs_tanh(u: float = 1.1, steps: int = 50) -> dict:
    """One unit, no input after the first step, the same weight u at every step: ReLU passes u·h on
    unchanged (h grows as uⁿ), tanh squashes it back into (−1, 1)."""
    relu, tanh = 1.0, 1.0
    for _ in range(steps):
        relu, tanh = max(0.0, u * relu), math.tanh(u * tanh)
    return {"u": u, "steps": steps, "relu": relu, "tanh": tanh}


CLIP_GRADIENT, CLIP_THRESHOLD = (3.0, 4.0, 12.0), 5.0


def clipping_example() -> dict:
    norm = math.sqrt(sum(g * g for g in CLIP_GRADIENT))
    scale = min(1.0, CLIP_THRESHOLD / norm)
    clipped = [g * scale for g in CLIP_GRADIENT]
    return {"g": CLIP_GRADIENT, "c": CLIP_THRESHOLD, "norm": norm, "scale": scale, "clipped": clipped,
            "clipped_norm": math.sqrt(sum(g * g for g in clipped)),
            "by_value": [max(-CLIP_THRESHOLD, min(CLIP_THRESHOLD, g)) for g in CLIP_GRADIENT]}


def truncated_bptt(length: int = 20, window: int = 5, factor: float = 0.9) -> dict:
    windows = [(start + 1, min(start + window, length)) for start in range(0, length, window)]
    # a dependency the truncation cannot learn: from the first window into the third (or the last)
    far = windows[min(2, len(windows) - 1)]
    return {"length": length, "window": window, "windows": windows, "count": len(windows),
            "cut_pair": (windows[0][0] + 2, far[0] + 1),
            "full_factors": length - 1, "truncated_factors": window - 1, "factor": factor,
            "full": factor ** (length - 1), "truncated": factor ** (window - 1)}


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


# one unit, one step: input x, previous state(s), and for every gate its (w, u, b) — chosen small and
# round so that each pre-activation can be checked by hand
STEP_INPUT = {"x": 1.0, "h": 0.5, "c": 0.8}
LSTM_WEIGHTS = {"F": (0.5, 0.4, 1.0), "I": (0.6, -0.2, 0.0), "G": (0.9, 0.3, 0.0), "O": (0.4, 0.6, 0.0)}
GRU_WEIGHTS = {"R": (0.7, -0.4, 0.0), "U": (0.5, 0.2, -1.0), "h": (1.2, 0.8, 0.0)}


def lstm_step() -> dict:
    """C_t = F_t·C_{t−1} + I_t·G_t, H_t = O_t·tanh(C_t), with one unit."""
    x, h, c = STEP_INPUT["x"], STEP_INPUT["h"], STEP_INPUT["c"]
    pre = {g: w * x + u * h + b for g, (w, u, b) in LSTM_WEIGHTS.items()}
    gate = {g: (math.tanh if g == "G" else _sigmoid)(v) for g, v in pre.items()}
    kept, added = gate["F"] * c, gate["I"] * gate["G"]
    c_new = kept + added
    return {**STEP_INPUT, "weights": LSTM_WEIGHTS, "pre": pre, "gate": gate, "kept": kept, "added": added,
            "c_new": c_new, "h_new": gate["O"] * math.tanh(c_new), "tanh_c": math.tanh(c_new)}


def gru_step() -> dict:
    """The lecture's GRU: R_t resets the past inside the candidate h_t, and the update gate U_t mixes
    H_t = (1 − U_t)·H_{t−1} + U_t·h_t (Keras' z is 1 − U_t), with one unit."""
    x, h = STEP_INPUT["x"], STEP_INPUT["h"]
    (wr, ur, br), (wu, uu, bu), (wh, uh, bh) = GRU_WEIGHTS["R"], GRU_WEIGHTS["U"], GRU_WEIGHTS["h"]
    pre_r, pre_u = wr * x + ur * h + br, wu * x + uu * h + bu
    r, u = _sigmoid(pre_r), _sigmoid(pre_u)
    pre_h = wh * x + uh * (r * h) + bh
    cand = math.tanh(pre_h)
    return {"x": x, "h": h, "weights": GRU_WEIGHTS, "pre_r": pre_r, "pre_u": pre_u, "r": r, "u": u,
            "reset_h": r * h, "pre_h": pre_h, "cand": cand, "kept": (1 - u) * h, "added": u * cand,
            "h_new": (1 - u) * h + u * cand}


@lru_cache(maxsize=1)
def lesson() -> dict:
    """Everything the concepts guide shows."""
    conv = conv_example()
    return {"conv": conv, "learn": learning_step(conv), "pool": pooling_example(), "softmax": softmax_example(),
            "lib": library_facts(), "nested": nested_h(3), "one_unit": one_unit_rnn(),
            "powers": gradient_powers(), "relu": relu_vs_tanh(), "clip": clipping_example(),
            "tbptt": truncated_bptt(), "lstm": lstm_step(), "gru": gru_step(), "sections": SECTION_OF_FAMILY,
            "flat": flatten_example(), "cited": CITED, "breakthrough": ILSVRC_BREAKTHROUGH,
            "table_features": TABLE_FEATURES, "series": (SERIES_DAYS, SERIES_VARIABLES),
            "any_length": (10, 10_000)}
