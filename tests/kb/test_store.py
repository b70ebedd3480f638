"""Live knowledge: edits are picked up without a restart; a broken edit keeps the last
good version serving."""

from __future__ import annotations

import os

from kb import answers


def _touch_forward(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_edited_figure_is_served_without_restart(live_store, knowledge_copy):
    before = live_store.get()
    assert before.figures["industrial_output"].value == 640.5
    path = knowledge_copy / "figures.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 640.5", "value: 901.2"), encoding="utf-8")
    _touch_forward(path)
    after = live_store.get()
    assert after.figures["industrial_output"].value == 901.2
    assert "901.2亿元" in answers.lookup_figure(after, "工业总产值", None, None).texts[0]


def test_unchanged_files_are_not_reloaded(live_store):
    first = live_store.get()
    assert live_store.get() is first


def test_broken_edit_keeps_last_good_version(live_store, knowledge_copy, caplog):
    good = live_store.get()
    path = knowledge_copy / "figures.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 640.5", "value: [oops"), encoding="utf-8")
    _touch_forward(path)
    assert live_store.get() is good
    assert any("figures.yml" in record.getMessage() for record in caplog.records)
