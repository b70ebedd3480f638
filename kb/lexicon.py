"""Investors' spellings folded to the knowledge base's words, before NLU and search.

Two kinds, both seen in real messages (tests/heldout/):
- the zone's own names typed with a wrong character of the same sound (湘谭, 香潭, 经开去,
  九花, 综报区, 机厂). A pinyin IME offers these first when the investor picks too fast.
  Matched by sound (pypinyin, toneless) and only when at least one character is right,
  so a different word with the same sound (相谈 for 湘潭) is left alone;
- English words and abbreviations inside Chinese (FDI, GDP, EV, R&D, one-stop), mapped
  to the Chinese term the knowledge base uses. Text is lower-cased before this runs.

Both are static word lists rather than knowledge/ entries: they are about how people
type, not about the zone, and they must be the same in training and at run time."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Tuple

# The names whose misspellings are corrected, longest first so 综合保税区 wins over 保税区.
SOUND_CORRECTED_NAMES = (
    "综合保税区",
    "经济技术开发区",
    "湘潭经开区",
    "经开区",
    "综保区",
    "湘潭",
    "九华",
    "机场",
    "高铁",
    "蓝思",
    "厂房",
    "长沙",
    "株洲",
)
# A name this long typed with one wrong character of another sound (桑屯新能源) is still
# that name. Shorter names are too close to ordinary words (长沙机场 / 长沙市场), the
# last character names the kind of thing (附小 / 附中), and the first is often a level or
# a place that makes it another thing (国家级企业技术中心 is not 省级企业技术中心), so
# those two must be right.
MIN_LENGTH_FOR_ONE_WRONG_CHARACTER = 5

# English (lower-case) -> the knowledge base's word. Multi-word phrases first.
ENGLISH_TERMS: Tuple[Tuple[str, str], ...] = (
    ("foreign direct investment", "直接到位外资"),
    ("fdi inflow", "直接到位外资"),
    ("fdi", "直接到位外资"),
    ("gdp growth", "地区生产总值增长"),
    ("gdp", "地区生产总值"),
    ("industrial output", "工业总产值"),
    ("gross output", "工业总产值"),
    ("fixed asset investment", "固定资产投资"),
    ("fixed-asset investment", "固定资产投资"),
    ("fai", "固定资产投资"),
    ("tax revenue", "财税收入"),
    ("fiscal revenue", "财税收入"),
    ("value added", "增加值"),
    ("domestic investment", "实际到位内资"),
    ("domestic capital", "实际到位内资"),
    ("growth rate", "增长率"),
    ("yoy", "同比"),
    ("y/y", "同比"),
    ("growth", "增长"),
    ("electric vehicle", "新能源汽车"),
    ("new energy vehicle", "新能源汽车"),
    ("nev", "新能源汽车"),
    ("ev", "新能源汽车"),
    ("auto parts", "汽车零部件"),
    ("automotive", "汽车"),
    ("auto", "汽车"),
    ("oem", "整车"),
    ("r&d center", "研发中心"),
    ("r&d centre", "研发中心"),
    ("r&d", "研发"),
    ("rd center", "研发中心"),
    ("fortune global 500", "世界500强"),
    ("fortune 500", "世界500强"),
    ("global 500", "世界500强"),
    ("ipo", "上市"),
    ("listed company", "上市公司"),
    ("listed companies", "上市公司"),
    ("have someone contact me", "请联系我"),
    ("contact me", "联系我"),
    ("call me", "给我回电"),
    ("build a plant", "建厂"),
    ("building a plant", "建厂"),
    ("set up a plant", "建厂"),
    ("set up a factory", "建厂"),
    ("factory", "工厂"),
    ("plant", "工厂"),
    ("tax rate", "税率"),
    ("income tax", "所得税"),
    ("vat", "增值税"),
    ("one-stop service", "一站式服务"),
    ("one-stop", "一站式"),
    ("one stop", "一站式"),
    ("international school", "国际学校"),
    ("high-speed rail", "高铁"),
    ("high speed rail", "高铁"),
    ("hsr", "高铁"),
    ("bonded zone", "综保区"),
    ("free trade zone", "自贸区"),
    ("ftz", "自贸区"),
    ("overseas warehouse", "海外仓"),
    ("airport", "机场"),
    ("railway", "铁路"),
    ("highway", "高速"),
    ("land price", "地价"),
    ("electricity price", "电价"),
    ("power price", "电价"),
    ("electricity", "电价"),
    ("water price", "水价"),
    ("salary", "工资"),
    ("salaries", "工资"),
    ("wages", "工资"),
    ("wage", "工资"),
    ("rent", "租金"),
    ("subsidies", "补贴"),
    ("subsidy", "补贴"),
    ("incentives", "优惠政策"),
    ("incentive", "优惠政策"),
    ("tax", "税收"),
    ("talent", "人才"),
    ("ranking", "排名"),
    ("population", "人口"),
    ("hospital", "医院"),
    ("logistics", "物流"),
    ("due diligence", "尽调"),
    ("cost", "成本"),
    ("policy", "政策"),
    ("policies", "政策"),
    ("semiconductor", "半导体"),
    ("medical device", "医疗器械"),
    ("medical devices", "医疗器械"),
    ("smart manufacturing", "智能制造"),
    ("contact", "联系方式"),
    ("hotline", "电话"),
    ("students", "学生"),
    ("student", "学生"),
    ("university", "大学"),
    ("universities", "高校"),
    ("college", "院校"),
    ("school", "学校"),
    ("schools", "学校"),
    ("park", "公园"),
    ("port", "港口"),
    ("approval", "审批"),
    ("data", "数据"),
    ("spirit", "精神"),
    ("area", "面积"),
    ("workers", "工人"),
    ("skilled workers", "技工"),
    ("lens", "蓝思"),
    ("geely", "吉利"),
    ("magna", "麦格纳"),
    ("schaeffler", "舍弗勒"),
)

# Regional wording (after OpenCC t2s) -> the knowledge base's word.
REGIONAL_VARIANTS: Tuple[Tuple[str, str], ...] = (
    ("年增率", "同比增长率"),
    ("年增长率", "同比增长率"),
    ("成长率", "增长率"),
    ("年成长", "同比增长"),
    ("招商窗口", "招商人员"),
    ("捷运", "地铁"),
    ("育成中心", "孵化器"),
    ("新创公司", "初创企业"),
    ("新创", "初创"),
    # Cantonese words that are never Mandarin (after t2s)
    ("几耐", "多久"),
    ("有冇", "有没有"),
    ("系咪", "是不是"),
    ("边度", "哪里"),
    ("乜嘢", "什么"),
    ("排弟", "排第"),
    ("搞掂", "搞定"),
)

# Written Cantonese (Hong Kong and Guangdong investors), after t2s. Only in a message
# that is plainly Cantonese (CANTONESE_MARKERS): 系, 边, 呢个 and 倾 are also Mandarin.
CANTONESE_MARKERS = re.compile(
    "[喺嘅咩冇唔揾搵𠮶嗰攞咗啲哋佢睇乜嚟噉]|系(边|几|咩|乜|唔|咪|度)|我系|边(条|年|个|间|位|度|啲|样)|几多|几耐|而家|定系"
)
CANTONESE_WORDS: Tuple[Tuple[str, str], ...] = (  # in this order: 好啲 before 啲
    ("屋企", "家"),
    ("好啲", "好"),
    ("系唔系", "是不是"),
    ("系咪", "是不是"),
    ("有冇", "有没有"),
    ("冇", "没有"),
    ("得唔得", "可不可以"),
    ("使唔使", "需不需要"),
    ("唔该", "谢谢"),
    ("唔", "不"),
    ("几多", "多少"),
    ("几耐", "多久"),
    ("几时", "什么时候"),
    ("边度", "哪里"),
    ("边个", "哪个"),
    ("边间", "哪家"),
    ("边啲", "哪些"),
    ("乜嘢", "什么"),
    ("咩", "什么"),
    ("乜", "什么"),
    ("嘅", "的"),
    ("喺", "在"),
    ("揾", "找"),
    ("搵", "找"),
    ("𠮶个", "那个"),
    ("𠮶啲", "那些"),
    ("𠮶", "那"),
    ("嗰", "那"),
    ("呢个", "这个"),
    ("呢啲", "这些"),
    ("呢度", "这里"),
    ("啲", "些"),
    ("攞", "拿"),
    ("咗", "了"),
    ("佢哋", "他们"),
    ("我哋", "我们"),
    ("你哋", "你们"),
    ("佢", "它"),
    ("睇", "看"),
    ("咁", "这么"),
    ("俾", "给"),
    ("畀", "给"),
    ("倾", "聊"),
    ("嚟", "来"),
    ("噉", "这样"),
    ("而家", "现在"),
    ("定系", "还是"),
)
# 边 and 系 as Cantonese 哪 and 是, but not inside 那边/旁边 or 关系/体系/系统.
_CANTONESE_BIAN = re.compile(r"(?<![那这旁身周两左右东西南北海江河外里上下前后半无天])边")
_CANTONESE_HAI = re.compile(r"(?<![关体联维派直水星院科母谱世一])系(?![统列数])")

_ASCII_WORD_EDGE = r"(?<![a-z0-9&])({})(?![a-z0-9&])"


@lru_cache(maxsize=1)
def _english_pattern() -> Tuple[re.Pattern, dict]:
    terms = dict(ENGLISH_TERMS)
    ordered = sorted(terms, key=len, reverse=True)
    alternatives = "|".join(re.escape(term).replace(r"\ ", r"[\s_-]*") for term in ordered)
    return re.compile(_ASCII_WORD_EDGE.format(alternatives)), {re.sub(r"[\s_-]+", " ", k): v for k, v in terms.items()}


def fold_english(text: str) -> str:
    """English terms (already lower-case) replaced by the knowledge base's Chinese word."""
    if not re.search(r"[a-z]", text):
        return text
    pattern, terms = _english_pattern()

    def replace(match: re.Match) -> str:
        key = re.sub(r"[\s_-]+", " ", match.group(1))
        word = terms.get(key, terms.get(key.replace(" ", "-"), match.group(1)))
        # "IPO上市公司": the Chinese word follows already; do not say it twice.
        return "" if match.string.startswith(word, match.end()) else word

    return pattern.sub(replace, text)


