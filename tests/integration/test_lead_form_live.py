"""The investment-intention form and the handoff through the real servers (REST), with
the staff webhook pointed at a local fake WeCom receiver that is down at first."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from leads.store import LeadStore
from scripts.live_servers import MODEL, Servers, free_port

pytestmark = pytest.mark.live


class FakeWeCom(BaseHTTPRequestHandler):
    received: list = []
    failures_left = 1  # the first delivery fails, as a webhook that is briefly down

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if FakeWeCom.failures_left > 0:
            FakeWeCom.failures_left -= 1
            self.send_response(502)
            self.end_headers()
            return
        FakeWeCom.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first")
    receiver = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeWeCom)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    root = tmp_path_factory.mktemp("leads")
    servers = Servers(
        root,
        extra_env={
            "LEAD_WEBHOOK_URL": f"http://127.0.0.1:{receiver.server_port}/cgi-bin/webhook/send?key=test",
            "OFFICE_HOURS": "mon-sun 00:00-23:59",
        },
    )
    servers.start_all()
    yield servers, LeadStore(f"sqlite:///{root / 'leads.db'}")
    servers.stop_all()
    receiver.shutdown()


def texts(servers: Servers, sender: str, message: str) -> str:
    return "\n".join(m.get("text", "") for m in servers.say(sender, message))


def test_a_lead_from_first_question_to_staff_notification(stack):
    servers, store = stack
    assert "隐私说明" in texts(servers, "investor-a", "我想来园区投资")
    assert "公司" in texts(servers, "investor-a", "同意")
    interrupted = texts(servers, "investor-a", "园区离机场多远？")
    assert "黄花" in interrupted and "公司" in interrupted  # answered, then asked again
    texts(servers, "investor-a", "湘潭恒通精密机械有限公司")
    texts(servers, "investor-a", "汽车零部件")
    assert "没看懂这个金额" in texts(servers, "investor-a", "很多钱")
    texts(servers, "investor-a", "3 亿")
    texts(servers, "investor-a", "50亩")
    texts(servers, "investor-a", "王先生")
    assert "11位手机号" in texts(servers, "investor-a", "0731-1234567")
    assert "已登记" in texts(servers, "investor-a", "13812345678")
    [lead] = store.list_leads()
    assert (lead.amount_yuan, lead.phone, lead.channel) == (300_000_000, "13812345678", "rest")
    deadline = time.time() + 120  # first delivery fails; the retry (30 s backoff) succeeds
    while time.time() < deadline and not FakeWeCom.received:
        time.sleep(1)
    [message] = FakeWeCom.received
    assert message["msgtype"] == "markdown" and "湘潭恒通精密机械有限公司" in message["markdown"]["content"]
    assert "13812345678" not in json.dumps(message, ensure_ascii=False)  # masked in the chat group
    while time.time() < deadline and store.list_outbox()[0].delivered_at is None:
        time.sleep(0.5)  # the action server records the delivery after the webhook's 200
    [item] = store.list_outbox()
    assert item.delivered_at is not None  # so it is never claimed and sent again
    assert len(FakeWeCom.received) == 1


def test_consent_refused_and_cancel_store_nothing(stack):
    servers, store = stack
    before = len(store.list_leads())
    texts(servers, "investor-b", "我要登记投资意向")
    assert "没有保存任何信息" in texts(servers, "investor-b", "不同意")
    texts(servers, "investor-c", "我要登记投资意向")
    assert "已取消" in texts(servers, "investor-c", "算了")
    assert len(store.list_leads()) == before


def test_asking_for_a_person_is_recorded_with_the_transcript(stack):
    servers, store = stack
    texts(servers, "investor-d", "电价多少")
    reply = texts(servers, "investor-d", "转人工")
    assert "已为您通知" in reply
    handoff = next(h for h in store.list_handoffs() if h.conversation_id == "rest:investor-d")
    assert [line["text"] for line in handoff.transcript if line["who"] == "investor"][:2] == ["电价多少", "转人工"]


def test_the_form_over_wechat_and_a_wechat_retry_stores_one_lead(stack):
    import urllib.parse
    import urllib.request

    from tests.connectors.wechat.simulator import SimulatedWeChat

    servers, store = stack
    simulator = SimulatedWeChat("safe")
    url = servers.rasa_url + "/webhooks/wechat/webhook"

    def say(xml: str) -> str:
        args, body = simulator.request(xml)
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode(args), data=body, method="POST", headers={"Content-Type": "text/xml"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return simulator.reply_text(args, response.read().decode()) or ""

    offer = say(simulator.text("openid-lead", "转人工"))
    assert "回复 1" in offer and "留下项目和联系方式" in offer  # the button, as WeChat shows it
    assert "隐私说明" in say(simulator.text("openid-lead", "1"))
    for answer in ("同意", "湘潭九华新材料有限公司", "新能源车电池包", "2亿元", "不确定", "李女士"):
        say(simulator.text("openid-lead", answer))
    final = simulator.text("openid-lead", "13912345678", msg_id=880001)
    first = say(final)
    retried = say(final)  # WeChat resends when it thinks the reply was late
    # The answer was delivered with the first request, so the retry gets WeChat's empty
    # "success" rather than a second copy; the message is processed once.
    assert "已登记" in first and retried == ""
    leads = [lead for lead in store.list_leads() if lead.conversation_id == "wechat:openid-lead"]
    assert len(leads) == 1 and (leads[0].channel, leads[0].industry) == ("wechat", "汽车及零部件")
