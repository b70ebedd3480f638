"""The staff pages under /admin: plain HTML forms rendered on the server, in Chinese, for
people who have never seen YAML. Each handler is short: read the form, call the editor
(kb.editing) or a store, render or redirect."""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
import time
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sanic.request import Request

from kb import search
from kb.editing import ConflictError, EditError, KnowledgeEditor
from kb.loader import load_knowledge
from kb.schema import FAQ, FIGURE
from kb.tabular import export_rows, parse_upload, to_csv, to_xlsx
from leads.store import leads_csv
from publishing.jobs import JobBusy
from web.admin import devices, guard
from web.admin.hashing import off_loop
from web.admin.offload import work
from web.admin.sessions import COOKIE_NAME, cookie_options
from web.admin.stats import bar_chart_svg, compute_stats, labelled

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
LOGIN_COOKIE = "zone_admin_login"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

bp = Blueprint("admin", url_prefix="/admin")
bp.static("/static", str(HERE / "static"), name="static")
bp.middleware("request")(guard.check)

_templates: Optional[Environment] = None


def templates() -> Environment:
    global _templates
    if _templates is None:
        _templates = Environment(
            loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"])
        )
        _templates.filters["datetime"] = (
            lambda ts: dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else ""
        )
        _templates.filters["percent"] = lambda v: "—" if v is None else f"{v:.1%}"
    return _templates


def ctx(request: Request):
    return request.app.ctx.admin


def render(request: Request, name: str, status: int = 200, **values: Any) -> response.HTTPResponse:
    who = getattr(request.ctx, "principal", None)
    admin = ctx(request)
    page = (
        templates()
        .get_template(name)
        .render(
            user=who,
            csrf=who.csrf_token if who else "",
            inbox_open=admin.inbox.open_count() if who else 0,
            flash=request.args.get("msg", ""),
            **values,
        )
    )
    return response.html(page, status=status)


def back(path: str, message: str = "") -> response.HTTPResponse:
    return response.redirect(f"{path}{'&' if '?' in path else '?'}msg={quote(message)}" if message else path)


def form_values(request: Request, keys: List[str]) -> Dict[str, Any]:
    form = request.form or {}
    return {key: form.get(key, "") for key in keys}


# --- log in and out -----------------------------------------------------------------------
@bp.get("/login")
async def login_form(request: Request):
    token = secrets.token_urlsafe(24)
    page = render(request, "login.html", login_token=token, error="")
    page.cookies[LOGIN_COOKIE] = token
    page.cookies[LOGIN_COOKIE].update(cookie_options(ctx(request).settings.cookie_secure))
    return page


THROTTLED_MESSAGE = "尝试次数过多，请 {seconds} 秒后再试"


def client_address(request: Request) -> str:
    """The client's address: Sanic's remote_addr when a proxy is configured to set it
    (SANIC_PROXIES_COUNT / SANIC_REAL_IP_HEADER), else the connection's peer."""
    return request.remote_addr or request.ip or "unknown"


@bp.post("/login")
async def login(request: Request):
    admin = ctx(request)
    form = request.form or {}
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not token or not secrets.compare_digest(token, form.get("login_token", "")):
        return render(request, "login.html", status=403, login_token=token, error="登录页面已过期，请刷新后重新输入")
    username, client = form.get("username", "").strip(), client_address(request)
    known = devices.known(admin.device_key, request.cookies.get(devices.COOKIE_NAME), username)
    wait = admin.throttle.wait_seconds(client, username, known_device=known)
    if wait > 0:  # the same answer for any name: it tells nothing about which exist
        return render(
            request,
            "login.html",
            status=429,
            login_token=token,
            error=THROTTLED_MESSAGE.format(seconds=math.ceil(wait)),
            username=username,
        )
    result = await off_loop(admin.users.authenticate, username, form.get("password", ""))
    if not result.ok:
        alert = admin.throttle.failed(client, username)
        if alert:
            logger.warning("admin.login.guessing %s", alert.describe())
            await off_loop(
                admin.audit.record,
                "system",
                "login_alert",
                "account",
                alert.username,
                "",
                [alert.describe()],
                None,
                None,
            )
        return render(request, "login.html", status=401, login_token=token, error=result.message, username=username)
    admin.throttle.succeeded(client, username)
    session = admin.sessions.create(result.user.username, result.user.role)
    page = response.redirect("/admin/")
    page.cookies[COOKIE_NAME] = session.session_id
    page.cookies[COOKIE_NAME].update(cookie_options(admin.settings.cookie_secure))
    page.cookies[devices.COOKIE_NAME] = devices.issue(admin.device_key, result.user.username)
    page.cookies[devices.COOKIE_NAME].update(
        {**cookie_options(admin.settings.cookie_secure), "max-age": devices.LIFETIME_SECONDS}
    )
    del page.cookies[LOGIN_COOKIE]
    return page


