"""存量专家登记 — experts appointed before the system existed enter the pool through this one recorded path:
every 附件2 / 附表一 field, the appointment document number (文号) and date, the term it gives (core.legacy), the
eligibility run under the active profile stored on the record, and a written reason for every rule that did not
pass (永不录用 is never relaxed). The result is 在库 with a transition of kind 存量登记 carrying the document number,
audited as 存量专家登记. Only 管理员 and 专家管理办公室 may register; nothing is written on any refusal.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.auth import can
from core.eligibility import EligibilityResult, check_eligibility
from core.errors import PermissionDenied, ValidationError
from core.expert import validate_expert
from core.expert_fields import FIELDS_BY_KEY
from core.legacy import LegacyTerm, check_appointment, check_relaxations, legacy_transition, rules_needing_reason
from services import experts
from services.applications import ban_reason
from services.context import AppContext, User
from services.settings import active_policy

# Written by this procedure from its own inputs, never taken from the form.
SET_BY_REGISTRATION = ("state", "term_start", "term_end", "appointed_under")


@dataclass(frozen=True)
class LegacyPreview:
    """What registering would record: the cleaned record, the term and the eligibility run."""
    record: dict
    document_number: str
    term: LegacyTerm
    eligibility: EligibilityResult

    @property
    def needs_reason(self) -> list:
        """The rules that did not pass: each needs a recorded relaxation / verification reason."""
        return rules_needing_reason(self.eligibility)


def _require(actor: User) -> None:
    if not can(actor.role, "edit_experts"):
        raise PermissionDenied("只有管理员和专家管理办公室可以登记存量专家")


def preview(ctx: AppContext, actor: User, data: dict, *, document_number: Any, appointed_on: Any) -> LegacyPreview:
    """Validate the record and the appointment, compute the term and run eligibility; writes nothing."""
    _require(actor)
    if not isinstance(data, dict):
        raise ValidationError(("record", "专家信息格式不正确，应为逐项填写的表单"))
    policy = active_policy(ctx)
    today = ctx.today()
    errors = [(k, f"{FIELDS_BY_KEY[k].label}由存量专家登记按聘任文件记录，不能另行填写")
              for k in SET_BY_REGISTRATION if data.get(k) not in (None, "")]
    record = None
    try:
        record = validate_expert({k: v for k, v in data.items() if k not in SET_BY_REGISTRATION}, policy, today)
    except ValidationError as error:
        errors.extend(error.errors)
    try:
        number, term = check_appointment(document_number, appointed_on, policy, today)
    except ValidationError as error:
        errors.extend(error.errors)
    if errors:
        raise ValidationError(errors)
    kind = record.get("expert_kind") or policy.expert_kinds[0]
    result = check_eligibility(record, policy, today, kind=kind, banned=ban_reason(ctx, record["id_number"]))
    return LegacyPreview(record, number, term, result)


def register_legacy(ctx: AppContext, actor: User, data: dict, *, document_number: Any, appointed_on: Any,
                    relaxations: dict | None = None) -> int:
    """登记一名存量专家 as 在库; returns the new record's id. Refused (nothing written) when the record or the
    appointment is invalid, a rule that did not pass has no reason, the person is banned or already registered."""
    found = preview(ctx, actor, data, document_number=document_number, appointed_on=appointed_on)
    policy = active_policy(ctx)
    relaxed = check_relaxations(found.eligibility, relaxations)
    now = ctx.now().isoformat(timespec="seconds")
    clean = dict(found.record, state="在库", term_start=found.term.start.isoformat(),
                 term_end=found.term.end.isoformat(), appointed_under=found.document_number)
    experts.check_group_role(ctx, clean, policy, None)
    step = legacy_transition(found.document_number, found.term, relaxed, policy)
    registration = {"document_number": found.document_number, "appointed_on": found.term.start.isoformat(),
                    "term_end": found.term.end.isoformat(), "term_basis": found.term.basis,
                    "eligibility": found.eligibility.to_dict(),
                    "relaxations": {k: dict(v, by=actor.username, at=now) for k, v in relaxed.items()},
                    "by": actor.username, "at": now}
    clean.update(policy_id=policy.id, is_demo=False, created_at=now, updated_at=now,
                 transitions=[dict(step, by=actor.username, at=now)], legacy_registration=registration)
    return ctx.store.collection(experts.EXPERTS).insert(clean, actor=actor.username, action="存量专家登记",
                                                        unique=experts.UNIQUE)


def registration_of(ctx: AppContext, actor: User, expert_id: int) -> dict | None:
    """The stored 存量专家登记 record of an expert (document, date, eligibility, relaxations), or None."""
    record = experts.get_expert(ctx, actor, expert_id)
    value = record.get("legacy_registration")
    return value if isinstance(value, dict) else None


__all__ = ["LegacyPreview", "preview", "register_legacy", "registration_of"]
