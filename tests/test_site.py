"""The course site (`archcompiler site`): built once for a CNN (ResNet-18), a recurrent cell declared by
its gates (lstm_gates) and the Transformer, with the index and the concepts guide, in both languages.
First checked as files, then opened in headless Chromium (Debian's, driven by Selenium through the
system chromedriver) at a phone's 390 px and a desktop's 1280 px. Where the browser cannot start, the
browser tests say so and skip; scripts/setup.sh installs it, so CI runs them."""

import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcompiler.emit.docs import LANGS, context, render_doc
from archcompiler.emit.site import site_target, write_site
from archcompiler.emit.site_markdown import PageAssets, markdown_to_html, site_href
from archcompiler.outputs import OutputError
from archcompiler.resolve import load_graph

SPECS = ("resnet18", "lstm_gates", "transformer")
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    graphs = {name: load_graph(name) for name in SPECS}
    pages = write_site(list(graphs.values()), out, LANGS, notify=lambda line: None)
    return {"root": out, "pages": pages, "graphs": graphs,
            "html": {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in pages}}


class Page(HTMLParser):
    """What the checks need from one page: ids, links, resources, text outside code, math nodes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources, self.tags = [], [], [], []
        self.text, self._code = [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("img", "script", "iframe") and attrs.get("src") or tag == "link" and attrs.get("href"):
            self.resources.append(attrs.get("src") or attrs.get("href"))
        if tag in ("code", "pre"):
            self._code += 1

    def handle_endtag(self, tag):
        if tag in ("code", "pre"):
            self._code -= 1

    def handle_data(self, data):
        if not self._code:
            self.text.append(data)


# --- the site as files ------------------------------------------------------------------------------

def test_a_page_for_every_document_in_both_languages(site):
    expected = {f"{name}/index{suffix}.html" for name in SPECS for suffix in ("", ".ko")}
    expected |= {"index.html", "index.ko.html", "concepts.html", "concepts.ko.html"}
    assert set(site["html"]) == expected
    assert (site["root"] / "site.css").is_file()


def test_every_page_switches_to_the_same_page_in_the_other_language(site):
    for path, text in site["html"].items():
        lang = "ko" if path.endswith(".ko.html") else "en"
        assert f'<html lang="{lang}">' in text
        twin = Path(path).name.replace(".ko.html", ".html") if lang == "ko" else Path(path).name.replace(".html", ".ko.html")
        switch = re.search(r'<span class="languages"[^>]*>(.*?)</span>', text, re.S).group(1)
        assert f'href="{twin}"' in switch and 'aria-current="page"' in switch, path


def test_no_scripts_and_nothing_loaded_from_a_network(site):
    for path, text in site["html"].items():
        page = Page(text)
        assert "script" not in page.tags, path
        assert all(not re.match(r"[a-z]+:|//", src) for src in page.resources), (path, page.resources)


def test_every_link_and_anchor_resolves(site):
    root = site["root"]
    ids = {path: Page(text).ids for path, text in site["html"].items()}
    for path, page_ids in ids.items():
        assert len(page_ids) == len(set(page_ids)), (path, sorted(i for i in page_ids if page_ids.count(i) > 1))
    checked = 0
    for path, text in site["html"].items():
        for href in Page(text).links:
            if re.match(r"[a-z]+:", href):
                continue
            target, _, fragment = href.partition("#")
            file = (root / path).parent / target if target else root / path
            assert file.resolve().is_file(), (path, href)
            if fragment:
                assert fragment in ids[file.resolve().relative_to(root.resolve()).as_posix()], (path, href)
            checked += 1
    assert checked > 100  # the navigation, the lineages, the concepts guide's cross references


def test_math_is_mathml_with_no_error_and_no_dollar_left(site):
    for path, text in site["html"].items():
        page = Page(text)
        assert "merror" not in page.tags, path
        assert "$" not in "".join(page.text), (path, [t for t in page.text if "$" in t][:3])
        if "/" in path or path.startswith("concepts"):
            assert page.tags.count("math") > 10, path


def test_diagrams_are_inline_svg_and_mermaid_is_gone(site):
    for name in SPECS:
        for lang in LANGS:
            text = site["html"][f"{name}/index{'' if lang == 'en' else '.ko'}.html"]
            figures = re.findall(r'<figure class="figure"><svg [^>]*role="img"', text)
            assert len(figures) == (2 if name == "lstm_gates" else 1), (name, lang)  # + the cell's inside
            assert "mermaid" not in text and "flowchart" not in text
            assert (site["root"] / name / f"{name}.svg").is_file()  # the full-size figure the caption opens


def test_pages_hold_the_docs_own_prose(site):
    graph = site["graphs"]["lstm_gates"]
    ctx = context(graph)
    for lang, suffix in (("en", ""), ("ko", ".ko")):
        markdown = render_doc(graph, lang, ctx)
        headings = [re.sub(r"[`*]", "", h) for h in re.findall(r"^#{2,6} (.+)$", markdown, re.M)]
        text = re.sub(r"<[^>]+>", "", site["html"][f"lstm_gates/index{suffix}.html"])
        assert headings and all(h.replace("&", "&amp;") in text or h in text for h in headings), lang


def test_site_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="not empty"):
        site_target(tmp_path)
    assert site_target(tmp_path / "new") == (tmp_path / "new").resolve()


def test_site_command_writes_the_site_without_tensorflow(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from archcompiler.cli import app
        result = CliRunner().invoke(app, ["site", "lenet5", "--lang", "en", "--out", r"{tmp_path / 'site'}"])
        assert result.exit_code == 0, result.output
        again = CliRunner().invoke(app, ["site", "lenet5", "--out", r"{tmp_path}"])
        assert again.exit_code == 1 and "not empty" in again.output, again.output
        print("HEAVY", sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "HEAVY []" in result.stdout
    pages = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html"))
    assert pages == ["concepts.html", "index.html", "lenet5/index.html"]


# --- Markdown → HTML ----------------------------------------------------------------------------------

@pytest.mark.parametrize("href, expected", [
    ("README.md", "index.html"), ("README.ko.md", "index.ko.html"), ("../vgg16/README.md#conv1", "../vgg16/index.html#conv1"),
    ("concepts.ko.md#rnn", "concepts.ko.html#rnn"), ("lstm.svg", "lstm.svg"), ("#layer-by-layer", "#layer-by-layer"),
    ("https://example.org/README.md", "https://example.org/README.md"), ("NOTREADME.md", "NOTREADME.html"),
])
def test_links_to_markdown_become_links_to_pages(href, expected):
    assert site_href(href) == expected


@given(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=3),
       st.sampled_from(["README.md", "README.ko.md", "concepts.md", "x.ko.md"]),
       st.from_regex(r"[a-z0-9_-]{0,10}", fullmatch=True))
def test_page_links_keep_folder_and_fragment(folders, name, fragment):
    href = "/".join(folders + [name]) + (f"#{fragment}" if fragment else "")
    out = site_href(href)
    assert out.startswith("/".join(folders) + "/") and out.partition("#")[0].endswith(".html")
    assert out.partition("#")[2] == fragment
    assert ("ko." in out) == ("ko." in name)


@pytest.mark.parametrize("markdown, mathml", [
    ("so ($`224 + 3 + 3 = 230`$).", "<mn>224</mn>"),
    ("현재 입력($`X_t`$)과", "<msub><mi>X</mi><mi>t</mi></msub>"),
    ("$$\\underbrace{2 \\cdot 64}_{\\gamma,\\ \\beta} = 128$$", "<munder>"),
    ("$$W \\in \\mathbb{R}^{256 \\times 71}$$", "<msup>"),
    ("$$1{,}792$$", '<mn>1</mn><mo separator="true" lspace="0" rspace="0">,</mo><mn>792</mn>'),
])
def test_math_becomes_mathml(markdown, mathml):
    html = markdown_to_html(markdown)
    assert mathml in html and "<math" in html and "$" not in html


@pytest.mark.parametrize("markdown", ["costs $ 5 $ today", "a price of 5$ and 6$", "`$x$` in code"])
def test_what_github_leaves_as_text_stays_text(markdown):
    assert "<math" not in markdown_to_html(markdown)


FORMULA = st.builds(lambda a, op, b: f"{a} {op} {b}", st.sampled_from(["x", "H_t", "W_{f}", "\\sigma(z)", "2"]),
                    st.sampled_from(["+", "-", "\\cdot", "\\times", "\\odot", "="]),
                    st.sampled_from(["y", "\\tanh(C_t)", "\\frac{1}{2}", "b^{2}", "\\text{units}"]))


@given(FORMULA, st.sampled_from(["$", "$`"]), st.sampled_from(["", "값은 ", "( "]))
def test_every_inline_formula_becomes_one_math_element(formula, opening, before):
    closing = opening[::-1]
    html = markdown_to_html(f"{before}{opening}{formula}{closing} end")
    assert html.count("<math") == 1 and "merror" not in html and "$" not in html


def test_figures_inline_with_their_ids_kept_apart(tmp_path):
    svg = '<?xml version="1.0"?>\n<!-- c -->\n<svg width="30pt" height="15pt" viewBox="0 0 30 15"><g id="graph0"></g></svg>'
    (tmp_path / "a.svg").write_text(svg, encoding="utf-8")
    assets = PageAssets(tmp_path)
    html = markdown_to_html("![first](a.svg)\n\n![second](a.svg)\n\n[gone](other/README.md) [here](a.svg)", assets)
    assert 'id="fig1-graph0"' in html and 'id="fig2-graph0"' in html and "<?xml" not in html
    assert '<svg width="40" height="20" role="img" aria-label="first"' in html
    assert "<span>gone</span>" in html and '<a href="a.svg">here</a>' in html
    assert assets.files == {"a.svg"}


# --- in a browser -----------------------------------------------------------------------------------

MEASURE = """
const width = document.documentElement.clientWidth;
const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
  const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
