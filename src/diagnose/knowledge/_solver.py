"""Rule conditions as propositional clauses, for the static analysis (`diagnose.authoring.analysis`).

Each variable (a factor, or a context field) takes one value of its finite domain (see
`analysis._Space`), or is unknown: one boolean per value plus one for "unknown", exactly one of
them true. Every condition gets two booleans, *definitely true* and *definitely false*, defined
from its parts the way `conditions.truth` computes them (Kleene's logic, in "dual rail":
`not` swaps the two, `all` is true when every part is and false when one is, `any` the other way
round), so a model of the clauses is a profile, and the three-valued truth of every condition in
it is exactly what `truth` says. The questions of the analysis become satisfiability questions
with assumptions, answered by a CDCL SAT solver (CaDiCaL, through python-sat) that keeps everything it
learns between them.

A question may be given a conflict budget: when the solver runs out of it, the answer is None
("undecided"), never a guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool
from pysat.solvers import Solver

from diagnose.knowledge._tree import fold
from diagnose.knowledge.conditions import Facts

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from diagnose.knowledge.conditions import Atom, Condition

__all__ = ["Encoding", "variable_of"]

Value = Facts
Rail = tuple[int, int]  # literals: (definitely true, definitely false)
#: The solver: CaDiCaL 1.5.3 was the fastest of those tried here on many small questions under
#: assumptions (2.0 s for a generated 1,000-rule knowledge base, in the first version of this
#: module; MiniSat 2.2 2.6 s, Glucose 4 2.7 s), and it keeps to a conflict budget (Glucose,
#: through python-sat, ignores it).
SOLVER = "cadical153"


def variable_of(atom: Atom) -> str:
    """The variable an atom reads: the factor's id (its level and score), or `context:<field>`."""
    kind, name = atom.reads
    return f"context:{name}" if kind == "context" else name


