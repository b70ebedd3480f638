"""A throwaway PostgreSQL server on loopback for tests (Debian's `postgresql` package,
installed by .ci/run): its own data folder and port, stopped afterwards."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from scripts.live_servers import free_port


def pg_bin() -> Optional[Path]:
    """The folder holding initdb and pg_ctl (on PATH, else Debian's versioned folder)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


def _as_postgres(command: list) -> list:
    """initdb refuses to run as root: run it (and the server) as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install -y postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8"]), check=True, stdout=subprocess.DEVNULL)
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                                 f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
