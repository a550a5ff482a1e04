"""Recommendation rules and their conditions, with three-valued truth.

A condition is one of:

* `{factor: self_efficacy, level: low}` or `level: [low, medium]`: the factor's level is one of these;
* `{factor: motivation, score: {gte: 3.5}}`: the factor's score against `lt`, `lte`, `gt`, `gte`;
* `{context: has_young_children, is: true}`, `in: [...]` or bounds: a declared context field;
* `{all: [...]}`, `{any: [...]}`, `{not: ...}`: combinations.

A factor that is not assessed (or a context field that was not given) is *unknown*, not false:
conditions follow Kleene's three-valued logic, and a rule fires only when its condition is
definitely true. So a missing factor never triggers a rule, never stops an `any` from firing on
another branch, and a rule that needs it is reported as *undecided* instead of silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import Field, StrictBool, StrictFloat, StrictInt, Tag, model_validator

from diagnose._base import Identifier, Level, LocalizedText, Model, NonEmptyText
from diagnose.knowledge._tree import (
    Conjunction,
    Disjunction,
    Negation,
    atoms_at,
    discriminator,
    fold,
    iter_atoms,
    kleene_all,
    kleene_any,
    kleene_not,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "Conjunction",
    "ContextCondition",
    "Disjunction",
    "Facts",
    "LevelCondition",
    "Negation",
    "NotOf",
    "Rule",
    "RuleExample",
    "RuleFile",
    "ScoreCondition",
    "atoms_at",
    "fold",
    "iter_atoms",
    "truth",
]

#: What an atom reads: a factor's level or score, or a context field.
Slot = tuple[Literal["level", "score", "context"], str]

#: A value a context field can take.
ContextValue = StrictBool | StrictInt | StrictFloat | str
#: The comparison operators for scores and numbers, each with the test it stands for.
BOUNDS: Mapping[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}
#: The opposite of each bound, used to state "definitely false" without negation.
OPPOSITE_BOUND: Mapping[str, str] = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules see of one client: each assessed factor's level and score, the context given.

    A factor that is absent was not assessed, a field that is absent was not given: the
    conditions that read them are unknown. How the engine encodes a fact is its own business
    (`diagnose.engine._durable`); everything else passes these.

    Examples:
        >>> facts = Facts(levels={"health": "low"}, scores={"health": 1.5})
        >>> (facts | Facts(context={"in_treatment": True})).context
        {'in_treatment': True}
    """

    levels: Mapping[str, str] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    context: Mapping[str, object] = field(default_factory=dict)

    def __or__(self, other: Facts) -> Facts:
        """Both together; where both know something, `other` wins."""
        return Facts(
            {**self.levels, **other.levels},
            {**self.scores, **other.scores},
            {**self.context, **other.context},
        )


class _Bounded(Model):
    lt: StrictInt | StrictFloat | None = None
    lte: StrictInt | StrictFloat | None = None
    gt: StrictInt | StrictFloat | None = None
    gte: StrictInt | StrictFloat | None = None

    def bounds(self) -> dict[str, float]:
        """The bounds that are set, as operator → value."""
        return {op: float(v) for op in BOUNDS if (v := getattr(self, op)) is not None}

    def _check_bounds(self) -> None:
        if self.lt is not None and self.lte is not None:
            raise ValueError("give either 'lt' or 'lte', not both")
        if self.gt is not None and self.gte is not None:
            raise ValueError("give either 'gt' or 'gte', not both")

    def holds(self, value: float) -> bool:
        """Whether `value` lies within every bound, each compared as `BOUNDS` compares it.

        Written out, without building `bounds()`: rules call it once per score they read.
        """
        lt, lte, gt, gte = self.lt, self.lte, self.gt, self.gte
        return (
            (lt is None or value < float(lt))
            and (lte is None or value <= float(lte))
            and (gt is None or value > float(gt))
            and (gte is None or value >= float(gte))
        )


class ScoreBounds(_Bounded):
    """Bounds on a factor's score, e.g. `{gte: 3.5}`; at least one must be given."""

    @model_validator(mode="after")
    def _at_least_one(self) -> ScoreBounds:
        self._check_bounds()
        if not self.bounds():
            raise ValueError("give at least one of 'lt', 'lte', 'gt', 'gte'")
        return self


class LevelCondition(Model):
    """True when the factor is assessed and its level is one of `level`.

    Examples:
        >>> LevelCondition(factor="self_efficacy", level="low").levels()
        ('low',)
    """

    factor: Identifier
    level: Level | tuple[Level, ...]

    def levels(self) -> tuple[Level, ...]:
        """The accepted levels as a tuple."""
        return (self.level,) if isinstance(self.level, str) else self.level

    @property
    def reads(self) -> Slot:
        """What the test reads: the factor's level."""
        return ("level", self.factor)

    def points(self) -> tuple[float, ...]:
        """The numbers the test compares with: none."""
        return ()

    def truth(self, fact: Facts) -> bool | None:
        """Whether the factor's level is one of these; None when it is not assessed."""
        level = fact.levels.get(self.factor)
        return None if level is None else level in self.levels()


class ScoreCondition(Model):
    """True when the factor is assessed and its score lies within the bounds."""

    factor: Identifier
    score: ScoreBounds

    @property
    def reads(self) -> Slot:
        """What the test reads: the factor's score."""
        return ("score", self.factor)

    def points(self) -> tuple[float, ...]:
        """The numbers the test compares with: its bounds."""
        return tuple(self.score.bounds().values())

    def truth(self, fact: Facts) -> bool | None:
        """Whether the factor's score lies within the bounds; None when it is not assessed."""
        score = fact.scores.get(self.factor)
        return None if not isinstance(score, int | float) else self.score.holds(score)


