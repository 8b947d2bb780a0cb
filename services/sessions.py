"""登录会话 — sessions that survive a page reload (F5) or a typed URL, kept on the server (issue 11 §5).

After a successful login `start` records a session and returns a one-time hand-off token; the browser is sent to
`/auth/session?t=…` (server.py), where `redeem` swaps it, once and within HANDOFF_SECONDS, for the random session
token that goes into an HttpOnly, SameSite=Strict cookie. Only SHA-256 hashes of both tokens are stored, and the
audit log never sees them. On every run app.py restores the user with `resume` (cookie) or `current` (the
session id its tab already holds), which check the record (ended, idle longer than the setting in 系统设置, older
than ABSOLUTE_HOURS) and the user record (disabled or removed accounts end there). Logout, a password change or
reset and disabling an account end the user's sessions (`end`, `end_all`).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from core import sessions as rules
from core.errors import StoreError
from services import settings
from services.context import AppContext, User

SESSIONS = "sessions"
COOKIE = "zjk_session"
# never written to the audit log, whatever the action
REDACT = ("token_hash", "handoff_hash")
_LOG = logging.getLogger("zhuanjiaku.sessions")


def _repo(ctx: AppContext):
    return ctx.store.collection(SESSIONS, redact=REDACT)


@dataclass(frozen=True)
class Started:
    session_id: int
    handoff: str  # the one-time token for /auth/session (not stored anywhere in clear)


@dataclass(frozen=True)
class Resumed:
    """A session checked on this run: `user` when it is live, else None and `ended` says why (Chinese)."""
    session_id: int
    user: User | None
    ended: str | None = None


def start(ctx: AppContext, user: User) -> Started:
    """建立会话 after a successful login (services.users.login). Removes sessions ended long ago first."""
    now = ctx.now()
    repo = _repo(ctx)
    if any(rules.purgeable(d, now) for d in repo.all()):
        repo.delete_where(lambda d: rules.purgeable(d, now), actor="system", action="清理已结束的会话")
    handoff = secrets.token_urlsafe(32)
    stamp = now.isoformat(timespec="seconds")
    doc = {"username": user.username, "created_at": stamp, "last_seen": stamp, "token_hash": None,
           "handoff_hash": rules.hash_token(handoff),
           "handoff_expires": (now + timedelta(seconds=rules.HANDOFF_SECONDS)).isoformat(timespec="seconds"),
           "ended_at": None, "end_reason": None}
    session_id = repo.insert(doc, actor=user.username, action="登录：建立会话", unique=())
    return Started(session_id, handoff)


def _by_hash(ctx: AppContext, field: str, token: str) -> dict | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    wanted = rules.hash_token(token)
    found = _repo(ctx).search(lambda d: d.get(field) == wanted)
    return found[0] if len(found) == 1 else None


def redeem(ctx: AppContext, handoff: str) -> str | None:
    """The browser's one-time hand-off → a new random session token for the cookie, or None (unknown, used,
    expired, or the session or account has ended). The hand-off cannot be used twice: the same locked write that
    checks it clears it."""
    doc = _by_hash(ctx, "handoff_hash", handoff)
    if doc is None:
        return None
    now = ctx.now()
    wanted = rules.hash_token(handoff)
    token = secrets.token_urlsafe(32)
    taken: list[bool] = []

    def swap(d: dict) -> dict | None:
        if d.get("handoff_hash") != wanted or not rules.handoff_valid(d, now):
            return None
        taken.append(True)
        d.update(token_hash=rules.hash_token(token), handoff_hash=None, handoff_expires=None,
                 last_seen=now.isoformat(timespec="seconds"))
        return d

    _repo(ctx).update(doc["id"], swap, actor=doc["username"], action="登录：会话写入浏览器")
    if not taken or _live_user(ctx, doc["username"]) is None:
        return None
    return token


def _live_user(ctx: AppContext, username: str) -> User | None:
    from services.users import session_user  # users imports this module to end sessions

    return session_user(ctx, User(username, username, ""))


def _check(ctx: AppContext, doc: dict) -> Resumed:
    """The session's user if the session is live and the account usable; else the session is ended (audited
    once) and the result says why."""
    now = ctx.now()
    idle = settings.session_idle_minutes(ctx)
    why = rules.why_ended(doc, now, idle)
    user = None
    if why is None:
        user = _live_user(ctx, doc["username"])
        if user is None:
            why = rules.END_USER_GONE
    if why is not None:
        if not doc.get("ended_at"):
            try:
                _end_doc(ctx, doc["id"], actor=doc["username"], reason=why)
            except StoreError:
                pass  # ended all the same: the record is refused on every run until it can be written
        return Resumed(doc["id"], None, why)
    if rules.needs_touch(doc, now, idle):
        try:
            _repo(ctx).update(doc["id"], {"last_seen": now.isoformat(timespec="seconds")},
                              actor=doc["username"], action="会话活动")
        except StoreError as error:  # a full disk must not end the session: reading still works
            _LOG.warning("会话 %s 的最近活动时间未能保存：%s", doc["id"], error)
    return Resumed(doc["id"], user)


def resume(ctx: AppContext, token: str | None) -> Resumed | None:
    """The user of the session whose token the browser's cookie holds, or None (unknown, ended, idle, too old,
    account disabled or gone)."""
    doc = _by_hash(ctx, "token_hash", token or "")
    if doc is None:
        return None
    checked = _check(ctx, doc)
    return checked if checked.user is not None else None


def current(ctx: AppContext, session_id: int) -> Resumed:
    """The same check for the session a browser tab already holds by id (the tab that logged in); when it has
    ended, `ended` says why."""
    doc = _repo(ctx).get(session_id)
    return _check(ctx, doc) if doc is not None else Resumed(session_id, None, rules.END_LOGOUT)


def _action(reason: str) -> str:
    """The audit action of an ended session: 退出, 会话过期, or 结束会话（why）."""
    if reason in (rules.END_LOGOUT, rules.END_IDLE):
        return reason
    return f"结束会话（{reason}）"


def _end_doc(ctx: AppContext, session_id: int, *, actor: str, reason: str) -> bool:
    now = ctx.now()
    ended: list[bool] = []

    def close(d: dict) -> dict | None:
        if d.get("ended_at"):
            return None
        ended.append(True)
        d.update(rules.end_changes(now, reason))
        return d

    try:
        _repo(ctx).update(session_id, close, actor=actor, action=_action(reason))
    except StoreError as error:
        _LOG.error("会话 %s 未能结束（%s）：%s", session_id, reason, error)
        raise
    return bool(ended)


ENDED_MESSAGES = {
    rules.END_LOGOUT: "已退出登录，请重新登录。",
    rules.END_IDLE: "长时间未操作，已自动退出，请重新登录。",
    rules.END_TOO_OLD: "登录时间已超过{hours}小时，请重新登录。".format(hours=rules.ABSOLUTE_HOURS),
    rules.END_PASSWORD_CHANGED: "密码已在其他地方修改，请用新密码重新登录。",
    rules.END_PASSWORD_RESET: "管理员已重置您的密码，请用新密码重新登录。",
    rules.END_DISABLED: "账号已停用或已删除，已退出登录。如有疑问请联系管理员。",
    rules.END_USER_GONE: "账号已停用或已删除，已退出登录。如有疑问请联系管理员。",
    rules.END_RESTORED: "管理员已恢复备份，数据已回到备份时的状态，请重新登录。",
}


def ended_message(reason: str | None) -> str:
    """What the login screen tells a user whose session ended (Chinese)."""
    return ENDED_MESSAGES.get(reason or "", "登录已失效，请重新登录。")


def end(ctx: AppContext, session_id: int | None, actor: str) -> None:
    """退出 — end this tab's session; the cookie it gave the browser no longer opens anything."""
    if session_id is not None and _repo(ctx).get(session_id) is not None:
        _end_doc(ctx, session_id, actor=actor, reason=rules.END_LOGOUT)


