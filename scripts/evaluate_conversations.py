"""Held-out conversations scored turn by turn through the real servers.

tests/heldout/*.yml were written by people who never saw the training data or
knowledge/ (tests/heldout/README.md): short WeChat-style single messages and multi-turn
conversations, each turn with what a correct reply must do (format in that README).
This starts the real action server, web app and Rasa server on the trained model (as
`make run` does), sends every turn over the REST channel, one sender per conversation,
and judges each reply from its words alone:

- answer:       every `include` string (alternatives split by "|") is in the reply;
- no_figure:    the reply says the source has no such figure and offers a person;
- out_of_scope: the reply is one of the assistant's polite refusals, no zone facts;
- staff:        the reply gives the way to staff (contact or handoff);
- register:     the investment-intention form starts (its consent question);
- smalltalk:    any reply that is not an error.

Three accuracies are reported separately: single messages, conversation turns, and
out-of-scope items (from both). Exits non-zero when any is below --min-accuracy."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from core import settings
from kb.model import KnowledgeBase
from kb.render import number as figure_number
from kb.text import to_simplified
from kb.yaml_lines import YAMLError, safe_load

EXPECT_KINDS = ("answer", "no_figure", "out_of_scope", "staff", "register", "smalltalk")
# The words a "no published figure" reply uses (knowledge/ answers and messages say one
# of these; a reply that states a figure instead does not).
NO_FIGURE_MARKERS = (
    "没有公开",
    "没有给出",
    "没有找到",
    "没有公布",
    "未公布",
    "没有发布",
    "没有这",
    "没有该",
    "没有具体",
    "没有提供",
    "没有披露",
    "不能给您",
    "没有收录",
    "没有相关",
    "没有单独",
    "知识库中没有",
    "资料中没有",
)
STAFF_MARKERS = ("招商服务人员", "招商人员", "工作人员")
# Messages that decline without stating zone facts.
REFUSAL_KEYS = (
    "out_of_scope",
    "other_zone",
    "dont_know",
    "chitchat",
    "not_chinese",
    "empty_message",
    "no_source_scope",
)
STAFF_KEYS = ("staff_contact", "staff_contact_missing", "handoff_open", "handoff_closed")
ERROR_KEYS = ("error", "try_again_shortly")


class BadHeldoutFile(ValueError):
    """A held-out file is not in the documented format."""


@dataclass(frozen=True)
class Turn:
    user: str
    expect: str
    include: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: Tuple[Turn, ...]
    single: bool  # a standalone first message (the `messages:` sets)
    tags: Tuple[str, ...] = ()


def _turn(raw: dict, where: str, tags: Sequence[str] = ()) -> Turn:
    if not isinstance(raw, dict) or not isinstance(raw.get("user"), str):
        raise BadHeldoutFile(f"{where}: each turn needs a `user` text")
    expect = raw.get("expect")
    if expect not in EXPECT_KINDS:
        raise BadHeldoutFile(f"{where}: `expect` must be one of {', '.join(EXPECT_KINDS)}, not {expect!r}")
    include = tuple(str(s) for s in raw.get("include") or ())
    if expect == "answer" and not include:
        raise BadHeldoutFile(f"{where}: an `answer` turn needs `include` strings")
    return Turn(raw["user"], expect, include, tuple(tags) + tuple(raw.get("tags") or ()))


def read_heldout(path: Path) -> List[Conversation]:
    """Conversations from one file (`conversations:` or `messages:`), checked."""
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    result: List[Conversation] = []
    for index, raw in enumerate(data.get("messages") or ()):
        where = f"{path.name} message {raw.get('id', index + 1) if isinstance(raw, dict) else index + 1}"
        tags = tuple(raw.get("tags") or ()) if isinstance(raw, dict) else ()
        result.append(Conversation(str(raw.get("id", index)), (_turn(raw, where),), True, tags))
    for index, raw in enumerate(data.get("conversations") or ()):
        where = f"{path.name} conversation {raw.get('id', index + 1) if isinstance(raw, dict) else index + 1}"
        if not isinstance(raw, dict) or not raw.get("turns"):
            raise BadHeldoutFile(f"{where}: needs a list of `turns`")
        tags = tuple(raw.get("tags") or ())
        turns = tuple(_turn(t, f"{where} turn {n + 1}") for n, t in enumerate(raw["turns"]))
        result.append(Conversation(str(raw.get("id", index)), turns, False, tags))
    if not result:
        raise BadHeldoutFile(f"{path}: no `messages` or `conversations`")
    return result


def _prefix(template: str) -> str:
    """The fixed opening of a message template (before its first {placeholder})."""
    return template.split("{", 1)[0].strip()


def _starts_with_message(reply: str, knowledge: KnowledgeBase, keys: Iterable[str]) -> bool:
    for key in keys:
        opening = _prefix(to_simplified(knowledge.messages.get(key, "")))
        if opening and opening[:20] in reply:
            return True
    return False


FIGURE_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(\.growth)?\}")


def with_figures(expected: str, knowledge: KnowledgeBase) -> str:
    """An expected string with its figures filled in from the knowledge base, so a staff
    edit of a figure changes what is expected: "{industrial_output}亿元" is "821.7亿元",
    "{industrial_output.growth}%" is "12.3%". A figure the knowledge base does not have
    stays as written, and the turn fails, naming it."""

    def value(match: "re.Match[str]") -> str:
        figure = knowledge.figures.get(match.group(1))
        if figure is None:
            return match.group(0)
        amount = figure.growth_pct if match.group(2) else figure.value
        return match.group(0) if amount is None else figure_number(amount)

    return FIGURE_PLACEHOLDER.sub(value, expected)


def judge(turn: Turn, texts: Sequence[str], buttons: Sequence[str], knowledge: KnowledgeBase) -> Tuple[bool, str]:
    """(correct, why) for one reply, judged from its words (in simplified script)."""
    reply = to_simplified("\n".join(texts))
    titles = to_simplified(" ".join(buttons))
    if not reply.strip():
        return False, "no reply"
    if _starts_with_message(reply, knowledge, ERROR_KEYS):
        return False, "error reply"
    refusal = _starts_with_message(reply, knowledge, REFUSAL_KEYS)
    if turn.expect == "answer":
        expected = [with_figures(group, knowledge) for group in turn.include]
        missing = [group for group in expected if not any(alt in reply for alt in group.split("|"))]
        return (not missing, f"missing {missing}" if missing else "ok")
    if turn.expect == "no_figure":
        says_none = any(marker in reply for marker in NO_FIGURE_MARKERS)
        offers_staff = any(marker in reply + titles for marker in STAFF_MARKERS)
        if says_none and offers_staff:
            return True, "ok"
        return False, "no 'no published figure' statement" if not says_none else "no staff offer"
    if turn.expect == "out_of_scope":
        return (refusal, "ok" if refusal else "answered instead of declining")
    if turn.expect == "staff":
        ok = _starts_with_message(reply, knowledge, STAFF_KEYS)
        return ok, "ok" if ok else "no way to staff"
    if turn.expect == "register":
        # The form starts (consent question) or, mid-form, goes on with its next step.
        form_keys = [key for key in knowledge.messages if key.startswith("lead_") and key != "lead_cancelled"]
        ok = _starts_with_message(reply, knowledge, form_keys)
        return ok, "ok" if ok else "form not started"
    return True, "ok"  # smalltalk: any polite, non-error reply


@dataclass
class Score:
    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hits += ok
        self.total += 1

    @property
    def accuracy(self) -> float:
        return self.hits / self.total if self.total else 1.0


@dataclass
class Report:
    single: Score = field(default_factory=Score)
    turns: Score = field(default_factory=Score)
    out_of_scope: Score = field(default_factory=Score)
    by_tag: Dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_expect: Dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    misses: List[dict] = field(default_factory=list)
    conversations_all_right: Score = field(default_factory=Score)

    def as_dict(self) -> dict:
        return {
            "single_message_accuracy": round(self.single.accuracy, 4),
            "single_messages": self.single.total,
            "conversation_turn_accuracy": round(self.turns.accuracy, 4),
            "conversation_turns": self.turns.total,
            "out_of_scope_accuracy": round(self.out_of_scope.accuracy, 4),
            "out_of_scope_items": self.out_of_scope.total,
            "whole_conversations_right": round(self.conversations_all_right.accuracy, 4),
            "by_expect": {k: [v.hits, v.total] for k, v in sorted(self.by_expect.items())},
            "by_tag": {k: [v.hits, v.total] for k, v in sorted(self.by_tag.items())},
            "misses": self.misses,
        }


Say = Callable[[str, str], Tuple[List[str], List[str]]]


def score(
    conversations: Sequence[Conversation],
    say: Say,
    knowledge: KnowledgeBase,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Report:
    """Play every conversation through `say(sender, text) -> (texts, button titles)`."""
    report = Report()
    for number, conversation in enumerate(conversations, 1):
        sender = f"heldout-{conversation.id}-{uuid.uuid4().hex[:8]}"
        all_right = True
        for index, turn in enumerate(conversation.turns):
            texts, buttons = say(sender, turn.user)
            ok, why = judge(turn, texts, buttons, knowledge)
            all_right &= ok
            (report.single if conversation.single else report.turns).add(ok)
            if turn.expect == "out_of_scope":
                report.out_of_scope.add(ok)
            report.by_expect[turn.expect].add(ok)
            for tag in set(conversation.tags + turn.tags):
                report.by_tag[tag].add(ok)
            if not ok:
                report.misses.append(
                    {
                        "id": conversation.id,
                        "turn": index + 1,
                        "user": turn.user,
                        "expect": turn.expect,
                        "include": list(turn.include),
                        "why": why,
                        "reply": "\n".join(texts)[:300],
                        "before": [t.user for t in conversation.turns[:index]],
                    }
                )
        if not conversation.single:
            report.conversations_all_right.add(all_right)
        if progress:
            progress(number, len(conversations))
    return report


def rest_say(rasa_url: str, headers: Optional[Dict[str, str]] = None) -> Say:
    """Turns over REST; `headers` carry the channel's token: the scorer is one of the
    zone's own integrations, and anonymous callers are rate-limited."""
    from scripts.live_servers import http

    def say(sender: str, text: str) -> Tuple[List[str], List[str]]:
        status, body = http(
            "POST",
            rasa_url + "/webhooks/rest/webhook",
            {"sender": sender, "message": text},
            timeout=60,
            headers=headers,
        )
        if status != 200:
            raise RuntimeError(f"REST channel answered {status}: {body[:200]}")
        messages = json.loads(body)
        texts = [m.get("text") or "" for m in messages if m.get("text")]
        buttons = [b.get("title") or "" for m in messages for b in (m.get("buttons") or [])]
        return texts, buttons

    return say


