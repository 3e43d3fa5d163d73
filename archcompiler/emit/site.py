"""`archcompiler site`: the docs as a static course site that opens from the file system.

No second copy of the prose: the Markdown is written by the docs' own renderer (the same templates
as ``docs``), then every ``.md`` becomes an ``.html`` page in the same place (``README.md`` →
``index.html``, ``README.ko.md`` → ``index.ko.html``), framed by ``templates/site/page.html.j2``
with a language switch. Math is MathML, diagrams are inline SVG: no scripts, no network."""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..graph import Graph
from ..library import TEMPLATES_DIR
from ..outputs import OutputError, staged_folder
from .site_markdown import PageAssets, first_heading, markdown_to_html, site_href

LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}
STYLE = "site.css"


def page_language(md: Path) -> str:
    return "ko" if md.name.endswith(".ko.md") else "en"


def page_path(md: Path) -> Path:
    """Where a Markdown file's page goes, relative to the same root: a/README.ko.md → a/index.ko.html."""
    return md.with_name(site_href(md.name))


def _sibling(md: Path, lang: str) -> Path:
    """The same document in another language: README.md ↔ README.ko.md."""
    stem = md.name[:-len(".ko.md")] if md.name.endswith(".ko.md") else md.name[:-len(".md")]
    return md.with_name(stem + (".ko.md" if lang == "ko" else ".md"))


def write_markdown(graphs: list[Graph], folder: Path, langs: tuple[str, ...],
                   notify: Callable[[str], object] = print) -> None:
    """The docs' Markdown and SVG figures, as ``docs --all`` writes them, into ``folder``: each spec's
    document, the index and the concepts guide. The Mermaid copy of each diagram is left out: GitHub
    draws it with JavaScript, the site has the SVG inline."""
    from .concepts import write_concepts
    from .diagram import write_diagram
    from .docs import FILES, context, render_doc, write_index

    for graph in graphs:
        target = folder / graph.name
        write_diagram(graph, target, ["svg"], notify=notify, langs=langs)
        ctx = dict(context(graph), mermaid=None)
        for lang in langs:
            (target / FILES[lang]).write_text(render_doc(graph, lang, ctx, langs, guide=True), encoding="utf-8")
    write_index(graphs, folder, langs, guide=True)
    write_concepts(folder, langs, notify)


@lru_cache(maxsize=1)
def _page_template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "site")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("page.html.j2")


def _copy_inside(source_root: Path, relative: Path, target_root: Path) -> None:
    """Copy one file a page points at, refusing paths that lead outside the docs."""
    source = (source_root / relative).resolve()
    if not source.is_relative_to(source_root.resolve()):
        raise OutputError(f"refusing to copy {relative}: it is outside the docs")
    destination = target_root / source.relative_to(source_root.resolve())
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)


def convert_markdown(source: Path, target: Path) -> list[Path]:
    """Every ``.md`` under ``source`` → an HTML page under ``target``, with the files the pages point
    at and the style sheet; returns the pages written."""
    import markupsafe

    documents = sorted(source.rglob("*.md"))
    top = {md.name for md in documents if md.parent == source}
    pages = {"index": {lang: site_href(name) for lang, name in (("en", "README.md"), ("ko", "README.ko.md"))},
             "concepts": {lang: site_href(name) for lang, name in (("en", "concepts.md"), ("ko", "concepts.ko.md"))}
             if "concepts.md" in top or "concepts.ko.md" in top else None}
    written = []
    for md in documents:
        relative = md.relative_to(source)
        lang = page_language(md)
        root = "../" * (len(relative.parts) - 1)
        text = md.read_text(encoding="utf-8")
        assets = PageAssets(md.parent)
        body = markdown_to_html(text, assets)
        switch = [(code, LANGUAGE_NAMES[code], page_path(_sibling(md, code)).name)
                  for code in LANGUAGE_NAMES if _sibling(md, code).is_file()]
        here = {"README": "index", "concepts": "concepts"}.get(md.name.split(".")[0]) if root == "" else None
        html = _page_template().render(lang=lang, title=first_heading(text) or md.stem, root=root, here=here,
                                       pages=pages, switch=switch if len(switch) > 1 else None,
                                       body=markupsafe.Markup(body))
        page = target / page_path(relative)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, encoding="utf-8")
        written.append(page)
        for name in sorted(assets.files):
            _copy_inside(source, relative.parent / name, target)
    shutil.copyfile(TEMPLATES_DIR / "site" / STYLE, target / STYLE)
    return written


def site_target(out_dir: Path) -> Path:
    """The site's folder, which is replaced whole: refused when it holds anything but an earlier site."""
    target = Path(out_dir).resolve()
    if target.is_dir() and any(target.iterdir()) and not (target / STYLE).is_file():
        raise OutputError(f"{out_dir} is not empty and holds no site written by archcompiler; "
                          "choose a new or empty folder (the site replaces the folder whole)")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder")
    return target


def write_site(graphs: list[Graph], out_dir: Path, langs: tuple[str, ...],
               notify: Callable[[str], object] = print) -> list[Path]:
    """The course site for ``graphs`` in ``out_dir`` (whole or not at all); returns the pages."""
    target = site_target(out_dir)
    with tempfile.TemporaryDirectory(prefix="archcompiler-site-") as tmp, staged_folder(target) as stage:
        write_markdown(graphs, Path(tmp), langs, notify)
        pages = convert_markdown(Path(tmp), stage)
    return [target / page.relative_to(stage) for page in pages]
