"""Reading the files of a knowledge-base folder: each problem is noted with its file, line and column."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from diagnose._base import suggest
from diagnose.errors import KnowledgeBaseProblem
from diagnose.knowledge._messages import (
    Loc,
    M,
    allowed_keys,
    describe_value,
    format_loc,
    message_of,
    resolve_loc,
)
from diagnose.knowledge._yaml import YamlDocument, read_yaml

if TYPE_CHECKING:
    from pathlib import Path


class Reader:
    """Collects the problems of one folder as it reads it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[KnowledgeBaseProblem] = []

    def add(self, doc: YamlDocument | str, loc: Loc, message: str, *, key: bool = False) -> None:
        if isinstance(doc, str):
            self.problems.append(KnowledgeBaseProblem(doc, 0, 0, format_loc(loc), message))
            return
        line, column = doc.locate_key(loc) if key else doc.locate(loc)
        self.problems.append(KnowledgeBaseProblem(doc.file, line, column, format_loc(loc), message))

    def read(self, relative: str) -> YamlDocument | None:
        path = self.root / relative
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(relative, (), "file not found: a knowledge base needs this file")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.add(relative, (), f"cannot read the file: {exc}")
            return None
        doc, problems = read_yaml(text, relative)
        self.problems.extend(problems)
        if doc is not None and not isinstance(doc.data, dict):
            self.add(doc, (), f"expected a mapping at the top of the file, got {describe_value(doc.data)}")
            return None
        return doc

    def validate(self, doc: YamlDocument, model: type[M], context: dict[str, Any] | None = None) -> M | None:
        try:
            return model.model_validate_json(
                json.dumps(doc.data, ensure_ascii=False, default=str), context=context
            )
        except ValidationError as exc:
            self._report(doc, model, exc)
            return None

    def _report(self, doc: YamlDocument, model: type[BaseModel], exc: ValidationError) -> None:
        errors = exc.errors(include_url=False)
        resolved = [(resolve_loc(doc.data, tuple(err["loc"])), err) for err in errors]
        grouped: dict[Loc, list[tuple[str, str]]] = {}
        for loc, err in resolved:
            raw_loc = tuple(err["loc"])
            kind = err["type"]
            if kind == "invalid_scale":
                continue  # reported where the scale is defined
            if kind == "too_short" and any(
                len(other) > len(loc) and other[: len(loc)] == loc for other, _ in resolved
            ):
                continue  # pydantic counts only the valid members; the invalid ones are reported
            if kind == "missing":
                self.add(doc, loc[:-1], f"missing required key {raw_loc[-1]!r}")
            elif kind == "extra_forbidden":
                name = str(raw_loc[-1])
                message = f"unknown key {name!r}{suggest(name, allowed_keys(model, raw_loc[:-1]))}"
                self.add(doc, loc, message, key=True)
            else:
                grouped.setdefault(loc, []).append((kind, message_of(err)))
        for loc, messages in grouped.items():
            literal = [m for kind, m in messages if kind == "literal_error"]
            chosen = literal[:1] or list(dict.fromkeys(m for _, m in messages))
            self.add(doc, loc, " or ".join(chosen))
