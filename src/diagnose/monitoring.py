"""Step 3 of the methodical cycle: measure again and compare.

`compare(before, after)` gives, per factor, the change in score and level and whether it is at
least the factor's declared minimal meaningful change, and the "distance travelled" over all
influenceable factors. A factor not assessed at either time is reported as such, never as zero
change. Small steps count: more self-efficacy, a barrier resolved, a goal in reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from diagnose._base import Record
from diagnose.plan import CycleError

if TYPE_CHECKING:
    from diagnose.knowledge import KnowledgeBase
    from diagnose.recommendation import Diagnosis

__all__ = ["Comparison", "FactorChange", "compare"]


class FactorChange(Record):
    """How one factor changed between two measurements.

    Attributes:
        factor: The factor id.
        status: `measured` (at both times), `not_assessed_before`, `not_assessed_after` or
            `not_assessed` (at neither).
        before_level: Its level at the first measurement.
        after_level: Its level at the second.
        change: The change in score (after minus before); None unless measured at both.
        meaningful: Whether the change is at least the factor's minimal meaningful change.
        direction: `better`, `worse` or `same` (a change below the minimal one is `same`).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> a, b = diagnose.assess({"mo_1": 2, "mo_2": 2}), diagnose.assess({"mo_1": 4, "mo_2": 4})
        >>> change = compare(a, b, knowledge_base=kb).factors[1]
        >>> change.factor, change.change, change.direction
        ('motivation', 2.0, 'better')
    """

    factor: str
    status: Literal["measured", "not_assessed_before", "not_assessed_after", "not_assessed"]
    before_level: str
    after_level: str
    change: float | None
    meaningful: bool | None
    direction: Literal["better", "worse", "same"] | None


class Comparison(Record):
    """Two measurements compared.

    Attributes:
        factors: One change per factor, in the knowledge base's order.
        distance_travelled: The sum of score changes over influenceable factors measured at both
            times (positive is progress).
        improved: Factors that improved meaningfully.
        worsened: Factors that got meaningfully worse.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> a, b = diagnose.assess({"mo_1": 2, "mo_2": 2}), diagnose.assess({"mo_1": 4, "mo_2": 4})
        >>> c = compare(a, b, knowledge_base=kb)
        >>> c.improved, c.distance_travelled
        (('motivation',), 2.0)
    """

    factors: tuple[FactorChange, ...]
    distance_travelled: float
    improved: tuple[str, ...]
    worsened: tuple[str, ...]


def compare(
    before: Diagnosis, after: Diagnosis, *, knowledge_base: KnowledgeBase, allow_other_version: bool = False
) -> Comparison:
    """Compare a re-measurement with an earlier measurement of the same client.

    Args:
        before: The earlier diagnosis (usually the intake).
        after: The later one.
        knowledge_base: The knowledge base, for the minimal meaningful changes.
        allow_other_version: Compare measurements made with different knowledge-base versions;
            by default that is refused, because levels and items may mean something else.

    Raises:
        CycleError: measurements from different knowledge-base versions (without
            `allow_other_version`), or the later one dated before the earlier one.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> before = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1})
        >>> after = diagnose.assess({"se_1": 3, "se_2": 3, "se_3": 3})
        >>> c = compare(before, after, knowledge_base=kb)
        >>> change = c.factors[0]
        >>> change.factor, change.before_level, change.after_level, round(change.change, 2), change.meaningful
        ('self_efficacy', 'low', 'medium', 1.67, True)
        >>> c.factors[1].status
        'not_assessed'
    """
    if before.knowledge_base_hash != after.knowledge_base_hash and not allow_other_version:
        raise CycleError(
            "the measurements come from different knowledge-base versions "
            f"({before.knowledge_base_version} {before.knowledge_base_hash[:19]} and "
            f"{after.knowledge_base_version} {after.knowledge_base_hash[:19]}); "
            "pass allow_other_version=True to compare them anyway"
        )
    if before.assessed_on and after.assessed_on and after.assessed_on < before.assessed_on:
        raise CycleError(
            f"the later measurement ({after.assessed_on}) is dated before the earlier ({before.assessed_on})"
        )
    changes = []
    distance = 0.0
    for factor_id, first in before.profile.scores.items():
        second = after.profile.scores.get(factor_id)
        if second is None:
            continue
        if first.score is None or second.score is None:
            status = (
                "not_assessed"
                if first.score is None and second.score is None
                else ("not_assessed_before" if first.score is None else "not_assessed_after")
            )
            changes.append(
                FactorChange(
                    factor=factor_id,
                    status=status,  # type: ignore[arg-type]
                    before_level=first.level,
                    after_level=second.level,
                    change=None,
                    meaningful=None,
                    direction=None,
                )
            )
            continue
        delta = second.score - first.score
        meaningful = abs(delta) >= knowledge_base.cycle.minimal_change_for(factor_id) - 1e-9
        direction = ("better" if delta > 0 else "worse") if meaningful else "same"
        if knowledge_base.factors[factor_id].influenceable:
            distance += delta
        changes.append(
            FactorChange(
                factor=factor_id,
                status="measured",
                before_level=first.level,
                after_level=second.level,
                change=delta,
                meaningful=meaningful,
                direction=direction,  # type: ignore[arg-type]
            )
        )
    return Comparison(
        factors=tuple(changes),
        distance_travelled=distance,
        improved=tuple(c.factor for c in changes if c.direction == "better"),
        worsened=tuple(c.factor for c in changes if c.direction == "worse"),
    )
