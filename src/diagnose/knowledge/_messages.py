"""Pydantic's validation errors in the words of a knowledge-base author, with where they point."""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from diagnose._base import suggest
from diagnose.knowledge._kb_models import PATTERN_MEANINGS
from diagnose.knowledge._yaml import shown
from diagnose.knowledge.conditions import (
    CONDITION_TAGS,
    AllOf,
    AnyOf,
    ContextCondition,
    LevelCondition,
    NotOf,
    ScoreCondition,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

_TAG_MODELS: dict[str, type[BaseModel]] = {
    "all-of": AllOf,
    "any-of": AnyOf,
    "not-of": NotOf,
    "factor-level": LevelCondition,
    "factor-score": ScoreCondition,
    "context-value": ContextCondition,
}


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a location as `rules[3].when.all[0].factor`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if out else _key(part))
    return out


def _key(part: str) -> str:
    """A key as a path shows it: escaped when it holds control characters, cut short when long."""
    text = part if part.isprintable() else repr(part)[1:-1]
    return text if len(text) <= 40 else f"{text[:30]}..."  # noqa: PLR2004 - keep messages one line


def describe_value(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return shown(value)  # a file that is no knowledge-base file shows only its start, escaped
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text):,} characters)"  # noqa: PLR2004 - one line


def resolve_loc(data: object, loc: Loc) -> Loc:
    """Keep the parts of a pydantic location that exist in the data (drops tags and union labels).

    The first part that does not exist (a missing key) is kept, and the walk stops there.
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114 - mypy narrows each arm
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and (part in CONDITION_TAGS or "[" in part or part in _LABELS):
            continue
        else:
            out.append(part)
            break
        out.append(part)
    return tuple(out)


_LABELS = frozenset({"str", "int", "float", "bool", "none", "function-after", "tuple", "list", "dict"})


def allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:  # noqa: C901 - one branch per typing form
    """The keys a mapping at `loc` may have, found by walking the model's annotations."""
    candidates: list[Any] = [model]
    for part in loc:
        if isinstance(part, str) and part in _TAG_MODELS:
            candidates = [_TAG_MODELS[part]]
            continue
        following: list[Any] = []
        for candidate in _flatten(candidates):
            if isinstance(part, int) and typing.get_origin(candidate) in {tuple, list}:
                following.extend(a for a in typing.get_args(candidate) if a is not Ellipsis)
            elif isinstance(part, str) and typing.get_origin(candidate) is dict:
                following.append(typing.get_args(candidate)[1])
            elif isinstance(part, str) and isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, field in candidate.model_fields.items():
                    if part in {name, field.alias}:
                        following.append(field.annotation)
        candidates = following or candidates
    keys: list[str] = []
    for candidate in _flatten(candidates):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            keys.extend(f.alias or n for n, f in candidate.model_fields.items())
    return keys


def _flatten(types_: list[Any]) -> Iterator[Any]:
    for t in types_:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            yield from _flatten([typing.get_args(t)[0]])
        elif origin in {typing.Union, types.UnionType}:
            yield from _flatten(list(typing.get_args(t)))
        else:
            yield t


#: What each plain pydantic error type means, in our words (the input is added after it).
_EXPECTED = {
    "string_pattern_mismatch": (
        "expected an id of lowercase letters, digits and underscores that starts with a letter"
    ),
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "int_or_float_type": "expected a number",
    "bool_type": "expected true or false",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def message_of(err: Any) -> str:  # noqa: ANN401, PLR0911 - pydantic's ErrorDetails; one exit per kind
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    got = f", got {describe_value(value)}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MEANINGS:
        return PATTERN_MEANINGS[ctx["pattern"]] + got
    if kind in _EXPECTED:
        return _EXPECTED[kind] + got
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
        hint = suggest(value, options) if isinstance(value, str) else ""
        return f"expected {expected}{got}{hint}"
    if kind == "string_type":
        return f"expected text{got}" + (" (put it in quotes)" if isinstance(value, int | float) else "")
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return "must not be empty"
    if kind == "too_short":
        least = ctx.get("min_length")
        entries = "entry" if least == 1 else "entries"
        return f"expected at least {least} {entries}, got {ctx.get('actual_length')}"
    if kind in {"greater_than_equal", "less_than_equal"}:
        bound = f"at least {ctx.get('ge')}" if kind == "greater_than_equal" else f"at most {ctx.get('le')}"
        return f"expected a number of {bound}{got}"
    return str(err["msg"]).removeprefix("Value error, ")
