"""A DuckDB file held open by another process, for the tests of a store that is in use.

Not a conftest: the tests that need it import it (``from _lockholder import held_open``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held_open(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another Python process with ``db`` open for writing (DuckDB's exclusive file lock)
    until the block ends; yields the process (its ``pid`` is in herz's message)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        holder.communicate(input="", timeout=30)
