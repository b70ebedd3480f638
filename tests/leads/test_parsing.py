"""Amounts, contact details and masking as investors actually type them."""

from __future__ import annotations

import pytest

from leads.parsing import (
    Amount,
    mask_email,
    mask_name,
    mask_phone,
    mask_text,
    normalise_email,
    normalise_phone,
    parse_amount,
)

FIFTY_MILLION = Amount(50_000_000.0, "CNY", "5000万元")


@pytest.mark.parametrize(
    "text",
    [
        "5000万",
        "5000万元",
        "五千万",
        "0.5亿",
        "5,000万",
        "大约5000万左右",
        "计划投资5000万元人民币",
        "投资 5000 万",
        "约五千万元",
        "伍仟万元",
    ],
)
def test_the_same_amount_however_it_is_written(text):
    assert parse_amount(text) == FIFTY_MILLION


@pytest.mark.parametrize(
    "text, yuan, currency, shown",
    [
        ("2亿元", 2e8, "CNY", "2亿元"),
        ("3 亿", 3e8, "CNY", "3亿元"),
        ("两亿", 2e8, "CNY", "2亿元"),
        ("三千五百万", 3.5e7, "CNY", "3500万元"),
        ("一亿五千万", 1.5e8, "CNY", "1.5亿元"),
        ("1亿5000万", 1.5e8, "CNY", "1.5亿元"),
        ("十亿", 1e9, "CNY", "10亿元"),
        ("1.5亿", 1.5e8, "CNY", "1.5亿元"),
        ("１２００万", 1.2e7, "CNY", "1200万元"),
        ("8000000元", 8e6, "CNY", "800万元"),
        ("800万美元", 8e6, "USD", "800万美元"),
        ("800万美金", 8e6, "USD", "800万美元"),
        ("3000万美元", 3e7, "USD", "3000万美元"),
        ("1.5亿元人民币", 1.5e8, "CNY", "1.5亿元"),
    ],
)
def test_amount_forms(text, yuan, currency, shown):
    assert parse_amount(text) == Amount(yuan, currency, shown)


def test_the_issue_examples_agree():
    amounts = [parse_amount(text) for text in ("5000万", "2亿元", "3 亿", "五千万")]
    assert [a.yuan for a in amounts] == [5e7, 2e8, 3e8, 5e7]
    assert amounts[0] == amounts[3] == parse_amount("0.5亿")


@pytest.mark.parametrize(
    "text", ["很多钱", "", "abc", "0万", "-5000万", "5000", "二零二三万", "100000亿亿", "年产值5亿，投资2亿", "待定"]
)
def test_no_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "86 13812345678",
        "１３８１２３４５６７８",
        "138-1234-5678",
    ],
)
def test_mobile_numbers(text):
    assert normalise_phone(text) == "13812345678"


@pytest.mark.parametrize(
    "text", ["1381234567", "138123456789", "12812345678", "0731-12345678", "", "abc", "+1 138 1234 5678"]
)
def test_not_mobile_numbers(text):
    assert normalise_phone(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("wang@example.com", "wang@example.com"),
        ("Wang.Xiao@Example.COM", "Wang.Xiao@example.com"),
        (" li+zs@xtez.gov.cn ", "li+zs@xtez.gov.cn"),
        ("ｗａｎｇ@ｅｘａｍｐｌｅ.ｃｏｍ", "wang@example.com"),
        ("wang@", None),
        ("@example.com", None),
        ("wang@example", None),
        ("wang..x@example.com", None),
        ("wang @example.com", None),
        ("王@example.com", None),
        ("", None),
    ],
)
def test_emails(text, expected):
    assert normalise_email(text) == expected


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("12345") == "****" and mask_phone(None) == ""
    assert mask_email("wang@example.com") == "w***@example.com"
    assert mask_email("not an address") == "***"
    assert mask_name("王小明") == "王**" and mask_name("欧阳娜娜") == "欧***" and mask_name("王") == "*"


def test_mask_text_hides_contacts_in_a_sentence():
    sentence = "我是王经理，手机+86 138-1234-5678，邮箱wang@example.com，座机0731-58881234，投资5000万"
    masked = mask_text(sentence)
    assert "138****5678" in masked and "w***@example.com" in masked
    for secret in ("1234-5678", "13812345678", "wang@", "58881234"):
        assert secret not in masked
    assert "5000万" in masked
