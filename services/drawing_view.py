"""抽取委派 as the office reads it (issue 12) — who signs requests under the active profile (so a role is shown
使用审批 only where it can ever have something to sign), the exclusions of a draw summed by rule with the real
exclusions first, and each invited expert's card: the full mobile number and a ready invitation text to paste
into WeChat.

Built on the public functions of services.dispatch and core.dispatch; writes nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from core import dates
from core.auth import can
from core.dispatch import can_approve
from core.drawing import EXCLUSION_RULES, method_name  # noqa: F401  (the page says the method through this module)
from core.masking import sees_full_personal_data
from services import dispatch
from services.context import AppContext, User

# The exclusions the office acts on first (回避, busy, suspended, declined …), then the ones that only describe the
# pool; 专业不符 (most of the pool) always last, as one collapsed count.
REAL_EXCLUSION_ORDER = ("same_employer", "related_enterprise", "busy", "suspended", "declined", "unavailable",
                        "conditions", "below_title", "not_in_term", "dismissed")
AVOIDANCE_RULES = frozenset({"same_employer", "related_enterprise"})
COLLAPSED_RULES = frozenset({"wrong_specialty"})
REPLY_DAYS_BEFORE_START = 1  # the invitation asks for an answer the day before the task, at the latest


# --- who signs requests (使用审批) -----------------------------------------------------------------------------
def approval_levels(policy) -> frozenset[str]:
    """Every level at which a request of this profile can need approval (core.dispatch.required_approval): the
    profile's own level, the level for a large use (JC 附件7 注3) and for experts from outside the pool."""
    rule = policy.drawing.approval
    levels = {rule.level}
    if rule.large_use_threshold:
        levels.add(rule.large_use_level)
    if policy.drawing.out_of_pool is not None:
        levels.add(policy.drawing.out_of_pool.level)
    return frozenset(levels)


def approves_requests(policy, role: str) -> bool:
    """Whether a user of `role` can ever have a request to sign under this profile: 晋城 — the 领导 (分管领导 /
    主要领导), never the office; 阳泉 — the 专家管理办公室 (and the admin), never the 领导 (the leaders of the using
    department sign 附表四 on paper)."""
    return can(role, "approve_requests") and any(can_approve(role, level) for level in approval_levels(policy))


# --- dates and text as the office writes them ---------------------------------------------------------------------
def office_date(value) -> str:
    """2026-12-07 → 2026年12月7日; anything else as it is (core.dates, issue 12)."""
    return dates.office_date(value)


def office_datetime(value) -> str:
    """2026-11-24T10:00:00 → 2026年11月24日 10:00 (no “T”, no seconds); a bare date as office_date."""
    return dates.office_datetime(value)


def office_period(start, end) -> str:
    """2026年12月7日至9日 / 2026年12月30日至2027年1月2日 / one day: 2026年12月7日."""
    return dates.office_period(start, end)


def reply_deadline(req: dict, today: date) -> date:
    """The day the expert is asked to answer by: the day before the task starts, never before today."""
    try:
        start = date.fromisoformat(str(req.get("start"))[:10])
    except (TypeError, ValueError):
        return today
    return max(today, start - timedelta(days=REPLY_DAYS_BEFORE_START))


def _label(policy, code) -> str:
    try:
        return policy.taxonomy.specialty_label(code)
    except Exception:  # a code no longer in the taxonomy: shown as stored
        return str(code)


def needs_text(req: dict, policy) -> str:
    """“煤矿通风 2人；电气 1人” — specialties by name, never the bare code."""
    return "；".join(f"{_label(policy, n.get('specialty'))} {n.get('count')}人" for n in req.get("needs") or ())


def invitation_text(req: dict, policy, *, expert_name: str, specialty: str, today: date) -> str:
    """The invitation to paste into WeChat: task, dates, place, contact and the day to answer by. Plain text
    (shown in st.code, never as Markdown), so whatever the request holds is shown as typed."""
    greeting = f"{expert_name}专家：您好！" if expert_name else "专家您好！"
    lines = [greeting,
             f"{policy.office}邀请您作为{_label(policy, specialty)}专业专家参加以下工作：",
             f"任务：{req.get('department') or ''}　{req.get('matter') or ''}".rstrip(),
             f"时间：{office_period(req.get('start'), req.get('end'))}"]
    if req.get("place"):
        lines.append(f"地点：{req['place']}")
    contact = " ".join(p for p in (str(req.get("contact") or ""), str(req.get("contact_phone") or "")) if p)
    if contact:
        lines.append(f"联系人：{contact}")
    deadline = reply_deadline(req, today)
    if deadline > today:
        lines.append(f"请于{office_date(deadline)}前回复能否参加，谢谢！")
    else:  # the task starts today or tomorrow (an emergency): no date that has already come
        lines.append("请尽快回复能否参加，谢谢！")
    return "\n".join(lines)


