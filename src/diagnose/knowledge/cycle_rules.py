"""Step 3, adjusting: declarative cycle rules over a trajectory, run by durable-rules.

Cycle rules live in `cycle/*.yaml` beside `cycle/settings.yaml`. They read a fixed vocabulary of
facts that `review` works out from a trajectory on a given date:

| scope | fact | values |
| --- | --- | --- |
| goal | `review_passed` | true once the goal's review date has come |
| goal | `remeasured` | true when the client was measured again after the plan |
| goal | `progress` | `reached`, `some` (a meaningful step toward it), `none`, `unknown` |
| trajectory | `planned` | true when there is a plan |
| trajectory | `evaluated` | true once the trajectory was evaluated |
| trajectory | `evaluation_overdue` | true when the declared evaluation period has passed |

A rule suggests one of `remeasure`, `reconsider_intervention` (with the next-best alternative
for the goal's factor), `close_goal` or `evaluate`, with a priority and a rationale, like a
recommendation.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, StrictBool, Tag

from diagnose._base import Identifier, LocalizedText, Model, NonEmptyText
from diagnose.knowledge._tree import Conjunction, Disjunction, Negation, discriminator

__all__ = [
    "CYCLE_FACTS",
    "CycleAllOf",
    "CycleAnyOf",
    "CycleCondition",
    "CycleFact",
    "CycleNotOf",
    "CycleRule",
    "CycleRuleExample",
    "CycleRuleFile",
]

Scope = Literal["goal", "trajectory"]
Action = Literal["remeasure", "reconsider_intervention", "close_goal", "evaluate"]
FactName = Literal["review_passed", "remeasured", "progress", "planned", "evaluated", "evaluation_overdue"]
#: Each fact, its scope and the values it takes.
CYCLE_FACTS: dict[str, tuple[Scope, tuple[bool | str, ...]]] = {
    "review_passed": ("goal", (True, False)),
    "remeasured": ("goal", (True, False)),
    "progress": ("goal", ("reached", "some", "none", "unknown")),
    "planned": ("trajectory", (True, False)),
    "evaluated": ("trajectory", (True, False)),
    "evaluation_overdue": ("trajectory", (True, False)),
}


class CycleFact(Model):
    """A test on one fact: `{fact: progress, is: none}` or `in: [none, unknown]`."""

    fact: FactName
    is_: StrictBool | str | None = Field(default=None, alias="is")
    in_: tuple[StrictBool | str, ...] | None = Field(default=None, alias="in")

    def accepted(self) -> tuple[bool | str, ...]:
        """The accepted values."""
        if self.is_ is not None:
            return (self.is_,)
        return self.in_ or ()


class CycleAllOf(Conjunction["CycleCondition"]):
    """True when every condition is true."""


class CycleAnyOf(Disjunction["CycleCondition"]):
    """True when at least one condition is true."""


class CycleNotOf(Negation["CycleCondition"]):
    """True when the condition is false."""


CycleCondition = Annotated[
    Union[  # noqa: UP007 - pydantic needs the explicit Union for tagged members of a recursive type
        Annotated[CycleAllOf, Tag("all")],
        Annotated[CycleAnyOf, Tag("any")],
        Annotated[CycleNotOf, Tag("not")],
        Annotated[CycleFact, Tag("fact")],
    ],
    discriminator(
        {CycleAllOf: "all", CycleAnyOf: "any", CycleNotOf: "not", CycleFact: "fact"},
        ("all", "any", "not"),
        lambda value: "fact" if "fact" in value else None,
        "expected a condition: a mapping with 'fact', 'all', 'any' or 'not'",
    ),
]
CycleAllOf.model_rebuild()
CycleAnyOf.model_rebuild()
CycleNotOf.model_rebuild()


class CycleRuleExample(Model):
    """A worked example: facts in, whether the rule fires out."""

    description: NonEmptyText | None = None
    facts: dict[FactName, StrictBool | str]
    fires: bool


class CycleRule(Model):
    """A monitoring rule: when the facts hold, suggest an adjustment.

    Examples:
        >>> import diagnose
        >>> rule = diagnose.load_knowledge_base().cycle_rules[0]
        >>> rule.id, rule.scope, rule.suggest
        ('remeasure_after_review', 'goal', 'remeasure')
    """

    id: Identifier
    title: LocalizedText
    scope: Scope
    when: CycleCondition
    suggest: Action
    priority: int = Field(ge=1, le=9)
    rationale: LocalizedText
    sources: tuple[NonEmptyText, ...] = ()
    examples: tuple[CycleRuleExample, ...] = ()


class CycleRuleFile(Model):
    """The contents of one `cycle/*.yaml` rule file."""

    description: LocalizedText | None = None
    rules: tuple[CycleRule, ...] = Field(min_length=1)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