class ContextCondition(_Bounded):
    """True when the context field was given and its value `is`, is `in`, or lies within bounds."""

    context: Identifier
    is_: ContextValue | None = Field(default=None, alias="is")
    in_: tuple[ContextValue, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> ContextCondition:
        self._check_bounds()
        given = [self.is_ is not None, self.in_ is not None, bool(self.bounds())]
        if sum(given) != 1:
            raise ValueError("give exactly one test: 'is', 'in', or bounds ('lt', 'lte', 'gt', 'gte')")
        return self

    def accepted(self) -> tuple[ContextValue, ...] | None:
        """The accepted values for `is`/`in`, or None for a bounded test."""
        if self.is_ is not None:
            return (self.is_,)
        return self.in_

    @property
    def reads(self) -> Slot:
        """What the test reads: the context field."""
        return ("context", self.context)

    def points(self) -> tuple[float, ...]:
        """The numbers the test compares with: its bounds, or the numbers among its values."""
        values = self.accepted() or tuple(self.bounds().values())
        return tuple(float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool))

    def truth(self, fact: Facts) -> bool | None:
        """Whether the value passes the test; None when the field was not given."""
        value = fact.context.get(self.context)
        if value is None:
            return None
        accepted = self.accepted()
        if accepted is not None:
            return any(_same(value, a) for a in accepted)
        return isinstance(value, int | float) and not isinstance(value, bool) and self.holds(value)


#: An atom of a recommendation rule's condition.
Atom = LevelCondition | ScoreCondition | ContextCondition


class AllOf(Conjunction["Condition"]):
    """True when every condition is true."""


class AnyOf(Disjunction["Condition"]):
    """True when at least one condition is true."""


class NotOf(Negation["Condition"]):
    """True when the condition is definitely false (not when it is unknown)."""


#: Tags of the condition kinds; they appear in pydantic's error locations and are stripped there.
CONDITION_TAGS = frozenset({"all-of", "any-of", "not-of", "factor-level", "factor-score", "context-value"})


def _atom_tag(value: dict[str, object]) -> str | None:
    if "context" in value:
        return "context-value"
    if "factor" in value:
        return "factor-score" if "score" in value else "factor-level"
    return None


Condition = Annotated[
    Union[  # noqa: UP007 - pydantic needs the explicit Union for tagged members of a recursive type
        Annotated[AllOf, Tag("all-of")],
        Annotated[AnyOf, Tag("any-of")],
        Annotated[NotOf, Tag("not-of")],
        Annotated[LevelCondition, Tag("factor-level")],
        Annotated[ScoreCondition, Tag("factor-score")],
        Annotated[ContextCondition, Tag("context-value")],
    ],
    discriminator(
        {
            AllOf: "all-of",
            AnyOf: "any-of",
            NotOf: "not-of",
            LevelCondition: "factor-level",
            ScoreCondition: "factor-score",
            ContextCondition: "context-value",
        },
        ("all-of", "any-of", "not-of"),
        _atom_tag,
        "expected a condition: a mapping with 'factor', 'context', 'all', 'any' or 'not'",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class RuleExample(Model):
    """A worked example of a rule: factor levels (and scores, context) in, whether it fires out.

    Factors left out of `levels` are not assessed.
    """

    description: NonEmptyText | None = None
    levels: dict[Identifier, Level] = Field(default_factory=dict)
    scores: dict[Identifier, StrictInt | StrictFloat] = Field(default_factory=dict)
    context: dict[Identifier, ContextValue] = Field(default_factory=dict)
    fires: bool


class Rule(Model):
    """A recommendation rule: when the condition holds, suggest the intervention.

    Attributes:
        id: Unique across the knowledge base.
        title: A short name, in both languages.
        when: The condition (see the module docs).
        recommend: The id of the intervention it suggests.
        priority: 1 is the most urgent; ties are broken by evidence, then by id.
        rationale: Why, in words a client manager can pass on.
        explanation: Why, for the client: addressed to them ("u", "you"), in plain words (B1 Dutch).
            `diagnose.explain` shows it, or the rationale when it is left out.
        examples: Worked examples; the checker runs them.
        no_barrier: Advice for when no barrier is present; only such a rule may stop firing
            when a barrier factor gets worse.
        sources: Where the reasoning of the rule is documented.
    """

    id: Identifier
    title: LocalizedText
    when: Condition
    recommend: Identifier
    priority: int = Field(ge=1, le=9)
    rationale: LocalizedText
    explanation: LocalizedText | None = None
    no_barrier: bool = False
    sources: tuple[NonEmptyText, ...] = ()
    examples: tuple[RuleExample, ...] = ()


class RuleFile(Model):
    """The contents of one `recommend/*.yaml` file."""

    description: LocalizedText | None = None
    rules: tuple[Rule, ...] = Field(min_length=1)


def truth(condition: Condition, fact: Facts) -> bool | None:
    """Evaluate a condition over a fact in three-valued logic.

    Args:
        condition: The condition.
        fact: The levels, scores and context known; what is absent is "not assessed" or "not
            given".

    Returns:
        True or False when decided; None when the answer depends on something unknown.

    Examples:
        >>> c = LevelCondition(factor="health", level="low")
        >>> low, high = Facts(levels={"health": "low"}), Facts(levels={"health": "high"})
        >>> truth(c, low), truth(c, high), truth(c, Facts())
        (True, False, None)
    """
    return fold(condition, atom=lambda a: a.truth(fact), all_=kleene_all, any_=kleene_any, not_=kleene_not)


def _same(a: object, b: object) -> bool:
    """Equality that keeps booleans apart from the numbers 0 and 1."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
