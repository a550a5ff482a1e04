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

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar, Union, overload

from pydantic import Discriminator, Field, StrictBool, StrictFloat, StrictInt, Tag, model_validator

from diagnose._base import Identifier, Level, LocalizedText, Model, NonEmptyText

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from diagnose.knowledge.cycle_rules import CycleCondition, CycleFact

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "Conjunction",
    "ContextCondition",
    "Disjunction",
    "LevelCondition",
    "Negation",
    "NotOf",
    "Rule",
    "RuleExample",
    "RuleFile",
    "ScoreCondition",
    "atoms_at",
    "context_key",
    "fold",
    "iter_atoms",
    "level_key",
    "score_key",
    "truth",
]

#: The condition type of a family of rules (recommendation rules, cycle rules).
C = TypeVar("C")
#: What a fold makes of a condition.
R = TypeVar("R")
Loc = tuple[str | int, ...]
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

    @property
    def reads(self) -> Slot:
        """What the test reads: the factor's level."""
        return ("level", self.factor)

    def points(self) -> tuple[float, ...]:
        """The numbers the test compares with: none."""
        return ()

    def truth(self, fact: Mapping[str, object]) -> bool | None:
        """Whether the factor's level is one of these; None when it is not assessed."""
        level = fact.get(level_key(self.factor))
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

    def truth(self, fact: Mapping[str, object]) -> bool | None:
        """Whether the factor's score lies within the bounds; None when it is not assessed."""
        score = fact.get(score_key(self.factor))
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

    def truth(self, fact: Mapping[str, object]) -> bool | None:
        """Whether the value passes the test; None when the field was not given."""
        value = fact.get(context_key(self.context))
        if value is None:
            return None
        accepted = self.accepted()
        if accepted is not None:
            return any(_same(value, a) for a in accepted)
        return isinstance(value, int | float) and not isinstance(value, bool) and self.holds(value)


#: An atom of a recommendation rule's condition.
Atom = LevelCondition | ScoreCondition | ContextCondition


class Conjunction(Model, Generic[C]):
    """`{all: [...]}` over the conditions `C` of a family of rules: true when every one is true.

    The combinators are shared by every family (`AllOf` here, `CycleAllOf` for cycle rules);
    only the atoms differ. `fold` is the one walk over a tree of them.
    """

    all_: tuple[C, ...] = Field(alias="all", min_length=1)


class Disjunction(Model, Generic[C]):
    """`{any: [...]}` over the conditions `C` of a family: true when at least one is true."""

    any_: tuple[C, ...] = Field(alias="any", min_length=1)


class Negation(Model, Generic[C]):
    """`{not: ...}` over a condition `C` of a family: true when it is definitely false."""

    not_: C = Field(alias="not")


@overload
def fold(
    condition: Condition,
    *,
    atom: Callable[[Atom], R],
    all_: Callable[[list[R]], R],
    any_: Callable[[list[R]], R],
    not_: Callable[[R], R],
) -> R: ...
@overload
def fold(
    condition: CycleCondition,
    *,
    atom: Callable[[CycleFact], R],
    all_: Callable[[list[R]], R],
    any_: Callable[[list[R]], R],
    not_: Callable[[R], R],
) -> R: ...
def fold(
    condition: Any,
    *,
    atom: Callable[[Any], R],
    all_: Callable[[list[R]], R],
    any_: Callable[[list[R]], R],
    not_: Callable[[R], R],
) -> R:
    """Fold a condition bottom-up: each atom by `atom`, each combinator by its function.

    This is the only walk that knows the combinators, for every family of rules; the others
    (truth, the engine's compiler, the catalogue's words, the solver's clauses) are folds, and
    `atoms_at` lists the atoms with their locations.

    Examples:
        >>> c = AllOf.model_validate_json(
        ...     '{"all": [{"factor": "a", "level": "low"}, {"not": {"factor": "b", "level": "high"}}]}'
        ... )
        >>> fold(c, atom=lambda a: a.reads[1], all_=" & ".join, any_=" | ".join, not_="~{}".format)
        'a & ~b'
    """

    def walk(node: object) -> R:
        if isinstance(node, Conjunction):
            return all_([walk(child) for child in node.all_])
        if isinstance(node, Disjunction):
            return any_([walk(child) for child in node.any_])
        if isinstance(node, Negation):
            return not_(walk(node.not_))
        return atom(node)

    return walk(condition)


