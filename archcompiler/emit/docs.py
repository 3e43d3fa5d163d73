"""Graph → Markdown docs (README.md in English, README.ko.md in Korean) that explain every layer
with its own numbers, the way the lecture explains convolution, pooling, RNN, LSTM and GRU.

Python only gathers *facts*: every number a document shows is read here from the Graph (node
shapes, parameter counts, multiply-accumulates, the layer's own fields) and checked against the
inferred figures. The *wording* lives in Jinja2 templates, one per layer family and language
(``templates/<lang>/<family>.md.j2``), plus the page, block and index templates and
``templates/lineage.yaml`` (the lecture's two lineages), so a teacher can change the explanations
without touching Python."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..graph import Graph, Node, Scope
from ..library import TEMPLATES_DIR
from .diagram import cell_file_stem

LANGS = ("en", "ko")
FILES = {"en": "README.md", "ko": "README.ko.md"}
MAX_TABLE_ROWS_OPEN = 60  # longer layer tables are folded into <details>


# --- formatting filters (numbers stay numbers until a template prints them) -----------------

def num(n) -> str:
    """1792 → '1,792'; floats keep up to 4 significant digits."""
    if n is None:
        return "?"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:.4g}"
    return f"{int(n):,}"


def tex(n) -> str:
    """A number inside LaTeX: 1792 → '1{,}792' (no space after the thousands comma)."""
    return num(n).replace(",", "{,}")


def _mantissa(x: float) -> tuple[str, int] | None:
    if not isinstance(x, float) or x == 0 or 1e-3 <= abs(x) < 1e6:
        return None
    e = math.floor(math.log10(abs(x)))
    return f"{x / 10 ** e:.4g}", e


def texnum(x) -> str:
    """A number inside LaTeX, small and large floats as powers of ten: 2e-05 → '2 \\times 10^{-5}'."""
    parts = _mantissa(x)
    if parts is None:
        return tex(x) if not isinstance(x, float) or x.is_integer() and abs(x) >= 1000 else f"{x:g}"
    m, e = parts
    return (f"{m} \\times " if m != "1" else "") + f"10^{{{e}}}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x) -> str:
    """A number in running text, small and large floats as powers of ten: 1e-06 → '10⁻⁶'."""
    parts = _mantissa(x)
    if parts is None:
        return f"{x:g}" if isinstance(x, float) else num(x)
    m, e = parts
    return (f"{m}×" if m != "1" else "") + "10" + str(e).translate(_SUPERSCRIPT)


def value(v) -> str:
    """A spec value as YAML writes it: true/false, null, numbers with their own digits."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return "null" if v is None else str(v)


def dim(d) -> str:
    return "T" if d is None else str(d)


def shape(s) -> str:
    """(224, 224, 64) → '224×224×64'; a variable length shows as T."""
    if s is None:
        return "?"
    if len(s) == 0:
        return "1"
    return "×".join(dim(d) for d in s)


def tex_shape(s) -> str:
    return " \\times ".join(dim(d) for d in s)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 else f"{100 * x:.2f}%"


def anchor(text: str) -> str:
    """GitHub's heading anchor for a heading text (lower case, spaces → '-', punctuation dropped)."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


# --- facts: what each layer's explanation needs, read from the graph ----------------------

FACTS: dict[str, Callable[["Doc", Node], dict]] = {}


def facts_for(*kinds: str):
    def register(fn):
        for kind in kinds:
            FACTS[kind] = fn
        return fn
    return register


def _same_pad(n, k, s):
    """Keras' 'same' padding as (before, after): the total is split with the extra pixel after."""
    if n is None:
        return None
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def _axis(n, k, s, d, pad, out):
    """One spatial axis of the output-size formula ⌊(n − k + p_before + p_after) / s⌋ + 1."""
    ek = (k - 1) * d + 1
    known = n is not None and out is not None and pad is not None
    ok = known and (n - ek + pad[0] + pad[1]) // s + 1 == out
    return {"n": n, "k": k, "ek": ek, "s": s, "d": d, "pad": pad, "out": out, "known": known, "ok": ok,
            "sym": pad is not None and pad[0] == pad[1], "p": pad[0] if pad else None,
            "num": None if not known else n - ek + pad[0] + pad[1]}


def _pads_2d(padding):
    if isinstance(padding, int):
        return ((padding, padding), (padding, padding))
    if isinstance(padding[0], int):
        return ((padding[0], padding[0]), (padding[1], padding[1]))
    return tuple(tuple(p) for p in padding)


