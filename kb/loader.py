"""Reads knowledge/ into a KnowledgeBase and checks it against the schema.

Every problem names the file and line and says in plain Chinese what to fix, because the
people editing these files are investment-promotion staff, not programmers."""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from kb.model import DocumentSection, FaqEntry, Figure, ImportedDocument, KnowledgeBase, MenuTopic, Source
from kb.schema import FAQ, FIGURE
from kb.text import TRADITIONAL, detect_script
from kb.yaml_lines import YamlFileError, line_of, load_with_lines

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REQUIRED_MESSAGES = (
    "greet",
    "menu",
    "goodbye",
    "thank",
    "bot_challenge",
    "chitchat",
    "out_of_scope",
    "other_zone",
    "dont_know",
    "empty_message",
    "not_chinese",
    "too_long",
    "figure_unknown",
    "growth_missing",
    "staff_offer",
    "staff_contact",
    "staff_contact_missing",
    "error",
    "try_again_shortly",
    "too_fast",
    "source_line",
    # follow-ups and figures the source does not give (kb/followup.py, kb/dialogue.py)
    "followup_item",
    "followup_no_item",
    "followup_period",
    "followup_unit",
    "followup_units",
    "followup_source",
    "followup_not_stated",
    "figure_other_period",
    "faq_other_period",
    "figure_not_published",
    # answers from imported documents (kb/passages.py)
    "document_passage",
    "document_source_line",
    "document_no_figure",
    "growth_ranking",
    # the investment-intention form (actions/leads.py)
    "lead_ask_consent",
    "lead_ask_company",
    "lead_ask_industry",
    "lead_ask_amount",
    "lead_ask_land",
    "lead_ask_name",
    "lead_ask_contact",
    "lead_consent_unclear",
    "lead_bad_amount",
    "lead_bad_contact",
    "lead_too_long",
    "lead_resume",
    "lead_saved",
    "lead_duplicate",
    "lead_not_saved_no_consent",
    "lead_save_failed",
    "lead_cancelled",
    "lead_correct_which",
    "lead_correct_ok",
    "handoff_open",
    "handoff_closed",
)
FIGURE_KEYS = FIGURE.file_keys
FAQ_KEYS = FAQ.file_keys
CONTACT_KEYS = {"department", "phone", "email", "address", "office_hours", "reviewed_at"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadResult:
    knowledge: KnowledgeBase
    problems: List[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Checker:
    """Collects problems for one file while entries are read."""

    def __init__(self, root: Path, path: Path, problems: List[Problem]) -> None:
        self.name = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
        self.problems = problems

    def add(self, where: Any, message: str, key: Optional[str] = None) -> None:
        line = where if isinstance(where, int) else line_of(where, key)
        self.problems.append(Problem(self.name, line, message))

    def text(self, entry: Dict[str, Any], key: str, label: str, required: bool = True) -> str:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(entry, f"缺少“{label}”（字段 {key}）")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.add(entry, f"“{label}”（字段 {key}）应是一段文字", key)
            return ""
        return str(value).strip()

    def text_list(self, entry: Dict[str, Any], key: str, label: str) -> Tuple[str, ...]:
        value = entry.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(item, (str, int, float)) and str(item).strip() for item in value
        ):
            self.add(entry, f"“{label}”（字段 {key}）应是一串不为空的文字列表", key)
            return ()
        return tuple(str(item).strip() for item in value)

    def date(self, entry: Dict[str, Any], key: str = "reviewed_at") -> str:
        value = entry.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str) or not DATE_PATTERN.match(value):
            self.add(entry, f"缺少或写错了审核日期（字段 {key}，格式如 2026-11-24）", key)
            return ""
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.add(entry, f"审核日期 {value} 不是一个真实的日期", key)
            return ""
        if day > dt.date.today():
            self.add(entry, f"审核日期 {value} 在未来，请填写实际审核的日期", key)
        return value

    def unknown_keys(self, entry: Dict[str, Any], allowed: set, what: str) -> None:
        for key in entry:
            if not key.startswith("__") and key not in allowed:
                self.add(entry, f"{what}中有不认识的字段“{key}”，是否拼写错误？", key)

    def period(self, entry: Dict[str, Any]) -> str:
        value = entry.get("period") or entry.get("as_of")
        if value is None or not str(value).strip():
            self.add(entry, "缺少数据口径：请填写 period（如 2021年1-8月）或 as_of（如 2021）")
            return ""
        return str(value).strip()


