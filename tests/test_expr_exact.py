"""The ``${...}`` evaluator (archcompiler/expr.py) pinned exactly: each value worked out by hand, each refusal
with its whole message, hint and code, so a slip in an operator, a bound, a branch or a word fails here.
Pure Python (no Keras); shallow expressions only (mutation testing adds stack frames)."""

import inspect
import sys

import pytest

from archcompiler.expr import ExprError, TensorView, evaluate, has_placeholder, reads_shapes, substitute

ALLOWED = ("use numbers, names, + - * / // % **, comparisons, 'a if cond else b', min/max/abs/int, "
           "in.channels, in.shape[k]")
IMAGE = {"in": TensorView("in", (8, 6, 3))}
SEQ = {"x": TensorView("x", (None, 5))}


def refusal(text, names=None):
    with pytest.raises(ExprError) as info:
        evaluate(text, names or {})
    e = info.value
    assert str(e) == e.message  # the exception reads as its message
    return e.message, e.hint, e.code


# --- values ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("7 // 2", 3), ("-7 // 2", -4), ("7 % 3", 1), ("-7 % 3", 2), ("7 / 2", 3.5), ("2 ** 10", 1024),
    ("2 ** -1", 0.5), ("3 - 5", -2), ("3 * -2", -6), ("+4", 4), ("-(-4)", 4), ("not 0", True), ("not 3", False),
    ("1 and 0", False), ("1 and 2", True), ("0 or 0", False), ("0 or 3", True),
    ("1 if 2 > 1 else 0", 1), ("1 if 2 < 1 else 0", 0), ("min(3, 1, 2)", 1), ("max(3, 1, 2)", 3),
    ("max(2.5, 2)", 2.5), ("abs(-2.5)", 2.5), ("abs(3)", 3), ("int(3.7)", 3), ("int(-3.7)", -3), ("int(true)", 1),
    ("int('-12')", -12), ("true", True), ("false", False), ("None", None), ("'ab'", "ab"), ("1.5", 1.5),
    ("1 < 2 < 3", True), ("1 < 5 < 3", False), ("3 > 2 > 2", False), ("2 >= 2 <= 2", True), ("1 == 1 != 2", True),
    ("1 != 1", False), ("'a' == 'a'", True), ("'a' < 'b'", True), ("2 > 1", True), ("1 >= 2", False),
    ("1 <= 0", False), ("1 < 1", False), ("1 > 1", False), ("2 == 3", False),
])
def test_values(text, value):
    result = evaluate(text, {})
    assert result == value and type(result) is type(value)


def test_names_and_the_tensor_flowing_in():
    assert evaluate("a * b + c", {"a": 2, "b": 3, "c": 4}) == 10
    assert evaluate("in.channels * 2", IMAGE) == 6  # 'in' read as the tensor, not Python's operator
    assert evaluate("in.shape", IMAGE) == [8, 6, 3]  # a shape comes out as a list
    assert evaluate("in.shape[0] + in.shape[-1]", IMAGE) == 11
    assert evaluate("in.shape[-3]", IMAGE) == 8 and evaluate("in.shape[2]", IMAGE) == 3
    assert evaluate("in.rank", IMAGE) == 3 and evaluate("in.height", IMAGE) == 8 and evaluate("in.width", IMAGE) == 6
    assert evaluate("x.steps", SEQ) is None and evaluate("x.rank", SEQ) == 2 and evaluate("x.channels", SEQ) == 5
    assert evaluate("t.steps", {"t": TensorView("t", (7, 4))}) == 7
    assert evaluate("t.channels", {"t": TensorView("t", (4,))}) == 4
    assert evaluate("true", {"true": 5}) == 5  # a name defined by the caller wins


def test_a_tensor_at_the_wrong_rank_has_no_such_size():
    rank_hint = "height and width need an image (rank 3), steps a sequence (rank 2); shape[k] reads any axis"
    assert refusal("in.steps", IMAGE) == ("'in' has shape (8, 6, 3): no steps at rank 3", rank_hint, "E-EXPR-VALUE")
    assert refusal("x.height", SEQ) == ("'x' has shape (None, 5): no height at rank 2", rank_hint, "E-EXPR-VALUE")
    assert refusal("x.width", SEQ)[0] == "'x' has shape (None, 5): no width at rank 2"
    scalar = {"s": TensorView("s", ())}
    assert refusal("s.channels", scalar)[0] == "'s' has shape (): no channels at rank 0"
    assert refusal("v.steps", {"v": TensorView("v", (4,))})[0] == "'v' has shape (4): no steps at rank 1"
    assert refusal("in.chanels", IMAGE) == ("'in' has no 'chanels'", "did you mean 'channels'?", "E-EXPR-NAME")
    assert refusal("in.zzz", IMAGE) == ("'in' has no 'zzz'", "a tensor has shape, rank, channels, height, width, steps",
                                        "E-EXPR-NAME")


