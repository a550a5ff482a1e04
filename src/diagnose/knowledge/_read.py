"""Reading the files of a knowledge-base folder: each problem is noted with its file, line and column.

A knowledge base may come from others, so the folder is read as untrusted input: only regular
files inside it are read (a link is followed only when it stays inside the folder; devices,
FIFOs and sockets are never opened, so reading cannot block), each file at most
`MAX_FILE_BYTES` and the whole knowledge base at most `MAX_TOTAL_BYTES`. Every refusal is a
located problem; what could not be parsed is never echoed beyond a short, escaped excerpt.
"""

from __future__ import annotations

import json
import os
import stat
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
from diagnose.knowledge._yaml import YamlDocument, read_yaml, shown

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: The layout of a knowledge-base folder: the files and subfolders a load reads (`*.yaml` in each
#: subfolder, in name order; `cycle/settings.yaml` is the cycle's settings, not a rule file).
INSTRUMENT = "instrument.yaml"
INTERVENTIONS = "interventions.yaml"
RECOMMEND = "recommend"
CASES = "cases"
CYCLE = "cycle"
CYCLE_SETTINGS = "cycle/settings.yaml"
#: The subfolders, in the order a load reads them.
FOLDERS = (RECOMMEND, CASES, CYCLE)
#: The largest file a knowledge base may hold (the packaged default's largest is 80 KB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: The most a whole knowledge base may hold, over all its files.
MAX_TOTAL_BYTES = 16 * 1024 * 1024
#: Open without following a last link and without waiting on a FIFO, where the system allows it.
_OPEN_FLAGS = os.O_RDONLY
for _flag in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):
    _OPEN_FLAGS |= getattr(os, _flag, 0)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_MIB = 1024 * 1024


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is refused (a folder, a FIFO, a device...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"{kind}, not a regular file; a knowledge base reads only plain files"


class Reader:
    """Collects the problems of one folder as it reads it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[KnowledgeBaseProblem] = []
        self.total = 0  # bytes read so far, over every file
        try:
            self._real_root: Path | None = root.resolve(strict=True)
        except (OSError, RuntimeError):
            self._real_root = None

    def exists(self, relative: str) -> bool:
        """Whether the folder has an entry by this name, of any kind (a FIFO or a broken link too)."""
        return os.path.lexists(self.root / relative)

    def names(self, folder: str) -> Iterator[str]:
        """The `*.yaml` entries of a subfolder, in name order; a subfolder leaving the folder is a problem."""
        directory = self.root / folder
        if not directory.is_dir():
            return iter(())
        if (where := self._outside(directory)) is not None:
            self.add(folder, (), where)
            return iter(())
        return iter(sorted(p.name for p in directory.glob("*.yaml")))

    def _outside(self, path: Path) -> str | None:
        """Why a path is refused because it leads out of the folder through a link, or None."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a broken link or a loop of links
            return (
                "a link that leads nowhere (a broken link or a loop of links); "
                "a knowledge base reads only plain files"
            )
        if self._real_root is None or not real.is_relative_to(self._real_root):
            return (
                "a link leading outside the knowledge-base folder; links are followed only "
                "within the folder: copy the file in instead"
            )
        return None

    def read_bytes(self, relative: str) -> bytes | str:
        """The bytes of a regular file inside the folder, or why it is refused (a message).

        The bytes count toward `MAX_TOTAL_BYTES`; an `OSError` (a file gone meanwhile) passes through.
        """
        path = self.root / relative
        if (where := self._outside(path)) is not None:
            return where
        real = path.resolve()
        if (kind := _not_regular(real.stat().st_mode)) is not None:
            return kind
        fd = os.open(real, _OPEN_FLAGS)
        try:
            status = os.fstat(fd)  # the file opened, not the name checked: it may have been swapped
            refused = _not_regular(status.st_mode) or self._over_limits(status.st_size)
            if refused is not None:
                return refused
            left = min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - self.total)
            with os.fdopen(fd, "rb", closefd=False) as stream:
                data = stream.read(left + 1)  # bounded, even for a file that grows while read
        finally:
            os.close(fd)
        if (refused := self._over_limits(len(data))) is not None:
            return refused
        self.total += len(data)
        return data

    def _over_limits(self, size: int) -> str | None:
        """Why a file of `size` bytes is refused: larger than a file or the rest of the total may be."""
        if size > MAX_FILE_BYTES:
            return (
                f"the file is larger than {MAX_FILE_BYTES // _MIB} MiB ({size:,} bytes); "
                "a knowledge-base file holds at most that: split it"
            )
        if size > MAX_TOTAL_BYTES - self.total:
            return (
                f"the knowledge base holds more than {MAX_TOTAL_BYTES // _MIB} MiB over all its "
                "files; this file is where it passes that"
            )
        return None

    def add(self, doc: YamlDocument | str, loc: Loc, message: str, *, key: bool = False) -> None:
        if isinstance(doc, str):
            self.problems.append(KnowledgeBaseProblem(doc, 0, 0, format_loc(loc), message))
            return
        line, column = doc.locate_key(loc) if key else doc.locate(loc)
        self.problems.append(KnowledgeBaseProblem(doc.file, line, column, format_loc(loc), message))

    def read(self, relative: str) -> YamlDocument | None:
        """Read and parse one file of the folder; None (and a problem noted) when it cannot be."""
        if not self.exists(relative):
            self.add(relative, (), "file not found: a knowledge base needs this file")
            return None
        try:
            data = self.read_bytes(relative)
            if isinstance(data, str):
                self.add(relative, (), data)
                return None
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"byte {exc.start + 1} is 0x{exc.object[exc.start]:02x}"
            self.add(relative, (), f"cannot read the file: not UTF-8 text ({where})")
            return None
        except OSError as exc:
            self.add(relative, (), f"cannot read the file: {exc.strerror or exc}")
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
                message = f"unknown key {shown(name)}{suggest(name, allowed_keys(model, raw_loc[:-1]))}"
                self.add(doc, loc, message, key=True)
            else:
                grouped.setdefault(loc, []).append((kind, message_of(err)))
        for loc, messages in grouped.items():
            literal = [m for kind, m in messages if kind == "literal_error"]
            chosen = literal[:1] or list(dict.fromkeys(m for _, m in messages))
            self.add(doc, loc, " or ".join(chosen))
