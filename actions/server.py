"""Starts the action server: rasa-sdk's app plus the /nlg endpoint, on one port.

`rasa run actions` cannot serve extra routes, and the NLG endpoint needs the same
knowledge store the actions use, so both live in this one process.
Settings: ACTION_HOST (default 127.0.0.1), ACTION_PORT (5055)."""

from __future__ import annotations

import logging

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request

from actions import nlg
from core import settings

logger = logging.getLogger(__name__)

MAX_NLG_BODY_BYTES = 1_000_000


def create_app() -> Sanic:
    # No CORS: only the Rasa server calls this service, never a browser.
    app = create_sdk_app("actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = 5_000_000

    @app.post("/nlg")
    async def generate(request: Request) -> response.HTTPResponse:
        if len(request.body or b"") > MAX_NLG_BODY_BYTES:
            return response.json({"error": "request too large"}, status=413)
        try:
            payload = request.json
        except Exception:  # sanic raises InvalidUsage on malformed JSON
            return response.json({"error": "body is not valid JSON"}, status=400)
        try:
            return response.json(nlg.generate(payload))
        except nlg.BadNlgRequest as error:
            return response.json({"error": str(error)}, status=400)

    @app.listener("after_server_start")
    async def start_notification_retries(app_: Sanic, loop) -> None:
        from leads.runtime import retry_forever  # staff webhook retries (leads, handoffs)

        app_.ctx.notify_retries = loop.create_task(retry_forever())

    @app.get("/ready")
    async def ready(_request: Request) -> response.HTTPResponse:
        # 200 once the E5 re-ranker can be used (or is switched off); answers flow either way.
        from kb import semantic, store

        is_ready = not semantic.enabled() or semantic.ready_for(store.current())
        return response.json({"semantic_reranker": "ready" if is_ready else "warming"}, status=200 if is_ready else 503)

    @app.listener("after_server_start")
    async def warm_up(app_: Sanic, loop) -> None:
        # The E5 phrasing vectors and jieba's place-name tagger take seconds to load:
        # in a thread, so the first investors are answered meanwhile (without re-ranking).
        from kb import semantic, store, warmup

        semantic.warm(store.current()) if semantic.enabled() else None
        warmup.start()

    @app.listener("before_server_stop")
    async def stop_notification_retries(app_: Sanic, _loop) -> None:
        task = getattr(app_.ctx, "notify_retries", None)
        if task:
            task.cancel()

    return app


def main() -> None:
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    host, port = settings.get("ACTION_HOST"), settings.get("ACTION_PORT")
    logger.info("action_server.starting host=%s port=%s", host, port)
    create_app().run(host=host, port=port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
