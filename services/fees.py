"""劳务报酬与预算 — the fee statements of the active profile (JC 第十六条、第十七条; YQ 第二十条) as tables, Excel and
the 劳务报酬结算表 (Word), the using departments' yearly budgets (JC 第十八条 先预算后支出、先审批后使用，严禁无预算或
超预算支出), the budget check when a dispatch is approved, and the payment record of a finished task.

Every amount comes from the pure `core.fees` (fee_lines, statements, estimate_request_fee, budget_status,
check_budget, check_budget_amount); this module only reads the store, filters by who is asking (a 使用科室 sees
only its own department's tasks, compared ignoring whitespace) and writes the results. A profile whose rates are
set locally and not yet filled in (阳泉 第二十条(二)) never shows an amount: every call that would needs one raises
`core.fees.FeeError` saying so. Choices written down here:
- 已支付 is a fact fixed at payment time: `mark_paid` stores the amount `fee_lines` gave then, and the budget counts
  that stored amount (a later task on the same day must not move money already paid, 第十六条(三)).
- A finished (已完成) task not yet paid stays committed until it is paid — at its actual fee, computed from the days
  worked, rather than the estimate made at approval (core counts only 已审批/待补批/已抽取/已委派 as committed; here
  已完成 is handed to it as 已委派 with that fee).
- Budgets are per profile, using department and calendar year (the year the task starts); one record each.
- The Excel statement is written by XlsxWriter (services.excel_io.write_sheets_xlsx): a year of 20,000 tasks is
  ~40,000 fee lines, which openpyxl wrote in ~6 s.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from core import vocab
from core.auth import can
from core.dispatch import department_key
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.fees import (BUDGET_STATUSES, how_to_set_rates, FeeError, FeeLine, Statement, BudgetStatus, budget_status, check_budget,
                       check_budget_amount, estimate_request_fee, fee_lines, money, period_of, statement_by_department,
                       statement_by_expert, statement_by_task, to_money)
from services.context import AppContext, User
from services.excel_io import Sheet, write_sheets_xlsx
from services.settings import active_policy

REQUESTS, ASSIGNMENTS, EXPERTS, BUDGETS = "requests", "assignments", "experts", "budgets"
KINDS = {"task": "按任务", "expert": "按专家", "department": "按使用科室"}
_STATEMENTS = {"task": statement_by_task, "expert": statement_by_expert, "department": statement_by_department}
FORM_IDS = ("jc_fee_statement", "yq_fee_statement")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_norm = department_key


def _repo(ctx: AppContext, name: str):
    return ctx.store.collection(name)


def _mine(user: User | None) -> str | None:
    """The department a 使用科室 user is limited to (None: sees every department)."""
    if user is not None and user.role == vocab.ROLE_DEPARTMENT:
        return _norm(user.department)
    return None


def _require(user: User, permission: str, what: str) -> None:
    if not can(user.role, permission):
        raise PermissionDenied(f"没有{what}的权限")


# ---------------------------------------------------------------------------------------------------------------
# 标准
# ---------------------------------------------------------------------------------------------------------------
def rates_problem(policy: Any, on: date) -> str | None:
    """Why no amount can be shown under `policy` on day `on` (Chinese), or None when its rates are filled in:
    the rate version in force (or the first one, before it starts) has no daily rate — 阳泉 sets it locally."""
    fees = policy.fees
    version = fees.rate_on(on) or fees.rate_versions[0]
    if version.daily_rate is None:
        return (f"{policy.city}劳务报酬标准由本地设置，请先在政策中填写（按{fees.basis_document}，"
                f"自{version.effective_from.year}年{version.effective_from.month}月{version.effective_from.day}日起的标准）"
                f"{how_to_set_rates(policy)}")
    return None


def _require_rates(ctx: AppContext, policy: Any) -> None:
    problem = rates_problem(policy, ctx.today())
    if problem:
        raise FeeError(problem)


def rate_versions_text(policy: Any) -> list[str]:
    """Each rate version of the profile in words (for the page and the form), e.g.
    “2026年6月5日起：300.00元/人/工作日；跨市另加住宿费150.00元、伙食补助费50.00元（第十六条(一)）”."""
    out = []
    for v in policy.fees.rate_versions:
        head = f"{v.effective_from.year}年{v.effective_from.month}月{v.effective_from.day}日起："
        if v.daily_rate is None:
            out.append(head + f"由本地设置，尚未填写（{v.note or v.source}）")
            continue
        text = f"{money(v.daily_rate)}元/人/工作日"
        if v.cross_city_lodging is not None:
            text += f"；跨市另加住宿费{money(v.cross_city_lodging)}元、伙食补助费{money(v.cross_city_meals)}元"
        out.append(f"{head}{text}（{v.source}）")
    return out


# ---------------------------------------------------------------------------------------------------------------
# 报酬行与明细表
# ---------------------------------------------------------------------------------------------------------------
def _policy_requests(ctx: AppContext, policy: Any) -> list[dict]:
    return _repo(ctx, REQUESTS).search(lambda r: r.get("policy_id") == policy.id)


def _all_lines(ctx: AppContext, policy: Any, reqs: list[dict]) -> list[FeeLine]:
    """The fee lines of the tasks `reqs` (all departments): the once-a-day rule (JC-F3) looks at all of an
    expert's tasks among them, whoever asked for them — `_lines_of` gives it every task that shares a day."""
    ids = {r["id"] for r in reqs}
    asgs = [a for a in _repo(ctx, ASSIGNMENTS).find_any("request_id", ids) if a.get("status") in ("已接受", "已完成")]
    if not asgs and not any(r.get("external_experts") for r in reqs):
        return []
    wanted = {a.get("expert_id") for a in asgs}
    exps = _repo(ctx, EXPERTS).get_many(wanted)
    return fee_lines(asgs, reqs, exps, policy)


