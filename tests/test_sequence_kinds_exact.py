"""The token and position kinds pinned by hand, without Keras: embedding (vocab·dim weights), a tied table
shared by tied_dense (x·Eᵀ: positions·dim·vocab MACs, no weights) and tied_embedding, learned position
embeddings (length·d weights, one add per value), sinusoidal positional encoding (no weights), a class token
(d weights, one more position), take and slice. Shapes, figures, every refusal, labels, briefs, the Keras call
(through a recording stand-in) and the figures the docs explain them with (``doc_facts``) on a small graph."""

import math

from kind_stand_in import FakeKeras, layer, refusal

import archcompiler
from archcompiler.analysis import Analysis
from archcompiler.layers.embedding import Table


def figures(kind, shapes, **fields):
    r = layer(kind, **fields).infer(shapes)
    return r.shapes, r.trainable, r.non_trainable, r.macs


def keras_call(kind, **fields):
    return layer(kind, **fields).keras(FakeKeras(), "L")


# --- embedding and the tied kinds -----------------------------------------------------------------------------

def test_embedding_figures():
    shapes, trainable, non_trainable, macs = figures("embedding", [(6,)], vocab=50, dim=8)
    assert (shapes, trainable, non_trainable, macs) == ([(6, 8)], 400, 0, 0)
    assert not isinstance(shapes[0], Table)
    shapes, trainable, _, _ = figures("embedding", [(None,)], vocab=50, dim=8, tied=True)
    assert shapes == [(None, 8), (50, 8)] and trainable == 400
    assert isinstance(shapes[1], Table) and not isinstance(shapes[0], Table)


def test_embedding_names_labels_and_call():
    assert layer("embedding", vocab=5, dim=3).output_names() == ["output"]
    assert layer("embedding", vocab=5, dim=3, tied=True).output_names() == ["output", "table"]
    assert layer("embedding", vocab=5, dim=3).default_name() == "embedding"
    assert layer("embedding", vocab=5, dim=3).label() == "embedding 5→3"
    assert layer("embedding", vocab=5, dim=3, tied=True).label() == "embedding 5→3, tied"
    assert layer("embedding", vocab=5, dim=3).brief("en") == "embedding 5→3"
    assert layer("embedding", vocab=5, dim=3, tied=True).brief("en") == "embedding 5→3, tied"
    assert layer("embedding", vocab=5, dim=3).brief("ko") == "임베딩 5→3"
    assert layer("embedding", vocab=5, dim=3, tied=True).brief("ko") == "임베딩 5→3, 표 공유"
    assert keras_call("embedding", vocab=5, dim=3) == ("Embedding", (5, 3), {"mask_zero": False, "name": "L"})
    assert keras_call("embedding", vocab=5, dim=3, mask_zero=True) == (
        "Embedding", (5, 3), {"mask_zero": True, "name": "L"})
    assert keras_call("embedding", vocab=5, dim=3, tied=True, mask_zero=True) == (
        "TiedEmbedding", (5, 3), {"mask_zero": True, "name": "L"})


def test_tied_dense_figures_and_refusals():
    # x · Eᵀ: every position (6) does dim (8) × vocab (50) products, no weights of its own
    assert figures("tied_dense", [(6, 8), Table((50, 8))]) == ([(6, 50)], 0, 0, 2400)
    assert figures("tied_dense", [(8,), Table((50, 8))]) == ([(50,)], 0, 0, 400)
    assert figures("tied_dense", [(2, 3, 8), Table((50, 8))]) == ([(2, 3, 50)], 0, 0, 2400)
    # an unknown length is counted per position
    assert figures("tied_dense", [(None, 8), Table((50, 8))]) == ([(None, 50)], 0, 0, 400)
    hint = "write inputs: [x, emb.table] with {type: embedding, name: emb, tied: true} above"
    assert refusal("tied_dense", [(6, 8), (50, 8)]) == (
        "tied_dense reads an embedding's table as its second input, got a tensor of shape (50, 8)", "inputs", hint,
        "E-SHAPE")
    assert refusal("tied_dense", [(6, 8)]) == (
        "tied_dense reads an embedding's table as its second input, got 1 input(s)", "inputs", hint, "E-SHAPE")
    assert refusal("tied_dense", [(6, 8), Table((50, 8)), (1,)]) == (
        "tied_dense reads an embedding's table as its second input, got 3 input(s)", "inputs", hint, "E-SHAPE")
    assert refusal("tied_dense", [(6, 7), Table((50, 8))]) == (
        "the input's last axis must be the table's width 8, got (6, 7)", "inputs", "", "E-SHAPE")
    assert refusal("tied_dense", [(), Table((50, 8))]) == (
        "the input's last axis must be the table's width 8, got ()", "inputs", "", "E-SHAPE")


