"""Shared building blocks of the models: the strict base class, ids and bilingual text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

#: An id in a knowledge base: lowercase letters, digits and underscores, starting with a letter.
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
#: Text that must say something.
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
#: A language the texts are written in.
Language = Literal["nl", "en"]
#: A factor's level; `low` always means "needs attention".
Level = Literal["low", "medium", "high"]
#: Every level, from least to most favourable.
LEVELS: tuple[Level, ...] = ("low", "medium", "high")


class Model(BaseModel):
    """Base of every model: immutable, strict, and a misspelled key is an error, never dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)


class Record(Model):
    """Base of results (diagnoses, reports): immutable and closed, but read back from plain data.

    Results are stored by applications as JSON or as documents; `model_validate` on the dict form
    (lists where the model has tuples) must give the same object back, so results are not strict.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class LocalizedText(Model):
    """A text in Dutch with English alongside.

    Example:
        >>> LocalizedText(nl="Geloof in eigen kunnen", en="Self-efficacy").get("en")
        'Self-efficacy'
    """

    nl: NonEmptyText
    en: NonEmptyText

    def get(self, language: Language) -> str:
        """Return the text in `language` (`nl` or `en`)."""
        return self.nl if language == "nl" else self.en
