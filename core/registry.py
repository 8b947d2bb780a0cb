"""专家库统计与筛选 — pool counts against the policy's caps, filters, terms ending soon, group roles.

JC-T1: each sector's head-count cap and the pool cap (第十条(二)); JC-T2: 3–5 experts per specialty;
JC-T3: one 组长 per sector, 1–2 副组长 only where a sector has ≥30 experts (第十条(一)); X-T1: an expert may hold
several specialties and counts once per sector. Pure: experts are plain dicts, `today` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from core import vocab
from core.expert import expert_age, expert_sector_codes

# Who counts against a cap: experts appointed to the pool, suspended ones included (they keep their seat).
COUNTED_STATES = ("在库", "暂停")


@dataclass(frozen=True)
class QuotaRow:
    """One sector (or specialty) against its limit."""
    code: str
    name: str
    count: int
    limit_min: int | None
    limit_max: int | None
    lead_department: str | None = None
    category: str | None = None

    @property
    def status(self) -> str:
        if self.limit_max is not None and self.count > self.limit_max:
            return "超出"
        if self.limit_min is not None and self.count < self.limit_min:
            return "不足"
        return "正常"


@dataclass(frozen=True)
class PoolSummary:
    total: int
    pool_cap: int | None
    sectors: tuple[QuotaRow, ...]
    specialties: tuple[QuotaRow, ...]
    state_counts: dict[str, int] = field(default_factory=dict)

    @property
    def over_pool_cap(self) -> bool:
        return self.pool_cap is not None and self.total > self.pool_cap


def counted(experts: list[dict]) -> list[dict]:
    return [e for e in experts if e.get("state") in COUNTED_STATES]


def state_counts(experts: list[dict]) -> dict[str, int]:
    counts = {s: 0 for s in vocab.EXPERT_STATES}
    for e in experts:
        counts[e.get("state", "申请中")] = counts.get(e.get("state", "申请中"), 0) + 1
    return counts


def pool_summary(experts: list[dict], taxonomy) -> PoolSummary:
    """Counts per sector (once per expert, X-T1) and per specialty against the profile's limits (JC-T1, JC-T2)."""
    members = counted(experts)
    sector_count: dict[str, int] = {s.code: 0 for s in taxonomy.sectors}
    spec_count: dict[str, int] = {c: 0 for c in taxonomy.all_specialty_codes()}
    for e in members:
        for code in expert_sector_codes(e, taxonomy):
            sector_count[code] += 1
        for code in set(e.get("specialties") or ()):
            if code in spec_count:
                spec_count[code] += 1
    sectors = tuple(
        QuotaRow(s.code, s.name, sector_count[s.code], None, s.cap, s.lead_department, s.category)
        for s in taxonomy.sectors
    )
    specialties = tuple(
        QuotaRow(sp.code, sp.name, spec_count[sp.code], taxonomy.specialty_min, taxonomy.specialty_max,
                 s.lead_department, s.name)
        for s in taxonomy.sectors for sp in s.specialties
    )
    return PoolSummary(len(members), taxonomy.pool_cap, sectors, specialties, state_counts(experts))


def terms_ending(experts: list[dict], today: date, days: int = 90) -> list[dict]:
    """Experts in the pool whose term ends within `days` days from today, soonest first."""
    horizon = today + timedelta(days=days)
    due = [e for e in experts
           if e.get("state") in COUNTED_STATES and e.get("term_end")
           and today <= date.fromisoformat(e["term_end"]) <= horizon]
    return sorted(due, key=lambda e: (e["term_end"], e.get("name", "")))


@dataclass(frozen=True)
class RegistryFilter:
    """The registry page's filters; empty values mean 'any'."""
    text: str = ""
    sector: str = ""
    specialty: str = ""
    states: tuple[str, ...] = ()
    title_levels: tuple[str, ...] = ()
    demo: str = "全部"  # 全部 / 仅演示数据 / 不含演示数据


