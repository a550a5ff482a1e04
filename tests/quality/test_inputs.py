"""Bad input to the quality report and the audit: a typed error that says where, pinned exactly."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import diagnose
from diagnose.quality import fairness_audit, instrument_quality
from tests.conftest import frozen_kb

if TYPE_CHECKING:
    from collections.abc import Callable


def mine() -> diagnose.Diagnosis:
    """A diagnosis made with the fixture knowledge base (made when a test runs, not at collection)."""
    return diagnose.assess({"mo_1": 1, "mo_2": 1}, knowledge_base=frozen_kb())


def other() -> diagnose.Diagnosis:
    """A diagnosis made with the packaged knowledge base: another content hash than the fixture's."""
    return diagnose.assess({"mo_1": 1, "mo_2": 1})


SCALE = "expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'"
#: Filled in when a test runs: the two knowledge bases' hashes.
HASHES = "{other}), not with 'diagnose_default' 0.1.0 ({mine})"

CASES: list[tuple[str, Callable[[], object], str]] = [
    (
        "unknown item",
        lambda: instrument_quality([{"se_1": 1}, {"se_9": 2}], knowledge_base=frozen_kb()),
        "row 2, column 'se_9': unknown item (did you mean 'se_4'?)",
    ),
    (
        "off the scale",
        lambda: instrument_quality([{"se_1": 1}, {"se_1": 7}], knowledge_base=frozen_kb()),
        f"row 2: item 'se_1': {SCALE}; got 7",
    ),
    (
        "text",
        lambda: instrument_quality([{"se_1": 1}, {"se_1": "ja"}], knowledge_base=frozen_kb()),
        f"row 2: item 'se_1': {SCALE}; got 'ja'",
    ),
    (
        "a boolean",
        lambda: instrument_quality([{"se_1": 1}, {"se_1": True}], knowledge_base=frozen_kb()),
        f"row 2: item 'se_1': {SCALE}; got True",
    ),
    (
        "a fraction in a frame",
        lambda: instrument_quality(pd.DataFrame({"se_1": [1, 2.5]}), knowledge_base=frozen_kb()),
        f"row 2: item 'se_1': {SCALE}; got 2.5",
    ),
    (
        "rows for another knowledge base",
        lambda: instrument_quality([{"q1": 1, "q2": 3}], knowledge_base=frozen_kb()),
        "none of the columns is an item of knowledge base 'diagnose_default' 0.1.0 (columns: 'q1', 'q2'); "
        "are these intakes for another knowledge base?",
    ),
    (
        "a diagnosis made with another knowledge base",
        lambda: instrument_quality([mine(), other()], knowledge_base=frozen_kb()),
        f"row 2: a diagnosis made with knowledge base 'diagnose_default' 0.2.0 ({HASHES}; "
        "give rows for one knowledge base",
    ),
    (
        "a group among the answers",
        lambda: instrument_quality([{"se_1": 1}, {"se_1": 2, "geslacht": "v"}], knowledge_base=frozen_kb()),
        "column 'geslacht' (row 2): reads as a group attribute (sex or gender), not an answer; "
        "groups never enter the intake: give them to fairness_audit separately",
    ),
    (
        "a group as a context column",
        lambda: instrument_quality(
            pd.DataFrame({"se_1": [1], "context.herkomst": ["x"]}), knowledge_base=frozen_kb()
        ),
        "column 'context.herkomst' (row 1): reads as a group attribute (origin, ethnicity or migration "
        "background), not an answer; groups never enter the intake: give them to fairness_audit separately",
    ),
    (
        "a group in an intake record's context",
        lambda: instrument_quality(
            [{"answers": {"se_1": 1}}, {"answers": {"se_1": 2}, "context": {"leeftijd": 40}}],
            knowledge_base=frozen_kb(),
        ),
        "row 2, context 'leeftijd': reads as a group attribute (age), not an answer; "
        "groups never enter the intake: give them to fairness_audit separately",
    ),
    (
        "a row that is no intake",
        lambda: instrument_quality([{"se_1": 1}, 5], knowledge_base=frozen_kb()),
        "row 2: expected answers (a mapping of item id to answer), an Intake or a Diagnosis; got 5",
    ),
    (
        "a file name",
        lambda: instrument_quality("rows.csv", knowledge_base=frozen_kb()),
        "rows: expected a sequence of intakes (answer mappings, Intakes or Diagnoses), a pandas DataFrame "
        "or an Arrow table; got 'rows.csv'",
    ),
    (
        "outcomes of another length",
        lambda: instrument_quality(
            [{"se_1": 1}], knowledge_base=frozen_kb(), outcomes={"work": [True, False]}
        ),
        "outcome 'work': 2 values for 1 rows; give one per row, in the rows' order (None where unknown)",
    ),
    (
        "an outcome in words",
        lambda: instrument_quality([{"se_1": 1}], knowledge_base=frozen_kb(), outcomes={"work": ["ja"]}),
        "outcome 'work', row 1: expected true/false, 1/0 or None; got 'ja'",
    ),
    (
        "too few cases asked for",
        lambda: instrument_quality([{"se_1": 1}], knowledge_base=frozen_kb(), min_cases=2),
        "min_cases: expected a whole number of at least 5, got 2",
    ),
    (
        "diagnoses from another knowledge base",
        lambda: fairness_audit([mine(), other()], ["a", "b"], knowledge_base=frozen_kb()),
        f"diagnosis 2: made with knowledge base 'diagnose_default' 0.2.0 ({HASHES}; "
        "pass the knowledge base the diagnoses were made with",
    ),
    (
        "a group file that does not match",
        lambda: fairness_audit([mine(), mine()], ["a"], knowledge_base=frozen_kb()),
        "groups: 1 values for 2 diagnoses; give one per diagnosis, in order (None where unknown)",
    ),
    (
        "a group that is no label",
        lambda: fairness_audit([mine()], [3], knowledge_base=frozen_kb()),  # type: ignore[list-item]  # the mistake tested
        "groups, diagnosis 1: expected a group label (text) or None; got 3",
    ),
    (
        "a decision on advice not given",
        lambda: fairness_audit([mine()], ["a"], [{"job_matching": "accept"}], knowledge_base=frozen_kb()),
        "decisions, diagnosis 1: a decision on 'job_matching', which was not recommended to this client",
    ),
    (
        "an unknown action",
        lambda: fairness_audit(
            [mine()], ["a"], [{"motivational_interviewing": "refuse"}], knowledge_base=frozen_kb()
        ),
        "decisions, diagnosis 1, 'motivational_interviewing': expected one of 'accept', 'adapt', 'decline'; "
        "got 'refuse'",
    ),
    (
        "decisions that do not match",
        lambda: fairness_audit([mine()], ["a"], [], knowledge_base=frozen_kb()),
        "decisions: 0 entries for 1 diagnoses; give one per diagnosis, in order (None or an empty list "
        "where nothing was decided)",
    ),
    (
        "no minimum group size",
        lambda: fairness_audit([mine()], ["a"], min_group_size=0, knowledge_base=frozen_kb()),
        "min_group_size: expected a whole number of at least 1, got 0",
    ),
    (
        "a diagnosis that is none",
        lambda: fairness_audit([{"a": 1}], ["a"], knowledge_base=frozen_kb()),  # type: ignore[list-item]  # the mistake tested
        "diagnosis 1: expected a Diagnosis; got {'a': 1}",
    ),
]


@pytest.mark.parametrize(("call", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_says_where_and_what(call: Callable[[], object], message: str) -> None:
    expected = message.replace("{other}", other().knowledge_base_hash[:19])
    expected = expected.replace("{mine}", frozen_kb().content_hash[:19])
    with pytest.raises(diagnose.QualityError, match=f"^{re.escape(expected)}$"):
        call()


def test_the_error_is_a_value_error_of_the_tree() -> None:
    assert issubclass(diagnose.QualityError, diagnose.DiagnoseError)
    assert issubclass(diagnose.QualityError, ValueError)