def _pads_1d(padding):
    return (padding, padding) if isinstance(padding, int) else tuple(padding)


def _padding_source(doc: "Doc", node: Node):
    """A zero-padding node feeding only this layer: its padding belongs in this layer's formula."""
    src = doc.g.nodes[node.inputs[0].node]
    if src.kind in ("zeropad2d", "zeropad1d") and len(doc.g.consumers(src.name)) == 1:
        return src
    return None


def _window_2d(doc: "Doc", node: Node, kernel, stride, dilation, padding) -> dict:
    (ins,) = doc.g.input_shapes(node)
    h, w, c = ins
    oh, ow, oc = node.shape
    pad_node = None
    if padding == "same":
        mode = "same"
        pre = ins
        pads, n = [_same_pad(h, (kernel[0] - 1) * dilation[0] + 1, stride[0]),
                   _same_pad(w, (kernel[1] - 1) * dilation[1] + 1, stride[1])], (h, w)
    else:
        src = _padding_source(doc, node)
        if src is not None:
            mode, pad_node = "explicit", src.name
            pads = list(_pads_2d(src.layer.padding))
            n = doc.g.input_shapes(src)[0][:2]
            pre = doc.g.input_shapes(src)[0]
        else:
            mode, pads, n, pre = "valid", [(0, 0), (0, 0)], (h, w), ins
    axes = [_axis(n[i], kernel[i], stride[i], dilation[i], pads[i], (oh, ow)[i]) for i in range(2)]
    same_axes = {k: v for k, v in axes[0].items()} == {k: v for k, v in axes[1].items()}
    return {"in": ins, "h": h, "w": w, "c": c, "out": node.shape, "oh": oh, "ow": ow, "oc": oc,
            "mode": mode, "pad_node": pad_node, "pre_pad": pre, "axes": axes, "square": same_axes,
            "formula_ok": all(a["ok"] for a in axes),
            "kernel": tuple(kernel), "stride": tuple(stride),
            "halves": h is not None and oh is not None and oh * 2 in (h, h + 1) and ow * 2 in (w, w + 1)}


