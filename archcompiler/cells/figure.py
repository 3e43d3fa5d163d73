"""A picture of a cell's inside: its gates, products and sums, as a ``graphviz.Digraph``."""

import ast
import math

from ..emit.fonts import FONTS
from .program import GateStep, build_program
from .spec import CellSpec

_DIAGRAM_OP = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×"}
_DIAGRAM_ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "hard_sigmoid": "hard σ", "softsign": "softsign",
                "linear": "linear"}
_DIAGRAM_ACT_KO = {**_DIAGRAM_ACT, "hard_sigmoid": "하드 σ", "softsign": "소프트사인", "linear": "선형"}
# the figure's own words, per language (the Korean in a Korean font: fonts-nanum, installed by scripts/setup.sh)
_WORDS = {
    "en": {"font": FONTS["en"], "cell": "{title} cell", "params": "{n} params", "then": "U, then ×",
           "after": "× after U", "peephole": "peephole", "full": " (full)", "output": "output"},
    "ko": {"font": FONTS["ko"], "cell": "{title} 셀", "params": "파라미터 {n}개", "then": "U, 그다음 ×",
           "after": "U 다음에 ×", "peephole": "핍홀", "full": "(전체)", "output": "출력"},
}


def cell_diagram(cell: CellSpec, m: int | None = None, u: int | None = None, name: str | None = None,
                 lang: str = "en"):
    """A Graphviz picture of one time step inside the cell: the input and previous states on the
    left, gates as boxes (activation and weights), elementwise products and sums as circles, the new
    states on the right, labelled in ``lang``. Returns a ``graphviz.Digraph`` (not rendered)."""
    import graphviz

    words = _WORDS.get(lang, _WORDS["en"])
    acts = _DIAGRAM_ACT_KO if lang == "ko" else _DIAGRAM_ACT
    font = words["font"]
    title = name or cell.name
    g = graphviz.Digraph(f"cell_{title}", graph_attr={"rankdir": "LR", "fontname": font, "fontsize": "11",
                                                       "label": words["cell"].format(title=title), "labelloc": "t",
                                                       "nodesep": "0.3"},
                         node_attr={"fontname": font, "fontsize": "10"},
                         edge_attr={"arrowsize": "0.6", "fontname": font, "fontsize": "8"})
    g.node("x", "<X<sub>t</sub>>", shape="plaintext", fontsize="12")
    current: dict[str, str] = {}
    for s in cell.state:
        g.node(f"prev_{s}", f"<{_html(s)}<sub>t-1</sub>>", shape="plaintext", fontsize="12")
        current[s] = f"prev_{s}"
    counter = [0]

    def fresh(prefix):
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def op_node(label, inputs, shape="circle", edge_labels=()):
        node = fresh("op")
        g.node(node, label, shape=shape, width="0.3", height="0.3", fixedsize="false", style="filled",
               fillcolor="#fff2cc")
        for k, i in enumerate(inputs):
            g.edge(i, node, **({"headlabel": edge_labels[k]} if k < len(edge_labels) and edge_labels[k] else {}))
        return node

    gate_nodes: dict[str, str] = {}

    def expr_node(tree) -> str:
        if isinstance(tree, ast.BinOp):
            operands = [expr_node(tree.left), expr_node(tree.right)]
            # a difference is not symmetric: mark the subtracted operand
            return op_node(_DIAGRAM_OP[type(tree.op)], operands,
                           edge_labels=("", "−") if isinstance(tree.op, ast.Sub) else ())
        if isinstance(tree, ast.UnaryOp):
            inner = expr_node(tree.operand)
            return op_node("−", [inner]) if isinstance(tree.op, ast.USub) else inner
        if isinstance(tree, ast.Call):
            return op_node(acts[tree.func.id], [expr_node(tree.args[0])], shape="ellipse")
        if isinstance(tree, ast.Constant):
            node = fresh("const")
            g.node(node, f"{tree.value:g}", shape="plaintext")
            return node
        if isinstance(tree, ast.Name):
            return gate_nodes[tree.id] if tree.id in cell.gates else current[tree.id]
        raise AssertionError(ast.dump(tree))  # pragma: no cover

    for step in build_program(cell):
        if isinstance(step, GateStep):
            gate = step.gate
            node = f"gate_{step.name}"
            detail = []
            if m is not None and u is not None:
                gp = sum(math.prod(shape) for gname, _, shape in cell.weight_shapes(m, u) if gname == step.name)
                detail.append(words["params"].format(n=f"{gp:,}"))
            label = f"{step.name}: {acts[gate.activation]}"
            if gate.title:
                label += f"\n{getattr(gate.title, lang, gate.title.en)}"
            if detail:
                label += "\n" + ", ".join(detail)
            g.node(node, label, shape="box", style="rounded,filled", fillcolor="#dae8fc")
            g.edge("x", node, label="W")
            if step.recurrent:
                source = current[step.recurrent.state]
                if step.reset and gate.reset_after is not True:
                    source = op_node("×", [gate_nodes[step.reset], source])
                    g.edge(source, node, label="U")
                elif step.reset:
                    g.edge(source, node, label=words["then"])
                    g.edge(gate_nodes[step.reset], node, label=words["after"], style="dashed")
                else:
                    g.edge(source, node, label="U")
            for read, kind in step.peepholes:
                g.edge(current[read.state], node, label=words["peephole"] + (words["full"] if kind == "full" else ""),
                       style="dotted")
            gate_nodes[step.name] = node
        else:
            result = expr_node(step.tree)
            out = f"new_{step.state}"
            g.node(out, f"<{_html(step.state)}<sub>t</sub>>", shape="plaintext", fontsize="12", fontcolor="#1f4e79")
            g.edge(result, out)
            current[step.state] = out
    g.node("output", f"<{words['output']} = {_html(cell.output_state)}<sub>t</sub>>", shape="plaintext")
    g.edge(current[cell.output_state], "output", style="dashed")
    return g


def _html(name: str) -> str:
    return name.upper() if len(name) == 1 else name
