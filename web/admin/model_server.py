"""Serves the live model to the Rasa servers (endpoints.yml `models:`), Rasa's model-server
protocol: If-None-Match carries the fingerprint a server runs, 304 when unchanged, else
the file with its ETag. Every request also tells us which model each server runs, which
is how a publish knows the switch has happened.

Only a Rasa server's word counts: with MODEL_SERVER_TOKEN set, only requests with the
token are served at all; without one (local development), only callers on this
machine are counted. Anyone else could otherwise send the new fingerprint and make a
publish report "live on every server" before any server had it."""

from __future__ import annotations

import hmac
import ipaddress
import re

from sanic import Blueprint, response
from sanic.request import Request

models_bp = Blueprint("model_server", url_prefix="/models")
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


def counts_as_a_server(peer: str, token_checked: bool) -> bool:
    if token_checked:
        return True
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


@models_bp.get("/assistant.tar.gz")
async def live_model(request: Request):
    admin = request.app.ctx.admin
    expected = admin.settings.model_server_token
    if expected and not hmac.compare_digest(request.args.get("token", "").encode(), expected.encode()):
        return response.json({"error": "model server token missing or wrong"}, status=401)
    running = request.headers.get("if-none-match", "").strip('"') or None
    if running and _FINGERPRINT.fullmatch(running) and counts_as_a_server(request.ip, bool(expected)):
        admin.pulls.saw(running)
    fingerprint = admin.models.fingerprint()
    if fingerprint is None:
        return response.json({"error": "no model has been trained yet"}, status=404)
    if running == fingerprint:
        return response.empty(status=304)
    return await response.file(
        str(admin.models.live),
        headers={"ETag": fingerprint, "filename": "assistant.tar.gz"},
        mime_type="application/gzip",
    )
