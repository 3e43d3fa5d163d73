"""The ``archcompiler`` command.

User mistakes print ``file:line:column: path: message (hint: ...)`` and exit 2;
failures to write outputs print one line and exit 1. No traceback either way."""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from .errors import SpecError, SpecErrors

app = typer.Typer(
    help="Compile YAML architecture specs into Keras models, Graphviz diagrams and bilingual docs.",
    epilog="Examples: archcompiler build vgg16 · archcompiler summary resnet50 --set size=64 · "
           "archcompiler diagram transformer -f png · archcompiler docs --all --lang ko · archcompiler list. "
           "A SPEC is a YAML file or a built-in name. Exit codes: 0 ok, 2 a mistake in a spec or the command, "
           "1 outputs could not be written.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _version(value: bool):
    if value:
        from . import __version__

        out.print(f"archcompiler {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                              help="Print the version and exit.")):
    """Compile YAML architecture specs into Keras models, Graphviz diagrams and bilingual docs."""
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

SetOption = typer.Option(None, "--set", metavar="NAME=VALUE", help="Override a spec param, e.g. --set num_classes=10.")


def _parse_sets(items: list[str] | None) -> dict[str, str]:
    sets = {}
    for item in items or []:
        if "=" not in item:
            raise SpecErrors([SpecError(None, f"--set expects NAME=VALUE, got '{item}'", "--set")])
        name, value = item.split("=", 1)
        sets[name.strip()] = value.strip()
    return sets


def _report(errors: SpecErrors) -> None:
    for e in errors.errors:
        err.print(f"[bold red]error[/]: {e}", markup=True, soft_wrap=True) if err.is_terminal else err.print(
            f"error: {e}", markup=False, soft_wrap=True)


def user_errors(command):
    """Turn user mistakes into located messages and exit code 2; write failures into exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from .outputs import OutputError

        try:
            return command(*args, **kwargs)
        except SpecErrors as e:
            _report(e)
            raise typer.Exit(2) from None
        except OutputError as e:
            err.print(f"error: {e}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _specs(specs: list[str] | None, all_: bool) -> list[str]:
    from .library import builtin_names

    chosen = list(specs or [])
    if all_:
        chosen += builtin_names()
    chosen = list(dict.fromkeys(chosen))  # a spec named and also in --all is built once
    if not chosen:
        raise SpecErrors([SpecError(None, "no spec given", hint="name a spec file or a built-in spec, or use --all")])
    return chosen


@app.command()
@user_errors
def validate(specs: List[str] = typer.Argument(..., help="Spec files or built-in spec names."),
             set_: Optional[List[str]] = SetOption):
    """Check specs: structure, references, params and every layer's shape. One line per spec."""
    from .resolve import load_graph

    failed = SpecErrors([])
    for spec in specs:
        try:
            graph = load_graph(spec, _parse_sets(set_))
        except SpecErrors as e:
            failed.errors += e.errors
            err.print(f"✗ {spec}: {len(e.errors)} error(s)", markup=False)
            _report(e)
            continue
        out.print(f"✓ {spec}: {graph.name}, {len(graph.layers())} layers, {graph.total_params:,} params",
                  markup=False, highlight=False)
    if failed.errors:
        raise typer.Exit(2)


@app.command()
@user_errors
def summary(spec: str = typer.Argument(..., help="A spec file or built-in spec name."),
            set_: Optional[List[str]] = SetOption):
    """A per-layer table: output shape, parameters and multiply-accumulates, with totals."""
    from .emit.summary import summary_table
    from .resolve import load_graph

    out.print(summary_table(load_graph(spec, _parse_sets(set_))))


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to a file instead of stdout.")):
    """The JSON Schema of the spec format, for editors (yaml-language-server)."""
    from .spec import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


@app.command("list")
def list_specs():
    """The built-in specs with title, year and parameter count."""
    from rich.table import Table

    from .library import builtin_names
    from .resolve import load_graph

    table = Table(title="Built-in specs", title_justify="left")
    for column in ("Name", "Title", "Family", "Year", "Layers", "Params"):
        table.add_column(column, justify="right" if column in ("Year", "Layers", "Params") else "left")
    for name in builtin_names():
        try:
            g = load_graph(name)
        except SpecErrors as e:
            table.add_row(name, f"[red]invalid: {e.errors[0].message}[/]", "", "", "", "")
            continue
        table.add_row(name, g.spec.title or "", g.spec.family or "", str(g.spec.year or ""),
                      str(len(g.layers())), f"{g.total_params:,}")
    out.print(table)


@app.command()
@user_errors
def build(specs: Optional[List[str]] = typer.Argument(None, help="Spec files or built-in spec names."),
          out_dir: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder; one subfolder per spec."),
          set_: Optional[List[str]] = SetOption,
          all_: bool = typer.Option(False, "--all", help="Build every built-in spec (and the docs index)."),
          lang: str = typer.Option("all", "--lang", help="Docs language: en, ko or all.")):
    """Compile specs into Keras models, with summary, diagram and docs, in OUT/<name>/."""
    from .build import build_specs

    build_specs(_specs(specs, all_), out_dir, _parse_sets(set_), _langs(lang), index=all_, console=out)


@app.command()
@user_errors
def diagram(spec: str = typer.Argument(..., help="A spec file or built-in spec name."),
            formats: str = typer.Option("svg,png,dot,mmd", "--format", "-f", help="Comma-separated: svg, png, dot, mmd."),
            expand: bool = typer.Option(False, "--expand", help="Draw every copy of repeated blocks."),
            rankdir: str = typer.Option("TB", "--rankdir", help="TB (top to bottom) or LR (left to right)."),
            out_dir: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the files."),
            set_: Optional[List[str]] = SetOption):
    """Draw the architecture with Graphviz (and a Mermaid flowchart), without building a model."""
    from .emit.diagram import write_diagram
    from .outputs import staged_files
    from .resolve import load_graph

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in ("svg", "png", "dot", "mmd")]
    if bad or rankdir.upper() not in ("TB", "LR"):
        raise SpecErrors([SpecError(None, f"unknown format {', '.join(bad)}" if bad else f"unknown rankdir '{rankdir}'",
                                    hint="formats: svg, png, dot, mmd; rankdir: TB or LR")])
    graph = load_graph(spec, _parse_sets(set_))
    with staged_files(out_dir) as stage:
        written = write_diagram(graph, stage, wanted, expand=expand, rankdir=rankdir.upper(), notify=err.print)
    for path in written:
        out.print(f"wrote {out_dir / path.name}", markup=False, highlight=False)


@app.command()
@user_errors
def docs(specs: Optional[List[str]] = typer.Argument(None, help="Spec files or built-in spec names."),
         lang: str = typer.Option("all", "--lang", help="en, ko or all."),
         out_dir: Path = typer.Option(Path("docs"), "--out", "-o", help="Output folder; one subfolder per spec."),
         all_: bool = typer.Option(False, "--all", help="Every built-in spec, plus an index page."),
         set_: Optional[List[str]] = SetOption):
    """Write Markdown docs that explain every layer with its own numbers (English and Korean)."""
    from .build import docs_specs

    docs_specs(_specs(specs, all_), out_dir, _parse_sets(set_), _langs(lang), index=all_, console=out)


def _langs(lang: str) -> tuple[str, ...]:
    if lang not in ("en", "ko", "all"):
        raise SpecErrors([SpecError(None, f"unknown language '{lang}'", "--lang", "use en, ko or all")])
    return ("en", "ko") if lang == "all" else (lang,)


def main():  # pragma: no cover
    app()
