"""聘任周期：专家状态的变更、公示期、聘期、期满、旧文件过渡、资料保存期和聘书编号 — JC-L1..L3, YQ-L1, X-L1.

状态变更表是数据（策略档案 `[lifecycle].flow`）：JC 第八条 申报 → 条件审核（附件4）→ 推荐汇总（附件5）→ 拟定名单 →
领导小组会议审议 → 公示5日 → 聘任三年；YQ 第七条 资格审核 → 公示 → 办公会议审定 → 下文、发聘书。`plan_transition`
只允许表中的变更，且必须写明原因；每个目标状态还有一道“门”（`check_gate`、`WORKFLOW_TARGETS`）：只有办理它的那一项
工作（条件审核、推荐与聘任、解聘清退、聘期届满、入库申报）能产生它。管理员的“更正”（`plan_correction`）只能撤回最近
一次变更、写明错在哪里和理由，永远不能产生 在库、已审核、解聘、清退；退回（如 暂停→在库 恢复使用）也是一条新的
变更，旧记录从不改写（X-L1），记录由 services 存入 "transitions"。其余是按日期计算的小规则：公示起止（公示5日 = 含首尾共5个日历日）、聘期（三年，止于
三年后同日的前一天，与 `core.expert.term_end_for` 一致）、期满（聘期结束日已过）、JC 第二十条 旧文件聘任的专家满三年
退出、JC 第八条(四) 资料保存不少于五年、聘书编号。纯函数：不读时钟，`today` 由调用方传入。
"""
from __future__ import annotations

import re
import string
import unicodedata
from datetime import date, timedelta
from enum import Enum
from typing import Any, Iterable

from core import vocab
from core.dates import office_date
from core.errors import DomainError, ValidationError
from core.expert import parse_date, term_end_for

__all__ = [
    "IN_POOL_STATES", "allowed_next", "plan_transition", "Workflow", "WORKFLOW_TARGETS", "check_gate",
    "plan_workflow_transition", "CORRECTION_FORBIDDEN", "CORRECTION_KIND", "LEGACY_KIND", "correction_target",
    "plan_correction", "CORRECTION_MIN_LEN", "CORRECTION_MAX_LEN", "notice_window", "check_notice", "notice_over",
    "notice_length", "appointment_term", "expired_ids", "legacy_term_end", "retention_until", "check_deletable",
    "certificate_number", "next_certificate_seq", "format_day",
]

# States whose term is running: an expert in either leaves by himself when the term ends (JC 第八条(三)).
IN_POOL_STATES = ("在库", "暂停")


def format_day(d: date) -> str:
    """2026年6月5日 — the way the forms and messages write dates (core.dates.office_date, issue 12)."""
    return office_date(d)


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
# 一个状态一道门 — 每个目标状态只能由办理它的那一项工作产生（ARCHITECTURE.md “One gate per state”）
# ---------------------------------------------------------------------------------------------------------------
class Workflow(str, Enum):
    """产生状态变更的工作（services 中唯一办理它的那一项）。值是记录上显示的中文名称。"""
    APPLICATION = "入库申报"      # services.applications.submit：期满退出/未通过/解聘 → 申请中（重新申请）
    REVIEW = "条件审核"           # services.applications.review_scored / review_checked：→ 已审核 / 未通过
    APPOINTMENT = "推荐与聘任"    # services.applications 推荐、拟定、会议、公示、异议、聘任：→ 已推荐…在库 / 未通过
    DISMISSAL = "解聘清退"        # services.dismissals：→ 暂停 / 解聘 / 清退；事项撤销 暂停 → 在库（恢复使用）
    TERM_END = "聘期届满"         # services.lifecycle.expire_terms：→ 期满退出


# 每项工作可以产生的状态，以及（需要时）只能从哪些状态产生。表之外的组合一律拒绝，即使策略的 flow 允许这一变更。
WORKFLOW_TARGETS: dict[Workflow, dict[str, frozenset[str] | None]] = {
    Workflow.APPLICATION: {"申请中": None},
    Workflow.REVIEW: {"已审核": frozenset({"申请中"}), "未通过": frozenset({"申请中"})},
    Workflow.APPOINTMENT: {"已推荐": None, "拟定": None, "公示中": None,
                           "未通过": frozenset({"已审核", "已推荐", "拟定", "公示中"}),
                           "在库": frozenset({"公示中", "拟定"})},  # 聘任，不是恢复使用
    Workflow.DISMISSAL: {"暂停": frozenset({"在库"}), "解聘": None, "清退": None,
                         "在库": frozenset({"暂停"})},  # 解聘事项撤销、未予解聘：恢复使用
    Workflow.TERM_END: {"期满退出": None},
}


def _workflow(value: Any) -> Workflow:
    try:
        return value if isinstance(value, Workflow) else Workflow(value)
    except ValueError:
        raise DomainError(f"未知的办理事项“{value}”，不能变更专家状态") from None


