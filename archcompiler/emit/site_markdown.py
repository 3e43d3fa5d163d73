"""The docs' Markdown → HTML for the course site: GitHub's dialect (tables, raw HTML, heading anchors,
``$…$``, ``$`…`$`` and ``$$…$$`` math), with the math typeset on the server as MathML, which browsers
draw natively, so the site needs neither JavaScript nor a network.

What the Markdown points at is resolved against the folder it came from: an SVG image is inlined
(its ids prefixed, so several figures can share a page), other files are collected to be copied,
and links to ``README.md``/``X.md`` become links to ``index.html``/``X.html``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

# `{,}` is TeX's comma without operator spacing (1{,}792); latex2mathml writes it as a spaced operator
_GROUPED_COMMA = re.compile(r"<mrow><mo>&#x0002C;</mo></mrow>")
_XML_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//|^#", re.I)


def mathml(tex: str, display: bool) -> str:
    """LaTeX → a MathML ``<math>`` element; a formula that cannot be converted becomes an ``<merror>``
    node (which the site's tests look for) rather than stopping the whole site."""
    from latex2mathml.converter import convert

    mode = "block" if display else "inline"
    try:
        out = convert(tex, display=mode)
    except Exception as e:  # latex2mathml raises its own exceptions and plain ones alike
        return (f'<math display="{mode}"><merror><mtext>{html.escape(f"{type(e).__name__}: {tex}")}'
                f"</mtext></merror></math>")
    out = _GROUPED_COMMA.sub("<mo separator=\"true\" lspace=\"0\" rspace=\"0\">,</mo>", out)
    return out.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1)


def site_href(href: str) -> str:
    """A Markdown link's target on the site: ``README.md`` → ``index.html``, ``x/README.ko.md#a`` →
    ``x/index.ko.html#a``, ``concepts.md`` → ``concepts.html``; other targets stay as they are."""
    if _SCHEME.match(href):
        return href
    path, hash_, fragment = href.partition("#")
    if path.endswith(".md"):
        path = re.sub(r"(^|/)README(?=(\.ko)?\.md$)", r"\1index", path)[:-3] + ".html"
    return path + hash_ + fragment


@dataclass
class PageAssets:
    """What one page's Markdown points at: files to copy beside the page, figures inlined."""

    folder: Path  # where the Markdown's relative paths start
    files: set[str] = field(default_factory=set)
    inlined: list[str] = field(default_factory=list)


def inline_svg(path: Path, prefix: str, alt: str) -> str:
    """A Graphviz SVG as an inline figure: no XML prologue, ids prefixed, scaled to fit its column."""
    svg = _XML_PROLOGUE.sub("", path.read_text(encoding="utf-8"), count=1)
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _SVG_REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    # pt → CSS px at the same physical size; CSS (max-width: 100%, height: auto) scales it down
    svg = _SVG_SIZE.sub(lambda m: f'<svg width="{float(m.group(1)) * 4 / 3:.0f}" height="{float(m.group(2)) * 4 / 3:.0f}"'
                        f' role="img" aria-label="{html.escape(alt)}"', svg, count=1)
    return svg.strip()


# --- `$`…`$`: GitHub's math that may touch any character ------------------------------------------

def _tick_math(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith("$`", start):
        return False
    end = state.src.find("`$", start + 2)
    if end < 0 or end == start + 2 or "\n" in state.src[start + 2:end]:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = state.src[start + 2:end]
        token.markup = "$`"
    state.pos = end + 2
    return True


# --- rendering rules -----------------------------------------------------------------------------

def _table_open(self, tokens, idx, options, env):  # wide tables scroll inside their box on a phone
    return '<div class="scroll">' + self.renderToken(tokens, idx, options, env)


def _table_close(self, tokens, idx, options, env):
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _math(display: bool):
    def render(self, tokens, idx, options, env):
        formula = mathml(tokens[idx].content.strip(), display)
        return f'<div class="math-block scroll">{formula}</div>\n' if display else formula

    return render


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    src, alt = unquote(token.attrGet("src") or ""), self.renderInlineAsText(token.children or [], options, env)
    assets: PageAssets | None = env.get("assets")
    if assets is not None and not _SCHEME.match(src):
        path = assets.folder / src
        if src.endswith(".svg") and path.is_file():
            assets.inlined.append(src)
            assets.files.add(src)  # also linked, full size
            svg = inline_svg(path, f"fig{len(assets.inlined)}", alt)
            return (f'<figure class="figure">{svg}<figcaption><a href="{html.escape(src)}">{html.escape(alt)}</a>'
                    f"</figcaption></figure>")
        if not path.is_file():  # e.g. Graphviz was missing when the docs were written (the user was told)
            return f'<span class="missing-figure">{html.escape(alt)}</span>'
        assets.files.add(src)
    return self.image(tokens, idx, options, env)


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    href = token.attrGet("href") or ""
    assets: PageAssets | None = env.get("assets")
    target = unquote(href.partition("#")[0])
    if assets is not None and target and not _SCHEME.match(href):
        if not (assets.folder / target).is_file():
            # a document this site leaves out (the concepts guide names specs not built): text, not a dead link
            token.tag, token.attrs = "span", {}
            next(t for t in tokens[idx + 1:] if t.type == "link_close").tag = "span"
        elif not target.endswith(".md"):
            assets.files.add(target)
    if token.tag == "a":
        token.attrSet("href", site_href(href))
    return self.renderToken(tokens, idx, options, env)


def _fence(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.info.strip() == "mermaid":  # drawn by GitHub's JavaScript; the site shows the Graphviz SVG
        return ""
    return '<div class="scroll">' + self.fence(tokens, idx, options, env) + "</div>"


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
    # GitHub's rules for $…$: no space just inside, not glued to digits (prices)
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True,
           allow_blank_lines=False)
    md.inline.ruler.before("math_inline", "math_inline_tick", _tick_math)
    md.use(anchors_plugin, min_level=1, max_level=6)
    md.add_render_rule("math_inline", _math(False))
    md.add_render_rule("math_inline_double", _math(True))
    md.add_render_rule("math_block", _math(True))
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("fence", _fence)
    return md


def markdown_to_html(text: str, assets: PageAssets | None = None) -> str:
    return markdown().render(text, {"assets": assets} if assets is not None else {})


def first_heading(text: str) -> str:
    """The document's title: its first ``# heading`` as plain text."""
    for line in text.splitlines():
        if line.startswith("# "):
            return re.sub(r"[*_`]", "", line[2:]).strip()
    return ""
