"""The ``archcompiler`` command: a thin layer over the Python API (``archcompiler.api``).

Data goes to stdout, progress and status to stderr. Exit codes: 0 success, 1 outputs could not be
written, 2 a mistake in a spec or the command line (``file:line:column: path: message (hint: ...)``),
3 an internal error — a bug, one line saying so (``--debug`` shows the traceback). User text is
printed literally: no Rich markup, no emoji codes."""

from __future__ import annotations

import json
import os
import sys
import traceback
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.text import Text

from . import api
from .errors import SpecError, SpecErrors

BUG_REPORT = ("this is a bug in archcompiler, not a mistake in your spec: please report it on the project's "
              "issue tracker with the command and the spec (--debug shows the traceback)")

app = typer.Typer(
    help="Compile YAML architecture specs into Keras models, Graphviz diagrams and bilingual docs.",
    epilog="Examples: archcompiler build vgg16 · archcompiler summary resnet50 --set size=64 --json · "
           "archcompiler diagram transformer -f png · archcompiler docs --all --lang ko · "
           "archcompiler compare alexnet zfnet · cat my.yaml | archcompiler validate -. "
           "A SPEC is an existing file, a built-in name (archcompiler list) or - for stdin. "
           "Exit codes: 0 ok, 1 outputs could not be written, 2 a mistake in a spec or the command, 3 a bug.",
    no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]})

# markup and emoji off: a spec's ':fire:' or a location like 'file.yaml:100:26' is printed as written
out = Console(width=None if sys.stdout.isatty() else 160, markup=False, emoji=False, highlight=False)
err = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)  # one line per message
debug = {"on": False}


class Lang(str, Enum):
    en = "en"
    ko = "ko"
    all = "all"


class TableLang(str, Enum):
    en = "en"
    ko = "ko"


class RankDir(str, Enum):
    TB = "TB"
    LR = "LR"


FORMATS = ("svg", "png", "dot", "mmd")


def _version(value: bool):
    if value:
        from . import __version__

        out.print(f"archcompiler {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                              help="Print the version and exit."),
                 debug_: bool = typer.Option(False, "--debug", help="Show the traceback of an internal error.")):
    """Compile YAML architecture specs into Keras models, Graphviz diagrams and bilingual docs."""
    debug["on"] = debug_ or bool(os.environ.get("ARCHCOMPILER_DEBUG"))


# --- completion -----------------------------------------------------------------------------

def complete_spec(incomplete: str) -> list[str]:
    """Built-in names and YAML files here; a path being typed is left to the shell's file completion."""
    if "/" in incomplete:
        return []
    from .library import builtin_names

    files = sorted(p.name for p in Path(".").glob(f"{incomplete}*") if p.suffix.lower() in (".yaml", ".yml"))
    return [n for n in builtin_names() if n.startswith(incomplete)] + files


def complete_formats(incomplete: str) -> list[str]:
    """Completes the last of a comma-separated list: ``svg,p`` → ``svg,png``."""
    done, _, last = incomplete.rpartition(",")
    chosen = set(done.split(",")) if done else set()
    return [f"{done},{f}" if done else f for f in FORMATS if f.startswith(last) and f not in chosen]


