"""Changes to knowledge/ made by staff through the admin area or its API.

Every change goes the same way:
1. under a lock shared by all processes, re-read the file and check the entry has not
   changed since the editor opened it (a version hash), so two staff editing one entry
   never overwrite each other silently;
2. write the new files into a scratch copy of knowledge/ and run the full validation
   there (kb.loader and kb.checks); only problems the change introduces block it;
3. replace each file atomically (temporary file, fsync, rename), so the assistant, which
   re-reads knowledge/ on change, never sees half a file;
4. record who, when, what changed and both file versions in the audit log.

Files are edited with ruamel.yaml's round-trip mode, so comments, key order and the
hand-written layout of the YAML survive an edit from the browser."""

from __future__ import annotations

import copy
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from kb.audit import AuditLog, AuditRecord
from kb.loader import ID_PATTERN, Problem, load_knowledge
from kb.schema import FAQ, FIGURE, FILE_KEY_LABELS
from kb.schema import text as _text

FAQ_FIELDS = FAQ.keys
FIGURE_FIELDS = FIGURE.keys
FIELD_LABELS = {**FAQ.labels, **FIGURE.labels, **FILE_KEY_LABELS}
MAX_PHRASINGS = 200
MAX_TEXT = 4000


class EditError(Exception):
    """A change that cannot be made; `problems` say why, in words staff understand."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = list(problems)


class NotFound(EditError):
    pass


class ConflictError(EditError):
    """The entry changed after the editor opened it."""


@dataclass
class Entry:
    """One FAQ entry or figure as staff see it, with the version it was read at."""

    kind: str
    id: str
    fields: Dict[str, Any]
    version: str
    path: Path
    category: str = ""
    category_title: str = ""


@dataclass
class SaveResult:
    entry: Entry
    audit_ids: List[int] = field(default_factory=list)
    changes: List[str] = field(default_factory=list)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def version_of(raw: Dict[str, Any]) -> str:
    """A short hash of an entry's content: what an editor saw when it opened the entry."""
    text = json.dumps(_plain(raw), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _faq_fields(raw: Dict[str, Any], category: str) -> Dict[str, Any]:
    return FAQ.read(raw, category=category)


def _figure_fields(raw: Dict[str, Any]) -> Dict[str, Any]:
    return FIGURE.read(raw)


def _clean_lines(values: Any) -> List[str]:
    """Phrasings and aliases arrive as a list or as text with one per line."""
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, (list, tuple)):
        return []
    return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


def _number(value: Any, label: str, required: bool, problems: List[str]) -> Optional[float]:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"请填写{label}")
        return None
    if isinstance(value, bool):
        problems.append(f"{label}必须是数字")
        return None
    try:
        number = float(str(value).replace(",", "").replace("，", "").strip())
    except ValueError:
        problems.append(f"{label}必须是数字，例如 821.7（现在是“{value}”）")
        return None
    return int(number) if number.is_integer() else number


