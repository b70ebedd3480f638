"""The Rasa HTTP API's token, checked in constant time before Rasa checks it.

Rasa 3.6 (rasa/server.py requires_auth) compares `?token=` with `==`, which returns as
soon as a character differs, so response times leak how much of a guess is right. This
request middleware runs first on every request that carries a token: a wrong one is
refused here after hmac.compare_digest, so Rasa's `==` only ever sees the right token.
The expected token is the one the server was started with (`--auth-token`/`-t`), which
Rasa keeps to itself; it is read from the command line."""

from __future__ import annotations

import hmac
import sys
from typing import List, Optional, Sequence

from sanic import Sanic, response
from sanic.request import Request

# Channel webhooks take no API token; WeChat's own query has no `token` either.
UNCHECKED_PREFIXES = ("/webhooks/",)


def token_from_argv(argv: Sequence[str]) -> Optional[str]:
    """The value of `--auth-token`/`-t` in a `rasa run` command line, if any."""
    args: List[str] = list(argv)
    for index, arg in enumerate(args):
        if arg in ("--auth-token", "-t") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--auth-token="):
            return arg.split("=", 1)[1]
    return None


def refusal(request: Request, expected: Optional[str]) -> Optional[response.HTTPResponse]:
    provided = request.args.get("token")
    if expected is None or provided is None or request.path.startswith(UNCHECKED_PREFIXES):
        return None  # Rasa decides (no token configured, or none given: its own 401)
    if hmac.compare_digest(provided.encode("utf-8", "replace"), expected.encode("utf-8")):
        return None
    # The body Rasa itself gives for a wrong token.
    return response.json(
        {
            "version": "",
            "status": "failure",
            "reason": "NotAuthenticated",
            "message": "User is not authenticated.",
            "code": 401,
        },
        status=401,
    )


def install(app: Sanic, argv: Optional[Sequence[str]] = None) -> None:
    expected = token_from_argv(sys.argv if argv is None else argv)
    if expected is None:
        return

    async def check_api_token(request: Request) -> Optional[response.HTTPResponse]:
        return refusal(request, expected)

    app.register_middleware(check_api_token, "request")
