"""系统维护 — backups (daily snapshot, on demand, restore) and the audit log's hash-chain check, for admins.

A restore replaces every collection, so `restore_plan` first shows the backup (name, time, why, by whom) and, per
collection, how many records it holds against how many exist now; `restore_backup` needs `confirmed=True`.
"""
from __future__ import annotations

import errno
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, StoreError, ValidationError
from services.context import AppContext, User


_LOG = logging.getLogger("zhuanjiaku.housekeeping")


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
    """Once per start and per login: the daily snapshot, and terms that have ended leave the pool (JC-L2).

    A task that cannot be saved (a full disk) does not stop the app: users still log in and read, every write is
    refused with its own message, and the reason is kept in `ctx.maintenance_problems` for the admin's banner
    (`disk_warning`). A failed daily backup leaves no backup of the day, so the next start or login tries again."""
    from services.lifecycle import expire_terms

    result: dict = {"backup": None, "expired": 0}
    tasks = (("backup", lambda: daily_backup(ctx)), ("expire", lambda: expire_terms(ctx)))
    for key, task in tasks:
        try:
            done = task()
        except StoreError as error:
            _LOG.warning("housekeeping %s failed: %s", key, error.message)
            cause = error.__cause__
            no_space = isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT)
            ctx.maintenance_problems[key] = error.message
            if no_space:
                ctx.maintenance_problems["no_space"] = "1"
            continue
        ctx.maintenance_problems.pop(key, None)
        result[key] = (done.name if done else None) if key == "backup" else done
    if not {"backup", "expire"} & ctx.maintenance_problems.keys():
        ctx.maintenance_problems.pop("no_space", None)
    return result


LOW_DISK_BYTES = 200 * 1024 * 1024  # below this the admin is warned even when today's backup was made


def disk_free_bytes(ctx: AppContext) -> int | None:
    """Free bytes on the disk of the data folder (None for an in-memory store or when it cannot be read)."""
    if ctx.store.data_dir is None:
        return None
    try:
        return shutil.disk_usage(ctx.store.data_dir).free
    except OSError:
        return None


def _size_text(n: int) -> str:
    if n >= 1024 ** 3:
        return f"{n / 1024 ** 3:.1f} GB"
    if n >= 1024 ** 2:
        return f"{n / 1024 ** 2:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} 字节"


def disk_warning(ctx: AppContext, actor: User) -> str | None:
    """The admin's banner when housekeeping could not be saved (full disk) or free space is low; None otherwise
    and for every other role (they see the refusal of their own writes)."""
    if not can(actor.role, "manage_settings"):
        return None
    problems = dict(ctx.maintenance_problems)
    free = disk_free_bytes(ctx)
    low = free is not None and free < LOW_DISK_BYTES
    if not ({"backup", "expire"} & problems.keys()) and not low:
        return None
    free_text = f"数据目录所在磁盘剩余 {_size_text(free)}" if free is not None else "无法读取磁盘剩余空间"
    head = "磁盘空间不足：" if (low or "no_space" in problems) else ""
    parts = []
    if "backup" in problems:
        parts.append(f"今日自动备份未完成（{problems['backup']}）")
    if "expire" in problems:
        parts.append(f"聘期届满的专家未能自动退出（{problems['expire']}）")
    if not parts:
        parts.append(f"剩余空间低于 {_size_text(LOW_DISK_BYTES)}，自动备份和保存可能失败")
    if head:
        return (f"{head}{'；'.join(parts)}。{free_text}。在清理之前，新建和修改会被拒绝（已有数据不受影响），"
                "请尽快清理磁盘；系统会在下次启动或登录时重试。")
    return f"{'；'.join(parts)}。{free_text}。请尽快检查服务器（原因见括号内）；系统会在下次启动或登录时重试。"


def list_backups(ctx: AppContext, actor: User):
    _require_admin(actor)
    return ctx.store.backups.list()


def backup_now(ctx: AppContext, actor: User):
    """手动备份, audited (who, when, which backup). The backup is kept even if its audit line cannot be written
    (e.g. the audit key is missing): a copy of the data matters most exactly then; the manifest names who made it."""
    _require_admin(actor)
    info = ctx.store.backups.create("手动备份", actor=actor.username)
    try:
        ctx.store.audit.record(actor.username, "手动备份", after={"backup": info.name, "reason": info.reason,
                                                               "size_bytes": info.size_bytes})
    except StoreError as error:
        _LOG.warning("manual backup %s made but not audited: %s", info.name, error.message)
    return info


# Chinese names of the collections, for the restore summary (others are shown by their file name)
COLLECTION_LABELS = {
    "experts": "专家", "users": "用户账号", "settings": "系统设置", "applications": "入库申报资料", "rounds": "聘任批次",
    "photos": "照片", "requests": "使用申请", "assignments": "邀请与委派", "draws": "抽取记录", "evaluations": "服务评价",
    "work_records": "工作记录（工作卡）", "assistance": "技术帮扶记录", "proposals": "解聘建议",
    "events": "提醒谈话等事件", "dismissals": "解聘清退事项", "assessments": "年度考核", "trainings": "培训记录",
    "budgets": "劳务报酬预算", "policy_variants": "政策变体", "pool_snapshots": "抽取快照（抽取时的专家名单）",
    "pool_pieces": "抽取快照片段（按专家保存）",
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
    pre_restore = ctx.store.backups.restore(name, actor=actor.username)
    # everyone logs in again: the restored sessions file may revive sessions ended after the backup was taken
    from services import sessions
    from core.sessions import END_RESTORED

    try:
        sessions.end_every(ctx, actor=actor.username, reason=END_RESTORED)
    except StoreError as error:  # the restore itself is done and audited; sessions still end at their idle time
        _LOG.error("恢复备份后未能结束登录会话：%s", error)
    return pre_restore


def audit_key_problem(ctx: AppContext, actor: User) -> str | None:
    """For an admin's banner: why every write is refused when the audit key file is missing or unreadable (the
    message names the path it is expected at); None when the key is at hand, and for every other role."""
    if not can(actor.role, "manage_settings"):
        return None
    return ctx.store.audit.key_problem


def verify_audit(ctx: AppContext, actor: User):
    if not can(actor.role, "view_audit"):
        raise PermissionDenied("无权查看操作日志")
    return ctx.store.audit.verify()