const shown = el => !el.closest('details:not([open])');
const wide = [...document.body.querySelectorAll('*')].filter(el => {
  const r = el.getBoundingClientRect(); return r.width && (r.right > width + 1 || r.left < -1) && !scrolls(el); })
  .map(el => el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 40));
const broken = [...document.images].filter(img => !img.complete || !img.naturalWidth).map(img => img.src);
const anchors = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1))
  .filter(id => !document.getElementById(decodeURIComponent(id)));
const maths = [...document.querySelectorAll('math')];
const untypeset = maths.filter(m => shown(m) && !(m instanceof MathMLElement && m.getBoundingClientRect().width > 0))
  .map(m => m.textContent.slice(0, 40));
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const dollars = []; for (let n; (n = walker.nextNode());) {
  if (n.data.includes('$') && !n.parentElement.closest('code, pre')) dollars.push(n.data.slice(0, 60)); }
const cropped = [...document.querySelectorAll('figure svg')].filter(svg => {
  const box = svg.getBoundingClientRect(), inner = svg.querySelector('g').getBoundingClientRect();
  return inner.left < box.left - 2 || inner.top < box.top - 2 || inner.right > box.right + 2 || inner.bottom > box.bottom + 2; })
  .map(svg => svg.getAttribute('aria-label'));
