"""条件变化：拟解聘/清退建议 — experts of the pool who no longer meet a condition that changes with time (age over the
profile's limit: JC 第七条(六) → 第九条(二); YQ 第六条6、第八条 → 第二十四条(十)), computed on demand for the active
profile on today's date, and the JC sectors whose 组长/副组长 are missing (第十条(一), JC-T3).

Proposals are COMPUTED, not stored: each page view re-checks the pool on `ctx.today()` ("re-checked daily" without
a job that could miss a day) and writes nothing; a proposal cannot go stale, and it disappears as soon as a
dismissal case is open for the expert. The office acts through the existing dismissal workflow: `raise_case` opens
a case (services.dismissals.raise_case) with the profile's reason (`dismissal.conditions_reason_number`) and the
finding as its evidence. A term that has ended is not a dismissal proposal: services.lifecycle.expire_terms moves the
expert to 期满退出 (run by services.admin.housekeeping at start and at each login), and the draw excludes such an
expert by itself even before that runs.

JC lets the office relax the age limit at intake (第七条(六)); the relaxation is an override with a reason on the
expert's application (services.applications.override_rule). `with_relaxations` carries it onto the expert records
(as `age_relaxation`) for the checks here and for the draw (services.dispatch), so such an expert is neither
proposed nor excluded for age.
"""
from __future__ import annotations

from core.auth import can
from core.conditions import RULE_AGE as RULE_AGE_OVER
from core.conditions import ConditionParams, Finding, group_role_gaps, time_conditions
from core.eligibility import RULE_AGE
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.registry import group_role_problems
from services import pool_view
from services.context import AppContext, User
from services.settings import active_policy, require_policy

EXPERTS, APPS, CASES = "experts", "applications", "dismissals"
IN_POOL_STATES = ("在库", "暂停")
OPEN_CASE = "进行中"


def _require(actor: User, permission: str, message: str) -> None:
    if not can(actor.role, permission):
        raise PermissionDenied(message)


def with_relaxations(ctx: AppContext, experts: list[dict]) -> list[dict]:
    """The records with `age_relaxation` (the recorded reason) where the expert's latest submitted application
    under the record's profile carries an age override (JC 第七条(六)); records without one are returned as they
    are. Copies only: nothing is written. Only experts over their age limit today are looked up, and only under a
    profile that allows the relaxation (JC): otherwise the applications are not read at all."""
    params: dict = {}
    for pid in {e.get("policy_id") for e in experts}:
        try:
            policy = require_policy(ctx, pid)
        except DomainError:  # a record of a profile no longer shipped: nothing to relax
            continue
        if policy.eligibility.age_relaxable:
            params[pid] = ConditionParams.from_policy(policy)
    if not params:  # no profile here allows it (YQ): nothing to look up, the list as it is
        return experts
    today = ctx.today()
    wanted = {e["id"]: e.get("policy_id") for e in experts if e.get("policy_id") in params
              and any(f.rule == RULE_AGE_OVER for f in time_conditions(e, params[e.get("policy_id")], today))}
    if not wanted:
        return experts
    latest: dict[int, dict] = {}
    for a in ctx.store.collection(APPS).search(
            lambda d: d.get("expert_id") in wanted and d.get("status") != "草稿"):
        if a.get("policy_id") == wanted[a["expert_id"]] and a["id"] > latest.get(a["expert_id"], {}).get("id", -1):
            latest[a["expert_id"]] = a
    out = []
    for e in experts:
        override = ((latest.get(e["id"]) or {}).get("overrides") or {}).get(RULE_AGE)
        reason = override.get("reason") if isinstance(override, dict) else override
        if isinstance(reason, str) and reason.strip():
            e = dict(e, age_relaxation=reason.strip())
        out.append(e)
    return out


def _mine(ctx: AppContext, policy) -> list[dict]:
    """The profile's experts, shared and read-only (services.pool_view): only read here (issue 17)."""
    return pool_view.shared_pool(ctx, policy.id)


