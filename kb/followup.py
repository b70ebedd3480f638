"""Follow-up questions resolved against what the last answer was about.

After an answer, investors ask about it rather than repeat it: "第三个呢" (an item of the
list just given), "数据是哪年的" / "单位呢" / "哪来的数据" (its period, unit, source),
"比去年涨了多少" (a comparison), "那省内呢" / "那学生呢" (another part of the same
answer), "它投产了没" (something the answer named). The conversation keeps only which
entry was answered (`Context`, stored in the `answer_context` slot); everything else is
re-read from the live knowledge base, so a staff edit is reflected at once.

Every reply here quotes the knowledge base: an item, a clause of the answer, a figure
with its period and source, or an honest "the source does not say" with the staff offer.
Nothing is computed from two figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, List, Optional, Sequence, Tuple

from kb import quantity
from kb.answers import other_year
from kb.model import FaqEntry, Figure, KnowledgeBase
from kb.render import figure_value, render_answer, render_figure, render_growth, source_line

KIND_FAQ, KIND_FIGURE, KIND_REFUSAL = "faq", "figure", "refusal"  # refusal: the last reply declined
# How a follow-up was resolved: an item of a list, a fact about the answer (period, unit,
# source, growth, another year), or another clause of the same answer.
RESOLVED_ITEM, RESOLVED_META, RESOLVED_CLAUSE = "item", "meta", "clause"

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ORDINAL = re.compile(
    r"倒数第(?P<back>[一二两三四五\d])|第(?P<n>[一二两三四五六七八九十\d]{1,2})(?![\d一二三四五六七八九十]*[位名年月日天号])"
    r"|(?P<first>头一?|首|开头的?)(个|条|项|点|家|所|句|种|句话|位)|(?P<last>最后|末尾|末)(一|那)?(个|条|项|点|家|所|句|种|位)?"
)
POINTING = re.compile(
    r"它|它们|这个|那个|这[两几三四五][家个条项所位]|那[两几三四五][家个条项所位]|这家|那家|这些|那些|这所|那所|这项|其中|上面|刚才|前面|你说的|该(公司|企业|项目|园区)|这是|那是|这里面"
)
_ELLIPSIS = re.compile(r"^(那|那么|还有|另外|再问|然后|那要是|那如果)|(呢|咧|捏|嘞)$")
PERIOD_ASK = re.compile(
    r"(什么|啥|哪个|哪一?)(时候|时间|年份?|阶段|期间|月份?)|哪年|几月|几年的|统计(时间|口径|期|区间)|口径|截至|截止|"
    r"时效|最新|全年|多久以前|时间段|哪段|什么期间|何时|今年的|去年的|是.{0,3}年的"
)
UNIT_ASK = re.compile(r"单位|(亿|万)(元|美元|人民币)?还是|是(人民币|美元|美金)吗?|什么货币|币种")
SOURCE_ASK = re.compile(
    r"来源|出处|哪来|哪里来|从哪(来|得|里来|拿)|依据|根据(什么|啥|哪)|权威|官方(数据|发布|的)?吗|可靠|准确吗|准不准|靠谱|谁(发布|统计|公布)|哪个部门(发布|统计)"
)
GROWTH_ASK = re.compile(
    r"同比|比去年|比上年|较上年|去年同期|增长|增速|增幅|涨|年增|成长|上升|下降|降了|变化|多了多少|少了多少"
)
# Characters that carry no content in a follow-up ("那它的呢", "是多少啊").
_STOP_CHARS = set(
    "那么呢吗吧啊呀哦嘛呗的了是有在和与及或就都也还又这个它们其请问下一些想要能可以怎么样什么哪些里多少几啥咋么儿地得着过给让把被对从到为于以之该等中上吗呢嘞咧捏说讲看知道告诉你我您他她具体详细一点再问具呢不否"
)
_NAME_WORDS = r"叫啥|叫什么|名字|全名|名称|哪个名"
_NAME_ASK = re.compile(_NAME_WORDS)
# Question words that point to what a clause says ("多远" -> a distance clause).
_QUESTION_HINTS = (
    # First: stripping "多大" alone would leave 进/船 of "能进多大吨位的船" as content.
    # "能进多大吨位的船": the clause with the tonnage (千吨级).
    (re.compile(r"(能|可以)?(进|走|通|过|跑)?(多大|多少|几)(吨位|吨)(的)?(船|货轮|货船)?|吨位"), ("吨",)),
    (re.compile(r"多远|远不远|距离|多久|多长时间|几分钟|几个?小时|几个钟"), ("距", "分钟", "小时", "车程", "公里")),
    (
        re.compile(
            r"哪年|什么时候|啥时候|何时|几几年|哪一年|成立多久|建了多久|多少年了|几年了|(成立|始建|建立|设立|获批)(于|的)?(时间|多久|多少年)"
        ),
        ("年",),
    ),
    # "比上次升了还是降了": the clause that says which way it moved.
    (
        re.compile(
            r"比(上次|上一次|上年|上一年|前一年|去年|以前|之前|往年)|(升|降|涨|跌)了?还是(升|降|涨|跌)了?|进步了?|退步了?|上升了?|下降了?"
        ),
        ("上升", "下降", "提升", "提高", "跃升", "下滑", "增长"),
    ),
    (
        re.compile(r"哪些国家|哪国|哪个国家|什么国家|外国|国外|海外哪"),
        (
            "美国",
            "德国",
            "日本",
            "韩国",
            "英国",
            "法国",
            "加拿大",
            "意大利",
            "新加坡",
            "东南亚",
            "欧洲",
            "美洲",
            "非洲",
        ),
    ),
    (re.compile(r"多大|面积|大不大|算大|大吗|大的"), ("面积", "最大", "平方公里")),
    (
        re.compile(r"谁|哪家|哪个单位|哪些单位|哪个部门"),
        ("集团", "公司", "企业", "大师", "单位", "与", "携手", "政府", "批准", "获批", "国务院", "部门"),
    ),
    # "它在全市算啥水平": the clause that ranks it (全市最大, 省内第二, 50强).
    (
        re.compile(r"(算)?(啥|什么|哪个|怎样的)水平|(算)?什么档次|算(大|强)吗|算不算(大|强)"),
        ("最大", "第", "强", "领先", "唯一", "首", "最"),
    ),
    # "目标做到多大": the clause that says what the zone sets out to become.
    (
        re.compile(r"目标|愿景|打算做|要做到|做到多大|做多大|想做成|发展方向"),
        ("打造", "目标", "力争", "建成", "成为", "建设"),
    ),
    # "一共多少家参评": asks for the total; the clause with the count answers it.
    (re.compile(r"一共|总共|共有|合计|总计"), ()),
    (re.compile(r"几[家个所条位项名](?!小时|钟|月)|多少[家个所条位项名]"), ("家", "个", "所", "条", "位", "项", "名")),
    # "这个主要针对哪类企业": the clause that says which kind (中小微企业).
    (re.compile(r"(主要)?(针对|面向|适用于?|适合)(哪类|哪些|什么|哪种)(样的)?"), ("企业", "中小", "面向", "针对")),
    # A name is answered by the clause that names the thing (九华特色体育小镇), quoted or not.
    (re.compile(_NAME_WORDS), ()),
)
# The same place at another level, so "省里呢" finds the clause that says 省内.
_SCOPE_WORDS = (("省里", "省内"), ("全省", "省"), ("湖南", "省"), ("全国", "国家"), ("国内", "国家"), ("市里", "市"))
MIN_CLAUSE_COVERAGE = 0.5


@dataclass(frozen=True)
class Context:
    """What the last answer was about: an FAQ entry or a figure, and the question asked."""

    kind: str
    id: str
    question: str = ""
    clause: str = ""  # the part of the entry the last reply quoted, when it was one part

    def to_slot(self) -> dict:
        return {"kind": self.kind, "id": self.id, "question": self.question[:200], "clause": self.clause[:300]}

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Context"]:
        if not isinstance(value, dict) or value.get("kind") not in (KIND_FAQ, KIND_FIGURE, KIND_REFUSAL):
            return None
        if not isinstance(value.get("id"), str):
            return None
        return cls(value["kind"], value["id"], str(value.get("question") or ""), str(value.get("clause") or ""))


@dataclass(frozen=True)
class Resolved:
    """A follow-up answer: its texts, whether to offer staff, and the context after it."""

    texts: Tuple[str, ...]
    context: Context
    offer_staff: bool = False
    figure: Optional[Figure] = None
    kind: str = RESOLVED_META
    unstated: bool = False  # "the answer does not say": another entry may (resolve_elsewhere)


# --- reading the last answer ----------------------------------------------------------


def answer_body(knowledge: KnowledgeBase, entry: FaqEntry) -> str:
    """The rendered answer without its source line."""
    return render_answer(knowledge, entry).rsplit("\n", 1)[0].strip()


def clauses(body: str) -> List[str]:
    """Sentences and list lines of an answer, without bullets."""
    parts = []
    for line in body.splitlines():
        line = re.sub(r"^\s*[-•·]\s*", "", line).strip()
        for part in re.split(r"(?<=[。；;！？])", line):
            part = part.strip().rstrip("；;")
            if len(part) >= 3:
                parts.append(part)
    return parts


def _bullets(body: str) -> List[str]:
    return [
        re.sub(r"^\s*[-•·]\s*", "", line).strip().rstrip("；;。")
        for line in body.splitlines()
        if re.match(r"^\s*[-•·]\s*\S", line)
    ]


_ENUMERATION = re.compile(r"((?:[^、，,。；：:\n]{1,30}、)+[^、，,。；：:\n]{1,30})")
_LEAD_IN = re.compile(
    r"^.*(?:入驻了|引进了|拿下|包括|以及|企业|形成了从|形成|携手|推进|有|是|为|如|以)(?=[^了有是为如以]{2,}$)"
)
_TAIL = re.compile(r"(等|[一二三四五六七八九十\d]+(?:项|个|家|所|条|大)).*$")


def _clean_item(item: str, first: bool, last: bool) -> str:
    item = item.strip()
    if first:
        match = re.search(r"[“《]", item)
        item = item[match.start() :] if match and item.count("“") <= 1 and "”" not in item[match.start() :] else item
        item = _LEAD_IN.sub("", item) if len(item) > 4 else item
    if last:
        item = _TAIL.sub("", item)
        if len(item) > 6:  # "桑顿新能源为龙头的汽车及零部件产业集群" -> 桑顿新能源
            item = re.sub(r"(为|的|在).*$", "", item) or item
        item = re.sub(r"”.*$", "", item) if item.count("“") == 0 else item
    item = item.strip("《》\"' ")
    if item.startswith("“") and "”" not in item:
        item = item[1:]
    if item.endswith("”") and "“" not in item:
        item = item[:-1]
    if item.count("“") > item.count("”"):
        item += "”"  # 信访“三无 -> 信访“三无”
    return item.strip() or item


def enumerations(body: str) -> List[Tuple[List[str], str]]:
    """Each 、-separated list in the answer, with the text around it (to pick the list
    a follow-up means: "第二个新区" is in the list followed by 四个新区)."""
    found = []
    body = "\n".join(re.sub(r"^\s*[-•·]\s*", "", line) for line in body.splitlines())
    for match in _ENUMERATION.finditer(body):
        raw = match.group(1).split("、")
        # A quoted list ends at its closing quote: “A、B、C”四个新区开好局、起好步.
        if raw[0].count("“") > raw[0].count("”"):
            for index, item in enumerate(raw):
                if "”" in item:
                    raw = raw[:index] + [item.split("”", 1)[0]]
                    break
        items = [_clean_item(item, i == 0, i == len(raw) - 1) for i, item in enumerate(raw)]
        items = [item for item in items if item]
        if len(items) >= 2:
            # What surrounds the list within its own sentence ("拿下“三块牌子”：…").
            before = re.split(r"[，,；;。\n]", body[max(0, match.start() - 12) : match.start()])[-1]
            after = re.split(r"[，,；;。\n]", body[match.end() : match.end() + 12])[0]
            found.append((items, before + match.group(1) + after))
    # Quoted names in a row: “百企扶培”“四员五联”“三个专员”.
    for match in re.finditer(r"(?:“[^“”]{2,12}”){2,}", body):
        items = re.findall(r"“([^“”]{2,12})”", match.group(0))
        found.append((items, body[max(0, match.start() - 12) : match.end() + 12]))
    return found


def _count_in(text: str) -> Optional[int]:
    match = re.search(r"([一二两三四五六七八九十]|\d{1,2})[个条项家所块种大]", text)
    if not match:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _CN_DIGITS.get(token)


def list_items(body: str, hint: Tuple[str, str]) -> List[str]:
    """The list a follow-up's ordinal refers to: the bullet list, or the 、-list whose
    surroundings best match what was asked (`hint`: the question and the follow-up)."""
    candidates: List[Tuple[List[str], str]] = []
    bullets = _bullets(body)
    if len(bullets) >= 2:
        # Bullets "汽车：..." are judged by their heads, so a list inside one bullet
        # (the 500强 names) can win when the question is about it.
        headed = all("：" in item for item in bullets)
        judged = [item.split("：", 1)[0] for item in bullets] if headed else bullets
        candidates.append((bullets, "" if headed else "\n".join(judged)[:60]))
    plain_bullets = [item for item in bullets if "：" not in item] if len(bullets) >= 2 else []
    for items, around in enumerations(body):
        # A pair inside an unheaded bullet ("马上就办、雷厉风行的服务精神") is part of one
        # item, not a list of its own.
        if any(item in bullet for bullet in plain_bullets for item in items[:1]) and len(items) <= 2:
            continue
        candidates.append((items, around))
    if not candidates:
        return []
    asked, followed = hint
    # "第二家" is a position, not a count: only "哪三块" / "四个新区" say how long the list is.
    count = _count_in(_ORDINAL.sub("", followed)) or _count_in(_ORDINAL.sub("", asked))

    def overlap(text: str, items: List[str], around: str) -> int:
        """Pairs of the question's characters found around or in the list ("三块牌子")."""
        if items is bullets and all("：" in item for item in bullets):
            items = [item.split("：", 1)[0] for item in bullets]
        chars = _content_chars(text)
        joined = around + "|" + "|".join(items)
        return sum(1 for a, b in zip(chars, chars[1:]) if a + b in joined)

    classifier = re.search(r"第[一二两三四五六七八九十\d]{1,2}([块家所条项个种位])", followed)

    def score(candidate: Tuple[List[str], str]) -> Tuple[float, int]:
        items, around = candidate
        if classifier and classifier.group(1) not in "个项条" and classifier.group(1) in around:
            return (
                overlap(followed, items, around)
                + overlap(asked, items, around)
                + 10
                + (3 if count and count == len(items) else 0),
                -candidates.index(candidate),
            )
        # The follow-up's own words count double: "五年行动第三个" names its list.
        total = 2 * overlap(followed, items, around) + overlap(asked, items, around)
        if len(items) == 2:
            total -= 0.5  # a pair wins only when the question points at it ("龙头")
        return (total + (3 if count and count == len(items) else 0), -candidates.index(candidate))

    return max(candidates, key=score)[0]


