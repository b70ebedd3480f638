"""The policy document the document tests import (tests/fixtures/documents/), its form
fields, and the same text as a Word file with heading styles, as staff would have it."""

from __future__ import annotations

import io
from pathlib import Path

POLICY = Path(__file__).resolve().parent / "fixtures" / "documents" / "manufacturing_policy.md"
TITLE = "湘潭经开区促进先进制造业高质量发展若干政策（试行）"
INFO = {"title": TITLE, "issuer": "湘潭经开区管委会", "issued": "2024-03-01", "period": "2024年3月1日起三年"}


def policy_docx(table: bool = False) -> bytes:
    import docx

    document = docx.Document()
    for line in POLICY.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            document.add_heading(line[2:], level=1)
        elif line.startswith("## "):
            document.add_heading(line[3:], level=2)
        elif line.strip():
            document.add_paragraph(line)
    if table:
        rows = document.add_table(rows=2, cols=2).rows
        for row, cells in zip(rows, (("奖励项目", "标准"), ("国家级企业技术中心", "200万元"))):
            for cell, text in zip(row.cells, cells):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
