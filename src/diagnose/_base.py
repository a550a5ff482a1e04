"""Shared building blocks of the models: the strict base class, ids and bilingual text."""

from __future__ import annotations

import itertools
import linecache
import weakref
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import CodeType

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


def reaches(level: str, target: str) -> bool:
    """Whether a level is at least a target level (`low` < `medium` < `high`)."""
    return LEVELS.index(level) >= LEVELS.index(target)


class Model(BaseModel):
    """Base of every model: immutable, strict, and a misspelled key is an error, never dropped."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)


class Record(Model):
    """Base of results (diagnoses, reports): immutable and closed, but read back from plain data.

    Results are stored by applications as JSON or as documents; `model_validate` on the dict form
    (lists where the model has tuples) must give the same object back, so results are not strict.
    No result holds NaN or an infinity, so reading one back refuses them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, allow_inf_nan=False)


class LocalizedText(Model):
    """A text in Dutch with English alongside.

    Examples:
        >>> LocalizedText(nl="Geloof in eigen kunnen", en="Self-efficacy").get("en")
        'Self-efficacy'
    """

    nl: NonEmptyText
    en: NonEmptyText

    def get(self, language: Language) -> str:
        """Return the text in `language` (`nl` or `en`)."""
        return self.nl if language == "nl" else self.en


R = TypeVar("R", bound=BaseModel)
_set = object.__setattr__


def construct(cls: type[R], **values: Any) -> R:  # noqa: ANN401 - field values of any model
    """Build a model from values that are already complete and checked, without validating them.

    It sets what pydantic's `model_construct` sets, without its per-field work (defaults,
    aliases): the pipeline builds dozens of result objects per intake from checked data, and
    this was most of its time. Callers pass every field; tests round-trip the results through
    JSON to keep it honest.
    """
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_generated = itertools.count(1)


def compile_source(source: str, name: str) -> CodeType:
    r"""Compile generated Python, registered with `linecache` so that tracebacks show its lines.

    Each call gets a file name of its own (`<name #n>`), so sources never overwrite each other.

    Examples:
        >>> import linecache
        >>> code = compile_source("x = 1\ny = x + 1\n", "demo")
        >>> linecache.getline(code.co_filename, 2)
        'y = x + 1\n'
    """
    filename = f"<{name} #{next(_generated)}>"
    # mtime None: linecache.checkcache keeps the entry (there is no file to compare it with).
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return compile(source, filename, "exec")


def suggest(name: str, known: Mapping[str, Any] | tuple[str, ...] | list[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest known name, or an empty string.

    A name that differs only in case (`SE_1` for `se_1`) is always suggested.

    Examples:
        >>> suggest("SE_1", ["se_1", "se_2"]), suggest("se1", ["se_1"]), suggest("xyz", ["se_1"])
        (" (did you mean 'se_1'?)", " (did you mean 'se_1'?)", '')
    """
    import difflib  # noqa: PLC0415 - only needed on the error path

    folded = name.casefold()
    if same := next((k for k in known if k.casefold() == folded and k != name), None):
        return f" (did you mean {same!r}?)"
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def run_generated(source: str, name: str, namespace: dict[str, Any], owner: object) -> None:
    """Run generated code in `namespace` (`compile_source`), its lines kept while `owner` lives.

    When `owner` (the object that uses the code) is gone, its source leaves `linecache` again.
    """
    code = compile_source(source, name)
    weakref.finalize(owner, linecache.cache.pop, code.co_filename, None)
    exec(code, namespace)  # noqa: S102 - the callers generate it from a checked knowledge base


def number(value: float, language: Language, spec: str = "g") -> str:
    """Format `value` with the format `spec`, with the decimal separator of `language`.

    Examples:
        >>> number(1.5, "nl", ".2f"), number(1.5, "en", ".2f"), number(3.75, "nl")
        ('1,50', '1.50', '3,75')
    """
    text = format(value, spec)
    return text.replace(".", ",") if language == "nl" else text