def _date(value: Any, problems: List[str]) -> Optional[dt.date]:
    text = _text(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(f"审核日期应写成 2026-11-24 这样的格式（现在是“{text}”）")
    return None


def _set(raw: CommentedMap, key: str, value: Any) -> None:
    """Set or remove a key, keeping its position when it exists."""
    if value is None or value == "" or value == [] or value is False:
        if key in raw:
            del raw[key]
        return
    raw[key] = value


def _flow_map(**values: str) -> CommentedMap:
    mapping = CommentedMap(values)
    mapping.fa.set_flow_style()
    return mapping


def _replace_list(raw: CommentedMap, key: str, values: List[str]) -> None:
    """Keep the list object (and its comments) when unchanged, and its flow style
    ([a, b]) when changed."""
    existing = raw.get(key)
    if isinstance(existing, list) and [str(v).strip() for v in existing] == values:
        return
    if not values:
        if key in raw:
            del raw[key]
        return
    new = CommentedSeq(values)
    if isinstance(existing, CommentedSeq) and existing.fa.flow_style():
        new.fa.set_flow_style()
    raw[key] = new


def _describe_changes(before: Dict[str, Any], after: Dict[str, Any]) -> List[str]:
    changes = []
    for key in after:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        label = FIELD_LABELS.get(key, key)
        if isinstance(new, list) or isinstance(old, list):
            old_set, new_set = set(old or []), set(new or [])
            added, removed = sorted(new_set - old_set), sorted(old_set - new_set)
            parts = ([f"新增 {'、'.join(added)}"] if added else []) + (
                [f"删除 {'、'.join(removed)}"] if removed else []
            )
            changes.append(f"{label}：{'；'.join(parts) or '调整了顺序'}")
        elif key == "answer":
            changes.append(f"{label}：已修改（{len(str(old or ''))} → {len(str(new or ''))} 字）")
        else:
            changes.append(
                f"{label}：{old if old not in (None, '') else '（空）'} → {new if new not in (None, '') else '（空）'}"
            )
    return changes


class KnowledgeEditor:
    """Reads and changes FAQ entries and figures in one knowledge folder."""

    def __init__(self, root: Path, audit: AuditLog, nlu_dir: Optional[Path] = None) -> None:
        self.root = Path(root)
        self.audit = audit
        self.nlu_dir = nlu_dir
        # path -> (file identity, parsed round-trip data): one save reads the FAQ files
        # about thirty times; each is parsed once per version of the file.
        self._parsed: Dict[Path, Tuple[Tuple[int, int, int], Any]] = {}
        self._parsed_lock = threading.Lock()

    def warm(self) -> None:
        """Parse every file and run the checks once, so the first save after a start is
        as quick as the others (the web app calls it on a work thread when it starts)."""
        self.faqs()
        self.figures()
        self.sections()
        self._all_problems(self.root)

    # --- reading -------------------------------------------------------------------
    def _load(self, path: Path, editable: bool = False) -> Any:
        """The file's round-trip data: shared and read-only, or a copy of its own to edit
        (copying costs a third of parsing, so readers do not pay for it)."""
        stat = path.stat()
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._parsed_lock:
            cached = self._parsed.get(path)
        if cached is None or cached[0] != identity:
            cached = (identity, _yaml().load(path.read_text(encoding="utf-8")))
            with self._parsed_lock:
                self._parsed[path] = cached
        return copy.deepcopy(cached[1]) if editable else cached[1]

    def categories(self) -> List[Tuple[str, str]]:
        """(category id, title) of every FAQ file."""
        result = []
        for path in sorted((self.root / "faq").glob("*.yml")):
            data = self._load(path)
            if isinstance(data, dict) and data.get("category"):
                result.append((str(data["category"]), str(data.get("title") or data["category"])))
        return result

    def sections(self) -> Dict[str, Dict[str, str]]:
        """document id -> {section id: label}, for the source drop-downs: sources.yml's
        documents and the imported ones (knowledge/documents/)."""
        data = self._load(self.root / "sources.yml") or {}
        documents = dict(data.get("documents") or {})
        for path in sorted((self.root / "documents").glob("*.yml")):
            raw = self._load(path)
            if isinstance(raw, dict) and isinstance(raw.get("sections"), list):
                documents.setdefault(
                    str(raw.get("id") or path.stem),
                    {
                        "sections": {
                            str(s.get("id")): str(s.get("heading")) for s in raw["sections"] if isinstance(s, dict)
                        }
                    },
                )
        return {
            doc: {str(k): str(v) for k, v in (info.get("sections") or {}).items()}
            for doc, info in documents.items()
            if isinstance(info, dict)
        }

    def _faq_files(self, editable: bool = False) -> Iterator[Tuple[Path, CommentedMap]]:
        for path in sorted((self.root / "faq").glob("*.yml")):
            data = self._load(path, editable)
            if isinstance(data, dict) and isinstance(data.get("entries"), list):
                yield path, data

    def faqs(self) -> List[Entry]:
        entries = []
        for path, data in self._faq_files():
            category, title = str(data.get("category", "")), str(data.get("title", ""))
            for raw in data["entries"]:
                if isinstance(raw, dict) and raw.get("id"):
                    entries.append(
                        Entry("faq", str(raw["id"]), _faq_fields(raw, category), version_of(raw), path, category, title)
                    )
        return entries

    def faq(self, entry_id: str) -> Entry:
        for entry in self.faqs():
            if entry.id == entry_id:
                return entry
        raise NotFound([f"找不到编号为 {entry_id} 的问答"])

    def figures(self) -> List[Entry]:
        path = self.root / "figures.yml"
        data = self._load(path)
        return [
            Entry("figure", str(raw["id"]), _figure_fields(raw), version_of(raw), path)
            for raw in (data.get("figures") or [])
            if isinstance(raw, dict) and raw.get("id")
        ]

    def figure(self, entry_id: str) -> Entry:
        for entry in self.figures():
            if entry.id == entry_id:
                return entry
        raise NotFound([f"找不到编号为 {entry_id} 的数据"])

    # --- changing FAQ entries ---------------------------------------------------------
    def new_faq_id(self, category: str) -> str:
        taken = {entry.id for entry in self.faqs()}
        number = 1
        while f"{category}_{number}" in taken:
            number += 1
        return f"{category}_{number}"

    def save_faq(
        self, values: Dict[str, Any], expected_version: Optional[str], user: str, action: Optional[str] = None
    ) -> SaveResult:
        """Create (expected_version None) or update an FAQ entry from form or API values."""
        with self._locked():
            return self._save_faq(values, expected_version, user, action)

    def _save_faq(
        self, values: Dict[str, Any], expected_version: Optional[str], user: str, action: Optional[str]
    ) -> SaveResult:
        problems: List[str] = []
        categories = dict(self.categories())
        category = _text(values.get("category"))
        if category not in categories:
            problems.append(f"分类“{category}”不存在，可选：{'、'.join(categories)}" if category else "请选择分类")
        entry_id = _text(values.get("id"))
        if not entry_id and category in categories and expected_version is None:
            entry_id = self.new_faq_id(category)  # staff need not invent ids
        if (entry_id or category in categories) and not ID_PATTERN.match(entry_id):
            problems.append(f"编号“{entry_id}”不合法：只能用小写英文字母、数字和下划线，并以字母开头")
        for key, label in (("question", "标准问题"), ("answer", "答案")):
            if len(_text(values.get(key))) > MAX_TEXT:
                problems.append(f"{label}太长（超过 {MAX_TEXT} 字）")
        phrasings = _clean_lines(values.get("phrasings"))
        if len(phrasings) > MAX_PHRASINGS:
            problems.append(f"其他问法最多 {MAX_PHRASINGS} 条")
        reviewed = _date(values.get("reviewed_at") or dt.date.today().isoformat(), problems)
        if problems:
            raise EditError(problems)

        existing = self._find_faq(entry_id)
        if expected_version is None and existing is not None:
            raise EditError([f"编号 {entry_id} 已被另一条问答使用，请换一个"])
        if expected_version is not None:
            if existing is None:
                raise NotFound([f"找不到编号为 {entry_id} 的问答（可能已被删除或改了编号）"])
            self._check_version("faq", entry_id, existing[2], expected_version)

        changed: Dict[Path, Any] = {}
        if existing is not None:
            old_path, old_data, raw = existing
            before_fields = _faq_fields(raw, str(old_data.get("category")))
        else:
            raw, before_fields, old_path = CommentedMap(), {}, None
            raw["id"] = entry_id
        raw["question"] = _text(values.get("question"))
        raw["answer"] = LiteralScalarString(_text(values.get("answer")) + "\n") if _text(values.get("answer")) else ""
        _replace_list(raw, "phrasings", phrasings)
        source = raw.get("source") if isinstance(raw.get("source"), dict) else None
        document, section = _text(values.get("document")), _text(values.get("section"))
        if source is None or source.get("document") != document or source.get("section") != section:
            raw["source"] = _flow_map(document=document, section=section)
        period_key = "as_of" if "as_of" in raw and "period" not in raw else "period"
        raw[period_key] = _text(values.get("period"))
        raw["reviewed_at"] = reviewed
        _set(raw, "disabled", bool(values.get("disabled")) and values.get("disabled") not in ("0", "false", "否"))
        for key in ("question", "answer", period_key):
            if not raw.get(key):
                del raw[key]  # the loader reports it as missing, in its own words

        target_path = self.root / "faq" / f"{category}.yml"
        if old_path is not None and old_path != target_path:  # moved to another category
            old_data["entries"] = CommentedSeq(
                [e for e in old_data["entries"] if not (isinstance(e, dict) and e.get("id") == entry_id)]
            )
            changed[old_path] = old_data
        target_data = old_data if old_path == target_path else self._load(target_path, editable=True)
        if old_path != target_path:
            target_data["entries"].append(raw)
        changed[target_path] = target_data

        after_fields = _faq_fields(raw, category)
        diff = _describe_changes(before_fields, after_fields) if existing else ["新增问答"]
        if existing and not diff:
            return SaveResult(self.faq(entry_id), [], [])
        if action is None:
            action = (
                "create"
                if existing is None
                else (
                    "disable"
                    if after_fields["disabled"] and not before_fields.get("disabled")
                    else "enable"
                    if before_fields.get("disabled") and not after_fields["disabled"]
                    else "update"
                )
            )
        audit_ids = self._commit({p: _dump(d) for p, d in changed.items()}, user, action, "faq", entry_id, diff)
        return SaveResult(self.faq(entry_id), audit_ids, diff)

    def add_phrasing(self, entry_id: str, phrasing: str, user: str) -> SaveResult:
        """Append one phrasing (from the unanswered inbox); no version needed, appending
        cannot overwrite another editor's work."""
        phrasing = phrasing.strip()
        if not phrasing:
            raise EditError(["问法不能为空"])
        with self._locked():
            entry = self.faq(entry_id)
            if phrasing in entry.fields["phrasings"] or phrasing == entry.fields["question"]:
                raise EditError([f"“{phrasing}”已经是 {entry_id} 的问法了"])
            values = dict(entry.fields, phrasings=entry.fields["phrasings"] + [phrasing])
            return self._save_faq(values, entry.version, user, "add_phrasing")

    def _find_faq(self, entry_id: str, editable: bool = True) -> Optional[Tuple[Path, CommentedMap, CommentedMap]]:
        """The entry's file, its data and the entry; with `editable`, a copy of that one
        file only (copying every FAQ file to edit one was half of a save's time)."""
        for path, data in self._faq_files():
            if any(isinstance(raw, dict) and str(raw.get("id")) == entry_id for raw in data["entries"]):
                data = self._load(path, editable) if editable else data
                raw = next(r for r in data["entries"] if isinstance(r, dict) and str(r.get("id")) == entry_id)
                return path, data, raw
        return None

    # --- changing figures ---------------------------------------------------------------
    def save_figure(self, values: Dict[str, Any], expected_version: Optional[str], user: str) -> SaveResult:
        with self._locked():
            problems: List[str] = []
            entry_id = _text(values.get("id"))
            if not ID_PATTERN.match(entry_id):
                problems.append(f"编号“{entry_id}”不合法：只能用小写英文字母、数字和下划线，并以字母开头")
            value = _number(values.get("value"), "数值", True, problems)
            growth = _number(values.get("growth_pct"), "增长率", False, problems)
            reviewed = _date(values.get("reviewed_at") or dt.date.today().isoformat(), problems)
            kind = _text(values.get("kind")) or "fact"
            if kind not in ("indicator", "fact"):
                problems.append("类型只能是 indicator（经济指标）或 fact（其他数据）")
            if problems:
                raise EditError(problems)
            path = self.root / "figures.yml"
            data = self._load(path, editable=True)
            items = data["figures"]
            raw = next((item for item in items if isinstance(item, dict) and str(item.get("id")) == entry_id), None)
            if expected_version is None and raw is not None:
                raise EditError([f"编号 {entry_id} 已被另一项数据使用，请换一个"])
            if expected_version is not None:
                if raw is None:
                    raise NotFound([f"找不到编号为 {entry_id} 的数据"])
                self._check_version("figure", entry_id, raw, expected_version)
            before_fields = _figure_fields(raw) if raw is not None else {}
            if raw is None:
                raw = CommentedMap()
                raw["id"] = entry_id
                items.append(raw)
            raw["name"] = _text(values.get("name"))
            _replace_list(raw, "aliases", _clean_lines(values.get("aliases")))
            raw["kind"] = kind
            raw["value"] = value
            raw["unit"] = _text(values.get("unit"))
            _set(raw, "growth_pct", growth)
            _set(raw, "prefix", _text(values.get("prefix")))
            _set(raw, "note", _text(values.get("note")))
            period_key = "as_of" if "as_of" in raw and "period" not in raw else "period"
            raw[period_key] = _text(values.get("period"))
            document, section = _text(values.get("document")), _text(values.get("section"))
            source = raw.get("source") if isinstance(raw.get("source"), dict) else None
            if source is None or source.get("document") != document or source.get("section") != section:
                raw["source"] = _flow_map(document=document, section=section)
            raw["reviewed_at"] = reviewed
            for key in ("name", "unit", period_key):
                if not raw.get(key):
                    del raw[key]
            diff = _describe_changes(before_fields, _figure_fields(raw)) if before_fields else ["新增数据"]
            if before_fields and not diff:
                return SaveResult(self.figure(entry_id), [], [])
            audit_ids = self._commit(
                {path: _dump(data)}, user, "update" if before_fields else "create", "figure", entry_id, diff
            )
            return SaveResult(self.figure(entry_id), audit_ids, diff)

    # --- restoring and importing -----------------------------------------------------
    def restore(self, record_id: int, user: str) -> List[int]:
        """Put a file back as it was before the audited change (undoing it and any later
        change to the same file); validated like any other change."""
        with self._locked():
            record = self.audit.get(record_id)
            if record is None:
                raise NotFound([f"找不到第 {record_id} 条修改记录"])
            path = self._inside_root(record.path)
            change = [f"恢复到第 {record.id} 条修改之前的版本（{record.user} 的{record.entry_id}修改）"]
            return self._commit({path: record.before}, user, "restore", record.kind, record.entry_id, change)

    def apply_many(self, rows: Sequence[Dict[str, Any]], user: str) -> Dict[str, int]:
        """Create or update many FAQ entries at once (spreadsheet import): all or nothing."""
        with self._locked():
            scratch = Path(tempfile.mkdtemp(prefix="kb-import-")) / "knowledge"
            try:
                shutil.copytree(self.root, scratch)
                # Rows are staged one by one with the schema check only; the full check
                # (kb.checks) runs once on the result, in _commit below.
                staged = KnowledgeEditor(scratch, _NullAudit())  # type: ignore[arg-type]
                counts = {"created": 0, "updated": 0, "unchanged": 0}
                problems: List[str] = []
                for row in rows:
                    existing = staged._find_faq(_text(row.get("id")), editable=False) if row.get("id") else None
                    try:
                        result = staged._save_faq(
                            dict(row), version_of(existing[2]) if existing else None, user, "import"
                        )
                    except EditError as error:
                        line = row.get("line")
                        problems += [f"第 {line} 行：{p}" if line else p for p in error.problems]
                        continue
                    counts["created" if existing is None else "updated" if result.changes else "unchanged"] += 1
                if problems:
                    raise EditError(problems)
                changed = {}
                for path in sorted((scratch / "faq").glob("*.yml")):
                    live = self.root / "faq" / path.name
                    text = path.read_text(encoding="utf-8")
                    if not live.exists() or live.read_text(encoding="utf-8") != text:
                        changed[live] = text
                summary = [f"导入：新增 {counts['created']} 条，修改 {counts['updated']} 条"]
                if changed:
                    self._commit(changed, user, "import", "file", "import", summary)
                return counts
            finally:
                shutil.rmtree(scratch.parent, ignore_errors=True)

    # --- the common path -------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across every process that edits this folder."""
        lock_path = self.root / ".edit.lock"
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _check_version(self, kind: str, entry_id: str, raw: Dict[str, Any], expected: str) -> None:
        if version_of(raw) == expected:
            return
        last = self.audit.last_change(kind, entry_id)
        who = f"{last.user} 在 {dt.datetime.fromtimestamp(last.at):%Y-%m-%d %H:%M}" if last else "其他人"
        raise ConflictError(
            [
                f"保存失败：您打开这一条之后，{who} 已经修改并保存了它。为避免覆盖对方的修改，"
                "请重新打开这一条，在最新内容上再改一次（您填写的内容仍显示在下方，可复制）。"
            ]
        )

    def _inside_root(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise EditError([f"文件路径 {relative} 不在知识库文件夹内"])
        return path

    def problems_for(self, changes: Dict[Path, Optional[str]]) -> List[Problem]:
        """Problems the change would introduce (problems already present are not blamed on it)."""
        scratch_parent = Path(tempfile.mkdtemp(prefix="kb-check-"))
        scratch = scratch_parent / "knowledge"
        try:
            shutil.copytree(self.root, scratch, ignore=shutil.ignore_patterns(".edit.lock", "*.tmp"))
            before = {str(p) for p in self._all_problems(scratch)}
            for path, text in changes.items():
                target = scratch / path.resolve().relative_to(self.root.resolve())
                if text is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
            return [p for p in self._all_problems(scratch) if str(p) not in before]
        finally:
            shutil.rmtree(scratch_parent, ignore_errors=True)

    def _all_problems(self, root: Path) -> List[Problem]:
        result = load_knowledge(root)
        problems = list(result.problems)
        if self.nlu_dir is not None:
            from kb.checks import extra_problems  # jieba is imported only when checks run

            problems += extra_problems(result.knowledge, self.nlu_dir)
        return problems

    def commit(
        self,
        changes: Dict[Path, Optional[str]],
        user: str,
        action: str,
        kind: str,
        entry_id: str,
        summary: Sequence[str],
    ) -> List[int]:
        """Validate, write atomically and audit whole-file changes (None deletes a file),
        under the editor's lock: for edits that are not one FAQ entry or figure, such as
        imported documents (kb/documents.py)."""
        with self._locked():
            return self._commit(changes, user, action, kind, entry_id, summary)

    def _commit(
        self,
        changes: Dict[Path, Optional[str]],
        user: str,
        action: str,
        kind: str,
        entry_id: str,
        summary: Sequence[str],
    ) -> List[int]:
        problems = self.problems_for(changes)
        if problems:
            raise EditError([_staff_message(p) for p in problems])
        audit_ids = []
        for path, text in changes.items():
            before = path.read_text(encoding="utf-8") if path.exists() else None
            if before == text:
                continue
            if text is not None:
                path.parent.mkdir(parents=True, exist_ok=True)  # knowledge/documents/ on the first import
            _write_atomically(path, text)
            relative = str(path.resolve().relative_to(self.root.resolve()))
            audit_ids.append(self.audit.record(user, action, kind, entry_id, relative, summary, before, text))
        return audit_ids


class _NullAudit:
    """Staged import edits are audited once, when the whole import is committed."""

    def record(self, *args: Any) -> int:
        return 0

    def last_change(self, kind: str, entry_id: str) -> None:
        return None


def _staff_message(problem: Problem) -> str:
    where = problem.path.replace("knowledge/", "")
    return f"{problem.message}（{where}{f' 第 {problem.line} 行' if problem.line else ''}）"


def _write_atomically(path: Path, text: Optional[str]) -> None:
    """Temporary file in the same folder, fsync, rename: readers see old or new, never half."""
    if text is None:
        path.unlink(missing_ok=True)
        return
    descriptor, temporary = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def describe(record: AuditRecord) -> str:
    """One line for the history page."""
    return "；".join(record.changes)
