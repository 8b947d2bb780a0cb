"""服务评价、任务完成、工作记录卡与技术服务帮扶 — JC-V1, YQ-V1, YQ-V2, X-V1; JC 第十四条(一)、第十七条、附件8;
YQ 第十五条–第十八条、第二十条(一)、第二十二条(一)、第二十三条(一)1、第二十四条(三)、附表五、附表六.

办公室登记任务完成（每名专家的实际工作天数，报酬由此计算）；使用科室在期限内评价（JC 附件8 八项指标，任务结束后
3个工作日，按国家法定节假日与调休；YQ 附表五 优秀/良好/一般/较差，2日内），一项任务一份评价，更正即替换（留审计）；
过期才交的记为逾期。YQ 年度内首次一般/较差 → 提醒谈话（services.dismissals.record_reminder_talk），再次 → 清退建议
（proposals，来源“服务评价”），按评价和专家去重，重复保存不会重复生成。逾期未评价的任务和未交回的 附表六 一并列在
首页（X-V1）。帮扶：问题隐患及建议书面移交企业（第十八条），停产撤人报告（第十六条）标记给办公室，办公室登记采取的
措施（第十七条）。规则在 core/evaluation.py 与 core/service_records.py，表单上下文在 core/forms_service_records.py。
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from core.auth import can
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.evaluation import check_jc_evaluation, check_yq_rating, evaluation_deadline, may_evaluate, overdue, \
    yq_consequence
from core.expert import parse_date
from core.fees import EXTERNAL_STATUSES, external_experts_of, is_external_key
from core.forms_service_records import assistance_letter_context, jc_fj8_context, yq_fb6_context
from core.dispatch import same_department
from core.service_records import (check_acknowledgement, check_assistance, check_completion, check_urgent_report,
                                  check_work_card)
from services import calendar
from services.context import SYSTEM, AppContext, User
from services.settings import active_policy, require_policy

REQUESTS, ASSIGNMENTS, EXPERTS = "requests", "assignments", "experts"
EVALUATIONS, WORK_RECORDS, ASSISTANCE = "evaluations", "work_records", "assistance"
PROPOSALS, EVENTS = "proposals", "events"
SOURCE = "服务评价"
DONE = "已完成"
WORK_CARD_KIND = "工作记录卡"
RECENT = "recent"   # visible_tasks scope: what the office works on now (see visible_tasks)
RECENT_DAYS = 90
RECENT_LIMIT = 200  # of the finished and evaluated tasks of the last RECENT_DAYS days, the newest this many

__all__ = [
    "complete_task", "tasks_to_finish", "visible_tasks", "task_years", "RECENT", "RECENT_DAYS", "evaluate", "evaluation_of", "pending_evaluations", "overdue_evaluations",
    "record_work_card", "work_cards_of", "record_assistance", "report_urgent", "acknowledge_urgent",
    "assistance_of", "urgent_reports", "participants", "forms_for_task", "sample_form_context",
    "jc_fj8_form", "work_card_form", "assistance_form", "dispatch_slip_with_ratings",
]


# ---------------------------------------------------------------------------------------------------------------
# 小工具
# ---------------------------------------------------------------------------------------------------------------
def _repo(ctx, name):
    return ctx.store.collection(name)


def _request(ctx, request_id: int) -> dict:
    found = _repo(ctx, REQUESTS).get(request_id)
    if found is None:
        raise NotFoundError(f"使用申请 {request_id} 不存在")
    return found


def _require_record(actor: User) -> None:
    if not can(actor.role, "record_service"):
        raise PermissionDenied("只有专家管理办公室可以登记任务完成、工作记录卡和帮扶情况")


def _may_see(actor: User, req: dict) -> bool:
    if can(actor.role, "record_service"):
        return True
    return can(actor.role, "evaluate_service") and same_department(actor.department, req.get("department"))


def _require_evaluator(actor: User, req: dict) -> None:
    if not can(actor.role, "evaluate_service"):
        raise PermissionDenied("您没有评价专家服务的权限")
    if not can(actor.role, "record_service") and not same_department(actor.department, req.get("department")):
        raise PermissionDenied("只能评价本科室（单位）使用专家的任务")


def _assignments(ctx, request_id: int, statuses: tuple[str, ...]) -> list[dict]:
    return [a for a in _repo(ctx, ASSIGNMENTS).find("request_id", request_id) if a.get("status") in statuses]


def participants(ctx: AppContext, request_id: int) -> list[dict]:
    """参与任务的专家（已完成的委派；尚未登记完成时为已接受的），每人 {"assignment_id", "expert_id", "name",
    "specialty", "start", "end", "days_worked", "status", "external", "unit"}，按委派顺序；其后是申请里经批准聘请的
    库外专家（JC 第十一条，任务已委派或已完成时）：没有委派记录，assignment_id 为 None，expert_id 为“库外1”这样的
    标识（core.fees.external_key），external 为 True，天数取申请的 external_days，状态随任务（已接受 / 已完成）。"""
    req = _repo(ctx, REQUESTS).get(request_id) or {}
    return _participants_of(ctx, [dict(req, id=request_id)])[request_id]


def _participants_of(ctx, reqs: list[dict]) -> dict[int, list[dict]]:
    """`participants` of several requests at once, {request id: rows}: one read of the assignments and one of the
    experts they name, however many requests (a page listing many tasks costs one pass, not one per task)."""
    wanted = {r["id"] for r in reqs}
    found = [a for a in _repo(ctx, ASSIGNMENTS).find_any("request_id", wanted) if a.get("status") in ("已接受", DONE)]
    ids = {a.get("expert_id") for a in found}
    people = {e["id"]: e for e in _repo(ctx, EXPERTS).get_many(ids)} if ids else {}
    out: dict[int, list[dict]] = {rid: [] for rid in wanted}
    for a in found:
        e = people.get(a["expert_id"]) or {}
        out[a["request_id"]].append({
            "assignment_id": a["id"], "expert_id": a["expert_id"], "name": e.get("name", f"专家{a['expert_id']}"),
            "specialty": a.get("specialty", ""), "start": a.get("start"), "end": a.get("end"),
            "days_worked": a.get("days_worked"), "status": a["status"], "external": False, "unit": e.get("unit", "")})
    for req in reqs:
        if req.get("status") in EXTERNAL_STATUSES:
            status = DONE if req.get("status") == DONE else "已接受"
            for x in external_experts_of(req):
                out[req["id"]].append({
                    "assignment_id": None, "expert_id": x["key"], "name": x["name"] or x["key"], "specialty": "",
                    "start": req.get("start"), "end": req.get("end"), "days_worked": x["days_worked"],
                    "status": status, "external": True, "unit": x["unit"]})
    return out


def _deadline(ctx, req: dict, policy) -> date:
    return evaluation_deadline(req["end"], policy, calendar.rules(ctx).is_workday)


def _visible_requests(ctx, user: User, statuses: tuple[str, ...], only: Iterable[int] | None = None) -> list[dict]:
    """The active profile's requests in `statuses` the user may see, by id; `only`: of these ids alone (issue 17: a
    page reads the few it lists, not every task ever finished)."""
    pid = active_policy(ctx).id
    repo = _repo(ctx, REQUESTS)
    found = repo.find_any("status", statuses) if only is None else repo.get_many(only)
    return [r for r in found if r.get("policy_id") == pid and r.get("status") in statuses and _may_see(user, r)]


def _status_ids(ctx, statuses: Iterable[str]) -> set[int]:
    keyed = _repo(ctx, REQUESTS).keyed_ids("status")
    return {i for st in statuses for i in keyed.get(st, ())}


def _evaluated_ids(ctx) -> set[int]:
    """The requests that have an evaluation (from the index: no evaluation is read)."""
    return {k for k in _repo(ctx, EVALUATIONS).keyed_ids("request_id") if isinstance(k, int)}


def visible_tasks(ctx: AppContext, user: User, statuses: tuple[str, ...] = ("已委派", DONE), *,
                  scope: str | int | None = None) -> list[dict]:
    """当前策略下该用户可见的任务（使用科室只看本科室，忽略空白），最新的在前；每条另带 "evaluated": bool。

    `scope` keeps a page's task list to what an office works on, however many years of tasks are kept: RECENT —
    every task not yet finished or not yet evaluated, and those that ended in the last RECENT_DAYS days (the newest
    RECENT_LIMIT of them: a busy office reaches the rest by year); a year
    (int) — the tasks that started in that year (`task_years` lists them); None — every task."""
    evaluated = _evaluated_ids(ctx)
    only = None
    if scope == RECENT:  # the unfinished, the unevaluated and the recent: found by index, the rest never read
        since = (ctx.today() - timedelta(days=RECENT_DAYS)).isoformat()
        ids = _status_ids(ctx, statuses)
        done = _status_ids(ctx, (DONE,)) & ids
        settled = sorted(done & evaluated & _repo(ctx, REQUESTS).ids_from("end", since), reverse=True)
        only = (ids - done) | (done - evaluated) | set(settled[:RECENT_LIMIT])
    elif isinstance(scope, int) and not isinstance(scope, bool):
        only = _status_ids(ctx, statuses) & _repo(ctx, REQUESTS).ids_from("start", f"{scope:04d}")
    rows = [dict(r, evaluated=r["id"] in evaluated) for r in reversed(_visible_requests(ctx, user, statuses, only))]
    if scope == RECENT:
        return [r for r in rows if r.get("status") != DONE or not r["evaluated"] or str(r.get("end") or "") >= since]
    if isinstance(scope, int) and not isinstance(scope, bool):
        return [r for r in rows if str(r.get("start") or "")[:4] == f"{scope:04d}"]
    return rows


def task_years(ctx: AppContext, user: User, statuses: tuple[str, ...] = ("已委派", DONE)) -> list[int]:
    """The years (of the start date) of the tasks `visible_tasks` would list, newest first: the choices of a page's
    year filter."""
    if can(user.role, "record_service"):  # sees every task: the years from the index, no task read (issue 17)
        pid = active_policy(ctx).id
        ids = _status_ids(ctx, statuses) & set(_repo(ctx, REQUESTS).keyed_ids("policy_id").get(pid, ()))
        years = {str(k or "")[:4] for k, found in _repo(ctx, REQUESTS).keyed_ids("start").items()
                 if not ids.isdisjoint(found)}
    else:
        years = {str(r.get("start") or "")[:4] for r in _visible_requests(ctx, user, statuses)}
    return sorted((int(y) for y in years if y.isdigit()), reverse=True)


# ---------------------------------------------------------------------------------------------------------------
# 任务完成
# ---------------------------------------------------------------------------------------------------------------
def tasks_to_finish(ctx: AppContext, user: User) -> list[dict]:
    """已委派且已到结束日的任务（可登记完成），按结束日期。"""
    today = ctx.today()
    rows = [r for r in _visible_requests(ctx, user, ("已委派",))
            if (parse_date(r.get("end")) or today) <= today]
    return sorted(rows, key=lambda r: (str(r.get("end")), r["id"]))


def complete_task(ctx: AppContext, actor: User, request_id: int, *, days: dict, work_summary: str,
                  completed_on: Any = None) -> dict:
    """办公室登记任务完成：申请 已委派 → 已完成（completed_on/by、work_summary），每条已接受的委派 → 已完成并记下
    days_worked。先全部检查（任务未委派、未结束、天数为0/负数/非整数/超过起止天数 —— 中文消息点名专家），有一处不对
    就什么都不保存。返回保存后的申请。"""
    _require_record(actor)
    req = _request(ctx, request_id)
    accepted = _assignments(ctx, request_id, ("已接受",))
    people = participants(ctx, request_id)
    names = {p["expert_id"]: p["name"] + ("（库外专家）" if p["external"] else "") for p in people}
    # 库外专家（JC 第十一条）没有委派记录：以“库外1”这样的标识填天数，记在申请的 external_days 上。
    accepted += [{"id": p["expert_id"], "expert_id": p["expert_id"]} for p in people if p["external"]]
    checked = check_completion(req, accepted, days, work_summary, completed_on, ctx.today(), names)
    external_days = {k: n for k, n in checked["days"].items() if is_external_key(k)}
    for assignment_id, n in checked["days"].items():
        if assignment_id in external_days:
            continue
        _repo(ctx, ASSIGNMENTS).update(assignment_id, {"status": DONE, "days_worked": n}, actor=actor.username,
                                       action="登记实际工作天数")
    changes = {"status": DONE, "completed_on": checked["completed_on"], "completed_by": actor.username,
               "work_summary": checked["work_summary"]}
    if external_days:
        changes["external_days"] = external_days
    return _repo(ctx, REQUESTS).update(request_id, changes, actor=actor.username, action="登记任务完成")


# ---------------------------------------------------------------------------------------------------------------
# 服务评价（JC 附件8 / YQ 附表五）
# ---------------------------------------------------------------------------------------------------------------
def evaluation_of(ctx: AppContext, request_id: int) -> dict | None:
    found = _repo(ctx, EVALUATIONS).find("request_id", request_id)  # by id
    return found[0] if found else None


def _jc_ratings(data: dict, people: list[dict], req: dict, policy) -> dict:
    names = {str(p["expert_id"]): p["name"] for p in people}
    rows = []
    for r in data.get("ratings") or []:
        r = dict(r) if isinstance(r, dict) else {}
        r.setdefault("name", names.get(str(r.get("expert_id")), ""))
        r.setdefault("remark", r.get("reason", ""))
        rows.append(r)
    errors: list[tuple[str, str]] = []
    work_record = (data.get("work_record") or req.get("work_summary") or "").strip()
    if not work_record:
        errors.append(("work_record", "请填写主要工作事项记录"))
    try:
        checked = check_jc_evaluation({"expert_ids": [p["expert_id"] for p in people]}, rows,
                                      data.get("meaningful_items") or [], policy)
    except ValidationError as exc:
        raise ValidationError(errors + list(exc.errors)) from None
    if errors:
        raise ValidationError(errors)
    external = {str(p["expert_id"]): p for p in people if p["external"]}
    ratings = []
    for r in checked["ratings"]:
        row = {"expert_id": r["expert_id"], "name": names.get(str(r["expert_id"])) or r["name"],
               "overall": r["overall"], "indicators": r["indicators"], "reason": r["remark"]}
        x = external.get(str(r["expert_id"]))
        if x is not None:  # 库外专家（JC 第十一条）：没有专家编号，评价以标识、姓名和单位记
            row.update(external=True, unit=x["unit"])
        ratings.append(row)
    return {"ratings": ratings, "meaningful_items": checked["meaningful_items"], "work_record": work_record}


def _yq_ratings(data: dict, people: list[dict], policy) -> dict:
    names = {str(p["expert_id"]): p["name"] for p in people}
    errors: list[tuple[str, str]] = []
    given: dict[str, tuple[int, dict]] = {}
    seen: set[str] = set()
    for i, r in enumerate(data.get("ratings") or []):
        r = r if isinstance(r, dict) else {}
        eid = str(r.get("expert_id"))
        seen.add(eid)
        who = names.get(eid) or f"第{i + 1}位专家"
        if eid not in names:
            errors.append((f"ratings.{i}.expert_id", f"{who}：不是本任务的参与专家"))
            continue
        if eid in given:
            errors.append((f"ratings.{i}.expert_id", f"{who}：同一名专家评价了两次"))
            continue
        try:
            ok = check_yq_rating(r.get("overall", r.get("rating")), r.get("reason", r.get("explanation")), policy)
        except ValidationError as exc:
            errors.extend((f"ratings.{i}.{k}", f"{who}：{m}") for k, m in exc.errors)
            continue
        given[eid] = (i, ok)
    missing = [names[e] for e in names if e not in seen]
    if missing:
        errors.append(("ratings", f"还有{len(missing)}名参与专家未评价：{'、'.join(missing)}"))
    if errors:
        raise ValidationError(errors)
    ratings = [{"expert_id": p["expert_id"], "name": p["name"], "overall": given[str(p["expert_id"])][1]["rating"],
                "indicators": {}, "reason": given[str(p["expert_id"])][1]["explanation"]} for p in people]
    return {"ratings": ratings, "meaningful_items": [], "work_record": (data.get("work_record") or "").strip()}


def evaluate(ctx: AppContext, actor: User, request_id: int, data: dict) -> dict:
    """保存一项已完成任务的评价（JC 附件8 / YQ 附表五，按任务所属策略）；已有评价时更正并替换（审计留痕）。

    data：{"ratings": [{"expert_id", "overall", "indicators" (JC), "reason" (JC 备注理由 / YQ 书面说明)}],
    "meaningful_items": [str] (JC), "work_record": str (JC，默认任务完成时的主要工作事项记录)}。
    使用科室只能评价本科室的任务；过期提交记 late。YQ 保存后对评为一般/较差的专家按年度次数记提醒谈话或提出清退
    建议（不重复）。返回保存后的评价，另带 "consequences"：[{expert_id, name, action, text, outcome}]（不存）。
    """
    req = _request(ctx, request_id)
    _require_evaluator(actor, req)
    if req.get("status") != DONE:
        raise DomainError(f"任务尚未登记完成，不能评价（当前为“{req.get('status')}”）")
    policy = require_policy(ctx, req["policy_id"])
    today = ctx.today()
    may_evaluate(req.get("end"), today)
    people = [p for p in participants(ctx, request_id) if p["status"] == DONE]
    if not people:
        raise DomainError("该任务没有参与的专家，无需评价")
    ev = policy.evaluations
    body = _jc_ratings(data, people, req, policy) if ev.indicators else _yq_ratings(data, people, policy)
    deadline = _deadline(ctx, req, policy)
    existing = evaluation_of(ctx, request_id)
    repo = _repo(ctx, EVALUATIONS)
    if existing is None:
        doc = {"request_id": request_id, "policy_id": policy.id, "form_id": ev.form_id, "filed_on": today.isoformat(),
               "filed_by": actor.username, "department": req.get("department", ""), "deadline": deadline.isoformat(),
               "late": today > deadline, "corrections": [], **body}
        ev_id = repo.insert(doc, actor=actor.username, action="服务评价")
        saved = repo.get(ev_id)
    else:
        corrections = list(existing.get("corrections") or []) + [{"on": today.isoformat(), "by": actor.username}]
        saved = repo.update(existing["id"], {**body, "corrections": corrections}, actor=actor.username,
                            action="更正服务评价")
    consequences = _apply_consequences(ctx, actor, saved, policy) if ev.escalation else []
    return dict(saved, consequences=consequences)


def _history(ctx, policy_id: str, upto: dict) -> list[dict]:
    """YQ 年度后果的评价历史：截至这份评价（按 filed_on、id）为止的各专家等级。"""
    out = []
    key = (upto["filed_on"], upto["id"])
    policy = require_policy(ctx, policy_id)
    repo = _repo(ctx, EVALUATIONS)
    if policy.evaluations.escalation_window == "calendar_year":  # only that year's evaluations count (issue 17)
        rows = repo.find_from("filed_on", f"{str(upto['filed_on'])[:4]}-01-01")
    else:
        rows = repo.find("policy_id", policy_id)
    for ev in rows:
        if ev.get("policy_id") != policy_id:
            continue
        if (ev["filed_on"], ev["id"]) > key:
            continue
        out.extend({"expert_id": r["expert_id"], "rating": r["overall"], "on": ev["filed_on"]}
                   for r in ev.get("ratings") or [])
    return out


def _record_talk(ctx, office: User, expert_id: int, reason_number: int, note: str, evaluation: dict, policy) -> int:
    """The 提醒谈话 event as services.dismissals.record_reminder_talk records it (core.dismissal.reminder_talk), with
    its source in the same write. Not that function itself: its insert keeps the store's default unique id_number,
    so an expert's second talk (a new year) would be refused as a duplicate."""
    from core.dismissal import reminder_talk

    expert = _repo(ctx, EXPERTS).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    event = reminder_talk(expert, reason_number, note, policy, ctx.today(), by=office.username)
    event.update(evaluation_id=evaluation["id"], request_id=evaluation["request_id"], source=SOURCE)
    return _repo(ctx, EVENTS).insert(event, actor=office.username, action="提醒谈话", unique=())


