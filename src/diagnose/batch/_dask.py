"""Assessing a caseload past one machine: a dask DataFrame, partition by partition (optional extra).

`pip install "diagnose[dask]"`. `assess_dask` runs `assess_frame` (the local batch over a
pandas DataFrame, `diagnose.batch.tabular`) on each partition of a `dask.dataframe`, on whatever
scheduler is in use: a `distributed` cluster when a `Client` is open, else dask's local one. The
knowledge base travels by content: the caller reads its folder's YAML files into one value (with
the content hash), which the scheduler sends to each worker once as a dependency of every
partition; each worker process writes the files to a temporary folder, loads them once, checks
that they load to the same hash, and keeps the knowledge base by hash for the next partitions.
So a worker never needs the caller's folder, and a worker that would assess with other rules
than the caller's refuses (`DaskError`), it never answers differently. dask is imported only
when `assess_dask` is called, so `import diagnose` never needs it.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from diagnose.batch.tabular import assess_frame
from diagnose.errors import DiagnoseError
from diagnose.knowledge._load import load_knowledge_base

if TYPE_CHECKING:
    from types import ModuleType

    import dask.dataframe as dd
    import pandas as pd

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["DaskError", "assess_dask"]

_CONTEXT = "context."
_EXTRA = "pip install 'diagnose[dask]'"


class DaskError(DiagnoseError, ValueError):
    """`assess_dask` cannot run: dask missing, input that is not a dask DataFrame, or a worker refusing.

    A worker refuses to assess when the knowledge base it loaded from the files it was sent has
    another content hash than the caller's: the folder changed after it was loaded, or the worker
    runs another version of diagnose.

    Examples:
        >>> str(DaskError("expected a dask DataFrame, got a list"))
        'expected a dask DataFrame, got a list'
    """


class ShippedKnowledgeBase(NamedTuple):
    """A knowledge base by content: its folder's YAML files, and the content hash they must load to."""

    files: tuple[tuple[str, bytes], ...]  # (path relative to the folder, with `/`; the file's bytes)
    content_hash: str
    folder: str  # where the caller loaded it from, for messages


def ship(kb: KnowledgeBase) -> ShippedKnowledgeBase:
    """Read the YAML files of `kb`'s folder (every one, in subfolders too) to send them to workers.

    Raises:
        DaskError: when `kb` was not loaded from a folder, or a file cannot be read.
    """
    if kb.path is None:
        raise DaskError(
            f"knowledge base {kb.id}: it was not loaded from a folder, so there are no files to send "
            "to the workers; load it with load_knowledge_base(folder)"
        )
    root = Path(kb.path)
    try:
        files = tuple(
            (path.relative_to(root).as_posix(), path.read_bytes())
            for path in sorted(root.rglob("*.yaml"))
            if path.is_file()
        )
    except OSError as exc:
        raise DaskError(f"{root}: cannot read the knowledge base's files to send them: {exc}") from exc
    return ShippedKnowledgeBase(files, kb.content_hash, str(root))


#: The knowledge bases this process loaded for `assess_dask`, by content hash, most recent last:
#: the state of a worker process (of the caller's only when dask's local scheduler runs the
#: partitions in it), bounded, and holding nothing but what the files sent to it load to.
_loaded: OrderedDict[str, KnowledgeBase] = OrderedDict()
_loading = threading.Lock()  # a worker with several threads loads each knowledge base once
_KEEP = 4


def worker_knowledge_base(shipped: ShippedKnowledgeBase) -> KnowledgeBase:
    """The knowledge base sent, loaded once per process and checked against its hash.

    Raises:
        DaskError: when the files load to another content hash than the one sent with them.
        KnowledgeBaseError: when they do not load at all (another version of diagnose).
    """
    with _loading:
        kb = _loaded.get(shipped.content_hash)
        if kb is None:
            kb = _load(shipped)
            _loaded[shipped.content_hash] = kb
            while len(_loaded) > _KEEP:
                _loaded.popitem(last=False)
        else:
            _loaded.move_to_end(shipped.content_hash)
        return kb