def test_tied_dense_labels_and_call():
    assert layer("tied_dense").label() == "tied dense (embedding transposed)"
    assert layer("tied_dense", activation="softmax").label() == "tied dense (embedding transposed), softmax"
    assert layer("tied_dense", activation="linear").label() == "tied dense (embedding transposed)"
    assert layer("tied_dense").brief("en") == "tied output projection"
    assert layer("tied_dense").brief("ko") == "묶인(tied) 출력 투영"
    assert layer("tied_dense").default_name() == "tied_dense"
    assert layer("tied_dense").output_names() == ["output"]
    assert keras_call("tied_dense") == ("TiedDense", (), {"activation": None, "name": "L"})
    assert keras_call("tied_dense", activation="softmax") == ("TiedDense", (), {"activation": "softmax", "name": "L"})


def test_tied_embedding():
    assert figures("tied_embedding", [(4,), Table((50, 8))]) == ([(4, 8)], 0, 0, 0)
    assert figures("tied_embedding", [(None,), Table((50, 3))]) == ([(None, 3)], 0, 0, 0)
    assert refusal("tied_embedding", [(4,), (50, 8)])[:2] == (
        "tied_embedding reads an embedding's table as its second input, got a tensor of shape (50, 8)", "inputs")
    assert layer("tied_embedding").label() == "embedding (shared table)"
    assert layer("tied_embedding").brief("en") == "shared embedding"
    assert layer("tied_embedding").brief("ko") == "공유 임베딩"
    assert layer("tied_embedding").default_name() == "tied_embedding"
    assert keras_call("tied_embedding") == ("TiedLookup", (), {"name": "L"})


# --- positions ------------------------------------------------------------------------------------------------

def test_position_embedding():
    # a learned (length × d) table: 10·8 = 80 weights; one add per value: 6·8 = 48
    assert figures("position_embedding", [(6, 8)], length=10) == ([(6, 8)], 80, 0, 48)
    assert figures("position_embedding", [(10, 8)], length=10) == ([(10, 8)], 80, 0, 80)
    assert figures("position_embedding", [(None, 8)], length=10) == ([(None, 8)], 80, 0, 8)
    assert refusal("position_embedding", [(11, 8)], length=10) == (
        "the input has 11 positions but the table only 10", "length", "set length to at least 11", "E-SHAPE")
    assert refusal("position_embedding", [(6, None)], length=10) == (
        "position embeddings need a known width (the input's last axis)", "", "", "E-SHAPE")
    assert refusal("position_embedding", [(6,)], length=10) == (
        "position_embedding expects an input of rank 2 (without batch), got shape (6)", "", "", "E-SHAPE")
    lay = layer("position_embedding", length=10)
    assert lay.label() == "+ learned positions (10)"
    assert lay.brief("en") == "learned positions (10)"
    assert lay.brief("ko") == "학습되는 위치 임베딩, 위치 10개"
    assert lay.default_name() == "position_embedding"
    assert keras_call("position_embedding", length=7) == ("PositionEmbedding", (7,), {"name": "L"})