def _apply_consequences(ctx, actor: User, evaluation: dict, policy) -> list[dict]:
    lows = set(policy.evaluations.negative_ratings)
    if not any(r.get("overall") in lows for r in evaluation.get("ratings") or []):
        return []
    history = _history(ctx, policy.id, evaluation)
    on = date.fromisoformat(evaluation["filed_on"])
    office = actor if can(actor.role, "edit_experts") else SYSTEM
    out = []
    for r in evaluation.get("ratings") or []:
        if r["overall"] not in lows:
            continue
        due = yq_consequence(r["expert_id"], history, on, policy)
        if due is None:
            continue
        item = {"expert_id": r["expert_id"], "name": r["name"], "action": due["action"], "text": due["text"]}
        marker = lambda d: d.get("evaluation_id") == evaluation["id"] and d.get("expert_id") == r["expert_id"]  # noqa: E731
        if due["proposes_dismissal"]:
            if [p for p in _repo(ctx, PROPOSALS).find("evaluation_id", evaluation["id"]) if marker(p)]:
                item["outcome"] = "已提出过建议"
            elif [p for p in _repo(ctx, PROPOSALS).find("expert_id", r["expert_id"]) if p.get("status") == "待处理"]:
                item["outcome"] = "已有待处理的解聘建议，未重复提出"
            else:
                _repo(ctx, PROPOSALS).insert(
                    {"expert_id": r["expert_id"], "name": r["name"], "policy_id": policy.id,
                     "reason_number": due["reason_number"], "text": due["text"], "source": SOURCE,
                     "evaluation_id": evaluation["id"], "request_id": evaluation["request_id"],
                     "created_on": ctx.today().isoformat(), "status": "待处理"},
                    actor=actor.username, action="生成解聘建议")
                item["outcome"] = "已提出调整退出建议（见“解聘清退”）"
        else:
            if [e for e in _repo(ctx, EVENTS).find("evaluation_id", evaluation["id"]) if marker(e)]:
                item["outcome"] = "已记录过提醒谈话"
            else:
                note = f"{due['text']}（{SOURCE}第{evaluation['id']}号，{evaluation.get('department', '')}提交）"
                try:
                    _record_talk(ctx, office, r["expert_id"], due["reason_number"], note, evaluation, policy)
                except DomainError as exc:
                    item["outcome"] = f"未能记录提醒谈话：{exc.message}"
                else:
                    item["outcome"] = "已记录提醒谈话"
        out.append(item)
    return out


