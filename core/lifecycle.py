"""聘任周期：专家状态的变更、公示期、聘期、期满、旧文件过渡、资料保存期和聘书编号 — JC-L1..L3, YQ-L1, X-L1.

状态变更表是数据（策略档案 `[lifecycle].flow`）：JC 第八条 申报 → 条件审核（附件4）→ 推荐汇总（附件5）→ 拟定名单 →
领导小组会议审议 → 公示5日 → 聘任三年；YQ 第七条 资格审核 → 公示 → 办公会议审定 → 下文、发聘书。`plan_transition`
只允许表中的变更，且必须写明原因；退回（如 暂停→在库 恢复使用）也是一条新的变更，旧记录从不改写（X-L1），记录由
services 存入 "transitions"。其余是按日期计算的小规则：公示起止（公示5日 = 含首尾共5个日历日）、聘期（三年，止于
三年后同日的前一天，与 `core.expert.term_end_for` 一致）、期满（聘期结束日已过）、JC 第二十条 旧文件聘任的专家满三年
退出、JC 第八条(四) 资料保存不少于五年、聘书编号。纯函数：不读时钟，`today` 由调用方传入。
"""
from __future__ import annotations

import re
import string
from datetime import date, timedelta
from typing import Any, Iterable

from core import vocab
from core.errors import DomainError, ValidationError
from core.expert import parse_date, term_end_for

__all__ = [
    "IN_POOL_STATES", "allowed_next", "plan_transition", "notice_window", "check_notice", "notice_over",
    "notice_length", "appointment_term", "expired_ids", "legacy_term_end", "retention_until", "check_deletable",
    "certificate_number", "next_certificate_seq", "format_day",
]

# States whose term is running: an expert in either leaves by himself when the term ends (JC 第八条(三)).
IN_POOL_STATES = ("在库", "暂停")


def format_day(d: date) -> str:
    """2026年6月5日 — the way the forms and messages write dates."""
    return f"{d.year}年{d.month}月{d.day}日"


def _as_day(value: Any, field: str, label: str) -> date:
    parsed = parse_date(value) if value is not None else None
    if parsed is None:
        raise ValidationError((field, f"{label}应为日期（如 2026-06-05），当前为“{value}”"))
    return parsed


# ---------------------------------------------------------------------------------------------------------------
# 状态变更 — X-L1
# ---------------------------------------------------------------------------------------------------------------
def _check_state(state: str) -> None:
    if state not in vocab.EXPERT_STATES:
        raise DomainError(f"未知的专家状态“{state}”（可选：{'、'.join(vocab.EXPERT_STATES)}）")


def allowed_next(current: str, policy: Any) -> tuple[str, ...]:
    """“current”之后本策略允许变为的状态，按策略档案 flow 中的顺序；最终状态（如 清退）为空。"""
    _check_state(current)
    return tuple(t.to_state for t in policy.lifecycle.transitions_from(current))


def plan_transition(current: str, to: str, policy: Any, *, reason: str) -> dict:
    """一次状态变更的记录内容，或拒绝它。

    返回 {"from", "to", "reason", "action", "policy_id"}；services 再加上 entity、entity_id、by、at 存入
    "transitions"。原因为空 → ValidationError（字段 reason）；状态未知、变为自身或不在策略的 flow 中 →
    DomainError，消息写明两个状态和“current”之后允许的状态。
    """
    _check_state(current)
    _check_state(to)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError(("reason", f"请填写从“{current}”变为“{to}”的原因"))
    if current == to:
        raise DomainError(f"专家已是“{current}”状态，无需变更")
    step = policy.lifecycle.transition(current, to)
    if step is None:
        nxt = allowed_next(current, policy)
        hint = (f"“{current}”之后只能变为：{'、'.join(nxt)}" if nxt
                else f"“{current}”是最终状态，不能再变更")
        raise DomainError(f"不能从“{current}”直接变为“{to}”（{policy.short_name}）；{hint}")
    return {"from": current, "to": to, "reason": text, "action": step.action, "policy_id": policy.id}


# ---------------------------------------------------------------------------------------------------------------
# 公示 — JC 第八条(三)“公示5日无异议后”；YQ 第七条(二)3（天数本地设置）
# ---------------------------------------------------------------------------------------------------------------
def notice_window(start: date, policy: Any, *, days: int | None = None) -> tuple[date, date]:
    """公示起止日：含首尾共 notice_days 个日历日（5日：6月1日至6月5日）。`days` 可代替策略的天数（如解聘公示）。"""
    n = policy.lifecycle.notice_days if days is None else days
    return start, start + timedelta(days=n - 1)


def notice_length(start: date, end: date) -> int:
    """公示天数，含首尾。"""
    return (end - start).days + 1