def ordinal(text: str) -> Optional[int]:
    """1-based position (negative from the end), or None."""
    match = _ORDINAL.search(text)
    if not match:
        return None
    if match.group("back"):
        token = match.group("back")
        return -(int(token) if token.isdigit() else _CN_DIGITS[token])
    if match.group("n"):
        token = match.group("n")
        if token.isdigit():
            return int(token)
        if len(token) == 2 and token[0] == "十":
            return 10 + _CN_DIGITS.get(token[1], 0)
        return _CN_DIGITS.get(token[0])
    if match.group("first"):
        return 1
    return -1


def _content_chars(text: str) -> List[str]:
    text = POINTING.sub("", text)  # "这两家算龙头吗": 两家 points back, it is not content
    for variant, canonical in _SCOPE_WORDS:
        text = text.replace(variant, canonical)
    return [char for char in text if (("\u4e00" <= char <= "\u9fff") or char.isalnum()) and char not in _STOP_CHARS]


def content_chars(text: str) -> List[str]:
    """The characters of a message that carry content (question words and particles out)."""
    return _content_chars(text)


def best_clause(parts: Sequence[str], text: str) -> Optional[str]:
    """The clause that covers most of the follow-up's content characters (ties: first)."""
    return scored_clause(parts, text)[0]


