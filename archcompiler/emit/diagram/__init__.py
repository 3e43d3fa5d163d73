"""Architecture diagrams: Graphviz (DOT, SVG, PNG) and a Mermaid flowchart, from the Graph alone.

Nothing here touches Keras. The drawing is planned once (``diagram_plan``) and written twice:

- every layer is a node (name, kind and hyperparameters, output shape, parameters), coloured by family;
- block instances (``node.scopes``) are clusters, except one drawn as a single node, which carries
  the instance's name instead (Inception's conv → batch norm → ReLU helper); the copies made by one ``repeat`` that are identical
  (same kinds, hyperparameters and wiring) are drawn once and labelled ×N, unless ``expand`` is set.
  Edges from outside go into the drawn copy, and what the last copy feeds is drawn out of it;
- by default a normalisation, activation or dropout that follows a single layer is folded into that
  layer's node (``conv 1×1, 64 filters … → batch norm → relu``), and a zero padding into the layer
  it pads: every layer is still named, but deep networks stay a slide, not a strip.
  ``expand`` draws every layer and every copy as its own node;
- residual shortcuts are drawn as such (the identity path of an ``add``), recurrent states and
  attention inputs are labelled with what they carry (``h (256,)``, ``query``/``value``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from ...graph import Graph
from .cell_figures import _write_cells, declared_cells
from .layout import _layout, diagram_source, flowing_text
from .mermaid import _mermaid, mermaid_text
from .plan import Plan, diagram_plan
from .style import EDGE_STYLE, FAMILY_STYLE

__all__ = ["EDGE_STYLE", "FAMILY_STYLE", "FORMATS", "Plan", "declared_cells", "diagram_plan", "diagram_source",
           "flowing_text", "mermaid_text", "write_diagram"]

INSTALL_HINT = ("Graphviz's 'dot' was not found, so {what} skipped (the .dot and .mmd files are written): "
                "install Graphviz, e.g. 'sudo apt-get install graphviz' or 'brew install graphviz' "
                "(https://graphviz.org/download/).")
FORMATS = ("dot", "svg", "png", "mmd")


def write_diagram(graph: Graph, folder: Path, formats: list[str], expand: bool = False, rankdir: str = "TB",
                  notify: Callable[[str], object] = print, langs: tuple[str, ...] = ("en",),
                  exact_langs: bool = False) -> list[Path]:
    """Write ``<name>.dot/.svg/.png/.mmd`` (those asked for) into ``folder``; returns the files written.
    Each other language in ``langs`` gets its own ``<name>.<lang>.dot/.svg/.png`` (and cell figures),
    labelled in that language; the Mermaid file is written once, in English: the docs' diagrams, whose
    Korean flowchart is inline in README.ko.md. With ``exact_langs`` (the diagram command), exactly the
    languages in ``langs`` are written, each in every format asked, ``<name>.ko.mmd`` included.

    Without Graphviz's ``dot`` the DOT and Mermaid files are still written and ``notify`` is told, in one
    line, how to install it."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown diagram format(s): {', '.join(unknown)}")
    chosen = list(dict.fromkeys(langs if exact_langs else ("en", *langs)))
    written: list[Path] = []
    for lang in chosen:
        own = formats if exact_langs or lang == "en" else [f for f in formats if f != "mmd"]
        told = notify if lang == chosen[0] else (lambda line: None)  # the missing Graphviz is told once
        written += _write_one(graph, Path(folder), own, expand, rankdir, told, lang)
    return written


def _write_one(graph: Graph, folder: Path, formats: list[str], expand: bool, rankdir: str,
               notify: Callable[[str], object], lang: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wanted = list(dict.fromkeys(formats))
    stem = graph.name if lang == "en" else f"{graph.name}.{lang}"  # "vgg16.ko": not a suffix to replace
    written = {f: folder / f"{stem}.{f}" for f in wanted}
    plan = diagram_plan(graph, expand, lang)
    if {"dot", "svg", "png"} & set(wanted):
        rendered = [f for f in ("svg", "png") if f in wanted]
        if rendered and shutil.which("dot") is None:
            notify(INSTALL_HINT.format(what=" and ".join(f"{stem}.{f}" for f in rendered)
                                       + (" were" if len(rendered) > 1 else " was")))
            for f in rendered:
                del written[f]
        dot = _layout(plan, rankdir, True, {f: written[f] for f in rendered if f in written})
        if "dot" in wanted:
            written["dot"].write_text(dot.source, encoding="utf-8")
    if "mmd" in wanted:
        written["mmd"].write_text(_mermaid(plan), encoding="utf-8")
    return [written[f] for f in wanted if f in written] + _write_cells(graph, folder, wanted, lang)
