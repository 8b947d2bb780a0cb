"""系统维护 — backups (daily snapshot, on demand, restore) and the audit log's hash-chain check, for admins."""
from __future__ import annotations

from core.auth import can
from core.errors import PermissionDenied, ValidationError
from services.context import AppContext, User


def _require_admin(actor: User) -> None:
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以管理备份")


def data_dir(ctx: AppContext) -> str:
    return str(ctx.store.data_dir) if ctx.store.data_dir else "（内存，不保存）"


def daily_backup(ctx: AppContext):
    """At most one snapshot a day, kept 30 days; called once per process start by the app."""
    if ctx.store.data_dir is None:
        return None
    return ctx.store.backups.daily(today=ctx.today())


def housekeeping(ctx: AppContext) -> dict:
    """Once per start and per login: the daily snapshot, and terms that have ended leave the pool (JC-L2)."""
    from services.lifecycle import expire_terms

    backup = daily_backup(ctx)
    return {"backup": backup.name if backup else None, "expired": expire_terms(ctx)}


def list_backups(ctx: AppContext, actor: User):
    _require_admin(actor)
    return ctx.store.backups.list()


def backup_now(ctx: AppContext, actor: User):
    _require_admin(actor)
    return ctx.store.backups.create("手动备份", actor=actor.username)


def restore_backup(ctx: AppContext, actor: User, name: str, *, confirmed: bool) -> None:
    _require_admin(actor)
    if not confirmed:
        raise ValidationError(("confirm", "请先勾选确认：恢复会用备份替换当前全部数据"))
    ctx.store.backups.restore(name, actor=actor.username)


def verify_audit(ctx: AppContext, actor: User):
    if not can(actor.role, "view_audit"):
        raise PermissionDenied("无权查看操作日志")
    return ctx.store.audit.verify()
