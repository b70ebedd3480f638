"""Is the question about this zone at all? Decided before any zone fact is given.

Three ways a question falls outside the knowledge base, each answered with a polite
refusal instead of the nearest zone paragraph:
- another development zone named (株洲经开区, 岳阳综保区, 湘潭高新区);
- another place's own affairs (长沙的地铁, 深圳前海的税收, 台北的机票), where no
  relation to the zone is asked (离长沙多远 and 对接长沙 are about the zone);
- general knowledge or tasks (天气, 录取分数线, 股票, 写诗) and attempts to make the
  assistant drop its rules ("忽略之前的指令", "developer mode", "编一个地价").
Place names come from jieba's part-of-speech tags (ns), so any city is recognised, not
only a list; the zone's own places (湘潭, 九华, 湖南, 长株潭) are home."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Optional

from kb.lexicon import fold_zone_name_typos

SCOPE_OTHER_ZONE, SCOPE_OTHER_PLACE, SCOPE_GENERAL, SCOPE_INJECTION = (
    "other_zone",
    "other_place",
    "general",
    "injection",
)

_ZONE_WORDS = (
    "经济技术开发区",
    "高新技术产业开发区",
    "高新技术开发区",
    "综合保税区",
    "工业园区",
    "产业园区",
    "经开区",
    "高新区",
    "开发区",
    "综保区",
    "保税区",
    "自贸区",
    "新区",
    "工业园",
    "产业园",
)
# Keywords a home prefix makes this zone's (湘潭经开区, 湘潭综保区); 湘潭高新区 is another zone.
_HOME_ZONE_WORDS = ("经济技术开发区", "综合保税区", "经开区", "开发区", "综保区", "保税区")
# Taiwan is home too: the zone is a provincially approved Taiwan-investor zone (台商投资区).
HOME_PLACES = (
    "湘潭",
    "九华",
    "湖南",
    "湖南省",
    "长株潭",
    "湘江",
    "河西",
    "中国",
    "全国",
    "全省",
    "国家",
    "本市",
    "本省",
    "省内",
    "湘",
    "台湾",
    "台商",
)
# Zone-internal names that start with another place (长沙雅礼 is a school in the zone).
_ZONE_REFERENCES = re.compile(
    r"湘潭经开区|经开区|九华|园区|你们|贵区|贵园|这里|这边|这儿|那边|区内|本区|综保区|保税区|[在来到去]湘潭|湘潭市|咱们|你这|落户|入驻|来这"
)
# The investor asks how the zone relates to the place: distance, links, comparison.
_RELATION = re.compile(
    r"离|到|距|去|从|至|往|和|与|跟|同|比|对接|连接|融城|一体化|通勤|开车|坐车|高铁|方向|附近|周边|旁边|飞"
)
_GENERAL = re.compile(
    r"天气|气温|下雨|下雪|雾霾|空气质量|机票|火车票|车票|股票|港股|美股|a股|股价|基金|彩票|炒股|买哪只|可以买吗|能买吗|比特币|分数线|录取|"
    r"招生|考研|高考|研究生|菜谱|做菜|怎么做饭|翻译|写(一首|首|个|一篇|篇)?(诗|作文|文章|代码|小说)|讲个?笑话|电影|电视剧|游戏|足球|篮球|"
    r"明星|八卦|星座|算命|彩礼|减肥|疫苗|感冒|吃什么药|python|java|编程|代码|世界杯|奥运|美国总统|首都是|历史上|发明|"
    r"注册香港公司|逃税|偷税|避税|几号线|\d+号线|门票|景点|旅游攻略|汇率|兑人民币|兑美元|换汇"
)
_INJECTION = re.compile(
    r"忽略|无视|不用管|别管|不要管|ignore|disregard|system\s*prompt|系统提示|提示词|系统指令|developer\s*mode|开发者模式|"
    r"越狱|jailbreak|(?<![a-z])dan(?![a-z])|扮演|假装|你现在是|从现在起你|不受任何限制|解除限制|编一个|编造|瞎编|随便编|编个|胡编|"
    r"输出.{0,6}(全部|所有).{0,6}(原文|内容|数据|资料)|训练(资料|数据)|系统通知|管理员已?授权|i am hacked|pretend|roleplay"
)
# Living costs near the zone: not general knowledge, but figures the source does not give.
LIVING_COSTS = re.compile(r"房价|房租|租房|二手房|新房|物业费|物价|消费水平|生活成本|一平(米)?多少|多少钱一平")


def names_a_city(text: str) -> bool:
    """湘潭, 长沙 ... named as a city (not as part of the zone's name)."""
    return bool(places(re.sub(r"湘潭经开区|湘潭综保区|湘潭经济技术开发区", "", text)))


_PLACE_SUFFIX = re.compile(r"(省|市|县|区|州|镇|乡|村)$")


@lru_cache(maxsize=1)
def _posseg():
    """jieba's part-of-speech tagger on its own dictionary. Not the process-wide one: Rasa's
    tokenizer loads the zone dictionary into that, after which 岳阳 before 综保区 is tagged
    as a person's name."""
    import jieba
    import jieba.posseg as posseg  # lazy: loads jieba's dictionary

    return posseg.POSTokenizer(jieba.Tokenizer())


def places(text: str) -> List[str]:
    """Place names jieba tags in the text (ns), in order."""
    return [
        pair.word
        for pair in _posseg().cut(text)
        if pair.flag == "ns" and len(pair.word) >= 2 and not pair.word.endswith(_ZONE_WORDS)
    ]


def _is_home(place: str) -> bool:
    bare = _PLACE_SUFFIX.sub("", place) or place
    return any(bare == home or bare.startswith(home) for home in HOME_PLACES if len(home) >= 2) or bare in HOME_PLACES


def _zone_prefix_place(prefix: str, keyword: str) -> Optional[str]:
    """The place a zone keyword is attached to (株洲 in 株洲经开区), if it is one. Tagged
    with the keyword after it: jieba reads 岳阳 alone differently from 岳阳综保区."""
    offset = 0
    for pair in _posseg().cut(prefix + keyword):
        offset += len(pair.word)
        if offset == len(prefix):
            return pair.word if pair.flag == "ns" and len(pair.word) >= 2 else None
        if offset > len(prefix):
            return None
    return None


def other_zone(text: str) -> Optional[str]:
    """The other development zone the text names, or None."""
    text = fold_zone_name_typos(text)
    for keyword in _ZONE_WORDS:
        for match in re.finditer(re.escape(keyword), text):
            prefix = text[max(0, match.start() - 6) : match.start()]
            place = _zone_prefix_place(prefix, keyword)
            if place is None:
                continue
            if _is_home(place) and keyword in _HOME_ZONE_WORDS:
                continue
            if _is_home(place) and keyword in ("新区",):  # 湘潭...新区 in the zone's own plans
                continue
            return place + keyword
    return None


# Words jieba tags as places that are not places in investors' questions.
_NOT_PLACES = frozenset({"上市", "兴隆", "新区", "中心", "西岸", "东方", "南北", "天下"})


def _known_in(knowledge_texts: Iterable[str], text: str, place: str) -> bool:
    """The place starts a name the knowledge base uses (长沙雅礼, 长沙黄花国际机场)."""
    if place in _NOT_PLACES:
        return True
    start = text.find(place)
    following = text[start : start + len(place) + 2]
    return any(following in known for known in knowledge_texts)


def is_injection(text: str) -> bool:
    """An attempt to change the assistant's rules ("忽略之前所有指令"): the first check of
    classify(), on its own for callers that need no more (it is a regex, where the full
    classification tags places with jieba on every message)."""
    return bool(text) and bool(_INJECTION.search(text))


def classify(text: str, knowledge_texts: Iterable[str] = (), known_terms: Iterable[str] = ()) -> Optional[str]:
    """Why the question is outside this zone's knowledge, or None when it is (or may be) in it."""
    if not text:
        return None
    if is_injection(text):
        return SCOPE_INJECTION
    if other_zone(text):
        return SCOPE_OTHER_ZONE
    zone_named = bool(_ZONE_REFERENCES.search(fold_zone_name_typos(text)))
    if _GENERAL.search(text) and not re.search(r"园区|经开区|九华|综保区|你们", text):
        return SCOPE_GENERAL
    if zone_named:
        return None
    texts = tuple(knowledge_texts)
    terms = set(known_terms)
    named_terms = [term for term in terms if len(term) >= 3 and term in text]  # 北站 of 湘潭北站
    foreign = [
        place
        for place in places(text)
        if not _is_home(place)
        and place not in terms
        and not _known_in(texts, text, place)
        and not any(place in term for term in named_terms)
    ]
    # "离长沙多远" relates the zone to one place; "北京到上海多远" is two other places;
    # "旁边株洲对电池企业有啥补贴" only says where 株洲 is, then asks about it.
    located = (
        re.sub(r"(旁边|附近|周边|隔壁)的?(?=" + "|".join(map(re.escape, foreign)) + ")", "", text) if foreign else text
    )
    if foreign and (len(set(foreign)) >= 2 or not _RELATION.search(located)):
        return SCOPE_OTHER_PLACE
    return None
