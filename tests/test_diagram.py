"""Diagrams: the DOT's structure (nodes, clusters, edges, ×N collapse and --expand, legend), escaping,
Mermaid, rendering with Graphviz where it is installed, the size limit, and no TensorFlow."""

import re
import shutil
import struct
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archcompiler.emit.diagram import diagram_plan, diagram_source, mermaid_text, write_diagram
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")

RESIDUAL = """
name: resmini
title: Mini ResNet
params: {num_classes: 10}
inputs:
  image: {shape: [32, 32, 3]}
blocks:
  bottleneck:
    title: {en: residual bottleneck, ko: 병목 잔차 블록}
    args: {filters: int, stride: 1, project: false}
    layers:
      - type: residual
        name: add
        body:
          - {type: conv2d, name: "1_conv", filters: "${filters}", kernel: 1, stride: "${stride}"}
          - {type: batchnorm, name: "1_bn"}
          - {type: relu, name: "1_relu"}
          - {type: conv2d, name: "2_conv", filters: "${filters}", kernel: 3, padding: same}
          - {type: batchnorm, name: "2_bn"}
          - {type: relu, name: "2_relu"}
          - {type: conv2d, name: "3_conv", filters: "${4 * filters}", kernel: 1}
          - {type: batchnorm, name: "3_bn"}
        shortcut:
          - {type: conv2d, name: "0_conv", filters: "${4 * filters}", kernel: 1, stride: "${stride}", when: "${project}"}
          - {type: batchnorm, name: "0_bn", when: "${project}"}
      - {type: relu, name: out}
layers:
  - {type: conv2d, name: conv1, filters: 16, kernel: 3, padding: same}
  - {type: batchnorm, name: bn1}
  - {type: relu, name: relu1}
  - {use: bottleneck, name: s1_block1, filters: 16, project: true}
  - {use: bottleneck, name: "s1_block${i + 1}", filters: 16, repeat: 3}
  - {use: bottleneck, name: s2_block1, filters: 32, stride: 2, project: true}
  - {use: bottleneck, name: "s2_block${i + 1}", filters: 32, repeat: 2}
  - {type: global_avgpool2d, name: gap}
  - {type: dense, name: predictions, units: "${num_classes}", activation: softmax}
"""

INCEPTION = """
name: incmini
inputs:
  image: {shape: [28, 28, 192]}
blocks:
  inception:
    title: {en: inception module, ko: 인셉션 모듈}
    args: {c1: int, c3r: int, c3: int, c5r: int, c5: int, pp: int}
    layers:
      - type: branches
        name: concat
        branches:
          - [{type: conv2d, name: b1, filters: "${c1}", kernel: 1, activation: relu}]
          - [{type: conv2d, name: b3r, filters: "${c3r}", kernel: 1, activation: relu},
             {type: conv2d, name: b3, filters: "${c3}", kernel: 3, padding: same, activation: relu}]
          - [{type: conv2d, name: b5r, filters: "${c5r}", kernel: 1, activation: relu},
             {type: conv2d, name: b5, filters: "${c5}", kernel: 5, padding: same, activation: relu}]
          - [{type: maxpool2d, name: pool, pool: 3, stride: 1, padding: same},
             {type: conv2d, name: pp, filters: "${pp}", kernel: 1, activation: relu}]
layers:
  - {use: inception, name: inception_3a, c1: 64, c3r: 96, c3: 128, c5r: 16, c5: 32, pp: 32}
  - {use: inception, name: inception_3b, c1: 128, c3r: 128, c3: 192, c5r: 32, c5: 96, pp: 64}
  - {type: global_avgpool2d}
  - {type: dense, name: predictions, units: 1000, activation: softmax}
"""

