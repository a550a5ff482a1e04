"""Robustness: junk payloads are rejected as AnswerError only, and results do not depend on hashing."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose

KB = diagnose.load_knowledge_base()
ITEM_IDS = [i.id for i in KB.items]

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
KEYS = st.one_of(st.sampled_from(ITEM_IDS), st.text(max_size=20), st.integers(), st.none())


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, JUNK, max_size=12), st.dictionaries(KEYS, JUNK, max_size=4))
def test_junk_is_an_answer_error_or_a_valid_assessment(
    answers: dict[object, object], context: dict[object, object]
) -> None:
    """Invariant: any payload either assesses (when every value is valid) or raises AnswerError."""
    valid = (
        all(
            isinstance(k, str)
            and k in ITEM_IDS
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


SCRIPT = """
import json, diagnose
rows = [json.loads(line) for line in open({path!r})]
print(json.dumps([diagnose.assess(r).model_dump(mode="json") for r in rows]))
"""


def test_results_are_identical_across_hash_seeds(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "rows.jsonl")  # noqa: PTH118 - a plain string for the child script
    with open(path, "w", encoding="utf-8") as f:  # noqa: PTH123 - likewise
        f.writelines(
            json.dumps({item: 1 + (n * 7 + k) % 5 for k, item in enumerate(ITEM_IDS) if (n + k) % 6}) + "\n"
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
