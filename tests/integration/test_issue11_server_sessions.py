"""Issue 11 §5 against the real ASGI app (server.py started as `make run` starts it): security headers on every
HTTP response, the session cookie's attributes, the one-time hand-off, and logout through /auth/logout."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from services import sessions, users
from services.context import build_context

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "abc12345"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """server.py on a free loopback port over a data folder with an admin, and a context on the same folder."""
    folder = tmp_path_factory.mktemp("issue11") / "data"
    ctx = build_context(folder)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password=PASSWORD, confirm=PASSWORD,
                             policy_id="jincheng-2026")
    port = _free_port()
    log_path = folder.parent / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless=true", f"--server.port={port}",
             "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
            cwd=ROOT, env=dict(os.environ, EXPERT_DATA_DIR=str(folder)), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server.py did not start: " + log_path.read_text())
    yield port, ctx
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def get(port: int, path: str, cookie: str | None = None) -> http.client.HTTPResponse:
    """One GET, redirects not followed, so the response's own headers are seen."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def set_cookies(response) -> list[str]:
    return [v for k, v in response.getheaders() if k.lower() == "set-cookie" and v.startswith(sessions.COOKIE + "=")]


def handoff(ctx) -> str:
    return sessions.start(ctx, users.login(ctx, "admin", PASSWORD)).handoff


def test_issue11_s5_security_headers_are_on_every_http_response(running):
    port, _ = running
    index = get(port, "/")
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', index.body.decode()).group(1)
    for path in ("/", "/registry", f"/{script}", "/favicon.png", "/_stcore/health", "/auth/redirect.js",
                 "/static/no-such-file.js", "/auth/session?t=unknown-token-0123456789"):
        response = get(port, path)
        assert response.getheader("X-Frame-Options") == "DENY", path
        assert response.getheader("Referrer-Policy") == "no-referrer", path
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        csp = response.getheader("Content-Security-Policy")
        assert csp, path
        directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["img-src"] == ["'self'", "data:", "blob:"]  # no remote image is ever fetched
        assert directives["connect-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        assert "*" not in csp


def test_issue11_s5_the_session_cookie_is_httponly_samesite_strict_path_root(running):
    port, ctx = running
    response = get(port, f"/auth/session?t={handoff(ctx)}")
    assert response.status == 303 and response.getheader("Location") == "/"
    assert response.getheader("Cache-Control") == "no-store"
    [cookie] = set_cookies(response)
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert "httponly" in parts and "samesite=strict" in parts and "path=/" in parts
    assert not any(p.startswith(("max-age", "expires", "domain")) for p in parts)  # ends with the browser
    assert "secure" not in parts  # plain HTTP on the intranet: a Secure cookie would be dropped
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.resume(ctx, token).user.username == "admin"


def test_issue11_s5_a_handoff_gives_a_cookie_once(running):
    port, ctx = running
    t = handoff(ctx)
    assert set_cookies(get(port, f"/auth/session?t={t}"))
    again = get(port, f"/auth/session?t={t}")
    assert again.status == 303 and set_cookies(again) == []


def test_issue11_s5_an_expired_or_unknown_handoff_gives_no_cookie(running):
    port, ctx = running
    late = build_context(ctx.store.data_dir, clock=lambda: ctx.now() - timedelta(minutes=2))
    old = sessions.start(late, users.User("admin", "管理员甲", "管理员")).handoff  # made two minutes ago
    for t in (old, "unknown-token-0123456789abcdef", "", "%00", "a" * 5000):
        response = get(port, f"/auth/session?t={t}")
        assert response.status == 303 and set_cookies(response) == [], t


def test_issue11_s5_the_return_path_is_never_another_site(running):
    port, ctx = running
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/registry?x=1"):
        response = get(port, f"/auth/session?t={handoff(ctx)}&next={target}")
        assert response.getheader("Location") == "/", target
    assert get(port, f"/auth/session?t={handoff(ctx)}&next=/registry").getheader("Location") == "/registry"


def test_issue11_s5_logout_route_ends_the_session_and_expires_the_cookie(running):
    port, ctx = running
    [cookie] = set_cookies(get(port, f"/auth/session?t={handoff(ctx)}"))
    token = cookie.split(";")[0].split("=", 1)[1]
    response = get(port, "/auth/logout", cookie=f"{sessions.COOKIE}={token}")
    assert response.status == 303 and response.getheader("Location") == "/"
    [expired] = set_cookies(response)
    assert "max-age=0" in expired.lower() and "httponly" in expired.lower()
    assert sessions.resume(ctx, token) is None
