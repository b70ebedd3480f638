"""Does an answer state the number the question asks for?

"世界500强入驻了几家" is about the companies entry, but that entry names companies and
gives no count; answering with it as if it were the count misleads. When the question asks
for a quantity of some measure (家, 人, 元, 公里, 天, 亩, %) and the chosen answer states no
number of that measure, the assistant says the source does not give it, then quotes what
the source does say, and offers staff (kb/dialogue.py)."""

from __future__ import annotations

import re
from typing import Optional, Pattern, Tuple

from kb.model import KnowledgeBase
from kb.text import tokenize

# A number: digits, or Chinese numerals other than a lone 一 (一条走廊 is an article, not a count).
_NUMBER = r"(\d+(\.\d+)?|[二两三四五六七八九十百千][一二两三四五六七八九十百千]*|一[一二两三四五六七八九十百千]+)"
# (what the question asks, what an answer that states it contains)
_MEASURES: Tuple[Tuple[Pattern, Pattern], ...] = tuple(
    (re.compile(asked), re.compile(stated))
    for asked, stated in (
        # A count is stated by a number with any counting word (4家 answers 几个).
        (r"几个?小时|多少(个)?小时|多少分钟|几分钟|要多久|多长时间", r"\d+(个)?(小时|分钟)"),
        (r"(?<!哪)(几|多少)(家|所|位|名|个|项|条|块)(?!月|小时|工作日)", _NUMBER + r"(家|所|位|名|个|项|条|块)"),
        (r"多少(个)?人|几个人|人口|人数", _NUMBER + r"万?人"),
        (
            r"多少钱|什么价|价格|价钱|单价|多少元|租金|费用|收费|电费|水费|气费|多少一(度|吨|方|亩|平)|补贴多少|奖励多少",
            _NUMBER + r"(亿|万)?(元|美元)",
        ),
        (r"多少公里|几公里|多少km", _NUMBER + r"公里"),
        (r"(几|多少)(天|个工作日)|多久(能|可以)?(批|办|拿)", _NUMBER + r"(天|个?工作日|小时)"),
        (r"(几|多少)(吨|万吨)", r"吨"),
        (r"税率", r"税率"),
        (r"百分之几|多少%|比例|占比", r"\d+(\.\d+)?%"),
        (r"面积(有)?多大|多少平方|占地多少|多大面积", r"平方公里|平方米|亩"),
        (r"多少亩|几亩", _NUMBER + r"亩"),
        (r"多少(亿|万)|产值(是)?多少|营收|销售额|年产", _NUMBER + r"(亿|万)"),
        # "综保区一年进出口额多少", "研发投入一年多少": an amount of money.
        (r"(额|投入|收入|利润|资金|经费)(一年|每年|大概|大约|是|有)?(多少|几)", _NUMBER + r"(亿|万)?(元|美元)"),
    )
)


def asked_measure(text: str) -> Optional[Pattern]:
    """What an answer must contain to state the quantity asked for, or None."""
    for asked, stated in _MEASURES:
        if asked.search(text):
            return stated
    return None


_LIST_COUNT = re.compile(r"(几|多少)(个|项|条|句|点)")


def answer_states(text: str, body: str) -> bool:
    """False only when a quantity is asked and the answer states none of that measure.
    "有几条" is answered by a list: its lines are the count."""
    stated = asked_measure(text)
    if stated is None or stated.search(body):
        return True
    bullets = sum(1 for line in body.splitlines() if line.lstrip().startswith("-"))
    return bool(_LIST_COUNT.search(text)) and bullets >= 2


_GENERIC = frozenset(
    "湘潭经开区 经开区 园区 九华 湘潭 数据 指标 情况 多少 多大 一下 目前 现在 今年 去年 全年 大概 总共 一共 共有 请问".split()
)


def has_subject(knowledge: KnowledgeBase, text: str) -> bool:
    """The question names something to count or measure (地区生产总值, 吉利的产值), not only
    "是多少": then no matching figure means the figure is not published."""
    words = [w for w in tokenize(text, knowledge.dictionary_terms, knowledge.synonyms) if w not in _GENERIC]
    return any(len(word) >= 2 for word in words)
