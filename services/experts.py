"""专家库 — the expert registry use cases: list and filter, detail with audit history, create and edit with
validation, pool counts against the caps, Excel export and all-or-nothing import, and the demo pool.

Records carry the `policy_id` they were made under; the registry shows the records of the active profile.
ID numbers and phones are masked for roles that do not need them (使用科室, 领导), and for them the birth date
shows as its year only — on screen, in the history, in the Excel export (core.masking.view_for, the one rule).
Every Excel export of personal data is audited: who, when, how many records, which, masked or not.
"""
from __future__ import annotations

import copy

from dataclasses import dataclass
from datetime import date

from core.auth import can
from core.errors import DuplicateError, NotFoundError, PermissionDenied, ValidationError
from core import vocab
from core.expert import parse_date, record_problems, validate_expert
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY
from core.masking import secrets_of, sees_full_personal_data, view_for
from core.lifecycle import LEGACY_KIND
from core.text import clean_text
from core.registry import (PoolSummary, RegistryFilter, filter_experts, group_role_problems, group_role_refusals,
                           pool_summary,
                           registry_row, specialty_label_or_code, terms_ending)
from services import demo as demo_pool
from services import excel_io
from services import pool_view
from services.context import AppContext, User
from services.settings import active_policy, require_policy

EXPERTS = "experts"
UNIQUE = ("id_number",)
DEMO_SEED = 2026


def _repo(ctx: AppContext):
    return ctx.store.collection(EXPERTS)


def _require(actor: User, permission: str, message: str) -> None:
    if not can(actor.role, permission):
        raise PermissionDenied(message)


def _shown(actor: User, record: dict, *, also=()) -> dict:
    """`record` as `actor` may see it (core.masking.view_for: full for the office and the admin, else masked)."""
    return view_for(actor.role, record, also=also)


def active_experts(ctx: AppContext) -> list[dict]:
    """Every well-formed record made under the active profile (see `malformed` for the others)."""
    # which records are well-formed is worked out once per version of the file (issue 17), then only copied
    return _repo(ctx).get_many(d["id"] for d in pool_view.well_formed(ctx, active_policy(ctx).id))


def expert_names(ctx: AppContext) -> dict[int, str]:
    """id → name of every well-formed record of the active profile (a page's name look-up: no record copied)."""
    pid = active_policy(ctx).id
    return dict(pool_view.shared_pool(ctx, pid).memo(
        "names", lambda: {d["id"]: d.get("name", "") for d in pool_view.well_formed(ctx, pid)}))


def _problems(doc: dict) -> list[str]:
    return record_problems(doc, vocab.EXPERT_STATES)


@dataclass(frozen=True)
class MalformedRecord:
    """A stored record that is valid JSON but not the shape of an expert: listed, never shown as a row or counted."""
    id: object
    name: str
    problems: tuple[str, ...]


def _malformed(doc: dict, problems: list[str]) -> MalformedRecord:
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    return MalformedRecord(doc.get("id"), name[:30], tuple(problems))


# --- reading ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegistryView:
    """Everything the registry page shows, from one read of the collection."""
    rows: list[dict]  # table rows of the filtered view
    records: list[dict]  # the filtered records, masked for the actor
    summary: PoolSummary  # the whole active pool against the caps
    group_problems: list[str]
    other_policies: dict[str, int]  # records kept under another profile: policy id → count
    malformed: tuple[MalformedRecord, ...] = ()  # 记录格式有误: valid JSON, wrong shape — listed, not shown


def registry_view(ctx: AppContext, actor: User, flt: RegistryFilter) -> RegistryView:
    _require(actor, "view_registry", "无权查看专家库")
    policy = active_policy(ctx)
    mine: list[dict] = []
    bad: list[MalformedRecord] = []
    others: dict[str, int] = {}
    for e in _repo(ctx).all():
        problems = _problems(e)
        if problems:
            bad.append(_malformed(e, problems))
        elif e.get("policy_id") == policy.id:
            mine.append(e)
        else:
            others[e.get("policy_id") or "?"] = others.get(e.get("policy_id") or "?", 0) + 1
    records = filter_experts(mine, flt, policy.taxonomy)
    today = ctx.today()
    return RegistryView([registry_row(e, policy.taxonomy, today) for e in records],
                        [_shown(actor, e) for e in records], pool_summary(mine, policy.taxonomy),
                        group_role_problems(mine, policy.taxonomy), others, tuple(bad))


