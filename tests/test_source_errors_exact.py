"""Every mistake the YAML reader (archcompiler/source.py) reports, pinned whole: file, line and column,
message, hint and code, each worked out from the text by hand (lines and columns count from 1; a value's
place is where it starts). A hint or location that silently went missing would not fail a test that
matches only the code. Also the located containers' own rules (YDict, YList, where). Pure Python."""

from pathlib import Path

import pytest
import yaml

import archcompiler.source as source
from archcompiler.errors import Loc, SpecErrors
from archcompiler.source import YDict, YList, load_file, load_yaml, location_of, where, ydict, ylist

PLAIN_DATA = "specs are plain data: strings, numbers, booleans, lists and mappings"
KILOBYTES = "a spec describes an architecture; it should be a few kilobytes"
CONTROL = "control characters (other than tab and newline) cannot appear in a spec"


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Both YAML readers: libyaml's (used when installed) and PyYAML's pure-Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    return request.param


def _error(text, file="s.yaml"):
    with pytest.raises(SpecErrors) as info:
        load_yaml(text, file)
    assert len(info.value.errors) == 1
    e = info.value.errors[0]
    return (str(e.loc), e.message, e.hint, e.code, e.path)


@pytest.mark.parametrize("text, expected", [
    ("a: !foo {b: 1}\n", ("s.yaml:1:4", "unsupported YAML tag '!foo'", PLAIN_DATA, "E-YAML-TAG", "")),
    ("a: !bar [1]\n", ("s.yaml:1:4", "unsupported YAML tag '!bar'", PLAIN_DATA, "E-YAML-TAG", "")),
    ("a: !foo 1\n", ("s.yaml:1:4", "unsupported YAML tag '!foo'", PLAIN_DATA, "E-YAML-TAG", "")),
    ("a: !!str [1]\n", ("s.yaml:1:4", "unsupported YAML tag 'tag:yaml.org,2002:str'", PLAIN_DATA, "E-YAML-TAG", "")),
    ("x: &x {k: 1}\ny:\n  <<: *x\n", ("s.yaml:3:3", "YAML merge keys ('<<') are not supported",
                                      "use a block or 'extends' to reuse definitions", "E-YAML-MERGE", "")),
    ("? [1, 2]\n: 3\n", ("s.yaml:1:3", "mapping keys must be plain words",
                         "a key is a name such as 'units' or 'conv1'", "E-YAML-KEY", "")),
    ("a: 1\nb: 2\na: 3\n", ("s.yaml:3:1", "duplicate key 'a'", "each key may appear once in a mapping",
                            "E-YAML-DUPLICATE-KEY", "")),
    ("a: !!int four\n", ("s.yaml:1:4", "'four' is not a whole number",
                         "remove the '!!int' tag, or write a whole number", "E-YAML-VALUE", "")),
    ("a: !!bool maybe\n", ("s.yaml:1:4", "'maybe' is not true or false",
                           "remove the '!!bool' tag, or write true or false", "E-YAML-VALUE", "")),
    ("a: !!float x\n", ("s.yaml:1:4", "'x' is not a number", "remove the '!!float' tag, or write a number",
                        "E-YAML-VALUE", "")),
    ("a:\n  b: .nan\n", ("s.yaml:2:6", "'.nan' is not a finite number",
                         "every size and setting of a layer is a finite number", "E-YAML-VALUE", "")),
    ("a: -.inf\n", ("s.yaml:1:4", "'-.inf' is not a finite number",
                    "every size and setting of a layer is a finite number", "E-YAML-VALUE", "")),
    ("a: [1, 2\n", ("s.yaml:2:1", {"libyaml": "YAML syntax error: did not find expected ',' or ']'",
                                "python": "YAML syntax error: expected ',' or ']', but got '<stream end>'"},
                    "", "E-YAML-SYNTAX", "")),
    ("", ("s.yaml:1:1", "the file is empty", "a spec is a mapping with at least name, inputs and layers",
          "E-FILE-EMPTY", "")),
    ("- 1\n", ("s.yaml:1:1", "a spec is a mapping of keys, not a list",
               "start with 'name: ...', then 'inputs:' and 'layers:'", "E-SPEC-NOT-MAPPING", "")),
    ("\n\nabc\n", ("s.yaml:3:1", "a spec is a mapping of keys, not the single value 'abc'",
                   "start with 'name: ...', then 'inputs:' and 'layers:'", "E-SPEC-NOT-MAPPING", "")),
    ("a: [[[" + "[" * 62 + "]" * 65 + "\n", ("s.yaml:1:68", "nesting deeper than 64 levels", "", "E-YAML-TOO-BIG", "")),
], ids=["tag-on-mapping", "tag-on-list", "tag-on-scalar", "str-tag-on-list", "merge-key", "list-as-key",
        "duplicate-key", "int-tag", "bool-tag", "float-tag", "nan", "minus-inf", "syntax", "empty", "a-list",
        "a-scalar", "too-deep"])
