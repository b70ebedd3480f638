"""FAQ import and export as CSV and Excel.

Investment-promotion staff keep and review the FAQ in spreadsheets, so the admin page
offers the knowledge as a sheet and takes an edited sheet back. This module only
converts between sheets and rows and checks what a sheet can get wrong (missing
columns, empty cells, ids that are not ids, dates); whether a document or section
exists, and the rest of the schema, is checked by kb.loader once the caller has written
the rows into knowledge/faq/ and reloads.

An upload comes from a browser: its filename is looked at only for the extension and
never used as a path, and the size, row count and (for .xlsx) unpacked size are capped
so one bad file cannot exhaust the server."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from kb.loader import ID_PATTERN
from kb.model import KnowledgeBase
from kb.schema import FAQ

# (key used in code, header label staff see), in column order: the FAQ fields (kb/schema.py).
COLUMNS: Tuple[Tuple[str, str], ...] = tuple((field.key, field.label) for field in FAQ.fields)
KEYS: Tuple[str, ...] = tuple(key for key, _ in COLUMNS)
LABELS: Dict[str, str] = dict(COLUMNS)
# An empty id means "new entry" (the caller gives it an id); the optional fields
# (phrasings, disabled) may be left out of a sheet altogether. Every other column must be there.
OPTIONAL_COLUMNS = frozenset({"id"} | {field.key for field in FAQ.fields if not field.required})
REQUIRED_CELLS: Tuple[str, ...] = tuple(key for key in FAQ.required if key != "id")

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
# A 2 MB .xlsx is a zip that could unpack to gigabytes; a real 2,000-row FAQ sheet
# unpacks to a few MB.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
# Ids and categories become file names and YAML keys; keep them short.
MAX_ID_LENGTH = 64
DISABLED_YES = "是"
SHEET_TITLE = "问答"

_TRUE_WORDS = frozenset({"是", "停用", "y", "yes", "true", "1", "√", "✓"})
_FALSE_WORDS = frozenset({"", "否", "n", "no", "false", "0"})
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_HINT = re.compile(r"[(（][^)）]*[)）]")
_HEADER_NOISE = re.compile(r"[\s_\-]+")
_COLUMN_WIDTHS = {
    "id": 24,
    "category": 18,
    "question": 32,
    "phrasings": 40,
    "answer": 70,
    "document": 16,
    "section": 14,
    "period": 14,
    "reviewed_at": 13,
    "disabled": 7,
}


@dataclass(frozen=True)
class ImportRow:
    """One sheet row that passed the checks; `line` is the row number staff see in Excel."""

    line: int
    id: str  # "" for a new entry
    category: str
    question: str
    phrasings: Tuple[str, ...]
    answer: str
    document: str
    section: str
    period: str
    reviewed_at: str  # YYYY-MM-DD
    disabled: bool = False

    def as_dict(self) -> Dict[str, str]:
        """The row in export_rows' form, so an import can be compared with an export."""
        return {
            "id": self.id,
            "category": self.category,
            "question": self.question,
            "phrasings": "\n".join(self.phrasings),
            "answer": self.answer,
            "document": self.document,
            "section": self.section,
            "period": self.period,
            "reviewed_at": self.reviewed_at,
            "disabled": DISABLED_YES if self.disabled else "",
        }


@dataclass
class ImportResult:
    """Rows that passed, and what staff must fix. Callers save nothing while problems
    is non-empty: a half-imported sheet is harder to reason about than a refused one."""

    rows: List[ImportRow] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- export --------------------------------------------------------------------------


def export_rows(knowledge: KnowledgeBase) -> List[Dict[str, str]]:
    """Every FAQ entry, disabled ones too (staff re-enable them in the sheet), sorted by
    category then id so two exports diff cleanly."""
    rows = []
    for entry in sorted(knowledge.faqs.values(), key=lambda e: (e.category, e.id)):
        rows.append(
            {
                "id": entry.id,
                "category": entry.category,
                "question": entry.question,
                "phrasings": "\n".join(entry.phrasings),
                "answer": entry.answer,
                "document": entry.source.document_id,
                "section": entry.source.section_id,
                "period": entry.period,
                "reviewed_at": entry.reviewed_at,
                "disabled": DISABLED_YES if entry.disabled else "",
            }
        )
    return rows


# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection:
# "=HYPERLINK(...)" in a phrasing would run on the staff member's machine). The export
# puts a ' before it, which spreadsheets show as text, and the import takes it off again,
# so answers that start with "- " bullets come back exactly as they were.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def restored_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