@dataclass(frozen=True)
class HomeView:
    """What the home page shows, from one read of the collection."""
    empty: bool
    has_demo: bool
    summary: PoolSummary
    ending: list[dict]  # terms ending within the horizon, masked for the actor


def home_view(ctx: AppContext, actor: User, days: int = 90) -> HomeView:
    pid = active_policy(ctx).id
    mine = pool_view.well_formed(ctx, pid)  # shared and read-only: only the few listed are copied (issue 17)
    pool = pool_view.shared_pool(ctx, pid)
    summary = pool.memo("home_summary", lambda: pool_summary(list(mine), active_policy(ctx).taxonomy))
    ending = [copy.deepcopy(e) for e in terms_ending(list(mine), ctx.today(), days)]
    return HomeView(not mine, any(e.get("is_demo") for e in mine), summary, [_shown(actor, e) for e in ending])


def registry(ctx: AppContext, actor: User, flt: RegistryFilter) -> tuple[list[dict], list[dict]]:
    """(table rows of the filtered view, the filtered records masked for the actor)."""
    view = registry_view(ctx, actor, flt)
    return view.rows, view.records


def summary(ctx: AppContext) -> PoolSummary:
    return pool_summary(active_experts(ctx), active_policy(ctx).taxonomy)


def get_expert(ctx: AppContext, actor: User, expert_id: int) -> dict:
    _require(actor, "view_registry", "无权查看专家信息")
    doc = _repo(ctx).get(expert_id)
    if doc is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    return _shown(actor, doc)


def history(ctx: AppContext, actor: User, expert_id: int) -> list[dict]:
    """The record's audit trail, newest first: who, when, what, and each changed field old → new.

    Lines of either audit format (whole records before 2026-12, the changed fields since) are read in one shape
    through `Store.audit.changes`; a value the log keeps only as its digest (longer than any expert field may be)
    reads as such. A masked viewer sees every version masked like the record itself: ID number and phones masked,
    the birth date as its year, and the ID numbers, phones and birth dates of every version scrubbed from every
    other value; a change of a masked field whose masked sides read the same shows as 已修改（内容已隐藏）."""
    _require(actor, "view_registry", "无权查看专家信息")
    changes = list(reversed(ctx.store.audit.changes(collection=EXPERTS, record_id=expert_id)))
    masked = not sees_full_personal_data(actor.role)
    versions = [_repo(ctx).get(expert_id)] + [side for c in changes for side in (c.before(), c.after())]
    secrets = [secrets_of(*versions)] if masked else []  # every version's numbers, scrubbed from every version
    rows = []
    for change in changes:
        raw_before, raw_after = change.before(readable=True), change.after(readable=True)
        before = _shown(actor, raw_before, also=secrets)
        after = _shown(actor, raw_after, also=secrets)
        parts = []
        for field in sorted(change.fields, key=lambda f: _field_order(f.key)):
            key = field.key
            if key in ("schema_version", "updated_at", "created_at") or raw_before.get(key) == raw_after.get(key):
                continue
            label = FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else key
            if before.get(key) == after.get(key):
                parts.append(f"{label}：已修改（内容已隐藏）")
            else:
                parts.append(f"{label}：{_fmt(before.get(key))} → {_fmt(after.get(key))}")
        rows.append({"时间": change.ts, "操作人": change.actor, "操作": change.action,
                     "变更": "；".join(parts) if change.is_update or change.is_delete else "新建记录"})
    return rows


def state_history(ctx: AppContext, actor: User, expert_id: int) -> list[dict]:
    """The expert's state transitions, newest first, as `actor` may see them (reasons typed by the office are
    scrubbed of the expert's ID number, phones and birth date for a masked viewer)."""
    _require(actor, "view_registry", "无权查看专家信息")
    doc = _repo(ctx).get(expert_id)
    trail = (_shown(actor, doc) if doc else {}).get("transitions")
    return [t for t in reversed(trail) if isinstance(t, dict)] if isinstance(trail, list) else []


