"""入库申报、条件审核、推荐、审定、公示、聘任 — the application path from intake to appointment.

JC (第八条): 申报(附件2、附件3) → 牵头科室条件审核(附件4) → 推荐汇总(附件5) → 拟定名单 → 领导小组会议审议 → 公示5日
→ 聘任三年. YQ (第七条): 申请(附表一/附表二) → 办公室审核(真实性、外调、能力评估) → 公示 → 安委办办公会议审定 → 下文聘任.
Each step moves the experts through services.lifecycle.transition, so every change is recorded with who, when
and why. An application is one round of one person (collection "applications"); a batch of candidates taken
through decision, notice and appointment together is a round (collection "rounds").
"""
from __future__ import annotations

import base64
from datetime import date

from core.auth import can
from core.dismissal import banned_reason
from core.eligibility import EligibilityResult, check_eligibility
from core.errors import DomainError, DuplicateError, NotFoundError, PermissionDenied, ValidationError
from core.expert import validate_expert
from core.expert_fields import EXPERT_FIELDS
from core.idcard import parse_id_number
from core.intake import check_draft, outside_window
from core.lifecycle import (Workflow, appointment_term, certificate_number, check_deletable, check_notice,
                            next_certificate_seq, notice_over, notice_window)
from core.scoring import below_pass_exception, score_sheet
from core.text import clean_text
from services import lifecycle
from services.forms_service import check_photo
from services.context import AppContext, User
from services.settings import active_policy, require_policy

APPS, ROUNDS, PHOTOS, EXPERTS, CASES = "applications", "rounds", "photos", "experts", "dismissals"
REAPPLY_STATES = ("未通过", "期满退出", "解聘")
DECLARATION_KEYS = ("forest_fire", "flood_drought", "legal_cases", "no_criminal_record", "healthy", "leadership",
                    "frontline_commander")


def _apps(ctx):
    return ctx.store.collection(APPS)


def _experts(ctx):
    return ctx.store.collection(EXPERTS)


def _rounds(ctx):
    return ctx.store.collection(ROUNDS)


def _require_office(actor: User) -> None:
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("只有专家管理办公室可以办理入库申报和审核")


def _now(ctx) -> str:
    return ctx.now().isoformat(timespec="seconds")


# --- ban list and duplicates -------------------------------------------------------------------------------
def ban_reason(ctx: AppContext, id_number: str) -> str | None:
    """Why a person may never re-enter (JC 第九条(五)–(九), 第十四条(三)), or None (X-E1)."""
    return banned_reason((id_number or "").strip().upper(), ctx.store.collection(CASES).all())


def person(ctx: AppContext, id_number: str) -> dict | None:
    number = (id_number or "").strip().upper()
    found = _experts(ctx).search(lambda d: d.get("id_number") == number) if number else []
    return found[0] if found else None


def _check_person(ctx: AppContext, id_number: str, own_expert_id: int | None = None) -> dict | None:
    """Refuse a banned person; refuse a duplicate unless it is a person who may re-apply."""
    reason = ban_reason(ctx, id_number)
    if reason:
        raise DomainError(f"该身份证号对应人员{reason}，不能申报入库")
    existing = person(ctx, id_number)
    if existing and existing["id"] != own_expert_id:
        if existing.get("state") in REAPPLY_STATES:
            return existing
        raise DuplicateError(f"身份证号已在专家库中：{existing.get('name')}（{existing.get('state')}），请打开已有记录",
                             existing["id"])
    return existing


# --- intake --------------------------------------------------------------------------------------------------
def _app_fields(app: dict, policy) -> dict:
    """The application's own fields, normalised (kind, route, pledge, special route, declarations)."""
    kind = app.get("kind") or policy.expert_kinds[0]
    if kind not in policy.expert_kinds:
        raise ValidationError(("kind", f"本政策的专家类型为：{'、'.join(policy.expert_kinds)}"))
    declarations = {k: (app.get("declarations") or {}).get(k) for k in DECLARATION_KEYS}
    special = app.get("special") if kind == "特聘专家" else None
    return {"kind": kind, "route": app.get("route") or "", "pledge_signed": bool(app.get("pledge_signed")),
            "pledge_date": app.get("pledge_date") or None, "special": special, "declarations": declarations}


