"""The concepts guide: ``concepts.md`` / ``concepts.ko.md`` beside the library index, with its
figures in ``concepts_figures/`` (DOT, SVG and PNG for each language)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import graphviz

from ..concepts import lesson
from ..outputs import OutputError, staged_folder
from .concept_figures import figures

CONCEPT_FILES = {"en": "concepts.md", "ko": "concepts.ko.md"}
FIGURES_DIR = "concepts_figures"
NO_DOT = ("Graphviz's 'dot' was not found, so the concepts guide's figures were written as .dot only: "
          "install Graphviz, e.g. 'sudo apt-get install graphviz'.")


def figure_stem(name: str, lang: str) -> str:
    return name if lang == "en" else f"{name}.{lang}"


def write_figures(folder: Path, langs: tuple[str, ...], notify: Callable[[str], object] = print) -> list[Path]:
    """Every figure of the guide, in ``folder`` (replaced whole)."""
    folder = Path(folder)
    binary = shutil.which("dot")
    if binary is None:
        notify(NO_DOT)
    with staged_folder(folder) as stage:
        for lang in langs:
            for name, source in figures(lang, lesson()).items():
                stem = figure_stem(name, lang)  # "mlp.ko": not a suffix to replace
                (stage / f"{stem}.dot").write_text(source, encoding="utf-8")
                if binary is None:
                    continue
                for fmt in ("svg", "png"):
                    try:
                        data = graphviz.Source(source).pipe(format=fmt)
                    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as e:
                        raise OutputError(f"Graphviz failed on the concepts figure '{name}': {e}") from None
                    (stage / f"{stem}.{fmt}").write_bytes(data)
    return sorted(folder.iterdir())


def render_concepts(lang: str, langs: tuple[str, ...]) -> str:
    from .docs import FILES, _tidy, environment

    env = environment()

    def fig(name: str) -> str:
        return f"{FIGURES_DIR}/{figure_stem(name, lang)}.svg"

    def doc(spec: str) -> str:
        return f"{spec}/{FILES[lang]}"

    page = env.get_template(f"{lang}/concepts.md.j2")
    return _tidy(page.render(c=lesson(), lang=lang, langs=langs, fig=fig, doc=doc, CONCEPT_FILES=CONCEPT_FILES))


def write_concepts(folder: Path, langs: tuple[str, ...], notify: Callable[[str], object] = print) -> list[Path]:
    """``concepts.md`` (+ ``concepts.ko.md``) and their figures, beside the library index in ``folder``."""
    folder = Path(folder)
    texts = {lang: render_concepts(lang, langs) for lang in langs}  # rendered first: nothing half-written on error
    written = write_figures(folder / FIGURES_DIR, langs, notify)
    for lang, text in texts.items():
        path = folder / CONCEPT_FILES[lang]
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
