"""Who counts as "a Rasa server runs this model" (web/admin/model_server.py)."""

import asyncio
from types import SimpleNamespace

from web.admin import model_server
from web.admin.context import PullTracker


def test_only_token_holders_or_local_callers_count_as_servers():
    assert model_server.counts_as_a_server("203.0.113.7", token_checked=True)
    assert model_server.counts_as_a_server("127.0.0.1", token_checked=False)
    assert model_server.counts_as_a_server("::1", token_checked=False)
    assert not model_server.counts_as_a_server("203.0.113.7", token_checked=False)
    assert not model_server.counts_as_a_server("", token_checked=False)


class FakeModels:
    live = "/nonexistent"

    def fingerprint(self):
        return None  # nothing to send: the handler stops after recording the caller


def pull(ip, if_none_match, token_setting=None, token=""):
    admin = SimpleNamespace(
        settings=SimpleNamespace(model_server_token=token_setting), pulls=PullTracker(), models=FakeModels()
    )
    request = SimpleNamespace(
        app=SimpleNamespace(ctx=SimpleNamespace(admin=admin)),
        ip=ip,
        headers={"if-none-match": if_none_match},
        args={"token": token} if token else {},
    )
    reply = asyncio.run(model_server.live_model(request))
    return reply, admin.pulls.fingerprints()


def test_a_stranger_claiming_to_run_the_new_model_is_not_counted():
    fingerprint = "0123456789abcdef0123456789abcdef"
    assert pull("203.0.113.7", f'"{fingerprint}"')[1] == []
    assert pull("127.0.0.1", f'"{fingerprint}"')[1] == [fingerprint]
    assert pull("127.0.0.1", '"not-a-fingerprint"')[1] == []
    assert pull("203.0.113.7", f'"{fingerprint}"', token_setting="t" * 32, token="t" * 32)[1] == [fingerprint]
    refused, seen = pull("203.0.113.7", f'"{fingerprint}"', token_setting="t" * 32, token="wrong")
    assert refused.status == 401 and seen == []
