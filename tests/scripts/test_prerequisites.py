"""scripts/prerequisites.sh: installs what is missing as root, else says what to install."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "prerequisites.sh"


def run(*needs: str, path: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if path:
        env["PATH"] = path
    return subprocess.run(["bash", str(SCRIPT), *needs], capture_output=True, text=True, env=env)


def test_a_missing_program_is_named_with_the_command_that_installs_it(tmp_path):
    # A PATH with only the basics and an `id` that is not root: nothing is installed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "ls", "grep", "fc-list"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if found:
            (bin_dir / tool).symlink_to(found)
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "id").chmod(0o755)
    done = run("redis", path=str(bin_dir))
    assert done.returncode == 1
    assert "missing system packages: redis-server" in done.stderr
    assert "apt-get install -y redis-server" in done.stderr


def test_an_unknown_need_is_an_error():
    done = run("no-such-thing")
    assert done.returncode == 2 and "unknown need 'no-such-thing'" in done.stderr


def test_nothing_to_do_when_everything_is_there(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "redis-server").write_text("#!/bin/sh\n")
    (bin_dir / "redis-server").chmod(0o755)
    bash = subprocess.run(["bash", "-c", "command -v bash"], capture_output=True, text=True).stdout.strip()
    (bin_dir / "bash").symlink_to(bash)
    done = run("redis", path=str(bin_dir))
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