def end_by_token(ctx: AppContext, token: str | None) -> None:
    """退出 through /auth/logout with the cookie only (the tab's id is not known there)."""
    doc = _by_hash(ctx, "token_hash", token or "")
    if doc is not None and not doc.get("ended_at"):
        _end_doc(ctx, doc["id"], actor=doc["username"], reason=rules.END_LOGOUT)


def end_all(ctx: AppContext, username: str, *, actor: str, reason: str, keep: int | None = None) -> int:
    """End every live session of `username` (password changed or reset, account disabled), except `keep` (the tab
    that changed its own password). Returns how many were ended."""
    live = _repo(ctx).search(lambda d: d.get("username") == username and not d.get("ended_at") and d["id"] != keep)
    return sum(_end_doc(ctx, d["id"], actor=actor, reason=reason) for d in live)


def end_every(ctx: AppContext, *, actor: str, reason: str) -> int:
    """End every session that is not ended yet, of every user (after a restore: the restored sessions file may hold
    sessions that had ended after the backup was taken, and the restored accounts may differ). Returns how many."""
    open_ = _repo(ctx).search(lambda d: not d.get("ended_at"))
    return sum(_end_doc(ctx, d["id"], actor=actor, reason=reason) for d in open_)


def live_sessions(ctx: AppContext, username: str) -> int:
    """How many sessions of `username` are live now (for tests and the user list)."""
    now, idle = ctx.now(), settings.session_idle_minutes(ctx)
    return sum(1 for d in _repo(ctx).search(lambda d: d.get("username") == username)
               if rules.why_ended(d, now, idle) is None)
