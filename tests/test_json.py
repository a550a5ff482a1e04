"""Reading JSON: syntax errors, repeated keys and deep nesting say where, by line and column."""

from __future__ import annotations

import pytest

from diagnose.cli._json import read_json

CASES = [
    ('{"a": 1,}', "f.json:1:9: JSON syntax error: a comma after the last entry; JSON allows none there"),
    ("[1, 2,]", "f.json:1:7: JSON syntax error: a comma after the last entry; JSON allows none there"),
    ('{"a" 1}', "f.json:1:6: JSON syntax error: expecting ':' delimiter"),
    ("{a: 1}", "f.json:1:2: JSON syntax error: expected a key in double quotes"),
    ("{'a': 1}", "f.json:1:2: JSON syntax error: expected a key in double quotes"),
    ('{"a": 1}\n{"a": 2}', "f.json:2:1: JSON syntax error: more text after the end of the JSON value; a JSON file holds one value"),
    ('{\n  "a": tru\n}', "f.json:2:8: JSON syntax error: expecting value"),
    ('"open', "f.json:1:1: JSON syntax error: unterminated string starting at"),
    ('{"a": 1, "b": {"c": 2, "c": 3}}', "f.json:1:24: duplicate key 'c' (first given at line 1, column 16)"),
    ("[" * 3000 + "]" * 3000, "f.json:1:101: JSON nested too deeply (more than 100 levels); write it flatter"),
    ('["[[[", ' + "[" * 3000 + "]" * 3000 + "]", "f.json:1:108: JSON nested too deeply (more than 100 levels); write it flatter"),
    ("1" * 5000, "f.json:1:1: JSON error: a number is too long to read (Exceeds the limit (4300 digits) for integer string conversion)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), CASES, ids=[c[1].split(": ", 1)[1][:40] for c in CASES])
def test_each_problem_is_located(text: str, problem: str) -> None:
    doc, problems = read_json(text, "f.json")
    assert doc is None
    assert [str(p) for p in problems] == [problem]


def test_every_repeated_key_is_listed_in_order() -> None:
    _, problems = read_json('{"x": {"a": 1, "a": 2},\n "x": [{"b": 1, "b": 1}]}', "f.json")
    assert [str(p) for p in problems] == [
        "f.json:1:16: duplicate key 'a' (first given at line 1, column 8)",
        "f.json:2:2: duplicate key 'x' (first given at line 1, column 2)",
        "f.json:2:17: duplicate key 'b' (first given at line 2, column 9)",
    ]


def test_escaped_quotes_and_brackets_in_text_are_no_nesting() -> None:
    text = '{"a": "\\\\", "b": "[[[\\"{{{", "c": [1, {"d": [2]}]}'
    doc, problems = read_json(text, "f.json")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": "\\", "b": '[[["{{{', "c": [1, {"d": [2]}]}
    assert doc.locate(("c", 1, "d", 0)) == (1, 46)
    assert doc.locate(("c", 5)) == (1, 35)  # no such element: its nearest ancestor
    assert doc.locate(("b", "x")) == (1, 18)  # text has no members


def test_positions_count_characters_not_bytes() -> None:
    doc, _ = read_json('{"naam": "Zoë", "leeftijd": {}}', "f.json")
    assert doc is not None
    assert doc.locate(("leeftijd",)) == (1, 29)
