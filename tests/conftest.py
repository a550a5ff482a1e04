"""Shared fixtures: the default knowledge base and a factory for edited copies of it."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

import diagnose

# Speed is measured by bench/, never by tests: a deadline only makes the first example (which
# builds the engine) fail at random on a busy machine.
settings.register_profile("diagnose", deadline=None)
settings.load_profile("diagnose")

#: A frozen snapshot of the default knowledge base, for tests that pin positions.
FIXTURE_KB = Path(__file__).parent / "data" / "kb"
#: Edits to a copy of the default knowledge base: file → (old text, new text) or file → whole text.
Edits = dict[str, "tuple[str, str] | str | None"]
MakeKb = Callable[[Edits], Path]


#: Where POSIX shared memory lives on Linux (read only by the tests).
SHM = Path("/dev/shm")  # noqa: S108 - the system's own folder, listed, never written


def shared_memory_blocks() -> set[str]:
    """The blocks Python's shared memory has made on this machine (named psm_...), if it has /dev/shm."""
    return {p.name for p in SHM.iterdir() if p.name.startswith("psm_")} if SHM.is_dir() else set()


def default_kb() -> diagnose.KnowledgeBase:
    """The packaged default knowledge base, loaded on first use (diagnose keeps it), never at collection."""
    return diagnose.load_knowledge_base()


@functools.cache
def frozen_kb() -> diagnose.KnowledgeBase:
    """The frozen fixture knowledge base, loaded once on first use, never at collection."""
    return diagnose.load_knowledge_base(FIXTURE_KB)


@pytest.fixture(scope="session")
def kb() -> diagnose.KnowledgeBase:
    return default_kb()


@pytest.fixture(scope="session")
def fixture_kb() -> diagnose.KnowledgeBase:
    """The frozen fixture knowledge base, for tests that pin exact advice."""
    return frozen_kb()


@pytest.fixture
def make_kb(tmp_path: Path) -> MakeKb:
    """Copy the frozen fixture knowledge base into tmp_path and apply edits; returns the folder.

    The fixture (`tests/data/kb`, a snapshot of the default) stays put while the default grows,
    so that pinned `file:line:col` positions do not move with every content change.

    An edit is `(old, new)` to replace text (which must occur), a whole new text, or None to
    delete the file.
    """

    def make(edits: Edits) -> Path:
        root = tmp_path / "kb"
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(FIXTURE_KB, root)
        for name, edit in edits.items():
            path = root / name
            if edit is None:
                path.unlink()
            elif isinstance(edit, tuple):
                old, new = edit
                text = path.read_text(encoding="utf-8")
                assert old in text, f"{old!r} not in {name}"
                path.write_text(text.replace(old, new, 1), encoding="utf-8")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(edit, encoding="utf-8")
        return root

    return make
