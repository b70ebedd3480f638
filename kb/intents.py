"""Intent decisions that weigh what is asked, not one keyword.

DIET learns that 投资 and 落户 go with the investment-intention form, so "吉利是在这投资
的吗" or "我们落户以后审批找谁" would start the form instead of being answered. The form
is for investors who want to register a project or be contacted; a question that asks for
information is answered. Plain rules over the normalised text, applied to the model's
ranking by components/intent_guard.py (so `rasa test` and the server agree)."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

FORM_INTENT, HUMAN_INTENT, FOLLOWUP_INTENT = "leave_intention", "request_human", "follow_up"
# Intents whose actions state no zone facts: a follow-up read as one of them ("第三个呢"
# as a goodbye) would lose the question.
NOT_INFORMATIONAL = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "menu",
        "affirm",
        "deny",
        "chitchat",
        "out_of_scope",
        FORM_INTENT,
        HUMAN_INTENT,
    }
)
ABOUT_THE_ASSISTANT = re.compile(r"机器人|真人|人工|客服|你是谁|你叫")
_SOMEONE_TO_TALK_TO = (
    r"有没有人(能|可以|来|给我|帮我)?.{0,4}(讲讲|讲一下|介绍|解答|聊聊|说说|对接)|找个?(真人|人)(聊|谈|同我|跟我|和我)"
    r"|(有没有|有无)(窗口|专人|部门|人)(可以|能)?(直接)?(洽谈|对接|面谈|谈|咨询)"
)
# "有没有真人客服": a person, not a question about the bot.
WANTS_A_PERSON = re.compile(
    r"(有没有|有无|转|找|要|接|换)(个)?(真人|人工|客服|工作人员)|真人客服|人工客服|转人工|(给|发|告诉)我?.{0,4}(电话|联系方式|手机号|微信)"
    r"|^(那|那我|那么)?(找谁|问谁)(问|咨询|联系|谈|了解)?[?？]?$"
    r"|^(那|那么)?(有|留个?|给个?)(联系|咨询|招商)?电话(吗|没|没有|号码|多少)?[?？]?$|(联系|咨询|招商)电话(是)?多少"
    r"|" + _SOMEONE_TO_TALK_TO
)
# "有没有人能详细讲讲政策": a person to talk to, whatever the topic.
ASKS_FOR_SOMEONE = re.compile(_SOMEONE_TO_TALK_TO)
# Questions about the assistant name it ("你是谁", "你是机器人吗"); "谁在开发" does not.
NAMES_THE_ASSISTANT = re.compile(r"你|您|机器人|助手|程序|ai\b|bot|人工|真人|客服")
# A bare question fragment right after an answer ("多远", "在省里算大吗").
_FRAGMENT = re.compile(
    r"多远|多大|多少|多久|多长|几[个家所条年位项]|哪[年里个些一]|什么时候|算大|省里|省内|全国|同比|单位|口径|来源|出处"
)
# Greetings and questions about the assistant are small talk, however short.
_SMALL_TALK_WORDS = re.compile(r"在吗|有人吗|你好|您好|谢|再见|拜|你是|跟谁|你叫|你会|你能|你几岁|功能|能问")
# Words of taking leave or thanking. A "goodbye" or "thank" with none of them, and not a
# bare acknowledgement ("好的", "没有了"), is something else the model misread, as it may
# after any retrain: a question ("2022年的呢"), a topic ("2021年记划"), a request in
# English ("what's the weather in Xiangtan"). Every goodbye and thank training example has
# one (tests/kb/test_intents.py checks).
_PARTING = re.compile(
    r"再见|拜|bye|88|回头|下次|改天|晚安|下线|先忙|就这样|就到这|再会|撤|溜了|结束|不聊|不问|就问|回聊|回见|see you"
    r"|先这样|走了|再来|有空|告辞|失陪|不打扰"
    r"|谢|感谢|感恩|thank|thx|3q|蟹蟹|辛苦|麻烦你|麻烦您|多亏",
    re.IGNORECASE,
)
_ACKNOWLEDGING = re.compile(
    r"^(好的?|好吧|好嘞|行|嗯+|哦+|ok|okay|没有?了|没别的了?|就这些|知道了|明白了|了解了|清楚了|可以了|懂了)"
    r"[啦了吧呀哈啊!！。.~～ ]*$",
    re.IGNORECASE,
)
SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thank", "bot_challenge", "menu", "affirm", "deny", "chitchat"})
OUT_OF_SCOPE_INTENT = "out_of_scope"
RULE_CONFIDENCE = 0.95
# "联系服务企业的机制有哪些" asks about the zone's services, not for a person.
ABOUT_SERVICES = re.compile(r"机制|制度|政策|措施|服务体系|怎么服务|审批|手续|办理|办事|许可")
# Words of a request for a person; a "谁…" question without any of them is about a fact.
PERSON_WORDS = re.compile(
    r"联系|电话|人工|客服|真人|招商|对接|负责人|领导|经理|微信|邮箱|办公|找人|找谁|问谁|工作人员|专人|人员|转"
)

# The investor wants to be contacted or to leave their project.
WANTS_CONTACT = re.compile(
    r"留(个|下|一下|一个)?(电话|手机|号码|联系方式|方式|资料|信息|微信|邮箱|项目)|联系我|找我|给我回电|回个?电话|打给我|"
    r"安排.{0,4}(联系|对接)|(怎么|想|要|希望|和你们|跟你们)对接|对接(招商|一下|项目)|投资意向|意向登记|登记|填(表|一下)|\d{11}"
)
# ... or states a plan to invest here, with no question attached.
WANTS_TO_INVEST = re.compile(
    r"(想|要|打算|准备|计划|考虑|有意|希望|拟)(来|在|到|去)?.{0,10}(投资|落户|入驻|设厂|建厂|落地|办厂|开厂)"
)
PROJECT_WORDS = re.compile(r"项目|投资|设厂|建厂|办厂|开厂|落户|入驻|公司|企业|工厂")
ASKS_INFORMATION = re.compile(
    r"谁|哪|什么|啥|多少|几|怎么样|如何|吗|么|是否|有没有|是不是|咋|呢|[?？]|知道|了解一下|问问|咨询"
)


def wants_form(text: str) -> bool:
    return bool(WANTS_CONTACT.search(text))


def asks_information(text: str) -> bool:
    return bool(ASKS_INFORMATION.search(text))


_SMALL_TALK_KINDS = (
    ("greet", re.compile(r"^(在吗|在不在|有人吗|你好|您好|哈喽|嗨|请问有人吗|您好.{0,4}有人吗)")),
    ("thank", re.compile(r"^(多谢|谢谢|感谢|谢了)")),
    ("goodbye", re.compile(r"^(再见|拜拜|回头见|先这样)")),
    ("menu", re.compile(r"能问(哪些|什么|些什么)|有(哪些|什么)功能|你(能|可以)(做|干|帮我查)什么|能问些什么")),
)


def small_talk_kind(text: str) -> Optional[str]:
    """greet / thank / goodbye / menu for a message that is plainly one of them."""
    for kind, pattern in _SMALL_TALK_KINDS:
        if pattern.search(text):
            return kind
    return None


def strong_followup(text: str) -> bool:
    """Unmistakably about the last answer: an ordinal, or a short question with a pointer
    or about the period, unit or source."""
    from kb import followup  # the markers are defined once, with the resolution

    if ABOUT_THE_ASSISTANT.search(text) or _SMALL_TALK_WORDS.search(text):
        return False
    if followup.ordinal(text) is not None:
        return True
    short = len(text) <= 15
    return short and bool(
        followup.POINTING.search(text)
        or followup.PERIOD_ASK.search(text)
        or followup.UNIT_ASK.search(text)
        or followup.SOURCE_ASK.search(text)
    )


_THAT_ONE = re.compile(r"^[\u4e00-\u9fff]{1,6}(那|这)(一)?(条|个|项|家|句|所)(呢|吧)?[?？]?$")
# "投产没", "开工了吗": a verb or noun of two characters or more, then the question.
_YES_NO_QUESTION = re.compile(r"^[\u4e00-\u9fff]{2,8}(没|没有|了没|了吗|了么|吗)[?？]?$")
_NOT_A_QUESTION = re.compile(r"^(好的?|是的?|对的?|行|可以|不用|不要|不是|没有|没|算了|当然)")

INFORMATIONAL = ("faq", "ask_figure", "ask_growth", FOLLOWUP_INTENT)


def _demoted(ranking: Sequence[Tuple[str, float]]) -> Optional[Tuple[str, float]]:
    """A question, not the form or a person: the FAQ (the ResponseSelector then says how
    sure it is of the entry), else the best informational intent, else a follow-up (the
    conversation or the search answers it). Never small talk: a question gets an answer."""
    # The ResponseSelector runs on every message, so the FAQ path is open even when the
    # faq intent is outside the model's top ranking ("我们落户以后审批找谁").
    del ranking
    return "faq", RULE_CONFIDENCE


def adjust(text: str, ranking: List[Tuple[str, float]]) -> Optional[Tuple[str, float]]:
    """The intent to use instead of the model's top one, or None to keep it.

    `ranking` is the model's (name, confidence) list, best first."""
    if not ranking:
        return None
    top = ranking[0][0]
    # A rule's decision is certain: it must not fall below the fallback threshold.
    confidence = max(ranking[0][1], RULE_CONFIDENCE)
    from kb import scope  # the same refusal rules the answers use

    if scope.is_injection(text):
        return (OUT_OF_SCOPE_INTENT, confidence) if top != OUT_OF_SCOPE_INTENT else None
    if (
        WANTS_A_PERSON.search(text)
        and not wants_form(text)
        and (not ABOUT_SERVICES.search(text) or ASKS_FOR_SOMEONE.search(text))
        and not scope.other_zone(text)
    ):  # "苏州工业园区招商电话多少": another zone's staff
        return HUMAN_INTENT, confidence  # also when the model was unsure between a person and the bot
    if (
        top != FORM_INTENT
        and wants_form(text)
        and (WANTS_TO_INVEST.search(text) or PROJECT_WORDS.search(text))
        and re.search(r"登记|留", text)
    ):
        # "我们有个电池项目想落户九华，帮忙登记下": registering, whatever words it shares with an FAQ.
        return FORM_INTENT, confidence
    if top in NOT_INFORMATIONAL and strong_followup(text) and not (top == FORM_INTENT and wants_form(text)):
        return FOLLOWUP_INTENT, max(confidence, dict(ranking).get(FOLLOWUP_INTENT, 0.0))
    if top in SMALL_TALK_INTENTS and _THAT_ONE.search(text) and not _SMALL_TALK_WORDS.search(text):
        return FOLLOWUP_INTENT, confidence  # "求实那条": an item of the last answer
    if (
        top in SMALL_TALK_INTENTS
        and len(text) <= 9
        and _FRAGMENT.search(text)
        and not ABOUT_THE_ASSISTANT.search(text)
        and not _SMALL_TALK_WORDS.search(text)
    ):
        return FOLLOWUP_INTENT, confidence
    if top in ("goodbye", "thank") and not _PARTING.search(text) and not _ACKNOWLEDGING.match(text.strip()):
        return (FOLLOWUP_INTENT, confidence) if len(text) <= 12 else _demoted(ranking)
    if top == "bot_challenge" and not NAMES_THE_ASSISTANT.search(text) and asks_information(text):
        return _demoted(ranking)  # "战略投资者有谁", "叫什么名字" after an answer: a fact
    if top in ("affirm", "deny") and _YES_NO_QUESTION.search(text) and not _NOT_A_QUESTION.match(text):
        return FOLLOWUP_INTENT, confidence  # "投产没": a yes-or-no question, not a yes or a no
    if top == FORM_INTENT:
        if wants_form(text):
            return None
        if asks_information(text):  # "吉利是在这投资的吗": answer it
            return _demoted(ranking)
        return None
    if (
        top == HUMAN_INTENT
        and ABOUT_SERVICES.search(text)
        and asks_information(text)
        and not WANTS_A_PERSON.search(text)
    ):
        return _demoted(ranking)
    if top == HUMAN_INTENT and not PERSON_WORDS.search(text) and asks_information(text):
        return _demoted(ranking)  # "谁在开发": who develops a project, not a request for staff
    if top == HUMAN_INTENT and wants_form(text) and (PROJECT_WORDS.search(text) or re.search(r"留|\d{11}", text)):
        # "留个电话让招商的人联系我": be contacted about a project -> the form takes it.
        confidence = dict(ranking).get(FORM_INTENT, ranking[0][1])
        return FORM_INTENT, max(confidence, ranking[0][1])
    return None
