"""`archcompiler build` and `archcompiler docs`: every output of a spec, in its own folder."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .errors import Loc, SpecError, SpecErrors
from .graph import Graph
from .outputs import make_folder, safe_child, staged_folder
from .resolve import load_graph


def load_all(specs: list[str], sets: dict[str, str]) -> list[Graph]:
    """Every spec resolved, or all their errors together. With several specs, ``--set`` applies to
    those that have the param, and a param that none of them has is an error."""
    graphs, errors = [], []
    for spec in specs:
        try:
            graphs.append(load_graph(spec, sets, only_known_sets=len(specs) == 1))
        except SpecErrors as e:
            errors += e.errors
    unused = [k for k in sets if graphs and not errors and not any(k in g.params for g in graphs)]
    errors += [SpecError(Loc("--set"), f"no spec here has the param '{k}'", f"--set {k}") for k in unused]
    if errors:
        raise SpecErrors(errors)
    return graphs


def _progress(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=True)


def build_specs(specs, out_dir: Path, sets, langs, index: bool, console: Console) -> list[Path]:
    graphs = load_all(specs, sets)
    targets = [safe_child(out_dir, graph.name) for graph in graphs]
    make_folder(out_dir)  # fail before the slow part
    from .emit.diagram import write_diagram
    from .emit.docs import write_docs, write_index
    from .emit.keras_model import build_model, import_keras
    from .emit.summary import summary_text

    written = []
    with _progress(console) as progress:
        task = progress.add_task("importing Keras", total=len(graphs) * 4)
        import_keras()  # a few seconds; shown as a step of its own

        for graph, target in zip(graphs, targets):
            with staged_folder(target) as stage:
                progress.update(task, description=f"{graph.name}: Keras model")
                model = build_model(graph)
                model.save(stage / f"{graph.name}.keras")
                (stage / "summary.txt").write_text(summary_text(graph), encoding="utf-8")
                progress.advance(task)
                progress.update(task, description=f"{graph.name}: diagram")
                write_diagram(graph, stage, ["dot", "svg", "png", "mmd"], notify=console.print)
                progress.advance(task)
                progress.update(task, description=f"{graph.name}: docs")
                write_docs(graph, stage, langs)
                progress.advance(task, 2)
            written.append(target)
            console.print(f"built {target}  ({graph.total_params:,} params)", markup=False, highlight=False)
    if index:
        written += write_index(graphs, out_dir, langs)
    return written


def docs_specs(specs, out_dir: Path, sets, langs, index: bool, console: Console) -> list[Path]:
    graphs = load_all(specs, sets)
    from .emit.diagram import write_diagram
    from .emit.docs import write_docs, write_index

    written = []
    for graph in graphs:
        target = safe_child(out_dir, graph.name)
        with staged_folder(target) as stage:
            write_diagram(graph, stage, ["dot", "svg", "png", "mmd"], notify=console.print)
            write_docs(graph, stage, langs)
        written.append(target)
        console.print(f"wrote {target}", markup=False, highlight=False)
    if index:
        written += write_index(graphs, out_dir, langs)
    return written