def _field_order(key: str) -> int:
    keys = [f.key for f in EXPERT_FIELDS]
    return keys.index(key) if key in keys else len(keys)


def _fmt(value) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


# --- writing ---------------------------------------------------------------------------------------------
# Fields a procedure writes (聘任, 存量专家登记, 状态变更): never typed into a new record or changed by an edit.
PROCEDURE_KEYS = ("state", "term_start", "term_end", "certificate_no", "appointed_under")


def _refuse_procedure_fields(data: dict, existing: dict | None) -> None:
    """A new record starts 申请中 with no term; an edit leaves state, term, certificate and document as they are."""
    if not isinstance(data, dict):
        raise ValidationError(("record", "专家信息格式不正确，应为逐项填写的表单"))
    errors = []
    for key in PROCEDURE_KEYS:
        if key not in data:
            continue
        value, stored = _comparable(key, data[key]), _comparable(key, (existing or {}).get(key))
        empty = value in (None, "") or (key == "state" and value == "申请中" and existing is None)
        if existing is None and not empty:
            where = ("在库专家请通过“存量专家登记”录入（须有聘任文号、日期和资格审查），新申报请到“入库申报”"
                     if key == "state" else "聘期、聘书编号和聘任文件在聘任或存量专家登记时记录，新录入的记录不能填写")
            errors.append((key, f"{FIELDS_BY_KEY[key].label}不能直接填写：{where}"))
        elif existing is not None and value != stored and not (value in (None, "") and stored in (None, "")):
            errors.append((key, f"{FIELDS_BY_KEY[key].label}由相应程序记录，不能在修改专家信息时更改"
                                + ("（状态变更须通过相应程序办理）" if key == "state" else "")))
    if errors:
        raise ValidationError(errors)


def _comparable(key: str, value):
    if key in ("term_start", "term_end"):
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else value
    return value.strip() if isinstance(value, str) else value


def create_expert(ctx: AppContext, actor: User, data: dict) -> int:
    """A new 申请中 record, validated under the active profile; a duplicate 身份证号 is refused (X-I1).

    Never 在库: a state, term, certificate number or appointment document in `data` is refused (an expert appointed
    before the system existed comes in through services.legacy.register_legacy), and so are system keys such as
    `transitions` (validate_expert whitelists the form's fields)."""
    _require(actor, "edit_experts", "无权录入专家信息")
    _refuse_procedure_fields(data, None)
    policy = active_policy(ctx)
    clean = validate_expert(data, policy, ctx.today())
    clean["state"] = "申请中"
    check_group_role(ctx, clean, policy, None)
    now = ctx.now().isoformat(timespec="seconds")
    clean.update(policy_id=policy.id, is_demo=False, created_at=now, updated_at=now)
    return _repo(ctx).insert(clean, actor=actor.username, action="新建专家", unique=UNIQUE)


def check_group_role(ctx: AppContext, clean: dict, policy, expert_id: int | None) -> None:
    """JC-T3 on save: a 组长/副组长 role that would break the sector's rule is refused."""
    if clean.get("group_role") not in ("组长", "副组长"):
        return
    others = [e for e in _repo(ctx).search(lambda d: d.get("policy_id") == policy.id) if e["id"] != expert_id]
    refusals = group_role_refusals(clean, others, policy.taxonomy)
    if refusals:
        raise ValidationError([("group_role", message) for message in refusals])


def find_by_id_number(ctx: AppContext, id_number: str) -> dict | None:
    number = (id_number or "").strip().upper()
    found = _repo(ctx).search(lambda d: d.get("id_number") == number)
    return found[0] if found else None


def update_expert(ctx: AppContext, actor: User, expert_id: int, data: dict) -> dict:
    """Validate the edited record under the profile it was made under and save the changed fields."""
    _require(actor, "edit_experts", "无权修改专家信息")
    existing = _repo(ctx).get(expert_id)
    if existing is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    policy = require_policy(ctx, existing.get("policy_id") or active_policy(ctx).id)
    _refuse_procedure_fields(data, existing)
    editable = {f.key: existing.get(f.key) for f in EXPERT_FIELDS if f.key in existing}
    editable.update(data)
    clean = validate_expert(editable, policy, ctx.today(), existing=existing)
    check_group_role(ctx, clean, policy, expert_id)
    clean["updated_at"] = ctx.now().isoformat(timespec="seconds")
    return _repo(ctx).update(expert_id, clean, actor=actor.username, action="修改专家信息", unique=UNIQUE)


