"""Shape propagation: each node's output shapes, parameters and multiply-accumulates from its inputs'
shapes, by its kind's own rule (``Layer.settle`` then ``Layer.infer``) — like torch.fx's ShapeProp,
in pure Python. The resolver runs it node by node as it builds the graph (expressions may read a
tensor's shape); ``infer_graph`` runs it over a finished graph."""

from __future__ import annotations

from .errors import SpecError
from .graph import Graph, Node
from .layers import ShapeError
from .layers.base import is_builtin


def infer_node(node: Node, nodes: dict[str, Node], failed: set[str]) -> SpecError | None:
    """Fill in ``node``'s figures from its (already inferred) inputs. A node whose input failed is
    skipped and marked failed too, so one mistake is reported once; an impossible shape is returned
    as an error located at the field it comes from."""
    if any(r.node in failed for r in node.inputs):
        failed.add(node.name)
        return None
    shapes = [nodes[r.node].shapes[r.index] for r in node.inputs]
    try:
        node.layer = node.layer.settle(shapes)
        result = node.layer.infer(shapes)
    except ShapeError as e:
        failed.add(node.name)
        loc = node.field_locs.get(e.field) if e.field else None
        path = f"{node.path}.{e.field}" if e.field else node.path
        return SpecError(loc or node.loc, f"{node.name} ({node.kind}): {e.message}", path, e.hint,
                         getattr(e, "code", "E-SHAPE"))
    except Exception as e:  # a built-in kind's is our bug; a plugin kind's is the plugin's, named
        if is_builtin(type(node.layer)):
            raise
        from .plugins import fault

        failed.add(node.name)
        return fault(node, "infer", e)
    node.shapes, node.trainable, node.non_trainable, node.macs = (
        result.shapes, result.trainable, result.non_trainable, result.macs)
    return None


def infer_graph(graph: Graph) -> list[SpecError]:
    """The pass over a whole graph, in its (topological) order; the errors of every node."""
    failed: set[str] = set()
    errors = [infer_node(node, graph.nodes, failed) for node in graph.nodes.values()]
    return [e for e in errors if e is not None]
