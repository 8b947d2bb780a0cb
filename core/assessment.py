"""年度考核 — the yearly assessment of experts: JC 履职考核 (第十条(三), 附件6, JC-Y1) and YQ 年度考评 (第九条(二),
第二十三条(一)2、(二), YQ-Y1).

Pure rules over plain records. `due(policy, year)` says when the assessment of `year` is held and which service
period it covers: the twelve months before the assessment month (JC 每年6月份: 1 June of the year before – 31 May;
YQ 每年7月前完成: 1 July of the year before – 30 June), so every dispatch falls in exactly one assessment.
`who_is_due` lists who is assessed (JC: every expert of the pool, 专家库中行业领域专家; YQ: the experts dispatched in
the period, 对当年度委派过的专家). `year_summary` pre-fills the year's services from the dispatch, evaluation and
training records (接受/拒绝委派, 正当理由与否, 服务天数, each task with its rating, 参加培训) and, for YQ, the
problems and suggestions handed to enterprises on the expert's tasks (帮扶, 第十八条 → 发现问题及提出整改措施). `check_assessment`
validates what the assessor (and, in JC, the expert) entered against the profile's [assessment] section and
raises ONE ValidationError naming every problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from core.errors import ValidationError
from core.forms_context import as_date as _day
from core.forms_context import cn_date as _cn

ACCEPTED = ("已接受", "已完成")
DECLINED = "已拒绝"
POOL_STATES = ("在库", "暂停")  # in the pool (a suspended expert is still assessed: the case may be withdrawn)
NOTE_MAX = 500
SELF_ITEM_MAX = 300


@dataclass(frozen=True)
class AssessmentPeriod:
    """When the assessment of `year` is held and which services it covers."""
    year: int
    start: date          # first day of the service period
    end: date            # last day of the service period
    opens: date          # first day the assessment may be held (JC: 1 June; YQ: the day after the period)
    deadline: date       # last day (JC: 30 June; YQ: 30 June, 第九条(二) 7月前)
    rule: str            # the rule in words, with its article

    def covers(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def period_text(self) -> str:
        return f"{_cn(self.start)}至{_cn(self.end)}"


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _month_end(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def due(policy: Any, year: int) -> AssessmentPeriod:
    """The assessment of `year`: JC in June (month = 6), YQ before July (before_month = 7)."""
    a = policy.assessment
    if a.month is not None:
        month = a.month
        start = _month_start(year - 1, month)
        end = _month_start(year, month) - timedelta(days=1)
        rule = f"每年{month}月组织{a.name}（{a.source.split('；')[0]}），考核{_cn(start)}至{_cn(end)}的履职情况"
        return AssessmentPeriod(year, start, end, _month_start(year, month), _month_end(year, month), rule)
    month = a.before_month
    start = _month_start(year - 1, month)
    end = _month_start(year, month) - timedelta(days=1)
    rule = (f"应当在每年{month}月前完成{a.name}（{a.source.split('；')[0]}），"
            f"考评{_cn(start)}至{_cn(end)}委派过的专家")
    return AssessmentPeriod(year, start, end, _month_start(year, 1), end, rule)


def assessment_year(policy: Any, today: date) -> int:
    """The assessment year a page opens on: JC, this year's once June has come, else last year's; YQ, this year's
    (held any time before July)."""
    a = policy.assessment
    if a.month is not None:
        return today.year if today.month >= a.month else today.year - 1
    return today.year


def _in_period_dispatches(expert_id: Any, assignments: Iterable[dict], period: AssessmentPeriod) -> list[dict]:
    return [a for a in assignments if str(a.get("expert_id")) == str(expert_id) and a.get("status") in ACCEPTED
            and period.covers(_day(a.get("start")))]


def who_is_due(pool: Iterable[dict], year: int, policy: Any, *, assignments: Iterable[dict] = ()) -> list[dict]:
    """Who is assessed for `year`. JC (self_evaluation, 第十条(三)): every expert of the pool (在库/暂停). YQ
    (第二十三条(一)2 对当年度委派过的专家): the experts with an accepted dispatch starting in the period."""
    period = due(policy, year)
    experts = [e for e in pool if e.get("policy_id") in (None, policy.id)]
    if policy.assessment.self_evaluation:
        return sorted((e for e in experts if e.get("state") in POOL_STATES), key=lambda e: e.get("id", 0))
    dispatched = {str(a.get("expert_id")) for a in assignments
                  if a.get("status") in ACCEPTED and period.covers(_day(a.get("start")))}
    return sorted((e for e in experts if str(e.get("id")) in dispatched), key=lambda e: e.get("id", 0))


def year_title(policy: Any, year: int) -> str:
    """“2026年度履职考核” / “2026年度考评” (the profile's name already says 年度 in YQ)."""
    name = policy.assessment.name
    return f"{year}{name}" if name.startswith("年度") else f"{year}年度{name}"


def scope_text(policy: Any) -> str:
    """Who is assessed, in words, for the page."""
    if policy.assessment.self_evaluation:
        return "专家库中全部在库专家（含暂停使用的专家）"
    return "考评期间内接受过委派的专家（对当年度委派过的专家）"


def _rating_of(evaluations: Iterable[dict], request_id: Any, expert_id: Any) -> tuple[str, str]:
    for ev in evaluations:
        if str(ev.get("request_id")) != str(request_id):
            continue
        for r in ev.get("ratings") or ():
            if str(r.get("expert_id")) == str(expert_id):
                return str(r.get("overall") or ""), str(r.get("reason") or "")
    return "", ""


def _days(a: dict, request: dict) -> int:
    if isinstance(a.get("days_worked"), int) and a["days_worked"] > 0:
        return a["days_worked"]
    s, e = _day(a.get("start") or request.get("start")), _day(a.get("end") or request.get("end"))
    if s and e and e >= s:
        return (e - s).days + 1
    return int(request.get("days") or 0)


def year_summary(expert: dict, year: int, requests: Iterable[dict], assignments: Iterable[dict],
                 evaluations: Iterable[dict], trainings: Iterable[dict], policy: Any, *,
                 assistance: Iterable[dict] = ()) -> dict:
    """The expert's services in the period of `year`, as the forms and the assessor see them:
    tasks (accepted dispatches, each with matter, start date, department, days and the using department's rating),
    declines (justified or not), rating counts in the profile's scale, trainings attended of those held, and the
    acceptance rate (接受委派). Dispatches count by their start date, declines by the day they were answered."""
    period = due(policy, year)
    expert_id = expert.get("id")
    reqs = {str(r.get("id")): r for r in requests}
    evaluations = list(evaluations)
    mine = [a for a in assignments if str(a.get("expert_id")) == str(expert_id)]
    tasks = []
    for a in sorted(_in_period_dispatches(expert_id, mine, period), key=lambda a: (str(a.get("start")), a.get("id", 0))):
        req = reqs.get(str(a.get("request_id")), {})
        rating, reason = _rating_of(evaluations, a.get("request_id"), expert_id)
        tasks.append({
            "assignment_id": a.get("id"), "request_id": a.get("request_id"),
            "start": str(a.get("start") or req.get("start") or "")[:10], "end": str(a.get("end") or req.get("end") or "")[:10],
            "matter": str(req.get("matter") or ""), "department": str(req.get("department") or ""),
            "task_type": str(req.get("task_type") or ""), "days": _days(a, req),
            "completed": a.get("status") == "已完成", "rating": rating, "rating_reason": reason,
        })
    declines = []
    for a in mine:
        if a.get("status") != DECLINED:
            continue
        on = _day(a.get("answered_on")) or _day(a.get("invited_on"))
        if not period.covers(on):
            continue
        req = reqs.get(str(a.get("request_id")), {})
        declines.append({"assignment_id": a.get("id"), "on": on.isoformat(), "matter": str(req.get("matter") or ""),
                         "reason": str(a.get("decline_reason") or ""), "justified": a.get("decline_justified") is not False})
    declines.sort(key=lambda d: (d["on"], d["assignment_id"] or 0))
    scale = tuple(policy.evaluations.ratings)
    counts = {r: sum(1 for t in tasks if t["rating"] == r) for r in scale}
    unrated = sum(1 for t in tasks if not t["rating"])
    counted = bool(getattr(policy.training, "counted_in_assessment", True))  # 参加培训 counts (YQ 第二十三条(一)2)
    held = [t for t in trainings if counted and t.get("policy_id") in (None, policy.id)
            and period.covers(_day(t.get("held_on")))]
    attended = [t for t in held if any(str(x) == str(expert_id) for x in t.get("attendees") or ())]
    served = {str(t["request_id"]) for t in tasks}
    handed = [x for x in assistance if str(x.get("request_id")) in served]  # YQ 第十八条 problems handed over
    problems = sum(1 for x in handed for i in x.get("items") or () if str(i.get("problem") or "").strip())
    suggestions = sum(1 for x in handed for i in x.get("items") or () if str(i.get("suggestion") or "").strip())
    answered = len(tasks) + len(declines)
    rate = f"{round(100 * len(tasks) / answered)}%" if answered else "—"
    return {
        "policy_id": policy.id, "year": year, "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(), "expert_id": expert_id,
        "tasks": tasks, "declines": declines,
        "accepted": len(tasks), "declined": len(declines),
        "declined_justified": sum(1 for d in declines if d["justified"]),
        "declined_unjustified": sum(1 for d in declines if not d["justified"]),
        "days": sum(t["days"] for t in tasks), "rating_scale": list(scale), "rating_counts": counts,
        "unrated": unrated, "acceptance_rate": rate,
        "trainings_held": len(held),
        "trainings": [{"id": t.get("id"), "title": str(t.get("title") or ""), "held_on": str(t.get("held_on") or "")[:10],
                       "hours": t.get("hours")} for t in sorted(attended, key=lambda t: str(t.get("held_on")))],
        "trainings_attended": len(attended), "trainings_counted": counted,
        "problems_found": problems, "suggestions_made": suggestions,
        "urgent_reports": sum(1 for x in handed if x.get("urgent")),
    }


def summary_text(services: dict) -> str:
    """One line for forms and lists: 受邀答复N次，接受N次、拒绝N次（无正当理由N次），服务N天；评价：优N次…；培训N/N次."""
    counts = services.get("rating_counts") or {}
    rated = "、".join(f"{r}{counts.get(r, 0)}次" for r in services.get("rating_scale") or () if counts.get(r))
    parts = [f"接受委派{services.get('accepted', 0)}次、拒绝{services.get('declined', 0)}次"
             + (f"（无正当理由{services['declined_unjustified']}次）" if services.get("declined_unjustified") else ""),
             f"服务{services.get('days', 0)}天"]
    if services.get("accepted"):
        parts.append("使用科室评价：" + (rated or "尚未评价") + (f"，未评价{services['unrated']}次" if rated and services.get("unrated") else ""))
    if services.get("problems_found") or services.get("suggestions_made"):
        parts.append(f"参与任务移交企业问题隐患{services.get('problems_found', 0)}条、整改建议{services.get('suggestions_made', 0)}条"
                     + (f"（其中紧急停产报告{services['urgent_reports']}次）" if services.get("urgent_reports") else ""))
    if services.get("trainings_counted", True):
        parts.append(f"参加培训{services.get('trainings_attended', 0)}次（期间共举办{services.get('trainings_held', 0)}次）")
    return "；".join(parts)


# --- validation -------------------------------------------------------------------------------------------------
def conclusion(policy: Any, key: str) -> Any:
    for c in policy.assessment.conclusions:
        if c.key == key:
            return c
    return None


def default_dismissal_reason(policy: Any) -> int:
    """The dismissal reason a 'propose dismissal' conclusion points to unless the assessor picks another: the
    profile's reason about 实际工作能力不能满足 (JC 第九条(三); YQ 第二十四条(九)), else its last, catch-all reason
    (其它不宜继续从事专家工作的)."""
    reasons = policy.dismissal.reasons
    for r in reasons:
        if "工作能力" in r.text and "不能满足" in r.text:
            return r.number
    return reasons[-1].number


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").split("\n")
    return [str(v).strip() for v in value if str(v or "").strip()]


def check_assessment(data: dict, policy: Any) -> dict:
    """The cleaned assessment part of `data` ({"item_ratings", "item_notes", "conclusion", "self_evaluation",
    "dismissal_reason_number", "note"}); every problem in one ValidationError (Chinese). `data["services"]` (the
    pre-filled summary) decides which services the expert rates (JC 服务质量自我评价)."""
    a = policy.assessment
    errors: list[tuple[str, str]] = []
    ratings = data.get("item_ratings") or {}
    if not isinstance(ratings, dict):
        ratings = {}
    clean_ratings: dict[str, str] = {}
    for item in a.items:
        value = str(ratings.get(item) or "").strip()
        if not value:
            errors.append(("item_ratings", f"请评定考核项目“{item}”（{'、'.join(a.item_ratings)}）"))
        elif value not in a.item_ratings:
            errors.append(("item_ratings", f"考核项目“{item}”的评定“{value}”不在{'、'.join(a.item_ratings)}之内"))
        else:
            clean_ratings[item] = value
    unknown = [k for k in ratings if k not in a.items]
    if unknown:
        errors.append(("item_ratings", f"“{'、'.join(map(str, unknown))}”不是{a.name}的考核项目"))
    notes_in = data.get("item_notes") or {}
    item_notes = {item: str(notes_in.get(item) or "").strip() for item in a.items if str(notes_in.get(item) or "").strip()}
    for item, note in item_notes.items():
        if len(note) > NOTE_MAX:
            errors.append(("item_notes", f"考核项目“{item}”的考核情况不能超过{NOTE_MAX}字"))
    key = str(data.get("conclusion") or "").strip()
    chosen = conclusion(policy, key) if key else None
    if not key:
        errors.append(("conclusion", f"请选择考核结论（{'；'.join(c.label for c in a.conclusions)}）"))
    elif chosen is None:
        errors.append(("conclusion", f"考核结论“{key}”不是{a.name}的结论之一（{'；'.join(c.label for c in a.conclusions)}）"))
    reason_number = None
    if chosen is not None and chosen.proposes_dismissal:
        raw = data.get("dismissal_reason_number")
        numbers = {r.number for r in policy.dismissal.reasons}
        if raw in (None, ""):
            reason_number = default_dismissal_reason(policy)
        else:
            try:
                reason_number = int(raw)
            except (TypeError, ValueError):
                reason_number = None
            if reason_number not in numbers:
                errors.append(("dismissal_reason_number", f"解聘情形应为{policy.dismissal.article}所列情形之一"))
    self_eval = None
    if a.self_evaluation:
        self_eval, problems = _check_self_evaluation(data.get("self_evaluation") or {}, data.get("services") or {}, policy)
        errors.extend(problems)
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.append(("note", f"考核意见说明不能超过{NOTE_MAX}字"))
    if errors:
        raise ValidationError(errors)
    return {"item_ratings": clean_ratings, "item_notes": item_notes, "conclusion": key,
            "conclusion_label": chosen.label, "proposes_dismissal": chosen.proposes_dismissal,
            "dismissal_reason_number": reason_number, "self_evaluation": self_eval, "note": note}


def _check_self_evaluation(raw: dict, services: dict, policy: Any) -> tuple[dict, list[tuple[str, str]]]:
    """JC 附件6 专家自评: 1–5 items of achievement (内容涵盖能体现服务质量的1-5项业绩), a short comment, and a
    service-quality self-rating (优、良、中、差) for each service of the period."""
    a = policy.assessment
    errors: list[tuple[str, str]] = []
    items = _lines(raw.get("items"))
    lo, hi = a.self_evaluation_items_min or 0, a.self_evaluation_items_max
    if len(items) < lo:
        errors.append(("self_evaluation.items", f"专家自评应列出{lo}–{hi}项能体现服务质量的业绩（现有{len(items)}项）"))
    if hi is not None and len(items) > hi:
        errors.append(("self_evaluation.items", f"专家自评最多列{hi}项业绩（现有{len(items)}项），请合并或删减"))
    for i, item in enumerate(items, start=1):
        if len(item) > SELF_ITEM_MAX:
            errors.append(("self_evaluation.items", f"第{i}项业绩不能超过{SELF_ITEM_MAX}字"))
    comment = str(raw.get("comment") or "").strip()
    if len(comment) > NOTE_MAX:
        errors.append(("self_evaluation.comment", f"专家自评简要评述不能超过{NOTE_MAX}字"))
    given = {str(k): str(v or "").strip() for k, v in (raw.get("service_ratings") or {}).items()}
    scale = tuple(a.service_self_ratings)
    clean: dict[str, str] = {}
    for t in services.get("tasks") or ():
        k = str(t.get("assignment_id"))
        value = given.get(k, "")
        label = f"{t.get('start', '')} {t.get('matter', '')}".strip()
        if not value:
            errors.append(("self_evaluation.service_ratings", f"请填写服务“{label}”的服务质量自我评价（{'、'.join(scale)}）"))
        elif value not in scale:
            errors.append(("self_evaluation.service_ratings",
                           f"服务“{label}”的自我评价“{value}”不在{'、'.join(scale)}之内"))
        else:
            clean[k] = value
    return {"items": items, "comment": comment, "service_ratings": clean}, errors


__all__ = ["AssessmentPeriod", "assessment_year", "check_assessment", "conclusion", "default_dismissal_reason", "due",
           "scope_text", "summary_text", "year_title", "who_is_due", "year_summary"]
