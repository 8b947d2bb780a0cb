"""劳务报酬与预算（纯函数，金额一律 Decimal）— JC-F1, JC-F2, JC-F3, JC-F4, YQ-F1.

劳务报酬（JC 第十六条）：每位专家每项任务一行 `FeeLine` = 实际工作天数 × 当日适用的日标准（JC 每人每工作日300元），
跨市服务每天另加住宿费和伙食补助费（JC 150元 + 50元，第十六条(一)）；公职人员从事本单位业务不领取（第十六条(二)）；
同一时间参与多项技术服务只按一项发放（第十六条(三)）。标准取自策略档案 [fees] 的 rate_versions，按生效日期分版本：
每一天按当天有效的版本计价（任务中途调标准就分段计算），每行记下所用版本，新版本加入后旧任务的金额照样复算得出
（第十六条(一) “差旅费标准调整后，参照新标准执行”）。阳泉（YQ 第二十条(二)）的金额由本地设置，未填写时计算报错。
每行带中文算式 `working`，报酬明细表（`statement_by_task` / `statement_by_expert` / `statement_by_department`）按期间
汇总。预算（JC 第十八条 先预算后支出，严禁无预算或超预算支出）：`estimate_request_fee` 估算一次使用的报酬，
`budget_status` 给出某科室某年的预算、已承诺、已支付、剩余，`check_budget` 在超出时拒绝并说明超出多少，
`check_budget_amount` 不许把预算改到已承诺和已支付之下。不读时钟、不做 I/O；输入是服务层存的普通 dict：
assignment {"id","request_id","expert_id","start","end","status","days_worked"?}，
request {"id","policy_id","department","matter","outside_city","start","end","status","needs","external_experts",
"own_unit_expert_ids"?,"unit"?,"estimated_fee"?,"external_days"?}，expert {"id","name","unit","is_public_servant",
"is_out_of_city"?}。

取舍（写在这里，测试逐条覆盖）：
- 计费天数：assignment 有 days_worked 就用它（正整数，不超过起止日期含首尾的天数，计为从开始日起的前 N 天），否则为
  起止日期含首尾的日历天数（assignment 自己的 start/end，没有时用申请的）。0、负数、非整数或超出起止天数 → FeeError。
- 只计状态为 已接受/已完成 的委派；邀请中、已拒绝、已取消 不产生报酬。
- 本单位（第十六条(二)）：申请的 own_unit_expert_ids 列出了该专家；或专家的工作单位与申请的使用科室（department）或
  使用单位（unit，可选）是同一单位 `same_unit` —— 局的科室就是局：两边先规范化（去空格、全角转半角、去掉“山西省”、
  本市名称写作“市”、“应急局”写作“应急管理局”），再归到所属的局（“市应急管理局危险化学品安全监督管理科” → “市应急
  管理局”；不带单位的科室名如“煤矿安全监督管理科”是本市应急管理局的科室），相同才算。县区、别的市的应急管理局、
  市里别的局、消防救援支队等都不是本单位（宁可少认也不错认：错认会让专家白干）。只在策略
  fees.public_servant_own_unit_unpaid 为 true 时适用。
- 跨市（第十六条(一)“市外专家来我市、我市专家赴市外等”）：任务在市外（申请 outside_city），或专家是市外专家
  （档案 is_out_of_city）。住宿费、伙食补助费按“每人每工作日”计，与劳务报酬同样的天数（原文不按夜数）。
- 库外专家（第十一条）：没有委派记录，申请状态为 已委派/已完成 时 external_experts 的每人一行，expert_id 为 None，
  姓名写作“王教授（库外专家，太原理工大学）”，天数取申请的 external_days（任务完成时按“库外1”这样的标识登记，
  没有时为起止日期含首尾的天数）；同日多项按姓名 + 单位认人；名单上标明 is_public_servant / is_out_of_city 的照此计。
- 同日多项（第十六条(三)）：同一专家的任务按 (开始日期, 申请 id, 委派 id) 排序，每一天只在第一项“发放”该日的任务下
  计价，后面的任务该日记0天并写明原因。不领报酬的本单位任务不占用日期。只在 fees.overlap_pays_once 为 true 时适用。
- 标准未填写（阳泉 set_locally、没有金额）：`fee_lines` 与 `estimate_request_fee` 抛出 FeeError
  “阳泉市劳务报酬标准由本地设置，请先在政策中填写（…）”，不产出金额为空的行 —— 没有金额的报酬表没有用处，
  而且空值会在合计里悄悄变成 0。只有需要计价的天才查标准，本单位不领报酬的行不需要标准。
- 期间：一行属于其结束日期（最后一个工作日）所在的期间 —— 报酬在工作结束后报销（第十七条），一行不拆开，
  相邻期间的合计相加等于全部。同日多项的判定先在全部委派上做，再按期间筛选。
- 预算年度：申请开始日期所在年份；已承诺 = 已审批、待补批、已抽取、已委派而尚未支付的申请的预计报酬（申请上存了
  estimated_fee 就用它，否则按 `estimate_request_fee` 估算），已支付 = 已支付申请的报酬行合计。
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping

from core.dispatch import same_department
from core.errors import DomainError
from core.expert import parse_date
from core.numbers import whole_number

__all__ = [
    "FeeError", "how_to_set_rates", "COUNTED_STATUSES", "BUDGET_STATUSES", "REASON_PUBLIC_SERVANT", "REASON_OVERLAP", "CENT",
    "money", "yuan", "to_money", "period_of", "check_days_worked", "is_public_servant", "is_own_unit",
    "HOME_BUREAU", "bureau_of", "same_unit", "is_out_of_city", "is_cross_city", "EXTERNAL_PREFIX", "EXTERNAL_STATUSES",
    "external_key", "is_external_key", "external_experts_of", "external_label",
    "FeePart", "FeeLine", "fee_lines", "StatementRow", "Statement", "statement_by_task", "statement_by_expert",
    "statement_by_department", "estimate_request_fee", "BudgetStatus", "budget_status", "check_budget",
    "check_budget_amount",
]

COUNTED_STATUSES = ("已接受", "已完成")                       # 只有接受了委派、参加了工作的才计报酬
BUDGET_STATUSES = ("已审批", "待补批", "已抽取", "已委派")    # 已批准（或紧急先用）的使用，占用预算
REASON_PUBLIC_SERVANT = "公职人员从事本单位业务不领取劳务报酬（第十六条(二)）"
EXTERNAL_PREFIX = "库外"                                    # 库外专家的标识前缀（JC 第十一条）
EXTERNAL_STATUSES = ("已委派", "已完成")                     # 库外专家随任务委派参加工作，计报酬
REASON_OVERLAP = "同一时间参与多项技术服务，只按一项发放（第十六条(三)）"
BUDGET_RULE = "第十八条 严禁无预算或超预算支出"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def how_to_set_rates(policy: Any) -> str:
    """Where a locally set rate is filled in: the profile file (the app reads profiles when it starts)."""
    return (f"：由管理员在策略文件 policies/{policy.id}.toml 的 [[fees.rate_versions]] 中填写 daily_rate"
            "（跨市服务另填 cross_city_lodging、cross_city_meals），重启系统后生效；填写前可在“政策推演”中用变体试算")


class FeeError(DomainError):
    """报酬无法计算：天数不对、没有适用的标准、标准由本地设置而尚未填写、找不到申请或专家。消息为中文。"""


# ---------------------------------------------------------------------------------------------------------------
# 金额与日期
# ---------------------------------------------------------------------------------------------------------------
def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Any) -> str:
    """1500 → “1,500.00”（千分位、两位小数、四舍五入）；None → “”。"""
    if value is None:
        return ""
    return f"{_q(value if isinstance(value, Decimal) else to_money(value)):,.2f}"


def yuan(value: Any) -> str:
    """1500 → “1,500.00 元”（表格和消息里写金额的样子）；None → “”。"""
    text = money(value)
    return f"{text} 元" if text else ""


def to_money(value: Any, label: str = "金额") -> Decimal:
    """从输入得到金额 Decimal：整数、Decimal、“1,500.00”“1500元” 这样的文字；浮点数按其十进制写法。
    不是数字、不是有限数、超过两位小数 → DomainError（中文，写明 label）。"""
    if isinstance(value, bool) or value is None:
        raise DomainError(f"{label}应为金额（如 1500 或 1,500.00），当前为“{value}”")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").replace("元", "").strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"{label}应为金额（如 1500 或 1,500.00），当前为“{value}”") from None
    else:
        raise DomainError(f"{label}应为金额（如 1500 或 1,500.00），当前为“{value}”")
    if not d.is_finite():
        raise DomainError(f"{label}应为金额（如 1500 或 1,500.00），当前为“{value}”")
    if d != d.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError(f"{label}最多两位小数（到分），当前为“{value}”")
    return _q(d)


def _day(value: Any) -> date | None:
    if type(value) is str and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if value in (None, ""):
        return None
    return parse_date(value)


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period_of(period: Any) -> tuple[date, date] | None:
    """期间：None（不限）、年份 2026（全年）、或 (起, 止) 两个日期（含首尾，可为 ISO 文字）。"""
    if period is None:
        return None
    if isinstance(period, int) and not isinstance(period, bool):
        return date(period, 1, 1), date(period, 12, 31)
    try:
        lo, hi = period
    except (TypeError, ValueError):
        raise DomainError(f"期间应为年份或（起始日期, 截止日期），当前为“{period}”") from None
    start, end = _day(lo), _day(hi)
    if start is None or end is None:
        raise DomainError(f"期间的起止日期不对：“{lo}”至“{hi}”")
    if end < start:
        raise DomainError(f"期间的截止日期 {_cn(end)} 早于起始日期 {_cn(start)}")
    return start, end


def _id_key(value: Any) -> tuple:
    """Sort ids of any type (ints first, by value; then text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def _index(records: Iterable[Mapping[str, Any]] | Mapping[Any, Mapping[str, Any]]) -> dict:
    """Records keyed by id; a mapping passed in is used as it is. Ids are also reachable as text (“12”)."""
    if isinstance(records, Mapping):
        out = dict(records)
    else:
        out = {r.get("id"): r for r in records}
    for k in list(out):
        out.setdefault(str(k), out[k])
    return out


# ---------------------------------------------------------------------------------------------------------------
# 单条规则
# ---------------------------------------------------------------------------------------------------------------
def check_days_worked(value: Any, span_days: int) -> int:
    """实际工作天数：正整数且不超过起止日期含首尾的天数；返回整数，不对就抛 FeeError（页面保存前也用它检查）。"""
    n = whole_number(value)
    if n is None or n <= 0:
        raise FeeError(f"实际工作天数应为正整数（至少1天），当前为“{value}”")
    if n > span_days:
        raise FeeError(f"实际工作天数 {n} 天超过任务起止日期的 {span_days} 天")
    return n


# ---------------------------------------------------------------------------------------------------------------
# 本单位（第十六条(二)）：科室是局的一部分
# ---------------------------------------------------------------------------------------------------------------
HOME_BUREAU = "市应急管理局"   # the canonical name of the city's own bureau (the office that runs this pool)
# The names of one bureau: “应急局” is the everyday short form of “应急管理局”.
_ALIASES = (("应急局", "应急管理局"),)
# What a section (科室) of a bureau is called; a bare section name belongs to the city's own bureau.
_SECTION_ENDINGS = ("科", "处", "室", "股", "办", "中心", "队", "组")
# A name containing one of these is an organisation of its own, never a bare section of the bureau.
_ORG_MARKERS = ("局", "厅", "委员会", "政府", "公司", "集团", "院", "大学", "学校", "支队", "总队", "大队", "站", "所",
                "县", "区", "市", "省")
# Where a bureau's name ends inside “<bureau><section>”: the first of these.
_BUREAU_ENDINGS = ("局", "厅", "委员会", "政府")


def _canon_unit(name: Any, city: str) -> str:
    """An organisation name in one canonical spelling: full-width folded, no spaces, “山西省” dropped, the city's
    own name (“晋城市”, “晋城”) written as “市”, “应急局” as “应急管理局”; a county of the city keeps only its own name
    (“晋城市阳城县应急管理局” → “阳城县应急管理局”). Another city's or county's name is kept, so it never matches."""
    text = "".join(unicodedata.normalize("NFKC", name).split()) if isinstance(name, str) else ""
    if not text:
        return ""
    text = re.sub(r"^[^省市县区]{2,3}省", "", text)
    full = "".join(unicodedata.normalize("NFKC", city or "").split())
    short = full[:-1] if full.endswith("市") and len(full) > 2 else ""
    if full and text.startswith(full):
        text = "市" + text[len(full):]
    elif short and text.startswith(short) and "局" in text[len(short):]:
        text = "市" + text[len(short):]
    county = re.match(r"^市([^市县区局]{1,5}?[县区])(?=.)", text)
    if county:
        text = text[1:]
    for alias, name_ in _ALIASES:
        text = text.replace(alias, name_)
    return text


def bureau_of(name: Any, city: str = "") -> str:
    """The organisation (单位) a using department belongs to, canonical (`_canon_unit`): for “市应急管理局危险化学品安全
    监督管理科” the bureau “市应急管理局”; a bare section name (“煤矿安全监督管理科”, no place and no organisation in it)
    is a section of the city's own bureau (this is the bureau's expert office: its 使用科室 are its sections);
    anything else (“晋城市消防救援支队”, “阳城县应急管理局”, a company) is its own organisation. "" for no name."""
    if not isinstance(name, str):
        return ""
    return _bureau(name, city if isinstance(city, str) else "")


@lru_cache(maxsize=4096)
def _bureau(name: str, city: str) -> str:
    """bureau_of for text (cached: a year of fee lines asks about the same few units thousands of times)."""
    text = _canon_unit(name, city)
    if not text:
        return ""
    cut = min((i + len(m) for m in _BUREAU_ENDINGS if (i := text.find(m)) >= 0), default=-1)
    if 0 < cut < len(text):
        return text[:cut]
    if cut == len(text):
        return text
    if text.endswith(_SECTION_ENDINGS) and not any(m in text for m in _ORG_MARKERS):
        return HOME_BUREAU
    return text


def same_unit(expert_unit: Any, requesting_department: Any, city: str = "") -> bool:
    """“本单位”（JC 第十六条(二)）：专家的工作单位与提出使用的科室（单位）是同一单位 —— 局的科室就是局：“晋城市应急管理局”
    与“市应急管理局危险化学品安全监督管理科”“晋城市应急局安全技术科”“煤矿安全监督管理科”（本局科室）是同一单位；
    与“阳城县应急管理局”“阳泉市应急管理局”“晋城市住房和城乡建设局”“晋城市消防救援支队”不是。两边都按 `bureau_of`
    归到所属的局（单位）再比较；任一边为空 → False。"""
    a, b = bureau_of(expert_unit, city), bureau_of(requesting_department, city)
    return bool(a) and a == b


def is_public_servant(expert: Mapping[str, Any]) -> bool:
    """专家档案的“公职人员”（is_public_servant）：True 或导入表里的“是”。"""
    v = expert.get("is_public_servant")
    return v is True or (isinstance(v, str) and v.strip() in ("是", "true", "True"))


def is_own_unit(expert: Mapping[str, Any], request: Mapping[str, Any], city: str = "") -> bool:
    """这项使用是不是专家本单位的业务（第十六条(二)）：申请的 own_unit_expert_ids 列出了该专家，或专家的工作单位与
    申请的使用科室（department）/使用单位（unit）是同一单位（`same_unit`：科室归到所属的局，city 为策略的城市）。"""
    listed = request.get("own_unit_expert_ids") or ()
    eid = expert.get("id")
    if eid is not None and str(eid) in {str(x) for x in listed}:
        return True
    unit = expert.get("unit")
    return any(same_unit(unit, request.get(key), city) for key in ("department", "unit") if request.get(key))


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip() in ("是", "true", "True"))