def pending_evaluations(ctx: AppContext, user: User) -> list[dict]:
    """已完成而尚未评价的任务（当前策略，使用科室只看本科室），每行 {"request_id", "department", "matter", "end",
    "deadline", "days_overdue"（未逾期为0）, "overdue": bool, "kind": "服务评价（附件8）", "calendar_note"}，
    逾期最久的在前。"""
    policy = active_policy(ctx)
    today = ctx.today()
    pending = _status_ids(ctx, (DONE,)) - _evaluated_ids(ctx)  # by index: no finished task is read (issue 17)
    annex = _annex(policy, policy.evaluations.form_id)
    rows = []
    for r in _visible_requests(ctx, user, (DONE,), pending):
        if parse_date(r.get("end")) is None:
            continue
        due = _deadline(ctx, r, policy)
        late = max((today - due).days, 0)
        rows.append({"request_id": r["id"], "department": r.get("department", ""), "matter": r.get("matter", ""),
                     "end": r["end"], "deadline": due.isoformat(), "days_overdue": late, "overdue": late > 0,
                     "kind": f"服务评价{annex}", "expert": "",
                     "calendar_note": calendar.rules(ctx).fallback_notice(parse_date(r["end"]), due) or ""})
    rows.sort(key=lambda x: (-x["days_overdue"], x["deadline"], x["request_id"]))
    return rows


