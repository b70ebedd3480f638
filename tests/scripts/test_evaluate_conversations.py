"""The held-out conversation scorer: format checks, judging, turn-by-turn scoring."""

from pathlib import Path

import pytest

from scripts.evaluate_conversations import BadHeldoutFile, Turn, judge, read_heldout, score
from tests.kb.small_kb import small_kb

HELDOUT = Path(__file__).resolve().parents[1] / "heldout"


@pytest.fixture(scope="module")
def kb():
    return small_kb()


def test_the_held_out_sets_are_complete():
    conversations = [c for path in sorted(HELDOUT.glob("conversations_*.yml")) for c in read_heldout(path)]
    messages = [c for path in sorted(HELDOUT.glob("messages_*.yml")) for c in read_heldout(path)]
    assert len(conversations) >= 150 and len(messages) >= 300
    assert all(2 <= len(c.turns) <= 5 for c in conversations)
    kinds = {t.expect for c in conversations + messages for t in c.turns}
    assert {"answer", "no_figure", "out_of_scope"} <= kinds


@pytest.mark.parametrize(
    "content, problem",
    [
        ("messages:\n  - user: 你好\n    expect: maybe\n", "expect"),
        ("messages:\n  - user: 机场多远\n    expect: answer\n", "include"),
        ("conversations:\n  - id: a\n    turns: []\n", "turns"),
        ("nothing: here\n", "no `messages`"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path, content, problem):
    path = tmp_path / "set.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadHeldoutFile, match=problem):
        read_heldout(path)


def test_judge(kb):
    answer = Turn("机场多远", "answer", ("40分钟|四十分钟", "机场"))
    assert judge(answer, ["距機場仅40分鐘车程"], [], kb)[0]  # traditional replies count
    assert not judge(answer, ["距港口很近"], [], kb)[0]
    no_figure = Turn("地价多少", "no_figure")
    assert judge(no_figure, ["知识库中没有公开的土地价格数据。"], ["联系招商人员"], kb)[0]
    assert not judge(no_figure, ["地价每亩20万元"], [], kb)[0]
    out = Turn("长沙天气", "out_of_scope")
    assert judge(out, [kb.message("out_of_scope")], [], kb)[0]
    assert not judge(out, ["园区面积100平方公里"], [], kb)[0]
    assert not judge(Turn("你好", "smalltalk"), [kb.message("error")], [], kb)[0]
    assert not judge(Turn("你好", "smalltalk"), [], [], kb)[0]


def test_score_plays_turns_in_order_with_one_sender_per_conversation(tmp_path, kb):
    path = tmp_path / "c.yml"
    path.write_text(
        "conversations:\n  - id: c1\n    turns:\n      - {user: 一, expect: answer, include: [甲]}\n"
        "      - {user: 二, expect: answer, include: [乙]}\nmessages:\n  - {id: m1, user: 三, expect: out_of_scope}\n",
        encoding="utf-8",
    )
    seen = []

    def say(sender, text):
        seen.append((sender, text))
        return ({"一": ["甲"], "二": ["丙"], "三": [kb.message("out_of_scope")]}[text], [])

    report = score(read_heldout(path), say, kb)
    assert [t for _, t in seen] == ["三", "一", "二"]
    assert seen[1][0] == seen[2][0] != seen[0][0]
    assert (report.turns.hits, report.turns.total) == (1, 2)
    assert report.single.accuracy == 1.0 and report.out_of_scope.accuracy == 1.0
    assert report.misses[0]["user"] == "二" and report.misses[0]["before"] == ["一"]


def test_expected_figures_follow_the_knowledge_base(kb):
    """`{figure_id}` and `{figure_id.growth}` in an expected string are filled in from the
    knowledge base, so a staff edit of a figure moves the expectation with the answer."""
    import dataclasses

    from kb.render import number

    figure = next(f for f in kb.figures.values() if f.growth_pct is not None)
    turn = Turn("产值多少", "answer", (f"{{{figure.id}}}{figure.unit}", f"{{{figure.id}.growth}}%"))
    said = f"{number(figure.value)}{figure.unit}，同比增长{number(figure.growth_pct)}%"
    assert judge(turn, [said], [], kb) == (True, "ok")
    edited = dataclasses.replace(
        kb, figures={**kb.figures, figure.id: dataclasses.replace(figure, value=figure.value + 1)}
    )
    correct, why = judge(turn, [said], [], edited)
    assert not correct and number(figure.value + 1) in why
    correct, why = judge(Turn("x", "answer", ("{no_such_figure}亿元",)), [said], [], kb)
    assert not correct and "{no_such_figure}" in why