def _iso_day(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" else None


def _lines_of(ctx: AppContext, policy: Any, wanted: list[dict]) -> list[FeeLine]:
    """The fee lines of the tasks `wanted`, computed with every task that may share a day with them and nothing
    more (issue 17: an approval, a payment or a year's statement no longer computes every task ever kept).

    Whether a day is paid (JC-F3 同日只发一项) depends only on the tasks whose worked days cover that day, earlier
    in the rule's order — never on a chain of other tasks — and an expert works only between an assignment's (or its
    request's) start and end. So the tasks needed are those with an assignment or request ending on or after the
    earliest day of `wanted` and starting on or before its latest (found by the `end` indexes). A date that is not
    ISO text anywhere among them falls back to every task of the profile."""
    if not wanted:
        return []
    ids = {r["id"] for r in wanted}
    days = [d for r in wanted for d in (r.get("start"), r.get("end"))]
    days += [d for a in _repo(ctx, ASSIGNMENTS).find_any("request_id", ids) for d in (a.get("start"), a.get("end"))
             if d is not None]
    iso = [_iso_day(d) for d in days]
    if not iso or any(d is None for d in iso):
        around = _policy_requests(ctx, policy)
    else:
        lo, hi = min(iso), max(iso)
        req_ids = {a.get("request_id") for a in _repo(ctx, ASSIGNMENTS).find_from("end", lo)
                   if not (_iso_day(a.get("start")) or "") > hi}
        req_ids |= {r["id"] for r in _repo(ctx, REQUESTS).find_from("end", lo)
                    if not (_iso_day(r.get("start")) or "") > hi}
        around = [r for r in _repo(ctx, REQUESTS).get_many(req_ids | ids) if r.get("policy_id") == policy.id]
    return [ln for ln in _all_lines(ctx, policy, around) if ln.request_id in ids]


def _requests_starting_in(ctx: AppContext, policy: Any, year: int) -> list[dict]:
    """The profile's requests whose start is in `year` (`_year_of`), by index."""
    rows = _repo(ctx, REQUESTS).find_from("start", f"{year:04d}")
    return [r for r in rows if r.get("policy_id") == policy.id and _year_of(r) == year]


def lines(ctx: AppContext, user: User, period: Any = None) -> list[FeeLine]:
    """劳务报酬行 of the active profile within `period` (a year, (start, end) or None), one per expert per task
    (JC-F1..F3, YQ-F1); a 使用科室 user gets only its own department's. FeeError when rates are missing."""
    _require(user, "view_fees", "查看劳务报酬")
    policy = active_policy(ctx)
    _require_rates(ctx, policy)
    window = period_of(period)
    if window is None:
        found = _all_lines(ctx, policy, _policy_requests(ctx, policy))
    else:  # the tasks meeting the period (a line ending in it is theirs), with what shares their days
        lo, hi = window[0].isoformat(), window[1].isoformat()
        found = _lines_of(ctx, policy, [r for r in _repo(ctx, REQUESTS).find_from("end", lo)
                                        if r.get("policy_id") == policy.id
                                        and not (_iso_day(r.get("start")) or "") > hi])
    mine = _mine(user)
    return [ln for ln in found
            if (mine is None or _norm(ln.department) == mine)
            and (window is None or window[0].isoformat() <= ln.end <= window[1].isoformat())]


def statement_from_lines(found: Iterable[FeeLine], kind: str, period: Any = None) -> Statement:
    if kind not in _STATEMENTS:
        raise ValidationError(("kind", f"汇总方式应为 {'、'.join(KINDS.values())} 之一"))
    return _STATEMENTS[kind](found, period=period)


def statement(ctx: AppContext, user: User, kind: str, period: Any = None) -> Statement:
    """劳务报酬明细表 by task / expert / department over `period` (core Statement: rows and total)."""
    return statement_from_lines(lines(ctx, user, period), kind, period)


def period_text(period: Any) -> str:
    """“2026年1月1日至2026年12月31日”, or “全部期间” for None."""
    window = period_of(period)
    if window is None:
        return "全部期间"
    a, b = window
    return f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日"


def _file_stamp(period: Any) -> str:
    window = period_of(period)
    if window is None:
        return "全部"
    a, b = window
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return f"{a.year}年"
    return f"{a:%Y%m%d}-{b:%Y%m%d}"


def statement_filename(policy: Any, kind: str, period: Any, user: User | None, ext: str) -> str:
    """File name of a statement download, e.g. 劳务报酬结算表_按任务_2026年.xlsx (a 使用科室 adds its name)."""
    from services.forms_service import safe_filename

    who = user.department if _mine(user) else ""
    parts = ["劳务报酬结算表", KINDS[kind], who, _file_stamp(period)]
    return safe_filename("_".join(p for p in parts if p)) + ext


# ---------------------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------------------
ROW_HEADERS = {"task": "使用事项（任务）", "expert": "专家", "department": "使用科室（单位）"}


def statement_xlsx_bytes(stmt: Statement, found: list[FeeLine], policy: Any, *, scope: str = "") -> bytes:
    """The statement as .xlsx: sheet “报酬明细” (one row per task/expert/department and the total), sheet
    “计算过程” (each fee line with its days, rates, rate version, amounts and working) and sheet “说明” (period,
    scope, rate versions, basis). Text stays text (never a formula), amounts are numbers shown with two decimals
    (services.excel_io.write_sheets_xlsx)."""
    head = [ROW_HEADERS[stmt.kind], "编号", "起始日期", "截止日期", "报酬行数", "专家人数", "任务数", "实际工作天数",
            "计酬天数", "劳务报酬（元）", "跨市住宿费（元）", "伙食补助费（元）", "合计（元）"]
    rows = []
    for r in stmt.rows:
        key = "" if stmt.kind == "department" else "库外" if isinstance(r.key, tuple) else str(r.key)
        rows.append([r.label, key, r.start, r.end, r.lines, r.experts, r.tasks, r.days_worked, r.days, r.labour,
                     r.lodging, r.meals, r.amount])
    t = stmt.total
    rows.append(["合计", "", t.start, t.end, t.lines, t.experts, t.tasks, t.days_worked, t.days, t.labour, t.lodging,
                 t.meals, t.amount])
    head2 = ["序号", "申请编号", "使用事项", "使用科室（单位）", "专家", "起始日期", "截止日期", "跨市", "实际工作天数",
             "计酬天数", "日标准（元）", "标准版本", "劳务报酬（元）", "跨市住宿费（元）", "伙食补助费（元）", "合计（元）",
             "计算过程", "不发放原因"]
    rows2 = []
    for n, ln in enumerate(found, start=1):
        rates = "、".join(money(p.day_rate) for p in ln.parts)
        versions = "、".join(p.rate_version for p in ln.parts)
        rows2.append([n, str(ln.request_id), ln.matter, ln.department, ln.expert_name, ln.start, ln.end,
                      "是" if ln.outside_city else "否", ln.days_worked, ln.days, rates, versions, ln.labour,
                      ln.lodging, ln.meals, ln.amount, ln.working, ln.unpaid_reason or ""])
    info = [["标题", f"{_form_title(policy)}（{KINDS[stmt.kind]}）"], ["期间", period_text(stmt.period)],
            ["范围", scope or "全部使用科室（单位）"], ["计酬单位", policy.fees.unit],
            ["标准依据", policy.fees.basis_document], ["支付", policy.fees.paid_by],
            ["说明", "每行报酬 = 计酬天数 × 当日适用的日标准（跨市另加住宿费和伙食补助费）；一行计入其截止日期所在的期间。"]]
    info += [["标准版本", text] for text in rate_versions_text(policy)]
    return write_sheets_xlsx([
        Sheet("报酬明细", head, rows, [36, 8, 12, 12, 9, 9, 8, 12, 9, 14, 16, 16, 14], money_columns=(9, 10, 11, 12),
              bold_last=True),
        Sheet("计算过程", head2, rows2, [6, 8, 30, 24, 10, 12, 12, 6, 12, 9, 12, 12, 14, 16, 16, 12, 70, 40],
              money_columns=(12, 13, 14, 15)),
        Sheet("说明", ["项目", "内容"], info, [12, 100]),
    ])


def _form_title(policy: Any) -> str:
    form_id = policy.fees.statement_form_id
    if form_id:
        try:
            return policy.form(form_id).title
        except DomainError:
            pass
    return f"{policy.city}专家劳务报酬结算表"


def statement_xlsx(ctx: AppContext, user: User, kind: str, period: Any = None) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the statement the user may see."""
    policy = active_policy(ctx)
    found = lines(ctx, user, period)
    stmt = statement_from_lines(found, kind, period)
    scope = user.department if _mine(user) else ""
    data = statement_xlsx_bytes(stmt, found, policy, scope=scope)
    from services.personal_exports import audit_personal_export  # experts' names and fees: audited

    audit_personal_export(ctx, user, "导出劳务报酬明细（Excel）", collection="experts",
                          record_ids={line.expert_id for line in found},
                          what=f"劳务报酬结算表（{KINDS[kind]}，{period_text(period)}{'，' + scope if scope else ''}）",
                          rows=len(found))
    return statement_filename(policy, kind, period, user, ".xlsx"), data


# ---------------------------------------------------------------------------------------------------------------
# Word：劳务报酬结算表
# ---------------------------------------------------------------------------------------------------------------
def statement_form(stmt: Statement, found: list[FeeLine], policy: Any, *, printed_on: date, scope: str = "",
                   prepared_by: str = "") -> bytes:
    """The 劳务报酬结算表 (.docx) of `stmt` with each line's working (forms jc_fee_statement / yq_fee_statement)."""
    import forms
    from core.forms_fees import fee_statement_context

    context = fee_statement_context(stmt, found, policy, printed_on=printed_on, scope=scope, prepared_by=prepared_by)
    return forms.render(_template(policy), context)


def _template(policy: Any) -> str:
    form_id = policy.fees.statement_form_id or ("jc_fee_statement" if policy.id.startswith("jincheng") else
                                                "yq_fee_statement")
    try:
        return policy.form(form_id).template
    except DomainError:
        return "fee_statement_劳务报酬结算表.docx"


def statement_docx(ctx: AppContext, user: User, kind: str, period: Any = None) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the 劳务报酬结算表 the user may see."""
    policy = active_policy(ctx)
    found = lines(ctx, user, period)
    stmt = statement_from_lines(found, kind, period)
    scope = user.department if _mine(user) else ""
    data = statement_form(stmt, found, policy, printed_on=ctx.today(), scope=scope, prepared_by=user.display_name)
    return statement_filename(policy, kind, period, user, ".docx"), data


# ---------------------------------------------------------------------------------------------------------------
# 预算（JC 第十八条）
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _PaidLine:
    """What core.budget_status reads of a fee line (request id and amount): here the amount stored at payment."""
    request_id: Any
    amount: Decimal


def _year_of(req: dict) -> int | None:
    start = str(req.get("start") or "")
    return int(start[:4]) if start[:4].isdigit() else None


def _is_paid(req: dict) -> bool:
    return bool(req.get("paid"))


def _for_budget(ctx: AppContext, policy: Any, reqs: list[dict]) -> list[dict]:
    """Requests as core.budget_status should see them: a finished, unpaid task stays committed (as 已委派) at its
    actual fee once it is known (the days worked are recorded), else at the estimate stored at approval."""
    finished = {r["id"] for r in reqs if r.get("status") == "已完成" and not _is_paid(r)}
    actual: dict[Any, Decimal] = {}
    if finished:
        try:
            for ln in _lines_of(ctx, policy, [r for r in reqs if r["id"] in finished]):
                if ln.request_id in finished:
                    actual[ln.request_id] = actual.get(ln.request_id, Decimal("0.00")) + ln.amount
        except FeeError:
            actual = {}
    out = []
    for r in reqs:
        if r["id"] in finished:
            r = dict(r, status="已委派", **({"estimated_fee": str(actual[r["id"]])} if r["id"] in actual else {}))
        out.append(r)
    return out


def _paid_lines(reqs: list[dict]) -> list[_PaidLine]:
    return [_PaidLine(r["id"], to_money(r["paid"].get("amount") or 0, "已支付金额")) for r in reqs if _is_paid(r)]


def budget_record(ctx: AppContext, department: str, year: int, policy_id: str | None = None) -> dict | None:
    """The budget of `department` in `year` under the profile (active one by default), or None."""
    pid = policy_id or active_policy(ctx).id
    key = _norm(department)
    found = _repo(ctx, BUDGETS).search(lambda b: b.get("policy_id") == pid and b.get("year") == year
                                       and _norm(b.get("department")) == key)
    return found[0] if found else None


def _status(ctx: AppContext, policy: Any, department: str, year: int, amount: Any, *,
            exclude_request_id: Any = None, reqs: list[dict] | None = None) -> BudgetStatus:
    reqs = _requests_starting_in(ctx, policy, year) if reqs is None else reqs
    key = _norm(department)
    mine = [r for r in reqs if _norm(r.get("department")) == key and _year_of(r) == year]
    paid = [r for r in mine if _is_paid(r)]
    return budget_status(department, year, amount, _for_budget(ctx, policy, mine), _paid_lines(paid), policy,
                         paid_request_ids=[r["id"] for r in paid], exclude_request_id=exclude_request_id)


def budget_status_of(ctx: AppContext, department: str, year: int, *, exclude_request_id: Any = None) -> BudgetStatus | None:
    """预算、已承诺、已支付、剩余 of `department` in `year` (active profile); None when no budget is set."""
    policy = active_policy(ctx)
    record = budget_record(ctx, department, year, policy.id)
    if record is None:
        return None
    return _status(ctx, policy, record["department"], year, record["amount"], exclude_request_id=exclude_request_id)


def _valid_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        try:
            year = int(str(year).strip())
        except (TypeError, ValueError):
            raise ValidationError(("year", f"年度应为四位年份，当前为“{year}”")) from None
    if not 2000 <= year <= 2100:
        raise ValidationError(("year", f"年度应在2000至2100之间，当前为{year}"))
    return year


def set_budget(ctx: AppContext, actor: User, department: str, year: Any, amount: Any, note: str = "") -> dict:
    """设置或修改某使用科室某年度的专家劳务报酬预算（manage_budgets）。金额不是数字、为负数、或低于该科室该年已承诺
    和已支付的合计 → 中文错误，不保存（JC-F4）。Returns the saved budget record."""
    _require(actor, "manage_budgets", "管理预算")
    dept = (department or "").strip()
    if not dept:
        raise ValidationError(("department", "请填写使用科室（单位）"))
    year = _valid_year(year)
    policy = active_policy(ctx)
    used = _status(ctx, policy, dept, year, 0)
    value = check_budget_amount(amount, used.committed + used.paid)
    doc = {"policy_id": policy.id, "department": dept, "year": year, "amount": str(value),
           "note": (note or "").strip()}
    existing = budget_record(ctx, dept, year, policy.id)
    repo = _repo(ctx, BUDGETS)
    if existing is None:
        new_id = repo.insert(doc, actor=actor.username, action="设置劳务报酬预算")
        return repo.get(new_id)
    return repo.update(existing["id"], {k: v for k, v in doc.items() if k != "department"},
                       actor=actor.username, action="修改劳务报酬预算")


def budgets(ctx: AppContext, year: int | None = None) -> list[dict]:
    """The active profile's budget records (of `year`, or all), by year then department."""
    pid = active_policy(ctx).id
    found = _repo(ctx, BUDGETS).search(lambda b: b.get("policy_id") == pid and (year is None or b.get("year") == year))
    return sorted(found, key=lambda b: (b["year"], b["department"]))


@dataclass(frozen=True)
class BudgetRow:
    """One department in the budget report: its status and whether a budget was set at all."""
    status: BudgetStatus
    has_budget: bool
    note: str = ""

    def to_dict(self) -> dict:
        return dict(self.status.to_dict(), has_budget=self.has_budget, note=self.note)


def budget_report(ctx: AppContext, year: int, user: User | None = None) -> list[BudgetRow]:
    """预算执行情况 for `year`: every department with a budget or with committed/paid use that year — budget,
    committed, paid and left (core.budget_status). A 使用科室 user gets only its own row."""
    policy = active_policy(ctx)
    reqs = _policy_requests(ctx, policy)
    mine = _mine(user)
    rows: dict[str, BudgetRow] = {}
    for b in budgets(ctx, year):
        if mine is not None and _norm(b["department"]) != mine:
            continue
        st = _status(ctx, policy, b["department"], year, b["amount"], reqs=reqs)
        rows[_norm(b["department"])] = BudgetRow(st, True, b.get("note") or "")
    used = {}
    for r in reqs:
        if _year_of(r) != year or _norm(r.get("department")) in rows:
            continue
        if mine is not None and _norm(r.get("department")) != mine:
            continue
        if _is_paid(r) or r.get("status") in BUDGET_STATUSES + ("已完成",):
            used.setdefault(_norm(r.get("department")), r.get("department"))
    for key, dept in used.items():
        rows[key] = BudgetRow(_status(ctx, policy, dept, year, 0, reqs=reqs), False, "未设置预算")
    return sorted(rows.values(), key=lambda r: (not r.has_budget, r.status.department))


def approval_estimate(ctx: AppContext, req: dict) -> Decimal | None:
    """The budget check when a request is approved (JC-F4, 第十八条): when the profile requires budgets, the
    estimated fee (core.estimate_request_fee: needed experts + external experts, every day of the task) must fit
    in what is left of the department's budget for the request's year — this request itself not counted again
    (补批 of an emergency already drawn). Refused with check_budget's message (how much over, or no budget).
    Returns the estimate to store on the request, or None when the profile has no budget rule (阳泉)."""
    policy = ctx.policies.get(req.get("policy_id")) or active_policy(ctx)
    if not policy.fees.budget_required:
        return None
    estimated = estimate_request_fee(req, None, policy)
    year = _year_of(req)
    record = budget_record(ctx, req.get("department") or "", year, policy.id) if year else None
    status = None
    if record is not None:
        status = _status(ctx, policy, record["department"], year, record["amount"], exclude_request_id=req["id"])
    check_budget(estimated, status)
    return estimated


# ---------------------------------------------------------------------------------------------------------------
# 支付
# ---------------------------------------------------------------------------------------------------------------
def request_fee(ctx: AppContext, request_id: int) -> Decimal:
    """The fee of one task now (sum of its fee lines; FeeError when rates are missing)."""
    req = _repo(ctx, REQUESTS).get(request_id)
    if req is None:
        raise NotFoundError(f"使用申请 {request_id} 不存在")
    policy = ctx.policies.get(req.get("policy_id")) or active_policy(ctx)
    _require_rates(ctx, policy)
    found = _lines_of(ctx, policy, [req])
    return sum((ln.amount for ln in found if ln.request_id == request_id), Decimal("0.00"))


def payable(ctx: AppContext, user: User) -> list[dict]:
    """Finished (已完成) tasks of the active profile not yet paid, each with its computed fee ("fee" as str)."""
    _require(user, "view_fees", "查看劳务报酬")
    policy = active_policy(ctx)
    mine = _mine(user)
    # finished and not paid, by index — not every task: "paid" is absent (the None key) or another empty scalar
    # until mark_paid sets it to a non-empty record
    repo = _repo(ctx, REQUESTS)
    by_paid = repo.keyed_ids("paid")
    unpaid = set(repo.keyed_ids("status").get("已完成", ())) & {i for key in (None, "", 0) for i in by_paid.get(key, ())}
    reqs = [r for r in repo.get_many(unpaid) if r.get("policy_id") == policy.id and not _is_paid(r)
            and (mine is None or _norm(r.get("department")) == mine)]
    if not reqs:
        return []
    _require_rates(ctx, policy)
    found = _lines_of(ctx, policy, reqs)
    by_request: dict[Any, Decimal] = {}
    for ln in found:
        by_request[ln.request_id] = by_request.get(ln.request_id, Decimal("0.00")) + ln.amount
    return [dict(r, fee=str(by_request.get(r["id"], Decimal("0.00")))) for r in sorted(reqs, key=lambda r: r["id"])]


def paid_tasks(ctx: AppContext, user: User) -> list[dict]:
    """Tasks of the active profile already paid (newest payment first)."""
    _require(user, "view_fees", "查看劳务报酬")
    policy = active_policy(ctx)
    mine = _mine(user)
    found = [r for r in _policy_requests(ctx, policy) if _is_paid(r)
             and (mine is None or _norm(r.get("department")) == mine)]
    return sorted(found, key=lambda r: (r["paid"].get("on") or "", r["id"]), reverse=True)


def mark_paid(ctx: AppContext, actor: User, request_id: int, voucher: str) -> dict:
    """登记已支付 (manage_budgets): a finished (已完成) task, not yet paid, gets "paid" = {on, by, amount, voucher}
    with the amount its fee lines give today; from then on the budget counts it as paid instead of committed."""
    _require(actor, "manage_budgets", "登记劳务报酬支付")
    req = _repo(ctx, REQUESTS).get(request_id)
    if req is None:
        raise NotFoundError(f"使用申请 {request_id} 不存在")
    if req.get("status") != "已完成":
        raise ValidationError(("request", f"只有已完成的任务才能登记支付，该申请当前为“{req.get('status')}”"))
    if _is_paid(req):
        raise ValidationError(("request", f"该任务已于{req['paid'].get('on')}登记支付"))
    voucher = (voucher or "").strip()
    if not voucher:
        raise ValidationError(("voucher", "请填写报销凭证号（或支付说明）"))
    amount = request_fee(ctx, request_id)
    paid = {"on": ctx.today().isoformat(), "by": actor.display_name, "amount": str(amount), "voucher": voucher}
    return _repo(ctx, REQUESTS).update(request_id, {"paid": paid}, actor=actor.username, action="登记劳务报酬支付")


# ---------------------------------------------------------------------------------------------------------------
# 模板示例（services.forms_service._extra_sample）
# ---------------------------------------------------------------------------------------------------------------
def sample_form_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict] | None:
    """(context, images) of the 劳务报酬结算表 for a trial render of the template, or None for other forms. The sample
    has a local task, a cross-city task and a public servant on own-unit work. A profile whose rates are set
    locally and not filled in (阳泉) is shown with an illustrative 示例 rate so the template can be checked; the
    app itself never prints such an amount."""
    if form_id not in FORM_IDS or policy.fees.statement_form_id != form_id:
        return None
    from core.forms_fees import fee_statement_context

    sample_policy = policy
    if rates_problem(policy, today) or any(v.daily_rate is None for v in policy.fees.rate_versions):
        changes = {}
        for i, v in enumerate(policy.fees.rate_versions):
            if v.daily_rate is None:
                changes[f"fees.rate_versions.{i}.daily_rate"] = 300
                changes[f"fees.rate_versions.{i}.cross_city_lodging"] = 150
                changes[f"fees.rate_versions.{i}.cross_city_meals"] = 50
        sample_policy = policy.variant(changes, label="示例标准")
    start = max(sample_policy.fees.rate_versions[-1].effective_from, date(today.year, 1, 1))
    d = lambda k: date.fromordinal(start.toordinal() + k).isoformat()  # noqa: E731
    reqs = [
        {"id": 1, "policy_id": policy.id, "department": "危险化学品安全监督管理科", "matter": "危险化学品企业专项检查 & <复查>",
         "outside_city": False, "start": d(0), "end": d(2), "status": "已完成"},
        {"id": 2, "policy_id": policy.id, "department": "煤矿安全监督管理科", "matter": "赴外市煤矿事故调查\n技术支持",
         "outside_city": True, "start": d(5), "end": d(6), "status": "已完成"},
    ]
    exps = [{"id": 1, "name": "张建国", "unit": "某化工设计院", "is_public_servant": False},
            {"id": 2, "name": "李明", "unit": "煤矿安全监督管理科", "is_public_servant": True},
            {"id": 3, "name": "王强", "unit": "某煤业有限公司", "is_public_servant": False}]
    asgs = [{"id": 1, "request_id": 1, "expert_id": 1, "status": "已完成", "days_worked": 2},
            {"id": 2, "request_id": 2, "expert_id": 2, "status": "已完成"},
            {"id": 3, "request_id": 2, "expert_id": 3, "status": "已完成"}]
    found = fee_lines(asgs, reqs, exps, sample_policy)
    stmt = statement_by_task(found, period=start.year)
    context = fee_statement_context(stmt, found, sample_policy, printed_on=today, scope="", prepared_by="办公室乙")
    if sample_policy is not policy:
        context["rates"] = [f"【示例标准，仅用于检查模板，不是{policy.city}的标准】{t}" for t in context["rates"]]
    return context, {}


__all__ = [
    "BUDGETS", "BudgetRow", "FORM_IDS", "KINDS", "XLSX", "approval_estimate", "budget_record", "budget_report",
    "budget_status_of", "budgets", "lines", "mark_paid", "paid_tasks", "payable", "period_text", "rate_versions_text",
    "rates_problem", "request_fee", "sample_form_context", "set_budget", "statement", "statement_docx",
    "statement_filename",
    "statement_form", "statement_from_lines", "statement_xlsx", "statement_xlsx_bytes",
]