def _load_file(path: Path, checker: _Checker) -> Any:
    try:
        return load_with_lines(path)
    except YamlFileError as error:
        checker.add(error.line, error.message)
        return None


def _read_sources(root: Path, problems: List[Problem]) -> Dict[str, Dict[str, Any]]:
    path = root / "sources.yml"
    checker = _Checker(root, path, problems)
    if not path.exists():
        checker.add(0, "缺少 sources.yml（资料来源清单）")
        return {}
    data = _load_file(path, checker)
    documents = (data or {}).get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, dict) or not documents:
        checker.add(data if isinstance(data, dict) else 1, "sources.yml 里应有 documents: 资料清单")
        return {}
    for doc_id, doc in documents.items():
        if doc_id.startswith("__"):
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("sections"), dict):
            checker.add(documents, f"资料 {doc_id} 缺少 title 或 sections", doc_id)
    return {k: v for k, v in documents.items() if not k.startswith("__") and isinstance(v, dict)}


def _source(entry: Dict[str, Any], documents: Dict[str, Any], checker: _Checker) -> Optional[Source]:
    raw = entry.get("source")
    if not isinstance(raw, dict):
        checker.add(entry, "缺少资料来源（字段 source，含 document 和 section）")
        return None
    doc_id, section_id = raw.get("document"), raw.get("section")
    document = documents.get(doc_id)
    if document is None:
        checker.add(raw, f"资料来源里的 document “{doc_id}” 不在 sources.yml 或导入的文档中")
        return None
    sections = {k: v for k, v in document.get("sections", {}).items() if not k.startswith("__")}
    if section_id not in sections:
        checker.add(
            raw, f"资料来源里的 section “{section_id}” 不在资料 {doc_id} 的章节中（可选：{', '.join(sections)}）"
        )
        return None
    return Source(doc_id, str(document.get("title", doc_id)), section_id, str(sections[section_id]))


@dataclass
class _FigureFile:
    figures: Dict[str, Figure] = field(default_factory=dict)
    # Ids written in the file, valid or not, and whether the file could be read at all:
    # an answer citing a figure that has its own error is not reported a second time.
    written_ids: set = field(default_factory=set)
    readable: bool = True

    def reference_is_broken(self, figure_id: str) -> bool:
        return self.readable and figure_id not in self.written_ids


def _read_figures(root: Path, documents: Dict[str, Any], problems: List[Problem]) -> _FigureFile:
    path = root / "figures.yml"
    checker = _Checker(root, path, problems)
    result = _FigureFile()
    figures = result.figures
    if not path.exists():
        checker.add(0, "缺少 figures.yml（数据清单）")
        result.readable = False
        return result
    data = _load_file(path, checker)
    items = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(items, list):
        result.readable = False
        if data is not None:
            checker.add(data if isinstance(data, dict) else 1, "figures.yml 里应有 figures: 列表")
        return result
    for entry in items:
        if not isinstance(entry, dict):
            checker.add(1, "figures 列表里的每一项都应是一组字段")
            continue
        result.written_ids.add(str(entry.get("id")))
        figure = _figure(entry, documents, checker)
        if figure is None:
            continue
        if figure.id in figures:
            checker.add(entry, f"数据编号 {figure.id} 重复了", "id")
            continue
        figures[figure.id] = figure
    return result


def _figure(entry: Dict[str, Any], documents: Dict[str, Any], checker: _Checker) -> Optional[Figure]:
    before = len(checker.problems)
    checker.unknown_keys(entry, FIGURE_KEYS, "数据")
    figure_id = checker.text(entry, "id", "编号")
    if figure_id and not ID_PATTERN.match(figure_id):
        checker.add(entry, f"编号 {figure_id} 只能用小写英文字母、数字和下划线", "id")
    name = checker.text(entry, "name", "名称")
    kind = entry.get("kind", "fact")
    if kind not in ("indicator", "fact"):
        checker.add(entry, "kind 只能是 indicator（经济指标）或 fact（其他数据）", "kind")
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        checker.add(entry, "数值（字段 value）必须是数字，例如 821.7", "value")
    growth = entry.get("growth_pct")
    if growth is not None and (isinstance(growth, bool) or not isinstance(growth, (int, float))):
        checker.add(entry, "增长率（字段 growth_pct）必须是数字，例如 12.3；没有就删掉这一行", "growth_pct")
    unit = checker.text(entry, "unit", "单位")
    aliases = checker.text_list(entry, "aliases", "别名")
    period = checker.period(entry)
    source = _source(entry, documents, checker)
    reviewed = checker.date(entry)
    if len(checker.problems) > before or source is None:
        return None
    return Figure(
        id=figure_id,
        name=name,
        aliases=aliases,
        kind=kind,
        value=float(value),
        unit=unit,
        period=period,
        source=source,
        reviewed_at=reviewed,
        growth_pct=None if growth is None else float(growth),
        prefix=str(entry.get("prefix", "") or ""),
        note=str(entry.get("note", "") or ""),
    )


