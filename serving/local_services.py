"""PostgreSQL and Redis servers on loopback, for `make run-prod` on one machine, the
integration tests and `make bench` (Debian's `postgresql` and `redis-server`, installed
by .ci/run). Production points the stack at its own servers instead (docs/deployment.md).

Each server keeps its data in the folder it is given, so a restart (the fault tests do
one) finds the conversations it stored."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import List, Optional


def pg_bin() -> Optional[Path]:
    """The folder holding initdb and pg_ctl (on PATH, else Debian's versioned folder)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


def _as_postgres(command: List[str]) -> List[str]:
    """initdb refuses to run as root: run it (and the server) as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class LocalPostgres:
    """A PostgreSQL cluster in `folder`, listening on 127.0.0.1:`port`, trust auth for
    local connections only (loopback; production uses its own server and password)."""

    def __init__(self, folder: Path, port: int) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise FileNotFoundError("PostgreSQL is not installed (apt-get install -y postgresql)")
        self.bin, self.folder, self.port = binaries, Path(folder), port
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args]),
            check=check,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            reachable = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(self.folder)])
            if reachable.returncode != 0:
                raise PermissionError(
                    f"the postgres user cannot reach {self.folder}: PostgreSQL refuses to run as root, and a "
                    "parent folder is private. Use a folder whose parents others may enter (e.g. one from "
                    "tempfile.mkdtemp() directly, or the project's .state/)."
                )
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                _as_postgres(
                    [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self._pg_ctl(
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
            "start",
        )

    def stop(self) -> None:
        self._pg_ctl("-w", "-m", "fast", "stop", check=False)

    def pid(self) -> Optional[int]:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


class LocalRedis:
    """redis-server on 127.0.0.1:`port`, appendonly data in `folder`."""

    def __init__(self, folder: Path, port: int) -> None:
        if shutil.which("redis-server") is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install -y redis-server)")
        self.folder, self.port = Path(folder), port
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = open(self.folder / "redis.log", "ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.folder / 'redis.log').read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError("redis-server did not answer within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def pid(self) -> Optional[int]:
        return self.process.pid if self.process and self.process.poll() is None else None
