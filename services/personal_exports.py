"""个人信息导出记录 — one audit line for every export of personal data (个人信息保护法: a record of who processed
whose personal data, when, and how).

The line names who (user name and role), when (the audit line's time), what (the file's content), how many
records and which (their ids, as ranges), and whether ID numbers, phones and birth dates were masked for the
exporter (core.masking.sees_full_personal_data). It is written before the file is handed out: when it cannot be
written (full disk, read-only folder) the export is refused with a Chinese message, so no personal data leaves
the system unrecorded.
"""
from __future__ import annotations

from typing import Iterable

from core.errors import StoreError
from core.masking import sees_full_personal_data
from services.context import AppContext, User


def id_ranges(ids: Iterable[int]) -> str:
    """[1, 2, 3, 7, 9, 10] → "1-3,7,9-10" (a short, exact list of the exported records)."""
    numbers = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    parts: list[str] = []
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = n
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(parts)


def audit_personal_export(ctx: AppContext, actor: User, action: str, *, collection: str | None,
                          record_ids: Iterable[int], what: str, rows: int | None = None) -> dict:
    """Append the export's audit line; raises StoreError (Chinese) when it cannot be recorded."""
    ids = list(record_ids)
    masked = not sees_full_personal_data(actor.role)
    after = {"导出内容": what, "行数": len(ids) if rows is None else rows, "记录编号": id_ranges(ids),
             "导出人角色": actor.role, "敏感信息": "已脱敏（身份证号、电话隐藏，出生日期只显示年份）" if masked else "完整（未脱敏）"}
    if actor.department:
        after["所属科室"] = actor.department
    try:
        return ctx.store.audit.record(actor.username, action, collection=collection, record_id=None,
                                      before=None, after=after)
    except OSError as error:
        raise StoreError(f"无法记录本次导出（{error.strerror or error}），为保护个人信息，导出已取消。"
                         "请联系系统管理员处理后重试。") from error