@bp.post("/logout")
async def logout(request: Request):
    who = request.ctx.principal
    if who.session_id:
        ctx(request).sessions.delete(who.session_id)
    page = response.redirect("/admin/login")
    del page.cookies[COOKIE_NAME]
    return page


# --- dashboard --------------------------------------------------------------------------------
@bp.get("/")
async def dashboard(request: Request):
    admin = ctx(request)
    stats, review_due, unpublished = await work(_dashboard_data, admin)
    labels = [day.strftime("%m-%d") for day in stats.days]
    conversations = bar_chart_svg("每日会话数（按渠道）", labels, labelled(stats.conversations))
    messages = bar_chart_svg("每日提问数（按渠道）", labels, labelled(stats.messages))
    return render(
        request,
        "dashboard.html",
        stats=stats,
        chart_conversations=conversations,
        chart_messages=messages,
        review_due=review_due,
        review_days=admin.settings.review_after_days,
        unpublished=unpublished,
        last_job=(admin.jobs.recent(1) or [None])[0],
        login_alerts=[a for a in admin.audit.recent(5, "account") if time.time() - a.at < 7 * 86400],
    )


def _dashboard_data(admin):
    admin.inbox.import_feedback(admin.feedback)
    stats = compute_stats(admin.settings.tracker_db_url, admin.inbox, admin.feedback)
    stats.leads = admin.leads.count_leads(since=time.time() - len(stats.days) * 86400)
    return stats, admin.review_due(), admin.unpublished_changes()


# --- FAQ -------------------------------------------------------------------------------------
FAQ_FORM_KEYS = list(FAQ.keys)


@bp.get("/faq")
async def faq_list(request: Request):
    editor: KnowledgeEditor = ctx(request).editor
    query = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    state = request.args.get("status", "")
    entries, categories = await work(lambda: (editor.faqs(), editor.categories()))
    if category:
        entries = [e for e in entries if e.category == category]
    if state == "disabled":
        entries = [e for e in entries if e.fields["disabled"]]
    elif state == "active":
        entries = [e for e in entries if not e.fields["disabled"]]
    if query:
        entries = [
            e
            for e in entries
            if query in e.id
            or query in e.fields["question"]
            or query in e.fields["answer"]
            or any(query in p for p in e.fields["phrasings"])
        ]
    return render(
        request,
        "faq_list.html",
        entries=entries,
        categories=categories,
        q=query,
        category=category,
        state=state,
    )


async def _faq_page(
    request: Request,
    values: Dict[str, Any],
    version: Optional[str],
    errors: List[str] = (),
    status: int = 200,
    inbox: str = "",
):
    editor: KnowledgeEditor = ctx(request).editor
    history = ctx(request).audit.recent(20, "faq", values.get("id")) if version else []
    categories, sections = await work(lambda: (editor.categories(), editor.sections()))
    return render(
        request,
        "faq_form.html",
        status=status,
        values=values,
        version=version or "",
        errors=list(errors),
        categories=categories,
        sections=sections,
        history=history,
        inbox=inbox,
    )


@bp.get("/faq/new")
async def faq_new(request: Request):
    # Prefilled from the inbox (question) or a document's suggestion (answer and source too).
    arg = request.args.get
    values = {
        "question": arg("question", ""),
        "phrasings": [],
        "answer": arg("answer", ""),
        "category": arg("category", ""),
        "document": arg("document", "profile_2021"),
        "section": arg("section", ""),
        "period": arg("period", ""),
        "reviewed_at": dt.date.today().isoformat(),
        "disabled": False,
        "id": "",
    }
    return await _faq_page(request, values, None, inbox=request.args.get("inbox", ""))


@bp.get("/faq/<entry_id>")
async def faq_edit(request: Request, entry_id: str):
    try:
        entry = await work(ctx(request).editor.faq, entry_id)
    except EditError as error:
        return guard.denied(request, 404, error.problems[0])
    return await _faq_page(request, entry.fields, entry.version)


