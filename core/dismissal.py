"""解聘 / 清退案件与提醒谈话 — JC-R1（第九条、第十四条(三)）、YQ-R1（第二十四条）、X-E1（永不录用）。

一个案件从一条情形开始：JC 第九条（一）–（十）、YQ 第二十四条（一）–（十二），或 JC 第十四条(三) 违规收受财物
（用策略档案 `dismissal.other_permanent_bans` 的 key 立案，如 "bribery"，案件的 reason_number 记为 0）。立案须写明
事实和证据；JC 出现情形即“立即停止使用”，案件标记 suspend，由 services 把专家变为 暂停。之后按策略档案
`dismissal.procedure` 逐步办理（JC：提出解聘意见 → 分管领导签字 → 领导小组会议审议 → 网站公示5日无异议 → 印发
调整文件），每一步记下日期、经办人和说明，日期不能早于上一步；公示步骤在发布公示时记录，须填起止日期且不少于
notice_days 日，公示期满（结束日次日起）才能同意下一步，公示期间有异议则在下一步不同意。最后一步办完，案件“已完成”，结果为“清退”（永不录用情形：JC 第九条（五）–（九）、第十四条(三)）或
“解聘”；任何一步不同意，案件“已撤销”，没有结果（services 恢复 在库）。YQ 的提醒谈话（第二十四条，(三) 年度内
首次一般/较差）是单独记录的事件，不是案件。已完成的清退案件保存当时的身份证号和姓名，`banned_reason` 据此在申报时
拦下永不录用的人。纯函数：不读时钟，返回新的 dict，不改动传入的案件。
"""
from __future__ import annotations

import copy
from datetime import date
from typing import Any, Iterable

from core.errors import DomainError, ValidationError
from core.expert import parse_date
from core.lifecycle import IN_POOL_STATES, check_notice, format_day, notice_over
from core.policy import PolicyError

__all__ = [
    "CASE_OPEN", "CASE_DONE", "CASE_WITHDRAWN", "OUTCOME_DISMISSED", "OUTCOME_BANNED", "OTHER_BAN_NUMBER",
    "reason_choices", "open_case", "next_step", "advance_case", "expert_state_after", "reminder_talk",
    "banned_reason",
]

CASE_OPEN, CASE_DONE, CASE_WITHDRAWN = "进行中", "已完成", "已撤销"
OUTCOME_DISMISSED, OUTCOME_BANNED = "解聘", "清退"
OTHER_BAN_NUMBER = 0  # reason_number of a case raised under another article (JC 第十四条(三)); reason_key names it
REMINDER_TALK = "提醒谈话"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _id_number(value: Any) -> str:
    return _text(value).upper()


def _day(value: Any) -> date | None:
    return parse_date(value) if value not in (None, "") else None


def reason_choices(policy: Any) -> tuple[tuple[int | str, str], ...]:
    """立案可选的情形：(序号, 标签) 按原文顺序，其后是其他条款的永不录用情形 (key, 标签)。供页面下拉框使用。"""
    d = policy.dismissal
    numbered = tuple((r.number, d.reason_label(r.number)) for r in d.reasons)
    return numbered + tuple((b.key, b.label) for b in d.other_permanent_bans)


def _resolve_reason(reason: Any, policy: Any) -> tuple[int, str | None, str, bool]:
    """(reason_number, reason_key, reason_label, permanent) or ValidationError on the field reason_number."""
    d = policy.dismissal
    if isinstance(reason, str) and not reason.strip().isdigit():
        try:
            ban = d.other_ban(reason.strip())
        except PolicyError as e:
            raise ValidationError(("reason_number", e.message)) from None
        return OTHER_BAN_NUMBER, ban.key, ban.label, True
    try:
        number = int(reason)
        if isinstance(reason, bool):
            raise ValueError
        r = d.reason(number)
    except (TypeError, ValueError, PolicyError):
        first, last = d.reasons[0].numeral, d.reasons[-1].numeral
        raise ValidationError(("reason_number", f"{d.article}没有第（{reason}）项情形（可选：（{first}）–（{last}））")) \
            from None
    return r.number, None, d.reason_label(r.number), r.permanent_ban


def _reason_text_actor(reason: Any, policy: Any, text: Any, if_empty: tuple[str, str], by: Any):
    """(resolved reason, the text, the actor), or one ValidationError listing every missing or wrong part."""
    errors: list[tuple[str, str]] = []
    resolved = None
    try:
        resolved = _resolve_reason(reason, policy)
    except ValidationError as e:
        errors.extend(e.errors)
    body = _text(text)
    if not body:
        errors.append(if_empty)
    actor = _text(by)
    if not actor:
        errors.append(("by", "请填写经办人"))
    if errors or resolved is None:
        raise ValidationError(errors)
    return resolved, body, actor


