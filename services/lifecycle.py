"""专家状态流转 — every change of an expert's state is a recorded transition (who, when, why, through which
workflow), kept on the expert record itself so the state and its record are written together (X-L1).

One gate per state: `transition` is internal to the workflows. Each caller names its `workflow`
(core.lifecycle.Workflow) and the gate refuses a target that workflow may not produce (已审核 only from 条件审核,
暂停/解聘/清退 only from 解聘清退 …), then the profile's flow is checked, then the actor's role (only 管理员 and
专家管理办公室, or the system for automatic steps). Going back is a new transition, never an edit.

The only other way a state changes is `correct_state`: an admin-only 更正 that undoes the last transition, with
what was wrong and why, and that can never produce 在库, 已审核, 解聘 or 清退 (core.lifecycle.plan_correction).
Also: terms that end by themselves (期满退出, JC-L2).
"""
from __future__ import annotations

from core import vocab
from core.auth import can
from core.errors import NotFoundError, PermissionDenied
from core.lifecycle import (Workflow, correction_target, expired_ids, plan_correction, plan_workflow_transition)
from services.context import SYSTEM, AppContext, User
from services.settings import require_policy

EXPERTS = "experts"


def _repo(ctx: AppContext):
    return ctx.store.collection(EXPERTS)


def _require_state_changer(actor: User) -> None:
    """Only the office and admins (and the system, for automatic steps) change an expert's state."""
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied(f"“{actor.role}”无权变更专家状态")


def transition(ctx: AppContext, actor: User, expert_id: int, to: str, reason: str, *, workflow: Workflow | str,
               extra: dict | None = None, action: str | None = None) -> dict:
    """Move one expert to state `to` through `workflow` under their own profile's flow; `extra` fields are written
    in the same write. Refused (nothing written) when the actor may not change states, the workflow may not
    produce `to`, or the profile's flow has no such step."""
    _require_state_changer(actor)
    expert = _repo(ctx).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    policy = require_policy(ctx, expert["policy_id"])
    step = plan_workflow_transition(expert.get("state", "申请中"), to, policy, workflow=workflow, reason=reason)
    record = dict(step, by=actor.username, at=ctx.now().isoformat(timespec="seconds"), policy_id=policy.id)
    return _write(ctx, actor, expert_id, step["from"], record, extra, action or f"状态变更：{step['from']}→{to}")


def _write(ctx: AppContext, actor: User, expert_id: int, expected: str, record: dict, extra: dict | None,
           action: str) -> dict:
    def apply(doc: dict) -> dict:
        if doc.get("state") != expected:  # another session moved it meanwhile
            raise PermissionDenied(f"该专家状态已变为“{doc.get('state')}”，请刷新后重试")
        doc.update(extra or {})
        doc["state"] = record["to"]
        doc["transitions"] = list(doc.get("transitions") or []) + [record]
        doc["updated_at"] = record["at"]
        return doc

    return _repo(ctx).update(expert_id, apply, actor=actor.username, action=action)


def correction_option(ctx: AppContext, actor: User, expert_id: int) -> tuple[str | None, str]:
    """(the state a 更正 would restore, or None, and why) — for the registry page to show before asking."""
    if actor.role != vocab.ROLE_ADMIN:
        return None, "只有管理员可以更正专家状态"
    expert = _repo(ctx).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    return correction_target(expert)


def correct_state(ctx: AppContext, actor: User, expert_id: int, to: str, what_was_wrong: str, why: str) -> dict:
    """更正状态 (管理员 only): undo the last recorded transition, recording what was wrong and why. The result is
    never 在库, 已审核, 解聘 or 清退; the transition is kept with kind 更正 and the audit action 更正状态."""
    if actor.role != vocab.ROLE_ADMIN or actor.username == SYSTEM.username:
        raise PermissionDenied("只有管理员可以更正专家状态")
    expert = _repo(ctx).get(expert_id)
    if expert is None:
        raise NotFoundError(f"专家记录 {expert_id} 不存在")
    step = plan_correction(expert, to, what_was_wrong=what_was_wrong, why=why)
    record = dict(step, by=actor.username, at=ctx.now().isoformat(timespec="seconds"),
                  policy_id=expert.get("policy_id"))
    return _write(ctx, actor, expert_id, step["from"], record, None, "更正状态")


def history(ctx: AppContext, expert_id: int) -> list[dict]:
    """The expert's transitions, newest first; entries that are not records (a damaged file) are left out."""
    expert = _repo(ctx).get(expert_id)
    trail = (expert or {}).get("transitions")
    return [t for t in reversed(trail) if isinstance(t, dict)] if isinstance(trail, list) else []


def expire_terms(ctx: AppContext) -> int:
    """期满退出: experts whose term has passed leave the pool by themselves (JC-L2); returns how many.

    Each one through the term-end workflow's gate (the profile's flow, the system as actor), all of them in one
    write of the experts file with an audit line per expert (issue 17: experts appointed together end together —
    1,830 separate whole-file writes held a start-up for a minute). An expert another session moved meanwhile is
    left for the next run."""
    _require_state_changer(SYSTEM)
    today = ctx.today()
    repo = _repo(ctx)
    due = repo.shared(("expired", today.isoformat()), lambda rows: tuple(expired_ids(rows, today)))
    if not due:
        return 0
    at = ctx.now().isoformat(timespec="seconds")
    changes = {}
    for expert in repo.get_many(due):
        policy = require_policy(ctx, expert["policy_id"])
        step = plan_workflow_transition(expert.get("state", "申请中"), "期满退出", policy, workflow=Workflow.TERM_END,
                                        reason=f"聘期已于{expert.get('term_end')}届满，自行解聘退出专家库")
        record = dict(step, by=SYSTEM.username, at=at, policy_id=policy.id)

        def apply(doc: dict, expected=step["from"], record=record) -> dict:
            if doc.get("state") != expected:  # another session moved it meanwhile: the next run looks again
                return doc
            doc["state"] = record["to"]
            doc["transitions"] = list(doc.get("transitions") or []) + [record]
            doc["updated_at"] = record["at"]
            return doc
        changes[expert["id"]] = apply
    return len(repo.update_many(changes, actor=SYSTEM.username, action="聘期届满自动退出"))
