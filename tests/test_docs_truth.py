"""Statements the docs once got wrong (issue 12, section 3), each checked in the generated documents
of both languages so that it cannot come back: every test is named after the fact it guards."""

import re
from pathlib import Path

import pytest

from archcompiler.emit.docs import render_doc, write_index
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

SPECS = ("lenet5", "alexnet", "zfnet", "vgg16", "googlenet", "resnet18", "resnet50", "resnet101", "resnet152",
         "rnn", "lstm", "lstm_gates", "gru", "gru_gates", "seq2seq", "attention", "transformer")


@pytest.fixture(scope="module")
def docs():
    """(spec, lang) → the rendered document."""
    out = {}
    for name in SPECS:
        g = load_graph(name)
        for lang in ("en", "ko"):
            out[name, lang] = render_doc(g, lang)
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    write_index([load_graph(n) for n in builtin_names()], folder)
    return {lang: (folder / name).read_text(encoding="utf-8") for lang, name in (("en", "README.md"), ("ko", "README.ko.md"))}


def everything(docs, index, lang):
    return [text for (name, l), text in docs.items() if l == lang] + [index[lang]]


def section(text: str, anchor: str, next_anchor: str) -> str:
    start = text.index(f'<a id="{anchor}"></a>')
    return text[start:text.index(f'<a id="{next_anchor}"></a>', start)]


def test_lenet5_is_not_called_the_first_convolutional_network(docs, index):
    for lang, wrong in (("en", r"first convolutional network"), ("ko", r"최초의 합성곱|첫 합성곱 신경망")):
        for text in everything(docs, index, lang):
            assert not re.search(wrong, text, re.I)
    assert "Neocognitron" in docs["lenet5", "en"] and "1989" in docs["lenet5", "en"]
    assert "네오코그니트론" in docs["lenet5", "ko"]


def test_resnet_is_the_first_ilsvrc_winner_below_human_error_not_the_first_result(docs, index):
    for text in everything(docs, index, "en"):
        assert "first result below" not in text and "better than human" not in text
    assert "first ILSVRC winner below" in docs["resnet50", "en"]
    assert "첫 ILSVRC 우승" in docs["resnet50", "ko"] and "사람의 성능을 넘어섰" not in index["ko"]


def test_lstm_forget_gate_is_dated_2000_in_the_index(index):
    lstm = next(line for line in index["en"].splitlines() if "1997 — LSTM" in line)
    assert "2000" in lstm and "forget" in lstm
    assert any("2000" in line and "망각게이트" in line for line in index["ko"].splitlines() if "1997 — LSTM" in line)


def test_lstm_has_three_gates_and_a_candidate_not_four_gates(docs):
    for name in ("lstm", "lstm_gates"):
        assert not re.search(r"four gates", docs[name, "en"], re.I)
        assert not re.search(r"게이트 4개|네 개의 게이트|게이트 네 개", docs[name, "ko"])
    assert "Three gates and a candidate" in docs["lstm_gates", "en"]


@pytest.mark.parametrize("name", ["lstm", "lstm_gates"])
def test_cell_state_is_said_to_be_multiplied_by_the_forget_gate(docs, name):
    ko = docs[name, "ko"]
    assert "곱셈을 반복하는 대신 덧셈" not in ko and "행렬 곱을 반복하지 않고 덧셈" not in ko
    assert "원소별로 곱해지기는" in ko
    assert "not by repeated multiplication" not in docs[name, "en"]


@pytest.mark.parametrize("name", ["resnet50", "resnet101", "resnet152"])
def test_resnet_stage_conv2_is_not_said_to_halve_the_map_with_stride_2(docs, name):
    g = load_graph(name)
    assert g.nodes["conv2_block1_1_conv"].layer.stride == (1, 1)  # the fact the text must respect
    for lang in ("en", "ko"):
        stage = section(docs[name, lang], "conv2_block1", "conv2_block1_1_conv")
        for sentence in re.split(r"(?<=[.다])\s", stage):
            if re.search("stride 2|스트라이드 2", sentence):
                assert re.search("conv3|stride 1|스트라이드가 1", sentence), sentence