def scored_clause(parts: Sequence[str], text: str, bonus: bool = True) -> Tuple[Optional[str], float]:
    """best_clause with its score (0 when none matches); `bonus` adds the preference for
    list lines that start with the asked word."""
    hints = [word for pattern, words in _QUESTION_HINTS if pattern.search(text) for word in words]
    asked = re.sub(_ORDINAL, "", text)
    for pattern, _ in _QUESTION_HINTS:  # "全名叫啥": the question words are not content
        asked = pattern.sub("", asked)
    wanted = _content_chars(asked)
    if not wanted and not hints:
        return None, 0.0
    best, best_score = None, 0.0
    for part in parts:
        covered = sum(1 for char in wanted if char in part) / len(wanted) if wanted else 0.0
        bigrams = sum(1 for a, b in zip(wanted, wanted[1:]) if a + b in part)
        hinted = any(word in part for word in hints)
        # One character in common is chance ("高速" vs 高铁): two in a row, all of them,
        # or one plus the kind of fact asked for (多远 -> 分钟) is a match.
        # Two of three characters found apart ("全省头一批" in 全省率先建立首批) is no chance either.
        matched = (
            (bigrams > 0 and covered >= MIN_CLAUSE_COVERAGE)
            or covered == 1.0
            or (hinted and (covered >= MIN_CLAUSE_COVERAGE or len(wanted) == 1))
            or (len(wanted) >= 3 and covered >= 2 / 3)
        )
        if wanted and not matched:
            continue
        if hints and not hinted:
            continue  # "谁在开发": a clause about 开发 that names nobody does not answer it
        score = covered + 0.3 * bigrams + (0.4 if hinted else 0.0)
        head = part.split("：", 1)[0] if "：" in part[:8] else ""
        if _NAME_ASK.search(text) and len(wanted) >= 2 and wanted[-2] + wanted[-1] in part:
            score += 0.5  # "那个运动小镇叫什么": the clause that names a 小镇
        if bonus and head and any(char in head for char in wanted):
            score += 0.5  # "水运：河西中心港…" answers "水运呢" better than the overview line
        if part.endswith("：") or part.endswith(":"):
            score -= 0.5  # a line that only introduces a list
        if score > best_score:
            best, best_score = part, score
    return best, best_score


