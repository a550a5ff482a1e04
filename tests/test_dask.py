"""assess_dask on a real distributed cluster: two worker processes, the local batch's output exactly."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

import diagnose
from diagnose.batch import _dask
from diagnose.batch._dask import DaskError, ShippedKnowledgeBase, assess_dask, ship, worker_knowledge_base
from diagnose.batch.tabular import assess_frame

EXTRA = "needs the dask extra: pip install 'diagnose[dask]'"
dask = pytest.importorskip("dask", reason=EXTRA)
dd = pytest.importorskip("dask.dataframe", reason=EXTRA)
distributed = pytest.importorskip("distributed", reason=EXTRA)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from distributed import Client

    from tests.conftest import MakeKb

#: Seconds before a computation counts as hung: a guard against a hang, never a speed check.
HANG_GUARD = 300


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A cluster of two worker processes with one thread each, as on two machines."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", timeout=HANG_GUARD
        ) as cluster,
        distributed.Client(cluster, timeout=HANG_GUARD) as client,
    ):
        yield client


def computed(client: Client, frame: Any) -> pd.DataFrame:  # noqa: ANN401 - dask's objects are not annotated
    """The frame computed on the cluster, waiting at most HANG_GUARD seconds."""
    untyped: Any = client  # Client.compute is not annotated
    result: pd.DataFrame = untyped.compute(frame).result(timeout=HANG_GUARD)
    return result


def caseload(kb: diagnose.KnowledgeBase, n: int) -> pd.DataFrame:
    """Rows of varied answers: missing cells, words among numbers, a context field; rows 9k+4 and 13k+6 bad."""
    rows: list[dict[str, object]] = []
    for i in range(n):
        row: dict[str, object] = {"id": f"c{i}"}
        for j, item in enumerate(kb.items):
            if (i + j) % 6:
                row[item.id] = 1 + (i * 3 + j * 7) % 5
        if i % 9 == 4:
            row["se_1"] = 6
        if i % 11 == 5:
            row["mo_1"] = "declined"
        if i % 13 == 6:
            row["he_1"] = "weet niet"
        row["context.started_work"] = None if i % 4 else bool(i % 8)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("mo_1", "he_1"):  # whole numbers and words in one column
        frame[column] = frame[column].astype(object)
    return frame


def as_dask(frame: pd.DataFrame, npartitions: int) -> Any:  # noqa: ANN401 - a dask DataFrame
    # dask turns object columns into text unless told not to: mo_1 keeps its numbers and words.
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(frame, npartitions=npartitions)


def test_the_workers_are_other_processes(client: Client) -> None:
    pids = client.run(os.getpid)
    assert len(pids) == 2
    assert os.getpid() not in pids.values()
    assert len(set(pids.values())) == 2


@pytest.mark.parametrize("top", [1, 3])
def test_the_same_rows_as_the_local_batch(client: Client, kb: diagnose.KnowledgeBase, top: int) -> None:
    """Invariant: on any input, assess_dask computed on the cluster is assess_frame of the same frame."""
    frame = caseload(kb, 300)
    result = computed(client, assess_dask(as_dask(frame, 7), top=top))
    local = assess_frame(frame, top=top)
    pd.testing.assert_frame_equal(result, local, check_exact=True)
    rejected = result[result["error"] != ""]
    assert list(rejected.index) == [i for i in range(300) if i % 9 == 4 or i % 13 == 6]  # kept as rows
    assert rejected["motivation"].isna().all()
    assert str(rejected.loc[4, "error"]).startswith("item 'se_1': expected a whole number from 1 to 5")
    assert str(rejected.loc[6, "error"]).startswith("item 'he_1': expected a whole number from 1 to 5")
    assert result.loc[5, "motivation"] != "not_assessed"  # 'declined' is an answer


def test_empty_partitions_and_a_fixture_knowledge_base(
    client: Client, fixture_kb: diagnose.KnowledgeBase
) -> None:
    frame = caseload(fixture_kb, 40)[["id", "se_1", "se_2", "se_3", "he_1", "he_2"]]
    parts = as_dask(frame, 4)
    kept = parts[parts["id"].str.len() > 2]  # c0 to c9 go: the first partition ends up empty
    result = computed(client, assess_dask(kept, knowledge_base=fixture_kb))
    local = assess_frame(frame[frame["id"].str.len() > 2], knowledge_base=fixture_kb)
    pd.testing.assert_frame_equal(result, local, check_exact=True)
    assert list(result.index) == list(range(10, 40))


def test_each_worker_loads_the_knowledge_base_once(
    client: Client, fixture_kb: diagnose.KnowledgeBase
) -> None:
    frame = as_dask(caseload(fixture_kb, 60)[["se_1", "se_2", "se_3"]], 6)

    key = fixture_kb.content_hash  # the function below goes to the workers by value: plain data only

    def loaded() -> int | None:
        kb = _dask._loaded.get(key)  # the worker's own cache
        return None if kb is None else id(kb)

    computed(client, assess_dask(frame, knowledge_base=fixture_kb))
    first = client.run(loaded)
    computed(client, assess_dask(frame, knowledge_base=fixture_kb))
    assert client.run(loaded) == first
    assert any(first.values())


def test_a_worker_refuses_a_knowledge_base_that_loads_to_another_hash(
    client: Client, make_kb: MakeKb
) -> None:
    """The folder changed after it was loaded: the workers load what is there now, and refuse."""
    folder = make_kb({"recommend/health.yaml": ("priority: 1", "priority: 7")})
    kb = diagnose.load_knowledge_base(folder)
    path = folder / "recommend" / "health.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("priority: 7", "priority: 8"), encoding="utf-8")
    now = diagnose.load_knowledge_base(folder)
    frame = as_dask(pd.DataFrame({"he_1": [1, 2, 3], "he_2": [1, 1, 1]}), 2)
    with pytest.raises(DaskError) as info:
        computed(client, assess_dask(frame, knowledge_base=kb))
    assert str(info.value) == (
        f"{folder}: the knowledge base was sent with content hash {kb.content_hash}, but its files load "
        f"to {now.content_hash} on this worker: the folder changed after it was loaded (load it again), "
        "or the worker runs another version of diagnose (install the same)"
    )
    assert kb.content_hash != now.content_hash


def test_a_file_outside_the_folder_is_refused(fixture_kb: diagnose.KnowledgeBase) -> None:
    shipped = ship(fixture_kb)
    bad = ShippedKnowledgeBase((*shipped.files, ("../elsewhere.yaml", b"x: 1\n")), "sha256:new", "kb")
    with pytest.raises(DaskError, match=r"^kb: a file to load outside the folder: '\.\./elsewhere\.yaml'$"):
        worker_knowledge_base(bad)


def test_the_knowledge_base_goes_by_its_files(fixture_kb: diagnose.KnowledgeBase) -> None:
    shipped = ship(fixture_kb)
    assert [name for name, _ in shipped.files] == [
        "instrument.yaml",
        "interventions.yaml",
        "recommend/health.yaml",
        "recommend/no_barrier.yaml",
        "recommend/self_efficacy.yaml",
    ]
    assert shipped.content_hash == fixture_kb.content_hash
    loaded = worker_knowledge_base(shipped)
    assert loaded.content_hash == fixture_kb.content_hash
    assert loaded is not fixture_kb
    assert worker_knowledge_base(shipped) is loaded  # once per process


BAD_INPUT = [
    (
        [{"se_1": 1}],
        r"^expected a dask DataFrame \(dask\.dataframe\), got builtins\.list$",
    ),
    (
        pd.DataFrame({"se_1": [1]}),
        r"^expected a dask DataFrame \(dask\.dataframe\), got pandas\.DataFrame; "
        r"for a pandas DataFrame, use assess_frame$",
    ),
]


@pytest.mark.parametrize(("frame", "message"), BAD_INPUT, ids=["a list", "a pandas frame"])
def test_what_is_not_a_dask_frame_is_refused(frame: object, message: str) -> None:
    with pytest.raises(DaskError, match=message):
        assess_dask(frame)  # type: ignore[arg-type]  # the wrong type on purpose


def test_a_frame_without_a_column_the_knowledge_base_reads_is_refused(
    fixture_kb: diagnose.KnowledgeBase,
) -> None:
    frame = as_dask(pd.DataFrame({"id": ["a"], "SE_1": [1]}), 1)
    with pytest.raises(DaskError) as info:
        assess_dask(frame, knowledge_base=fixture_kb)
    assert str(info.value) == (
        "the frame has no column the knowledge base reads (columns: 'id', 'SE_1'): expected item ids of "
        "diagnose_default (such as 'se_1') or context fields as 'context.<field>' columns"
    )


def test_top_is_checked_before_anything_runs() -> None:
    frame = as_dask(pd.DataFrame({"se_1": [1]}), 1)
    with pytest.raises(diagnose.AnswerError) as info:
        assess_dask(frame, top=0)
    assert str(info.value) == "argument 'top': expected a whole number of at least 1, got 0"


def test_a_knowledge_base_without_a_folder_is_refused(fixture_kb: diagnose.KnowledgeBase) -> None:
    loose = diagnose.KnowledgeBase(
        instrument=fixture_kb.instrument,
        interventions=tuple(fixture_kb.interventions.values()),
        rules=fixture_kb.rules,
        content_hash=fixture_kb.content_hash,
        path=None,
    )
    frame = as_dask(pd.DataFrame({"se_1": [1]}), 1)
    with pytest.raises(DaskError) as info:
        assess_dask(frame, knowledge_base=loose)
    assert str(info.value) == (
        f"knowledge base {fixture_kb.id}: it was not loaded from a folder, so there are no files to send to "
        "the workers; load it with load_knowledge_base(folder)"
    )


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask", None)  # makes `import dask` fail
    with pytest.raises(DaskError) as info:
        assess_dask(pd.DataFrame({"se_1": [1]}))  # type: ignore[arg-type]  # never reaches dask
    assert (
        str(info.value)
        == "assess_dask needs dask and distributed (dask is missing): pip install 'diagnose[dask]'"
    )


def test_importing_diagnose_does_not_import_dask() -> None:
    code = "import sys, diagnose, diagnose.batch; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=HANG_GUARD
    )
    assert done.stdout == "[]\n"


def test_a_worker_refusal_crosses_processes_as_itself() -> None:
    error = DaskError("kb: a file to load outside the folder: '../x.yaml'")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, round-tripped
    assert type(again) is DaskError
    assert str(again) == str(error)
