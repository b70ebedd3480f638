"""A widget's conversation over socket.io from Python, as the browser widget holds it
(session_request → session_confirm, then user_uttered with an acknowledgement), for the
live tests and `make audit`. socketio.AsyncClient comes with python-socketio."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import socketio


class WidgetClient:
    def __init__(self, rasa_url: str, headers: Optional[Dict[str, str]] = None) -> None:
        self.rasa_url, self.headers = rasa_url, headers or {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session: Dict[str, Any] = {}
        self._confirmed = asyncio.Event()

    async def __aenter__(self) -> "WidgetClient":
        @self.sio.on("session_confirm")
        async def confirmed(grant: Dict[str, Any]) -> None:
            self.session = grant
            self._confirmed.set()

        @self.sio.event
        async def connect() -> None:
            await self.sio.emit("session_request", {})

        # Long-polling: python-socketio's websocket client needs a newer aiohttp than Rasa pins.
        await self.sio.connect(
            self.rasa_url, socketio_path="/socket.io", transports=["polling"], headers=self.headers, wait_timeout=30
        )
        await asyncio.wait_for(self._confirmed.wait(), 30)
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.sio.disconnect()

    async def say(self, text: str, message_id: str, timeout: float = 60) -> Dict[str, Any]:
        """The acknowledgement: {"message_id", "messages": [...]} or {"error": ...}."""
        return await self.sio.call("user_uttered", {"message": text, "message_id": message_id}, timeout=timeout)

    @staticmethod
    def texts(ack: Dict[str, Any]) -> List[str]:
        return [m.get("text") or "" for m in ack.get("messages", [])]