def _annex(policy, form_id: str | None) -> str:
    if not form_id:
        return ""
    try:
        spec = policy.form(form_id)
        return f"（{spec.annex}）" if spec.annex != "本地表单" else ""
    except Exception:  # a test double without a forms list
        return ""


def overdue_evaluations(ctx: AppContext, user: User) -> list[dict]:
    """逾期未交的评价和表（X-V1）：过了期限仍未评价的任务（core.evaluation.overdue），以及 YQ 过了期限仍未交回的
    附表六 工作记录卡（期限与附表五相同）。每行同 pending_evaluations，days_overdue ≥ 1，逾期最久的在前。"""
    policy = active_policy(ctx)
    today = ctx.today()
    pending = pending_evaluations(ctx, user)
    tasks = [{**{k: v for k, v in p.items() if k not in ("deadline", "days_overdue")}, "evaluated": False}
             for p in pending]
    rows = overdue(tasks, today, policy, calendar.rules(ctx).is_workday)
    for row in rows:
        row.pop("evaluated", None)
        row["overdue"] = True
    if policy.evaluations.work_record_form_id:
        annex = _annex(policy, policy.evaluations.work_record_form_id)
        # the finished assignments whose card has not come back (by index: returned cards are never read), and
        # only their tasks (issue 17)
        returned = set(_repo(ctx, WORK_RECORDS).keyed_ids("assignment_id"))
        done = _repo(ctx, ASSIGNMENTS).keyed_ids("status").get(DONE, ())
        missing = _repo(ctx, ASSIGNMENTS).get_many(i for i in done if i not in returned)
        past = []
        for r in _visible_requests(ctx, user, (DONE,), {a.get("request_id") for a in missing}):
            if parse_date(r.get("end")) is None:
                continue
            due = _deadline(ctx, r, policy)
            if today > due:
                past.append((r, due))
        people = _participants_of(ctx, [r for r, _ in past]) if past else {}
        for r, due in past:
            for p in people[r["id"]]:
                if p["status"] == DONE and not p["external"] and p["assignment_id"] not in returned:
                    rows.append({"request_id": r["id"], "department": r.get("department", ""),
                                 "matter": r.get("matter", ""), "end": r["end"], "deadline": due.isoformat(),
                                 "days_overdue": (today - due).days, "overdue": True,
                                 "kind": f"{WORK_CARD_KIND}{annex}", "expert": p["name"],
                                 "assignment_id": p["assignment_id"],
                                 "calendar_note": calendar.rules(ctx).fallback_notice(parse_date(r["end"]), due) or ""})
    rows.sort(key=lambda x: (-x["days_overdue"], x["request_id"], x.get("expert", "")))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# YQ 附表六 工作记录卡
