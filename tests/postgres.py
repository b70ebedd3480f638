"""A throwaway PostgreSQL server on loopback for tests (Debian's `postgresql` package,
installed by .ci/run): its own data folder and port, stopped and removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from scripts.live_servers import free_port
from serving.local_services import LocalPostgres, pg_bin

__all__ = ["pg_bin", "throwaway_postgres"]


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    server = LocalPostgres(folder, free_port())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