def test_positional_encoding():
    assert figures("positional_encoding", [(6, 8)]) == ([(6, 8)], 0, 0, 0)
    assert figures("positional_encoding", [(None, 2)], scale=False) == ([(None, 2)], 0, 0, 0)
    assert refusal("positional_encoding", [(6, 7)]) == (
        "sinusoidal encoding needs an even, known model width, got (6, 7)", "", "", "E-SHAPE")
    assert refusal("positional_encoding", [(6, None)]) == (
        "sinusoidal encoding needs an even, known model width, got (6, None)", "", "", "E-SHAPE")
    assert refusal("positional_encoding", [(6, 2, 2)])[0] == (
        "positional_encoding expects an input of rank 2 (without batch), got shape (6, 2, 2)")
    assert layer("positional_encoding").label() == "sinusoidal positions"
    assert layer("positional_encoding", scale=False).label() == "sinusoidal positions"
    assert layer("positional_encoding").brief("en") == "sinusoidal positions (input ×√d)"
    assert layer("positional_encoding", scale=False).brief("en") == "sinusoidal positions"
    assert layer("positional_encoding").brief("ko") == "사인파 위치 인코딩(입력 ×√d)"
    assert layer("positional_encoding", scale=False).brief("ko") == "사인파 위치 인코딩"
    assert layer("positional_encoding").default_name() == "positional_encoding"
    assert keras_call("positional_encoding") == ("SinusoidalPositionalEncoding", (), {"scale": True, "name": "L"})
    assert keras_call("positional_encoding", scale=False) == (
        "SinusoidalPositionalEncoding", (), {"scale": False, "name": "L"})


def test_class_token():
    assert figures("class_token", [(196, 768)]) == ([(197, 768)], 768, 0, 0)
    assert figures("class_token", [(None, 4)]) == ([(None, 4)], 4, 0, 0)
    assert refusal("class_token", [(6, None)]) == (
        "a class token needs a known width (the input's last axis)", "", "", "E-SHAPE")
    assert refusal("class_token", [(6,)])[0] == (
        "class_token expects an input of rank 2 (without batch), got shape (6)")
    lay = layer("class_token")
    assert (lay.label(), lay.brief("en"), lay.brief("ko")) == (
        "prepend class token", "prepend class token", "맨 앞에 클래스 토큰 추가")
    assert lay.default_name() == "class_token"
    assert keras_call("class_token") == ("ClassToken", (), {"name": "L"})


# --- take and slice -------------------------------------------------------------------------------------------

def test_take():
    assert figures("take", [(7, 8)]) == ([(8,)], 0, 0, 0)
    assert figures("take", [(7, 8)], index=-7) == ([(8,)], 0, 0, 0)
    assert figures("take", [(7, 8)], index=6) == ([(8,)], 0, 0, 0)
    assert figures("take", [(7, 8, 3)], index=2, axis=2) == ([(7, 3)], 0, 0, 0)
    assert figures("take", [(7, 8, 3)], index=1, axis=-1) == ([(7, 8)], 0, 0, 0)
    assert figures("take", [(7, 8, 3)], index=1, axis=-3) == ([(8, 3)], 0, 0, 0)
    assert figures("take", [(7, 8, 3)], index=1, axis=3) == ([(7, 8)], 0, 0, 0)
    assert figures("take", [(None, 8)], index=5) == ([(8,)], 0, 0, 0)
    assert figures("take", [(None, 8)], index=0) == ([(8,)], 0, 0, 0)
    assert refusal("take", [(7, 8)], index=7) == (
        "index 7 is outside the 7 positions of axis 1", "index", "", "E-SHAPE")
    assert refusal("take", [(7, 8)], index=-8) == (
        "index -8 is outside the 7 positions of axis 1", "index", "", "E-SHAPE")
    assert refusal("take", [(None, 8)], index=-1) == (
        "a negative index needs a known length along the axis", "index", "", "E-SHAPE")
    assert refusal("take", [(7, 8)], axis=0) == (
        "axis 0 is the batch axis: the input has 2 axes after the batch axis", "axis",
        "use 1 … 2 (counting the batch axis as 0, as Keras does) or -1 … -2", "E-VALUE-INVALID")
    assert refusal("take", [(7, 8, 3)], axis=4) == (
        "axis 4 is out of range: the input has 3 axes after the batch axis", "axis",
        "use 1 … 3 (counting the batch axis as 0, as Keras does) or -1 … -3", "E-VALUE-INVALID")
    assert refusal("take", [(7, 8)], axis=-3)[0] == (
        "axis -3 is out of range: the input has 2 axes after the batch axis")
    lay = layer("take", index=2, axis=-1)
    assert (lay.label(), lay.brief("en"), lay.brief("ko")) == ("take [2] of axis -1", "take position 2", "위치 2 꺼내기")
    assert layer("take").label() == "take [0] of axis 1"
    assert lay.default_name() == "take"
    assert keras_call("take", index=2, axis=-1) == ("Take", (2,), {"axis": -1, "name": "L"})
    assert keras_call("take") == ("Take", (0,), {"axis": 1, "name": "L"})


