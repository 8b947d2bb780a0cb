"""专家本人材料 (issue 12, 专家库 detail) — the documents of ONE expert that exist in the system, each with its
builder, for the registry's detail: the application form (JC 附件2 / YQ 附表一 or 附表二, from the expert's latest
submitted application, else from the registry record of an expert registered without one), JC 附件3 廉政承诺书,
JC 附件4 条件审核意见表 once the application was scored, the 聘书 once appointed (certificate number and term on
the record), YQ 附表六 工作记录卡 of each finished task, JC 附件6 履职考核表 of each year assessed.

The forms carry the full ID number, phones and birth date, so only a role that sees full personal data
(core.masking.sees_full_personal_data: 管理员, 专家管理办公室) gets them: `documents` refuses any other role
(PermissionDenied, Chinese). Each builder writes the personal-data export line (services.personal_exports:
who, when, which expert, which form, unmasked) after the file was made and before it is handed out; a file
that cannot be recorded is not handed out. The builders are the forms' own (services.forms_service,
services.evaluations, services.assessments): the same file as from the workflow's page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from core.errors import NotFoundError, PermissionDenied
from core.forms_context import as_date, cn_date
from core.masking import sees_full_personal_data
from services.context import AppContext, User
from services.settings import require_policy

ACTION = "导出专家本人材料（Word）"
DONE = "已完成"  # services.evaluations.DONE: a finished assignment


@dataclass(frozen=True)
class ExpertDocument:
    """One downloadable document of the expert: `key` is stable and names the record it is built from (for the
    page's widget key), `title` the form in the office's words, `note` what it is made from (may be empty)."""
    key: str
    title: str
    note: str
    build: Callable[[], tuple[str, bytes]]  # (file name, .docx bytes), audited


def _require(actor: User) -> None:
    if not sees_full_personal_data(actor.role):
        raise PermissionDenied("专家本人的申报表、聘书等材料含完整的身份证号和联系电话，"
                               "只有管理员和专家管理办公室可以下载")


def _annex(policy, form_id: str | None, fallback: str) -> str:
    """The form's annex label as printed (附件2, 附表六), else `fallback`."""
    from core.forms_context import form_heading

    try:
        return form_heading(policy, form_id)[0] or fallback if form_id else fallback
    except Exception:  # a form the profile does not list: name it by its kind
        return fallback


def _audited(ctx: AppContext, actor: User, expert: dict, title: str,
             make: Callable[[], tuple[str, bytes]]) -> Callable[[], tuple[str, bytes]]:
    from services.personal_exports import audit_personal_export

    def build() -> tuple[str, bytes]:
        _require(actor)
        name, data = make()  # built first: a form that cannot be made is never recorded as handed out
        audit_personal_export(ctx, actor, ACTION, collection="experts", record_ids=[expert["id"]],
                              what=f"{title}（{expert.get('name', '')}）", rows=1)
        return name, data
    return build


def _latest_application(ctx: AppContext, expert_id: int) -> dict | None:
    found = [a for a in ctx.store.collection("applications").find("expert_id", expert_id)
             if a.get("status") == "已提交"]
    return max(found, key=lambda a: a["id"]) if found else None


def _day(value) -> str:
    """2026年6月5日 (the office's way), or "" when the value is no date."""
    d = as_date(value)
    return cn_date(d) if d else ""


def _certificate_dates(expert: dict) -> tuple[date, date] | None:
    try:
        return date.fromisoformat(expert["term_start"]), date.fromisoformat(expert["term_end"])
    except (KeyError, TypeError, ValueError):
        return None


def _appointed_on(expert: dict, start: date) -> date:
    """The day the certificate was issued: the appointment's (or the 存量 registration's) date, else the term's start."""
    for t in reversed(expert.get("transitions") or ()):
        if t.get("to") == "在库" and t.get("appointed_on"):
            try:
                return date.fromisoformat(str(t["appointed_on"])[:10])
            except ValueError:
                break
    registration = expert.get("legacy_registration")
    if isinstance(registration, dict) and registration.get("appointed_on"):
        try:
            return date.fromisoformat(str(registration["appointed_on"])[:10])
        except ValueError:
            pass
    return start


def documents(ctx: AppContext, actor: User, expert_id: int) -> list[ExpertDocument]:
    """The documents that exist for `expert_id`, in the order of the expert's career (application, review,
    appointment, work, assessment). Refused (PermissionDenied) for a role that sees masked personal data."""
    from services import assessments, evaluations, forms_service

    _require(actor)
    expert = ctx.store.collection("experts").get(int(expert_id))
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    policy = require_policy(ctx, expert.get("policy_id"))
    label = policy.taxonomy.specialty_label
    app = _latest_application(ctx, expert["id"])
    out: list[ExpertDocument] = []

    def add(key: str, title: str, note: str, make: Callable[[], tuple[str, bytes]]) -> None:
        out.append(ExpertDocument(key, title, note, _audited(ctx, actor, expert, title, make)))

    from core.forms_context import application_form_id
    from services import applications

    form_id = application_form_id(policy, (app or {}).get("kind") or expert.get("expert_kind") or "普通专家")
    add(f"application_{(app or {}).get('id', 'record')}",
        f"申报表（{_annex(policy, form_id, '申报表')}）",
        f"{_day(app.get('apply_date') or app.get('updated_at'))}提交的入库申报" if app else "本人无入库申报记录（系统外聘任或存量登记），按专家库信息填写",
        lambda: forms_service.application_form(expert, app, policy, photo=applications.photo_of(ctx, expert["id"]),
                                               specialty_label=label))
    pledge_id = getattr(policy.intake, "pledge_form_id", None)
    if pledge_id:
        add(f"pledge_{(app or {}).get('id', 'record')}", f"廉政承诺书（{_annex(policy, pledge_id, '廉政承诺书')}）",
            "随入库申报提交" if app else "按专家库信息填写，承诺日期留空",
            lambda: forms_service.pledge_form(expert, app, policy))
    if app and app.get("review") and policy.scoring is not None:
        add(f"review_sheet_{app['id']}", "条件审核意见表（附件4）",
            f"{_day(app['review'].get('reviewed_on'))}审核", lambda: forms_service.review_sheet_form(
                expert, app, policy, specialty_label=label))
    dates = _certificate_dates(expert)
    if expert.get("certificate_no") and dates:
        start, end = dates
        add(f"certificate_{expert['certificate_no']}", "聘书",
            f"聘书编号 {expert['certificate_no']}，聘期{cn_date(start)}至{cn_date(end)}",
            lambda: forms_service.certificate_form(expert, policy, expert["certificate_no"], start, end,
                                                   _appointed_on(expert, start)))
    if policy.evaluations.work_record_form_id:  # YQ 附表六, one per finished task
        annex = _annex(policy, policy.evaluations.work_record_form_id, "工作记录卡")
        returned = set(ctx.store.collection("work_records").keyed_ids("assignment_id"))
        done = sorted((a for a in ctx.store.collection("assignments").find("expert_id", expert["id"])
                       if a.get("status") == DONE), key=lambda a: (str(a.get("start") or ""), a["id"]))
        requests = {r["id"]: r for r in ctx.store.collection("requests").get_many({a["request_id"] for a in done})}
        for a in done:
            req = requests.get(a["request_id"], {})
            add(f"work_card_{a['id']}", f"工作记录卡（{annex}）",
                f"{req.get('matter', '')}（{_day(a.get('start') or req.get('start'))}）"
                + ("" if a["id"] in returned else "，尚未交回"),
                lambda a_id=a["id"]: evaluations.work_card_form(ctx, a_id))
    if policy.assessment.form_id:  # JC 附件6, one per year assessed
        annex = _annex(policy, policy.assessment.form_id, "履职考核表")
        saved = sorted((d for d in ctx.store.collection("assessments").find("expert_id", expert["id"])
                        if d.get("policy_id") == policy.id and isinstance(d.get("year"), int)), key=lambda d: d["year"])
        for record in saved:
            add(f"assessment_{record['year']}", f"{record['year']}年度履职考核表（{annex}）",
                f"{_day(record.get('assessed_on'))}考核，结论：{record.get('conclusion_label', '')}",
                lambda y=record["year"]: assessments.fj6_form(ctx, expert["id"], y))
    return out