def preview_eligibility(ctx: AppContext, form: dict, app: dict) -> EligibilityResult:
    """资格预审 as the user types: every rule of the active profile on today's date, nothing saved (X-E2)."""
    policy = active_policy(ctx)
    try:
        record = validate_expert(_form_only(form), policy, ctx.today())
    except ValidationError:
        record = dict(form)  # incomplete: eligibility marks what it cannot judge as 待审核
    fields = _app_fields(app, policy)
    return check_eligibility(record, policy, ctx.today(), kind=fields["kind"], declarations=fields["declarations"],
                             banned=ban_reason(ctx, form.get("id_number", "")))


def _form_only(form: dict) -> dict:
    data = {k: v for k, v in form.items() if v not in (None, "", [])}
    data["state"] = "申请中"
    return data


def save_draft(ctx: AppContext, actor: User, form: dict, app: dict, app_id: int | None = None) -> int:
    """保存草稿: an incomplete application, completed later."""
    _require_office(actor)
    policy = active_policy(ctx)
    check_draft(form, ctx.today())
    if form.get("id_number"):
        _check_person(ctx, form["id_number"])
    doc = {"policy_id": policy.id, "status": "草稿", "form": dict(form), **_app_fields(app, policy),
           "apply_date": form.get("apply_date") or ctx.today().isoformat(), "updated_at": _now(ctx)}
    if app_id is None:
        return _apps(ctx).insert(dict(doc, created_at=_now(ctx), expert_id=None), actor=actor.username,
                                 action="保存申报草稿")
    _draft(ctx, app_id)
    _apps(ctx).update(app_id, doc, actor=actor.username, action="修改申报草稿")
    return app_id


def _draft(ctx, app_id: int) -> dict:
    app = _apps(ctx).get(app_id)
    if app is None:
        raise NotFoundError(f"申报记录 {app_id} 不存在")
    if app.get("status") != "草稿":
        raise ValidationError(("status", "该申报已提交，不能再按草稿修改"))
    return app


def delete_application(ctx: AppContext, actor: User, app_id: int) -> None:
    """A draft (never filed) can be deleted; a submitted application and its review are kept for the profile's
    retention period (JC 第八条(四): 不少于五年) and only then may an admin delete them (JC-L3)."""
    app = application(ctx, app_id)
    if app.get("status") == "草稿":
        _require_office(actor)
    else:
        if not can(actor.role, "manage_settings"):
            raise PermissionDenied("只有管理员可以删除已提交的申报资料")
        check_deletable(date.fromisoformat(app["created_at"][:10]), ctx.today(), require_policy(ctx, app["policy_id"]))
    _apps(ctx).delete(app_id, actor=actor.username, action="删除申报资料" if app.get("status") != "草稿" else "删除申报草稿")


def past_retention(ctx: AppContext) -> list[dict]:
    """Submitted applications whose retention period has ended (may be deleted by an admin)."""
    from core.lifecycle import retention_until

    today = ctx.today()
    out = []
    for app in _apps(ctx).search(lambda d: d.get("status") != "草稿"):
        until = retention_until(date.fromisoformat(app["created_at"][:10]), require_policy(ctx, app["policy_id"]))
        if until is not None and today > until:
            out.append(app)
    return out


def purge_past_retention(ctx: AppContext, actor: User, *, confirmed: bool = False,
                         expected_ids: list[int] | tuple[int, ...] | None = None) -> int:
    """Delete every submitted application past its retention period; each deletion is audited. Only an admin, only
    with `confirmed`, and only the very list the admin saw (`expected_ids`): if the list has changed since, nothing
    is deleted."""
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以删除已提交的申报资料")
    if not confirmed:
        raise ValidationError(("confirm", "请先核对将删除的申报资料清单，并勾选确认后再删除"))
    found = past_retention(ctx)
    if expected_ids is None or sorted(a["id"] for a in found) != sorted(expected_ids):
        raise ValidationError(("confirm", "已过保存期的申报资料清单在您核对之后有变化，未删除任何资料。请重新核对后再确认。"))
    for app in found:
        delete_application(ctx, actor, app["id"])
    return len(found)


def drafts(ctx: AppContext) -> list[dict]:
    pid = active_policy(ctx).id
    return _apps(ctx).search(lambda d: d.get("status") == "草稿" and d.get("policy_id") == pid)


