"""The checked snapshot of the packaged knowledge base.

It is current, it gives what a full load gives, it is used only for a folder byte for byte the
one it was made from, and a stale or corrupt one is ignored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import diagnose
from diagnose.errors import KnowledgeBaseError
from diagnose.knowledge import _loader, _snapshot
from diagnose.knowledge._load import _load, default_knowledge_base_path, iter_errors
from diagnose.knowledge._loader import read_knowledge_base
from diagnose.knowledge._make_snapshot import SnapshotError, is_current, main, snapshot_of, write
from diagnose.knowledge._read import Reader

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose.knowledge._base import KnowledgeBase
    from tests.conftest import MakeKb

EXAMPLES = Path(__file__).parents[1] / "examples"
CASES = "cases:\n  - id: {id}\n    answers: {{se_1: 3}}\n    expect: {{}}\n"


def full(root: Path) -> KnowledgeBase:
    """A full load of `root`, the snapshot never looked at."""
    kb, problems = read_knowledge_base(root, snapshot=None)
    assert problems == []
    assert kb is not None
    return kb


def assert_same(got: KnowledgeBase, want: KnowledgeBase) -> None:
    """Every part a knowledge base is built from, compared one by one."""
    assert got.instrument == want.instrument
    assert dict(got.interventions) == dict(want.interventions)
    assert got.rules == want.rules
    assert got.content_hash == want.content_hash
    assert dict(got.origins) == dict(want.origins)
    assert got.cases == want.cases
    assert got.cycle == want.cycle
    assert got.cycle_rules == want.cycle_rules
    assert got.path == want.path
    # The same fields set, not only the same values: `exclude_unset` dumps agree too.
    for mine, theirs in [(got.instrument, want.instrument), *zip(got.rules, want.rules, strict=True)]:
        assert mine.model_dump_json(exclude_unset=True) == theirs.model_dump_json(exclude_unset=True)
    for name, intervention in want.interventions.items():
        dumped = intervention.model_dump_json(exclude_unset=True)
        assert got.interventions[name].model_dump_json(exclude_unset=True) == dumped


def copy_packaged(tmp_path: Path) -> Path:
    target = tmp_path / "packaged"
    shutil.copytree(default_knowledge_base_path(), target)
    return target


@pytest.fixture
def no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full load fails the test: what loads then came from the snapshot."""

    def refuse(*_args: object) -> object:
        pytest.fail("a full load was made")

    monkeypatch.setattr(_loader, "_read_instrument", refuse)


@pytest.fixture
def fixture_snapshot(make_kb: MakeKb, tmp_path: Path) -> tuple[Path, Path]:
    """A fixture knowledge base with two case files, and its snapshot written beside it."""
    root = make_kb({"cases/a.yaml": CASES.format(id="first"), "cases/b.yaml": CASES.format(id="second")})
    snapshot = tmp_path / "snapshot.json"
    assert write(root, snapshot) is True
    return root, snapshot


def test_the_shipped_snapshot_is_current() -> None:
    root = default_knowledge_base_path()
    header = _snapshot.Header.model_validate_json(_snapshot.SNAPSHOT.read_bytes().partition(b"\n")[0])
    reader = Reader(root)
    files = _snapshot.listing(reader)
    assert files is not None
    key = _snapshot.folder_key(reader, files, diagnose.__version__)
    stale = f"the shipped snapshot is stale: run {_snapshot.COMMAND}"
    assert (header.format, header.version, header.key) == (_snapshot.FORMAT, diagnose.__version__, key), stale
    assert is_current(root, _snapshot.SNAPSHOT), stale


def test_the_check_command_says_the_shipped_snapshot_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == f"{_snapshot.SNAPSHOT} is current for {default_knowledge_base_path()}\n"


@pytest.mark.usefixtures("no_full_load")
def test_the_packaged_knowledge_base_loads_from_the_snapshot() -> None:
    root = default_knowledge_base_path()
    kb = _load(root)
    assert kb.path == root
    assert diagnose.load_knowledge_base(root).content_hash == kb.content_hash


