"""The concepts guide's figures, as Graphviz DOT written from the guide's own numbers
(``archcompiler.concepts``): an MLP, flattening, the worked convolution, pooling, the RNN's
input/output types, an unrolled RNN and truncated BPTT. Each figure is drawn once per language,
the Korean ones labelled in Korean with a Korean font (NanumGothic, installed by scripts/setup.sh)."""

from __future__ import annotations

import html

from .fonts import FONTS

WORDS = {
    "en": {"input": "input", "hidden": "hidden {n}", "output": "output", "image": "4×4 image",
           "vector": "flattened: 16 values in a row", "padded": "input channel {c} (zero-padded to {n}×{n})",
           "filter": "filter 0, slice {c}", "bias": "bias b₀ = {b}", "map": "output map {f}",
           "patch": "4×4 patch, 2×2 windows, stride 2", "max": "max pooling", "avg": "average pooling",
           "min": "min pooling", "one_to_one": "one-to-one", "one_to_many": "one-to-many",
           "many_to_one": "many-to-one", "many_to_many": "many-to-many", "folded": "folded",
           "unrolled": "unrolled in time", "window": "window {i}: steps {a}–{b}",
           "forward": "solid arrows: the state flows on",
           "backward": "dashed red arrows: the gradient, stopping at the window's edge"},
    "ko": {"input": "입력층", "hidden": "은닉층 {n}", "output": "출력층", "image": "4×4 이미지",
           "vector": "평탄화: 값 16개가 한 줄로", "padded": "입력 채널 {c} (제로 패딩으로 {n}×{n})",
           "filter": "필터 0의 채널 {c}", "bias": "편향 b₀ = {b}", "map": "출력 특징 맵 {f}",
           "patch": "4×4 패치, 2×2 윈도, 스트라이드 2", "max": "최대 풀링", "avg": "평균 풀링",
           "min": "최소 풀링", "one_to_one": "일대일", "one_to_many": "일대다",
           "many_to_one": "다대일", "many_to_many": "다대다", "folded": "접힌 모습",
           "unrolled": "시간 축으로 펼친 모습", "window": "윈도 {i}: {a}–{b} 시점",
           "forward": "실선 화살표: 상태는 계속 전달",
           "backward": "빨간 점선 화살표: 기울기, 윈도 경계에서 멈춤"},
}

SHOWN = "#fde68a"  # the window worked out in the text, and the value it gives
PADDING = "#e5e7eb"
WINDOW_COLOURS = ("#bfdbfe", "#bbf7d0", "#fecaca", "#fde68a")
RNN = {"x": "#dbeafe", "h": "#ffe4e6", "y": "#dcfce7"}


def _head(lang: str, rankdir: str = "LR") -> list[str]:
    font = FONTS[lang]
    return ["digraph G {", f'  graph [rankdir={rankdir}, fontname="{font}", fontsize=14, nodesep=0.25, ranksep=0.45, bgcolor=white];',
            f'  node [fontname="{font}", fontsize=12];', f'  edge [fontname="{font}", fontsize=11, color="#52525b"];']


