"""Graph → Markdown docs (README.md in English, README.ko.md in Korean) that explain every layer
with its own numbers, the way the lecture explains convolution, pooling, RNN, LSTM and GRU.

Python only gathers *facts*: every number a document shows is read from the Graph (node shapes,
parameter counts, multiply-accumulates, the layer's own fields) by the layer kind itself
(``Layer.doc_facts``). The *wording* lives in Jinja2 templates: per kind
(``templates/<lang>/kinds/<kind>.md.j2``), else per family, else generic, plus the page, block and
index templates and ``templates/lineage.yaml`` (the lecture's two lineages), so a teacher can change
the explanations without touching Python. Here: rendering; ``formatting`` prints numbers,
``doc_structure`` decides what is explained where."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..compare import changes_from_parent
from ..graph import Graph
from ..library import TEMPLATES_DIR
from ..spec import kind_name
from .doc_structure import Block, Doc, Item, _generic, lineage_step, lineages
from .formatting import anchor, dim, length_symbol, num, pct, sci, shape, tex, tex_shape, texnum, value

LANGS = ("en", "ko")
FILES = {"en": "README.md", "ko": "README.ko.md"}
MAX_TABLE_ROWS_OPEN = 60  # longer layer tables are folded into <details>


# --- rendering ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment over TEMPLATES_DIR (templates reload when their files change)."""
    import jinja2

    from ..layers.base import activation_name
    from ..plugins import template_source  # plugin kinds' own explanations, then the built-in templates

    loader = jinja2.ChoiceLoader([jinja2.FunctionLoader(template_source), jinja2.FileSystemLoader(str(TEMPLATES_DIR))])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(act_ko=lambda a: activation_name(a, "ko"))  # an activation's name in Korean prose
    env.filters.update(zip=lambda a, b: list(zip(a, b)), num=num, tex=tex, texnum=texnum, sci=sci, value=value, shape=shape, tex_shape=tex_shape, pct=pct, dim=dim, anchor=anchor)
    env.globals.update(FILES=FILES, kind_name=kind_name)
    return env


def _mermaid(graph: Graph, lang: str = "en") -> str | None:
    try:
        from .diagram import mermaid_text
    except ImportError:
        return None
    try:
        return mermaid_text(graph, lang=lang).strip()
    except Exception:  # the diagram has its own tests; the docs still come out without it
        return None


# a Korean term glossed with the Keras word once per document, where it first appears in prose
GLOSSES = {"ko": {"크기 유지 패딩": "크기 유지 패딩(Keras의 `same`)"}}


def _gloss_once(text: str, lang: str) -> str:
    """The first use of each of the language's glossed terms in a sentence (not in code, a table or
    parentheses already) gets its gloss."""
    for term, glossed in GLOSSES.get(lang, {}).items():
        fenced = False
        lines = text.split("\n")
        for k, line in enumerate(lines):
            if line.startswith("```"):
                fenced = not fenced
            found = re.search(r"(?<!\()" + re.escape(term), line)
            if not fenced and not line.startswith("|") and found:
                lines[k] = line[:found.start()] + glossed + line[found.end():]
                break
        text = "\n".join(lines)
    return text


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
        # node → its variable length's symbol; (symbol, input) where inputs of different lengths meet
        "lengths": doc.graph.lengths(),
        "length_names": [(s, n) for n, s in doc.graph.lengths().items() if n in graph.inputs and s != "T"],
        "changes_from": changes_from_parent(graph),  # for a spec with extends
    }


def _explanation(env, lang: str, it: "Item", graph: Graph, doc: "Doc") -> str:
    """The first of the item's templates that exists, rendered. One that fails on these facts (a kind
    falling back to its family's template, which expects other facts) gives the generic explanation."""
    template = env.select_template([f"{lang}/{name}.md.j2" for name in it.templates])
    length = doc.graph.length_of(it.node.name)  # T, or T_x / T_y in an encoder–decoder
    with length_symbol(length):
        try:
            return template.render(it=it, f=it.f, g=graph, lang=lang, T=length).strip()
        except Exception as e:  # recorded (the tests assert there are none); the docs still come out whole
            doc.fallbacks.append(f"{it.name}: {template.name}: {type(e).__name__}: {e}")
            return env.get_template(f"{lang}/generic.md.j2").render(it=it, f=_generic(graph, it.node), g=graph,
                                                                    lang=lang, T=length).strip()


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

    if lang != "en" and ctx.get("mermaid"):  # the flowchart in the document's language, like its diagram
        ctx = dict(ctx, mermaid=_mermaid(graph, lang))
    page = env.get_template(f"{lang}/page.md.j2")
    return _gloss_once(_tidy(page.render(lang=lang, langs=langs, explain=explain, explain_block=explain_block,
                                         concept_links=concept_links, **ctx)), lang)


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
