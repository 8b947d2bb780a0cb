"""政策推演 — apply a saved variant, or the other city's profile, to the active profile's real pool and history
and report the impact side by side (X-P3); download it as Excel and as the Word briefing 政策调整影响分析.

Reads only: the experts, applications, requests, assignments, evaluations and dismissal cases of the active
profile are gathered, `core.impact.impact` decides, and nothing is ever written — not a record, not an audit
line (a test compares every file of the store before and after). The comparison is one of
`services.policy_variants.profile_choices` other than the active profile itself (a base profile id, or
"variant:<id>"). What changed between the two profiles comes from `core.policy_edit.diff`.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import forms
from core.auth import can
from core.dismissal import banned_reason
from core.errors import DomainError, PermissionDenied, ValidationError
from core.fees import period_of
from core.impact import ImpactReport, briefing_context, impact
from core.policy import Policy
from core.policy_edit import DiffRow, diff
from services import policy_variants
from services.context import AppContext, User
from services.settings import active_policy

TEMPLATE = "impact_briefing_政策调整影响分析.docx"
TITLE = "政策调整影响分析"
PERMISSION = "make_variants"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class ImpactResult:
    """One what-if: the report, what the comparison is, and the parameters that differ (diff rows)."""
    report: ImpactReport
    base_id: str                    # the active profile the report was made for
    comparison: str                 # the choice key: a profile id or "variant:<id>"
    comparison_label: str           # “变体：年龄65（基于 阳泉市 2024）”
    changes: tuple[DiffRow, ...]
    period: tuple[date, date] | None


def _require(actor: User) -> None:
    if not can(actor.role, PERMISSION):
        raise PermissionDenied("只有专家管理办公室、管理员和领导可以进行政策推演")


def comparison_choices(ctx: AppContext) -> dict[str, str]:
    """What the active profile can be compared with: the other base profiles and every saved variant."""
    active = active_policy(ctx).id
    return {k: v for k, v in policy_variants.profile_choices(ctx).items() if k != active}


def _records(ctx: AppContext, name: str, policy_id: str) -> list[dict]:
    return ctx.store.collection(name).search(lambda d: d.get("policy_id") == policy_id)


def gather(ctx: AppContext) -> dict[str, Any]:
    """The active profile's records for `core.impact.impact` (read only)."""
    pid = active_policy(ctx).id
    experts = _records(ctx, "experts", pid)
    applications = _records(ctx, "applications", pid)
    requests = _records(ctx, "requests", pid)
    ids = {r["id"] for r in requests}
    assignments = ctx.store.collection("assignments").search(lambda d: d.get("request_id") in ids)
    evaluations = _records(ctx, "evaluations", pid)
    declarations: dict[Any, dict] = {}
    for a in sorted(applications, key=lambda a: a["id"]):  # the latest application of a person wins
        if a.get("status") == "已提交" and a.get("declarations"):
            declarations[a.get("expert_id")] = a["declarations"]
    cases = ctx.store.collection("dismissals").all()
    banned: dict[Any, str] = {}
    if cases:
        by_id = {e["id"]: e for e in experts}
        for a in applications:
            e = by_id.get(a.get("expert_id"))
            reason = banned_reason(e.get("id_number", ""), cases) if e else None
            if reason:
                banned[e["id"]] = reason
    return {"pool": experts, "applications": applications, "requests": requests, "assignments": assignments,
            "evaluations": evaluations, "declarations": declarations, "banned": banned}


def default_period(ctx: AppContext) -> tuple[date, date]:
    """The current year so far: 1 January to today."""
    today = ctx.today()
    return date(today.year, 1, 1), today


def compute(ctx: AppContext, actor: User, comparison: str, *, period: Any = None) -> ImpactResult:
    """The impact of `comparison` (a key of `comparison_choices`) on the active profile's records; writes nothing."""
    _require(actor)
    choices = comparison_choices(ctx)
    if comparison not in choices:
        raise ValidationError(("comparison", "请选择要比较的政策变体或另一城市的策略"))
    window = period_of(period if period is not None else default_period(ctx))
    base = active_policy(ctx)
    other = policy_variants.resolve(ctx, comparison)
    label = choices[comparison]
    report = impact(base, other, **gather(ctx), today=ctx.today(), period=window,
                    base_name=f"现行：{base.short_name}", other_name=f"推演：{label}")
    return ImpactResult(report, base.id, comparison, label, tuple(diff(base, other)), window)


# ---------------------------------------------------------------------------------------------------------------
# 下载：Word 简报与 Excel
# ---------------------------------------------------------------------------------------------------------------
def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip() or TITLE


def _file_stem(result: ImpactResult, today: date) -> str:
    return _safe(f"{TITLE}_{result.comparison_label}_{today:%Y%m%d}")


def file_name(ctx: AppContext, result: ImpactResult, extension: str) -> str:
    """“政策调整影响分析_<比较对象>_<日期>.docx / .xlsx” (the names `briefing` and `excel` hand back)."""
    return f"{_file_stem(result, ctx.today())}.{extension.lstrip('.')}"


MAX_CHANGE_ROWS = 300


def _change_rows(changes: tuple[DiffRow, ...]) -> list[dict]:
    rows = [{"label": c.label, "old": c.old, "new": c.new} for c in changes[:MAX_CHANGE_ROWS]]
    if len(changes) > MAX_CHANGE_ROWS:
        rows.append({"label": f"另有 {len(changes) - MAX_CHANGE_ROWS} 处不同（见 Excel“参数变化”）", "old": "", "new": ""})
    return rows