@facts_for("conv2d")
def _conv2d(doc, node):
    L = node.layer
    f = _window_2d(doc, node, L.kernel, L.stride, L.dilation, L.padding)
    c, groups = f["c"], L.groups
    per_filter = L.kernel[0] * L.kernel[1] * (c // groups)
    weights, bias = per_filter * L.filters, (L.filters if L.use_bias else 0)
    h, w, oh, ow = f["h"], f["w"], f["oh"], f["ow"]
    dense = None if None in (h, w, oh, ow) else h * w * c * oh * ow * L.filters
    f.update(filters=L.filters, groups=groups, group_in=c // groups, group_out=L.filters // groups,
             dilation=tuple(L.dilation), activation=L.activation or "linear", use_bias=L.use_bias,
             per_filter=per_filter, weights=weights, bias=bias, params=node.params,
             params_ok=weights + bias == node.params, dense_equiv=dense,
             dense_ratio=None if not dense else dense / max(node.params, 1),
             pointwise=tuple(L.kernel) == (1, 1), reduces=L.filters < c)
    return f


@facts_for("conv1d")
def _conv1d(doc, node):
    L = node.layer
    (ins,) = doc.g.input_shapes(node)
    steps, c = ins
    out_steps, oc = node.shape
    ek = (L.kernel - 1) * L.dilation + 1
    if L.padding == "same":
        pad = _same_pad(steps, ek, L.stride)
    elif L.padding == "causal":
        pad = (ek - 1, 0)
    else:
        pad = (0, 0)
    per_filter = L.kernel * c // L.groups
    weights, bias = per_filter * L.filters, (L.filters if L.use_bias else 0)
    return {"in": ins, "steps": steps, "c": c, "out": node.shape, "out_steps": out_steps, "filters": L.filters,
            "kernel": L.kernel, "stride": L.stride, "mode": L.padding, "groups": L.groups,
            "axis": _axis(steps, L.kernel, L.stride, L.dilation, pad, out_steps),
            "activation": L.activation or "linear", "per_filter": per_filter, "weights": weights, "bias": bias,
            "params": node.params, "params_ok": weights + bias == node.params}


@facts_for("maxpool2d", "avgpool2d")
def _pool2d(doc, node):
    L = node.layer
    f = _window_2d(doc, node, L.pool, L.strides, (1, 1), L.padding)
    f.update(pool=tuple(L.pool), op="max" if node.kind.startswith("max") else "avg",
             overlapping=tuple(L.strides) != tuple(L.pool), params=node.params)
    return f


@facts_for("maxpool1d", "avgpool1d")
def _pool1d(doc, node):
    L = node.layer
    (ins,) = doc.g.input_shapes(node)
    stride = L.stride or L.pool
    pad = _same_pad(ins[0], L.pool, stride) if L.padding == "same" else (0, 0)
    return {"in": ins, "out": node.shape, "pool": L.pool, "stride": stride, "mode": L.padding,
            "op": "max" if node.kind.startswith("max") else "avg", "c": ins[-1],
            "axis": _axis(ins[0], L.pool, stride, 1, pad, node.shape[0]), "params": node.params}


def _next_dense(doc, node: Node, through=("regularization", "activation", "reshape")):
    """The fully connected layer that reads this node's output (directly or through dropout/flatten)."""
    current = node
    for _ in range(4):
        readers = doc.g.consumers(current.name)
        if len(readers) != 1:
            return None
        current = readers[0]
        if current.kind == "dense":
            return current
        if current.family not in through:
            return None
    return None


@facts_for("global_avgpool2d", "global_maxpool2d", "global_avgpool1d", "global_maxpool1d")
def _global_pool(doc, node):
    (ins,) = doc.g.input_shapes(node)
    c = ins[-1]
    flat = math.prod(ins) if None not in ins else None
    dense = _next_dense(doc, node)
    saved = None
    if dense is not None and flat is not None:
        saved = dense.layer.units * (flat - c)
    return {"in": ins, "out": node.shape, "c": c, "flat": flat, "spatial": ins[:-1],
            "op": "max" if "max" in node.kind else "avg", "next_dense": dense.name if dense else None,
            "next_units": dense.layer.units if dense else None, "saved": saved, "params": node.params}


@facts_for("dense")
def _dense(doc, node):
    L = node.layer
    (ins,) = doc.g.input_shapes(node)
    features = ins[-1]
    weights, bias = features * L.units, (L.units if L.use_bias else 0)
    positions = ins[:-1]
    src = doc.g.nodes[node.inputs[0].node]
    readers = doc.g.consumers(node.name)
    ffn = None  # a position-wise dense with a non-linearity feeding another one: the feed-forward sublayer
    if (positions and len(readers) == 1 and readers[0].kind == "dense" and L.activation not in (None, "linear")
            and readers[0].layer.activation in (None, "linear") and readers[0].layer.units == features):
        ffn = {"next": readers[0].name, "d_in": features, "d_ff": L.units, "d_out": readers[0].layer.units}
    return {"ffn": ffn, "in": ins, "out": node.shape, "features": features, "units": L.units,
            "activation": L.activation or "linear", "use_bias": L.use_bias, "weights": weights, "bias": bias,
            "params": node.params, "params_ok": weights + bias == node.params,
            "positions": positions, "per_position": len(positions) > 0,
            "is_output": doc.is_output(node), "after_flatten": src.kind == "flatten",
            "source": src.name, "source_kind": src.kind}


@facts_for("activation", "relu", "sigmoid", "tanh", "softmax", "gelu")
def _activation(doc, node):
    (ins,) = doc.g.input_shapes(node)
    return {"in": ins, "out": node.shape, "activation": node.layer.activation, "is_output": doc.is_output(node),
            "after": doc.g.nodes[node.inputs[0].node].kind}


@facts_for("dropout")
def _dropout(doc, node):
    rate = node.layer.rate
    units = None if None in node.shape else math.prod(node.shape)
    return {"in": node.shape, "out": node.shape, "rate": rate, "keep": 1 - rate,
            "scale": 1 / (1 - rate) if rate < 1 else None, "units": units,
            "dropped": None if units is None else round(rate * units)}


@facts_for("batchnorm")
def _batchnorm(doc, node):
    L = node.layer
    c = node.shape[-1]
    return {"in": node.shape, "out": node.shape, "c": c, "epsilon": L.epsilon, "momentum": L.momentum,
            "trainable": node.trainable, "non_trainable": node.non_trainable, "params": node.params,
            "params_ok": node.trainable == 2 * c and node.non_trainable == 2 * c,
            "after": doc.g.nodes[node.inputs[0].node].kind}


@facts_for("layernorm")
def _layernorm(doc, node):
    d = node.shape[-1]
    src = doc.g.nodes[node.inputs[0].node]
    return {"in": node.shape, "out": node.shape, "d": d, "epsilon": node.layer.epsilon, "params": node.params,
            "params_ok": node.params == 2 * d, "after_add": src.kind == "add", "add": src.name,
            "positions": node.shape[:-1]}


@facts_for("lrn")
def _lrn(doc, node):
    L = node.layer
    return {"in": node.shape, "out": node.shape, "radius": L.depth_radius, "window": 2 * L.depth_radius + 1,
            "bias": L.bias, "alpha": L.alpha, "beta": L.beta, "c": node.shape[-1], "params": node.params}


@facts_for("flatten")
def _flatten(doc, node):
    (ins,) = doc.g.input_shapes(node)
    return {"in": ins, "out": node.shape, "dims": list(ins), "total": node.shape[0],
            "ok": math.prod(ins) == node.shape[0]}


@facts_for("reshape")
def _reshape(doc, node):
    (ins,) = doc.g.input_shapes(node)
    return {"in": ins, "out": node.shape, "total": math.prod(d for d in ins if d)}


@facts_for("zeropad2d")
def _zeropad2d(doc, node):
    (ins,) = doc.g.input_shapes(node)
    (t, b), (l, r) = _pads_2d(node.layer.padding)
    readers = doc.g.consumers(node.name)
    return {"in": ins, "out": node.shape, "top": t, "bottom": b, "left": l, "right": r,
            "uniform": len({t, b, l, r}) == 1, "h": ins[0], "w": ins[1], "oh": node.shape[0], "ow": node.shape[1],
            "c": ins[2], "for": readers[0].name if len(readers) == 1 else None,
            "for_kind": readers[0].kind if len(readers) == 1 else None}


@facts_for("zeropad1d")
def _zeropad1d(doc, node):
    (ins,) = doc.g.input_shapes(node)
    a, b = _pads_1d(node.layer.padding)
    return {"in": ins, "out": node.shape, "before": a, "after": b, "steps": ins[0], "out_steps": node.shape[0]}


@facts_for("embedding")
def _embedding(doc, node):
    L = node.layer
    (ins,) = doc.g.input_shapes(node)
    return {"in": ins, "out": node.shape, "vocab": L.vocab, "dim": L.dim, "steps": ins[0] if ins else None,
            "params": node.params, "params_ok": L.vocab * L.dim == node.params, "mask_zero": L.mask_zero,
            "source": node.inputs[0].node}


@facts_for("positional_encoding")
def _positional(doc, node):
    steps, d = node.shape
    return {"in": node.shape, "out": node.shape, "steps": steps, "d": d, "scale": node.layer.scale,
            "sqrt_d": math.sqrt(d), "half": d // 2, "params": node.params}


def _ancestors(doc, name: str) -> set[str]:
    return doc.ancestors(name)


def _branches(doc, node: Node) -> dict:
    """For a merge: the node where its inputs fork, and each input's chain of nodes from there."""
    sets = [doc.ancestors(r.node) | {r.node} for r in node.inputs]
    common = set.intersection(*sets)
    order = list(doc.g.nodes)
    fork = max(common, key=order.index) if common else None
    chains = []
    for r, anc in zip(node.inputs, sets):
        # the nodes on the paths from the fork to this input: below the fork and above the input
        chain = [doc.g.nodes[n] for n in order if n in anc and n != fork and fork in doc.ancestors(n)]
        chains.append(chain)
    return {"fork": fork, "chains": chains}


@facts_for("add")
def _add(doc, node):
    shapes = doc.g.input_shapes(node)
    br = _branches(doc, node)
    chains = br["chains"]
    residual = len(node.inputs) == 2
    shortcut = body = None
    if residual:
        lengths = [len(c) for c in chains]
        s = 0 if lengths[0] <= lengths[1] else 1
        shortcut, body = s, 1 - s
    readers = doc.g.consumers(node.name)
    then = readers[0] if len(readers) == 1 else None
    return {"in": shapes, "out": node.shape, "inputs": [str(r) for r in node.inputs], "fork": br["fork"],
            "chains": chains, "residual": residual, "shortcut": shortcut, "body": body,
            "identity": residual and len(chains[shortcut]) == 0,
            "shortcut_chain": chains[shortcut] if residual else [], "body_chain": chains[body] if residual else [],
            "then": then.name if then else None, "then_kind": then.kind if then else None,
            "add_norm": then is not None and then.kind == "layernorm"}


@facts_for("concat")
def _concat(doc, node):
    shapes = doc.g.input_shapes(node)
    rank = len(node.shape)
    axis = node.layer.axis if node.layer.axis >= 0 else rank + node.layer.axis
    br = _branches(doc, node)
    widths = [s[axis] for s in shapes]
    return {"in": shapes, "out": node.shape, "axis": axis, "last_axis": axis == rank - 1,
            "inputs": [str(r) for r in node.inputs], "widths": widths, "total": node.shape[axis],
            "ok": None not in widths and sum(widths) == node.shape[axis], "fork": br["fork"], "chains": br["chains"],
            "spatial": node.shape[:-1] if axis == rank - 1 else None}


def _ref_text(ref) -> str:
    return str(ref)


def _recurrent_common(doc, node) -> dict:
    """What every recurrent layer's explanation shares: sizes, outputs, initial states."""
    L = node.layer
    steps, m = doc.g.input_shapes(node)[0]
    directions = 2 if L.bidirectional else 1
    states_in = [{"ref": str(r), "node": r.node, "output": doc.g.nodes[r.node].output_names[r.index],
                  "shape": doc.g.nodes[r.node].shapes[r.index]} for r in node.inputs[1:]]
    names = node.output_names
    dense = _next_dense(doc, node)
    return {"o": dense.layer.units if dense else None, "v_layer": dense.name if dense else None,
            "v_activation": (dense.layer.activation or "linear") if dense else None,
            "in": (steps, m), "out": node.shape, "outs": list(zip(names, node.shapes)), "steps": steps, "m": m,
            "k": L.units, "directions": directions, "params": node.params,
            "return_sequences": L.return_sequences, "return_state": L.return_state,
            "bidirectional": L.bidirectional, "go_backwards": L.go_backwards,
            "states_in": states_in, "state_outputs": names[1:] if L.return_state else [],
            "width": L.units * directions}


@facts_for("simple_rnn", "lstm", "gru")
def _recurrent(doc, node):
    L = node.layer
    f = _recurrent_common(doc, node)
    m, k = f["m"], f["k"]
    gates = type(L).gates
    biases = 2 if node.kind == "gru" and L.reset_after else 1
    per_gate = k * m + k * k + biases * k
    per_direction = gates * per_gate
    f.update(gates=gates, biases=biases, per_gate=per_gate, per_direction=per_direction,
             params_ok=per_direction * f["directions"] == node.params,
             activation=L.activation, gate_activation=getattr(L, "gate_activation", None),
             reset_after=getattr(L, "reset_after", None), unit_forget_bias=getattr(L, "unit_forget_bias", None),
             kernel_shape=(m, gates * k), recurrent_shape=(k, gates * k))
    return f


@facts_for("rnn")
def _declared_cell(doc, node):
    """A recurrent layer whose cell the spec declares by its gate equations (``type: rnn``)."""
    L = node.layer
    f = _recurrent_common(doc, node)
    rows = L.equation_rows(f["m"])
    cell = L.cell
    per_direction = sum(r["params"] for r in rows)
    f.update(cell=cell.name, cell_title=cell.title.model_dump() if cell.title else None,
             cell_explain=cell.explain.model_dump() if cell.explain else None, states=list(cell.state),
             output_state=cell.output_state, rows=rows, gates=[r for r in rows if r["kind"] == "gate"],
             per_direction=per_direction, params_ok=per_direction * f["directions"] == node.params,
             figure=f"{cell_file_stem(doc.g, cell.name)}.svg")
    return f


def _qvk(doc, node):
    refs = list(node.inputs)
    query = refs[0]
    value = refs[1] if len(refs) > 1 else query
    key = refs[2] if len(refs) > 2 else value
    shape_of = lambda r: doc.g.nodes[r.node].shapes[r.index]  # noqa: E731
    return {"query": str(query), "value": str(value), "key": str(key),
            "q_shape": shape_of(query), "v_shape": shape_of(value), "k_shape": shape_of(key),
            "tq": shape_of(query)[0], "tv": shape_of(value)[0], "dq": shape_of(query)[-1],
            "dv": shape_of(value)[-1], "dk": shape_of(key)[-1],
            "self": len({str(query), str(value), str(key)}) == 1}


@facts_for("attention", "additive_attention")
def _attention(doc, node):
    f = _qvk(doc, node)
    f.update(out=node.shape, scale=node.layer.scale, causal=node.layer.causal, params=node.params,
             additive=node.kind == "additive_attention")
    return f


@facts_for("multi_head_attention")
def _mha(doc, node):
    L = node.layer
    f = _qvk(doc, node)
    h, dk = L.heads, L.key_dim
    dv = L.value_dim or dk
    b = 1 if L.use_bias else 0
    q = f["dq"] * h * dk + b * h * dk
    kk = f["dk"] * h * dk + b * h * dk
    v = f["dv"] * h * dv + b * h * dv
    o = h * dv * f["dq"] + b * f["dq"]
    f.update(out=node.shape, heads=h, key_dim=dk, value_dim=dv, d=f["dq"], use_bias=L.use_bias,
             causal=L.causal, dropout=L.dropout, q_params=q, k_params=kk, v_params=v, o_params=o,
             params=node.params, params_ok=q + kk + v + o == node.params, sqrt_dk=math.sqrt(dk),
             concat_width=h * dv, splits_model=h * dk == f["dq"])
    return f


@facts_for("input")
def _input(doc, node):
    s = node.shape
    return {"in": [], "out": s, "dtype": node.layer.dtype, "rank": len(s), "image": len(s) == 3,
            "tokens": node.layer.dtype.startswith("int"), "channels": s[-1] if len(s) == 3 else None,
            "steps": s[0] if len(s) >= 1 else None, "readers": [n.name for n in doc.g.consumers(node.name)]}


def _generic(doc, node):
    return {"in": doc.g.input_shapes(node), "out": node.shape, "outs": list(zip(node.output_names, node.shapes)),
            "params": node.params, "trainable": node.trainable, "non_trainable": node.non_trainable,
            "hyper": node.layer.hyperparameters(), "generic": True}


# --- the document's structure: layers, repeated copies and block instances ---------------

@dataclass
class Item:
    """One layer explained (or several identical copies of it, explained once)."""

    node: Node
    f: dict
    full: bool
    names: list[str]
    template: str
    level: int
    share: float = 0.0

    @property
    def name(self): return self.node.name
    @property
    def kind(self): return self.node.kind
    @property
    def family(self): return self.node.family
    @property
    def params(self): return self.node.params
    @property
    def macs(self): return self.node.macs
    @property
    def out(self): return self.node.shapes
    is_block = False


@dataclass
class Block:
    """A block instance (or several identical instances, explained once), with its layers."""

    scope: Scope
    spec: Any  # BlockSpec or None for a repeated plain layer
    instances: list[str]
    children: list
    level: int
    first: bool  # the first time this block kind appears: its explanation is shown here
    in_shapes: list
    out_shape: tuple
    params: int
    macs: int
    merges: list = field(default_factory=list)  # Items of concat/add nodes directly in the block
    first_anchor: str = ""
    is_block = True

    @property
    def name(self): return self.scope.name
    @property
    def count(self): return len(self.instances)
    @property
    def args(self): return list(getattr(self.scope, "args", ()))


class Doc:
    """Everything the templates read about one graph."""

    def __init__(self, g: Graph):
        self.g = g
        self.order = {name: i for i, name in enumerate(g.nodes)}
        self._anc: dict[str, set[str]] = {}
        self.outputs = {r.node for r in g.outputs}
        self.explained: set[str] = set()
        self.blocks_seen: dict[str, str] = {}
        self.items: list[Item] = []
        self.folded: set[str] = self._folded_pads()
        self.fallbacks: list[str] = []  # facts that could not be gathered (tests assert there are none)

    def ancestors(self, name: str) -> set[str]:
        if name not in self._anc:
            out: set[str] = set()
            for r in self.g.nodes[name].inputs:
                out |= {r.node} | self.ancestors(r.node)
            self._anc[name] = out
        return self._anc[name]

    def is_output(self, node: Node) -> bool:
        return node.name in self.outputs

    def _folded_pads(self) -> set[str]:
        """Zero-padding nodes written as a conv's or pool's numeric padding (``name_pad``): they are
        explained inside that layer's formula, not as layers of their own."""
        out = set()
        for node in self.g.nodes.values():
            if node.kind in ("zeropad2d", "zeropad1d"):
                readers = self.g.consumers(node.name)
                if len(readers) == 1 and node.name == readers[0].name + "_pad" and node.path == readers[0].path:
                    out.add(node.name)
        return out

    def facts(self, node: Node) -> dict:
        fn = FACTS.get(node.kind)
        if fn is None:
            return _generic(self, node)
        try:
            return fn(self, node)
        except Exception as e:  # a kind whose fields differ from what the rule expects: still documented
            self.fallbacks.append(f"{node.name}: {type(e).__name__}: {e}")
            return _generic(self, node)

    def item(self, nodes: list[Node], level: int) -> Item:
        node = nodes[0]
        cell = getattr(node.layer, "cell", None)  # declared recurrent cells: each explained in full once
        key = node.kind + (f":{cell.name}" if cell is not None and hasattr(cell, "name") else "")
        full = key not in self.explained
        self.explained.add(key)
        total = self.g.total_params or 1
        f = self.facts(node)
        it = Item(node, f, full, [n.name for n in nodes], "generic" if f.get("generic") else node.family, level,
                  share=sum(n.params for n in nodes) / total)
        self.items.append(it)
        return it

    # -- signatures: identical copies are explained once
    @staticmethod
    def node_sig(g: Graph, node: Node):
        return (node.kind, repr(sorted(node.layer.hyperparameters().items())), tuple(g.input_shapes(node)),
                tuple(node.shapes), node.trainable, node.non_trainable)

    def sections(self, nodes: list[Node], depth: int = 0, level: int = 3) -> list:
        out: list = []
        i = 0
        nodes = [n for n in nodes if n.name not in self.folded]
        while i < len(nodes):
            node = nodes[i]
            if len(node.scopes) <= depth:
                out.append(self.item([node], level))
                i += 1
                continue
            # a run of instances of one repeat group (or one instance)
            group = node.scopes[depth].group
            instances: list[list[Node]] = []
            while i < len(nodes) and len(nodes[i].scopes) > depth and nodes[i].scopes[depth].group == group:
                index = nodes[i].scopes[depth].index
                members = []
                while (i < len(nodes) and len(nodes[i].scopes) > depth and nodes[i].scopes[depth].group == group
                       and nodes[i].scopes[depth].index == index):
                    members.append(nodes[i])
                    i += 1
                instances.append(members)
            # consecutive identical instances collapse
            runs: list[list[list[Node]]] = []
            for inst in instances:
                sig = tuple(self.node_sig(self.g, n) for n in inst)
                if runs and tuple(self.node_sig(self.g, n) for n in runs[-1][0]) == sig:
                    runs[-1].append(inst)
                else:
                    runs.append([inst])
            for run in runs:
                scope = run[0][0].scopes[depth]
                if not scope.block and all(len(inst) == 1 for inst in run):
                    out.append(self.item([inst[0] for inst in run], level))  # copies of one plain layer
                elif not scope.block:
                    out.extend(self.sections(run[0], depth + 1, level))
                else:
                    out.append(self.block(run, depth, level))
        return out

    def block(self, run: list[list[Node]], depth: int, level: int) -> Block:
        first_nodes = run[0]
        scope = first_nodes[0].scopes[depth]
        spec = self.g.spec.blocks.get(scope.block)
        first = scope.block not in self.blocks_seen
        if first:
            self.blocks_seen[scope.block] = scope.name
        inside = {n.name for n in first_nodes}
        in_refs = []
        for n in first_nodes:
            for r in n.inputs:
                if r.node not in inside and str(r) not in [str(x) for x in in_refs]:
                    in_refs.append(r)
        in_shapes = [(str(r), self.g.nodes[r.node].shapes[r.index]) for r in in_refs]
        last = first_nodes[-1]
        children = self.sections(first_nodes, depth + 1, min(level + 1, 6))
        merges = [c for c in children if not c.is_block and c.kind in ("concat", "add")]
        return Block(scope, spec, [inst[0].scopes[depth].name for inst in run], children, level, first,
                     in_shapes, last.shape, sum(n.params for n in first_nodes), sum(n.macs for n in first_nodes),
                     merges, self.blocks_seen[scope.block])


# --- lineage (the lecture's two timelines) -----------------------------------------------

@lru_cache(maxsize=1)
def lineages() -> dict:
    import yaml

    with open(TEMPLATES_DIR / "lineage.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def lineage_step(name: str):
    """The lineage and step a spec belongs to, by its name (vgg16 → cnn, VGGNet)."""
    for line, data in lineages()["lines"].items():
        for i, step in enumerate(data["steps"]):
            for prefix in step.get("match", []):
                if name == prefix or (name.startswith(prefix) and (name[len(prefix):][:1].isdigit()
                                                                   or name[len(prefix):][:1] in "_-")):
                    return line, i
    return None, None


# --- rendering ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment over TEMPLATES_DIR (templates reload when their files change)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(zip=lambda a, b: list(zip(a, b)), num=num, tex=tex, texnum=texnum, sci=sci, value=value, shape=shape, tex_shape=tex_shape, pct=pct, dim=dim, anchor=anchor)
    env.globals.update(FILES=FILES)
    return env


def _mermaid(graph: Graph) -> str | None:
    try:
        from .diagram import mermaid_text
    except ImportError:
        return None
    try:
        return mermaid_text(graph).strip()
    except Exception:  # the diagram has its own tests; the docs still come out without it
        return None


def _tidy(text: str) -> str:
    """Collapse the blank lines that template logic leaves behind (outside code blocks)."""
    out, blank, fenced = [], 0, False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and not line.strip():
            blank += 1
            if blank > 1:
                continue
        else:
            blank = 0
        out.append(line.rstrip() if not fenced else line)
    return "\n".join(out).strip() + "\n"


def context(graph: Graph) -> dict:
    """Everything a page template reads (also used by tests to check the numbers)."""
    doc = Doc(graph)
    sections = doc.sections(list(graph.nodes.values()))
    line, step = lineage_step(graph.name)
    inputs = [graph.nodes[n] for n in graph.inputs]
    biggest = sorted(graph.layers(), key=lambda n: -n.params)[:3]
    return {
        "g": graph, "spec": graph.spec, "doc": doc, "sections": sections, "items": doc.items,
        "inputs": inputs, "lineages": lineages(), "line": line, "step": step,
        "mermaid": _mermaid(graph), "nodes": list(graph.nodes.values()),
        "fold_table": len(graph.nodes) > MAX_TABLE_ROWS_OPEN, "biggest": [n for n in biggest if n.params],
        "recurrent": [n for n in graph.layers() if n.family == "recurrent"],
        "variable_length": any(None in graph.nodes[n].shape for n in graph.inputs),
    }


def _template(env, lang: str, name: str):
    path = TEMPLATES_DIR / lang / f"{name}.md.j2"
    return env.get_template(f"{lang}/{name if path.is_file() else 'generic'}.md.j2")


def render_doc(graph: Graph, lang: str, ctx: dict | None = None, langs: tuple[str, ...] = LANGS) -> str:
    env = environment()
    ctx = ctx or context(graph)

    def explain(it: Item) -> str:
        return _template(env, lang, it.template).render(it=it, f=it.f, g=graph, lang=lang).strip()

    def explain_block(b: Block) -> str:
        return env.get_template(f"{lang}/block.md.j2").render(blk=b, g=graph, lang=lang).strip()

    page = env.get_template(f"{lang}/page.md.j2")
    return _tidy(page.render(lang=lang, langs=langs, explain=explain, explain_block=explain_block, **ctx))


def write_docs(graph: Graph, folder: Path, langs: tuple[str, ...] = LANGS) -> list[Path]:
    """README.md (English) and README.ko.md (Korean) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    ctx = context(graph)
    for lang in langs:
        path = folder / FILES[lang]
        path.write_text(render_doc(graph, lang, ctx, langs), encoding="utf-8")
        written.append(path)
    return written


def index_context(graphs: list[Graph]) -> dict:
    rows = []
    seen: set[str] = set()
    for g in graphs:
        if g.name in seen:  # a spec named twice (e.g. by name and by --all) is listed once
            continue
        seen.add(g.name)
        line, step = lineage_step(g.name)
        rows.append({"g": g, "spec": g.spec, "line": line, "step": step,
                     "inputs": [(n, g.nodes[n].shape, g.nodes[n].layer.dtype) for n in g.inputs]})
    order = list(lineages()["lines"])
    rows.sort(key=lambda r: (order.index(r["line"]) if r["line"] in order else len(order),
                             r["step"] if r["step"] is not None else 0, r["spec"].year or 0,
                             [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", r["g"].name)]))
    by_step: dict[tuple, list] = {}
    for row in rows:
        if row["line"]:
            by_step.setdefault((row["line"], row["step"]), []).append(row)
    return {"rows": rows, "lineages": lineages(), "by_step": by_step}


def write_index(graphs: list[Graph], folder: Path, langs: tuple[str, ...] = LANGS) -> list[Path]:
    """folder/README.md (+ README.ko.md): a comparison table and the lecture's lineages over the specs."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = environment()
    ctx = index_context(graphs)
    written = []
    for lang in langs:
        path = folder / FILES[lang]
        page = env.get_template(f"{lang}/index.md.j2")
        path.write_text(_tidy(page.render(lang=lang, langs=langs, **ctx)), encoding="utf-8")
        written.append(path)
    return written
