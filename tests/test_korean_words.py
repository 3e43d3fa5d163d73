"""Korean words. The Korean diagram says what the English one says: every layer's Korean line
(``caption('ko')``) carries the sizes of its English label, in Korean words, and ``brief`` gives sizes
in both languages. A skip that concatenates (U-Net) has its own term, apart from the residual one."""

import re

import pytest

from archcompiler.layers import KINDS
from archcompiler.library import builtin_names
from archcompiler.resolve import load_graph

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?")
# the Keras option names an English label shows, which a Korean line says in Korean (a gloss, 묶인(tied), is fine)
KERAS_WORDS = re.compile(r"return_sequences|return_state|filters|stride\b|causal|bidirectional|(?<!\()tied\b|crop\b")


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


@pytest.fixture(scope="module")
def layers():
    """Every distinct (kind, label) of the built-in specs, with one layer showing it."""
    found = {}
    for name in builtin_names():
        for node in load_graph(name).nodes.values():
            if node.layer.type != "input":  # the diagram draws inputs from their shape
                found.setdefault((node.layer.type, node.layer.label()), node.layer)
    return found


def test_every_number_of_an_english_label_is_in_the_korean_line(layers):
    # stride 1 is left out in both languages' briefs ("3×3 합성곱 64"): the only number allowed missing
    missing = {label: layer.caption("ko") for (kind, label), layer in layers.items()
               if _numbers(label) - _numbers(layer.caption("ko")) - {"1"}}
    assert not missing, missing


def test_korean_lines_use_no_keras_option_names(layers):
    left = {label: layer.caption("ko") for (kind, label), layer in layers.items()
            if KERAS_WORDS.search(layer.caption("ko"))}
    assert not left, left


def test_the_english_line_is_still_the_label(layers):
    assert all(layer.caption("en") == label for (kind, label), layer in layers.items())


@pytest.mark.parametrize("kind, options, en, ko", [
    ("lstm", {"units": 256}, "LSTM 256", "LSTM 256"),
    ("gru", {"units": 64, "bidirectional": True}, "bidirectional GRU 64", "양방향 GRU 64"),
    ("simple_rnn", {"units": 32}, "RNN 32", "RNN 32"),
    ("embedding", {"vocab": 10000, "dim": 256}, "embedding 10000→256", "임베딩 10000→256"),
    ("embedding", {"vocab": 100, "dim": 8, "tied": True}, "embedding 100→8, tied", "임베딩 100→8, 표 공유"),
    ("multi_head_attention", {"heads": 8, "causal": True}, "multi-head attention, 8 heads, causal mask",
     "멀티헤드 어텐션, 헤드 8개, 인과 마스크"),
    ("attention", {"causal": True}, "dot attention (Luong), causal mask", "내적 어텐션(Luong), 인과 마스크"),
    ("additive_attention", {}, "additive attention (Bahdanau)", "가산 어텐션(Bahdanau)"),
    ("positional_encoding", {}, "sinusoidal positions (input ×√d)", "사인파 위치 인코딩(입력 ×√d)"),
    ("positional_encoding", {"scale": False}, "sinusoidal positions", "사인파 위치 인코딩"),
    ("position_embedding", {"length": 197}, "learned positions (197)", "학습되는 위치 임베딩, 위치 197개"),
    ("dropout", {"rate": 0.5}, "dropout 0.5", "드롭아웃 0.5"),
    ("drop_path", {"rate": 0.1}, "drop path 0.1", "드롭 패스 0.1"),
    ("layernorm", {"center": False}, "layer norm, γ only", "층 정규화, γ만"),
    ("layer_scale", {}, "layer scale γ₀=1e-06", "레이어 스케일 γ₀=1e-06"),
    ("lrn", {}, "LRN (n=5)", "국소 응답 정규화(LRN), n=5"),
    ("conv1d", {"filters": 64, "kernel": 5, "stride": 2}, "conv1d 5, 64, stride 2", "길이 5 1차원 합성곱 64, 스트라이드 2"),
    ("maxpool1d", {"pool": 3}, "max pool 3, stride 3", "길이 3 최대 풀링, 스트라이드 3"),
    ("zeropad2d", {"padding": 3}, "zero pad 3", "제로 패딩 3"),
    ("zeropad1d", {"padding": 2}, "zero pad 2", "제로 패딩 2"),
    ("cropping2d", {"cropping": 4}, "crop 4", "자르기 4"),
    ("reshape", {"shape": [1, 1, 32]}, "reshape to (1, 1, 32)", "형태 변환 → (1, 1, 32)"),
    ("class_token", {}, "prepend class token", "맨 앞에 클래스 토큰 추가"),
])
def test_briefs_give_sizes_in_both_languages(kind, options, en, ko):
    layer = KINDS[kind](type=kind, **options)
    assert (layer.brief("en"), layer.brief("ko")) == (en, ko)


def test_the_korean_line_of_a_recurrent_layer_says_what_it_outputs():
    layer = KINDS["lstm"](type="lstm", units=256, return_sequences=True, return_state=True)
    assert layer.label() == "LSTM 256, return_sequences, return_state"
    assert layer.caption("ko") == "LSTM 256, 모든 시점 출력, 마지막 상태 출력"


def test_a_concatenating_skip_is_not_called_a_residual_connection():
    from archcompiler.emit.docs import render_doc

    text = render_doc(load_graph("unet"), "ko")
    assert "U-Net은 이어 붙이는 스킵 연결을 이렇게 자릅니다" in text  # the cropping explanation
    english = render_doc(load_graph("unet"), "en")
    assert "In U-Net a skip connection is cropped like this" in english