@bp.post("/faq/new")
async def faq_create(request: Request):
    return await faq_save(request, "")


@bp.post("/faq/<entry_id>")
async def faq_update(request: Request, entry_id: str):
    return await faq_save(request, entry_id)


async def faq_save(request: Request, entry_id: str):
    admin = ctx(request)
    values = form_values(request, FAQ_FORM_KEYS)
    values["id"] = entry_id or values["id"].strip()
    values["disabled"] = bool(values.get("disabled"))
    version = (request.form or {}).get("version") or None
    inbox = (request.form or {}).get("inbox", "")
    try:
        result = await work(
            admin.editor.save_faq, values, version if entry_id else None, request.ctx.principal.username
        )
    except ConflictError as error:
        return await _faq_page(
            request, dict(values, phrasings=values["phrasings"].splitlines()), version, error.problems, 409
        )
    except EditError as error:
        return await _faq_page(
            request, dict(values, phrasings=values["phrasings"].splitlines()), version, error.problems, 422, inbox=inbox
        )
    if inbox:
        admin.inbox.resolve(inbox, request.ctx.principal.username, f"new_faq:{result.entry.id}")
    message = "已保存，答案已生效" + (
        "；新增或修改的问法需要“发布”后机器人才能识别"
        if any("问法" in c or "标准问题" in c or c == "新增问答" for c in result.changes)
        else ""
    )
    return back(f"/admin/faq/{result.entry.id}", message if result.changes else "没有改动")


# --- figures ----------------------------------------------------------------------------------
FIGURE_FORM_KEYS = [key for key in FIGURE.keys if key != "id"]  # the id is in the address


FIGURE_KINDS = {"indicator": "经济指标", "fact": "其他数据"}


@bp.get("/figures")
async def figure_list(request: Request):
    query, kind = request.args.get("q", "").strip(), request.args.get("kind", "")
    entries = [
        e
        for e in await work(ctx(request).editor.figures)
        if (not kind or e.fields["kind"] == kind)
        and (not query or query in e.id or query in e.fields["name"] or any(query in a for a in e.fields["aliases"]))
    ]
    return render(request, "figure_list.html", entries=entries, q=query, kind=kind, kinds=FIGURE_KINDS)


@bp.get("/figures/propose")
async def figure_propose(request: Request):
    """A new figure, prefilled from a document's suggestion; saving creates it."""
    arg = request.args.get
    values = {
        "id": arg("id", ""),
        "name": arg("name", ""),
        "aliases": [],
        "kind": "fact",
        "prefix": "",
        "value": arg("value", ""),
        "unit": arg("unit", ""),
        "growth_pct": None,
        "note": arg("note", ""),
        "document": arg("document", ""),
        "section": arg("section", ""),
        "period": arg("period", ""),
        "reviewed_at": dt.date.today().isoformat(),
    }
    sections = await work(ctx(request).editor.sections)
    return render(request, "figure_form.html", values=values, version="", errors=[], sections=sections, history=[])


@bp.get("/figures/<entry_id>")
async def figure_edit(request: Request, entry_id: str):
    editor = ctx(request).editor
    try:
        entry, sections = await work(lambda: (editor.figure(entry_id), editor.sections()))
    except EditError as error:
        return guard.denied(request, 404, error.problems[0])
    return render(
        request,
        "figure_form.html",
        values=entry.fields,
        version=entry.version,
        errors=[],
        sections=sections,
        history=ctx(request).audit.recent(20, "figure", entry_id),
    )


@bp.post("/figures/<entry_id>")
async def figure_save(request: Request, entry_id: str):
    editor = ctx(request).editor
    values = dict(form_values(request, FIGURE_FORM_KEYS), id=entry_id)
    version = (request.form or {}).get("version") or None
    try:
        result = await work(editor.save_figure, values, version, request.ctx.principal.username)
    except EditError as error:
        values["aliases"] = str(values["aliases"]).splitlines()
        return render(
            request,
            "figure_form.html",
            status=409 if isinstance(error, ConflictError) else 422,
            values=values,
            version=version,
            errors=error.problems,
            sections=await work(editor.sections),
            history=ctx(request).audit.recent(20, "figure", entry_id),
        )
    return back(f"/admin/figures/{entry_id}", "已保存，机器人回答中的数据已更新" if result.changes else "没有改动")


