"""专家培训 — training sessions and who attended (JC 第十三条: 每年组织专家库全体人员……开展一次专题培训; YQ 第二十一条:
专家培训纳入年度安全培训计划), counted in the yearly assessment (YQ 第二十三条(一)2 参加培训; JC: listed with the
services on 附件6, local setting).

A session is {"id", "policy_id", "title", "held_on", "hours", "organizer", "content", "attendees": [expert_id]};
attendees are experts of the active profile's pool. `year_check` compares the sessions held in a calendar year
with the profile's `training.sessions_per_year` and words a warning when too few were held.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, ValidationError
from services.context import AppContext, User
from services.settings import active_policy

TRAININGS, EXPERTS = "trainings", "experts"
POOL_STATES = ("在库", "暂停")
TITLE_MAX, CONTENT_MAX = 100, 2000


def _repo(ctx):
    return ctx.store.collection(TRAININGS)


def _require(actor: User) -> None:
    if not can(actor.role, "manage_training"):
        raise PermissionDenied("只有专家管理办公室可以登记专家培训")


def pool(ctx: AppContext) -> dict[int, dict]:
    """In-pool experts of the active profile (who can be recorded as attending), by id."""
    pid = active_policy(ctx).id
    found = ctx.store.collection(EXPERTS).search(lambda e: e.get("policy_id") == pid and e.get("state") in POOL_STATES)
    return {e["id"]: e for e in sorted(found, key=lambda e: e["id"])}


def _attendees(ctx, ids) -> tuple[list[int], list[tuple[str, str]]]:
    known = pool(ctx)
    out, errors = [], []
    for raw in ids or ():
        try:
            i = int(raw)
        except (TypeError, ValueError):
            errors.append(("attendees", f"参训专家“{raw}”无法识别"))
            continue
        if i not in known:
            errors.append(("attendees", f"专家 {i} 不是本专家库在库专家，不能登记为参训人员"))
        elif i not in out:
            out.append(i)
    return out, errors


def _clean(ctx, data: dict) -> dict:
    policy = active_policy(ctx)
    errors: list[tuple[str, str]] = []
    title = str(data.get("title") or "").strip()
    if not title:
        errors.append(("title", "请填写培训名称"))
    elif len(title) > TITLE_MAX:
        errors.append(("title", f"培训名称不能超过{TITLE_MAX}字"))
    held_on = data.get("held_on")
    if isinstance(held_on, str) and held_on:
        try:
            held_on = date.fromisoformat(held_on[:10])
        except ValueError:
            held_on = None
    if not isinstance(held_on, date):
        errors.append(("held_on", "请填写培训日期"))
    elif held_on > ctx.today():
        errors.append(("held_on", "培训日期不能晚于今天（登记的是已举办的培训）"))
    hours = None
    try:
        hours = Decimal(str(data.get("hours"))).normalize() if data.get("hours") not in (None, "") else None
    except InvalidOperation:
        pass
    if hours is None or hours <= 0 or hours > 200:
        errors.append(("hours", "培训学时应为大于0、不超过200的数"))
    content = str(data.get("content") or "").strip()
    if len(content) > CONTENT_MAX:
        errors.append(("content", f"培训内容不能超过{CONTENT_MAX}字"))
    attendees, problems = _attendees(ctx, data.get("attendees"))
    errors.extend(problems)
    if errors:
        raise ValidationError(errors)
    return {"policy_id": policy.id, "title": title, "held_on": held_on.isoformat(), "hours": format(hours, "f"),
            "organizer": str(data.get("organizer") or "").strip() or policy.training.organizer,
            "content": content, "attendees": attendees}


def record_session(ctx: AppContext, actor: User, data: dict) -> int:
    """登记一次培训 (title, held_on, hours, organizer, content, attendees); every problem in one Chinese error."""
    _require(actor)
    doc = _clean(ctx, data)
    doc.update(recorded_by=actor.username, recorded_on=ctx.today().isoformat())
    return _repo(ctx).insert(doc, actor=actor.username, action="登记专家培训")


def session(ctx: AppContext, training_id: int) -> dict:
    found = _repo(ctx).get(training_id)
    if found is None:
        raise NotFoundError(f"培训记录 {training_id} 不存在")
    return found


def set_attendance(ctx: AppContext, actor: User, training_id: int, attendees: list[int]) -> dict:
    """更正参训人员 (audited)."""
    _require(actor)
    session(ctx, training_id)
    ids, errors = _attendees(ctx, attendees)
    if errors:
        raise ValidationError(errors)
    return _repo(ctx).update(training_id, {"attendees": ids}, actor=actor.username, action="更正参训人员")


def sessions(ctx: AppContext, year: int | None = None) -> list[dict]:
    """The active profile's sessions (of calendar `year` when given), newest first."""
    pid = active_policy(ctx).id
    found = _repo(ctx).search(lambda t: t.get("policy_id") == pid
                              and (year is None or str(t.get("held_on", ""))[:4] == str(year)))
    return sorted(found, key=lambda t: (str(t.get("held_on")), t["id"]), reverse=True)


def year_check(ctx: AppContext, year: int) -> dict:
    """{"held", "required", "ok", "warning"}: the sessions of calendar `year` against training.sessions_per_year
    (JC 第十三条 每年……开展一次专题培训). YQ sets no number: never a warning."""
    policy = active_policy(ctx)
    held = len(sessions(ctx, year))
    required = policy.training.sessions_per_year
    ok = required is None or held >= required
    warning = None
    if not ok:
        warning = (f"{year}年已登记培训{held}次，{policy.training.source.split('；')[0]}要求每年至少组织{required}次专题培训"
                   f"（{policy.training.organizer}）")
    return {"held": held, "required": required, "ok": ok, "warning": warning}


def attended_by(ctx: AppContext, expert_id: int) -> list[dict]:
    """Sessions an expert attended (the expert's file)."""
    return [t for t in sessions(ctx) if expert_id in (t.get("attendees") or ())]


__all__ = ["attended_by", "pool", "record_session", "session", "sessions", "set_attendance", "year_check"]
