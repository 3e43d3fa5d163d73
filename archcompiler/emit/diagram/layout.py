"""Graphviz runs: the layout measured once, a long drawing cut into columns side by side (about
16:9), the files rendered, and SVG text made to flow in any browser font."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import graphviz

from ...graph import Graph
from ...outputs import OutputError
from .dot import _build_dot
from .plan import Plan, _cut_vertices, diagram_plan


def diagram_source(graph: Graph, expand: bool = False, rankdir: str = "TB", wrap: bool = True,
                   lang: str = "en") -> graphviz.Digraph:
    """The diagram as a ``graphviz.Digraph`` (``.source`` is the DOT text), labelled in ``lang``
    (Korean: the Korean docs' words, in a Korean font).

    With ``wrap`` (and Graphviz installed), a drawing much longer than broad is laid out once to
    measure it, then cut between top-level blocks into columns side by side (rows, left to right),
    about 16:9, so that a deep network fits a slide."""
    return _layout(diagram_plan(graph, expand, lang), rankdir, wrap, {})


def _layout(plan: Plan, rankdir: str, wrap: bool, files: dict[str, Path]) -> graphviz.Digraph:
    """Build the DOT, wrap it into columns where that helps, and render ``files`` (format → path)
    with as few Graphviz runs as possible."""
    dot = _build_dot(plan, rankdir, ())
    binary = shutil.which("dot")
    if binary is None:
        return dot
    measure = wrap and rankdir in ("TB", "LR")
    if not measure and not files:
        return dot
    plain = _run_dot(binary, dot.source, files, plain=measure)
    cuts = _wrap_cuts(plan, plain, rankdir) if measure else ()
    if cuts:
        dot = _build_dot(plan, rankdir, cuts)
        if files:
            _run_dot(binary, dot.source, files, plain=False)
    return dot


def _run_dot(binary: str, source: str, files: dict[str, Path], plain: bool) -> str:
    """One Graphviz run writing ``files``; returns the layout in ``-Tplain`` form if asked."""
    with tempfile.TemporaryDirectory(prefix="archcompiler-") as tmp:
        args = [binary]
        for fmt, path in files.items():
            args += [f"-T{fmt}", f"-o{path}"]
        measured = Path(tmp) / "layout.txt"
        if plain:
            args += ["-Tplain", f"-o{measured}"]
        try:
            done = subprocess.run(args, input=source.encode("utf-8"), capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise OutputError(f"Graphviz could not run: {e}") from None
        if done.returncode != 0:
            first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise OutputError(f"Graphviz failed: {first[0] if first else f'exit code {done.returncode}'}")
        if "svg" in files:
            files["svg"].write_text(flowing_text(files["svg"].read_text(encoding="utf-8")), encoding="utf-8")
        return measured.read_text(encoding="utf-8", errors="replace") if plain else ""


_SVG_TEXT = re.compile(r'<text (?P<attrs>[^>]*)>(?P<body>[^<]*)</text>')
_PLACED = re.compile(r'\s(?:x|y|text-anchor)="[^"]*"')


def flowing_text(svg: str) -> str:
    """Graphviz writes each piece of a line of mixed text (X, then a subscript t) as a <text> at an
    absolute x measured with its own font metrics, so in a browser with other fonts the pieces drift
    apart ('H     t'). Each such line becomes one <text> whose later pieces are <tspan>s that follow
    the first, whatever the font (the subscript keeps its baseline-shift)."""
    out: list[str] = []
    run: list[re.Match] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0].group(0))
        elif run:
            pieces = "".join(f"<tspan{_PLACED.sub('', ' ' + m.group('attrs'))}>{m.group('body')}</tspan>" for m in run[1:])
            out.append(f"<text {run[0].group('attrs')}>{run[0].group('body')}{pieces}</text>")
        run.clear()

    for line in svg.split("\n"):
        m = _SVG_TEXT.fullmatch(line)
        if m and run and _y(m) != _y(run[0]):
            flush()
        if m:
            run.append(m)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def _y(text: re.Match) -> str | None:
    found = re.search(r'\sy="([^"]*)"', " " + text.group("attrs"))
    return found.group(1) if found else None


def _cluster_chain(plan: Plan, key: str | None) -> list[str]:
    chain = []
    while key is not None:
        chain.append(key)
        key = plan.clusters[key].parent
    return chain


def _wrap_cuts(plan: Plan, plain: str, rankdir: str = "TB") -> tuple[int, ...]:
    """Where to cut a long drawing into columns (TB) or rows (LR): at units every path passes
    through, between top-level blocks, so that the pieces side by side come closest to 16:9."""
    width = height = 0.0
    # id → (across: low, high; along the flow: start, end), in inches
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for line in plain.splitlines():
        parts = line.split(" ", 6)
        if parts[0] == "graph" and len(parts) >= 4:
            width, height = float(parts[2]), float(parts[3])
        elif parts[0] == "node" and len(parts) >= 6:
            x, y, w, h = (float(v) for v in parts[2:6])
            if rankdir == "LR":
                boxes[parts[1]] = (height - y - h / 2, height - y + h / 2, x - w / 2, x + w / 2)
            else:
                boxes[parts[1]] = (x - w / 2, x + w / 2, height - y - h / 2, height - y + h / 2)
    if not width or not height:
        return ()
    length, breadth = (width, height) if rankdir == "LR" else (height, width)
    if length / breadth < (3.5 if rankdir == "LR" else 2.0):
        return ()

    def aspect(along: float, across: float) -> float:
        """Width / height of a drawing whose flow runs ``along`` and whose pieces stack ``across``."""
        return along / across if rankdir == "LR" else across / along

    position = {u.id: k for k, u in enumerate(plan.units)}
    successors: dict[str, list[str]] = {}
    for e in plan.edges:
        successors.setdefault(e.src, []).append(e.dst)
    eligible = []
    for k in _cut_vertices(plan):
        unit = plan.units[k]
        mine = set(_cluster_chain(plan, unit.cluster))
        nxt = successors.get(unit.id, [])
        if nxt and unit.id in boxes and \
                all(not mine & set(_cluster_chain(plan, plan.units[position[n]].cluster)) for n in nxt):
            eligible.append(k)
    ids = [u.id for u in plan.units] + [o[0] for o in plan.outputs]

    def score(cuts: tuple[int, ...]) -> float:
        """How far the drawing cut there is from 16:9 (pieces side by side, 0.6 in apart)."""
        bounds = [-1, *cuts, len(ids) - 1]
        across, along = [], []
        for lo, hi in zip(bounds, bounds[1:]):
            piece = [boxes[i] for i in ids[lo + 1:hi + 1] if i in boxes]
            if piece:
                across.append(max(b[1] for b in piece) - min(b[0] for b in piece) + 0.6)
                along.append(max(b[3] for b in piece) - min(b[2] for b in piece))
        if len(along) < 2 or min(along) < 0.25 * max(along):
            return math.inf  # a stub column helps no one
        return abs(math.log(aspect(max(along) + 1.0, sum(across)) / (16 / 9)))

    best, best_score = (), abs(math.log(width / height / (16 / 9)))
    for columns in range(2, 9):
        chosen: list[int] = []
        for j in range(1, columns):
            target = j * length / columns
            options = [k for k in eligible if not chosen or k > chosen[-1]]
            if options:
                chosen.append(min(options, key=lambda k: abs(boxes[plan.units[k].id][3] - target)))
        candidate = tuple(dict.fromkeys(chosen))
        if candidate and score(candidate) < best_score - 0.05:
            best, best_score = candidate, score(candidate)
    return best