def test_a_tensor_is_not_a_value():
    tensor = "the tensor 'in' (read one of its sizes: in.channels, in.shape[k])"
    assert refusal("in", IMAGE) == (f"an expression gives a number or text, not {tensor}", "", "E-EXPR-VALUE")
    assert refusal("-in", IMAGE) == (f"'-' needs numbers, got {tensor}", "", "E-EXPR-VALUE")


# --- refusals --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, names, message", [
    ("-n", {"n": None}, "'-' needs numbers, got null"),
    ("+s", {"s": "a"}, "'+' needs numbers, got the text 'a'"),
    ("-l", {"l": [1]}, "'-' needs numbers, got a list"),
    ("-d", {"d": {}}, "'-' needs numbers, got a mapping"),
    ("-s", {"s": {1}}, "'-' needs numbers, got {1}"),
    ("n + 1", {"n": None}, "'+' needs numbers, got null"),
    ("1 ** n", {"n": None}, "'**' needs numbers, got null"),
    ("'a' < b", {"b": True}, "cannot compare the text 'a' with true or false"),
    ("1 < 'a'", {}, "cannot compare 1 with the text 'a'"),
    ("max('a')", {}, "max() needs numbers, got the text 'a'"),
    ("min(1, n)", {"n": None}, "min() needs numbers, got null"),
    ("min()", {}, "min() needs at least one number"),
    ("max()", {}, "max() needs at least one number"),
    ("abs()", {}, "abs() takes one argument, got 0"),
    ("abs(1, 2)", {}, "abs() takes one argument, got 2"),
    ("int(1, 2)", {}, "int() takes one argument, got 2"),
    ("abs('a')", {}, "abs() needs numbers, got the text 'a'"),
    ("int(n)", {"n": None}, "int() needs numbers, got null"),
    ("int('x')", {}, "int() cannot read 'x' as a whole number"),
    ("int('1.5')", {}, "int() cannot read '1.5' as a whole number"),
    ("1 / 0", {}, "division by zero"), ("1 // 0", {}, "division by zero"), ("1 % 0", {}, "division by zero"),
    ("(-8) ** 0.5", {}, "the result is not a real number"),
    ("in.shape[3]", IMAGE, "axis 3 is out of range for a shape of rank 3"),
    ("in.shape[-4]", IMAGE, "axis -4 is out of range for a shape of rank 3"),
])
def test_value_refusals(text, names, message):
    assert refusal(text, names) == (message, "", "E-EXPR-VALUE")


@pytest.mark.parametrize("text, names, message, hint", [
    ("'a' * 2", {}, "'*' on text ('a')", "only text + text joins texts"),
    ("2 - 'b'", {}, "'-' on text ('b')", "only text + text joins texts"),
    ("'a' / 2", {}, "'/' on text ('a')", "only text + text joins texts"),
    ("'a' ** 2", {}, "'**' on text ('a')", "only text + text joins texts"),
])
def test_arithmetic_on_text(text, names, message, hint):
    assert refusal(text, names) == (message, hint, "E-EXPR-VALUE")


@pytest.mark.parametrize("text, value", [("f * 1", "the result is not a finite number"),
                                         ("1e300", "value 1e+300 is too large (the limit is ±10**15)"),
                                         ("10**15 + 1", "value 1e+15 is too large (the limit is ±10**15)"),
                                         ("-2 * 10**15", "value -2e+15 is too large (the limit is ±10**15)"),
                                         ("999999.0 ** 64", "the result is too large"),
                                         ("2 ** 65", "exponent too large")])
def test_range_refusals(text, value):
    message, hint, code = refusal(text, {"f": float("inf")})
    assert (message, code) == (value, "E-EXPR-RANGE")
    assert hint == ("powers are limited to a base of 10**6 and an exponent of 64" if "exponent" in value else "")


@pytest.mark.parametrize("text, names, message, hint", [
    ("1 +", {}, "cannot parse expression '1 +'", ALLOWED),
    ("1\x00", {}, "cannot parse expression '1\x00'", ALLOWED),
    ("a is b", {"a": 1, "b": 1}, "'a is b' is not allowed in an expression", ALLOWED),
    ("1 in x", {"x": 1}, "'1 in x' is not allowed in an expression", ALLOWED),
    ("foo(1)", {}, "'foo(1)' is not allowed in an expression", ALLOWED),
    ("min(1, k=2)", {}, "'min(1, k=2)' is not allowed in an expression", ALLOWED),
    ("min(*n)", {"n": 1}, "'min(*n)' is not allowed in an expression", ALLOWED),
    ("[1, 2]", {}, "'[1, 2]' is not allowed in an expression", ALLOWED),
    ("~1", {}, "'~1' is not allowed in an expression", ALLOWED),
    ("1 << 2", {}, "'1 << 2' is not allowed in an expression", ALLOWED),
    ("n.real", {"n": 3}, "'.real' reads a tensor's sizes, not 3", "write in.channels, in.shape[1] or <layer>.channels"),
    ("n[0]", {"n": 3}, "'n[0]': only a shape is indexed, by a whole number", "e.g. in.shape[0]"),
    ("in[0]", IMAGE, "cannot parse expression 'in[0]'", ALLOWED),  # 'in' before '[' is Python's operator
    ("in.shape[true]", IMAGE, "'in.shape[true]': only a shape is indexed, by a whole number", "e.g. in.shape[0]"),
    ("in.shape[1.0]", IMAGE, "'in.shape[1.0]': only a shape is indexed, by a whole number", "e.g. in.shape[0]"),
])
def test_syntax_refusals(text, names, message, hint):
    assert refusal(text, names) == (message, hint, "E-EXPR-SYNTAX")