# --- Excel -----------------------------------------------------------------------------------------------
EXPORT_ACTION = "导出专家名单（Excel）"


def export_xlsx(ctx: AppContext, actor: User, records: list[dict]) -> bytes:
    """The given (filtered) view as Excel; IDs and phones as text, masked for a masked viewer exactly once.

    The records are read again from the store by id, so a view that was already masked is never masked twice
    (that once showed phones as *******1613), and a masked viewer gets the birth date as its year only. The export
    is audited before the file is handed out (个人信息保护法: who processed whose personal data, when): a file that
    cannot be audited is not produced."""
    from services.personal_exports import audit_personal_export

    _require(actor, "export_experts", "无权导出专家名单")
    taxonomy = active_policy(ctx).taxonomy
    wanted = [r.get("id") for r in records if isinstance(r, dict)]
    stored = {d["id"]: d for d in _repo(ctx).all()}
    raw = [stored[i] for i in wanted if i in stored]
    title = "专家名单（含演示数据）" if any(r.get("is_demo") for r in raw) else "专家名单"
    data = excel_io.export_experts_xlsx([_shown(actor, r) for r in raw], sheet_title=title,
                                        specialty_label=lambda c: specialty_label_or_code(taxonomy, c))
    audit_personal_export(ctx, actor, EXPORT_ACTION, collection=EXPERTS, record_ids=[r["id"] for r in raw],
                          what=f"专家库{title}（全部字段）")
    return data


def import_template(ctx: AppContext) -> bytes:
    return excel_io.blank_import_template_xlsx(active_policy(ctx))


@dataclass(frozen=True)
class ImportOutcome:
    saved: int
    errors: list  # excel_io.RowError, in row order


def _import_refusal(key: str) -> str:
    if key == "state":
        return "导入只能建立“申请中”记录；在库专家请通过“存量专家登记”逐人登记（聘任文号、日期和资格审查）"
    return "聘期、聘书编号和聘任文件在聘任或存量专家登记时记录，导入时请留空"


def import_xlsx(ctx: AppContext, actor: User, data: bytes) -> ImportOutcome:
    """Validate every row; save all of them in one write, or none with every bad row and why. Every row becomes a
    申请中 record: a state, term, certificate number or appointment document in a row is refused."""
    _require(actor, "import_experts", "无权导入专家名单")
    policy = active_policy(ctx)
    result = excel_io.parse_import_xlsx(data, policy, ctx.today())
    errors = list(result.errors)
    for row_no, row in zip(result.row_numbers, result.rows):
        for key in PROCEDURE_KEYS:
            if row.get(key) not in (None, "", "申请中"):
                errors.append(excel_io.RowError(row_no, FIELDS_BY_KEY[key].label, _import_refusal(key)))
        if row.get("group_role") in ("组长", "副组长"):
            errors.append(excel_io.RowError(row_no, FIELDS_BY_KEY["group_role"].label,
                                            f"只有在库专家可以担任{row['group_role']}，导入的申请中专家请留空"))
    if not errors:
        existing = {d.get("id_number"): d for d in _repo(ctx).all()}
        for row_no, row in zip(result.row_numbers, result.rows):
            if row["id_number"] in existing:
                errors.append(excel_io.RowError(row_no, "身份证号",
                                                f"身份证号 {row['id_number']} 已在专家库中（{existing[row['id_number']].get('name', '')}）"))
    if errors:
        return ImportOutcome(0, errors)
    now = ctx.now().isoformat(timespec="seconds")
    docs = [dict(r, state="申请中", policy_id=policy.id, is_demo=False, created_at=now, updated_at=now)
            for r in result.rows]
    try:
        ids = _repo(ctx).insert_many(docs, actor=actor.username, action="Excel导入专家", unique=UNIQUE)
    except DuplicateError as e:  # another session saved the same ID meanwhile
        return ImportOutcome(0, [excel_io.RowError(0, "身份证号", e.message)])
    return ImportOutcome(len(ids), [])


# --- demo pool -------------------------------------------------------------------------------------------
def has_demo(ctx: AppContext) -> bool:
    return bool(_repo(ctx).search(lambda d: d.get("is_demo")))


