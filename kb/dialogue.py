"""One turn's answer, decided from everything known: the words, what NLU made of them,
and what the conversation was about.

The order is the point (each step is a plain function tested on its own):
1. scope: another zone, another place, general knowledge, an attempt to change the
   rules -> a polite refusal, never the nearest zone paragraph (kb/scope.py);
2. follow-ups of the last answer: items, period, unit, source, comparisons, another
   part of the same answer (kb/followup.py);
3. the question itself, by intent: a figure, a growth rate, an FAQ, or the search;
4. honesty: a number the chosen answer does not state is said to be unpublished, with
   what the source does say and the staff offer (kb/quantity.py).
The actions only read the tracker into `Understanding` and send the `Reply`."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any, Optional, Tuple

from kb import answers, followup, intents, passages, quantity, scope, search, semantic
from kb.answers import Reply
from kb.figures import find_figure_in_text, find_figures_in_text
from kb.followup import KIND_FAQ, KIND_FIGURE, Context
from kb.model import KnowledgeBase
from kb.render import figure_value, growth_text, render_figure, render_growth

CONTEXT_SLOT = "answer_context"
INTENT_FAQ, INTENT_FIGURE, INTENT_GROWTH = "faq", "ask_figure", "ask_growth"
INTENT_OUT_OF_SCOPE, INTENT_CHITCHAT, INTENT_FOLLOWUP = "out_of_scope", "chitchat", "follow_up"
# NLU this sure of another FAQ outweighs a loose "another part of the last answer" match.
CONFIDENT_FAQ = 0.9
# A clause must cover the question this well to move an answer to another entry.
MIN_SWITCH_SCORE = 1.2
# An unsure selector's choice gives way to one of its top three whose BM25 score is at
# least this many times its own (kb/dialogue._lexical_choice).
LEXICAL_BELOW = 0.7  # the selector's confidence under which it counts as unsure here
LEXICAL_CANDIDATES = 3
LEXICAL_SWITCH_RATIO = 1.5
# Categories whose entries' terms name companies and organisations (knowledge/faq/*.yml).
ORGANISATION_CATEGORIES = ("industries", "living")
_NOT_ORGANISATIONS = (
    "产业",
    "集群",
    "整车",
    "零部件",
    "汽车之城",
    "全产业链",
    "智能制造",
    "电子信息",
    "医疗器械",
    "军民融合",
    "工程机械",
    "产城融合",
    "活力之城",
    "滨江新城",
    "世界500强",
    "主导产业",
    "产业新区",
    "风光带",
    "顶层设计",
    "战略投资者",
    "国际规划大师",
)
# Names of the zone itself are in most answers; they never make one answer the specific one.
_ZONE_WORDS = ("经开区", "开发区", "园区", "综保区", "保税区", "湘潭", "九华", "国家级", "长株潭")


@dataclass(frozen=True)
class Understanding:
    """What the action read from the tracker for this turn."""

    text: str
    intent: Optional[str] = None
    faq_id: Optional[str] = None
    faq_confidence: float = 0.0
    faq_ranking: Tuple[Tuple[str, float], ...] = ()  # the ResponseSelector's, best first
    entity: Optional[str] = None
    remembered_indicator: Optional[str] = None
    previous_aspect: Optional[str] = None
    context: Any = None  # the answer_context slot's value


_bodies_cache: dict = {}
_bodies_lock = threading.Lock()


def _bodies(knowledge: KnowledgeBase) -> Tuple[Tuple[str, str], ...]:
    """(entry id, rendered answer) for every active FAQ, rebuilt when the knowledge base
    is reloaded (the store hands out a new object after every edit)."""
    with _bodies_lock:
        cached = _bodies_cache.get("bodies")
        if cached is None or cached[0] is not knowledge:
            cached = (knowledge, tuple((e.id, followup.answer_body(knowledge, e)) for e in knowledge.active_faqs()))
            _bodies_cache["bodies"] = cached
        return cached[1]


def _answer_texts(knowledge: KnowledgeBase) -> Tuple[str, ...]:
    return tuple(body for _, body in _bodies(knowledge))


def _with_context(reply: Reply, context: Optional[Context]) -> Reply:
    if context is not None:
        reply.slots[CONTEXT_SLOT] = context.to_slot()
    return reply


def _from_resolved(knowledge: KnowledgeBase, resolved: followup.Resolved) -> Reply:
    buttons = [answers.staff_button()] if resolved.offer_staff else []
    slots = {}
    if resolved.figure is not None:
        slots["indicator"] = resolved.figure.id
    return _with_context(Reply(list(resolved.texts), buttons, slots), resolved.context)


def _refusal(knowledge: KnowledgeBase, key: str, question: str = "") -> Reply:
    """A polite refusal; the next "那X呢" is then about the refused topic too, and "那你们的呢"
    asks the refused question of this zone."""
    return _with_context(answers.message(knowledge, key), Context(followup.KIND_REFUSAL, key, question))


_NAMES_US = re.compile(r"你们|贵区|贵园区|咱们|园区|经开区|九华")
# "那你们的呢", "你们园区呢": the question just refused, asked of this zone instead.
_OF_US = re.compile(
    r"^(那|那么|那你们|那贵区)?(你们|贵区|贵园区|咱们|你们园区|你们经开区|湘潭经开区|经开区|园区|九华|你们这边|这边)?"
    r"(的|这边|那边|园区|经开区)?(呢|的呢|怎么样|如何|多少)?$"
)


def same_question_of_us(text: str, context: Optional[Context]) -> Optional[str]:
    """The refused other-zone question with this zone in its place, or None."""
    if context is None or context.kind != followup.KIND_REFUSAL or context.id != "other_zone" or not context.question:
        return None
    if not (_NAMES_US.search(text) or "这边" in text) or not _OF_US.match(text):
        return None
    other = scope.other_zone(context.question)
    return context.question.replace(other, "湘潭经开区") if other and other in context.question else None


def _scope_reply(knowledge: KnowledgeBase, text: str, context: Optional[Context]) -> Optional[Reply]:
    reason = scope.classify(text, _answer_texts(knowledge), knowledge.dictionary_terms)
    if reason == scope.SCOPE_OTHER_ZONE:
        return _refusal(knowledge, "other_zone", text)
    if reason is not None:
        return _refusal(knowledge, "out_of_scope", text)
    if (
        context is not None
        and context.kind == followup.KIND_REFUSAL
        and followup.elliptical(text)
        and not _NAMES_US.search(text)
    ):  # "那说说你们园区自己的优势" is about us
        # "湖南大学录取分数线多少" -> refused; "那湘潭大学呢" asks the same of another place.
        subject = re.sub(r"^(那|那么|还有|另外|再问|然后)|(呢|咧|捏|嘞)$", "", text).strip()
        names_ours = find_figure_in_text(knowledge, text) or (
            len(subject) >= 2 and any(subject in body for body in _answer_texts(knowledge))
        )
        if not names_ours:
            return _refusal(
                knowledge,
                context.id if context.id in ("other_zone", "out_of_scope") else "out_of_scope",
                context.question,
            )
    return None


def context_of(reply: Reply, question: str) -> Optional[Context]:
    """The context a reply leaves: the FAQ or figure it answered, if any."""
    about = reply.about
    if about is None:
        return None
    return Context(about[0], about[1], question)


def _not_stated(
    knowledge: KnowledgeBase, topic: str, body: Optional[str] = None, about: Optional[Tuple[str, str]] = None
) -> Reply:
    texts = [knowledge.message("followup_not_stated", topic=topic)]
    if body:
        texts.append(body)
    return Reply(texts, [answers.staff_button()], about=about)


_ASKS_HOW_MANY = re.compile(r"多少|几|多大|多长|多远")
_BONDED = re.compile(r"综保区|综合保税区|保税区")
_ZONE_ITSELF = re.compile(r"园区|经开区|区内|九华")
_CITY = re.compile(r"湘潭市|全市")


def subject_mismatch(text: str, answer: str) -> bool:
    """The number in the answer is about something else than the question's subject: the
    bonded zone's area answered with the whole zone's (综保区面积多大 -> 园区面积138平方公里),
    the zone's population with the city's (园区里住了多少人 -> 湘潭市常住人口300万人)."""
    if not (_ASKS_HOW_MANY.search(text) or quantity.asked_measure(text) is not None):
        return False
    wanted = followup.content_chars(_BONDED.sub("", _ZONE_ITSELF.sub("", text)))
    pairs = {a + b for a, b in zip(wanted, wanted[1:])}
    stating = [part for part in followup.clauses(answer) if re.search(r"\d", part) and any(p in part for p in pairs)]
    if not stating:
        return False
    if _BONDED.search(text):
        return not any(_BONDED.search(part) for part in stating)
    if _ZONE_ITSELF.search(text):
        return all(_CITY.search(part) and not _ZONE_ITSELF.search(part) for part in stating)
    return False


def _mismatch_honest(knowledge: KnowledgeBase, reply: Reply, text: str) -> Reply:
    if reply.about is None or not subject_mismatch(text, "\n".join(reply.texts)):
        return reply
    return _not_stated(knowledge, f"“{text}”", "\n".join(reply.texts), reply.about)


def _honest(knowledge: KnowledgeBase, reply: Reply, text: str) -> Reply:
    """An FAQ answer that does not state the number asked for gets the honest preface."""
    about = reply.about
    if about is None or about[0] != KIND_FAQ:
        return reply
    entry = knowledge.faqs.get(about[1])
    if entry is None or entry.no_published_figure:
        return reply
    which = followup.which_n(text)
    if which and not followup.lists_of_length(followup.answer_body(knowledge, entry), *which):
        # "五好园区具体是哪五好": the answer names the 五好 but does not list them.
        return _not_stated(knowledge, f"“{text}”", "\n".join(reply.texts), reply.about)
    year = answers.other_year(text, entry.period)
    if year and (
        quantity.asked_measure(text) is not None or "多少" in text or "几" in text
    ):  # "2022年的产值目标定了多少"
        honest = Reply(
            [knowledge.message("faq_other_period", year=year, period=entry.period)] + reply.texts,
            [answers.staff_button()],
            reply.slots,
            reply.about,
        )
        return honest
    if quantity.answer_states(text, followup.answer_body(knowledge, entry)):
        return _mismatch_honest(knowledge, reply, text)
    # The FAQ does not state the number asked; an imported document's passage may.
    documents = answers.document_answer(knowledge, text, with_a_number=True)
    if documents is not None:
        return documents
    return _not_stated(knowledge, "这个问题", "\n".join(reply.texts), reply.about)


def distinctive_entry(
    knowledge: KnowledgeBase, text: str, chosen_id: Optional[str], min_length: int = 3
) -> Optional[str]:
    """The entry whose answer contains the question's most specific words, when the chosen
    one does not ("山河智能跟谁合作" is answered where 山河智能 is named). The longest run of
    the question found in only one or two answers decides; None keeps the choice."""
    bodies = _bodies(knowledge)
    # Only names the knowledge base itself lists (companies, schools, groups, parks): a
    # phrase such as 落户九华 is not specific to the entry that happens to contain it.
    named = sorted(
        (
            term
            for term in knowledge.dictionary_terms
            if len(term) >= min_length and term in text and not any(word in term for word in _ZONE_WORDS)
        ),
        key=len,
        reverse=True,
    )
    for piece in named:
        owners = [(entry_id, body) for entry_id, body in bodies if piece in body]
        if not owners or len(owners) > 3:
            continue
        # "兴隆湖是谁在开发": of the answers naming 兴隆湖, the one that says who.
        scored = sorted(owners, key=lambda owner: -followup.scored_clause(followup.clauses(owner[1]), text)[1])
        best = scored[0][0]
        if chosen_id in [owner for owner, _ in owners]:
            chosen_score = followup.scored_clause(followup.clauses(dict(owners)[chosen_id]), text)[1]
            best_score = followup.scored_clause(followup.clauses(scored[0][1]), text)[1]
            return None if best == chosen_id or best_score <= chosen_score else best
        return best
    return None


def _switch_to_distinctive(knowledge: KnowledgeBase, reply: Reply, text: str, strict: bool = False) -> Reply:
    """`strict` (NLU was sure): only a name of four or more characters overrides it."""
    chosen = reply.about[1] if reply.about and reply.about[0] == KIND_FAQ else None
    if reply.about is not None and chosen is None:
        return reply  # a figure answer: the figure was named
    better = distinctive_entry(knowledge, text, chosen, min_length=4 if strict else 3)
    if better is None:
        return reply
    return answers.faq_reply(knowledge, better)


def _organisation_named(knowledge: KnowledgeBase, text: str) -> Optional[str]:
    """A company or other organisation the question is about (吉利, 麦格纳): its own output
    or investment is not a zone figure."""
    for entry in knowledge.active_faqs():
        if entry.category not in ORGANISATION_CATEGORIES:
            continue
        for term in entry.terms:
            if len(term) >= 2 and term in text and not any(word in term for word in _ZONE_WORDS + _NOT_ORGANISATIONS):
                return term
    return None


def _several_figures(knowledge: KnowledgeBase, text: str) -> Optional[Reply]:
    """ "规模工业总产值和工业总产值各多少": each figure named, in the order asked."""
    figures = find_figures_in_text(knowledge, text)
    if len(figures) < 2:
        return None
    growth = bool(followup.GROWTH_ASK.search(text))
    texts = [
        (render_growth(knowledge, f) if growth and f.growth_pct is not None else None) or render_figure(knowledge, f)
        for f in figures
    ]
    return Reply(
        [t.rsplit("\n", 1)[0] for t in texts] + [texts[-1].rsplit("\n", 1)[1]],
        [],
        {"indicator": figures[-1].id},
        (KIND_FIGURE, figures[-1].id),
    )


_ASKS_FOR_COMPANIES = re.compile(
    r"(有没有|有哪些|哪些|哪几家|有什么|是谁|有谁).{0,8}(企业|公司|厂商|厂家|工厂|品牌)|"
    r"(企业|公司|厂商|厂家|工厂|品牌)(有哪些|有谁|是哪些|有没有)"
)
_ASKS_A_NUMBER = re.compile(r"多少|几|是多大|规模多大|数量|数字|数据")


def _named_figure_instead(knowledge: KnowledgeBase, reply: Reply, text: str) -> Optional[Reply]:
    """ "在校生多少": a figure named in the question, when the chosen FAQ answer does not
    state it, is answered as that figure."""
    if not _ASKS_A_NUMBER.search(text):
        return None  # "税收有什么优惠" names 税收 but asks about incentives: the FAQ answers it
    figure = find_figure_in_text(knowledge, text)
    if figure is None or reply.about is None or reply.about[0] != KIND_FAQ:
        return None
    entry = knowledge.faqs.get(reply.about[1])
    if entry is None or figure_value(figure) in followup.answer_body(knowledge, entry):
        return None
    return answers.lookup_figure(knowledge, text, None, None)


_COMPARE_GROWTH = re.compile(
    r"哪(个|项|一个|些|几个)(指标)?.{0,4}(增长|增速|涨|增幅).{0,3}(最|更|得)?(快|高|大|多)|增速最(快|高)|"
    r"涨得最(快|多)|增长最快"
)


def growth_ranking(knowledge: KnowledgeBase, text: str, context: Optional[Context] = None) -> Optional[Reply]:
    """ "哪个指标涨得最快": every indicator's growth as the source gives it, highest first;
    only the figures named, or those the last question named ("规模工业总产值和工业总产值
    各多少" then "哪个增长快"). Only the source's own percentages are listed; nothing is
    computed from them."""
    if not _COMPARE_GROWTH.search(text):
        return None
    named = [f for f in find_figures_in_text(knowledge, text) if f.growth_pct is not None]
    if len(named) < 2 and context is not None and context.kind == KIND_FIGURE:
        named = [f for f in find_figures_in_text(knowledge, context.question) if f.growth_pct is not None]
    figures = (
        named
        if len(named) >= 2
        else [f for f in knowledge.figures.values() if f.kind == "indicator" and f.growth_pct is not None]
    )
    if not figures:
        return None
    figures.sort(key=lambda f: f.growth_pct, reverse=True)
    items = "、".join(f"{f.name}{growth_text(f)}" for f in figures)
    text_ = knowledge.message("growth_ranking", period=figures[0].period, items=items)
    return Reply(
        [text_, render_figure(knowledge, figures[0]).rsplit("\n", 1)[1]],
        [],
        {"indicator": figures[0].id},
        (KIND_FIGURE, figures[0].id),
    )


def _answer_type_switch(knowledge: KnowledgeBase, reply: Reply, text: str) -> Reply:
    """ "园区规划是谁做的": a who/when/how-far question whose chosen answer names no one, no
    year, no distance, answered by the entry whose sentence does (由国际规划大师做顶层设计)."""
    hints = followup.hints_of(text, kinds=followup.SWITCHING_HINTS)
    if not hints or reply.about is None or reply.about[0] != KIND_FAQ:
        return reply
    bodies = dict(_bodies(knowledge))
    chosen = bodies.get(reply.about[1], "")
    if followup.scored_clause(followup.clauses(chosen), text)[1] > 0:
        return reply
    best_id, best_score = None, 0.0
    for entry_id, body in bodies.items():
        score = followup.scored_clause(followup.clauses(body), text)[1]
        if score > best_score:
            best_id, best_score = entry_id, score
    return answers.faq_reply(knowledge, best_id) if best_id and best_score >= MIN_SWITCH_SCORE else reply


def _figure_or_faq(knowledge: KnowledgeBase, u: Understanding, context: Optional[Context]) -> Reply:
    organisation = _organisation_named(knowledge, u.text)
    if organisation and (quantity.asked_measure(u.text) is not None or "产值" in u.text):
        return _not_stated(knowledge, organisation)
    several = _several_figures(knowledge, u.text)
    if several is not None:
        return several
    remembered = u.remembered_indicator
    if context is not None and context.kind == KIND_FIGURE:
        remembered = context.id
    if u.intent == INTENT_GROWTH:
        reply = answers.lookup_growth(knowledge, u.text, u.entity, remembered)
    else:
        reply = answers.lookup_figure(knowledge, u.text, u.entity, remembered, u.previous_aspect)
    if reply.about is not None:
        return reply
    # No figure of ours matches: an FAQ may answer it (or say it is unpublished).
    hit = search.best_answer(knowledge, u.text)
    if hit is not None and hit.kind == "faq":
        return _honest(knowledge, answers.search_answer(knowledge, u.text), u.text)
    documents = answers.document_answer(knowledge, u.text)
    if documents is not None:  # a figure of an imported document (亩均税收30万元)
        return documents
    if quantity.has_subject(knowledge, u.text):
        return Reply([knowledge.message("figure_not_published")], [answers.staff_button()])
    return reply


def _nlu_knows_better(
    knowledge: KnowledgeBase, u: Understanding, context: Context, resolved: followup.Resolved
) -> bool:
    """A clause of the last answer loses to the FAQ NLU chose when that entry's answer
    matches the message at least as well ("电子信息有哪些企业" after the industry overview
    is the electronics entry's question, not a line of the overview)."""
    if resolved.kind != followup.RESOLVED_CLAUSE or u.intent != INTENT_FAQ or u.faq_id in (None, context.id):
        return False
    if followup.bare_question(u.text):
        return False  # "上升了几位": only question words, so about the conversation
    entry = knowledge.faqs.get(u.faq_id or "")
    if entry is None or entry.disabled:
        return False
    mine = followup.scored_clause(followup.clauses(resolved.texts[0]), u.text, bonus=False)[1]
    theirs = followup.scored_clause(followup.clauses(followup.answer_body(knowledge, entry)), u.text, bonus=False)[1]
    # A tie goes to NLU for a question that names a topic of its own ("电子信息有哪些企业"),
    # and stays with the conversation otherwise: "谁批的" after the 台商投资区 answer
    # (省政府批准) is about it, though the approvals entry also says 审批.
    tie_to_nlu = theirs == mine > 0 and any(
        len(term) >= 3 and term in u.text and not any(word in term for word in _ZONE_WORDS)
        for term in knowledge.dictionary_terms
    )
    return theirs > mine > 0 or tie_to_nlu or (theirs > 0 and mine == 0)


def _lexical_choice(knowledge: KnowledgeBase, u: Understanding) -> Optional[str]:
    """When the ResponseSelector is unsure, the entry keyword search ranks first (BM25,
    kb/search.py) if it is also among the selector's three best and clearly beats the
    selector's choice on the question's words; None keeps the choice.

    An unsure selector spreads its confidence over entries it cannot tell apart, and which
    of them comes first moves with every retrain (a staff member adds an FAQ, and "我们落户
    以后审批找谁" goes to the labour entry); the words of the question do not move."""
    if u.faq_confidence >= LEXICAL_BELOW or not u.faq_id:
        return None
    candidates = [entry_id for entry_id, _ in u.faq_ranking[:LEXICAL_CANDIDATES] if entry_id in knowledge.faqs]
    if u.faq_id not in candidates or len(candidates) < 2:
        return None
    hits = search.rank(knowledge, u.text, limit=1)
    if not hits or hits[0].kind != "faq" or hits[0].id == u.faq_id or hits[0].id not in candidates:
        return None  # both must agree: the words' first choice and one of the selector's
    best = hits[0].id
    scores = search.faq_scores(knowledge, u.text, [best, u.faq_id])
    if scores[best] < search.MIN_SCORE:
        return None
    return best if scores[best] >= LEXICAL_SWITCH_RATIO * scores[u.faq_id] else None


def _reranked(knowledge: KnowledgeBase, u: Understanding) -> Tuple[Optional[str], float]:
    """The ResponseSelector's FAQ, or the one the E5 re-ranker prefers (kb/semantic.py).
    A re-ranked choice is trusted like a confident one: both models agree on it. Without
    the re-ranker, an unsure choice follows the question's words (_lexical_choice)."""
    better = semantic.rerank(knowledge, u.text, u.faq_ranking)
    if better is None:
        return _lexical_choice(knowledge, u) or u.faq_id, u.faq_confidence
    if better == u.faq_id:
        return u.faq_id, u.faq_confidence
    return better, max(u.faq_confidence, dict(u.faq_ranking).get(better, 0.0), answers.FAQ_MIN_CONFIDENCE)


def respond(knowledge: KnowledgeBase, u: Understanding) -> Reply:
    """The reply for one informational turn, with the context it leaves in its slots."""
    text = u.text
    context = Context.from_slot(u.context)
    ours = same_question_of_us(text, context)
    if ours is not None:  # "株洲高新区产值多少" refused, then "那你们的呢"
        intent = INTENT_FIGURE if find_figure_in_text(knowledge, ours) else None
        return respond(knowledge, Understanding(ours, intent=intent))
    refusal = _scope_reply(knowledge, text, context)
    if refusal is not None:
        return refusal
    ranked = growth_ranking(knowledge, text, context)
    if ranked is not None:
        return _with_context(ranked, context_of(ranked, text))
    resolved = followup.resolve(knowledge, text, context)
    if resolved is not None and resolved.unstated or resolved is None and u.intent == INTENT_FOLLOWUP and context:
        # "还有哪个龙头" after the companies answer, which does not say 龙头: another does.
        resolved = followup.resolve_elsewhere(knowledge, text, context) or resolved
    if resolved is not None and not _nlu_knows_better(knowledge, u, context, resolved):
        return _from_resolved(knowledge, resolved)
    if context is not None and followup.pointed_number_question(text):
        # "它面积多大" about the bonded zone: a figure of ours only answers it when the last
        # answer stated that figure; otherwise the source does not give it.
        named = find_figure_in_text(knowledge, text)
        if named is None or named.id not in followup.figures_of_context(knowledge, context):
            return _with_context(_not_stated(knowledge, followup.topic_of(knowledge, context)), context)
    related = followup.resolve_in_related(knowledge, text, context)
    if related is not None:
        return _from_resolved(knowledge, related)
    if (
        u.intent in (INTENT_FIGURE, INTENT_GROWTH)
        and _ASKS_FOR_COMPANIES.search(text)
        and not _ASKS_A_NUMBER.search(text)
        and quantity.asked_measure(text) is None
        and answers.answer_faq(knowledge, u.faq_id, u.faq_confidence, text).about is not None
    ):
        u = replace(u, intent=INTENT_FAQ)  # "有没有欧洲的外资企业": companies, not the 外资 figure
    if u.intent in (INTENT_FIGURE, INTENT_GROWTH):
        reply = _mismatch_honest(knowledge, _figure_or_faq(knowledge, u, context), text)
    elif u.intent == INTENT_FAQ:
        if passages.names_an_article(knowledge, text):  # "第五条讲的是什么": that article
            return answers.document_answer(knowledge, text) or answers.dont_know(knowledge)
        faq_id, confidence = _reranked(knowledge, u)
        reply = answers.answer_faq(knowledge, faq_id, confidence, text)
        figure_reply = _named_figure_instead(knowledge, reply, text)
        if figure_reply is not None:
            return _with_context(figure_reply, context_of(figure_reply, text))
        reply = _switch_to_distinctive(knowledge, reply, text, strict=confidence >= CONFIDENT_FAQ)
        reply = _answer_type_switch(knowledge, reply, text)
        reply = _honest(knowledge, reply, text)
    elif u.intent == INTENT_OUT_OF_SCOPE:
        living = scope.LIVING_COSTS.search(text)
        # "房价多少一平": a cost of living here, which the source does not give; 湘潭房价 is
        # the city's housing market, which stays out of scope.
        if living and not scope.names_a_city(text):
            return _with_context(_not_stated(knowledge, f"“{living.group(0)}”"), context)
        return _refusal(knowledge, "out_of_scope", text)
    elif u.intent == INTENT_CHITCHAT:
        # "哈哈不闹了 园区现在全国排多少": small talk around a real question answers it.
        hit = search.best_answer(knowledge, text)
        reply = answers.search_answer(knowledge, text) if hit is not None else answers.message(knowledge, "chitchat")
    else:
        reply = answers.search_answer(knowledge, text)
        reply = _answer_type_switch(knowledge, _switch_to_distinctive(knowledge, reply, text), text)
        reply = _honest(knowledge, reply, text)
        kind = intents.small_talk_kind(text) if reply.about is None else None
        if kind is not None:  # "在吗" read as a follow-up with nothing to follow: a greeting
            reply = (
                answers.greet(knowledge)
                if kind == "greet"
                else (answers.menu(knowledge) if kind == "menu" else answers.message(knowledge, kind))
            )
    item = _item_of_named_list(knowledge, reply, text)
    if item is not None:
        return _from_resolved(knowledge, item)
    if reply.about is None and followup.ordinal(text) is not None:
        # "那你说说九华精神第一条" with no list before: find the list without the ordinal.
        stripped = followup.without_ordinal(text)
        hit = search.best_answer(knowledge, stripped) if stripped else None
        if hit is not None and hit.kind == "faq":
            item = _item_of_named_list(knowledge, answers.faq_reply(knowledge, hit.id), text)
            if item is not None:
                return _from_resolved(knowledge, item)
    return _with_context(reply, context_of(reply, text))


def _item_of_named_list(knowledge: KnowledgeBase, reply: Reply, text: str) -> Optional[followup.Resolved]:
    """An ordinal in a question that also names its list ("九华精神第一条")."""
    if reply.about is None or reply.about[0] != KIND_FAQ or followup.ordinal(text) is None:
        return None
    resolved = followup.resolve(knowledge, text, Context(KIND_FAQ, reply.about[1], text))
    return resolved if resolved is not None and resolved.kind == followup.RESOLVED_ITEM else None
