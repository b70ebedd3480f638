"""The admin JSON API for the IT team's scripts, behind the same guard as the pages
(`Authorization: Bearer $ADMIN_API_TOKEN`, or a staff session plus X-CSRF-Token).

PUT needs the version it read (field `version` or an If-Match header), like an editor's
form: a script can never silently overwrite a change made by staff in the meantime."""

from __future__ import annotations

from typing import Any, Dict

from sanic import Blueprint, response
from sanic.request import Request

from kb.editing import ConflictError, EditError, Entry, NotFound
from kb.schema import FAQ, FLAG, LINES
from publishing.jobs import JobBusy
from web.admin import guard
from web.admin.offload import work

# The FAQ fields of kb/schema.py, those kept under `source` in the file (document,
# section) grouped the same way here.
GROUPED = {field.key: field.file_key.split(".")[0] for field in FAQ.fields if "." in (field.file_key or "")}
API_FIELDS = tuple(dict.fromkeys(GROUPED.get(key, key) for key in FAQ.keys))

api = Blueprint("admin_api", url_prefix="/admin/api")
api.middleware("request")(guard.check)


def faq_json(entry: Entry) -> Dict[str, Any]:
    body: Dict[str, Any] = {}
    for key in FAQ.keys:
        if key in GROUPED:
            body.setdefault(GROUPED[key], {})[key] = entry.fields[key]
        else:
            body[key] = entry.fields[key]
    body["version"] = entry.version
    return body


def error(status: int, message: str, problems=None) -> response.HTTPResponse:
    body: Dict[str, Any] = {"error": message}
    if problems:
        body["problems"] = problems
    return response.json(body, status=status, ensure_ascii=False)


def read_body(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except Exception:  # sanic raises InvalidUsage on malformed JSON
        raise EditError(["请求体不是合法的 JSON (body is not valid JSON)"])
    if not isinstance(body, dict):
        raise EditError(["请求体应是一个 JSON 对象 (body must be a JSON object)"])
    unknown = set(body) - set(API_FIELDS) - {"version"}
    if unknown:
        raise EditError([f"不认识的字段 (unknown fields): {', '.join(sorted(unknown))}"])
    source = body.get("source") or {}
    if not isinstance(source, dict):
        raise EditError(['source 应是对象，如 {"document": "profile_2021", "section": "costs"}'])
    values: Dict[str, Any] = {}
    for field in FAQ.fields:
        if field.key in GROUPED:
            values[field.key] = source.get(field.key, "")
        elif field.kind == LINES:
            items = body.get(field.key, [])
            if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                raise EditError([f"{field.key} 应是字符串列表 ({field.key} must be a list of strings)"])
            values[field.key] = items
        elif field.kind == FLAG:
            values[field.key] = bool(body.get(field.key, False))
        else:
            values[field.key] = body.get(field.key, "")
    return values


@api.get("/faq")
async def list_faq(request: Request):
    editor = request.app.ctx.admin.editor
    category = request.args.get("category")
    entries = [faq_json(e) for e in await work(editor.faqs) if not category or e.category == category]
    return response.json({"faq": entries, "count": len(entries)}, ensure_ascii=False)


@api.get("/faq/<entry_id>")
async def get_faq(request: Request, entry_id: str):
    try:
        entry = await work(request.app.ctx.admin.editor.faq, entry_id)
    except NotFound as missing:
        return error(404, missing.problems[0])
    return response.json(faq_json(entry), headers={"ETag": f'"{entry.version}"'}, ensure_ascii=False)


@api.post("/faq")
async def create_faq(request: Request):
    user = request.ctx.principal.username
    try:
        result = await work(request.app.ctx.admin.editor.save_faq, read_body(request), None, user)
    except EditError as problem:
        return error(422, "未保存 (not saved)", problem.problems)
    return response.json(faq_json(result.entry), status=201, ensure_ascii=False)


@api.put("/faq/<entry_id>")
async def update_faq(request: Request, entry_id: str):
    admin = request.app.ctx.admin
    try:
        values = read_body(request)
        version = (request.json or {}).get("version") or request.headers.get("if-match", "").strip('"') or None
        if version is None:
            return error(428, "需要 version 字段或 If-Match 头（先 GET 这一条）(version or If-Match required)")
        current = await work(admin.editor.faq, entry_id)
        # Fields a script leaves out keep their current value.
        merged = dict(current.fields)
        body = request.json
        for key, value in values.items():
            if key in body or (key in ("document", "section") and "source" in body):
                merged[key] = value
        merged["id"] = entry_id
        result = await work(admin.editor.save_faq, merged, version, request.ctx.principal.username)
    except NotFound as missing:
        return error(404, missing.problems[0])
    except ConflictError as conflict:
        return error(409, "版本冲突 (version conflict)", conflict.problems)
    except EditError as problem:
        return error(422, "未保存 (not saved)", problem.problems)
    return response.json(faq_json(result.entry), ensure_ascii=False)


@api.post("/publish")
async def start_publish(request: Request):
    refused = guard.require(request, "publish")
    if refused:
        return refused
    admin = request.app.ctx.admin
    try:
        job = admin.jobs.start(request.ctx.principal.username)
    except JobBusy as busy:
        return response.json(
            dict(busy.job.to_json(), error="已有一次发布正在进行 (a publish is already running)"),
            status=409,
            ensure_ascii=False,
        )
    admin.start_publish(job.id)
    return response.json(
        job.to_json(), status=202, headers={"Location": f"/admin/api/publish/{job.id}"}, ensure_ascii=False
    )


@api.get("/publish/<job_id>")
async def publish_status(request: Request, job_id: str):
    job = request.app.ctx.admin.jobs.get(job_id)
    if job is None:
        return error(404, "找不到这次发布 (no such job)")
    return response.json(job.to_json(), ensure_ascii=False)


@api.get("/leads")
async def list_leads(request: Request):
    """Investment leads for the IT team's scripts (full details: handle under PIPL)."""
    status = request.args.get("status")
    try:
        leads = request.app.ctx.admin.leads.list_leads(status)
    except ValueError as bad:
        return error(400, str(bad))
    return response.json({"leads": [lead_json(lead) for lead in leads], "count": len(leads)}, ensure_ascii=False)


def lead_json(lead: Any) -> Dict[str, Any]:
    return {
        "id": lead.id,
        "created_at": lead.created_at,
        "channel": lead.channel,
        "conversation_id": lead.conversation_id,
        "company": lead.company,
        "industry": lead.industry,
        "amount": {"yuan": lead.amount_yuan, "currency": lead.amount_currency, "text": lead.amount_text},
        "land_need": lead.land_need,
        "contact_name": lead.contact_name,
        "phone": lead.phone,
        "email": lead.email,
        "status": lead.status,
    }