def answer_placeholders(answer: str) -> List[Tuple[str, str]]:
    """The (figure_id, field) pairs an answer refers to, e.g. {fixed_asset_investment.growth}."""
    pairs = []
    for _, name, _, _ in string.Formatter().parse(answer):
        if name:
            figure_id, _, attribute = name.partition(".")
            pairs.append((figure_id, attribute))
    return pairs


def _read_faqs(
    root: Path, documents: Dict[str, Any], figures: _FigureFile, problems: List[Problem]
) -> Dict[str, FaqEntry]:
    faqs: Dict[str, FaqEntry] = {}
    phrasing_owner: Dict[str, str] = {}
    for path in sorted((root / "faq").glob("*.yml")):
        checker = _Checker(root, path, problems)
        data = _load_file(path, checker)
        if not isinstance(data, dict):
            if data is not None:
                checker.add(1, "文件应以 category:、title:、entries: 开头")
            continue
        category = checker.text(data, "category", "分类编号")
        title = checker.text(data, "title", "分类名称")
        entries = data.get("entries")
        if not isinstance(entries, list):
            checker.add(data, "缺少 entries: 问答列表")
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                checker.add(data, "entries 里的每一项都应是一组字段", "entries")
                continue
            faq = _faq(entry, category, title, documents, figures, checker)
            if faq is None:
                continue
            if faq.id in faqs:
                checker.add(entry, f"问答编号 {faq.id} 已在别处用过，请换一个", "id")
                continue
            for text in (faq.question,) + faq.phrasings:
                owner = phrasing_owner.setdefault(text, faq.id)
                if owner != faq.id:
                    checker.add(
                        entry,
                        f"问法“{text}”同时出现在 {owner} 和 {faq.id} 下，机器人无法区分，请只保留一处",
                        "phrasings",
                    )
            faqs[faq.id] = faq
    return faqs


def _faq(
    entry: Dict[str, Any],
    category: str,
    title: str,
    documents: Dict[str, Any],
    figure_file: _FigureFile,
    checker: _Checker,
) -> Optional[FaqEntry]:
    before = len(checker.problems)
    checker.unknown_keys(entry, FAQ_KEYS, "问答")
    faq_id = checker.text(entry, "id", "编号")
    if faq_id and not ID_PATTERN.match(faq_id):
        checker.add(entry, f"编号 {faq_id} 只能用小写英文字母、数字和下划线", "id")
    question = checker.text(entry, "question", "标准问题")
    answer = checker.text(entry, "answer", "答案")
    try:
        references = answer_placeholders(answer)
    except ValueError:
        checker.add(entry, "答案里的花括号 { } 不成对；引用数据请写成 {数据编号}", "answer")
        references = []
    for figure_id, attribute in references:
        figure = figure_file.figures.get(figure_id)
        if figure is None:
            if figure_file.reference_is_broken(figure_id):
                checker.add(entry, f"答案引用了不存在的数据 {{{figure_id}}}，请检查 figures.yml 中的编号", "answer")
            else:  # the figure's own error is already reported; leave this entry out
                return None
        elif attribute not in ("", "growth"):
            checker.add(
                entry,
                f"答案里的 {{{figure_id}.{attribute}}} 写法不对，只支持 {{{figure_id}}} 或 {{{figure_id}.growth}}",
                "answer",
            )
        elif attribute == "growth" and figure.growth_pct is None:
            checker.add(entry, f"答案引用了 {figure_id} 的增长率，但 figures.yml 中没有这项增长率", "answer")
    phrasings = checker.text_list(entry, "phrasings", "问法")
    for text in (question,) + phrasings:
        if detect_script(text) == TRADITIONAL:
            checker.add(entry, f"问法“{text}”是繁体字；请写简体，繁体提问会自动转换", "phrasings")
    terms = checker.text_list(entry, "terms", "词典词")
    period = checker.period(entry)
    source = _source(entry, documents, checker)
    reviewed = checker.date(entry)
    if len(checker.problems) > before or source is None:
        return None
    return FaqEntry(
        id=faq_id,
        category=category,
        category_title=title,
        question=question,
        answer=answer,
        phrasings=phrasings,
        source=source,
        period=period,
        reviewed_at=reviewed,
        terms=terms,
        no_published_figure=bool(entry.get("no_published_figure", False)),
        disabled=bool(entry.get("disabled", False)),
    )


