"""Make the snapshot of the packaged knowledge base (a developer's command, never run by the library).

    python -m diagnose.knowledge._make_snapshot          # writes diagnose/knowledge/_packaged.json
    python -m diagnose.knowledge._make_snapshot --check  # exits 1 when it is missing or stale

Run it after changing `rules/` or the models of the knowledge base (`diagnose.knowledge`): the
snapshot is used only for a folder whose files are byte for byte those it was made from, but a
change of the models or the loader alone does not change its key, and `tests/test_snapshot.py`
fails until it is made again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from diagnose.errors import KnowledgeBaseError
from diagnose.knowledge._load import default_knowledge_base_path
from diagnose.knowledge._loader import read_knowledge_base
from diagnose.knowledge._snapshot import COMMAND, SNAPSHOT, Parts, dump, from_bytes

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class SnapshotError(Exception):
    """The folder cannot be snapshot, or its snapshot does not read back as the full load."""


def snapshot_of(root: Path) -> bytes:
    """The snapshot of the knowledge base at `root`: a full load, checked to read back the same.

    Raises:
        KnowledgeBaseError: when the folder does not load.
        SnapshotError: when it has no key (an unusual folder) or its snapshot reads back different.
    """
    kb, problems = read_knowledge_base(root, snapshot=None)
    if kb is None:
        raise KnowledgeBaseError(problems)
    data = dump(kb, root)
    if data is None:
        raise SnapshotError(f"{root}: no snapshot: a file is a link or no plain file, or is refused")
    back = from_bytes(root, data)
    if back is None:
        raise SnapshotError(f"{root}: the snapshot does not read back (the files changed meanwhile?)")
    want, got = Parts.of(kb), Parts.of(back)
    differ = [name for name in Parts.model_fields if getattr(want, name) != getattr(got, name)]
    if differ:
        raise SnapshotError(f"{root}: the snapshot reads back different {', '.join(differ)}")
    return data


def write(root: Path, target: Path) -> bool:
    """Write the snapshot of `root` to `target` unless it holds it already; whether it wrote."""
    data = snapshot_of(root)
    if target.is_file() and target.read_bytes() == data:
        return False
    target.write_bytes(data)
    return True


def is_current(root: Path, target: Path) -> bool:
    """Whether `target` holds exactly the snapshot that `root` gives now."""
    return target.is_file() and target.read_bytes() == snapshot_of(root)


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with `--check`, check) the packaged snapshot; the exit status."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the snapshot is missing or stale")
    args = parser.parse_args(argv)
    root = default_knowledge_base_path()
    try:
        if args.check:
            if not is_current(root, SNAPSHOT):
                sys.stderr.write(f"{SNAPSHOT} is stale for {root}: run {COMMAND}\n")
                return 1
            sys.stdout.write(f"{SNAPSHOT} is current for {root}\n")
            return 0
        wrote = write(root, SNAPSHOT)
    except (KnowledgeBaseError, SnapshotError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.write(f"{'wrote' if wrote else 'unchanged:'} {SNAPSHOT} ({SNAPSHOT.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
