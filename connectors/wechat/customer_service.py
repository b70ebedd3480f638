"""WeChat's customer-service message API (客服消息), for answers that miss the 5-second
window, with the access_token cached, refreshed before it expires, one refresh at a time.
aiohttp only: nothing blocking runs inside sanic's event loop.

The token lives in memory, and also in Redis when REDIS_URL is set: WeChat keeps only
the newest token valid, so several instances must share one and refresh it one at a
time (a Redis SET NX lock)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Optional

import aiohttp

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
LOCK_SECONDS = 10
REDIS_PREFIX = "zone:wechat:"
TOKEN_ERRORS = {40001, 40014, 42001}


class WeChatApiError(RuntimeError):
    pass


class CustomerServiceClient:
    def __init__(
        self, base_url: str, app_id: str, app_secret: str, timeout: float = 10, redis_url: Optional[str] = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id, self.app_secret = app_id, app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None
        self.token_fetches = 0
        self._redis = None
        if redis_url:
            import redis.asyncio as redis_asyncio

            self._redis = redis_asyncio.from_url(redis_url, decode_responses=True)
        self._token_key = f"{REDIS_PREFIX}access_token:{app_id}"

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
            if self._redis is not None:
                return await self._shared_token(rejected)
            return await self._fetch_token()

    async def _shared_token(self, rejected: Optional[str]) -> str:
        """The token other instances stored, or a refresh under a cross-instance lock."""
        deadline = time.time() + LOCK_SECONDS
        while time.time() < deadline:
            token = await self._redis.get(self._token_key)
            if token and token != rejected:
                ttl = await self._redis.ttl(self._token_key)
                self._token, self._expires_at = token, time.time() + max(ttl, 0) + REFRESH_MARGIN_SECONDS
                return token
            if await self._redis.set(f"{self._token_key}:lock", "1", nx=True, ex=LOCK_SECONDS):
                try:
                    token = await self._fetch_token()
                    ttl = int(self._expires_at - time.time() - REFRESH_MARGIN_SECONDS)
                    await self._redis.set(self._token_key, token, ex=max(ttl, 1))
                    return token
                finally:
                    await self._redis.delete(f"{self._token_key}:lock")
            await asyncio.sleep(0.05)  # another instance is refreshing
        raise WeChatApiError("timed out waiting for another instance to refresh the access_token")

    async def _fetch_token(self) -> str:
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
