"""A simulated WeChat server: builds, signs and encrypts requests exactly as WeChat
does (checked against WeChat's published sample in test_protocol.py), and reads the
replies. And a fake customer-service API (aiohttp) that records what it is sent."""

from __future__ import annotations

import re
import secrets
import time
from typing import Dict, List, Optional, Tuple

from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from connectors.wechat.protocol import signature

SAMPLE_TOKEN = "QDG6eK"
SAMPLE_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
SAMPLE_APP_ID = "wx5823bf96d3bd56c7"
ACCOUNT = "gh_zone_account"


class SimulatedWeChat:
    def __init__(self, mode: str = "plain", token: str = SAMPLE_TOKEN) -> None:
        assert mode in ("plain", "compatible", "safe")
        self.mode, self.token = mode, token
        self.crypto = WeChatCrypto(token, SAMPLE_AES_KEY, SAMPLE_APP_ID)
        self._msg_id = 6 * 10**18 + secrets.randbelow(10**12) * 1000  # unique per simulator

    def text(self, open_id: str, content: str, msg_id: Optional[int] = None, create_time: Optional[int] = None) -> str:
        if msg_id is None:
            self._msg_id += 1
            msg_id = self._msg_id
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{open_id}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )

    def event(self, open_id: str, event: str, key: str = "", create_time: Optional[int] = None) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{open_id}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
        )

    def voice(self, open_id: str, recognition: str) -> str:
        self._msg_id += 1
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{open_id}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId>"
            f"<Format><![CDATA[amr]]></Format><Recognition><![CDATA[{recognition}]]></Recognition><MsgId>{self._msg_id}</MsgId></xml>"
        )

    def image(self, open_id: str) -> str:
        self._msg_id += 1
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{open_id}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/y.jpg]]></PicUrl>"
            f"<MediaId><![CDATA[m]]></MediaId><MsgId>{self._msg_id}</MsgId></xml>"
        )

    def request(
        self, xml: str, timestamp: Optional[int] = None, nonce: Optional[str] = None
    ) -> Tuple[Dict[str, str], bytes]:
        """Query arguments and body of WeChat's POST, in this simulator's mode."""
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        args = {
            "timestamp": timestamp_text,
            "nonce": nonce,
            "openid": _open_id(xml),
            "signature": signature(self.token, timestamp_text, nonce),
        }
        if self.mode == "plain":
            return args, xml.encode("utf-8")
        encrypted_xml = self.crypto.encrypt_message(xml, nonce, timestamp_text)
        encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", encrypted_xml).group(1)
        args.update(encrypt_type="aes", msg_signature=signature(self.token, timestamp_text, nonce, encrypted))
        if self.mode == "safe":
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        else:  # compatible: plaintext fields and the encrypted copy side by side
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        return args, body.encode("utf-8")

    def verification(self, echostr: str, timestamp: Optional[int] = None) -> Dict[str, str]:
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        return {
            "signature": signature(self.token, timestamp_text, nonce),
            "timestamp": timestamp_text,
            "nonce": nonce,
            "echostr": echostr,
        }

    def reply_text(self, args: Dict[str, str], body: str) -> Optional[str]:
        """The text content of a passive reply (decrypted in the encrypted modes)."""
        if body == "success":
            return None
        if self.mode != "plain":
            found = {
                tag: re.search(rf"<{tag}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{tag}>", body, re.S).group(1)
                for tag in ("Encrypt", "MsgSignature", "TimeStamp", "Nonce")
            }
            assert found["MsgSignature"] == signature(self.token, found["TimeStamp"], found["Nonce"], found["Encrypt"])
            body = self.crypto.decrypt_message(body, found["MsgSignature"], found["TimeStamp"], found["Nonce"])
        match = re.search(r"<Content><!\[CDATA\[(.*)\]\]></Content>", body, re.S)
        return match.group(1) if match else None


def _open_id(xml: str) -> str:
    match = re.search(r"<FromUserName><!\[CDATA\[(.*?)\]\]>", xml)
    return match.group(1) if match else ""


class FakeCustomerServiceApi:
    """WeChat's /cgi-bin/token, /cgi-bin/message/custom/send and /cgi-bin/menu/create, recorded."""

    def __init__(self, expire_first_token: bool = False) -> None:
        self.sent: List[Tuple[str, str]] = []
        self.menus: List[dict] = []
        self.token_requests = 0
        self._expire_first = expire_first_token
        self._runner: Optional[web.AppRunner] = None
        self.url = ""

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if request.query.get("appid") != SAMPLE_APP_ID:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        return web.json_response({"access_token": f"token-{self.token_requests}", "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        if self._expire_first and request.query.get("access_token") == "token-1":
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        body = await request.json()
        self.sent.append((body["touser"], body["text"]["content"]))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu(self, request: web.Request) -> web.Response:
        self.menus.append({"access_token": request.query.get("access_token"), "body": await request.json()})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def start(self) -> "FakeCustomerServiceApi":
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
