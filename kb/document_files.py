"""Reading an uploaded document into paragraphs: Word (.docx, python-docx), PDF with a text
layer (pypdf), plain text and Markdown.

Everything an upload can get wrong is refused before anything is stored, with a message
a staff member can act on: a file too large, an unknown or disguised format, a damaged
file, a password-protected one, a scan with no text layer, a zip bomb (a .docx is a zip
archive; it is measured before it is opened)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from typing import List

from kb.sections import Paragraph, heading_rank

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # all parts of a .docx, uncompressed
MAX_PACKING_RATIO = 120  # uncompressed / compressed; text and XML stay well below it
MAX_ARCHIVE_ENTRIES = 3000
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 400_000
MIN_CHARS_PER_PAGE = 20  # fewer on average: a scan (images) without a text layer
FORMATS = {".docx": "Word", ".pdf": "PDF", ".txt": "文本", ".md": "Markdown"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files and encrypted Office files


class DocumentRejected(ValueError):
    """An upload that cannot be imported; the message is for staff."""


def read_paragraphs(file_name: str, data: bytes) -> List[Paragraph]:
    """The document's paragraphs, in order; DocumentRejected says why it cannot be read."""
    suffix = PurePath(file_name or "").suffix.lower()
    if not data:
        raise DocumentRejected("文件是空的，请重新选择文件")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(
            f"文件太大（{len(data) / 1024 / 1024:.1f} MB），上限为 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB"
        )
    if suffix == ".doc":
        raise DocumentRejected("不支持旧版 Word（.doc）：请在 Word 里“另存为” .docx 后再上传")
    if suffix not in FORMATS:
        shown = suffix or "（无扩展名）"
        raise DocumentRejected(f"不支持的文件格式 {shown}：请上传 Word（.docx）、PDF、.txt 或 .md 文件")
    readers = {".docx": _docx, ".pdf": _pdf, ".txt": _plain, ".md": _markdown}
    paragraphs = [p for p in readers[suffix](data) if p.text.strip()]
    if not paragraphs:
        raise DocumentRejected("文件里没有读到任何文字")
    if sum(len(p.text) for p in paragraphs) > MAX_TEXT_CHARS:
        raise DocumentRejected(f"文档文字超过 {MAX_TEXT_CHARS:,} 字，请拆成几份分别导入")
    return paragraphs


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentRejected("这不是文本文件（含二进制内容），请检查文件格式")
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030: text saved by Chinese Windows tools
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentRejected("无法识别文件的文字编码，请另存为 UTF-8 编码后再上传")


def _plain(data: bytes) -> List[Paragraph]:
    return [Paragraph(line) for line in _decode(data).splitlines()]


_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _markdown(data: bytes) -> List[Paragraph]:
    paragraphs = []
    for line in _decode(data).splitlines():
        match = _MARKDOWN_HEADING.match(line.strip())
        if match:
            paragraphs.append(Paragraph(match.group(2).strip(), level=len(match.group(1))))
        else:
            paragraphs.append(Paragraph(re.sub(r"^\s*[-*+]\s+", "", line)))
    return paragraphs


def _check_archive(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise DocumentRejected("文件设置了打开密码（或是旧版 Word 格式）：请去掉密码、另存为 .docx 后再上传")
    if not data.startswith(b"PK"):
        raise DocumentRejected("文件不是有效的 Word（.docx）文件，可能已损坏或扩展名不对")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise DocumentRejected("Word 文件已损坏，无法打开") from None
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if len(infos) > MAX_ARCHIVE_ENTRIES or unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_PACKING_RATIO:
        raise DocumentRejected("Word 文件解压后异常巨大（疑似“压缩炸弹”），已拒绝导入")


_WORD_HEADING = re.compile(r"^(?:Heading|标题)\s*(\d)$", re.IGNORECASE)


def _docx(data: bytes) -> List[Paragraph]:
    _check_archive(data)
    import docx  # python-docx, imported only when a Word file is read
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DocumentRejected("Word 文件已损坏或不是 .docx 格式，无法读取") from error
    paragraphs: List[Paragraph] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(block, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            match = _WORD_HEADING.match(style or "")
            title = (style or "").lower() == "title"
            paragraphs.append(Paragraph(paragraph.text, level=int(match.group(1)) if match else (1 if title else None)))
        elif tag == "tbl":  # a table row becomes one line: 项目｜标准｜金额
            table = docx.table.Table(block, document)
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells]
                unique = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged cells repeat
                if unique:
                    paragraphs.append(Paragraph("｜".join(unique)))
    return paragraphs


def _pdf(data: bytes) -> List[Paragraph]:
    if not data.startswith(b"%PDF-"):
        raise DocumentRejected("文件不是有效的 PDF 文件，可能已损坏或扩展名不对")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected("PDF 设置了打开密码：请去掉密码后再上传")
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise DocumentRejected(f"PDF 有 {len(pages)} 页，上限为 {MAX_PDF_PAGES} 页，请拆成几份分别导入")
        texts = [page.extract_text() or "" for page in pages]
    except DocumentRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentRejected("PDF 文件已损坏，无法读取") from error
    except Exception as error:  # pypdf raises many kinds on a damaged file; none may reach staff as a trace
        if "decrypt" in str(error).lower() or "encrypt" in str(error).lower():
            raise DocumentRejected("PDF 设置了打开密码：请去掉密码后再上传") from error
        raise DocumentRejected("PDF 文件已损坏，无法读取") from error
    characters = sum(len(re.sub(r"\s", "", text)) for text in texts)
    if characters < MIN_CHARS_PER_PAGE * max(len(texts), 1):
        raise DocumentRejected("PDF 里几乎没有可读的文字（可能是扫描件或图片）：请上传带文字层的 PDF 或 Word 原文")
    return join_wrapped_lines([line for text in texts for line in text.splitlines()])


_ENDS_A_PARAGRAPH = re.compile(r"[。！？；：:!?;」』”）)]$")


def join_wrapped_lines(lines: List[str]) -> List[Paragraph]:
    """A PDF's text comes in printed lines: a line that does not end a sentence continues
    on the next one, unless the next one opens a section (第五条, （二）)."""
    paragraphs: List[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or re.fullmatch(r"[-—\s]*\d+[-—\s]*", line):  # blank lines and page numbers
            continue
        opens = heading_rank(Paragraph(line)) is not None
        if (
            paragraphs
            and not opens
            and not _ENDS_A_PARAGRAPH.search(paragraphs[-1])
            and not _is_heading(paragraphs[-1])
        ):
            # Chinese runs on without a space; a word of a Latin-script line does not
            space = " " if re.search(r"[A-Za-z0-9,]$", paragraphs[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
            paragraphs[-1] += space + line
        else:
            paragraphs.append(line)
    return [Paragraph(text) for text in paragraphs]


def _is_heading(text: str) -> bool:
    found = heading_rank(Paragraph(text))
    return found is not None and not found[2]
