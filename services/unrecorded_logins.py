"""登录限制的内存后备 — the lockout when the user record cannot be written (a full disk).

A login writes twice (a slot before the password is hashed, the result after it). When the disk is full neither
write succeeds, and refusing every such login would lock the whole office out; letting the attempt through without
counting it would give an attacker unlimited guesses. So when a login's write fails the attempt is counted here
instead, in memory, for this server process (every browser session is a thread of it): the same limit
(core.auth.MAX_FAILED_ATTEMPTS wrong passwords, counted together with the stored count, attempts in progress
included) and the same lock of LOCK_MINUTES. A correct password within the limit logs in; `last_login` and the
audit line are then not recorded (the server log says so). As soon as a login's write succeeds again, what was
counted here is folded into the user record (`fold_into`) and forgotten, so nothing counted is lost.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.auth import LOCK_MINUTES, MAX_FAILED_ATTEMPTS, live_slots, locked_until
from core.errors import AuthError


@dataclass
class _Entry:
    failed: int = 0  # failures not yet in the record, plus the record's count when the entry was made
    locked_until: datetime | None = None
    in_progress: set[str] = field(default_factory=set)


class UnrecordedLogins:
    """Per-process failure counts for accounts whose record could not be written; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def _entry(self, username: str, doc: dict) -> _Entry:
        entry = self._entries.get(username)
        if entry is None:
            entry = self._entries[username] = _Entry(failed=int(doc.get("failed_count") or 0))
        return entry

    def take(self, username: str, doc: dict, now: datetime, token: str) -> None:
        """Take a slot for checking one password, or raise AuthError (locked / disabled / limit reached)."""
        until = locked_until(doc, now)
        if until is not None:
            raise AuthError(f"连续输错密码，账号已锁定至 {until:%H:%M}，请稍后再试或联系管理员")
        if doc.get("disabled"):
            raise AuthError("该账号已停用，请联系管理员")
        with self._lock:
            entry = self._entry(username, doc)
            if entry.locked_until is not None and entry.locked_until > now:
                raise AuthError(f"连续输错密码，账号已锁定至 {entry.locked_until:%H:%M}，请稍后再试或联系管理员")
            failed = max(entry.failed, int(doc.get("failed_count") or 0))
            if failed + len(live_slots(doc, now)) + len(entry.in_progress) >= MAX_FAILED_ATTEMPTS:
                raise AuthError("登录尝试过于频繁，请稍后再试")
            entry.in_progress.add(token)

    def result(self, username: str, doc: dict, now: datetime, token: str, ok: bool) -> bool:
        """Record the outcome of a checked password; True when this failure locked the account."""
        with self._lock:
            entry = self._entry(username, doc)
            entry.in_progress.discard(token)
            if ok:
                entry.failed, entry.locked_until = 0, None
                return False
            entry.failed = max(entry.failed, int(doc.get("failed_count") or 0)) + 1
            if entry.failed >= MAX_FAILED_ATTEMPTS:
                entry.failed, entry.locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
                return True
            return False

    def fold_into(self, username: str, draft: dict, now: datetime) -> object | None:
        """Carry what was counted here into the user record about to be written; returns a marker for `forget`
        (None when nothing is kept for this account)."""
        with self._lock:
            entry = self._entries.get(username)
            if entry is None:
                return None
            draft["failed_count"] = max(int(draft.get("failed_count") or 0), entry.failed)
            if entry.locked_until is not None and entry.locked_until > now:
                stored = locked_until(draft, now)
                if stored is None or stored < entry.locked_until:
                    draft["locked_until"] = entry.locked_until.isoformat(timespec="seconds")
                    draft["failed_count"] = 0
            return entry

    def forget(self, username: str, marker: object | None) -> None:
        """After the record holding the folded counts was written: drop the entry (unless it changed meanwhile by
        an attempt still in progress, which keeps counting here)."""
        if marker is None:
            return
        with self._lock:
            entry = self._entries.get(username)
            if entry is marker and not entry.in_progress:
                del self._entries[username]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


UNRECORDED = UnrecordedLogins()
