"""Vignette cases: whole intakes with the advice a reviewer expects, stored beside the rules."""

from __future__ import annotations

from pydantic import Field, JsonValue, model_validator

from diagnose._base import Identifier, Model, NonEmptyText

__all__ = ["Case", "CaseFile", "Expectation"]


class Expectation(Model):
    """What a case must get: leading advice in order, advice included or excluded, unscored factors."""

    leading: tuple[Identifier, ...] = ()
    includes: tuple[Identifier, ...] = ()
    excludes: tuple[Identifier, ...] = ()
    not_assessed: tuple[Identifier, ...] = ()


class Case(Model):
    """A whole intake and the advice it must get, or the exact error it must be rejected with."""

    id: Identifier
    description: NonEmptyText | None = None
    answers: dict[str, JsonValue] = Field(default_factory=dict)
    context: dict[str, JsonValue] = Field(default_factory=dict)
    expect: Expectation | None = None
    expect_error: NonEmptyText | None = None

    @model_validator(mode="after")
    def _one_expectation(self) -> Case:
        if (self.expect is None) == (self.expect_error is None):
            raise ValueError("give exactly one of 'expect' and 'expect_error'")
        return self


class CaseFile(Model):
    """The contents of one `cases/*.yaml` file."""

    cases: tuple[Case, ...] = Field(min_length=1)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
