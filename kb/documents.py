"""Documents staff import (policies, notices, statistics) as knowledge/documents/<id>.yml.

Import reads the file (kb/document_files.py), splits it into the document's own sections
(kb/sections.py) and writes one YAML file through the knowledge editor, so it is checked,
written atomically and audited like any other edit: replacing a document keeps the old
version in the audit log, removing it is one change that can be restored. The action
server re-reads knowledge/ when a file changes, so an import is live without retraining."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ruamel.yaml.scalarstring import LiteralScalarString

from kb.document_files import DocumentRejected, read_paragraphs
from kb.editing import EditError, KnowledgeEditor, NotFound, _dump, _yaml
from kb.loader import DATE_PATTERN, ID_PATTERN, ISSUED_PATTERN
from kb.model import DocumentSection
from kb.sections import split_sections

FOLDER = "documents"
HEADER = "# 导入的文档（由 /admin 的“文档导入”生成）。请在管理后台替换或删除，不要手工编辑。\n"
MAX_FIELD_CHARS = 200


@dataclass(frozen=True)
class DocumentInfo:
    """What staff say about a document when they import it."""

    title: str
    issuer: str
    issued: str
    period: str
    reviewed_at: str


@dataclass
class ImportResult:
    document_id: str
    sections: List[DocumentSection]
    replaced: bool
    audit_ids: List[int] = field(default_factory=list)


def read_info(values: Dict[str, Any]) -> DocumentInfo:
    """The form's fields, checked; EditError lists every problem at once."""
    problems: List[str] = []

    def text(key: str, label: str) -> str:
        value = str(values.get(key) or "").strip()
        if not value:
            problems.append(f"请填写{label}")
        elif len(value) > MAX_FIELD_CHARS:
            problems.append(f"{label}太长（最多 {MAX_FIELD_CHARS} 字）")
        return value

    title = text("title", "文档标题")
    issuer = text("issuer", "发文单位")
    issued = text("issued", "发文日期")
    if issued and not ISSUED_PATTERN.match(issued):
        problems.append(f"发文日期“{issued}”应写成 2024-03-01、2024-03 或 2024")
    period = text("period", "适用期限或数据口径（如 2024年至2026年）")
    reviewed = str(values.get("reviewed_at") or dt.date.today().isoformat()).strip()
    if not DATE_PATTERN.match(reviewed):
        problems.append(f"审核日期“{reviewed}”应写成 2026-12-04")
    if problems:
        raise EditError(problems)
    return DocumentInfo(title, issuer, issued, period, reviewed)


def document_text(document_id: str, info: DocumentInfo, sections: List[DocumentSection], file_name: str) -> str:
    data: Dict[str, Any] = {
        "id": document_id,
        "title": info.title,
        "issuer": info.issuer,
        "issued": info.issued,
        "period": info.period,
        "reviewed_at": info.reviewed_at,
        "file_name": file_name,
        "sections": [
            {"id": s.id, "heading": s.heading, "text": LiteralScalarString(s.text.rstrip() + "\n")} for s in sections
        ],
    }
    return HEADER + _dump(data)


def new_document_id(existing: List[str], today: Optional[dt.date] = None) -> str:
    stem = f"doc_{(today or dt.date.today()).strftime('%Y%m%d')}"
    number = 1
    while f"{stem}_{number}" in existing:
        number += 1
    return f"{stem}_{number}"


def document_ids(editor: KnowledgeEditor) -> List[str]:
    folder = editor.root / FOLDER
    return sorted(path.stem for path in folder.glob("*.yml")) if folder.is_dir() else []


def import_document(
    editor: KnowledgeEditor,
    file_name: str,
    data: bytes,
    values: Dict[str, Any],
    user: str,
    replace_id: Optional[str] = None,
) -> ImportResult:
    """Reads, splits and saves one document (a new one, or a new version of `replace_id`).
    Raises DocumentRejected for a file that cannot be read, EditError for bad fields or a
    result that would not validate; in every case nothing is written."""
    info = read_info(values)
    sections = split_sections(read_paragraphs(file_name, data))
    if not sections:
        raise DocumentRejected("没有从文件里读出任何章节文字")
    existing = document_ids(editor)
    if replace_id is not None and (not ID_PATTERN.match(replace_id) or replace_id not in existing):
        raise NotFound([f"找不到要替换的文档 {replace_id}"])
    document_id = replace_id or new_document_id(existing)
    path = editor.root / FOLDER / f"{document_id}.yml"
    safe_name = re.sub(r"[\r\n]", " ", file_name)[:MAX_FIELD_CHARS]
    summary = [f"文档《{info.title}》：{len(sections)} 节（{safe_name}）"]
    action = "replace_document" if replace_id else "import_document"
    audit_ids = editor.commit(
        {path: document_text(document_id, info, sections, safe_name)}, user, action, "document", document_id, summary
    )
    return ImportResult(document_id, sections, bool(replace_id), audit_ids)


SUGGESTION_KEY = re.compile(r"^(faq:s\d+|figure:s\d+:\d+(\.\d+)?)$")


def dismiss(editor: KnowledgeEditor, document_id: str, key: str, user: str) -> List[int]:
    """Records that staff discarded a suggestion, in the document's own file (audited)."""
    if not ID_PATTERN.match(document_id or "") or document_id not in document_ids(editor):
        raise NotFound([f"找不到文档 {document_id}"])
    if not SUGGESTION_KEY.match(key or ""):
        raise EditError([f"不认识的建议“{key}”"])
    path = editor.root / FOLDER / f"{document_id}.yml"
    data = _yaml().load(path.read_text(encoding="utf-8"))
    dismissed = list(data.get("dismissed") or [])
    if key in dismissed:
        return []
    data["dismissed"] = dismissed + [key]
    return editor.commit({path: _dump(data)}, user, "dismiss_suggestion", "document", document_id, [f"放弃建议 {key}"])


def remove_document(editor: KnowledgeEditor, document_id: str, user: str) -> List[int]:
    """Deletes the document's file; the audit log keeps its text, so it can be restored."""
    if not ID_PATTERN.match(document_id or "") or document_id not in document_ids(editor):
        raise NotFound([f"找不到文档 {document_id}"])
    path = editor.root / FOLDER / f"{document_id}.yml"
    return editor.commit({path: None}, user, "remove_document", "document", document_id, [f"删除文档 {document_id}"])