# ---------------------------------------------------------------------------------------------------------------
def work_cards_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _repo(ctx, WORK_RECORDS).find("request_id", request_id)  # by id


def record_work_card(ctx: AppContext, actor: User, assignment_id: int, data: dict) -> int:
    """登记交回的 附表六（工作事项、工作情况、交回日期）；已登记的再次登记即更正。返回记录 id。"""
    _require_record(actor)
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None:
        raise NotFoundError(f"委派记录 {assignment_id} 不存在")
    policy = require_policy(ctx, a["policy_id"])
    if not policy.evaluations.work_record_form_id:
        raise DomainError(f"《{policy.short_name}》没有专家工作记录卡")
    if a.get("status") != DONE:
        raise DomainError("任务尚未登记完成，不能登记工作记录卡")
    req = _request(ctx, a["request_id"])
    checked = check_work_card(data, a.get("start") or req.get("start"), ctx.today())
    existing = _repo(ctx, WORK_RECORDS).find("assignment_id", assignment_id)
    if existing:
        _repo(ctx, WORK_RECORDS).update(existing[0]["id"], checked, actor=actor.username, action="更正工作记录卡")
        return existing[0]["id"]
    return _repo(ctx, WORK_RECORDS).insert(
        {"request_id": a["request_id"], "assignment_id": assignment_id, "expert_id": a["expert_id"],
         "policy_id": policy.id, "recorded_by": actor.username, **checked},
        actor=actor.username, action="登记工作记录卡", unique=("assignment_id",))