def _check_in_pool(expert: dict, what: str) -> None:
    state = expert.get("state")
    if state not in IN_POOL_STATES:
        raise DomainError(f"只能对{'或'.join(IN_POOL_STATES)}的专家{what}（{expert.get('name') or '该专家'}当前为“{state}”）")


def open_case(expert: dict, reason_number: int | str, evidence: str, policy: Any, today: date, *, by: str) -> dict:
    """对一名在库/暂停的专家立案。

    reason_number：情形序号（JC 1–10、YQ 1–12），或其他永不录用情形的 key（JC "bribery" = 第十四条(三)）。
    情形不存在、证据或经办人为空 → 一个 ValidationError 列出全部问题；专家不在库/暂停 → DomainError。
    立案时即完成 procedure 的前 steps_at_opening 步（JC“立即停止使用”）；suspend 为 True 表示 services 应立即
    把专家从 在库 变为 暂停（JC 第九条“应立即停止使用”；已暂停的不再标记）。
    """
    _check_in_pool(expert, "提出解聘")
    (number, key, label, permanent), facts, actor = _reason_text_actor(
        reason_number, policy, evidence, ("evidence", "请填写事实和证据"), by)
    d = policy.dismissal
    suspend = d.suspend_immediately and expert.get("state") == "在库"
    opening = [{"name": name, "done_on": today.isoformat(), "by": actor, "approved": True,
                "note": f"出现{label}情形" + ("，立即停止使用" if d.suspend_immediately else "")}
               for name in d.procedure[:d.steps_at_opening]]
    return {
        "expert_id": expert.get("id"),
        "id_number": _id_number(expert.get("id_number")),
        "name": _text(expert.get("name")),
        "policy_id": policy.id,
        "reason_number": number,
        "reason_key": key,
        "reason_label": label,
        "permanent": permanent,
        "evidence": facts,
        "opened_on": today.isoformat(),
        "opened_by": actor,
        "status": CASE_OPEN,
        "steps": opening,
        "next_step": d.procedure[len(opening)],
        "suspend": suspend,
        "outcome": None,
        "closed_on": None,
    }


def next_step(case: dict, policy: Any) -> str | None:
    """案件下一步要办理的步骤名称；已完成或已撤销的案件为 None。"""
    if case.get("status") != CASE_OPEN:
        return None
    done = len(case.get("steps") or ())
    procedure = policy.dismissal.procedure
    return procedure[done] if done < len(procedure) else None


def _check_case(case: dict, policy: Any) -> str:
    status = case.get("status")
    if status != CASE_OPEN:
        raise DomainError(f"该案件{status}，不能再办理")
    if case.get("policy_id") != policy.id:
        raise DomainError(f"该案件按策略“{case.get('policy_id')}”立案，不能按“{policy.id}”办理")
    step = next_step(case, policy)
    if step is None:  # steps and procedure disagree: a stored case from an edited profile
        raise DomainError("该案件的步骤已全部办完，但状态未结束，请联系管理员")
    return step


