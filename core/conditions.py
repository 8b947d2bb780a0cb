"""条件变化 — 在库专家随时间不再符合的聘任条件：年龄超过上限（JC 第七条(六)，YQ 第六条6、第八条）和聘期届满
（JC 第八条(三)，YQ 第七条(二)5）；以及行业专业组组长、副组长的配备（JC 第十条(一)，JC-T3）.

`time_conditions(expert, policy, today)` 逐一检查一名专家在 `today` 是否仍符合会随时间变化的条件，返回 `Finding`
列表（空表示符合），每条带中文理由和出处条款。年龄上限按专家类型和性别取自策略档案 `eligibility.age_limits`
（YQ 男60、女55、特聘65；JC 65）；JC 允许放宽年龄限制（第七条(六)），入库时办公室记录了放宽理由的专家
（记录上的 `age_relaxation`，由 services 从其申报的放宽意见带入）不因年龄被排除。年龄超限是解聘/清退情形
（JC 第九条(二)、YQ 第二十四条(十)，序号取自 `dismissal.conditions_reason_number`），由办公室经解聘流程办理；
聘期届满由期满退出办理（services.lifecycle.expire_terms），不是解聘建议。抽取（core.drawing）用同一函数排除
这些专家（X-D1），参数以 `ConditionParams` 存进抽取记录，复算时按抽取当时的规则重算。缺出生日期、性别读不出而
男女上限不同等无法判断的情况不作排除（不凭缺失的数据排除专家）。

`group_role_gaps(experts, taxonomy)` 列出缺少组长、或专家达到设副组长人数却没有副组长的行业领域（JC-T3）；
超配的情况由 core.registry.group_role_problems 报告。纯函数：不读时钟，不改动传入的记录。
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Any, Iterable, Mapping

from core import vocab
from core.expert import expert_sector_codes, parse_date

__all__ = [
    "RULE_AGE", "RULE_TERM_ENDED", "CONDITION_FIELDS", "ConditionParams", "Finding", "time_conditions",
    "condition_snapshot", "birth_of", "gender_of", "group_role_gaps",
]

RULE_AGE = "age_over_limit"
RULE_TERM_ENDED = "term_ended"
IN_POOL_STATES = ("在库", "暂停")
# The fields of an expert the rules read, as `condition_snapshot` writes them (derived: no ID number is kept).
CONDITION_FIELDS = ("birth_date", "gender", "expert_kind", "age_relaxation", "term_end")


def _cn_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _iso_day(value: Any) -> date | None:
    if type(value) is str and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return parse_date(value) if value not in (None, "") else None


def birth_of(expert: Mapping[str, Any]) -> date | None:
    """出生日期：birth_date 字段，否则身份证号第7–14位；都读不出时 None。"""
    found = _iso_day(expert.get("birth_date"))
    if found is not None:
        return found
    number = expert.get("id_number")
    if isinstance(number, str) and len(number) == 18 and number[6:14].isdigit():
        try:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return None
    return None


def gender_of(expert: Mapping[str, Any]) -> str | None:
    """性别：gender 字段，否则身份证号第17位（奇数男、偶数女）；都读不出时 None。"""
    value = expert.get("gender")
    if isinstance(value, str) and value.strip() in vocab.GENDERS:
        return value.strip()
    number = expert.get("id_number")
    if isinstance(number, str) and len(number) == 18 and number[16].isdigit():
        return "男" if int(number[16]) % 2 == 1 else "女"
    return None


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - (0 if (today.month, today.day) >= (birth.month, birth.day) else 1)


@dataclass(frozen=True)
class ConditionParams:
    """The profile's parameters the time conditions read; stored with a draw so it replays under them."""

    policy_id: str
    age_limits: tuple[tuple[str, str | None, int, str], ...]   # (专家类型, 性别 or None, 上限（含）, 出处)
    default_kind: str
    age_relaxable: bool
    reason_number: int | None     # dismissal.conditions_reason_number
    reason_label: str             # “第九条（二）不再符合……”，no number → ""
    action: str                   # dismissal.name: 解聘退出 / 清退

    @classmethod
    def from_policy(cls, policy: Any) -> "ConditionParams":
        if isinstance(policy, ConditionParams):
            return policy
        el, d = policy.eligibility, policy.dismissal
        number = d.conditions_reason_number
        return cls(policy.id, tuple((a.kind, a.gender, int(a.max_age), a.source) for a in el.age_limits),
                   policy.expert_kinds[0], bool(el.age_relaxable), number,
                   d.reason_label(number) if number is not None else "", d.name)

    def to_dict(self) -> dict:
        return {"policy_id": self.policy_id, "age_limits": [list(a) for a in self.age_limits],
                "default_kind": self.default_kind, "age_relaxable": self.age_relaxable,
                "reason_number": self.reason_number, "reason_label": self.reason_label, "action": self.action}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ConditionParams":
        return cls(str(data["policy_id"]),
                   tuple((str(k), g, int(m), str(s)) for k, g, m, s in data["age_limits"]),
                   str(data["default_kind"]), bool(data["age_relaxable"]),
                   None if data.get("reason_number") is None else int(data["reason_number"]),
                   str(data.get("reason_label") or ""), str(data.get("action") or ""))

    def limit(self, gender: str | None, kind: str) -> tuple[int, str] | None:
        """(上限, 出处) for this gender and kind (the most specific line); gender None → the highest of the
        genders' limits (an unknown gender is excluded only when over every limit); no line → None."""
        if gender is None:
            found = [self.limit(g, kind) for g in vocab.GENDERS]
            found = [f for f in found if f is not None]
            return max(found) if found else None
        for want in (gender, None):
            for k, g, m, s in self.age_limits:
                if k == kind and g == want:
                    return m, s
        return None


