"""Loading a knowledge-base folder: the packaged default, a folder given, or every problem in it."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from diagnose.errors import KnowledgeBaseError, KnowledgeBaseProblem
from diagnose.knowledge._loader import read_knowledge_base

if TYPE_CHECKING:
    from collections.abc import Iterator

    from diagnose.knowledge._base import KnowledgeBase


def default_knowledge_base_path() -> Path:
    """The folder of the packaged default knowledge base.

    In an installed wheel it is `diagnose/_rules`; in a source checkout, the top-level `rules/`.

    Examples:
        >>> (default_knowledge_base_path() / "instrument.yaml").is_file()
        True
    """
    packaged = Path(__file__).parents[1] / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def iter_errors(path: str | Path | None = None) -> Iterator[KnowledgeBaseProblem]:
    """Yield every problem in the knowledge base at `path` (the default one when None).

    Examples:
        >>> import diagnose
        >>> list(diagnose.iter_errors())
        []
    """
    folder = _folder(path) if path is not None else default_knowledge_base_path()
    _kb, problems = read_knowledge_base(folder, snapshot=None)  # every check, never the snapshot
    yield from problems


def _folder(path: object) -> Path:
    """The folder a `path` argument names; a KnowledgeBaseError when it is no path at all."""
    if isinstance(path, str | os.PathLike):
        try:
            return Path(path)
        except TypeError:  # a PathLike whose __fspath__ gives no text
            pass
    got = repr(path)
    got = got if len(got) <= 40 else f"{got[:37]}..."  # noqa: PLR2004 - keep the message one line
    message = f"expected a knowledge-base folder (a str or pathlib.Path) or None, got {got}"
    raise KnowledgeBaseError([KnowledgeBaseProblem("argument 'path'", 0, 0, "", message)])


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and check a knowledge base.

    Args:
        path: A knowledge-base folder; None for the packaged default (loaded once, then shared).

    Returns:
        The checked knowledge base.

    Raises:
        KnowledgeBaseError: listing every problem, each as `file:line:col: path: message` (also
            when `path` is no path at all).

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> kb.factors["health"].name.en
        'Physical health and work capacity'
    """
    if path is None:
        return _default_knowledge_base()
    return _load(_folder(path))


@functools.cache
def _default_knowledge_base() -> KnowledgeBase:
    return _load(default_knowledge_base_path())


def _load(path: Path) -> KnowledgeBase:
    """The knowledge base at `path`, from the packaged snapshot when its files are the packaged ones."""
    kb, problems = read_knowledge_base(path)
    if problems or kb is None:
        raise KnowledgeBaseError(problems)
    return kb