class Encoding:
    """The clauses of a knowledge base's variables and conditions, in one incremental solver.

    Args:
        domains: Each variable's values (fact fields it sets); "unknown" is added to each.
        budget: Conflicts one question may take; None for no limit.
        outcomes: A memo of which values make each atom true and false (by the atom's id), to
            share between encodings of the same domains (the atoms must outlive it).
    """

    def __init__(
        self,
        domains: Mapping[str, Sequence[Value]],
        budget: int | None = None,
        outcomes: dict[int, tuple[list[int], list[int]]] | None = None,
    ) -> None:
        if budget is not None and budget < 1:
            raise ValueError(f"a conflict budget is at least 1, got {budget}")
        self.domains = domains
        self.budget = budget
        self._pool = IDPool()
        self._solver = Solver(name=SOLVER)
        self._true = self._id(("true",))
        self._solver.add_clause([self._true])
        self._values: dict[str, list[int]] = {}  # variable -> a literal per value, then "unknown"
        self._rails: dict[tuple[int, tuple[tuple[str, str], ...]], Rail] = {}
        self._keep: list[Condition] = []  # the encoded conditions stay alive, so their ids do
        self._gates: dict[tuple[str, tuple[int, ...]], int] = {}
        self._outcomes = outcomes if outcomes is not None else {}

    def _id(self, name: object) -> int:
        return int(self._pool.id(name))

    def close(self) -> None:
        """Free the solver."""
        self._solver.delete()

    # --- variables ---------------------------------------------------------------------------

    def values(self, variable: str, copy: str = "") -> list[int]:
        """One literal per domain value of the variable (in domain order), then one for unknown.

        A `copy` is an independent variable with the same domain (used to compare two profiles).
        """
        name = f"{variable}#{copy}" if copy else variable
        if name not in self._values:
            lits = [self._id((name, i)) for i in range(len(self.domains[variable]) + 1)]
            self._values[name] = lits
            exactly_one = CardEnc.equals(lits, bound=1, vpool=self._pool, encoding=EncType.ladder)
            self._solver.append_formula(exactly_one.clauses)
        return self._values[name]

    def unknown(self, variable: str, copy: str = "") -> int:
        """The literal "the variable is unknown (not assessed, not given)"."""
        return self.values(variable, copy)[-1]

    def either(self, lits: Sequence[int]) -> int:
        """A literal equivalent to the disjunction of `lits`."""
        return self._define_or(list(lits))

    def guard(self, name: str) -> int:
        """A literal to switch clauses on only for the questions that assume it."""
        return self._id(("guard", name))

    def add_clause(self, clause: Sequence[int]) -> None:
        """Add a clause for good."""
        self._solver.add_clause(list(clause))

    # --- conditions --------------------------------------------------------------------------

    def rail(self, condition: Condition, copies: Mapping[str, str] | None = None) -> Rail:
        """The (definitely true, definitely false) literals of a condition.

        Args:
            condition: The condition.
            copies: Variable → copy name, for variables read from a copy instead.
        """
        renamed = tuple(sorted((copies or {}).items()))
        key = (id(condition), renamed)
        if key not in self._rails:
            self._keep.append(condition)
            self._rails[key] = self._rail(condition, dict(renamed))
        return self._rails[key]

    def _rail(self, condition: Condition, copies: Mapping[str, str]) -> Rail:
        def all_(parts: list[Rail]) -> Rail:
            return self._define_and([t for t, _ in parts]), self._define_or([f for _, f in parts])

        def any_(parts: list[Rail]) -> Rail:
            return self._define_or([t for t, _ in parts]), self._define_and([f for _, f in parts])

        return fold(
            condition,
            atom=lambda atom: self._atom_rail(atom, copies),
            all_=all_,
            any_=any_,
            not_=lambda rail: (rail[1], rail[0]),
        )

    def _atom_rail(self, atom: Atom, copies: Mapping[str, str]) -> Rail:
        variable = variable_of(atom)
        lits = self.values(variable, copies.get(variable, ""))
        if id(atom) not in self._outcomes:
            outcomes = [atom.truth(value) for value in self.domains[variable]]
            self._outcomes[id(atom)] = (
                [i for i, out in enumerate(outcomes) if out is True],
                [i for i, out in enumerate(outcomes) if out is False],
            )
        when_true, when_false = self._outcomes[id(atom)]
        return self._define_or([lits[i] for i in when_true]), self._define_or([lits[i] for i in when_false])

    def _define_or(self, lits: list[int]) -> int:
        """A literal equivalent to the disjunction (defined once per set of literals)."""
        unique = sorted(set(lits))
        if self._true in unique:
            return self._true
        unique = [lit for lit in unique if lit != -self._true]
        if not unique:
            return -self._true
        if len(unique) == 1:
            return unique[0]
        key = ("or", tuple(unique))
        if key not in self._gates:
            out = self._gates[key] = self._id(key)
            self._solver.add_clause([-out, *unique])
            for lit in unique:
                self._solver.add_clause([-lit, out])
        return self._gates[key]

    def _define_and(self, lits: list[int]) -> int:
        """A literal equivalent to the conjunction: the negation of the disjunction of negations."""
        return -self._define_or([-lit for lit in lits])

    # --- questions ---------------------------------------------------------------------------

    def solve(self, assumptions: Sequence[int]) -> bool | None:
        """Whether the clauses and assumptions have a model; None when the budget ran out."""
        if self.budget is None:
            return bool(self._solver.solve(assumptions=list(assumptions)))
        self._solver.conf_budget(self.budget)
        answer = self._solver.solve_limited(assumptions=list(assumptions))
        return None if answer is None else bool(answer)

    def model_values(self, variables: Sequence[str]) -> dict[str, int | None]:
        """After a satisfiable question: the index of each variable's value, None when unknown."""
        model = set(self._solver.get_model() or ())
        out: dict[str, int | None] = {}
        for variable in variables:
            lits = self.values(variable)
            index = next(i for i, lit in enumerate(lits) if lit in model)
            out[variable] = None if index == len(lits) - 1 else index
        return out