def test_gru_update_gate_has_one_meaning_and_the_keras_mapping(docs):
    for name in ("gru", "gru_gates"):
        for lang in ("en", "ko"):
            text = docs[name, lang]
            assert "Z_t" not in text and "Z_{t" not in text, (name, lang)
            assert re.search(r"z = 1 [−-] U_t|1 - U_t", text), (name, lang)


def test_googlenet_bottleneck_is_only_the_reductions_in_its_key_idea(docs):
    idea = next(line for line in docs["googlenet", "en"].splitlines() if "reduce the channels first" in line)
    assert "after the pooling) reduce" not in idea and "are not reductions" in idea


def test_attention_says_whose_score_and_whose_wiring(docs):
    for lang in ("en", "ko"):
        text = docs["attention", lang]
        assert "2015" in text and "2014" in text
    assert "the wiring is Luong's" in docs["attention", "en"]


@pytest.mark.parametrize("name, en, ko", [
    ("vgg16", "leaves the dropout out", "드롭아웃을 뺐습니다"),
    ("alexnet", "not the 224×224 the paper states", "224×224가 아니라 227×227"),
    ("lenet5", "trainable coefficient", "학습되는 계수"),
    ("transformer", "the paper reports 65 M", "6,500만"),
    ("resnet50", "Every convolution here has a bias", "모든 합성곱에 편향"),
    ("resnet18", "Convolutions have no bias", "편향"),
])
def test_deviations_from_the_paper_are_stated_where_the_reader_meets_them(docs, name, en, ko):
    assert en in docs[name, "en"] and ko in docs[name, "ko"]


def test_transformer_count_in_its_doc_is_the_graph_count(docs):
    g = load_graph("transformer")
    assert f"{g.total_params:,}" in docs["transformer", "en"]
    assert "101,007,496" in docs["transformer", "en"]


@pytest.mark.parametrize("name", ["resnet50", "resnet18", "googlenet", "zfnet"])
def test_dense_comparison_counts_the_input_values_not_the_padding_zeros(docs, name):
    g = load_graph(name)
    pixels = g.nodes[g.inputs[0]].shape
    real = f"{pixels[0] * pixels[1] * pixels[2]:,}"
    for lang, words in (("en", r"from the ([\d,]+) input values"), ("ko", r"같은 입력값 ([\d,]+)개")):
        found = re.findall(words, docs[name, lang])
        assert found and found[0] == real, (lang, found[:1], real)


def test_googlenet_calls_only_the_reductions_bottlenecks(docs):
    for lang, word in (("en", "bottleneck"), ("ko", "병목")):
        text = docs["googlenet", lang]
        assert word in section(text, "inception_3a_3x3_reduce", "inception_3a_3x3")
        assert word in section(text, "inception_3a_5x5_reduce", "inception_3a_5x5")
        assert word not in section(text, "inception_3a_1x1", "inception_3a_3x3_reduce")
        assert word not in section(text, "inception_3a_pool_proj", "inception_3a_output")


def test_gru_gates_output_matrix_is_as_wide_as_the_bidirectional_state(docs):
    g = load_graph("gru_gates")
    width = g.nodes["classifier"].params - g.nodes["classifier"].layer.units  # 129 − 1: V's columns
    assert width == 2 * g.nodes["gru"].layer.units
    for lang in ("en", "ko"):
        text = docs["gru_gates", lang]
        assert f"o×2k = 1×{width}" in text and "o×k = 1×" not in text


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "seq2seq", "gru_gates"])
def test_output_layer_formula_has_the_dense_bias(docs, name):
    g = load_graph(name)
    dense = next(n for n in g.layers() if n.kind == "dense")
    assert dense.layer.use_bias
    for lang in ("en", "ko"):
        text = docs[name, lang]
        assert re.search(r"\(V H_[tT] \+ c\)", text), (name, lang)
        assert not re.search(r"V H_[tT]\)|\\left\(V H_[tT]\\right\)", text), (name, lang)


