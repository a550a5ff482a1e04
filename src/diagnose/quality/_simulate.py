"""A simulated caseload for the tests, the benchmark and the example: answers, groups, outcomes.

Each client has a latent position per factor (standard normal, shifted per group where asked);
each item's scored answer is that position on the item's scale plus noise, rounded and clipped,
and written back as the raw answer the client would give (reverse items reversed). A planted
wrong key writes one item as if its `reverse` flag were the opposite of the knowledge base's.
Decisions decline advice with a base rate, higher for one planted group. Nothing here is real
data; the seed fixes every figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from diagnose.assessment.recommendation import Diagnosis
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["Caseload", "simulate_caseload", "simulate_decisions"]


@dataclass(frozen=True, slots=True)
class Caseload:
    """Simulated intakes (answer mappings), a group per client and an outcome per client."""

    rows: list[dict[str, int | str]]
    groups: list[str]
    outcomes: dict[str, list[bool]]


def simulate_caseload(  # noqa: PLR0913 - the knobs of the simulation, all keyword-only
    kb: KnowledgeBase,
    n: int,
    *,
    seed: int = 19,
    wrong_key: str | None = None,
    group_shares: Mapping[str, float] | None = None,
    group_shift: Mapping[str, float] | None = None,
    declined_share: float = 0.02,
    dif: Mapping[str, tuple[str, float]] | None = None,
) -> Caseload:
    """`n` simulated intakes for `kb`; see the module.

    `group_shift` moves a group's latent mean (a real difference in need); `dif` maps an item to
    (group, shift): that group answers the item `shift` points higher at the same latent
    position (an item that behaves differently).

    Examples:
        >>> import diagnose
        >>> c = simulate_caseload(diagnose.load_knowledge_base(), 3)
        >>> len(c.rows), len(c.groups), sorted(c.outcomes)
        (3, 3, ['work_6m'])
    """
    rng = np.random.default_rng(seed)
    shares = dict(group_shares or {"a": 0.7, "b": 0.3})
    names = list(shares)
    labels = rng.choice(len(names), size=n, p=np.array(list(shares.values())) / sum(shares.values()))
    groups = [names[i] for i in labels]
    shift = np.array([(group_shift or {}).get(g, 0.0) for g in names])[labels]
    factors = list(kb.factors)
    latent = rng.normal(size=(n, len(factors))) + shift[:, None]
    columns: dict[str, np.ndarray] = {}
    for item in kb.items:
        scale = item.scale
        middle, spread = (scale.min + scale.max) / 2, (scale.max - scale.min) / 4
        theta = latent[:, factors.index(item.factor)]
        planted = (dif or {}).get(item.id)
        bias = np.array([planted[1] if planted and g == planted[0] else 0.0 for g in names])[labels]
        value = middle + 0.9 * spread * theta + rng.normal(0, 0.7 * spread, n) + bias
        scored = np.clip(np.rint(value), scale.min, scale.max)
        reverse = item.reverse != (item.id == wrong_key)
        raw = scale.min + scale.max - scored if reverse else scored
        columns[item.id] = raw.astype(np.int64)
    declined = rng.random((n, len(kb.items))) < declined_share
    rows: list[dict[str, int | str]] = []
    for r in range(n):
        row: dict[str, int | str] = {}
        for c, item in enumerate(kb.items):
            row[item.id] = "declined" if declined[r, c] else int(columns[item.id][r])
        rows.append(row)
    chance = 1 / (1 + np.exp(-(-0.3 + 0.9 * latent.mean(axis=1) * np.sqrt(len(factors)))))
    work = (rng.random(n) < chance).tolist()
    return Caseload(rows=rows, groups=groups, outcomes={"work_6m": work})


def simulate_decisions(
    diagnoses: Sequence[Diagnosis],
    groups: Sequence[str],
    *,
    seed: int = 19,
    decline: float = 0.15,
    planted: Mapping[str, float] | None = None,
) -> list[dict[str, str]]:
    """Per diagnosis, a decision on each recommendation (accept, adapt or decline).

    Declined with probability `decline` (or the group's planted rate), adapted 5% of the time,
    else accepted.

    Examples:
        >>> import diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1})
        >>> simulate_decisions([d], ["a"], decline=1.0)[0]["motivational_interviewing"]
        'decline'
    """
    rng = np.random.default_rng(seed + 1)
    out = []
    for diagnosis, group in zip(diagnoses, groups, strict=True):
        rate = (planted or {}).get(group, decline)
        decided = {}
        for r in diagnosis.recommendations:
            u = rng.random()
            decided[r.intervention] = "decline" if u < rate else "adapt" if u < rate + 0.05 else "accept"
        out.append(decided)
    return out
