"""Diagrams laid out by Graphviz: a merge's inputs sit beside it (U-Net's crop of a skip beside the
up-convolution it is concatenated with, not up beside the layer it crops)."""

import re
import shutil
import subprocess

import pytest

from archcompiler.emit.diagram import diagram_plan, diagram_source
from archcompiler.resolve import load_graph


def test_edges_into_a_merge_pull_its_inputs_close():
    graph = load_graph("unet")
    ids = {u.head.name: u.id for u in diagram_plan(graph).units}
    source = diagram_source(graph, wrap=False).source
    crop, concat = ids["up1_crop"], ids["up1_concat"]
    assert re.search(rf"^\s+{crop} -> {concat} \[[^]]*weight=4\]$", source, flags=re.M)
    # a shortcut keeps weight 0 and the straight spine its 10: the merge rule does not touch them
    resnet = diagram_source(load_graph("resnet18"), wrap=False).source
    assert "weight=0" in resnet and "weight=10" in resnet


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_unet_crops_sit_beside_their_up_convolutions():
    graph = load_graph("unet")
    ids = {u.head.name: u.id for u in diagram_plan(graph).units}
    plain = subprocess.run(["dot", "-Tplain"], input=diagram_source(graph, wrap=False).source, capture_output=True,
                           text=True, check=True).stdout
    height = {line.split()[1]: float(line.split()[3]) for line in plain.splitlines() if line.startswith("node ")}
    for step in (1, 2, 3, 4):
        crop, upconv = height[ids[f"up{step}_crop"]], height[ids[f"up{step}_upconv"]]
        assert crop == pytest.approx(upconv), step  # one row, then the concat under both
