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
from typing import Any

from ..analysis import Analysis
from ..compare import changes_from_parent
from ..graph import Graph, Node, Scope
from ..library import TEMPLATES_DIR

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
# Each kind gathers its own (``Layer.doc_facts``); a kind without them gets these.

def _generic(graph: Graph, node: Node) -> dict:
    return {"in": graph.input_shapes(node), "out": node.shape, "outs": list(zip(node.output_names, node.shapes)),
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
    templates: list[str]  # the explanation's template names, most specific first (without language)
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
        self.graph = Analysis(g)
        self.explained: set[str] = set()
        self.blocks_seen: dict[str, str] = {}
        self.items: list[Item] = []
        self.folded: set[str] = self.graph.folded_paddings()
        # facts that could not be gathered or explanations that could not be rendered (tests assert none)
        self.fallbacks: list[str] = []

    def facts(self, node: Node) -> dict:
        try:
            facts = node.layer.doc_facts(node, self.graph)
        except Exception as e:  # a kind whose fields differ from what its rule expects: still documented
            self.fallbacks.append(f"{node.name}: {type(e).__name__}: {e}")
            facts = None
        return _generic(self.g, node) if facts is None else facts

    def item(self, nodes: list[Node], level: int) -> Item:
        node = nodes[0]
        cell = getattr(node.layer, "cell", None)  # declared recurrent cells: each explained in full once
        key = node.kind + (f":{cell.name}" if cell is not None and hasattr(cell, "name") else "")
        full = key not in self.explained
        self.explained.add(key)
        total = self.g.total_params or 1
        f = self.facts(node)
        it = Item(node, f, full, [n.name for n in nodes], _templates(node, f), level,
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
        merges = [c for c in children if not c.is_block and c.node.layer.merges]
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

def kind_name(kind: str, lang: str) -> str:
    """A layer kind's name in the docs' language (the kind itself where it declares none)."""
    from ..layers import KINDS

    cls = KINDS.get(kind)
    return cls.display.get(lang, kind) if cls is not None else kind


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment over TEMPLATES_DIR (templates reload when their files change)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(zip=lambda a, b: list(zip(a, b)), num=num, tex=tex, texnum=texnum, sci=sci, value=value, shape=shape, tex_shape=tex_shape, pct=pct, dim=dim, anchor=anchor)
    env.globals.update(FILES=FILES, kind_name=kind_name)
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
        "changes_from": changes_from_parent(graph),  # for a spec with extends
    }


def _templates(node: Node, facts: dict) -> list[str]:
    """Where a layer's explanation is looked up: its kind's template, its family's, the generic one.
    A kind without facts of its own is explained generically."""
    if facts.get("generic"):
        return ["generic"]
    layer = node.layer
    return [f"kinds/{layer.doc_template or layer.type}", layer.family, "generic"]


def _explanation(env, lang: str, it: "Item", graph: Graph, doc: "Doc") -> str:
    """The first of the item's templates that exists, rendered. One that fails on these facts (a kind
    falling back to its family's template, which expects other facts) gives the generic explanation."""
    template = env.select_template([f"{lang}/{name}.md.j2" for name in it.templates])
    try:
        return template.render(it=it, f=it.f, g=graph, lang=lang).strip()
    except Exception as e:  # recorded (the tests assert there are none); the docs still come out whole
        doc.fallbacks.append(f"{it.name}: {template.name}: {type(e).__name__}: {e}")
        return env.get_template(f"{lang}/generic.md.j2").render(it=it, f=_generic(graph, it.node), g=graph,
                                                                lang=lang).strip()


def render_doc(graph: Graph, lang: str, ctx: dict | None = None, langs: tuple[str, ...] = LANGS,
               guide: bool = False) -> str:
    """One document; with ``guide`` (the concepts guide is written beside the index, one folder up) the
    first convolution, pooling, dense and recurrent layer link to its sections."""
    from ..concepts import first_of_each_section
    from .concepts import CONCEPT_FILES

    env = environment()
    ctx = ctx or context(graph)
    concept_links = {name: f"../{CONCEPT_FILES[lang]}#{anchor}"
                     for name, anchor in first_of_each_section(graph).items()} if guide else {}

    def explain(it: Item) -> str:
        return _explanation(env, lang, it, graph, ctx["doc"])

    def explain_block(b: Block) -> str:
        return env.get_template(f"{lang}/block.md.j2").render(blk=b, g=graph, lang=lang).strip()

    page = env.get_template(f"{lang}/page.md.j2")
    return _tidy(page.render(lang=lang, langs=langs, explain=explain, explain_block=explain_block,
                             concept_links=concept_links, **ctx))


def write_docs(graph: Graph, folder: Path, langs: tuple[str, ...] = LANGS, guide: bool = False) -> list[Path]:
    """README.md (English) and README.ko.md (Korean) in ``folder``; ``guide``: see ``render_doc``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    ctx = context(graph)
    for lang in langs:
        path = folder / FILES[lang]
        path.write_text(render_doc(graph, lang, ctx, langs, guide), encoding="utf-8")
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


def write_index(graphs: list[Graph], folder: Path, langs: tuple[str, ...] = LANGS, guide: bool = False) -> list[Path]:
    """folder/README.md (+ README.ko.md): a comparison table and the lecture's lineages over the specs;
    with ``guide``, a link to the concepts guide written beside it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = environment()
    ctx = index_context(graphs)
    written = []
    for lang in langs:
        path = folder / FILES[lang]
        page = env.get_template(f"{lang}/index.md.j2")
        path.write_text(_tidy(page.render(lang=lang, langs=langs, guide=guide, **ctx)), encoding="utf-8")
        written.append(path)
    return written
