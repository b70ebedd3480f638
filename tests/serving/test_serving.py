"""serving/: the nginx configuration, the settings the Rasa instances get, make
run-prod's choice of services, and the tracker store's reconnecting engine."""

from __future__ import annotations

import asyncio
import os

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from serving import nginx
from serving.run_prod import service_urls
from serving.stack import service_env
from serving.tracker_store import ResilientSQLTrackerStore


def have_nginx() -> bool:
    try:
        nginx.nginx_binary()
        return True
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run installs it (nginx-light)")
        return False


def test_nginx_config_lists_every_instance_and_passes_nginx_t(tmp_path):
    conf = nginx.render(tmp_path, "127.0.0.1", 5005, [5006, 5007, 5008])
    text = conf.read_text(encoding="utf-8")
    assert text.count("server 127.0.0.1:5006") == 2  # REST upstream and the Socket.IO one
    assert "server 127.0.0.1:5008" in text and "listen 127.0.0.1:5005;" in text
    # connection errors are retried on another instance (the turn was never read), read
    # timeouts are not (a slow instance must not get its turn answered twice)
    assert "proxy_next_upstream error non_idempotent;" in text and "timeout non_idempotent" not in text
    if not have_nginx():
        pytest.skip("nginx is not installed")
    nginx.check(tmp_path, conf)  # raises with nginx's own message when invalid


def test_a_broken_nginx_config_is_reported_with_nginxs_message(tmp_path):
    if not have_nginx():
        pytest.skip("nginx is not installed")
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp { upstream rasa { } server { listen 127.0.0.1:1; } \n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="invalid"):
        nginx.check(tmp_path, conf)


def test_service_env_splits_the_urls_for_endpoints_prod_yml():
    env = service_env("postgresql://rasa:s3cret@db.internal:6543/assistant", "redis://:pw@cache.internal:6380/0")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DB"]) == ("db.internal", "6543", "assistant")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("rasa", "s3cret")
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_PASSWORD"]) == ("cache.internal", "6380", "pw")
    assert env["REDIS_URL"] == "redis://:pw@cache.internal:6380/0"
    assert env["LEADS_DB_URL"] == "postgresql://rasa:s3cret@db.internal:6543/assistant"


def test_endpoints_prod_yml_names_only_settings_the_stack_provides():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "deploy" / "endpoints.prod.yml").read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{(\w+)\}", text))
    provided = set(service_env("postgresql://a@b:1/c", "redis://d:2/0")) | {
        "ACTION_ENDPOINT_URL",
        "NLG_ENDPOINT_URL",
        "MODEL_SERVER_URL",
        "MODEL_SERVER_TOKEN",
        "MODEL_PULL_SECONDS",
    }
    assert needed <= provided, needed - provided


def test_run_prod_uses_the_configured_servers_or_starts_local_ones(tmp_path):
    postgres, redis, local = service_urls(
        {
            "POSTGRES_HOST": "db",
            "POSTGRES_USER": "rasa",
            "POSTGRES_PASSWORD": "pw",
            "POSTGRES_DB": "rasa",
            "REDIS_HOST": "cache",
            "REDIS_PORT": "6379",
        }
    )
    assert (postgres, redis, local) == ("postgresql://rasa:pw@db:5432/rasa", "redis://cache:6379/0", [])
    with pytest.raises(SystemExit, match="REDIS_HOST"):
        service_urls({"POSTGRES_HOST": "db"})


def test_tracker_store_checks_connections_before_use_and_keeps_conversations(tmp_path):
    domain = Domain.from_yaml("version: '3.1'\nintents: [greet]\n")
    store = ResilientSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert store.engine.pool._pre_ping is True
    tracker = DialogueStateTracker.from_events("investor-1", [UserUttered("你好", {"name": "greet"})])
    asyncio.run(store.save(tracker))
    again = ResilientSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    stored = asyncio.run(again.retrieve("investor-1"))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["你好"]


def test_a_private_folder_for_postgres_is_refused_with_a_clear_message(tmp_path):
    from serving.local_services import LocalPostgres, pg_bin

    if pg_bin() is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL and root (PostgreSQL runs as the postgres user)")
    os.chmod(tmp_path, 0o700)
    with pytest.raises(PermissionError, match="postgres user cannot reach"):
        LocalPostgres(tmp_path / "inner" / "pg", 1).start()


def test_synchronous_commit_is_set_for_postgresql_connections_only(monkeypatch):
    from serving.tracker_store import engine_kwargs

    monkeypatch.delenv("TRACKER_SYNCHRONOUS_COMMIT", raising=False)
    assert "-c synchronous_commit=off" in engine_kwargs("postgresql://rasa@db/rasa")["connect_args"]["options"]
    monkeypatch.setenv("TRACKER_SYNCHRONOUS_COMMIT", "on")
    assert "-c synchronous_commit=on" in engine_kwargs("postgresql://rasa@db/rasa")["connect_args"]["options"]
    monkeypatch.setenv("POSTGRESQL_SCHEMA", "chat")  # Rasa's own search_path option is kept
    options = engine_kwargs("postgresql://rasa@db/rasa")["connect_args"]["options"]
    assert options.startswith("-csearch_path=chat") and options.endswith("-c synchronous_commit=on")
    assert "connect_args" not in engine_kwargs("sqlite:///tracker.db")
    monkeypatch.setenv("TRACKER_SYNCHRONOUS_COMMIT", "sometimes")
    with pytest.raises(ValueError, match="TRACKER_SYNCHRONOUS_COMMIT"):
        engine_kwargs("postgresql://rasa@db/rasa")


def test_the_setting_reaches_a_real_postgresql_session(postgres_url, monkeypatch):
    monkeypatch.setenv("TRACKER_SYNCHRONOUS_COMMIT", "off")
    from urllib.parse import urlparse

    parsed = urlparse(postgres_url)
    store = ResilientSQLTrackerStore(
        domain=Domain.from_yaml("version: '3.1'\nintents: [greet]\n"),
        dialect="postgresql",
        host=parsed.hostname,
        port=parsed.port,
        db=parsed.path.lstrip("/"),
        username=parsed.username,
    )
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SHOW synchronous_commit")).scalar() == "off"
