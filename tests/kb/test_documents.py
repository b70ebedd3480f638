"""Imported documents: reading files, the document's own sections, storing through the
editor (audited, replaceable, removable), and answering with one cited passage."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kb import answers, passages
from kb.audit import AuditLog
from kb.document_files import DocumentRejected, join_wrapped_lines, read_paragraphs
from kb.documents import import_document, remove_document
from kb.editing import EditError, KnowledgeEditor, NotFound
from kb.loader import load_knowledge
from kb.sections import Paragraph, split_sections
from tests.document_samples import INFO, POLICY, policy_docx


@pytest.fixture
def editor(knowledge_copy: Path, tmp_path: Path) -> KnowledgeEditor:
    return KnowledgeEditor(knowledge_copy, AuditLog(tmp_path / "audit.db"))


@pytest.fixture
def imported(editor: KnowledgeEditor):
    result = import_document(editor, POLICY.name, POLICY.read_bytes(), INFO, "staff")
    loaded = load_knowledge(editor.root)
    assert loaded.ok, loaded.problems
    return result, loaded.knowledge


def test_a_policy_is_split_into_its_chapters_and_articles():
    sections = split_sections(read_paragraphs(POLICY.name, POLICY.read_bytes()))
    headings = [s.heading for s in sections]
    assert headings[0] == "前言"  # the title heading is not repeated in every section's name
    assert "第二章 用地与厂房 › 第五条" in headings
    fifth = next(s for s in sections if s.heading.endswith("第五条"))
    assert fifth.text.startswith("亩均税收达到30万元以上的企业") and "第六条" not in fifth.text
    assert len([h for h in headings if h.split(" › ")[-1].startswith("第")]) == 8


def test_numbered_parts_and_plain_text_headings():
    text = [
        "总则说明",
        "一、适用范围",
        "本办法适用于园区企业。",
        "（一）工业企业",
        "按本条执行。",
        "二、奖励标准。对新企业给予奖励。",
    ]
    sections = split_sections([Paragraph(line) for line in text])
    assert [(s.heading, s.text) for s in sections] == [
        ("前言", "总则说明"),
        ("一、适用范围", "本办法适用于园区企业。"),
        ("一、适用范围 › （一）工业企业", "按本条执行。"),
        ("二", "奖励标准。对新企业给予奖励。"),
    ]


def test_wrapped_pdf_lines_are_joined_but_articles_start_anew():
    lines = ["第三条 对固定资产投资5亿元以上的新引进制", "造业项目，优先保障用地。", "- 2 -", "第四条 厂房租金减半。"]
    assert [p.text for p in join_wrapped_lines(lines)] == [
        "第三条 对固定资产投资5亿元以上的新引进制造业项目，优先保障用地。",
        "第四条 厂房租金减半。",
    ]


def test_import_writes_one_checked_file_and_audits_it(editor, imported):
    result, knowledge = imported
    [document] = knowledge.documents.values()
    assert document.id == result.document_id and document.issuer == "湘潭经开区管委会"
    assert document.file_name == POLICY.name and len(document.sections) == len(result.sections)
    [record] = editor.audit.recent(kind="document", entry_id=result.document_id)
    assert record.action == "import_document" and record.before is None and "第五条" in record.after


def test_replacing_keeps_the_old_version_and_removing_is_one_change(editor, imported):
    result, _ = imported
    changed = POLICY.read_text(encoding="utf-8").replace("50%给予奖励", "60%给予奖励")
    import_document(editor, "v2.md", changed.encode("utf-8"), INFO, "staff", replace_id=result.document_id)
    replaced = editor.audit.recent(kind="document", entry_id=result.document_id)[0]
    assert replaced.action == "replace_document" and "50%" in replaced.before and "60%" in replaced.after
    remove_document(editor, result.document_id, "staff")
    assert not load_knowledge(editor.root).knowledge.documents
    removed = editor.audit.recent(kind="document", entry_id=result.document_id)[0]
    assert removed.action == "remove_document" and "60%" in removed.before and removed.after is None
    with pytest.raises(NotFound):
        remove_document(editor, result.document_id, "staff")
    editor.restore(removed.id, "staff")  # the history page's 恢复 brings it back
    assert "60%给予奖励" in load_knowledge(editor.root).knowledge.documents[result.document_id].sections[5].text


def test_a_question_about_an_article_gets_that_passage_with_its_citation(imported):
    _, knowledge = imported
    reply = answers.document_answer(knowledge, "亩均税收达到多少可以拿奖励")
    text = reply.texts[0]
    assert "亩均税收达到30万元以上的企业" in text and "第五条" in text
    assert "《湘潭经开区促进先进制造业高质量发展若干政策（试行）》" in text and "湘潭经开区管委会" in text
    assert "2024年3月1日起三年" in text
    assert "200万元" not in text and "5亿元" not in text  # nothing from other articles


def test_an_article_named_by_number_is_quoted(imported):
    _, knowledge = imported
    text = answers.document_answer(knowledge, "制造业政策第六条讲的是什么").texts[0]
    assert "国家级企业技术中心的，一次性奖励200万元" in text and "第三章 人才与研发 › 第六条" in text


def test_a_number_the_document_does_not_give_is_not_invented(imported):
    _, knowledge = imported
    reply = answers.document_answer(knowledge, "引进博士的每月生活补贴是多少钱")
    text = reply.texts[0]
    assert "没有写明" in text and "不能给您编" in text and "第七条" in text
    assert "万元" not in text.split("：", 1)[1].split("来源")[0]  # the quoted passage has no amount
    assert reply.buttons  # and the investor is offered a person


def test_an_unrelated_question_finds_no_passage(imported):
    _, knowledge = imported
    assert passages.best_passage(knowledge, "量子计算机的原理是什么") is None
    assert answers.search_answer(knowledge, "量子计算机的原理是什么").texts == answers.dont_know(knowledge).texts


def _docx_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (80 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("policy.md", b"", "空的"),
        ("policy.md", b"x" * (11 * 1024 * 1024), "文件太大"),
        ("policy.exe", b"MZ\x90\x00", "不支持的文件格式 .exe"),
        ("policy", b"text", "无扩展名"),
        ("policy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Word"),
        ("policy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "打开密码"),
        ("policy.docx", b"this is not a zip", "不是有效的 Word"),
        ("policy.docx", b"PK\x03\x04broken", "已损坏"),
        ("policy.docx", _docx_bomb(), "压缩炸弹"),
        ("policy.pdf", b"<html>not a pdf</html>", "不是有效的 PDF"),
        ("policy.pdf", b"%PDF-1.7\nbroken", "已损坏"),
        ("policy.txt", b"\x00\x01\x02binary", "不是文本文件"),
        ("policy.txt", b"   \n\n  ", "没有读到任何文字"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_written(editor, name, data, message):
    before = sorted(p.relative_to(editor.root) for p in editor.root.rglob("*"))
    with pytest.raises(DocumentRejected, match=message):
        import_document(editor, name, data, INFO, "staff")
    assert sorted(p.relative_to(editor.root) for p in editor.root.rglob("*")) == before


def test_missing_fields_are_all_listed_and_nothing_is_written(editor):
    with pytest.raises(EditError) as refused:
        import_document(editor, POLICY.name, POLICY.read_bytes(), {"issued": "2024年"}, "staff")
    problems = refused.value.problems
    assert any("文档标题" in p for p in problems) and any("发文单位" in p for p in problems)
    assert any("发文日期" in p for p in problems) and any("适用期限" in p for p in problems)
    assert not (editor.root / "documents").exists()


def test_a_hand_broken_document_file_is_reported_with_its_line(knowledge_copy):
    folder = knowledge_copy / "documents"
    folder.mkdir()
    (folder / "doc_1.yml").write_text(
        "id: doc_1\nissuer: 管委会\nissued: 2024-03-01\nperiod: 2024年\nreviewed_at: 2026-12-01\nsections: []\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in load_knowledge(knowledge_copy).problems]
    assert any("doc_1.yml" in p and "文档标题" in p for p in problems)
    assert any("doc_1.yml" in p and "sections" in p for p in problems)


def test_a_word_file_keeps_its_heading_styles_and_tables(editor):
    result = import_document(editor, "policy.docx", policy_docx(table=True), INFO, "staff")
    headings = [s.heading for s in result.sections]
    assert "第二章 用地与厂房 › 第五条" in headings
    assert any("国家级企业技术中心｜200万元" in s.text for s in result.sections)
    assert load_knowledge(editor.root).ok


def _pdf(pages, password=None) -> bytes:
    """A PDF with one line of Helvetica text per entry of `pages` (None: a page with no
    text, as a scan is)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        if lines is None:
            continue
        commands = "".join(f"BT /F1 11 Tf 72 {720 - 16 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines))
        stream = DecodedStreamObject()
        stream.set_data(commands.encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_text_layer_is_read_line_by_line_into_paragraphs():
    data = _pdf([["Article 1 The policy applies to manufacturing firms registered", "in the zone since 2024."]])
    [paragraph] = read_paragraphs("policy.pdf", data)
    assert paragraph.text == "Article 1 The policy applies to manufacturing firms registered in the zone since 2024."


@pytest.mark.parametrize(
    "data, message",
    [
        (lambda: _pdf([["Article 1 applies to every registered manufacturing firm."]], password="secret"), "打开密码"),
        (lambda: _pdf([None, None]), "扫描件"),
    ],
)
def test_a_protected_or_scanned_pdf_is_refused(editor, data, message):
    with pytest.raises(DocumentRejected, match=message):
        import_document(editor, "policy.pdf", data(), INFO, "staff")
    assert not (editor.root / "documents").exists()


def test_an_import_is_live_for_the_running_assistant_without_retraining(editor, setting):
    from kb import dialogue
    from kb.dialogue import Understanding
    from kb.store import KnowledgeStore

    setting("FAQ_RERANKER", "off")
    store = KnowledgeStore(editor.root)
    question = Understanding(text="亩均税收达到多少可以拿奖励", intent="nlu_fallback")
    assert "第五条" not in "".join(dialogue.respond(store.get(), question).texts)
    import_document(editor, POLICY.name, POLICY.read_bytes(), INFO, "staff")
    reply = "".join(dialogue.respond(store.get(), question).texts)  # the store re-reads changed files
    assert "亩均税收达到30万元以上的企业" in reply and "第五条" in reply


def test_a_document_suggests_faq_entries_and_figures_that_staff_confirm(editor, imported):
    from kb.suggestions import faq_suggestions, figure_suggestions

    result, knowledge = imported
    document = knowledge.documents[result.document_id]
    faqs = {s.section_id: s for s in faq_suggestions(knowledge, document)}
    fifth = next(s for s in faqs.values() if s.heading.endswith("第五条"))
    assert fifth.answer.startswith("亩均税收达到30万元以上的企业") and fifth.period == INFO["period"]
    assert fifth.question.endswith("？") and not fifth.taken
    figures = figure_suggestions(knowledge, document)
    by_value = {(f.value, f.unit): f for f in figures}
    assert by_value[("30", "万元")].name == "亩均税收" and by_value[("5", "亿元")].name == "固定资产投资"
    assert by_value[("200", "万元")].period == INFO["period"]
    assert not any(f.unit == "日" for f in figures) and ("2024", "年") not in by_value  # dates are not figures
    # Confirmed through the normal path: the figure cites the document's section.
    editor.save_figure(
        {
            "id": "mu_tax_threshold",
            "name": "亩均税收奖励门槛",
            "value": "30",
            "unit": "万元",
            "period": by_value[("30", "万元")].period,
            "document": document.id,
            "section": by_value[("30", "万元")].section_id,
        },
        None,
        "staff",
    )
    after = load_knowledge(editor.root)
    assert after.ok, after.problems
    figure = after.knowledge.figures["mu_tax_threshold"]
    assert figure.source.document_title == INFO["title"] and figure.source.section_label.endswith("第五条")
    again = {(f.value, f.unit): f for f in figure_suggestions(after.knowledge, after.knowledge.documents[document.id])}
    assert again[("30", "万元")].taken and not again[("500", "万元")].taken
    # A document an entry cites cannot be removed out from under it.
    with pytest.raises(EditError, match="不在 sources.yml 或导入的文档中"):
        remove_document(editor, document.id, "staff")


@pytest.mark.parametrize(
    "text, faq_id, confidence, expected",
    [
        # an article named by its number is that article, whatever FAQ the model chose
        ("制造业政策第五条讲的是什么", "support_policies", 0.9, "亩均税收达到30万元以上的企业"),
        # an unsure FAQ choice and no keyword hit: the document before a guess
        ("亩均税收达到多少可以拿奖励", "tax_incentives", 0.3, "亩均税收达到30万元以上的企业"),
        # the FAQ chosen does not state the amount asked; the document's passage does
        ("认定为国家级企业技术中心奖励多少", "talent_supply", 0.95, "一次性奖励200万元"),
    ],
)
def test_documents_answer_in_the_faq_path_when_the_faq_cannot(imported, setting, text, faq_id, confidence, expected):
    from kb import dialogue
    from kb.dialogue import Understanding

    setting("FAQ_RERANKER", "off")
    _, knowledge = imported
    u = Understanding(text=text, intent="faq", faq_id=faq_id, faq_confidence=confidence)
    reply = "\n".join(dialogue.respond(knowledge, u).texts)
    assert expected in reply and "来源：" in reply and "湘潭经开区管委会" in reply


def test_a_confident_faq_that_answers_is_not_replaced_by_a_document(imported, setting, knowledge):
    from kb import dialogue
    from kb.dialogue import Understanding

    setting("FAQ_RERANKER", "off")
    _, with_document = imported
    u = Understanding(text="离黄花机场多远", intent="faq", faq_id="airport", faq_confidence=0.95)
    assert dialogue.respond(with_document, u).texts == dialogue.respond(knowledge, u).texts


def test_a_discarded_suggestion_is_recorded_and_not_shown_again(editor, imported):
    from kb.documents import dismiss
    from kb.suggestions import faq_suggestions, figure_suggestions

    result, knowledge = imported
    document = knowledge.documents[result.document_id]
    first_faq, first_figure = faq_suggestions(knowledge, document)[0], figure_suggestions(knowledge, document)[0]
    dismiss(editor, document.id, first_faq.key, "staff")
    dismiss(editor, document.id, first_figure.key, "staff")
    assert dismiss(editor, document.id, first_faq.key, "staff") == []  # once is enough
    after = load_knowledge(editor.root)
    assert after.ok, after.problems
    again = after.knowledge.documents[document.id]
    assert first_faq.key not in [s.key for s in faq_suggestions(after.knowledge, again)]
    assert first_figure.key not in [s.key for s in figure_suggestions(after.knowledge, again)]
    assert (editor.root / "documents" / f"{document.id}.yml").read_text(encoding="utf-8").startswith("# 导入的文档")
    assert editor.audit.recent(kind="document", entry_id=document.id)[0].action == "dismiss_suggestion"
    with pytest.raises(EditError, match="不认识的建议"):
        dismiss(editor, document.id, "faq:../../x", "staff")
    with pytest.raises(NotFound):
        dismiss(editor, "doc_missing_1", first_faq.key, "staff")