# Where each problem stands on the 入库申报 page, top to bottom: 专家类型, the expert fields in form order, then
# 承诺与声明 (the pledge), the special route's 推荐部门 and the photo. A list of problems is sorted this way.
_APP_KEYS_FIRST = ("kind", "route")
_APP_KEYS_LAST = ("pledge_signed", "pledge_date", "special", "declarations", "photo")


_FORM_ORDER = {key: n for n, key in enumerate(list(_APP_KEYS_FIRST) + [f.key for f in EXPERT_FIELDS]
                                               + list(_APP_KEYS_LAST))}


def _form_position(key: str) -> int:
    return _FORM_ORDER.get(key, len(_FORM_ORDER))


def _submission_check(ctx: AppContext, form: dict, app: dict, photo: tuple[bytes, str] | None):
    """Everything wrong with an application, found in one pass so that no check hides a later one (issue 12): the
    expert fields, the application's own fields (kind, pledge, special route), the photo, and — once the ID number
    itself is valid — the ban list and the register. Returns (fields, clean record or None, problems in form
    order, the DuplicateError of a person already in the register or None, the record of a person who may
    re-apply or None). Nothing is written."""
    policy = active_policy(ctx)
    today = ctx.today()
    errors: list[tuple[str, str]] = []
    try:
        fields = _app_fields(app, policy)
    except ValidationError as error:
        errors.extend(error.errors)
        fields = _app_fields(dict(app, kind=policy.expert_kinds[0]), policy)
    clean = None
    try:
        clean = validate_expert(_form_only(form), policy, today)
    except ValidationError as error:
        errors.extend(error.errors)
    if policy.intake.pledge_form_id and not fields["pledge_signed"]:
        errors.append(("pledge_signed", "请确认申报人已签署廉政承诺书（附件3）"))
    if fields["kind"] == "特聘专家" and not str((fields["special"] or {}).get("department") or "").strip():
        errors.append(("special", "特聘专家须由使用部门推荐，请填写推荐部门"))
    if photo:
        try:
            check_photo(photo[0])  # a real JPG/PNG that the Word forms can hold, within the size limit
        except ValidationError as error:
            errors.extend(error.errors)
    number = clean["id_number"] if clean else None
    if number is None and not any(key == "id_number" for key, _ in errors):
        try:  # the rest of the form is wrong, the ID number is not: still say if the person may not apply
            number = parse_id_number(form.get("id_number"), today=today).number
        except ValidationError:
            number = None
    duplicate, existing = None, None
    if number:
        try:
            existing = _check_person(ctx, number)
        except DuplicateError as error:
            duplicate = error
            errors.append(("id_number", error.message))
        except DomainError as error:  # on the ban list
            errors.append(("id_number", error.message))
    errors.sort(key=lambda e: _form_position(e[0]))  # stable: a field's own messages keep their order
    return fields, clean, errors, duplicate, existing


def submission_errors(ctx: AppContext, form: dict, app: dict, *, photo: tuple[bytes, str] | None = None
                      ) -> list[tuple[str, str]]:
    """What 提交申报 would refuse, every problem at once as (field key, Chinese message) in form order; [] when the
    application can be submitted. Nothing is written (the page shows the list again as the user corrects it)."""
    return _submission_check(ctx, form, app, photo)[2]


