"""The hand-written floor: the packaged knowledge base's diagnosis written out as plain Python.

No library machinery: the items, thresholds and rules of `diagnose_default` 0.2.0 (18 factors,
79 items, 31 rules) are written here by hand as tuples and functions, and one call checks the
answers, scores every factor, decides every rule in three-valued logic (an unassessed factor
makes a comparison unknown) and groups the fired rules per intervention, all as dicts and
tuples. It is what `assess` is compared with in `bench/run.py` ("how fast could plain Python
be?"); `tests/test_handwritten.py` checks that it says what `assess` says on generated intakes,
so the two cannot drift apart. Only texts (intervention names, rationales, sources) and
evidence levels are read from the knowledge base once, as data: writing them out again would
add nothing to the comparison.

When the packaged rules change, this file must change with them (the test says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RULES", "HandWritten"]

MISSING = frozenset({"not_asked", "declined", "unknown"})

#: Factor, items as (id, reverse-scored), minimum answered. Every scale is 1-5, every factor's
#: thresholds are medium 2.5, high 3.75.
FACTORS: tuple[tuple[str, tuple[tuple[str, bool], ...], int], ...] = (
    ("self_efficacy", (("se_1", False), ("se_2", False), ("se_3", False), ("se_4", True)), 3),
    ("motivation", (("mo_1", False), ("mo_2", False), ("mo_3", True)), 2),
    (
        "work_attitude",
        (("wa_1", False), ("wa_2", False), ("wa_3", False), ("wa_4", True), ("wa_5", False)),
        3,
    ),
    (
        "social_support",
        (("ss_1", False), ("ss_2", False), ("ss_3", False), ("ss_4", True), ("ss_5", False)),
        3,
    ),
    ("health", (("he_1", False), ("he_2", True), ("he_3", False), ("he_4", False)), 3),
    ("mental_health", (("mh_1", True), ("mh_2", False), ("mh_3", True), ("mh_4", False), ("mh_5", True)), 3),
    ("substance_use", (("su_1", True), ("su_2", True), ("su_3", True)), 2),
    (
        "living_situation",
        (("ls_1", False), ("ls_2", True), ("ls_3", False), ("ls_4", True), ("ls_5", True)),
        3,
    ),
    ("goal_setting", (("gs_1", False), ("gs_2", False), ("gs_3", False), ("gs_4", False), ("gs_5", True)), 3),
    (
        "job_search_skills",
        (("js_1", False), ("js_2", False), ("js_3", False), ("js_4", False), ("js_5", True)),
        3,
    ),
    (
        "language",
        (("la_1", False), ("la_2", False), ("la_3", False), ("la_4", False), ("la_5", True), ("la_6", False)),
        3,
    ),
    ("basic_skills", (("bs_1", False), ("bs_2", False), ("bs_3", False), ("bs_4", True)), 3),
    ("digital_skills", (("ds_1", False), ("ds_2", False), ("ds_3", False), ("ds_4", True)), 3),
    (
        "financial_situation",
        (("fi_1", True), ("fi_2", True), ("fi_3", False), ("fi_4", True), ("fi_5", False)),
        3,
    ),
    ("work_pays", (("wp_1", False), ("wp_2", False), ("wp_3", True), ("wp_4", True)), 3),
    ("care_arrangements", (("ca_1", False), ("ca_2", True), ("ca_3", False), ("ca_4", False)), 3),
    ("mobility", (("mb_1", False), ("mb_2", True), ("mb_3", False)), 2),
    (
        "work_experience",
        (("we_1", False), ("we_2", False), ("we_3", False), ("we_4", False), ("we_5", True)),
        3,
    ),
)
ITEMS = frozenset(item for _, items, _ in FACTORS for item, _ in items)
ALL_FACTORS = tuple(factor for factor, _, _ in FACTORS)
MEDIUM, HIGH = 2.5, 3.75
LOW, MID_HIGH, LOW_MID = ("low",), ("medium", "high"), ("low", "medium")

Levels = dict[str, str]
Scores = dict[str, float]
Truth = bool | None


def _is(levels: Levels, factor: str, wanted: tuple[str, ...]) -> Truth:
    level = levels.get(factor)
    return None if level is None else level in wanted


def _all(*parts: Truth) -> Truth:
    if False in parts:
        return False
    return None if None in parts else True


def _any(*parts: Truth) -> Truth:
    if True in parts:
        return True
    return None if None in parts else False


def _low(factor: str) -> Callable[[Levels, Scores, Mapping[str, object]], Truth]:
    return lambda lv, _s, _c: _is(lv, factor, LOW)


def _no_barrier(_lv: Levels, scores: Scores, _c: Mapping[str, object]) -> Truth:
    return _all(*(None if (s := scores.get(f)) is None else s >= MEDIUM for f in ALL_FACTORS))


def _started_work(lv: Levels, _s: Scores, context: Mapping[str, object]) -> Truth:
    started = context.get("started_work")
    return _all(None if started is None else started is True, _is(lv, "work_experience", LOW_MID))


#: Rule id, priority, intervention, factors read, context read, condition (true, false, unknown),
#: in the rule files' order.
RULES: tuple[
    tuple[
        str,
        int,
        str,
        tuple[str, ...],
        tuple[str, ...],
        Callable[[Levels, Scores, Mapping[str, object]], Truth],
    ],
    ...,
] = (
    ("low_basic_skills", 2, "basic_skills_training", ("basic_skills",), (), _low("basic_skills")),
    ("low_care_arrangements", 2, "care_arrangement", ("care_arrangements",), (), _low("care_arrangements")),
    ("low_digital_skills", 3, "digital_skills_training", ("digital_skills",), (), _low("digital_skills")),
    (
        "low_financial_situation",
        1,
        "debt_counselling",
        ("financial_situation",),
        (),
        _low("financial_situation"),
    ),
    (
        "low_financial_situation_work_pays",
        2,
        "benefit_calculation",
        ("financial_situation", "work_pays"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "financial_situation", LOW), _is(lv, "work_pays", LOW_MID)),
    ),
    ("low_goal_setting", 2, "goal_setting_coaching", ("goal_setting",), (), _low("goal_setting")),
    (
        "low_goal_setting_motivated_plan",
        2,
        "job_search_plan",
        ("goal_setting", "motivation"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "goal_setting", LOW), _is(lv, "motivation", MID_HIGH)),
    ),
    ("low_health", 2, "health_assessment", ("health",), (), _low("health")),
    (
        "low_job_search_skills",
        2,
        "job_search_training",
        ("job_search_skills",),
        (),
        _low("job_search_skills"),
    ),
    (
        "medium_job_search_skills_low_self_efficacy",
        3,
        "job_search_training",
        ("job_search_skills", "self_efficacy"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "job_search_skills", ("medium",)), _is(lv, "self_efficacy", LOW)),
    ),
    ("low_language", 2, "language_training", ("language",), (), _low("language")),
    (
        "low_language_motivated_dual",
        3,
        "work_experience_placement",
        ("language", "motivation", "mental_health"),
        (),
        lambda lv, _s, _c: _all(
            _is(lv, "language", LOW), _is(lv, "motivation", MID_HIGH), _is(lv, "mental_health", MID_HIGH)
        ),
    ),
    ("low_living_situation", 1, "housing_support", ("living_situation",), (), _low("living_situation")),
    ("low_mental_health", 2, "health_assessment", ("mental_health",), (), _low("mental_health")),
    (
        "low_mental_health_wants_work_ips",
        2,
        "individual_placement_support",
        ("mental_health", "motivation"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "mental_health", LOW), _is(lv, "motivation", MID_HIGH)),
    ),
    ("low_mobility", 2, "mobility_support", ("mobility",), (), _low("mobility")),
    ("no_barrier_job_matching", 3, "job_matching", ALL_FACTORS, (), _no_barrier),
    (
        "paid_work_not_yet_in_reach",
        3,
        "social_participation",
        ("motivation", "health", "mental_health", "substance_use"),
        (),
        lambda lv, _s, _c: _all(
            _is(lv, "motivation", LOW),
            _any(_is(lv, "health", LOW), _is(lv, "mental_health", LOW), _is(lv, "substance_use", LOW)),
        ),
    ),
    (
        "low_self_efficacy_motivated",
        2,
        "success_experiences",
        ("self_efficacy", "motivation"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "self_efficacy", LOW), _is(lv, "motivation", MID_HIGH)),
    ),
    (
        "low_self_efficacy_low_motivation_group_course",
        2,
        "group_job_search_course",
        ("self_efficacy", "motivation"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "self_efficacy", LOW), _is(lv, "motivation", LOW)),
    ),
    (
        "low_self_efficacy_low_motivation_small_steps",
        3,
        "success_experiences",
        ("self_efficacy", "motivation"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "self_efficacy", LOW), _is(lv, "motivation", LOW)),
    ),
    ("low_motivation", 2, "motivational_interviewing", ("motivation",), (), _low("motivation")),
    (
        "medium_self_efficacy_peers",
        3,
        "role_model_peer_group",
        ("self_efficacy",),
        (),
        lambda lv, _s, _c: _is(lv, "self_efficacy", ("medium",)),
    ),
    ("low_social_support", 2, "social_network_support", ("social_support",), (), _low("social_support")),
    (
        "low_social_support_low_self_efficacy",
        2,
        "role_model_peer_group",
        ("social_support", "self_efficacy"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "social_support", LOW), _is(lv, "self_efficacy", LOW)),
    ),
    ("low_substance_use", 1, "addiction_care", ("substance_use",), (), _low("substance_use")),
    (
        "low_work_attitude_benefit_calculation",
        2,
        "benefit_calculation",
        ("work_attitude",),
        (),
        _low("work_attitude"),
    ),
    (
        "low_work_attitude_little_experience_volunteering",
        3,
        "volunteer_work",
        ("work_attitude", "work_experience"),
        (),
        lambda lv, _s, _c: _all(_is(lv, "work_attitude", LOW), _is(lv, "work_experience", LOW)),
    ),
    (
        "low_work_experience",
        2,
        "work_experience_placement",
        ("work_experience", "motivation", "mental_health"),
        (),
        lambda lv, _s, _c: _all(
            _is(lv, "work_experience", LOW),
            _any(_is(lv, "motivation", LOW), _is(lv, "mental_health", MID_HIGH)),
        ),
    ),
    (
        "job_coaching_after_placement",
        2,
        "job_coaching",
        ("work_experience",),
        ("started_work",),
        _started_work,
    ),
    ("low_work_pays", 2, "benefit_calculation", ("work_pays",), (), _low("work_pays")),
)


class HandWritten:
    """The floor: `floor(answers, context)` gives the diagnosis as dicts and tuples.

    Texts and evidence levels come from `kb` (data, read once); everything else is above.
    """

    def __init__(self, kb: Any) -> None:  # noqa: ANN401 - a KnowledgeBase, duck-typed to keep bench/ plain
        """Read the interventions' texts and evidence ranks, and each rule's rationale."""
        from diagnose.knowledge._models import EVIDENCE_LEVELS  # noqa: PLC0415 - data only, read once

        self.evidence = {i.id: EVIDENCE_LEVELS.index(i.evidence_level) for i in kb.interventions.values()}
        self.names = {i.id: (i.name.nl, i.name.en) for i in kb.interventions.values()}
        self.rationale = {r.id: (r.rationale.nl, r.rationale.en) for r in kb.rules}
        phases = kb.cycle.phases
        self.first = {name: n for n, name in enumerate(phases.stabilise_first)}
        self.max_now = phases.max_now

    def __call__(self, answers: Mapping[str, object], context: Mapping[str, object]) -> dict[str, Any]:  # noqa: C901, PLR0912, PLR0915 - one plain pass, on purpose
        """Check, score, decide the rules, group and rank: the diagnosis as plain data."""
        for key, value in answers.items():
            if key not in ITEMS:
                raise ValueError(f"unknown item {key!r}")
            if type(value) is int:
                if not 1 <= value <= 5:
                    raise ValueError(f"{key}: {value} is off the scale")
            elif not (type(value) is str and value in MISSING):
                raise ValueError(f"{key}: {value!r} is no answer")
        for key, value in context.items():
            if key != "started_work" or type(value) is not bool:
                raise ValueError(f"context {key}: {value!r}")
        profile: dict[str, tuple[str, float | None, tuple[str, ...], dict[str, object], tuple[Any, ...]]] = {}
        levels: Levels = {}
        scores: Scores = {}
        trace: dict[str, object] = {}
        for factor, items, least in FACTORS:
            answered: list[str] = []
            missing: dict[str, object] = {}
            counted: list[tuple[str, int, int]] = []
            total = 0
            for item, reverse in items:
                raw = answers.get(item, "not_asked")
                trace[item] = raw
                if type(raw) is int:
                    scored = 6 - raw if reverse else raw
                    total += scored
                    answered.append(item)
                    counted.append((item, raw, scored))
                else:
                    missing[item] = raw
            if len(answered) >= least:
                value = total / len(answered)
                level = "low" if value < MEDIUM else ("medium" if value < HIGH else "high")
                levels[factor], scores[factor] = level, value
                profile[factor] = (level, value, tuple(answered), missing, tuple(counted))
            else:
                profile[factor] = ("not_assessed", None, tuple(answered), missing, tuple(counted))
        fired: list[tuple[int, str, str]] = []
        undecided = []
        for rule, priority, intervention, factors, fields, condition in RULES:
            holds = condition(levels, scores, context)
            if holds:
                fired.append((priority, rule, intervention))
            elif holds is None:
                unknown = tuple(f for f in factors if f not in levels)
                absent = tuple(c for c in fields if c not in context)
                undecided.append((rule, intervention, unknown, absent))
        fired.sort()
        grouped: dict[str, list[tuple[int, str]]] = {}
        for priority, rule, intervention in fired:
            grouped.setdefault(intervention, []).append((priority, rule))
        recommendations = []
        for intervention, rules in grouped.items():
            nl = " ".join(dict.fromkeys(self.rationale[r][0] for _, r in rules))
            en = " ".join(dict.fromkeys(self.rationale[r][1] for _, r in rules))
            recommendations.append(
                (rules[0][0], self.evidence[intervention], intervention, tuple(r for _, r in rules), nl, en)
            )
        recommendations.sort()
        first, rest = self.first, len(self.first)
        recommendations.sort(key=lambda r: first.get(r[2], rest))  # stabilising support first
        given = [v for v in trace.values() if type(v) is int]
        warnings: tuple[str, ...] = (
            ("uniform_answers",) if len(given) >= 10 and min(given) == max(given) else ()
        )
        not_assessed = tuple(f for f, result in profile.items() if result[1] is None)
        if 2 * len(not_assessed) > len(FACTORS):
            warnings += ("few_answers",)
        return {
            "profile": profile,
            "recommendations": tuple(
                (intervention, priority, rules, self.names[intervention], nl, en, n < self.max_now)
                for n, (priority, _, intervention, rules, nl, en) in enumerate(recommendations)
            ),
            "warnings": warnings,
            "fired": tuple((rule, intervention, priority) for priority, rule, intervention in fired),
            "undecided": tuple(undecided),
            "answers": trace,
            "context": dict(context),
        }


def as_plain(diagnosis: Any) -> dict[str, Any]:  # noqa: ANN401 - a Diagnosis
    """A `Diagnosis` in the floor's shape, to compare the two."""
    return {
        "profile": {
            f: (
                s.level,
                s.score,
                s.answered,
                s.missing_reasons,
                tuple((i.item, i.raw, i.scored) for i in s.items),
            )
            for f, s in diagnosis.profile.scores.items()
        },
        "recommendations": tuple(
            (
                r.intervention,
                r.priority,
                r.rules,
                (r.name.nl, r.name.en),
                r.rationale.nl,
                r.rationale.en,
                r.phase == "now",
            )
            for r in diagnosis.recommendations
        ),
        "warnings": tuple(w.code for w in diagnosis.warnings),
        "fired": tuple((r.rule, r.intervention, r.priority) for r in diagnosis.trace.fired_rules),
        "undecided": tuple(
            (u.rule, u.intervention, u.not_assessed, u.context_missing)
            for u in diagnosis.trace.undecided_rules
        ),
        "answers": diagnosis.trace.answers,
        "context": diagnosis.trace.context,
    }
