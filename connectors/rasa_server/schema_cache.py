"""`jsonschema.validate` with the validator built once per schema, for the Rasa process.

Rasa 3.6 checks every action-server reply (RemoteAction._validate_action_result) and
every /nlg reply with `jsonschema.validate(instance, schema)`. That call first validates
the schema itself against the JSON Schema meta-schema and builds a new validator, every
time: 20.8 ms per action reply on this machine, about half of the Rasa process's work
per message under load (py-spy, docs/performance.md). Validating with a validator built
once takes 0.6 ms for the same reply and gives the same answer: the same check of the
same schema, the same `ValidationError` (jsonschema's best match) when a reply is wrong.

Rasa imports `validate` from `jsonschema` inside those functions at call time, so
replacing the module attribute is enough; `install()` is idempotent."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

_original_validate = jsonschema.validate


@lru_cache(maxsize=64)
def _validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # once per schema; a SchemaError is not cached, so it repeats
    return cls(schema)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    if cls is not None or args or kwargs:
        return _original_validate(instance, schema, cls, *args, **kwargs)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON: no cache key, do what jsonschema does
        return _original_validate(instance, schema)
    error = best_match(_validator(key).iter_errors(instance))
    if error is not None:
        raise error
    return None


validate.original = _original_validate  # type: ignore[attr-defined]


def install() -> None:
    jsonschema.validate = validate
