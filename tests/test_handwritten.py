"""The benchmark's hand-written floor (`bench/_handwritten.py`) says what `assess` says.

`bench/run.py` reports `assess` against it, so the two must compute the same thing: the levels,
scores and items of every factor, the fired and undecided rules, and the ranked advice. It is
written for the packaged knowledge base, so these tests use that one (not the fixture).
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import diagnose
from tests.handwritten import RULES, HandWritten, as_plain

ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["not_asked", "declined", "unknown"]))


@functools.cache
def _floor() -> Any:  # noqa: ANN401 - HandWritten, loaded by path
    return HandWritten(diagnose.load_knowledge_base())


@st.composite
def intakes(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, object]]:
    """Any subset of the items answered (any value or missing reason), `started_work` given or not."""
    kb = diagnose.load_knowledge_base()
    skew = draw(st.sampled_from([1, 2, 3, 4, 5]))  # one value often, so that levels spread
    answers: dict[str, object] = {
        item.id: draw(st.one_of(st.just(skew), ANSWER)) for item in kb.items if draw(st.integers(0, 9)) > 0
    }
    context: dict[str, object] = {"started_work": draw(st.booleans())} if draw(st.booleans()) else {}
    return answers, context


@settings(max_examples=200)
@given(intakes())
def test_the_hand_written_floor_says_what_assess_says(
    intake: tuple[dict[str, object], dict[str, object]],
) -> None:
    """Invariant: for any intake, the floor's plain data equals `assess`'s diagnosis in that shape."""
    answers, context = intake
    diagnosis = diagnose.assess(answers, context=context)
    assert _floor()(answers, context) == as_plain(diagnosis)


def test_the_floor_is_written_for_the_packaged_rules() -> None:
    """Its rules are the packaged ones: same ids, priorities, interventions and reads, in file order."""
    kb = diagnose.load_knowledge_base()
    written = [(r[0], r[1], r[2], r[3], r[4]) for r in RULES]
    packaged = [(r.id, r.priority, r.recommend, *kb.rule_reads[r.id]) for r in kb.rules]
    assert written == packaged


def test_the_comparison_can_fail() -> None:
    """On these intakes the floor advises, and not the same thing each time."""
    kb = diagnose.load_knowledge_base()
    low = _floor()(dict.fromkeys((i.id for i in kb.items if not i.reverse), 1), {})
    high = _floor()(dict.fromkeys((i.id for i in kb.items if not i.reverse), 5), {})
    assert low["recommendations"]
    assert low["recommendations"] != high["recommendations"]
    assert low == as_plain(diagnose.assess(dict.fromkeys((i.id for i in kb.items if not i.reverse), 1)))
