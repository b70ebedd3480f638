"""The JSON API for imported documents, for the IT team's scripts (same guard as the rest
of /admin/api): list them, import or replace one (multipart: `file` plus title, issuer,
issued, period and optionally `replace`), delete one."""

from __future__ import annotations

from typing import Any, Dict

from sanic import Blueprint, response
from sanic.request import Request

from kb.document_files import DocumentRejected
from kb.documents import remove_document
from kb.editing import EditError, NotFound
from kb.model import ImportedDocument
from web.admin import guard
from web.admin.api import error
from web.admin.document_pages import import_upload, imported_documents, upload_form
from web.admin.offload import work

document_api = Blueprint("admin_document_api", url_prefix="/admin/api/documents", strict_slashes=False)
document_api.middleware("request")(guard.check)


def document_json(document: ImportedDocument, with_sections: bool = False) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "issuer": document.issuer,
        "issued": document.issued,
        "period": document.period,
        "reviewed_at": document.reviewed_at,
        "file_name": document.file_name,
        "section_count": len(document.sections),
    }
    if with_sections:
        body["sections"] = [{"id": s.id, "heading": s.heading, "text": s.text} for s in document.sections]
    return body


@document_api.get("/")
async def list_documents(request: Request):
    documents = await work(imported_documents, request)
    return response.json(
        {"documents": [document_json(d) for d in documents], "count": len(documents)}, ensure_ascii=False
    )


@document_api.get("/<document_id>")
async def get_document(request: Request, document_id: str):
    found = {d.id: d for d in await work(imported_documents, request)}.get(document_id)
    if found is None:
        return error(404, f"找不到文档 {document_id} (no such document)")
    return response.json(document_json(found, with_sections=True), ensure_ascii=False)


@document_api.post("/")
async def post_document(request: Request):
    values, upload = upload_form(request)
    if upload is None:
        return error(422, "缺少文件 (multipart field `file` is missing or empty)")
    try:
        result = await import_upload(request, values, upload)
    except DocumentRejected as rejected:
        return error(422, str(rejected))
    except NotFound as missing:
        return error(404, "；".join(missing.problems))
    except EditError as refused:
        return error(422, "文档没有导入 (not imported)", refused.problems)
    body = {"id": result.document_id, "replaced": result.replaced, "section_count": len(result.sections)}
    return response.json(body, status=200 if result.replaced else 201, ensure_ascii=False)


@document_api.delete("/<document_id>")
async def delete_document(request: Request, document_id: str):
    try:
        await work(remove_document, request.app.ctx.admin.editor, document_id, request.ctx.principal.username)
    except NotFound as missing:
        return error(404, "；".join(missing.problems))
    return response.json({"id": document_id, "removed": True}, ensure_ascii=False)