def submit(ctx: AppContext, actor: User, form: dict, app: dict, *, app_id: int | None = None,
           photo: tuple[bytes, str] | None = None) -> tuple[int, int]:
    """提交申报: the whole form validated, eligibility checked and stored, the person 申请中 (JC-I1, YQ-I1).

    Every problem is reported at once (issue 12): a ValidationError lists the fields, the pledge, the photo and a
    banned or already registered person together, in form order. A person already in the register with nothing
    else wrong is a DuplicateError carrying the existing record's id."""
    _require_office(actor)
    policy = active_policy(ctx)
    today = ctx.today()
    if app_id is not None:
        _draft(ctx, app_id)
    fields, clean, errors, duplicate, existing = _submission_check(ctx, form, app, photo)
    if duplicate is not None and len(errors) == 1:
        raise duplicate
    if errors:
        raise ValidationError(errors)
    mime = _mime(photo[0]) if photo else None
    eligibility = check_eligibility(clean, policy, today, kind=fields["kind"], declarations=fields["declarations"])
    now = _now(ctx)
    if existing is None:
        clean.update(policy_id=policy.id, is_demo=False, created_at=now, updated_at=now, state="申请中",
                     expert_kind=fields["kind"], route=fields["route"] or clean.get("route", ""))
        expert_id = _experts(ctx).insert(clean, actor=actor.username, action="入库申报", unique=("id_number",))
    else:  # a person whose term ended, who failed or was dismissed re-applies (JC 第八条(三))
        expert_id = existing["id"]
        updates = {k: v for k, v in clean.items() if k not in ("state", "id", "transitions")}
        lifecycle.transition(ctx, actor, expert_id, "申请中", "重新申请入库", extra=dict(updates, policy_id=policy.id),
                             workflow=Workflow.APPLICATION)
    doc = {"policy_id": policy.id, "status": "已提交", "expert_id": expert_id, **fields,
           "apply_date": clean.get("apply_date") or today.isoformat(),
           "outside_window": outside_window(policy, date.fromisoformat(clean.get("apply_date") or today.isoformat())),
           "eligibility": eligibility.to_dict(), "overrides": {}, "review": None, "has_photo": bool(mime),
           "form": None, "updated_at": now}
    if app_id is None:
        app_id = _apps(ctx).insert(dict(doc, created_at=now), actor=actor.username, action="提交入库申报")
    else:
        _apps(ctx).update(app_id, doc, actor=actor.username, action="提交入库申报")
    if photo:
        _save_photo(ctx, actor, expert_id, photo[0], mime)
    return expert_id, app_id


def _mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def _save_photo(ctx, actor, expert_id: int, data: bytes, mime: str) -> None:
    repo = ctx.store.collection(PHOTOS, redact=("data",))
    doc = {"expert_id": expert_id, "mime": mime, "data": base64.b64encode(data).decode("ascii")}
    old = repo.search(lambda d: d.get("expert_id") == expert_id)
    if old:
        repo.update(old[0]["id"], doc, actor=actor.username, action="更换照片")
    else:
        repo.insert(doc, actor=actor.username, action="上传照片")


def photo_of(ctx: AppContext, expert_id: int) -> bytes | None:
    found = ctx.store.collection(PHOTOS).search(lambda d: d.get("expert_id") == expert_id)
    return base64.b64decode(found[0]["data"]) if found else None


# --- reading -------------------------------------------------------------------------------------------------
def application(ctx: AppContext, app_id: int) -> dict:
    app = _apps(ctx).get(app_id)
    if app is None:
        raise NotFoundError(f"申报记录 {app_id} 不存在")
    return app


def with_experts(ctx: AppContext, apps: list[dict]) -> list[tuple[dict, dict]]:
    experts = {e["id"]: e for e in _experts(ctx).all()}
    return [(experts[a["expert_id"]], a) for a in apps if a.get("expert_id") in experts]


def submitted(ctx: AppContext, *, state: str | tuple[str, ...] = "申请中") -> list[tuple[dict, dict]]:
    """The latest submitted application of each person now in `state` (e.g. 申请中 = waiting for review)."""
    states = (state,) if isinstance(state, str) else state
    pid = active_policy(ctx).id
    latest: dict[int, dict] = {}
    for a in _apps(ctx).search(lambda d: d.get("policy_id") == pid and d.get("status") == "已提交"):
        latest[a["expert_id"]] = a  # ids grow, so the last one wins
    return [(e, a) for e, a in with_experts(ctx, list(latest.values())) if e.get("state") in states]


# --- eligibility overrides and declarations -------------------------------------------------------------------
def _recheck(ctx, app: dict, overrides: dict, declarations: dict) -> dict:
    expert = _experts(ctx).get(app["expert_id"])
    policy = require_policy(ctx, app["policy_id"])
    result = check_eligibility(expert, policy, ctx.today(), kind=app.get("kind", "普通专家"),
                               declarations=declarations, overrides={k: v["reason"] for k, v in overrides.items()},
                               banned=ban_reason(ctx, expert.get("id_number", "")))
    return result.to_dict()


def override_rule(ctx: AppContext, actor: User, app_id: int, rule_id: str, reason: str) -> dict:
    """放宽条件 (JC 第七条(四)(六)): an explicit override with a reason, in the audit log (JC-E3)."""
    _require_office(actor)
    if not (reason or "").strip():
        raise ValidationError(("reason", "放宽条件须填写理由"))
    app = application(ctx, app_id)
    overrides = dict(app.get("overrides") or {})
    overrides[rule_id] = {"reason": reason.strip(), "by": actor.username, "at": _now(ctx)}
    eligibility = _recheck(ctx, app, overrides, app.get("declarations") or {})
    return _apps(ctx).update(app_id, {"overrides": overrides, "eligibility": eligibility}, actor=actor.username,
                             action=f"放宽条件：{rule_id}")