def matches(expert: dict, flt: RegistryFilter, taxonomy) -> bool:
    if flt.text:
        needle = flt.text.strip().lower()
        hay = " ".join(str(expert.get(k) or "") for k in ("name", "unit", "title", "department", "major")).lower()
        if needle not in hay:
            return False
    if flt.sector and flt.sector not in expert_sector_codes(expert, taxonomy):
        return False
    if flt.specialty and flt.specialty not in (expert.get("specialties") or ()):
        return False
    if flt.states and expert.get("state") not in flt.states:
        return False
    if flt.title_levels and expert.get("title_level") not in flt.title_levels:
        return False
    if flt.demo == "仅演示数据" and not expert.get("is_demo"):
        return False
    if flt.demo == "不含演示数据" and expert.get("is_demo"):
        return False
    return True


def filter_experts(experts: list[dict], flt: RegistryFilter, taxonomy) -> list[dict]:
    return [e for e in experts if matches(e, flt, taxonomy)]


def registry_row(expert: dict, taxonomy, today: date) -> dict:
    """One row of the registry table (the page shows these columns in this order)."""
    sectors = expert_sector_codes(expert, taxonomy)
    return {
        "id": expert["id"],
        "姓名": expert.get("name", ""),
        "单位": expert.get("unit", ""),
        "行业领域": "、".join(taxonomy.sector(c).name for c in sectors) if sectors else "",
        "专业": "；".join(specialty_label_or_code(taxonomy, c) for c in expert.get("specialties") or ()),
        "状态": expert.get("state", ""),
        "职称": expert.get("title") or expert.get("title_level", ""),
        "年龄": expert_age(expert, today),
        "聘期结束": expert.get("term_end") or "",
        "演示数据": "演示" if expert.get("is_demo") else "",
    }


def specialty_label_or_code(taxonomy, code: str) -> str:
    """'1.1 地质勘探、测量', or the bare code of a specialty the taxonomy does not know (another profile's)."""
    try:
        return taxonomy.specialty_label(code)
    except KeyError:
        return code


def group_role_problems(experts: list[dict], taxonomy) -> list[str]:
    """JC-T3: one 组长 per sector; 副组长 only where the sector has ≥ threshold experts, at most max_deputies."""
    return [message for _, message in _group_role_findings(experts, taxonomy)]


def group_role_refusals(expert: dict, others: list[dict], taxonomy) -> list[str]:
    """Why `expert` may not hold its 组长/副组长 role beside `others` (the rest of the pool); [] when it may.

    Only an expert in the pool can hold a role, and saving must not break JC-T3 in the role's sector.
    """
    role = expert.get("group_role")
    if role not in ("组长", "副组长") or taxonomy.deputy_threshold is None:
        return []
    if expert.get("state") not in COUNTED_STATES:
        return [f"只有在库专家可以担任{role}（当前状态：{expert.get('state')}）"]
    sector = _role_sector(expert, taxonomy)
    return [message for code, message in _group_role_findings(others + [expert], taxonomy) if code == sector]


def _group_role_findings(experts: list[dict], taxonomy) -> list[tuple[str, str]]:
    if taxonomy.deputy_threshold is None:
        return []
    members = counted(experts)
    codes = [expert_sector_codes(e, taxonomy) for e in members]  # once per expert: a lookup costs ~60 µs
    findings = []
    for s in taxonomy.sectors:
        in_sector = [(e, c) for e, c in zip(members, codes) if s.code in c]
        leaders = [e for e, c in in_sector if e.get("group_role") == "组长" and c[0] == s.code]
        deputies = [e for e, c in in_sector if e.get("group_role") == "副组长" and c[0] == s.code]
        if len(leaders) > 1:
            findings.append((s.code, f"{s.name}：组长应为1名，现有{len(leaders)}名"))
        if deputies and len(in_sector) < taxonomy.deputy_threshold:
            findings.append((s.code, f"{s.name}：专家{len(in_sector)}人，不足{taxonomy.deputy_threshold}人，不设副组长"))
        if taxonomy.max_deputies is not None and len(deputies) > taxonomy.max_deputies:
            findings.append((s.code, f"{s.name}：副组长最多{taxonomy.max_deputies}名，现有{len(deputies)}名"))
    return findings


def _role_sector(expert: dict, taxonomy) -> str | None:
    """The sector an expert's 组长/副组长 role belongs to: the sector of the first specialty."""
    codes = expert_sector_codes(expert, taxonomy)
    return codes[0] if codes else None
