"""系统设置 — the installation's active policy profile, chosen by an admin (X-P1).

Every record a service creates stores the `policy_id` it was made under, so a later change of profile never
rewrites history. A switch is sweeping all the same — 首页, 专家库 and the draw show only the experts of the active
profile, and new records follow the new rules and forms — so `switch_plan` says exactly what changes and, once any
record exists, `set_active_policy` needs `confirmed=True`. `profile_label` and `experts_elsewhere` let pages say
in Chinese which profile records belong to (never the raw id).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, ValidationError
from core.policy import Policy
from services.context import AppContext, User

SETTINGS = "settings"
ACTIVE_POLICY_KEY = "active_policy"
DEFAULT_POLICY_ID = "jincheng-2026"


def _setting(ctx: AppContext, key: str) -> dict | None:
    found = ctx.store.collection(SETTINGS).search(lambda d: d.get("key") == key)
    return found[0] if found else None


def active_policy_id(ctx: AppContext) -> str:
    doc = _setting(ctx, ACTIVE_POLICY_KEY)
    if doc and doc.get("value") in ctx.policies:
        return doc["value"]
    return DEFAULT_POLICY_ID if DEFAULT_POLICY_ID in ctx.policies else sorted(ctx.policies)[0]


def active_policy(ctx: AppContext) -> Policy:
    return ctx.policies[active_policy_id(ctx)]


def policy_choices(ctx: AppContext) -> dict[str, str]:
    """Profile id → a label for a select box, e.g. '晋城市 2026（晋市应急安技发[2026]63号）'."""
    return {pid: f"{p.short_name}（{p.document_number}）" for pid, p in sorted(ctx.policies.items())}


def profile_label(ctx: AppContext, policy_id: str | None) -> str:
    """The Chinese short name of a profile ("晋城市 2026"); a profile whose file is no longer loaded is named as such."""
    policy = ctx.policies.get(policy_id or "")
    if policy is not None:
        return policy.short_name
    return f"系统中已没有的政策文件（标识“{policy_id}”）" if policy_id else "未注明政策"


def experts_elsewhere(ctx: AppContext, counts: dict[str, int] | None = None) -> list[tuple[str, int]]:
    """Expert records kept under a profile other than the active one: (Chinese profile name, count), largest first.
    `counts` (policy id → count, e.g. RegistryView.other_policies) saves reading the collection again."""
    if counts is None:
        active = active_policy_id(ctx)
        counts = {}
        for doc in ctx.store.collection(EXPERTS).all():
            pid = doc.get("policy_id") or ""
            if pid != active:
                counts[pid] = counts.get(pid, 0) + 1
    return sorted(((profile_label(ctx, pid), n) for pid, n in counts.items() if n), key=lambda x: (-x[1], x[0]))


def elsewhere_text(ctx: AppContext, counts: dict[str, int] | None = None) -> str:
    """One Chinese sentence naming the expert records kept under other profiles (never the raw id), or "" when
    there are none. Lets 首页 and 专家库 say where the records are after a switch instead of "empty"."""
    found = experts_elsewhere(ctx, counts)
    if not found:
        return ""
    parts = "、".join(f"{n} 条专家记录属于“{label}”" for label, n in found)
    return f"另有 {parts}（已有记录保留其建立时的政策；管理员在“系统设置”中切换回该政策即可看到）。"


# --- switching the profile ------------------------------------------------------------------------------------
EXPERTS = "experts"
# collections whose records carry the policy_id they were made under, with their Chinese name
POLICY_RECORDS = (("experts", "专家"), ("applications", "入库申报资料"), ("rounds", "聘任批次"),
                  ("requests", "使用申请"), ("assignments", "邀请与委派"), ("draws", "抽取记录"),
                  ("evaluations", "服务评价"), ("assessments", "年度考核"), ("trainings", "培训记录"),
                  ("budgets", "劳务报酬预算"), ("dismissals", "解聘清退事项"), ("proposals", "解聘建议"),
                  ("events", "提醒谈话等事件"))


@dataclass(frozen=True)
class SwitchPlan:
    """What a switch from `current` to `target` changes, for the page to show before the admin confirms."""
    current: str  # Chinese short names
    target: str
    same: bool
    kept: list[tuple[str, int]]  # records made under the current profile, by kind: kept, no longer shown as current
    under_target: list[tuple[str, int]]  # records already made under the target profile, by kind
    experts_hidden: int  # experts of the current profile that 首页/专家库/抽取 stop showing
    experts_shown: int  # experts of the target profile that they show instead
    changes: list[str]  # rules and forms that change, in Chinese

    @property
    def needs_confirmation(self) -> bool:
        return not self.same and bool(self.kept or self.under_target)


def _counts(ctx: AppContext, policy_id: str) -> list[tuple[str, int]]:
    out = []
    for name, label in POLICY_RECORDS:
        n = len(ctx.store.collection(name).search(lambda d: d.get("policy_id") == policy_id))
        if n:
            out.append((label, n))
    return out


def _rule_changes(old: Policy, new: Policy) -> list[str]:
    def forms(p: Policy) -> str:
        return "、".join(dict.fromkeys(f.annex for f in p.forms if f.annex != "本地表单"))

    def taxonomy(p: Policy) -> str:
        cap = f"，总数上限 {p.taxonomy.pool_cap} 人" if p.taxonomy.pool_cap else "，不设总数上限"
        return f"{len(p.taxonomy.sectors)} 个行业领域、{len(p.taxonomy.all_specialty_codes())} 个专业{cap}"

    lines = [f"执行的办法：《{old.name}》（{old.document_number}）→《{new.name}》（{new.document_number}）",
             f"分类表：{taxonomy(old)} → {taxonomy(new)}；专业代码不同，旧政策下的专家不会出现在新政策的名单和抽取中",
             f"表单：{forms(old)} → {forms(new)}（入库申报、审核、委派、评价、考核、报酬等新建记录都按新政策的表单和规则办理）"]
    if old.fees.budget_required != new.fees.budget_required:
        lines.append("劳务报酬：" + ("须先有预算才能审批使用申请" if new.fees.budget_required else "不再要求先有预算"))
    lines.append("已有记录保留建立时所依据的政策，不会被改写；切换回原政策即可再次看到它们。")
    return lines


def switch_plan(ctx: AppContext, actor: User, policy_id: str) -> SwitchPlan:
    """切换当前政策前的说明: what is kept under the current profile and stops showing, what exists under the new one,
    and which rules and forms change. Reads only."""
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以更改当前政策")
    target = require_policy(ctx, policy_id)
    current = active_policy(ctx)
    same = target.id == current.id
    kept, under = _counts(ctx, current.id), _counts(ctx, target.id)
    count = dict(kept).get("专家", 0), dict(under).get("专家", 0)
    return SwitchPlan(current.short_name, target.short_name, same, kept, under, count[0], count[1],
                      [] if same else _rule_changes(current, target))


def set_active_policy(ctx: AppContext, actor: User, policy_id: str, *, confirmed: bool = False) -> None:
    """切换当前政策. Once any record exists the admin must have seen `switch_plan` and confirmed it; on an empty
    installation (first setup) there is nothing to hide and nothing to confirm. Audited with the counts."""
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以更改当前政策")
    if policy_id not in ctx.policies:
        raise ValidationError(("policy_id", "没有这个政策文件，请从列表中选择"))
    plan = switch_plan(ctx, actor, policy_id)
    if plan.same:
        _put(ctx, actor, ACTIVE_POLICY_KEY, policy_id, "切换当前政策")  # first setup stores the choice
        return
    if plan.needs_confirmation and not confirmed:
        raise ValidationError(("confirm", f"切换政策会使“{plan.current}”下的 {plan.experts_hidden} 名专家不再显示在首页、专家库和抽取中，"
                                          f"新记录按“{plan.target}”办理。请核对变化后勾选确认再切换。"))
    _put(ctx, actor, ACTIVE_POLICY_KEY, policy_id, "切换当前政策")
    if plan.needs_confirmation:
        ctx.store.audit.record(actor.username, "切换当前政策（已确认）", collection=SETTINGS,
                               after={"from": plan.current, "to": plan.target, "kept": dict(plan.kept),
                                      "under_target": dict(plan.under_target)})


def _put(ctx: AppContext, actor: User, key: str, value, action: str) -> None:
    repo = ctx.store.collection(SETTINGS)
    doc = _setting(ctx, key)
    if doc is None:
        repo.insert({"key": key, "value": value}, actor=actor.username, action=action, unique=("key",))
    elif doc.get("value") != value:
        repo.update(doc["id"], {"value": value}, actor=actor.username, action=action)


def require_policy(ctx: AppContext, policy_id: str) -> Policy:
    try:
        return ctx.policies[policy_id]
    except KeyError:
        raise NotFoundError(f"找不到政策 {policy_id}") from None


# --- 会话 (issue 11 §5) -----------------------------------------------------------------------------------------
SESSION_IDLE_KEY = "session_idle_minutes"


def session_idle_minutes(ctx: AppContext) -> int:
    """无操作自动退出 — minutes without activity after which a session ends (default 30; a stored value outside the
    allowed range is never used, the default is)."""
    from core.sessions import DEFAULT_IDLE_MINUTES, check_idle_minutes

    doc = _setting(ctx, SESSION_IDLE_KEY)
    try:
        return check_idle_minutes(doc["value"]) if doc else DEFAULT_IDLE_MINUTES
    except ValidationError:
        return DEFAULT_IDLE_MINUTES


def set_session_idle_minutes(ctx: AppContext, actor: User, minutes) -> int:
    """An admin sets the idle expiry (5–480 minutes); audited. Applies at once to every open session."""
    from core.sessions import check_idle_minutes

    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以更改系统设置")
    minutes = check_idle_minutes(minutes)
    _put(ctx, actor, SESSION_IDLE_KEY, minutes, "设置无操作自动退出时间")
    return minutes