@pytest.mark.parametrize("name", ["seq2seq", "attention", "transformer"])
def test_source_and_target_lengths_are_named_apart(docs, name):
    g = load_graph(name)
    source, target = g.inputs  # both variable
    for lang in ("en", "ko"):
        text = docs[name, lang]
        assert f"| Input `{source}` | T_x" in text or f"| 입력 `{source}` | T_x" in text, lang
        assert re.search(rf"\| `{target}` \| [^|]+ \| T_y\b", text), lang
        assert not re.search(r"(?<![\w_])T×", text), lang  # no bare T where two lengths exist


def test_attention_score_matrix_is_target_by_source(docs):
    for lang in ("en", "ko"):
        assert "T_y×T_x" in docs["attention", lang]
        assert "T×T" not in docs["attention", lang]


def test_seq2seq_encoder_is_not_said_to_classify_a_sequence(docs):
    for lang, wrong, right in (("en", "classifying a whole sequence", "nothing reads it"),
                               ("ko", "시퀀스 전체를 분류할 때", "이 출력을 읽는 층은 없습니다")):
        encoder = section(docs["seq2seq", lang], "encoder", "decoder")
        assert wrong not in encoder and right in encoder and "`decoder`" in encoder


def test_dropout_history_is_hinton_and_not_in_the_transformer(docs):
    for lang in ("en", "ko"):
        assert "AlexNet" not in "\n".join(line for line in docs["transformer", lang].splitlines()
                                         if "ropout" in line or "드롭아웃" in line)
        assert "introduced it" not in docs["alexnet", lang] and "처음 도입" not in docs["alexnet", lang]
        assert "Hinton" in section(docs["alexnet", lang], "drop6", "fc7")
    assert "Hinton et al. proposed it in 2012" in docs["alexnet", "en"]
    assert "Hinton 등이 제안" in docs["alexnet", "ko"]


# --- issue 12 §2: every "why" with its own numbers, from the graph ---------------------------------

@pytest.mark.parametrize("name, first, c, runs", [("vgg16", "block5_conv1", 512, 3), ("resnet18", "conv2_block1_1_conv", 64, 2)])
def test_stacked_3x3_compared_with_one_large_window_at_the_stage_width(docs, name, first, c, runs):
    g = load_graph(name)
    conv = g.nodes[first].layer
    assert tuple(conv.kernel) == (3, 3) and conv.filters == c  # the width the comparison uses
    en, ko = section(docs[name, "en"], first, _next_anchor(docs[name, "en"], first)), docs[name, "ko"]
    assert f"= 18 C^2`$ = {18 * c * c:,}" in en and f"= 25 C^2`$ = {25 * c * c:,}" in en
    assert (f"= 27 C^2`$ = {27 * c * c:,}" in en and f"= 49 C^2`$ = {49 * c * c:,}" in en) == (runs >= 3)
    assert f"{18 * c * c:,}" in ko and "작은 창을 쌓는 이유" in ko
    assert ("3 instead of one" in en) == (name == "vgg16")  # ResNet's second ReLU comes after the add


def _next_anchor(text, anchor):
    start = text.index(f'<a id="{anchor}"></a>') + 1
    return re.search(r'<a id="([^"]+)"></a>', text[start:]).group(1)


def test_googlenet_reduction_saving_is_computed_from_inception_3a(docs):
    g = load_graph("googlenet")
    red, conv = g.nodes["inception_3a_5x5_reduce"], g.nodes["inception_3a_5x5"]
    c_in = g.input_shapes(red)[0][-1]
    direct = 5 * 5 * c_in * conv.layer.filters
    positions = conv.shape[0] * conv.shape[1]
    for lang in ("en", "ko"):
        text = section(docs["googlenet", lang], "inception_3a_5x5_reduce", "inception_3a_5x5")
        assert f"{direct:,}" in text and f"{positions * direct:,}" in text
        assert f"{red.macs + conv.macs:,}" in text and f"{red.macs:,}" in text
    assert "What this reduction saves" not in section(docs["googlenet", "en"], "inception_3a_3x3_reduce", "inception_3a_3x3")


