"""What writing a file costs here: system time per 20 kB, into new pages and into pages just freed.

    python bench/page_cache.py [FOLDER] [MB]    # default: a temporary folder, 2,000 MB per file

Writes MB megabytes in blocks of 5 MB (a chunk of 256 diagnoses of about 20 kB, as `diagnose
batch` writes them) into a new file, keeps it, and writes a second one: both go into memory the
page cache takes anew. Then it deletes both and writes a third and a fourth, which can take the
pages just freed. Prints the CPU time (user + system) per 20 kB of each. The batch's JSON Lines
output is written like the first two: it is kept. Not a test: numbers depend on the machine,
and on what it did before (a virtual machine may give back memory it has not used for a while).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

BLOCK = 20_000 * 256


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write(path: Path, megabytes: int) -> float:
    """Write `megabytes` into a new file at `path`; the CPU time per 20 kB, in µs."""
    data = os.urandom(BLOCK)
    blocks = megabytes * 1_000_000 // BLOCK
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = _cpu()
        for _ in range(blocks):
            os.write(handle, data)
        spent = _cpu() - start
    finally:
        os.close(handle)
    return spent / (blocks * 256) * 1e6


def main() -> None:
    """Four files in turn; the figures as a Markdown table."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with tempfile.TemporaryDirectory(dir=folder) as name:
        first, second = Path(name) / "a", Path(name) / "b"
        rows = [("new file, kept", write(first, megabytes))]
        rows.append(("another new file, kept", write(second, megabytes)))
        first.unlink()
        second.unlink()
        rows += [("after deleting both", write(first, megabytes)), ("once more", write(second, megabytes))]
    print(f"{megabytes:,} MB per file in blocks of {BLOCK:,} bytes; load average {os.getloadavg()[0]:.2f}.\n")
    print("| file | CPU per 20 kB |\n| --- | ---: |")
    for label, micros in rows:
        print(f"| {label} | {micros:.1f} µs |")


if __name__ == "__main__":
    main()
