"""Lead storage on SQLite (and PostgreSQL when TEST_POSTGRES_URL is set): one row per
submission however often it is retried, and an outbox that never hands an item to two
senders."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from pathlib import Path
from typing import List

import pytest

from leads.parsing import parse_amount
from leads.store import InvalidLead, LeadInput, LeadStore, OutboxItem, lead_key, leads_csv, leads_db_url

ADMIN = "https://zs.example.cn"


def make_input(
    phone: str = "138 1234 5678", conversation: str = "conv-1", company: str = "湘潭恒通精密机械有限公司", **changes
) -> LeadInput:
    values = dict(
        channel="wechat",
        conversation_id=conversation,
        company=company,
        industry="汽车零部件",
        amount=parse_amount("五千万"),
        land_need="50亩",
        contact_name="王小明",
        phone=phone,
        email="Wang@Example.com",
    )
    values.update(changes)
    return LeadInput(**values)


@pytest.fixture
def store(tmp_path: Path) -> LeadStore:
    opened = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", admin_url=ADMIN)
    yield opened
    opened.close()


def add(store: LeadStore, lead: LeadInput):
    return store.add_lead(lead, lead_key(lead.conversation_id, lead))


def test_the_same_submission_twice_is_one_lead(store):
    first, created = add(store, make_input())
    again, created_again = add(store, make_input(phone="+86 13812345678"))
    assert created and not created_again
    assert again == first
    assert first.phone == "13812345678" and first.email == "Wang@example.com" and first.amount_text == "5000万元"
    assert len(store.list_leads()) == 1
    assert [(item.kind, item.ref_id) for item in store.list_outbox()] == [("lead", first.id)]


def test_lead_key_follows_content_and_conversation():
    key = lead_key("conv-1", make_input())
    assert key == lead_key("conv-1", make_input(phone="+86-138-1234-5678", company=" 湘潭恒通精密机械有限公司 "))
    assert key == lead_key("conv-1", make_input(amount=parse_amount("0.5亿")))
    assert key != lead_key("conv-1", make_input(phone="13912345678"))  # a corrected phone is a new lead
    assert key != lead_key("conv-2", make_input(conversation="conv-2"))


def test_concurrent_submissions_make_one_row(store):
    lead = make_input()
    key = lead_key(lead.conversation_id, lead)
    start = threading.Barrier(8)
    results: List[tuple] = []
    errors: List[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            results.append(store.add_lead(lead, key))
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(created for _, created in results) == 1
    assert len({stored.id for stored, _ in results}) == 1
    assert store.count_leads() == 1 and len(store.list_outbox()) == 1


def test_a_lead_needs_a_way_to_call_back(store):
    with pytest.raises(InvalidLead, match="手机号码或电子邮箱"):
        add(store, make_input(phone=None, email=None))
    with pytest.raises(InvalidLead, match="手机号码格式"):
        add(store, make_input(phone="0731-58881234"))
    assert store.count_leads() == 0


def test_list_status_and_count(store):
    older, _ = add(store, make_input(conversation="a"))
    newer, _ = add(store, make_input(conversation="b", phone="13912345678", email=None))
    assert [lead.id for lead in store.list_leads()] == [newer.id, older.id]
    assert store.set_status(older.id, "contacted", "zhangsan")
    changed = store.get_lead(older.id)
    assert changed.status == "contacted" and changed.status_changed_by == "zhangsan" and changed.status_changed_at
    assert [lead.id for lead in store.list_leads(status="contacted")] == [older.id]
    assert [lead.id for lead in store.list_leads(status="new")] == [newer.id]
    with pytest.raises(ValueError, match="状态只能是"):
        store.set_status(older.id, "deleted", "zhangsan")
    assert not store.set_status(9999, "closed", "zhangsan")
    assert store.get_lead(9999) is None
    assert store.count_leads() == 2 and store.count_leads(since=time.time() + 60) == 0


def test_csv_for_staff_has_full_details(store):
    add(store, make_input(company='=HYPERLINK("http://evil")'))
    data = store.leads_csv(store.list_leads())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "提交时间（北京时间）", "渠道", "企业名称"]
    record = dict(zip(rows[0], rows[1]))
    assert record["手机号码"] == "13812345678" and record["联系人"] == "王小明" and record["状态"] == "新线索"
    assert record["投资金额"] == "5000万元"
    assert record["企业名称"].startswith("'=")  # not a formula when opened in Excel
    assert leads_csv([]).decode("utf-8-sig").startswith("编号,")


def test_handoff_is_stored_once(store):
    transcript = [
        {"who": "investor", "text": "我想找人谈谈", "at": 1.0},
        {"who": "bot", "text": "好的", "at": 2.0},
        {"who": "hacker", "text": "dropped"},
    ]
    handoff_id, created = store.add_handoff("socketio", "conv-9", transcript, True, key="conv-9:1")
    same_id, created_again = store.add_handoff("socketio", "conv-9", transcript, True, key="conv-9:1")
    assert created and not created_again and same_id == handoff_id
    [stored] = store.list_handoffs()
    assert stored.id == handoff_id and stored.within_office_hours is True and stored.status == "new"
    assert [turn["who"] for turn in stored.transcript] == ["investor", "bot"]
    assert [(item.kind, item.ref_id) for item in store.list_outbox()] == [("handoff", handoff_id)]
    assert f"{ADMIN}/admin/handoffs/{handoff_id}" in store.list_outbox()[0].payload["markdown"]["content"]


def test_two_claimers_never_share_an_item(store, tmp_path):
    for n in range(5):
        add(store, make_input(conversation=f"c{n}"))
    other_process = LeadStore(store.url, admin_url=ADMIN)
    now = time.time() + 1
    first = store.claim_due(now)
    assert len(first) == 5 and other_process.claim_due(now) == []
    # the claim is a lease: a sender that died gives way once it expires
    assert len(other_process.claim_due(now + 61)) == 5
    other_process.close()


def test_concurrent_claimers_split_the_work(store):
    for n in range(12):
        add(store, make_input(conversation=f"c{n}"))
    now = time.time() + 1
    start = threading.Barrier(6)
    claimed: List[OutboxItem] = []

    def claim() -> None:
        start.wait()
        claimed.extend(store.claim_due(now, limit=50))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [item.id for item in claimed]
    assert len(ids) == len(set(ids)) == 12


def test_failures_back_off_and_release_the_claim(store):
    add(store, make_input())
    now = time.time() + 1
    delays = []
    for _ in range(9):
        [item] = store.claim_due(now)
        retry_at = store.mark_failed(item.id, "http 500", now)
        delays.append(retry_at - now)
        assert store.claim_due(now) == []  # not due again before the backoff
        now = retry_at
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    [item] = store.list_outbox()
    assert item.attempts == 9 and item.last_error == "http 500" and item.claimed_until is None


def test_delivered_items_are_not_claimed_again(store):
    add(store, make_input())
    now = time.time() + 1
    [item] = store.claim_due(now)
    store.mark_delivered(item.id, now)
    assert store.claim_due(now + 10_000) == []
    assert store.list_outbox()[0].delivered_at == now


def test_db_url_from_environment_and_lazy_folder(tmp_path, monkeypatch, setting):
    monkeypatch.delenv("LEADS_DB_URL", raising=False)
    setting("LEADS_DB", str(tmp_path / "state" / "leads.db"))
    url = leads_db_url()
    assert url == f"sqlite:///{tmp_path / 'state' / 'leads.db'}"
    lazy = LeadStore(url)
    assert not (tmp_path / "state").exists()  # nothing happens before first use
    assert lazy.count_leads() == 0 and (tmp_path / "state" / "leads.db").exists()
    lazy.close()
    monkeypatch.setenv("LEADS_DB_URL", "postgresql://leads@db/leads")
    assert leads_db_url() == url  # read once per process: a running server keeps its store
    setting("LEADS_DB_URL", "postgresql://leads@db/leads")
    assert leads_db_url() == "postgresql://leads@db/leads"


def test_postgres_idempotence(postgres_url):
    """The same idempotence on PostgreSQL, where the web app and actions may share a server."""
    store = LeadStore(postgres_url, admin_url=ADMIN)
    lead = make_input(conversation=f"pg-{uuid.uuid4().hex}")
    key = lead_key(lead.conversation_id, lead)
    start = threading.Barrier(8)
    results: List[tuple] = []

    def submit() -> None:
        start.wait()
        results.append(store.add_lead(lead, key))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(results) == 8 and sum(created for _, created in results) == 1
        lead_id = results[0][0].id
        assert {stored.id for stored, _ in results} == {lead_id}
        assert [l.id for l in store.list_leads(limit=10_000) if l.lead_key == key] == [lead_id]
        assert [i for i in store.list_outbox(limit=10_000) if i.kind == "lead" and i.ref_id == lead_id]
    finally:
        store.close()
