"""用户与登录 — first-run setup, login with lockout, and user management by an admin.

Roles: 管理员, 专家管理办公室, 使用科室 (with its department name), 领导. Passwords are stored as scrypt hashes
(core.auth); five failed attempts lock an account for fifteen minutes; a disabled account cannot log in.
"""
from __future__ import annotations

from core import vocab
import logging
import secrets

from core.auth import (DUMMY_HASH, after_failed_login, after_successful_login, attempt_refusal, can,
                       check_new_password, check_username, hash_password, live_slots, locked_until, new_slot,
                       verify_password)
from core.errors import AuthError, NotFoundError, PermissionDenied, StoreError, ValidationError
from services import settings
from services.context import AppContext, User
from services.unrecorded_logins import UNRECORDED

_LOG = logging.getLogger("zhuanjiaku.login")

USERS = "users"
# The password hash never goes into the audit log.
REDACT = ("password_hash",)
# Same message for unknown user and wrong password, so the login does not reveal which user names exist.
BAD_LOGIN = "用户名或密码错误"


def _repo(ctx: AppContext):
    return ctx.store.collection(USERS, redact=REDACT)


def _find(ctx: AppContext, username: str) -> dict | None:
    found = _repo(ctx).search(lambda d: d.get("username") == username)
    return found[0] if found else None


def _to_user(doc: dict) -> User:
    return User(doc["username"], doc.get("display_name") or doc["username"], doc["role"], doc.get("department", ""))


def session_user(ctx: AppContext, user: User) -> User | None:
    """The signed-in user as the user record says now, checked on every run of a page: None when the account was
    disabled or removed (the session ends), else the user with their current name, role and department."""
    doc = _find(ctx, user.username)
    if doc is None or doc.get("disabled"):
        return None
    return _to_user(doc)


def needs_setup(ctx: AppContext) -> bool:
    """True on first start: there is no user yet, so the setup screen creates the admin."""
    return not _repo(ctx).all()


def _new_user_doc(ctx, username, display_name, role, department, password, confirm) -> dict:
    username = check_username(username)
    errors = []
    display_name = (display_name or "").strip()
    if not display_name:
        errors.append(("display_name", "姓名为必填项"))
    elif len(display_name) > 30:
        errors.append(("display_name", "姓名不能超过30字"))
    if role not in vocab.ROLES:
        errors.append(("role", f"角色须为：{'、'.join(vocab.ROLES)}"))
    department = (department or "").strip()
    if role == vocab.ROLE_DEPARTMENT and not department:
        errors.append(("department", "使用科室账号须填写科室名称"))
    try:
        check_new_password(password, confirm)
    except ValidationError as e:
        errors.extend(e.errors)
    if errors:
        raise ValidationError(errors)
    return {"username": username, "display_name": display_name, "role": role,
            "department": department if role == vocab.ROLE_DEPARTMENT else "",
            "password_hash": hash_password(password), "disabled": False, "failed_count": 0,
            "locked_until": None, "created_at": ctx.now().isoformat(timespec="seconds")}


def create_first_admin(ctx: AppContext, *, username: str, display_name: str, password: str, confirm: str,
                       policy_id: str) -> User:
    """First-run setup: creates the admin account and chooses the installation's policy profile."""
    if not needs_setup(ctx):
        raise PermissionDenied("系统已完成初始设置，请登录")
    doc = _new_user_doc(ctx, username, display_name, vocab.ROLE_ADMIN, "", password, confirm)
    if policy_id not in ctx.policies:
        raise ValidationError(("policy_id", "请选择本单位执行的政策"))
    _repo(ctx).insert(doc, actor=doc["username"], action="初始设置：创建管理员", unique=("username",))
    admin = _to_user(doc)
    settings.set_active_policy(ctx, admin, policy_id)
    return admin


def login(ctx: AppContext, username: str, password: str) -> User:
    """Check the password; count failures and lock after the fifth; refuse disabled or locked accounts.

    The count is kept atomically whatever the concurrency: before its password is hashed an attempt takes a slot
    in the same locked write that reads the count, and is refused unchecked when failures plus attempts in
    progress reach the limit; the result is then written in a second locked write that reads the count afresh.
    So parallel sessions check at most five guesses before the lock. An unknown user name is hashed against a
    dummy, so it answers in the same time and with the same message as a wrong password."""
    username = (username or "").strip()
    doc = _find(ctx, username)
    now = ctx.now()
    if doc is None:
        verify_password(password or "", DUMMY_HASH)
        raise AuthError(BAD_LOGIN)
    slot = new_slot(now, secrets.token_hex(8))
    refusal: list[str] = []
    folded: list = []

    def take_slot(d: dict) -> dict | None:
        folded.append(UNRECORDED.fold_into(username, d, now))  # failures counted while the disk was full
        why = attempt_refusal(d, now)
        if why:
            refusal.append(why)
            return None  # unchanged: nothing written
        d["login_slots"] = live_slots(d, now) + [slot]
        return d

    try:
        _repo(ctx).update(doc["id"], take_slot, actor=username, action="登录尝试")
    except StoreError:  # the record cannot be written (full disk): count in memory, still log in (§7)
        if refusal:
            raise AuthError(refusal[0]) from None
        return _login_unrecorded(doc, username, password, now, slot)
    UNRECORDED.forget(username, folded[-1] if folded else None)
    if refusal:
        raise AuthError(refusal[0])
    ok = verify_password(password or "", doc["password_hash"])
    locked: list[bool] = []

    def record_result(d: dict) -> dict:
        d["login_slots"] = [s for s in live_slots(d, now) if s != slot]
        changes = after_successful_login(now) if ok else after_failed_login(d, now)
        locked.append(bool(changes.get("locked_until")))
        d.update(changes)
        return d

    try:
        _repo(ctx).update(doc["id"], record_result, actor=username, action="登录" if ok else "登录失败")
    except StoreError:  # full disk after the slot was taken: a failure is counted in memory, a success logs in
        locked = [UNRECORDED.result(username, doc, now, slot, ok)]
        _LOG.warning("login of %s not recorded (the user record cannot be written)", username)
    if not ok:
        raise AuthError("连续5次输错密码，账号已锁定15分钟" if locked[-1] else BAD_LOGIN)
    return _to_user(doc)


