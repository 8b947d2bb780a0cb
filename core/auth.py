"""登录与口令 — password hashing (hashlib.scrypt, per-user salt, constant-time compare) and account lockout.

Pure: the caller passes `now`. Five failed attempts lock an account for fifteen minutes; a successful login
clears the count. Role permissions (which page and which action a role may use) live here too, so pages and
services ask one place.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from datetime import datetime, timedelta

from core import vocab
from core.errors import ValidationError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return 'scrypt$N$r$p$salt_hex$hash_hex' for storing; a fresh 16-byte salt unless one is given."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r),
                                p=int(p), dklen=len(hash_hex) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def check_new_password(password: str, confirm: str | None = None) -> None:
    """Refuse a weak or mistyped new password with a Chinese message."""
    errors = []
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(("password", f"密码至少{MIN_PASSWORD_LENGTH}位"))
    elif not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        errors.append(("password", "密码须同时包含字母和数字"))
    if confirm is not None and confirm != password:
        errors.append(("confirm", "两次输入的密码不一致"))
    if errors:
        raise ValidationError(errors)


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationError(("username", "用户名须为3–32位字母、数字、下划线、点或连字符"))
    return username


def locked_until(user: dict, now: datetime) -> datetime | None:
    """When a locked account opens again, or None if it is not locked now."""
    until = user.get("locked_until")
    if not until:
        return None
    until_dt = datetime.fromisoformat(until)
    return until_dt if until_dt > now else None


def after_failed_login(user: dict, now: datetime) -> dict:
    """The user's lockout fields after one more failed attempt (the fifth locks for LOCK_MINUTES)."""
    failed = int(user.get("failed_count") or 0) + 1
    changes: dict = {"failed_count": failed}
    if failed >= MAX_FAILED_ATTEMPTS:
        changes["locked_until"] = (now + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
        changes["failed_count"] = 0
    return changes


# A login attempt holds a slot while its password is checked (~50 ms of scrypt), so parallel attempts cannot all
# read the same failure count: failures + attempts in progress never exceed MAX_FAILED_ATTEMPTS. A slot left by a
# crashed process expires by itself.
SLOT_SECONDS = 30
# hashed for an unknown user name, so it answers in the time a known one does (the same message either way)
DUMMY_HASH = hash_password("not-a-password-0", salt=bytes(16))


def live_slots(user: dict, now: datetime) -> list[str]:
    """The login attempts of this account still being checked: 'expiry-iso|token' strings not yet expired."""
    slots = user.get("login_slots")
    if not isinstance(slots, list):
        return []
    live = []
    for slot in slots:
        try:
            if isinstance(slot, str) and datetime.fromisoformat(slot.split("|", 1)[0]) > now:
                live.append(slot)
        except ValueError:
            continue
    return live


def new_slot(now: datetime, token: str) -> str:
    return f"{(now + timedelta(seconds=SLOT_SECONDS)).isoformat(timespec='seconds')}|{token}"


def attempt_refusal(user: dict, now: datetime) -> str | None:
    """Why a login attempt may not even be checked now (locked, disabled, or as many attempts already failed or in
    progress as the limit allows), or None when it may take a slot."""
    until = locked_until(user, now)
    if until is not None:
        return f"连续输错密码，账号已锁定至 {until:%H:%M}，请稍后再试或联系管理员"
    if user.get("disabled"):
        return "该账号已停用，请联系管理员"
    if int(user.get("failed_count") or 0) + len(live_slots(user, now)) >= MAX_FAILED_ATTEMPTS:
        return "登录尝试过于频繁，请稍后再试"
    return None


def after_successful_login(now: datetime) -> dict:
    return {"failed_count": 0, "locked_until": None, "last_login": now.isoformat(timespec="seconds")}


# --- what each role may do -------------------------------------------------------------------------------
PERMISSIONS: dict[str, frozenset[str]] = {
    vocab.ROLE_ADMIN: frozenset({"view_registry", "edit_experts", "import_experts", "export_experts",
                                 "request_experts", "approve_requests",
                                 "manage_users", "manage_settings", "load_demo", "remove_demo", "view_sensitive",
                                 "view_audit", "record_service", "evaluate_service", "assess_experts",
                                 "manage_training", "view_fees", "manage_budgets", "view_policy", "make_variants"}),
    vocab.ROLE_OFFICE: frozenset({"view_registry", "edit_experts", "import_experts", "export_experts",
                                  "request_experts", "approve_requests",
                                  "load_demo", "view_sensitive", "view_audit", "record_service", "evaluate_service",
                                  "assess_experts", "manage_training", "view_fees", "manage_budgets", "view_policy",
                                  "make_variants"}),
    # 使用科室: evaluates and sees the fees of its own department's tasks only (services filter by department)
    vocab.ROLE_DEPARTMENT: frozenset({"view_registry", "export_experts", "request_experts", "evaluate_service",
                                      "view_fees", "view_policy"}),
    vocab.ROLE_LEADER: frozenset({"view_registry", "export_experts", "view_audit", "approve_requests", "view_fees",
                                  "view_policy", "make_variants"}),
}


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