def is_out_of_city(expert: Mapping[str, Any]) -> bool:
    """专家档案的“市外专家”（is_out_of_city，JC 第七条(四)）：True 或导入表里的“是”。"""
    return _flag(expert.get("is_out_of_city"))


def is_cross_city(expert: Mapping[str, Any], request: Mapping[str, Any]) -> bool:
    """跨市服务（JC 第十六条(一)“市外专家来我市、我市专家赴市外等”）：任务在市外（申请的 outside_city），或专家是
    市外专家（档案的 is_out_of_city）—— 市外专家来我市同样每天另加住宿费和伙食补助费。"""
    return bool(request.get("outside_city") is True or is_out_of_city(expert))


def external_key(index: int) -> str:
    """库外专家（JC 第十一条）在一项任务中的标识：申请 external_experts 中的第 index 人（从1起）→ “库外1”。
    库外专家没有专家编号、没有委派记录；天数、评价都按这个标识记在该任务上。"""
    return f"{EXTERNAL_PREFIX}{index}"


def is_external_key(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(EXTERNAL_PREFIX)


def external_experts_of(request: Mapping[str, Any]) -> list[dict]:
    """一项申请的库外专家（JC 第十一条，经主要领导批准聘请），每人 {"key": "库外1", "index", "name", "unit", "title",
    "title_level", "is_public_servant", "is_out_of_city", "days_worked"}：天数取申请的 external_days（任务完成时登记，
    按标识），没有时为 None（按起止日期计）。名单格式不对的项跳过（申请时已检查）。"""
    days = request.get("external_days") or {}
    out = []
    for i, x in enumerate(request.get("external_experts") or (), start=1):
        if not isinstance(x, Mapping):
            continue
        key = external_key(i)
        out.append({"key": key, "index": i, "name": str(x.get("name") or "").strip(),
                    "unit": str(x.get("unit") or "").strip(), "title": str(x.get("title") or "").strip(),
                    "title_level": x.get("title_level"), "is_public_servant": _flag(x.get("is_public_servant")),
                    "is_out_of_city": _flag(x.get("is_out_of_city")),
                    "days_worked": days.get(key) if isinstance(days, Mapping) else None})
    return out


def external_label(name: str, unit: str) -> str:
    """库外专家在报酬表和评价表上的写法：姓名 + “（库外专家，单位）”。"""
    return f"{name or '（未填姓名）'}（库外专家{'，' + unit if unit else ''}）"


def _policy_for(policy: Any, request: Mapping[str, Any]) -> Any:
    if hasattr(policy, "fees"):
        return policy
    found = policy.get(request.get("policy_id")) if isinstance(policy, Mapping) else None
    if found is None:
        raise FeeError(f"使用申请 #{request.get('id')} 的策略“{request.get('policy_id')}”不存在，无法计算劳务报酬")
    return found


class _Rates:
    """Day → rate version of one policy, checked once per version; cached per day."""

    def __init__(self, policy: Any):
        self.policy = policy
        self.fees = policy.fees
        self._by_day: dict[date, Any] = {}
        self._parts: dict[tuple[int, int, bool], FeePart] = {}

    def on(self, day: date, outside_city: bool) -> Any:
        v = self._by_day.get(day)
        if v is None:
            v = self.fees.rate_on(day)
            if v is None:
                first = self.fees.rate_versions[0].effective_from
                raise FeeError(f"{_cn(day)}没有适用的劳务报酬标准：{self.policy.short_name}最早的标准自{_cn(first)}起适用")
            if v.daily_rate is None:
                raise FeeError(f"{self.policy.city}劳务报酬标准由本地设置，请先在政策中填写"
                               f"（按{self.fees.basis_document}，自{_cn(v.effective_from)}起的标准）"
                               f"{how_to_set_rates(self.policy)}")
            self._by_day[day] = v
        if outside_city and v.cross_city_lodging is None:
            raise FeeError(f"{self.policy.city}跨市住宿费和伙食补助费标准未设置，请先在政策中填写"
                           f"（自{_cn(v.effective_from)}起的标准）")
        return v

    def part(self, v: Any, days: int, outside: bool) -> FeePart:
        """The (immutable, so shared) FeePart for `days` days at version v."""
        key = (id(v), days, outside)
        p = self._parts.get(key)
        if p is None:
            p = self._parts[key] = _part(v, days, outside)
        return p


# ---------------------------------------------------------------------------------------------------------------
# 报酬行
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeePart:
    """一行里按同一版本标准计价的那几天：天数 × (日标准 + 跨市住宿 + 伙食补助)。本地服务时后两项为 0。
    小计在构造时算好（`FeePart.of`），读的时候不再重算。"""
    rate_version: str        # 该版本的 effective_from（ISO），复算旧报酬时据此找回标准
    days: int
    day_rate: Decimal
    lodging_rate: Decimal
    meals_rate: Decimal
    labour: Decimal          # 劳务报酬小计 = days × day_rate
    lodging: Decimal         # 跨市住宿费小计
    meals: Decimal           # 伙食补助费小计
    amount: Decimal          # 三项合计

    @classmethod
    def of(cls, rate_version: str, days: int, day_rate: Decimal, lodging_rate: Decimal = ZERO,
           meals_rate: Decimal = ZERO) -> "FeePart":
        labour, lodging, meals = _q(day_rate * days), _q(lodging_rate * days), _q(meals_rate * days)
        return cls(rate_version, days, day_rate, lodging_rate, meals_rate, labour, lodging, meals,
                   labour + lodging + meals)

    def to_dict(self) -> dict:
        return {"rate_version": self.rate_version, "days": self.days, "day_rate": str(self.day_rate),
                "lodging_rate": str(self.lodging_rate), "meals_rate": str(self.meals_rate),
                "amount": str(self.amount)}


@dataclass(frozen=True)
class FeeLine:
    """一位专家在一项任务中的劳务报酬，带算式（working）和不发放的原因。金额为 Decimal（元，两位小数）。"""
    assignment_id: Any
    expert_id: Any
    expert_name: str
    request_id: Any
    matter: str               # 使用事项
    department: str           # 使用科室（单位）
    policy_id: str
    start: str                # 工作日期（ISO），含首尾
    end: str
    outside_city: bool
    days_worked: int          # 实际工作天数
    days: int                 # 计酬天数（扣除不发放的天）
    labour: Decimal           # 劳务报酬小计
    lodging: Decimal          # 跨市住宿费小计
    meals: Decimal            # 伙食补助费小计
    amount: Decimal           # 合计
    parts: tuple[FeePart, ...] = ()
    unpaid_days: tuple[str, ...] = ()        # 不发放的日期（ISO）
    paid_under: tuple[Any, ...] = ()         # 同日多项时，这些日子已在哪些申请下发放
    unpaid_reason: str | None = None
    external: bool = False                   # 库外专家（JC 第十一条）：expert_id 为 None，以姓名和单位标识
    expert_unit: str = ""                    # 专家的工作单位（库外专家据此与同名者区分）
    cross_city_basis: str = ""               # 任务在市内而专家来自市外时为“市外专家来我市”（第十六条(一)），写进算式

    @property
    def expert_key(self) -> Any:
        """按专家汇总、同日多项时认人的键：库内专家为专家编号，库外专家为 ("库外", 姓名, 单位)（规范化）。"""
        return _external_person(self.expert_name_plain, self.expert_unit) if self.external else self.expert_id

    @property
    def expert_name_plain(self) -> str:
        """姓名本身（库外专家的 expert_name 另带“（库外专家，单位）”）。"""
        if self.external and self.expert_name.endswith("）") and "（库外专家" in self.expert_name:
            return self.expert_name[:self.expert_name.rindex("（库外专家")]
        return self.expert_name

    @property
    def working(self) -> str:
        """中文算式，如“2天 × 300.00元 = 600.00元（2026年6月5日起标准）”；跨市时列出住宿、伙食与合计；
        有不发放的天时写明日期、原因和已在哪项申请发放。由本行的字段现算（一年三万行不必都生成文字）。"""
        text = _working(self.parts, self.outside_city, [date.fromisoformat(d) for d in self.unpaid_days],
                        self.unpaid_reason, self.paid_under, self.amount)
        return f"{text}（跨市：{self.cross_city_basis}）" if self.cross_city_basis and self.parts else text

    @property
    def rate_version(self) -> str:
        """所用标准版本的生效日期（ISO）；中途调标准时用“、”连接；一天也没计价时为空。"""
        return "、".join(p.rate_version for p in self.parts)

    @property
    def day_rate(self) -> Decimal | None:
        """日标准；中途调标准（用了两个以上版本）时为 None，看 parts。"""
        return self.parts[0].day_rate if len(self.parts) == 1 else None

    def to_dict(self) -> dict:
        """JSON 可存的形式：金额写成文字“600.00”，日期 ISO。"""
        return {"assignment_id": self.assignment_id, "expert_id": self.expert_id, "expert_name": self.expert_name,
                "request_id": self.request_id, "matter": self.matter, "department": self.department,
                "policy_id": self.policy_id, "start": self.start, "end": self.end, "outside_city": self.outside_city,
                "days_worked": self.days_worked, "days": self.days, "labour": str(self.labour),
                "lodging": str(self.lodging), "meals": str(self.meals), "amount": str(self.amount),
                "rate_version": self.rate_version, "parts": [p.to_dict() for p in self.parts],
                "unpaid_days": list(self.unpaid_days), "paid_under": list(self.paid_under),
                "unpaid_reason": self.unpaid_reason, "working": self.working, "external": self.external,
                "expert_unit": self.expert_unit, "cross_city_basis": self.cross_city_basis}


@dataclass
class _Item:
    assignment: Mapping[str, Any]
    request: Mapping[str, Any]
    policy: Any
    worked: list[date]
    order: tuple = field(default=())


def _worked_days(a: Mapping[str, Any], req: Mapping[str, Any], memo: dict | None = None) -> list[date]:
    """The days an assignment is paid for (see the module text). `memo` shares the result between assignments with
    the same dates and days (a year of tasks repeats them thousands of times); the list is read, never changed."""
    if memo is not None:
        key = (a.get("start") or req.get("start"), a.get("end") or req.get("end"), a.get("days_worked"))
        if isinstance(key[0], str) and isinstance(key[1], str) and (key[2] is None or type(key[2]) is int):
            found = memo.get(key)
            if found is None:
                found = memo[key] = _worked_days(a, req)
            return found
    who = (f"申请 #{req.get('id')} 的第{a['expert_id'][len(EXTERNAL_PREFIX):]}名库外专家" if is_external_key(a.get("expert_id"))
           else f"委派 #{a.get('id')}（专家 #{a.get('expert_id')}，申请 #{req.get('id')}）")
    start = _day(a.get("start")) or _day(req.get("start"))
    end = _day(a.get("end")) or _day(req.get("end"))
    if start is None or end is None:
        raise FeeError(f"{who}没有工作起止日期，无法计算劳务报酬")
    if end < start:
        raise FeeError(f"{who}的结束日期 {_cn(end)} 早于开始日期 {_cn(start)}")
    span = (end - start).days + 1
    raw = a.get("days_worked")
    n = span if raw in (None, "") else _check_days(raw, span, who)
    return [start + timedelta(days=k) for k in range(n)]


def _check_days(raw: Any, span: int, who: str) -> int:
    try:
        return check_days_worked(raw, span)
    except FeeError as e:
        raise FeeError(f"{who}：{e.message}") from None


def _group_parts(paid: list[date], rates: _Rates, outside: bool) -> tuple[FeePart, ...]:
    parts: list[FeePart] = []
    current, count = None, 0
    for d in paid:
        v = rates.on(d, outside)
        if v is not current:
            if current is not None:
                parts.append(rates.part(current, count, outside))
            current, count = v, 0
        count += 1
    if current is not None:
        parts.append(rates.part(current, count, outside))
    return tuple(parts)


def _part(v: Any, days: int, outside: bool) -> FeePart:
    return FeePart.of(v.effective_from.isoformat(), days, _q(v.daily_rate),
                      _q(v.cross_city_lodging) if outside else ZERO, _q(v.cross_city_meals) if outside else ZERO)


def _day_list(days: Iterable[date], limit: int = 5) -> str:
    days = list(days)
    text = "、".join(_cn(d) for d in days[:limit])
    return text + (f"等{len(days)}天" if len(days) > limit else "")


def _working(parts: tuple[FeePart, ...], outside: bool, unpaid: list[date], reason: str | None,
             paid_under: tuple, total: Decimal) -> str:
    pieces: list[str] = []
    for p in parts:
        seg = f"{p.days}天 × {money(p.day_rate)}元 = {money(p.labour)}元"
        if outside:
            seg += (f"；跨市住宿 {p.days}天 × {money(p.lodging_rate)}元 = {money(p.lodging)}元"
                    f"；伙食补助 {p.days}天 × {money(p.meals_rate)}元 = {money(p.meals)}元")
        version = date.fromisoformat(p.rate_version)
        pieces.append(f"{seg}（{_cn(version)}起标准）")
    if len(parts) > 1 or outside:
        pieces.append(f"合计 {money(total)}元")
    if unpaid:
        seg = f"{len(unpaid)}天不发放（{_day_list(unpaid)}）：{reason}"
        if paid_under:
            seg += "，已在申请 " + "、".join(f"#{r}" for r in paid_under) + " 发放"
        pieces.append(seg)
    if not parts:
        pieces.append(f"应发 {money(ZERO)}元")
    return "；".join(pieces)


def _external_person(name: str, unit: str) -> tuple:
    """One person from outside the pool across tasks (for 第十六条(三)): name and unit, spaces and width folded."""
    fold = lambda t: "".join(unicodedata.normalize("NFKC", t or "").split())  # noqa: E731
    return (EXTERNAL_PREFIX, fold(name), fold(unit))


def _unique(records: Iterable[Mapping[str, Any]] | Mapping[Any, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    values = records.values() if isinstance(records, Mapping) else records
    seen: set[int] = set()
    out = []
    for r in values:
        if id(r) not in seen:
            seen.add(id(r))
            out.append(r)
    return out


def fee_lines(assignments: Iterable[Mapping[str, Any]], requests: Iterable[Mapping[str, Any]] | Mapping,
              experts: Iterable[Mapping[str, Any]] | Mapping, policy: Any, *, period: Any = None) -> list[FeeLine]:
    """每位专家每项任务一行劳务报酬（JC-F1 天数 × 日标准，跨市 —— 任务在市外或市外专家来我市 —— 加住宿和伙食；
    JC-F2 公职人员本单位（科室归到所属的局）不领；JC-F3 同日只发一项；YQ-F1 标准由本地设置）。库外专家（JC 第十一条）
    没有委派记录：已委派、已完成的申请中 external_experts 的每人一行（expert_id 为 None，姓名带“（库外专家，单位）”，
    天数取申请的 external_days），同日多项按姓名和单位认人。
    policy：一个 Policy，或按 id 的 {policy_id: Policy}（按各申请的 policy_id 取）。
    requests / experts：记录列表或按 id 的映射。period：见 `period_of`，按行的结束日期筛选（同日判定在筛选前做）。
    返回按 (开始日期, 申请 id, 专家 id) 排序的行。算不出时抛 FeeError，写明哪条委派、哪一天、缺什么。"""
    reqs, exps = _index(requests), _index(experts)
    window = period_of(period)
    by_expert: dict[Any, list[_Item]] = {}
    people: dict[Any, Mapping[str, Any]] = {}
    memo: dict = {}
    for a in assignments:
        if a.get("status") not in COUNTED_STATUSES:
            continue
        req = reqs.get(a.get("request_id"))
        if req is None:
            raise FeeError(f"委派 #{a.get('id')} 的使用申请 #{a.get('request_id')} 不存在，无法计算劳务报酬")
        worked = _worked_days(a, req, memo)
        item = _Item(a, req, _policy_for(policy, req), worked,
                     (worked[0], _id_key(req.get("id")), _id_key(a.get("id"))))
        by_expert.setdefault(a.get("expert_id"), []).append(item)
    for req in _unique(requests):
        if not req.get("external_experts") or req.get("status") not in EXTERNAL_STATUSES:
            continue
        for x in external_experts_of(req):
            who = _external_person(x["name"], x["unit"])
            a = {"id": None, "request_id": req.get("id"), "expert_id": x["key"], "days_worked": x["days_worked"]}
            worked = _worked_days(a, req)
            item = _Item(a, req, _policy_for(policy, req), worked,
                         (worked[0], _id_key(req.get("id")), (2, x["index"], "")))
            by_expert.setdefault(who, []).append(item)
            people.setdefault(who, {"id": None, "name": external_label(x["name"], x["unit"]), "unit": x["unit"],
                                    "is_public_servant": x["is_public_servant"],
                                    "is_out_of_city": x["is_out_of_city"], "external": True})

    rates: dict[int, _Rates] = {}
    lines: list[FeeLine] = []
    for expert_key, items in by_expert.items():
        expert = people.get(expert_key) if isinstance(expert_key, tuple) else exps.get(expert_key)
        if expert is None:
            raise FeeError(f"找不到专家 #{expert_key} 的档案，无法判断公职人员身份，不能计算劳务报酬")
        external = bool(expert.get("external"))
        expert_id = None if external else expert_key
        servant = is_public_servant(expert)
        from_outside = is_out_of_city(expert)
        claimed: dict[date, Any] = {}
        items.sort(key=lambda it: it.order)
        for it in items:
            pol, req = it.policy, it.request
            fees = pol.fees
            r = rates.get(id(pol))
            if r is None:
                r = rates[id(pol)] = _Rates(pol)
            away = req.get("outside_city") is True
            outside = away or from_outside
            paid: list[date] = []
            unpaid: list[date] = []
            under: list[Any] = []
            reason = None
            if servant and fees.public_servant_own_unit_unpaid and is_own_unit(expert, req, getattr(pol, "city", "")):
                unpaid, reason = list(it.worked), REASON_PUBLIC_SERVANT
            else:
                once = fees.overlap_pays_once
                for d in it.worked:
                    if once and d in claimed:
                        unpaid.append(d)
                        if claimed[d] not in under:
                            under.append(claimed[d])
                    else:
                        paid.append(d)
                        if once:
                            claimed[d] = req.get("id")
                reason = REASON_OVERLAP if unpaid else None
            end = it.worked[-1]
            if window and not (window[0] <= end <= window[1]):
                continue  # the once-a-day claims above are made for every line, in the period or not
            parts = _group_parts(paid, r, outside)
            if len(parts) == 1:
                p = parts[0]
                labour, lodging, meals, total = p.labour, p.lodging, p.meals, p.amount
            else:
                labour = sum((p.labour for p in parts), ZERO)
                lodging = sum((p.lodging for p in parts), ZERO)
                meals = sum((p.meals for p in parts), ZERO)
                total = labour + lodging + meals
            lines.append(FeeLine(
                assignment_id=it.assignment.get("id"), expert_id=expert_id,
                expert_name=str(expert.get("name") or f"专家 #{expert_id}"), request_id=req.get("id"),
                matter=str(req.get("matter") or ""), department=str(req.get("department") or ""),
                policy_id=str(getattr(pol, "id", "")), start=it.worked[0].isoformat(), end=end.isoformat(),
                outside_city=outside, days_worked=len(it.worked), days=len(paid), labour=labour, lodging=lodging,
                meals=meals, amount=total, parts=parts, unpaid_days=tuple(d.isoformat() for d in unpaid),
                paid_under=tuple(under), unpaid_reason=reason, external=external,
                expert_unit=str(expert.get("unit") or ""), cross_city_basis="市外专家来我市" if from_outside and not away else ""))
    lines.sort(key=lambda ln: (ln.start, _id_key(ln.request_id), _id_key(ln.expert_id)))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# 报酬明细表（按任务 / 按专家 / 按使用科室）
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementRow:
    """明细表的一行（或合计行）：报酬行数、专家人数、任务数、计酬天数与各项金额（Decimal）。"""
    key: Any                  # 申请 id / 专家 id / 使用科室；合计行为 None
    label: str
    start: str                # 本行最早的工作日期（ISO）
    end: str                  # 本行最晚的工作日期（ISO）
    lines: int
    experts: int
    tasks: int
    days_worked: int
    days: int
    labour: Decimal
    lodging: Decimal
    meals: Decimal
    amount: Decimal

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("key", "label", "start", "end", "lines", "experts", "tasks",
                                               "days_worked", "days")}
        out.update({k: str(getattr(self, k)) for k in ("labour", "lodging", "meals", "amount")})
        return out


@dataclass(frozen=True)
class Statement:
    """一张报酬明细表：kind（task/expert/department）、标题、期间（含首尾，None 为不限）、各行与合计。"""
    kind: str
    title: str
    period: tuple[date, date] | None
    rows: tuple[StatementRow, ...]
    total: StatementRow


def _row(key: Any, label: str, group: list[FeeLine]) -> StatementRow:
    start = end = ""
    experts: set[Any] = set()
    tasks: set[Any] = set()
    days_worked = days = 0
    labour = lodging = meals = amount = ZERO
    for ln in group:  # one pass: the by-task statement of a year has ~20,000 rows
        if not start or ln.start < start:
            start = ln.start
        if ln.end > end:
            end = ln.end
        experts.add(ln.expert_key)
        tasks.add(ln.request_id)
        days_worked += ln.days_worked
        days += ln.days
        labour += ln.labour
        lodging += ln.lodging
        meals += ln.meals
        amount += ln.amount
    return StatementRow(key=key, label=label, start=start, end=end, lines=len(group), experts=len(experts),
                        tasks=len(tasks), days_worked=days_worked, days=days, labour=labour, lodging=lodging,
                        meals=meals, amount=amount)


def _statement(kind: str, title: str, lines: Iterable[FeeLine], period: Any, key: Callable[[FeeLine], Any],
               label: Callable[[FeeLine], str], order: Callable[[StatementRow], tuple]) -> Statement:
    window = period_of(period)
    chosen = [ln for ln in lines if window is None or window[0].isoformat() <= ln.end <= window[1].isoformat()]
    groups: dict[Any, list[FeeLine]] = {}
    for ln in chosen:
        groups.setdefault(key(ln), []).append(ln)
    rows = sorted((_row(k, label(g[0]), g) for k, g in groups.items()), key=order)
    return Statement(kind=kind, title=title, period=window, rows=tuple(rows), total=_row(None, "合计", chosen))


def statement_by_task(lines: Iterable[FeeLine], *, period: Any = None) -> Statement:
    """按任务（使用申请）汇总：行按开始日期、申请 id 排列；标签为使用事项（没有时“申请 #id”）。"""
    return _statement("task", "劳务报酬明细表（按任务）", lines, period, lambda ln: ln.request_id,
                      lambda ln: ln.matter or f"申请 #{ln.request_id}", lambda r: (r.start, _id_key(r.key)))


def statement_by_expert(lines: Iterable[FeeLine], *, period: Any = None) -> Statement:
    """按专家汇总：行按专家 id 排列；标签为姓名。"""
    return _statement("expert", "劳务报酬明细表（按专家）", lines, period, lambda ln: ln.expert_key,
                      lambda ln: ln.expert_name, lambda r: (_id_key(r.key),))


def statement_by_department(lines: Iterable[FeeLine], *, period: Any = None) -> Statement:
    """按使用科室（单位）汇总：行按科室名称排列。"""
    return _statement("department", "劳务报酬明细表（按使用科室）", lines, period,
                      lambda ln: ln.department.strip(), lambda ln: ln.department.strip() or "（未填使用科室）",
                      lambda r: (r.key,))


# ---------------------------------------------------------------------------------------------------------------
# 预算（JC 第十八条）
# ---------------------------------------------------------------------------------------------------------------
def _needed_experts(request: Mapping[str, Any]) -> int:
    n = 0
    for need in request.get("needs") or ():
        try:
            n += max(int(need.get("count") or 0), 0)
        except (TypeError, ValueError, AttributeError):
            continue
    return n + len(request.get("external_experts") or ())


def estimate_request_fee(request: Mapping[str, Any], n_experts: int | None, policy: Any) -> Decimal:
    """一次使用的预计报酬（审批时占用预算）：专家人数 × 起止日期每一天当日的标准（任务在市外另加住宿和伙食）。
    n_experts 为 None 时取各专业需要人数之和，另加每名库外专家（标明市外的库外专家按跨市计）。抽取前不知道会抽到谁：
    库内专家按任务地点计，假定没有公职人员本单位、没有同日多项；抽到市外专家时实际报酬会多出住宿和伙食，任务完成后
    预算按实际报酬计（services.fees）。标准缺失时抛 FeeError（同 `fee_lines`）。"""
    externals: list[dict] = []
    if n_experts is None:
        externals = external_experts_of(request)
        n_experts = _needed_experts(request) - len(externals)
    if isinstance(n_experts, bool) or not isinstance(n_experts, int) or n_experts < 0:
        raise FeeError(f"专家人数应为非负整数，当前为“{n_experts}”")
    pol = _policy_for(policy, request)
    worked = _worked_days({"id": "—", "expert_id": "—"}, request)
    rates = _Rates(pol)
    away = request.get("outside_city") is True

    def each(outside: bool) -> Decimal:
        return sum((p.amount for p in _group_parts(worked, rates, outside)), ZERO)

    total = each(away) * n_experts
    for x in externals:
        total += each(away or x["is_out_of_city"])
    return total


@dataclass(frozen=True)
class BudgetStatus:
    """某使用科室某年的预算情况（元）：预算、已承诺（已批准未支付的预计报酬）、已支付、剩余。"""
    department: str
    year: int
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def left(self) -> Decimal:
        """剩余 = 预算 − 已承诺 − 已支付（超支时为负数）。"""
        return self.budget - self.committed - self.paid

    def to_dict(self) -> dict:
        return {"department": self.department, "year": self.year, "budget": str(self.budget),
                "committed": str(self.committed), "paid": str(self.paid), "left": str(self.left)}


def budget_status(department: str, year: int, budget: Any, requests: Iterable[Mapping[str, Any]],
                  lines: Iterable[FeeLine], policy: Any, *, paid_request_ids: Iterable[Any] = (),
                  exclude_request_id: Any = None) -> BudgetStatus:
    """department 在 year 年（申请开始日期所在年）的预算情况。已承诺：状态为 BUDGET_STATUSES 且未支付的申请的
    estimated_fee（没有时 `estimate_request_fee` 估算）；已支付：paid_request_ids 中这些申请的报酬行金额合计
    （lines 应是不限期间算出的行）。exclude_request_id：正在审批的那一项（例如补批的紧急使用）不重复计入。"""
    paid_ids = {str(x) for x in paid_request_ids}
    amount = to_money(budget, "预算")
    by_request: dict[str, Decimal] = {}
    for ln in lines:
        by_request[str(ln.request_id)] = by_request.get(str(ln.request_id), ZERO) + ln.amount
    committed = paid = ZERO
    for req in requests:
        rid = req.get("id")
        if exclude_request_id is not None and str(rid) == str(exclude_request_id):
            continue
        if not same_department(req.get("department"), department):
            continue
        start = _day(req.get("start"))
        if start is None or start.year != year:
            continue
        if str(rid) in paid_ids:
            paid += by_request.get(str(rid), ZERO)
        elif req.get("status") in BUDGET_STATUSES:
            stored = req.get("estimated_fee")
            committed += (to_money(stored, "预计报酬") if stored not in (None, "")
                          else estimate_request_fee(req, None, policy))
    return BudgetStatus(department=department, year=year, budget=amount, committed=committed, paid=paid)


def check_budget(estimated: Any, status: BudgetStatus | None) -> None:
    """先预算后支出（JC-F4）：本次预计报酬超过剩余预算就拒绝，说明超出多少；正好用完可以。
    status 为 None（没有设置预算）同样拒绝 —— 严禁无预算支出。"""
    est = to_money(estimated, "预计报酬")
    if status is None:
        raise DomainError(f"尚未设置本科室本年度的专家劳务报酬预算，不能批准使用（{BUDGET_RULE}）")
    if est > status.left:
        raise DomainError(f"超出预算：预算剩余{money(status.left)}元，本次预计{money(est)}元，"
                          f"超出{money(est - status.left)}元（{BUDGET_RULE}）")


def check_budget_amount(budget: Any, committed_and_paid: Any) -> Decimal:
    """设置或修改预算时检查：不是金额、负数、低于已承诺和已支付的合计 → DomainError；返回金额 Decimal。"""
    amount = to_money(budget, "预算")
    if amount < 0:
        raise DomainError(f"预算不能为负数，当前为{money(amount)}元")
    used = to_money(committed_and_paid, "已承诺和已支付的金额")
    if amount < used:
        raise DomainError(f"预算不能低于已承诺和已支付的金额：已承诺和已支付共{money(used)}元，"
                          f"填写的预算为{money(amount)}元")
    return amount
