"""Scoring: intake answers → a profile of factor scores and levels.

Each answer is checked against its item's scale; a reverse-scored item counts as `min + max - raw`;
a factor's score is the mean of its answered items, and its level follows the factor's thresholds.
Missing answers are never imputed: a factor with fewer than `min_answered` answers is
`not_assessed`, and the result lists which items are missing and why (`not_asked`, `declined`,
`unknown`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import Field
from pydantic_core import to_json

from diagnose._base import Level, Model, Record, construct, run_generated
from diagnose.assessment._validation import (
    MISSING_REASONS,
    AnswerValue,
    ContextValue,
    MissingReason,
    validate_intake,
)
from diagnose.knowledge._base import derived

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor, Item

__all__ = [
    "MISSING_REASONS",
    "Answer",
    "AnswerValue",
    "ContextValue",
    "FactorResult",
    "FactorScore",
    "Intake",
    "ItemScore",
    "MissingReason",
    "Profile",
    "Scorer",
    "intake_schema",
    "score",
    "scorer",
    "scoring_lines",
    "validate_intake",
]


class Intake(Model):
    """What the client answered, and facts about their situation that rules may read.

    Examples:
        >>> Intake(answers={"se_1": 2, "se_2": "declined"}).answers["se_2"]
        'declined'
    """

    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    context: dict[str, ContextValue] = Field(default_factory=dict)


class ItemScore(Record):
    """One answered item as it counted: the raw answer and the value after reverse-scoring.

    Examples:
        >>> import diagnose
        >>> diagnose.assess({"se_4": 5}).profile.scores["self_efficacy"].items[0]
        ItemScore(item='se_4', raw=5, scored=1)
    """

    item: str
    raw: int
    scored: int


class FactorScore(Record):
    """A factor's result and the answers behind it.

    Attributes:
        factor: The factor id.
        level: `low` (needs attention), `medium`, `high`, or `not_assessed`.
        score: Mean of the scored answers on the factor's range; None when not assessed.
        answered: Ids of the items answered, in questionnaire order.
        missing: Ids of the items without an answer.
        missing_reasons: Why each missing item has no answer.
        items: The answered items with raw and scored values.

    Examples:
        >>> import diagnose
        >>> s = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1}).profile.scores["self_efficacy"]
        >>> s.level, round(s.score, 2), s.answered, s.missing
        ('low', 1.33, ('se_1', 'se_2', 'se_3'), ('se_4',))
    """

    factor: str
    level: Level | Literal["not_assessed"]
    score: float | None
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    missing_reasons: dict[str, MissingReason]
    items: tuple[ItemScore, ...]


class Profile(Record):
    """Every factor's score, in the knowledge base's order.

    Examples:
        >>> import diagnose
        >>> profile = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1}).profile
        >>> profile.scores["self_efficacy"].level, "health" in profile.not_assessed
        ('low', True)
    """

    scores: dict[str, FactorScore]

    @property
    def not_assessed(self) -> tuple[str, ...]:
        """Ids of the factors that could not be scored."""
        return tuple(f for f, s in self.scores.items() if s.level == "not_assessed")


#: Factors with at most this many items get their sums written out in the generated scorer; a
#: larger one is scored by `_partial` (a sum of thousands of terms is too deep to compile).
_INLINE_ITEMS = 64


class Answer(NamedTuple):
    """What one possible answer to an item contributes to its factor."""

    item: str
    value: int | MissingReason  # the raw answer, or why it is missing
    scored: int  # the value after reverse scoring (0 when missing)
    counted: int  # 1 when answered, 0 when missing
    model: ItemScore | None  # the answered item as it counted, None when missing
    trace: str  # its entry in a trace's answers as JSON: '"se_1":4'
    json: str  # the JSON of `model`, "" when missing
    quoted: str  # the item id as JSON: '"se_1"'


#: A factor's result: its level, its score (None when not assessed), the answers to its items,
#: and whether every item was answered.
FactorResult = tuple[Level | Literal["not_assessed"], float | None, tuple[Answer, ...], bool]


def _answers(item: Item) -> dict[object, Answer]:
    quoted = to_json(item.id).decode()
    table: dict[object, Answer] = {}
    for raw in range(item.scale.min, item.scale.max + 1):
        scored = item.scored(raw)
        model = construct(ItemScore, item=item.id, raw=raw, scored=scored)
        written = ItemScore.__pydantic_serializer__.to_json(model).decode()
        table[raw] = Answer(item.id, raw, scored, 1, model, f"{quoted}:{raw}", written, quoted)
    for reason in MISSING_REASONS:
        table[reason] = Answer(
            item.id, reason, 0, 0, None, f"{quoted}:{to_json(reason).decode()}", "", quoted
        )
    return table


def _partial(
    factor: Factor, answers: tuple[Answer, ...]
) -> tuple[Level | Literal["not_assessed"], float | None, bool]:
    """A factor with a missing answer: scored when at least `min_answered` items are answered."""
    counted = [a.scored for a in answers if a.counted]
    if len(counted) < factor.min_answered:
        return "not_assessed", None, False
    value = sum(counted) / len(counted)
    return factor.thresholds.level(value), value, len(counted) == len(answers)


def scoring_lines(
    kb: KnowledgeBase, tables: Mapping[str, Mapping[object, Answer]], namespace: dict[str, Any]
) -> list[str]:
    """The body of a generated scorer: per factor `f`, locals `l{f}`, `v{f}`, `c{f}` and `g{f}`.

    `l{f}` is the level, `v{f}` the score (None when not assessed), `c{f}` whether every item was
    answered, `t{f}_{i}` the `Answer` to its item `i` and, when `c{f}` is false, `g{f}` the
    tuple of them (the common case of a complete factor builds no tuple); the answers are
    read from the mapping `a`. What is generated reads the names it needs from `namespace`.
    This is the one place that scores: `Scorer` returns these locals, and the batch path
    (`diagnose.batch._compiled`) generates its JSON writer after the same lines.
    """
    namespace["_partial"] = _partial
    lines = ["    g = a.get"]
    for f, factor in enumerate(kb.factors.values()):
        names = []
        for i, item in enumerate(kb.items_by_factor[factor.id]):
            table, name = f"T{f}_{i}", f"t{f}_{i}"
            namespace[table] = tables[item.id]
            names.append(name)
            lines.append(f"    {name} = {table}[g({item.id!r}, 'not_asked')]")
        namespace[f"F{f}"] = factor
        lines += _factor_lines(f, factor, kb.items_by_factor[factor.id], names, namespace, indent=4)
    return lines


#: The most entries a factor's table of scores by sum (`_sums`) may have; a factor that would
#: need more divides each sum out instead.
_SUM_ENTRIES = 20_000

#: A factor's score, level and score as JSON text, for one sum of scored values.
_Scored = tuple[float, Level, str]


def _sums(
    factor: Factor, items: Sequence[Item]
) -> tuple[dict[int, _Scored], dict[tuple[int, int], _Scored]] | None:
    """A factor's `_Scored` per sum of its answers' scored values: by sum, and by (sum, count).

    The first is for every item answered, the second for `count` answered, from `min_answered`
    up. Each entry is what scoring computes: the score `sum / count`, its level and `repr`. So
    `_factor_lines` looks a sum up instead of dividing, calling `Thresholds.level` and `repr`
    (the batch writes the score as JSON). None when the tables would be larger than
    `_SUM_ENTRIES`.
    """
    values = [item.scored(raw) for item in items for raw in range(item.scale.min, item.scale.max + 1)]
    low, high, size = min(values), max(values), len(items)
    counts = range(min(factor.min_answered, size), size + 1)
    if sum(count * (high - low) + 1 for count in counts) > _SUM_ENTRIES:
        return None
    level = factor.thresholds.level

    def scored(total: int, count: int) -> _Scored:
        value = total / count
        return value, level(value), repr(value)

    # A counted answer's scored value lies in [low, high], a missing one adds 0: so do the sums.
    complete = {total: scored(total, size) for total in range(size * low, size * high + 1)}
    partial = {
        (total, count): scored(total, count)
        for count in counts[:-1]
        for total in range(count * low, count * high + 1)
    }
    return complete, partial


def _factor_lines(  # noqa: PLR0913 - the factor, its items and their names, where, and how far in
    f: int,
    factor: Factor,
    items: Sequence[Item],
    names: Sequence[str],
    namespace: dict[str, Any],
    *,
    indent: int,
) -> list[str]:
    """Lines that score factor `f` from the `Answer`s named `names`: the one place that scores.

    They set `l{f}` (level), `v{f}` (score, None when not assessed), `r{f}` (the score as JSON),
    `c{f}` (every item answered), `n{f}` (answers that count) and, when one is missing, `g{f}`
    (the answers): as `_partial`, written out (a missing answer scores and counts 0), the score,
    level and JSON looked up by sum (`_sums`) where the tables are small enough. A factor of more
    than `_INLINE_ITEMS` items (thousands of `+` nest too deep for Python's compiler) calls
    `_partial` (no `n{f}`). Used by `scoring_lines` and the fast intake (`diagnose.assessment._fast`).
    """
    pad = " " * indent
    group = f"({', '.join(names)},)" if names else "()"
    shown = f"{pad}r{f} = 'null' if v{f} is None else repr(v{f})"
    if not 0 < len(names) <= _INLINE_ITEMS:
        return [f"{pad}g{f} = {group}", f"{pad}l{f}, v{f}, c{f} = _partial(F{f}, g{f})", shown]
    total = " + ".join(f"{n}[2]" for n in names)
    tables = _sums(factor, items)
    if tables is None:
        namespace[f"L{f}"] = factor.thresholds.level
        complete = [f"v{f} = ({total}) / {len(names)}", f"l{f} = L{f}(v{f})", f"r{f} = repr(v{f})"]
        partial = [f"v{f} = ({total}) / n{f}", f"l{f} = L{f}(v{f})", f"r{f} = repr(v{f})"]
    else:
        namespace[f"V{f}"], namespace[f"W{f}"] = tables
        complete = [f"v{f}, l{f}, r{f} = V{f}[{total}]"]
        partial = [f"v{f}, l{f}, r{f} = W{f}[{total}, n{f}]"]
    return [
        f"{pad}n{f} = {' + '.join(f'{n}[3]' for n in names)}",
        f"{pad}if n{f} == {len(names)}:",
        *(f"{pad}    {line}" for line in complete),
        f"{pad}    c{f} = True",
        f"{pad}else:",
        f"{pad}    g{f} = {group}",
        f"{pad}    if n{f} >= {factor.min_answered}:",
        *(f"{pad}        {line}" for line in partial),
        f"{pad}    else:",
        f"{pad}        v{f} = None",
        f"{pad}        l{f} = 'not_assessed'",
        f"{pad}        r{f} = 'null'",
        f"{pad}    c{f} = False",
    ]


class Scorer:
    """A knowledge base's scorer (see the module): `scorer(answers)` gives each factor's result."""

    def __init__(self, kb: KnowledgeBase) -> None:
        """Look up every possible answer and generate the scoring function."""
        #: Item id → possible answer → what it contributes.
        self.tables: dict[str, dict[object, Answer]] = {item.id: _answers(item) for item in kb.items}
        namespace: dict[str, Any] = {}
        lines = ["def score(a):", *scoring_lines(kb, self.tables, namespace)]
        groups = [
            ", ".join(f"t{f}_{i}" for i in range(len(kb.items_by_factor[factor])))
            for f, factor in enumerate(kb.factors)
        ]
        results = ", ".join(
            f"(l{f}, v{f}, ({group},), c{f})" if group else f"(l{f}, v{f}, (), c{f})"
            for f, group in enumerate(groups)
        )
        lines.append(f"    return ({results},)")
        #: The generated source (also in `linecache`, while this scorer lives).
        self.source = "\n".join(lines) + "\n"
        run_generated(self.source, f"scoring of {kb.id}", namespace, self)
        self._score: Callable[[Mapping[Any, object]], tuple[FactorResult, ...]] = namespace["score"]

    def __call__(self, answers: Mapping[Any, object]) -> tuple[FactorResult, ...]:
        """Each factor's result, in the knowledge base's order.

        The answers must be known items with values on their scales or missing reasons (as
        `validate_intake` leaves them); anything else raises KeyError or TypeError.
        """
        return self._score(answers)


def scorer(kb: KnowledgeBase) -> Scorer:
    """The scorer of `kb`, built on first use and kept with it."""
    return derived(kb, Scorer)


def score(kb: KnowledgeBase, answers: Mapping[str, int | MissingReason]) -> Profile:
    """Score checked answers (see `validate_intake`) into a profile.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> p = score(kb, {"se_1": 1, "se_2": 2, "se_3": 1})
        >>> p.scores["self_efficacy"].level, p.scores["health"].level
        ('low', 'not_assessed')
    """
    # Built with construct: every value here comes from checked answers and the checked
    # knowledge base, so validating it again would only cost time (it was most of assess's time).
    scores: dict[str, FactorScore] = {}
    for factor, (level, value, given, _complete) in zip(kb.factors, scorer(kb)(answers), strict=True):
        missing = {a.item: a.value for a in given if not a.counted}
        scores[factor] = construct(
            FactorScore,
            factor=factor,
            level=level,
            score=value,
            answered=tuple(a.item for a in given if a.counted),
            missing=tuple(missing),
            missing_reasons=missing,
            items=tuple(a.model for a in given if a.model is not None),
        )
    return construct(Profile, scores=scores)


def intake_schema(kb: KnowledgeBase) -> dict[str, object]:
    """The JSON Schema of an intake for this knowledge base: `{answers: {...}, context: {...}}`.

    Front-end form builders and other languages can validate answers with it before calling
    `assess`.

    Examples:
        >>> import diagnose
        >>> schema = intake_schema(diagnose.load_knowledge_base())
        >>> schema["properties"]["answers"]["properties"]["se_1"]["oneOf"][0]
        {'type': 'integer', 'minimum': 1, 'maximum': 5}
    """
    answers = {
        item.id: {
            "title": item.text.get(kb.instrument.language),
            "description": f"{kb.factors[item.factor].name.en}: {item.text.en}",
            "oneOf": [
                {"type": "integer", "minimum": item.scale.min, "maximum": item.scale.max},
                {"enum": list(MISSING_REASONS)},
            ],
        }
        for item in kb.items
    }
    context: dict[str, object] = {}
    for field in kb.context_fields.values():
        spec: dict[str, object] = {"description": field.description.en}
        if field.type == "boolean":
            spec["type"] = "boolean"
        elif field.type == "enum":
            spec["enum"] = list(field.values)
        else:
            spec["type"] = field.type
        context[field.id] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Intake for {kb.id} {kb.version}",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answers": {"type": "object", "additionalProperties": False, "properties": answers},
            "context": {"type": "object", "additionalProperties": False, "properties": context},
        },
        "required": ["answers"],
    }


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
