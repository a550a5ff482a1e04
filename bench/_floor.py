"""The floor the benchmark compares durable-rules with: the same compiled rules, run as Python.

Not part of the library: `bench/run.py` times it beside the engine, and the tests use it as an
oracle (`tests/test_floor.py` checks that it fires what durable-rules fires).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose._base import compile_source
from diagnose.engine._durable import CATCH_ALL, compile_ruleset, encode, fact_fields
from diagnose.errors import EngineError

if TYPE_CHECKING:
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge.conditions import Facts

__all__ = ["PythonRules"]

_PY_OPS = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}


def _python_expr(expr: dict[str, Any]) -> str:
    """The Python expression over fact `f` that means what a durable condition means.

    Fields absent from the fact make a comparison false, as in durable-rules.
    """
    (key, value), *rest = expr.items()
    if rest:
        raise EngineError(f"cannot translate a condition with several keys: {sorted(expr)}")
    if key in ("$and", "$or"):
        joiner = " and " if key == "$and" else " or "
        return "(" + joiner.join(_python_expr(part) for part in value) + ")"
    if key in _PY_OPS:
        ((field, bound),) = value.items()
        return f"({field!r} in f and f[{field!r}] {_PY_OPS[key]} {bound!r})"
    if key.startswith("$"):
        raise EngineError(f"cannot translate durable operator {key!r}")
    return f"(f.get({key!r}, _MISSING) == {value!r} and type(f.get({key!r})) is {type(value).__name__})"


class PythonRules:
    """The same compiled rules evaluated by generated Python: the floor the benchmark compares with.

    It reads the very definition `RuleEngine` hands to durable-rules, so the two can only differ in
    the engine, never in the rules; `tests/test_floor.py` checks that they fire the same rules.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        """Generate and compile one function that tests every rule in turn."""
        definition = compile_ruleset(kb)
        lines = ["def fired(f):", "    out = []"]
        for rule_id, spec in definition.items():
            if rule_id == CATCH_ALL:
                continue
            match = spec["all"][0]["m"]
            condition = match["$and"][1] if "$and" in match else None
            test = "True" if condition is None else _python_expr(condition)
            lines += [f"    if {test}:", f"        out.append({rule_id!r})"]
        lines.append("    return tuple(sorted(out))")
        namespace: dict[str, Any] = {"_MISSING": object()}
        self.source = "\n".join(lines)
        exec(compile_source(self.source, f"rules of {kb.id}"), namespace)  # noqa: S102 - code generated from a checked knowledge base, ids and JSON scalars only
        #: The rules that fire on a fact as durable-rules sees it (`encode`), like `RuleEngine.fired_encoded`.
        self.fired_encoded: Any = namespace["fired"]
        self._fields = fact_fields(kb.rules)

    def fired(self, facts: Facts) -> tuple[str, ...]:
        """The rules that fire on `facts`, like `RuleEngine.fired`."""
        result: tuple[str, ...] = self.fired_encoded(encode(facts, self._fields))
        return result
