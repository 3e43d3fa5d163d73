"""The Python API: ``archcompiler.load(...)`` → an ``Architecture`` over the inferred graph.

Everything the command line does goes through here, so a notebook and the CLI see the same
numbers and the same located errors (``SpecErrors``)."""

from __future__ import annotations

import json
import numbers
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import Loc, SpecError, SpecErrors
from .graph import Graph, Node

STRING = "<string>"  # the file name of a spec given as YAML text
DICT = "<dict>"
STDIN = "<stdin>"


# --- sources: a built-in name, a path, YAML text, a dict ------------------------------------

def load(source: str | os.PathLike | Mapping, /, **params: Any) -> "Architecture":
    """Load, validate, resolve and infer a spec.

    ``source`` is a built-in name (``"vgg16"``), a path (``"specs/my.yaml"``, ``Path(...)``), YAML text
    (a string with a newline, a ``key: value`` or a leading ``{``), ``"-"`` (stdin) or a dict of the same
    structure.
    Keyword arguments override the spec's ``params`` (``load("vgg16", num_classes=10)``). Mistakes raise
    ``SpecErrors`` with the same located messages the command line prints."""
    return Architecture(load_graph(source, _as_sets(params)))


def load_graph(source, sets: dict[str, str] | None = None, only_known_sets: bool = True) -> Graph:
    """The inferred graph of one source (see ``load``); ``sets`` are ``--set`` strings."""
    from . import resolve
    from .source import load_yaml

    if isinstance(source, Mapping):
        return resolve.graph_from_yaml(from_data(source, DICT), Path(DICT), sets, only_known_sets)
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
        return resolve.load_graph(source if os.sep in source or Path(source).suffix else f"./{source}", sets,
                                  only_known_sets)  # a Path is never a built-in name
    if not isinstance(source, str):
        raise TypeError(f"load() takes a built-in name, a path, YAML text or a dict, not {type(source).__name__}")
    if is_yaml_text(source):
        return resolve.graph_from_yaml(load_yaml(source, STRING), Path(STRING), sets, only_known_sets)
    if source == "-":
        return resolve.graph_from_yaml(load_yaml(read_stdin(), STDIN), Path(STDIN), sets, only_known_sets)
    return resolve.load_graph(source, sets, only_known_sets)


def read_stdin() -> str:
    """The spec piped in; a byte past the size limit is enough for the loader to refuse it."""
    from .source import MAX_FILE_BYTES

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (some notebook kernels)
        return sys.stdin.read(MAX_FILE_BYTES + 1)
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # refused by size; the cut may split a character
        return data.decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecErrors([SpecError(Loc(STDIN), "not UTF-8 text", hint="save the spec as UTF-8",
                                    code="E-FILE-ENCODING")]) from None


def is_yaml_text(source: str) -> bool:
    """A spec is a mapping: written out it has a newline, a ``key: value`` or a ``{``."""
    return "\n" in source or ": " in source or source.lstrip().startswith("{")


def load_graphs(sources: Iterable, sets: dict[str, str]) -> list[Graph]:
    """Every source's graph, or all their errors together. With several sources, ``--set`` applies to
    those that have the param, and a param that none of them has is an error."""
    sources = list(sources)
    graphs, errors = [], []
    for source in sources:
        try:
            graphs.append(load_graph(source, sets, only_known_sets=len(sources) == 1))
        except SpecErrors as e:
            errors += e.errors
    unused = [k for k in sets if graphs and not errors and not any(k in g.params for g in graphs)]
    errors += [SpecError(Loc("--set"), f"no spec here has the param '{k}'", f"--set {k}", code="E-PARAM-UNKNOWN")
               for k in unused]
    if errors:
        raise SpecErrors(errors)
    return graphs