# --- history and rollback -------------------------------------------------------------------------
@bp.get("/history")
async def history(request: Request):
    return render(request, "history.html", records=ctx(request).audit.recent(200))


@bp.post("/history/<record_id:int>/restore")
async def restore(request: Request, record_id: int):
    try:
        await work(ctx(request).editor.restore, record_id, request.ctx.principal.username)
    except EditError as error:
        return back("/admin/history", "无法恢复：" + "；".join(error.problems))
    return back("/admin/history", f"已恢复到第 {record_id} 条修改之前的版本")


# --- unanswered questions ------------------------------------------------------------------------
@bp.get("/inbox")
async def inbox(request: Request):
    groups, suggestions, faqs = await work(_inbox_data, ctx(request))
    return render(request, "inbox.html", groups=groups, suggestions=suggestions, faqs=faqs)


def _inbox_data(admin):
    admin.inbox.import_feedback(admin.feedback)
    groups = admin.inbox.groups()
    knowledge = load_knowledge(admin.settings.knowledge_dir).knowledge
    suggestions = {}
    for group in groups:
        for question in group.questions:
            hits = [hit for hit in search.rank(knowledge, question.example_text, limit=3) if hit.kind == "faq"]
            suggestions[question.normalised] = hits[0].id if hits else ""  # preselected in the drop-down
    faqs = sorted(
        ((e.id, e.fields["question"]) for e in admin.editor.faqs() if not e.fields["disabled"]),
        key=lambda item: item[1],
    )
    return groups, suggestions, faqs


@bp.post("/inbox/resolve")
async def inbox_resolve(request: Request):
    admin = ctx(request)
    form = request.form or {}
    normalised, action, user = form.get("normalised", ""), form.get("action", ""), request.ctx.principal.username
    if action == "dismiss":
        count = admin.inbox.resolve(normalised, user, "dismissed")
        return back("/admin/inbox", f"已忽略 {count} 条")
    if action == "phrasing":
        faq_id, text = form.get("faq_id", ""), form.get("text", "").strip()
        try:
            await work(admin.editor.add_phrasing, faq_id, text, user)
        except EditError as error:
            return back("/admin/inbox", "未能添加：" + "；".join(error.problems))
        admin.inbox.resolve(normalised, user, f"phrasing:{faq_id}")
        return back("/admin/inbox", f"已把“{text}”加为 {faq_id} 的问法；发布后生效")
    if action == "new_faq":
        return response.redirect(f"/admin/faq/new?question={quote(form.get('text', ''))}&inbox={quote(normalised)}")
    return back("/admin/inbox", "未知操作")


# --- publishing --------------------------------------------------------------------------------------
@bp.get("/publish")
async def publish_page(request: Request):
    admin = ctx(request)
    # Hashing a model file (about 100 MB) and comparing the training data take seconds.
    history, unpublished, live = await work(
        lambda: (admin.models.history(), admin.unpublished_changes(), admin.models.fingerprint())
    )
    return render(
        request,
        "publish.html",
        jobs=admin.jobs.recent(20),
        running=admin.jobs.running(),
        unpublished=unpublished,
        live=live,
        serving=admin.pulls.fingerprints(),
        history=history,
    )


@bp.get("/publish/<job_id>")
async def publish_job(request: Request, job_id: str):
    job = ctx(request).jobs.get(job_id)
    if job is None:
        return guard.denied(request, 404, "找不到这次发布")
    return render(request, "publish_job.html", job=job)


@bp.post("/publish")
async def publish_start(request: Request):
    refused = guard.require(request, "publish")
    if refused:
        return refused
    admin = ctx(request)
    try:
        job = admin.jobs.start(request.ctx.principal.username)
    except JobBusy as busy:
        return back(f"/admin/publish/{busy.job.id}", "已有一次发布正在进行，请等它结束")
    admin.start_publish(job.id)
    return response.redirect(f"/admin/publish/{job.id}")


@bp.post("/models/rollback")
async def model_rollback(request: Request):
    refused = guard.require(request, "publish")
    if refused:
        return refused
    admin = ctx(request)
    if admin.jobs.running():
        return back("/admin/publish", "发布进行中，请等它结束再回滚")
    fingerprint = await work(admin.models.rollback)
    if fingerprint is None:
        return back("/admin/publish", "没有更早的模型可以回滚")
    admin.audit.record(
        request.ctx.principal.username,
        "model_rollback",
        "model",
        fingerprint[:12],
        "models",
        [f"模型回滚到 {fingerprint[:12]}"],
        None,
        None,
    )
    return back("/admin/publish", f"已回滚到上一个模型（{fingerprint[:12]}），Rasa 会在几秒内加载它")


