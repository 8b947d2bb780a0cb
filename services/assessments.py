"""年度考核 — the yearly assessment of the active profile: JC 履职考核 every June with 附件6 (第十条(三), JC-Y1); YQ
年度考评 before July over the experts dispatched in the year (第九条(二), 第二十三条, YQ-Y1).

`due_list` shows who is due for a year and whether they are assessed; `prefill` gathers the year's services from
the dispatch, evaluation and training records; `save` stores one assessment per expert per year (a correction
replaces it, audited as such). A conclusion that proposes dismissal (JC 建议解聘; YQ 提出清退意见) raises ONE
proposal for the dismissal workflow (source “年度考核”) — never applied by itself, never a second open one for
the same expert. The forms: JC 附件6 per expert (and all in a zip), the results list (JC 存档 / YQ 公布) in Word
and in Excel.

Issue 12: `table_rows` / `save_table` enter the whole year's list as one table — each row pre-filled from the
year's records, checked by the same `_prepare` (core.assessment.check_assessment) as `save`, saved all or nothing,
written and audited as `save` writes; a second save of the same table writes nothing.
"""
from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import forms
from core.assessment import assessment_year, check_assessment, conclusion, default_dismissal_reason, due, scope_text, summary_text, who_is_due, year_summary, year_title
from core.auth import can
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.forms_assessment import fj6_context, result_row, results_context
from core.forms_context import cn_date_or_blank
from core.text import clean_text
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


def _assignments(ctx, policy, year: int) -> list[dict]:
    """The assignments the assessment of `year` can count (issue 17: not every task ever kept): a dispatch starting
    in the period ends on or after its first day, and a decline counts by the day it was answered — so those
    ending, or answered, on or after the period's first day (by index), of the profile (or of none)."""
    first = due(policy, year).start.isoformat()
    repo = _repo(ctx, ASSIGNMENTS)
    ids = repo.ids_from("end", first)
    ids |= {i for key, found in repo.keyed_ids("answered_on").items() if isinstance(key, str) and key >= first
            for i in found}
    return [a for a in repo.get_many(ids) if a.get("policy_id") in (None, policy.id)]


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
    due_experts = who_is_due(pool, year, policy, assignments=_assignments(ctx, policy, year))
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
    return _summaries(ctx, policy, [expert], year)[expert["id"]]


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
    in_scope = {e["id"] for e in who_is_due(_pool(ctx, policy), year, policy, assignments=_assignments(ctx, policy, year))}
    existing = get(ctx, expert["id"], year)
    services = _summary(ctx, policy, expert, year) if expert.get("policy_id") == policy.id else {}
    doc, clean = _prepare(ctx, policy, actor, expert, year, data, in_scope=in_scope, existing=existing,
                          services=services)
    if existing is None:
        assessment_id = _repo(ctx).insert(doc, actor=actor.username, action=f"{policy.assessment.name}")
    else:
        assessment_id = _correct(ctx, actor, policy, existing, doc)
    _sync_proposal(ctx, actor, policy, expert, assessment_id, year, clean)
    return assessment_id


def _prepare(ctx, policy, actor: User, expert: dict, year: int, data: dict, *, in_scope: set, existing: dict | None,
             services: dict) -> tuple[dict, dict]:
    """(the record to store, the cleaned entries) of one expert's assessment: the checks `save` and `save_table`
    share — the expert belongs to the active profile, is in the year's scope (or was assessed already), and the
    entries pass core.assessment.check_assessment against the year's services. ValidationError otherwise."""
    if expert.get("policy_id") != policy.id:
        raise ValidationError(("expert", f"{expert.get('name', '')}不是“{policy.short_name}”专家库的专家"))
    if expert["id"] not in in_scope and existing is None:
        raise ValidationError(("expert", f"{expert.get('name', '')}不在{year_title(policy, year)}范围内"
                                         f"（{scope_text(policy)}）"))
    clean = check_assessment(dict(data, services=services), policy)
    doc = {"policy_id": policy.id, "year": year, "expert_id": expert["id"], "name": expert.get("name", ""),
           "services": services, **clean, "assessed_on": ctx.today().isoformat(), "assessed_by": actor.username,
           "assessor": policy.assessment.assessor}
    return doc, clean


