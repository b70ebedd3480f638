"""Rename stored conversations to the channel-namespaced ids (`rest:`, `web:`, `wechat:`).

Since the channels namespace their conversation ids (connectors/limits.py), a follower's
conversation is `wechat:<OpenID>`, a widget session's is `web:<session id>`, a REST
caller's is `rest:<sender>`. Trackers stored before that have the bare id and would not
be found: this renames each bare id in Rasa's SQL tracker store (table `events`) after
the channel of its user messages. A conversation whose channel is unknown (no user
message, or a channel without a prefix) becomes `rest:`, the namespace anyone may
address, so it can never end up in another channel's namespace.

Run it once, with the Rasa servers stopped, before starting the new version:
    python -m serving.migrate_conversation_ids [--db-url URL] [--dry-run]
URL defaults to the tracker store's (TRACKER_DB_URL, else the TRACKER_DB_* settings; .state/tracker.db). It is
safe to run again: namespaced ids are left as they are. An id whose new name is already
taken (a conversation started after the upgrade) is reported and left alone."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import sqlalchemy as sa

from connectors.limits import CHANNEL_PREFIXES, is_namespaced
from core import settings

FALLBACK_CHANNEL = "rest"
PROGRESS_EVERY = 500


@dataclass
class Report:
    renamed: Dict[str, int] = field(default_factory=dict)  # by prefix
    already_namespaced: int = 0
    collisions: List[str] = field(default_factory=list)

    @property
    def total_renamed(self) -> int:
        return sum(self.renamed.values())


def default_db_url() -> str:
    return settings.tracker_db_url()


def _events() -> sa.Table:
    return sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"), sa.column("data"))


def channel_of(connection: sa.engine.Connection, sender_id: str) -> str:
    """The channel of the conversation's first user message that names one."""
    events = _events()
    rows = connection.execute(
        sa.select(events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name == "user")
        .order_by(events.c.id)
    )
    for (data,) in rows:
        try:
            channel = json.loads(data or "{}").get("input_channel")
        except ValueError:
            continue
        if channel in CHANNEL_PREFIXES:
            return channel
    return FALLBACK_CHANNEL


def migrate(db_url: str, dry_run: bool = False, progress=None) -> Report:
    engine = sa.create_engine(db_url)
    events, report = _events(), Report()
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return report  # no conversation was ever stored
            senders = [row[0] for row in connection.execute(sa.select(events.c.sender_id).distinct())]
        existing = set(senders)
        for done, sender_id in enumerate(senders, 1):
            if is_namespaced(sender_id):
                report.already_namespaced += 1
                continue
            with engine.begin() as connection:  # one transaction per conversation
                prefix = CHANNEL_PREFIXES[channel_of(connection, sender_id)]
                new_id = f"{prefix}:{sender_id}"
                if new_id in existing:
                    report.collisions.append(sender_id)
                    continue
                if not dry_run:
                    connection.execute(events.update().where(events.c.sender_id == sender_id).values(sender_id=new_id))
            report.renamed[prefix] = report.renamed.get(prefix, 0) + 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(f"{done}/{len(senders)} conversations checked")
    finally:
        engine.dispose()
    return report


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", default=default_db_url(), help="SQLAlchemy URL of the tracker store")
    parser.add_argument("--dry-run", action="store_true", help="report what would be renamed, change nothing")
    args = parser.parse_args(argv)
    try:
        report = migrate(args.db_url, args.dry_run, progress=lambda line: print(line, flush=True))
    except sa.exc.SQLAlchemyError as error:
        print(
            f"error: cannot migrate {args.db_url.split('@')[-1]}: {error.__class__.__name__}: {error}", file=sys.stderr
        )
        return 1
    verb = "would rename" if args.dry_run else "renamed"
    by_prefix = ", ".join(f"{prefix}: {count}" for prefix, count in sorted(report.renamed.items())) or "none"
    print(
        f"{verb} {report.total_renamed} conversations ({by_prefix}); " f"{report.already_namespaced} already namespaced"
    )
    if report.collisions:  # counted, not listed: ids such as OpenIDs stay out of logs
        print(f"left alone: {len(report.collisions)} conversations whose new id is already taken", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