def _login_unrecorded(doc: dict, username: str, password: str, now, slot: str) -> User:
    """A login while the user record cannot be written: the lockout is kept in memory (services.unrecorded_logins),
    with the same limit; a correct password logs in without recording last_login."""
    UNRECORDED.take(username, doc, now, slot)
    ok = False
    try:
        ok = verify_password(password or "", doc["password_hash"])
    finally:
        locked = UNRECORDED.result(username, doc, now, slot, ok)
    _LOG.warning("login of %s checked without writing the user record (%s)", username, "ok" if ok else "failed")
    if not ok:
        raise AuthError("连续5次输错密码，账号已锁定15分钟" if locked else BAD_LOGIN)
    return _to_user(doc)


def _require_admin(actor: User) -> None:
    if not can(actor.role, "manage_users"):
        raise PermissionDenied("只有管理员可以管理用户")


def list_users(ctx: AppContext, actor: User) -> list[dict]:
    _require_admin(actor)
    now = ctx.now()
    rows = []
    for d in sorted(_repo(ctx).all(), key=lambda d: d["username"]):
        until = locked_until(d, now)
        state = "、".join(([f"已锁定（至{until:%H:%M}）"] if until else []) + (["停用"] if d.get("disabled") else []))
        rows.append({"用户名": d["username"], "姓名": d.get("display_name", ""), "角色": d["role"],
                     "科室": d.get("department", ""), "状态": state or "正常",
                     "最近登录": d.get("last_login") or ""})
    return rows


def create_user(ctx: AppContext, actor: User, *, username: str, display_name: str, role: str,
                department: str = "", password: str, confirm: str) -> None:
    _require_admin(actor)
    doc = _new_user_doc(ctx, username, display_name, role, department, password, confirm)
    _repo(ctx).insert(doc, actor=actor.username, action="创建用户", unique=("username",))


def _existing(ctx: AppContext, username: str) -> dict:
    doc = _find(ctx, username)
    if doc is None:
        raise NotFoundError(f"用户 {username} 不存在")
    return doc


def set_disabled(ctx: AppContext, actor: User, username: str, disabled: bool) -> None:
    _require_admin(actor)
    doc = _existing(ctx, username)
    if disabled and username == actor.username:
        raise ValidationError(("username", "不能停用自己正在使用的账号"))
    if disabled and doc["role"] == vocab.ROLE_ADMIN and _active_admins(ctx) <= 1:
        raise ValidationError(("username", "至少需要保留一个可用的管理员账号"))
    # 启用 also lifts a lockout: an admin who re-enables an account means it to be usable
    changes = {"disabled": True} if disabled else {"disabled": False, **UNLOCKED}
    _repo(ctx).update(doc["id"], changes, actor=actor.username, action="停用用户" if disabled else "启用用户")
    if disabled:  # every open session of the account ends now, in every browser (issue 11 §5)
        _end_sessions(ctx, username, actor, "账号停用")


def _end_sessions(ctx: AppContext, username: str, actor: User, reason: str, keep: int | None = None) -> None:
    from services import sessions  # sessions imports this module to check the user record

    sessions.end_all(ctx, username, actor=actor.username, reason=reason, keep=keep)


UNLOCKED = {"failed_count": 0, "locked_until": None, "login_slots": []}


def unlock(ctx: AppContext, actor: User, username: str) -> None:
    """解锁 (admin): lift a lockout after wrong passwords at once, without changing the password."""
    _require_admin(actor)
    doc = _existing(ctx, username)
    if not locked_until(doc, ctx.now()):
        raise ValidationError(("username", f"账号 {username} 未被锁定，无需解锁"))
    _repo(ctx).update(doc["id"], UNLOCKED, actor=actor.username, action="解锁用户")


def _active_admins(ctx: AppContext) -> int:
    return len(_repo(ctx).search(lambda d: d.get("role") == vocab.ROLE_ADMIN and not d.get("disabled")))


def reset_password(ctx: AppContext, actor: User, username: str, password: str, confirm: str) -> None:
    """Admin sets a new password; the lock and failure count are cleared."""
    _require_admin(actor)
    doc = _existing(ctx, username)
    check_new_password(password, confirm)
    _repo(ctx).update(doc["id"], {"password_hash": hash_password(password), "failed_count": 0,
                                  "locked_until": None}, actor=actor.username, action="重置密码")
    _end_sessions(ctx, username, actor, "管理员重置密码")  # whoever held the old password is signed out


def change_own_password(ctx: AppContext, actor: User, old: str, new: str, confirm: str, *,
                        keep_session: int | None = None) -> None:
    """Change one's own password; every other session of the account ends (a browser left signed in elsewhere, or
    one that learnt the old password), the tab that made the change (`keep_session`) stays signed in."""
    doc = _existing(ctx, actor.username)
    if not verify_password(old or "", doc["password_hash"]):
        raise ValidationError(("old", "原密码不正确"))
    check_new_password(new, confirm)
    _repo(ctx).update(doc["id"], {"password_hash": hash_password(new)}, actor=actor.username, action="修改密码")
    _end_sessions(ctx, actor.username, actor, "修改密码", keep=keep_session)