def test_the_snapshot_gives_what_a_full_load_gives() -> None:
    root = default_knowledge_base_path()
    snapped, loaded = _snapshot.load(root), full(root)
    assert snapped is not None
    assert_same(snapped, loaded)
    intakes = sorted(EXAMPLES.glob("intake-*.json"))
    assert len(intakes) >= 5
    for path in intakes:
        intake = json.loads(path.read_text(encoding="utf-8"))
        args = {"context": intake.get("context"), "as_of": None}
        got = diagnose.assess(intake["answers"], knowledge_base=snapped, **args)
        want = diagnose.assess(intake["answers"], knowledge_base=loaded, **args)
        assert got == want, path.name


def test_a_byte_for_byte_copy_elsewhere_uses_it(tmp_path: Path) -> None:
    root = copy_packaged(tmp_path)
    snapped = _snapshot.load(root)
    assert snapped is not None
    assert snapped.path == root
    assert_same(snapped, full(root))


def test_one_byte_changed_in_a_rule_takes_the_full_path(tmp_path: Path) -> None:
    packaged = _snapshot.load(default_knowledge_base_path())
    assert packaged is not None
    root = copy_packaged(tmp_path)
    rule_file = root / "recommend" / "care.yaml"
    text = rule_file.read_text(encoding="utf-8")
    assert text.count("en: Care duties not arranged\n") == 1
    rule_file.write_text(text.replace("not arranged\n", "not arrangeD\n"), encoding="utf-8")

    assert _snapshot.load(root) is None
    kb = diagnose.load_knowledge_base(root)
    assert kb.content_hash != packaged.content_hash
    assert kb.rules_by_id["low_care_arrangements"].title.en == "Care duties not arrangeD"
    assert_same(kb, full(root))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("add a rule file", "recommend/zz_extra.yaml"),
        ("add a case file", "cases/extra.yaml"),
        ("rename a rule file", "recommend/zz_care.yaml"),
    ],
)
def test_an_added_or_renamed_file_takes_the_full_path(tmp_path: Path, change: str, expected: str) -> None:
    root = copy_packaged(tmp_path)
    care = root / "recommend" / "care.yaml"
    if change == "add a rule file":
        text = care.read_text(encoding="utf-8").replace("id: low_care_arrangements", "id: extra_care")
        (root / expected).write_text(text, encoding="utf-8")
    elif change == "add a case file":
        (root / "cases").mkdir()
        (root / expected).write_text(CASES.format(id="extra"), encoding="utf-8")
    else:
        care.rename(root / expected)

    assert _snapshot.load(root) is None
    kb = diagnose.load_knowledge_base(root)
    assert_same(kb, full(root))
    assert expected in {origin.file for origin in kb.origins.values()}


def test_a_file_the_loader_does_not_read_changes_nothing(tmp_path: Path) -> None:
    """Only what a load reads is in the key: a note beside the rules cannot change the outcome."""
    root = copy_packaged(tmp_path)
    (root / "NOTES.txt").write_text("not read by a load\n", encoding="utf-8")
    (root / "recommend" / "draft.yml").write_text("rules: [\n", encoding="utf-8")
    assert _snapshot.load(root) is not None


def test_a_fixture_folder_uses_its_own_snapshot(fixture_snapshot: tuple[Path, Path]) -> None:
    root, snapshot = fixture_snapshot
    snapped = _snapshot.load(root, snapshot)
    assert snapped is not None
    assert [case.id for _file, case in snapped.cases] == ["first", "second"]
    assert_same(snapped, full(root))
    assert _snapshot.load(root) is None  # the packaged snapshot is not this folder's


def test_a_removed_case_file_takes_the_full_path(fixture_snapshot: tuple[Path, Path]) -> None:
    root, snapshot = fixture_snapshot
    (root / "cases" / "b.yaml").unlink()
    assert _snapshot.load(root, snapshot) is None
    kb, problems = read_knowledge_base(root, snapshot=snapshot)
    assert problems == []
    assert kb is not None
    assert [case.id for _file, case in kb.cases] == ["first"]


def test_a_link_inside_the_folder_takes_the_full_path(fixture_snapshot: tuple[Path, Path]) -> None:
    """A full load follows a link that stays inside the folder; the snapshot is never used for one."""
    root, snapshot = fixture_snapshot
    (root / "cases" / "b.yaml").rename(root / "b.yaml")
    (root / "cases" / "b.yaml").symlink_to(root / "b.yaml")
    assert _snapshot.load(root, snapshot) is None
    kb, problems = read_knowledge_base(root, snapshot=snapshot)
    assert problems == []
    assert kb is not None
    assert [case.id for _file, case in kb.cases] == ["first", "second"]


