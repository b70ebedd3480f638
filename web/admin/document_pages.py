"""The staff pages for imported documents (/admin/documents): upload a Word, PDF, text or
Markdown file with its title, issuer, date and period; see how it was split into
sections; replace it with a new version or remove it. The work (reading the file,
validating, writing) runs on the admin's work threads (web/admin/offload.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from sanic import Blueprint
from sanic.request import Request

from kb.document_files import FORMATS, MAX_DOCUMENT_BYTES, DocumentRejected
from kb.documents import ImportResult, dismiss, import_document, remove_document
from kb.editing import EditError, NotFound
from kb.loader import load_knowledge
from kb.suggestions import faq_suggestions, figure_suggestions
from web.admin import guard
from web.admin.offload import work
from web.admin.views import back, ctx, render

INFO_FIELDS = ("title", "issuer", "issued", "period", "replace")

documents_bp = Blueprint("admin_documents", url_prefix="/admin/documents", strict_slashes=False)
documents_bp.middleware("request")(guard.check)


def upload_form(request: Request) -> Tuple[Dict[str, Any], Optional[Any]]:
    """The form's document fields and the uploaded file (None when none was chosen)."""
    form = request.form or {}
    upload = (request.files or {}).get("file")
    values = {key: (form.get(key) or "").strip() for key in INFO_FIELDS}
    return values, upload if upload is not None and upload.body else None


async def import_upload(request: Request, values: Dict[str, Any], upload: Any) -> ImportResult:
    """Imports the upload on the admin's work threads (pages and API alike)."""
    return await work(
        import_document,
        ctx(request).editor,
        upload.name or "",
        upload.body,
        values,
        request.ctx.principal.username,
        values["replace"] or None,
    )


def imported_documents(request: Request) -> List[Any]:
    knowledge = load_knowledge(ctx(request).settings.knowledge_dir).knowledge
    return sorted(knowledge.documents.values(), key=lambda d: d.id)


async def _page(request: Request, status: int = 200, problems: Optional[List[str]] = None, values=None, result=None):
    return render(
        request,
        "documents.html",
        status=status,
        documents=await work(imported_documents, request),
        problems=problems or [],
        values=values or {},
        result=result,
        formats="、".join(FORMATS),
        max_mb=MAX_DOCUMENT_BYTES // 1024 // 1024,
    )


@documents_bp.get("/")
async def documents_list(request: Request):
    return await _page(request)


@documents_bp.post("/")
async def documents_import(request: Request):
    values, upload = upload_form(request)
    if upload is None:
        return await _page(request, 422, ["请选择要导入的文件"], values)
    try:
        result = await import_upload(request, values, upload)
    except DocumentRejected as rejected:
        return await _page(request, 422, [str(rejected)], values)
    except (EditError, NotFound) as error:
        return await _page(request, 422, list(error.problems), values)
    return await _page(request, result=result)


@documents_bp.get("/<document_id>")
async def document_detail(request: Request, document_id: str):
    knowledge = (await work(load_knowledge, ctx(request).settings.knowledge_dir)).knowledge
    document = knowledge.documents.get(document_id)
    if document is None:
        return guard.denied(request, 404, f"找不到文档 {document_id}")
    return render(
        request,
        "document.html",
        document=document,
        faq_suggestions=faq_suggestions(knowledge, document),
        figure_suggestions=figure_suggestions(knowledge, document),
        faq_link=lambda s: "/admin/faq/new?"
        + urlencode(
            {
                "question": s.question,
                "answer": s.answer,
                "document": document.id,
                "section": s.section_id,
                "period": s.period,
            }
        ),
        figure_link=lambda s, n: "/admin/figures/propose?"
        + urlencode(
            {
                "id": f"{document.id}_{s.section_id}_{n}",
                "name": s.name,
                "value": s.value,
                "unit": s.unit,
                "period": s.period,
                "document": document.id,
                "section": s.section_id,
                "note": s.sentence[:100],
            }
        ),
    )


@documents_bp.post("/<document_id>/dismiss")
async def document_dismiss(request: Request, document_id: str):
    key = (request.form or {}).get("key", "")
    try:
        await work(dismiss, ctx(request).editor, document_id, key, request.ctx.principal.username)
    except EditError as error:  # NotFound included
        return back(f"/admin/documents/{document_id}", "；".join(error.problems))
    return back(f"/admin/documents/{document_id}", "已放弃这条建议")


@documents_bp.post("/<document_id>/remove")
async def document_remove(request: Request, document_id: str):
    try:
        await work(remove_document, ctx(request).editor, document_id, request.ctx.principal.username)
    except NotFound as error:
        return back("/admin/documents", "；".join(error.problems))
    return back("/admin/documents", f"已删除文档 {document_id}（修改记录里可以恢复）")
