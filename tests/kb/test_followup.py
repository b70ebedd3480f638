"""Follow-ups resolved against the last answer (kb/followup.py), on a made-up knowledge base."""

import pytest

from kb import followup
from kb.followup import Context
from tests.kb.small_kb import small_kb


@pytest.fixture(scope="module")
def kb():
    return small_kb()


@pytest.mark.parametrize(
    "text, position",
    [
        ("第三个呢", 3),
        ("第二条是什么", 2),
        ("头一个指什么", 1),
        ("最后一个", -1),
        ("最后那个呢", -1),
        ("倒数第二个呢", -2),
        ("第十二个", 12),
        ("排名第30位", None),
        ("那高铁呢", None),
    ],
)
def test_ordinal(text, position):
    assert followup.ordinal(text) == position


def resolve(kb, text, kind, entry_id, question=""):
    return followup.resolve(kb, text, Context(kind, entry_id, question))


def test_an_item_of_a_bullet_list(kb):
    resolved = resolve(kb, "第三条呢", "faq", "spirit", "园区精神是啥")
    assert "敢闯敢试的改革精神" in resolved.texts[0] and resolved.kind == followup.RESOLVED_ITEM
    assert "来源" in resolved.texts[-1]
    assert resolved.context.clause == "敢闯敢试的改革精神"


def test_the_list_the_question_was_about(kb):
    assert "乙公司" in resolve(kb, "第二家是哪个", "faq", "companies", "有哪些500强入驻").texts[0]
    assert "星辰汽车" in resolve(kb, "头一个指什么", "faq", "companies", "龙头是谁").texts[0]
    # the measure word of the ordinal names the list: 三块牌子
    assert "教育事业" in resolve(kb, "第二块是什么", "faq", "ranking", "拿了什么奖").texts[0]


def test_a_position_past_the_end_lists_the_items(kb):
    resolved = resolve(kb, "第五条呢", "faq", "spirit", "园区精神")
    assert "3" in resolved.texts[0] and "马上就办" in resolved.texts[1]


def test_another_part_of_the_same_answer(kb):
    resolved = resolve(kb, "那省内呢", "faq", "ranking")
    assert "省内排名第二" in resolved.texts[0] and resolved.kind == followup.RESOLVED_CLAUSE
    assert "水运" in resolve(kb, "水运呢", "faq", "transport").texts[0]
    # one character in common is not a match: 高速 is not 高铁
    assert resolve(kb, "高速呢", "faq", "transport") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("数据是哪年的", "2021年1-6月"),
        ("单位呢", "亿元"),
        ("数据来源是哪", "测试园区简介"),
        ("比去年涨了多少", "10.5%"),
        ("这是全年的吗", "2021年1-6月"),
    ],
)
def test_questions_about_a_figure(kb, text, expected):
    resolved = resolve(kb, text, "figure", "output")
    assert expected in "\n".join(resolved.texts) and resolved.figure.id == "output"


def test_another_year_is_not_invented(kb):
    resolved = resolve(kb, "2019年的呢", "figure", "output")
    assert "没有公布2019年" in resolved.texts[0] and resolved.offer_staff
    assert "500.5亿元" in resolved.texts[1]  # what the source does say


def test_no_growth_for_a_figure_without_one(kb):
    resolved = resolve(kb, "同比呢", "figure", "foreign")
    assert "没有给出" in resolved.texts[0] and resolved.offer_staff


def test_an_item_that_is_a_figure_answers_for_that_figure(kb):
    item = resolve(kb, "倒数第一个呢", "faq", "economy", "经济指标列一下")
    assert "直接到位外资" in item.texts[0]
    growth = followup.resolve(kb, "它有增长率吗", item.context)
    assert "没有给出直接到位外资" in growth.texts[0]


def test_a_new_question_is_not_a_followup(kb):
    assert resolve(kb, "综保区是什么情况", "figure", "output") is None
    assert resolve(kb, "那外资呢", "figure", "output") is None  # another figure: answered as such


def test_no_published_figure_entries_stay_honest(kb):
    resolved = resolve(kb, "那一亩多少钱呢", "faq", "land_price")
    assert "没有公开" in resolved.texts[0] and resolved.offer_staff


@pytest.mark.parametrize(
    "value", [None, "x", {}, {"kind": "faq"}, {"kind": "other", "id": "a"}, {"kind": "faq", "id": 3}]
)
def test_bad_slot_values_are_no_context(value):
    assert Context.from_slot(value) is None


def test_context_round_trip():
    context = Context("faq", "spirit", "问" * 500, "条" * 500)
    back = Context.from_slot(context.to_slot())
    assert back.id == "spirit" and len(back.question) == 200 and len(back.clause) == 300


def test_a_deleted_entry_ends_the_context(kb):
    assert resolve(kb, "第一个呢", "faq", "gone") is None