# --- what kind of follow-up -----------------------------------------------------------

_OVERVIEW_ASK = re.compile(
    r"(有)?(啥|什么)?(特别|特殊|不一样|不同)的?(地方|之处)|特别之处|特色|特点|优势|亮点|怎么样|咋样|如何|介绍一下|介绍下|详细说说|具体说说|有什么用|干什么的|做什么的"
)
_YES_NO = re.compile(r"(吗|么|没|不|没有)[?？]?$")
_YES_NO_ABOUT = re.compile(r"^(它|这|那|这个|那个)?(是|算|属于|有)[\u4e00-\u9fff]{1,8}(吗|么|没有?)[?？]?$")
# "一共多少家参评", "国家级的有几个": a part or the total of what was just said.
_PART_OR_TOTAL = re.compile(r"一共|总共|共有|合计|总计|^[\u4e00-\u9fff]{1,4}的(有|是|呢)")
_GENERIC_RUNS = ("湘潭经开区", "经开区", "湘潭", "九华", "园区", "国家级", "全国", "全省", "发展", "建设")


def _shares_a_phrase(text: str, body: str) -> bool:
    """Three characters in a row of the message appear in the last answer ("到北上广要多久"
    after the railway answer that names 北上广), zone names aside."""
    for generic in _GENERIC_RUNS:
        text = text.replace(generic, " ")
    return any(
        text[i : i + 3] in body for i in range(len(text) - 2) if all("\u4e00" <= c <= "\u9fff" for c in text[i : i + 3])
    )


_EITHER_OR = re.compile(r"([\u4e00-\u9fff]{1,8}?)(?:的)?还是([\u4e00-\u9fff]{1,8})")
_OPTION_NOISE = re.compile(r"^(这个|这些|这是|那个|它|是|这|那)|(的|呢|吗|级的|的数|的数据|数据|试点)$")
_OPTION_KEYS = (
    ("国家级", "国家"),
    ("全国", "全国"),
    ("省级", "省"),
    ("省里", "省"),
    ("全省", "省"),
    ("省内", "省"),
    ("市级", "市"),
    ("全市", "全市"),
    ("湘潭市", "湘潭市"),
)


def _either_or(parts: Sequence[str], text: str, subject: Optional[str] = None) -> Optional[str]:
    """ "它是省级的还是国家级的": the clause that says which (信用园区 is a 全省 pilot); the
    clause about what was asked before (`subject`, the 医疗器械 line) is read first."""
    match = _EITHER_OR.search(text)
    if not match:
        return None
    if subject:
        parts = [subject] + [part for part in parts if part != subject]
    for option in match.groups():
        option = _OPTION_NOISE.sub("", _OPTION_NOISE.sub("", option))
        key = next((k for word, k in _OPTION_KEYS if word in option), option)
        if len(key) < 1:
            continue
        for part in parts:
            if key in part:
                return part
    return None


def bare_question(text: str) -> bool:
    """Only question words ("多远", "哪年的", "谁"): nothing to match but the kind of fact."""
    stripped = text
    for pattern, _ in _QUESTION_HINTS:
        stripped = pattern.sub("", stripped)
    return not _content_chars(_ORDINAL.sub("", stripped))


def looks_like_followup(text: str, body: str = "") -> bool:
    """A message that leans on the previous answer: an ordinal, a pointer (它/这个), an
    ellipsis (那X呢), a question about the period, unit, source or growth, a bare
    fragment, or a phrase taken from the answer itself."""
    return bool(
        ordinal(text) is not None
        or POINTING.search(text)
        or _ELLIPSIS.search(text)
        or PERIOD_ASK.search(text)
        or UNIT_ASK.search(text)
        or SOURCE_ASK.search(text)
        or GROWTH_ASK.search(text)
        or len(text) <= 6
        or (len(text) <= 9 and _YES_NO.search(text))
        or _PART_OR_TOTAL.search(text)
        or _DETAIL.search(text)
        or _EITHER_OR.search(text)
        or bare_question(text)
        or (body and _shares_a_phrase(text, body))
    )