_Found = list[tuple[Loc, Any]]


@overload
def atoms_at(condition: Condition, loc: Loc = ()) -> Iterator[tuple[Loc, Atom]]: ...
@overload
def atoms_at(condition: CycleCondition, loc: Loc = ()) -> Iterator[tuple[Loc, CycleFact]]: ...
def atoms_at(condition: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """Yield every atom of a condition with its location (`loc` extended by `all`, 0, ...), depth first.

    Examples:
        >>> c = NotOf.model_validate_json('{"not": {"any": [{"context": "x", "is": 1}]}}')
        >>> [(loc, a.reads) for loc, a in atoms_at(c, ("when",))]
        [(('when', 'not', 'any', 0), ('context', 'x'))]
    """

    def under(key: str) -> Callable[[list[_Found]], _Found]:
        return lambda parts: [((key, n, *at), a) for n, part in enumerate(parts) for at, a in part]

    def atom(a: object) -> _Found:
        return [((), a)]

    found = fold(
        condition,
        atom=atom,
        all_=under("all"),
        any_=under("any"),
        not_=lambda part: [(("not", *at), a) for at, a in part],
    )
    return iter([((*loc, *at), a) for at, a in found])


@overload
def iter_atoms(condition: Condition) -> Iterator[Atom]: ...
@overload
def iter_atoms(condition: CycleCondition) -> Iterator[CycleFact]: ...
def iter_atoms(condition: Any) -> Iterator[Any]:
    """Yield every atom inside a condition, depth first."""
    return (atom for _, atom in atoms_at(condition))


def kleene_all(values: list[bool | None]) -> bool | None:
    """Three-valued `and`: false if one is false, else unknown if one is unknown, else true."""
    return False if False in values else (None if None in values else True)


def kleene_any(values: list[bool | None]) -> bool | None:
    """Three-valued `or`: true if one is true, else unknown if one is unknown, else false."""
    return True if True in values else (None if None in values else False)


def kleene_not(value: bool | None) -> bool | None:  # noqa: FBT001 - a truth value, as a fold passes it
    """Three-valued `not`: unknown stays unknown."""
    return None if value is None else not value


def discriminator(
    members: Mapping[type, str],
    combinator_tags: tuple[str, str, str],
    atom_tag: Callable[[dict[str, object]], str | None],
    message: str,
) -> Discriminator:
    """The discriminator of a family's condition union.

    Args:
        members: Each model class of the family → its tag.
        combinator_tags: The tags of the family's `all`, `any` and `not` classes.
        atom_tag: The tag of a mapping that is no combinator (None when it is no atom either).
        message: The error when a value is none of them (`condition_kind`).
    """

    def tag(value: object) -> str | None:
        if isinstance(value, Model):
            return members.get(type(value))
        if not isinstance(value, dict):
            return None
        for key, found in zip(("all", "any", "not"), combinator_tags, strict=True):
            if key in value:
                return found
        return atom_tag(value)

    return Discriminator(tag, custom_error_type="condition_kind", custom_error_message=message)


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


def truth(condition: Condition, fact: Mapping[str, object]) -> bool | None:
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
    return fold(condition, atom=lambda a: a.truth(fact), all_=kleene_all, any_=kleene_any, not_=kleene_not)


def _same(a: object, b: object) -> bool:
    """Equality that keeps booleans apart from the numbers 0 and 1."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
