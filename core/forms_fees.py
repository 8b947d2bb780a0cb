"""劳务报酬结算表的表单上下文 — what the local fee statement form (forms jc_fee_statement / yq_fee_statement;
JC 第十六条–第十八条 报销、审核汇总; YQ 第二十条 由使用单位支付; neither seed draws it, so it is a local form) shows.

Pure: a `core.fees.Statement` and its `FeeLine`s plus the profile become plain dicts — the official title from the
profile's forms list, the period in Chinese, the summary rows (一、汇总), each fee line with its days, day rate,
rate version, amounts and working (二、计算过程), the totals with the amount in Chinese capitals (大写), the rate
versions used (三、适用标准), the basis document and who pays (第十六条 / 第二十条(三)). Amounts are written
“1,500.00”. User text (使用事项, names) is kept literal; the renderer escapes it.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from core.fees import FeeLine, Statement, money
from core.forms_context import cn_date, form_heading, text

KIND_LABELS = {"task": "按任务汇总", "expert": "按专家汇总", "department": "按使用科室（单位）汇总"}
ROW_LABELS = {"task": "使用事项（任务）", "expert": "专家姓名", "department": "使用科室（单位）"}
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """0 < n < 10000 in capitals, zeros collapsed (1050 → 壹仟零伍拾)."""
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10 ** pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _UNITS[pos]
    return out


def cn_money_upper(amount: Decimal) -> str:
    """人民币大写 as on Chinese financial forms: 1500 → 壹仟伍佰元整; 1234.56 → 壹仟贰佰叁拾肆元伍角陆分; 0 → 零元整."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    yuan_part, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan_part == 0 and not (jiao or fen):
        return "零元整"
    out = ""
    if yuan_part:
        groups = []
        n = yuan_part
        while n:
            groups.append(n % 10000)
            n //= 10000
        pieces, need_zero = [], False
        for i in range(len(groups) - 1, -1, -1):
            g = groups[i]
            if g == 0:
                need_zero = bool(pieces)
                continue
            if pieces and (need_zero or g < 1000):
                pieces.append("零")
            pieces.append(_four(g) + _SECTIONS[i])
            need_zero = False
        out = "".join(pieces) + "元"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif fen and yuan_part:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    else:
        out += "整"
    return sign + out


def period_text(period: tuple[date, date] | None) -> str:
    if period is None:
        return "全部期间"
    return f"{cn_date(period[0])}至{cn_date(period[1])}"


def _dates(start: str, end: str) -> str:
    if not start:
        return ""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return cn_date(a) if a == b else f"{cn_date(a)}至{cn_date(b)}"


def _version_text(v: Any) -> str:
    head = f"{cn_date(v.effective_from)}起："
    if v.daily_rate is None:
        return head + f"由本地设置，尚未填写（{text(v.note or v.source)}）"
    out = f"{head}劳务报酬{money(v.daily_rate)}元/人/工作日"
    if v.cross_city_lodging is not None:
        out += f"；跨市服务另加住宿费{money(v.cross_city_lodging)}元、伙食补助费{money(v.cross_city_meals)}元"
    return out + f"（{text(v.source)}）"


def _row(index: Any, r: Any, kind: str) -> dict:
    return {"index": str(index), "label": text(r.label), "dates": _dates(r.start, r.end), "lines": str(r.lines),
            "experts": str(r.experts), "tasks": str(r.tasks), "days_worked": str(r.days_worked), "days": str(r.days),
            "labour": money(r.labour), "lodging": money(r.lodging), "meals": money(r.meals), "amount": money(r.amount)}


def _line(index: int, ln: FeeLine) -> dict:
    rates = "、".join(dict.fromkeys(money(p.day_rate) for p in ln.parts)) or "—"
    versions = "、".join(cn_date(date.fromisoformat(p.rate_version)) for p in ln.parts) or "—"
    return {"index": str(index), "request_no": str(ln.request_id), "matter": text(ln.matter),
            "department": text(ln.department), "expert": text(ln.expert_name), "dates": _dates(ln.start, ln.end),
            "place": "跨市" if ln.outside_city else "市内", "days_worked": str(ln.days_worked), "days": str(ln.days),
            "rate": rates, "rate_version": versions, "labour": money(ln.labour),
            "extra": money(ln.lodging + ln.meals), "amount": money(ln.amount), "working": text(ln.working),
            "reason": text(ln.unpaid_reason or "")}


def fee_statement_context(statement: Statement, lines: Iterable[FeeLine], policy: Any, *, printed_on: date,
                          scope: str = "", prepared_by: str = "") -> dict:
    """Context of the 劳务报酬结算表: `statement` (by task / expert / department over its period) and the fee
    lines it sums (those within its period are listed with their working, in statement order of time)."""
    window = statement.period
    chosen = [ln for ln in lines
              if window is None or window[0].isoformat() <= ln.end <= window[1].isoformat()]
    fees = policy.fees
    form_id = fees.statement_form_id or ""
    annex, title = form_heading(policy, form_id) if form_id else ("", "")
    used = {p.rate_version for ln in chosen for p in ln.parts}
    versions = [v for v in fees.rate_versions if v.effective_from.isoformat() in used] or list(fees.rate_versions)
    total = statement.total
    return {
        "annex_label": "" if annex == "本地表单" else annex,
        "title": title or f"{policy.city}专家劳务报酬结算表",
        "kind_label": KIND_LABELS.get(statement.kind, statement.kind),
        "row_label": ROW_LABELS.get(statement.kind, "项目"),
        "period": period_text(window),
        "scope": text(scope) or "全部使用科室（单位）",
        "unit": text(fees.unit),
        "rows": [_row(n, r, statement.kind) for n, r in enumerate(statement.rows, start=1)],
        "total": _row("合计", total, statement.kind),
        "total_upper": cn_money_upper(total.amount),
        "line_count": str(len(chosen)),
        "lines": [_line(n, ln) for n, ln in enumerate(chosen, start=1)],
        "rates": [_version_text(v) for v in versions],
        "basis": text(fees.basis_document),
        "paid_by": text(fees.paid_by),
        "source": text(fees.source),
        "notes": [
            "每行报酬 = 计酬天数 × 当日适用的日标准；跨市服务每天另加住宿费和伙食补助费。标准调整的，每一天按当天有效的标准计算，"
            "各行写明所用标准的起始日期。",
            "一行计入其最后一个工作日所在的期间；计算过程写明不计酬的天数及原因（如公职人员从事本单位业务、同一时间参与多项服务）。",
        ],
        "printed_on": cn_date(printed_on),
        "prepared_by": text(prepared_by),
    }


__all__ = ["KIND_LABELS", "ROW_LABELS", "cn_money_upper", "fee_statement_context", "period_text"]
