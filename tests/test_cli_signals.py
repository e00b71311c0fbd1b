"""SIGTERM stops ``herz`` as Ctrl-C does: the real command line, a real signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _start(out: Path, *, ignore_sigint: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "herz", "run", "multipolar-20", "--model", "spiral"]
    args += ["--runs", "5", "--steps", "3000", "--seed", "1", "--out", str(out)]

    def preexec() -> None:  # as a shell starts a job with '&': SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec if ignore_sigint else None,
    )


def _staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def _signal_while_writing(proc: subprocess.Popen[str], out: Path, signum: int) -> None:
    """Send ``signum`` once the run has begun writing into its staging folder."""
    deadline = time.monotonic() + 120
    while not _staging(out):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the run never began writing"
        time.sleep(0.005)
    time.sleep(0.05)  # well inside the writing, which takes a second or more
    os.kill(proc.pid, signum)


@pytest.mark.parametrize(
    ("signum", "ignore_sigint", "code", "last"),
    [
        (signal.SIGTERM, False, 143, "terminated"),
        (signal.SIGTERM, True, 143, "terminated"),
        (signal.SIGINT, False, 130, "interrupted"),
    ],
    ids=["sigterm", "sigterm-sigint-ignored", "sigint"],
)
def test_a_signal_while_writing_leaves_no_staging_folder(
    tmp_path: Path, signum: signal.Signals, ignore_sigint: bool, code: int, last: str
) -> None:
    """SIGTERM (exit 143) cleans up as Ctrl-C (exit 130) does, even where SIGINT is ignored
    (a job started with ``&``): all of ``--out`` or nothing, and no staging folder."""
    out = tmp_path / "big"
    proc = _start(out, ignore_sigint=ignore_sigint)
    try:
        _signal_while_writing(proc, out, signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == last, err
    assert "Traceback" not in err
    assert _staging(out) == [], "the staging folder was left behind"
    assert not out.exists() or not any(out.iterdir())  # all or nothing
