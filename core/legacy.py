"""存量专家登记 — the pure rules for taking in an expert appointed before the system existed (JC 第二十条; an office's
existing roster): the appointment document and date it rests on, the term it gives (three years, or JC 第二十条's
2023-document rule), the eligibility run under the current profile with a recorded reason for every rule that did not
pass (永不录用 never passes), and the transition that records it.

Such an expert enters 在库 through this one recorded path, never through a state box: the record keeps the document
number and date, the eligibility result and each relaxation with its reason. Pure: `today` is passed in.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from core.eligibility import PASS, RULE_BANNED, EligibilityResult
from core.errors import DomainError, ValidationError
from core.expert import parse_date, term_end_for
from core.lifecycle import LEGACY_KIND, format_day, legacy_term_end
from core.text import forbidden_char

DOCUMENT_MAX = 60
RELAXATION_MIN, RELAXATION_MAX = 5, 300
EARLIEST_APPOINTMENT = date(2000, 1, 1)
WORKFLOW = "存量专家登记"


@dataclass(frozen=True)
class LegacyTerm:
    start: date
    end: date
    basis: str  # 中文：按哪条规则算出的聘期


def _clean(value: Any, field: str, label: str, *, low: int, high: int) -> str:
    text = unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
    found = forbidden_char(text, multiline=True) if text else None
    if found:
        raise ValidationError((field, f"{label}含有不允许的{found}，请删除后重新输入"))
    if len(text) < low:
        raise ValidationError((field, f"请填写{label}" + (f"（至少{low}个字）" if low > 1 else "")))
    if len(text) > high:
        raise ValidationError((field, f"{label}不能超过{high}个字（当前{len(text)}个字）"))
    return text


def check_appointment(document_number: Any, appointed_on: Any, policy: Any, today: date) -> tuple[str, LegacyTerm]:
    """(聘任文号, 聘期) of a legacy appointment, or ValidationError listing what is missing or wrong.

    The term runs term_years from the appointment (last day the day before the anniversary); under JC 第二十条 an
    expert appointed by 晋市应急总指办发[2023]4号 leaves three years after that document whatever else was typed.
    An appointment in the future, or whose term has already ended, cannot be registered as 在库.
    """
    errors: list[tuple[str, str]] = []
    number = ""
    try:
        number = _clean(document_number, "document_number", "聘任文件文号", low=1, high=DOCUMENT_MAX)
        if "\n" in number:
            raise ValidationError(("document_number", "聘任文件文号不能换行"))
    except ValidationError as error:
        errors.extend(error.errors)
    day = parse_date(appointed_on) if appointed_on not in (None, "") else None
    if day is None:
        errors.append(("appointed_on", "请填写聘任日期（聘任文件下发之日）"))
    elif day > today:
        errors.append(("appointed_on", f"聘任日期（{format_day(day)}）不能晚于今天"))
    elif day < EARLIEST_APPOINTMENT:
        errors.append(("appointed_on", f"聘任日期（{format_day(day)}）早于{EARLIEST_APPOINTMENT.year}年，请核对"))
    if errors:
        raise ValidationError(errors)
    legacy = policy.lifecycle.legacy_appointments
    if legacy is not None and _same_document(number, legacy.document_number):
        end = legacy_term_end(day, policy)
        basis = f"按{legacy.source}：{legacy.document_number}选入的专家自原聘任文件下发之日起满{legacy.leave_after_years}年退出"
        number = legacy.document_number
    else:
        end = term_end_for(day, policy.lifecycle.term_years)
        basis = f"聘期{policy.lifecycle.term_years}年，自聘任之日起算"
    if end < today:
        raise ValidationError(("appointed_on", f"按聘任日期{format_day(day)}计算，聘期已于{format_day(end)}届满，"
                                               f"不能登记为在库专家（可按申报程序重新申请）"))
    return number, LegacyTerm(day, end, basis)


def _same_document(a: str, b: str) -> bool:
    """文号 typed with full-width or square brackets and spaces still names the same document."""
    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).replace(" ", "")
        return text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    return norm(a) == norm(b)


def rules_needing_reason(result: EligibilityResult) -> list[Any]:
    """The rules of an eligibility run that did not pass (不通过 or 待审核): each needs a recorded reason."""
    return [r for r in result.rules if r.status != PASS]


def check_relaxations(result: EligibilityResult, relaxations: Mapping[str, Any] | None) -> dict[str, dict]:
    """{rule_id: {"name", "status", "finding", "reason"}} for every rule that did not pass, each with its reason;
    ValidationError naming every rule still without one; DomainError when the person is on the ban list."""
    relaxations = relaxations if isinstance(relaxations, Mapping) else {}
    out: dict[str, dict] = {}
    errors: list[tuple[str, str]] = []
    for rule in rules_needing_reason(result):
        if rule.rule_id == RULE_BANNED:
            raise DomainError(f"此人列入永不录用名单，不能登记入库：{rule.reason}")
        field = f"relax_{rule.rule_id}"
        try:
            reason = _clean(relaxations.get(rule.rule_id), field, f"“{rule.name}”{rule.status}的放宽或核实理由",
                            low=RELAXATION_MIN, high=RELAXATION_MAX)
        except ValidationError as error:
            errors.extend(error.errors)
            continue
        out[rule.rule_id] = {"name": rule.name, "status": rule.status, "finding": rule.reason, "reason": reason}
    unknown = sorted(str(k) for k in relaxations if k not in {r.rule_id for r in rules_needing_reason(result)}
                     and str(relaxations.get(k) or "").strip())
    if unknown:
        errors.append(("relaxations", f"以下规则已通过或不存在，无需放宽：{'、'.join(unknown)}"))
    if errors:
        raise ValidationError(errors)
    return out


def legacy_transition(document_number: str, term: LegacyTerm, relaxed: Mapping[str, dict], policy: Any) -> dict:
    """The transition that records a legacy registration (kind 存量登记): no state before it in this system."""
    note = f"；放宽/核实{len(relaxed)}项：{'、'.join(v['name'] for v in relaxed.values())}" if relaxed else ""
    return {"from": None, "to": "在库", "kind": LEGACY_KIND, "workflow": WORKFLOW, "action": "存量专家登记",
            "reason": f"存量专家登记：{document_number}，{format_day(term.start)}聘任，聘期至{format_day(term.end)}{note}",
            "document_number": document_number, "appointed_on": term.start.isoformat(), "policy_id": policy.id}
