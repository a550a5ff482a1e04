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

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Discriminator, Field, StrictBool, StrictFloat, StrictInt, Tag, model_validator

from diagnose._base import Identifier, Level, LocalizedText, Model, NonEmptyText

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "ContextCondition",
    "LevelCondition",
    "NotOf",
    "Rule",
    "RuleExample",
    "RuleFile",
    "ScoreCondition",
    "context_key",
    "level_key",
    "score_key",
    "truth",
]

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


def level_key(factor: str) -> str:
    """Name of the fact field holding a factor's level (absent when not assessed)."""
    return f"l__{factor}"


def score_key(factor: str) -> str:
    """Name of the fact field holding a factor's score (absent when not assessed)."""
    return f"s__{factor}"


def context_key(field: str) -> str:
    """Name of the fact field holding a context value (absent when not given)."""
    return f"c__{field}"


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
        """Whether `value` lies within every bound."""
        return all(BOUNDS[op](value, bound) for op, bound in self.bounds().items())


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


class ScoreCondition(Model):
    """True when the factor is assessed and its score lies within the bounds."""

    factor: Identifier
    score: ScoreBounds


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


class AllOf(Model):
    """True when every condition is true."""

    all_: tuple[Condition, ...] = Field(alias="all", min_length=1)


class AnyOf(Model):
    """True when at least one condition is true."""

    any_: tuple[Condition, ...] = Field(alias="any", min_length=1)


class NotOf(Model):
    """True when the condition is definitely false (not when it is unknown)."""

    not_: Condition = Field(alias="not")


#: Tags of the condition kinds; they appear in pydantic's error locations and are stripped there.
CONDITION_TAGS = frozenset({"all-of", "any-of", "not-of", "factor-level", "factor-score", "context-value"})


def _condition_tag(value: object) -> str | None:
    if isinstance(value, Model):
        return {
            AllOf: "all-of",
            AnyOf: "any-of",
            NotOf: "not-of",
            LevelCondition: "factor-level",
            ScoreCondition: "factor-score",
            ContextCondition: "context-value",
        }.get(type(value))
    if not isinstance(value, dict):
        return None
    for key, tag in (
        ("all", "all-of"),
        ("any", "any-of"),
        ("not", "not-of"),
        ("context", "context-value"),
    ):
        if key in value:
            return tag
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
    Discriminator(
        _condition_tag,
        custom_error_type="condition_kind",
        custom_error_message=(
            "expected a condition: a mapping with 'factor', 'context', 'all', 'any' or 'not'"
        ),
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
    no_barrier: bool = False
    sources: tuple[NonEmptyText, ...] = ()
    examples: tuple[RuleExample, ...] = ()


class RuleFile(Model):
    """The contents of one `recommend/*.yaml` file."""

    description: LocalizedText | None = None
    rules: tuple[Rule, ...] = Field(min_length=1)


def iter_atoms(
    condition: Condition,
) -> Iterator[LevelCondition | ScoreCondition | ContextCondition]:
    """Yield every factor and context test inside a condition, depth first."""
    if isinstance(condition, AllOf):
        for child in condition.all_:
            yield from iter_atoms(child)
    elif isinstance(condition, AnyOf):
        for child in condition.any_:
            yield from iter_atoms(child)
    elif isinstance(condition, NotOf):
        yield from iter_atoms(condition.not_)
    else:
        yield condition


def truth(condition: Condition, fact: Mapping[str, object]) -> bool | None:  # noqa: PLR0911 - one return per kind
    """Evaluate a condition over a fact in three-valued logic.

    Args:
        condition: The condition.
        fact: Field → value, keyed by `level_key`, `score_key` and `context_key`; a missing key
            means "not assessed" or "not given".

    Returns:
        True or False when decided; None when the answer depends on something unknown.

    Examples:
        >>> c = LevelCondition(factor="health", level="low")
        >>> truth(c, {"l__health": "low"}), truth(c, {"l__health": "high"}), truth(c, {})
        (True, False, None)
    """
    if isinstance(condition, AllOf):
        results = [truth(c, fact) for c in condition.all_]
        return False if False in results else (None if None in results else True)
    if isinstance(condition, AnyOf):
        results = [truth(c, fact) for c in condition.any_]
        return True if True in results else (None if None in results else False)
    if isinstance(condition, NotOf):
        inner = truth(condition.not_, fact)
        return None if inner is None else not inner
    if isinstance(condition, LevelCondition):
        level = fact.get(level_key(condition.factor))
        return None if level is None else level in condition.levels()
    if isinstance(condition, ScoreCondition):
        score = fact.get(score_key(condition.factor))
        return None if not isinstance(score, int | float) else condition.score.holds(score)
    value = fact.get(context_key(condition.context))
    if value is None:
        return None
    accepted = condition.accepted()
    if accepted is not None:
        return any(_same(value, a) for a in accepted)
    return isinstance(value, int | float) and not isinstance(value, bool) and condition.holds(value)


def _same(a: object, b: object) -> bool:
    """Equality that keeps booleans apart from the numbers 0 and 1."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
