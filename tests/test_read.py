"""Reading a knowledge-base folder as untrusted input: plain files inside it only, bounded in size."""

from __future__ import annotations

import os
import socket
import sys
from typing import TYPE_CHECKING

import pytest

import diagnose
from diagnose.knowledge import _read
from diagnose.knowledge._read import MAX_FILE_BYTES

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MakeKb

OUTSIDE = (
    "a link leading outside the knowledge-base folder; links are followed only within the folder: "
    "copy the file in instead"
)
NOT_REGULAR = "not a regular file; a knowledge base reads only plain files"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="links, FIFOs and sockets as on POSIX")


def problems(root: Path) -> list[str]:
    with pytest.raises(diagnose.KnowledgeBaseError) as err:
        diagnose.load_knowledge_base(root)
    return [str(p) for p in err.value.problems]


@posix_only
@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("recommend/shadow.yaml", "/etc/shadow"),
        ("instrument.yaml", "/etc/passwd"),
        ("recommend/zero.yaml", "/dev/zero"),
        ("recommend/up.yaml", "../../kb-outside.yaml"),
    ],
)
def test_a_link_leaving_the_folder_is_refused_unread(make_kb: MakeKb, name: str, target: str) -> None:
    """Nothing of the target is read, so nothing of it can show in a message (nor block, nor fill memory)."""
    root = make_kb({})
    (root.parent / "kb-outside.yaml").write_text("secret: 1\n", encoding="utf-8")
    (root / name).unlink(missing_ok=True)
    (root / name).symlink_to(target)
    assert problems(root) == [f"{name}: {OUTSIDE}"]


@posix_only
def test_a_link_within_the_folder_is_followed(make_kb: MakeKb) -> None:
    root = make_kb({})
    (root / "shared").mkdir()
    (root / "recommend/health.yaml").rename(root / "shared/health.yaml")
    (root / "recommend/health.yaml").symlink_to("../shared/health.yaml")
    kb = diagnose.load_knowledge_base(root)
    assert kb.rules_by_id["low_health"].recommend == "health_assessment"


@posix_only
def test_a_subfolder_linked_outside_is_refused(make_kb: MakeKb, tmp_path: Path) -> None:
    root = make_kb({})
    (root / "cases").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.yaml").write_text("cases: []\n", encoding="utf-8")
    assert problems(root) == [f"cases: {OUTSIDE}"]


@posix_only
def test_a_broken_link_is_refused(make_kb: MakeKb) -> None:
    root = make_kb({})
    (root / "recommend/gone.yaml").symlink_to("nowhere.yaml")
    assert problems(root) == [
        "recommend/gone.yaml: a link that leads nowhere (a broken link or a loop of links); "
        "a knowledge base reads only plain files"
    ]


@posix_only
@pytest.mark.parametrize("name", ["recommend/x.yaml", "cycle/settings.yaml", "instrument.yaml"])
def test_a_fifo_is_refused_without_being_opened(make_kb: MakeKb, name: str) -> None:
    """A FIFO would block the reader for ever: it is seen for what it is before it is opened."""
    root = make_kb({})
    (root / name).parent.mkdir(exist_ok=True)
    (root / name).unlink(missing_ok=True)
    os.mkfifo(root / name)
    assert problems(root) == [f"{name}: a FIFO (named pipe), {NOT_REGULAR}"]


@posix_only
def test_a_socket_and_a_folder_are_refused(make_kb: MakeKb) -> None:
    root = make_kb({})
    (root / "recommend/dir.yaml").mkdir()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "recommend/sock.yaml"))
        assert problems(root) == [
            f"recommend/dir.yaml: a folder, {NOT_REGULAR}",
            f"recommend/sock.yaml: a socket, {NOT_REGULAR}",
        ]


def test_a_file_over_the_size_limit_is_refused_unparsed(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/big.yaml": "# " + "x" * MAX_FILE_BYTES + "\n"})
    assert problems(root) == [
        f"recommend/big.yaml: the file is larger than 4 MiB ({MAX_FILE_BYTES + 3:,} bytes); "
        "a knowledge-base file holds at most that: split it"
    ]


def test_a_knowledge_base_over_the_total_limit_is_refused_where_it_passes_it(
    make_kb: MakeKb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are read in a fixed order; the first that would pass the total is the one named."""
    root = make_kb({})
    sizes = {name: (root / name).stat().st_size for name in ("instrument.yaml", "interventions.yaml")}
    monkeypatch.setattr(_read, "MAX_TOTAL_BYTES", sum(sizes.values()) + 10)
    assert problems(root)[0] == (
        "recommend/health.yaml: the knowledge base holds more than 0 MiB over all its files; "
        "this file is where it passes that"
    )


def test_a_file_that_is_no_utf8_is_located_by_its_byte(make_kb: MakeKb) -> None:
    root = make_kb({})
    (root / "recommend/latin.yaml").write_bytes(b"rules: []\n# caf\xe9\n")
    assert problems(root) == ["recommend/latin.yaml: cannot read the file: not UTF-8 text (byte 16 is 0xe9)"]


def test_a_copied_system_file_shows_only_a_short_escaped_excerpt(make_kb: MakeKb) -> None:
    """A password file copied in (not linked) is parsed as YAML: a message shows 30 characters of it."""
    passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" * 3
    shadow = "root:$6$saltsaltsalt$hashhashhashhashhashhashhash:20228:0:99999:7:::\n"
    root = make_kb({"instrument.yaml": passwd, "recommend/shadow.yaml": shadow + "x: 1\n"})
    assert problems(root) == [
        "instrument.yaml:1:1: expected a mapping at the top of the file, got "
        "'root:x:0:0:root:/root:/bin/bash ...' (239 characters)",
        "recommend/shadow.yaml:1:1: missing required key 'rules'",
        "recommend/shadow.yaml:1:1: root:$6$saltsaltsalt$hashhashh...: unknown key "
        "'root:$6$saltsaltsalt$hashhashhas...' (67 characters)",
        "recommend/shadow.yaml:2:1: x: unknown key 'x'",
    ]


def test_a_key_with_control_characters_is_shown_escaped(make_kb: MakeKb) -> None:
    root = make_kb({"recommend/odd.yaml": 'rules: []\n"a\\x1b[2Jb": 1\n'})
    assert problems(root) == [
        "recommend/odd.yaml:1:8: rules: expected at least 1 entry, got 0",
        r"recommend/odd.yaml:2:1: a\x1b[2Jb: unknown key 'a\x1b[2Jb'",
    ]


@pytest.mark.parametrize("path", [3, b"rules", ["rules"], object()])
def test_a_path_that_is_no_path_is_a_knowledge_base_error(path: object) -> None:
    with pytest.raises(diagnose.KnowledgeBaseError) as err:
        diagnose.load_knowledge_base(path)  # type: ignore[arg-type]
    shown = repr(path) if len(repr(path)) <= 40 else repr(path)[:37] + "..."
    assert str(err.value) == (
        f"argument 'path': expected a knowledge-base folder (a str or pathlib.Path) or None, got {shown}"
    )
    with pytest.raises(diagnose.KnowledgeBaseError):
        list(diagnose.iter_errors(path))  # type: ignore[arg-type]


@posix_only
def test_a_knowledge_base_folder_given_through_a_link_loads(make_kb: MakeKb, tmp_path: Path) -> None:
    """Only links inside the folder are judged; the folder itself may be reached through one."""
    (tmp_path / "current").symlink_to(make_kb({}), target_is_directory=True)
    kb = diagnose.load_knowledge_base(tmp_path / "current")
    assert kb.rules_by_id["low_health"].recommend == "health_assessment"