def _figures_of(knowledge: KnowledgeBase, entry: FaqEntry) -> List[Figure]:
    from kb.loader import answer_placeholders

    seen, result = set(), []
    for figure_id, _ in answer_placeholders(entry.answer):
        if figure_id not in seen and figure_id in knowledge.figures:
            seen.add(figure_id)
            result.append(knowledge.figures[figure_id])
    return result


def _period_of(entry_or_figure) -> str:
    period = entry_or_figure.period
    return f"{period}年" if period.isdigit() else period


def _figure_followup(knowledge: KnowledgeBase, figure: Figure, text: str, context: Context) -> Optional[Resolved]:
    from kb.figures import find_figure_in_text

    named = find_figure_in_text(knowledge, text)
    if named is not None and named.id != figure.id:
        return None  # "那固投呢": a question about another figure, answered as such
    keep = Context(KIND_FIGURE, figure.id, context.question)
    sibling = _qualified_sibling(knowledge, figure, text) if named is None and _ELLIPSIS.search(text) else None
    if sibling is not None:  # "那规上的呢" after 工业总产值: 规模工业总产值
        return Resolved(
            (render_figure(knowledge, sibling),), Context(KIND_FIGURE, sibling.id, context.question), figure=sibling
        )
    source = source_line(knowledge, figure.source, figure.period)
    year = other_year(text, figure.period)
    if year:
        return Resolved(
            (
                knowledge.message("figure_other_period", name=figure.name, year=year, period=_period_of(figure)),
                render_figure(knowledge, figure),
            ),
            keep,
            offer_staff=True,
            figure=figure,
        )
    if UNIT_ASK.search(text):
        return Resolved(
            (
                knowledge.message("followup_unit", name=figure.name, unit=figure.unit, value=figure_value(figure)),
                source,
            ),
            keep,
            figure=figure,
        )
    if SOURCE_ASK.search(text):
        return Resolved((knowledge.message("followup_source", name=figure.name), source), keep, figure=figure)
    if PERIOD_ASK.search(text):
        return Resolved(
            (
                knowledge.message("followup_period", name=figure.name, period=_period_of(figure)),
                render_figure(knowledge, figure),
            ),
            keep,
            figure=figure,
        )
    if re.search(r"(19|20)\d\d", text) or re.search(r"^(那|那么)?(这个|那个)?(数|数据|数字)?(呢|是多少)?$", text):
        return Resolved((render_figure(knowledge, figure),), keep, figure=figure)  # "那2021年呢": the period it has
    if GROWTH_ASK.search(text):
        growth = render_growth(knowledge, figure)
        if growth is None:
            return Resolved(
                (knowledge.message("growth_missing", name=figure.name), render_figure(knowledge, figure)),
                keep,
                offer_staff=True,
                figure=figure,
            )
        return Resolved((growth,), keep, figure=figure)
    return None


def _qualified_sibling(knowledge: KnowledgeBase, figure: Figure, text: str) -> Optional[Figure]:
    """The figure named by the message's qualifier put before this figure's name: "规上的"
    or "规上工业" with 工业总产值 -> 规上工业总产值 (an alias of 规模工业总产值)."""
    from kb.figures import find_figure_in_text

    qualifier = _ELLIPSIS.sub("", text).strip().rstrip("的")
    if len(qualifier) < 2:
        return None
    for name in (figure.name,) + tuple(figure.aliases):
        overlaps = [k for k in range(1, len(name)) if qualifier.endswith(name[:k])]
        for candidate in [qualifier + name[k:] for k in overlaps] + [qualifier + name]:
            found = find_figure_in_text(knowledge, candidate)
            if found is not None and found.id != figure.id:
                return found
    return None


