"""The web app: demo pages of the zone's site, the widget's static files (socket.io
client vendored, no CDN), the widget's config, the feedback API, the staff admin area
(/admin, web/admin/) and the model server the Rasa servers pull from (/models).

Run with `python -m web.app` (make run starts it). Settings: web/settings.py."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Optional

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic_cors import CORS

from connectors import limits
from connectors.rate_limit import ChatLimits
from connectors.socketio_secure import tokens
from core import settings
from inbox.feedback import FeedbackStore, InvalidFeedback, parse_feedback
from kb.document_files import MAX_DOCUMENT_BYTES
from kb.editing import KnowledgeEditor
from web.admin.api import api as admin_api
from web.admin.context import AdminContext
from web.admin.document_api import document_api
from web.admin.document_pages import documents_bp
from web.admin.hit_test_pages import hit_test_bp
from web.admin.model_server import models_bp
from web.admin.offload import work
from web.admin.settings import AdminSettings
from web.admin.views import bp as admin_pages
from web.settings import WebSettings

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024  # the admin's document import plus form overhead
# Feedback posts per 10 minutes: a visitor rates a handful of answers.
FEEDBACK_PER_SESSION, FEEDBACK_PER_ADDRESS, FEEDBACK_WINDOW_SECONDS = 30, 100, 600


async def warm_quietly(editor: KnowledgeEditor) -> None:
    try:
        await work(editor.warm)
    except Exception:  # a broken file is reported when staff open or save it, not here
        logger.exception("editor.warm_failed")


def create_app(
    settings: Optional[WebSettings] = None, name: str = "zone_web", admin_settings: Optional[AdminSettings] = None
) -> Sanic:
    settings = settings or WebSettings.from_env()
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = MAX_UPLOAD_BYTES
    app.ctx.settings = settings
    app.ctx.feedback = FeedbackStore(settings.feedback_db)
    app.ctx.feedback_limits = ChatLimits(FEEDBACK_PER_SESSION, FEEDBACK_PER_ADDRESS, FEEDBACK_WINDOW_SECONDS)
    answer_key = tokens.feedback_key(settings.session_secret)
    app.ctx.admin = AdminContext.create(
        admin_settings or AdminSettings.from_env(), app.ctx.feedback, settings.session_secret
    )
    app.blueprint(admin_pages)
    app.blueprint(documents_bp)
    app.blueprint(document_api)
    app.blueprint(hit_test_bp)
    app.blueprint(admin_api)
    app.blueprint(models_bp)

    @app.listener("after_server_start")
    async def forget_interrupted_jobs(app_: Sanic, _loop) -> None:
        interrupted = app_.ctx.admin.jobs.mark_interrupted()
        if interrupted:
            logger.warning("publish.interrupted count=%s", interrupted)

    @app.listener("after_server_start")
    async def warm_the_editor(app_: Sanic, _loop) -> None:
        # On a work thread, not awaited: the server answers at once, and a staff member's
        # first save finds the files parsed and the checks loaded.
        app_.add_task(warm_quietly(app_.ctx.admin.editor))

    # The widget is embedded on other origins (the zone's site): it reads its config
    # and posts feedback cross-origin. Nothing here uses cookies.
    CORS(app, resources={r"/widget/config": {"origins": "*"}, r"/api/*": {"origins": settings.allowed_origins}})

    app.static("/widget", str(STATIC / "widget"))
    app.static("/site", str(STATIC / "site"))
    app.static("/", str(STATIC / "site" / "index.html"), name="home")
    app.static("/about.html", str(STATIC / "site" / "about.html"), name="about")

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, _error: Exception) -> response.HTTPResponse:
        # Sanic refuses the body before any handler runs; say it in the staff's words.
        limit = MAX_DOCUMENT_BYTES // 1024 // 1024
        message = f"上传的内容太大：文件上限为 {limit} MB (request body too large)"
        if request.path.startswith("/admin/") and not request.path.startswith("/admin/api/"):
            return response.html(
                f"<!doctype html><meta charset=utf-8><title>413</title><p>{message}</p>"
                "<p><a href=/admin/documents>返回文档导入</a></p>",
                status=413,
            )
        return response.json({"error": message}, status=413, ensure_ascii=False)

    @app.get("/health")
    async def health(_: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/widget/config")
    async def widget_config(_: Request) -> response.HTTPResponse:
        return response.json({"socket_url": settings.socket_url, "socket_path": settings.socket_path})

    @app.post("/api/feedback")
    async def feedback(request: Request) -> response.HTTPResponse:
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.json({"error": "body too large"}, status=413)
        try:
            payload = request.json
        except Exception:  # sanic raises InvalidUsage for malformed JSON
            return response.json({"error": "body is not valid JSON"}, status=400)
        try:
            item = parse_feedback(payload)
        except InvalidFeedback as error:
            return response.json({"error": str(error)}, status=400)
        session_id = payload.get("session_id")
        if not tokens.verify(settings.session_secret, session_id, payload.get("token")):
            return response.json({"error": "unknown or expired session"}, status=403)
        # Only on an answer this assistant sent to this session, with its real text.
        if not tokens.answer_signed(
            answer_key,
            session_id,
            payload.get("message_id"),
            limits.message_text(payload.get("question")),
            payload.get("answer"),
            payload.get("answer_token"),
        ):
            return response.json(
                {"error": "feedback is taken only on answers this assistant sent to this session"}, status=403
            )
        address = limits.client_address(request.ip, request.headers.get("x-forwarded-for", ""))
        if not app.ctx.feedback_limits.allow(session_id, address):
            return response.json({"error": "too much feedback at once; please try again in a few minutes"}, status=429)
        stored = await asyncio.get_running_loop().run_in_executor(None, app.ctx.feedback.add, item)
        logger.info("feedback.stored" if stored else "feedback.duplicate")
        return response.json({"stored": stored}, status=201 if stored else 200)

    @app.middleware("response")
    async def security_headers(request: Request, resp: response.HTTPResponse) -> None:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if (resp.content_type or "").startswith("text/html"):
            resp.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; connect-src 'self' http: https: ws: wss:; img-src 'self' data:",
            )
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")

    return app


def main() -> None:
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    web_settings = WebSettings.from_env()
    logger.info("web.starting host=%s port=%s", web_settings.host, web_settings.port)
    create_app(web_settings).run(host=web_settings.host, port=web_settings.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
