"""Who is asking: a staff session cookie or the scripts' bearer token; and whether they
may do what they ask. Every /admin route passes through `check` (blueprint middleware),
so a route cannot be added without protection by forgetting a decorator."""

from __future__ import annotations

import hmac
import html
from dataclasses import dataclass
from typing import Optional

from sanic import response
from sanic.request import Request

from web.admin.sessions import COOKIE_NAME, csrf_matches
from web.admin.users import can

# Reachable without logging in: the login form and the admin's own CSS/JS.
PUBLIC_PREFIXES = ("/admin/login", "/admin/static/")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
API_USER = "api"


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    via: str  # "session" | "token"
    csrf_token: str = ""
    session_id: str = ""

    def can(self, permission: str) -> bool:
        return can(self.role, permission)


def is_api(request: Request) -> bool:
    return request.path.startswith("/admin/api/")


def principal(request: Request) -> Optional[Principal]:
    admin = request.app.ctx.admin
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        expected = admin.settings.api_token
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return Principal(API_USER, "publisher", "token")
        return None
    session_id = request.cookies.get(COOKIE_NAME)
    session = admin.sessions.get(session_id) if session_id else None
    if session is None:
        return None
    return Principal(session.username, session.role, "session", session.csrf_token, session_id)


def denied(request: Request, status: int, message: str):
    if is_api(request):
        return response.json({"error": message}, status=status)
    if status == 401:
        return response.redirect("/admin/login")
    # The message may quote what the visitor typed ("找不到编号为 <script>… 的问答"): escaped.
    return response.html(
        f"<!doctype html><meta charset=utf-8><title>{status}</title><p>{html.escape(message)}</p>"
        "<p><a href=/admin/>返回管理首页</a></p>",
        status=status,
    )


async def check(request: Request):
    """Blueprint request middleware: authenticate, then refuse cross-site form posts."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return None
    who = principal(request)
    if who is None:
        return denied(request, 401, "请先登录（或在 Authorization: Bearer 中提供 ADMIN_API_TOKEN）")
    if who.via == "session" and request.method in UNSAFE_METHODS:
        supplied = request.headers.get("x-csrf-token") or (request.form.get("csrf_token") if request.form else None)
        if not csrf_matches(who.csrf_token, supplied):
            return denied(request, 403, "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试")
    request.ctx.principal = who
    return None


def require(request: Request, permission: str):
    """None when allowed, else the refusal to return."""
    who: Principal = request.ctx.principal
    if who.can(permission):
        return None
    return denied(request, 403, "只有发布员（publisher）可以发布或回滚模型；请联系发布员")
