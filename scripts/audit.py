"""`make audit`: replays every abuse case of issue 13 against the running servers and
prints held/total.

It starts its own action server, web app and Rasa server (scripts/live_servers.py) on a
copy of the project, configured as in production where it matters: a REST channel
token, a model-server token, a WeChat account in safe mode (AES key set), listed widget
origins, and a reverse proxy's X-Real-IP header for the admin (so it can log in from
several addresses). Each case is one function that tries the abuse and says whether it
held; the exit code is 1 unless every case held. Results also go to results/audit.json.

    python -m scripts.audit [--out results/audit.json]"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

from inbox.feedback import FeedbackStore
from scripts.live_servers import PARTNER_ORIGIN, PROJECT_ROOT, SESSION_SECRET, TOKEN, Servers, http
from scripts.widget_client import WidgetClient

STAFF_NAME, STAFF_PASSWORD = "audit-staff", "audit-staff-password-1"
MODEL_SERVER_TOKEN = "audit-model-server-token-0123456789abcdef"
WEBHOOK = "/webhooks/rest/webhook"
WECHAT = "/webhooks/wechat/webhook"


@dataclass
class Outcome:
    case: str
    held: bool
    detail: str


class Audit:
    def __init__(self, servers: Servers) -> None:
        self.servers = servers
        self.rasa, self.web = servers.rasa_url, servers.web_url
        # The staff member's own browser, logged in before any attack: it keeps the
        # known-device cookie that lets its owner in while the name is being guessed.
        self.owner = self.staff_session()

    # --- helpers --------------------------------------------------------------------------
    def rest(self, sender, message, headers: Optional[Dict[str, str]] = None, extra: Optional[dict] = None):
        body = {"sender": sender, "message": message, **(extra or {})}
        status, text = http(
            "POST",
            self.rasa + WEBHOOK,
            body,
            timeout=60,
            headers=self.servers.rest_headers if headers is None else headers,
        )
        return status, (json.loads(text) if status == 200 else text)

    def user_events(self, conversation: str) -> List[dict]:
        quoted = urllib.parse.quote(conversation, safe=":")
        status, body = http("GET", f"{self.rasa}/conversations/{quoted}/tracker?token={TOKEN}")
        if status != 200:
            raise RuntimeError(f"tracker of {conversation!r}: HTTP {status}")
        return [event for event in json.loads(body)["events"] if event["event"] == "user"]

    def wechat(self, simulator, xml: str, **request) -> Tuple[int, str]:
        args, body = simulator.request(xml, **request)
        url = self.rasa + WECHAT + "?" + urllib.parse.urlencode(args)
        req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/xml"})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, simulator.reply_text(args, response.read().decode()) or ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(
        self, username: str, password: str, address: str, session: Optional[requests.Session] = None
    ) -> requests.Response:
        session = session or requests.Session()
        headers = {"X-Real-IP": address}
        form = session.get(self.web + "/admin/login", headers=headers, timeout=30).text
        token = re.search(r'name="login_token" value="([^"]+)"', form).group(1)
        return session.post(
            self.web + "/admin/login",
            headers=headers,
            allow_redirects=False,
            timeout=60,
            data={"login_token": token, "username": username, "password": password},
        )

    def staff_session(self) -> requests.Session:
        session = requests.Session()
        reply = self.login(STAFF_NAME, STAFF_PASSWORD, "198.51.100.10", session)
        if reply.status_code != 302:
            raise RuntimeError(f"the audit's staff login failed: HTTP {reply.status_code}")
        return session

    def widget(self, texts: List[str], headers: Optional[Dict[str, str]] = None):
        async def run():
            async with WidgetClient(self.rasa, headers=headers) as client:
                acks = [await client.say(text, f"audit-{index}") for index, text in enumerate(texts)]
                return client.session, acks

        return asyncio.run(run())

    # --- 1. conversations addressable across channels ---------------------------------------
    def cross_channel(self) -> Outcome:
        from tests.connectors.wechat.simulator import SimulatedWeChat

        simulator = SimulatedWeChat("safe")
        self.wechat(simulator, simulator.text("o-audit-victim", "工业总产值多少"))
        for sender in ("o-audit-victim", "wechat:o-audit-victim"):
            self.rest(sender, "那固定资产投资呢")
        texts = [e.get("text") for e in self.user_events("wechat:o-audit-victim")]
        anonymous, _ = self.rest("o-audit-victim", "你好", headers={})
        held = texts == ["工业总产值多少"] and anonymous == 401
        return Outcome(
            "1 REST cannot reach a WeChat follower's conversation",
            held,
            f"follower's turns {texts}; REST without the channel token: HTTP {anonymous}",
        )

    # --- 2. one huge message ----------------------------------------------------------------
    def huge_message(self) -> Outcome:
        status, first = self.rest("audit-huge", "园区" * 600_000)
        _, second = self.rest("audit-huge", "机场远吗")
        longest = max(len(e.get("text") or "") for e in self.user_events("rest:audit-huge"))
        answered = status == 200 and "40分钟" in " ".join(m.get("text") or "" for m in second)
        return Outcome(
            "2 a 1.2 MB message is capped and the conversation goes on",
            answered and longest <= 2000,
            f"longest stored message {longest} characters; next turn answered: {answered}",
        )

    # --- 3. anonymous logins and the event loop ----------------------------------------------
    def login_flood(self) -> Outcome:
        stop, latencies = threading.Event(), []

        def probe():
            while not stop.is_set():
                started = time.perf_counter()
                requests.get(self.web + "/health", timeout=30)
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)

        prober = threading.Thread(target=probe)
        prober.start()
        with ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(
                    lambda n: self.login(f"nobody{n}", "wrong-password", f"192.0.2.{100 + n}").status_code, range(16)
                )
            )
        stop.set()
        prober.join()
        worst = max(latencies)
        held = worst < 1.0 and set(replies) == {401}
        return Outcome(
            "3 16 parallel failed logins do not stall the web app",
            held,
            f"/health worst {worst * 1000:.0f} ms over {len(latencies)} probes (was 2.4 s)",
        )

    def login_slowed(self) -> Outcome:
        statuses = [self.login(STAFF_NAME, "wrong-password", "192.0.2.50").status_code for _ in range(6)]
        return Outcome("3 guessing from one address is slowed", statuses == [401] * 5 + [429], f"statuses {statuses}")

    # --- 4. staff names probed, staff locked out ---------------------------------------------
    def name_probing(self) -> Outcome:
        def page(name, address):
            replies = [self.login(name, "wrong-password", address) for _ in range(6)]
            return [
                (r.status_code, re.sub(r'name="login_token" value="[^"]+"', "", r.text).replace(name, "NAME"))
                for r in replies
            ]

        real, unknown = page(STAFF_NAME, "192.0.2.60"), page("no-such-staff", "192.0.2.61")
        return Outcome(
            "4 a real staff name answers like an unknown one",
            real == unknown,
            f"real {[s for s, _ in real]}, unknown {[s for s, _ in unknown]}",
        )

    def lockout(self) -> Outcome:
        owner = self.owner
        owner.post(
            self.web + "/admin/logout",
            headers={"X-Real-IP": "198.51.100.10"},
            data={
                "csrf_token": re.search(
                    r'name="csrf_token" value="([^"]+)"', owner.get(self.web + "/admin/").text
                ).group(1)
            },
        )
        attacks = [self.login(STAFF_NAME, "guess", f"203.0.113.{n}").status_code for n in range(1, 16)]
        reply = self.login(STAFF_NAME, STAFF_PASSWORD, "198.51.100.11", owner)
        alert = 'data-testid="login-alert"' in owner.get(self.web + "/admin/").text
        held = reply.status_code == 302 and alert
        return Outcome(
            "4 anonymous failures cannot lock a staff member out; the admin is alerted",
            held,
            f"15 attacks from 15 addresses ({attacks.count(429)} slowed), owner's login HTTP "
            f"{reply.status_code}, dashboard alert {alert}",
        )

    # --- 5. forged feedback -----------------------------------------------------------------
    def forged_feedback(self) -> Outcome:
        from connectors.socketio_secure import tokens

        grant = tokens.new_session(SESSION_SECRET)
        statuses = [
            http(
                "POST",
                self.web + "/api/feedback",
                {
                    "rating": "down",
                    "question": f"编造的问题{n}",
                    "answer": "编造的答案",
                    "message_id": f"forged-{n}",
                    "session_id": grant.session_id,
                    "token": grant.token,
                    "answer_token": "0" * 64,
                },
            )[0]
            for n in range(50)
        ]
        session, acks = self.widget(["机场远吗"])
        answer = acks[0]["messages"][0]
        real = {
            "rating": "down",
            "question": "机场远吗",
            "answer": answer["text"],
            "message_id": "audit-0-0",
            "session_id": session["session_id"],
            "token": session["token"],
            "answer_token": answer.get("feedback_token"),
        }
        real_status = http("POST", self.web + "/api/feedback", real)[0]
        stored = len(FeedbackStore(self.servers.feedback_db).all())
        held = statuses.count(403) == 50 and real_status == 201 and stored == 1
        return Outcome(
            "5 feedback only on answers the server sent to that session",
            held,
            f"{statuses.count(403)}/50 forged posts refused, the real one HTTP {real_status}, " f"{stored} stored",
        )

    def feedback_rate(self) -> Outcome:
        session, acks = self.widget(["电价多少"])
        answer = acks[0]["messages"][0]
        body = {
            "rating": "up",
            "question": "电价多少",
            "answer": answer["text"],
            "message_id": "audit-0-0",
            "session_id": session["session_id"],
            "token": session["token"],
            "answer_token": answer.get("feedback_token"),
        }
        statuses = [http("POST", self.web + "/api/feedback", body)[0] for _ in range(35)]
        return Outcome(
            "5 feedback is rate-limited per session",
            429 in statuses and statuses[0] == 201,
            f"first {statuses[0]}, {statuses.count(429)} of 35 refused with 429",
        )

    def chat_rate(self) -> Outcome:
        _, acks = self.widget([f"第{n}个问题：机场远吗" for n in range(25)])
        polite = sum("稍等" in " ".join(WidgetClient.texts(ack)) for ack in acks)
        return Outcome(
            "5 chat is rate-limited per session with a polite reply",
            polite >= 5,
            f"{polite} of 25 rapid messages got the polite 'too fast' reply",
        )

    # --- 6. the smaller ones ----------------------------------------------------------------
    def csv_formulas(self) -> Outcome:
        staff = self.owner
        status, body = self.servers.admin_api(
            "POST",
            "/admin/api/faq",
            {
                "id": "audit_formula",
                "category": "profile",
                "question": '=HYPERLINK("http://evil.example","点我")',
                "phrasings": ["审计用的公式问题", "+1+1 是什么"],
                "answer": "- 第一条\n- 第二条",
                "source": {"document": "profile_2021", "section": "overview"},
                "period": "2021",
            },
        )
        if status != 201:
            return Outcome("6 CSV export neutralises formulas", False, f"could not create the entry: {status} {body}")
        export = staff.get(self.web + "/admin/export.csv", timeout=60).content.decode("utf-8-sig")
        row = next(row for row in csv.reader(io.StringIO(export)) if "audit_formula" in row)
        dangerous = [cell for cell in row if cell.startswith(("=", "+", "-", "@"))]
        return Outcome("6 CSV export neutralises formulas", not dangerous, f"cells starting with = + - @: {dangerous}")

    def not_found_escaped(self) -> Outcome:
        staff = self.owner
        page = staff.get(self.web + "/admin/faq/a'b&c=1", timeout=30).text
        return Outcome("6 the admin 404 page escapes the id", "a'b&c" not in page, "raw id absent from the page")

    def sender_newline(self) -> Outcome:
        status, reply = self.rest("audit\nINFO forged line", "你好")
        recipient = reply[0].get("recipient_id", "") if status == 200 and reply else ""
        return Outcome(
            "6 a newline in a sender id cannot forge a log line",
            status == 200 and "\n" not in recipient,
            f"conversation id {recipient!r}",
        )

    def openids_in_logs(self) -> Outcome:
        from tests.connectors.wechat.simulator import SimulatedWeChat

        simulator = SimulatedWeChat("safe")
        self.wechat(simulator, simulator.text("oAuditSecretOpenId", "机场远吗"))
        logs = "".join(path.read_text(errors="replace") for path in self.servers.logs.glob("*.log"))
        return Outcome(
            "6 OpenIDs stay out of the logs",
            "oAuditSecretOpenId" not in logs,
            f"searched {len(logs)} characters of server logs",
        )

    def rest_fields(self) -> Outcome:
        self.rest("audit-fields", "机场远吗", extra={"input_channel": "wechat", "metadata": {"blob": "x" * 50_000}})
        event = self.user_events("rest:audit-fields")[-1]
        held = event.get("input_channel") == "rest" and "blob" not in json.dumps(event.get("metadata") or {})
        return Outcome(
            "6 REST callers cannot set the channel or attach metadata",
            held,
            f"stored channel {event.get('input_channel')!r}",
        )

    def wechat_downgrade(self) -> Outcome:
        from tests.connectors.wechat.simulator import SimulatedWeChat

        plain = SimulatedWeChat("plain")
        status, _ = self.wechat(plain, plain.text("o-audit-plain", "机场远吗"))
        return Outcome("6 plaintext WeChat refused when an AES key is set", status == 403, f"HTTP {status}")

    def wechat_odd_inputs(self) -> Outcome:
        from tests.connectors.wechat.simulator import SimulatedWeChat

        safe = SimulatedWeChat("safe")
        statuses = [
            self.wechat(safe, safe.text("o-audit-odd", "你好"), timestamp="²")[0],
            self.wechat(
                safe,
                safe.text("o-audit-odd", "你好").replace(
                    "<Content><![CDATA[你好]]></Content>", "<Content><b>粗</b><i>x</i></Content>"
                ),
            )[0],
        ]
        return Outcome(
            "6 signed odd WeChat inputs get 4xx, not 500", all(400 <= s < 500 for s in statuses), f"statuses {statuses}"
        )

    def odd_messages(self) -> Outcome:
        replies = [self.rest("audit-odd", odd)[1] for odd in (12345, ["a"], None, "\ud800机场")]
        held = all(isinstance(r, list) and r and any(m.get("text") for m in r) for r in replies)
        return Outcome(
            "6 non-string messages and lone surrogates get a reply", held, f"{sum(bool(r) for r in replies)}/4 answered"
        )

    def api_token(self) -> Outcome:
        wrong = http("GET", f"{self.rasa}/status?token={TOKEN[:-1]}x")[0]
        right = http("GET", f"{self.rasa}/status?token={TOKEN}")[0]
        return Outcome(
            "6 the Rasa API token (checked in constant time first)",
            (wrong, right) == (401, 200),
            f"wrong token {wrong}, right token {right}",
        )

    def model_server(self) -> Outcome:
        status = http("GET", self.web + "/models/assistant.tar.gz")[0]
        return Outcome("6 the model server answers (and counts) only token holders", status == 401, f"HTTP {status}")

    def origins(self) -> Outcome:
        async def connects(origin):
            try:
                async with WidgetClient(self.rasa, headers={"Origin": origin}) as client:
                    return bool(client.session)
            except Exception:
                return False

        evil, partner = asyncio.run(connects("http://evil.example")), asyncio.run(connects(PARTNER_ORIGIN))
        return Outcome(
            "6 only listed sites may open the chat socket",
            partner and not evil,
            f"listed site connects {partner}, another site connects {evil}",
        )

    def cases(self) -> List[Callable[[], Outcome]]:
        # The lock-out case first: it needs its attacks counted, not yet slowed by the others.
        return [
            self.cross_channel,
            self.huge_message,
            self.lockout,
            self.login_flood,
            self.login_slowed,
            self.name_probing,
            self.forged_feedback,
            self.feedback_rate,
            self.chat_rate,
            self.csv_formulas,
            self.not_found_escaped,
            self.sender_newline,
            self.openids_in_logs,
            self.rest_fields,
            self.wechat_downgrade,
            self.wechat_odd_inputs,
            self.odd_messages,
            self.api_token,
            self.model_server,
            self.origins,
        ]


def workspace_copy(target: Path) -> Path:
    """knowledge/, data/, config and a link to the trained model: the audit adds an FAQ."""
    shutil.copytree(PROJECT_ROOT / "knowledge", target / "knowledge")
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    for name in ("config.yml", "domain.yml"):
        shutil.copyfile(PROJECT_ROOT / name, target / name)
    (target / "models").mkdir()
    shutil.copyfile(PROJECT_ROOT / "models" / "assistant.tar.gz", target / "models" / "assistant.tar.gz")
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "audit.json")
    args = parser.parse_args(argv)
    if not (PROJECT_ROOT / "models" / "assistant.tar.gz").exists():
        print("error: no trained model: run `make train` first", file=sys.stderr)
        return 2
    from web.admin.users import UserStore

    with tempfile.TemporaryDirectory(prefix="audit-") as folder:
        root = Path(folder)
        servers = Servers(
            root,
            workspace=workspace_copy(root / "project"),
            extra_env={
                "MODEL_SERVER_TOKEN": MODEL_SERVER_TOKEN,
                "SANIC_REAL_IP_HEADER": "x-real-ip",  # the web app behind a reverse proxy
            },
        )
        UserStore(servers.env["ADMIN_DB"]).add(STAFF_NAME, STAFF_PASSWORD, "publisher")
        print("Starting the action server, web app and Rasa server for the audit ...", flush=True)
        servers.start_all()
        outcomes: List[Outcome] = []
        try:
            audit = Audit(servers)
            for case in audit.cases():
                try:
                    outcome = case()
                except Exception as error:  # a case that cannot run has not shown the abuse held
                    outcome = Outcome(case.__name__, False, f"could not run: {type(error).__name__}: {error}")
                outcomes.append(outcome)
                print(f"  {'held  ' if outcome.held else 'FAILED'} {outcome.case}: {outcome.detail}", flush=True)
        finally:
            servers.stop_all()
    held = sum(outcome.held for outcome in outcomes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"held": held, "total": len(outcomes), "cases": [o.__dict__ for o in outcomes]},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"held {held}/{len(outcomes)}")
    return 0 if held == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
