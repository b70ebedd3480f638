"""How the investment-intention form reads an investor's replies: plain functions, so the
Rasa actions (actions/leads.py) stay thin and the rules are tested without Rasa.

A form asks one thing at a time, but investors do not always answer it: they ask a
question instead ("园区离机场多远？"), or say yes/no in many ways. These functions tell
the cases apart."""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, Optional

from kb.text import normalise as _normalise


def normalise(text: str) -> str:
    """Simplified, NFKC, lower-case text (kb.text.normalise without the length cap)."""
    return _normalise(text or "", max_chars=10_000).text


# Slot -> the longest answer kept, in characters (a paste is not a company name).
LIMITS: Dict[str, int] = {
    "lead_company": 100,
    "lead_industry": 60,
    "lead_amount": 40,
    "lead_land": 100,
    "lead_name": 30,
    "lead_contact": 80,
}
LEAD_SLOTS = (
    "lead_consent",
    "lead_company",
    "lead_industry",
    "lead_amount",
    "lead_land",
    "lead_name",
    "lead_contact",
    "lead_amount_yuan",
    "lead_amount_currency",
)

# A question mark or particle at the end, or before a comma ("有做汽配的大厂吗，方便就近配套").
_QUESTION_END = re.compile(r"[？?]\s*$|[吗呢么嘛]\s*[？?!！。.]*\s*$|[吗呢嘛][，,；;]")
_QUESTION_WORDS = re.compile(
    r"多少|多远|多久|怎么|怎样|什么|哪里|哪些|哪个|是否|有没有|能不能|可不可以|如何|为什么|几个|几家|咋|啥|谁"
)
_YES = re.compile(
    r"^(我)?(同意|愿意|接受|可以|好的?|行|是的?|对|嗯+|确认|没问题|ok|yes)(的|了|啊|吧|呀)?([，,。.!！]|$)", re.I
)
_NO = re.compile(r"^(我)?(不同意|不愿意|不接受|拒绝|不可以|不行|不要|否|不|no)(的|了|啊|吧)?([，,。.!！]|$)", re.I)
_UNSURE = re.compile(r"^(暂时)?(不确定|不清楚|不知道|待定|还没定|不需要|没有|无|暂无|跳过|以后再说)([，,。.!！]|$)")

# Words naming each field, for "电话写错了" / "公司名称不对".
_FIELDS = (
    ("lead_contact", ("电话", "手机", "号码", "邮箱", "email", "邮件", "联系方式")),
    ("lead_company", ("公司", "企业", "单位")),
    ("lead_industry", ("行业", "产业", "领域")),
    ("lead_amount", ("金额", "投资额", "投资", "资金", "多少钱")),
    ("lead_land", ("用地", "土地", "厂房", "面积", "亩")),
    ("lead_name", ("姓名", "名字", "称呼", "联系人")),
)


# The zone's industries as its profile names them (knowledge/sources/profile_2021.txt,
# section "industry"), with words investors use for them. A match is stored under the
# zone's name so staff can sort leads by industry; anything else is kept as typed.
ZONE_INDUSTRIES = (
    ("汽车及零部件", ("汽车", "整车", "零部件", "新能源车", "电动车")),
    ("智能制造", ("智能制造", "智能装备", "工程机械", "装备制造", "机器人")),
    ("电子信息", ("电子信息", "电子元器件", "电子产品", "半导体", "芯片", "服务器", "玻璃盖板")),
    ("军民融合", ("军民融合", "军工", "国防")),
    ("医疗器械", ("医疗器械", "医疗设备", "医用耗材", "医用")),
)


def match_industry(text: str) -> str:
    """ "汽车零部件" -> "汽车及零部件"; an industry the zone does not name stays as typed."""
    folded = normalise(text)
    for name, words in ZONE_INDUSTRIES:
        if any(word in folded for word in words):
            return name
    return tidy(text)


def looks_like_question(text: str) -> bool:
    """An investor asking something rather than answering the form's question."""
    folded = normalise(text).strip()
    return bool(_QUESTION_END.search(folded) or _QUESTION_WORDS.search(folded))


def consent_answer(text: str) -> Optional[bool]:
    """True for a clear yes, False for a clear no, None when it is neither."""
    folded = normalise(text).strip()
    if _NO.match(folded):
        return False
    if _YES.match(folded):
        return True
    return None


def is_unsure(text: str) -> bool:
    """ "不确定", "暂无", "跳过": the optional land/plant need left open."""
    return bool(_UNSURE.match(normalise(text).strip()))


def field_to_correct(text: str) -> Optional[str]:
    """Which slot "…写错了" is about, or None when the investor did not say."""
    folded = normalise(text).lower()
    for slot, words in _FIELDS:
        if any(word in folded for word in words):
            return slot
    return None


def tidy(text: str) -> str:
    """The investor's answer as typed (case and script kept), full-width folded and
    whitespace collapsed: names are stored as given."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()
