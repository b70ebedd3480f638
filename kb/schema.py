"""What an FAQ entry and a figure are made of, declared once.

Each field has the name code, forms, spreadsheets and the JSON API use; the label staff
see; its kind; where it sits in the knowledge file (`source.document` is the `document`
key of the entry's `source` map; None: not stored in the entry, e.g. the category, which
is the file the entry is in); other file keys that mean the same (`as_of` for `period`);
and whether it must be filled in. From this:
- kb/loader.py takes the keys a file entry may have;
- kb/editing.py reads an entry into the fields staff edit, and labels its audit lines;
- kb/tabular.py takes the spreadsheet's columns and required cells;
- web/admin/views.py takes the edit forms' fields, web/admin/api.py the JSON fields.
Adding a field here adds it everywhere; tests/kb/test_schema.py checks they agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

TEXT, LINES, FLAG, NUMBER, DERIVED = "text", "lines", "flag", "number", "derived"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = TEXT  # text | lines (a list, one per line in forms) | flag | number | derived
    file_key: Optional[str] = None  # dotted path in the knowledge file; None: not stored in the entry
    also: Tuple[str, ...] = ()  # other file keys read as this field (older wording)
    required: bool = False
    default: Any = None

    @property
    def file_keys(self) -> Tuple[str, ...]:
        """The top-level keys of the entry this field may occupy."""
        own = (self.file_key.split(".")[0],) if self.file_key else ()
        return own + self.also


@dataclass(frozen=True)
class Schema:
    kind: str  # faq | figure
    fields: Tuple[Field, ...]
    file_only: Tuple[str, ...] = ()  # file keys staff edit in the file itself, not in a form

    def __post_init__(self) -> None:
        keys = [field.key for field in self.fields]
        assert len(keys) == len(set(keys)), f"{self.kind}: a field is declared twice"

    @property
    def keys(self) -> Tuple[str, ...]:
        return tuple(field.key for field in self.fields)

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    @property
    def file_keys(self) -> frozenset:
        """Every key an entry of this kind may have in a knowledge file."""
        return frozenset(key for field in self.fields for key in field.file_keys) | frozenset(self.file_only)

    @property
    def required(self) -> Tuple[str, ...]:
        return tuple(field.key for field in self.fields if field.required)

    @property
    def labels(self) -> Dict[str, str]:
        return {field.key: field.label for field in self.fields}

    def read(self, raw: Mapping[str, Any], **derived: Any) -> Dict[str, Any]:
        """An entry of a knowledge file as the fields staff edit; `derived` gives the
        fields not stored in the entry (the category)."""
        values: Dict[str, Any] = {}
        for field in self.fields:
            if field.kind == DERIVED:
                values[field.key] = derived.get(field.key, field.default)
                continue
            found = _lookup(raw, field.file_key)
            for other in field.also:
                if found in (None, ""):
                    found = raw.get(other)
            values[field.key] = _as_kind(field, found)
        return values


def _lookup(raw: Mapping[str, Any], dotted: Optional[str]) -> Any:
    value: Any = raw
    for part in (dotted or "").split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def text(value: Any) -> str:
    """A file value as the text staff see (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _as_kind(field: Field, value: Any) -> Any:
    if field.kind == LINES:
        return [text(item) for item in (value or []) if text(item)]
    if field.kind == FLAG:
        return bool(value if value is not None else field.default)
    if field.kind == NUMBER:
        return value if value is not None else field.default
    return text(value) or (field.default or "")


FAQ = Schema(
    "faq",
    (
        Field("id", "编号", file_key="id", required=True),
        Field("category", "分类", DERIVED, required=True, default=""),  # the file the entry is in
        Field("question", "标准问题", file_key="question", required=True),
        Field("phrasings", "其他问法", LINES, file_key="phrasings"),
        Field("answer", "答案", file_key="answer", required=True),
        Field("document", "资料", file_key="source.document", required=True),
        Field("section", "章节", file_key="source.section", required=True),
        Field("period", "数据口径", file_key="period", also=("as_of",), required=True),
        Field("reviewed_at", "审核日期", file_key="reviewed_at", required=True),
        Field("disabled", "停用", FLAG, file_key="disabled", default=False),
    ),
    # Dictionary words for jieba, and "this answer states no figure": set in the file.
    file_only=("terms", "no_published_figure"),
)

FIGURE = Schema(
    "figure",
    (
        Field("id", "编号", file_key="id", required=True),
        Field("name", "名称", file_key="name", required=True),
        Field("aliases", "别名", LINES, file_key="aliases"),
        Field("kind", "类型", file_key="kind", required=True, default="fact"),
        Field("value", "数值", NUMBER, file_key="value", required=True),
        Field("unit", "单位", file_key="unit", required=True),
        Field("growth_pct", "增长率", NUMBER, file_key="growth_pct"),
        Field("prefix", "前缀", file_key="prefix"),
        Field("note", "备注", file_key="note"),
        Field("period", "数据口径", file_key="period", also=("as_of",), required=True),
        Field("document", "资料", file_key="source.document", required=True),
        Field("section", "章节", file_key="source.section", required=True),
        Field("reviewed_at", "审核日期", file_key="reviewed_at", required=True),
    ),
)

# Labels of file keys that are not fields of their own, for audit lines about them.
FILE_KEY_LABELS = {"source": "资料来源", "as_of": "数据口径", "terms": "词典词"}
