"""What the web app does when it starts (web/app.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from kb.audit import AuditLog
from kb.editing import KnowledgeEditor
from web.app import warm_quietly


def test_the_editor_is_warmed_and_a_broken_file_is_logged_not_raised(knowledge_copy: Path, tmp_path: Path, caplog):
    editor = KnowledgeEditor(knowledge_copy, AuditLog(tmp_path / "audit.db"))
    asyncio.run(warm_quietly(editor))
    assert knowledge_copy / "figures.yml" in editor._parsed
    (knowledge_copy / "faq" / "living.yml").write_text("entries: [not, closed", encoding="utf-8")
    with pytest.raises(Exception):
        editor.warm()
    with caplog.at_level(logging.ERROR, logger="web.app"):
        asyncio.run(warm_quietly(editor))  # the server still starts
    assert "editor.warm_failed" in caplog.text
