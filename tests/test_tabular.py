"""Tabular interop: a DataFrame in, a table of levels and advice out (optional pandas extra)."""

from __future__ import annotations

import math

import pandas as pd

import diagnose
from diagnose.tabular import assess_frame


def test_levels_advice_and_errors_per_row() -> None:
    frame = pd.DataFrame(
        {
            "client": ["a", "b", "c"],
            "mo_1": [1, 5, 3],
            "mo_2": [1, 5, math.nan],
            "se_1": [math.nan, 9, 2],
        },
        index=[10, 11, 12],
    )
    result = assess_frame(frame, top=2)
    assert list(result.index) == [10, 11, 12]
    assert list(result.columns) == [*diagnose.load_knowledge_base().factors, "advice_1", "advice_2", "error"]
    first = result.loc[10]
    assert (first["motivation"], first["advice_1"], first["error"]) == (
        "low",
        "motivational_interviewing",
        "",
    )
    assert str(result.loc[11, "error"]).startswith("item 'se_1': expected a whole number from 1 to 5")
    assert result.loc[12, "motivation"] == "not_assessed"  # mo_2 missing: one answer is too few


def test_the_same_advice_as_assess() -> None:
    answers = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}
    result = assess_frame(pd.DataFrame([answers]), top=1)
    assert result.loc[0, "advice_1"] == diagnose.assess(answers).recommendations[0].intervention