# ---------------------------------------------------------------------------------------------------------------
# YQ 技术服务与帮扶（第十五条–第十八条）
# ---------------------------------------------------------------------------------------------------------------
def _assistance_policy(ctx, req: dict):
    policy = require_policy(ctx, req["policy_id"])
    if getattr(policy, "assistance", None) is None:
        raise DomainError(f"《{policy.short_name}》没有专家技术服务与帮扶的规定")
    return policy


def assistance_of(ctx: AppContext, request_id: int) -> list[dict]:
    return _repo(ctx, ASSISTANCE).find("request_id", request_id)  # by id


def record_assistance(ctx: AppContext, actor: User, request_id: int, data: dict) -> int:
    """帮扶记录：被帮扶企业、问题隐患及整改建议、书面移交日期（第十八条）。data 带 "assistance_id" 时补全/更正
    该条（如先报告了停产撤人的那一条）。返回记录 id。"""
    _require_record(actor)
    req = _request(ctx, request_id)
    policy = _assistance_policy(ctx, req)
    if req.get("status") not in ("已委派", DONE):
        raise DomainError(f"只有已委派的任务才能登记帮扶情况（当前为“{req.get('status')}”）")
    checked = check_assistance(data, ctx.today())
    target = data.get("assistance_id")
    if target is not None:
        existing = _repo(ctx, ASSISTANCE).get(int(target))
        if existing is None or existing.get("request_id") != request_id:
            raise NotFoundError(f"帮扶记录 {target} 不存在")
        _repo(ctx, ASSISTANCE).update(existing["id"], checked, actor=actor.username, action="更正帮扶记录")
        return existing["id"]
    return _repo(ctx, ASSISTANCE).insert(
        {"request_id": request_id, "policy_id": policy.id, "urgent": False, "urgent_report": None,
         "acknowledged": None, "recorded_by": actor.username, **checked},
        actor=actor.username, action="登记帮扶问题隐患及建议")


