"""From fired rules to explained recommendations, and `assess`, the whole pipeline in one call.

`assess` checks the answers, scores them, evaluates the rules with durable-rules and groups the
fired rules per intervention. Each recommendation says which rules suggested it and why, with
the intervention's evidence level and sources; the diagnosis carries the full trace and the
knowledge base's version and content hash, so that advice can be explained later.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - pydantic reads it at run time (Diagnosis.assessed_on)
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from diagnose._base import LocalizedText, Record, construct
from diagnose._consistency import describe
from diagnose.assessment._advice import Advice
from diagnose.assessment._arguments import check_arguments
from diagnose.assessment._fast import prepare
from diagnose.assessment.preferences import Preferences  # noqa: TC001 - pydantic reads it (Diagnosis)
from diagnose.assessment.scoring import (
    AnswerValue,
    ContextValue,
    Intake,
    Profile,
)
from diagnose.assessment.warnings import AnswerWarning, answer_warnings
from diagnose.engine._cache import rule_engine, scored_engine
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._base import KnowledgeBase, derived
from diagnose.knowledge._kb_models import DutchRecognition, EvidenceGrade  # noqa: TC001 - pydantic reads them
from diagnose.knowledge._load import load_knowledge_base
from diagnose.knowledge._models import EvidenceLevel  # noqa: TC001 - pydantic reads it (Recommendation)
from diagnose.knowledge.conditions import Facts, truth

if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = [
    "Diagnosis",
    "Evidence",
    "FiredRule",
    "Recommendation",
    "Trace",
    "UndecidedRule",
    "assess",
]


class FiredRule(Record):
    """A rule whose condition held for this intake.

    Examples:
        >>> import diagnose
        >>> diagnose.assess({"mo_1": 1, "mo_2": 1}).trace.fired_rules[0]
        FiredRule(rule='low_motivation', intervention='motivational_interviewing', priority=2)
    """

    rule: str
    intervention: str
    priority: int


class UndecidedRule(Record):
    """A rule that could not be decided because something it reads is unknown.

    Attributes:
        rule: The rule id.
        intervention: What it would have suggested.
        not_assessed: Factors it reads that were not assessed.
        context_missing: Context fields it reads that were not given.

    Examples:
        >>> import diagnose
        >>> undecided = diagnose.assess({"mo_1": 1, "mo_2": 1}).trace.undecided_rules
        >>> next((u.not_assessed, u.context_missing) for u in undecided if u.rule == "low_health")
        (('health',), ())
    """

    rule: str
    intervention: str
    not_assessed: tuple[str, ...]
    context_missing: tuple[str, ...]


class Evidence(Record):
    """The graded summary of an intervention's international evidence, as a recommendation carries it.

    It copies the knowledge base's `EvidenceSummary`, as a result that reads back from plain data.

    Attributes:
        grade: `strong`, `moderate`, `low` or `very_low` (GRADE-like), for paid work.
        summary: What the evidence says, in both languages.
        reviews: The review(s) or trial(s) the grade rests on.

    Examples:
        >>> import diagnose
        >>> r = diagnose.assess({"mo_1": 1, "mo_2": 1}).recommendations[0]
        >>> r.evidence.grade, r.evidence.summary.en[:32]
        ('very_low', 'No rating in a Dutch databank wa')
    """

    grade: EvidenceGrade
    summary: LocalizedText
    reviews: tuple[str, ...]


def _evidence(kb: KnowledgeBase) -> Mapping[str, Evidence | None]:
    """Per intervention its `Evidence`, built once per knowledge base."""
    return {
        name: None
        if i.evidence is None
        else construct(
            Evidence, grade=i.evidence.grade, summary=i.evidence.summary, reviews=i.evidence.reviews
        )
        for name, i in kb.interventions.items()
    }


class Recommendation(Record):
    """One suggested intervention and everything needed to explain it.

    Attributes:
        intervention: The intervention id.
        name: Its name, in both languages.
        priority: 1 is the most urgent (the most urgent of the rules that suggested it).
        targets: The factors the intervention aims to improve.
        rules: Ids of every rule that suggested it, most urgent first.
        rationale: Why, from those rules, in both languages.
        evidence_level: On the Dutch recognition scale, or `not_rated`.
        sources: Where the evidence is documented.
        preference: Whether the client wants it (`wanted`), does not (`unwanted`), or neither.
        preference_reason: What the client said about it, when they said something.
        evidence: The graded summary of the international evidence (both languages, with the
            reviews it rests on), as the knowledge base states it; None only for a knowledge
            base that gives none for this intervention.
        recognition: Its status in a Dutch databank (level, databank, page, date checked), when
            the knowledge base records one.
        phase: `now` or `later`. The knowledge base decides: support that stabilises a life
            domain comes first, in its declared order, and at most its `max_now` are for now.
            Nothing is dropped: the rest is for later.
        phase_reason: Why it is for later (None for `now`).

    Examples:
        >>> import diagnose
        >>> r = diagnose.assess({"mo_1": 1, "mo_2": 1}).recommendations[0]
        >>> r.intervention, r.priority, r.rules
        ('motivational_interviewing', 2, ('low_motivation',))
    """

    intervention: str
    name: LocalizedText
    priority: int
    targets: tuple[str, ...]
    rules: tuple[str, ...]
    rationale: LocalizedText
    evidence_level: EvidenceLevel
    sources: tuple[str, ...]
    preference: Literal["wanted", "neutral", "unwanted"] = "neutral"
    preference_reason: str | None = None
    evidence: Evidence | None = None
    recognition: DutchRecognition | None = None
    phase: Literal["now", "later"] = "now"
    phase_reason: LocalizedText | None = None


class Trace(Record):
    """What the advice was based on: every answer and context value, and which rules fired.

    Examples:
        >>> import diagnose
        >>> trace = diagnose.assess({"mo_1": 1, "mo_2": 1}).trace
        >>> trace.answers["mo_1"], trace.answers["se_1"]
        (1, 'not_asked')
    """

    answers: dict[str, AnswerValue]
    context: dict[str, ContextValue]
    fired_rules: tuple[FiredRule, ...]
    undecided_rules: tuple[UndecidedRule, ...]


class Diagnosis(Record):
    """The result of `assess`: a profile, ranked recommendations, and the trace behind them.

    It is plain data: `model_dump_json()` stores it and `Diagnosis.model_validate_json()` reads it
    back unchanged.

    Attributes:
        profile: Each factor's score and level, with the answers behind it.
        recommendations: The advice: the recommendations for `now` first, then those for `later`.
        trace: Every answer and context value, and which rules fired or stayed undecided.
        knowledge_base_id: The knowledge base that made it.
        knowledge_base_version: Its version.
        knowledge_base_hash: Its content hash, which the cycle checks before using the diagnosis.
        assessed_on: The date of the measurement, when given.
        preferences: What the client wants or does not want, when given.
        warnings: Reasons to look at the answers again (`AnswerWarning`); never a change in advice.
        participation_rung: The client's rung on the Participatieladder (1 isolated ... paid work),
            when recorded: a measure next to the factors that no rule reads.

    Examples:
        >>> import diagnose
        >>> d = diagnose.assess({"mo_1": 1, "mo_2": 1})
        >>> diagnose.Diagnosis.model_validate_json(d.model_dump_json()) == d
        True
    """

    kind: Literal["diagnosis"] = "diagnosis"
    profile: Profile
    recommendations: tuple[Recommendation, ...]
    trace: Trace
    knowledge_base_id: str
    knowledge_base_version: str
    knowledge_base_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    assessed_on: dt.date | None = None
    preferences: Preferences | None = None
    warnings: tuple[AnswerWarning, ...] = ()
    participation_rung: int | None = Field(default=None, ge=1, le=9)

    def __reduce__(self) -> tuple[Callable[[str], Diagnosis], tuple[str]]:
        """Pickle as JSON: several times faster than pickling the nested models one by one.

        That is what makes `assess_many` with processes worth it. Unpickling validates the JSON
        (`model_validate_json`, faster than building the models by hand was: 643 µs against
        869 µs for a 40-item diagnosis, measured side by side).
        """
        return (Diagnosis.model_validate_json, (self.model_dump_json(),))


def build_fact(profile: Profile, context: Mapping[str, ContextValue]) -> Facts:
    """The fact the rules see: level and score of each assessed factor, and the context given."""
    levels: dict[str, str] = {}
    scores: dict[str, float] = {}
    for factor, result in profile.scores.items():
        if result.score is not None:
            levels[factor] = result.level
            scores[factor] = result.score
    return Facts(levels, scores, dict(context))


#: How a stance moves a recommendation's rank.
_SHIFT = {"wanted": -1, "neutral": 0, "unwanted": 1}


def recommend(
    kb: KnowledgeBase, fired: tuple[str, ...], preferences: Preferences | None = None
) -> tuple[Recommendation, ...]:
    """Group fired rules by intervention, rank them, and put them in phases.

    The rank is: priority, moved one step up for an intervention the client wants and one step
    down for one the client does not want; then wanted before neutral before unwanted; then
    stronger evidence; then id. The recommendation's own priority and evidence stay as they are.
    Then the phases (`kb.cycle.phases`): the support that stabilises a life domain comes first,
    in the knowledge base's declared order, then the rest by rank; the first `max_now` are for
    `now`, the others for `later`, with the knowledge base's reason. Nothing is dropped.
    """
    rules = kb.rules_by_id
    advice = shared_advice(kb)
    by_intervention: dict[str, list[str]] = {}
    for rule_id in sorted(fired, key=advice.rank.__getitem__):
        by_intervention.setdefault(rules[rule_id].recommend, []).append(rule_id)
    ranked = []
    for intervention_id, rule_ids in by_intervention.items():
        stance, reason = preferences.stance(intervention_id) if preferences else ("neutral", None)
        ranked.append((rules[rule_ids[0]].priority, stance, reason, intervention_id, rule_ids))
    shift = _SHIFT
    strength, first = advice.evidence_rank, advice.stabilise_rank
    # Stabilising support first, in its declared order; then, and for the rest, the rank.
    ranked.sort(key=lambda r: (first[r[3]], r[0] + shift[r[1]], shift[r[1]], strength[r[3]], r[3]))
    phases = kb.cycle.phases
    out = []
    for n, (priority, stance, reason, intervention_id, rule_ids) in enumerate(ranked):
        now = n < phases.max_now
        # The same parts make the same (immutable) recommendation: build it once per knowledge base.
        key = (intervention_id, tuple(rule_ids), stance, reason, now)
        made = advice.made.get(key)
        if made is None:
            made = _recommendation(
                kb,
                priority=priority,
                stance=stance,
                reason=reason,
                intervention_id=intervention_id,
                rule_ids=rule_ids,
                now=now,
            )
            advice.keep(key, made)
        out.append(made)
    return tuple(out)


def _recommendation(  # noqa: PLR0913 - the parts `recommend` ranked, one argument each
    kb: KnowledgeBase,
    *,
    priority: int,
    stance: str,
    reason: str | None,
    intervention_id: str,
    rule_ids: list[str],
    now: bool,
) -> Recommendation:
    intervention = kb.interventions[intervention_id]
    reasons = [kb.rules_by_id[r].rationale for r in rule_ids]
    return construct(
        Recommendation,
        intervention=intervention_id,
        name=intervention.name,
        priority=priority,
        targets=intervention.targets,
        rules=tuple(rule_ids),
        rationale=construct(
            LocalizedText,
            nl=" ".join(dict.fromkeys(r.nl for r in reasons)),
            en=" ".join(dict.fromkeys(r.en for r in reasons)),
        ),
        evidence_level=intervention.evidence_level,
        sources=intervention.sources,
        preference=stance,
        preference_reason=reason,
        evidence=derived(kb, _evidence)[intervention_id],
        recognition=intervention.recognition,
        phase="now" if now else "later",
        phase_reason=None if now else kb.cycle.phases.later_reason,
    )


def _undecided(kb: KnowledgeBase, fired: tuple[str, ...], fact: Facts) -> tuple[UndecidedRule, ...]:
    out = []
    for rule in kb.rules:
        factors, fields = kb.rule_reads[rule.id]
        unknown_factors = tuple(f for f in factors if f not in fact.levels)
        unknown_fields = tuple(c for c in fields if c not in fact.context)
        # A rule that reads nothing unknown is decided; only the others need three-valued truth.
        if (unknown_factors or unknown_fields) and rule.id not in fired and truth(rule.when, fact) is None:
            out.append(
                construct(
                    UndecidedRule,
                    rule=rule.id,
                    intervention=rule.recommend,
                    not_assessed=unknown_factors,
                    context_missing=unknown_fields,
                )
            )
    return tuple(out)


def assess(  # noqa: PLR0913 - the intake's parts, each a keyword argument
    answers: Mapping[str, object] | Intake,
    *,
    knowledge_base: KnowledgeBase | None = None,
    context: Mapping[str, object] | None = None,
    preferences: Preferences | None = None,
    as_of: dt.date | None = None,
    participation_rung: int | None = None,
) -> Diagnosis:
    """Assess one intake: check, score, evaluate the rules, and explain the advice.

    Args:
        answers: Item id → answer (a whole number on the item's scale, or `not_asked`,
            `declined`, `unknown`), or an `Intake` carrying answers and context together.
            Items left out count as `not_asked`.
        knowledge_base: The knowledge base; the packaged default when None.
        context: Context field → value, for rules that read the client's situation.
        preferences: What the client wants or does not want; it changes the order, not the advice.
        as_of: The date of the intake (passed in: the library never reads the clock).
        participation_rung: The client's rung on the knowledge base's Participatieladder, when
            recorded (a measure next to the factors; no rule reads it).

    Returns:
        The diagnosis: profile, ranked recommendations, trace, knowledge-base version and hash.

    Raises:
        AnswerError: an unknown item, a value outside the item's scale, a wrong type, or an
            unknown or ill-typed context field; it lists every problem and nothing is scored.
            Also `as_of` that is not a `datetime.date` (a `datetime` is refused: its time of
            day would not survive being read back), `preferences` that are not `Preferences`, or
            a `participation_rung` that is not a rung of the knowledge base's ladder.

    Examples:
        >>> import diagnose
        >>> d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4, "mo_3": 1})
        >>> [r.intervention for r in d.recommendations]
        ['success_experiences']
    """
    if knowledge_base is not None and not isinstance(knowledge_base, KnowledgeBase):
        got = describe(knowledge_base)
        message = f"expected a KnowledgeBase (from diagnose.load_knowledge_base), got {got}"
        raise AnswerError([AnswerProblem("argument", "knowledge_base", message)])
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    return _assess(kb, answers, context, None, preferences, as_of, participation_rung)


def _assess(  # noqa: PLR0913, PLR0917 - the internal seam behind assess and the benchmark's floor
    kb: KnowledgeBase,
    answers: Mapping[str, object] | Intake,
    context: Mapping[str, object] | None,
    fired_by: Callable[[Facts], tuple[str, ...]] | None,
    preferences: Preferences | None = None,
    as_of: dt.date | None = None,
    participation_rung: int | None = None,
    *,
    reference: bool = False,
) -> Diagnosis:
    """The pipeline, with the rule step passed in (the benchmark's floor) or durable-rules (None).

    With `reference`, the plain way at every step (no table-driven check, no shared results, a
    session per evaluation): the tests compare it with the fast way on generated intakes.
    """
    check_arguments(kb, as_of, participation_rung, preferences)
    # Nothing is assumed of the shapes here: validate_intake says what is wrong with junk.
    given_answers: object = answers.answers if isinstance(answers, Intake) else answers
    given_context: object = {} if context is None else context
    if isinstance(answers, Intake) and isinstance(given_context, Mapping):
        given_context = {**answers.context, **given_context}
    intake = prepare(kb, given_answers, given_context, reference=reference)
    if fired_by is not None:
        fired = fired_by(intake.facts())
    elif reference:  # a session of its own, as every evaluation had before the reused session
        fired = rule_engine(kb).fired_many([intake.facts(), intake.facts()])[0]
    else:
        fired = scored_engine(kb).fired_encoded([intake.fact])[0]
    if preferences is None and not reference:
        recommendations, fired_rules = shared_advice(kb).of(kb, fired)
    else:
        recommendations, fired_rules = recommend(kb, fired, preferences), _fired_rules(kb, fired)
    # A rule can only be undecided when something it reads is unknown.
    if reference:
        undecided = _undecided(kb, fired, intake.facts())
    else:
        undecided = shared_advice(kb).undecided(kb, fired, intake.facts()) if intake.unknown else ()
    return construct(
        Diagnosis,
        kind="diagnosis",
        profile=intake.profile,
        recommendations=recommendations,
        trace=construct(
            Trace,
            answers=intake.answers,
            context=intake.context,
            fired_rules=fired_rules,
            undecided_rules=undecided,
        ),
        knowledge_base_id=kb.id,
        knowledge_base_version=kb.version,
        knowledge_base_hash=kb.content_hash,
        assessed_on=as_of,
        preferences=preferences,
        warnings=answer_warnings(kb, intake.answers, intake.profile.not_assessed) if intake.warn else (),
        participation_rung=participation_rung,
    )


def _fired_rules(kb: KnowledgeBase, fired: tuple[str, ...]) -> tuple[FiredRule, ...]:
    rules = kb.rules_by_id
    return tuple(
        construct(FiredRule, rule=r, intervention=rules[r].recommend, priority=rules[r].priority)
        for r in sorted(fired, key=lambda r: (rules[r].priority, r))
    )


def _make_advice(kb: KnowledgeBase) -> Advice:
    return Advice(kb, recommend, FiredRule, UndecidedRule)


def shared_advice(kb: KnowledgeBase) -> Advice:
    """The parts of diagnoses that `assess` and the batch path share for `kb` (built on first use)."""
    return derived(kb, _make_advice)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
