"""Protocol pieces against WeChat's published sample and the simulator."""

from __future__ import annotations

import pytest

from connectors.wechat import protocol, render
from tests.connectors.wechat.simulator import SAMPLE_AES_KEY, SAMPLE_APP_ID, SAMPLE_TOKEN, SimulatedWeChat

# WeChat's published encryption sample (Token QDG6eK, AppID wx5823bf96d3bd56c7).
SAMPLE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
    "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwG"
    "c2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9"
    "EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0"
    "lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
SAMPLE_SIGNATURE, SAMPLE_TIMESTAMP, SAMPLE_NONCE = (
    "477715d11cdb4164915debcba66cb864d751f3e6",
    "1409659813",
    "1372623149",
)


def test_signature_matches_wechats_published_sample():
    assert protocol.signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT) == SAMPLE_SIGNATURE


def test_sample_decrypts_to_its_message():
    crypto = protocol.Crypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID)
    body = f"<xml><ToUserName><![CDATA[{SAMPLE_APP_ID}]]></ToUserName><Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>".encode()
    xml = crypto.decrypt(body, SAMPLE_SIGNATURE, SAMPLE_TIMESTAMP, SAMPLE_NONCE)
    incoming = protocol.parse(xml)
    assert (incoming.kind, incoming.text, incoming.open_id, incoming.msg_id) == (
        "text",
        "hello",
        "mycreate",
        "4561255354251345929",
    )
    with pytest.raises(protocol.Refused) as refused:
        crypto.decrypt(body, "0" * 40, SAMPLE_TIMESTAMP, SAMPLE_NONCE)
    assert refused.value.status == 403


def test_simulator_encrypts_as_wechat_does():
    simulator = SimulatedWeChat("safe")
    args, body = simulator.request(simulator.text("openid-1", "你好"))
    crypto = protocol.Crypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, SAMPLE_APP_ID)
    incoming = protocol.parse(crypto.decrypt(body, args["msg_signature"], args["timestamp"], args["nonce"]))
    assert incoming.text == "你好" and incoming.open_id == "openid-1"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
        b'<xml><!ENTITY x SYSTEM "file:///etc/passwd"></xml>',
        b"<!doctype xml><xml/>",
    ],
)
def test_doctype_and_entities_are_refused_before_parsing(body):
    with pytest.raises(protocol.Refused) as refused:
        protocol.check_body(body)
    assert refused.value.status == 400


def test_oversize_body_is_refused():
    with pytest.raises(protocol.Refused) as refused:
        protocol.check_body(b"x" * (protocol.MAX_BODY_BYTES + 1))
    assert refused.value.status == 413


@pytest.mark.parametrize("timestamp", ["", "abc", "1409659813", "99999999999"])
def test_stale_future_or_bad_timestamps_are_refused(timestamp):
    with pytest.raises(protocol.Refused):
        protocol.check_fresh(timestamp)


def test_render_merges_numbers_buttons_and_strips_markdown():
    result = render.render(
        [
            {"text": "**您好**！请选择："},
            {
                "text": "链接 [官网](https://example.cn)",
                "buttons": [
                    {"title": "区位交通", "payload": "交通方便吗"},
                    {"title": "经济数据", "payload": "经济怎么样"},
                ],
            },
        ]
    )
    assert result.parts == ["您好！请选择：\n\n链接 官网 https://example.cn\n\n回复 1 区位交通\n回复 2 经济数据"]
    assert result.options == ["交通方便吗", "经济怎么样"]


def test_split_respects_the_2048_byte_limit():
    text = "\n".join(f"第{i}行：湘潭经开区位于长株潭城市群几何中心。" for i in range(200))
    parts = render.split(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= render.MAX_REPLY_BYTES for p in parts)
    assert all(p.endswith(render.MORE_HINT) for p in parts[:-1])
    rejoined = "".join(p.replace(render.MORE_HINT, "") for p in parts)
    assert rejoined.replace("\n", "") == text.replace("\n", "")  # nothing lost


def test_menu_fits_wechats_limits_and_every_key_asks_something():
    from connectors.wechat.menu import MENU_ITEMS, menu_definition, payload_for

    buttons = menu_definition()["button"]
    assert len(buttons) <= 3 and all(len(b["sub_button"]) <= 5 for b in buttons)
    keys = [s["key"] for b in buttons for s in b["sub_button"]]
    assert set(keys) == set(MENU_ITEMS) and all(payload_for(k) for k in keys)
    assert payload_for("NO_SUCH_KEY") is None


def test_menu_script_creates_the_menu_through_the_api():
    import asyncio

    from scripts.wechat_menu import create_menu
    from tests.connectors.wechat.simulator import FakeCustomerServiceApi

    async def scenario():
        api = await FakeCustomerServiceApi().start()
        try:
            return await create_menu(api.url, SAMPLE_APP_ID, "secret"), api.menus
        finally:
            await api.stop()

    result, menus = asyncio.run(scenario())
    assert result == {"errcode": 0, "errmsg": "ok"}
    assert menus[0]["access_token"] == "token-1" and menus[0]["body"]["button"][0]["name"] == "投资环境"
