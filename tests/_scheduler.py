"""A real Dask scheduler in another process that dies (``os._exit``, as ``kill -9``) after it
has finished a given number of tasks: a cluster lost in the middle of a sweep.

Not a conftest: the tests that need it import it (``from _scheduler import dying_scheduler``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_SCRIPT = """
import os, sys, time
import distributed
from distributed.diagnostics.plugin import SchedulerPlugin

after = int(sys.argv[1])

class DieAfter(SchedulerPlugin):
    def __init__(self):
        self.done = 0

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory":
            self.done += 1
            if self.done >= after:
                os._exit(9)  # no goodbye to the clients: as kill -9, or a lost machine

cluster = distributed.LocalCluster(
    n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1", protocol="tcp://",
    scheduler_port=0,
    dashboard_address=None,
)
cluster.scheduler.add_plugin(DieAfter())
print(cluster.scheduler_address, flush=True)
while True:
    time.sleep(1)
"""


@contextmanager
def dying_scheduler(after: int) -> Iterator[str]:
    """A scheduler (with one in-process worker thread) that exits abruptly once ``after``
    tasks have finished; yields its address (``tcp://127.0.0.1:PORT``)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(after)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        assert address.startswith("tcp://"), address
        yield address
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