@dataclass(frozen=True)
class Finding:
    """一名专家不再符合的一项条件。`proposes_dismissal`：应由办公室经解聘流程办理（年龄），否则期满退出。"""

    expert_id: Any
    name: str
    rule: str            # RULE_AGE | RULE_TERM_ENDED
    reason: str          # 中文理由，含出处条款
    source: str          # 条件的出处，如“第六条6：实际年龄不超过60周岁”
    proposes_dismissal: bool
    reason_number: int | None = None
    reason_label: str = ""

    @property
    def label(self) -> str:
        return {RULE_AGE: "年龄超过上限", RULE_TERM_ENDED: "聘期已届满"}[self.rule]

    def to_dict(self) -> dict:
        return {"expert_id": self.expert_id, "name": self.name, "rule": self.rule, "label": self.label,
                "reason": self.reason, "source": self.source, "proposes_dismissal": self.proposes_dismissal,
                "reason_number": self.reason_number, "reason_label": self.reason_label}


@lru_cache(maxsize=64)
def _young_after(p: ConditionParams, today: date) -> str:
    """ISO birth date after which nobody is over the lowest age limit of `p` on `today` (age ≤ that limit): lets
    a draw skip the full check for most of a pool with one string comparison."""
    lowest = min(m for _, _, m, _ in p.age_limits)
    year = today.year - lowest - 1
    try:
        return date(year, today.month, today.day).isoformat()
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28).isoformat()


def _age_finding(x: Mapping[str, Any], p: ConditionParams, today: date) -> Finding | None:
    b = x.get("birth_date")
    if type(b) is str and len(b) == 10 and b[4] == "-" and b > _young_after(p, today) and _iso_day(b) is not None:
        return None
    birth = birth_of(x)
    if birth is None or birth > today:
        return None
    kind = x.get("expert_kind")
    if not any(k == kind for k, *_ in p.age_limits):
        kind = p.default_kind
    gender = gender_of(x)
    found = p.limit(gender, kind)
    if found is None:
        return None
    limit, source = found
    age = _age_on(birth, today)
    if age <= limit:
        return None
    relaxation = x.get("age_relaxation")
    relaxation = relaxation.strip() if isinstance(relaxation, str) else ""
    if p.age_relaxable and relaxation:
        return None
    genders_differ = len({(p.limit(g, kind) or (None,))[0] for g in vocab.GENDERS}) > 1
    who = f"{gender}性{kind}" if gender and genders_differ else kind
    reason = f"{_cn_day(today)}年龄{age}周岁，超过{who}{limit}周岁的年龄上限（{source}）"
    if p.age_relaxable:
        reason += "，入库时未记录放宽年龄限制"
    if p.reason_label:
        reason += f"；属{p.reason_label}情形，应提出{p.action}建议"
    return Finding(x.get("id"), str(x.get("name") or ""), RULE_AGE, reason, source, True, p.reason_number,
                   p.reason_label)


