"""专家状态流转 — every change of an expert's state is a recorded transition (who, when, why), kept on the expert
record itself so the state and its record are written together (X-L1). Going back is a new transition, never an
edit. Also: terms that end by themselves (期满退出, JC-L2) and the 2023-document rule (JC 第二十条).
"""
from __future__ import annotations

from core.auth import can
from core.errors import NotFoundError, PermissionDenied
from core.lifecycle import allowed_next, expired_ids, plan_transition
from services.context import SYSTEM, AppContext, User
from services.settings import require_policy

EXPERTS = "experts"


def _repo(ctx: AppContext):
    return ctx.store.collection(EXPERTS)


def transition(ctx: AppContext, actor: User, expert_id: int, to: str, reason: str, *,
               extra: dict | None = None, action: str | None = None) -> dict:
    """Move one expert to state `to` under their own profile's flow; `extra` fields are written in the same write."""
    expert = _repo(ctx).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    policy = require_policy(ctx, expert["policy_id"])
    step = plan_transition(expert.get("state", "申请中"), to, policy, reason=reason)
    record = dict(step, by=actor.username, at=ctx.now().isoformat(timespec="seconds"), policy_id=policy.id)

    def apply(doc: dict) -> dict:
        if doc.get("state") != step["from"]:  # another session moved it meanwhile
            raise PermissionDenied(f"该专家状态已变为“{doc.get('state')}”，请刷新后重试")
        doc.update(extra or {})
        doc["state"] = to
        doc["transitions"] = list(doc.get("transitions") or []) + [record]
        doc["updated_at"] = record["at"]
        return doc

    return _repo(ctx).update(expert_id, apply, actor=actor.username, action=action or f"状态变更：{step['from']}→{to}")


def next_states(ctx: AppContext, expert: dict) -> tuple[str, ...]:
    return allowed_next(expert.get("state", "申请中"), require_policy(ctx, expert["policy_id"]))


def manual_transition(ctx: AppContext, actor: User, expert_id: int, to: str, reason: str) -> dict:
    """状态变更 by the office from the registry (e.g. 暂停 → 在库 恢复使用), with a reason."""
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("无权变更专家状态")
    return transition(ctx, actor, expert_id, to, reason)


def history(ctx: AppContext, expert_id: int) -> list[dict]:
    expert = _repo(ctx).get(expert_id)
    return list(reversed((expert or {}).get("transitions") or []))


def expire_terms(ctx: AppContext) -> int:
    """期满退出: experts whose term has passed leave the pool by themselves (JC-L2); returns how many."""
    today = ctx.today()
    count = 0
    for expert_id in expired_ids(_repo(ctx).all(), today):
        expert = _repo(ctx).get(expert_id)
        transition(ctx, SYSTEM, expert_id, "期满退出", f"聘期已于{expert.get('term_end')}届满，自行解聘退出专家库",
                   action="聘期届满自动退出")
        count += 1
    return count
