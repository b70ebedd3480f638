"""The admin area over HTTP: security, forms, the JSON API, import/export, inbox, model server."""

from __future__ import annotations

import io
import re
import threading
import time

import openpyxl
import pytest
import requests

from inbox.store import InboxStore
from kb.loader import load_knowledge
from kb.tabular import to_csv
from tests.web.admin.conftest import PASSWORDS, csrf_of
from web.admin.api import api
from web.admin.users import UserStore
from web.admin.views import bp


def _routes():
    for blueprint in (bp, api):
        for route in blueprint._future_routes:
            uri = (blueprint.url_prefix or "") + route.uri
            if uri.startswith(("/admin/login", "/admin/static")):
                continue
            path = re.sub(r"<[^>]+>", "1", uri)
            for method in route.methods:
                yield method, path


ROUTES = sorted(set(_routes()))


def test_the_route_list_covers_the_admin(admin_server) -> None:
    assert ("POST", "/admin/publish") in ROUTES and ("PUT", "/admin/api/faq/1") in ROUTES and len(ROUTES) > 20


@pytest.mark.parametrize("method, path", ROUTES)
def test_nothing_is_reachable_without_login(admin_server, method: str, path: str) -> None:
    reply = requests.request(method, admin_server.url + path, allow_redirects=False, timeout=10)
    if path.startswith("/admin/api/"):
        assert reply.status_code == 401
    else:
        assert reply.status_code == 302 and reply.headers["Location"] == "/admin/login"


