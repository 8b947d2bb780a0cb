"""专家库 — the ASGI launcher: `streamlit run server.py` (what `make run` does) serves app.py through st.App with
the session-cookie routes and the security headers on every HTTP response (issue 11 §5).

A Streamlit script cannot set an HttpOnly cookie, so after a login app.py sends the browser to
`/auth/session?t=<one-time hand-off>`; that route swaps the hand-off for a random session token
(services.sessions.redeem), sets it as an HttpOnly, SameSite=Strict cookie and redirects to the app. app.py reads
the cookie through st.context.cookies on every run. `/auth/logout` ends the session and expires the cookie.
`/auth/redirect.js` is the one fixed script the app uses to move the browser to those routes (a same-origin
file, so the Content-Security-Policy needs no inline script).
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import anyio
import streamlit as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from services.sessions import COOKIE

ROOT = Path(__file__).resolve().parent
# the browser returns here after the cookie is set or removed: the app's root, or one of its page paths
_NEXT = re.compile(r"^/[a-z_]{0,40}$")



def _inline_script_hashes() -> str:
    """CSP hashes of the inline scripts in Streamlit's own index.html (one: `window.prerenderReady = false`),
    read from the installed package so an upgrade cannot silently break the page."""
    index = Path(st.__file__).resolve().parent / "static" / "index.html"
    bodies = re.findall(r"<script>(.*?)</script>", index.read_text(encoding="utf-8"), flags=re.S)
    return " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() for b in bodies)


_INLINE_INDEX_SCRIPT = _inline_script_hashes()
CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' {_INLINE_INDEX_SCRIPT}",
    "style-src 'self' 'unsafe-inline'",  # Streamlit's components are styled at run time (emotion)
    "img-src 'self' data: blob:",  # no image from elsewhere is ever fetched
    "font-src 'self' data:",
    "connect-src 'self'",  # includes the app's own ws:/wss: (CSP level 3)
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
_NAMES = {name for name, _ in SECURITY_HEADERS}


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every HTTP response (pages, static files, /_stcore/*, the
    auth routes, errors), replacing any the inner app set. WebSocket traffic passes through untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _NAMES]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _context():
    from pages._ui import get_context  # the same cached context (store handle, policies) the script uses

    return get_context()


def _safe_next(request: Request) -> str:
    target = request.query_params.get("next", "/")
    return target if _NEXT.match(target) else "/"


def _set_cookie(response: Response, request: Request, token: str) -> None:
    # no Max-Age: the cookie lives until the browser closes; the server ends the session after the idle time
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def _clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def auth_session(request: Request) -> Response:
    """GET /auth/session?t=… — redeem the one-time hand-off for the session cookie, then back to the app."""
    from core.errors import DomainError
    from services import sessions

    handoff = request.query_params.get("t", "")
    try:
        token = await anyio.to_thread.run_sync(lambda: sessions.redeem(_context(), handoff))
    except DomainError as error:
        return _no_store(PlainTextResponse(error.message, status_code=503))
    response = RedirectResponse(_safe_next(request), status_code=303)
    if token:
        _set_cookie(response, request, token)
    return _no_store(response)


async def auth_logout(request: Request) -> Response:
    """GET /auth/logout — end the cookie's session (if the tab has not already) and expire the cookie."""
    from core.errors import DomainError
    from services import sessions

    token = request.cookies.get(COOKIE)
    if token:
        try:
            await anyio.to_thread.run_sync(lambda: sessions.end_by_token(_context(), token))
        except DomainError:
            pass  # the cookie is removed all the same; the session ends at its idle time at the latest
    response = RedirectResponse(_safe_next(request), status_code=303)
    _clear_cookie(response, request)
    return _no_store(response)


# Moves the browser to a same-origin path given in the script element's data-url (only /auth/… is accepted).
REDIRECT_JS = ("(function(){var s=document.currentScript;var u=s&&s.getAttribute('data-url');"
               "if(u&&/^\\/auth\\/(session|logout)(\\?[A-Za-z0-9_\\-=&%]*)?$/.test(u)){window.location.replace(u);}})();\n")


async def redirect_js(request: Request) -> Response:
    return Response(REDIRECT_JS, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


routes = [Route("/auth/session", auth_session, methods=["GET"]),
          Route("/auth/logout", auth_logout, methods=["GET"]),
          Route("/auth/redirect.js", redirect_js, methods=["GET"])]


def _middleware():
    from starlette.middleware import Middleware

    return [Middleware(SecurityHeaders)]


app = st.App(str(ROOT / "app.py"), routes=routes, middleware=_middleware())

if __name__ == "__main__":
    app.run()