def confirm_declarations(ctx: AppContext, actor: User, app_id: int, declarations: dict) -> dict:
    """核实 the applicant's statements (experience, health, record) and check eligibility again."""
    _require_office(actor)
    app = application(ctx, app_id)
    merged = dict(app.get("declarations") or {}, **{k: v for k, v in declarations.items() if k in DECLARATION_KEYS})
    eligibility = _recheck(ctx, app, app.get("overrides") or {}, merged)
    return _apps(ctx).update(app_id, {"declarations": merged, "eligibility": eligibility}, actor=actor.username,
                             action="核实申报声明")


# --- review (条件审核) ----------------------------------------------------------------------------------------
def _reviewable(ctx, app_id: int) -> tuple[dict, dict]:
    app = application(ctx, app_id)
    expert = _experts(ctx).get(app["expert_id"])
    if expert is None or expert.get("state") != "申请中":
        raise ValidationError(("state", "只有“申请中”的申报可以审核"))
    return app, expert


OPINION_MAX, REMARK_MAX = 1000, 200


def _review_texts(opinion: str, remarks: dict | None) -> tuple[str, dict]:
    """审核意见 (required, multi-line, ≤1000) and the per-item 备注 (≤200 each), cleaned; keys are checked by
    score_sheet."""
    errors: list[tuple[str, str]] = []
    clean_opinion, clean_remarks = "", {}
    try:
        clean_opinion = clean_text(opinion, field_label="审核意见", max_len=OPINION_MAX, multiline=True,
                                   required=True, field_key="opinion")
    except ValidationError as e:
        errors.extend(e.errors)
    if remarks is not None and not isinstance(remarks, dict):
        errors.append(("remarks", "备注格式不正确"))
        remarks = None
    for key, value in (remarks or {}).items():
        try:
            clean_remarks[key] = clean_text(value, field_label="备注", max_len=REMARK_MAX, field_key=str(key))
        except ValidationError as e:
            errors.extend(e.errors)
    if errors:
        raise ValidationError(errors)
    return clean_opinion, clean_remarks


def review_scored(ctx: AppContext, actor: User, app_id: int, *, manual: dict, bonuses: dict | None = None,
                  remarks: dict | None = None, opinion: str = "", exception: dict | None = None) -> dict:
    """JC 附件4 条件审核: derived and entered points, pass mark 70; passes only an eligible applicant (JC-A1, JC-A2).

    Below the mark the applicant fails, unless the profile's mark is a guideline (“原则上低于70分不予审核通过”)
    and `exception` = {reason, approved_by, approved_on} records the written reason and the approval of the
    person the profile names (JC 分管领导): then the applicant passes, the exception is kept on the review record
    (and so in the audit log) and printed on 附件4. An exception for a total that reaches the mark, under a
    strict mark, or for an ineligible applicant is refused, and nothing is written."""
    _require_office(actor)
    app, expert = _reviewable(ctx, app_id)
    policy = require_policy(ctx, app["policy_id"])
    try:
        opinion, remarks = _review_texts(opinion, remarks)
    except ValidationError as text_errors:  # report the score sheet's problems in the same message
        try:
            score_sheet(expert, policy, manual=manual, bonuses=bonuses or {})
        except ValidationError as sheet_errors:
            raise ValidationError(sheet_errors.errors + text_errors.errors) from None
        raise
    sheet = score_sheet(expert, policy, manual=manual, bonuses=bonuses or {}, remarks=remarks)
    eligible = EligibilityResult.from_dict(app["eligibility"]).status == "符合"
    applied = app.get("apply_date")
    granted = below_pass_exception(sheet, policy, exception, today=ctx.today(),
                                   not_before=date.fromisoformat(applied) if applied else None)
    if granted is not None and not eligible:
        raise ValidationError(("exception", "资格条件不符合，不能以低于分数线例外通过的方式审核通过"))
    review = {"manual": dict(manual), "bonuses": dict(bonuses or {}), "sheet": sheet.to_dict(),
              "opinion": opinion, "reviewer": actor.display_name, "reviewed_on": ctx.today().isoformat(),
              "exception": granted.to_dict() if granted else None}
    _apps(ctx).update(app_id, {"review": review}, actor=actor.username,
                      action=f"条件审核评分（低于{sheet.pass_mark}分例外通过）" if granted else "条件审核评分")
    if granted is not None:
        lifecycle.transition(ctx, actor, expert["id"], "已审核",
                             f"条件审核得分{sheet.total}分，低于{sheet.pass_mark}分，经{granted.approver_role}"
                             f"{granted.approved_by}批准例外通过：{granted.reason}", workflow=Workflow.REVIEW)
    elif sheet.passed and eligible:
        lifecycle.transition(ctx, actor, expert["id"], "已审核", f"条件审核得分{sheet.total}分，审核通过",
                             workflow=Workflow.REVIEW)
    elif not eligible:
        lifecycle.transition(ctx, actor, expert["id"], "未通过", "资格条件不符合，审核不予通过", workflow=Workflow.REVIEW)
    else:
        lifecycle.transition(ctx, actor, expert["id"], "未通过",
                             f"条件审核得分{sheet.total}分，低于{sheet.pass_mark}分，不予审核通过",
                             workflow=Workflow.REVIEW)
    return review


