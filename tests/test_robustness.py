"""Robustness: junk payloads, mappings or not, are rejected as AnswerError only; results do not depend on hashing."""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from tests.conftest import default_kb


@functools.cache
def item_ids() -> list[str]:
    """The default knowledge base's item ids, read on first use (not while collecting)."""
    return [i.id for i in default_kb().items]


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.binary(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
KEYS = st.one_of(
    st.deferred(lambda: st.sampled_from(item_ids())), st.text(max_size=20), st.integers(), st.none()
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, JUNK, max_size=12), st.dictionaries(KEYS, JUNK, max_size=4))
def test_junk_is_an_answer_error_or_a_valid_assessment(
    answers: dict[object, object], context: dict[object, object]
) -> None:
    """Invariant: any payload either assesses (when every value is valid) or raises AnswerError."""
    valid = (
        all(
            isinstance(k, str)
            and k in item_ids()
            and ((type(v) is int and 1 <= v <= 5) or v in ("not_asked", "declined", "unknown"))
            for k, v in answers.items()
        )
        and not context
    )
    if not valid:
        with pytest.raises(diagnose.AnswerError) as info:
            diagnose.assess(answers, context=context)  # type: ignore[arg-type]
        assert info.value.problems
        return
    d = diagnose.assess(answers, context=context)  # type: ignore[arg-type]
    assert all(s.score is None or not math.isnan(s.score) for s in d.profile.scores.values())


class _Text(str):
    """A str subclass, as some libraries hand out text."""

    __slots__ = ()


#: Payloads that are no mapping at all: what a caller passes by mistake, or what JSON gave them.
NOT_MAPPINGS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(max_size=10).map(_Text),
    st.binary(max_size=10),
    st.binary(max_size=10).map(bytearray),
    st.lists(JUNK, max_size=4),
    st.tuples(JUNK, JUNK),
    st.lists(
        st.tuples(st.deferred(lambda: st.sampled_from(item_ids())), st.integers(1, 5)), max_size=3
    ),  # dict() would take these
    st.frozensets(st.integers(), max_size=3),
)
ANSWERS_START = "expected a mapping of item id to answer (such as {'se_1': 3}) or an Intake; got "


@settings(max_examples=300)
@given(NOT_MAPPINGS, st.none() | NOT_MAPPINGS | st.dictionaries(KEYS, JUNK, max_size=3))
def test_answers_that_are_no_mapping_are_an_answer_error(answers: object, context: object) -> None:
    """Invariant: answers that are no mapping never assess: AnswerError, its first problem names them."""
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(answers, context=context)  # type: ignore[arg-type]
    first = info.value.problems[0]
    assert (first.where, first.key, first.message[: len(ANSWERS_START)]) == (
        "intake",
        "answers",
        ANSWERS_START,
    )


@settings(max_examples=200)
@given(st.dictionaries(KEYS, JUNK, max_size=6), NOT_MAPPINGS.filter(lambda c: c is not None))
def test_a_context_that_is_no_mapping_is_an_answer_error(
    answers: dict[object, object], context: object
) -> None:
    """Invariant: a context that is neither a mapping nor None never assesses, even with good answers."""
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(answers, context=context)  # type: ignore[arg-type]
    assert ("intake", "context") in {(p.where, p.key) for p in info.value.problems}


@pytest.mark.parametrize(
    ("answers", "context", "message"),
    [
        (None, None, ANSWERS_START + "None"),
        (3, None, ANSWERS_START + "3"),
        ([("se_1", 3)], None, ANSWERS_START + "[('se_1', 3)]"),
        ('{"se_1": 3}', None, ANSWERS_START + "'{\"se_1\": 3}'; parse JSON or YAML text first"),
        (b"se_1: 3", None, ANSWERS_START + "b'se_1: 3'; parse JSON or YAML text first"),
        ({"se_1": 3}, [], "expected a mapping of context field to value, or None; got []"),
        (
            diagnose.Intake(answers={"se_1": 3}),
            "uitkering",
            "expected a mapping of context field to value, or None; got 'uitkering'; parse JSON or YAML text first",
        ),
    ],
)
def test_what_no_mapping_is_told(answers: object, context: object, message: str) -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess(answers, context=context)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert str(info.value) == f"intake {problem.key!r}: {message}"
    assert problem.where == "intake"


def test_both_shapes_wrong_are_told_at_once() -> None:
    with pytest.raises(
        diagnose.AnswerError,
        match=r"^2 problems in the intake:\n  intake 'answers': .*; got 5\n  intake 'context': .*; got 3$",
    ):
        diagnose.assess(5, context=3)  # type: ignore[arg-type]


SCRIPT = """
import json, diagnose
rows = [json.loads(line) for line in open({path!r})]
print(json.dumps([diagnose.assess(r).model_dump(mode="json") for r in rows]))
"""


def test_results_are_identical_across_hash_seeds(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "rows.jsonl")  # noqa: PTH118 - a plain string for the child script
    with open(path, "w", encoding="utf-8") as f:  # noqa: PTH123 - likewise
        f.writelines(
            json.dumps({item: 1 + (n * 7 + k) % 5 for k, item in enumerate(item_ids()) if (n + k) % 6}) + "\n"
            for n in range(40)
        )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SCRIPT.format(path=path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