def to_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """UTF-8 with a BOM: without it Excel on Chinese Windows reads the file as GBK and
    shows garbage. Cells that a spreadsheet would run as a formula are neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([neutralised_cell(str(row.get(key, "") or "")) for key in KEYS])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[Mapping[str, str]]) -> bytes:
    """A sheet ready to edit: bold frozen header, wrapped text, widths that fit answers."""
    from openpyxl import Workbook  # imported lazily: no work at import time
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([label for _, label in COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values = [ILLEGAL_CHARACTERS_RE.sub("", str(row.get(key, "") or "")) for key in KEYS]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            # openpyxl stores any text starting with "=" as a formula; an answer must
            # stay the text staff wrote.
            cell.data_type = "s"
            cell.alignment = wrap
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    for index, key in enumerate(KEYS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _COLUMN_WIDTHS[key]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import --------------------------------------------------------------------------


def parse_upload(filename: str, data: bytes) -> ImportResult:
    """Rows from an uploaded .csv or .xlsx. Never raises on bad input: every problem is
    a sentence for staff, with the row number where there is one."""
    name = filename or ""
    extension = name.rsplit(".", 1)[1].strip().lower() if "." in name else ""
    if extension not in ("csv", "xlsx"):
        return ImportResult(problems=["只支持 .csv 和 .xlsx 文件"])
    if len(data) > MAX_IMPORT_BYTES:
        size = len(data) / 1024 / 1024
        return ImportResult(
            problems=[
                f"文件有 {size:.1f} MB，超过了 {MAX_IMPORT_BYTES // 1024 // 1024} MB 的上限，请删掉不需要的内容或分成几个文件"
            ]
        )
    if not data:
        return ImportResult(problems=["文件是空的"])
    if extension == "csv":
        table, problem = _csv_table(data)
    else:
        table, problem = _xlsx_table(data)
    if problem:
        return ImportResult(problems=[problem])
    return _read_table(table)


def _csv_table(data: bytes) -> Tuple[List[List[Any]], Optional[str]]:
    # Excel's "CSV UTF-8" writes a BOM; plain "CSV" on Chinese Windows writes GBK, and
    # gb18030 is the superset that decodes it.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], "无法识别文件的文字编码，请在 Excel 中用“另存为 → CSV UTF-8（逗号分隔）”重新保存"
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    table: List[List[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            table.append([restored_cell(cell) for cell in record])
            if len(table) > MAX_IMPORT_ROWS * 5:  # the row limit is applied later; stop reading junk
                break
    except csv.Error:
        return (
            [],
            f"第 {len(table) + 1} 行附近的格式有误，无法读取（可能有未配对的引号或特殊字符），请用 Excel 重新保存为 CSV",
        )
    return table, None


def _xlsx_table(data: bytes) -> Tuple[List[List[Any]], Optional[str]]:
    broken = "无法打开这个 Excel 文件，文件可能已损坏或不是 .xlsx 格式（旧版 .xls 请在 Excel 中另存为 .xlsx）"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], broken
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        return [], "这个 Excel 文件内容太多，无法导入；请只保留问答这一张表再试"

    from openpyxl import load_workbook  # imported lazily: no work at import time

    table: List[List[Any]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
                # Read-only mode trusts the file's recorded sheet size, which some
                # programs write wrongly; recount so no rows are silently dropped.
                sheet.reset_dimensions()
                for values in sheet.iter_rows(values_only=True):
                    table.append(list(values))
                    if len(table) > MAX_IMPORT_ROWS * 5:
                        break
            finally:
                workbook.close()
    except Exception:  # noqa: BLE001 - a damaged file can fail in zip, XML or openpyxl code alike
        return [], broken
    return table, None


def _cell_text(value: Any) -> str:
    """Excel cells may hold numbers, dates and booleans; turn them into the text a
    person would have typed (2021.0 -> "2021", a date -> "2026-11-24")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return DISABLED_YES if value else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _header_key(text: str) -> str:
    """'审核日期（YYYY-MM-DD）', ' Reviewed At ' and 'reviewed_at' all read the same."""
    text = unicodedata.normalize("NFKC", text)
    text = _HINT.sub("", text)
    return _HEADER_NOISE.sub("", text).lower()


# Header text (as _header_key reads it) -> column key; Chinese labels and English keys.
_HEADER_NAMES: Dict[str, str] = {_header_key(name): key for key, label in COLUMNS for name in (key, label)}