def advance_case(case: dict, policy: Any, *, done_on: date, by: str, note: str = "", approved: bool = True,
                 notice_start: date | None = None, notice_end: date | None = None) -> dict:
    """办理案件的下一步，返回新的案件（传入的不变）。

    日期早于上一步、经办人为空、不同意却没写理由、公示步骤缺日期或不足 notice_days 日、公示未满就同意下一步 →
    一个 ValidationError 列出全部问题（公示步骤是最后一步时，它本身须在公示期满后记录）。
    approved=False → 案件“已撤销”，outcome 为 None；最后一步同意 → “已完成”，outcome 为“清退”（永不录用情形）
    或“解聘”。返回的案件带 next_step（下一步名称，结束后为 None）。
    """
    step = _check_case(case, policy)
    d = policy.dismissal
    errors: list[tuple[str, str]] = []
    day = _day(done_on)
    if day is None:
        errors.append(("done_on", f"办理日期应为日期（如 2026-06-05），当前为“{done_on}”"))
    actor = _text(by)
    if not actor:
        errors.append(("by", "请填写经办人"))
    remark = _text(note)
    if not approved and not remark:
        errors.append(("note", f"不同意“{step}”时请写明理由"))

    steps = case.get("steps") or []
    prev_name = steps[-1]["name"] if steps else "立案"
    prev_day = _day(steps[-1]["done_on"]) if steps else _day(case.get("opened_on"))
    if day is not None and prev_day is not None and day < prev_day:
        errors.append(("done_on", f"“{step}”的日期（{format_day(day)}）不能早于上一步“{prev_name}”的日期"
                                  f"（{format_day(prev_day)}）"))

    record: dict[str, Any] = {"name": step, "done_on": day.isoformat() if day else None, "by": actor,
                              "approved": bool(approved), "note": remark}
    is_notice = step == d.notice_step
    if is_notice and approved:
        start, end = _day(notice_start), _day(notice_end)
        if start is None or end is None:
            errors.append(("notice_start" if start is None else "notice_end", f"“{step}”须填写公示开始和结束日期"))
        else:
            try:
                check_notice(start, end, days=d.notice_days)
            except ValidationError as e:
                errors.extend(e.errors)
            if prev_day is not None and start < prev_day:
                errors.append(("notice_start", f"公示开始日期（{format_day(start)}）不能早于上一步“{prev_name}”的日期"
                                               f"（{format_day(prev_day)}）"))
            last = step == d.procedure[-1]
            if last and day is not None and end >= start and not notice_over(end, day):
                errors.append(("done_on", f"公示至{format_day(end)}，公示期满无异议后（次日起）才能记录“{step}”"))
            record["notice_start"], record["notice_end"] = start.isoformat(), end.isoformat()
    elif not is_notice and (notice_start is not None or notice_end is not None):
        errors.append(("notice_start", f"“{step}”不是公示步骤，不需要填写公示日期"))
    notice_end_day = _day(steps[-1].get("notice_end")) if steps and steps[-1]["name"] == d.notice_step else None
    if approved and notice_end_day is not None and day is not None and not notice_over(notice_end_day, day):
        errors.append(("done_on", f"公示至{format_day(notice_end_day)}，公示期满无异议后（次日起）才能办理“{step}”"))
    if errors:
        raise ValidationError(errors)

    new = copy.deepcopy(case)
    new["steps"] = [*new.get("steps", []), record]
    if not approved:
        new["status"], new["outcome"], new["closed_on"] = CASE_WITHDRAWN, None, record["done_on"]
    elif len(new["steps"]) >= len(d.procedure):
        new["status"] = CASE_DONE
        new["outcome"] = OUTCOME_BANNED if new.get("permanent") else OUTCOME_DISMISSED
        new["closed_on"] = record["done_on"]
    new["next_step"] = next_step(new, policy)
    return new


def expert_state_after(case: dict) -> str | None:
    """案件结束后专家应变为的状态：已完成 → 清退/解聘；已撤销且立案时停止了使用 → 在库；其他情况 None（不变）。"""
    if case.get("status") == CASE_DONE:
        return case.get("outcome")
    if case.get("status") == CASE_WITHDRAWN and case.get("suspend"):
        return "在库"
    return None


def reminder_talk(expert: dict, reason_number: int, note: str, policy: Any, today: date, by: str) -> dict:
    """YQ 第二十四条的提醒谈话（(三) 年度内首次被评定为一般或较差时必谈），记为一条事件。

    策略没有提醒谈话（JC）、情形属于永不录用、专家不在库/暂停 → DomainError；情形不存在、谈话内容或经办人为空
    → ValidationError。返回 {"kind": "提醒谈话", "expert_id", "id_number", "name", "policy_id", "reason_number",
    "reason_label", "note", "on", "by"}，由 services 存档。
    """
    d = policy.dismissal
    if not d.reminder_talk:
        raise DomainError(f"《{policy.short_name}》没有提醒谈话程序（{d.article}），请按程序提出{d.name}")
    _check_in_pool(expert, "提醒谈话")
    (number, _key, label, permanent), text, actor = _reason_text_actor(
        reason_number, policy, note, ("note", "请填写谈话内容"), by)
    if permanent:
        raise DomainError(f"{label}属于永不录用情形，不能以提醒谈话代替")
    return {"kind": REMINDER_TALK, "expert_id": expert.get("id"), "id_number": _id_number(expert.get("id_number")),
            "name": _text(expert.get("name")), "policy_id": policy.id, "reason_number": number,
            "reason_label": label, "note": text, "on": today.isoformat(), "by": actor}


def banned_reason(id_number: str, cases: Iterable[dict]) -> str | None:
    """身份证号在永不录用名单上时的中文原因（X-E1），如“曾因第九条（六）出具虚假专家意见被清退，永不录用”；否则 None。

    只算已完成、结果为清退的永不录用案件（撤销的、进行中的不算）；多件时取最早结案的一件。身份证号不区分末位 x 大小写。
    """
    wanted = _id_number(id_number)
    if not wanted:
        return None
    hits = [c for c in cases if c.get("status") == CASE_DONE and c.get("outcome") == OUTCOME_BANNED
            and c.get("permanent") and _id_number(c.get("id_number")) == wanted]
    if not hits:
        return None
    first = min(hits, key=lambda c: c.get("closed_on") or "")
    label = (first.get("reason_label") or "").rstrip("；;。")
    if label.endswith("的"):
        label = label[:-1]
    return f"曾因{label}被清退，永不录用"