def test_each_yaml_mistake_is_pinned_whole(text, expected, loader):
    expected = tuple(e[loader] if isinstance(e, dict) else e for e in expected)  # the readers word syntax apart
    assert _error(text) == expected


def test_a_scalar_document_is_quoted_to_forty_characters():
    message = _error("x" * 50 + "\n")[1]
    assert message == f"a spec is a mapping of keys, not the single value '{'x' * 40}'"


@pytest.mark.parametrize("text, where, code_point", [
    ("\x01a: 1", "s.yaml:1:1", "0001"),  # the very first character
    ("\n\x01", "s.yaml:2:1", "0001"),  # after a leading newline: line 2, column 1
    ("a: 1\nbb: x\x02\n", "s.yaml:2:6", "0002"),
    ("ab\x03", "s.yaml:1:3", "0003"),
])
def test_a_control_character_is_located_by_its_line_and_column(text, where, code_point, loader):
    assert _error(text) == (where, f"character U+{code_point} is not allowed in YAML", CONTROL, "E-YAML-SYNTAX", "")


def test_a_file_name_defaults_to_string():
    with pytest.raises(SpecErrors) as info:
        load_yaml("a: [1")
    assert info.value.errors[0].loc.file == "<string>"


def test_nesting_too_deep_for_the_python_reader_is_refused(monkeypatch):
    """PyYAML's own composer recurses per level: out of stack, it is the same refusal, at the file's start."""
    import inspect
    import sys

    monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    text = "a: " + "[" * 60 + "]" * 60
    value, depth = load_yaml(text)["a"], 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == 59  # 60 lists, the innermost empty
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        with pytest.raises(SpecErrors) as info:
            load_yaml(text, "deep.yaml")
    finally:
        sys.setrecursionlimit(old)
    e = info.value.errors[0]
    assert (str(e.loc), e.message, e.hint, e.code) == ("deep.yaml:1:1", "nesting deeper than 64 levels", "",
                                                       "E-YAML-TOO-BIG")


def test_the_value_budget_error_is_where_the_budget_ran_out(monkeypatch):
    import archcompiler.source as source

    monkeypatch.setattr(source, "MAX_NODES", 4)
    assert _error("a:\n  - 1\n  - 2\n  - 3\n") == (
        "s.yaml:4:5", "the document expands to more than 4 values",
        "YAML aliases that reference each other grow exponentially; write the values out", "E-YAML-TOO-BIG", "")


def test_values_and_keys_remember_their_places():
    doc = load_yaml("name: t\nlayers:\n  - {type: relu}\n  - 7\n", "f.yaml")
    assert isinstance(doc, YDict) and doc.loc == Loc("f.yaml", 1, 1)
    assert doc.value_locs == {"name": Loc("f.yaml", 1, 7), "layers": Loc("f.yaml", 3, 3)}
    assert doc.key_locs == {"name": Loc("f.yaml", 1, 1), "layers": Loc("f.yaml", 2, 1)}
    layers = doc["layers"]
    assert isinstance(layers, YList) and layers.item_locs == [Loc("f.yaml", 3, 5), Loc("f.yaml", 4, 5)]
    assert layers[0].loc == Loc("f.yaml", 3, 5) and layers[0].value_locs == {"type": Loc("f.yaml", 3, 12)}
    assert where(doc, "name") == Loc("f.yaml", 1, 7) and where(doc, "missing") == doc.loc
    assert where(layers, 1) == Loc("f.yaml", 4, 5) and where({"a": 1}, "a") is None
    assert location_of(layers) == Loc("f.yaml", 3, 3) and location_of(7) is None


