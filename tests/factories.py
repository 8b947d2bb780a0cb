"""Test factories: valid ID numbers, a valid raw expert record, and a tiny fake policy profile.

`make_expert(**overrides)` gives a raw expert dict that `core.expert.validate_expert` accepts for the policy it
is built for (an eligible 45-year-old 副高级 engineer by default), so a test states only what it changes.
`FakePolicy` implements the policy contract's attribute names with a three-sector taxonomy, for tests that
must not depend on the real TOML profiles. `real_policies()` loads policies/*.toml when they exist.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.idcard import check_digit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 6, 15)  # a fixed "today" for tests; inside JC's June application window
DEFAULT_BIRTH = date(1981, 3, 12)  # 45 on TODAY
# County-level codes of 阳泉市 and 晋城市, used in turn so generated numbers stay unique.
REGIONS = ("140302", "140303", "140311", "140321", "140322", "140502", "140521", "140522", "140524", "140525",
           "140581")

_counter = itertools.count()


def valid_id_number(birth: date, gender: str = "男", region: str = "140302", seq: int | None = None) -> str:
    """A correct 18-digit 居民身份证号 (GB 11643 check digit). `seq` is the 3-digit 顺序码; its parity must match
    the gender (odd = 男). Without `seq`, a fresh one is taken from a counter."""
    if gender not in ("男", "女"):
        raise ValueError(f"gender must be 男 or 女, not {gender!r}")
    if seq is None:
        seq = (next(_counter) % 499) * 2 + (1 if gender == "男" else 2)
    if not 0 <= seq <= 999 or (seq % 2 == 1) != (gender == "男"):
        raise ValueError(f"seq {seq} does not fit gender {gender} (odd = 男, even = 女)")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def unique_id_number(birth: date = DEFAULT_BIRTH, gender: str = "男") -> str:
    """A valid ID number not handed out before in this test run (about 5,000 per birth date and gender)."""
    n = next(_counter)
    seq = (n % 499) * 2 + (1 if gender == "男" else 2)
    region = REGIONS[(n // 499) % len(REGIONS)]
    return valid_id_number(birth, gender, region, seq)


# --- a fake policy profile with the contract's attribute names -------------------------------------------

@dataclass(frozen=True)
class FakeSpecialty:
    code: str
    name: str


@dataclass(frozen=True)
class FakeSector:
    code: str
    name: str
    category: str | None = None
    cap: int | None = None
    lead_department: str | None = None
    specialties: tuple[FakeSpecialty, ...] = ()


@dataclass(frozen=True)
class FakeTaxonomy:
    sectors: tuple[FakeSector, ...]
    categories: tuple[str, ...] = ()
    pool_cap: int | None = None
    specialty_min: int | None = None
    specialty_max: int | None = None
    deputy_threshold: int | None = None
    max_deputies: int | None = None

    def all_specialty_codes(self) -> tuple[str, ...]:
        return tuple(sp.code for s in self.sectors for sp in s.specialties)

    def specialty(self, code: str) -> FakeSpecialty:
        for s in self.sectors:
            for sp in s.specialties:
                if sp.code == code:
                    return sp
        raise KeyError(f"专业代码 {code} 不在分类表中")

    def sector_of(self, code: str) -> FakeSector:
        for s in self.sectors:
            if any(sp.code == code for sp in s.specialties):
                return s
        raise KeyError(f"专业代码 {code} 不在分类表中")

    def specialty_label(self, code: str) -> str:
        return f"{code} {self.specialty(code).name}"


@dataclass(frozen=True)
class FakeEligibility:
    min_title_level: str = "中级"
    min_education: str | None = "大专"
    min_years: int = 10

    def max_age(self, gender: str, kind: str = "普通专家") -> int:
        if kind == "特聘专家":
            return 65
        return 60 if gender == "男" else 55


@dataclass(frozen=True)
class FakeLifecycle:
    term_years: int = 3
    notice_days: int = 5
    application_month: int | None = 6


def _fake_taxonomy() -> FakeTaxonomy:
    return FakeTaxonomy(
        categories=("安全生产类", "综合管理类"),
        sectors=(
            FakeSector("1", "煤矿", "安全生产类", 80, "煤矿安全监督管理科",
                       (FakeSpecialty("1.1", "地质勘探、测量"), FakeSpecialty("1.2", "采煤"),
                        FakeSpecialty("1.3", "通风"))),
            FakeSector("2", "化工", "安全生产类", 45, "危险化学品安全监督管理科",
                       (FakeSpecialty("2.1", "化工工艺"), FakeSpecialty("2.2", "设备"))),
            FakeSector("3", "法规标准", "综合管理类", 15, "政策法规科",
                       (FakeSpecialty("3.1", "法律"),)),
        ),
        pool_cap=260, specialty_min=3, specialty_max=5, deputy_threshold=30, max_deputies=2,
    )


@dataclass(frozen=True)
class FakePolicy:
    id: str = "fake-2026"
    name: str = "测试市专家管理办法（测试用）"
    short_name: str = "测试市 2026"
    city: str = "测试市"
    document_number: str = "测试〔2026〕1号"
    effective_date: date = date(2026, 1, 1)
    taxonomy: FakeTaxonomy = field(default_factory=_fake_taxonomy)
    eligibility: FakeEligibility = field(default_factory=FakeEligibility)
    lifecycle: FakeLifecycle = field(default_factory=FakeLifecycle)
    routes: tuple[str, ...] = ("单位推荐", "个人自荐", "牵头科室推荐")
    expert_kinds: tuple[str, ...] = ("普通专家",)


FAKE_POLICY = FakePolicy()


def real_policies() -> dict[str, Any]:
    """The real profiles from policies/*.toml keyed by id; {} while core/policy.py or the files do not exist."""
    folder = PROJECT_ROOT / "policies"
    if not (PROJECT_ROOT / "core" / "policy.py").exists() or not any(folder.glob("*.toml")):
        return {}
    from core.policy import load_policies

    return dict(load_policies(folder))


# --- the expert record ------------------------------------------------------------------------------------

def make_expert(policy: Any = None, **overrides: Any) -> dict:
    """A VALID raw expert dict for `policy` (FakePolicy by default); `overrides` replace or add fields.

    When `birth_date` or `gender` is overridden without an `id_number`, the generated ID number matches them.
    Give a value of None to drop a field from the record.
    """
    policy = policy or FAKE_POLICY
    n = next(_counter)
    expert: dict[str, Any] = {
        "name": f"测试专家{n}",
        "id_number": overrides.get("id_number") or _id_matching(overrides),
        "political_status": "中共党员",
        "employment_status": "在岗",
        "mobile": f"139{n % 100_000_000:08d}",
        "work_phone": "0353-2021234",
        "email": f"expert{n}@example.com",
        "unit": "测试市安全技术服务有限公司",
        "unit_address": "测试市城区新华街1号",
        "postcode": "045000",
        "department": "技术部",
        "position": "总工程师",
        "school": "太原理工大学",
        "education": "本科",
        "major": "采矿工程",
        "title": "高级工程师",
        "title_level": "副高级",
        "qualifications": ["注册安全工程师"],
        "current_field": "煤矿安全",
        "years_in_field": 20,
        "route": policy.routes[0],
        "expert_kind": policy.expert_kinds[0],
        "specialties": [policy.taxonomy.all_specialty_codes()[0]],
        "apply_date": TODAY.isoformat(),
        "resume": "1999年至今 从事煤矿安全技术工作。",
    }
    expert.update(overrides)
    return {k: v for k, v in expert.items() if v is not None}


def _id_matching(overrides: dict) -> str:
    """A fresh ID number agreeing with an overridden gender / birth date (invalid overrides are ignored)."""
    gender = overrides.get("gender") if overrides.get("gender") in ("男", "女") else "男"
    birth = overrides.get("birth_date") or DEFAULT_BIRTH
    if isinstance(birth, str):
        try:
            birth = date.fromisoformat(birth)
        except ValueError:
            birth = DEFAULT_BIRTH
    if not isinstance(birth, date):
        birth = DEFAULT_BIRTH
    return unique_id_number(birth, gender)


def seed_expert(ctx: Any, actor: Any, data: dict) -> int:
    """An expert fixture written straight into the store, in the state and term `data` gives — as if the
    appointment workflows had already run — for tests of other use cases (drawing, fees, assessment …).

    Production code never does this: services.experts.create_expert makes 申请中 records only, and an expert
    reaches 在库 through the appointment round or 存量专家登记 (services.legacy)."""
    from core.expert import validate_expert
    from services.settings import active_policy

    policy = active_policy(ctx)
    clean = validate_expert(data, policy, ctx.today())
    now = ctx.now().isoformat(timespec="seconds")
    clean.update(policy_id=policy.id, is_demo=False, created_at=now, updated_at=now)
    return ctx.store.collection("experts").insert(clean, actor=actor.username, action="新建专家",
                                                  unique=("id_number",))