def _faq_followup(knowledge: KnowledgeBase, entry: FaqEntry, text: str, context: Context) -> Optional[Resolved]:
    body = answer_body(knowledge, entry)
    source = source_line(knowledge, entry.source, entry.period)
    keep = Context(KIND_FAQ, entry.id, context.question)
    position = ordinal(text)
    if position is not None:
        items = list_items(body, (context.question, text))
        rest = [char for char in _ORDINAL.sub("", text) if "\u4e00" <= char <= "\u9fff" and char not in _STOP_CHARS]
        pairs = [a + b for a, b in zip(rest, rest[1:])]
        if (
            items
            and len(rest) >= 2
            and not any(p in item for p in pairs for item in items)
            and any(p in body for p in pairs)
            and re.search(r"第[一二两三\d][张块次个批家]", text)
        ):
            items = []  # "湖南第一张许可是哪年" names a thing (首张许可), not a position in a list
        if items:
            # "最后一个小学": only the items that are 小学.
            rest = _content_chars(_ORDINAL.sub("", text))
            narrowed = [i for i in items if any(a + b in i for a, b in zip(rest, rest[1:]))]
            if narrowed and len(narrowed) < len(items):
                items = narrowed
            if abs(position) > len(items) or position == 0:
                return Resolved(
                    (
                        knowledge.message("followup_no_item", count=str(len(items))),
                        "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)),
                    ),
                    keep,
                )
            item = items[position - 1] if position > 0 else items[position]
            number = position if position > 0 else len(items) + position + 1
            said = knowledge.message("followup_item", number=str(number), item=item)
            asked = hints_of(without_ordinal(text), kinds=_FACT_KINDS)
            if asked and not any(word in item for word in asked):
                # "第三个是哪国的": the item, and that the source does not say more of it.
                return Resolved(
                    (said, knowledge.message("followup_not_stated", topic=f"“{item}”")),
                    Context(KIND_FAQ, entry.id, context.question, item),
                    offer_staff=True,
                    kind=RESOLVED_ITEM,
                )
            return Resolved((said, source), Context(KIND_FAQ, entry.id, context.question, item), kind=RESOLVED_ITEM)
    from kb.figures import find_figure_in_text

    named = find_figure_in_text(knowledge, text)
    if named is not None and (
        entry.no_published_figure or named.id not in [f.id for f in _figures_of(knowledge, entry)]
    ):
        return None  # "那在校生呢", "那工业总产值呢" after "no GDP": a figure of its own, answered as such
    if (
        entry.no_published_figure
        and named is None
        and (
            GROWTH_ASK.search(text)
            or re.search(r"多少|几[家个所条位项]", text)
            or (_ELLIPSIS.search(text) or POINTING.search(text))
            and not _content_chars(_ELLIPSIS.sub("", text))
        )
    ):
        # "GDP growth呢" after "no GDP figure": still none; say so again, with the offer.
        return Resolved((render_answer(knowledge, entry),), keep, offer_staff=True)
    if context.clause:  # the last reply was one item, e.g. 直接到位外资2690万美元
        item_figure = find_figure_in_text(knowledge, context.clause, kinds=("indicator", "fact"))
        if item_figure is not None:
            resolved = _figure_followup(
                knowledge, item_figure, text, Context(KIND_FIGURE, item_figure.id, context.question)
            )
            if resolved is not None and item_figure.kind != "indicator":
                # "哪年的评价" about the ranking line: the conversation stays on that line of
                # the entry, so "一共多少家参评" next is read against it too.
                return replace(resolved, context=context)
            if resolved is not None:
                return resolved
    figures = _figures_of(knowledge, entry)
    year = other_year(text, entry.period)
    if year and (figures or GROWTH_ASK.search(text)):
        return Resolved(
            (knowledge.message("faq_other_period", year=year, period=_period_of(entry)), body + "\n" + source),
            keep,
            offer_staff=True,
        )
    if SOURCE_ASK.search(text):
        return Resolved((knowledge.message("followup_source", name=entry.question.rstrip("？?")), source), keep)
    if UNIT_ASK.search(text) and figures:
        units = "；".join(f"{f.name}：{figure_value(f)}" for f in figures)
        return Resolved((knowledge.message("followup_units", units=units), source), keep)
    which = _WHICH_N.search(text)
    if which:  # "五好具体是哪五好": a list of that length, or the source does not list them
        token = which.group(1)
        wanted_count = int(token) if token.isdigit() else _CN_DIGITS.get(token)
        matching = lists_of_length(body, wanted_count, which.group(2))
        if not matching:
            return Resolved(
                (knowledge.message("followup_not_stated", topic=topic_of(knowledge, context)),),
                keep,
                offer_staff=True,
                unstated=True,
            )
    # The line of the answer about what the investor asked ("有医疗器械园吗" -> the
    # 医疗器械 line), which a yes-or-no or either-or follow-up is about.
    subject = None if context.clause else best_clause(clauses(body), context.question)
    choice = _either_or(clauses(body), text, subject)
    if choice:  # an explicit choice between two answers: not another entry's question
        return Resolved((choice + "\n" + source,), Context(KIND_FAQ, entry.id, context.question, choice))
    if _NAME_ASK.search(text) and bare_question(text) and (context.clause or subject):
        # "它全名叫啥" after "科创走廊多长": the line that names what was asked about.
        named_in = context.clause or subject
        return Resolved((named_in + "\n" + source,), Context(KIND_FAQ, entry.id, context.question, named_in))
    if subject and _YES_NO_ABOUT.search(text) and any(char in subject for char in _content_chars(text)):
        # "是省里挂牌的吗" after "有医疗器械产业园吗": 做实做强湖南省医疗器械产业园.
        return Resolved((subject + "\n" + source,), Context(KIND_FAQ, entry.id, context.question, subject))
    if (
        context.clause
        and bare_question(text)
        and any(word in context.clause for pattern, words in _QUESTION_HINTS if pattern.search(text) for word in words)
    ):
        # "多远" right after "机场呢" (answered by the airport line): about that line.
        return Resolved((context.clause + "\n" + source,), context, kind=RESOLVED_CLAUSE)
    clause = best_clause(clauses(body), text)
    if (
        clause
        and context.clause
        and context.clause != clause
        and scored_clause([context.clause], text)[1] >= scored_clause([clause], text)[1]
    ):
        clause = context.clause  # "投产了没" after the 江麓重工 line: that line, not the first that says 投产
    if clause:
        # The question narrows what the conversation is about ("四个新区是哪四个" then "第二个").
        narrowed = Context(KIND_FAQ, entry.id, (context.question + " " + text)[-200:], clause)
        if not quantity.answer_states(text, clause):  # "走廊里有多少家科研院所": named, not counted
            return Resolved(
                (knowledge.message("followup_not_stated", topic=f"“{clause[:20]}”"), clause + "\n" + source),
                narrowed,
                offer_staff=True,
                kind=RESOLVED_CLAUSE,
                unstated=True,
            )
        return Resolved((clause + "\n" + source,), narrowed, kind=RESOLVED_CLAUSE)
    if PERIOD_ASK.search(text) and (figures or not POINTING.search(text)):
        # With words of its own ("增量配电改革是哪一年成为试点的"), another entry may say when.
        return Resolved(
            (knowledge.message("followup_period", name=entry.question.rstrip("？?"), period=_period_of(entry)), source),
            keep,
            unstated=not bare_question(PERIOD_ASK.sub("", text)),
        )
    if GROWTH_ASK.search(text) and figures:
        growths = [render_growth(knowledge, f) for f in figures if f.growth_pct is not None]
        if growths:
            return Resolved(tuple(g.rsplit("\n", 1)[0] for g in growths) + (source,), keep)
    if context.clause and len(text) <= 5 and any(pattern.search(text) for pattern, _ in _QUESTION_HINTS):
        # "多远" right after a one-part answer ("机场呢" -> the airport line) asks about it.
        return Resolved((context.clause + "\n" + source,), context, kind=RESOLVED_CLAUSE)
    if POINTING.search(text) and _OVERVIEW_ASK.search(text) and bare_question(_OVERVIEW_ASK.sub("", text)):
        # "它有啥特色" after "你们有综保区吗": what the answer says about it, in full.
        return Resolved((body + "\n" + source,), keep)
    if asks_a_detail(text) and _about_the_same_thing(text, body, context):
        # "五好具体是哪五好", "是三甲吗", "谁评的": the answer names it but says no more.
        return Resolved(
            (knowledge.message("followup_not_stated", topic=topic_of(knowledge, context)),),
            keep,
            offer_staff=True,
            unstated=True,
        )
    return None