REVIEW_CHECKS = (("materials_authentic", "查验申请资料的真实性"), ("background_checked", "对以往工作情况进行外调核实"),
                 ("capability_assessed", "对专业技术能力进行综合评估"))


def review_checked(ctx: AppContext, actor: User, app_id: int, *, checks: dict, opinion: str, result: str) -> dict:
    """YQ 第七条(二) 三项审核 with a written opinion and a result (YQ-A1)."""
    _require_office(actor)
    app, expert = _reviewable(ctx, app_id)
    errors = []
    if result not in ("通过", "不通过"):
        errors.append(("result", "请选择审核结论"))
    if not (opinion or "").strip():
        errors.append(("opinion", "请填写审核意见"))
    if result == "通过":
        missing = [label for key, label in REVIEW_CHECKS if not checks.get(key)]
        if missing:
            errors.append(("checks", f"审核通过前须完成：{'、'.join(missing)}"))
        if EligibilityResult.from_dict(app["eligibility"]).status != "符合":
            errors.append(("eligibility", "资格条件尚未全部符合，不能审核通过"))
    if errors:
        raise ValidationError(errors)
    review = {"checks": {k: bool(checks.get(k)) for k, _ in REVIEW_CHECKS}, "opinion": opinion.strip(),
              "result": result, "reviewer": actor.display_name, "reviewed_on": ctx.today().isoformat()}
    _apps(ctx).update(app_id, {"review": review}, actor=actor.username, action="办公室审核")
    lifecycle.transition(ctx, actor, expert["id"], "已审核" if result == "通过" else "未通过",
                         f"办公室审核{result}：{opinion.strip()}", workflow=Workflow.REVIEW)
    return review


# --- recommendation, rounds, decision, notice, appointment ---------------------------------------------------
def uses_recommendation(policy) -> bool:
    """JC has 推荐汇总 (附件5) between review and the draft list; YQ goes from review to notice."""
    from core.lifecycle import allowed_next
    return "已推荐" in allowed_next("已审核", policy)


def recommend(ctx: AppContext, actor: User, expert_ids: list[int]) -> int:
    """推荐 (JC 附件5): reviewed candidates put forward by their lead department."""
    _require_office(actor)
    for expert_id in expert_ids:
        lifecycle.transition(ctx, actor, expert_id, "已推荐", "列入推荐汇总表（附件5）", workflow=Workflow.APPOINTMENT)
    return len(expert_ids)


def by_lead_office(ctx: AppContext, state: str = "已推荐") -> dict[str, list[tuple[dict, dict]]]:
    """Candidates grouped by the lead office of their first specialty's sector (附件5 填报科室)."""
    policy = active_policy(ctx)
    groups: dict[str, list[tuple[dict, dict]]] = {}
    for expert, app in submitted(ctx, state=state):
        codes = expert.get("specialties") or []
        office = policy.taxonomy.sector_of(codes[0]).lead_office if codes else "未分类"
        groups.setdefault(office or "未分类", []).append((expert, app))
    return groups


