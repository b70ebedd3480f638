"""serving/tracker_store.py writes what Rasa's own SQLTrackerStore writes, in fewer round
trips, and falls back to Rasa's count whenever it cannot vouch for a tracker."""

from __future__ import annotations

import asyncio
import itertools
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from serving.tracker_store import ResilientSQLTrackerStore, stored_count

DOMAIN = Domain.from_yaml("""
version: '3.1'
intents: [greet, ask_figure]
slots:
  figure:
    type: text
    mappings: [{type: custom}]
""")
COLUMNS = ("sender_id", "type_name", "intent_name", "action_name", "data")
_stamps = itertools.count(1_700_000_000)


def turn(text, intent, figure=None):
    """The events one investor turn adds, with distinct timestamps like real ones."""
    events = [UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=next(_stamps))]
    if figure:
        events.append(SlotSet("figure", figure, timestamp=next(_stamps)))
    events += [
        ActionExecuted("utter_answer", timestamp=next(_stamps)),
        BotUttered(f"答：{text}", timestamp=next(_stamps)),
        ActionExecuted("action_listen", timestamp=next(_stamps)),
    ]
    return events


def converse(store, sender):
    """What Rasa's processor does: create, retrieve, append a turn, save; three turns,
    the last one in a new session. Every conversation gets the same timestamps."""
    global _stamps
    _stamps = itertools.count(1_700_000_000)

    async def run():
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in [
            ActionExecuted("action_session_start", timestamp=next(_stamps)),
            SessionStarted(timestamp=next(_stamps)),
            ActionExecuted("action_listen", timestamp=next(_stamps)),
        ] + turn("你好", "greet"):
            tracker.update(event)
        await store.save(tracker)
        for text, figure in [("工业总产值多少", "industrial_output"), ("增长了多少", None)]:
            tracker = await store.retrieve(sender)
            for event in turn(text, "ask_figure", figure):
                tracker.update(event)
            await store.save(tracker)
        tracker = await store.retrieve(sender)
        for event in [
            SessionStarted(timestamp=next(_stamps)),
            ActionExecuted("action_listen", timestamp=next(_stamps)),
        ]:
            tracker.update(event)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        for event in turn("再见", "greet"):
            tracker.update(event)
        await store.save(tracker)
        return await store.retrieve(sender)

    return asyncio.run(run())


def rows(store, sender):
    with store.engine.connect() as connection:
        table = store.SQLEvent.__table__
        result = connection.execute(
            sa.select([table.c[name] for name in COLUMNS]).where(table.c.sender_id == sender).order_by(table.c.id)
        )
        return [tuple(row) for row in result]


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path):
    if request.param == "sqlite":
        settings = [dict(dialect="sqlite", db=str(tmp_path / f"{name}.db")) for name in ("rasa", "ours")]
    else:
        parsed = urlparse(request.getfixturevalue("postgres_url"))
        common = dict(
            dialect="postgresql",
            host=parsed.hostname,
            port=parsed.port,
            username=parsed.username,
            db=parsed.path.lstrip("/"),
        )
        settings = [common, common]  # one database; the two stores use different senders
    return SQLTrackerStore(domain=DOMAIN, **settings[0]), ResilientSQLTrackerStore(domain=DOMAIN, **settings[1])


def test_the_stored_rows_and_the_retrieved_tracker_are_rasas(stores, request):
    rasa, ours = stores
    sender = f"investor-{request.node.callspec.id}"
    from_rasa, from_ours = converse(rasa, sender + "-rasa"), converse(ours, sender + "-ours")
    assert len(rows(ours, sender + "-ours")) == len(rows(rasa, sender + "-rasa")) > 20
    assert [row[1:] for row in rows(ours, sender + "-ours")] == [row[1:] for row in rows(rasa, sender + "-rasa")]
    assert from_ours.current_state() == {**from_rasa.current_state(), "sender_id": sender + "-ours"}
    # Only the latest session comes back, as from Rasa's store.
    assert [event.text for event in from_ours.events if isinstance(event, UserUttered)] == ["再见"]


def test_a_tracker_the_store_did_not_load_is_counted_like_rasa_does(tmp_path):
    store = ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    events = turn("你好", "greet")
    asyncio.run(store.save(DialogueStateTracker.from_events("a", events[:2], DOMAIN.slots)))
    # A different object with the same history and more: only the new events are written.
    asyncio.run(store.save(DialogueStateTracker.from_events("a", events, DOMAIN.slots)))
    assert [row[1] for row in rows(store, "a")] == [event.type_name for event in events]


def test_a_tracker_whose_history_changed_after_loading_is_counted_again(tmp_path):
    store = ResilientSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(store.save(DialogueStateTracker.from_events("b", turn("你好", "greet"), DOMAIN.slots)))
    tracker = asyncio.run(store.retrieve("b"))
    assert stored_count(tracker) == len(tracker.events) == 4
    tracker.events.pop()  # no longer the history the store loaded
    assert stored_count(tracker) is None
    tracker.update(ActionExecuted("action_listen", timestamp=next(_stamps)))
    assert stored_count(tracker) is None
    asyncio.run(store.save(tracker))
    assert len(rows(store, "b")) == 4  # Rasa's count: nothing new beyond the 4 stored
