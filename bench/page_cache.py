"""What writing a file costs here: CPU per 20 kB into new pages, freed ones, behind, and direct.

    python bench/page_cache.py [FOLDER] [MB]    # default: a temporary folder, 2,000 MB per file

Writes MB megabytes in blocks of 5 MB (a chunk of 256 diagnoses of about 20 kB, as `diagnose
batch` writes them) into a new file, keeps it, and writes a second one: both go into memory the
page cache takes anew. Then it deletes both and writes a third and a fourth, which can take the
pages just freed. Then two more new files, kept, written behind as `diagnose batch` writes its
outputs where O_DIRECT cannot be set (`diagnose.cli._batch_files.Output`: synced and dropped
from the page cache every 64 MiB, synced at the end), and two written past the page cache, as
it writes them where it can (O_DIRECT, from aligned buffers, in a thread). Prints, per 20 kB,
the CPU time of this process (user + system) and the busy time of the whole machine (from
/proc/stat: the kernel's own writeback threads included), each with the final sync of the file.
Not a test: numbers depend on the machine, and on what it did before (a virtual machine may give
back memory it has not used for a while).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

from diagnose.cli import _batch_files
from diagnose.cli._batch_files import Output

BLOCK = 20_000 * 256
TICK = os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _busy() -> float:
    """Seconds the machine's cores were not idle, since boot (/proc/stat)."""
    with Path("/proc/stat").open(encoding="ascii") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK  # idle and iowait


def write(path: Path, megabytes: int, *, how: str = "plain") -> tuple[float, float]:
    """Write `megabytes` into a new file at `path`; CPU and machine busy time per 20 kB, in µs.

    `how` is "plain" (os.write, then fsync), "behind" or "direct" (as `Output` writes).
    """
    data = os.urandom(BLOCK)
    blocks = megabytes * 1_000_000 // BLOCK
    flag = _batch_files.O_DIRECT
    if how == "behind":
        _batch_files.O_DIRECT = 0  # as where the system has no O_DIRECT
    start, busy = _cpu(), _busy()
    if how != "plain":
        output = Output(path)
        _batch_files.O_DIRECT = flag
        for _ in range(blocks):
            output.write(data)
        output.commit()
    else:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for _ in range(blocks):
                os.write(handle, data)
            os.fsync(handle)
        finally:
            os.close(handle)
    pieces = blocks * 256
    return (_cpu() - start) / pieces * 1e6, (_busy() - busy) / pieces * 1e6


def main() -> None:
    """Six files in turn; the figures as a Markdown table."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with tempfile.TemporaryDirectory(dir=folder) as name:
        first, second = Path(name) / "a", Path(name) / "b"
        rows = [("new file, kept", write(first, megabytes))]
        rows.append(("another new file, kept", write(second, megabytes)))
        first.unlink()
        second.unlink()
        rows.append(("after deleting both", write(first, megabytes)))
        rows.append(("once more", write(second, megabytes)))
        rows.append(("new file, kept, written behind", write(Path(name) / "c", megabytes, how="behind")))
        rows.append(("another, written behind", write(Path(name) / "d", megabytes, how="behind")))
        rows.append(("new file, kept, written direct", write(Path(name) / "e", megabytes, how="direct")))
        rows.append(("another, written direct", write(Path(name) / "f", megabytes, how="direct")))
    print(f"{megabytes:,} MB per file in blocks of {BLOCK:,} bytes; load average {os.getloadavg()[0]:.2f}.\n")
    print("| file | CPU per 20 kB | machine busy per 20 kB |\n| --- | ---: | ---: |")
    for label, (micros, busy) in rows:
        print(f"| {label} | {micros:.1f} µs | {busy:.1f} µs |")


if __name__ == "__main__":
    main()