def _as_sets(params: Mapping[str, Any]) -> dict[str, str]:
    """Keyword params as the strings ``--set`` would give (parsed as YAML by the resolver)."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


def from_data(data, file: str = DICT, path: str = ""):
    """A dict/list tree as the YAML loader's located tree; no line numbers exist, so errors name the
    file and the path inside it (``<dict>: layers[1].type: ...``)."""
    from .source import ydict, ylist

    where = Loc(file)
    if isinstance(data, Mapping):
        items = {}
        for key, value in data.items():
            if not isinstance(key, (str, int, float, bool)):
                raise SpecErrors([SpecError(where, f"mapping keys must be strings, got {type(key).__name__}", path,
                                                code="E-YAML-KEY")])
            items[key] = from_data(value, file, f"{path}.{key}" if path else str(key))
        return ydict(items, where, {k: where for k in items})
    if isinstance(data, (list, tuple)):
        return ylist([from_data(v, file, f"{path}[{k}]") for k, v in enumerate(data)], where)
    if data is None or isinstance(data, (str, bool)):
        return data
    if isinstance(data, numbers.Integral):
        return int(data)
    if isinstance(data, numbers.Real):
        return float(data)
    raise SpecErrors([SpecError(where, f"unsupported value of type {type(data).__name__}", path,
                                "specs are plain data: strings, numbers, booleans, lists and dicts", "E-YAML-VALUE")])


# --- plain data -------------------------------------------------------------------------

def _shape(shape) -> list:
    return list(shape)  # JSON has no tuples; None (a variable length) becomes null


def layer_record(node: Node) -> dict:
    """One layer as plain data (the ``layers`` entries of ``summary --json``)."""
    return {"name": node.name, "type": node.kind, "family": node.family, "inputs": [str(r) for r in node.inputs],
            "shape": _shape(node.shape), "shapes": [_shape(s) for s in node.shapes], "params": node.params,
            "trainable": node.trainable, "non_trainable": node.non_trainable, "macs": node.macs}


def error_record(error: SpecError) -> dict:
    """One mistake as plain data (``validate --json``); ``text`` is the line the CLI prints."""
    loc = error.loc or Loc("")
    return {"code": error.code, "file": loc.file, "line": loc.line, "column": loc.column, "path": error.path,
            "message": error.message, "hint": error.hint, "text": str(error)}


def totals(graph: Graph) -> dict:
    return {"layers": len(graph.layers()), "params": graph.total_params, "trainable": graph.trainable,
            "non_trainable": graph.non_trainable, "macs": graph.macs, "flops": 2 * graph.macs,
            "depth": graph.depth}


def summary_record(graph: Graph) -> dict:
    """``summary --json``: the spec, its inputs and outputs, every layer and the totals."""
    return {"name": graph.name, "title": graph.spec.title, "file": graph.file, "params": dict(graph.params),
            "inputs": [{"name": n, "shape": _shape(graph.nodes[n].shape), "dtype": graph.nodes[n].layer.dtype}
                       for n in graph.inputs],
            "outputs": [str(r) for r in graph.outputs],
            "layers": [layer_record(n) for n in graph.layers()], "totals": totals(graph)}


# --- the result -------------------------------------------------------------------------

class Markdown(str):
    """Markdown text that a notebook shows rendered."""

    def _repr_markdown_(self) -> str:
        return str(self)


class Diagram:
    """The architecture drawn: DOT, SVG and PNG through Graphviz, and a Mermaid flowchart. In a notebook
    it shows as SVG, or as Mermaid where Graphviz's ``dot`` is not installed."""

    def __init__(self, graph: Graph, expand: bool = False, rankdir: str = "TB"):
        self.graph, self.expand, self.rankdir = graph, expand, rankdir
        self._svg: str | None = None

    @property
    def dot(self) -> str:
        return self._digraph().source

    @property
    def mermaid(self) -> str:
        from .emit.diagram import mermaid_text

        return mermaid_text(self.graph, self.expand)

    def _digraph(self):
        from .emit.diagram import diagram_source

        return diagram_source(self.graph, self.expand, self.rankdir)

    @property
    def svg(self) -> str:
        """The SVG text (needs Graphviz's ``dot``)."""
        if self._svg is None:
            self._svg = self._digraph().pipe(format="svg", encoding="utf-8")
        return self._svg

    def png(self) -> bytes:
        return self._digraph().pipe(format="png")

    def save(self, folder: str | os.PathLike = ".", formats: Iterable[str] = ("svg", "png", "dot", "mmd"),
             notify: Callable[[str], object] = warnings.warn, langs: Iterable[str] = ("en",)) -> list[Path]:
        """Write ``<name>.<format>`` files into ``folder`` (all of them or none); returns their paths.
        Each language of ``langs`` other than English: ``<name>.<lang>.<format>``, labelled in it.
        Without Graphviz's ``dot``, ``notify`` is told which files could not be drawn."""
        from .emit.diagram import write_diagram
        from .outputs import staged_files

        folder = Path(folder)
        with staged_files(folder) as stage:
            written = write_diagram(self.graph, stage, list(formats), expand=self.expand, rankdir=self.rankdir,
                                    notify=notify, langs=tuple(langs), exact_langs=True)
        return [folder / p.name for p in written]

    def _repr_svg_(self) -> str | None:
        import shutil

        return self.svg if shutil.which("dot") else None

    def _repr_markdown_(self) -> str | None:
        return None if self._repr_svg_() is not None else f"```mermaid\n{self.mermaid}\n```"


