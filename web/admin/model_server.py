"""Serves the live model to the Rasa servers (endpoints.yml `models:`), Rasa's model-server
protocol: If-None-Match carries the fingerprint a server runs, 304 when unchanged, else
the file with its ETag. Every request also tells us which model each server runs, which
is how a publish knows the switch has happened."""
from __future__ import annotations

import hmac

from sanic import Blueprint, response
from sanic.request import Request

models_bp = Blueprint("model_server", url_prefix="/models")


@models_bp.get("/assistant.tar.gz")
async def live_model(request: Request):
    admin = request.app.ctx.admin
    expected = admin.settings.model_server_token
    if expected and not hmac.compare_digest(request.args.get("token", "").encode(), expected.encode()):
        return response.json({"error": "model server token missing or wrong"}, status=401)
    running = request.headers.get("if-none-match", "").strip('"') or None
    admin.pulls.saw(running)
    fingerprint = admin.models.fingerprint()
    if fingerprint is None:
        return response.json({"error": "no model has been trained yet"}, status=404)
    if running == fingerprint:
        return response.empty(status=304)
    return await response.file(str(admin.models.live), headers={"ETag": fingerprint, "filename": "assistant.tar.gz"},
                               mime_type="application/gzip")