SEQ2SEQ = """
name: s2smini
params: {vocab: 1000, units: 64}
inputs:
  source: {shape: [null], dtype: int32}
  target: {shape: [null], dtype: int32}
layers:
  - {type: embedding, name: enc_embed, inputs: source, vocab: "${vocab}", dim: 32}
  - {type: lstm, name: enc, units: "${units}", return_sequences: true, return_state: true}
  - {type: embedding, name: dec_embed, inputs: target, vocab: "${vocab}", dim: 32}
  - {type: lstm, name: dec, units: "${units}", return_sequences: true, inputs: [dec_embed, enc.h, enc.c]}
  - {type: additive_attention, name: attend, inputs: [dec, enc]}
  - {type: dense, name: predictions, units: "${vocab}", activation: softmax}
"""

NASTY = r"""
name: nasty
title: 'a<b>"c'
inputs:
  x: {shape: [8]}
blocks:
  odd:
    title: {en: "a<b>\"c amp&semi;#35;`tick` back\\slash\\ new\nline]\"}{", ko: "-"}
    layers:
      - {type: dense, name: inner, units: 4}
layers:
  - {use: odd, name: first}
  - {type: dense, name: last, units: 2}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("specs")
    paths = {}
    for name, text in (("resmini", RESIDUAL), ("incmini", INCEPTION), ("s2smini", SEQ2SEQ), ("nasty", NASTY)):
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def graphs(specs):
    return {name: load_graph(path) for name, path in specs.items()} | {"vgg16": load_graph("vgg16")}


def node_ids(source: str) -> list[str]:
    """Drawn nodes of a DOT source: statements ``nK [...]``, ``inK`` and ``outK`` (not the connectors)."""
    return re.findall(r"^\s+((?:n|out)\d+) \[", source, flags=re.M)


def edges(source: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s+(\w+) -> (\w+)(?: \[(.*)\])?$", source, flags=re.M)


def units_named(plan, name):
    return [u for u in plan.units if any(n.name == name for n in u.nodes)]


def covered(plan) -> list[str]:
    """Every graph node that some drawn unit stands for, with repetitions."""
    return [n.name for u in plan.units for copies in u.copies for n in copies]


# --- structure ---------------------------------------------------------------------------

def test_vgg16_collapses_repeated_convolutions_and_expands_on_request(graphs):
    g = graphs["vgg16"]
    plan = diagram_plan(g)
    # image, 5 × (conv ×N, pool), flatten, 3 dense layers; then the output marker
    assert len(plan.units) == 1 + 5 * 2 + 1 + 3 and plan.node_count == 16
    src = diagram_source(g, wrap=False).source
    assert len(node_ids(src)) == 16
    assert src.count("subgraph cluster_") == 5
    assert "conv 3×3, 64 filters, stride 1, same, relu  ×2" in src
    assert "conv 3×3, 512 filters, stride 1, same, relu  ×3" in src
    assert "block5_conv1 … block5_conv3" in src and "2,359,808 params each" in src
    assert "38,720 params in all" in src  # block1: 1,792 + 36,928
    real = [e for e in edges(src) if "invis" not in e[2]]
    assert len(real) == 15  # a chain: 16 nodes
    for legend in ("convolution", "pooling", "dense (fully connected)", "input / output"):
        assert legend in src
    assert "VGG-16 (2014)  ·  138,357,544 params" in src

    full = diagram_plan(g, expand=True)
    assert len(full.units) == len(g.nodes) == 23
    src = diagram_source(g, expand=True, wrap=False).source
    assert len(node_ids(src)) == 24 and "×" not in re.sub(r"\d×\d", "", src)
    assert src.count("subgraph cluster_") == 5


def test_every_layer_is_drawn_exactly_once(graphs):
    for name, g in graphs.items():
        for expand in (False, True):
            plan = diagram_plan(g, expand)
            assert sorted(covered(plan)) == sorted(g.nodes), (name, expand)
            assert sum(g.nodes[n].params for n in covered(plan)) == g.total_params


def test_residual_blocks_collapse_to_one_copy_labelled_times_n(graphs):
    g = graphs["resmini"]
    plan = diagram_plan(g)
    titles = sorted((c.title, c.subtitle) for c in plan.clusters.values())
    assert titles == [("residual bottleneck ×2", "s2_block2 … s2_block3"),
                      ("residual bottleneck ×3", "s1_block2 … s1_block4"),
                      ("s1_block1", "residual bottleneck"), ("s2_block1", "residual bottleneck")]
    # conv+bn+relu fold into one node; a projection block is 5 nodes, an identity block 4
    assert len(plan.units) == 1 + 1 + 5 + 4 + 5 + 4 + 2
    conv = units_named(plan, "s1_block1_1_conv")[0]
    assert [n.name for n in conv.nodes] == ["s1_block1_1_conv", "s1_block1_1_bn", "s1_block1_1_relu"]
    # hidden copies are drawn by the first: nothing of s1_block3/4 or s2_block3 is a node of its own
    drawn = {n.name for u in plan.units for n in u.nodes}
    assert not any(n.startswith(("s1_block3", "s1_block4", "s2_block3")) for n in drawn)
    ids = {u.head.name: u.id for u in plan.units}
    pairs = {(e.src, e.dst): e for e in plan.edges}
    # into the first copy from the block before; out of the (last) copy into the next stage
    assert (ids["s1_block1_add"], ids["s1_block2_1_conv"]) in pairs
    assert (ids["s1_block2_add"], ids["s2_block1_1_conv"]) in pairs
    assert (ids["s1_block2_add"], ids["s2_block1_0_conv"]) in pairs
    # no edge from a copy back into itself (the chain the ×3 stands for)
    assert (ids["s1_block2_add"], ids["s1_block2_1_conv"]) not in pairs
    # the identity shortcut of each drawn identity block is marked as such
    skips = [(e.src, e.dst) for e in plan.edges if e.style == "skip"]
    assert sorted(skips) == sorted([(ids["s1_block1_add"], ids["s1_block2_add"]),
                                    (ids["s2_block1_add"], ids["s2_block2_add"])])
    # the projection shortcut starts beside the body, in spec order (body left, shortcut right)
    assert (ids["s1_block1_1_conv"] in plan.rows[0][1]) or any(
        r[1] == [ids["s1_block1_1_conv"], ids["s1_block1_0_conv"]] for r in plan.rows)

    src = diagram_source(g, wrap=False).source
    assert src.count("subgraph cluster_") == 4 and "peripheries" not in src
    assert src.count('color="#ea580c" penwidth=1.6 weight=0') == 2  # two shortcut edges
    assert "residual shortcut" in src

    full = diagram_plan(g, expand=True)
    assert len(full.units) == len(g.nodes)
    assert len(full.clusters) == 7 and all("×" not in c.title for c in full.clusters.values())
    assert sum(e.style == "skip" for e in full.edges) == 5  # every identity block


def test_copies_that_differ_are_not_collapsed(spec_file):
    path = spec_file("""
        name: growing
        inputs:
          x: {shape: [16]}
        blocks:
          mlp:
            args: {units: int, last: false}
            layers:
              - {type: dense, name: fc, units: "${units}", activation: relu}
              - {type: dropout, name: drop, rate: 0.5, when: "${not last}"}
        layers:
          - {type: dense, name: "wide${i}", units: "${8 * i}", repeat: 3}
          - {use: mlp, name: "m${i}", units: 8, last: "${i == 3}", repeat: 3}
    """)
    g = load_graph(path)
    plan = diagram_plan(g)
    heads = [u.head.name for u in plan.units]
    assert heads[:4] == ["x", "wide1", "wide2", "wide3"]  # different widths: three nodes
    # each copy of mlp is one node (dense → dropout folded), so no cluster; the last copy has no
    # dropout: drawn apart from the ×2 of the first two
    assert not plan.clusters
    first, last = units_named(plan, "m1_fc")[0], units_named(plan, "m3_fc")[0]
    assert first is not last and (first.repeat, last.repeat) == (2, 1)
    assert [n.name for n in first.nodes] == ["m1_fc", "m1_drop"] and [n.name for n in last.nodes] == ["m3_fc"]


def test_branches_keep_spec_order_on_one_row(graphs):
    g = graphs["incmini"]
    plan = diagram_plan(g)
    assert len(plan.clusters) == 2 and len(plan.units) == 1 + 2 * 8 + 2
    ids = {u.head.name: u.id for u in plan.units}
    assert ("g1/1", [ids[f"inception_3a_{b}"] for b in ("b1", "b3r", "b5r", "pool")]) in plan.rows
    src = diagram_source(g, wrap=False).source
    row = f'{ids["inception_3b_b1"]} -> {ids["inception_3b_b3r"]} [style=invis]'
    assert row in src
    concat = ids["inception_3a_concat"]
    assert sum(1 for e in plan.edges if e.dst == concat) == 4


def test_two_inputs_side_by_side_with_states_and_attention_labelled(graphs):
    g = graphs["s2smini"]
    plan = diagram_plan(g)
    src = diagram_source(g, wrap=False).source
    assert re.search(r"rank=same\s+n0\s+n1", src)
    ids = {u.head.name: u.id for u in plan.units}
    states = [(e.label, e.style) for e in plan.edges if e.src == ids["enc"] and e.dst == ids["dec"]]
    assert sorted(states) == [("c (64,)", "state"), ("h (64,)", "state")]
    state_lines = [line for line in src.splitlines() if "label=<h (64,)>" in line or "label=<c (64,)>" in line]
    assert len(state_lines) == 2 and all("style=dashed" in line for line in state_lines)
    roles = {(e.src, e.label) for e in plan.edges if e.dst == ids["attend"]}
    assert roles == {(ids["dec"], "query"), (ids["enc"], "output (None, 64), key, value")}
    assert "recurrent state" in src and "attention key / value" in src


# --- escaping ----------------------------------------------------------------------------

def test_titles_are_escaped_in_dot_and_mermaid(graphs):
    """Names are plain words (validate checks them); the spec's and a block's titles are free text."""
    g = graphs["nasty"]
    src = diagram_source(g, wrap=False).source
    assert "a&lt;b&gt;&quot;c" in src and "amp&amp;semi;#35;`tick`" in src
    for line in src.splitlines():  # every HTML label is balanced: no raw < or > from a name leaks
        for label in re.findall(r"label=<(.*)>", line):
            assert "<b>" not in label and '"c' not in label.replace('&quot;c', "")
    mmd = mermaid_text(g)
    assert "a#60;b#62;#quot;c" in mmd and "amp#38;semi;#35;35;#96;tick#96;" in mmd
    assert "new line]#quot;}{" in mmd
    for line in mmd.splitlines():
        m = re.match(r'\s+(n\d+)\["(.*)"\]$', line)
        if m:
            assert '"' not in m.group(2) and "<b>" not in m.group(2).replace("<b>", "", 1)


@needs_dot
def test_escaped_names_render(graphs, tmp_path):
    g = graphs["nasty"]
    files = write_diagram(g, tmp_path, ["dot", "svg"])
    svg = ET.parse(files[1]).getroot()  # well-formed XML
    text = " ".join(svg.itertext())
    assert 'a<b>"c' in text and "back\\slash\\" in text


# --- Mermaid -----------------------------------------------------------------------------

def test_mermaid_flowchart(graphs):
    g = graphs["resmini"]
    plan = diagram_plan(g)
    mmd = mermaid_text(g)
    lines = mmd.splitlines()
    assert lines[0] == "flowchart TB" and mmd.endswith("\n")
    assert sum(1 for line in lines if re.match(r'\s+(n|out)\d+(\["|\(\[")', line)) == plan.node_count
    assert sum(1 for line in lines if line.strip().startswith("subgraph ")) == 4
    assert sum(1 for line in lines if line.strip() == "end") == 4
    assert 'subgraph c1[" "]\n' in mmd and 'c1t["residual bottleneck ×3 · s1_block2 … s1_block4"]' in mmd
    assert sum(1 for line in lines if "==>" in line) == 2  # the shortcuts
    assert "classDef conv fill:#dbeafe" in mmd and re.search(r"class n\d+(,n\d+)* merge", mmd)
    seq = mermaid_text(load_graph_s2s := graphs["s2smini"])
    assert '-.->|"h (64,)"|' in seq and '-.->|"c (64,)"|' in seq
    assert load_graph_s2s.name == "s2smini"


def test_mermaid_edges_enter_subgraphs_below_their_titles(graphs):
    # Mermaid centres a subgraph's title where an edge into its top unit runs: the title is a node of
    # its own, linked invisibly between the edge's source and the unit, so the edge passes beside it
    mmd = mermaid_text(graphs["resmini"])
    titles = re.findall(r"^\s+(c\d+t)\[", mmd, re.M)
    assert titles and re.search(rf"class {','.join(titles)} title$", mmd, re.M)
    for link in re.findall(r"^  (\S+(?: ~~~ \S+)+)$", mmd, re.M):
        src, *between, dst = link.split(" ~~~ ")
        assert between and all(t in titles for t in between)
        assert re.search(rf'^  {src} (-->|==>|-\.->)(\|"[^"]*"\|)? {dst}$', mmd, re.M)  # the real edge is still drawn
    assert set(re.findall(r"~~~ (c\d+t)", mmd)) == set(titles)  # every block of this network is entered from above


def test_svg_subscripts_follow_their_letter_whatever_the_font():
    from archcompiler.emit.diagram import flowing_text

    svg = ('<g id="node1" class="node">\n<title>x</title>\n'
           '<text text-anchor="start" x="20.5" y="-100.4" font-size="12.00">X</text>\n'
           '<text text-anchor="start" x="29.5" y="-100.4" baseline-shift="sub" font-size="12.00">t</text>\n'
           '<text text-anchor="middle" x="40" y="-90" font-size="9.00">next line</text>\n</g>')
    out = flowing_text(svg)
    assert ('<text text-anchor="start" x="20.5" y="-100.4" font-size="12.00">X'
            '<tspan baseline-shift="sub" font-size="12.00">t</tspan></text>') in out
    assert '<text text-anchor="middle" x="40" y="-90" font-size="9.00">next line</text>' in out
    assert flowing_text(out) == out and out.count("<text") == 2


# --- files and rendering -----------------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_dot
def test_write_all_formats(graphs, tmp_path):
    g = graphs["vgg16"]
    files = write_diagram(g, tmp_path / "out", ["svg", "png", "dot", "mmd"])
    assert [f.name for f in files] == ["vgg16.svg", "vgg16.png", "vgg16.dot", "vgg16.mmd"]
    root = ET.parse(files[0]).getroot()
    assert root.tag.endswith("svg")
    texts = [" ".join((t.text or "").split()) for t in root.iter() if t.tag.endswith("text")]
    assert "block1_conv1 … block1_conv2 · (224, 224, 64) · 38,720 params in all" in texts
    w, h = png_size(files[1])
    assert 300 < w <= 5000 and 300 < h <= 5000
    # the DOT written is the one rendered: Graphviz reads it back to the same size
    again = subprocess.run(["dot", "-Tpng", str(files[2])], capture_output=True, check=True).stdout
    assert struct.unpack(">II", again[16:24]) == (w, h)
    assert files[3].read_text(encoding="utf-8") == mermaid_text(g)


@needs_dot
def test_tall_networks_wrap_into_columns(graphs, tmp_path):
    g = graphs["vgg16"]
    src = diagram_source(g).source
    assert "wrapAout" in src and "wrapAin" in src  # A: where the first column continues
    w, h = png_size(write_diagram(g, tmp_path, ["png"])[0])
    assert w > h  # a slide, not a strip
    assert "wrapA" not in diagram_source(g, wrap=False).source
    # left to right, a long chain wraps into rows instead
    w, h = png_size(write_diagram(g, tmp_path / "lr", ["png"], rankdir="LR")[0])
    assert "wrapA" in diagram_source(g, rankdir="LR").source and w / h < 3.5


def test_without_graphviz_dot_and_mermaid_are_still_written(graphs, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    said = []
    files = write_diagram(graphs["vgg16"], tmp_path / "out", ["dot", "svg", "png", "mmd"], notify=said.append)
    assert [f.name for f in files] == ["vgg16.dot", "vgg16.mmd"]
    assert all(f.exists() for f in files) and not (tmp_path / "out" / "vgg16.png").exists()
    assert len(said) == 1 and "\n" not in said[0]
    assert "install Graphviz" in said[0] and "apt-get install graphviz" in said[0]
    assert "wrapA" not in files[0].read_text(encoding="utf-8")


@needs_dot
def test_deep_graph_png_stays_within_5000_pixels(spec_file, tmp_path):
    path = spec_file("""
        name: deep
        inputs:
          x: {shape: [32]}
        layers:
          - {type: dense, name: "fc${i}", units: 32, activation: relu, repeat: 300}
          - {type: dense, name: out, units: 10, activation: softmax}
    """)
    g = load_graph(path)
    assert diagram_plan(g).node_count == 4  # x, fc ×300, out, output
    files = write_diagram(g, tmp_path, ["png"], expand=True)
    w, h = png_size(files[0])
    assert max(w, h) <= 5000 and min(w, h) > 100


@needs_dot
@pytest.mark.skipif("resnet152" not in builtin_names(), reason="resnet152 spec not in the library yet")
def test_resnet152_fits_a_screen(tmp_path):
    g = load_graph("resnet152")
    plan = diagram_plan(g)
    assert len(g.nodes) > 500 and plan.node_count <= 80
    assert any(c.title.endswith("×35") for c in plan.clusters.values())
    w, h = png_size(write_diagram(g, tmp_path, ["png"])[0])
    assert max(w, h) <= 5000


def test_diagram_is_fast(graphs):
    start = time.perf_counter()
    for _ in range(5):
        diagram_source(graphs["resmini"], wrap=False)
        mermaid_text(graphs["resmini"])
    assert (time.perf_counter() - start) / 5 < 0.5


def test_cli_diagram(specs, tmp_path):
    from typer.testing import CliRunner

    from archcompiler.cli import app

    result = CliRunner().invoke(app, ["diagram", str(specs["resmini"]), "-f", "dot,mmd", "--expand",
                                      "--rankdir", "LR", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "resmini.dot" in result.output and "resmini.mmd" in result.output
    src = (tmp_path / "resmini.dot").read_text(encoding="utf-8")
    assert "rankdir=LR" in src and "×" not in re.sub(r"\d×\d", "", src)


def test_no_tensorflow_imported(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from archcompiler.resolve import load_graph
        from archcompiler.emit.diagram import write_diagram
        write_diagram(load_graph("vgg16"), r"{tmp_path}", ["dot", "svg", "mmd"], notify=lambda s: None)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "jax", "torch"))
        print("HEAVY", heavy)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_declared_cells_get_a_figure_of_their_inside(tmp_path):
    from archcompiler.emit.docs import write_docs

    graph = load_graph("mgu")
    files = {p.name for p in write_diagram(graph, tmp_path, ["dot", "mmd"])}
    assert "mgu_cell_mgu.dot" in files
    source = (tmp_path / "mgu_cell_mgu.dot").read_text()
    assert "forget gate" in source and "×" in source  # gates and products are drawn
    write_docs(graph, tmp_path, ("en", "ko"))
    assert "(mgu_cell_mgu.svg)" in (tmp_path / "README.md").read_text()
    assert "(mgu_cell_mgu.ko.svg)" in (tmp_path / "README.ko.md").read_text()  # the Korean figure
    assert not [p for p in write_diagram(load_graph("vgg16"), tmp_path, ["dot"]) if "_cell_" in p.name]


# --- Korean --------------------------------------------------------------------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_korean_diagram_is_labelled_in_korean_in_a_korean_font(graphs):
    """The Korean docs' diagram: the kinds' Korean names, the legend, the counts, ×N, the roles of
    shortcut, state and attention edges in Korean, in NanumGothic (installed by scripts/setup.sh)."""
    res = diagram_source(graphs["resmini"], wrap=False, lang="ko").source
    # Hangul in NanumGothic, after the English fonts that draw its arrows and Greek letters well
    assert res.count('fontname="Helvetica,Arial,sans-serif,NanumGothic"') == 3
    for korean in ("1×1 합성곱 16", "배치 정규화", "→ ReLU", "덧셈(Add)", "⟶ 지름길(잔차 연결)", "병목 잔차 블록 ×3번",
                   "파라미터", "입력 (32, 32, 3)", "출력 (10,)", "■</FONT> 합성곱", "■</FONT> 입력 / 출력"):
        assert korean in res, korean
    s2s = diagram_source(graphs["s2smini"], wrap=False, lang="ko").source
    for korean in ("⇢ 순환층의 상태", "⟶ 어텐션의 키 / 값", "label=<쿼리>", "label=<출력 (None, 64), 키, 값>"):
        assert korean in s2s, korean
    vgg = diagram_source(graphs["vgg16"], wrap=False, lang="ko").source
    assert "3×3 합성곱 64, ReLU  ×2번" in vgg and "완전연결 4096, ReLU" in vgg and "VGG" in vgg
    for source in (res, s2s, vgg):  # no English word of the diagram's own is left in the drawn text
        text = " ".join(re.findall(r">([^<>]+)<", source))
        assert not re.search(r"\b(params|input|output|filters|stride|same|valid|relu|conv|dense|query|residual"
                             r"|shortcut|after|each)\b", re.sub(r"\b\w+_\w+\b", "", text)), text


def test_english_diagram_is_unchanged_by_the_korean_one(graphs, tmp_path):
    for name, g in graphs.items():
        english = diagram_source(g, wrap=False).source
        assert english == diagram_source(g, wrap=False, lang="en").source
        assert not HANGUL.search(english), name
        assert "fontname=\"Helvetica,Arial,sans-serif\"" in english
    assert mermaid_text(graphs["vgg16"]) == mermaid_text(graphs["vgg16"], lang="en")
    assert "합성곱" in mermaid_text(graphs["vgg16"], lang="ko")


def test_korean_files_are_written_beside_the_english_ones(tmp_path):
    from archcompiler.emit.docs import write_docs

    graph = load_graph("mgu")
    files = {p.name for p in write_diagram(graph, tmp_path, ["dot", "mmd"], langs=("en", "ko"))}
    assert {"mgu.dot", "mgu.mmd", "mgu.ko.dot", "mgu_cell_mgu.dot", "mgu_cell_mgu.ko.dot"} <= files
    assert "mgu.ko.mmd" not in files  # the Korean flowchart is inline in README.ko.md
    english, korean = ((tmp_path / f).read_text() for f in ("mgu.dot", "mgu.ko.dot"))
    assert english == diagram_source(graph).source and not HANGUL.search(english)
    assert "파라미터" in korean and "NanumGothic" in korean
    cell = (tmp_path / "mgu_cell_mgu.ko.dot").read_text()
    assert "mgu 셀" in cell and "망각" in cell and "파라미터" in cell and "출력 = " in cell and "NanumGothic" in cell
    assert not HANGUL.search((tmp_path / "mgu_cell_mgu.dot").read_text())
    write_docs(graph, tmp_path, ("en", "ko"))
    english, korean = ((tmp_path / f).read_text() for f in ("README.md", "README.ko.md"))
    assert "(mgu.svg)" in english and "(mgu.ko.svg)" in korean and "(mgu.svg)" not in korean
    flowchart = korean.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "파라미터" in flowchart and "params" not in flowchart


@needs_dot
def test_korean_diagram_renders_with_the_korean_font(graphs, tmp_path):
    files = write_diagram(graphs["resmini"], tmp_path, ["svg", "png"], langs=("en", "ko"))
    assert {p.name for p in files} == {"resmini.svg", "resmini.png", "resmini.ko.svg", "resmini.ko.png"}
    svg = (tmp_path / "resmini.ko.svg").read_text()
    assert 'font-family="Helvetica,Arial,sans-serif,NanumGothic"' in svg and "합성곱" in svg
