"""WeChat's customer-service message API (客服消息), for answers that miss the 5-second
window, with the access_token cached, refreshed before it expires, one refresh at a time.
aiohttp only: nothing blocking runs inside sanic's event loop."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Optional

import aiohttp

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
TOKEN_ERRORS = {40001, 40014, 42001}


class WeChatApiError(RuntimeError):
    pass


class CustomerServiceClient:
    def __init__(self, base_url: str, app_id: str, app_secret: str, timeout: float = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id, self.app_secret = app_id, app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None
        self.token_fetches = 0

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _usable(self, rejected: Optional[str]) -> bool:
        return bool(self._token) and self._token != rejected and time.time() < self._expires_at - REFRESH_MARGIN_SECONDS

    async def access_token(self, rejected: Optional[str] = None) -> str:
        """The cached token, refreshed before expiry or when WeChat rejected `rejected`."""
        if self._usable(rejected):
            return self._token
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # one refresh at a time; the others reuse its result
            if self._usable(rejected):
                return self._token
            params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
            async with self._client().get(f"{self.base_url}/cgi-bin/token", params=params) as response:
                data = await response.json(content_type=None)
            self.token_fetches += 1
            if "access_token" not in data:
                raise WeChatApiError(f"token refused: errcode {data.get('errcode')}")
            self._token = data["access_token"]
            self._expires_at = time.time() + int(data.get("expires_in", 7200))
            logger.info("wechat.token.refreshed")
            return self._token

    async def send_text(self, open_id: str, content: str) -> None:
        body = {"touser": open_id, "msgtype": "text", "text": {"content": content}}
        rejected: Optional[str] = None
        for _ in range(2):
            token = await self.access_token(rejected)
            async with self._client().post(
                f"{self.base_url}/cgi-bin/message/custom/send", params={"access_token": token}, json=body
            ) as response:
                data = await response.json(content_type=None)
            errcode = int(data.get("errcode", 0))
            if errcode == 0:
                logger.info("wechat.customer_service.sent")
                return
            if errcode not in TOKEN_ERRORS:
                break
            rejected = token
        raise WeChatApiError(f"customer-service message refused: errcode {errcode}")