def invitation_cards(ctx: AppContext, actor: User, request_id: int) -> list[dict]:
    """One card per open invitation (邀请中) of the request: assignment id, name, specialty label, position, the
    mobile number — in full for the office and the admin, who call (core.masking.sees_full_personal_data; for any
    other role services.experts.get_expert masks it) — and the invitation text."""
    from services import experts

    req = dispatch.request(ctx, request_id)
    policy = _policy(ctx, req)
    full = sees_full_personal_data(actor.role)
    cards = []
    for a in dispatch.assignments_of(ctx, request_id):
        if a.get("status") != "邀请中":
            continue
        try:
            expert = experts.get_expert(ctx, actor, a["expert_id"])
        except Exception:  # a record deleted since the invitation: the card says so
            expert = {}
        name = str(expert.get("name") or "")
        cards.append({"assignment_id": a["id"], "expert_id": a["expert_id"], "name": name,
                      "specialty": _label(policy, a.get("specialty")), "position": a.get("position"),
                      "mobile": str(expert.get("mobile") or ""), "mobile_in_full": full,
                      "unit": str(expert.get("unit") or ""),
                      "text": invitation_text(req, policy, expert_name=name, specialty=a.get("specialty"),
                                              today=ctx.today())})
    return cards


def _policy(ctx, req: dict):
    from services.settings import require_policy

    return require_policy(ctx, req["policy_id"])


# --- the exclusions, summed by rule -------------------------------------------------------------------------------
def _rank(rule: str) -> int:
    if rule in COLLAPSED_RULES:
        return len(REAL_EXCLUSION_ORDER) + 2
    return REAL_EXCLUSION_ORDER.index(rule) if rule in REAL_EXCLUSION_ORDER else len(REAL_EXCLUSION_ORDER) + 1


def exclusion_rules(stored: dict) -> list[dict]:
    """Per rule of a stored draw result: label, count, how many are listed by name, whether it is a 回避 rule and
    whether it is collapsed (专业不符) — real exclusions first (回避, busy, suspended, declined …), 专业不符 last."""
    rows = []
    for row in dispatch.exclusion_summary(stored):
        rule = row["rule"]
        rows.append({"rule": rule, "label": EXCLUSION_RULES.get(rule, row.get("label") or rule),
                     "count": int(row["count"]), "listed": int(row["listed"]), "avoidance": rule in AVOIDANCE_RULES,
                     "collapsed": rule in COLLAPSED_RULES})
    return sorted(rows, key=lambda r: _rank(r["rule"]))


def listed_exclusions(stored: dict) -> list[dict]:
    """The exclusions listed by name (never 专业不符), real exclusions first, each rule's experts in record order."""
    rows = [x for x in dispatch.listed_exclusions(stored) if x.get("rule") not in COLLAPSED_RULES]
    return sorted(rows, key=lambda x: _rank(x.get("rule")))


def exclusion_line(rules: list[dict]) -> str:
    """One line for the page: the exclusions among the experts of the needed specialties (listed by name: 回避,
    busy, suspended, declined …) first, then what is only counted (experts of other specialties, long lists),
    专业不符 last — e.g. “排除：回避（与任务对象同一单位）1人、同期已有其他任务2人；只计人数：暂停使用5人、专业不符216人”."""
    def named(row, n):
        return (f"回避（{row['label']}）" if row["avoidance"] else row["label"]) + f"{n}人"

    real = [named(row, row["listed"]) for row in rules if row["listed"] and not row["collapsed"]]
    counted = [named(row, row["count"] - row["listed"]) for row in rules if row["count"] > row["listed"]]
    line = "排除：" + ("、".join(real) if real else "本次所需专业的专家无人被排除")
    if counted:
        line += "；只计人数（非本次所需专业或人数较多）：" + "、".join(counted)
    return line
