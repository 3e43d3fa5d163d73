"""A Hypothesis strategy for random *valid* specs over every layer kind and option.

A spec is a few independent chains, one per input: a feature map, a sequence (or token ids) and a
vector, each a random walk over the layer kinds that fit the current shape. The generator keeps
every chain valid by Keras' rules (it computes sizes itself, independently of the library), so
`validate` must accept the spec, and Keras must agree with every inferred shape and count."""

from __future__ import annotations

import typing

import yaml
from hypothesis import strategies as st

from archcompiler.layers import KINDS
from archcompiler.layers.activation import ActivationLayer
from archcompiler.layers.base import Activation
from archcompiler.library import SPECS_DIR

ACTIVATIONS = list(typing.get_args(Activation))
SHORTHANDS = sorted(k for k, cls in KINDS.items() if issubclass(cls, ActivationLayer) and k != "activation")
CELLS = {name: {k: v for k, v in spec.items() if k not in ("title", "explain")}  # the built-in declared cells
         for file in ("lstm_gates", "gru_gates", "peephole_lstm", "mgu")
         for name, spec in yaml.safe_load((SPECS_DIR / f"{file}.yaml").read_text(encoding="utf-8"))["cells"].items()}


def _out_len(n, k, s, d, padding, before=0, after=0):
    """Keras' output length of a window (independent of the library's own rule)."""
    if n is None:
        return None
    if padding == "same":
        return -(-n // s)
    return (n + before + after - ((k - 1) * d + 1)) // s + 1


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _final_name(entry) -> str:
    """The name of an entry's last node: a repeated layer's copies are name_1 … name_N."""
    return entry["name"] + (f"_{entry['repeat']}" if entry.get("repeat", 1) > 1 else "")


class Chain:
    """One chain's drawing state: the spec being written, the current shape and a name counter."""

    def __init__(self, draw, spec, prefix):
        self.draw, self.spec, self.prefix, self.count = draw, spec, prefix, 0

    def name(self):
        self.count += 1
        return f"{self.prefix}{self.count}"

    def add(self, entry):
        """Append an entry reading the chain's current tensor; it becomes the current tensor."""
        entry.setdefault("name", self.name())
        layers = self.spec["layers"]
        if entry.get("repeat", 1) > 1 and not (layers and _final_name(layers[-1]) == self.last):
            del entry["repeat"]  # copies after the first read the previous copy, so the first must read self.last
        if entry.get("repeat", 1) == 1:
            entry.setdefault("inputs", self.last)
        layers.append(entry)
        self.last = _final_name(entry)
        return self.last


    def input(self, shape, dtype="float32"):
        """A new model input; the chain starts from it (or, for a second input, reads it explicitly)."""
        name = self.name()
        self.spec["inputs"][name] = {"shape": list(shape), **({"dtype": dtype} if dtype != "float32" else {})}
        return name

    def pick(self, *options):
        return self.draw(st.sampled_from(options))

    def integers(self, low, high):
        return self.draw(st.integers(low, high))


def _pair_or_int(c: Chain, low, high):
    """An int (both axes) or [rows, cols]; returned with its two values."""
    if c.draw(st.booleans()):
        v = c.integers(low, high)
        return v, (v, v)
    a, b = c.integers(low, high), c.integers(low, high)
    return [a, b], (a, b)


def _padding_2d(c: Chain):
    """same, valid, or numeric in each of Keras' three forms; returned with ((top, bottom), (left, right))."""
    form = c.pick("same", "valid", "int", "pair", "nested")
    if form in ("same", "valid"):
        return form, None
    if form == "int":
        p = c.integers(0, 2)
        return p, ((p, p), (p, p))
    if form == "pair":
        a, b = c.integers(0, 2), c.integers(0, 2)
        return [a, b], ((a, a), (b, b))
    t, b, l, r = (c.integers(0, 2) for _ in range(4))
    return [[t, b], [l, r]], ((t, b), (l, r))


def _window_2d(c: Chain, shape, entry, kernel_key, dilated):
    """Fill kernel/pool, stride, dilation and padding of a 2-D window; returns the output (h, w) or None."""
    spec_k, k = _pair_or_int(c, 1, 3)
    spec_s, s = _pair_or_int(c, 1, 2)
    d = (1, 1)
    if dilated and s == (1, 1) and c.draw(st.booleans()):  # Keras: no stride > 1 with dilation > 1
        spec_d, d = _pair_or_int(c, 1, 2)
        entry["dilation"] = spec_d
    padding, pads = _padding_2d(c)
    entry.update({kernel_key: spec_k, "stride": spec_s, "padding": padding})
    mode = padding if isinstance(padding, str) else "valid"
    pads = pads or ((0, 0), (0, 0))
    out = [_out_len(shape[i], k[i], s[i], d[i], mode, *pads[i]) for i in range(2)]
    if any(o is not None and o < 1 for o in out):
        entry["padding"] = "same"
        out = [_out_len(shape[i], k[i], s[i], d[i], "same") for i in range(2)]
    return out


def image_layer(c: Chain, shape):
    """One layer (or a residual / branches structure) on a (h, w, channels) feature map."""
    h, w, ch = shape
    kind = c.pick("conv2d", "conv2d", "depthwise_conv2d", "pool", "zeropad2d", "batchnorm", "layernorm", "lrn",
                  "dropout", "activation", "dense", "residual", "branches", "concat_axis", "separable_conv2d",
                  "conv2d_transpose", "upsampling2d", "cropping2d", "gate", "rescaling", "normalization", "drop_path")
    if kind in ("separable_conv2d", "conv2d_transpose", "upsampling2d", "cropping2d", "gate", "rescaling",
                "normalization", "drop_path"):
        return _beyond_the_lecture(c, shape, kind)
    if kind == "depthwise_conv2d":
        multiplier = c.integers(1, 2)
        entry = {"type": "depthwise_conv2d", "depth_multiplier": multiplier, "use_bias": c.draw(st.booleans()),
                 "activation": c.pick(None, *ACTIVATIONS)}
        oh, ow = _window_2d(c, shape, entry, "kernel", dilated=True)
        c.add(entry)
        return (oh, ow, ch * multiplier)
    if kind == "conv2d":
        groups = c.pick(*_divisors(ch))
        filters = groups * c.integers(1, 3)
        entry = {"type": "conv2d", "filters": filters, "groups": groups, "use_bias": c.draw(st.booleans()),
                 "activation": c.pick(None, *ACTIVATIONS)}
        oh, ow = _window_2d(c, shape, entry, "kernel", dilated=True)
        c.add(entry)
        return (oh, ow, filters)
    if kind == "pool":
        entry = {"type": c.pick("maxpool2d", "avgpool2d")}
        oh, ow = _window_2d(c, shape, entry, "pool", dilated=False)
        if c.draw(st.booleans()) and isinstance(entry["padding"], str):
            del entry["stride"]  # Keras' default: the window
            k = entry["pool"] if isinstance(entry["pool"], list) else [entry["pool"]] * 2
            oh, ow = (_out_len(shape[i], k[i], k[i], 1, entry["padding"]) for i in range(2))
            if min(oh, ow) < 1:
                entry["padding"] = "same"
                oh, ow = (_out_len(shape[i], k[i], k[i], 1, "same") for i in range(2))
        c.add(entry)
        return (oh, ow, ch)
    if kind == "zeropad2d":
        padding, pads = _padding_2d(c)
        if isinstance(padding, str):
            padding, pads = 1, ((1, 1), (1, 1))
        c.add({"type": "zeropad2d", "padding": padding})
        return (h + sum(pads[0]), w + sum(pads[1]), ch)
    if kind == "dense":
        units = c.integers(1, 6)
        c.add({"type": "dense", "units": units, "activation": c.pick(None, *ACTIVATIONS)})
        return (h, w, units)
    if kind == "residual":
        project = c.draw(st.booleans())
        body = [{"type": "conv2d", "name": c.name(), "filters": ch, "kernel": c.pick(1, 3), "padding": "same"},
                {"type": "batchnorm", "name": c.name()}]
        shortcut = [{"type": "conv2d", "name": c.name(), "filters": ch, "kernel": 1}] if project else []
        c.add({"type": "residual", "body": body, "shortcut": shortcut})
        return shape
    if kind == "branches":
        merge = c.pick("concat", "add")
        widths = [c.integers(1, 3) for _ in range(c.integers(2, 3))]
        if merge == "add":
            widths = [widths[0]] * len(widths)
        branches = [[{"type": "conv2d", "name": c.name(), "filters": f, "kernel": c.pick(1, 3), "padding": "same"}]
                    for f in widths]
        branches[-1].insert(0, {"type": "maxpool2d", "name": c.name(), "pool": 3, "stride": 1, "padding": "same"})
        entry = {"type": "branches", "merge": merge, "branches": branches}
        if merge == "concat":
            entry["axis"] = c.pick(-1, 3)  # Keras' convention: the batch axis is axis 0
        c.add(entry)
        return (h, w, sum(widths) if merge == "concat" else widths[0])
    if kind == "concat_axis":  # join a feature map with itself along rows (1) or columns (2)
        axis = c.pick(1, 2, -2, -3)
        c.add({"type": "concat", "axis": axis, "inputs": [c.last, c.last]})
        grown = {1: 0, -3: 0, 2: 1, -2: 1}[axis]
        return tuple(d * 2 if i == grown else d for i, d in enumerate(shape))
    if kind == "lrn":
        c.add({"type": "lrn", "depth_radius": c.integers(1, 3)})
    elif kind == "activation":
        c.add(c.pick({"type": "activation", "activation": c.pick(*ACTIVATIONS)}, {"type": c.pick(*SHORTHANDS)}))
    else:
        c.add(_plain(c, kind))
    return shape


def _beyond_the_lecture(c: Chain, shape, kind):
    """The kinds of issue 11 on a (h, w, channels) map; sizes by Keras' rules written out here."""
    h, w, ch = shape
    if kind == "separable_conv2d":
        filters, multiplier = c.integers(1, 4), c.integers(1, 2)
        entry = {"type": "separable_conv2d", "filters": filters, "depth_multiplier": multiplier,
                 "use_bias": c.draw(st.booleans()), "activation": c.pick(None, *ACTIVATIONS)}
        oh, ow = _window_2d(c, shape, entry, "kernel", dilated=True)
        c.add(entry)
        return (oh, ow, filters)
    if kind == "conv2d_transpose":
        k, s, padding, filters = c.integers(1, 3), c.integers(1, 2), c.pick("same", "valid"), c.integers(1, 4)
        extra = c.pick(None, *range(s))
        entry = {"type": "conv2d_transpose", "filters": filters, "kernel": k, "stride": s, "padding": padding}
        if extra is not None:
            entry["output_padding"] = extra
        if padding == "valid":
            size = [(n - 1) * s + k + (max(s - k, 0) if extra is None else extra) for n in (h, w)]
        else:
            size = [n * s if extra is None else (n - 1) * s + k % 2 + extra for n in (h, w)]
        if min(size) < 1:
            entry.pop("output_padding", None)
            size = [n * s for n in (h, w)] if padding == "same" else [(n - 1) * s + k + max(s - k, 0) for n in (h, w)]
        c.add(entry)
        return (*size, filters)
    if kind == "upsampling2d":
        spec_size, size = _pair_or_int(c, 1, 2)
        c.add({"type": "upsampling2d", "size": spec_size, "interpolation": c.pick("nearest", "bilinear")})
        return (h * size[0], w * size[1], ch)
    if kind == "cropping2d":
        t, b = c.integers(0, (h - 1) // 2), c.integers(0, (h - 1) // 2)
        left, r = c.integers(0, (w - 1) // 2), c.integers(0, (w - 1) // 2)
        c.add({"type": "cropping2d", "cropping": [[t, b], [left, r]]})
        return (h - t - b, w - left - r, ch)
    if kind == "gate":  # squeeze-and-excitation: a (1, 1, C) sigmoid gate times the map
        source = c.last
        c.add({"type": "global_avgpool2d"})
        c.add({"type": "reshape", "shape": [1, 1, ch]})
        c.add({"type": "conv2d", "filters": ch, "kernel": 1, "activation": "sigmoid"})
        c.add({"type": c.pick("multiply", "add"), "inputs": [source, c.last]})
        return shape
    if kind == "rescaling":
        c.add({"type": "rescaling", "scale": c.pick(0.5, [0.5] * ch), "offset": c.pick(0.0, -1.0)})
    elif kind == "normalization":
        c.add(c.pick({"type": "normalization"}, {"type": "normalization", "axis": None},
                     {"type": "normalization", "mean": 0.5, "variance": 2.0}))
    else:
        c.add({"type": "drop_path", "rate": c.pick(0.0, 0.1)})
    return shape


def _plain(c: Chain, kind):
    """A shape-preserving layer with random settings (possibly repeated)."""
    entry = {"batchnorm": lambda: {"type": "batchnorm", "epsilon": c.pick(1e-3, 1.001e-5), "momentum": c.pick(0.9, 0.99),
                                   "center": c.draw(st.booleans()), "scale": c.draw(st.booleans())},
             "layernorm": lambda: {"type": "layernorm", "epsilon": c.pick(1e-6, 1e-3), "center": c.draw(st.booleans()),
                                   "scale": c.draw(st.booleans())},
             "dropout": lambda: {"type": "dropout", "rate": c.pick(0.0, 0.1, 0.5)}}[kind]()
    if c.draw(st.booleans()):
        entry["repeat"] = 2
    return entry


def sequence_layer(c: Chain, shape):
    """One layer on a (steps, features) sequence; steps may be None (a variable length)."""
    t, f = shape
    kind = c.pick("conv1d", "pool1d", "zeropad1d", "recurrent", "recurrent", "rnn", "attention", "mha",
                  "positional_encoding", "layernorm", "batchnorm", "dense", "dropout", "concat_time", "learned", "learned")
    if kind == "conv1d":
        groups = c.pick(*_divisors(f))
        filters = groups * c.integers(1, 3)
        k, s = c.integers(1, 3), c.integers(1, 2)
        d = c.integers(1, 2) if s == 1 else 1
        padding = c.pick("same", "valid", "causal")
        if padding == "valid" and t is not None and _out_len(t, k, s, d, "valid") < 1:
            padding = "same"
        c.add({"type": "conv1d", "filters": filters, "kernel": k, "stride": s, "dilation": d, "padding": padding,
               "groups": groups, "activation": c.pick(None, *ACTIVATIONS), "use_bias": c.draw(st.booleans())})
        return (_out_len(t, k, s, d, "same" if padding == "causal" else padding), filters)
    if kind == "pool1d":
        k = c.integers(1, 3)
        s = c.pick(None, 1, 2, 3)
        padding = c.pick("same", "valid")
        if padding == "valid" and t is not None and _out_len(t, k, s or k, 1, "valid") < 1:
            padding = "same"
        c.add({"type": c.pick("maxpool1d", "avgpool1d"), "pool": k, **({"stride": s} if s else {}), "padding": padding})
        return (_out_len(t, k, s or k, 1, padding), f)
    if kind == "zeropad1d":
        a, b = c.integers(0, 2), c.integers(0, 2)
        c.add({"type": "zeropad1d", "padding": c.pick(a, [a, b])})
        padding = c.spec["layers"][-1]["padding"]
        return (None if t is None else t + (2 * a if padding == a else a + b), f)
    if kind in ("recurrent", "rnn"):
        return _recurrent(c, shape, kind)
    if kind == "attention":
        return _attention(c, shape)
    if kind == "mha":
        return _multi_head(c, shape)
    if kind == "positional_encoding" and f % 2 == 0:
        c.add({"type": "positional_encoding", "scale": c.draw(st.booleans())})
        return shape
    if kind == "dense":
        units = c.integers(1, 6)
        c.add({"type": "dense", "units": units, "use_bias": c.draw(st.booleans())})
        return (t, units)
    if kind == "learned":
        return _learned(c, shape)
    if kind == "concat_time":  # join a sequence with itself along time (axis 1) or features (-1)
        axis = c.pick(1, -2, 2, -1)
        c.add({"type": "concat", "axis": axis, "inputs": [c.last, c.last]})
        return (None if t is None else 2 * t, f) if axis in (1, -2) else (t, 2 * f)
    c.add(_plain(c, kind if kind in ("layernorm", "batchnorm", "dropout") else "dropout"))
    return shape


def _learned(c: Chain, shape):
    """Learned weights that are not an input (class token, positions, layer scale) and read-outs."""
    t, f = shape
    kind = c.pick("class_token", "position_embedding", "layer_scale", "take", "slice")
    if kind == "class_token":
        c.add({"type": "class_token"})
        return (None if t is None else t + 1, f)
    if kind == "position_embedding":
        c.add({"type": "position_embedding", "length": (t or 2) + c.integers(0, 3)})
        return shape
    if kind == "layer_scale":
        c.add({"type": "layer_scale", "init_value": c.pick(1e-6, 0.1, 1.0)})
        return shape
    if kind == "take":
        index = c.integers(-t, t - 1) if t else c.integers(0, 1)
        if t is None:  # a variable length may be shorter than the index: the positional encoding's data is 1+
            index = 0
        c.add({"type": "take", "index": index, "axis": c.pick(1, -2)})
        return (f,)
    axis, n = c.pick((1, t), (-1, f), (2, f))
    start = c.integers(0, n - 1) if n else 0
    stop = c.pick(None, c.integers(start + 1, n)) if n else c.pick(None, start + 1)
    c.add({"type": "slice", "start": start, "stop": stop, "axis": axis})
    length = (None if n is None else n - start) if stop is None else stop - start
    return (length, f) if axis == 1 else (t, length)


def _recurrent(c: Chain, shape, kind):
    """simple_rnn/lstm/gru or a declared cell, with every flag; sometimes its final states start another."""
    t = shape[0]
    units = c.integers(1, 5)
    if kind == "rnn":
        cell = c.pick(*sorted(CELLS))
        entry = {"type": "rnn", "cell": cell}
        states = len(CELLS[cell]["state"])
    else:
        layer = c.pick("simple_rnn", "lstm", "gru")
        entry = {"type": layer, "activation": c.pick("tanh", "relu", "sigmoid")}
        if layer != "simple_rnn":
            entry["gate_activation"] = c.pick("sigmoid", "hard_sigmoid", "tanh")
        if layer == "lstm":
            entry["unit_forget_bias"] = c.draw(st.booleans())
        if layer == "gru":
            entry["reset_after"] = c.draw(st.booleans())
        states = {"simple_rnn": 1, "lstm": 2, "gru": 1}[layer]
    bidirectional = c.draw(st.booleans())
    entry.update({"units": units, "return_sequences": c.draw(st.booleans()), "bidirectional": bidirectional,
                  "return_state": c.draw(st.booleans())})
    if not bidirectional:  # Keras' Bidirectional runs its own copy backwards: go_backwards is refused with it
        entry["go_backwards"] = c.draw(st.booleans())
    name = c.add(entry)
    width = units * (2 if bidirectional else 1)
    out = (t, width) if entry["return_sequences"] else (width,)
    if entry["return_state"]:
        c.last = f"{name}.output" if c.draw(st.booleans()) else f"{name}[0]"
        if entry["return_sequences"] and c.draw(st.booleans()):  # the states start a second layer
            second = dict(entry, name=c.name(), return_state=False,
                          inputs=[c.last] + [f"{name}[{k}]" for k in range(1, 1 + states * (2 if bidirectional else 1))])
            c.spec["layers"].append(second)
            c.last = second["name"]
            out = (t, width) if second["return_sequences"] else (width,)
        else:  # the states are outputs of the model, so every output of the layer is used
            c.outputs += [f"{name}[{k}]" for k in range(1, 1 + states * (2 if bidirectional else 1))]
    return out


def _attention(c: Chain, shape):
    """Luong or Bahdanau attention: self-attention, or over a second input as value (and key)."""
    t, f = shape
    entry = {"type": c.pick("attention", "additive_attention"), "scale": c.draw(st.booleans()),
             "causal": c.draw(st.booleans())}
    if c.draw(st.booleans()):
        tv, fv = c.pick(None, 2, 5), c.integers(1, 4)
        value = c.input([tv, fv])
        key = [c.input([tv, f])] if c.draw(st.booleans()) else []
        if not key:
            fv = f  # the value is also the key: its width must match the query's
            c.spec["inputs"][value]["shape"][1] = f
        entry["inputs"] = [c.last, value] + key
        c.add(entry)
        return (t, fv)
    c.add(entry)
    return shape


def _multi_head(c: Chain, shape):
    """Multi-head attention with every option; key_dim defaults to width // heads when it divides."""
    f = shape[1]
    heads = c.integers(1, 3)
    entry = {"type": "multi_head_attention", "heads": heads, "dropout": c.pick(0.0, 0.1),
             "use_bias": c.draw(st.booleans()), "causal": c.draw(st.booleans())}
    if f % heads or c.draw(st.booleans()):
        entry["key_dim"] = c.integers(1, 4)
    if c.draw(st.booleans()):
        entry["value_dim"] = c.integers(1, 4)
    if c.draw(st.booleans()):  # cross-attention: value (and key) from another input
        tv = c.pick(None, 2, 5)
        value = c.input([tv, c.integers(1, 4)])
        key = [c.input([tv, c.integers(1, 4)])] if c.draw(st.booleans()) else []
        entry["inputs"] = [c.last, value] + key
    c.add(entry)
    return shape


def vector_layer(c: Chain, shape):
    """One layer on a (features,) vector."""
    (n,) = shape
    kind = c.pick("dense", "dense", "dropout", "batchnorm", "layernorm", "activation", "reshape", "merge")
    if kind == "dense":
        units = c.integers(1, 8)
        c.add({"type": "dense", "units": units, "activation": c.pick(None, *ACTIVATIONS),
               "use_bias": c.draw(st.booleans())})
        return (units,)
    if kind == "reshape":
        split = c.pick(*_divisors(n))
        c.add({"type": "reshape", "shape": c.pick([split, n // split], [-1, n // split], [split, -1])})
        return (split, n // split)
    if kind == "merge":
        merge = c.pick("add", "concat")
        c.add({"type": merge, "inputs": [c.last, c.last], **({"axis": c.pick(-1, 1)} if merge == "concat" else {})})
        return (2 * n,) if merge == "concat" else shape
    if kind == "activation":
        c.add({"type": c.pick(*SHORTHANDS)})
        return shape
    c.add(_plain(c, kind))
    return shape


def _walk(c: Chain, shape, steps):
    """Draw ``steps`` layers from ``shape``, moving between feature maps, sequences and vectors."""
    for _ in range(steps):
        if len(shape) == 3:
            move = c.pick("stay", "stay", "stay", "flatten", "global", "to_sequence")
            if move == "flatten":
                c.add({"type": "flatten"})
                shape = (shape[0] * shape[1] * shape[2],)
            elif move == "global":
                c.add({"type": c.pick("global_avgpool2d", "global_maxpool2d")})
                shape = (shape[2],)
            elif move == "to_sequence":
                c.add({"type": "reshape", "shape": c.pick([shape[0] * shape[1], shape[2]], [-1, shape[2]])})
                shape = (shape[0] * shape[1], shape[2])
            else:
                shape = image_layer(c, shape)
        elif len(shape) == 2:
            if c.pick("stay", "stay", "stay", "global") == "global":
                c.add({"type": c.pick("global_avgpool1d", "global_maxpool1d")})
                shape = (shape[1],)
            else:
                shape = sequence_layer(c, shape)
        else:
            shape = vector_layer(c, shape)
    return shape


@st.composite
def valid_specs(draw):
    """A spec of three chains (feature map, sequence or token ids, vector) as YAML text."""
    spec = {"name": "random", "params": {"reset_after": draw(st.booleans())}, "cells": CELLS,
            "inputs": {}, "layers": []}
    outputs = []
    for prefix, start in (("img", "image"), ("seq", "sequence"), ("vec", "vector")):
        c = Chain(draw, spec, prefix)
        c.outputs = outputs
        if start == "image":
            shape = (c.integers(6, 14), c.integers(6, 14), c.integers(1, 6))
            c.last = c.input(shape)
        elif start == "sequence" and c.draw(st.booleans()):
            steps = c.pick(None, 4, 7)
            ids = c.last = c.input([steps], c.pick("int32", "float32"))
            table = c.add({"type": "embedding", "vocab": c.integers(2, 30), "dim": c.integers(1, 6),
                           "mask_zero": c.draw(st.booleans()), "tied": c.draw(st.booleans())})
            shape = (steps, spec["layers"][-1]["dim"])
            if spec["layers"][-1]["tied"] and c.draw(st.booleans()):  # read the table back: a shared embedding
                c.add({"type": "tied_embedding", "inputs": [ids, f"{table}.table"]})
        elif start == "sequence":
            shape = (c.pick(None, 3, 6), c.integers(1, 6))
            c.last = c.input(shape)
        else:
            shape = (c.integers(1, 8),)
            c.last = c.input(shape)
        shape = _walk(c, shape, c.integers(1, 5))
        tied = [e["name"] for e in spec["layers"] if e.get("tied") and e["name"].startswith(prefix)]
        if tied and len(shape) == 2 and shape[-1] == next(e["dim"] for e in spec["layers"] if e["name"] == tied[0]):
            c.add({"type": "tied_dense", "inputs": [c.last, f"{tied[0]}.table"], "activation": c.pick(None, "softmax")})
        outputs.append(c.last)
    spec["outputs"] = outputs
    return yaml.safe_dump(spec, sort_keys=False)
