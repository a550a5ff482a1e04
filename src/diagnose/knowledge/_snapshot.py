"""A checked snapshot of a loaded knowledge base, read instead of its YAML when the files match.

Parsing the packaged knowledge base's YAML alone takes longer than a whole load may. So the
package ships, like a `.pyc` file beside its source, the result of a full load and check of its
folder: `_packaged.json`, made by `python -m diagnose.knowledge._make_snapshot`. It carries a
*key*: a sha256 over the snapshot format, the package's version, and the name and bytes of every
file a load reads (in the order of the folder's listing, so that an added, removed or renamed
file changes it), read through the same safe `Reader` with its limits. A folder whose key is the
snapshot's is built from the snapshot (its own folder as `path`); any other folder, or anything
unusual about one (a link, a special file, a missing file, a file refused), is loaded in full.
A missing, stale or corrupt snapshot is never an error: the folder is loaded in full. Nothing
is written at run time.

The snapshot file is one header line of JSON (format, version, key, the files with their sizes,
and the sha256 of the rest), then the parts of the knowledge base as JSON, read back by pydantic
with the same models (so they are validated again).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

from pydantic import StrictInt, ValidationError

from diagnose._base import Model
from diagnose.knowledge._base import KnowledgeBase, Origin
from diagnose.knowledge._models import CycleSettings, Instrument, Intervention  # noqa: TC001 - pydantic reads it at run time
from diagnose.knowledge._read import CYCLE_SETTINGS, FOLDERS, INSTRUMENT, INTERVENTIONS, Reader
from diagnose.knowledge.cases import Case  # noqa: TC001 - pydantic reads it at run time
from diagnose.knowledge.conditions import Rule  # noqa: TC001 - pydantic reads it at run time
from diagnose.knowledge.cycle_rules import CycleRule  # noqa: TC001 - pydantic reads it at run time

#: The snapshot's format; a snapshot of another format is ignored.
FORMAT = 1
#: The snapshot shipped with the package, of the packaged knowledge base.
SNAPSHOT = Path(__file__).with_name("_packaged.json")
#: The command that makes it.
COMMAND = "python -m diagnose.knowledge._make_snapshot"

_Listing = tuple[tuple[str, int], ...]


class Header(Model):
    """The first line of a snapshot: what it was made from, and the digest of the rest."""

    format: StrictInt
    version: str
    key: str
    files: tuple[tuple[str, StrictInt], ...]
    body: str


class Parts(Model):
    """Everything a `KnowledgeBase` is built from but its folder: the result of a full load."""

    instrument: Instrument
    interventions: tuple[Intervention, ...]
    rules: tuple[Rule, ...]
    content_hash: str
    origins: dict[str, tuple[str, int, int, str]]
    cases: tuple[tuple[str, Case], ...]
    cycle: CycleSettings
    cycle_rules: tuple[CycleRule, ...]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Parts:
        """The parts of a loaded knowledge base."""
        return cls(
            instrument=kb.instrument,
            interventions=tuple(kb.interventions.values()),
            rules=kb.rules,
            content_hash=kb.content_hash,
            origins={k: (o.file, o.line, o.column, o.path) for k, o in kb.origins.items()},
            cases=kb.cases,
            cycle=kb.cycle,
            cycle_rules=kb.cycle_rules,
        )

    def knowledge_base(self, path: Path) -> KnowledgeBase:
        """The knowledge base of these parts, for the folder `path`."""
        return KnowledgeBase(
            instrument=self.instrument,
            interventions=self.interventions,
            rules=self.rules,
            content_hash=self.content_hash,
            path=path,
            origins={k: Origin(*where) for k, where in self.origins.items()},
            cases=self.cases,
            cycle=self.cycle,
            cycle_rules=self.cycle_rules,
        )


def package_version() -> str | None:
    """The version of the `diagnose` package, read from the imported package (None before it is set).

    Read, not imported: `diagnose.knowledge` sits below the package, and the package is always
    imported before any of its modules. Without a version there is no key, so a full load.
    """
    version = getattr(sys.modules.get("diagnose"), "__version__", None)
    return version if isinstance(version, str) else None


def listing(reader: Reader) -> _Listing | None:
    """The files a full load of `reader`'s folder reads, each with its size, in the folder's order.

    None when the folder is anything but plain: a file or subfolder that is a link or no regular
    file, a required file missing, a subfolder the reader refuses. Such a folder takes the full
    load, which says what is wrong with it.
    """
    root = reader.root
    files = [INSTRUMENT, INTERVENTIONS]
    for folder in FOLDERS:
        try:
            mode = os.lstat(root / folder).st_mode
        except FileNotFoundError:
            continue
        except OSError:
            return None
        if not stat.S_ISDIR(mode):
            return None
        files += [f"{folder}/{name}" for name in reader.names(folder)]
    if reader.problems or (os.path.lexists(root / CYCLE_SETTINGS) and CYCLE_SETTINGS not in files):
        return None
    out: list[tuple[str, int]] = []
    for relative in files:
        try:
            status = os.lstat(root / relative)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        out.append((relative, status.st_size))
    return tuple(out)


def folder_key(reader: Reader, files: _Listing, version: str) -> str | None:
    """The key of a folder: sha256 over the format, `version` and each file's name and bytes.

    The bytes are read through `reader`, with its limits; None when it refuses a file.
    """
    digest = hashlib.sha256()

    def put(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    put(b"diagnose knowledge-base snapshot")
    put(str(FORMAT).encode())
    put(version.encode("utf-8", "surrogateescape"))
    for relative, _size in files:
        try:
            data = reader.read_bytes(relative)
        except OSError:
            return None
        if isinstance(data, str) or reader.problems:
            return None
        put(os.fsencode(relative))
        put(data)
    return digest.hexdigest()


def dump(kb: KnowledgeBase, root: Path) -> bytes | None:
    """The snapshot of `kb`, a full load of the folder `root` (None when the folder has no key)."""
    reader = Reader(root)
    files, version = listing(reader), package_version()
    key = folder_key(reader, files, version) if files is not None and version is not None else None
    if key is None or files is None or version is None:
        return None
    body = Parts.of(kb).model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8")
    header = Header(
        format=FORMAT, version=version, key=key, files=files, body=hashlib.sha256(body).hexdigest()
    )
    return header.model_dump_json().encode("utf-8") + b"\n" + body


def load(root: Path, snapshot: Path = SNAPSHOT) -> KnowledgeBase | None:
    """The knowledge base of `root` from the snapshot file `snapshot`, or None for a full load.

    None when the snapshot is missing, unreadable, corrupt, of another format or version, or
    made from other files than `root` holds; never an error.
    """
    try:
        data = snapshot.read_bytes()
    except OSError:
        return None
    return from_bytes(root, data)


def from_bytes(root: Path, data: bytes) -> KnowledgeBase | None:
    """The knowledge base of `root` from a snapshot's bytes, or None (see `load`)."""
    first, _newline, body = data.partition(b"\n")
    try:
        header = Header.model_validate_json(first)
    except ValidationError:
        return None
    if not _made_from(header, Reader(root)) or hashlib.sha256(body).hexdigest() != header.body:
        return None
    try:
        parts = Parts.model_validate_json(body)
    except ValueError:  # a ValidationError, or a validator's own error
        return None
    return parts.knowledge_base(root)


def _made_from(header: Header, reader: Reader) -> bool:
    """Whether a snapshot was made, in this format and version, from the files of `reader`'s folder."""
    if header.format != FORMAT or header.version != package_version():
        return False
    files = listing(reader)
    # The names and sizes first: a cheap no for another folder, before its files are read.
    return (
        files is not None
        and files == header.files
        and folder_key(reader, files, header.version) == header.key
    )
