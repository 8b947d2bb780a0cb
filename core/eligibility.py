"""资格条件审查（选聘条件）— JC 第七条（JC-E1..E3），YQ 第六条、第八条（YQ-E1, YQ-E2），永不录用（X-E1），逐条说明（X-E2）.

`check_eligibility` 把一条专家记录（加上申报时的声明、永不录用原因和办公室的放宽意见）按策略档案在给定日期逐条审查，
返回 `EligibilityResult`：每条规则一行，状态为 通过 / 不通过 / 待审核，附中文理由和出处条款。规则的参数（年龄上限、
职称等级、职业资格、年限、学历、特定专业经历、特聘途径、可否放宽）全部来自 `policy.eligibility`，这里只有逻辑。
函数是纯的：不读时钟（`today` 传入），记录不完整也不抛异常——缺什么就把那一条标为“待审核”并说明缺什么，
所以申报表边填边查也能用。只有调用方的错误才抛 `DomainError`：本策略没有的专家类型，或放宽了不允许放宽的规则
（YQ 不允许任何放宽；永不录用永远不能放宽）。放宽（JC 第七条(四)、(六)）只把“不通过”变成 overridden=True，
状态仍是“不通过”，理由后附“经办公室放宽：……”，总体结论不再因它而不符合。
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Mapping

from core import vocab
from core.errors import DomainError, ValidationError
from core.expert import expert_birth_date
from core.idcard import age_on
from core.numbers import whole_number

__all__ = [
    "PASS", "FAIL", "REVIEW", "RULE_STATUSES", "ELIGIBLE", "NOT_ELIGIBLE", "PENDING", "OVERALL_STATUSES",
    "RULE_BANNED", "RULE_AGE", "RULE_EDUCATION", "RULE_TITLE", "RULE_YEARS", "RULE_SPECIAL_PATH",
    "RULE_CRIMINAL_RECORD", "RULE_HEALTH", "EXPERIENCE_PREFIX", "OVERRIDE_PREFIX",
    "RuleResult", "EligibilityResult", "check_eligibility", "possible_rule_ids", "overridable_rule_ids",
]

PASS, FAIL, REVIEW = "通过", "不通过", "待审核"
RULE_STATUSES = (PASS, FAIL, REVIEW)
ELIGIBLE, NOT_ELIGIBLE, PENDING = "符合", "不符合", "待审核"
OVERALL_STATUSES = (ELIGIBLE, NOT_ELIGIBLE, PENDING)

RULE_BANNED = "banned"
RULE_AGE = "age"
RULE_EDUCATION = "education"
RULE_TITLE = "title"
RULE_YEARS = "years"
RULE_SPECIAL_PATH = "special_path"
RULE_CRIMINAL_RECORD = "no_criminal_record"
RULE_HEALTH = "health"
EXPERIENCE_PREFIX = "experience_"   # + ExperienceRequirement.key, e.g. "experience_forest_fire"
OVERRIDE_PREFIX = "经办公室放宽："

SPECIAL_KIND = "特聘专家"
_SPLIT = re.compile(r"[,，、;；\s]+")


# ---------------------------------------------------------------------------------------------------------------
# 结果
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleResult:
    """一条选聘条件的审查结果。`overridable`：本策略是否允许办公室放宽这一条（JC 第七条(四)(六)）。"""

    rule_id: str
    name: str
    status: str                 # 通过 | 不通过 | 待审核
    reason: str                 # 中文理由；放宽后附“；经办公室放宽：……”
    source: str                 # 出处条款，如“第七条(六)：年龄一般不超过65周岁”
    overridable: bool
    overridden: bool = False
    override_reason: str = ""   # 办公室填写的放宽理由（原文）

    @property
    def blocking(self) -> bool:
        """这一条使申请人不符合条件（不通过且未放宽）。"""
        return self.status == FAIL and not self.overridden

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RuleResult":
        return cls(rule_id=str(d["rule_id"]), name=str(d["name"]), status=str(d["status"]),
                   reason=str(d["reason"]), source=str(d["source"]), overridable=bool(d["overridable"]),
                   overridden=bool(d.get("overridden", False)), override_reason=str(d.get("override_reason", "")))


@dataclass(frozen=True)
class EligibilityResult:
    """一次审查的全部规则（X-E2）。status：任一条不通过且未放宽 → 不符合；否则任一条待审核 → 待审核；否则 符合。"""

    policy_id: str
    checked_on: date
    rules: tuple[RuleResult, ...]

    @property
    def status(self) -> str:
        if any(r.blocking for r in self.rules):
            return NOT_ELIGIBLE
        if any(r.status == REVIEW for r in self.rules):
            return PENDING
        return ELIGIBLE

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        """不通过且未放宽的规则。"""
        return tuple(r for r in self.rules if r.blocking)

    @property
    def pending(self) -> tuple[RuleResult, ...]:
        """待审核的规则。"""
        return tuple(r for r in self.rules if r.status == REVIEW)

    def rule(self, rule_id: str) -> RuleResult:
        for r in self.rules:
            if r.rule_id == rule_id:
                return r
        raise KeyError(f"审查结果中没有规则“{rule_id}”")

    def to_dict(self) -> dict:
        """JSON 值：日期为 ISO 字符串；status 一并存下，便于列表直接显示（from_dict 重新计算，不读它）。"""
        return {"policy_id": self.policy_id, "checked_on": self.checked_on.isoformat(), "status": self.status,
                "rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "EligibilityResult":
        checked = d["checked_on"]
        return cls(policy_id=str(d["policy_id"]),
                   checked_on=checked if isinstance(checked, date) else date.fromisoformat(str(checked)),
                   rules=tuple(RuleResult.from_dict(r) for r in d.get("rules") or ()))


# ---------------------------------------------------------------------------------------------------------------
# 读记录的小工具：记录可能是边填边查的原始表单，值的类型不可靠
# ---------------------------------------------------------------------------------------------------------------
def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t for t in _SPLIT.split(value) if t]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip() in ("是", "true", "True", "1", "☑"))


def _declared(declarations: Mapping[str, Any], key: str) -> bool | None:
    value = declarations.get(key)
    return value if isinstance(value, bool) else None


def _birth_date(expert: Mapping[str, Any]) -> date | None:
    try:
        return expert_birth_date(dict(expert))
    except ValidationError:
        return None


def _gender(expert: Mapping[str, Any]) -> str | None:
    value = _text(expert.get("gender"))
    if value in vocab.GENDERS:
        return value
    number = _text(expert.get("id_number")).upper()
    if re.fullmatch(r"\d{17}[\dX]", number):
        return "男" if int(number[16]) % 2 == 1 else "女"
    return None


def _years(expert: Mapping[str, Any]) -> tuple[int | None, str]:
    """(从事本专业年限, 读不出时的说明)."""
    value = expert.get("years_in_field")
    if isinstance(value, bool):
        return None, "从事本专业年限填写有误"
    if not _text(value) and not isinstance(value, (int, float)):
        return None, "未填写从事本专业年限"
    years = whole_number(value)
    if years is None or not 0 <= years <= 99:
        return None, f"从事本专业年限“{_text(value)}”不是整年数"
    return years, ""


def _level(value: Any, levels: tuple[str, ...]) -> int | None:
    text = _text(value)
    return levels.index(text) if text in levels else None


def _general_article(policy: Any) -> str:
    """普通专家条件所在的条：eligibility.source 的第一段（JC“第七条”，YQ“第六条；第八条”中的“第六条”）。"""
    return re.split(r"[；;]", policy.eligibility.source)[0].strip()


def _article_for(policy: Any, kind: str) -> str:
    """该类型专家条件所在的条：特聘专家为 special_expert.source（YQ“第八条”），否则为普通专家的条。"""
    special = policy.eligibility.special_expert
    if kind == SPECIAL_KIND and special is not None:
        return special.source
    return _general_article(policy)


def _ban_source(policy: Any) -> str | None:
    """永不录用情形的出处，如“第九条（五）至（九）；第十四条(三)”；策略没有永不录用情形时为 None。"""
    dismissal = policy.dismissal
    banned = [r for r in dismissal.reasons if r.permanent_ban]
    parts: list[str] = []
    if banned:
        numbers = [r.number for r in banned]
        contiguous = numbers == list(range(numbers[0], numbers[-1] + 1))
        if len(banned) == 1:
            parts.append(f"{dismissal.article}（{banned[0].numeral}）")
        elif contiguous:
            parts.append(f"{dismissal.article}（{banned[0].numeral}）至（{banned[-1].numeral}）")
        else:
            parts.append(dismissal.article + "".join(f"（{r.numeral}）" for r in banned))
    parts += [b.source for b in dismissal.other_permanent_bans]
    return "；".join(parts) if parts else None


# ---------------------------------------------------------------------------------------------------------------
# 哪些规则存在、哪些可放宽
# ---------------------------------------------------------------------------------------------------------------
def possible_rule_ids(policy: Any, kind: str = "普通专家") -> tuple[str, ...]:
    """本策略对该类型专家可能给出的全部规则标识（某些规则只在适用时出现，如特定专业经历）。"""
    el = policy.eligibility
    ids = [RULE_BANNED, RULE_AGE, RULE_EDUCATION]
    ids += [RULE_SPECIAL_PATH] if kind == SPECIAL_KIND else [RULE_TITLE]
    ids.append(RULE_YEARS)
    ids += [EXPERIENCE_PREFIX + r.key for r in el.experience_requirements]
    if el.no_criminal_record_required:
        ids.append(RULE_CRIMINAL_RECORD)
    if el.health_required:
        ids.append(RULE_HEALTH)
    return tuple(ids)


def overridable_rule_ids(policy: Any) -> tuple[str, ...]:
    """办公室可放宽的规则：年龄（age_relaxable，JC 第七条(六)），职称或职业资格与年限（conditions_relaxable，
    JC 第七条(四)）。YQ 都不可放宽；永不录用、学历、身体、违法犯罪记录、特定专业经历从不放宽。"""
    el = policy.eligibility
    ids: list[str] = []
    if el.age_relaxable:
        ids.append(RULE_AGE)
    if el.conditions_relaxable:
        ids += [RULE_TITLE, RULE_YEARS]
    return tuple(ids)


# ---------------------------------------------------------------------------------------------------------------
# 各条规则：一条一个小函数，返回 (状态, 理由)，由 check_eligibility 补上名称、出处、可否放宽
# ---------------------------------------------------------------------------------------------------------------
def _check_banned(banned: str | None) -> tuple[str, str]:
    if banned is not None:
        why = banned.strip() or "原因未记录"
        return FAIL, f"已列入永不录用名单（{why}），不得再次申请入库，不能放宽"
    return PASS, "未列入永不录用名单"


def _check_age(expert: Mapping[str, Any], policy: Any, today: date, kind: str) -> tuple[str, str, str]:
    """(状态, 理由, 出处)。"""
    el = policy.eligibility
    gender = _gender(expert)
    birth = _birth_date(expert)
    if gender is None:
        limits = {el.max_age(g, kind) for g in vocab.GENDERS}
        if len(limits) > 1:
            return REVIEW, "未填写性别（也无法从身份证号读出），无法确定年龄上限", _article_for(policy, kind)
        limit, source = limits.pop(), el.age_limit_source(vocab.GENDERS[0], kind)
        who = ""
    else:
        limit, source = el.max_age(gender, kind), el.age_limit_source(gender, kind)
        genders_differ = len({el.max_age(g, kind) for g in vocab.GENDERS}) > 1
        who = f"（{gender}性{kind}）" if genders_differ else f"（{kind}）"
    if birth is None:
        return REVIEW, "未填写出生日期，也无法从身份证号读出，无法计算年龄", source
    if birth > today:
        return REVIEW, f"出生日期 {_cn_date(birth)} 晚于审查日期，请核对", source
    age = age_on(birth, today)
    on = f"{_cn_date(today)}年龄{age}周岁"
    if age <= limit:
        return PASS, f"{on}，未超过{limit}周岁的年龄上限{who}", source
    return FAIL, f"{on}，超过{limit}周岁的年龄上限{who}", source


def _check_education(expert: Mapping[str, Any], minimum: str) -> tuple[str, str]:
    levels = vocab.EDUCATION_LEVELS
    have = _level(expert.get("education"), levels)
    need = levels.index(minimum)
    if have is None:
        text = _text(expert.get("education"))
        return REVIEW, f"最高学历“{text}”不是可选项，请核对" if text else "未填写最高学历"
    if have >= need:
        return PASS, f"最高学历为{levels[have]}，达到{minimum}以上"
    return FAIL, f"最高学历为{levels[have]}，低于{minimum}"


def _qualifications_held(expert: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    held = set(_items(expert.get("qualifications")))
    return [q for q in allowed if q in held]


def _check_title(expert: Mapping[str, Any], policy: Any) -> tuple[str, str]:
    """JC-E1 / YQ-E1：中级以上职称或可代替职称的职业资格之一；JC 市外专家须副高级以上，职业资格不能代替。"""
    el = policy.eligibility
    levels = vocab.TITLE_LEVELS
    have = _level(expert.get("title_level"), levels)
    typed = _text(expert.get("title_level"))
    quals = _qualifications_held(expert, el.qualifications)
    qual_names = "、".join(el.qualifications)
    related = "（职称与申报专业是否相关，在条件审核中核实）" if el.title_must_relate_to_specialty else ""
    out_of_city_min = el.out_of_city_min_title_level
    if out_of_city_min is not None and _flag(expert.get("is_out_of_city")):
        need = levels.index(out_of_city_min)
        if have is None:
            missing = f"职称等级“{typed}”不是可选项" if typed else "未填写职称等级"
            return REVIEW, f"市外专家须具有{out_of_city_min}以上专业技术职称，{missing}"
        if have >= need:
            return PASS, f"市外专家，职称等级为{levels[have]}，达到{out_of_city_min}以上{related}"
        extra = f"；所持{'、'.join(quals)}不能代替市外专家的职称要求" if quals else ""
        return FAIL, f"市外专家须具有{out_of_city_min}以上专业技术职称，现为{levels[have]}{extra}"
    need = levels.index(el.min_title_level)
    if have is not None and have >= need:
        return PASS, f"职称等级为{levels[have]}，达到{el.min_title_level}以上{related}"
    if quals:
        title = f"职称等级为{levels[have]}" if have is not None else "未填写职称等级"
        return PASS, f"持有{'、'.join(quals)}资格，可代替职称（{title}）"
    if have is None:
        missing = f"职称等级“{typed}”不是可选项" if typed else "未填写职称等级"
        return REVIEW, f"{missing}，也未持有{qual_names}资格之一"
    return FAIL, f"职称等级为{levels[have]}，低于{el.min_title_level}，且未持有{qual_names}资格之一"


def _check_years(expert: Mapping[str, Any], policy: Any) -> tuple[str, str]:
    minimum = policy.eligibility.min_years
    years, problem = _years(expert)
    if years is None:
        return REVIEW, problem
    if years >= minimum:
        return PASS, f"从事本专业{years}年，达到{minimum}年以上"
    return FAIL, f"从事本专业{years}年，不足{minimum}年"


def _check_experience(req: Any, expert: Mapping[str, Any], declarations: Mapping[str, Any]) -> tuple[str, str] | None:
    """JC-E2：申报了规定专业或持有规定职业资格的专家，还须具有该项经历；不适用时返回 None。"""
    specialties = set(_items(expert.get("specialties")))
    codes = [c for c in req.specialty_codes if c in specialties]
    quals = [q for q in req.qualifications if q in set(_items(expert.get("qualifications")))]
    if not codes and not quals:
        return None
    why = "、".join([f"申报专业{c}" for c in codes] + [f"持有{q}资格" for q in quals])
    stated = _declared(declarations, req.key)
    if stated is True:
        return PASS, f"{why}，已确认具有{req.label}"
    if stated is False:
        return FAIL, f"{why}，须具有{req.label}，申报人不具有"
    return REVIEW, f"{why}，需核实{req.label}（{req.requirement}）"


def _check_declaration(declarations: Mapping[str, Any], key: str, yes: str, no: str, ask: str) -> tuple[str, str]:
    stated = _declared(declarations, key)
    if stated is True:
        return PASS, yes
    if stated is False:
        return FAIL, no
    return REVIEW, ask


def _check_special_path(expert: Mapping[str, Any], policy: Any, declarations: Mapping[str, Any]) -> tuple[str, str]:
    """YQ-E2：特聘专家满足第八条两种途径之一（担任过领导职务的高级工程师；抢险一线指挥员，不要求学历职称）。"""
    el = policy.eligibility
    titles = vocab.TITLE_LEVELS
    have_title = _level(expert.get("title_level"), titles)
    have_edu = _level(expert.get("education"), vocab.EDUCATION_LEVELS)
    outcomes: list[tuple[str, str]] = []
    for path in el.special_expert.paths:
        conds: list[tuple[bool | None, str]] = []
        if path.title_required:
            need = titles.index(path.min_title_level)
            ok = None if have_title is None else have_title >= need
            now = f"现为{titles[have_title]}" if have_title is not None else "未填写"
            conds.append((ok, f"职称{path.min_title_level}以上（{now}）"))
        if path.education_required and el.min_education:
            need = vocab.EDUCATION_LEVELS.index(el.min_education)
            ok = None if have_edu is None else have_edu >= need
            now = f"现为{vocab.EDUCATION_LEVELS[have_edu]}" if have_edu is not None else "未填写"
            conds.append((ok, f"学历{el.min_education}以上（{now}）"))
        if path.leadership_required:
            conds.append((_declared(declarations, "leadership"), "在单位担任过领导职务"))
        if path.frontline_command_required:
            conds.append((_declared(declarations, "frontline_commander"), "担任过抢险一线指挥员"))
        word = {True: "符合", False: "不符合", None: "待核实"}
        detail = "，".join(f"{text}{word[ok]}" for ok, text in conds) or "无其他要求"
        if any(ok is False for ok, _ in conds):
            status = FAIL
        elif any(ok is None for ok, _ in conds):
            status = REVIEW
        else:
            status = PASS
        outcomes.append((status, f"“{path.label}”途径：{detail}"))
    passed = [text for status, text in outcomes if status == PASS]
    if passed:
        return PASS, f"符合{passed[0]}"
    every = "；".join(text for _, text in outcomes)
    if any(status == REVIEW for status, _ in outcomes):
        return REVIEW, f"需核实是否符合特聘专家选聘途径之一：{every}"
    return FAIL, f"不符合任一特聘专家选聘途径：{every}"


# ---------------------------------------------------------------------------------------------------------------
# 入口
# ---------------------------------------------------------------------------------------------------------------
def _override_reasons(overrides: Mapping[str, Any] | None, policy: Any) -> dict[str, str]:
    """Check every override against the profile before anything is judged: a refused one is a caller error."""
    if not overrides:
        return {}
    # Rules of any kind of this policy are known (an override stored before the kind changed is kept, not an error).
    known = {r for k in policy.expert_kinds for r in possible_rule_ids(policy, k)}
    allowed = overridable_rule_ids(policy)
    names = _rule_names(policy)
    out: dict[str, str] = {}
    for rule_id, value in overrides.items():
        text = value.get("reason") if isinstance(value, Mapping) else value
        text = text.strip() if isinstance(text, str) else ""
        if rule_id not in known:
            raise DomainError(f"《{policy.short_name}》的资格条件中没有规则“{rule_id}”，无法放宽")
        if rule_id == RULE_BANNED:
            raise DomainError("永不录用人员不得再次入库，不能放宽")
        if rule_id not in allowed:
            if not allowed:
                raise DomainError(f"《{policy.short_name}》没有规定可以放宽的选聘条件，“{names[rule_id]}”不能放宽")
            raise DomainError(f"《{policy.short_name}》不允许放宽“{names[rule_id]}”；"
                              f"可放宽的只有：{'、'.join(names[r] for r in allowed)}")
        if not text:
            raise DomainError(f"放宽“{names[rule_id]}”须写明理由")
        out[rule_id] = text
    return out


_RULE_NAMES = {
    RULE_BANNED: "永不录用", RULE_AGE: "年龄", RULE_EDUCATION: "学历", RULE_TITLE: "职称或职业资格",
    RULE_YEARS: "从事本专业年限", RULE_SPECIAL_PATH: "特聘专家选聘途径", RULE_CRIMINAL_RECORD: "无违法犯罪记录",
    RULE_HEALTH: "身体条件",
}


def _rule_names(policy: Any) -> dict[str, str]:
    """规则标识 → 中文名称（含本策略的特定专业经历）。"""
    names = dict(_RULE_NAMES)
    names.update({EXPERIENCE_PREFIX + r.key: r.label for r in policy.eligibility.experience_requirements})
    return names


def check_eligibility(expert: Mapping[str, Any], policy: Any, today: date, *, kind: str = "普通专家",
                      declarations: Mapping[str, Any] | None = None, banned: str | None = None,
                      overrides: Mapping[str, Any] | None = None) -> EligibilityResult:
    """按策略在 `today` 审查一条专家记录的全部选聘条件（X-E2）。

    `declarations`：申报人声明、经办公室核实的事项（forest_fire、flood_drought、legal_cases、no_criminal_record、
    healthy、leadership、frontline_commander），True/False，None 或缺省表示尚未说明 → 待审核。
    `banned`：None，或此人列入永不录用名单的中文原因（→ “永不录用”不通过，不能放宽，X-E1）。
    `overrides`：{规则标识: 放宽理由}（值也可以是带 "reason" 的 dict，即申报记录里存的样子）；只对本策略允许放宽的
    规则有效（JC：年龄、职称或职业资格、年限），其他一律抛 DomainError。规则已通过或本次不出现时放宽不起作用。
    """
    if kind not in policy.expert_kinds:
        raise DomainError(f"《{policy.short_name}》没有“{kind}”这一专家类型（可选：{'、'.join(policy.expert_kinds)}）")
    el = policy.eligibility
    declarations = declarations or {}
    relaxed = _override_reasons(overrides, policy)
    can_relax = set(overridable_rule_ids(policy))
    relax_when = {RULE_AGE: el.age_relaxation_condition, RULE_TITLE: el.conditions_relaxation_condition,
                  RULE_YEARS: el.conditions_relaxation_condition}
    general = _general_article(policy)
    special = kind == SPECIAL_KIND
    article = _article_for(policy, kind)
    names = _rule_names(policy)
    rules: list[RuleResult] = []

    def add(rule_id: str, outcome: tuple[str, str], source: str) -> None:
        name, (status, reason) = names[rule_id], outcome
        overridable = rule_id in can_relax
        if status == FAIL and rule_id in relaxed:
            rules.append(RuleResult(rule_id, name, status, f"{reason}；{OVERRIDE_PREFIX}{relaxed[rule_id]}", source,
                                    overridable, True, relaxed[rule_id]))
            return
        if status == FAIL and overridable and relax_when.get(rule_id):
            reason += f"；本办法规定可适当放宽（{relax_when[rule_id].rstrip('。')}），放宽须由办公室写明理由"
        rules.append(RuleResult(rule_id, name, status, reason, source, overridable))

    ban_source = _ban_source(policy)
    if ban_source is not None or banned is not None:
        add(RULE_BANNED, _check_banned(banned), ban_source or policy.dismissal.article)

    status, reason, age_source = _check_age(expert, policy, today, kind)
    add(RULE_AGE, (status, reason), age_source)

    if special:
        # 第八条: a path that requires education checks it inside the path rule; none of YQ's paths does.
        if not any(p.education_required for p in el.special_expert.paths) or not el.min_education:
            add(RULE_EDUCATION, (PASS, "特聘专家的选聘途径均不要求学历"), article)
    elif el.min_education is None:
        scored = "（学历在条件审核评分中计分）" if policy.scoring else ""
        add(RULE_EDUCATION, (PASS, f"本办法对最高学历不作要求{scored}"), article)
    else:
        add(RULE_EDUCATION, _check_education(expert, el.min_education), f"{general}：{el.min_education}以上学历")

    if special:
        add(RULE_SPECIAL_PATH, _check_special_path(expert, policy, declarations), article)
    else:
        title_source = f"{general}：{el.min_title_level}以上专业技术职称，或持有{'、'.join(el.qualifications)}资格"
        if el.out_of_city_min_title_level:
            title_source += f"；市外专家须{el.out_of_city_min_title_level}以上职称"
        add(RULE_TITLE, _check_title(expert, policy), title_source)

    add(RULE_YEARS, _check_years(expert, policy), f"{general}：{el.years_text}")

    for req in el.experience_requirements:
        outcome = _check_experience(req, expert, declarations)
        if outcome is not None:
            add(EXPERIENCE_PREFIX + req.key, outcome, req.source)

    if el.no_criminal_record_required:
        add(RULE_CRIMINAL_RECORD, _check_declaration(declarations, "no_criminal_record", "已确认没有违法犯罪记录",
                                                     "有违法犯罪记录", "需核实有无违法犯罪记录"), general)
    if el.health_required:
        add(RULE_HEALTH, _check_declaration(declarations, "healthy", "已确认身体健康，能够胜任专家工作",
                                            "身体条件不能胜任专家工作", "需核实身体健康状况"), article)

    return EligibilityResult(policy_id=policy.id, checked_on=today, rules=tuple(rules))
