"""Limits and labels several layers share, in one place.

- WeChat's passive text reply holds at most 2,048 UTF-8 bytes: the WeChat channel splits
  longer answers (connectors/wechat/render.py) and the knowledge checks warn about answers
  that need splitting (kb/checks.py).
- What a channel accepts from the internet (connectors/limits.py): message and sender-id
  lengths.
- The prefix of each channel's conversation ids (connectors/limits.py; the migration in
  serving/migrate_conversation_ids.py)."""

from __future__ import annotations

WECHAT_MAX_REPLY_BYTES = 2048
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
# Rasa channel name -> prefix of the conversation ids that channel makes.
CHANNEL_PREFIXES = {"rest": "rest", "socketio": "web", "wechat": "wechat"}
