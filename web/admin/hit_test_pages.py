"""命中测试 (/admin/hittest): staff type a question, or a short conversation one message per
line, and see what the assistant would answer and why (kb/hit_test.py), with one click to
add the message as a phrasing of the entry it should have found.

The model's reading comes from Rasa's HTTP API (/model/parse, RASA_AUTH_TOKEN); nothing is
said to the assistant, so no conversation is stored and the statistics stay the
investors'. Without the API the page still shows the keyword search and the documents'
passages, and says the model was not asked."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp
from sanic import Blueprint
from sanic.request import Request

from kb.editing import EditError
from kb.hit_test import report_conversation
from kb.store import KnowledgeStore
from web.admin import guard
from web.admin.offload import work
from web.admin.views import back, ctx, render

logger = logging.getLogger(__name__)

MAX_TURNS = 8
MAX_CHARS = 200
PARSE_SECONDS = 10

hit_test_bp = Blueprint("admin_hit_test", url_prefix="/admin/hittest", strict_slashes=False)
hit_test_bp.middleware("request")(guard.check)
_stores: Dict[str, KnowledgeStore] = {}


def _knowledge(request: Request):
    root = ctx(request).settings.knowledge_dir
    store = _stores.setdefault(str(root), KnowledgeStore(root))
    return store.get()


def read_turns(text: str) -> List[str]:
    """The messages to try, one per line; ValueError says what is wrong for staff."""
    turns = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not turns:
        raise ValueError("请输入要测试的问题（多轮对话每行一句）")
    if len(turns) > MAX_TURNS:
        raise ValueError(f"一次最多测试 {MAX_TURNS} 句对话")
    long = [t for t in turns if len(t) > MAX_CHARS]
    if long:
        raise ValueError(f"每句最多 {MAX_CHARS} 字：“{long[0][:20]}…”太长")
    return turns


async def parse_with_rasa(url: str, token: Optional[str], texts: List[str]) -> List[Optional[Dict[str, Any]]]:
    """Rasa's parse of each message, or None for every one when the API is off or down."""
    if not token:
        return [None] * len(texts)
    parses: List[Optional[Dict[str, Any]]] = []
    try:
        timeout = aiohttp.ClientTimeout(total=PARSE_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for text in texts:
                async with session.post(f"{url}/model/parse", params={"token": token}, json={"text": text}) as reply:
                    reply.raise_for_status()
                    parses.append(await reply.json())
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.warning("hit_test.parse_failed error=%s", type(error).__name__)
        return [None] * len(texts)
    return parses


@hit_test_bp.get("/")
async def hit_test_form(request: Request):
    return render(request, "hit_test.html", text=request.args.get("q", ""), reports=None, problem="")


@hit_test_bp.post("/")
async def hit_test_run(request: Request):
    text = (request.form or {}).get("text", "")
    try:
        turns = read_turns(text)
    except ValueError as bad:
        return render(request, "hit_test.html", status=422, text=text, reports=None, problem=str(bad))
    settings = ctx(request).settings
    parses = await parse_with_rasa(settings.rasa_url, settings.rasa_token, turns)
    knowledge = await work(_knowledge, request)
    reports = await work(report_conversation, knowledge, turns, parses)
    faqs = sorted(((e.id, e.question) for e in knowledge.active_faqs()), key=lambda item: item[1])
    return render(request, "hit_test.html", text=text, reports=reports, faqs=faqs, problem="")


@hit_test_bp.post("/phrasing")
async def hit_test_add_phrasing(request: Request):
    form = request.form or {}
    faq_id, text = form.get("faq_id", ""), (form.get("text") or "").strip()
    conversation = form.get("conversation", "") or text
    try:
        await work(ctx(request).editor.add_phrasing, faq_id, text, request.ctx.principal.username)
    except EditError as error:
        message = "未能添加：" + "；".join(error.problems)
    else:
        message = f"已把“{text}”加为 {faq_id} 的问法；发布后生效"
    return back(f"/admin/hittest?q={quote(conversation)}", message)