def report_urgent(ctx: AppContext, actor: User, request_id: int, content: str, *, assistance_id: int | None = None,
                  enterprise: str = "") -> int:
    """第十六条：专家已责令企业停止作业并撤出人员，向市安委办报告 —— 记为一条标记的报告（urgent），首页提醒办公室。
    给出 assistance_id 时记在该帮扶记录上，否则新建一条（企业默认为任务的第一个被检查企业）。返回记录 id。"""
    req = _request(ctx, request_id)
    if not (can(actor.role, "record_service") or (can(actor.role, "evaluate_service")
                                                  and same_department(actor.department, req.get("department")))):
        raise PermissionDenied("只有专家管理办公室或本任务的使用科室可以登记停产撤人报告")
    policy = _assistance_policy(ctx, req)
    if not policy.assistance.stop_work_report:
        raise DomainError(f"《{policy.short_name}》没有停产撤人报告的规定")
    text = check_urgent_report(content)
    report = {"reported_on": ctx.today().isoformat(), "content": text, "reported_by": actor.username}
    if assistance_id is not None:
        existing = _repo(ctx, ASSISTANCE).get(assistance_id)
        if existing is None or existing.get("request_id") != request_id:
            raise NotFoundError(f"帮扶记录 {assistance_id} 不存在")
        _repo(ctx, ASSISTANCE).update(assistance_id, {"urgent": True, "urgent_report": report, "acknowledged": None},
                                      actor=actor.username, action="停产撤人报告")
        return assistance_id
    name = (enterprise or "").strip() or next(iter(req.get("target_enterprises") or []), "")
    return _repo(ctx, ASSISTANCE).insert(
        {"request_id": request_id, "policy_id": policy.id, "enterprise": name, "items": [], "handed_over_on": None,
         "urgent": True, "urgent_report": report, "acknowledged": None, "recorded_by": actor.username},
        actor=actor.username, action="停产撤人报告")


def acknowledge_urgent(ctx: AppContext, actor: User, assistance_id: int, action: str) -> dict:
    """第十七条：办公室接报后采取的措施。"""
    _require_record(actor)
    record = _repo(ctx, ASSISTANCE).get(assistance_id)
    if record is None or not record.get("urgent"):
        raise NotFoundError(f"停产撤人报告 {assistance_id} 不存在")
    if record.get("acknowledged"):
        raise DomainError("该报告已登记处理措施")
    text = check_acknowledgement(action)
    return _repo(ctx, ASSISTANCE).update(
        assistance_id, {"acknowledged": {"by": actor.username, "on": ctx.today().isoformat(), "action": text}},
        actor=actor.username, action="登记重大风险隐患处理措施")


def urgent_reports(ctx: AppContext, open_only: bool = True, user: User | None = None) -> list[dict]:
    """停产撤人报告（当前策略），每条带任务的 matter/department；open_only 只列尚未登记处理的。最新的在前。"""
    pid = active_policy(ctx).id
    found = [x for x in _repo(ctx, ASSISTANCE).find("urgent", True)  # only the urgent reports (issue 17)
             if x.get("policy_id") == pid and x.get("urgent") and (not open_only or not x.get("acknowledged"))]
    out = []
    for x in sorted(found, key=lambda x: -x["id"]):
        req = _repo(ctx, REQUESTS).get(x["request_id"]) or {}
        if user is not None and not _may_see(user, req):
            continue
        out.append(dict(x, matter=req.get("matter", ""), department=req.get("department", "")))
    return out


# ---------------------------------------------------------------------------------------------------------------
# 表单
# ---------------------------------------------------------------------------------------------------------------
def _render(policy, form_id: str, context: dict, *parts: str) -> tuple[str, bytes]:
    import forms
    from services.forms_service import _filename, _spec

    spec = _spec(policy, form_id)
    return _filename(spec, *parts), forms.render(spec.template, context)


def _people_for_form(ctx, request_id: int) -> list[dict]:
    return [{"id": p["expert_id"], "name": p["name"] + ("（库外专家）" if p["external"] else ""),
             "days_worked": p["days_worked"]} for p in participants(ctx, request_id)]


def jc_fj8_form(ctx: AppContext, request_id: int) -> tuple[str, bytes]:
    """JC 附件8 of a task: filled from its evaluation, or blank boxes for handwriting before one is saved."""
    req = _request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    context = jc_fj8_context(req, evaluation_of(ctx, request_id), _people_for_form(ctx, request_id), policy,
                             printed_on=ctx.today())
    return _render(policy, "jc_fj8", context, str(req.get("department") or ""), str(request_id))


def dispatch_slip_with_ratings(ctx: AppContext, request_id: int) -> tuple[str, bytes]:
    """YQ 附表五 with the ratings of the task's evaluation ticked."""
    from services import forms_service

    req = _request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    people = participants(ctx, request_id)
    experts = [dict(_repo(ctx, EXPERTS).get(p["expert_id"]) or {"id": p["expert_id"], "name": p["name"]})
               for p in people]
    ev = evaluation_of(ctx, request_id)
    ratings = {r["expert_id"]: r["overall"] for r in (ev or {}).get("ratings") or []}
    number = f"{str(req.get('filed_on') or '')[:4]}-{request_id:04d}"
    return forms_service.dispatch_slip_form(req, experts, policy, number=number, ratings=ratings)


def work_card_form(ctx: AppContext, assignment_id: int) -> tuple[str, bytes]:
    """YQ 附表六 of one expert on one task (blank 工作情况 until the card is returned)."""
    a = _repo(ctx, ASSIGNMENTS).get(assignment_id)
    if a is None:
        raise NotFoundError(f"委派记录 {assignment_id} 不存在")
    req = _request(ctx, a["request_id"])
    policy = require_policy(ctx, req["policy_id"])
    expert = _repo(ctx, EXPERTS).get(a["expert_id"]) or {"name": f"专家{a['expert_id']}"}
    card = next(iter(_repo(ctx, WORK_RECORDS).find("assignment_id", assignment_id)), None)
    try:
        specialty = policy.taxonomy.specialty_label(a.get("specialty", ""))
    except Exception:  # a code of another profile: print it as it is
        specialty = a.get("specialty", "")
    context = yq_fb6_context(req, expert, card, policy, specialty=specialty)
    return _render(policy, "yq_fb6", context, context["name"], str(a["request_id"]))


