"""`archcompiler build` and `archcompiler docs`: every output of a spec, in its own folder.

Progress and status go to the console given (the CLI's stderr), so stdout stays clean for data."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .graph import Graph
from .outputs import make_folder, safe_child, staged_folder

DIAGRAM_FORMATS = ["dot", "svg", "png", "mmd"]
STEPS = ("Keras model", "diagram", "docs")


def write_outputs(graph: Graph, folder: Path, langs: tuple[str, ...], notify: Callable[[str], object],
                  step: Callable[[str], object] = lambda what: None, guide: bool = False,
                  weights: str | None = None, with_weights: bool = True) -> None:
    """The Keras model, summary, diagram and docs of one spec into ``folder``; ``step`` is told each
    step's name as it starts; with ``guide`` the docs link the concepts guide one folder up;
    ``weights`` (imagenet or a file) are loaded into the model, which without ``with_weights`` is
    written as its architecture alone (export.save_model)."""
    from .emit.diagram import write_diagram
    from .emit.docs import write_docs
    from .emit.python_source import write_python
    from .export import save_model
    from .emit.summary import summary_text

    step(STEPS[0])
    save_model(graph, folder, notify, weights, with_weights)
    write_python(graph, folder, notify)
    (folder / "summary.txt").write_text(summary_text(graph), encoding="utf-8")
    step(STEPS[1])
    write_diagram(graph, folder, DIAGRAM_FORMATS, notify=notify, langs=langs)
    step(STEPS[2])
    write_docs(graph, folder, langs, guide)


def build_one(graph: Graph, out_dir: Path, langs: tuple[str, ...], notify: Callable[[str], object],
              step: Callable[[str], object] = lambda what: None, guide: bool = False, **model) -> Path:
    """``out_dir/<name>/`` with every output, whole or not at all (``model``: write_outputs' weights options)."""
    target = safe_child(out_dir, graph.name)
    with staged_folder(target) as stage:
        write_outputs(graph, stage, langs, notify, step, guide, **model)
    return target


def build_graphs(graphs: list[Graph], out_dir: Path, langs: tuple[str, ...], index: bool, status: Console,
                 **model) -> list[Path]:
    """Build every graph with a progress bar on ``status``; the docs index too with ``index``
    (``model``: write_outputs' weights options)."""
    from .emit.concepts import write_concepts
    from .emit.docs import write_index
    from .emit.keras_model import import_keras, require_keras

    for graph in graphs:
        safe_child(out_dir, graph.name)
    require_keras()  # nothing written where Keras or its backend is missing
    make_folder(out_dir)  # fail before the slow part

    written = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=status, transient=True) as progress:
        task = progress.add_task("importing Keras", total=len(graphs) * len(STEPS))
        import_keras()  # a few seconds; shown as a step of its own
        for k, graph in enumerate(graphs):
            def step(what: str, graph=graph, done=k * len(STEPS)) -> None:
                progress.update(task, description=f"{graph.name}: {what}", completed=done + STEPS.index(what))

            written.append(build_one(graph, out_dir, langs, status.print, step, guide=index, **model))
            progress.update(task, completed=(k + 1) * len(STEPS))
            status.print(f"built {written[-1]}  ({graph.total_params:,} params)")
    if index:
        written += write_index(graphs, out_dir, langs, guide=True)
        written += write_concepts(out_dir, langs, status.print)
    return written


def docs_graphs(graphs: list[Graph], out_dir: Path, langs: tuple[str, ...], index: bool, status: Console) -> list[Path]:
    """The docs (with their diagrams) of every graph, each in ``out_dir/<name>/``; the index with ``index``."""
    from .emit.concepts import write_concepts
    from .emit.diagram import write_diagram
    from .emit.docs import write_docs, write_index

    written = []
    for graph in graphs:
        target = safe_child(out_dir, graph.name)
        with staged_folder(target) as stage:
            write_diagram(graph, stage, DIAGRAM_FORMATS, notify=status.print, langs=langs)
            write_docs(graph, stage, langs, guide=index)
        written.append(target)
        status.print(f"wrote {target}")
    if index:
        written += write_index(graphs, out_dir, langs, guide=True)
        written += write_concepts(out_dir, langs, status.print)
    return written