def parse_formats(values: list[str] | None) -> list[str]:
    """``-f svg,png -f dot`` → ["svg", "png", "dot"]; no option: all four."""
    wanted = [f.strip().lower() for v in values or [",".join(FORMATS)] for f in v.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise typer.BadParameter(f"unknown format {', '.join(map(repr, bad))}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(wanted))


SpecArg = typer.Argument(..., metavar="SPEC", help="A spec file, a built-in spec name, or - for stdin.", autocompletion=complete_spec)
SpecsArg = typer.Argument(None, metavar="SPEC...", help="Spec files, built-in spec names, or - for stdin.", autocompletion=complete_spec)
SetOption = typer.Option(None, "--set", metavar="NAME=VALUE", help="Override a spec param, e.g. --set num_classes=10.")
WeightsOption = typer.Option(None, "--weights", metavar="imagenet|FILE", help="Load weights: imagenet (specs with "
                             "keras_application, through Keras' loader and cache) or a .keras/.weights.h5 file, by "
                             "layer name; what did not match is reported.")
JsonOption = typer.Option(False, "--json", help="Print JSON (keys documented in the README) instead of text.")


# --- errors ---------------------------------------------------------------------------------

def _parse_sets(items: list[str] | None) -> dict[str, str]:
    sets = {}
    for item in items or []:
        if "=" not in item:
            raise SpecErrors([SpecError(None, f"--set expects NAME=VALUE, got '{item}'", "--set", code="E-CLI")])
        name, value = item.split("=", 1)
        sets[name.strip()] = value.strip()
    return sets


def _report(errors: SpecErrors) -> None:
    for e in errors.errors:
        err.print(Text.assemble(("error", "bold red"), f": {e}"))


def handled(command):
    """User mistakes → located messages, exit 2; write failures → one line, exit 1; anything else is a
    bug → one line saying so, exit 3 (the traceback with --debug)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from .outputs import OutputError

        try:
            return command(*args, **kwargs)
        except SpecErrors as e:
            _report(e)
            raise typer.Exit(2) from None
        except OutputError as e:
            err.print(f"error: {e}")
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:  # `archcompiler summary resnet152 --json | head`: the reader left, quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as e:  # noqa: BLE001 - the one place that turns a bug into a message
            if debug["on"]:
                err.print(traceback.format_exc().rstrip())
            first = (str(e).strip().splitlines() or [""])[0]
            err.print(Text.assemble(("internal error", "bold red"), f": {type(e).__name__}: {first} — {BUG_REPORT}"))
            raise typer.Exit(3) from None

    return wrapper


def _specs(specs: list[str] | None, all_: bool) -> list[str]:
    from .library import builtin_names

    chosen = list(dict.fromkeys(list(specs or []) + (builtin_names() if all_ else [])))  # named twice: once
    if not chosen:
        raise SpecErrors([SpecError(None, "no spec given", hint="name a spec file or a built-in spec, or use --all",
                                    code="E-CLI")])
    return chosen


def _langs(lang: Lang) -> tuple[str, ...]:
    return ("en", "ko") if lang is Lang.all else (lang.value,)


def _json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# --- commands -------------------------------------------------------------------------------

@app.command()
@handled
def validate(specs: List[str] = typer.Argument(..., metavar="SPEC...", help="Spec files, built-in spec names, or - for stdin.",
                                               autocompletion=complete_spec),
             set_: Optional[List[str]] = SetOption, as_json: bool = JsonOption):
    """Check specs: structure, references, params and every layer's shape. One line per spec."""
    sets = _parse_sets(set_)
    records, failed = [], False
    for spec in specs:
        try:
            graph = api.load_graph(spec, sets)
        except SpecErrors as e:
            failed = True
            records.append({"spec": spec, "ok": False, "errors": [api.error_record(x) for x in e.errors]})
            if not as_json:
                err.print(f"✗ {spec}: {len(e.errors)} error(s)")
                _report(e)
            continue
        t = api.totals(graph)
        records.append({"spec": spec, "ok": True, "name": graph.name, "file": graph.file, "layers": t["layers"],
                        "params": t["params"], "macs": t["macs"], "errors": []})
        if not as_json:
            out.print(f"✓ {spec}: {graph.name}, {t['layers']} layers, {t['params']:,} params", soft_wrap=True)
    if as_json:
        _json({"ok": not failed, "specs": records})
    if failed:
        raise typer.Exit(2)


@app.command()
@handled
def summary(spec: str = SpecArg, set_: Optional[List[str]] = SetOption, as_json: bool = JsonOption):
    """A per-layer table: output shape, parameters, multiply-accumulates and FLOPs, with totals."""
    graph = api.load_graph(spec, _parse_sets(set_))
    if as_json:
        _json(api.summary_record(graph))
    else:
        from .emit.summary import summary_table

        out.print(summary_table(graph))


@app.command("list")
@handled
def list_specs(as_json: bool = JsonOption,
               kinds: bool = typer.Option(False, "--kinds", help="List the layer kinds instead: every kind, "
                                          "built in or from an installed plugin (package and version).")):
    """The built-in specs with title, family, year, layer and parameter counts, grouped by lineage — the
    lecture's, then the later ones (--kinds: the layer kinds)."""
    from .cli_tables import kind_records, kinds_table, spec_records, specs_table

    records = kind_records() if kinds else spec_records()
    if as_json:
        return _json(records)
    out.print(kinds_table(records) if kinds else specs_table(records))


@app.command()
@handled
def schema(output: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to a file instead of stdout.")):
    """The JSON Schema of the spec format, for editors (yaml-language-server)."""
    from .outputs import OutputError
    from .spec import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        return sys.stdout.write(text)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write {output}: {e.strerror or e}") from None
    err.print(f"wrote {output}")


@app.command()
@handled
def build(specs: Optional[List[str]] = SpecsArg,
          out_dir: Path = typer.Option(Path("build"), "--out", "-o", help="Output folder; one subfolder per spec."),
          set_: Optional[List[str]] = SetOption,
          all_: bool = typer.Option(False, "--all", help="Build every built-in spec (and the docs index)."),
          lang: Lang = typer.Option(Lang.all, "--lang", help="Docs language."),
          weights: Optional[str] = WeightsOption,
          no_weights: bool = typer.Option(False, "--no-weights", help="Write the architecture (<name>.json, "
                                          "<name>.py) without the weights file; the summary says its size.")):
    """Compile specs into Keras models, with summary, diagram and docs, in OUT/<name>/."""
    from .build import build_graphs
    from .export import check_weights_option

    graphs = api.load_graphs(_specs(specs, all_), _parse_sets(set_))
    check_weights_option(graphs, weights, not no_weights)
    build_graphs(graphs, out_dir, _langs(lang), index=all_, status=err, weights=weights, with_weights=not no_weights)


class ExportFormat(str, Enum):
    python = "python"
    savedmodel = "savedmodel"
    onnx = "onnx"


@app.command()
@handled
def export(spec: str = SpecArg,
           format_: ExportFormat = typer.Option(..., "--format", "-f", help="python: a readable, standalone "
                                                "Keras 3 program (build_model(**params); run it for the summary); "
                                                "savedmodel: a TensorFlow SavedModel folder; onnx: an ONNX file."),
           output: str = typer.Option("-", "--out", "-o", metavar="FILE|-", help="The file to write; - for stdout "
                                      "(python), ./<name>_savedmodel or ./<name>.onnx (the others)."),
           set_: Optional[List[str]] = SetOption,
           weights: Optional[str] = WeightsOption):
    """Export a spec's model in another form: Python source (without building it), SavedModel or ONNX."""
    from .emit.python_source import write_text

    if format_ is not ExportFormat.python:
        from .export import check_weights_option, export_graph

        graph = api.load_graph(spec, _parse_sets(set_))
        check_weights_option([graph], weights)
        path = export_graph(graph, format_.value, None if output == "-" else Path(output), weights, err.print)
        return err.print(f"wrote {path}")
    if weights:
        from .export import check_weights_option, export_python

        graph = api.load_graph(spec, _parse_sets(set_))
        check_weights_option([graph], weights)
        path = export_python(graph, None if output == "-" else Path(output), weights, err.print)
        return err.print(f"wrote {path} and {path.stem}.weights.h5 beside it")
    text = api.Architecture(api.load_graph(spec, _parse_sets(set_))).python_source()
    if output == "-":
        return sys.stdout.write(text)
    write_text(Path(output), text)
    err.print(f"wrote {output}")


@app.command()
@handled
def diagram(spec: str = SpecArg,
            formats: Optional[List[str]] = typer.Option(
                None, "--format", "-f", metavar="svg,png,dot,mmd", autocompletion=complete_formats, callback=parse_formats,
                help="Which files, comma-separated or repeated, from: svg, png, dot, mmd [default: all four]."),
            expand: bool = typer.Option(False, "--expand", help="Draw every copy of repeated blocks."),
            rankdir: RankDir = typer.Option(RankDir.TB, "--rankdir", case_sensitive=False, metavar="[TB|LR]",
                                            help="TB: top to bottom; LR: left to right."),
            out_dir: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the files."),
            lang: Lang = typer.Option(Lang.en, "--lang", help="Diagram language (ko: <name>.ko.*, in Korean)."),
            set_: Optional[List[str]] = SetOption):
    """Draw the architecture with Graphviz (and a Mermaid flowchart), without building a model."""
    graph = api.load_graph(spec, _parse_sets(set_))
    drawing = api.Architecture(graph).diagram(expand=expand, rankdir=rankdir.value)
    for path in drawing.save(out_dir, formats, notify=err.print, langs=_langs(lang)):
        err.print(f"wrote {path}")


@app.command()
@handled
def docs(specs: Optional[List[str]] = SpecsArg,
         lang: Lang = typer.Option(Lang.all, "--lang", help="Docs language."),
         out_dir: Path = typer.Option(Path("docs"), "--out", "-o", help="Output folder; one subfolder per spec."),
         all_: bool = typer.Option(False, "--all", help="Every built-in spec, plus an index page."),
         set_: Optional[List[str]] = SetOption):
    """Write Markdown docs that explain every layer with its own numbers (English and Korean)."""
    from .build import docs_graphs

    graphs = api.load_graphs(_specs(specs, all_), _parse_sets(set_))
    docs_graphs(graphs, out_dir, _langs(lang), index=all_, status=err)


@app.command()
@handled
def site(specs: Optional[List[str]] = SpecsArg,
         out_dir: Path = typer.Option(Path("site"), "--out", "-o", help="The site's folder (replaced whole)."),
         all_: bool = typer.Option(False, "--all", help="Every built-in spec."),
         lang: Lang = typer.Option(Lang.all, "--lang", help="Site language."),
         set_: Optional[List[str]] = SetOption):
    """A static HTML site of the docs: index, one page per spec and the concepts guide, English and Korean,
    math as MathML and diagrams inline; it opens from the file system with no network."""
    from .emit.site import write_site

    graphs = api.load_graphs(_specs(specs, all_), _parse_sets(set_))
    pages = write_site(graphs, out_dir, _langs(lang), notify=err.print)
    err.print(f"wrote {len(pages)} pages in {out_dir}: open {out_dir / 'index.html'}")


@handled
def compare(first: str = typer.Argument(..., metavar="A", help="The spec to start from.", autocompletion=complete_spec),
            second: str = typer.Argument(..., metavar="B", help="The spec to compare it with.", autocompletion=complete_spec),
            set_: Optional[List[str]] = SetOption, as_json: bool = JsonOption,
            markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown table."),
            lang: TableLang = typer.Option(TableLang.en, "--lang", help="Language of the Markdown table's headers.")):
    """Two specs side by side: layers added (+), removed (-) and changed (~), with params and MACs."""
    from .compare import compare as compare_graphs

    if as_json and markdown:
        raise SpecErrors([SpecError(None, "--json and --markdown exclude each other", code="E-CLI")])
    a, b = api.load_graphs([first, second], _parse_sets(set_))
    comparison = compare_graphs(a, b)
    if as_json:
        return _json(comparison.as_dict())
    if markdown:
        return sys.stdout.write(comparison.markdown(lang.value))
    from .cli_tables import comparison_table

    out.print(comparison_table(comparison, a, b))


app.command("compare")(compare)
app.command("diff", help="Same as compare.")(compare)


def main():  # pragma: no cover
    app()