def check_notice(start: Any, end: Any, policy: Any = None, *, days: int | None = None,
                 field: str = "notice_end") -> tuple[date, date]:
    """校验公示起止日期并返回 (start, end)。

    结束早于开始 → ValidationError；给了 policy（或 days）时，天数少于 lifecycle.notice_days（或 days）→
    ValidationError“公示期不足5日”。
    """
    s = _as_day(start, "notice_start", "公示开始日期")
    e = _as_day(end, "notice_end", "公示结束日期")
    if e < s:
        raise ValidationError((field, f"公示结束日期（{format_day(e)}）不能早于开始日期（{format_day(s)}）"))
    need = days if days is not None else (policy.lifecycle.notice_days if policy is not None else None)
    if need is not None and notice_length(s, e) < need:
        raise ValidationError((field, f"公示期不足{need}日（{format_day(s)}至{format_day(e)}，共"
                                      f"{notice_length(s, e)}日）"))
    return s, e


def notice_over(end: date, today: date) -> bool:
    """公示期已满：结束日当天仍在公示，次日起才算“公示期满无异议”。"""
    return today > end


# ---------------------------------------------------------------------------------------------------------------
# 聘期与期满 — JC 第八条(三) 聘期三年、期满自行解聘退出；YQ 第七条(二)5
# ---------------------------------------------------------------------------------------------------------------
def appointment_term(appointed_on: date, policy: Any) -> tuple[date, date]:
    """(聘期开始, 聘期结束)：从聘任之日起 term_years 年，止于到期年同日的前一天。"""
    return appointed_on, term_end_for(appointed_on, policy.lifecycle.term_years)


def expired_ids(experts: Iterable[dict], today: date) -> list[int]:
    """聘期已过的专家 id：状态为 在库/暂停 且聘期结束日早于 today（结束日当天仍在聘期内）。

    没有聘期结束日的记录不算期满。按输入顺序返回；services 据此记录 在库/暂停 → 期满退出。
    """
    out: list[int] = []
    for e in experts:
        if e.get("state") not in IN_POOL_STATES:
            continue
        end = parse_date(e.get("term_end")) if e.get("term_end") else None
        if end is not None and end < today:
            out.append(e["id"])
    return out


def legacy_term_end(original_appointment: date, policy: Any) -> date | None:
    """JC 第二十条：按晋市应急总指办发[2023]4号选入的专家，自原聘任文件下发之日起满三年后自行解聘退出。

    返回最后一天在库的日期（满三年之日的前一天，与聘期算法一致）；策略没有过渡规则（YQ）时返回 None。
    """
    legacy = policy.lifecycle.legacy_appointments
    if legacy is None:
        return None
    return term_end_for(original_appointment, legacy.leave_after_years)


# ---------------------------------------------------------------------------------------------------------------
# 资料保存 — JC 第八条(四)：资料保存期限不少于五年（YQ 本地设置）
# ---------------------------------------------------------------------------------------------------------------
def retention_until(created_on: date, policy: Any) -> date | None:
    """申报资料必须保存到的最后一天（建档后满 record_retention_years 年之日的前一天）；策略未规定时为 None。"""
    years = policy.lifecycle.record_retention_years
    if years is None:
        return None
    return term_end_for(created_on, years)


def check_deletable(created_on: date, today: date, policy: Any) -> None:
    """保存期内删除申报/审核资料 → DomainError；保存期满（retention_until 之后）或策略未规定则放行。"""
    until = retention_until(created_on, policy)
    if until is not None and today <= until:
        years = policy.lifecycle.record_retention_years
        basis = "本地设置" if "record_retention_years" in policy.lifecycle.set_locally else "办法规定"
        raise DomainError(f"申报和审核资料应保存不少于{years}年（{policy.short_name}{basis}）："
                          f"该资料建于{format_day(created_on)}，须保存至{format_day(until)}，此前不能删除")


# ---------------------------------------------------------------------------------------------------------------
# 聘书编号 — 格式为策略档案 lifecycle.certificate_number_format（本地设置）
# ---------------------------------------------------------------------------------------------------------------
def certificate_number(policy: Any, year: int, seq: int) -> str:
    """“晋应急专家聘字〔2026〕第001号”：year 为四位年份，seq 为当年序号（从1起）。"""
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
        raise ValidationError(("year", f"聘书年份应为四位年份，当前为“{year}”"))
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ValidationError(("seq", f"聘书序号应为正整数，当前为“{seq}”"))
    return policy.lifecycle.certificate_number_format.format(year=year, seq=seq)


def _certificate_pattern(fmt: str) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(fmt):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(r"(?P<year>\d{4})")
        elif name == "seq":
            parts.append(r"(?P<seq>\d+)")
    return re.compile("".join(parts))


def next_certificate_seq(used_numbers: Iterable[str], policy: Any, year: int) -> int:
    """当年下一个聘书序号：已用编号中按本策略格式、同一年份的最大序号 + 1；其他格式的编号不计。"""
    pattern = _certificate_pattern(policy.lifecycle.certificate_number_format)
    top = 0
    for number in used_numbers:
        m = pattern.fullmatch((number or "").strip())
        if m and int(m["year"]) == year:
            top = max(top, int(m["seq"]))
    return top + 1
