"""Reading YAML: only plain data, duplicate keys refused, alias bombs refused quickly."""

from __future__ import annotations

import time

import pytest

from diagnose.knowledge._yaml import MAX_DEPTH, MAX_EXPANDED_NODES, MAX_NODES, read_yaml


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo hacked']\n",
        "x: !!python/object:collections.OrderedDict {}\n",
        "x: !!python/name:os.system\n",
        "x: !!python/module:os\n",
    ],
)
def test_python_tags_are_refused(text: str) -> None:
    doc, problems = read_yaml(text, "evil.yaml")
    assert doc is None
    assert len(problems) == 1
    message = str(problems[0])
    assert message.startswith(
        "evil.yaml:1:4: YAML syntax error: could not determine a constructor for the tag"
    )
    assert message.endswith("only plain YAML (mappings, lists, text, numbers, booleans) is allowed")


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    start = time.perf_counter()
    doc, problems = read_yaml("\n".join(lines) + "\n", "bomb.yaml")
    elapsed = time.perf_counter() - start
    assert doc is None
    assert [str(p) for p in problems] == [
        f"bomb.yaml:1:1: the document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases; "
        "write the content out instead of nesting aliases"
    ]
    assert elapsed < 5  # generous: the point is that it does not expand 9**10 nodes


def test_duplicate_keys_are_refused_not_overwritten() -> None:
    doc, problems = read_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml")
    assert doc is None
    assert [str(p) for p in problems] == ["dup.yaml:3:1: duplicate key 'a' (first given on line 1)"]


def test_positions_of_values_and_keys() -> None:
    doc, problems = read_yaml("rules:\n  - id: a\n    when: {factor: x}\n", "r.yaml")
    assert problems == []
    assert doc is not None
    assert doc.locate(("rules", 0, "when", "factor")) == (3, 20)
    assert doc.locate_key(("rules", 0, "when")) == (3, 5)
    assert doc.locate(("rules", 5)) == (2, 3)  # nearest ancestor that exists


def test_empty_document() -> None:
    doc, problems = read_yaml("", "empty.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data is None


def test_a_control_character_is_located_not_raised() -> None:
    doc, problems = read_yaml("a: 1\nb: x\x08y\n", "ctl.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "ctl.yaml:2:5: YAML syntax error: character #x0008 is not allowed in YAML text; remove it"
    ]


def test_yes_and_no_stay_text() -> None:
    """YAML 1.2 booleans: `reverse: yes` is not silently true; the schema then says what it expected."""
    doc, problems = read_yaml("a: yes\nb: no\nc: on\nd: true\ne: False\n", "b.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": False}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[" * 5000 + "]" * 5000, "1:101"),  # past libyaml's own limit of 1,000 levels
        ("[" * 101 + "]" * 101, "1:101"),
        ("a: " + "{b: " * 3000 + "1" + "}" * 3000, "1:400"),
        ("".join(" " * n + "- \n" for n in range(1500)), "101:101"),
        ("".join(" " * n + "a:\n" for n in range(150)) + " " * 150 + "a: 1\n", "101:101"),
    ],
)
def test_nesting_past_the_depth_limit_is_a_located_problem(text: str, where: str) -> None:
    """Found from the events, before a tree is built: no stack runs out, however deep."""
    doc, problems = read_yaml(text, "deep.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        f"deep.yaml:{where}: YAML nested too deeply (more than {MAX_DEPTH} levels); write it flatter"
    ]


def test_nesting_up_to_the_depth_limit_is_read() -> None:
    doc, problems = read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH, "deep.yaml")
    assert problems == []
    assert doc is not None


def test_a_document_of_too_many_nodes_is_refused_as_too_large_not_as_an_alias_bomb() -> None:
    """10**6 empty mappings (3 MB) are refused when the scan passes MAX_NODES, before composing."""
    doc, problems = read_yaml("rules: [" + "{}, " * 10**6 + "]\n", "big.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        f"big.yaml:1:{9 + 4 * (MAX_NODES - 3)}: the document has more than {MAX_NODES:,} nodes "
        "(values, lists and mappings); split it into smaller files"
    ]


def test_a_large_document_without_aliases_is_read() -> None:
    """A plain document of more than 100,000 nodes (the former alias limit) is not refused."""
    doc, problems = read_yaml(
        "rules:\n" + "".join(f"  - {{id: r{n}, p: {n}}}\n" for n in range(21_000)), "big.yaml"
    )
    assert problems == []
    assert doc is not None
    assert isinstance(doc.data, dict)
    assert len(doc.data["rules"]) == 21_000


def test_aliases_that_expand_past_the_limit_are_named_as_such() -> None:
    """The plain size is small, the expansion is what passes the limit: the message says aliases."""
    text = "a: &a [" + ", ".join(["x"] * 600) + "]\nb: [" + ", ".join(["*a"] * 600) + "]\n"
    doc, problems = read_yaml(text, "alias.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        f"alias.yaml:1:1: the document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases; "
        "write the content out instead of nesting aliases"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 400, "1:4: the number '99999999999999999999999999999999...' (400 characters) is too large"),
        (
            "-" + "9" * 309,
            "1:4: the number '-9999999999999999999999999999999...' (310 characters) is too large",
        ),
        ("1.0e+400", "1:4: the number '1.0e+400' is too large"),
        ("-2.5e+999", "1:4: the number '-2.5e+999' is too large"),
    ],
)
def test_numbers_beyond_float_range_are_refused_where_they_are(value: str, message: str) -> None:
    doc, problems = read_yaml(f"x: {value}\n", "n.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [f"n.yaml:{message}: numbers must lie within about ±1.8e308"]


@pytest.mark.parametrize("value", ["1.7e308", "9" * 300, ".inf", "-.inf", ".nan"])
def test_numbers_within_float_range_and_written_infinities_are_read(value: str) -> None:
    """Refusing infinities where a knowledge base has no use for them is the schema's work."""
    doc, problems = read_yaml(f"x: {value}\n", "n.yaml")
    assert problems == []
    assert doc is not None


def test_a_long_value_that_is_no_number_is_shown_short() -> None:
    doc, problems = read_yaml("x: !!int " + "1" * 5000 + "\n", "n.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "n.yaml:1:4: '11111111111111111111111111111111...' (5,000 characters) cannot be read as a whole number"
    ]


def test_nesting_that_runs_pythons_stack_out_is_a_located_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml, PyYAML's composer recurses; running out of stack is reported, not raised."""
    monkeypatch.setattr("diagnose.knowledge._yaml._FAST", None)
    text = "".join(" " * n + "a:\n" for n in range(900)) + " " * 900 + "a: 1\n"
    doc, problems = read_yaml(text, "deep.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "deep.yaml:101:101: YAML nested too deeply (more than 100 levels); write it flatter"
    ]
