"""The pieces of the models' own JSON that the compiled batch path joins with each intake's values.

`pieces` cuts a prototype model's JSON where its values stand; the batch path
(`diagnose.batch._compiled`) fills the cuts with each intake's JSON and so writes exactly what
the models write: a field added to a model appears without an edit here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic_core import to_json

from diagnose.assessment.recommendation import Diagnosis, Trace
from diagnose.assessment.scoring import FactorScore, Profile

if TYPE_CHECKING:
    from diagnose.assessment.scoring import Answer
    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["diagnosis_pieces", "factor_pieces", "listed", "partial_json", "pieces"]


def pieces(prototype: bytes, holes: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The JSON of a prototype model, cut where the values of `holes` stand, in order.

    Each hole is a key and the value the prototype has there (`("items", "[]")`); a quoted text,
    a list or a mapping keeps its opening and closing characters on either side of the cut, any
    other value is cut out. So `pieces(b'{"a":[],"b":null}', (("a", "[]"), ("b", "null")))` is
    `('{"a":[', '],"b":', '}')`. The batch path joins the pieces with each intake's values: what
    it writes is what the models write, and a field added to a model appears without an edit here.
    """
    text = prototype.decode()
    out: list[str] = []
    for key, value in holes:
        marker = f"{to_json(key).decode()}:{value}"
        at = text.find(marker)
        if at < 0:  # pragma: no cover - a model without the field: a bug, found by any test
            raise AssertionError(f"{marker} is not in {text}")
        keep = 1 if value[0] in '"[{' else 0
        cut = at + len(marker) - len(value)
        out.append(text[: cut + keep])
        text = text[cut + len(value) - keep :]
    out.append(text)
    return tuple(out)


#: Where a diagnosis's JSON depends on the intake, in the order its fields are written.
_DIAGNOSIS_HOLES = (
    ("scores", "{}"),
    ("recommendations", "[]"),
    ("answers", "{}"),
    ("context", "{}"),
    ("fired_rules", "[]"),
    ("undecided_rules", "[]"),
    ("warnings", "[]"),
)
#: Where a factor score's JSON does.
_FACTOR_HOLES = (
    ("level", '"low"'),
    ("score", "null"),
    ("answered", "[]"),
    ("missing", "[]"),
    ("missing_reasons", "{}"),
    ("items", "[]"),
)


def diagnosis_pieces(kb: KnowledgeBase) -> tuple[bytes, ...]:
    empty_trace = Trace.model_construct(answers={}, context={}, fired_rules=(), undecided_rules=())
    prototype = Diagnosis.model_construct(
        profile=Profile.model_construct(scores={}),
        recommendations=(),
        trace=empty_trace,
        knowledge_base_id=kb.id,
        knowledge_base_version=kb.version,
        knowledge_base_hash=kb.content_hash,
    )
    return tuple(p.encode() for p in pieces(prototype.model_dump_json().encode(), _DIAGNOSIS_HOLES))


def factor_pieces(factor: str) -> tuple[str, ...]:
    prototype = FactorScore.model_construct(
        factor=factor, level="low", score=None, answered=(), missing=(), missing_reasons={}, items=()
    )
    head, *rest = pieces(FactorScore.__pydantic_serializer__.to_json(prototype), _FACTOR_HOLES)
    return (to_json(factor).decode() + ":" + head, *rest)


def partial_json(pieces: tuple[str, ...], level: str, shown: str, answers: tuple[Answer, ...]) -> str:
    """The JSON of a factor score with a missing answer, from the pieces of `FactorScore`'s JSON.

    `shown` is the score as JSON (`null` when the factor is not assessed).
    """
    p0, p1, p2, p3, p4, p5, p6 = pieces
    answered: list[str] = []
    items: list[str] = []
    missing: list[str] = []
    reasons: list[str] = []
    for a in answers:  # one pass: this is the batch path's common slow case
        if a.counted:
            answered.append(a.quoted)
            items.append(a.json)
        else:
            missing.append(a.quoted)
            reasons.append(a.trace)
    return (
        f"{p0}{level}{p1}{shown}{p2}{','.join(answered)}{p3}{','.join(missing)}{p4}"
        f"{','.join(reasons)}{p5}{','.join(items)}{p6}"
    )


_COMMA = b","


def listed(pieces: tuple[bytes, ...]) -> list[bytes]:
    """The pieces of a JSON list's items with commas between them, to be joined later."""
    out = [_COMMA] * (2 * len(pieces) - 1) if pieces else []
    out[::2] = pieces
    return out
