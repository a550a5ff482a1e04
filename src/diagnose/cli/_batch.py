"""The `diagnose batch` command: a whole caseload in, diagnoses or a CSV summary out.

Output goes to a temporary file beside the target (`.<name>.<random>.partial`), renamed to the
target only when every row has been read: a batch that stops (a dead worker, Ctrl-C, a full
disk) removes it, so no file that looks complete is ever left. The errors file is written the
same way. A target that is not a regular file (`/dev/null`, a pipe) is written directly.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from diagnose.batch._files import (
    TOO_LONG,
    Row,
    TableError,
    assess_rows,
    bounded_lines,
    csv_line,
    read_rows,
    summary_columns,
    table_kind,
)
from diagnose.batch._many import map_chunks
from diagnose.cli._batch_files import (
    Interrupted,
    Output,
    Stop,
    check_paths,
    count_lines,
    hint,
    regular_or_new,
    sniff,
)
from diagnose.cli._io import kb_option, load
from diagnose.errors import DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from diagnose.knowledge._base import KnowledgeBase

__all__ = ["batch_command"]

_DUPLICATES_SHOWN = 3


class _Rate(ProgressColumn):
    """Rows per second, for the progress bar."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


def _interactive() -> bool:
    """Whether a person watches standard error (then the progress bar is shown)."""
    return sys.stderr.isatty()


#: Distinct ids kept to find repeats (their memory is on docs/cli.md, "Ids") unless
#: `--unique-ids` asks for every one: the memory of a batch of any length stays bounded.
MAX_TRACKED_IDS = 1_000_000


class _Ids:
    """The ids seen so far (up to `limit` distinct ones, if given), to report the rows that repeat one."""

    def __init__(self, limit: int | None = MAX_TRACKED_IDS) -> None:
        self.first: dict[str, int] = {}
        self.repeats: list[tuple[str, int, int]] = []  # (id, first row, this row)
        self.count = 0
        self.limit = limit
        #: The row of the first id not kept once `limit` ids are kept (None while all are kept).
        self.full_at: int | None = None

    def add(self, ids: tuple[tuple[int, str], ...]) -> tuple[str, int, int] | None:
        found = None
        first_of, limit = self.first, self.limit
        for number, client in ids:
            first = first_of.get(client)
            if first is None:
                if limit is None or len(first_of) < limit:
                    first_of[client] = number
                elif self.full_at is None:
                    self.full_at = number
                continue
            self.count += 1
            found = found or (client, first, number)
            if len(self.repeats) < _DUPLICATES_SHOWN:
                self.repeats.append((client, first, number))
        return found


BATCH_HELP = """Assess every intake in SOURCE (JSON Lines or CSV) and write TARGET.

A .csv TARGET gets one summary row per client (row, id, a level per factor, the top advice);
any other gets JSON Lines with the whole diagnosis. Rejected rows go, with their row number and
the reason, to the errors file; they never stop the batch and are never dropped silently.

\b
SOURCE as JSON Lines: one object per line,
  {"id": ..., "answers": {...}, "context": {...}} (id and context optional).
SOURCE as CSV (name ends in .csv): a header row, then one row per client:
  id             optional: the client's id, copied to the output
  <item id>      one column per item (se_1, mo_2, ...): the answer
  context.<field>  a context field (context.in_treatment)
  An empty cell is not answered (not_asked); a whole number written as a
  float (2.0, as pandas writes a column with gaps) is that number, 2.5 is
  refused; true and false are booleans. Each row must have as many cells as
  the header. A UTF-8 byte-order mark is allowed; a column named twice is not.

\b
TARGET is written to a temporary file beside it and renamed when done: a
batch that stops (Ctrl-C, SIGTERM, a dead worker, a full disk) removes it and
leaves an existing TARGET as it was.
Text cells of a CSV summary that a spreadsheet would run as a formula (they
start with = + - @, a tab or a carriage return) get a leading '.

\b
Exit codes: 0 done; 1 nothing assessed, a row rejected with --fail-on-reject,
a repeated id with --unique-ids, or the batch stopped; 2 a wrong command
line (also: TARGET or the errors file is SOURCE); 130 interrupted (Ctrl-C,
SIGTERM). The CLI reference page, "Caseload files", has the whole format.
"""