def open_round(ctx: AppContext, actor: User, expert_ids: list[int], name: str) -> int:
    """拟定名单 (JC: from 已推荐) or the YQ notice list (from 已审核): a round taken through decision and notice."""
    _require_office(actor)
    policy = active_policy(ctx)
    if not expert_ids:
        raise ValidationError(("members", "请至少选择一名候选人"))
    source = "已推荐" if uses_recommendation(policy) else "已审核"
    experts = {e["id"]: e for e in _experts(ctx).all()}
    wrong = [experts[i]["name"] for i in expert_ids if i in experts and experts[i].get("state") != source]
    if wrong:
        raise ValidationError(("members", f"只有“{source}”的候选人可以列入名单：{'、'.join(wrong)}"))
    round_id = _rounds(ctx).insert({"policy_id": policy.id, "name": name.strip() or f"{ctx.today().year}年度",
                                    "members": list(expert_ids), "meeting": None, "notice": None, "objections": [],
                                    "appointed_on": None, "created_at": _now(ctx)},
                                   actor=actor.username, action="建立拟定名单")
    if uses_recommendation(policy):
        for expert_id in expert_ids:
            lifecycle.transition(ctx, actor, expert_id, "拟定", "列入专家库拟定名单", workflow=Workflow.APPOINTMENT)
    return round_id


def rounds(ctx: AppContext) -> list[dict]:
    pid = active_policy(ctx).id
    return sorted(_rounds(ctx).search(lambda d: d.get("policy_id") == pid), key=lambda r: -r["id"])


def round_members(ctx: AppContext, round_id: int) -> list[dict]:
    rnd = _round(ctx, round_id)
    experts = {e["id"]: e for e in _experts(ctx).all()}
    return [experts[i] for i in rnd["members"] if i in experts]


def round_rows(ctx: AppContext, round_id: int) -> list[tuple[dict, dict]]:
    """(expert, latest submitted application) of each member of a round, in list order."""
    members = round_members(ctx, round_id)
    latest: dict[int, dict] = {}
    for a in _apps(ctx).search(lambda d: d.get("status") == "已提交" and d.get("expert_id") in
                               {m["id"] for m in members}):
        latest[a["expert_id"]] = a
    return [(m, latest.get(m["id"], {})) for m in members]


def photos_of(ctx: AppContext, expert_ids) -> dict[int, bytes]:
    wanted = set(expert_ids)
    found = ctx.store.collection(PHOTOS).search(lambda d: d.get("expert_id") in wanted)
    return {d["expert_id"]: base64.b64decode(d["data"]) for d in found}


def _round(ctx, round_id: int) -> dict:
    rnd = _rounds(ctx).get(round_id)
    if rnd is None:
        raise NotFoundError(f"名单 {round_id} 不存在")
    return rnd


def record_meeting(ctx: AppContext, actor: User, round_id: int, *, meeting_date: date | None,
                   decisions: dict[int, bool], note: str = "") -> dict:
    """领导小组会议审议 (JC) / 安委办办公会议审定 (YQ): the meeting date and a decision per person."""
    _require_office(actor)
    if meeting_date is None:
        raise ValidationError(("meeting_date", "请填写会议日期"))
    rnd = _round(ctx, round_id)
    policy = require_policy(ctx, rnd["policy_id"])
    jc = uses_recommendation(policy)
    expected = "拟定" if jc else "公示中"
    if not jc and not (rnd.get("notice") and notice_over(date.fromisoformat(rnd["notice"]["end"]), meeting_date)):
        raise ValidationError(("meeting_date", "公示期满无异议后，方可提交办公会议审定"))
    members = {e["id"]: e for e in round_members(ctx, round_id)}
    for expert_id, approved in decisions.items():
        if members[expert_id].get("state") != expected:
            continue
        if approved and not jc:
            lifecycle.transition(ctx, actor, expert_id, "拟定", f"{meeting_date}办公会议审定通过",
                                     workflow=Workflow.APPOINTMENT)
        elif not approved:
            lifecycle.transition(ctx, actor, expert_id, "未通过", f"{meeting_date}会议审议未通过",
                                     workflow=Workflow.APPOINTMENT)
    meeting = {"date": meeting_date.isoformat(), "decisions": {str(k): bool(v) for k, v in decisions.items()},
               "note": note.strip()}
    return _rounds(ctx).update(round_id, {"meeting": meeting}, actor=actor.username, action="记录会议审议结果")