class Architecture:
    """A spec loaded and inferred: its figures as plain data, and every output the compiler makes."""

    def __init__(self, graph: Graph):
        self.graph = graph

    @property
    def name(self) -> str:
        return self.graph.name

    @property
    def title(self) -> str:
        return self.graph.spec.title or self.graph.name

    @property
    def params(self) -> dict[str, Any]:
        """The param values used (defaults with the overrides applied)."""
        return dict(self.graph.params)

    @property
    def totals(self) -> dict[str, int]:
        """layers, params, trainable, non_trainable, macs, flops (2 × MACs) and depth (weighted layers)."""
        return totals(self.graph)

    @property
    def layers(self) -> list[dict]:
        """Every layer (inputs aside) in order: name, type, family, inputs, shape, shapes, params,
        trainable, non_trainable, macs. Shapes leave out the batch axis; None is a variable length."""
        return [layer_record(n) for n in self.graph.layers()]

    def layer(self, name: str) -> dict:
        if name not in self.graph.nodes or self.graph.nodes[name].is_input:
            raise KeyError(name)
        return layer_record(self.graph.nodes[name])

    def summary(self) -> dict:
        """What ``archcompiler summary --json`` prints."""
        return summary_record(self.graph)

    def summary_text(self, width: int = 140) -> str:
        """The per-layer table as ``archcompiler summary`` prints it."""
        from .emit.summary import summary_text

        return summary_text(self.graph, width)

    def keras_model(self, check: bool = True):
        """The Keras 3 model, checked layer by layer against the inferred shapes and parameters."""
        from .emit.keras_model import build_model

        return build_model(self.graph, check=check)

    def python_source(self) -> str:
        """A readable, standalone Keras 3 program that builds the same model (``build_model(**params)``);
        a spec the program cannot express raises ``SpecErrors``."""
        from .emit.python_source import python_source

        return python_source(self.graph)

    def diagram(self, expand: bool = False, rankdir: str = "TB") -> Diagram:
        if rankdir not in ("TB", "LR"):
            raise ValueError(f"rankdir is 'TB' or 'LR', not {rankdir!r}")
        return Diagram(self.graph, expand, rankdir)

    def docs(self, lang: str = "en") -> Markdown:
        """The Markdown page explaining every layer, in English (``en``) or Korean (``ko``)."""
        from .emit.docs import render_doc

        if lang not in ("en", "ko"):
            raise ValueError(f"lang is 'en' or 'ko', not {lang!r}")
        return Markdown(render_doc(self.graph, lang))

    def build(self, out: str | os.PathLike = "build", langs: Iterable[str] = ("en", "ko")) -> Path:
        """Keras model, summary, diagram and docs in ``out/<name>/`` (whole or not at all); the folder."""
        from .build import build_one

        return build_one(self.graph, Path(out), tuple(langs), notify=warnings.warn)

    def compare(self, other: "Architecture") -> Any:
        """Layers added, removed and changed from this architecture to ``other``, with params and MACs."""
        from .compare import compare

        return compare(self.graph, other.graph)

    def __repr__(self) -> str:
        t = self.totals
        return f"<Architecture {self.name}: {t['layers']} layer{'s' * (t['layers'] != 1)}, {t['params']:,} params, {t['macs']:,} MACs>"

    def _repr_markdown_(self) -> str:
        from .emit.docs import num, shape

        t = self.totals
        rows = [f"**{self.title}** (`{self.name}`): {t['layers']} layers, {num(t['params'])} parameters "
                f"({num(t['trainable'])} trainable), {num(t['macs'])} MACs", "",
                "| layer | type | output shape | params | MACs |", "|---|---|---|---:|---:|"]
        rows += [f"| {n.name} | {n.kind} | {', '.join(shape(s) for s in n.shapes)} | {num(n.params)} | {num(n.macs)} |"
                 for n in self.graph.layers()]
        return "\n".join(rows)