def test_another_package_version_takes_the_full_path(
    fixture_snapshot: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, snapshot = fixture_snapshot
    monkeypatch.setattr(diagnose, "__version__", "0.0.1")
    assert _snapshot.load(root, snapshot) is None


def _header(data: bytes) -> dict[str, object]:
    header: dict[str, object] = json.loads(data.partition(b"\n")[0])
    return header


def _with_header(data: bytes, **changes: object) -> bytes:
    header = _header(data) | changes
    return json.dumps(header).encode() + b"\n" + data.partition(b"\n")[2]


def _with_body(data: bytes, body: bytes) -> bytes:
    """A snapshot whose body is `body`, with the body's digest right: only validation can refuse it."""
    header = _header(data) | {"body": hashlib.sha256(body).hexdigest()}
    return json.dumps(header).encode() + b"\n" + body


#: Each way a snapshot goes stale or corrupt, as a change of its bytes.
BROKEN: dict[str, Callable[[bytes], bytes]] = {
    "wrong key": lambda data: _with_header(data, key="0" * 64),
    "wrong format number": lambda data: _with_header(data, format=_snapshot.FORMAT + 1),
    "format as text": lambda data: _with_header(data, format=str(_snapshot.FORMAT)),
    "other version": lambda data: _with_header(data, version="0.0.1"),
    "other sizes": lambda data: _with_header(data, files=[]),
    "bad JSON": lambda data: data[: len(data) // 2],
    "no header": lambda data: data.partition(b"\n")[2],
    "a changed body": lambda data: data.replace(b'"first"', b'"third"'),
    "a body that is no knowledge base": lambda data: _with_body(data, b'{"rules": []}'),
    "empty": lambda _data: b"",
    "not UTF-8": lambda data: data.replace(b'"first"', b'"\xff"'),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_stale_or_corrupt_snapshot_is_ignored(fixture_snapshot: tuple[Path, Path], broken: str) -> None:
    root, snapshot = fixture_snapshot
    data = snapshot.read_bytes()
    assert _snapshot.from_bytes(root, data) is not None  # the intact one is used
    snapshot.write_bytes(BROKEN[broken](data))
    assert snapshot.read_bytes() != data
    assert _snapshot.load(root, snapshot) is None
    kb, problems = read_knowledge_base(root, snapshot=snapshot)
    assert problems == []
    assert kb is not None
    assert_same(kb, full(root))


def test_a_missing_or_unreadable_snapshot_is_ignored(make_kb: MakeKb, tmp_path: Path) -> None:
    root = make_kb({})
    for snapshot in (tmp_path / "missing.json", tmp_path):
        assert _snapshot.load(root, snapshot) is None
        kb, problems = read_knowledge_base(root, snapshot=snapshot)
        assert (problems, kb is not None) == ([], True)


def test_a_folder_with_problems_reports_them_whatever_the_snapshot(
    fixture_snapshot: tuple[Path, Path],
) -> None:
    root, snapshot = fixture_snapshot
    (root / "cases" / "b.yaml").write_text("cases: [\n", encoding="utf-8")
    kb, problems = read_knowledge_base(root, snapshot=snapshot)
    assert kb is None
    assert problems == read_knowledge_base(root, snapshot=None)[1]
    assert [p.file for p in problems] == ["cases/b.yaml"]


def test_iter_errors_always_loads_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> object:
        pytest.fail("the snapshot was looked at")

    monkeypatch.setattr(_loader, "load_snapshot", refuse)
    assert list(iter_errors()) == []


def test_no_snapshot_is_made_of_a_folder_that_does_not_load(make_kb: MakeKb, tmp_path: Path) -> None:
    root = make_kb({"interventions.yaml": None})
    target = tmp_path / "snapshot.json"
    with pytest.raises(
        KnowledgeBaseError, match=r"^interventions.yaml: file not found: a knowledge base needs this file$"
    ):
        write(root, target)
    assert not target.exists()


def test_no_snapshot_is_made_of_a_folder_with_a_link(fixture_snapshot: tuple[Path, Path]) -> None:
    root, _snapshot_file = fixture_snapshot
    (root / "cases" / "b.yaml").rename(root / "b.yaml")
    (root / "cases" / "b.yaml").symlink_to(root / "b.yaml")
    with pytest.raises(
        SnapshotError, match=r"no snapshot: a file is a link or no plain file, or is refused$"
    ):
        snapshot_of(root)
