"""Every setting the assistant takes from the environment, in one table: its name, its
default, how it is checked and what it means.

Code asks `get("NAME")` instead of reading os.environ itself, so a default is written
once, a wrong value gets the same clear message everywhere ("WEB_PORT='80a': not a whole
number"), and docs/settings.md is generated from this table (`python -m core.settings
doc`; a test keeps the two equal). `python -m core.settings check` checks the whole
environment at once and lists every problem, which `make run-prod` does before starting.

Each server reads its settings when it starts (web/settings.py, web/admin/settings.py,
leads/notify.py ...), and code that is called per message asks `once("NAME")`, which
reads the environment the first time and remembers the value for the life of the
process: a changed variable takes effect on restart, never half-way through a
conversation. Tests that change the environment call `forget()`. Settings that Rasa reads
itself from credentials.yml and endpoints.yml are listed too (`read_by`), so this is the
one list of what can be set; Rasa applies their defaults from the Makefile.

Stores take a location: `<STORE>_DB_URL` (a SQLAlchemy URL, e.g. PostgreSQL) when set,
else the SQLite file `<STORE>_DB` (core/database.py)."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SettingError(ValueError):
    """A setting whose value cannot be used; the message names the variable."""


def text(value: str) -> str:
    return value


def flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"not one of {', '.join(TRUE_WORDS + FALSE_WORDS)}")


def whole(minimum: int = 0, maximum: Optional[int] = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("not a whole number") from None
        if number < minimum or (maximum is not None and number > maximum):
            raise ValueError(f"must be from {minimum} to {maximum}" if maximum is not None else f"must be ≥ {minimum}")
        return number

    parse.__doc__ = f"whole number ≥ {minimum}" + (f", ≤ {maximum}" if maximum is not None else "")
    return parse


def fraction(value: str) -> float:
    """a number from 0 to 1"""
    try:
        number = float(value)
    except ValueError:
        raise ValueError("not a number") from None
    if not 0.0 <= number <= 1.0:
        raise ValueError("must be from 0 to 1")
    return number


def positive_number(value: str) -> float:
    """a number > 0"""
    try:
        number = float(value)
    except ValueError:
        raise ValueError("not a number") from None
    if number <= 0:
        raise ValueError("must be more than 0")
    return number


def one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value.lower()

    parse.__doc__ = " | ".join(choices)
    return parse


def log_level(value: str) -> str:
    """DEBUG | INFO | WARNING | ERROR"""
    if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
    return value.upper()


def at_least_chars(count: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) < count:
            raise ValueError(
                f"must be at least {count} characters (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return value

    parse.__doc__ = f"at least {count} characters"
    return parse


def url(value: str) -> str:
    """a URL with a scheme (https://…)"""
    if "://" not in value:
        raise ValueError("not a URL (it needs a scheme, e.g. https://)")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Optional[str]  # None: unset means "not configured" (get() returns None)
    meaning: str
    parse: Callable[[str], Any] = text
    secret: bool = False  # never printed, not even in error messages
    read_by: str = "python"  # or the Rasa file that reads it

    @property
    def check(self) -> str:
        return (self.parse.__doc__ or "text").strip().splitlines()[0]


def _table(*settings: Setting) -> Dict[str, Setting]:
    table = {setting.name: setting for setting in settings}
    assert len(table) == len(settings), "a setting is declared twice"
    return table


SETTINGS: Dict[str, Setting] = _table(
    # Processes and addresses
    Setting("LOG_LEVEL", "INFO", "log level of the action server and web app", log_level),
    Setting("ACTION_HOST", "127.0.0.1", "address the action server listens on"),
    Setting("ACTION_PORT", "5055", "port of the action server", whole(1, 65535)),
    Setting("RASA_HOST", "127.0.0.1", "address of the Rasa server"),
    Setting("RASA_PORT", "5005", "port of the Rasa server", whole(1, 65535)),
    Setting("WEB_HOST", "127.0.0.1", "address the web app (widget, admin) listens on"),
    Setting("WEB_PORT", "8080", "port of the web app", whole(1, 65535)),
    Setting("TRUSTED_PROXY_HOPS", "0", "reverse proxies in front whose X-Forwarded-For is trusted", whole(0, 10)),
    # Knowledge and model
    Setting("KNOWLEDGE_DIR", None, "the knowledge folder (default: knowledge/ in the project)"),
    Setting("PROJECT_DIR", None, "the Rasa project (config.yml, domain.yml, data/) the admin publishes from"),
    Setting("LIVE_MODEL", None, "the model the assistant serves (default: models/assistant.tar.gz)"),
    Setting("MODEL_HISTORY_DIR", None, "earlier published models, for rollback (default: models/history)"),
    Setting("PUBLISH_WORK_DIR", ".state/publish", "scratch folder of publish jobs"),
    Setting("HELDOUT_FILE", None, "held-out set of the publish gate (default: tests/nlu/heldout.yml)"),
    Setting("PUBLISH_MIN_PHRASING_ACCURACY", "0.98", "publish gate: share of phrasings answered right", fraction),
    Setting("PUBLISH_MIN_HELDOUT_ACCURACY", "0.92", "publish gate: held-out intent accuracy", fraction),
    Setting("REVIEW_AFTER_DAYS", "365", "an entry not reviewed for this long is flagged", whole(1)),
    Setting("FAQ_RERANKER", "off", "E5 re-ranker of FAQ answers", one_of("off", "e5")),
    # Stores
    Setting("ADMIN_DB", ".state/admin.db", "SQLite file of staff accounts, sessions, audit log, publish jobs"),
    Setting("ADMIN_DB_URL", None, "database URL for those instead of the file (e.g. postgresql://…)", url, secret=True),
    Setting("INBOX_DB", ".state/inbox.db", "SQLite file of the unanswered-questions inbox"),
    Setting("INBOX_DB_URL", None, "database URL for the inbox instead of the file", url, secret=True),
    Setting("FEEDBACK_DB", ".state/feedback.db", "SQLite file of 👍/👎 feedback"),
    Setting("FEEDBACK_DB_URL", None, "database URL for feedback instead of the file", url, secret=True),
    Setting("LEADS_DB", ".state/leads.db", "SQLite file of investment leads and handoffs"),
    Setting("LEADS_DB_URL", None, "database URL for leads instead of the file", url, secret=True),
    Setting("TRACKER_DB_URL", None, "database URL of Rasa's tracker store, for the dashboard", url, secret=True),
    Setting(
        "TRACKER_DB_DIALECT", "sqlite", "Rasa tracker store dialect (endpoints.yml)", one_of("sqlite", "postgresql")
    ),
    Setting("TRACKER_DB", ".state/tracker.db", "tracker store database: SQLite file, or PostgreSQL database name"),
    Setting("TRACKER_DB_USER", "", "tracker store user (PostgreSQL)"),
    Setting("TRACKER_DB_PASSWORD", "", "tracker store password (PostgreSQL)", secret=True),
    Setting("TRACKER_DB_HOST", "localhost", "tracker store host (PostgreSQL)"),
    Setting("TRACKER_DB_PORT", "5432", "tracker store port (PostgreSQL)", whole(1, 65535)),
    Setting(
        "TRACKER_SYNCHRONOUS_COMMIT",
        "off",
        "PostgreSQL synchronous_commit of tracker writes",
        one_of("on", "off", "local", "remote_write", "remote_apply"),
    ),
    # Web app and widget
    Setting(
        "RASA_AUTH_TOKEN",
        None,
        "token of Rasa's HTTP API (scripts/run.sh; the admin's hit test parses with it; unset: the API is off)",
        secret=True,
    ),
    Setting("WIDGET_SESSION_SECRET", None, "signs widget sessions, answers and device cookies (required)", secret=True),
    Setting("WIDGET_ALLOWED_ORIGINS", None, "sites that may embed the widget, comma-separated, or * (required)"),
    Setting("WIDGET_SOCKET_URL", None, "where browsers reach Rasa's socket.io (default: http://RASA_HOST:RASA_PORT)"),
    Setting("WIDGET_SOCKET_PATH", "/socket.io", "socket.io path"),
    # Admin
    Setting(
        "ADMIN_API_TOKEN", None, "token of the admin JSON API for scripts (unset: login only)", at_least_chars(32), True
    ),
    Setting("ADMIN_COOKIE_SECURE", "false", "send the admin cookie over https only (on in production)", flag),
    Setting("ADMIN_PUBLIC_URL", "http://127.0.0.1:8080", "the admin's address, for links in staff messages"),
    Setting("MODEL_SERVER_TOKEN", None, "token Rasa sends when it pulls the published model", secret=True),
    # Leads and handoffs
    Setting("LEAD_WEBHOOK_URL", "", "WeCom/DingTalk-style webhook told of each new lead (empty: none)", secret=True),
    Setting("OFFICE_HOURS", "mon-fri 08:30-12:00,14:00-17:30", "staff hours (days, then time spans), Beijing time"),
    Setting("OFFICE_CLOSED_DATES", "", "extra closed days, comma-separated YYYY-MM-DD"),
    # The production profile (make run-prod; deploy/endpoints.prod.yml)
    Setting("POSTGRES_HOST", None, "PostgreSQL of the production profile (unset: a local one is started)"),
    Setting("POSTGRES_PORT", "5432", "its port", whole(1, 65535)),
    Setting("POSTGRES_DB", "rasa", "its database"),
    Setting("POSTGRES_USER", "rasa", "its user"),
    Setting("POSTGRES_PASSWORD", "", "its password", secret=True),
    Setting("REDIS_HOST", None, "Redis of the production profile (required with POSTGRES_HOST)"),
    Setting("REDIS_PORT", "6379", "its port", whole(1, 65535)),
    Setting("REDIS_PASSWORD", "", "its password", secret=True),
    Setting(
        "REDIS_LOCK_DB", "1", "Redis database of Rasa's lock store", whole(0, 15), read_by="deploy/endpoints.prod.yml"
    ),
    # Tools
    Setting("BENCH_SECONDS", "40", "length of each `make bench` run", positive_number),
    Setting("RASA_INSTANCES", "3", "Rasa instances behind nginx in the production profile", whole(1, 16)),
    # Read by Rasa from credentials.yml and endpoints.yml
    Setting("REST_CHANNEL_TOKEN", "", "bearer token of the REST channel", secret=True, read_by="credentials.yml"),
    Setting(
        "REST_CHANNEL_REQUIRE_TOKEN",
        "false",
        "refuse the REST channel without a token",
        flag,
        read_by="credentials.yml",
    ),
    Setting("WECHAT_TOKEN", None, "WeChat Official Account server token", secret=True, read_by="credentials.yml"),
    Setting("WECHAT_APP_ID", None, "WeChat AppID", read_by="credentials.yml"),
    Setting("WECHAT_APP_SECRET", None, "WeChat AppSecret", secret=True, read_by="credentials.yml"),
    Setting(
        "WECHAT_ENCODING_AES_KEY", None, "WeChat EncodingAESKey (safe mode)", secret=True, read_by="credentials.yml"
    ),
    Setting("WECHAT_API_BASE_URL", "https://api.weixin.qq.com", "WeChat API address", url, read_by="credentials.yml"),
    Setting(
        "REDIS_URL", None, "Redis for WeChat de-duplication and late replies", secret=True, read_by="credentials.yml"
    ),
    Setting("ACTION_ENDPOINT_URL", None, "the action server's webhook URL", read_by="endpoints.yml"),
    Setting("NLG_ENDPOINT_URL", None, "the NLG endpoint URL", read_by="endpoints.yml"),
    Setting("MODEL_SERVER_URL", None, "where Rasa pulls the published model from", read_by="endpoints.yml"),
    Setting("MODEL_PULL_SECONDS", None, "seconds between model pulls", read_by="endpoints.yml"),
)


def get(name: str, environ: Optional[Mapping[str, str]] = None) -> Any:
    """The checked value of a setting: the environment's, else the default (None when
    there is none). An empty value counts as unset."""
    setting = SETTINGS[name]  # an undeclared name is a programming error
    raw = (os.environ if environ is None else environ).get(name)
    raw = raw.strip() if raw is not None else ""
    if not raw:
        if setting.default is None:
            return None
        raw = setting.default
    try:
        return setting.parse(raw)
    except ValueError as error:
        shown = "(hidden)" if setting.secret else repr(raw)
        raise SettingError(f"{name}={shown}: {error}") from None


_remembered: Dict[str, Any] = {}
_remembered_lock = threading.Lock()


def once(name: str) -> Any:
    """`get(name)` read the first time it is asked for in this process, then remembered."""
    with _remembered_lock:
        if name not in _remembered:
            _remembered[name] = get(name)
        return _remembered[name]


def forget() -> None:
    """Drop what `once()` remembered, so the next call reads the environment again (for
    tests that set variables; servers read once and keep it)."""
    with _remembered_lock:
        _remembered.clear()


def database_once(store: str) -> str:
    """`database(store)` read once per process, like `once()`."""
    return once(f"{store}_DB_URL") or once(f"{store}_DB")


# The stores that take `<STORE>_DB_URL` / `<STORE>_DB` (core/database.py).
STORES = ("ADMIN", "INBOX", "FEEDBACK", "LEADS")


def tracker_db_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """SQLAlchemy URL of Rasa's tracker store: TRACKER_DB_URL, else built from the
    TRACKER_DB_* settings endpoints.yml gives Rasa."""
    if get("TRACKER_DB_URL", environ):
        return get("TRACKER_DB_URL", environ)
    dialect, database_name = get("TRACKER_DB_DIALECT", environ), get("TRACKER_DB", environ)
    if dialect == "sqlite":
        return f"sqlite:///{database_name}"
    user, password = get("TRACKER_DB_USER", environ), get("TRACKER_DB_PASSWORD", environ)
    credentials = f"{user}:{password}@" if user else ""
    return (
        f"{dialect}://{credentials}{get('TRACKER_DB_HOST', environ)}:{get('TRACKER_DB_PORT', environ)}/{database_name}"
    )


def database(store: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """Where a store keeps its data: `<STORE>_DB_URL` when set, else the file `<STORE>_DB`."""
    return get(f"{store}_DB_URL", environ) or get(f"{store}_DB", environ)


def problems(environ: Optional[Mapping[str, str]] = None, names: Optional[Sequence[str]] = None) -> List[str]:
    """Every setting (or those named) whose value fails its check."""
    found = []
    for name in names or SETTINGS:
        try:
            get(name, environ)
        except SettingError as error:
            found.append(str(error))
    return found


def markdown() -> str:
    """docs/settings.md: the table, for people."""
    lines = [
        "# Settings",
        "",
        "Generated from `core/settings.py` by `python -m core.settings doc > docs/settings.md`; "
        "a test keeps the two equal. Every variable is optional unless its meaning says required; "
        "an empty value counts as unset. `make run-prod` checks them all first (`python -m core.settings check`).",
        "",
        "| Variable | Default | Check | Read by | Meaning |",
        "|---|---|---|---|---|",
    ]
    for setting in SETTINGS.values():
        default = "—" if setting.default in (None, "") else f"`{setting.default}`"
        secret = " (secret)" if setting.secret else ""
        lines.append(
            f"| `{setting.name}` | {default} | {setting.check} | {setting.read_by} | {setting.meaning}{secret} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "doc":
        sys.stdout.write(markdown())
        return 0
    if command == "check":
        found = problems()
        for problem in found:
            print(f"error: {problem}", file=sys.stderr)
        if not found:
            print(f"settings: {len(SETTINGS)} checked, all usable")
        return 1 if found else 0
    print("usage: python -m core.settings [check | doc]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
