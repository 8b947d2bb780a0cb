"""入库申报 — pure rules of taking an application in: the JC June window (JC-I2), what a draft needs, and which
statements an application must answer for its eligibility.

A draft may be incomplete (申报可先保存草稿，之后补全); only a name is required, and an ID number, when typed, must
already be valid so a draft cannot hide a bad or duplicate number until submission.
"""
from __future__ import annotations

from datetime import date

from core.errors import ValidationError
from core.idcard import parse_id_number

def outside_window(policy, day: date) -> bool:
    """JC-I2: applications are taken each June; outside it an entry is allowed but flagged."""
    month = policy.lifecycle.application_month
    return month is not None and day.month != month


def window_text(policy) -> str:
    month = policy.lifecycle.application_month
    return f"每年{month}月集中申报" if month else "本政策未规定集中申报月份"


def check_draft(form: dict, today: date) -> None:
    """What even a draft must have: a name, and a valid ID number if one is typed."""
    errors = []
    if not str(form.get("name") or "").strip():
        errors.append(("name", "保存草稿至少需要填写姓名"))
    number = str(form.get("id_number") or "").strip()
    if number:
        try:
            parse_id_number(number, today=today)
        except ValidationError as error:
            errors.extend(error.errors)
    if errors:
        raise ValidationError(errors)


def declaration_questions(policy, kind: str, specialties, qualifications=()) -> list[tuple[str, str]]:
    """The statements an application must answer for its eligibility (JC-E2, YQ-E1, YQ-E2), as (key, question)."""
    rules = policy.eligibility
    chosen, held = set(specialties or ()), set(qualifications or ())
    questions = [(req.key, f"是否具有{req.label}")
                 for req in rules.experience_requirements
                 if chosen & set(req.specialty_codes or ()) or held & set(getattr(req, "qualifications", None) or ())]
    if rules.no_criminal_record_required:
        questions.append(("no_criminal_record", "无违法犯罪记录"))
    if rules.health_required:
        questions.append(("healthy", "身体健康，能够正常参加专家活动"))
    if kind == "特聘专家":
        questions += [("leadership", "在单位担任过领导职务"), ("frontline_commander", "担任过抢险救灾一线指挥员")]
    return questions
