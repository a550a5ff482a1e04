"""JSON reading that says where: syntax errors, duplicate keys and deep nesting by line and column.

The standard library parses; this module only adds the positions its errors and silent choices
lack. `json.loads` keeps the last of two equal keys without a word, which would score an answer
the client did not give; here a repeated key is a problem, located like every other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, but not in the stubs
from typing import TYPE_CHECKING

from diagnose.errors import KnowledgeBaseProblem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

#: Nesting deeper than this is reported where it starts once the parser gives up on a document.
DEEPEST = 100

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class JsonDocument:
    """A parsed JSON file: its data, and its text to locate values in."""

    file: str
    data: object
    text: str

    def locate(self, loc: Iterable[str | int]) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at `loc`, or of its nearest ancestor.

        Examples:
            >>> doc, _ = read_json('{"answers": {"se_1": 9}}', "a.json")
            >>> doc.locate(("answers", "se_1")), doc.locate(("answers", "nothing"))
            ((1, 22), (1, 13))
        """
        position = _SPACE.match(self.text, 0).end()  # type: ignore[union-attr]  # matches anywhere
        for part in loc:
            found = next((value for key, _, value in _members(self.text, position) if key == part), None)
            if found is None:
                break
            position = found
        return _line_column(self.text, position)


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _skip(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]  # matches anywhere


def _members(text: str, start: int) -> Iterator[tuple[str | int, int, int]]:
    """(key or index, key position, value position) of the object or array at `start` (valid JSON)."""
    if start >= len(text) or text[start] not in "{[":
        return
    is_object = text[start] == "{"
    position = _skip(text, start + 1)
    index = 0
    while position < len(text) and text[position] not in "}]":
        key_position = position
        key: str | int = index
        if is_object:
            key, position = scanstring(text, position + 1)
            position = _skip(text, _skip(text, position) + 1)  # past the colon
        yield key, key_position, position
        _, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
        index += 1


def _duplicates(text: str) -> list[tuple[int, str, int]]:
    """(position, key, first position) of every repeated key in every object of a valid document."""
    out = []
    stack = [_skip(text, 0)]
    while stack:
        start = stack.pop()
        first: dict[str | int, int] = {}
        for key, key_position, value_position in _members(text, start):
            if key in first and isinstance(key, str):
                out.append((key_position, key, first[key]))
            first.setdefault(key, key_position)
            stack.append(value_position)
    return sorted(out)


def _too_deep(text: str) -> int:
    """Where nesting first goes past DEEPEST levels (outside strings), or 0."""
    depth = 0
    in_string = escaped = False
    for position, character in enumerate(text):
        if escaped:
            escaped = False
        elif in_string:
            escaped = character == "\\"
            in_string = character != '"'
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > DEEPEST:
                return position
        elif character in "]}":
            depth -= 1
    return 0


def _reason(text: str, error: json.JSONDecodeError) -> str:
    """The parser's message in plain words, with the usual causes named."""
    before = text[: error.pos].rstrip()
    if before.endswith(",") and error.msg.startswith(("Expecting property name", "Expecting value")):
        return "a comma after the last entry; JSON allows none there"
    if error.msg == "Extra data":
        return "more text after the end of the JSON value; a JSON file holds one value"
    if error.msg.startswith("Expecting property name"):
        return "expected a key in double quotes"
    return error.msg[0].lower() + error.msg[1:]


def read_json(text: str, file: str) -> tuple[JsonDocument | None, list[KnowledgeBaseProblem]]:
    """Parse one JSON document, or say where and why it cannot be read.

    Args:
        text: The file's text.
        file: The name to report in problems.

    Returns:
        The document (None when it could not be read) and the problems found while reading.

    Examples:
        >>> _, problems = read_json('{"answers": {"se_1": 1,}}', "a.json")
        >>> print(problems[0])
        a.json:1:24: JSON syntax error: a comma after the last entry; JSON allows none there
        >>> _, problems = read_json('{"answers": {"se_1": 1, "se_1": 5}}', "a.json")
        >>> print(problems[0])
        a.json:1:25: duplicate key 'se_1' (first given at line 1, column 14)
    """
    repeated: list[bool] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        built = dict(items)
        if len(built) < len(items):
            repeated.append(True)
        return built

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        message = f"JSON syntax error: {_reason(text, exc)}"
        return None, [KnowledgeBaseProblem(file, exc.lineno, exc.colno, "", message)]
    except RecursionError:
        line, column = _line_column(text, _too_deep(text))
        message = f"JSON nested too deeply (more than {DEEPEST} levels); write it flatter"
        return None, [KnowledgeBaseProblem(file, line, column, "", message)]
    except ValueError as exc:  # the only other: a whole number longer than Python converts
        message = f"JSON error: a number is too long to read ({str(exc).split(':')[0]})"
        return None, [KnowledgeBaseProblem(file, 1, 1, "", message)]
    problems = []
    for position, key, first in _duplicates(text) if repeated else ():
        line, column = _line_column(text, position)
        first_line, first_column = _line_column(text, first)
        message = f"duplicate key {key!r} (first given at line {first_line}, column {first_column})"
        problems.append(KnowledgeBaseProblem(file, line, column, "", message))
    if problems:
        return None, problems
    return JsonDocument(file, data, text), []
