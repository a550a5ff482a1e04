"""Files in and out for the `diagnose` command, and the one-line failure every mistake becomes.

Every failure the user can cause ends the command with one line on standard error, `error: `
followed by where (a path, `path:line:col`, or an option) and what was expected; the lines after
it, if any, list the problems one by one (an intake with several bad answers, a broken knowledge
base). Exit code 1 is for data (files, answers, knowledge bases, the disk), 2 for the command line.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import click
from pydantic import BaseModel, ValidationError

from diagnose.assessment.scoring import Intake
from diagnose.cli._json import read_json
from diagnose.errors import DiagnoseError, KnowledgeBaseError
from diagnose.knowledge._load import load_knowledge_base
from diagnose.knowledge._messages import format_loc
from diagnose.knowledge._yaml import read_yaml

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from diagnose.cli._json import JsonDocument
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._yaml import YamlDocument

M = TypeVar("M", bound=BaseModel)

#: What writing to a full disk says; only output fails so, even when the system names no file.
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

#: File endings read as JSON; every other file is read as YAML.
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
#: Problems listed under the first line at most; more are counted.
SHOWN = 10
#: Largest file read (an intake is a few kilobytes, a long trajectory well under a megabyte).
MAX_BYTES = 64 * 2**20


class Fail(click.ClickException):
    """A failure caused by the data, not by the command line: `error: ...` on stderr, exit 1."""

    def show(self, file: object = None) -> None:  # noqa: ARG002 - click's signature
        """Print the message after `error: `."""
        click.echo(f"error: {self.message}", err=True)


def usage_line(exc: click.UsageError) -> str:
    """A usage error as one line: click's message, then where to read the command's help."""
    message = " ".join(line.strip() for line in exc.format_message().splitlines() if line.strip())
    if not message.endswith((".", "?", "!")):
        message += "."
    if exc.ctx is not None:
        message += f" Try '{exc.ctx.command_path} --help' for help."
    return f"error: {message}"


def os_message(exc: OSError) -> str:
    """`path: what the system said` for an OSError, naming the path when the error has one."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


class Group(click.Group):
    """The `diagnose` group: every user mistake becomes one line and an exit code, in one place.

    `DiagnoseError` (bad data), `OSError` (paths, permissions, a full disk) and
    `UnicodeDecodeError` (a file that is not text) are the user's; they become `error: ...` and
    exit 1. Usage errors become one line and exit 2. Any other exception is a bug in diagnose and
    keeps its traceback, so that it is reported and fixed rather than hidden.
    """

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - click's signature
        """Run the command, turning the user's mistakes into `Fail`."""
        try:
            return super().invoke(ctx)
        except DiagnoseError as exc:
            raise Fail(str(exc)) from exc
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click ends quietly when the reader of the output went away
            if exc.filename is None and exc.errno in _FULL:  # a write to an open file or to stdout
                raise Fail(f"cannot write the output: {exc.strerror}") from exc
            raise Fail(os_message(exc)) from exc
        except UnicodeDecodeError as exc:
            raise Fail(f"a file is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,  # noqa: FBT001, FBT002 - click's signature
        **extra: Any,  # noqa: ANN401 - click's signature
    ) -> Any:  # noqa: ANN401 - click's signature
        """Run the command line as click does, but print every failure as one line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()  # a full disk behind stdout shows here, not after exit
        except click.UsageError as exc:
            click.echo(usage_line(exc), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(1)
        except OSError as exc:  # writing what click itself prints (help, usage) or the last flush
            if exc.errno != errno.EPIPE:  # the reader went away (`| head`): nothing to say, as click
                click.echo(f"error: cannot write the output: {exc.strerror or exc}", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class NamedPath(click.Path):
    """A path that must have a name: an empty one would silently mean the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:  # noqa: ANN401 - click's signature
        """Refuse `""` as a usage error; anything else is click's."""
        if isinstance(value, str) and not value:
            self.fail("an empty path; give a file or folder name", param, ctx)
        return super().convert(value, param, ctx)