def _correct(ctx, actor: User, policy, existing: dict, doc: dict) -> int:
    """Replace a saved assessment (a correction, audited 更正…, the previous conclusion kept in corrected_from)."""
    doc["corrected_from"] = {k: existing.get(k) for k in ("conclusion", "assessed_on", "assessed_by")}
    _repo(ctx).update(existing["id"], doc, actor=actor.username, action=f"更正{policy.assessment.name}")
    return existing["id"]


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


# --- table entry of the whole list (issue 12 “年度考核”: one table for every expert due) ----------------------------
# The table's columns, by their Chinese headers (the page shows them as they are). COL_ID is the expert's id, carried
# in every row and hidden on the page; the read-only columns are shown for reference and ignored on saving.
COL_ID, COL_NAME, COL_UNIT, COL_STATUS, COL_PROBLEMS = "专家编号", "姓名", "工作单位", "状态", "问题"
COL_SERVICES, COL_TASKS = "本年度服务情况", "本年度服务项目"
COL_SELF_ITEMS, COL_SELF_COMMENT, COL_SELF_RATINGS = "专家自评业绩", "自评简要评述", "服务质量自我评价"
COL_CONCLUSION, COL_REASON, COL_NOTE = "考核结论", "解聘情形", "考核意见说明"
COL_ASSESSED_ON, COL_OVERDUE = "考核日期", "逾期"
CELL_MAX = 2000        # one cell of the table: a flood guard; the rules' own limits (500 字 …) are check_assessment's
TABLE_ROWS_MAX = 5000  # more rows than any pool holds
_ITEM_SPLIT = re.compile(r"[\n；;]")
_RATING_SPLIT = re.compile(r"[、，,；;/]")
_FIELD_LABELS = {"conclusion": COL_CONCLUSION, "dismissal_reason_number": COL_REASON, "note": COL_NOTE,
                 "item_notes": "考核情况（逐人录入）", "self_evaluation.items": COL_SELF_ITEMS,
                 "self_evaluation.comment": COL_SELF_COMMENT, "self_evaluation.service_ratings": COL_SELF_RATINGS,
                 "expert": COL_NAME, "year": "考核年度"}