@lru_cache(maxsize=8)
def _name_sounds(extra_names: Tuple[str, ...] = ()) -> Dict[str, List[Tuple[str, Tuple[str, ...]]]]:
    """Names by their first syllable, longest first: (name, syllables)."""
    from pypinyin import lazy_pinyin  # lazy: its dictionaries take a moment to load

    names = sorted(set(SOUND_CORRECTED_NAMES) | {n for n in extra_names if len(n) >= 3}, key=len, reverse=True)
    index: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {}
    for name in names:
        sound = tuple(lazy_pinyin(char)[0] for char in name)  # per character, as the text is read
        index.setdefault(sound[0], []).append((name, sound))
    return index


def fold_zone_name_typos(text: str, extra_names: Tuple[str, ...] = ()) -> str:
    """湘谭经开去 -> 湘潭经开区, 桑顿新能原 -> 桑顿新能源: same sound as one of the names
    (the zone's own, plus `extra_names` of three or more characters, e.g. the knowledge
    base's dictionary), with at least one character right."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    from pypinyin import lazy_pinyin

    by_first_sound = _name_sounds(extra_names)
    chars = list(text)
    # One syllable per character (non-Chinese characters keep themselves).
    sounds = [lazy_pinyin(char)[0] if "\u4e00" <= char <= "\u9fff" else char for char in chars]
    index = 0
    while index < len(chars):
        for name, name_sound in by_first_sound.get(sounds[index], ()):
            end = index + len(name)
            if end > len(chars):
                continue
            window = "".join(chars[index:end])
            if window == name or tuple(sounds[index:end]) != name_sound:
                continue
            if any(a == b for a, b in zip(window, name)):
                chars[index:end] = list(name)
                sounds[index:end] = list(name_sound)
                index = end - 1
                break
        index += 1
    return "".join(chars)


def fold_cantonese(text: str) -> str:
    """喺咩位置 -> 在什么位置, 湘潭北站系边条线 -> 湘潭北站是哪条线 (only Cantonese text)."""
    if not CANTONESE_MARKERS.search(text):
        return text
    for word, mandarin in CANTONESE_WORDS:
        if word in text:
            text = text.replace(word, mandarin)
    return _CANTONESE_HAI.sub("是", _CANTONESE_BIAN.sub("哪", text))


@lru_cache(maxsize=8)
def _one_wrong_index(names: Tuple[str, ...]) -> Dict[str, str]:
    """Each long name with one inner character masked (not the first, not the last) ->
    the name; a mask that two names share is ambiguous and dropped."""
    index: Dict[str, str] = {}
    ambiguous = set()
    for name in set(names):
        if len(name) < MIN_LENGTH_FOR_ONE_WRONG_CHARACTER or not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        for position in range(1, len(name) - 1):
            key = name[:position] + "?" + name[position + 1 :]
            if index.get(key, name) != name:
                ambiguous.add(key)
            index[key] = name
    for key in ambiguous:
        del index[key]
    return index


def fold_one_wrong_character(text: str, names: Tuple[str, ...]) -> str:
    """桑屯新能源 -> 桑顿新能源: a long dictionary name with one wrong character."""
    index = _one_wrong_index(names)
    if not index:
        return text
    known = set(names)
    lengths = sorted({len(name) for name in index.values()}, reverse=True)
    chars = list(text)
    start = 0
    while start < len(chars):
        for length in lengths:
            window = "".join(chars[start : start + length])
            if len(window) < length or window in known or not all("\u4e00" <= c <= "\u9fff" for c in window):
                continue
            found = {index.get(window[:p] + "?" + window[p + 1 :]) for p in range(1, length - 1)} - {None}
            if len(found) == 1:
                chars[start : start + length] = list(found.pop())
                start += length - 1
                break
        start += 1
    return "".join(chars)


def fold_regional(text: str) -> str:
    for variant, canonical in REGIONAL_VARIANTS:
        if variant in text:
            text = text.replace(variant, canonical)
    return fold_cantonese(text)


def fold(text: str, extra_names: Tuple[str, ...] = ()) -> str:
    """All three folds, in the order normalisation needs them."""
    folded = fold_zone_name_typos(fold_regional(fold_english(text)), extra_names)
    return fold_one_wrong_character(folded, tuple(SOUND_CORRECTED_NAMES) + tuple(extra_names))
