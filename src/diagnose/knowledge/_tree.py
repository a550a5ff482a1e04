"""The combinators of every condition language (`all`, `any`, `not`) and the one fold over a tree of them.

Recommendation rules (`diagnose.knowledge.conditions`) and cycle rules
(`diagnose.knowledge.cycle_rules`) differ only in their atoms: each family subclasses these
combinators with its own condition type (`AllOf(Conjunction[Condition])`, `CycleAllOf(...)`), and
every walk over a condition (truth, the engine's compiler, the checks, the catalogue, the
solver) is a `fold`, so a new combinator is added here and in the folds' arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pydantic import Discriminator, Field

from diagnose._base import Model

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from diagnose.knowledge.conditions import Atom, Condition
    from diagnose.knowledge.cycle_rules import CycleCondition, CycleFact

__all__ = [
    "Conjunction",
    "Disjunction",
    "Negation",
    "atoms_at",
    "discriminator",
    "fold",
    "iter_atoms",
    "kleene_all",
    "kleene_any",
    "kleene_not",
]

#: The condition type of a family of rules (recommendation rules, cycle rules).
C = TypeVar("C")
#: What a fold makes of a condition.
R = TypeVar("R")
#: A location in a file: keys and indexes.
Loc = tuple[str | int, ...]


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
        >>> from diagnose.knowledge.conditions import AllOf, NotOf
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
        >>> from diagnose.knowledge.conditions import NotOf
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
