"""A document's own division into sections: chapters and articles (第二章, 第五条), numbered
parts (一、 （二） 3. （4）), Markdown and Word headings.

Policy documents are written in these divisions and investors cite them ("第五条说的补贴"),
so the assistant answers and cites by them too. Every heading opens a section; a section
is named by its heading path ("第二章 用地保障 › 第五条"), so an article keeps its chapter.
Text before the first heading is the document's preamble."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from kb.model import DocumentSection

_NUMERAL = "一二三四五六七八九十百零〇两"

# (pattern, rank): a lower rank is a larger division. A heading closes every open
# division of its rank or below. Articles (第X条) carry their text on the same line.
_HEADINGS: Tuple[Tuple[re.Pattern, int], ...] = (
    (re.compile(rf"^第[{_NUMERAL}\d]+编(?=\s|$)"), 1),
    (re.compile(rf"^第[{_NUMERAL}\d]+章(?=\s|$|[\u4e00-\u9fff])"), 2),
    (re.compile(rf"^第[{_NUMERAL}\d]+节(?=\s|$|[\u4e00-\u9fff])"), 3),
    (re.compile(rf"^第[{_NUMERAL}\d]+条(?=\s|$|[\u4e00-\u9fff（(])"), 4),
    (re.compile(rf"^[{_NUMERAL}]+、"), 5),
    (re.compile(rf"^[（(][{_NUMERAL}]+[)）]"), 6),
    (re.compile(r"^\d{1,2}[.、．](?!\d)"), 7),
    (re.compile(r"^[（(]\d{1,2}[)）]"), 8),
)
MARKDOWN_RANK = 0  # "#" headings and Word heading styles: rank = their level - 10
_MAX_HEADING_CHARS = 40  # a numbered line longer than this is a list item with its text


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a document as read from its file; `level` is set for a heading
    the file marks itself (Markdown #, Word's Heading styles), else None."""

    text: str
    level: Optional[int] = None


def heading_rank(paragraph: Paragraph) -> Optional[Tuple[int, str, str]]:
    """(rank, heading, text on the same line) when the paragraph opens a section."""
    text = paragraph.text.strip()
    if paragraph.level is not None:
        return paragraph.level - 10, text, ""
    for pattern, rank in _HEADINGS:
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end() :].strip()
        if rank == 4:  # 第五条 企业新增用地……: the article number is the heading
            return rank, match.group(0), rest
        if len(text) <= _MAX_HEADING_CHARS and not re.search(r"[。；;]$", text):
            return rank, text, ""
        # "一、对新引进的企业，给予……。": a numbered paragraph, its number is the heading
        return rank, match.group(0).rstrip("、.．"), rest
    return None


def without_common_root(sections: List[DocumentSection], preamble: str = "前言") -> List[DocumentSection]:
    """Sections all under one heading (the document's title as its first heading) are
    named without it: the citation already names the document."""
    roots = {s.heading.split(" › ")[0] for s in sections}
    if len(sections) < 2 or len(roots) != 1:
        return sections
    root = roots.pop()
    return [
        DocumentSection(s.id, s.heading[len(root) + 3 :] if s.heading != root else preamble, s.text) for s in sections
    ]


def split_sections(paragraphs: Sequence[Paragraph], preamble: str = "前言") -> List[DocumentSection]:
    """The document's sections in order, each with its heading path and its text; a
    heading with no text of its own (a chapter title before its first article) only
    names the sections under it."""
    sections: List[DocumentSection] = []
    open_headings: List[Tuple[int, str]] = []
    lines: List[str] = []

    def close() -> None:
        text = "\n".join(line for line in lines if line).strip()
        if text:
            heading = " › ".join(h for _, h in open_headings) or preamble
            sections.append(DocumentSection(f"s{len(sections) + 1}", heading, text))
        lines.clear()

    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        found = heading_rank(paragraph)
        if found is None:
            lines.append(text)
            continue
        rank, heading, rest = found
        close()
        while open_headings and open_headings[-1][0] >= rank:
            open_headings.pop()
        open_headings.append((rank, heading))
        if rest:
            lines.append(rest)
    close()
    return without_common_root(sections, preamble)