def check_gate(workflow: Any, current: str, to: str) -> Workflow:
    """“workflow”可以把专家从 current 变为 to 吗？不可以 → DomainError，写明“to”只能由哪项工作办理。"""
    flow = _workflow(workflow)
    _check_state(current)
    _check_state(to)
    targets = WORKFLOW_TARGETS[flow]
    if to not in targets:
        owners = [w.value for w, t in WORKFLOW_TARGETS.items() if to in t]
        where = f"只能通过“{'”或“'.join(owners)}”办理" if owners else "不能由任何办理事项直接产生"
        raise DomainError(f"“{flow.value}”不能把专家变为“{to}”：“{to}”{where}")
    sources = targets[to]
    if sources is not None and current not in sources:
        raise DomainError(f"“{flow.value}”只能把“{'、'.join(sorted(sources))}”状态的专家变为“{to}”，"
                          f"该专家当前为“{current}”")
    return flow


def plan_workflow_transition(current: str, to: str, policy: Any, *, workflow: Any, reason: str) -> dict:
    """经过“门”的一次状态变更：先查这项工作能否产生 to（check_gate），再查策略 flow（plan_transition）。

    记录比 plan_transition 多两项：workflow（办理事项）和 kind（“办理”）。
    """
    flow = check_gate(workflow, current, to)
    step = plan_transition(current, to, policy, reason=reason)
    return dict(step, workflow=flow.value, kind="办理")


# ---------------------------------------------------------------------------------------------------------------
# 更正 — 管理员纠正一次错误的状态变更；永远不能单独产生 在库、已审核、解聘、清退
# ---------------------------------------------------------------------------------------------------------------
CORRECTION_KIND = "更正"
LEGACY_KIND = "存量登记"
# 这四个状态各有完整的程序（聘任或恢复使用、条件审核、解聘程序、清退程序）：更正不能代替它们。
CORRECTION_FORBIDDEN = frozenset({"在库", "已审核", "解聘", "清退"})
CORRECTION_MIN_LEN = 10
CORRECTION_MAX_LEN = 500


def correction_target(expert: dict) -> tuple[str | None, str]:
    """(更正后的状态, 说明)：更正只能撤回最近一次状态变更，回到它之前的状态；不能更正时状态为 None、说明写明原因。

    规则：最近一次变更的“由”状态就是唯一可选的目标；它若是 在库/已审核/解聘/清退 之一则不能更正（须走相应程序，
    如 误暂停 通过撤销解聘事项恢复使用）；存量登记 没有“之前的状态”，也不能更正。
    """
    history = expert.get("transitions")
    state = expert.get("state")
    if not isinstance(history, list) or not history or not isinstance(history[-1], dict):
        return None, "该专家没有状态变更记录，无可更正"
    last = history[-1]
    if last.get("to") != state:
        return None, f"状态记录与当前状态（{state}）不一致，请先核查数据"
    before = last.get("from")
    if last.get("kind") == LEGACY_KIND or not isinstance(before, str) or before not in vocab.EXPERT_STATES:
        return None, "最近一次是存量专家登记，没有之前的状态，不能更正"
    if before in CORRECTION_FORBIDDEN:
        return None, (f"最近一次变更前为“{before}”：更正不能产生“{before}”，"
                      f"须通过相应程序办理（{'、'.join(sorted(CORRECTION_FORBIDDEN))} 都不能由更正产生）")
    return before, f"撤回最近一次变更（{before}→{state}，{last.get('at', '')}），恢复为“{before}”"


def _correction_text(value: Any, field: str, label: str) -> str:
    text = unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
    if len(text) < CORRECTION_MIN_LEN:
        raise ValidationError((field, f"请写明{label}（至少{CORRECTION_MIN_LEN}个字）"))
    if len(text) > CORRECTION_MAX_LEN:
        raise ValidationError((field, f"{label}不能超过{CORRECTION_MAX_LEN}个字（当前{len(text)}个字）"))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in "\n\t" for ch in text):
        raise ValidationError((field, f"{label}含有不可见的控制字符，请删除后重新输入"))
    return text


def plan_correction(expert: dict, to: str, *, what_was_wrong: str, why: str) -> dict:
    """一次更正的记录，或拒绝它：to 必须是 correction_target 给出的状态，且不在 CORRECTION_FORBIDDEN 中。"""
    _check_state(to)
    if to in CORRECTION_FORBIDDEN:
        raise DomainError(f"更正不能把专家变为“{to}”：{'、'.join(sorted(CORRECTION_FORBIDDEN))} 只能通过相应程序产生")
    errors = []
    texts = {}
    for field, label, value in (("what_was_wrong", "错在哪里", what_was_wrong), ("why", "更正理由", why)):
        try:
            texts[field] = _correction_text(value, field, label)
        except ValidationError as error:
            errors.extend(error.errors)
    if errors:
        raise ValidationError(errors)
    target, explanation = correction_target(expert)
    if target is None:
        raise DomainError(f"不能更正：{explanation}")
    if to != target:
        raise DomainError(f"更正只能撤回最近一次状态变更，回到“{target}”，不能改为“{to}”")
    current = expert.get("state")
    corrected = len(expert["transitions"]) - 1
    return {"from": current, "to": to, "reason": f"更正：{texts['what_was_wrong']}；理由：{texts['why']}",
            "action": "更正状态", "kind": CORRECTION_KIND, "what_was_wrong": texts["what_was_wrong"],
            "why": texts["why"], "corrects": corrected}


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
