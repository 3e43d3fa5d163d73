"""Diagrams: a block instance drawn as one node (conv → batch norm → ReLU folded) is no cluster of its
own; the node carries the instance's name (and ×N, and the block's title where its lines do not
spell the block out), while the clusters of larger blocks stay."""

import re

import pytest

from archcompiler.emit.diagram import diagram_plan, diagram_source, mermaid_text
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

CONV_BN = """
name: convbn_mini
inputs:
  image: {shape: [16, 16, 8]}
blocks:
  conv_bn:
    title: {en: conv + BN + ReLU, ko: 합성곱 + 배치 정규화 + ReLU}
    prefix: false
    args: {filters: int, kernel: 1}
    layers:
      - {type: conv2d, filters: "${filters}", kernel: "${kernel}", padding: same, use_bias: false}
      - {type: batchnorm, scale: false}
      - {type: relu}
  module:
    title: {en: mixed module, ko: 혼합 모듈}
    prefix: false
    args: {out: str}
    layers:
      - type: branches
        name: "${out}"
        branches:
          - - {use: conv_bn, name: "${out}_1x1", filters: 8}
          - - {use: conv_bn, name: "${out}_3x3_reduce", filters: 4}
            - {use: conv_bn, name: "${out}_3x3", filters: 8, kernel: 3}
  stem:
    title: {en: the stem, ko: 줄기}
    layers:
      - {type: conv2d, name: conv, filters: 8, kernel: 3, padding: same}
  wrapper:
    title: {en: wrapper, ko: 포장}
    layers:
      - {use: conv_bn, name: wrapped, filters: 8}
layers:
  - {use: stem, name: stem}
  - {use: conv_bn, name: first_conv, filters: 8}
  - {use: conv_bn, name: "rep${i}", filters: 8, repeat: 3}
  - {use: module, name: mixed0_block, out: mixed0}
  - {use: wrapper, name: outer}
  - {type: global_avgpool2d, name: gap}
"""


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    folder = tmp_path_factory.mktemp("specs")

    def from_text(text: str):
        path = folder / f"spec{len(list(folder.iterdir()))}.yaml"
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        return load_graph(path)

    return from_text


@pytest.fixture(scope="module")
def graph(load):
    return load(CONV_BN)


def unit_of(plan, layer):
    return next(u for u in plan.units if any(n.name == layer for n in u.nodes))


def details(unit, lang="en"):
    from archcompiler.emit.diagram.style import _unit_lines

    return _unit_lines(unit, lang)[2]


def test_an_instance_drawn_as_one_node_is_no_cluster(graph):
    plan = diagram_plan(graph)
    # only the module keeps its box: its four conv_bn instances are nodes inside it
    assert [(c.title, c.subtitle) for c in plan.clusters.values()] == [("mixed0_block", "mixed module")]
    module = next(iter(plan.clusters))
    inside = [u for u in plan.units if u.cluster == module]
    assert len(inside) == 4 and all(len(u.nodes) == 3 for u in inside[:3])
    assert plan.clusters[module].params == sum(n.params for u in inside for c in u.copies for n in c)
    assert [c.id for c in plan.clusters.values()] == ["cluster_0"]  # numbered without gaps
    # the cluster's title is on the node: the instance, then the layer's own name
    assert details(unit_of(plan, "conv2d")) == "first_conv (conv2d)  ·  (16, 16, 8)  ·  88 params"
    assert details(unit_of(plan, "conv2d_5")).startswith("mixed0_3x3_reduce (conv2d_5)  ·  ")
    source = diagram_source(graph, wrap=False).source
    assert source.count("subgraph cluster_") == 1
    assert "mixed0_3x3_reduce: conv + BN + ReLU\n" in source  # and in the tooltip, with the block's title


def test_a_run_of_one_node_instances_is_one_node_times_n(graph):
    plan = diagram_plan(graph)
    run = unit_of(plan, "conv2d_1")
    assert run.repeat == 3 and run.instances == [("rep1 … rep3", "conv + BN + ReLU")]
    assert details(run) == "rep1 … rep3 (conv2d_1 … conv2d_3)  ·  (16, 16, 8)  ·  88 params each"
    assert not any(u.head.name in ("conv2d_2", "conv2d_3") for u in plan.units)  # drawn by the first
    node = re.search(rf"^\s+{run.id} \[.*", diagram_source(graph, wrap=False).source, flags=re.M).group(0)
    assert "peripheries=2" in node


def test_the_block_title_is_on_a_node_of_one_layer_and_names_are_not_repeated(graph):
    plan = diagram_plan(graph)
    # a single layer does not spell its block out: the title is said
    assert details(unit_of(plan, "stem_conv")).startswith("stem: the stem (stem_conv)")
    # an instance that holds nothing but another one: both names, outermost first
    wrapped = unit_of(plan, "outer_conv2d")
    assert wrapped.cluster is None and details(wrapped).startswith("outer › outer_wrapped (outer_conv2d)  ·  ")


def test_korean_nodes_carry_the_korean_title(graph):
    plan = diagram_plan(graph, lang="ko")
    assert details(unit_of(plan, "stem_conv"), "ko").startswith("stem: 줄기 (stem_conv)")
    assert "first_conv: 합성곱 + 배치 정규화 + ReLU" in diagram_source(graph, wrap=False, lang="ko").source


def test_prefixed_names_already_say_the_instance(load):
    graph = load(CONV_BN.replace("    prefix: false\n    args: {filters", "    args: {filters"))
    plan = diagram_plan(graph)
    assert details(unit_of(plan, "first_conv_conv2d")).startswith("first_conv_conv2d  ·  ")
    assert details(unit_of(plan, "rep1_conv2d")).startswith("rep1_conv2d … rep3_conv2d  ·  ")


def test_expanded_instances_keep_their_clusters(graph):
    plan = diagram_plan(graph, expand=True)
    titles = [c.title for c in plan.clusters.values()]
    assert "first_conv" in titles and "rep3" in titles and "mixed0_3x3" in titles
    # but a block of one layer is one node expanded too
    assert [u.head.name for u in plan.units if u.instances] == ["stem_conv"] and "stem" not in titles


def test_mermaid_stays_valid(graph):
    text = mermaid_text(graph)
    lines = text.splitlines()
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 1
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
    assert "first_conv (conv2d)" in text and "rep1 … rep3 (conv2d_1 … conv2d_3)" in text
    declared = set(re.findall(r"^\s+(\w+)[\[(]", text, flags=re.M))
    for src, dst in re.findall(r"^\s+(\w+) (?:-->|==>|-\.->|~~~)(?:\|[^|]*\|)? (\w+)", text, flags=re.M):
        assert src in declared and dst in declared, (src, dst)


@pytest.mark.parametrize("name", builtin_names())
def test_no_builtin_cluster_holds_a_single_node(name):
    plan = diagram_plan(load_graph(name))
    held = {}
    for unit in plan.units:
        held[unit.cluster] = held.get(unit.cluster, 0) + 1
    parents = {c.parent for c in plan.clusters.values()}
    assert not [c.title for k, c in plan.clusters.items() if held.get(k) == 1 and k not in parents]
