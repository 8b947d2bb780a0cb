"""系统维护 — backups (daily snapshot, on demand, restore) and the audit log's hash-chain check, for admins.

A restore replaces every collection, so `restore_plan` first shows the backup (name, time, why, by whom) and, per
collection, how many records it holds against how many exist now; `restore_backup` needs `confirmed=True`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, ValidationError
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


# Chinese names of the collections, for the restore summary (others are shown by their file name)
COLLECTION_LABELS = {
    "experts": "专家", "users": "用户账号", "settings": "系统设置", "applications": "入库申报资料", "rounds": "聘任批次",
    "photos": "照片", "requests": "使用申请", "assignments": "邀请与委派", "draws": "抽取记录", "evaluations": "服务评价",
    "work_records": "工作记录（工作卡）", "assistance": "技术帮扶记录", "proposals": "解聘建议",
    "events": "提醒谈话等事件", "dismissals": "解聘清退事项", "assessments": "年度考核", "trainings": "培训记录",
    "budgets": "劳务报酬预算", "policy_variants": "政策变体",
}


@dataclass(frozen=True)
class RestoreRow:
    collection: str
    label: str
    in_backup: int | None  # None: the backup has no such collection (a restore removes it)
    now: int


@dataclass(frozen=True)
class RestorePlan:
    """What restoring backup `name` changes: per collection the records in the backup against those now."""
    name: str
    created: datetime
    reason: str
    actor: str
    rows: list[RestoreRow]

    @property
    def changed(self) -> list[RestoreRow]:
        return [r for r in self.rows if r.in_backup != r.now]


def restore_plan(ctx: AppContext, actor: User, name: str) -> RestorePlan:
    """恢复前的说明 — reads the backup (checked against its manifest) and the current collections; writes nothing."""
    _require_admin(actor)
    info = next((b for b in ctx.store.backups.list() if b.name == name), None)
    if info is None:
        raise NotFoundError(f"备份 {name} 不存在")
    backup = ctx.store.backups.record_counts(name)
    now = {c: len(ctx.store.collection(c).all()) for c in ctx.store.collections()}
    rows = [RestoreRow(c, COLLECTION_LABELS.get(c, c), backup.get(c), now.get(c, 0))
            for c in sorted(set(backup) | set(now), key=lambda c: (c not in COLLECTION_LABELS, c))]
    return RestorePlan(info.name, info.created, info.reason, info.actor, rows)


def restore_backup(ctx: AppContext, actor: User, name: str, *, confirmed: bool):
    """恢复备份: replaces all data with backup `name`; returns the automatic backup of the state before it (audited)."""
    _require_admin(actor)
    if not confirmed:
        raise ValidationError(("confirm", "请先核对恢复将带来的变化并勾选确认：恢复会用备份替换当前全部数据"))
    return ctx.store.backups.restore(name, actor=actor.username)


def verify_audit(ctx: AppContext, actor: User):
    if not can(actor.role, "view_audit"):
        raise PermissionDenied("无权查看操作日志")
    return ctx.store.audit.verify()
