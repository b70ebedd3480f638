"""How the form reads investors' replies."""

from __future__ import annotations

import pytest

from leads import form


@pytest.mark.parametrize(
    "text",
    [
        "园区离机场多远？",
        "有没有标准厂房",
        "电价多少",
        "税收有优惠吗",
        "怎么办营业执照",
        "园区里有做汽配的大厂吗，方便就近配套",
    ],
)
def test_questions_are_recognised(text):
    assert form.looks_like_question(text)


@pytest.mark.parametrize("text", ["湘潭恒通精密机械有限公司", "汽车零部件", "五千万", "50亩", "王先生", "13812345678"])
def test_answers_are_not_questions(text):
    assert not form.looks_like_question(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("同意", True),
        ("好的，同意", True),
        ("可以", True),
        ("嗯", True),
        ("OK", True),
        ("同意。", True),
        ("不同意", False),
        ("不", False),
        ("拒绝", False),
        ("不行", False),
        ("让我想想", None),
        ("", None),
        ("同意个鬼，我只是问问价格", None),
    ],
)
def test_consent_must_be_a_clear_yes_or_no(text, expected):
    assert form.consent_answer(text) is expected


@pytest.mark.parametrize(
    "text, slot",
    [
        ("电话写错了", "lead_contact"),
        ("手机号填错了", "lead_contact"),
        ("邮箱写错了", "lead_contact"),
        ("公司名称写错了", "lead_company"),
        ("行业选错了", "lead_industry"),
        ("投资额写错了", "lead_amount"),
        ("用地需求填错了", "lead_land"),
        ("联系人名字不对", "lead_name"),
        ("刚才填错了", None),
    ],
)
def test_the_field_to_correct_is_found(text, slot):
    assert form.field_to_correct(text) == slot


def test_unsure_land_need():
    assert form.is_unsure("不确定") and form.is_unsure("暂无") and not form.is_unsure("50亩")


def test_answers_are_kept_as_typed_only_tidied():
    assert form.tidy("  ＡＢＣ   Precision  有限公司 ") == "ABC Precision 有限公司"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("汽车零部件", "汽车及零部件"),
        ("新能源车电池包", "汽车及零部件"),
        ("工程机械配套", "智能制造"),
        ("半导体封装", "电子信息"),
        ("医疗设备", "医疗器械"),
        ("预制菜加工", "预制菜加工"),
        ("电子商务", "电子商务"),
    ],
)
def test_industry_is_matched_to_the_zones_industries_or_kept(typed, stored):
    assert form.match_industry(typed) == stored
