"""connectors/rasa_server/schema_cache.py gives jsonschema.validate's answers, with the validator cached."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import nlg_response_format_spec

from connectors.rasa_server import schema_cache
from connectors.rest import NeverSilentRestInput

ACTION_SCHEMA = RemoteAction("action_search_knowledge", None).action_response_format_spec()
GOOD_REPLY = {
    "events": [{"event": "slot", "timestamp": None, "name": "indicator", "value": "工业总产值"}],
    "responses": [{"text": "2021年1-8月，工业总产值……", "buttons": []}],
}
BAD_REPLIES = [
    {"events": [{"event": "slot", "name": 3}]},  # a slot event needs a string name
    {"events": "not a list"},
    {"responses": ["not an object"]},
]


def test_the_rest_channel_installs_the_cache_and_importing_connectors_does_not(monkeypatch):
    """Before, importing connectors/ replaced jsonschema.validate in any process (the web
    app's too); now only a Rasa server's REST channel blueprint installs it."""
    monkeypatch.setattr(jsonschema, "validate", schema_cache.validate.original)
    import importlib

    import connectors

    importlib.reload(connectors)
    assert jsonschema.validate is schema_cache.validate.original

    async def on_new_message(_message):
        return None

    NeverSilentRestInput().blueprint(on_new_message)
    assert jsonschema.validate is schema_cache.validate


def test_a_valid_action_reply_passes_and_the_validator_is_built_once():
    schema_cache._validator.cache_clear()
    for _ in range(3):
        schema_cache.validate(GOOD_REPLY, RemoteAction("x", None).action_response_format_spec())
    info = schema_cache._validator.cache_info()
    assert (info.misses, info.hits) == (1, 2)


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_an_invalid_reply_raises_the_same_error_as_jsonschema(reply):
    with pytest.raises(jsonschema.ValidationError) as ours:
        schema_cache.validate(reply, ACTION_SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        schema_cache.validate.original(reply, ACTION_SCHEMA)
    assert (ours.value.message, list(ours.value.path)) == (theirs.value.message, list(theirs.value.path))


def test_rasa_still_rejects_a_malformed_action_server_reply():
    """RemoteAction's own check, which now goes through the cache, still refuses it."""
    action = RemoteAction("action_search_knowledge", None)
    assert action._validate_action_result(GOOD_REPLY) is True
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(BAD_REPLIES[0])


def test_nlg_replies_are_checked_too():
    schema_cache.validate({"text": "您好"}, nlg_response_format_spec())
    with pytest.raises(jsonschema.ValidationError):
        schema_cache.validate({"text": 5}, nlg_response_format_spec())


def test_an_invalid_schema_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(jsonschema.SchemaError):
            schema_cache.validate({}, {"type": "no-such-type"})