def test_a_wrong_bearer_token_is_refused(admin_server) -> None:
    reply = requests.get(admin_server.url + "/admin/api/faq", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert reply.status_code == 401


def test_session_cookie_is_httponly_and_samesite(admin_server) -> None:
    session = admin_server.login("editor1")
    cookie = next(c for c in session.cookies if c.name == "zone_admin")
    assert cookie.has_nonstandard_attr("HttpOnly") or cookie._rest.get("HttpOnly") is not None
    assert (cookie._rest.get("SameSite") or cookie._rest.get("samesite")).lower() == "strict"


def test_a_post_without_the_csrf_token_is_refused(admin_server) -> None:
    session = admin_server.login("editor1")
    path = admin_server.workspace / "knowledge" / "faq" / "approval_services.yml"
    before = path.read_text(encoding="utf-8")
    entry = session.get(admin_server.url + "/admin/faq/approval_reform").text
    version = re.search(r'name="version" value="([^"]+)"', entry).group(1)
    for token in (None, "forged-token"):
        data = {
            "version": version,
            "category": "approval_services",
            "question": "伪造",
            "answer": "伪造",
            "document": "profile_2021",
            "section": "services",
            "period": "2021",
            "reviewed_at": "2026-11-24",
        }
        if token:
            data["csrf_token"] = token
        reply = session.post(admin_server.url + "/admin/faq/approval_reform", data=data, allow_redirects=False)
        assert reply.status_code == 403 and "CSRF" in reply.text
    assert path.read_text(encoding="utf-8") == before


def test_an_editor_cannot_publish_or_roll_back(admin_server) -> None:
    session = admin_server.login("editor1")
    token = csrf_of(session, admin_server.url + "/admin/publish")
    for path in ("/admin/publish", "/admin/models/rollback"):
        reply = session.post(admin_server.url + path, data={"csrf_token": token}, allow_redirects=False)
        assert reply.status_code == 403 and "发布员" in reply.text
    reply = session.post(admin_server.url + "/admin/api/publish", headers={"X-CSRF-Token": token})
    assert reply.status_code == 403


def try_login(
    url: str, username: str, password: str, address: str, session: "requests.Session | None" = None
) -> requests.Response:
    session = session or requests.Session()
    headers = {"X-Real-IP": address}
    form = session.get(url + "/admin/login", headers=headers).text
    token = re.search(r'name="login_token" value="([^"]+)"', form).group(1)
    return session.post(
        url + "/admin/login",
        headers=headers,
        allow_redirects=False,
        data={"login_token": token, "username": username, "password": password},
    )


def page_without_token(page: str) -> str:
    return re.sub(r'name="login_token" value="[^"]+"', "", page)


def test_guessing_is_slowed_and_a_real_name_looks_like_an_unknown_one(admin_server) -> None:
    """Before: five wrong passwords gave a real name 429 and an unknown one 401, and locked
    the real account for 15 minutes, whoever sent them."""
    UserStore(admin_server.admin_db).add("probed", "probed-password-1", "editor")
    answers = {}
    for name, address in (("probed", "203.0.113.1"), ("no-such-user", "203.0.113.2")):
        replies = [try_login(admin_server.url, name, "wrong-password", address) for _ in range(6)]
        answers[name] = [(r.status_code, page_without_token(r.text).replace(name, "NAME")) for r in replies]
    assert [status for status, _ in answers["probed"]] == [401] * 5 + [429]
    assert answers["probed"] == answers["no-such-user"]  # same statuses, same pages
    assert "秒后再试" in answers["probed"][-1][1] and "锁定" not in answers["probed"][-1][1]
    # The account is not locked: its owner, from their own address, logs in.
    reply = try_login(admin_server.url, "probed", "probed-password-1", "198.51.100.1")
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin/"


def test_a_name_guessed_from_many_addresses_still_lets_its_owner_in_and_alerts(admin_server) -> None:
    UserStore(admin_server.admin_db).add("targeted", "targeted-password-1", "publisher")
    owner = requests.Session()
    assert try_login(admin_server.url, "targeted", "targeted-password-1", "198.51.100.2", owner).status_code == 302
    owner.post(
        admin_server.url + "/admin/logout",
        data={"csrf_token": csrf_of(owner, admin_server.url + "/admin/")},
        headers={"X-Real-IP": "198.51.100.2"},
    )
    replies = [try_login(admin_server.url, "targeted", "guess", f"192.0.2.{n}") for n in range(12)]
    assert [r.status_code for r in replies][-1] == 429  # the many addresses are slowed on this name
    # The owner's browser (its known-device cookie), even from a new address, logs in.
    reply = try_login(admin_server.url, "targeted", "targeted-password-1", "198.51.100.99", owner)
    assert reply.status_code == 302
    dashboard = owner.get(admin_server.url + "/admin/", headers={"X-Real-IP": "198.51.100.99"}).text
    assert 'data-testid="login-alert"' in dashboard and "targeted" in dashboard


def test_login_form_without_its_token_is_refused(admin_server) -> None:
    reply = requests.post(
        admin_server.url + "/admin/login",
        data={"username": "editor1", "password": PASSWORDS["editor1"]},
        allow_redirects=False,
    )
    assert reply.status_code == 403


def test_edit_an_answer_in_the_form_and_see_it_in_the_knowledge(admin_server) -> None:
    session = admin_server.login("editor1")
    page = session.get(admin_server.url + "/admin/faq/airport").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    entry = load_knowledge(admin_server.workspace / "knowledge").knowledge.faqs["airport"]
    form = {
        "csrf_token": csrf,
        "version": version,
        "category": entry.category,
        "question": entry.question,
        "phrasings": "\n".join(entry.phrasings),
        "answer": "从园区到黄花国际机场约{airport_drive_time}。",
        "document": entry.source.document_id,
        "section": entry.source.section_id,
        "period": entry.period,
        "reviewed_at": entry.reviewed_at,
    }
    reply = session.post(admin_server.url + "/admin/faq/airport", data=form)
    assert reply.status_code == 200 and "已保存" in reply.text
    assert (
        load_knowledge(admin_server.workspace / "knowledge").knowledge.faqs["airport"].answer.startswith("从园区到黄花")
    )
    # a second editor who opened the same version is refused, with a clear message
    other = admin_server.login("publisher1")
    stale = dict(form, csrf_token=csrf_of(other, admin_server.url + "/admin/faq/airport"), answer="另一个人的修改")
    reply = other.post(admin_server.url + "/admin/faq/airport", data=stale)
    assert reply.status_code == 409 and "editor1" in reply.text and "已经修改并保存" in reply.text
    history = session.get(admin_server.url + "/admin/history").text
    assert "airport" in history and "editor1" in history


def test_api_lists_reads_creates_and_updates_with_versions(admin_server, knowledge) -> None:
    listed = admin_server.api("GET", "/admin/api/faq").json()
    assert listed["count"] == len(listed["faq"]) == len(knowledge.faqs)
    entry = admin_server.api("GET", "/admin/api/faq/zone_overview")
    body = entry.json()
    assert set(body) >= {"id", "category", "question", "phrasings", "answer", "source", "period", "version"}
    created = admin_server.api(
        "POST",
        "/admin/api/faq",
        json={
            "category": "living",
            "question": "园区有没有健身房？",
            "phrasings": ["有健身房吗", "哪里可以健身"],
            "answer": "知识库中没有健身房的信息。",
            "source": {"document": "profile_2021", "section": "living"},
            "period": "2021",
        },
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert admin_server.api("PUT", f"/admin/api/faq/{new_id}", json={"answer": "无版本"}).status_code == 428
    updated = admin_server.api(
        "PUT", f"/admin/api/faq/{new_id}", json={"answer": "园区周边有健身场所。", "version": created.json()["version"]}
    )
    assert updated.status_code == 200 and updated.json()["answer"] == "园区周边有健身场所。"
    stale = admin_server.api(
        "PUT", f"/admin/api/faq/{new_id}", json={"answer": "x", "version": created.json()["version"]}
    )
    assert stale.status_code == 409
    assert admin_server.api("GET", "/admin/api/faq/no_such_entry").status_code == 404


@pytest.mark.parametrize(
    "body, status",
    [
        ("not json", 422),
        (
            {
                "category": "living",
                "question": "q",
                "answer": "a",
                "source": {"document": "profile_2021", "section": "living"},
            },
            422,
        ),
        ({"category": "living", "question": "q", "answer": "a", "period": "2021", "source": "living"}, 422),
        ({"category": "living", "question": "q", "answer": "a", "period": "2021", "phrasings": "one string"}, 422),
        ({"category": "living", "colour": "blue"}, 422),
    ],
)
def test_api_refuses_bad_input_with_a_message(admin_server, body, status) -> None:
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    reply = admin_server.api("POST", "/admin/api/faq", **kwargs)
    assert reply.status_code == status and reply.json()["error"]


def test_import_refuses_path_traversal_and_changes_nothing(admin_server, tmp_path) -> None:
    session = admin_server.login("editor1")
    csrf = csrf_of(session, admin_server.url + "/admin/transfer")
    rows = [
        {
            "id": "",
            "category": "../../../tmp/evil",
            "question": "问",
            "phrasings": "",
            "answer": "答",
            "document": "profile_2021",
            "section": "living",
            "period": "2021",
            "reviewed_at": "2026-11-24",
            "disabled": "",
        }
    ]
    before = sorted(p.name for p in (admin_server.workspace / "knowledge" / "faq").iterdir())
    reply = session.post(
        admin_server.url + "/admin/import",
        data={"csrf_token": csrf},
        files={"file": ("../../../evil.csv", to_csv(rows), "text/csv")},
    )
    assert reply.status_code == 422 and "分类" in reply.text
    assert sorted(p.name for p in (admin_server.workspace / "knowledge" / "faq").iterdir()) == before
    assert not list(admin_server.workspace.parent.glob("**/evil*"))


def test_export_then_import_round_trips(admin_server) -> None:
    session = admin_server.login("editor1")
    exported = session.get(admin_server.url + "/admin/export.xlsx")
    assert exported.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert sheet.max_row - 1 == len(load_knowledge(admin_server.workspace / "knowledge").knowledge.faqs)
    csv_file = session.get(admin_server.url + "/admin/export.csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    csrf = csrf_of(session, admin_server.url + "/admin/transfer")
    replies = []

    def do_import():
        replies.append(
            session.post(
                admin_server.url + "/admin/import",
                data={"csrf_token": csrf},
                files={"file": ("faq.xlsx", exported.content)},
            )
        )

    importing = threading.Thread(target=do_import)
    importing.start()
    # While the import validates every entry (seconds), the rest of the web app answers:
    # before, the import ran on the event loop and these waited until it ended.
    answered_during = {"/health": 0, "/widget/config": 0}
    while importing.is_alive():
        for path in answered_during:
            status = requests.get(admin_server.url + path, timeout=60).status_code
            if status == 200 and importing.is_alive():
                answered_during[path] += 1
    importing.join()
    assert replies[0].status_code == 200 and "新增 0 条，修改 0 条" in replies[0].text
    assert answered_during["/health"] > 0 and answered_during["/widget/config"] > 0, answered_during


def test_inbox_question_becomes_a_phrasing_in_one_step(admin_server) -> None:
    inbox = InboxStore(admin_server.inbox_db)
    for text in ("园区电费多少钱一度", "园区电费多少钱一度？", "九华的电费贵不贵"):
        inbox.record(text, "fallback", "rest", "investor-1")
    session = admin_server.login("editor1")
    page = session.get(admin_server.url + "/admin/inbox").text
    assert "园区电费多少钱一度" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    normalised = inbox.questions()[0].normalised
    question = next(q for q in inbox.questions() if q.normalised == normalised)
    reply = session.post(
        admin_server.url + "/admin/inbox/resolve",
        data={
            "csrf_token": csrf,
            "normalised": normalised,
            "text": question.example_text,
            "action": "phrasing",
            "faq_id": "electricity_price",
        },
    )
    assert reply.status_code == 200 and "已把" in reply.text, reply.text[:300]
    faq = load_knowledge(admin_server.workspace / "knowledge").knowledge.faqs["electricity_price"]
    assert question.example_text in faq.phrasings
    remaining = [q.normalised for q in inbox.questions()]
    assert normalised not in remaining
    reply = session.post(
        admin_server.url + "/admin/inbox/resolve",
        data={"csrf_token": csrf, "normalised": remaining[0], "action": "dismiss"},
    )
    assert "已忽略" in reply.text and inbox.questions() == []


def test_dashboard_flags_entries_past_their_review_date(admin_server) -> None:
    session = admin_server.login("publisher1")
    assert "review-none" in session.get(admin_server.url + "/admin/").text
    figure = admin_server.api("GET", "/admin/api/faq/zone_overview").json()
    admin_server.api(
        "PUT", "/admin/api/faq/zone_overview", json={"reviewed_at": "2024-01-02", "version": figure["version"]}
    )
    page = session.get(admin_server.url + "/admin/").text
    assert 'data-testid="review-due"' in page and "zone_overview" in page and "2024-01-02" in page
    assert "<svg" in page  # the charts are drawn on the server


def test_model_server_speaks_rasas_etag_protocol(admin_server) -> None:
    first = requests.get(admin_server.url + "/models/assistant.tar.gz", timeout=10)
    assert first.status_code == 200 and first.content == b"stand-in model" and first.headers["ETag"]
    again = requests.get(
        admin_server.url + "/models/assistant.tar.gz", headers={"If-None-Match": first.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304


def test_publish_status_of_an_unknown_job_is_404(admin_server) -> None:
    assert admin_server.api("GET", "/admin/api/publish/nope").status_code == 404


def test_faq_and_figures_can_be_searched_and_filtered(admin_server) -> None:
    session = admin_server.login("editor1")
    faq = session.get(admin_server.url + "/admin/faq", params={"category": "location_transport", "q": "机场"}).text
    assert "/admin/faq/airport" in faq and "/admin/faq/schools" not in faq
    figures = session.get(admin_server.url + "/admin/figures", params={"kind": "indicator"}).text
    assert "/admin/figures/industrial_output" in figures and "/admin/figures/airport_drive_time" not in figures


def test_api_publish_starts_a_job_and_a_broken_knowledge_base_fails_it_safely(admin_server) -> None:
    figures = admin_server.workspace / "knowledge" / "figures.yml"
    model = admin_server.workspace / "models" / "assistant.tar.gz"
    original, live_model = figures.read_text(encoding="utf-8"), model.read_bytes()
    figures.write_text(original.replace("value: 640.5", "value: 八百"), encoding="utf-8")
    try:
        started = admin_server.api("POST", "/admin/api/publish")
        assert started.status_code == 202 and started.headers["Location"].endswith(started.json()["job_id"])
        for _ in range(100):
            job = admin_server.api("GET", f"/admin/api/publish/{started.json()['job_id']}").json()
            if job["status"] != "running":
                break
            time.sleep(0.2)
    finally:
        figures.write_text(original, encoding="utf-8")
    assert job["status"] == "failed" and "知识库有错误" in job["message"]
    assert any("数值" in failure["text"] for failure in job["failures"])
    assert model.read_bytes() == live_model


def test_staff_see_update_and_export_leads_and_scripts_read_them(admin_server) -> None:
    from leads.parsing import parse_amount
    from leads.store import LeadInput, LeadStore

    store = LeadStore(f"sqlite:///{admin_server.leads_db}")
    lead = LeadInput(
        "socketio",
        "visitor-9",
        "湘潭恒通精密机械有限公司",
        "汽车零部件",
        parse_amount("2亿元"),
        "50亩",
        "王先生",
        phone="13812345678",
    )
    stored, _ = store.add_lead(lead, "key-1")
    session = admin_server.login("editor1")
    listing = session.get(admin_server.url + "/admin/leads").text
    assert "湘潭恒通精密机械有限公司" in listing and "2亿元" in listing
    detail_url = f"{admin_server.url}/admin/leads/{stored.id}"
    assert "13812345678" in session.get(detail_url).text  # staff need the number to call back
    csrf = csrf_of(session, detail_url)
    reply = session.post(detail_url, data={"csrf_token": csrf, "status": "contacted"})
    assert "状态已更新" in reply.text and store.get_lead(stored.id).status == "contacted"
    assert (
        "不合法" in session.post(detail_url, data={"csrf_token": csrf, "status": "lost"}).text
        or store.get_lead(stored.id).status == "contacted"
    )
    exported = session.get(admin_server.url + "/admin/leads.csv")
    assert exported.content.startswith(b"\xef\xbb\xbf") and "13812345678" in exported.content.decode("utf-8-sig")
    api = admin_server.api("GET", "/admin/api/leads").json()
    assert api["count"] == 1 and api["leads"][0]["amount"]["yuan"] == 200_000_000
    assert api["leads"][0]["status"] == "contacted"


def test_handoff_requests_show_their_transcript(admin_server) -> None:
    from leads.store import LeadStore

    store = LeadStore(f"sqlite:///{admin_server.leads_db}")
    handoff_id, _ = store.add_handoff(
        "wechat",
        "openid-1",
        [
            {"who": "investor", "text": "电价多少", "at": 1},
            {"who": "bot", "text": "知识库中没有电价", "at": 2},
            {"who": "investor", "text": "转人工", "at": 3},
        ],
        True,
        "handoff-1",
    )
    session = admin_server.login("editor1")
    assert "转人工" in session.get(admin_server.url + "/admin/handoffs").text
    detail = session.get(f"{admin_server.url}/admin/handoffs/{handoff_id}").text
    assert "电价多少" in detail and "知识库中没有电价" in detail
    assert admin_server.api("GET", "/admin/api/leads?status=lost").status_code == 400


def test_the_not_found_page_escapes_what_the_visitor_typed(admin_server) -> None:
    session = admin_server.login("editor1")
    typed = "a'b&c=1"  # characters a client sends as they are in a path
    reply = session.get(admin_server.url + "/admin/faq/" + typed)
    assert reply.status_code == 404
    assert typed not in reply.text and "a&#x27;b&amp;c=1" in reply.text