#: A file argument: whether it exists and can be read is the data's question (exit 1), not usage.
FILE = NamedPath(path_type=Path)


def is_device(path: Path) -> bool:
    """Whether a path is a character or block device (/dev/zero, /dev/full: rows without end)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # reading it says what is wrong
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def kb_option(func: Callable[..., None]) -> Callable[..., None]:
    """The `--kb` option."""
    return click.option(
        "--kb",
        "kb_path",
        type=FILE,
        default=None,
        help="Knowledge-base folder (default: the packaged one).",
    )(func)


def load(kb_path: Path | None) -> KnowledgeBase:
    """Load a knowledge base; a broken one fails with its problems listed under the first line."""
    try:
        return load_knowledge_base(kb_path)
    except KnowledgeBaseError as exc:
        problems = exc.problems
        if len(problems) == 1 and problems[0].file == str(kb_path):  # no folder at all
            raise Fail(f"{kb_path}: {problems[0].message}") from exc
        lines = [str(p) for p in problems]
        folder = f"{kb_path}: the knowledge base" if kb_path is not None else "the packaged knowledge base"
        check = f"diagnose check {kb_path}" if kb_path is not None else "diagnose check"
        head = f"{folder} has {len(problems)} problem(s); run '{check}' to see them all"
        raise Fail("\n".join([head, *_shown(lines)])) from exc


def _shown(lines: list[str]) -> list[str]:
    if len(lines) <= SHOWN:
        return lines
    return [*lines[:SHOWN], f"... and {len(lines) - SHOWN} more"]


def decode(data: bytes, name: str) -> str:
    r"""The text of a file's bytes (UTF-8, with or without a byte-order mark), or a located failure.

    Examples:
        >>> decode(b"answers: {}", "a.yaml")
        'answers: {}'
        >>> decode(b"se_1: 3\nse_2: \xff", "a.yaml")
        Traceback (most recent call last):
        ...
        diagnose.cli._io.Fail: a.yaml:2:7: not UTF-8 text: byte 0xff cannot be read; save the file as UTF-8
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Fail(f"{name}: UTF-16 text; save the file as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        message = f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read; save the file as UTF-8"
        raise Fail(f"{name}:{line}:{column}: {message}") from exc


def read_text(path: str | Path) -> tuple[str, str]:
    """(name to report, text) of a file, or of standard input for `-`.

    At most MAX_BYTES are read: a device such as /dev/zero, or a wrong file of gigabytes, fails
    at once instead of filling the memory.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if name == "<stdin>":
            data = _read_bounded(getattr(sys.stdin, "buffer", None))
        else:
            with Path(path).open("rb") as stream:
                data = _read_bounded(stream)
    except OSError as exc:
        raise Fail(f"{name}: cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise Fail(f"{name}: more than {MAX_BYTES // 2**20} MiB; an intake or a cycle file is far smaller")
    return name, decode(data, name)


def _read_bounded(stream: BinaryIO | None) -> bytes:
    """Up to MAX_BYTES + 1 bytes of a stream (none when there is no standard input at all)."""
    return stream.read(MAX_BYTES + 1) if stream is not None else b""


def _is_json(path: str | Path, text: str) -> bool:
    if str(path) == "-":
        return text.lstrip().startswith(("{", "["))
    return Path(path).suffix.lower() in JSON_SUFFIXES


def read_document(path: str | Path) -> tuple[str, JsonDocument | YamlDocument | None]:
    """(name, document) of a JSON or YAML file, or a failure naming the first problem's place."""
    name, text = read_text(path)
    if not text.strip():
        raise Fail(f"{name}: the file is empty")
    doc, problems = read_json(text, name) if _is_json(path, text) else read_yaml(text, name)
    if problems:
        raise Fail("\n".join(_shown([str(p) for p in problems])))
    return name, doc


def read_intake(path: str) -> Intake:
    """Read an intake: a mapping with `answers` and optionally `context`, in JSON or YAML."""
    name, doc = read_document(path)
    data = doc.data if doc is not None else None
    if not isinstance(data, dict) or "answers" not in data:
        raise Fail(f"{name}: expected a mapping with 'answers' (and optionally 'context')")
    unknown = sorted(str(k) for k in data if k not in {"answers", "context"})
    if unknown:
        raise Fail(f"{name}: unknown key {unknown[0]!r}; an intake has 'answers' and 'context'")
    for key in ("answers", "context"):
        if key in data and not isinstance(data[key], dict):
            line, column = doc.locate((key,)) if doc is not None else (1, 1)
            raise Fail(f"{name}:{line}:{column}: {key}: expected a mapping of id to value")
    return Intake.model_construct(answers=data["answers"], context=data.get("context") or {})


def read_context(path: str | Path) -> dict[str, object]:
    """Read context values (`--context`): a mapping of context field to value, in JSON or YAML.

    The same as an intake's `context`; its values are checked against the knowledge base later.
    """
    name, doc = read_document(path)
    data = doc.data if doc is not None else None
    if not isinstance(data, dict):
        raise Fail(f"{name}: expected a mapping of context field to value")
    return {str(k): v for k, v in data.items()}


def read_model(path: Path, model: type[M], what: str) -> M:
    """Read a JSON file written by this library (a diagnosis, plan, decisions, trajectory).

    Such a file is JSON whatever its name ends with; each problem is located by line and column.
    """
    name, text = read_text(path)
    if not text.strip():
        raise Fail(f"{name}: the file is empty")
    doc, problems = read_json(text, name)
    if doc is None:
        raise Fail("\n".join(_shown([str(p) for p in problems])))
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    expected = model.model_fields["kind"].default if "kind" in model.model_fields else None
    if isinstance(kind, str) and kind != expected:
        raise Fail(f"{name}: this file holds a {kind} ('kind': {kind!r}); expected a {what}")
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            line, column = doc.locate(loc)
            lines.append((f"{name}:{line}:{column}", f"{format_loc(loc) or '(top)'}: {error['msg']}"))
        if len(lines) == 1:
            raise Fail(f"{lines[0][0]}: not a valid {what}: {lines[0][1]}") from exc
        shown = _shown([f"  {where}: {problem}" for where, problem in lines])
        raise Fail("\n".join([f"{name}: not a valid {what}: {len(lines)} problems", *shown])) from exc


def write_output(output: Path | None, text: str) -> None:
    """Write `text` to `output` (or stdout); a missing folder or a failed write is one line.

    No folder is ever created: a mistyped path fails instead of leaving folders about.
    """
    if output is None:
        click.echo(text)
        return
    folder = output.parent
    if not folder.is_dir():
        state = "is not a folder" if folder.exists() else "does not exist"
        raise Fail(f"{output}: the folder {folder} {state}; diagnose creates no folders")
    try:
        with output.open("w", encoding="utf-8") as stream:
            stream.write(text + "\n")
    except OSError as exc:
        raise Fail(f"{output}: cannot write the file: {exc.strerror or exc}") from exc


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    del param
    if value is None:
        message = "Missing option '--as-of': give the date as YYYY-MM-DD (the library never reads the clock)."
        raise click.UsageError(message, ctx)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"Invalid value for '--as-of': expected a date as YYYY-MM-DD, got {value!r}."
        raise click.UsageError(message, ctx) from None


def _optional_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return None if value is None else _as_of(ctx, param, value)


AS_OF = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", callback=_as_of, help="The date to use (required)."
)
#: `--as-of` where a date is optional: the intake's date, kept in the diagnosis.
INTAKE_DATE = click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    callback=_optional_as_of,
    help="The date of the intake, kept in the diagnosis (needed to plan and re-measure).",
)
#: `--rung`: the client's rung on the Participatieladder, kept in the diagnosis (checked by `assess`).
RUNG = click.option(
    "--rung",
    "participation_rung",
    type=int,
    metavar="N",
    default=None,
    help="The client's rung on the Participatieladder (1 isolated ... 6 paid work), kept in the diagnosis.",
)
OUTPUT = click.option(
    "-o",
    "--output",
    type=FILE,
    default=None,
    help="Write here instead (the folder must exist).",
)