def _checked(ctx: AppContext, policy, *, skip: set = frozenset(), mine: list[dict] | None = None
             ) -> list[tuple[dict, Finding]]:
    """(expert, finding) for every time condition an expert in the pool (在库/暂停) of `policy` fails today, by
    expert id. Relaxations are looked up only for the few experts over an age limit (the rest need none)."""
    params, today = ConditionParams.from_policy(policy), ctx.today()
    mine = _mine(ctx, policy) if mine is None else mine
    failing = [e for e in mine if e.get("state") in IN_POOL_STATES and e.get("id") not in skip
               and time_conditions(e, params, today)]
    out = []
    for e in sorted(with_relaxations(ctx, failing), key=lambda e: e["id"]):
        out += [(e, f) for f in time_conditions(e, params, today)]
    return out


def _open_case_ids(ctx: AppContext) -> set:
    return {c.get("expert_id") for c in ctx.store.collection(CASES).search(lambda c: c.get("status") == OPEN_CASE)}


def findings(ctx: AppContext, actor: User) -> list[Finding]:
    """Every time condition that an expert in the pool (在库/暂停) of the active profile fails today, by expert id."""
    _require(actor, "view_registry", "无权查看专家条件核对结果")
    return [f for _, f in _checked(ctx, active_policy(ctx))]


def proposals(ctx: AppContext, actor: User, *, _experts: list[dict] | None = None) -> list[dict]:
    """条件变化：拟解聘/清退建议 — the age findings of experts with no dismissal case open, each as a dict with the
    expert's unit and state (for the lists on 首页 and 解聘清退)."""
    _require(actor, "edit_experts", "只有专家管理办公室可以查看解聘/清退建议")
    today = ctx.today().isoformat()
    return [dict(f.to_dict(), unit=e.get("unit", ""), state=e.get("state", ""), checked_on=today,
                 is_demo=bool(e.get("is_demo")))
            for e, f in _checked(ctx, active_policy(ctx), skip=_open_case_ids(ctx), mine=_experts)
            if f.proposes_dismissal]


def home_notices(ctx: AppContext, actor: User) -> tuple[list[dict] | None, list[str]]:
    """What 首页 shows from one read of the pool: (the proposals, or None for a role that may not see them; the
    JC-T3 group-role flags)."""
    _require(actor, "view_registry", "无权查看专家库")
    mine = _mine(ctx, active_policy(ctx))
    shown = proposals(ctx, actor, _experts=mine) if can(actor.role, "edit_experts") else None
    return shown, group_role_flags(ctx, actor, _experts=mine)


def raise_case(ctx: AppContext, actor: User, expert_id: int) -> int:
    """立案 from a proposal: re-check the expert today, then open a dismissal case with the profile's reason for
    conditions no longer met and the finding as its evidence (services.dismissals.raise_case: suspended at once
    where the profile says so). Refused when the expert no longer has a proposal (e.g. a case is already open)."""
    from services import dismissals

    _require(actor, "edit_experts", "只有专家管理办公室可以办理解聘")
    expert = ctx.store.collection(EXPERTS).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    policy = active_policy(ctx)
    found = [p for p in proposals(ctx, actor) if p["expert_id"] == expert_id]
    if not found:
        raise ValidationError(("expert", f"{expert.get('name', '')}目前没有条件变化的解聘/清退建议（可能已立案或已不在库）"))
    proposal = found[0]
    number = policy.dismissal.conditions_reason_number
    if number is None:
        raise ValidationError(("reason_number", f"《{policy.short_name}》未指定条件变化对应的{policy.dismissal.name}情形，"
                                                "请在“提出解聘”中选择情形"))
    evidence = f"条件变化（系统于{proposal['checked_on']}核对）：{proposal['reason']}"
    return dismissals.raise_case(ctx, actor, expert_id, number, evidence)


def group_role_flags(ctx: AppContext, actor: User, *, _experts: list[dict] | None = None) -> list[str]:
    """JC-T3 (第十条(一)) for the active profile, one Chinese line per problem: sectors with no 组长, or with ≥30
    experts and no 副组长 (core.conditions.group_role_gaps), then roles beyond the rule (two 组长, a 副组长 under 30,
    too many 副组长: core.registry.group_role_problems)."""
    _require(actor, "view_registry", "无权查看专家库")
    policy = active_policy(ctx)
    mine = _mine(ctx, policy) if _experts is None else _experts
    return [g["problem"] for g in group_role_gaps(mine, policy.taxonomy)] + group_role_problems(mine, policy.taxonomy)