_DETAIL = re.compile(
    r"具体(是|指|啥|什么|内容|怎么)|什么意思|啥意思|是指|指的是|怎么运作|如何运作|哪[一二三四五六七八九十两\d]+[个好条项种家]|"
    r"哪几[个家所条项]|哪天|几号|每个?月|哪些国家|哪国|名单|清单|全文|原文|谁(评|发|批|定|办|管)|哪个部门|进出口|额多少|是不是|是.{1,6}吗$|"
    r"(什么|啥)关系"
)


def asks_a_detail(text: str) -> bool:
    """A detail of what was said (which five, what it means, who issued it, when, yes or no)."""
    return bool(_DETAIL.search(text) or quantity.asked_measure(text) is not None or hints_of(text))


_SEND_ME = re.compile(r"名单|清单|全文|原文|文件|附件|发我|发一份|发给我")
_WHICH_N = re.compile(r"哪([二两三四五六七八九十\d]{1,2})([个好条项种家所块])")


def which_n(text: str) -> Optional[Tuple[int, str]]:
    """ "五好具体是哪五好" -> (5, "好"): a list of that length is asked for."""
    match = _WHICH_N.search(text)
    if not match:
        return None
    token = match.group(1)
    count = int(token) if token.isdigit() else _CN_DIGITS.get(token)
    return (count, match.group(2)) if count else None


def lists_of_length(body: str, count: int, word: str) -> List[List[str]]:
    """The answer's lists of `count` items; for a counted word other than 个/条/项 (哪五好)
    the word must be in the list or just around it, so the 五年行动 list is not the 五好."""
    lists = ([(_bullets(body), body)] if len(_bullets(body)) >= 2 else []) + enumerations(body)
    return [
        items
        for items, around in lists
        if len(items) == count and (word in "个条项种" or word in around or any(word in item for item in items))
    ]


def _about_the_same_thing(text: str, body: str, context: Context) -> bool:
    """The follow-up points back (它/这个), is a bare fragment, or most of its words are in
    the last answer (or the question that led to it)."""
    if POINTING.search(text) or bare_question(text) or len(text) <= 6 or _SEND_ME.search(text):
        return True  # "名单能发我一份吗": the list of what was just said
    wanted = _content_chars(text)
    if not wanted:
        return True
    seen = body + context.question
    return sum(1 for char in wanted if char in seen) / len(wanted) >= 0.5


def resolve(knowledge: KnowledgeBase, text: str, context: Optional[Context]) -> Optional[Resolved]:
    """The follow-up answer for `text`, or None when it is not a follow-up of `context`
    (the caller then answers it as a question of its own)."""
    if context is None or not text or context.kind == KIND_REFUSAL:
        return None
    if _TOPIC_SWITCH.search(text) or _names_another_topic(knowledge, text, context):
        return None  # "增量配电是哪年开始试点的" after the innovation answer: a question of its own
    if context.kind == KIND_FIGURE:
        figure = knowledge.figures.get(context.id)
        if figure is None or not looks_like_followup(text):
            return None
        resolved = _figure_followup(knowledge, figure, text, context)
        from kb.figures import find_figure_in_text

        if resolved is None and POINTING.search(text) and find_figure_in_text(knowledge, text) is None:
            # "它全名叫啥" after the corridor's length: the entry that states the figure says.
            for entry in knowledge.active_faqs():
                if figure.id in [f.id for f in _figures_of(knowledge, entry)]:
                    resolved = _faq_followup(knowledge, entry, text, Context(KIND_FAQ, entry.id, context.question))
                    if resolved is not None and not resolved.unstated:
                        return resolved
            return None
        return resolved
    entry = knowledge.faqs.get(context.id)
    if entry is None or entry.disabled or not looks_like_followup(text, answer_body(knowledge, entry)):
        return None
    return _faq_followup(knowledge, entry, text, context)


_GENERIC_TERMS = (
    "经济技术开发区",
    "经开区",
    "开发区",
    "园区",
    "综保区",
    "综合保税区",
    "保税区",
    "湘潭",
    "九华",
    "国家级",
    "长株潭",
)
_TOPIC_SWITCH = re.compile(r"换个话题|换个问题|另外问|问个别的|再问个别的|顺便问")


def _names_another_topic(knowledge: KnowledgeBase, text: str, context: Context) -> bool:
    """The message names a topic of the knowledge base (增量配电) that neither the last
    answer nor the question before it mentions."""
    if context.kind == KIND_FIGURE:
        figure = knowledge.figures.get(context.id)
        seen = (figure.name + " ".join(figure.aliases)) if figure else ""
    else:
        entry = knowledge.faqs.get(context.id)
        # The entry's own phrasings and terms count: 规上企业 is how its question is asked.
        seen = " ".join((answer_body(knowledge, entry),) + entry.phrasings + entry.terms) if entry else ""
    seen += context.question + context.clause

    def topic(term: str) -> bool:  # 九华精神 is a topic; 湘潭经开区 is only the zone's name
        bare = term
        for generic in _GENERIC_TERMS:
            bare = bare.replace(generic, "")
        return len(bare) >= 2

    return any(
        len(term) >= 3 and term in text and term not in seen and topic(term) for term in knowledge.dictionary_terms
    )