def test_a_list_item_outside_the_list_is_the_list_itself():
    here, first, second = Loc("f", 1, 1), Loc("f", 2, 3), Loc("f", 3, 3)
    y = ylist(["a", "b"], here, [first, second])
    assert [y.where(i) for i in (0, 1, 2, -1, 5)] == [first, second, here, here, here]
    plain = ylist([1, 2, 3], here)
    assert plain.loc == here and plain.item_locs == [here, here, here]
    assert ylist([], here, []).where(0) == here


def test_ydict_keeps_its_value_locations_as_key_locations_until_told():
    loc, a = Loc("f", 1, 1), Loc("f", 1, 4)
    d = ydict({"a": 1}, loc, {"a": a})
    assert d.loc == loc and d.value_locs == {"a": a} and d.key_locs == {"a": a}
    assert ydict({}, loc).value_locs == {} and ydict({}, loc).key_locs == {}


# --- files ----------------------------------------------------------------------------------------------

def test_a_file_over_the_limit_reports_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 1_050_000)
    with pytest.raises(SpecErrors) as info:
        load_file(path)
    e = info.value.errors[0]
    assert (e.loc, e.message, e.hint, e.code) == (
        Loc(str(path), 1, 1), "file is 1.1 MB, larger than the 1 MB limit", KILOBYTES, "E-FILE-TOO-BIG")
    with pytest.raises(SpecErrors) as info:
        load_yaml("#" * 1_000_001, "t.yaml")
    e = info.value.errors[0]
    assert (e.loc, e.message, e.hint, e.code) == (Loc("t.yaml", 1, 1), "file is larger than 1 MB", KILOBYTES,
                                                  "E-FILE-TOO-BIG")


def test_a_byte_that_is_not_utf8_is_located(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("a: 1\nbé: x\xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))  # é stays UTF-8
    with pytest.raises(SpecErrors) as info:
        load_file(path)
    e = info.value.errors[0]
    # line 2 is "bé: x" then the bad byte: b, é, :, space, x are five characters, so column 6
    assert (e.loc, e.message, e.hint, e.code) == (Loc(str(path), 2, 6), "not UTF-8 text", "save the spec as UTF-8",
                                                  "E-FILE-ENCODING")


def test_a_file_that_cannot_be_read(tmp_path):
    missing = tmp_path / "missing.yaml"
    with pytest.raises(SpecErrors) as info:
        load_file(missing)
    e = info.value.errors[0]
    assert (e.loc, e.message, e.hint, e.code) == (Loc(str(missing)), "cannot read the file: No such file or directory",
                                                  "", "E-FILE-READ")
    with pytest.raises(SpecErrors) as info:
        load_file(tmp_path)
    assert info.value.errors[0].message == "cannot read the file: Is a directory"


def test_a_file_reads_as_utf8_and_keeps_its_name(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_bytes("name: 한국어\nx: 1\n".encode("utf-8"))
    doc = load_file(str(path))
    assert doc == {"name": "한국어", "x": 1} and doc.value_locs["x"] == Loc(str(path), 2, 4)
    assert Path(doc.loc.file) == path


# --- what PyYAML reports without a position (neither reader does today): still one located error ----

@pytest.mark.parametrize("raised, expected", [
    (yaml.YAMLError("boom"), ("f.yaml:1:1", "YAML error: boom", "", "E-YAML-SYNTAX", "")),
    (yaml.MarkedYAMLError(problem="odd", problem_mark=None), ("f.yaml:1:1", "YAML syntax error: odd", "",
                                                              "E-YAML-SYNTAX", "")),
    (yaml.reader.ReaderError("f.yaml", 3, "\x07", "unicode", "special characters are not allowed"),
     ("f.yaml:1:4", "character U+0007 is not allowed in YAML", CONTROL, "E-YAML-SYNTAX", "")),
    (yaml.reader.ReaderError("f.yaml", 2, "", "unicode", "special characters are not allowed"),
     ("f.yaml:1:3", "character U+0000 is not allowed in YAML", CONTROL, "E-YAML-SYNTAX", "")),
], ids=["no-mark", "marked-without-mark", "character-as-text", "no-character"])
def test_a_yaml_error_without_a_mark_is_at_the_start(monkeypatch, raised, expected):
    def compose(*args, **kwargs):
        raise raised

    monkeypatch.setattr(source.yaml, "compose", compose)
    assert _error("a: 1\n", "f.yaml") == expected
