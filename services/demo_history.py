"""演示业务记录 — a year of invented expert use on the demo pool, made by the real services.

With only a demo pool the dispatch, evaluation, fee, budget and assessment screens (and the policy what-if over
history) would show nothing. `load_demo_history` walks through about a year before today with a moving clock
and, for each invented task, calls the same services a user would: file the request (使用申请), approve it at the
level the profile requires, draw (随机抽取), record the experts' answers (some decline, a few without a good
reason), finish the task with the days worked, evaluate it (JC 附件8 / YQ 附表五), and pay the older ones; JC
departments get budgets first (第十八条 先预算后支出), and the office holds training sessions. Every record is
therefore consistent with the rules (draw records replay, fees come from the rates, consequences of declines and
low ratings raise the same proposals they would in real use). Tasks of the last few days are left open so the
overdue list and the 待评价 queue have something in them: the office looks well run (issue 12) — one task finished
and not yet evaluated (YQ: and one of its 附表六 cards still out), every other card back with its evaluation — and
last year's assessment is recorded for every expert due but one (record_demo_assessments), so 首页 and 年度考核
show one or two overdue items, not dozens. `load_demo_with_progress` is what the 加载演示数据 button calls: the same
load, each step reported to a progress bar. All randomness comes from one `random.Random(seed)`;
requests are marked `is_demo`. `removal_plan` lists everything that would go with the demo pool (and any real
record that uses a demo expert, which blocks it); `remove_demo` deletes exactly that plan once an admin confirmed it.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from core import vocab
from core.auth import can
from core.demo_removal import KIND_LABELS, RemovalPlan, blocking_message, plan_removal  # noqa: F401 (KIND_LABELS for pages)
from core.errors import DomainError, PermissionDenied, ValidationError
from services.context import AppContext, User
from services.settings import active_policy

DEMO_HISTORY_SEED = 20260605
DEMO_TASKS = 36             # about three a month over the year before today
HISTORY_DAYS = 330
DEMO_BUDGET = 60000         # 元 per department and year (JC 第十八条), far above a year of demo tasks
DEPARTMENTS = {
    "晋城市": ("市应急管理局危险化学品安全监督管理科", "市应急管理局非煤矿山安全监督管理科",
             "市应急管理局工贸安全监督管理科", "市应急管理局火灾防治管理科", "市应急管理局防汛抗旱科"),
    "阳泉市": ("市应急管理局危险化学品安全监督管理科", "市应急管理局煤矿安全监管科",
             "市应急管理局工贸安全监督管理科", "市应急管理局应急指挥中心"),
}
ENTERPRISES = ("恒达化工有限公司", "宏远煤业有限公司", "华泰建材有限公司", "鑫源冶炼有限公司", "金鼎化工有限公司",
               "兴旺物流有限公司", "汇通燃气有限公司", "瑞丰钢铁有限公司", "天成新材料有限公司", "博远矿业有限公司")
DEMO_MARK = "〔演示〕"      # every demo task's matter starts with it, so each list that shows a task shows it is demo
MATTERS = ("对{e}开展安全生产专项检查", "{e}事故隐患排查治理技术服务", "{e}安全设施设计审查",
           "{e}生产安全事故应急预案评审", "{e}建设项目竣工验收现场核查")
DECLINES = (("本人住院治疗", True), ("已有其他任务安排，时间冲突", True), ("个人原因", False), ("外出参加学习培训", True))
JC_ITEMS = ("企业重大危险源辨识与分级管控", "现场作业票证管理", "应急预案与现场处置方案衔接")
MARKED_COLLECTIONS = ("budgets", "trainings")
SELF_ITEMS = ("参加企业安全生产专项检查，提出的隐患整改意见均被采纳", "参与生产安全事故应急预案评审并形成书面意见",
              "为企业开展安全生产法规标准宣讲", "参加建设项目安全设施竣工验收现场核查", "协助开展较大以上事故隐患排查治理")


def _at(ctx: AppContext, day: date, hour: int = 9) -> AppContext:
    """The same store and profiles with the clock set to `day` (the services date what they write by it)."""
    moment = datetime.combine(day, time(hour, 0))
    return replace(ctx, clock=lambda: moment)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _by_specialty(pool: list[dict], on: date) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for e in pool:
        if e.get("state") == "在库" and (e.get("term_start") or "9999") <= on.isoformat():
            for code in e.get("specialties") or ():
                found.setdefault(code, []).append(e)
    return found


def _jc_rating(policy: Any, expert_id: int, overall: str) -> dict:
    indicators = {}
    for ind in policy.evaluations.indicators:
        indicators[str(ind.number)] = overall if ind.number == policy.evaluations.overall_indicator else ind.options[0]
    reason = "现场排查细致，提出的整改意见针对性强，被企业全部采纳" if overall in policy.evaluations.reason_required_for else ""
    return {"expert_id": expert_id, "overall": overall, "indicators": indicators, "reason": reason}


def _evaluation(policy: Any, people: list[dict], rng: random.Random, low_expert: int | None) -> dict:
    ev = policy.evaluations
    if ev.indicators:  # JC 附件8
        overalls = [rng.choice(("优", "良", "良", "良")) for _ in people]
        uniform = ev.uniform_rule
        if uniform and len(people) >= uniform.min_experts and all(o == uniform.rating for o in overalls):
            overalls[0] = ev.ratings[0]
        return {"ratings": [_jc_rating(policy, p["expert_id"], o) for p, o in zip(people, overalls)],
                "meaningful_items": list(rng.sample(JC_ITEMS, rng.randint(1, 3)))}
    ratings = []
    for p in people:  # YQ 附表五
        rating = "一般" if p["expert_id"] == low_expert else rng.choice(("优秀", "良好", "良好"))
        reason = "到位较晚，检查记录不完整" if rating in ev.reason_required_for else ""
        ratings.append({"expert_id": p["expert_id"], "overall": rating, "reason": reason})
    return {"ratings": ratings}


STOP = "stop"  # DemoRun.task: the task would end on or after yesterday, so the history is complete


class DemoRun:
    """The per-task path of the demo history, shared with benchmarks/bench_history.py: one invented task filed,
    approved, drawn, answered, finished, evaluated and paid through the services, with the clock set to each step's
    day. `pool` is read once (the demo experts of the profile); the specialties usable on a day are computed from it
    once per day, so a task costs what the services cost, not a scan of the pool per step."""

    def __init__(self, ctx: AppContext, office: User, leader: User, policy: Any, pool: list[dict],
                 departments: tuple[str, ...], rng: random.Random, today: date):
        self.ctx, self.office, self.leader, self.policy = ctx, office, leader, policy
        self.pool, self.departments, self.rng, self.today = pool, departments, rng, today
        self.low_expert: int | None = None
        self._groups: tuple[date, dict[str, list[dict]]] | None = None

    def _codes(self, on: date) -> list[str]:
        if self._groups is None or self._groups[0] != on:
            self._groups = (on, _by_specialty(self.pool, on))
        return sorted(c for c, people in self._groups[1].items() if len(people) >= 4)

    def task(self, filed: date, *, keep_open: bool = False, leave_unevaluated: bool = False,
             may_rate_low: bool = True) -> dict[str, int] | str | None:
        """One task filed on `filed` (its dates follow from the seeded generator). Returns the counts it added
        ({"requests", "evaluated", "paid"}), None when the rules refused it (it is simply not part of the demo), or
        STOP when it would end on or after yesterday. `keep_open` leaves it 已委派 (待登记完成), `leave_unevaluated`
        finishes it without an evaluation (overdue on the home page)."""
        from services import dispatch, evaluations, fees

        ctx, policy, rng, office, today = self.ctx, self.policy, self.rng, self.office, self.today
        start = _weekday_on_or_after(filed + timedelta(days=rng.randint(4, 7)))
        end = start + timedelta(days=rng.choice((0, 0, 1, 2)))
        if end >= today - timedelta(days=1):
            return STOP
        codes = self._codes(start)
        if not codes:
            return None
        needs = [{"specialty": c, "count": rng.choice((1, 2))} for c in rng.sample(codes, min(len(codes), rng.choice((1, 1, 2))))]
        enterprise = f"{policy.city}{rng.choice(ENTERPRISES)}"
        task_types = policy.drawing.usage_categories or policy.drawing.task_types
        data = {"department": rng.choice(self.departments), "contact": "演示经办人", "contact_phone": "13900000000",
                "matter": DEMO_MARK + rng.choice(MATTERS).format(e=enterprise), "task_type": rng.choice(task_types),
                "target_enterprises": [enterprise], "place": f"{policy.city}", "outside_city": rng.random() < 0.1,
                "start": start.isoformat(), "end": end.isoformat(), "needs": needs, "min_title_level": None,
                "mode": "抽取", "direct_reason": None, "emergency": False, "is_demo": True}
        made = {"requests": 0, "evaluated": 0, "paid": 0}
        try:
            request_id, _ = dispatch.file_request(_at(ctx, filed), office, data)
            approver = self.leader if dispatch.request(ctx, request_id)["required_level"] != "专家管理办公室" else office
            day = filed + timedelta(days=1)
            dispatch.approve(_at(ctx, day), approver, request_id, "同意。")
            dispatch.draw(_at(ctx, day, 10), office, request_id)
            for _round in range(6):  # answer every open invitation; a decline invites the next in order
                open_ = [a for a in dispatch.assignments_of(ctx, request_id) if a["status"] == "邀请中"]
                if not open_:
                    break
                for a in open_:
                    if rng.random() < 0.12:
                        reason, justified = rng.choice(DECLINES)
                        dispatch.answer(_at(ctx, day, 11), office, a["id"], accepted=False, channel="电话",
                                        reason=reason, justified=justified)
                    else:
                        dispatch.answer(_at(ctx, day, 11), office, a["id"], accepted=True, channel="电话")
        except DomainError:
            return None  # a request the rules refuse (e.g. not enough experts left) is simply not part of the demo
        made["requests"] += 1
        assignments = dispatch.assignments_of(ctx, request_id)
        accepted = [a for a in assignments if a["status"] == "已接受"]
        if not accepted or keep_open or dispatch.request(ctx, request_id)["status"] != "已委派":
            return made  # the newest task stays open: 待登记完成 on the 服务评价 page
        span = (end - start).days + 1
        done_day = end + timedelta(days=1)
        evaluations.complete_task(_at(ctx, done_day), office, request_id, days={a["id"]: span for a in accepted},
                                  work_summary=f"按计划完成{data['matter'][len(DEMO_MARK):]}，形成书面检查意见")
        if self.low_expert is None and not policy.evaluations.indicators and may_rate_low:
            self.low_expert = accepted[0]["expert_id"]
        people = [{"expert_id": a["expert_id"]} for a in accepted]
        late = rng.random() < 0.1
        when = end + timedelta(days=9 if late else 2)
        if policy.evaluations.work_record_form_id:  # YQ 附表六: each expert's card comes back with the evaluation
            # the task left unevaluated still waits for its first expert's card (one more overdue line, issue 12)
            for a in accepted[1:] if leave_unevaluated else accepted:
                evaluations.record_work_card(_at(ctx, when), office, a["id"], {
                    "matter": data["matter"][len(DEMO_MARK):], "situation": "按委派要求完成，已提交书面意见",
                    "returned_on": when.isoformat()})
        if leave_unevaluated:
            return made  # finished, never evaluated: it shows on the home page's overdue list with its deadline
        evaluations.evaluate(_at(ctx, when), office, request_id, _evaluation(policy, people, rng, self.low_expert))
        made["evaluated"] += 1
        if end < today - timedelta(days=45):
            try:
                fees.mark_paid(_at(ctx, end + timedelta(days=30)), office, request_id, f"演示凭证{request_id:04d}")
                made["paid"] += 1
            except DomainError:
                pass  # YQ rates are set locally and empty: nothing to pay yet
        return made


Progress = Callable[[float, str], None]  # (share done 0–1, what is being made, in Chinese)


def _assessment_years(policy: Any, today: date) -> list[int]:
    """The yearly assessments a well-run office has finished by `today`: of the page's year and the one before,
    those whose deadline has passed, held under this profile (no assessment before the rules began)."""
    from core.assessment import assessment_year, due

    shown = assessment_year(policy, today)
    return [y for y in (shown - 1, shown) if policy.effective_date <= due(policy, y).deadline < today]


def _assessment_data(options: dict, prefill: dict, rng: random.Random, *, observe: bool) -> dict:
    """One expert's assessment as the office would enter it: items rated in the top two grades, the conclusion to
    keep using them (or, for `observe`, the next one that proposes no dismissal), JC 专家自评 with 1–3 achievements
    and a self-rating of each service of the period."""
    top = options["item_ratings"][:2]
    keep = [k for k in options["conclusions"] if k not in options["dismissal_keys"]]
    data = {"item_ratings": {item: rng.choice(top) for item in options["items"]},
            "conclusion": keep[1] if observe and len(keep) > 1 else keep[0],
            "note": "演示数据：本年度服务次数偏少，继续观察" if observe and len(keep) > 1 else ""}
    if options["self_evaluation"]:
        tasks = prefill["services"].get("tasks") or ()
        scale = options["service_self_ratings"][:2] or ["良"]
        data["self_evaluation"] = {
            "items": rng.sample(SELF_ITEMS, rng.randint(1, min(3, options["self_items_max"] or 3))),
            "comment": "演示数据：按要求参加委派和培训，能够客观公正地提出意见",
            "service_ratings": {str(t.get("assignment_id")): rng.choice(scale) for t in tasks}}
    return data


def record_demo_assessments(ctx: AppContext, office: User, rng: random.Random,
                            progress: Progress | None = None) -> dict[str, int]:
    """Last year's assessment done (issue 12): every expert due in each finished assessment year is assessed, on a
    working day inside the assessment window, except one expert of the latest year left for the 未考核 list.

    Each record is what services.assessments.save stores for the same entry — who is due (core who_is_due), the
    year's services (core year_summary), the entry checked by core check_assessment, the same fields — but a year's
    records go in as one write (one fsync, an audit line per record) instead of one write per expert: save() re-reads
    the pool and the history for every expert (about 30 ms each, 7 s for 晋城's 226). The conclusions never propose
    dismissal, so save()'s proposal step has nothing to do. tests/unit/test_issue12_demo_office.py re-saves a demo
    record through assessments.save and checks it comes out the same. Returns {"assessed", "left"}."""
    from core.assessment import check_assessment, due, who_is_due, year_summary
    from services import assessments

    policy = active_policy(ctx)
    years = _assessment_years(policy, ctx.today())
    made = {"assessed": 0, "left": 0}
    options = assessments.options(ctx)
    store = ctx.store
    pool = [e for e in store.collection("experts").all() if e.get("policy_id") == policy.id]
    history = {name: store.collection(name).all()
               for name in ("requests", "evaluations", "trainings", "assistance")}
    assignments = [a for a in store.collection("assignments").all() if a.get("policy_id") in (None, policy.id)]
    done = {(d.get("expert_id"), d.get("year")) for d in store.collection("assessments").all()
            if d.get("policy_id") == policy.id}
    for n, year in enumerate(years):
        period = due(policy, year)
        day = _weekday_on_or_after(max(period.opens, period.deadline - timedelta(days=4)))
        waiting = [e for e in who_is_due(pool, year, policy, assignments=assignments) if (e["id"], year) not in done]
        if n == len(years) - 1 and len(waiting) > 3:
            waiting = waiting[:-1]  # one left unassessed, so the list has someone past the deadline to show
            made["left"] += 1
        observe = set(rng.sample(range(len(waiting)), min(2, len(waiting))))
        docs = []
        for k, expert in enumerate(waiting):
            services = year_summary(expert, year, history["requests"], assignments, history["evaluations"],
                                    history["trainings"], policy, assistance=history["assistance"])
            data = _assessment_data(options, {"services": services}, rng, observe=k in observe)
            clean = check_assessment(dict(data, services=services), policy)
            docs.append({"policy_id": policy.id, "year": year, "expert_id": expert["id"],
                         "name": expert.get("name", ""), "services": services, **clean,
                         "assessed_on": day.isoformat(), "assessed_by": office.username,
                         "assessor": policy.assessment.assessor})
            if progress and k % 40 == 0:
                progress(k / max(1, len(waiting)), f"正在录入{year}年度{policy.assessment.name}（{k}/{len(waiting)}）…")
        if docs:
            store.collection("assessments").insert_many(docs, actor=office.username, action=policy.assessment.name)
        made["assessed"] += len(docs)
    return made


def load_demo_with_progress(ctx: AppContext, actor: User, progress: Progress | None = None) -> int:
    """加载演示数据 with its steps reported (issue 12: the page shows a progress bar, not a bare spinner): the
    pool (services.experts.load_demo without history, same checks), then the year of use and the assessments.
    Returns the number of demo experts."""
    from services import experts

    say = progress or (lambda share, text: None)
    say(0.0, "正在生成演示专家…")
    count = experts.load_demo(ctx, actor, history=False)
    say(0.15, f"已生成 {count} 名演示专家，正在生成近一年的使用、评价和报酬记录…")
    load_demo_history(ctx, actor, progress=lambda share, text: say(0.15 + 0.85 * share, text))
    say(1.0, "演示数据已加载")
    return count


def load_demo_history(ctx: AppContext, actor: User, *, seed: int = DEMO_HISTORY_SEED,
                      tasks: int = DEMO_TASKS, progress: Progress | None = None) -> dict[str, int]:
    """A year of invented use of the demo pool, made through the services (see the module text), then the
    finished yearly assessments (record_demo_assessments). Returns counts of what was made. Call right after the
    demo pool is loaded; `progress(share, text)` is told each step."""
    from services import fees, training

    say = progress or (lambda share, text: None)

    policy = active_policy(ctx)
    today = ctx.today()
    rng = random.Random(seed)
    office = User(f"demo:{actor.username}", "演示数据（办公室）", vocab.ROLE_OFFICE)
    leader = User(f"demo:{actor.username}", "演示数据（领导）", vocab.ROLE_LEADER)
    pool = [e for e in ctx.store.collection("experts").all() if e.get("is_demo") and e.get("policy_id") == policy.id]
    departments = DEPARTMENTS.get(policy.city, DEPARTMENTS["晋城市"])
    first = max(today - timedelta(days=HISTORY_DAYS), policy.effective_date)  # no task before the rules began
    span_days = (today - first).days
    made = {"requests": 0, "evaluated": 0, "paid": 0, "trainings": 0, "budgets": 0}
    marks: dict[str, list[int]] = {name: [] for name in MARKED_COLLECTIONS}

    if policy.fees.budget_required:
        for year in sorted({first.year, today.year}):
            for dept in departments:
                saved = fees.set_budget(_at(ctx, date(year, 1, 5) if year > first.year else first), office, dept,
                                        year, DEMO_BUDGET, "演示数据：年度专家劳务报酬预算")
                marks["budgets"].append(saved["id"])
    for k in range(2 if policy.training.sessions_per_year is None else policy.training.sessions_per_year):
        held = _weekday_on_or_after(first + timedelta(days=span_days * (k + 1) // 3))
        present = [e["id"] for e in pool if e.get("state") == "在库" and rng.random() < 0.8]
        training_id = training.record_session(_at(ctx, held), office, {
            "title": f"{held.year}年度专家专题培训（新法规标准宣贯、廉政纪律）", "held_on": held.isoformat(),
            "hours": 4, "organizer": policy.training.organizer, "content": "宣贯新修订的安全生产法规标准，交流专家服务心得",
            "attendees": present})
        marks["trainings"].append(training_id)
    # one YQ expert is rated 一般 twice in the year, so the reminder talk and the removal proposal show up
    run = DemoRun(ctx, office, leader, policy, pool, departments, rng, today)
    for n in range(tasks):
        say(0.75 * n / tasks, f"正在生成第 {n + 1}/{tasks} 项演示任务（申请、审批、抽取、评价、报酬）…")
        filed = _weekday_on_or_after(first + timedelta(days=int(n * (span_days - 12) / tasks) + rng.randint(0, 3)))
        outcome = run.task(filed, keep_open=n == tasks - 1, leave_unevaluated=n == tasks - 2,
                           may_rate_low=n >= tasks // 3)
        if outcome == STOP:
            break
        for key in ("requests", "evaluated", "paid"):
            made[key] += outcome.get(key, 0) if isinstance(outcome, dict) else 0
    say(0.75, f"正在录入{policy.assessment.name}…")
    made.update(record_demo_assessments(ctx, office, rng, lambda share, text: say(0.75 + 0.2 * share, text)))
    say(0.95, "正在标记演示数据…")
    for name, ids in marks.items():
        repo = ctx.store.collection(name)
        for record_id in ids:
            repo.update(record_id, {"is_demo": True}, actor=office.username, action="标记演示数据")
    made["budgets"], made["trainings"] = len(marks["budgets"]), len(marks["trainings"])
    return made


# --- 删除全部演示数据 -----------------------------------------------------------------------------------------
REMOVE_ACTION = "删除演示数据"
# never needed by the plan: users holds password hashes, sessions token hashes; pool snapshots and their pieces are
# content-addressed replay inputs shared by draws (kept, never linked to an expert by id), and reading them made the
# plan grow with every pool change
NOT_READ = ("users", "settings", "policy_variants", "sessions", "pool_snapshots", "pool_pieces")


def _require_remove(actor: User) -> None:
    if not can(actor.role, "remove_demo"):
        raise PermissionDenied("只有管理员可以删除演示数据")


def _snapshot(ctx: AppContext) -> dict[str, list[dict]]:
    return {name: ctx.store.collection(name).all() for name in ctx.store.collections() if name not in NOT_READ}


def removal_plan(ctx: AppContext, actor: User) -> RemovalPlan:
    """删除演示数据前的清单: which records in which collections would go, and which real records block it
    (core.demo_removal). Reads only; the page shows it and asks for an explicit confirmation."""
    _require_remove(actor)
    return plan_removal(_snapshot(ctx))


def remove_demo(ctx: AppContext, actor: User, *, confirmed: bool, fingerprint: str | None) -> dict[str, int]:
    """Delete everything the removal plan lists, after the admin confirmed that very plan: refused without
    `confirmed`, refused (listing them) while real records use demo experts, refused when the plan computed now
    differs from the one confirmed (`fingerprint`). On disk a backup is taken first. Deletes children before the
    requests and the requests before the experts, so an interrupted removal never leaves a record pointing at a
    deleted one, and running it again finishes the job. Every deletion is audited, and one more line records the
    confirmed plan. Returns the number deleted per collection."""
    _require_remove(actor)
    if not confirmed:
        raise ValidationError(("confirm", "请先核对将删除的记录，并勾选“我已了解将删除以上记录”后再删除"))
    plan = plan_removal(_snapshot(ctx))
    if not plan.ok:
        raise ValidationError(("demo", blocking_message(plan)))
    if not fingerprint or fingerprint != plan.fingerprint:
        raise ValidationError(("demo", "数据在您核对删除清单之后已有变化（有人新增、修改或删除了记录），未删除任何记录。"
                                       "请重新核对最新的删除清单后再确认。"))
    if plan.total == 0:
        return {}
    backup = None
    if not ctx.store.in_memory:
        backup = ctx.store.backups.create("删除演示数据前自动备份", actor=actor.username).name
    removed: dict[str, int] = {}
    for name, ids in plan.removals.items():
        wanted = frozenset(ids)
        removed[name] = ctx.store.collection(name).delete_where(lambda d: d.get("id") in wanted,
                                                                actor=actor.username, action=REMOVE_ACTION)
    ctx.store.audit.record(actor.username, "删除演示数据（已确认清单）",
                           after={"fingerprint": plan.fingerprint, "removed": removed, "backup": backup})
    return removed
