"""年度考核 — the yearly assessment of the active profile: JC 履职考核 every June with 附件6 (第十条(三), JC-Y1); YQ
年度考评 before July over the experts dispatched in the year (第九条(二), 第二十三条, YQ-Y1).

`due_list` shows who is due for a year and whether they are assessed; `prefill` gathers the year's services from
the dispatch, evaluation and training records; `save` stores one assessment per expert per year (a correction
replaces it, audited as such). A conclusion that proposes dismissal (JC 建议解聘; YQ 提出清退意见) raises ONE
proposal for the dismissal workflow (source “年度考核”) — never applied by itself, never a second open one for
the same expert. The forms: JC 附件6 per expert (and all in a zip), the results list (JC 存档 / YQ 公布) in Word
and in Excel.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Any

import forms
from core.assessment import assessment_year, check_assessment, default_dismissal_reason, due, scope_text, summary_text, who_is_due, year_summary, year_title
from core.auth import can
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.forms_assessment import fj6_context, result_row, results_context
from services.context import AppContext, User
from services.settings import active_policy

ASSESSMENTS, EXPERTS, REQUESTS, ASSIGNMENTS = "assessments", "experts", "requests", "assignments"
EVALUATIONS, TRAININGS, PROPOSALS, ASSISTANCE = "evaluations", "trainings", "proposals", "assistance"
SOURCE = "年度考核"


def _repo(ctx, name=ASSESSMENTS):
    return ctx.store.collection(name)


def _require(actor: User) -> None:
    if not can(actor.role, "assess_experts"):
        raise PermissionDenied("只有专家管理办公室可以办理年度考核")


def _pool(ctx, policy) -> list[dict]:
    return _repo(ctx, EXPERTS).search(lambda e: e.get("policy_id") == policy.id)


def _assignments(ctx, policy) -> list[dict]:
    return _repo(ctx, ASSIGNMENTS).search(lambda a: a.get("policy_id") in (None, policy.id))


def _year(year: Any) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValidationError(("year", "请选择考核年度")) from None
    if not 2000 <= y <= 2100:
        raise ValidationError(("year", "考核年度应在2000–2100之间"))
    return y


def default_year(ctx: AppContext) -> int:
    """The assessment year the page opens on (JC: this year's from June on, else last year's; YQ: this year's)."""
    return assessment_year(active_policy(ctx), ctx.today())


def options(ctx: AppContext) -> dict:
    """What the assessment form offers under the active profile: items and their scale, conclusions (key → text,
    and which propose dismissal), the JC self-evaluation settings and the dismissal reasons to choose from."""
    policy = active_policy(ctx)
    a = policy.assessment
    return {"name": a.name, "assessor": a.assessor, "items": list(a.items), "item_ratings": list(a.item_ratings),
            "conclusions": {c.key: c.text for c in a.conclusions},
            "conclusion_labels": {c.key: c.label for c in a.conclusions},
            "dismissal_keys": [c.key for c in a.conclusions if c.proposes_dismissal],
            "self_evaluation": a.self_evaluation, "self_items_min": a.self_evaluation_items_min,
            "self_items_max": a.self_evaluation_items_max, "service_self_ratings": list(a.service_self_ratings),
            "has_form": bool(a.form_id), "has_results_form": bool(a.results_form_id),
            "dismissal_reasons": {r.number: policy.dismissal.reason_label(r.number) for r in policy.dismissal.reasons},
            "default_dismissal_reason": default_dismissal_reason(policy),
            "rating_scale": list(policy.evaluations.ratings)}


def period(ctx: AppContext, year: int) -> dict:
    """{"year", "start", "end", "opens", "deadline", "rule", "scope", "overdue"} of the active profile's `year`."""
    policy = active_policy(ctx)
    p = due(policy, _year(year))
    return {"year": p.year, "start": p.start, "end": p.end, "opens": p.opens, "deadline": p.deadline, "rule": p.rule,
            "scope": scope_text(policy), "period_text": p.period_text(), "name": policy.assessment.name,
            "past_deadline": ctx.today() > p.deadline,
            "deadline_text": f"{p.deadline.year}年{p.deadline.month}月{p.deadline.day}日"}


def _records(ctx, policy, year: int) -> dict[int, dict]:
    found = _repo(ctx).search(lambda d: d.get("policy_id") == policy.id and d.get("year") == year)
    return {d["expert_id"]: d for d in found}


def due_list(ctx: AppContext, year: int) -> list[dict]:
    """Who is due for `year` under the active profile, each with status 已考核 (and the conclusion) or 未考核, and
    overdue when the deadline has passed; assessed experts no longer in scope are listed too."""
    policy = active_policy(ctx)
    year = _year(year)
    p = due(policy, year)
    pool = _pool(ctx, policy)
    due_experts = who_is_due(pool, year, policy, assignments=_assignments(ctx, policy))
    records = _records(ctx, policy, year)
    by_id = {e["id"]: e for e in pool}
    listed = [e["id"] for e in due_experts] + [i for i in records if i not in {e["id"] for e in due_experts}]
    out = []
    for expert_id in listed:
        e = by_id.get(expert_id, {"id": expert_id, "name": records.get(expert_id, {}).get("name", "")})
        r = records.get(expert_id)
        out.append({"expert_id": expert_id, "name": e.get("name", ""), "unit": e.get("unit", ""),
                    "state": e.get("state", ""), "status": "已考核" if r else "未考核",
                    "conclusion": (r or {}).get("conclusion_label", ""), "assessment_id": (r or {}).get("id"),
                    "assessed_on": (r or {}).get("assessed_on", ""),
                    "overdue": r is None and ctx.today() > p.deadline})
    return out


def _expert(ctx, expert_id: Any) -> dict:
    if expert_id in (None, ""):
        raise ValidationError(("expert", "请选择专家"))
    found = _repo(ctx, EXPERTS).get(int(expert_id))
    if found is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    return found


def _summary(ctx, policy, expert: dict, year: int) -> dict:
    return year_summary(expert, year, _repo(ctx, REQUESTS).all(), _assignments(ctx, policy),
                        _repo(ctx, EVALUATIONS).all(), _repo(ctx, TRAININGS).all(), policy,
                        assistance=_repo(ctx, ASSISTANCE).all())


def get(ctx: AppContext, expert_id: int, year: int) -> dict | None:
    policy = active_policy(ctx)
    return _records(ctx, policy, _year(year)).get(expert_id)


def prefill(ctx: AppContext, expert_id: int, year: int) -> dict:
    """What the assessment form starts from: the year's services (always recomputed from the records) and, when the
    expert was assessed already, the saved entries (self-evaluation, ratings, conclusion) to correct."""
    policy = active_policy(ctx)
    year = _year(year)
    expert = _expert(ctx, expert_id)
    services = _summary(ctx, policy, expert, year)
    saved = get(ctx, expert["id"], year) or {}
    return {"expert_id": expert["id"], "name": expert.get("name", ""), "year": year, "services": services,
            "summary": summary_text(services),
            "self_evaluation": saved.get("self_evaluation") or {"items": [], "comment": "", "service_ratings": {}},
            "item_ratings": saved.get("item_ratings") or {}, "item_notes": saved.get("item_notes") or {},
            "conclusion": saved.get("conclusion"), "dismissal_reason_number": saved.get("dismissal_reason_number"),
            "note": saved.get("note", ""), "assessment_id": saved.get("id")}


def save(ctx: AppContext, actor: User, expert_id: int, year: int, data: dict) -> int:
    """Store the assessment of `expert_id` for `year` (one per expert per year; a correction replaces the saved
    one). Bad input: one Chinese ValidationError listing every problem, nothing saved. A conclusion proposing
    dismissal raises one 年度考核 proposal unless the expert already has an open one; a correction away from such a
    conclusion withdraws the proposal it raised while still open."""
    _require(actor)
    policy = active_policy(ctx)
    year = _year(year)
    expert = _expert(ctx, expert_id)
    if expert.get("policy_id") != policy.id:
        raise ValidationError(("expert", f"{expert.get('name', '')}不是“{policy.short_name}”专家库的专家"))
    in_scope = {e["id"] for e in who_is_due(_pool(ctx, policy), year, policy, assignments=_assignments(ctx, policy))}
    existing = get(ctx, expert["id"], year)
    if expert["id"] not in in_scope and existing is None:
        raise ValidationError(("expert", f"{expert.get('name', '')}不在{year_title(policy, year)}范围内"
                                         f"（{scope_text(policy)}）"))
    services = _summary(ctx, policy, expert, year)
    clean = check_assessment(dict(data, services=services), policy)
    doc = {"policy_id": policy.id, "year": year, "expert_id": expert["id"], "name": expert.get("name", ""),
           "services": services, **clean, "assessed_on": ctx.today().isoformat(), "assessed_by": actor.username,
           "assessor": policy.assessment.assessor}
    if existing is None:
        assessment_id = _repo(ctx).insert(doc, actor=actor.username, action=f"{policy.assessment.name}")
    else:
        assessment_id = existing["id"]
        doc["corrected_from"] = {k: existing.get(k) for k in ("conclusion", "assessed_on", "assessed_by")}
        _repo(ctx).update(assessment_id, doc, actor=actor.username, action=f"更正{policy.assessment.name}")
    _sync_proposal(ctx, actor, policy, expert, assessment_id, year, clean)
    return assessment_id


def _sync_proposal(ctx, actor: User, policy, expert: dict, assessment_id: int, year: int, clean: dict) -> None:
    proposals = _repo(ctx, PROPOSALS)
    open_ = proposals.search(lambda p: p.get("expert_id") == expert["id"] and p.get("status") == "待处理")
    mine = [p for p in open_ if p.get("source") == SOURCE and p.get("assessment_id") == assessment_id]
    if clean["proposes_dismissal"]:
        if open_:
            return  # never two open proposals for one expert
        conclusion = next(c for c in policy.assessment.conclusions if c.key == clean["conclusion"])
        proposals.insert({"expert_id": expert["id"], "name": expert.get("name", ""), "policy_id": policy.id,
                          "reason_number": clean["dismissal_reason_number"],
                          "text": f"{year_title(policy, year)}结论：{conclusion.text}"
                                  + (f"（{clean['note']}）" if clean["note"] else ""),
                          "source": SOURCE, "assessment_id": assessment_id, "created_on": ctx.today().isoformat(),
                          "status": "待处理"}, actor=actor.username, action="生成解聘建议")
    else:
        for p in mine:
            proposals.update(p["id"], {"status": "已撤回", "note": "考核结论已更正", "handled_by": actor.username},
                             actor=actor.username, action="撤回解聘建议（考核结论更正）")


def results(ctx: AppContext, year: int) -> list[dict]:
    """The saved assessments of `year` (active profile), in expert order, each with its result-list line."""
    policy = active_policy(ctx)
    year = _year(year)
    by_id = {e["id"]: e for e in _pool(ctx, policy)}
    records = sorted(_records(ctx, policy, year).values(), key=lambda r: r["expert_id"])
    return [dict(r, line=result_row(i, r, by_id.get(r["expert_id"], {}), policy)) for i, r in enumerate(records, 1)]


# --- forms ---------------------------------------------------------------------------------------------------
def _spec(policy, form_id: str | None):
    if not form_id:
        raise DomainError(f"“{policy.short_name}”没有这张考核表单。")
    try:
        return policy.form(form_id)
    except Exception:
        raise forms.FormError(f"“{policy.short_name}”的表单清单中没有“{form_id}”，无法生成。") from None


def fj6_form(ctx: AppContext, expert_id: int, year: int) -> tuple[str, bytes]:
    """JC 附件6 of one expert for `year`: the saved assessment, or the pre-filled blank form before it."""
    from services.forms_service import safe_filename

    policy = active_policy(ctx)
    spec = _spec(policy, policy.assessment.form_id)
    expert = _expert(ctx, expert_id)
    record = get(ctx, expert["id"], year) or {"year": _year(year), "services": _summary(ctx, policy, expert, _year(year))}
    context = fj6_context(expert, record, policy, printed_on=ctx.today())
    name = safe_filename(f"{spec.annex}_{spec.title}_{expert.get('name', '')}_{year}年度") + ".docx"
    return name, forms.render(spec.template, context)


def fj6_zip(ctx: AppContext, year: int, progress=None) -> bytes:
    """附件6 of every expert due for `year` in one zip."""
    from services.forms_service import zip_forms

    items = [lambda i=row["expert_id"]: fj6_form(ctx, i, year) for row in due_list(ctx, year)]
    if not items:
        raise DomainError(f"{year}年度没有需要考核的专家。")
    return zip_forms(items, progress)


def results_form(ctx: AppContext, year: int) -> tuple[str, bytes]:
    """The results list of `year` (JC 考核结果汇总表 / YQ 年度考评结果) in Word."""
    from services.forms_service import safe_filename

    policy = active_policy(ctx)
    spec = _spec(policy, policy.assessment.results_form_id)
    rows = _result_rows(ctx, policy, year)
    context = results_context(rows, policy, _year(year), printed_on=ctx.today())
    return safe_filename(f"{spec.title}_{year}年度") + ".docx", forms.render(spec.template, context)


def _result_rows(ctx, policy, year) -> list[tuple[dict, dict]]:
    by_id = {e["id"]: e for e in _pool(ctx, policy)}
    records = sorted(_records(ctx, policy, _year(year)).values(), key=lambda r: r["expert_id"])
    if not records:
        raise DomainError(f"{year_title(policy, year)}尚无结果。")
    return [(r, by_id.get(r["expert_id"], {})) for r in records]


def results_xlsx(ctx: AppContext, year: int, actor: User | None = None) -> tuple[str, bytes]:
    """The results list of `year` as Excel: one row per expert, one column per assessment item; all text cells.
    With `actor` (the page passes the signed-in user) the export of these personal data is audited."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from services.excel_io import clean_text
    from services.forms_service import safe_filename

    policy = active_policy(ctx)
    a = policy.assessment
    rows = _result_rows(ctx, policy, year)
    header = ["序号", "姓名", "工作单位", "行业领域", "接受委派", "服务天数", "参加培训（次/举办）", "服务评价",
              *a.items, "考核结论", "考核意见说明", "考核日期"]
    wb = Workbook()
    ws = wb.active
    ws.title = year_title(policy, year)[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, (record, expert) in enumerate(rows, 1):
        line = result_row(i, record, expert, policy)
        ratings = record.get("item_ratings") or {}
        values = [str(i), line["name"], line["unit"], line["sectors"], line["dispatch"], str(line["days"]),
                  line["training"], line["evaluation"], *[ratings.get(item, "") for item in a.items],
                  line["conclusion"], line["note"], record.get("assessed_on", "")]
        ws.append([clean_text(str(v)) for v in values])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # user text such as "=…" stays text
            cell.number_format = "@"
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                cell.quotePrefix = True
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGH", (6, 10, 24, 16, 14, 8, 10, 14)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C2"
    buffer = io.BytesIO()
    wb.save(buffer)
    if actor is not None:
        from services.personal_exports import audit_personal_export

        audit_personal_export(ctx, actor, "导出考核结果（Excel）", collection="experts",
                              record_ids={r.get("expert_id") for r, _ in rows}, what=year_title(policy, year))
    return safe_filename(f"{a.name}结果_{policy.city}_{year}年度") + ".xlsx", buffer.getvalue()


# --- X-W2 sample contexts ------------------------------------------------------------------------------------
def _sample(policy) -> tuple[dict, dict]:
    from services.forms_service import sample_expert, sample_request

    expert = sample_expert(policy)
    request = sample_request(policy)
    year = 2026
    start = due(policy, year).start.isoformat()
    request = dict(request, start=start, end=start)
    assignment = {"id": 1, "request_id": 1, "expert_id": 1, "policy_id": policy.id, "status": "已完成",
                  "start": start, "end": start, "days_worked": 1}
    evaluation = {"request_id": 1, "ratings": [{"expert_id": 1, "overall": policy.evaluations.ratings[0],
                                                "reason": "发现重大隐患3处"}]}
    training = {"id": 1, "policy_id": policy.id, "title": "新修订安全生产法专题培训", "held_on": start, "hours": "4",
                "attendees": [1]}
    services = year_summary(expert, year, [request], [assignment], [evaluation], [training], policy)
    a = policy.assessment
    record = {"year": year, "name": expert["name"], "services": services,
              "self_evaluation": {"items": ["参与危险化学品专项检查，发现重大隐患3处", "提出整改建议12条"],
                                  "comment": "服务态度端正，依法依规提出意见。",
                                  "service_ratings": {"1": a.service_self_ratings[0]} if a.service_self_ratings else {}},
              "item_ratings": {item: a.item_ratings[0] for item in a.items}, "item_notes": {},
              "conclusion": a.conclusions[0].key, "conclusion_label": a.conclusions[0].label,
              "note": "", "assessed_on": f"{year}-06-20"}
    return expert, record


def sample_form_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict] | None:
    """(context, images) of a form this module fills (JC 附件6, the results list), from a sample expert; else None."""
    a = policy.assessment
    if form_id not in (a.form_id, a.results_form_id):
        return None
    expert, record = _sample(policy)
    if form_id == a.form_id:
        return fj6_context(expert, record, policy, printed_on=today), {}
    return results_context([(record, expert)], policy, record["year"], printed_on=today), {}


__all__ = ["default_year", "due_list", "options", "fj6_form", "fj6_zip", "get", "period", "prefill", "results", "results_form", "results_xlsx",
           "sample_form_context", "save"]