def test_resnet_bottleneck_against_two_3x3_at_the_block_width(docs):
    g = load_graph("resnet50")
    body = [g.nodes[f"conv2_block2_{i}_conv"] for i in (1, 2, 3)]
    weights = sum(n.params - n.layer.filters for n in body)  # without the biases
    width = g.nodes["conv2_block2_add"].shape[-1]
    for lang in ("en", "ko"):
        text = docs["resnet50", lang]
        assert f"= {weights:,}".replace(",", "{,}") in text
        assert f"{2 * 9 * width * width:,}".replace(",", "{,}") in text
    assert "Why a bottleneck body" not in docs["resnet18", "en"]


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "transformer"])
def test_residual_gradient_is_explained_where_the_add_is(docs, name):
    for lang in ("en", "ko"):
        assert r"\frac{\partial y}{\partial x} = \frac{\partial F}{\partial x} +" in docs[name, lang]
    assert r"\frac{\partial y}" not in docs["vgg16", "en"]


@pytest.mark.parametrize("name, kind", [("lstm", "lstm"), ("gru", "gru"), ("seq2seq", "lstm")])
def test_one_unit_step_with_gate_values_from_the_concepts_module(docs, name, kind):
    from archcompiler.concepts import gru_step, lstm_step
    from archcompiler.emit.formatting import num
    step = lstm_step() if kind == "lstm" else gru_step()
    for lang in ("en", "ko"):
        text = docs[name, lang]
        assert f"= {num(step['h_new'])}$$" in text
        if kind == "lstm":
            assert f"= {num(step['gate']['F'])}" in text and f"= {num(step['c_new'])}$$" in text
        else:
            assert f"U_t = \\sigma({num(step['pre_u'])}) = {num(step['u'])}" in text


# --- issue 12 §4: one Korean term per concept ------------------------------------------------------

# concept → (the term the Korean docs use, the variants they must not)
KOREAN_TERMS = {
    "parameter": ("파라미터", r"매개변수"),
    "gradient": ("기울기", r"그래디언트|경사(?!하강)"),
    "activation function": ("활성화 함수", r"활성 함수|활성함수|활성화함수"),
    "multi-head": ("멀티헤드", r"멀티 헤드|다중 ?헤드"),
    "window": ("윈도", r"윈도우"),
    "residual connection": ("잔차 연결", r"(?<!이어 붙이는 )스킵 연결|건너뛰기 연결|잔여 연결"),
    # U-Net's and DenseNet's skip, which concatenates where a residual connection adds
    "concatenating skip connection": ("이어 붙이는 스킵 연결", r"연결 스킵|이어붙이는 스킵|이어 붙이기로 된 스킵|"
                                      r"\(?[Cc]oncat\w*\)? 스킵"),
    "shortcut": ("지름길", r"숏컷|바로 가기"),
    "peephole connection": ("핍홀 연결", r"엿보기"),
    "additive attention": ("가산 어텐션", r"덧셈 어텐션|덧셈식 어텐션"),
    "teacher forcing": ("교사 강요", r"티처 포싱|교사 강제"),
    "truncated BPTT": ("절단 BPTT", r"(?<!\()[Tt]runcated BPTT|잘린 BPTT"),
    "many-to-one and the other types": ("다대일", r"(?i)(many|one)-to-(one|many)"),
}
# Keras' and the spec's English words that layer.label() used to leave in Korean prose (chains, tables,
# the comparison with a parent spec): the Korean docs say 크기 유지 패딩, 패딩 없음, 필터, ReLU. A Keras
# term may gloss the Korean once per document, in parentheses: 패딩 없는(valid)
ENGLISH_IN_KOREAN = re.compile(r"(?<![\w'-])(relu|same|valid|filters?|linear)(?![\w'-])")
KERAS_GLOSS = re.compile(r"\((?:Keras의 )?(same|valid)\)")


def _korean_prose(text: str) -> str:
    """The sentences of a Korean document: code, formulas, tags and link targets removed."""
    for pattern in (r"```.*?```", r"\$\$.*?\$\$", r"\$`.*?`\$", r"`[^`]*`", r"\$[^$\n]*\$", r"<[^>]+>", r"\]\([^)]*\)"):
        text = re.sub(pattern, " ", text, flags=re.S)
    return text


