"""Every channel's guarantee that an investor is never left without an answer.

When the action server is down (or restarting), Rasa logs the failed action or /nlg
call and carries on, and the turn ends with no reply at all: the widget shows nothing,
WeChat shows nothing. Wrapping the handler each channel is given turns that silence into
the staff-editable `try_again_shortly` message ("please try again shortly"), in the
investor's script. The turn itself is still stored, so nothing the investor wrote is
lost, and the next message is answered normally once the action server is back."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors.limits import log_id
from kb import yaml_lines
from kb.store import knowledge_dir
from kb.text import detect_script, in_script

logger = logging.getLogger(__name__)

MESSAGE_KEY = "try_again_shortly"
# Used only when knowledge/messages.yml cannot be read at all.
DEFAULT_TEXT = "抱歉，服务暂时繁忙，这条消息没能及时回答。请稍后再发一次，通常几秒钟后就能恢复。"
DEFAULTS = {
    MESSAGE_KEY: DEFAULT_TEXT,
    "too_fast": "您发送得有点快，刚才这条消息我还没有处理。请稍等片刻再发一次，谢谢您的耐心。",
}
# Rasa's own commands, which are silent by design.
SILENT_COMMANDS = ("/restart", "/session_start")

Handler = Callable[[UserMessage], Awaitable[Any]]


@lru_cache(maxsize=8)
def _message_from(path: str, mtime_ns: int, key: str) -> str:
    data = yaml_lines.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return str((data.get("messages") or {}).get(key) or DEFAULTS[key]).strip()


def channel_text(key: str, user_text: str = "") -> str:
    """A message the channels say themselves (`try_again_shortly`, `too_fast`), from
    knowledge/messages.yml (re-read when staff change it), in the script (简/繁) the
    investor wrote in."""
    path = knowledge_dir() / "messages.yml"
    try:
        text = _message_from(str(path), path.stat().st_mtime_ns, key)
    except Exception:  # a broken or missing file must not make the apology fail too
        logger.exception("never_silent.message_unreadable path=%s", path)
        text = DEFAULTS[key]
    return in_script(text, detect_script(user_text))


def try_again_text(user_text: str = "") -> str:
    return channel_text(MESSAGE_KEY, user_text)


def never_silent(on_new_message: Handler) -> Handler:
    """`on_new_message` that always leaves a reply in a CollectingOutputChannel."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("turn.failed conversation=%s", log_id(message.sender_id))
        channel = message.output_channel
        if not isinstance(channel, CollectingOutputChannel) or channel.messages:
            return
        if (message.text or "").strip().startswith(SILENT_COMMANDS):
            return
        logger.warning("turn.silent conversation=%s: answered with %s", log_id(message.sender_id), MESSAGE_KEY)
        await channel.send_text_message(message.sender_id, try_again_text(message.text or ""))

    return handle
