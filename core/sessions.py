"""登录会话 — the pure rules of a signed-in session kept across page reloads (issue 11 §5).

A session is a server-side record; the browser holds only a random token in an HttpOnly cookie, and the record
holds only its SHA-256 hash (as it holds a one-time hand-off token's hash until the browser redeems it). A session
ends when its user logs out, changes or has their password reset, is disabled or removed, after the idle time
set in 系统设置 without any activity, and at the latest ABSOLUTE_HOURS after login. Pure: the caller passes `now`.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from core.errors import ValidationError

DEFAULT_IDLE_MINUTES = 30
MIN_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 480
# a working day: even an active session is renewed by a new login after this
ABSOLUTE_HOURS = 12
# the hand-off token that lets the browser fetch its cookie once, right after login
HANDOFF_SECONDS = 60
# ended sessions are kept this long (the audit log keeps them for good), then removed at a later login
KEEP_ENDED_DAYS = 30

END_LOGOUT = "退出"
END_IDLE = "会话过期"
END_TOO_OLD = "会话超过最长时间"
END_PASSWORD_CHANGED = "修改密码"
END_PASSWORD_RESET = "管理员重置密码"
END_DISABLED = "账号停用"
END_USER_GONE = "账号不存在"
END_RESTORED = "恢复备份"


def hash_token(token: str) -> str:
    """The SHA-256 of a token, as stored: a stolen sessions file or audit log never holds a usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_idle_minutes(value) -> int:
    """The idle expiry an admin may set, in whole minutes within MIN_IDLE_MINUTES..MAX_IDLE_MINUTES."""
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValidationError(("session_idle_minutes", "无操作自动退出时间须为整数分钟")) from None
    if isinstance(value, float) and value != minutes:
        raise ValidationError(("session_idle_minutes", "无操作自动退出时间须为整数分钟"))
    if not MIN_IDLE_MINUTES <= minutes <= MAX_IDLE_MINUTES:
        raise ValidationError(("session_idle_minutes",
                               f"无操作自动退出时间须在{MIN_IDLE_MINUTES}–{MAX_IDLE_MINUTES}分钟之间"))
    return minutes


def _at(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def why_ended(record: dict, now: datetime, idle_minutes: int) -> str | None:
    """Why this session is no longer valid at `now` (already ended, idle too long, too old), or None if it is live.
    A record of the wrong shape (no parsable times) is treated as ended, never as live."""
    if record.get("ended_at"):
        return record.get("end_reason") or END_LOGOUT
    created, seen = _at(record.get("created_at")), _at(record.get("last_seen"))
    if created is None or seen is None:
        return END_IDLE
    if now - seen > timedelta(minutes=idle_minutes):
        return END_IDLE
    if now - created > timedelta(hours=ABSOLUTE_HOURS):
        return END_TOO_OLD
    return None


def touch_interval(idle_minutes: int) -> timedelta:
    """How often the last activity is saved: a tenth of the idle time, between one and five minutes, so an active
    user does not cause a write on every click and the expiry is exact to within that interval."""
    return timedelta(seconds=min(300, max(60, idle_minutes * 6)))


def needs_touch(record: dict, now: datetime, idle_minutes: int) -> bool:
    seen = _at(record.get("last_seen"))
    return seen is None or now - seen >= touch_interval(idle_minutes)


def handoff_valid(record: dict, now: datetime) -> bool:
    """True while the one-time hand-off token of a new session may still be redeemed (once, within seconds)."""
    expires = _at(record.get("handoff_expires"))
    return bool(record.get("handoff_hash")) and expires is not None and now <= expires and not record.get("ended_at")


def end_changes(now: datetime, reason: str) -> dict:
    """The fields that end a session: nothing left in it can be redeemed or resumed."""
    return {"ended_at": now.isoformat(timespec="seconds"), "end_reason": reason, "token_hash": None,
            "handoff_hash": None, "handoff_expires": None}


def purgeable(record: dict, now: datetime) -> bool:
    """An ended (or long-dead) session record old enough to remove from the sessions file."""
    ended = _at(record.get("ended_at")) or _at(record.get("last_seen")) or _at(record.get("created_at"))
    return ended is None or now - ended > timedelta(days=KEEP_ENDED_DAYS)