@pytest.fixture(scope="module")
def korean_all(docs, index):
    """The prose of every Korean document `docs --all` writes: each built-in spec's, the guide and the index."""
    from archcompiler.emit.concepts import render_concepts
    graphs = {name: load_graph(name) for name in builtin_names()}
    out = {name: _korean_prose(docs[name, "ko"]) if (name, "ko") in docs else _korean_prose(render_doc(g, "ko"))
           for name, g in graphs.items()}
    out["concepts"] = _korean_prose(render_concepts("ko", ("en", "ko")))
    out["index"] = _korean_prose(index["ko"])
    return out


@pytest.mark.parametrize("concept", sorted(KOREAN_TERMS))
def test_korean_uses_one_term_per_concept(korean_all, concept):
    term, wrong = KOREAN_TERMS[concept]
    found = {name: re.findall(wrong, text) for name, text in korean_all.items() if re.search(wrong, text)}
    assert not found, f"{concept}: use {term}, not {found}"


def test_no_keras_words_left_in_korean_prose(korean_all):
    """Over every Korean document `docs --all` writes: no relu, same, valid, filters."""
    found = {}
    for name, text in korean_all.items():
        glosses = KERAS_GLOSS.findall(text)
        assert all(glosses.count(g) <= 1 for g in glosses), (name, glosses)
        left = sorted({m.group(0) for m in ENGLISH_IN_KOREAN.finditer(KERAS_GLOSS.sub(" ", text))})
        if left:
            found[name] = left
    assert not found, found


def test_same_padding_is_said_in_korean_and_glossed_once(korean_all, docs):
    from archcompiler.emit.docs import render_doc as render
    text = render(load_graph("resnet50"), "ko")
    assert text.count("크기 유지 패딩(Keras의 `same`)") == 1 and text.count("크기 유지 패딩") > 5
    assert "'same'" not in text and "'valid'" not in text
    assert "크기 유지 패딩" in korean_all["vgg16"] and "(크기 유지 패딩(" not in korean_all["vgg16"]
    assert "(Keras의 `same`)" not in docs["resnet50", "en"] and "'same' padding" in docs["resnet50", "en"]


def test_a_loan_is_glossed_at_most_once_per_document(korean_all):
    for name, text in korean_all.items():
        assert len(re.findall(r"\(teacher forcing\)", text)) <= 1, name
        assert "teacher forcing" not in re.sub(r"교사 강요\(teacher forcing\)", "", text), name


def _render_text(text: str, lang: str) -> str:
    from archcompiler.resolve import graph_from_yaml
    from archcompiler.source import load_yaml

    return render_doc(graph_from_yaml(load_yaml(text), Path("<spec>")), lang)


FORK_IN_A_BRANCH = """
name: forks
inputs: {x: {shape: [8, 8, 16]}}
layers:
  - {type: conv2d, name: a, filters: 4, kernel: 1, use_bias: false}
  - {type: conv2d, name: b1, inputs: x, filters: 4, kernel: 1}
  - {type: conv2d, name: b_1x3, inputs: b1, filters: 4, kernel: [1, 3], padding: same}
  - {type: conv2d, name: b_3x1, inputs: b1, filters: 4, kernel: [3, 1], padding: same}
  - {type: concat, name: b, inputs: [b_1x3, b_3x1]}
  - {type: concat, name: out, inputs: [a, b]}
  - {type: batchnorm, name: bn}
"""


@pytest.mark.parametrize("lang, side", [("en", "side by side ["), ("ko", "나란히 [")])
def test_parallel_paths_inside_a_branch_are_not_listed_as_stacked(lang, side):
    """Inception-V3's mixed9: the 1×3 and 3×1 convolutions read the same input; the branch listing once
    chained them (1×3 → 3×1) as if one fed the other."""
    text = _render_text(FORK_IN_A_BRANCH, lang)
    branch = next(line for line in text.splitlines() if line.startswith("- `b`:"))
    assert side in branch and " | " in branch
    assert branch.index("1×1") < branch.index(side) < branch.index("1×3") < branch.index(" | ") < branch.index("3×1")


def test_a_convolution_without_bias_does_not_say_it_adds_one():
    text = section(_render_text(FORK_IN_A_BRANCH, "en"), "a", "b1")  # the first convolution: explained in full
    assert "with a bias" not in text and "there is no bias" in text