def test_slice():
    assert figures("slice", [(7, 8)], start=1) == ([(6, 8)], 0, 0, 0)
    assert figures("slice", [(7, 8)], start=0, stop=7) == ([(7, 8)], 0, 0, 0)
    assert figures("slice", [(7, 8)], start=6) == ([(1, 8)], 0, 0, 0)
    assert figures("slice", [(7, 8)], start=2, stop=5, axis=-1) == ([(7, 3)], 0, 0, 0)
    assert figures("slice", [(7, 8, 3)], stop=2, axis=2) == ([(7, 2, 3)], 0, 0, 0)
    assert figures("slice", [(None, 8)], start=1) == ([(None, 8)], 0, 0, 0)
    assert figures("slice", [(None, 8)], start=1, stop=4) == ([(3, 8)], 0, 0, 0)
    assert refusal("slice", [(7, 8)], start=3, stop=3) == ("stop 3 is not after start 3", "stop", "", "E-SHAPE")
    assert refusal("slice", [(None, 8)], start=4, stop=2) == ("stop 2 is not after start 4", "stop", "", "E-SHAPE")
    assert refusal("slice", [(7, 8)], start=7) == ("start 7 is past the 7 positions of axis 1", "start", "", "E-SHAPE")
    assert refusal("slice", [(7, 8)], start=9, stop=8)[:2] == ("start 9 is past the 7 positions of axis 1", "start")
    assert refusal("slice", [(7, 8)], start=5, stop=5)[:2] == ("stop 5 is not after start 5", "stop")
    assert refusal("slice", [(7, 8)], stop=8) == ("stop 8 is past the 7 positions of axis 1", "stop", "", "E-SHAPE")
    assert refusal("slice", [(7, 8)], start=2, stop=10, axis=1)[:2] == (
        "stop 10 is past the 7 positions of axis 1", "stop")
    assert refusal("slice", [(7, 8)], start=9, stop=10, axis=1)[:2] == (
        "start 9 is past the 7 positions of axis 1", "start")
    assert refusal("slice", [(7, 8)], axis=0)[:2] == (
        "axis 0 is the batch axis: the input has 2 axes after the batch axis", "axis")
    lay = layer("slice", start=1, stop=4, axis=2)
    assert (lay.label(), lay.brief("en"), lay.brief("ko")) == (
        "slice [1:4] of axis 2", "slice [1:4] of axis 2", "축 2에서 [1:4] 꺼내기")
    lay = layer("slice", start=1)
    assert (lay.label(), lay.brief("en"), lay.brief("ko")) == (
        "slice [1:] of axis 1", "slice [1:] of axis 1", "축 1에서 [1:] 꺼내기")
    assert lay.default_name() == "slice"
    assert keras_call("slice", start=1) == ("SliceAxis", (1, None), {"axis": 1, "name": "L"})
    assert keras_call("slice", start=2, stop=5, axis=-1) == ("SliceAxis", (2, 5), {"axis": -1, "name": "L"})


# --- doc_facts on a small graph -------------------------------------------------------------------------------

SPEC = """
name: seq
inputs:
  ids: {shape: [6], dtype: int32}
  tgt: {shape: [4], dtype: int32}
  free: {shape: [null], dtype: int32}
layers:
  - {type: embedding, name: emb, vocab: 50, dim: 8, tied: true, mask_zero: true, inputs: [ids]}
  - {type: position_embedding, name: pos, length: 10}
  - {type: positional_encoding, name: pe, scale: false}
  - {type: class_token, name: ct}
  - {type: slice, name: sl, start: 1, axis: 1}
  - {type: tied_dense, name: head, inputs: [sl, emb.table], activation: softmax}
  - {type: take, name: cls, index: 0, inputs: [ct]}
  - {type: take, name: second, index: 1, inputs: [ct]}
  - {type: take, name: width, index: 1, axis: 2, inputs: [ct]}
  - {type: tied_embedding, name: temb, inputs: [tgt, emb.table]}
  - {type: tied_dense, name: head2, inputs: [temb, emb.table]}
  - {type: take, name: first, index: 0, inputs: [temb]}
  - {type: slice, name: sl2, start: 2, stop: 6, axis: -1, inputs: [temb]}
  - {type: embedding, name: plain, vocab: 7, dim: 2, inputs: [free]}
  - {type: position_embedding, name: pos2, length: 5}
outputs: [head, cls, second, width, sl2, head2, first, pos2]
"""


