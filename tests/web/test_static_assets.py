"""No third-party CDN anywhere: pages and the widget load only what this app serves."""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

STATIC = PROJECT_ROOT / "web" / "static"
CDN_URL = re.compile(
    r"(?:https?:)?//[a-z0-9.-]*(?:cdn|googleapis|gstatic|jsdelivr|unpkg|bootcss|staticfile|cloudflare)", re.I
)


def test_pages_reference_only_local_assets():
    for page in STATIC.rglob("*.html"):
        for url in re.findall(r'<\w+[^<>]*?\s(?:src|href)="([^"]*)"', page.read_text(encoding="utf-8")):
            assert url.startswith("/") and not url.startswith("//"), f"{page.name}: {url}"


def test_widget_code_names_no_cdn():
    for path in list(STATIC.rglob("*.js")) + list(STATIC.rglob("*.css")):
        if "vendor" in path.parts:
            continue
        assert not CDN_URL.search(path.read_text(encoding="utf-8")), path.name


def test_socket_io_client_is_vendored_at_a_pinned_version():
    vendored = STATIC / "widget" / "vendor" / "socket.io-4.8.1.min.js"
    assert "Socket.IO v4.8.1" in vendored.read_text(encoding="utf-8")[:200]
    assert "vendor/socket.io-4.8.1.min.js" in (STATIC / "widget" / "widget.js").read_text(encoding="utf-8")
