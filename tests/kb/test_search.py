"""Keyword search answers bare keywords and stays silent on unrelated questions."""

from __future__ import annotations

import pytest

from kb.search import best_answer, rank
from kb.text import normalise


@pytest.mark.parametrize(
    "question, expected",
    [
        ("机场", ("faq", "airport")),
        ("海外仓", ("faq", "overseas_warehouse")),
        ("电价多少", ("faq", "electricity_price")),
        ("麦格纳", ("faq", "major_companies")),
        ("孩子上学", ("faq", "schools")),
        ("固投", ("figure", "fixed_asset_investment")),
        ("九华精神", ("faq", "jiuhua_spirit")),
        ("稅收優惠", ("faq", "tax_incentives")),
    ],
)
def test_keywords_find_their_entry(knowledge, question, expected):
    hit = best_answer(knowledge, normalise(question).text)
    assert hit is not None and (hit.kind, hit.id) == expected


@pytest.mark.parametrize("question", ["长沙房价怎么样", "帮我订机票", "今天天气", "asdf", "select * from users"])
def test_unrelated_questions_get_no_answer(knowledge, question):
    assert best_answer(knowledge, normalise(question).text) is None


def test_rank_is_best_first(knowledge):
    hits = rank(knowledge, "海外仓")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_query(knowledge):
    assert rank(knowledge, "") == [] and best_answer(knowledge, "的了吗") is None