def _facts():
    graph = archcompiler.load(SPEC).graph
    analysis = Analysis(graph)
    return {name: node.layer.doc_facts(node, analysis) for name, node in graph.nodes.items() if not node.is_input}


def test_doc_facts_of_embeddings():
    f = _facts()
    assert f["emb"] == {"in": (6,), "out": (6, 8), "vocab": 50, "dim": 8, "steps": 6, "params": 400,
                        "params_ok": True, "mask_zero": True, "source": "ids", "tied": True,
                        "sharers": ["head", "temb", "head2"]}
    assert f["plain"] == {"in": (None,), "out": (None, 2), "vocab": 7, "dim": 2, "steps": None, "params": 14,
                          "params_ok": True, "mask_zero": False, "source": "free", "tied": False, "sharers": []}
    assert f["head"] == {"in": (6, 8), "out": (6, 50), "vocab": 50, "dim": 8, "owner": "emb", "saved": 400,
                         "bias_saved": 50, "params": 0, "activation": "softmax", "owner_params": 400,
                         "source": "sl"}
    assert f["head2"] == {"in": (4, 8), "out": (4, 50), "vocab": 50, "dim": 8, "owner": "emb", "saved": 400,
                          "bias_saved": 50, "params": 0, "activation": "linear", "owner_params": 400,
                          "source": "temb"}
    assert f["temb"] == {"in": (4,), "out": (4, 8), "vocab": 50, "dim": 8, "owner": "emb", "saved": 400,
                         "source": "tgt", "params": 0}


def test_doc_facts_of_positions():
    f = _facts()
    assert f["pos"] == {"in": (6, 8), "out": (6, 8), "steps": 6, "d": 8, "length": 10, "params": 80,
                        "params_ok": True, "unused_rows": 4}
    assert f["pos2"] == {"in": (None, 2), "out": (None, 2), "steps": None, "d": 2, "length": 5, "params": 10,
                         "params_ok": True, "unused_rows": None}
    assert f["pe"] == {"in": (6, 8), "out": (6, 8), "steps": 6, "d": 8, "scale": False, "sqrt_d": math.sqrt(8),
                       "half": 4, "params": 0}
    assert type(f["pe"]["half"]) is int
    assert f["ct"] == {"in": (6, 8), "out": (7, 8), "steps": 6, "d": 8, "params": 8, "params_ok": True,
                       "readers": ["cls"]}


def test_doc_facts_of_take_and_slice():
    f = _facts()
    assert f["cls"] == {"in": (7, 8), "out": (8,), "index": 0, "axis": 1, "length": 7, "source": "ct",
                        "sequence": True, "class_token": "ct"}
    assert f["second"] == {"in": (7, 8), "out": (8,), "index": 1, "axis": 1, "length": 7, "source": "ct",
                           "sequence": True, "class_token": None}
    assert f["width"] == {"in": (7, 8), "out": (7,), "index": 1, "axis": 2, "length": 8, "source": "ct",
                          "sequence": False, "class_token": None}
    assert f["first"] == {"in": (4, 8), "out": (8,), "index": 0, "axis": 1, "length": 4, "source": "temb",
                          "sequence": True, "class_token": None}
    assert f["sl"] == {"in": (7, 8), "out": (6, 8), "start": 1, "stop": None, "axis": 1, "length": 7, "kept": 6}
    assert f["sl2"] == {"in": (4, 8), "out": (4, 4), "start": 2, "stop": 6, "axis": -1, "length": 8, "kept": 4}
