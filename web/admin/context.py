"""Everything the admin routes share, built once when the web app starts (never at import)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from inbox.feedback import FeedbackStore
from inbox.store import InboxStore
from kb.audit import AuditLog
from kb.editing import Entry, KnowledgeEditor
from kb.loader import load_knowledge
from kb.training_data import generated_files
from leads.store import LeadStore, leads_db_url
from publishing.jobs import JobStore
from publishing.models import ModelRegistry
from publishing.pipeline import Publisher, PublishSettings
from web.admin import devices
from web.admin.sessions import SessionStore
from web.admin.settings import AdminSettings
from web.admin.throttle import LoginThrottle
from web.admin.users import UserStore

# A Rasa server that pulled within this many seconds counts as running that model.
PULL_MEMORY_SECONDS = 120


@dataclass
class PullTracker:
    """Which model fingerprints the Rasa servers report running (their If-None-Match)."""

    seen: Dict[str, float] = field(default_factory=dict)

    def saw(self, fingerprint: Optional[str]) -> None:
        if fingerprint:
            self.seen[fingerprint.strip('"')] = time.time()

    def running(self, fingerprint: str) -> bool:
        return time.time() - self.seen.get(fingerprint, 0) < PULL_MEMORY_SECONDS

    def fingerprints(self) -> List[str]:
        now = time.time()
        return [f for f, at in self.seen.items() if now - at < PULL_MEMORY_SECONDS]


@dataclass
class AdminContext:
    settings: AdminSettings
    feedback: FeedbackStore
    users: UserStore
    sessions: SessionStore
    audit: AuditLog
    editor: KnowledgeEditor
    inbox: InboxStore
    jobs: JobStore
    models: ModelRegistry
    pulls: PullTracker
    publisher: Publisher
    leads: LeadStore
    device_key: bytes  # signs the "known device" cookie (web/admin/devices.py)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    tasks: Set[asyncio.Task] = field(default_factory=set)

    @classmethod
    def create(cls, settings: AdminSettings, feedback: FeedbackStore, secret: str) -> "AdminContext":
        """`secret` is the web app's secret (WIDGET_SESSION_SECRET)."""
        audit = AuditLog(settings.admin_db)
        jobs = JobStore(settings.admin_db)
        models = ModelRegistry(settings.live_model, settings.model_history)
        pulls = PullTracker()
        publish_settings = PublishSettings(
            project_dir=settings.project_dir,
            knowledge_dir=settings.knowledge_dir,
            work_dir=settings.publish_work_dir,
            heldout=settings.heldout,
            min_phrasing_accuracy=settings.min_phrasing_accuracy,
            min_heldout_accuracy=settings.min_heldout_accuracy,
        )
        return cls(
            settings=settings,
            feedback=feedback,
            users=UserStore(settings.admin_db),
            sessions=SessionStore(settings.admin_db),
            audit=audit,
            editor=KnowledgeEditor(settings.knowledge_dir, audit, settings.project_dir / "data" / "nlu"),
            inbox=InboxStore(settings.inbox_db),
            jobs=jobs,
            models=models,
            pulls=pulls,
            publisher=Publisher(publish_settings, jobs, models, pulls.running),
            leads=LeadStore(leads_db_url()),
            device_key=devices.device_key(secret),
        )

    def start_publish(self, job_id: str) -> None:
        task = asyncio.get_event_loop().create_task(self.publisher.run(job_id))
        self.tasks.add(task)  # keep a reference until it finishes
        task.add_done_callback(self.tasks.discard)

    def unpublished_changes(self) -> bool:
        """Would a publish change the training data? (New or changed phrasings.)"""
        result = load_knowledge(self.settings.knowledge_dir)
        for path, content in generated_files(result.knowledge, self.settings.project_dir).items():
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                return True
        return False

    def review_due(self) -> List[Entry]:
        """FAQ entries and figures whose review date is older than the review period."""
        limit = dt.date.today() - dt.timedelta(days=self.settings.review_after_days)
        due = []
        for entry in self.editor.faqs() + self.editor.figures():
            try:
                reviewed = dt.date.fromisoformat(str(entry.fields.get("reviewed_at")))
            except ValueError:
                due.append(entry)
                continue
            if reviewed < limit:
                due.append(entry)
        return due