def wait_until_ready(url: str, seconds: float = 300) -> None:
    """The action server answers at once, but scores are only comparable once its E5
    phrasing vectors are built (a few seconds to a minute on a busy machine)."""
    from scripts.live_servers import http

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if http("GET", url, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    print(f"warning: {url} not ready after {seconds:.0f} s; scoring anyway", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path, help="held-out YAML files")
    parser.add_argument(
        "--min-accuracy", type=float, default=0.95, help="floor for single-message and out-of-scope accuracy"
    )
    parser.add_argument(
        "--min-turn-accuracy",
        type=float,
        default=None,
        help="floor for conversation-turn accuracy (default: --min-accuracy)",
    )
    parser.add_argument("--out", type=Path, default=Path("results/conversations"))
    parser.add_argument("--rasa-url", help="score a server that is already running instead of starting one")
    parser.add_argument(
        "--rest-token",
        default=settings.get("REST_CHANNEL_TOKEN"),
        help="that server's REST channel token (default: $REST_CHANNEL_TOKEN)",
    )
    args = parser.parse_args()

    try:
        conversations = [c for path in args.files for c in read_heldout(path)]
    except (OSError, YAMLError, BadHeldoutFile) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from kb import store

    knowledge = store.current()

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total} conversations", flush=True)

    started = time.time()
    if args.rasa_url:
        headers = {"Authorization": f"Bearer {args.rest_token}"} if args.rest_token else None
        report = score(conversations, rest_say(args.rasa_url, headers), knowledge, progress)
    else:
        from scripts.live_servers import Servers

        with tempfile.TemporaryDirectory(prefix="heldout-") as workdir:
            servers = Servers(Path(workdir))
            print("Starting the action server, web app and Rasa server ...", flush=True)
            servers.start_all()
            wait_until_ready(f"http://127.0.0.1:{servers.action_port}/ready")
            try:
                report = score(conversations, rest_say(servers.rasa_url, servers.rest_headers), knowledge, progress)
            finally:
                servers.stop_all()

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    for miss in report.misses:
        context = " / ".join(miss["before"])
        print(
            f"  miss {miss['id']}#{miss['turn']} [{miss['expect']}] {miss['user']!r}"
            f"{' after ' + repr(context) if context else ''}: {miss['why']}; reply: {miss['reply'][:80]!r}"
        )
    summary = report.as_dict()
    print("by tag: " + ", ".join(f"{k} {h}/{t}" for k, (h, t) in summary["by_tag"].items()))
    print(f"single messages:      {report.single.accuracy:.3f} ({report.single.hits}/{report.single.total})")
    print(f"conversation turns:   {report.turns.accuracy:.3f} ({report.turns.hits}/{report.turns.total})")
    print(
        f"out of scope:         {report.out_of_scope.accuracy:.3f} ({report.out_of_scope.hits}/{report.out_of_scope.total})"
    )
    print(f"whole conversations:  {report.conversations_all_right.accuracy:.3f}")
    print(f"scored in {time.time() - started:.0f} s; report: {args.out / 'report.json'}")
    turn_floor = args.min_accuracy if args.min_turn_accuracy is None else args.min_turn_accuracy
    failed = [
        f"{name} {s.accuracy:.3f} < {floor:.2f}"
        for name, s, floor in (
            ("single messages", report.single, args.min_accuracy),
            ("conversation turns", report.turns, turn_floor),
            ("out of scope", report.out_of_scope, args.min_accuracy),
        )
        if s.accuracy < floor
    ]
    if failed:
        print(f"FAILED: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