const drifting = [...document.querySelectorAll('figure svg text')].filter(t => t.querySelector('tspan') && t.firstChild.nodeType === 3)
  .filter(t => { const range = document.createRange(); range.selectNodeContents(t.firstChild);
    const gap = t.querySelector('tspan').getBoundingClientRect().left - range.getBoundingClientRect().right;
    return Math.abs(gap) > 1.5; }).map(t => t.textContent)
  .concat([...document.querySelectorAll('figure svg text')].filter(t => { const next = t.nextElementSibling;
    return next && next.tagName === 'text' && next.getAttribute('y') === t.getAttribute('y')
      && Math.abs(next.getBoundingClientRect().left - t.getBoundingClientRect().right) > 1.5; })
    .map(t => t.textContent + ' …'));  // pieces of one line placed apart
return {width, pageWidth: document.documentElement.scrollWidth, wide, broken, anchors, maths: maths.length,
        untypeset, errors: document.querySelectorAll('merror').length, dollars, cropped, drifting,
        pieces: document.querySelectorAll('figure svg text tspan').length};
"""
KOREAN_FONTS = re.compile(r"nanum|noto sans (cjk )?kr|apple sd gothic|malgun|un dotum|baekmuk", re.I)
MATH_FONTS = re.compile(r"math", re.I)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    binary, driver_binary = _chromium(), shutil.which("chromedriver")
    if not binary or not driver_binary:
        pytest.skip("headless Chromium or chromedriver is not installed (scripts/setup.sh installs both)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--allow-file-access-from-files"):
        options.add_argument(arg)
    try:
        driver = webdriver.Chrome(service=webdriver.ChromeService(driver_binary), options=options)
    except Exception as e:  # noqa: BLE001 - any reason the browser cannot start is a reason to skip
        pytest.skip(f"headless Chromium could not start: {type(e).__name__}: {str(e).strip().splitlines()[0]}")
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, page: Path, width: int):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get(page.as_uri())


def _fonts(browser, selector: str) -> dict[str, int]:
    """The fonts Chromium actually drew the first element matching ``selector`` with: family → glyphs."""
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_in_the_browser(site, browser, width):
    problems = {}
    for path in sorted(site["html"]):
        _open(browser, site["root"] / path, width)
        m = browser.execute_script(MEASURE)
        assert m["width"] == width, m["width"]
        found = {k: m[k] for k in ("wide", "broken", "anchors", "untypeset", "dollars", "cropped", "drifting") if m[k]}
        if m["errors"] or m["pageWidth"] > width:
            found.update(errors=m["errors"], pageWidth=m["pageWidth"])
        if "/" in path and not m["maths"]:
            found["maths"] = 0
        if path.startswith("lstm_gates/") and not m["pieces"]:  # the cell figure's X_t, H_t-1: subscripts as tspans
            found["pieces"] = 0
        if found:
            problems[path] = found
    assert problems == {}


def test_hangul_is_drawn_with_a_korean_font(site, browser):
    _open(browser, site["root"] / "lstm_gates" / "index.ko.html", 1280)
    fonts = _fonts(browser, "main p")
    korean = {family: glyphs for family, glyphs in fonts.items() if KOREAN_FONTS.search(family)}
    assert korean and sum(korean.values()) > 20, fonts


def test_formulas_are_drawn_with_a_math_font(site, browser):
    _open(browser, site["root"] / "transformer" / "index.ko.html", 1280)
    fonts = _fonts(browser, ".math-block math mi")
    assert any(MATH_FONTS.search(family) for family in fonts), fonts