def _read_messages(root: Path, problems: List[Problem]) -> Tuple[Dict[str, str], List[MenuTopic]]:
    path = root / "messages.yml"
    checker = _Checker(root, path, problems)
    data = _load_file(path, checker) if path.exists() else None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        checker.add(1, "messages.yml 里应有 messages: 机器人话术")
        return {}, []
    raw = data["messages"]
    messages = {k: str(v).strip() for k, v in raw.items() if not k.startswith("__") and v is not None}
    for key in REQUIRED_MESSAGES:
        if not messages.get(key):
            checker.add(raw, f"缺少话术 {key}")
    topics = []
    for item in data.get("menu_topics") or []:
        if not isinstance(item, dict) or not item.get("title") or not item.get("payload"):
            checker.add(
                item if isinstance(item, dict) else data,
                "menu_topics 每一项需要 title（按钮文字）和 payload（点击后发送的问题）",
            )
            continue
        topics.append(MenuTopic(str(item["title"]).strip(), str(item["payload"]).strip()))
    return messages, topics


def _read_contact(root: Path, problems: List[Problem]) -> Dict[str, str]:
    path = root / "contact.yml"
    if not path.exists():
        return {}
    checker = _Checker(root, path, problems)
    data = _load_file(path, checker)
    contact = data.get("contact") if isinstance(data, dict) else None
    if not isinstance(contact, dict):
        checker.add(1, "contact.yml 里应有 contact: 联系方式")
        return {}
    checker.unknown_keys(contact, CONTACT_KEYS, "联系方式")
    return {k: str(v or "").strip() for k, v in contact.items() if not k.startswith("__")}


def _read_synonyms(root: Path, figures: Dict[str, Figure], problems: List[Problem]) -> Dict[str, str]:
    mapping: Dict[str, str] = {}
    path = root / "synonyms.yml"
    if path.exists():
        checker = _Checker(root, path, problems)
        data = _load_file(path, checker)
        groups = data.get("synonyms") if isinstance(data, dict) else None
        if not isinstance(groups, list):
            checker.add(1, "synonyms.yml 里应有 synonyms: 列表")
            groups = []
        for group in groups:
            canonical = checker.text(group, "canonical", "标准词") if isinstance(group, dict) else ""
            variants = checker.text_list(group, "variants", "同义词") if canonical else ()
            for variant in variants:
                if mapping.get(variant, canonical) != canonical:
                    checker.add(group, f"同义词“{variant}”同时属于“{mapping[variant]}”和“{canonical}”", "variants")
                mapping[variant] = canonical
    for figure in figures.values():
        for alias in figure.aliases:
            mapping.setdefault(alias, figure.name)
    return mapping


DOCUMENT_KEYS = {"id", "title", "issuer", "issued", "period", "reviewed_at", "file_name", "sections", "dismissed"}
SECTION_KEYS = {"id", "heading", "text"}
ISSUED_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # 2024, 2024-03 or 2024-03-01


