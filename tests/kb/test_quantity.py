"""Does an answer state the number asked for (kb/quantity.py)."""

import pytest

from kb.quantity import answer_states


@pytest.mark.parametrize(
    "question, answer, states",
    [
        ("综保区一年进出口额多少", "综保区是重要的对外开放窗口", False),
        ("研发投入一年多少", "研发投入10亿元", True),
        ("世界500强入驻了几家", "入驻了麦格纳、舍弗勒等众多世界500强", False),
        ("有几家国家级质检中心", "拥有4家国家级质检中心", True),
        ("国家级的有几个", "拥有4家国家级质检中心", True),
        ("区内铁路有哪几条", "湘黔、石长铁路在区内交汇", True),  # 哪几: which, not how many
        ("九华精神有几条", "九华精神是：\n- 一\n- 二\n- 三", True),  # a list is its count
        ("厂房租金多少钱一平", "园区成本优势明显", False),
        ("企业所得税税率多少", "财税收入25.6亿元，增长9.3%", False),
        ("综保区面积多大", "湘潭综保区在全省率先建立首批海外仓", False),
        ("园区面积多大", "园区面积138平方公里", True),
        ("交通方便吗", "立体交通网络", True),
    ],
)
def test_answer_states(question, answer, states):
    assert answer_states(question, answer) is states