DEMO_DOCUMENT = "〔演示〕虚构聘任文件"


def demo_transitions(doc: dict, policy, at: str) -> list[dict]:
    """How an invented expert came to their state, recorded like a real one: an appointed demo expert enters as a
    存量专家登记 under an invented document (so no 在库 is ever without its procedure, X-L1), then 暂停 or
    期满退出 where the generator put them; an applicant has no transition yet."""
    if not doc.get("term_start"):
        return []
    steps = [{"from": None, "to": "在库", "kind": LEGACY_KIND, "workflow": "存量专家登记", "action": "存量专家登记",
              "reason": f"演示数据：{DEMO_DOCUMENT}，{doc['term_start']}聘任，聘期至{doc['term_end']}",
              "document_number": DEMO_DOCUMENT, "appointed_on": doc["term_start"], "policy_id": policy.id,
              "by": "system", "at": at}]
    if doc.get("state") in ("暂停", "期满退出"):
        reason = doc.get("remarks") or ("聘期届满" if doc["state"] == "期满退出" else "演示数据")
        steps.append({"from": "在库", "to": doc["state"], "reason": f"演示数据：{reason}", "action": doc["state"],
                      "policy_id": policy.id, "by": "system", "at": at})
    return steps


def load_demo(ctx: AppContext, actor: User, *, seed: int = DEMO_SEED, history: bool = True) -> int:
    """加载演示数据 — only on an empty registry, so demo records never mix with real ones. With `history`, a year
    of invented dispatches, evaluations, fees, budgets and training on that pool follows (services.demo_history),
    so every screen and the policy what-if have something to show. Returns the number of demo experts."""
    from services import demo_history

    _require(actor, "load_demo", "无权加载演示数据")
    if _repo(ctx).all():
        raise ValidationError(("demo", "专家库中已有数据，只能在空库中加载演示数据"))
    policy = active_policy(ctx)
    records = demo_pool.generate_demo_pool(policy, seed=seed, today=ctx.today())
    now = ctx.now().isoformat(timespec="seconds")
    docs = [dict(validate_expert(r, policy, ctx.today()), policy_id=policy.id, is_demo=True,
                 created_at=now, updated_at=now) for r in records]
    for doc in docs:
        doc["transitions"] = demo_transitions(doc, policy, now)
    count = len(_repo(ctx).insert_many(docs, actor=actor.username, action="加载演示数据", unique=UNIQUE))
    if history:
        demo_history.load_demo_history(ctx, actor)
    return count


def remove_demo(ctx: AppContext, actor: User, *, confirmed: bool, fingerprint: str | None) -> int:
    """删除演示数据 (admin), only as services.demo_history.remove_demo allows it: after the admin confirmed the
    removal plan it lists (`fingerprint`), and never while a real record uses a demo expert. Returns the number of
    demo experts removed."""
    from services import demo_history

    return demo_history.remove_demo(ctx, actor, confirmed=confirmed, fingerprint=fingerprint).get(EXPERTS, 0)


def declare_unavailable(ctx: AppContext, actor: User, expert_id: int, start: date | None, end: date | None,
                        reason: str) -> dict:
    """申报不可参加: a period in which the expert cannot take tasks; the draw excludes them then (X-D1)."""
    _require(actor, "edit_experts", "无权修改专家信息")
    errors = []
    if start is None or end is None:
        errors.append(("unavailable", "请填写不可参加的起止日期"))
    elif end < start:
        errors.append(("unavailable", "结束日期不能早于开始日期"))
    elif not (isinstance(start, date) and isinstance(end, date)):
        errors.append(("unavailable", "起止日期格式不正确"))
    try:
        reason = clean_text(reason, field_label="原因", max_len=200, required=True, field_key="unavailable")
    except ValidationError as error:
        errors.extend(error.errors)
    if errors:
        raise ValidationError(errors)
    if _repo(ctx).get(expert_id) is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    period = {"start": start.isoformat(), "end": end.isoformat(), "reason": reason}
    return _repo(ctx).update(expert_id, lambda d: dict(d, unavailable=list(d.get("unavailable") or []) + [period]),
                             actor=actor.username, action="申报不可参加时段")