def _load(shipped: ShippedKnowledgeBase) -> KnowledgeBase:
    with tempfile.TemporaryDirectory(prefix="diagnose-kb-") as folder:
        root = Path(folder)
        for name, content in shipped.files:
            path = root / name
            if ".." in Path(name).parts or Path(name).is_absolute():  # only ever a path below the folder
                raise DaskError(f"{shipped.folder}: a file to load outside the folder: {name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        kb = load_knowledge_base(root)
    if kb.content_hash != shipped.content_hash:
        raise DaskError(
            f"{shipped.folder}: the knowledge base was sent with content hash {shipped.content_hash}, "
            f"but its files load to {kb.content_hash} on this worker: the folder changed after it was "
            "loaded (load it again), or the worker runs another version of diagnose (install the same)"
        )
    return kb


def assess_partition(partition: pd.DataFrame, shipped: ShippedKnowledgeBase, top: int) -> pd.DataFrame:
    """One partition, on a worker: `assess_frame` with the knowledge base sent by content."""
    return assess_frame(partition, knowledge_base=worker_knowledge_base(shipped), top=top)


def _dask() -> tuple[ModuleType, ModuleType]:
    """The modules `dask` and `dask.dataframe`, or a DaskError that says which extra to install."""
    try:
        import dask  # noqa: PLC0415 - optional dependency, imported when used
        import dask.dataframe  # noqa: PLC0415 - as above
    except ImportError as exc:
        raise DaskError(f"assess_dask needs dask and distributed ({exc.name} is missing): {_EXTRA}") from exc
    return dask, dask.dataframe


def assess_dask(
    frame: dd.DataFrame, *, knowledge_base: KnowledgeBase | None = None, top: int = 3
) -> dd.DataFrame:
    """Assess every row of a dask DataFrame, partition by partition: `assess_frame` past one machine.

    Lazy, as dask is: the result is a dask DataFrame with the same partitions and index, which
    `compute()`, `to_parquet()` and the like run on the scheduler in use (a `distributed`
    cluster when a `Client` is open). Computed, it is exactly `assess_frame` of the computed
    frame: one column per factor (its level), `advice_1` ... `advice_<top>`, and `error` (empty,
    or why the row was rejected: a rejected row stays a row). The knowledge base is sent to the
    workers by content and checked there by its hash (see the module).

    Args:
        frame: One row per client; item ids as columns, context fields as `context.<field>`
            (other columns, such as an id, are left alone).
        knowledge_base: The knowledge base, loaded from a folder; the packaged default when None.
        top: How many recommendations to list per row.

    Returns:
        A dask DataFrame of text columns, one row per input row.

    Raises:
        DaskError: when dask is not installed, `frame` is not a dask DataFrame or has no column
            the knowledge base reads, or (when computed) a worker's knowledge base has another
            content hash than `knowledge_base`.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"mo_1": [1, 5, 3], "mo_2": [1, 5, 2], "se_1": [None, 9, 1]})
        >>> result = assess_dask(dd.from_pandas(rows, npartitions=2), top=1)
        >>> result.npartitions
        2
        >>> done = result.compute()
        >>> done[["motivation", "advice_1"]].iloc[0].tolist()
        ['low', 'motivational_interviewing']
        >>> done["error"].iloc[1][:44]
        "item 'se_1': expected a whole number from 1 "
        >>> done.equals(assess_frame(rows, top=1))
        True
    """
    dask, dataframe = _dask()
    if not isinstance(frame, dataframe.DataFrame):
        kind = f"{type(frame).__module__}.{type(frame).__qualname__}"
        hint = "; for a pandas DataFrame, use assess_frame" if kind.startswith("pandas.") else ""
        raise DaskError(f"expected a dask DataFrame (dask.dataframe), got {kind}{hint}")
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    read = {item.id for item in kb.items}
    if not any(str(column) in read or str(column).startswith(_CONTEXT) for column in frame.columns):
        shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:8]) or "none"
        raise DaskError(
            f"the frame has no column the knowledge base reads (columns: {shown}): expected item ids "
            f"of {kb.id} (such as {kb.items[0].id!r}) or context fields as 'context.<field>' columns"
        )
    meta = assess_frame(frame._meta, knowledge_base=kb, top=top)  # noqa: SLF001 - dask's empty frame of the partitions' columns and dtypes
    shipped = dask.delayed(ship(kb), pure=True)  # one value, sent to each worker once
    lazy: Any = frame  # dask's map_partitions is not annotated
    result: dd.DataFrame = lazy.map_partitions(
        assess_partition,
        shipped,
        top,
        meta=meta,
        token="diagnose-assess",  # noqa: S106 - a task name
    )
    return result


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