def figures_of_context(knowledge: KnowledgeBase, context: Context) -> List[str]:
    """Ids of the figures the last answer stated."""
    if context.kind == KIND_FIGURE:
        return [context.id]
    entry = knowledge.faqs.get(context.id)
    return [f.id for f in _figures_of(knowledge, entry)] if entry else []


def elliptical(text: str) -> bool:
    """'那湘潭大学呢': the same question about something else."""
    return bool(_ELLIPSIS.search(text)) and len(text) <= 12


def pointed_number_question(text: str) -> bool:
    """'它面积多大', '它的产值多少': a number asked about what was just discussed."""
    return bool(POINTING.search(text)) and bool(re.search(r"多少|几[家个所条位项年]|多大|多高|多长|多远|规模", text))


# The kinds of fact that can move an answer to another entry: who, when, how far. A count
# or a name can be answered by a list, which any entry has.
SWITCHING_HINTS = ("谁", "哪年", "多远")
# Facts about one item of a list that the item's own words would have to state.
_FACT_KINDS = ("谁", "哪年", "多远", "哪国", "面积")


def hints_of(text: str, kinds: Optional[Sequence[str]] = None) -> List[str]:
    """The words a clause answering this kind of question contains (谁 -> 集团, 大师 ...);
    `kinds` keeps only the hint patterns whose source mentions one of them."""
    return [
        word
        for pattern, words in _QUESTION_HINTS
        if pattern.search(text) and (kinds is None or any(kind in pattern.pattern for kind in kinds))
        for word in words
    ]


def without_ordinal(text: str) -> str:
    return _ORDINAL.sub("", text).strip()


def resolve_in_related(knowledge: KnowledgeBase, text: str, context: Optional[Context]) -> Optional[Resolved]:
    """A follow-up the last answer cannot answer, answered by another entry about the same
    named thing ("体育小镇之类" -> "谁在开发": the entry that names who develops it). Only
    for questions that ask a kind of fact (谁, 哪年, 多远 ...), only with a clause match."""
    if context is None or context.kind != KIND_FAQ or not looks_like_followup(text):
        return None
    if not any(pattern.search(text) for pattern, _ in _QUESTION_HINTS):
        return None
    names = [term for term in knowledge.dictionary_terms if len(term) >= 3 and term in context.question]
    if not names:
        return None
    best: Optional[Tuple[float, FaqEntry, str]] = None
    for entry in knowledge.active_faqs():
        if entry.id == context.id:
            continue
        body = answer_body(knowledge, entry)
        if not any(name in body for name in names):
            continue
        clause, score = scored_clause([p for p in clauses(body) if any(name in p for name in names) or True], text)
        if clause and any(name in body for name in names) and (best is None or score > best[0]):
            best = (score, entry, clause)
    if best is None:
        return None
    _, entry, clause = best
    return Resolved(
        (clause + "\n" + source_line(knowledge, entry.source, entry.period),),
        Context(KIND_FAQ, entry.id, context.question, clause),
        kind=RESOLVED_CLAUSE,
    )


# A clause of another entry must cover the question this well to answer a follow-up the
# last answer could not ("到北上广几个小时" after the railway answer's first line).
MIN_ELSEWHERE_SCORE = 1.2


def resolve_elsewhere(knowledge: KnowledgeBase, text: str, context: Optional[Context]) -> Optional[Resolved]:
    """The clause of another entry that states what the last answer did not ("公园大不大"
    after the living overview: the park entry says 全市最大). It must match the message's
    own words and the kind of fact asked, and state the number asked for."""
    wanted = _content_chars(_ORDINAL.sub("", text))
    if len(wanted) < 2:
        return None  # "成立多久了": nothing to find it by
    # "它什么时候升格国家级的": 它 is what the last question was about (the zone, named in
    # it), so a clause elsewhere must name that too; "它面积多大" about the 综保区 is not
    # answered by the zone's own area.
    pointed = _content_chars(context.question) if context is not None and POINTING.search(text) else None
    best: Optional[Tuple[float, FaqEntry, str]] = None
    for entry in knowledge.active_faqs():
        if context is not None and entry.id == context.id or entry.no_published_figure:
            continue
        clause, score = scored_clause(clauses(answer_body(knowledge, entry)), text, bonus=False)
        if pointed is not None and clause and not any(a + b in clause for a, b in zip(pointed, pointed[1:])):
            continue
        if (
            clause
            and score >= MIN_ELSEWHERE_SCORE
            and quantity.answer_states(text, clause)
            and (best is None or score > best[0])
        ):
            best = (score, entry, clause)
    if best is None:
        return None
    _, entry, clause = best
    return Resolved(
        (clause + "\n" + source_line(knowledge, entry.source, entry.period),),
        Context(KIND_FAQ, entry.id, text, clause),
        kind=RESOLVED_CLAUSE,
    )


def topic_of(knowledge: KnowledgeBase, context: Context) -> str:
    """What the last answer was about, in words ("湘潭综保区", "工业总产值")."""
    if context.kind == KIND_FIGURE:
        figure = knowledge.figures.get(context.id)
        return figure.name if figure else "这一项"
    if context.clause:
        return f"“{context.clause[:20]}”"
    entry = knowledge.faqs.get(context.id)
    return f"“{entry.question.rstrip('？?')}”" if entry else "这一项"
