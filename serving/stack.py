"""The production profile as processes: the action server, the web app (demo site,
admin, model server), N Rasa instances sharing PostgreSQL and Redis, and nginx in front.

`make run-prod` (serving/run_prod.py), the multi-instance integration tests and
`make bench` all start it through this class, so what is measured and tested is what
runs. PostgreSQL and Redis are given by URL pieces in the environment (production) or
started on loopback by serving/local_services.py (one machine, tests)."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlparse

from core import settings
from serving import nginx
from serving.processes import PROJECT_ROOT, Processes, free_port

PROD_ENDPOINTS = str(PROJECT_ROOT / "deploy" / "endpoints.prod.yml")


def service_env(postgres_url: str, redis_url: str, lock_db: int = 1) -> Dict[str, str]:
    """The settings deploy/endpoints.prod.yml reads, from two URLs."""
    pg, rd = urlparse(postgres_url), urlparse(redis_url)
    return {
        "POSTGRES_HOST": pg.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(pg.port or 5432),
        "POSTGRES_DB": (pg.path or "/postgres").lstrip("/") or "postgres",
        "POSTGRES_USER": pg.username or "postgres",
        "POSTGRES_PASSWORD": pg.password or "",
        "REDIS_HOST": rd.hostname or "127.0.0.1",
        "REDIS_PORT": str(rd.port or 6379),
        "REDIS_PASSWORD": rd.password or "",
        "REDIS_LOCK_DB": str(lock_db),
        # WeChat retries, answers and access_token, shared by the instances.
        "REDIS_URL": redis_url,
        # Every store in the same PostgreSQL (core/database.py), and the admin statistics
        # read the conversations there (core/settings.py tracker_db_url).
        **{f"{store}_DB_URL": postgres_url for store in settings.STORES},
        "TRACKER_DB_URL": postgres_url,
    }


class ProductionStack(Processes):
    """`base_env` is the environment (default: this process's); tests and the bench pass
    the harness's settings (scripts/live_servers.harness_env)."""

    def __init__(
        self,
        workdir: Path,
        postgres_url: str,
        redis_url: str,
        instances: int = 2,
        extra_env: Optional[Dict[str, str]] = None,
        workspace: Optional[Path] = None,
        public_port: Optional[int] = None,
        ports: Optional[Dict[str, int]] = None,
        base_env: Optional[Dict[str, str]] = None,
        rasa_token: Optional[str] = None,
    ) -> None:
        super().__init__(
            workdir,
            dict(os.environ) if base_env is None else base_env,
            workspace=workspace,
            ports=ports,
            rasa_token=rasa_token,
        )
        self.public_port = public_port or free_port()
        self.instance_ports = [free_port() for _ in range(instances)]
        self.instances: List[Optional[subprocess.Popen]] = [None] * instances
        self.nginx: Optional[subprocess.Popen] = None
        self.nginx_dir = workdir / "nginx"
        self.env.update(service_env(postgres_url, redis_url))
        # The web app's widget page connects to nginx, not to one instance.
        self.env["RASA_PORT"] = str(self.public_port)
        # Production serves REST only with a token: without REST_CHANNEL_TOKEN it is off.
        self.env["REST_CHANNEL_REQUIRE_TOKEN"] = "true"
        self.env.setdefault("REST_CHANNEL_TOKEN", "")
        # nginx in front adds the client's address to X-Forwarded-For (rate limits).
        self.env.setdefault("TRUSTED_PROXY_HOPS", "1")
        self.env.update(extra_env or {})

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def instance_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.instance_ports[index]}"

    def _launch_instance(self, index: int) -> subprocess.Popen:
        return self._start(f"rasa-{index}", self.rasa_command(self.instance_ports[index], PROD_ENDPOINTS))

    def start_instances(self, indexes: Optional[List[int]] = None) -> None:
        """Starts them together (loading a model is mostly waiting on one core each)."""
        indexes = list(range(len(self.instances))) if indexes is None else indexes
        for index in indexes:
            self.instances[index] = self._launch_instance(index)
        with ThreadPoolExecutor(len(indexes)) as pool:
            list(pool.map(lambda i: self._wait(self.instances[i], self.instance_url(i) + "/", f"rasa-{i}"), indexes))

    def stop_instance(self, index: int) -> None:
        self.stop(self.instances[index])

    def start_nginx(self) -> None:
        conf = nginx.render(self.nginx_dir, "127.0.0.1", self.public_port, self.instance_ports)
        nginx.check(self.nginx_dir, conf)
        self.nginx = self._start("nginx", nginx.command(self.nginx_dir, conf))
        self._wait(self.nginx, self.rasa_url + "/", "nginx", seconds=20)

    def start_all(self) -> None:
        self.start_action_server()
        self.start_web()
        self.start_instances()
        self.start_nginx()

    def stop_all(self) -> None:
        for process in (self.nginx, *self.instances, self.web, self.action):
            self.stop(process)

    def processes(self) -> Dict[str, Optional[subprocess.Popen]]:
        named = {f"Rasa #{i + 1}": p for i, p in enumerate(self.instances)}
        return {**named, "action server": self.action, "web app": self.web, "nginx": self.nginx}