def _column_positions(header: Sequence[str]) -> Tuple[Dict[str, int], List[str]]:
    positions: Dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        key = _HEADER_NAMES.get(_header_key(cell))
        if key is None:
            continue  # a column staff added for themselves, such as 备注
        if key in positions:
            problems.append(f"表头里“{LABELS[key]}”这一列出现了两次，请删掉多余的一列")
        positions[key] = index
    missing = [LABELS[key] for key in KEYS if key not in positions and key not in OPTIONAL_COLUMNS]
    if missing:
        problems.append(
            f"表格缺少这些列：{'、'.join(missing)}。第一行应是表头：{'、'.join(label for _, label in COLUMNS)}"
        )
    return positions, problems


def _numbered_rows(table: List[List[Any]]) -> Iterator[Tuple[int, List[str]]]:
    """(spreadsheet row number, cell texts) for every non-blank row."""
    for number, record in enumerate(table, start=1):
        cells = [_cell_text(value) for value in record]
        if any(cells):
            yield number, cells


def _read_table(table: List[List[Any]]) -> ImportResult:
    rows = _numbered_rows(table)
    first = next(rows, None)
    if first is None:
        return ImportResult(problems=["表格里没有内容"])
    _, header = first
    positions, problems = _column_positions(header)
    if problems:
        return ImportResult(problems=problems)
    body = list(rows)
    if len(body) > MAX_IMPORT_ROWS:
        return ImportResult(problems=[f"表格超过 {MAX_IMPORT_ROWS} 行问答，请分成几个文件分别导入"])
    result = ImportResult()
    first_line_of_id: Dict[str, int] = {}
    for line, cells in body:
        values = {key: cells[index] if index < len(cells) else "" for key, index in positions.items()}
        row_problems = _row_problems(line, values)
        faq_id = values.get("id", "")
        if faq_id:
            if faq_id in first_line_of_id:
                row_problems.append(
                    f"第 {line} 行：编号“{faq_id}”和第 {first_line_of_id[faq_id]} 行重复了，每条问答的编号必须不同"
                )
            else:
                first_line_of_id[faq_id] = line
        disabled = _disabled(line, values.get("disabled", ""), row_problems)
        reviewed_at = _review_date(line, values.get("reviewed_at", ""), row_problems)
        result.problems.extend(row_problems)
        if row_problems:
            continue
        result.rows.append(
            ImportRow(
                line=line,
                id=faq_id,
                category=values["category"],
                question=values["question"],
                phrasings=tuple(text.strip() for text in values.get("phrasings", "").split("\n") if text.strip()),
                answer=values["answer"],
                document=values["document"],
                section=values["section"],
                period=values["period"],
                reviewed_at=reviewed_at,
                disabled=disabled,
            )
        )
    return result


def _row_problems(line: int, values: Mapping[str, str]) -> List[str]:
    problems = [f"第 {line} 行：缺少{LABELS[key]}" for key in REQUIRED_CELLS if not values.get(key)]
    for key in ("id", "category"):
        # ID_PATTERN is also what keeps a category such as "../x" from becoming a path.
        text = values.get(key, "")
        if not text:
            continue
        if not ID_PATTERN.match(text):
            problems.append(f"第 {line} 行：{LABELS[key]}“{text}”不合法，只能用小写英文字母、数字和下划线")
        elif len(text) > MAX_ID_LENGTH:
            problems.append(f"第 {line} 行：{LABELS[key]}“{text}”太长，最多 {MAX_ID_LENGTH} 个字符")
    return problems


def _disabled(line: int, text: str, problems: List[str]) -> bool:
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word not in _FALSE_WORDS:
        problems.append(f"第 {line} 行：停用一栏只能填“是”或留空，现在是“{text}”")
    return False


def _review_date(line: int, text: str, problems: List[str]) -> str:
    """YYYY-MM-DD; also takes 2026/11/24 and 2026年11月24日, which is how Chinese Excel
    writes dates into a CSV."""
    if not text:
        return ""  # already reported as missing
    match = _DATE.match(text)
    try:
        day = dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        day = None
    if day is None:
        problems.append(f"第 {line} 行：审核日期“{text}”不是有效日期，请写成 2026-11-24 这样的格式")
        return ""
    if day > dt.date.today():
        problems.append(f"第 {line} 行：审核日期 {day.isoformat()} 在未来，请填写实际审核的日期")
        return ""
    return day.isoformat()
