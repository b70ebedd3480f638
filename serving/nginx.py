"""Renders deploy/nginx.conf.j2 for a set of Rasa instance ports and runs nginx in the
foreground with everything (pid, temp files, error log) in one folder, so it needs no
system configuration and several copies can run side by side (tests, bench)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Sequence

import jinja2

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf.j2"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise FileNotFoundError("nginx is not installed (apt-get install -y nginx-light)")
    return found


def render(run_dir: Path, listen_host: str, listen_port: int, rasa_ports: Sequence[int]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    text = jinja2.Template(TEMPLATE.read_text(encoding="utf-8")).render(
        run_dir=run_dir.resolve(), listen_host=listen_host, listen_port=listen_port, rasa_ports=list(rasa_ports)
    )
    conf = run_dir / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def command(run_dir: Path, conf: Path) -> list:
    return [
        nginx_binary(),
        "-p",
        str(run_dir.resolve()),
        "-e",
        str((run_dir / "error.log").resolve()),
        "-c",
        str(conf.resolve()),
        "-g",
        "daemon off;",
    ]


def check(run_dir: Path, conf: Path) -> None:
    """`nginx -t`: a broken template fails here with nginx's own message."""
    result = subprocess.run([*command(run_dir, conf)[:-2], "-t"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nginx configuration {conf} is invalid:\n{result.stderr}")