def assistance_form(ctx: AppContext, assistance_id: int) -> tuple[str, bytes]:
    """帮扶问题隐患及建议移交书 of one assistance record."""
    record = _repo(ctx, ASSISTANCE).get(assistance_id)
    if record is None:
        raise NotFoundError(f"帮扶记录 {assistance_id} 不存在")
    req = _request(ctx, record["request_id"])
    policy = require_policy(ctx, req["policy_id"])
    names = [p["name"] for p in participants(ctx, record["request_id"])]
    context = assistance_letter_context(req, record, names, policy, printed_on=ctx.today())
    return _render(policy, policy.assistance.letter_form_id, context, context["enterprise"], str(assistance_id))


def forms_for_task(ctx: AppContext, request_id: int) -> list[tuple[str, str, object]]:
    """The evaluation-stage Word forms of a task as (title, file name, zero-argument builder returning bytes), like
    services.dispatch.forms_for: JC 附件8; YQ 附表五 with ratings, 附表六 per expert, one 移交书 per assistance record."""
    req = _request(ctx, request_id)
    policy = require_policy(ctx, req["policy_id"])
    out: list[tuple[str, str, object]] = []
    if policy.evaluations.form_id == "jc_fj8":
        out.append(("服务质量登记表（附件8）", f"附件8_服务质量登记表_{request_id}.docx",
                    lambda: jc_fj8_form(ctx, request_id)[1]))
    elif getattr(policy.drawing, "dispatch_form_id", None):
        out.append(("使用委派单（附表五，含评价）", f"附表五_使用委派单_评价_{request_id}.docx",
                    lambda: dispatch_slip_with_ratings(ctx, request_id)[1]))
    if policy.evaluations.work_record_form_id:
        for p in (p for p in participants(ctx, request_id) if not p["external"]):
            out.append((f"工作记录卡（附表六）·{p['name']}", f"附表六_工作记录卡_{p['name']}_{request_id}.docx",
                        lambda aid=p["assignment_id"]: work_card_form(ctx, aid)[1]))
    if getattr(policy, "assistance", None) is not None:
        for x in assistance_of(ctx, request_id):
            if x.get("items"):
                out.append((f"帮扶问题移交书·{x['enterprise']}", f"帮扶问题移交书_{x['enterprise']}_{x['id']}.docx",
                            lambda xid=x["id"]: assistance_form(ctx, xid)[1]))
    return out


def _sample_people(policy) -> list[dict]:
    from services.forms_service import sample_dispatched_experts

    return [{"id": e["id"], "name": e["name"], "days_worked": 3} for e in sample_dispatched_experts(policy)]


def sample_form_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict] | None:
    """(context, images) of the forms this module fills, for the template report (X-W2); None for other forms."""
    from services.forms_service import sample_request

    if form_id not in ("jc_fj8", "yq_fb6", "yq_assistance"):
        return None
    req = dict(sample_request(policy), status=DONE, work_summary="检查企业重大危险源管理和特殊作业票证。")
    people = _sample_people(policy)
    if form_id == "jc_fj8":
        if not policy.evaluations.indicators:
            return None
        ratings = [{"expert_id": p["id"], "name": p["name"], "overall": "优" if i == 0 else "良",
                    "indicators": {str(ind.number): ind.options[0] for ind in policy.evaluations.indicators},
                    "reason": "发现重大隐患并提出可行的整改方案" if i == 0 else ""} for i, p in enumerate(people)]
        for r in ratings:
            r["indicators"][str(policy.evaluations.overall_indicator)] = r["overall"]
        evaluation = {"ratings": ratings, "meaningful_items": ["发现储罐区安全阀未定期校验并提出整改方案"],
                      "work_record": req["work_summary"], "late": False}
        return jc_fj8_context(req, evaluation, people, policy, printed_on=today), {}
    if form_id == "yq_fb6":
        card = {"matter": req["matter"], "situation": "检查企业3家，发现一般隐患5处，已当场反馈。",
                "returned_on": req["end"]}
        specialty = policy.taxonomy.specialty_label(policy.taxonomy.all_specialty_codes()[0])
        return yq_fb6_context(req, {"name": people[0]["name"]}, card, policy, specialty=specialty), {}
    if getattr(policy, "assistance", None) is None:
        return None
    record = {"enterprise": f"{policy.city}恒达化工有限公司", "handed_over_on": req["end"], "urgent": True,
              "urgent_report": {"reported_on": req["end"], "content": "储罐区可燃气体浓度超标，已责令停止作业、撤出人员。"},
              "items": [{"problem": "储罐区安全阀未定期校验", "suggestion": "立即停用并委托有资质单位校验"}]}
    return assistance_letter_context(req, record, [p["name"] for p in people], policy, printed_on=today), {}
