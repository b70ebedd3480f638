"""Staff edits to knowledge/: atomic, validated, audited, conflict-safe, restorable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kb.audit import AuditLog
from kb.editing import ConflictError, EditError, KnowledgeEditor, NotFound
from kb.loader import load_knowledge
from kb.store import KnowledgeStore

NEW_FAQ = {
    "category": "living",
    "question": "园区里有篮球场吗？",
    "phrasings": "有没有篮球场\n园区能打篮球吗",
    "answer": "知识库中没有篮球场的信息，可以为您联系招商服务人员。",
    "document": "profile_2021",
    "section": "living",
    "period": "2021",
}


@pytest.fixture
def editor(knowledge_copy: Path, tmp_path: Path) -> KnowledgeEditor:
    return KnowledgeEditor(knowledge_copy, AuditLog(tmp_path / "audit.db"), Path("data/nlu"))


def test_an_edited_answer_is_saved_and_audited(editor: KnowledgeEditor) -> None:
    entry = editor.faq("approval_reform")
    result = editor.save_faq(
        dict(entry.fields, answer="审批在园区一个窗口办结，效率{approval_speedup}。"), entry.version, "alice"
    )
    assert result.changes and result.changes[0].startswith("答案")
    reloaded = load_knowledge(editor.root)
    assert reloaded.ok
    assert reloaded.knowledge.faqs["approval_reform"].answer.startswith("审批在园区一个窗口办结")
    record = editor.audit.recent(1)[0]
    assert (record.user, record.action, record.kind, record.entry_id) == ("alice", "update", "faq", "approval_reform")
    assert record.path == "faq/approval_services.yml"
    assert "审批在园区一个窗口办结" in record.after and "审批在园区一个窗口办结" not in record.before


def test_an_edit_keeps_comments_and_the_rest_of_the_file(editor: KnowledgeEditor) -> None:
    path = editor.root / "figures.yml"
    before = path.read_text(encoding="utf-8")
    figure = editor.figure("industrial_output")
    editor.save_figure(dict(figure.fields, value="900.5"), figure.version, "alice")
    after = path.read_text(encoding="utf-8")
    assert after.splitlines()[0] == before.splitlines()[0]  # the explanatory comment
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("    value: 640.5", "    value: 900.5")]


def test_a_second_save_from_a_stale_form_is_refused(editor: KnowledgeEditor) -> None:
    opened_by_both = editor.faq("approval_reform")
    editor.save_faq(dict(opened_by_both.fields, answer="甲的修改。"), opened_by_both.version, "alice")
    with pytest.raises(ConflictError) as refused:
        editor.save_faq(dict(opened_by_both.fields, answer="乙的修改。"), opened_by_both.version, "bob")
    assert "alice" in refused.value.problems[0]
    assert load_knowledge(editor.root).knowledge.faqs["approval_reform"].answer == "甲的修改。"


def test_concurrent_saves_of_one_version_let_exactly_one_through(editor: KnowledgeEditor) -> None:
    entry = editor.faq("approval_reform")
    outcomes = []

    def save(name: str) -> None:
        try:
            editor.save_faq(dict(entry.fields, answer=f"{name}的修改。"), entry.version, name)
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(name,)) for name in ("甲", "乙", "丙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "saved"]


def faq_ids(editor: KnowledgeEditor) -> set:
    return set(load_knowledge(editor.root).knowledge.faqs)


def test_a_new_faq_gets_an_id_and_validation_runs(editor: KnowledgeEditor) -> None:
    before = faq_ids(editor)
    result = editor.save_faq(dict(NEW_FAQ), None, "alice")
    # The first free "<category>_<n>": whatever staff have added before, never a taken one.
    assert result.entry.id.startswith("living_") and result.entry.id not in before
    assert result.entry.fields["phrasings"] == ["有没有篮球场", "园区能打篮球吗"]
    assert faq_ids(editor) - before == {result.entry.id}
    assert load_knowledge(editor.root).knowledge.faqs[result.entry.id].category == "living"


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"section": "nosuch"}, "section"),
        ({"period": ""}, "数据口径"),
        ({"category": "../../etc"}, "分类"),
        ({"id": "Bad-Id"}, "编号"),
        ({"phrasings": "审批快吗"}, "审批快吗"),  # already a phrasing of approval_reform
        ({"answer": "引用了 {no_such_figure}"}, "no_such_figure"),
        ({"reviewed_at": "2026-13-40"}, "审核日期"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(editor: KnowledgeEditor, change, expected) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in editor.root.rglob("*.yml")}
    with pytest.raises(EditError) as refused:
        editor.save_faq(dict(NEW_FAQ, **change), None, "alice")
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    assert {p: p.read_text(encoding="utf-8") for p in editor.root.rglob("*.yml")} == before
    assert editor.audit.recent() == []


def test_an_answer_too_long_for_one_wechat_message_is_refused(editor: KnowledgeEditor) -> None:
    with pytest.raises(EditError) as refused:
        editor.save_faq(dict(NEW_FAQ, answer="很长的答案。" * 200), None, "alice")
    assert any("微信" in problem for problem in refused.value.problems)


def test_disable_and_enable_are_recorded(editor: KnowledgeEditor) -> None:
    entry = editor.faq("approval_reform")
    editor.save_faq(dict(entry.fields, disabled=True), entry.version, "alice")
    assert load_knowledge(editor.root).knowledge.faqs["approval_reform"].disabled
    entry = editor.faq("approval_reform")
    editor.save_faq(dict(entry.fields, disabled=False), entry.version, "alice")
    assert [r.action for r in editor.audit.recent()] == ["enable", "disable"]


def test_restore_undoes_a_change_and_is_itself_audited(editor: KnowledgeEditor) -> None:
    original = (editor.root / "figures.yml").read_text(encoding="utf-8")
    figure = editor.figure("industrial_output")
    saved = editor.save_figure(dict(figure.fields, value="1"), figure.version, "alice")
    editor.restore(saved.audit_ids[0], "bob")
    assert (editor.root / "figures.yml").read_text(encoding="utf-8") == original
    assert editor.audit.recent(1)[0].action == "restore"
    with pytest.raises(NotFound):
        editor.restore(9999, "bob")


def test_a_figure_value_must_be_a_number(editor: KnowledgeEditor) -> None:
    figure = editor.figure("industrial_output")
    with pytest.raises(EditError) as refused:
        editor.save_figure(dict(figure.fields, value="八百"), figure.version, "alice")
    assert "数值必须是数字" in refused.value.problems[0]


def test_add_phrasing_appends_and_refuses_duplicates(editor: KnowledgeEditor) -> None:
    editor.add_phrasing("approval_reform", "园区办手续要多久", "alice")
    assert "园区办手续要多久" in editor.faq("approval_reform").fields["phrasings"]
    with pytest.raises(EditError):
        editor.add_phrasing("approval_reform", "园区办手续要多久", "alice")


def test_import_is_all_or_nothing(editor: KnowledgeEditor) -> None:
    good = dict(NEW_FAQ, line=2)
    bad = dict(NEW_FAQ, question="另一个问题", phrasings="另一个问法", section="nosuch", line=3)
    with pytest.raises(EditError) as refused:
        editor.apply_many([good, bad], "alice")
    assert any(problem.startswith("第 3 行") for problem in refused.value.problems)
    before = faq_ids(editor)
    assert not any(load_knowledge(editor.root).knowledge.faqs[i].question == NEW_FAQ["question"] for i in before)
    assert editor.apply_many([good], "alice") == {"created": 1, "updated": 0, "unchanged": 0}
    (created,) = faq_ids(editor) - before
    assert load_knowledge(editor.root).knowledge.faqs[created].question == NEW_FAQ["question"]


def test_the_live_store_sees_a_save_at_once(editor: KnowledgeEditor) -> None:
    store = KnowledgeStore(editor.root)
    assert store.get().faqs["approval_reform"].answer != "新答案。"
    entry = editor.faq("approval_reform")
    editor.save_faq(dict(entry.fields, answer="新答案。"), entry.version, "alice")
    assert store.get().faqs["approval_reform"].answer == "新答案。"


def test_moving_an_entry_to_another_category_moves_it_between_files(editor: KnowledgeEditor) -> None:
    entry = editor.faq("airport")
    editor.save_faq(dict(entry.fields, category="living"), entry.version, "alice")
    moved = load_knowledge(editor.root).knowledge.faqs["airport"]
    assert moved.category == "living"
    assert "id: airport" not in (editor.root / "faq" / "location_transport.yml").read_text(encoding="utf-8")
    assert {r.path for r in editor.audit.recent(5)} == {"faq/location_transport.yml", "faq/living.yml"}


def test_parsed_files_are_reused_but_a_change_on_disk_is_seen(editor: KnowledgeEditor) -> None:
    """Each file is parsed once per version (a save once parsed the FAQ files about
    thirty times); a file changed behind the editor's back is read again."""
    before = editor.faq("location")
    path = before.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(before.fields["question"], "外面改过的标准问题？", 1), encoding="utf-8")
    assert editor.faq("location").fields["question"] == "外面改过的标准问题？"


def test_an_editable_copy_never_changes_what_readers_see(editor: KnowledgeEditor) -> None:
    path = editor.faq("location").path
    editable = editor._load(path, editable=True)
    editable["entries"][0]["question"] = "只改了副本"
    assert editor._load(path)["entries"][0]["question"] != "只改了副本"
    assert editor.faq("location").fields["question"] != "只改了副本"


def test_warm_parses_every_file_once_and_saves_then_reuse_them(editor: KnowledgeEditor, knowledge_copy: Path) -> None:
    editor.warm()
    files = set((knowledge_copy / "faq").glob("*.yml")) | {
        knowledge_copy / "figures.yml",
        knowledge_copy / "sources.yml",
    }
    assert files <= set(editor._parsed)
    parsed = {path: data for path, (_, data) in editor._parsed.items()}
    entry = editor.faq("schools")
    editor.save_faq(dict(entry.fields, answer=entry.fields["answer"] + "（已更新）"), entry.version, "staff")
    changed = entry.path
    # only the saved file is parsed again; the others are the very objects warm() parsed
    assert all(editor._parsed[path][1] is data for path, data in parsed.items() if path != changed)
    assert editor.faq("schools").fields["answer"].endswith("（已更新）")
