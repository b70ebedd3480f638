"""Stored conversations get their channel's prefix, and Rasa finds them under it."""

import asyncio

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from serving.migrate_conversation_ids import main, migrate


def store_at(path):
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


def save(store, sender_id, channel, text="你好"):
    tracker = DialogueStateTracker.from_events(
        sender_id, [ActionExecuted("action_listen"), UserUttered(text, input_channel=channel)]
    )
    asyncio.run(store.save(tracker))


def texts(store, sender_id):
    tracker = asyncio.run(store.retrieve(sender_id))
    return [event.text for event in tracker.events if isinstance(event, UserUttered)] if tracker else None


def test_bare_ids_are_renamed_after_their_channel_and_found_there(tmp_path):
    db = tmp_path / "tracker.db"
    store = store_at(db)
    save(store, "oFollower123", "wechat", "机场远吗")
    save(store, "9f1c0a", "socketio", "电价多少")
    save(store, "tester", "rest", "你好")
    save(store, "old-cmdline", None, "hi")  # no channel recorded: the open namespace
    save(store, "wechat:oAlready", "wechat")

    report = migrate(f"sqlite:///{db}")

    assert report.renamed == {"wechat": 1, "web": 1, "rest": 2} and report.already_namespaced == 1
    store = store_at(db)
    assert texts(store, "wechat:oFollower123") == ["机场远吗"]
    assert texts(store, "web:9f1c0a") == ["电价多少"]
    assert texts(store, "rest:old-cmdline") == ["hi"]
    assert texts(store, "oFollower123") is None  # the bare id no longer reaches it


def test_running_again_changes_nothing_and_a_taken_id_is_left_alone(tmp_path, capsys):
    db = tmp_path / "tracker.db"
    store = store_at(db)
    save(store, "visitor", "rest", "旧的")
    save(store, "rest:visitor", "rest", "新的")  # started after the upgrade
    save(store, "oFollower", "wechat")

    assert main(["--db-url", f"sqlite:///{db}"]) == 0
    out = capsys.readouterr()
    assert "renamed 1 conversations (wechat: 1)" in out.out
    assert "1 conversations whose new id is already taken" in out.err and "visitor" not in out.err
    store = store_at(db)
    assert texts(store, "visitor") == ["旧的"] and texts(store, "rest:visitor") == ["新的"]

    assert migrate(f"sqlite:///{db}").total_renamed == 0


def test_dry_run_changes_nothing_and_a_missing_store_is_not_an_error(tmp_path):
    db = tmp_path / "tracker.db"
    save(store_at(db), "oFollower", "wechat")
    assert migrate(f"sqlite:///{db}", dry_run=True).renamed == {"wechat": 1}
    assert texts(store_at(db), "oFollower") is not None
    assert migrate(f"sqlite:///{tmp_path / 'empty.db'}").total_renamed == 0
