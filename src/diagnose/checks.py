"""Checks that run a knowledge base against its own worked examples.

Every rule may carry `examples:` (factor levels, scores and context in; whether it fires out).
`run_examples` evaluates each one with the real engine, so a rule that does not do what its author
meant is caught before it reaches a client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnose._base import Model
from diagnose.conditions import context_key, level_key, score_key

if TYPE_CHECKING:
    from diagnose.conditions import RuleExample
    from diagnose.knowledge import KnowledgeBase

__all__ = ["ExampleResult", "run_examples"]


class ExampleResult(Model):
    """The outcome of one worked example.

    Attributes:
        rule: The rule the example belongs to.
        index: The example's position under the rule's `examples:`.
        description: The example's description, if any.
        expected: Whether the example says the rule fires.
        actual: Whether it fired.
    """

    rule: str
    index: int
    description: str | None
    expected: bool
    actual: bool

    @property
    def passed(self) -> bool:
        """Whether the rule did what the example says."""
        return self.expected == self.actual


def example_fact(example: RuleExample) -> dict[str, object]:
    """The fact an example stands for; factors it leaves out are not assessed."""
    fact: dict[str, object] = {level_key(f): level for f, level in example.levels.items()}
    fact.update({score_key(f): float(s) for f, s in example.scores.items()})
    fact.update({context_key(c): v for c, v in example.context.items()})
    return fact


def run_examples(kb: KnowledgeBase) -> tuple[ExampleResult, ...]:
    """Run every rule's worked examples through the engine.

    Example:
        >>> import diagnose
        >>> results = run_examples(diagnose.load_knowledge_base())
        >>> all(r.passed for r in results), len(results) > 0
        (True, True)
    """
    engine = kb.engine()
    results = []
    for rule in kb.rules:
        for index, example in enumerate(rule.examples):
            fired = engine.fired(example_fact(example))
            results.append(
                ExampleResult(
                    rule=rule.id,
                    index=index,
                    description=example.description,
                    expected=example.fires,
                    actual=rule.id in fired,
                )
            )
    return tuple(results)
