"""`make run-prod`: the production profile on this machine.

Starts the action server, the web app, RASA_INSTANCES Rasa servers sharing PostgreSQL
(conversations) and Redis (locks, WeChat), and nginx in front on RASA_HOST:RASA_PORT.
When POSTGRES_HOST is empty, PostgreSQL and Redis are started on loopback with their
data in .state/prod/, so the profile can be tried without any server set up; otherwise
the POSTGRES_* and REDIS_* settings point at the real ones (docs/deployment.md).
Logs: .state/prod/logs/. Ctrl-C stops everything."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from core import settings
from serving.local_services import LocalPostgres, LocalRedis
from serving.processes import PROJECT_ROOT, free_port
from serving.stack import ProductionStack

STATE = PROJECT_ROOT / ".state" / "prod"


def service_urls(env: dict) -> tuple:
    """(postgres_url, redis_url, local services to start) from the settings."""
    get = lambda name: settings.get(name, env)  # noqa: E731
    if get("POSTGRES_HOST"):
        user, password = get("POSTGRES_USER"), get("POSTGRES_PASSWORD")
        auth = f"{user}:{password}@" if password else f"{user}@"
        postgres = f"postgresql://{auth}{get('POSTGRES_HOST')}:{get('POSTGRES_PORT')}/{get('POSTGRES_DB')}"
        if not get("REDIS_HOST"):
            raise SystemExit("error: POSTGRES_HOST is set but REDIS_HOST is not; the instances need both")
        secret = f":{get('REDIS_PASSWORD')}@" if get("REDIS_PASSWORD") else ""
        redis = get("REDIS_URL") or f"redis://{secret}{get('REDIS_HOST')}:{get('REDIS_PORT')}/0"
        return postgres, redis, []
    local_pg = LocalPostgres(STATE / "postgres", free_port())
    local_redis = LocalRedis(STATE / "redis", free_port())
    return None, None, [local_pg, local_redis]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "assistant.tar.gz"))
    args = parser.parse_args()
    env = dict(os.environ)
    problems = settings.problems(env)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    instances = settings.get("RASA_INSTANCES", env)
    postgres_url, redis_url, local = service_urls(env)
    logs = STATE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for service in local:
        print(
            f"Starting a local {type(service).__name__[5:]} on 127.0.0.1:{service.port} (data in {service.folder}) ..."
        )
        service.start()
    if local:
        postgres_url, redis_url = local[0].url, local[1].url
    ports = {"action": settings.get("ACTION_PORT", env), "web": settings.get("WEB_PORT", env)}
    stack = ProductionStack(
        logs,
        postgres_url,
        redis_url,
        instances=instances,
        base_env=env,
        ports=ports,
        public_port=settings.get("RASA_PORT", env),
    )
    stack.model = Path(args.model)
    stack.rasa_token = settings.get("RASA_AUTH_TOKEN", env)
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        started = time.perf_counter()
        print(f"Starting the action server, the web app, {instances} Rasa instance(s) and nginx (logs in {logs}) ...")
        stack.start_all()
        print(
            f"\nThe production profile is running ({time.perf_counter() - started:.0f} s to start).\n"
            f"  WeChat/widget/REST through nginx: {stack.rasa_url}/webhooks/...\n"
            f"  REST channel:                     "
            f"{'needs Authorization: Bearer $REST_CHANNEL_TOKEN' if stack.rest_headers else 'off (set REST_CHANNEL_TOKEN to use it)'}\n"
            f"  Website demo and staff admin:     {stack.web_url}/  and  {stack.web_url}/admin/\n"
            f"  Rasa instances:                   {', '.join(stack.instance_url(i) for i in range(instances))}\n"
            f"  Conversations in PostgreSQL {postgres_url.split('@')[-1]}, locks in Redis {redis_url.split('@')[-1]}\n"
            "Press Ctrl-C to stop everything."
        )
        while not stopping:
            for name, process in stack.processes().items():
                if process is not None and process.poll() is not None:
                    print(f"error: {name} stopped (exit {process.returncode}); see {logs}", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping ...")
        stack.stop_all()
        for service in reversed(local):
            service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