def briefing(ctx: AppContext, actor: User, result: ImpactResult) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the Word briefing 政策调整影响分析. Raises forms.FormError."""
    _require(actor)
    context = briefing_context(result.report, changes=_change_rows(result.changes), author=actor.display_name,
                               made_on=ctx.today(), comparison_note=result.comparison_label)
    return file_name(ctx, result, "docx"), forms.render(TEMPLATE, context)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def _sheet(book, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    ws = book.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # user text such as “=1+1” stays text, never a live formula
            if isinstance(c.value, float):
                c.number_format = "#,##0.00"
    for i, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200]]) + 2
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, max(8, width * 1.6))
    ws.freeze_panes = "A2"


def excel(ctx: AppContext, actor: User, result: ImpactResult) -> tuple[str, bytes]:
    """(file name, .xlsx bytes): one sheet per part — 摘要, 参数变化, 资格变化, 专业无法对应, 行业领域人数, 申报变化,
    后果变化, 劳务报酬."""
    from openpyxl import Workbook

    _require(actor)
    r = result.report
    book = Workbook()
    book.remove(book.active)
    period = "不限" if result.period is None else f"{result.period[0]} 至 {result.period[1]}"
    summary = [["现行策略", r.base_name], ["推演", r.other_name], ["数据日期", r.today.isoformat()],
               ["报酬期间", period], ["制作人", actor.display_name], ["制作日期", ctx.today().isoformat()]]
    summary += [[k, v] for k, v in r.summary] + [["说明", n] for n in r.notes]
    _sheet(book, "摘要", ["项目", "数值"], summary)
    _sheet(book, "参数变化", ["参数", "字段路径", "现行", "推演"], [[c.label, c.path, c.old, c.new] for c in result.changes])
    _sheet(book, "资格变化", ["姓名", "状态", "变化", "现行结论", "现行理由", "推演结论", "推演理由", "说明"],
           [[f.name, f.state, f.direction, f.base_status, "；".join(f.base_reasons), f.other_status,
             "；".join(f.other_reasons), f.note] for f in r.eligibility])
    _sheet(book, "专业无法对应", ["姓名", "找不到对应的专业"], [[u.name, "、".join(u.codes)] for u in r.unmapped])
    _sheet(book, "行业领域人数", ["行业领域", "现行人数", "现行上限", "现行状态", "推演人数", "推演上限", "推演状态", "变化"],
           [[q.label, q.base.count if q.base else None, q.base.limit_max if q.base else None, q.base_status,
             q.other.count if q.other else None, q.other.limit_max if q.other else None, q.other_status, q.change]
            for q in r.quota])
    _sheet(book, "申报变化", ["姓名", "申报日期", "变化", "现行得分", "现行结论", "推演得分", "推演结论"],
           [[a.name, a.apply_date, a.change, a.base.score, a.base.text, a.other.score, a.other.text]
            for a in r.applications])
    _sheet(book, "后果变化", ["姓名", "类别", "变化", "现行", "推演"],
           [[c.name, c.kind, c.change, c.base_text, c.other_text] for c in r.consequences])
    fees = r.fees
    fee_rows = [[d.department, d.base, d.other, d.difference] for d in fees.rows]
    fee_rows.append(["合计", fees.base.total, fees.other.total, fees.difference])
    for name, side in ((r.base_name, fees.base), (r.other_name, fees.other)):
        if not side.available:
            fee_rows.append([f"{name}：无法计算", side.message, None, None])
    _sheet(book, "劳务报酬", ["使用科室", "现行（元）", "推演（元）", "增减（元）"], fee_rows)
    out = io.BytesIO()
    book.save(out)
    from services.personal_exports import audit_personal_export  # names and eligibility of experts: audited

    people = {x.expert_id for part in (r.eligibility, r.unmapped, r.applications, r.consequences) for x in part}
    audit_personal_export(ctx, actor, "导出政策推演明细（Excel）", collection="experts", record_ids=people,
                          what=f"政策推演明细：{r.base_name} ↔ {r.other_name}", rows=len(people))
    return file_name(ctx, result, "xlsx"), out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# 模板样例（给模板检查用：services.forms_service 的 EXTRA_SAMPLE_MODULES）
# ---------------------------------------------------------------------------------------------------------------
def sample_form_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict] | None:
    """(context, images) of the briefing for a profile form whose template is the briefing; else None."""
    spec = next((f for f in getattr(policy, "forms", ()) if f.id == form_id), None)
    if spec is None or spec.template != TEMPLATE:
        return None
    return sample_briefing_context(policy, today), {}


def sample_briefing_context(policy: Policy, today: date) -> dict:
    """The briefing of a small hand-made pool against a variant with the first age cap five years higher."""
    first = policy.eligibility.age_limits[0]
    other = policy.variant({"eligibility.age_limits.0.max_age": first.max_age + 5})
    gender = first.gender or "男"
    birth = date(today.year - first.max_age - 2, 1, 1)
    code = policy.taxonomy.all_specialty_codes()[0]
    pool = [{"id": 1, "name": "张建国 & <李>", "gender": gender, "birth_date": birth.isoformat(), "state": "在库",
             "expert_kind": first.kind, "education": "本科", "title_level": "副高级", "years_in_field": 20,
             "specialties": [code]}]
    try:
        report = impact(policy, other, pool=pool, today=today, period=today.year,
                        base_name=f"现行：{policy.short_name}", other_name="推演：年龄上限提高五岁")
    except DomainError:  # pragma: no cover - a profile the sample cannot vary
        report = impact(policy, policy, pool=pool, today=today, base_name=policy.short_name,
                        other_name=policy.short_name)
    changes = [{"label": r.label, "old": r.old, "new": r.new} for r in diff(policy, other)]
    return briefing_context(report, changes=changes, author="办公室乙", made_on=today,
                            comparison_note="样例：年龄上限提高五岁")