def _read_documents(root: Path, problems: List[Problem]) -> Dict[str, ImportedDocument]:
    """knowledge/documents/*.yml: documents staff imported (kb/documents.py writes them)."""
    documents: Dict[str, ImportedDocument] = {}
    for path in sorted((root / "documents").glob("*.yml")):
        checker = _Checker(root, path, problems)
        data = _load_file(path, checker)
        if not isinstance(data, dict):
            if data is not None:
                checker.add(1, "导入文档文件应以 id:、title:、sections: 开头")
            continue
        checker.unknown_keys(data, DOCUMENT_KEYS, "导入文档")
        document_id = checker.text(data, "id", "文档编号")
        if document_id and document_id != path.stem:
            checker.add(data, f"文档编号 {document_id} 应与文件名 {path.stem} 一致", "id")
            continue
        title = checker.text(data, "title", "文档标题")
        issuer = checker.text(data, "issuer", "发文单位")
        issued = checker.text(data, "issued", "发文日期")
        if issued and not ISSUED_PATTERN.match(issued):
            checker.add(data, f"发文日期 {issued} 应写成 2024-03-01、2024-03 或 2024", "issued")
        period = checker.text(data, "period", "适用期限或数据口径")
        reviewed = checker.date(data)
        sections = _document_sections(data, checker)
        if document_id and title and issuer and issued and period and reviewed and sections:
            documents[document_id] = ImportedDocument(
                document_id,
                title,
                issuer,
                issued,
                period,
                reviewed,
                sections,
                checker.text(data, "file_name", "原文件名", required=False),
                checker.text_list(data, "dismissed", "已放弃的建议"),
            )
    return documents


def as_sources(imported: Dict[str, ImportedDocument]) -> Dict[str, Dict[str, Any]]:
    """Imported documents in sources.yml's shape: {id: {title, sections: {id: heading}}}."""
    return {
        document.id: {"title": document.title, "sections": {s.id: s.heading for s in document.sections}}
        for document in imported.values()
    }


def _document_sections(data: Dict[str, Any], checker: _Checker) -> Tuple[DocumentSection, ...]:
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        checker.add(data, "导入文档缺少 sections: 章节列表（至少一节）", "sections")
        return ()
    sections, seen = [], set()
    for raw in raw_sections:
        if not isinstance(raw, dict):
            checker.add(data, "sections 里的每一节都应有 id、heading、text", "sections")
            continue
        checker.unknown_keys(raw, SECTION_KEYS, "文档章节")
        section_id, heading, text = (
            checker.text(raw, "id", "章节编号"),
            checker.text(raw, "heading", "章节标题"),
            checker.text(raw, "text", "章节正文"),
        )
        if section_id in seen:
            checker.add(raw, f"章节编号 {section_id} 重复了", "id")
            continue
        seen.add(section_id)
        if section_id and heading and text:
            sections.append(DocumentSection(section_id, heading, text))
    return tuple(sections)


def load_knowledge(root: Path) -> LoadResult:
    """Read and check every knowledge file; the KnowledgeBase holds only valid entries."""
    problems: List[Problem] = []
    if not root.is_dir():
        return LoadResult(KnowledgeBase(), [Problem(str(root), 0, "找不到知识库文件夹")])
    imported = _read_documents(root, problems)
    # An FAQ entry or figure may cite an imported document's section as its source.
    documents = {**as_sources(imported), **_read_sources(root, problems)}
    figure_file = _read_figures(root, documents, problems)
    figures = figure_file.figures
    faqs = _read_faqs(root, documents, figure_file, problems)
    messages, topics = _read_messages(root, problems)
    contact = _read_contact(root, problems)
    synonyms = _read_synonyms(root, figures, problems)
    terms = _dictionary_terms(figures, faqs, synonyms)
    knowledge = KnowledgeBase(figures, faqs, messages, topics, contact, synonyms, terms, imported)
    return LoadResult(knowledge, problems)


# What jieba keeps together in one run (its re_han_default); anything else splits a word.
JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")


def _dictionary_terms(figures: Dict[str, Figure], faqs: Dict[str, FaqEntry], synonyms: Dict[str, str]) -> List[str]:
    """Zone, company, indicator and policy names jieba must keep whole. A figure's name
    may be a list ("国家级质检中心、企业技术中心"): such names are labels, not words, and
    are left out; terms staff add on purpose are all kept, and kb.checks reports those
    jieba would split."""
    terms = set()
    for figure in figures.values():
        terms.update(name for name in figure.names if JIEBA_WORD.match(name))
    for faq in faqs.values():
        terms.update(faq.terms)
    terms.update(synonyms)
    terms.update(name for name in synonyms.values() if JIEBA_WORD.match(name))  # figure names again
    return sorted(term for term in terms if len(term) > 1)