class AssessmentTableError(ValidationError):
    """The table was not saved: `problems` lists every wrong row's problems as {"line" (1-based row of the table),
    "expert_id", "name", "field" (the column's header), "message"}; each message of `errors` names the expert, the
    row and the column."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__([(f"{p['expert_id']}:{p['field']}",
                           f"{p['name'] or '（未知专家）'}（第{p['line']}行）{p['field']}：{p['message']}") for p in problems])


def table_columns(ctx: AppContext) -> list[dict]:
    """The columns of the assessment table under the active profile, in order: {"key" (the header), "editable",
    "options" (a choice column's allowed values, else None), "max_chars", "help"}. JC adds the expert's
    self-evaluation (附件6 专家自评) before the office's ratings."""
    policy = active_policy(ctx)
    a = policy.assessment

    def col(key, editable=False, options=None, max_chars=None, help=None):
        return {"key": key, "editable": editable, "options": options, "max_chars": max_chars, "help": help}

    cols = [col(COL_ID), col(COL_NAME), col(COL_PROBLEMS, help="上次保存时本行未通过核对的内容；改正后再保存"),
            col(COL_STATUS), col(COL_SERVICES, help="由委派、评价、培训记录自动汇总（考核周期内）")]
    if a.self_evaluation:
        lo, hi = a.self_evaluation_items_min, a.self_evaluation_items_max
        scale = "、".join(a.service_self_ratings)
        cols += [col(COL_TASKS, help="考核周期内接受委派的服务，按服务起始日期排列"),
                 col(COL_SELF_ITEMS, True, max_chars=CELL_MAX,
                     help=f"能体现服务质量的{lo}–{hi}项业绩，各项之间用“；”分隔"),
                 col(COL_SELF_COMMENT, True, max_chars=CELL_MAX,
                     help="服务态度、专业能力、依法依规、客观实际、廉洁自律、服务对象认可情况等简要评述"),
                 col(COL_SELF_RATINGS, True, max_chars=CELL_MAX,
                     help=f"按“本年度服务项目”的顺序逐次填写（{scale}），用“、”分隔，如：良、优")]
    cols += [col(item, True, options=list(a.item_ratings)) for item in a.items]
    cols += [col(COL_CONCLUSION, True, options=[c.label for c in a.conclusions]),
             col(COL_REASON, True, options=[policy.dismissal.reason_label(r.number) for r in policy.dismissal.reasons],
                 help="仅当结论为建议解聘（清退）时使用；不选则按"
                      f"“{policy.dismissal.reason_label(default_dismissal_reason(policy))}”"),
             col(COL_NOTE, True, max_chars=CELL_MAX),
             col(COL_ASSESSED_ON), col(COL_OVERDUE), col(COL_UNIT)]
    return cols


def _editable(policy) -> list[str]:
    a = policy.assessment
    keys = [COL_SELF_ITEMS, COL_SELF_COMMENT, COL_SELF_RATINGS] if a.self_evaluation else []
    return keys + list(a.items) + [COL_CONCLUSION, COL_REASON, COL_NOTE]


def _summaries(ctx, policy, experts: list[dict], year: int) -> dict[int, dict]:
    """year_summary of each of `experts` with the collections read once (the same result as `_summary` per expert:
    each expert's summary is computed from his own assignments and the requests, evaluations and assistance of
    those tasks only)."""
    wanted = {str(e["id"]) for e in experts}
    by_expert: dict[str, list[dict]] = {}
    for a in _assignments(ctx, policy, year):
        if str(a.get("expert_id")) in wanted:
            by_expert.setdefault(str(a.get("expert_id")), []).append(a)
    request_ids = {str(a.get("request_id")) for found in by_expert.values() for a in found}
    requests = [r for r in _repo(ctx, REQUESTS).get_many(int(i) for i in request_ids if i.isdigit())]
    req_of = {str(r["id"]): r for r in requests}
    evaluations, assistance = {}, {}
    for name, into in ((EVALUATIONS, evaluations), (ASSISTANCE, assistance)):
        for d in _repo(ctx, name).find_any("request_id", [int(i) for i in request_ids if i.isdigit()]):
            into.setdefault(str(d.get("request_id")), []).append(d)
    trainings = _repo(ctx, TRAININGS).all()
    out = {}
    for e in experts:
        mine = by_expert.get(str(e["id"]), [])
        rids = {str(a.get("request_id")) for a in mine}
        out[e["id"]] = year_summary(e, year, [req_of[r] for r in rids if r in req_of], mine,
                                    [d for r in rids for d in evaluations.get(r, ())], trainings, policy,
                                    assistance=[d for r in rids for d in assistance.get(r, ())])
    return out


def cn_date_text(value: Any) -> str:
    """2026年6月5日 for an ISO date, "" when there is none (core.dates, issue 12)."""
    return cn_date_or_blank(value, "")


def _task_list(services: dict) -> str:
    return "；".join(f"{i}. {cn_date_text(t['start'])} {t['matter']}" for i, t in enumerate(services.get("tasks") or (), 1))


def _cells(policy, record: dict | None, services: dict) -> dict:
    """The editable cells of one row as the saved assessment fills them (all empty before it is assessed)."""
    a = policy.assessment
    r = record or {}
    ratings = r.get("item_ratings") or {}
    chosen = conclusion(policy, r.get("conclusion") or "")
    cells = {item: str(ratings.get(item) or "") for item in a.items}
    cells[COL_CONCLUSION] = chosen.label if chosen else ""
    reason = r.get("dismissal_reason_number")
    cells[COL_REASON] = policy.dismissal.reason_label(reason) if reason not in (None, "") else ""
    cells[COL_NOTE] = str(r.get("note") or "")
    if a.self_evaluation:
        own = r.get("self_evaluation") or {}
        cells[COL_SELF_ITEMS] = "；".join(own.get("items") or [])
        cells[COL_SELF_COMMENT] = str(own.get("comment") or "")
        given = own.get("service_ratings") or {}
        marks = [str(given.get(str(t.get("assignment_id"))) or "") for t in services.get("tasks") or ()]
        cells[COL_SELF_RATINGS] = "、".join(marks) if any(marks) else ""
    return cells


def table_rows(ctx: AppContext, year: int) -> list[dict]:
    """One row per expert of the year's list (due_list order), keyed by the headers of `table_columns`: the year's
    services summed up from the dispatch, evaluation and training records, and the saved entries of an expert
    assessed already (empty cells before)."""
    policy = active_policy(ctx)
    year = _year(year)
    listed = due_list(ctx, year)
    by_id = {e["id"]: e for e in _pool(ctx, policy)}
    summaries = _summaries(ctx, policy, [by_id[r["expert_id"]] for r in listed if r["expert_id"] in by_id], year)
    records = _records(ctx, policy, year)
    rows = []
    for r in listed:
        services = summaries.get(r["expert_id"]) or (records.get(r["expert_id"]) or {}).get("services") or {}
        row = {COL_ID: r["expert_id"], COL_NAME: r["name"], COL_UNIT: r["unit"], COL_STATUS: r["status"],
               COL_PROBLEMS: "", COL_SERVICES: summary_text(services) if services else ""}
        if policy.assessment.self_evaluation:
            row[COL_TASKS] = _task_list(services)
        row.update(_cells(policy, records.get(r["expert_id"]), services))
        row[COL_ASSESSED_ON] = cn_date_text(r["assessed_on"])
        row[COL_OVERDUE] = "是" if r["overdue"] else ""
        rows.append(row)
    return rows


def _row_data(policy, cells: dict, services: dict, saved: dict | None) -> tuple[dict, list[tuple[str, str]]]:
    """The entries of one table row in the shape `save` takes (what the single-expert form sends), and the
    problems of reading the row itself (the rules are check_assessment's). Entries the table does not show — the
    考核情况 notes of each item — are those of the saved assessment, as the single form pre-fills them."""
    a = policy.assessment
    problems: list[tuple[str, str]] = []
    by_label = {c.label: c.key for c in a.conclusions}
    reasons = {policy.dismissal.reason_label(r.number): r.number for r in policy.dismissal.reasons}
    data = {"item_ratings": {item: cells[item] for item in a.items if cells[item]},
            "item_notes": dict((saved or {}).get("item_notes") or {}),
            "conclusion": by_label.get(cells[COL_CONCLUSION], cells[COL_CONCLUSION]),
            "dismissal_reason_number": reasons.get(cells[COL_REASON], cells[COL_REASON] or None),
            "note": cells[COL_NOTE], "self_evaluation": None}
    if a.self_evaluation:
        tasks = services.get("tasks") or []
        marks = [m.strip() for m in _RATING_SPLIT.split(cells[COL_SELF_RATINGS])] if cells[COL_SELF_RATINGS] else []
        if len([m for m in marks[len(tasks):] if m]) or (not tasks and any(marks)):
            problems.append(("self_evaluation.service_ratings",
                             f"填了{len([m for m in marks if m])}项自我评价，但本年度只有{len(tasks)}次服务"
                             f"（见“{COL_TASKS}”），请按服务顺序逐次填写"))
        data["self_evaluation"] = {
            "items": [i.strip() for i in _ITEM_SPLIT.split(cells[COL_SELF_ITEMS]) if i.strip()],
            "comment": cells[COL_SELF_COMMENT],
            "service_ratings": {str(t.get("assignment_id")): m for t, m in zip(tasks, marks) if m}}
    return data, problems


def _field_label(policy, key: str, message: str) -> str:
    if key == "item_ratings":
        return next((i for i in policy.assessment.items if f"“{i}”" in message), "考核项目")
    return _FIELD_LABELS.get(key, key)


def _same_entries(existing: dict, doc: dict) -> bool:
    return all(existing.get(k) == doc.get(k) for k in (
        "services", "item_ratings", "item_notes", "conclusion", "conclusion_label", "proposes_dismissal",
        "dismissal_reason_number", "self_evaluation", "note"))


def save_table(ctx: AppContext, actor: User, year: int, rows: list[dict]) -> dict:
    """Save the assessment table of `year` all or nothing.

    Every row is read and checked first — by the same checks as `save` (core.assessment.check_assessment against
    the expert's services of the year) — and if any row is wrong NOTHING is written: AssessmentTableError lists
    each problem with the expert's name, the row and the column. Rows left as the table showed them are skipped
    (an expert not yet assessed whose row is empty stays 未考核; a saved assessment shown unchanged is not
    rewritten), and so is a row whose entries equal the saved assessment: saving the same table twice writes
    nothing the second time. The other rows are written as `save` writes them: new assessments in one write
    (audited “履职考核” / “年度考评” per record), changed ones as corrections (audited “更正…”, one write each),
    then the dismissal proposals. Returns {"saved", "corrected", "unchanged", "ids"}.

    Only 管理员 / 专家管理办公室 (PermissionDenied otherwise). A row holds only the table's columns (an unknown one
    is refused), text cells only, each at most CELL_MAX characters without control or invisible characters."""
    _require(actor)
    policy = active_policy(ctx)
    year = _year(year)
    if not isinstance(rows, (list, tuple)):
        raise ValidationError(("rows", "考核表格的数据格式有误，请刷新页面后重试"))
    if len(rows) > TABLE_ROWS_MAX:
        raise ValidationError(("rows", f"考核表格最多{TABLE_ROWS_MAX}行（现有{len(rows)}行）"))
    known = {c["key"] for c in table_columns(ctx)}
    editable = _editable(policy)
    listed = {r["expert_id"]: r for r in due_list(ctx, year)}
    pool = {e["id"]: e for e in _pool(ctx, policy)}
    in_scope = {e["id"] for e in who_is_due(list(pool.values()), year, policy, assignments=_assignments(ctx, policy, year))}
    records = _records(ctx, policy, year)
    summaries = _summaries(ctx, policy, [pool[i] for i in listed if i in pool], year)
    problems: list[dict] = []
    seen: set[int] = set()
    work: list[tuple[dict, dict, dict | None, dict]] = []  # (expert, doc, existing, clean)
    unchanged = 0

    def refuse(line, expert_id, name, key, message):
        problems.append({"line": line, "expert_id": expert_id, "name": name,
                         "field": _field_label(policy, key, message), "message": message})

    for line, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            refuse(line, None, "", "rows", "这一行的数据格式有误")
            continue
        raw_id = row.get(COL_ID)
        expert_id = raw_id if type(raw_id) is int else (int(raw_id) if isinstance(raw_id, str) and raw_id.isdigit() else None)
        entry = listed.get(expert_id)
        name = (entry or {}).get("name") or ""
        unknown = [str(k) for k in row if k not in known]
        if unknown:
            refuse(line, expert_id, name, "rows", f"表格中没有“{'、'.join(unknown)[:100]}”这一栏")
            continue
        if entry is None:
            refuse(line, expert_id, name, "expert", f"专家编号“{str(raw_id)[:20]}”不在{year_title(policy, year)}名单中")
            continue
        if expert_id in seen:
            refuse(line, expert_id, name, "expert", "同一位专家在表格中出现了两次")
            continue
        seen.add(expert_id)
        cells, bad = {}, False
        for key in editable:
            try:
                cells[key] = clean_text(row.get(key), field_label=key, max_len=CELL_MAX, multiline=True,
                                        field_key=key)
            except ValidationError as error:
                for _, message in error.errors:
                    problems.append({"line": line, "expert_id": expert_id, "name": name, "field": key,
                                     "message": message})
                bad = True
        if bad:
            continue
        saved = records.get(expert_id)
        expert = pool.get(expert_id)
        services = summaries.get(expert_id) or {}
        if cells == _cells(policy, saved, services if expert else (saved or {}).get("services") or {}):
            unchanged += 1  # as the table showed it: empty (not yet assessed) or the saved assessment
            continue
        if expert is None:
            refuse(line, expert_id, name, "expert", "专家记录已不在专家库中，不能再更改其考核")
            continue
        data, read_problems = _row_data(policy, cells, services, saved)
        for key, message in read_problems:
            refuse(line, expert_id, name, key, message)
        try:
            doc, clean = _prepare(ctx, policy, actor, expert, year, data, in_scope=in_scope, existing=saved,
                                  services=services)
        except ValidationError as error:
            for key, message in error.errors:
                refuse(line, expert_id, name, key, message)
            continue
        if read_problems:
            continue
        if saved is not None and _same_entries(saved, doc):
            unchanged += 1
            continue
        work.append((expert, doc, saved, clean))
    if problems:
        raise AssessmentTableError(problems)
    new = [w for w in work if w[2] is None]
    ids = _repo(ctx).insert_many([doc for _, doc, _, _ in new], actor=actor.username,
                                 action=f"{policy.assessment.name}") if new else []
    written = {id(doc): i for (_, doc, _, _), i in zip(new, ids)}
    out_ids = []
    for expert, doc, existing, clean in work:
        assessment_id = written[id(doc)] if existing is None else _correct(ctx, actor, policy, existing, doc)
        _sync_proposal(ctx, actor, policy, expert, assessment_id, year, clean)
        out_ids.append(assessment_id)
    return {"saved": len(new), "corrected": len(work) - len(new), "unchanged": unchanged, "ids": out_ids}


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
           "sample_form_context", "save", "save_table", "table_columns", "table_rows",
           "AssessmentTableError"]