def start_notice(ctx: AppContext, actor: User, round_id: int, *, start: date | None, end: date | None = None) -> dict:
    """公示: runs the profile's number of days (JC-L1: 5日); start and end recorded."""
    _require_office(actor)
    rnd = _round(ctx, round_id)
    policy = require_policy(ctx, rnd["policy_id"])
    if start is None:
        raise ValidationError(("notice_start", "请填写公示开始日期"))
    start, default_end = notice_window(start, policy)
    end = end or default_end
    check_notice(start, end, policy)
    jc = uses_recommendation(policy)
    if jc and not rnd.get("meeting"):
        raise ValidationError(("meeting", "拟定名单须经领导小组会议审议通过后方可公示"))
    for expert in round_members(ctx, round_id):
        if expert.get("state") == ("拟定" if jc else "已审核"):
            lifecycle.transition(ctx, actor, expert["id"], "公示中", f"公示{start}至{end}", workflow=Workflow.APPOINTMENT)
    notice = {"start": start.isoformat(), "end": end.isoformat()}
    return _rounds(ctx).update(round_id, {"notice": notice}, actor=actor.username, action="开始公示")


def add_objection(ctx: AppContext, actor: User, round_id: int, expert_id: int, text: str) -> dict:
    _require_office(actor)
    if not (text or "").strip():
        raise ValidationError(("objection", "请填写异议内容"))
    rnd = _round(ctx, round_id)
    objection = {"expert_id": expert_id, "text": text.strip(), "raised_on": ctx.today().isoformat(),
                 "resolved": False, "upheld": None, "note": ""}
    return _rounds(ctx).update(round_id, {"objections": rnd["objections"] + [objection]}, actor=actor.username,
                               action="记录公示异议")


def resolve_objection(ctx: AppContext, actor: User, round_id: int, index: int, *, upheld: bool, note: str) -> dict:
    """An objection found true removes the candidate (未通过); one found untrue lets them continue."""
    _require_office(actor)
    if not (note or "").strip():
        raise ValidationError(("note", "请填写异议核查结论"))
    rnd = _round(ctx, round_id)
    objections = [dict(o) for o in rnd["objections"]]
    objections[index].update(resolved=True, upheld=upheld, note=note.strip())
    if upheld:
        lifecycle.transition(ctx, actor, objections[index]["expert_id"], "未通过", f"公示异议经核查属实：{note.strip()}",
                             workflow=Workflow.APPOINTMENT)
    return _rounds(ctx).update(round_id, {"objections": objections}, actor=actor.username, action="处理公示异议")


def appoint(ctx: AppContext, actor: User, round_id: int, *, appointed_on: date | None) -> int:
    """聘任: certificate number and a term of the profile's years, after the notice ran without open objections."""
    _require_office(actor)
    if appointed_on is None:
        raise ValidationError(("appointed_on", "请填写聘任日期"))
    rnd = _round(ctx, round_id)
    policy = require_policy(ctx, rnd["policy_id"])
    jc = uses_recommendation(policy)
    if not rnd.get("notice") or not notice_over(date.fromisoformat(rnd["notice"]["end"]), appointed_on):
        raise ValidationError(("appointed_on", "公示期满后方可聘任"))
    if any(not o["resolved"] for o in rnd["objections"]):
        raise ValidationError(("objections", "还有未处理的公示异议"))
    ready = "公示中" if jc else "拟定"
    members = [e for e in round_members(ctx, round_id) if e.get("state") == ready]
    if not members:
        raise ValidationError(("members", f"名单中没有可聘任的人员（须为“{ready}”）"))
    start, end = appointment_term(appointed_on, policy)
    seq = _next_certificate_seq(ctx, policy, appointed_on.year)
    for expert in members:
        lifecycle.transition(ctx, actor, expert["id"], "在库", f"{appointed_on}聘任，聘期{start}至{end}",
                             extra={"term_start": start.isoformat(), "term_end": end.isoformat(),
                                    "certificate_no": certificate_number(policy, appointed_on.year, seq)},
                             workflow=Workflow.APPOINTMENT)
        seq += 1
    _rounds(ctx).update(round_id, {"appointed_on": appointed_on.isoformat()}, actor=actor.username, action="聘任")
    return len(members)


def _next_certificate_seq(ctx, policy, year: int) -> int:
    """The next sequence number of `year` after every certificate already issued (numbers are never reused)."""
    return next_certificate_seq((e.get("certificate_no") or "" for e in _experts(ctx).all()), policy, year)
