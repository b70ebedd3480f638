"""FAQ spreadsheets: an export reads back unchanged, and each mistake a sheet can hold is
refused with the row number and a plain message instead of an exception."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from kb.tabular import (
    COLUMNS,
    KEYS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    export_rows,
    parse_upload,
    to_csv,
    to_xlsx,
)

HEADER = [label for _, label in COLUMNS]
GOOD = [
    "zone_area_faq",
    "profile",
    "园区有多大？",
    "园区面积多大\n占地多少",
    "园区面积{zone_area}。",
    "profile_2021",
    "costs",
    "2021",
    "2025-06-30",
    "",
]


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with(**changes):
    keys = [key for key, _ in COLUMNS]
    row = list(GOOD)
    for key, value in changes.items():
        row[keys.index(key)] = value
    return row


# --- round trips ------------------------------------------------------------------------


def test_export_holds_every_entry_sorted(knowledge):
    rows = export_rows(knowledge)
    assert len(rows) == len(knowledge.faqs)
    assert [(r["category"], r["id"]) for r in rows] == sorted((r["category"], r["id"]) for r in rows)
    assert list(rows[0]) == [key for key, _ in COLUMNS]
    overview = next(r for r in rows if r["id"] == "zone_overview")
    assert overview["period"] == knowledge.faqs["zone_overview"].period == "2021"
    assert overview["phrasings"].split("\n") == list(knowledge.faqs["zone_overview"].phrasings)
    assert overview["document"] == "profile_2021" and overview["disabled"] == ""


def test_csv_round_trip(knowledge):
    rows = export_rows(knowledge)
    data = to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens the Chinese correctly
    assert data[3:].decode("utf-8").split("\r\n", 1)[0] == ",".join(HEADER)
    result = parse_upload("faq.csv", data)
    assert result.problems == []
    assert [row.as_dict() for row in result.rows] == rows
    assert len(result.rows) == len(knowledge.faqs)


def test_xlsx_round_trip(knowledge):
    rows = export_rows(knowledge)
    result = parse_upload("FAQ.XLSX", to_xlsx(rows))
    assert result.problems == []
    assert [row.as_dict() for row in result.rows] == rows
    assert len(result.rows) == len(knowledge.faqs)


def test_xlsx_is_ready_to_edit(knowledge):
    sheet = load_workbook(io.BytesIO(to_xlsx(export_rows(knowledge)))).active
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet["E2"].alignment.wrap_text
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["A"].width


def test_text_that_looks_like_a_formula_stays_text():
    rows = [dict(zip([k for k, _ in COLUMNS], _with(answer="=1+1，不是公式")))]
    result = parse_upload("faq.xlsx", to_xlsx(rows))
    assert result.problems == []
    assert result.rows[0].answer == "=1+1，不是公式"


def test_row_fields_and_line_numbers():
    result = parse_upload(
        "faq.csv", _csv([_with(id="", phrasings="园区面积多大\n\n 占地多少 \n"), _with(id="b", disabled="是")])
    )
    assert result.problems == []
    first, second = result.rows
    assert (first.line, first.id, first.phrasings) == (2, "", ("园区面积多大", "占地多少"))
    assert first.disabled is False and second.disabled is True and second.line == 3


# --- formats staff actually send --------------------------------------------------------


def test_gbk_csv_from_chinese_excel():
    result = parse_upload("faq.csv", _csv([GOOD], encoding="gbk"))
    assert result.problems == []
    assert result.rows[0].question == "园区有多大？"


def test_english_headers_any_case_and_spacing():
    header = [
        " ID",
        "Category",
        "QUESTION",
        "Phrasings",
        "answer ",
        "Document",
        "section",
        "Period",
        "Reviewed At",
        "DISABLED",
    ]
    result = parse_upload("faq.csv", _csv([GOOD], header=header))
    assert result.problems == []
    assert result.rows[0].as_dict()["question"] == "园区有多大？"


def test_optional_columns_may_be_left_out_and_extra_columns_are_ignored():
    keys = [key for key, _ in COLUMNS]
    keep = [i for i, key in enumerate(keys) if key not in ("id", "phrasings", "disabled")]
    header = [HEADER[i] for i in keep] + ["备注"]
    result = parse_upload("faq.csv", _csv([[GOOD[i] for i in keep] + ["随便写"]], header=header))
    assert result.problems == []
    assert (result.rows[0].id, result.rows[0].phrasings, result.rows[0].disabled) == ("", (), False)


def test_excel_numbers_and_dates_become_text():
    row = _with(period=2021, reviewed_at=dt.datetime(2024, 3, 5), disabled=True)
    result = parse_upload("faq.xlsx", _xlsx([row, _with(id="b", period=2.5, reviewed_at=dt.date(2024, 3, 6))]))
    assert result.problems == []
    assert (result.rows[0].period, result.rows[0].reviewed_at, result.rows[0].disabled) == ("2021", "2024-03-05", True)
    assert (result.rows[1].period, result.rows[1].reviewed_at) == ("2.5", "2024-03-06")


@pytest.mark.parametrize("written", ["2024/3/5", "2024年3月5日", "2024-03-05", "2024.3.5"])
def test_review_dates_as_chinese_excel_writes_them(written):
    result = parse_upload("faq.csv", _csv([_with(reviewed_at=written)]))
    assert result.problems == []
    assert result.rows[0].reviewed_at == "2024-03-05"


def test_filename_is_only_read_for_its_extension():
    data = _csv([GOOD])
    assert parse_upload("../../knowledge/faq/profile.yml.csv", data) == parse_upload("faq.csv", data)


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["faq.xls", "faq.txt", "faq", "faq.csv.exe", "", ".."])
def test_wrong_extension(filename):
    result = parse_upload(filename, _csv([GOOD]))
    assert result.problems == ["只支持 .csv 和 .xlsx 文件"] and result.rows == []


def test_oversize_file():
    result = parse_upload("faq.csv", b"a" * (MAX_IMPORT_BYTES + 1))
    assert len(result.problems) == 1 and "2 MB" in result.problems[0]


def test_too_many_rows():
    rows = [_with(id=f"q{i}") for i in range(MAX_IMPORT_ROWS + 1)]
    data = _csv(rows)
    assert len(data) < MAX_IMPORT_BYTES
    result = parse_upload("faq.csv", data)
    assert result.problems == [f"表格超过 {MAX_IMPORT_ROWS} 行问答，请分成几个文件分别导入"]
    assert result.rows == []


def test_missing_column():
    header = [label for label in HEADER if label != "标准问题"]
    row = [value for value, label in zip(GOOD, HEADER) if label != "标准问题"]
    result = parse_upload("faq.csv", _csv([row], header=header))
    assert len(result.problems) == 1
    assert result.problems[0].startswith("表格缺少这些列：标准问题。")
    assert result.rows == []


def test_column_given_twice():
    result = parse_upload("faq.csv", _csv([GOOD + ["x"]], header=HEADER + ["answer"]))
    assert result.problems == ["表头里“答案”这一列出现了两次，请删掉多余的一列"]


def test_empty_required_cell_names_the_row():
    result = parse_upload("faq.csv", _csv([GOOD, _with(id="b", question="")]))
    assert result.problems == ["第 3 行：缺少标准问题"]
    assert [row.line for row in result.rows] == [2]


@pytest.mark.parametrize("category", ["../../etc/passwd", "a/b", "Profile", "园区", "1abc", "a b"])
def test_category_that_could_become_a_path_is_refused(category):
    result = parse_upload("faq.csv", _csv([GOOD, _with(id="b", category=category)]))
    assert result.problems == [f"第 3 行：分类“{category}”不合法，只能用小写英文字母、数字和下划线"]
    assert [row.category for row in result.rows] == ["profile"]


def test_bad_id_and_overlong_category():
    result = parse_upload("faq.csv", _csv([_with(id="../x", category="a" * 65)]))
    assert result.problems == [
        "第 2 行：编号“../x”不合法，只能用小写英文字母、数字和下划线",
        f"第 2 行：分类“{'a' * 65}”太长，最多 64 个字符",
    ]


def test_duplicate_id():
    result = parse_upload("faq.csv", _csv([GOOD, _with(question="别的问题"), _with(id="")]))
    assert result.problems == ["第 3 行：编号“zone_area_faq”和第 2 行重复了，每条问答的编号必须不同"]


def test_future_and_impossible_dates():
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = parse_upload("faq.csv", _csv([_with(reviewed_at=tomorrow), _with(id="b", reviewed_at="2025-02-30")]))
    assert result.problems == [
        f"第 2 行：审核日期 {tomorrow} 在未来，请填写实际审核的日期",
        "第 3 行：审核日期“2025-02-30”不是有效日期，请写成 2026-11-24 这样的格式",
    ]
    assert result.rows == []


def test_disabled_must_be_yes_or_empty():
    result = parse_upload("faq.csv", _csv([_with(disabled="也许")]))
    assert result.problems == ["第 2 行：停用一栏只能填“是”或留空，现在是“也许”"]


def test_undecodable_csv():
    result = parse_upload("faq.csv", b"\xff\xfe\x00\x81\x30\xff" * 10)
    assert len(result.problems) == 1 and "编码" in result.problems[0]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a zip file",
        b"PK\x03\x04broken",
        _xlsx([GOOD])[:2000],
    ],
)
def test_corrupt_xlsx_is_a_problem_not_an_exception(data):
    result = parse_upload("faq.xlsx", data)
    assert result.rows == []
    assert result.problems == [
        "无法打开这个 Excel 文件，文件可能已损坏或不是 .xlsx 格式（旧版 .xls 请在 Excel 中另存为 .xlsx）"
    ]


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    result = parse_upload("faq.xlsx", buffer.getvalue())
    assert len(result.problems) == 1 and "无法打开" in result.problems[0]


def test_zip_bomb_is_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_IMPORT_BYTES
    result = parse_upload("faq.xlsx", buffer.getvalue())
    assert len(result.problems) == 1 and "太多" in result.problems[0]


def test_empty_inputs():
    assert parse_upload("faq.csv", b"").problems == ["文件是空的"]
    assert parse_upload("faq.csv", "\ufeff\r\n,,\r\n".encode("utf-8")).problems == ["表格里没有内容"]


def test_csv_export_neutralises_formulas_and_the_import_restores_them(knowledge):
    row = dict(
        export_rows(knowledge)[0],
        question='=HYPERLINK("http://evil","点我")',
        phrasings="+1\n@SUM(A1)",
        answer="- 第一条\n- 第二条",
    )
    data = to_csv([row]).decode("utf-8-sig")
    cells = next(csv.reader(io.StringIO(data.split("\r\n", 1)[1])))
    assert cells[KEYS.index("question")].startswith("'=") and cells[KEYS.index("answer")].startswith("'-")
    assert cells[KEYS.index("phrasings")].startswith("'+")
    result = parse_upload("faq.csv", to_csv([row]))
    assert result.problems == [] and result.rows[0].as_dict() == row  # nothing lost
