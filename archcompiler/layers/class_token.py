"""``class_token``: one learned vector put in front of a sequence (ViT's [class] token; BERT's [CLS]
is a token id instead). It attends to every patch in every layer and, read back out at the end
(``take``), stands for the whole image."""

from typing import ClassVar, Literal

from .base import Inferred, Layer, ShapeError, need_rank, runtime


class ClassToken(Layer):
    """Prepends one learned vector of the input's width along the sequence axis: (steps, d) → (steps + 1, d)."""

    type: Literal["class_token"] = "class_token"

    family: ClassVar[str] = "embedding"
    display: ClassVar[dict[str, str]] = {"en": "class token", "ko": "클래스 토큰"}

    def infer(self, inputs):
        (shape,) = inputs
        need_rank(shape, 2, self.type)
        steps, d = shape
        if d is None:
            raise ShapeError("a class token needs a known width (the input's last axis)")
        return Inferred([(None if steps is None else steps + 1, d)], trainable=d)

    def keras(self, keras, name):
        return runtime(keras).ClassToken(name=name)

    def label(self):
        return "prepend class token"

    def brief(self, lang):
        return "맨 앞에 클래스 토큰 추가" if lang == "ko" else self.label()

    def doc_facts(self, node, graph):
        (ins,) = graph.input_shapes(node)
        from .take import Take

        readers = [n.name for n in graph.nodes.values() if isinstance(n.layer, Take)
                   and n.layer.reads_first_step(graph.input_shapes(n)[0]) and node.name in graph.ancestors(n.name)]
        return {"in": ins, "out": node.shape, "steps": ins[0], "d": ins[1], "params": node.params,
                "params_ok": node.params == ins[1], "readers": readers}

