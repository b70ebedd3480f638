"""Bot messages as WeChat text: one passive reply, numbered options instead of buttons,
plain links, split at WeChat's 2,048-byte limit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List

from core.limits import WECHAT_MAX_REPLY_BYTES

MAX_REPLY_BYTES = WECHAT_MAX_REPLY_BYTES
MORE_HINT = "\n（回复「继续」查看更多）"
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


@dataclass
class Rendered:
    parts: List[str]  # first goes in the passive reply; the rest on "继续" (or via the API)
    options: List[str] = field(default_factory=list)  # payloads for "回复 1", "回复 2", ...


def _plain(text: str) -> str:
    text = _MD_LINK.sub(r"\1 \2", text)  # WeChat shows a bare URL; markdown would show raw
    return _BOLD.sub(r"\1", text).strip()


def render(messages: List[Dict[str, Any]]) -> Rendered:
    texts, options = [], []
    for message in messages:
        if message.get("text"):
            texts.append(_plain(message["text"]))
        for button in message.get("buttons") or []:
            options.append(button.get("payload") or button.get("title") or "")
            texts.append(f"回复 {len(options)} {button.get('title', '')}".rstrip())
    body = "\n".join(_join_blocks(texts)).strip()
    return Rendered(split(body) if body else [], options)


def _join_blocks(texts: List[str]) -> List[str]:
    """Numbered options stay on consecutive lines; messages are a blank line apart."""
    lines: List[str] = []
    for text in texts:
        if lines and not (text.startswith("回复 ") and lines[-1].startswith("回复 ")):
            lines.append("")
        lines.append(text)
    return lines


def split(text: str, limit: int = MAX_REPLY_BYTES) -> List[str]:
    """Chunks of at most `limit` UTF-8 bytes, every one but the last ending with the
    "reply 继续" hint; cut at a line break when one is near."""
    parts: List[str] = []
    budget = limit - len(MORE_HINT.encode("utf-8"))
    while len(text.encode("utf-8")) > limit:
        cut = _fit(text, budget)
        newline = text.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline
        parts.append(text[:cut].rstrip() + MORE_HINT)
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _fit(text: str, budget: int) -> int:
    """How many characters of text fit in `budget` UTF-8 bytes."""
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > budget:
            return index
    return len(text)