@click.command("batch", help=BATCH_HELP)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@kb_option
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where rejected rows go, as JSON Lines [default: TARGET.errors.jsonl; "
    "none when TARGET is not a regular file, such as /dev/null].",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes to use.")
@click.option(
    "--top", type=click.IntRange(1, 10), default=3, show_default=True, help="Advice columns in a CSV summary."
)
@click.option(
    "--fail-on-reject", is_flag=True, help="Exit 1 when any row is rejected (output is still written)."
)
@click.option(
    "--unique-ids", is_flag=True, help="Stop with exit 1 and write nothing when two rows have the same id."
)
def batch_command(
    source: Path,
    target: Path,
    kb_path: Path | None,
    errors_path: Path | None,
    workers: int,
    top: int,
    *,
    fail_on_reject: bool,
    unique_ids: bool,
) -> None:
    """The `batch` command (its help is BATCH_HELP)."""
    errors_file = check_paths(source, target, errors_path)
    sniff(source)
    kb = load(kb_path)
    run = _Batch(kb, source, target, errors_file, workers=workers, top=top, unique_ids=unique_ids)
    run.run()
    run.report(fail_on_reject=fail_on_reject)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a service stopping) stops the batch as Ctrl-C does: outputs removed, exit 130."""

    def interrupt(number: int, frame: object) -> None:
        del number, frame
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Batch:
    """One run of `diagnose batch`: reads, writes, counts, and says what happened."""

    def __init__(
        self,
        kb: KnowledgeBase,
        source: Path,
        target: Path,
        errors_file: Path | None,
        *,
        workers: int,
        top: int,
        unique_ids: bool,
    ) -> None:
        self.kb, self.source, self.target, self.errors_file = kb, source, target, errors_file
        self.workers, self.top, self.unique_ids = workers, top, unique_ids
        self.advised = self.rejected = 0
        self.ids = _Ids(None if unique_ids else MAX_TRACKED_IDS)
        self.seconds = 0.0

    @property
    def rows(self) -> int:
        return self.advised + self.rejected

    def run(self) -> None:
        """Assess every row into the temporary outputs, and put them in place only at the end."""
        start = time.perf_counter()
        outputs: list[Output] = []
        with _terminate_as_interrupt():
            self._run(outputs)
        self.seconds = time.perf_counter() - start

    def _run(self, outputs: list[Output]) -> None:
        try:
            out = Output(self.target)
            outputs.append(out)
            err = Output(self.errors_file) if self.errors_file is not None else None
            outputs += [err] if err is not None else []
            self._assess(out, err)
            for output in reversed(outputs):  # the errors file first: the target comes last
                output.commit()
        except KeyboardInterrupt:
            self._discard(outputs)
            raise Interrupted(f"interrupted after {self.rows:,} rows; {self._nothing()}") from None
        except BrokenProcessPool as exc:
            self._discard(outputs)
            raise Stop(
                f"a worker process died (killed?) after {self.rows:,} rows; {self._nothing()}"
            ) from exc
        except Stop as exc:
            self._discard(outputs)
            raise type(exc)(f"{exc.message}; {self._nothing()}" if outputs else exc.message) from exc
        except TableError as exc:
            self._discard(outputs)
            raise Stop(f"{self.source}: {exc}; {self._nothing()}") from exc
        except DiagnoseError as exc:  # the rule engine failing (a bug, reported as it said)
            self._discard(outputs)
            raise Stop(f"{exc}; {self._nothing()}") from exc
        except BaseException:
            self._discard(outputs)
            raise

    def _nothing(self) -> str:
        if regular_or_new(self.target):
            return f"{self.target} not written"
        return f"{self.target} may hold part of the output"

    @staticmethod
    def _discard(outputs: list[Output]) -> None:
        for output in outputs:
            output.discard()

    def _assess(self, out: Output, err: Output | None) -> None:
        csv_summary = table_kind(self.target) == "csv"
        if csv_summary:
            out.write(csv_line(summary_columns(list(self.kb.factors), self.top)).encode())
        work = functools.partial(assess_rows, csv_summary=csv_summary, top=self.top)
        shown = _interactive()
        progress = Progress(
            TextColumn("assessing"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeRemainingColumn(),
            transient=True,
            console=Console(stderr=True),
            disable=not shown,
        )
        # A count costs a read of the file: only when shown, and never of a pipe (read only once).
        lines = count_lines(self.source) if shown and self.source.is_file() else 0
        with (
            self._rows() as rows,
            progress,
            contextlib.closing(
                map_chunks(work, rows, self.kb, workers=self.workers, shared=not csv_summary)
            ) as chunks,
        ):
            task = progress.add_task(
                "assessing", total=max(lines - (table_kind(self.source) == "csv"), 0) or None
            )
            for chunk, done in chunks:
                repeated = self.ids.add(done.ids)
                if repeated is not None and self.unique_ids:
                    client, first, number = repeated
                    raise Stop(f"id {client!r} is in rows {first} and {number} (--unique-ids)")
                self.advised += done.advised
                self.rejected += done.rejected
                out.write(done.output)
                if err is not None:
                    err.write(done.errors.encode())
                last = chunk[-1]
                progress.update(task, completed=last.number if isinstance(last, Row) else last[0])

    @contextlib.contextmanager
    def _rows(self) -> Iterator[Iterator[Row | tuple[int, bytes]]]:
        """The rows of the source: parsed CSV rows, or JSON Lines as bytes (the workers parse them)."""
        try:
            if table_kind(self.source) == "csv":
                # Bytes that are not UTF-8 become lone surrogates: their row is rejected, not the file.
                with self.source.open(encoding="utf-8", errors="surrogateescape", newline="") as text:
                    yield read_rows(text, "csv")
            else:
                with self.source.open("rb") as stream:
                    yield (
                        (n, line) if line is not None else Row(n, None, None, TOO_LONG)
                        for n, line in bounded_lines(stream)
                        if line is None or line.strip()
                    )
        except OSError as exc:
            raise Stop(f"{self.source}: cannot read the file: {exc.strerror or exc}") from exc

    def report(self, *, fail_on_reject: bool) -> None:
        """The summary line, warnings for repeated ids, and the exit code."""
        if self.rejected:
            kept = (
                f"see {self.errors_file}" if self.errors_file else "not kept: give --errors FILE to keep them"
            )
            rejected = f"{self.rejected} rejected ({kept})"
        else:
            rejected = "0 rejected"
        rate = self.rows / self.seconds if self.seconds else 0
        click.echo(
            f"{self.rows} rows: {self.advised} assessed, {rejected}; {self.seconds:.1f} s, {rate:.0f} rows/s",
            err=True,
        )
        for client, first, number in self.ids.repeats:
            click.echo(f"warning: id {client!r} is in rows {first} and {number}", err=True)
        if self.ids.count > len(self.ids.repeats):
            click.echo(f"warning: {self.ids.count} rows repeat an earlier id in all", err=True)
        if self.ids.full_at is not None:
            click.echo(
                f"warning: ids from row {self.ids.full_at} on were checked only against the first "
                f"{MAX_TRACKED_IDS:,} distinct ids (a bound on memory); --unique-ids checks every id",
                err=True,
            )
        if self.advised == 0:
            what = (
                f"{self.source} has no rows"
                if not self.rows
                else "nothing was assessed: every row was rejected"
            )
            why = hint(self.source) if self.rows and table_kind(self.source) == "jsonl" else ""
            raise Stop(what + why)
        if fail_on_reject and self.rejected:
            raise Stop(f"{self.rejected} rows rejected (--fail-on-reject)")
