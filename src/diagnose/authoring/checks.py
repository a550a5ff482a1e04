"""Checks that run a knowledge base against its own worked examples and cases.

Every rule may carry `examples:` (factor levels, scores and context in; whether it fires out), and
a knowledge base may carry a `cases/` folder of whole intakes with the advice they must get, or
the exact error they must be rejected with (like the DMN TCK's expected-error cases). `run_examples`
and `run_cases` evaluate them with the real engine, so a rule that does not do what its author
meant is caught before it reaches a client.

A case file:

```yaml
cases:
  - id: motivated_but_unsure
    description: Wants to work, has little faith it will work out.
    answers: {se_1: 1, se_2: 2, se_3: 1, mo_1: 5, mo_2: 4}
    expect:
      leading: [success_experiences]     # the first recommendations, in this order
      excludes: [job_matching]
  - id: answer_off_the_scale
    answers: {se_1: 9}
    expect_error: "item 'se_1': expected a whole number from 1 to 5, ..."
```
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from diagnose._base import Record
from diagnose.assessment.recommendation import assess
from diagnose.engine._cache import cycle_engine, rule_engine
from diagnose.errors import AnswerError, KnowledgeBaseError
from diagnose.knowledge._read import Reader
from diagnose.knowledge.cases import Case, CaseFile
from diagnose.knowledge.conditions import Facts

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge.conditions import RuleExample

__all__ = ["CaseResult", "ExampleResult", "run_cases", "run_examples"]


class ExampleResult(Record):
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


def example_fact(example: RuleExample, kb: KnowledgeBase | None = None) -> Facts:
    """The fact an example stands for; factors it leaves out are not assessed.

    A factor given only a score gets the level its thresholds give that score (with `kb`).
    """
    levels: dict[str, str] = dict(example.levels)
    for factor, value in example.scores.items():
        if kb is not None and factor not in example.levels and factor in kb.factors:
            levels[factor] = kb.factors[factor].thresholds.level(value)
    return Facts(levels, {f: float(s) for f, s in example.scores.items()}, dict(example.context))


def run_examples(kb: KnowledgeBase) -> tuple[ExampleResult, ...]:
    """Run every rule's worked examples through the engine.

    Examples:
        >>> import diagnose
        >>> results = run_examples(diagnose.load_knowledge_base())
        >>> all(r.passed for r in results), len(results) > 0
        (True, True)
    """
    engine = rule_engine(kb)
    results = []
    for rule in kb.rules:
        for index, example in enumerate(rule.examples):
            fired = engine.fired(example_fact(example, kb))
            results.append(
                ExampleResult(
                    rule=rule.id,
                    index=index,
                    description=example.description,
                    expected=example.fires,
                    actual=rule.id in fired,
                )
            )
    if kb.cycle_rules:
        cycles = cycle_engine(kb)
        for cycle_rule in kb.cycle_rules:
            for index, cycle_example in enumerate(cycle_rule.examples):
                fired = cycles.fired_cycle(cycle_example.facts, cycle_rule.scope)
                results.append(
                    ExampleResult(
                        rule=cycle_rule.id,
                        index=index,
                        description=cycle_example.description,
                        expected=cycle_example.fires,
                        actual=cycle_rule.id in fired,
                    )
                )
    return tuple(results)


class CaseResult(Record):
    """The outcome of one case: `problems` says what differed (empty when it passed)."""

    case: str
    file: str
    outcome: Literal["passed", "failed"]
    problems: tuple[str, ...]


def _case_problems(kb: KnowledgeBase, case: Case) -> list[str]:

    try:
        diagnosis = assess(case.answers, knowledge_base=kb, context=case.context)
    except AnswerError as exc:
        if case.expect_error is None:
            return [f"expected advice, but the intake was rejected: {exc}"]
        return (
            []
            if str(exc) == case.expect_error
            else [f"expected error {case.expect_error!r}, got {str(exc)!r}"]
        )
    if case.expect_error is not None:
        return [f"expected error {case.expect_error!r}, but the intake was accepted"]
    assert case.expect is not None  # noqa: S101 - the model requires one of the two
    got = [r.intervention for r in diagnosis.recommendations]
    problems = []
    expect = case.expect
    if expect.leading and tuple(got[: len(expect.leading)]) != expect.leading:
        problems.append(f"expected leading {list(expect.leading)}, got {got}")
    problems += [f"expected {i!r} among {got}" for i in expect.includes if i not in got]
    problems += [f"expected no {i!r}, got {got}" for i in expect.excludes if i in got]
    missing = [f for f in expect.not_assessed if f not in diagnosis.profile.not_assessed]
    problems += [f"expected {f!r} to be not assessed" for f in missing]
    return problems


def run_cases(kb: KnowledgeBase, cases: tuple[tuple[str, Case], ...] | None = None) -> tuple[CaseResult, ...]:
    """Run whole-intake cases: the knowledge base's own `cases/` folder, or the ones given.

    Args:
        kb: The knowledge base.
        cases: (file name, case) pairs; None for the cases the knowledge base carries.

    Examples:
        >>> import diagnose
        >>> results = run_cases(diagnose.load_knowledge_base())
        >>> [r.outcome for r in results if r.outcome != "passed"]
        []
    """
    chosen = kb.cases if cases is None else cases
    results = []
    for file, case in chosen:
        problems = _case_problems(kb, case)
        results.append(
            CaseResult(
                case=case.id, file=file, outcome="failed" if problems else "passed", problems=tuple(problems)
            )
        )
    return tuple(results)


def load_cases(path: str | Path) -> tuple[tuple[str, Case], ...]:
    """Read a case file, or every `*.yaml` case file in a folder, with located errors.

    Raises:
        KnowledgeBaseError: listing every problem as `file:line:col: path: message`.

    Examples:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> text = "cases: [{id: a, answers: {mo_1: 1}, expect: {excludes: [job_matching]}}]"
        >>> _ = (folder / "c.yaml").write_text(text)
        >>> [case.id for _, case in load_cases(folder)]
        ['a']
    """
    target = Path(path)
    root, names = (
        (target, sorted(p.name for p in target.glob("*.yaml")))
        if target.is_dir()
        else (target.parent, [target.name])
    )
    reader = Reader(root)
    out: list[tuple[str, Case]] = []
    for name in names:
        doc = reader.read(name)
        parsed = reader.validate(doc, CaseFile) if doc is not None else None
        if parsed is not None:
            out.extend((name, case) for case in parsed.cases)
    if reader.problems:
        raise KnowledgeBaseError(reader.problems)
    return tuple(out)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
