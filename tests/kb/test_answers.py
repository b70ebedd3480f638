"""What the assistant says, decided from knowledge/: figures with source and period,
follow-up questions, honest 'no published figure', other zones."""

from __future__ import annotations

import pytest

from kb import answers
from kb.render import figure_value


def text_of(reply) -> str:
    return "\n".join(reply.texts)


def test_figure_answer_states_value_growth_period_and_source(knowledge):
    reply = answers.lookup_figure(knowledge, "工业总产值多少", None, None)
    text = text_of(reply)
    assert "640.5亿元" in text and "7.4%" in text
    assert "数据口径：2021年1-8月" in text and "《国家级湘潭经济技术开发区简介》" in text
    assert reply.slots == {"indicator": "industrial_output", "figure_aspect": "value"}


def test_follow_up_chain_value_growth_other_indicator(knowledge):
    first = answers.lookup_figure(knowledge, "工业总产值多少", "工业总产值", None)
    growth = answers.lookup_growth(knowledge, "增长了多少", None, first.slots["indicator"])
    assert "同比增长7.4%" in text_of(growth) and growth.slots["figure_aspect"] == "growth"
    other = answers.lookup_figure(knowledge, "那固定资产投资呢", "固定资产投资", growth.slots["indicator"], "growth")
    assert "固定资产投资" in text_of(other) and "11.1%" in text_of(other) and "176.4亿元" in text_of(other)
    assert other.slots["indicator"] == "fixed_asset_investment"


def test_longest_alias_wins(knowledge):
    reply = answers.lookup_figure(knowledge, "规模工业总产值呢", None, "industrial_output")
    assert "333.3亿元" in text_of(reply)


def test_synonym_entity_value_resolves(knowledge):
    reply = answers.lookup_figure(knowledge, "多少", "固投", None)
    assert "176.4亿元" in text_of(reply)


def test_growth_missing_is_said_plainly(knowledge):
    reply = answers.lookup_growth(knowledge, "外资增长了多少", None, None)
    text = text_of(reply)
    assert "没有给出直接到位外资的同比增长" in text and "3150万美元" in text
    assert ("联系招商人员", "我想联系招商人员") in reply.buttons


def test_unknown_figure_asks_which(knowledge):
    reply = answers.lookup_figure(knowledge, "那个数据是多少", None, None)
    assert "哪一项" in text_of(reply) and len(reply.buttons) == 7


@pytest.mark.parametrize("faq_id", ["land_price", "electricity_price", "labour_cost", "tax_incentives"])
def test_no_published_figure_is_honest_and_offers_staff(knowledge, faq_id):
    reply = answers.answer_faq(knowledge, faq_id, 0.99, "")
    text = text_of(reply)
    assert "没有" in text and "招商服务人员" in text
    assert reply.buttons == [("联系招商人员", "我想联系招商人员")]


def test_electricity_answer_gives_what_the_source_does_say(knowledge):
    text = text_of(answers.answer_faq(knowledge, "electricity_price", 0.99, "电价"))
    assert "增量配电改革试点" in text and "元/度" not in text


def test_faq_answer_fills_figures_from_figures_yml(knowledge):
    text = text_of(answers.answer_faq(knowledge, "economic_overview", 0.99, ""))
    for figure in knowledge.figures.values():
        if figure.kind == "indicator":
            assert figure_value(figure) in text
    assert "{" not in text


def test_low_confidence_faq_defers_to_search(knowledge):
    reply = answers.answer_faq(knowledge, "schools", 0.2, "机场")
    assert "黄花国际机场" in text_of(reply)


def test_unknown_faq_and_no_search_hit_says_it_does_not_know(knowledge):
    reply = answers.answer_faq(knowledge, "no_such_entry", 0.99, "量子计算机")
    assert "没有找到" in text_of(reply)


def test_search_without_hit_offers_staff(knowledge):
    reply = answers.search_answer(knowledge, "量子计算机怎么造")
    assert "没有找到" in text_of(reply) and reply.buttons


def test_other_zone_is_not_answered_with_this_zone_facts(knowledge):
    for reply in (
        answers.lookup_figure(knowledge, "株洲经开区的工业总产值是多少", "工业总产值", None),
        answers.answer_faq(knowledge, "support_policies", 0.99, "长沙经开区有哪些优惠政策"),
        answers.search_answer(knowledge, "宁波保税区仓储费"),
    ):
        assert "只掌握湘潭经开区" in text_of(reply) and "640.5" not in text_of(reply)


def test_greeting_offers_topic_buttons(knowledge):
    reply = answers.greet(knowledge)
    assert len(reply.buttons) >= 8 and ("区位交通", "湘潭经开区交通方便吗？") in reply.buttons


def test_staff_contact_is_honest_when_none_is_recorded(knowledge):
    assert "还没有录入" in text_of(answers.staff_contact(knowledge))


def test_staff_contact_lists_recorded_details(knowledge):
    knowledge_with_phone = type(knowledge)(**{**knowledge.__dict__, "contact": {"phone": "0731-0000"}})
    assert "电话：0731-0000" in text_of(answers.staff_contact(knowledge_with_phone))


@pytest.mark.parametrize(
    "text, expected",
    [("那固定资产投资呢", True), ("财税收入呢", True), ("固定资产投资是多少", False), ("那规模呢", False)],
)
def test_elliptical_follow_up(text, expected):
    assert answers.is_elliptical(text) is expected