def test_an_undefined_name_names_what_is_defined():
    assert refusal("widht", {"width": 1, "depth": 2}) == ("undefined name 'widht'", "did you mean 'width'?",
                                                           "E-EXPR-NAME")
    assert refusal("q", {"b": 1, "a": 2}) == ("undefined name 'q'", "defined here: a, b", "E-EXPR-NAME")
    assert refusal("q") == ("undefined name 'q'", "defined here: nothing", "E-EXPR-NAME")
    assert refusal("in.channels") == ("undefined name 'in'", "defined here: nothing", "E-EXPR-NAME")
    for text, name in (("widht + 1", "widht"), ("2 * in.channels", "in")):  # which name, for the resolver
        with pytest.raises(ExprError) as info:
            evaluate(text, {"width": 1})
        assert info.value.name == name
    with pytest.raises(ExprError) as info:
        evaluate("width + 'a'", {"width": 1})
    assert info.value.name == ""  # a mistake about no name in particular


def test_names_reach_every_branch():
    names = {"a": 1, "b": 0, "c": 5}
    assert evaluate("a and b", names) is False and evaluate("a or b", names) is True
    assert evaluate("c if a else b", names) == 5 and evaluate("c if b else a", names) == 1
    assert evaluate("not b", names) is True and evaluate("-c", names) == -5
    assert evaluate("min(a, c) + max(a, c)", names) == 6 and evaluate("a < c < 6", names) is True


def test_an_expression_nested_deeper_than_the_stack_is_refused():
    text = "+".join(["1"] * 200)  # parses (399 characters), then 199 nested additions to walk
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 80)  # the walk runs out of stack, not the parser
    try:
        with pytest.raises(ExprError) as info:
            evaluate(text, {})
    finally:
        sys.setrecursionlimit(old)
    assert (info.value.message, info.value.code) == ("the expression is nested too deeply", "E-EXPR-SYNTAX")
    assert evaluate("+".join(["1"] * 100), {}) == 100  # with the usual stack, deep sums are fine


def test_an_expression_too_deep_to_parse_is_refused_the_same_way():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 80)  # Python's parser builds 300 nested minus signs
    try:
        with pytest.raises(ExprError) as info:
            evaluate("-" * 300 + "1", {})
    finally:
        sys.setrecursionlimit(old)
    assert (info.value.message, info.value.code) == ("the expression is nested too deeply", "E-EXPR-SYNTAX")
    assert evaluate("-" * 100 + "1", {}) == 1


def test_expression_error_defaults():
    e = ExprError("m")
    assert (e.message, e.hint, e.code, str(e)) == ("m", "", "E-EXPR-VALUE", "m")
    assert isinstance(e, ValueError)


# --- placeholders in text --------------------------------------------------------------------------------

def test_substitute():
    assert substitute("${n * 2}", {"n": 3}) == 6
    assert substitute(" ${n} ", {"n": 3}) == 3
    assert substitute("${in.shape}", IMAGE) == [8, 6, 3]
    assert substitute("b${i}_${j}", {"i": 1, "j": 2}) == "b1_2"
    assert substitute("${a}${b}", {"a": 1, "b": 2}) == "12"
    assert substitute("x_${f}_${t}", {"f": False, "t": True}) == "x_false_true"
    assert substitute("plain}", {}) == "plain}"
    assert substitute("x${t}", {"t": "AB"}) == "xAB"  # only true and false are written in lower case
    with pytest.raises(ExprError) as info:
        substitute("a${b", {"b": 1})
    assert (info.value.message, info.value.code) == ("unclosed '${' in 'a${b'", "E-EXPR-SYNTAX")


def test_has_placeholder():
    assert has_placeholder("a${b}") and has_placeholder("${")
    assert not has_placeholder("a$b") and not has_placeholder(3) and not has_placeholder(None)


@pytest.mark.parametrize("value, reads", [
    ("${in.channels}", True), ("${x.shape[0] * 2}", True), ("${in}", True), ("${n[0]}", True),
    ("${a + 1}", False), ("a + 1", False), ("${", False), ("${1 +}", False), ("${min(a, 2)}", False),
    ("b${i}_${skip.height}", True), (3, False), (None, False),
    ({"a": 1, "b": ["${in.rank}"]}, True), ({"a": "${n}"}, False), ([1, ("${in.width}",)], True), ([], False),
    ({}, False), ({"k": {"j": "${i}"}}, False),
    ("${x = in.channels}", False),  # a statement is not an expression: it never evaluates, reads nothing
    ("${1 +} and ${in.channels}", True),  # a placeholder that does not parse is passed over, not the end
])
def test_reads_shapes(value, reads):
    assert reads_shapes(value) is reads