def _grid(values, colour=lambda r, c: None, title: str | None = None, cell: int = 26) -> str:
    """An HTML-like table label: one cell per value, optionally coloured, with a title row."""
    rows = []
    width = len(values[0])
    if title:
        rows.append(f'<TR><TD COLSPAN="{width}" BORDER="0">{html.escape(title)}</TD></TR>')
    for r, row in enumerate(values):
        cells = []
        for c, v in enumerate(row):
            bg = colour(r, c)
            text = f"{v:g}" if isinstance(v, float) else str(v)
            cells.append(f'<TD WIDTH="{cell}" HEIGHT="{cell}"{f" BGCOLOR={chr(34)}{bg}{chr(34)}" if bg else ""}>{text}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def mlp(lang: str, lib: dict) -> str:
    """Input → two hidden layers → output, every node joined to every node of the next layer."""
    w = WORDS[lang]
    layers = [(w["input"], 4), (w["hidden"].format(n=1), 5), (w["hidden"].format(n=2), 5), (w["output"], 3)]
    out = _head(lang) + ['  node [shape=circle, label="", width=0.3, style=filled];', "  splines=line;"]
    for i, (title, count) in enumerate(layers):
        fill = ("#dbeafe", "#fef3c7", "#fef3c7", "#dcfce7")[i]
        out.append(f'  subgraph cluster_{i} {{ label="{title}"; color=white;')
        out += [f'    n{i}_{j} [fillcolor="{fill}"];' for j in range(count)]
        out.append("  }")
    for i in range(len(layers) - 1):
        out += [f"  n{i}_{a} -> n{i + 1}_{b} [arrowsize=0.4, penwidth=0.6];"
                for a in range(layers[i][1]) for b in range(layers[i + 1][1])]
    return "\n".join(out + ["}"])


def flatten(lang: str, lib: dict) -> str:
    """A 4×4 image numbered row by row, and the same 16 values in a row: the pixel above and below
    pixel 6 end up 4 places away from it."""
    w = WORDS[lang]
    centre, n = lib["flat"]["pixel"], lib["flat"]["side"]
    near = {centre - 1: WINDOW_COLOURS[1], centre + 1: WINDOW_COLOURS[1],
            centre - n: WINDOW_COLOURS[2], centre + n: WINDOW_COLOURS[2], centre: SHOWN}
    image = [[r * n + c + 1 for c in range(n)] for r in range(n)]
    out = _head(lang) + ["  node [shape=plaintext];"]
    out.append(f"  image [label={_grid(image, lambda r, c: near.get(r * n + c + 1), w['image'])}];")
    out.append(f"  row [label={_grid([list(range(1, n * n + 1))], lambda r, c: near.get(c + 1), w['vector'])}];")
    out.append("  image -> row;")
    return "\n".join(out + ["}"])


def convolution(lang: str, conv: dict) -> str:
    """The padded input channels with the window of the worked position, filter 0, its bias and the
    two output maps."""
    w = WORDS[lang]
    (r0, c0), k, p, n = conv["window_at"], conv["k"], conv["padding"], conv["n"]
    si, sj = conv["shown"]

    def in_colour(r, c):
        if r0 <= r < r0 + k and c0 <= c < c0 + k:
            return SHOWN
        return PADDING if not (p <= r < n + p and p <= c < n + p) else None

    out = _head(lang) + ["  node [shape=plaintext];", "  newrank=true;"]
    for c, channel in enumerate(conv["padded"]):
        out.append(f"  x{c} [label={_grid(channel, in_colour, w['padded'].format(c=c, n=conv['padded_n']), 22)}];")
        out.append(f"  w{c} [label={_grid(conv['weights'][0][c], lambda r, cc: SHOWN, w['filter'].format(c=c), 22)}];")
        out.append(f"  x{c} -> w{c} [label=\" ×\"];")
    out.append(f'  bias [shape=box, style="rounded,filled", fillcolor="{SHOWN}", label="{w["bias"].format(b=conv["biases"][0])}"];')
    for f, fmap in enumerate(conv["outputs"]):
        colour = (lambda r, c: SHOWN if (r, c) == (si, sj) else None) if f == 0 else (lambda r, c: None)
        out.append(f"  y{f} [label={_grid(fmap, colour, w['map'].format(f=f))}];")
    out += [f"  w{c} -> y0 [label=\" Σ\"];" for c in range(len(conv["padded"]))]
    out += ["  bias -> y0;", "  y0 -> y1 [style=invis];", "  { rank=same; y0; y1; }"]
    return "\n".join(out + ["}"])


def pooling(lang: str, pool: dict) -> str:
    w = WORDS[lang]
    size = pool["size"]

    def colour(r, c):
        return WINDOW_COLOURS[(r // size) * 2 + c // size]

    out = _head(lang) + ["  node [shape=plaintext];"]
    out.append(f"  patch [label={_grid(pool['patch'], colour, w['patch'])}];")
    for op in ("max", "avg", "min"):
        out.append(f"  {op} [label={_grid(pool[op], lambda r, c: WINDOW_COLOURS[r * 2 + c], w[op])}];")
        out.append(f"  patch -> {op};")
    return "\n".join(out + ["}"])


def _seq(out: list[str], prefix: str, kind: str, label: str) -> str:
    name = f"{prefix}_{label}"
    out.append(f'    {name} [label="{label}", fillcolor="{RNN[kind]}"];')
    return name


IO_TYPES = {"one_to_one": (1, 1), "one_to_many": (1, 3), "many_to_one": (3, 1), "many_to_many": (3, 3)}


def io_types(lang: str, lib: dict) -> str:
    """The four input/output types: X (inputs), H (the recurrent layer at each step), Y (outputs)."""
    w = WORDS[lang]
    out = _head(lang, "BT") + ['  node [shape=box, style="rounded,filled", width=0.45, height=0.3];']
    for key, (n_in, n_out) in IO_TYPES.items():
        steps = max(n_in, n_out)
        out.append(f'  subgraph cluster_{key} {{ label="{w[key]}"; color="#d4d4d8"; style=rounded;')
        hs = [_seq(out, key, "h", f"H{t + 1}") for t in range(steps)]
        for t in range(steps):
            reads, writes = t < n_in, t >= steps - n_out  # one input goes in first, one output comes out last
            if reads:
                x = _seq(out, key, "x", f"X{t + 1}")
                out.append(f"    {x} -> {hs[t]};")
            if writes:
                y = _seq(out, key, "y", f"Y{t + 1}")
                out.append(f"    {hs[t]} -> {y};")
        out += [f"    {a} -> {b};" for a, b in zip(hs, hs[1:])]
        out += ["    { rank=same; " + "; ".join(hs) + "; }", "  }"]
    return "\n".join(out + ["}"])


def rnn_unrolled(lang: str, lib: dict, steps: int = 4) -> str:
    """The recurrent layer folded (one box with a loop through U) and unrolled over four steps,
    with the shared weights W, U and V on the edges."""
    w = WORDS[lang]
    out = _head(lang, "BT") + ['  node [shape=box, style="rounded,filled", width=0.5, height=0.32];']
    out.append(f'  subgraph cluster_folded {{ label="{w["folded"]}"; color="#d4d4d8"; style=rounded;')
    x, h, y = (_seq(out, "f", kind, name) for kind, name in (("x", "X"), ("h", "H"), ("y", "Y")))
    out += [f'    {x} -> {h} [label=" W"];', f'    {h} -> {y} [label=" V"];', f'    {h} -> {h} [label=" U"];', "  }"]
    out.append(f'  subgraph cluster_unrolled {{ label="{w["unrolled"]}"; color="#d4d4d8"; style=rounded;')
    hs = [_seq(out, "u", "h", "H0")]
    for t in range(1, steps + 1):
        xt, ht, yt = (_seq(out, "u", kind, f"{name}{t}") for kind, name in (("x", "X"), ("h", "H"), ("y", "Y")))
        out += [f'    {xt} -> {ht} [label=" W"];', f'    {ht} -> {yt} [label=" V"];']
        hs.append(ht)
    out += [f'    {a} -> {b} [label="U"];' for a, b in zip(hs, hs[1:])]
    out += ["    { rank=same; " + "; ".join(hs) + "; }", "  }"]
    return "\n".join(out + ["}"])


def truncated_bptt(lang: str, tb: dict) -> str:
    """Steps 1…T in windows, one window per row: the state flows forward across the windows, the
    gradient only back within one."""
    w = WORDS[lang]
    out = _head(lang, "TB") + ['  node [shape=circle, style=filled, fillcolor="#ffe4e6", width=0.42, fixedsize=true, fontsize=11];',
                               "  ranksep=0.3;"]
    out += [f'  legend [shape=plaintext, style="", fixedsize=false, label=<{w["forward"]}<BR/>'
            f'<FONT COLOR="#dc2626">{w["backward"]}</FONT>>];']
    first, last = "legend", None
    for i, (a, b) in enumerate(tb["windows"], start=1):
        out.append(f'  subgraph cluster_w{i} {{ label="{w["window"].format(i=i, a=a, b=b)}"; color="#9ca3af"; style="rounded,dashed";')
        out += [f'    h{t} [label="H{t}"];' for t in range(a, b + 1)]
        out += [f"    h{t} -> h{t + 1};" for t in range(a, b)]
        out += [f'    h{t} -> h{t + 1} [dir=back, color="#dc2626", style=dashed, arrowsize=0.6];' for t in range(a, b)]
        out += ["    { rank=same; " + "; ".join(f"h{t}" for t in range(a, b + 1)) + "; }", "  }"]
        out.append(f"  {first} -> h{a} [style=invis, weight=10];")  # the windows stacked, left-aligned
        if last:
            out.append(f"  {last} -> h{a} [constraint=false];")
        first, last = f"h{a}", f"h{b}"
    return "\n".join(out + ["}"])


def figures(lang: str, lesson: dict) -> dict[str, str]:
    """Every figure of the guide for one language: name → DOT source."""
    return {"mlp": mlp(lang, lesson["lib"]), "flatten": flatten(lang, lesson),
            "convolution": convolution(lang, lesson["conv"]), "pooling": pooling(lang, lesson["pool"]),
            "io_types": io_types(lang, lesson["lib"]), "rnn_unrolled": rnn_unrolled(lang, lesson["lib"]),
            "truncated_bptt": truncated_bptt(lang, lesson["tbptt"])}