def _term_finding(x: Mapping[str, Any], today: date) -> Finding | None:
    end = x.get("term_end")
    if type(end) is str and len(end) == 10 and end[4] == "-" and end >= today.isoformat():
        return None
    end = _iso_day(end)
    if end is None or end >= today:  # the last day of the term is still inside it
        return None
    return Finding(x.get("id"), str(x.get("name") or ""), RULE_TERM_ENDED,
                   f"聘期已于{_cn_day(end)}届满，应期满退出专家库（聘期届满自行解聘退出）", "聘期届满", False)


def time_conditions(expert: Mapping[str, Any], policy: Any, today: date) -> list[Finding]:
    """在 `today` 这名专家不再符合的、随时间变化的条件（聘期届满在前，年龄在后）；都符合时为 []。

    `policy` 是 Policy 或 ConditionParams。只看这些条件本身，不看专家状态（调用方决定对哪些状态检查）。
    """
    p = ConditionParams.from_policy(policy)
    out = []
    term = _term_finding(expert, today)
    if term is not None:
        out.append(term)
    age = _age_finding(expert, p, today)
    if age is not None:
        out.append(age)
    return out


def condition_snapshot(expert: Mapping[str, Any]) -> dict:
    """What the rules read of one expert, derived so that no ID number is kept (birth date and gender are read
    off it when their own fields are empty): for a draw's input snapshot."""
    out: dict[str, Any] = {}
    b = expert.get("birth_date")
    birth = _iso_day(b) if type(b) is str and len(b) == 10 else birth_of(expert)
    if birth is None:
        birth = birth_of(expert)
    if birth is not None:  # the stored ISO form is kept as it is; any other form (or the ID number) as ISO
        out["birth_date"] = b if birth.isoformat() == b else birth.isoformat()
    g = expert.get("gender")
    gender = g if g in vocab.GENDERS else gender_of(expert)
    if gender is not None:
        out["gender"] = gender
    for k in ("expert_kind", "age_relaxation", "term_end"):
        v = expert.get(k)
        if v is not None and v != "":
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------------------------
# JC-T3 组长、副组长（第十条(一)）
# ---------------------------------------------------------------------------------------------------------------
def group_role_gaps(experts: Iterable[Mapping[str, Any]], taxonomy: Any) -> list[dict]:
    """JC-T3: sectors (with at least one expert in the pool) that lack their 组长, or that have reached the
    deputy threshold (“30人以上”, 30 included) without the minimum number of 副组长. Each as {"sector", "name",
    "experts", "problem"}; a profile without group roles (YQ) gives []. The role belongs to the sector of the
    expert's first specialty, as in core.registry."""
    if taxonomy.leaders_per_sector is None:
        return []
    members = [e for e in experts if e.get("state") in IN_POOL_STATES]
    codes = [expert_sector_codes(e, taxonomy) for e in members]  # once per expert: a lookup costs ~60 µs
    # the first clause of the taxonomy's source, "第十条(一)(二)；附件1…" → "第十条(一)", where group roles are set
    found = re.match(r"第[^条；;]+条(?:[(（][一二三四五六七八九十]+[)）])?", str(taxonomy.source))
    basis = found.group(0) if found else str(taxonomy.source).split("；")[0]
    out = []
    for s in taxonomy.sectors:
        in_sector = [(e, c) for e, c in zip(members, codes) if s.code in c]
        if not in_sector:
            continue
        roles = [e.get("group_role") for e, c in in_sector if c[0] == s.code]  # a role counts in its first sector
        leaders, deputies = roles.count("组长"), roles.count("副组长")
        n = len(in_sector)
        if leaders == 0:
            out.append({"sector": s.code, "name": s.name, "experts": n,
                        "problem": f"{s.name}：专家{n}人，未设组长（{basis}：每个行业设立组长{taxonomy.leaders_per_sector}名）"})
        needed = taxonomy.min_deputies or 1
        if taxonomy.deputy_threshold is not None and n >= taxonomy.deputy_threshold and deputies < needed:
            most = f"{needed}-{taxonomy.max_deputies}" if taxonomy.max_deputies else f"{needed}"
            out.append({"sector": s.code, "name": s.name, "experts": n,
                        "problem": f"{s.name}：专家{n}人，达到{taxonomy.deputy_threshold}人，"
                                   f"{'未设副组长' if deputies == 0 else f'副组长仅{deputies}名'}"
                                   f"（{basis}：行业专家数量在{taxonomy.deputy_threshold}人以上的设副组长{most}名）"})
    return out