# --- investment leads (issue 6) -------------------------------------------------------------
LEAD_STATUSES = {"new": "新", "contacted": "已联系", "closed": "已关闭"}


@bp.get("/leads")
async def leads_list(request: Request):
    state = request.args.get("status", "")
    leads = ctx(request).leads.list_leads(state if state in LEAD_STATUSES else None)
    return render(request, "leads.html", leads=leads, state=state, statuses=LEAD_STATUSES)


@bp.get("/leads.csv")
async def leads_export(request: Request):
    store = ctx(request).leads
    return response.raw(
        leads_csv(store.list_leads(limit=100_000)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{dt.date.today()}.csv"'},
    )


@bp.get("/leads/<lead_id:int>")
async def lead_detail(request: Request, lead_id: int):
    lead = ctx(request).leads.get_lead(lead_id)
    if lead is None:
        return guard.denied(request, 404, "找不到这条投资意向")
    return render(request, "lead.html", lead=lead, statuses=LEAD_STATUSES)


@bp.post("/leads/<lead_id:int>")
async def lead_status(request: Request, lead_id: int):
    status = (request.form or {}).get("status", "")
    try:
        changed = ctx(request).leads.set_status(lead_id, status, request.ctx.principal.username)
    except ValueError as error:
        return back(f"/admin/leads/{lead_id}", str(error))
    return back(f"/admin/leads/{lead_id}", "状态已更新" if changed else "找不到这条投资意向")


@bp.get("/handoffs")
async def handoffs_list(request: Request):
    return render(request, "handoffs.html", handoffs=ctx(request).leads.list_handoffs())


@bp.get("/handoffs/<handoff_id:int>")
async def handoff_detail(request: Request, handoff_id: int):
    handoff = ctx(request).leads.get_handoff(handoff_id)
    if handoff is None:
        return guard.denied(request, 404, "找不到这条转人工请求")
    return render(request, "handoff.html", handoff=handoff)


# --- import and export ---------------------------------------------------------------------------
@bp.get("/transfer")
async def transfer(request: Request):
    return render(request, "transfer.html", problems=[], summary=None)


EXPORTS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@bp.get("/export.csv")
async def export_csv(request: Request):
    return await export_faq(request, "csv")


@bp.get("/export.xlsx")
async def export_xlsx(request: Request):
    return await export_faq(request, "xlsx")


async def export_faq(request: Request, extension: str) -> response.HTTPResponse:
    write, content_type = EXPORTS[extension]
    knowledge_dir = ctx(request).settings.knowledge_dir
    body = await work(lambda: write(export_rows(load_knowledge(knowledge_dir).knowledge)))
    return response.raw(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="faq-{dt.date.today()}.{extension}"'},
    )


@bp.post("/import")
async def import_faq(request: Request):
    upload = (request.files or {}).get("file")
    if upload is None or not upload.body:
        return render(
            request, "transfer.html", status=422, problems=["请选择要导入的 .csv 或 .xlsx 文件"], summary=None
        )
    if len(upload.body) > MAX_UPLOAD_BYTES:
        return render(request, "transfer.html", status=413, problems=["文件太大（上限 2 MB）"], summary=None)
    parsed = await work(parse_upload, upload.name or "", upload.body)
    if parsed.problems:
        return render(request, "transfer.html", status=422, problems=parsed.problems, summary=None)
    try:
        summary = await work(
            ctx(request).editor.apply_many, [row_values(row) for row in parsed.rows], request.ctx.principal.username
        )
    except EditError as error:
        return render(request, "transfer.html", status=422, problems=error.problems, summary=None)
    return render(request, "transfer.html", problems=[], summary=summary)


def row_values(row: Any) -> Dict[str, Any]:
    return {
        "id": row.id,
        "category": row.category,
        "question": row.question,
        "phrasings": list(row.phrasings),
        "answer": row.answer,
        "document": row.document,
        "section": row.section,
        "period": row.period,
        "reviewed_at": row.reviewed_at,
        "disabled": row.disabled,
        "line": row.line,
    }
