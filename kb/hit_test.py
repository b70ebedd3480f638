"""命中测试 (hit test): what the assistant would answer to a question or a short
conversation, and why, for staff to try wording before investors do.

Each turn is decided as the assistant decides it: Rasa's parse of the message (intent,
the ResponseSelector's FAQ ranking, entities; the admin fetches it from /model/parse)
goes through the same kb.dialogue.respond the actions use, with the slots the previous
turns left. Beside the answer the report lists the FAQ candidates with the model's
confidence, the keyword search's hits and the imported documents' passages with their
scores. Without a parse (Rasa's HTTP API off or down) the turn is decided as an unsure
one, from the words alone, and the report says so."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence

from kb import answers, dialogue, parse_data, passages, search
from kb.answers import Reply
from kb.model import KnowledgeBase

# Intents whose action answers through kb.dialogue.respond (actions/dialogue.py and the
# actions built on it); the others have a reply of their own.
ANSWERED_BY_DIALOGUE = {"faq", "ask_figure", "ask_growth", "follow_up", "chitchat", "out_of_scope", "nlu_fallback"}
FIXED_MESSAGES = {"goodbye": "goodbye", "thank": "thank", "bot_challenge": "bot_challenge"}
INTENT_LABELS = {
    "faq": "问答",
    "ask_figure": "问数据",
    "ask_growth": "问增长",
    "follow_up": "追问",
    "nlu_fallback": "没把握（关键词检索）",
    "greet": "问候",
    "menu": "看能问什么",
    "goodbye": "道别",
    "thank": "感谢",
    "bot_challenge": "问是不是机器人",
    "chitchat": "闲聊",
    "out_of_scope": "超出范围",
    "leave_intention": "登记投资意向",
    "request_human": "找人工",
}


@dataclass(frozen=True)
class Candidate:
    kind: str  # faq | figure | document
    id: str
    label: str
    score: float
    detail: str = ""


@dataclass
class TurnReport:
    text: str
    intent: Optional[str]
    intent_label: str
    confidence: float
    reply: List[str]
    why: str
    answered_faq: Optional[str]
    faq_candidates: List[Candidate] = field(default_factory=list)
    search_hits: List[Candidate] = field(default_factory=list)
    passages: List[Candidate] = field(default_factory=list)
    model_used: bool = True


def _faq_candidates(knowledge: KnowledgeBase, parse: Optional[Mapping[str, Any]]) -> List[Candidate]:
    found = []
    for entry_id, confidence in parse_data.selector_ranking(parse)[:5]:
        entry = knowledge.faqs.get(entry_id)
        if entry is not None:
            found.append(Candidate("faq", entry_id, entry.question, confidence))
    return found


def _search_hits(knowledge: KnowledgeBase, text: str) -> List[Candidate]:
    found = []
    for hit in search.rank(knowledge, text, limit=3):
        if hit.kind == "faq":
            label = knowledge.faqs[hit.id].question
        else:
            label = knowledge.figures[hit.id].name
        found.append(Candidate(hit.kind, hit.id, label, hit.score, f"覆盖问题用词 {hit.coverage:.0%}"))
    return found


def _passages(knowledge: KnowledgeBase, text: str) -> List[Candidate]:
    return [
        Candidate("document", p.document.id, f"《{p.document.title}》{p.section.heading}", p.score, p.text)
        for p in passages.rank(knowledge, text, limit=3)
    ]


def _reply_for(knowledge: KnowledgeBase, intent: Optional[str], u: dialogue.Understanding) -> Reply:
    if intent is None or intent in ANSWERED_BY_DIALOGUE:
        return dialogue.respond(knowledge, u)
    if intent == "greet":
        return answers.greet(knowledge)
    if intent == "menu":
        return answers.menu(knowledge)
    if intent in FIXED_MESSAGES:
        return answers.message(knowledge, FIXED_MESSAGES[intent])
    if intent == "leave_intention":
        return Reply([knowledge.message("lead_ask_consent")])
    if intent == "request_human":
        return Reply([knowledge.message("staff_offer")])
    return dialogue.respond(knowledge, u)


def _why(knowledge: KnowledgeBase, report: TurnReport, reply: Reply, selected: str, text: str) -> str:
    if reply.about and reply.about[0] == "figure":
        figure = knowledge.figures[reply.about[1]]
        return f"答的是数据“{figure.name}”（{figure.period}），数值取自知识库，不是模型生成的"
    if reply.about and reply.about[0] == "faq":
        question = knowledge.faqs[reply.about[1]].question
        if reply.about[1] == selected:
            return f"问答模型选中“{question}”（置信度 {report.faq_candidates[0].score:.2f}）"
        if selected:
            chosen = knowledge.faqs[selected].question if selected in knowledge.faqs else selected
            return f"问答模型首选“{chosen}”，按问题里的词或上一轮的内容改答“{question}”"
        return f"关键词检索找到“{question}”"
    passage = passages.best_passage(knowledge, text)
    if passage is not None and passage.text in "\n".join(reply.texts):
        return f"问答和数据都答不了，引用了《{passage.document.title}》{passage.section.heading}的原文"
    if reply.texts == answers.dont_know(knowledge).texts:
        return "没有可靠的答案：机器人会说不知道、提供人工，并记入“待处理问题”"
    if report.intent and report.intent not in ANSWERED_BY_DIALOGUE:
        return f"按意图“{report.intent_label}”的固定回复"
    return "按对话规则回答（追问、超出范围或如实说明资料没有）"


def report_conversation(
    knowledge: KnowledgeBase, texts: Sequence[str], parses: Sequence[Optional[Mapping[str, Any]]]
) -> List[TurnReport]:
    """One report per message, each turn seeing the slots the turns before it left."""
    slots: Dict[str, Any] = {}
    reports = []
    for text, parse in zip(texts, parses):
        normalised = str((parse or {}).get("text") or text)
        intent, confidence = parse_data.intent_of(parse) if parse else ("nlu_fallback", 0.0)
        u = replace(parse_data.understanding(normalised, parse, slots), intent=intent)
        reply = _reply_for(knowledge, intent, u)
        slots.update(reply.slots)
        report = TurnReport(
            text=text,
            intent=intent,
            intent_label=INTENT_LABELS.get(intent or "", intent or ""),
            confidence=confidence,
            reply=list(reply.texts),
            why="",
            answered_faq=reply.about[1] if reply.about and reply.about[0] == "faq" else None,
            faq_candidates=_faq_candidates(knowledge, parse),
            search_hits=_search_hits(knowledge, normalised),
            passages=_passages(knowledge, normalised),
            model_used=parse is not None,
        )
        report.why = _why(knowledge, report, reply, parse_data.selected_faq_id(parse), normalised)
        reports.append(report)
    return reports
