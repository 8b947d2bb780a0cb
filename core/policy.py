"""策略档案（policy profile）：一个城市的专家管理办法整体作为数据 — X-P1, X-P2.

`policies/*.toml` 各放一份办法（晋城 2026 晋市应急安技发[2026]63号、阳泉 2024 阳安办发〔2024〕64号）：分类表与
人数控制（JC 附件1、YQ 分类表）、选聘条件（JC 第七条、YQ 第六条/第八条）、条件审核评分（JC 附件4）、聘期与公示、
抽取与委派、拒绝委派与服务评价的后果、解聘情形、劳务报酬、表单清单。本模块是它们的 pydantic 模型树：每个模型
`extra="forbid"`、`frozen=True`，每个字段都有中文说明；`load_policy` 读取并校验一个文件，出错时抛出 `PolicyError`，
中文消息写明文件和字段路径。规则逻辑不在这里（在 core 的其他模块），这里只放参数和查询这些参数的小方法。
种子文件没有规定、由本地决定的值，在所在一节的 `set_locally` 中列出（劳务报酬版本用 `set_locally = true`）。
"""
from __future__ import annotations

import re
import string
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Mapping, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict, model_validator
from pydantic import ValidationError as PydanticValidationError

from core import vocab
from core.errors import DomainError

__all__ = [
    "PolicyError", "UnknownCodeError", "load_policy", "load_policies", "policy_from_data", "iter_field_docs",
    "FieldDoc", "Policy", "Taxonomy", "Sector", "Specialty", "Eligibility", "AgeLimit", "ExperienceRequirement",
    "SpecialExpertRules", "SpecialExpertPath", "Intake", "IntakeKind", "Review", "Scoring", "ScoreItem",
    "ScoreBand", "LevelPoints", "YearsStepRule", "CountRule", "ScoreBonus", "Lifecycle", "LegacyAppointments",
    "Transition", "Drawing", "ApprovalLevel", "Approval", "OutOfPoolRule", "EmergencyUse", "DirectSelection", "DirectSelectionReason",
    "ConflictRules", "Declines", "Evaluations", "EvaluationIndicator", "UniformRatingRule", "EscalationStep",
    "AnnualAssessment", "AssessmentConclusion", "Dismissal", "DismissalReason", "OtherBan", "Fees",
    "FeeRateVersion", "FormSpec",
]


# ---------------------------------------------------------------------------------------------------------------
# 错误
# ---------------------------------------------------------------------------------------------------------------
class PolicyError(DomainError):
    """策略文件有误，或查询了本策略没有的东西。`problems` 为 (字段路径, 中文说明) 列表；`path` 为文件。"""

    def __init__(self, message: str, *, path: str | None = None, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.path = path
        self.problems: list[tuple[str, str]] = list(problems or [])


class UnknownCodeError(PolicyError, KeyError):
    """查询了分类表中没有的行业领域或专业代码；同时是 KeyError，便于 `except KeyError`。"""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class _FieldProblem(ValueError):
    """A model validator's complaint about one field below the model, so the error names the exact field path."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# ---------------------------------------------------------------------------------------------------------------
# 基本类型。TOML 的整数、文字、布尔、日期本来就是精确类型，所以标量用 Strict：写成 "80" 的上限或 true 的天数是错的。
# ---------------------------------------------------------------------------------------------------------------
PosInt = Annotated[int, Strict(), Field(gt=0)]
NonNegInt = Annotated[int, Strict(), Field(ge=0)]
Month = Annotated[int, Strict(), Field(ge=1, le=12)]
Text = Annotated[str, Strict(), Field(min_length=1)]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, Strict()]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Key = Annotated[str, Strict(), Field(pattern=r"^[a-z][a-z0-9_]*$")]

_CN_NUMERALS = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
                "十五", "十六", "十七", "十八", "十九", "二十")


def _f(description: str, **kw: Any) -> Any:
    return Field(description=description, **kw)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Section(_Model):
    """Every main section says where it comes from and which of its values are local choices."""

    source: Text = _f("出处：本节规则来自办法的哪一条、哪个附件（如“第十六条”“附件4”），供页面显示依据")
    set_locally: tuple[str, ...] = _f(
        "本节中种子文件未作规定、由本地设置的字段名；页面可据此标注“本地设置”", default=())
    notes: tuple[str, ...] = _f("补充说明：对原文的理解、取舍或本地设置的理由", default=())

    @model_validator(mode="after")
    def _set_locally_names_fields(self):
        for i, name in enumerate(self.set_locally):
            if name not in type(self).model_fields or name in ("source", "set_locally", "notes"):
                raise _FieldProblem(f"set_locally.{i}", f"“{name}”不是本节的字段")
        return self


def _unique(values: list[Any], field: str, what: str) -> None:
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise _FieldProblem(f"{field}.{i}", f"{what}“{v}”重复")
        seen.add(v)


def _in_vocab(value: str | None, allowed: tuple[str, ...], field: str, what: str) -> None:
    if value is not None and value not in allowed:
        raise _FieldProblem(field, f"{what}“{value}”不在词表中（允许：{'、'.join(allowed)}）")


# ---------------------------------------------------------------------------------------------------------------
# 分类表 — JC 附件1 + 第十条(一)(二)（JC-T1..T3）；YQ 专家行业领域和专业范围分类表（YQ-T1）
# ---------------------------------------------------------------------------------------------------------------
class Specialty(_Model):
    code: Annotated[str, Strict(), Field(pattern=r"^\d+\.\d+$")] = _f("专业代码，如“1.1”，以所属行业领域代码开头")
    name: Text = _f("专业名称（分类表原文，不含代码）")


class Sector(_Model):
    code: Annotated[str, Strict(), Field(pattern=r"^\d+$")] = _f("行业领域代码，如“1”")
    name: Text = _f("行业领域名称（分类表原文）")
    category: Text | None = _f("所属专家类别（JC：安全生产类等三类；YQ 无类别）", default=None)
    cap: PosInt | None = _f("入选人数控制：本行业领域在库专家上限（JC 附件1；YQ 无上限）", default=None)
    cap_text: Text | None = _f("入选人数控制栏原文，如“不超过 80人”", default=None)
    lead_department: Text | None = _f("牵头科室：附件1 备注栏全文（JC 第八条(一)）", default=None)
    lead_office: Text | None = _f("牵头科室名称（从备注栏中摘出的牵头单位，用于按科室汇总，如附件5 填报科室）",
                                  default=None)
    specialties: tuple[Specialty, ...] = _f("本行业领域下的专业（按分类表顺序）", min_length=1)

    @model_validator(mode="after")
    def _codes_belong_to_sector(self):
        for i, sp in enumerate(self.specialties):
            if not sp.code.startswith(self.code + "."):
                raise _FieldProblem(f"specialties.{i}.code",
                                    f"专业代码 {sp.code} 应以所属行业领域代码“{self.code}.”开头")
        if self.lead_office and self.lead_department and self.lead_office not in self.lead_department:
            raise _FieldProblem("lead_office", "牵头科室名称应出现在备注栏原文中")
        return self

    @property
    def label(self) -> str:
        """“1 煤矿”。"""
        return f"{self.code} {self.name}"


class Taxonomy(_Section):
    title: Text = _f("分类表标题（原文）")
    form_id: Text | None = _f("可打印的分类表对应的表单 id（见 forms）", default=None)
    categories: tuple[Text, ...] = _f("专家类别（JC 第十条(一)：安全生产、防灾减灾救灾、综合管理三大类；YQ 无）")
    sectors: tuple[Sector, ...] = _f("行业领域（含其专业），按分类表顺序", min_length=1)
    pool_cap: PosInt | None = _f("全市推荐专家总数上限（JC 第十条(二)：原则上不超过260人）", default=None)
    specialty_min: PosInt | None = _f("每个专业小类原则上推荐专家人数下限（JC 第十条(二)：3）", default=None)
    specialty_max: PosInt | None = _f("每个专业小类原则上推荐专家人数上限（JC 第十条(二)：5）", default=None)
    leaders_per_sector: PosInt | None = _f("每个行业领域设组长人数（JC 第十条(一)：1名）", default=None)
    deputy_threshold: PosInt | None = _f("行业专家数量达到此数（“30人以上”，含30）时设副组长（JC 第十条(一)）",
                                         default=None)
    min_deputies: PosInt | None = _f("设副组长时的最少人数（JC：1）", default=None)
    max_deputies: PosInt | None = _f("设副组长时的最多人数（JC：2）", default=None)

    _sector_by_code: dict[str, Sector] = PrivateAttr(default_factory=dict)
    _sector_by_spec: dict[str, Sector] = PrivateAttr(default_factory=dict)
    _spec_by_code: dict[str, Specialty] = PrivateAttr(default_factory=dict)
    _codes: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _consistent(self):
        _unique(list(self.categories), "categories", "专家类别")
        _unique([s.code for s in self.sectors], "sectors", "行业领域代码")
        seen: set[str] = set()
        for i, s in enumerate(self.sectors):
            if self.categories and s.category not in self.categories:
                raise _FieldProblem(f"sectors.{i}.category",
                                    f"专家类别“{s.category}”不在 categories 中（{'、'.join(self.categories)}）")
            if not self.categories and s.category is not None:
                raise _FieldProblem(f"sectors.{i}.category", "本策略没有专家类别（categories 为空），此处应省略")
            for j, sp in enumerate(s.specialties):
                if sp.code in seen:
                    raise _FieldProblem(f"sectors.{i}.specialties.{j}.code", f"专业代码 {sp.code} 重复")
                seen.add(sp.code)
        if self.specialty_min and self.specialty_max and self.specialty_min > self.specialty_max:
            raise _FieldProblem("specialty_min", "每个专业的推荐人数下限不能大于上限")
        if self.min_deputies and self.max_deputies and self.min_deputies > self.max_deputies:
            raise _FieldProblem("min_deputies", "副组长最少人数不能大于最多人数")
        return self

    def model_post_init(self, __context: Any) -> None:
        # Built once: the helpers below are dict lookups (a draw or a quota check calls them thousands of times).
        for s in self.sectors:
            self._sector_by_code[s.code] = s
            for sp in s.specialties:
                self._sector_by_spec[sp.code] = s
                self._spec_by_code[sp.code] = sp
        self._codes = tuple(self._spec_by_code)

    def sector(self, code: str) -> Sector:
        """按行业领域代码（“1”）取行业领域；没有则 UnknownCodeError。"""
        try:
            return self._sector_by_code[code]
        except KeyError:
            raise UnknownCodeError(f"分类表《{self.title}》中没有行业领域代码“{code}”") from None

    sector_by_code = sector  # alias used by core/registry.py

    def sector_of(self, spec_code: str) -> Sector:
        """专业代码（“1.1”）所属的行业领域。"""
        try:
            return self._sector_by_spec[spec_code]
        except KeyError:
            raise UnknownCodeError(f"分类表《{self.title}》中没有专业代码“{spec_code}”") from None

    def specialty(self, code: str) -> Specialty:
        try:
            return self._spec_by_code[code]
        except KeyError:
            raise UnknownCodeError(f"分类表《{self.title}》中没有专业代码“{code}”") from None

    def has_specialty(self, code: str) -> bool:
        return code in self._spec_by_code

    def specialty_label(self, code: str) -> str:
        """“1.1 地质勘探、测量”。"""
        return f"{code} {self.specialty(code).name}"

    def all_specialty_codes(self) -> tuple[str, ...]:
        """全部专业代码，按分类表顺序。"""
        return self._codes

    def category_of(self, spec_code: str) -> str | None:
        return self.sector_of(spec_code).category

    def sectors_in(self, category: str) -> tuple[Sector, ...]:
        return tuple(s for s in self.sectors if s.category == category)


# ---------------------------------------------------------------------------------------------------------------
# 选聘条件 — JC 第七条（JC-E1..E3）；YQ 第六条、第八条（YQ-E1, YQ-E2）
# ---------------------------------------------------------------------------------------------------------------
class AgeLimit(_Model):
    kind: Text = _f("适用的专家类型（vocab.EXPERT_KINDS）")
    gender: Literal["男", "女"] | None = _f("适用的性别；省略表示男女相同", default=None)
    max_age: PosInt = _f("年龄上限（周岁，含）")
    source: Text = _f("出处条款")


class ExperienceRequirement(_Model):
    key: Key = _f("规则标识（英文小写）")
    label: Text = _f("规则名称，如“森林草原防灭火工作经历”")
    specialty_codes: tuple[Text, ...] = _f("申报这些专业之一的专家适用本规则（代码须在分类表中）", default=())
    qualifications: tuple[Text, ...] = _f("持有这些职业资格之一的专家适用本规则（如 律师）", default=())
    requirement: Text = _f("要求原文")
    source: Text = _f("出处条款")

    @model_validator(mode="after")
    def _applies_to_someone(self):
        if not self.specialty_codes and not self.qualifications:
            raise _FieldProblem("specialty_codes", "应至少写明适用的专业代码或职业资格之一")
        for i, q in enumerate(self.qualifications):
            _in_vocab(q, vocab.QUALIFICATIONS, f"qualifications.{i}", "职业资格")
        return self


class SpecialExpertPath(_Model):
    key: Key = _f("途径标识（英文小写）")
    label: Text = _f("途径简称")
    text: Text = _f("条件原文")
    education_required: Flag = _f("是否要求学历（YQ 第八条2：此种情形学历和职称不做要求）")
    title_required: Flag = _f("是否要求职称")
    min_title_level: Text | None = _f("要求的最低职称等级（vocab.TITLE_LEVELS；高级工程师 = 副高级）", default=None)
    leadership_required: Flag = _f("是否要求在单位担任过领导职务")
    frontline_command_required: Flag = _f("是否要求担任过抢险一线指挥员")

    @model_validator(mode="after")
    def _title_consistent(self):
        _in_vocab(self.min_title_level, vocab.TITLE_LEVELS, "min_title_level", "职称等级")
        if self.title_required and self.min_title_level is None:
            raise _FieldProblem("min_title_level", "要求职称时应写明最低职称等级")
        if not self.title_required and self.min_title_level is not None:
            raise _FieldProblem("min_title_level", "不要求职称时不应写最低职称等级")
        return self


class SpecialExpertRules(_Model):
    kind: Text = _f("专家类型名称（特聘专家）")
    general_conditions: Text = _f("对特聘专家的一般要求原文（年龄、身体、经验）")
    paths: tuple[SpecialExpertPath, ...] = _f("选聘途径（满足其一即可）", min_length=1)
    source: Text = _f("出处条款")


class Eligibility(_Section):
    age_limits: tuple[AgeLimit, ...] = _f("年龄上限，按专家类型和性别（最具体的一条适用）", min_length=1)
    age_relaxable: Flag = _f("年龄限制可否放宽（JC 第七条(六)）；放宽须记录理由")
    age_relaxation_condition: Text | None = _f("可放宽年龄限制的条件原文", default=None)
    min_title_level: Text = _f("最低专业技术职称等级（vocab.TITLE_LEVELS），与职业资格二者有其一即可")
    title_must_relate_to_specialty: Flag = _f("职称须与申报专业相关（JC：中级以上相关专业技术职称）")
    out_of_city_min_title_level: Text | None = _f(
        "市外专家的最低职称等级（JC 第七条(四)：高级以上 = 副高级）；省略表示不区分市内外", default=None)
    qualifications: tuple[Text, ...] = _f("可代替职称的职业资格（vocab.QUALIFICATIONS）")
    min_education: Text | None = _f("最低学历（vocab.EDUCATION_LEVELS）；省略表示不要求", default=None)
    min_years: NonNegInt = _f("从事本专业工作最少年限（两市均为10年以上）")
    years_text: Text = _f("年限要求原文")
    experience_requirements: tuple[ExperienceRequirement, ...] = _f(
        "特定专业的工作经历要求（JC-E2：森林草原防灭火、防汛抗旱、法律专家）", default=())
    conditions_relaxable: Flag = _f("业务能力突出者可否适当放宽条件（JC 第七条(四)）；放宽须记录理由")
    conditions_relaxation_condition: Text | None = _f("可放宽条件的情形原文", default=None)
    no_criminal_record_required: Flag = _f("是否要求没有违法犯罪记录（YQ 第六条6）")
    health_required: Flag = _f("是否要求身体健康、能胜任专家工作")
    special_expert: SpecialExpertRules | None = _f("特聘专家的条件（YQ 第八条）；没有特聘专家则省略", default=None)

    _age_index: dict[tuple[str, str | None], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _vocab(self):
        _in_vocab(self.min_title_level, vocab.TITLE_LEVELS, "min_title_level", "职称等级")
        _in_vocab(self.out_of_city_min_title_level, vocab.TITLE_LEVELS, "out_of_city_min_title_level", "职称等级")
        _in_vocab(self.min_education, vocab.EDUCATION_LEVELS, "min_education", "学历")
        for i, q in enumerate(self.qualifications):
            _in_vocab(q, vocab.QUALIFICATIONS, f"qualifications.{i}", "职业资格")
        _unique(list(self.qualifications), "qualifications", "职业资格")
        keys = []
        for i, a in enumerate(self.age_limits):
            _in_vocab(a.kind, vocab.EXPERT_KINDS, f"age_limits.{i}.kind", "专家类型")
            keys.append((a.kind, a.gender))
        _unique(keys, "age_limits", "年龄上限（专家类型, 性别）")
        _unique([r.key for r in self.experience_requirements], "experience_requirements", "规则标识")
        if self.age_relaxable and not self.age_relaxation_condition:
            raise _FieldProblem("age_relaxation_condition", "年龄可放宽时应写明放宽条件")
        if self.conditions_relaxable and not self.conditions_relaxation_condition:
            raise _FieldProblem("conditions_relaxation_condition", "条件可放宽时应写明放宽情形")
        return self

    def model_post_init(self, __context: Any) -> None:
        self._age_index.update({(a.kind, a.gender): a.max_age for a in self.age_limits})

    def max_age(self, gender: str, kind: str = "普通专家") -> int:
        """该性别、该类型专家的年龄上限（周岁，含）。YQ：男60 女55 特聘65；JC：65。"""
        if gender not in vocab.GENDERS:
            raise PolicyError(f"性别应为“男”或“女”，而不是“{gender}”")
        for key in ((kind, gender), (kind, None)):
            if key in self._age_index:
                return self._age_index[key]
        raise PolicyError(f"本策略没有为“{kind}”（{gender}）规定年龄上限")

    def age_limit_source(self, gender: str, kind: str = "普通专家") -> str:
        """年龄上限的出处条款（与 max_age 同一条）。"""
        self.max_age(gender, kind)  # same errors as max_age
        for key in ((kind, gender), (kind, None)):
            for a in self.age_limits:
                if (a.kind, a.gender) == key:
                    return a.source
        return self.source


# ---------------------------------------------------------------------------------------------------------------
# 申报 — JC 第八条(一)（JC-I1, JC-I2）；YQ 第七条(一)、第八条（YQ-I1）
# ---------------------------------------------------------------------------------------------------------------
class IntakeKind(_Model):
    kind: Text = _f("专家类型（vocab.EXPERT_KINDS）")
    routes: tuple[Text, ...] = _f("该类型可用的申报方式（vocab.ROUTES）", min_length=1)
    application_form_id: Text = _f("申报所填表单的 id（见 forms）")
    source: Text = _f("出处条款")


class Intake(_Section):
    kinds: tuple[IntakeKind, ...] = _f("各专家类型的申报方式和申报表", min_length=1)
    pledge_form_id: Text | None = _f("廉政承诺书表单 id（JC 附件3）；承诺写在申报表内的则省略", default=None)
    submitted_to: Text = _f("申报材料报送的机构")
    documents: tuple[Text, ...] = _f("须提交的证明材料")
    additions_allowed: Flag = _f("牵头科室可否结合业务量和考核情况适当增补专家（JC 第八条(一)）")


# ---------------------------------------------------------------------------------------------------------------
# 条件审核 — JC 第八条(二)(三) 附件4 附件5（JC-A1..A3）；YQ 第七条(二)（YQ-A1）
# ---------------------------------------------------------------------------------------------------------------
class Review(_Section):
    reviewer: Text = _f("负责审核的机构")
    steps: tuple[Text, ...] = _f("审核步骤（原文或近原文）", min_length=1)
    scored: Flag = _f("是否按评分表打分（JC 附件4）")
    written_opinion_required: Flag = _f("是否须形成书面审核意见")
    form_id: Text | None = _f("审核意见表表单 id（JC 附件4）", default=None)
    summary_form_id: Text | None = _f("推荐/汇总表表单 id（JC 附件5、YQ 附表三）", default=None)
    summary_by_lead_office: Flag = _f("汇总表是否按牵头科室分别填报（JC 附件5 填报科室）")
    signatures: tuple[Text, ...] = _f("汇总表上须签字的人", default=())


class ScoreBand(_Model):
    min_points: NonNegInt = _f("本档最低分")
    max_points: NonNegInt = _f("本档最高分")
    label: Text = _f("本档条件原文，如“时间充足自己即可决定外出服务”")


class LevelPoints(_Model):
    level: Text = _f("学历或职称等级（vocab 中的值）")
    points: NonNegInt = _f("该等级得分")


class YearsStepRule(_Model):
    free_years: NonNegInt = _f("不得分的年限（“10年及以下不得分”：10）")
    years_per_step: PosInt = _f("每多多少年（“每多2年”：2）")
    points_per_step: PosInt = _f("每步得分（“多得1分”：1）")


class CountRule(_Model):
    first_points: NonNegInt = _f("申报一种专业的得分（3）")
    extra_points: NonNegInt = _f("每多申报一种加的分（1）")


class ScoreBonus(_Model):
    key: Key = _f("加分项标识")
    label: Text = _f("加分条件原文")
    points: PosInt = _f("加分分值（在本项满分之外另加）")
    method: Literal["manual", "derived"] = _f("manual = 审核人判断；derived = 由专家信息推出")
    required_category: Text | None = _f("仅适用于该专家类别（如“安全生产类”）", default=None)
    min_enterprise_safety_years: NonNegInt | None = _f("须在企业安全生产系统工作满的年数（15）", default=None)
    source: Text = _f("出处")


ItemDerivation = Literal["education", "title_level", "years_in_field", "specialty_count"]


class ScoreItem(_Model):
    key: Key = _f("评分项标识（英文小写）")
    name: Text = _f("审核项目原文，如“专家外出服务条件情况”")
    short_name: Text = _f("简称，用于表格和图表")
    weight: PosInt = _f("得分权重 = 本项满分（不含加分）")
    min_points: NonNegInt = _f("本项最低分（专业知识 5–20 分：5）")
    method: Literal["manual", "derived"] = _f("manual = 审核人在允许范围内打分；derived = 由专家信息算出")
    derive_from: ItemDerivation | None = _f(
        "derived 时按什么算：education 学历、title_level 职称、years_in_field 年限、specialty_count 申报专业数",
        default=None)
    criteria: Text = _f("评分标准原文（附件4）")
    bands: tuple[ScoreBand, ...] = _f("打分档次（manual 项）", default=())
    bands_may_overlap: Flag = _f("原文档次是否本来就相互重叠（外出服务经历：省级3-4、市级2-3）", default=False)
    level_points: tuple[LevelPoints, ...] = _f("各等级得分（education / title_level 项），须覆盖词表中每个等级",
                                               default=())
    step_rule: YearsStepRule | None = _f("年限计分规则（years_in_field 项）", default=None)
    count_rule: CountRule | None = _f("申报专业数计分规则（specialty_count 项）", default=None)
    bonuses: tuple[ScoreBonus, ...] = _f("本项之外的加分（可使总分超过权重）", default=())
    source: Text = _f("出处")

    @model_validator(mode="after")
    def _rules_fit(self):
        if self.min_points > self.weight:
            raise _FieldProblem("min_points", f"最低分 {self.min_points} 超过本项满分 {self.weight}")
        needs = {"education": "level_points", "title_level": "level_points", "years_in_field": "step_rule",
                 "specialty_count": "count_rule"}
        if self.method == "manual" and self.derive_from is not None:
            raise _FieldProblem("derive_from", "人工打分项不应有 derive_from")
        if self.method == "derived":
            if self.derive_from is None:
                raise _FieldProblem("derive_from", "自动计分项应写明 derive_from")
            need = needs[self.derive_from]
            if not getattr(self, need):
                raise _FieldProblem(need, f"按 {self.derive_from} 计分时应给出 {need}")
        for other in ("level_points", "step_rule", "count_rule"):
            if getattr(self, other) and (self.method == "manual" or needs[self.derive_from] != other):
                raise _FieldProblem(other, f"本项计分方式用不到 {other}")
        self._check_bands()
        self._check_levels()
        if self.count_rule and self.count_rule.first_points > self.weight:
            raise _FieldProblem("count_rule.first_points", "申报一种专业的得分超过本项满分")
        _unique([b.key for b in self.bonuses], "bonuses", "加分项标识")
        return self

    def _check_bands(self) -> None:
        for i, b in enumerate(self.bands):
            if b.min_points > b.max_points:
                raise _FieldProblem(f"bands.{i}", f"档次下限 {b.min_points} 大于上限 {b.max_points}")
            if b.min_points < self.min_points or b.max_points > self.weight:
                raise _FieldProblem(f"bands.{i}",
                                    f"档次 {b.min_points}–{b.max_points} 超出本项范围 {self.min_points}–{self.weight}")
        if self.bands_may_overlap:
            return
        for i, b in enumerate(self.bands):
            for j, o in enumerate(self.bands[:i]):
                if b.min_points <= o.max_points and o.min_points <= b.max_points:
                    raise _FieldProblem(f"bands.{i}", f"档次 {b.min_points}–{b.max_points} 与 bands.{j}"
                                                      f"（{o.min_points}–{o.max_points}）重叠")

    def _check_levels(self) -> None:
        if not self.level_points:
            return
        levels = vocab.EDUCATION_LEVELS if self.derive_from == "education" else vocab.TITLE_LEVELS
        for i, lp in enumerate(self.level_points):
            _in_vocab(lp.level, levels, f"level_points.{i}.level", "等级")
            if lp.points > self.weight:
                raise _FieldProblem(f"level_points.{i}.points", f"得分 {lp.points} 超过本项满分 {self.weight}")
        _unique([lp.level for lp in self.level_points], "level_points", "等级")
        missing = [lv for lv in levels if lv not in {lp.level for lp in self.level_points}]
        if missing:
            raise _FieldProblem("level_points", f"缺少等级：{'、'.join(missing)}")

    def points_for_level(self, level: str) -> int:
        for lp in self.level_points:
            if lp.level == level:
                return lp.points
        raise PolicyError(f"评分项“{self.short_name}”没有等级“{level}”的分值")

    @property
    def max_with_bonus(self) -> int:
        return self.weight + sum(b.points for b in self.bonuses)


class Scoring(_Section):
    form_id: Text = _f("条件审核意见表表单 id（附件4）")
    total_weight: PosInt = _f("各项权重之和应等于此数（100）")
    pass_mark: NonNegInt = _f("审核通过分数线（附件4：原则上低于70分不予审核通过）")
    pass_mark_is_guideline: Flag = _f("分数线是否“原则上”：true 时低于分数线可凭书面理由并经 below_pass_approval "
                                      "批准后例外通过；false 时为硬性分数线，不设例外")
    below_pass_approval: Text | None = _f(
        "低于分数线例外通过的批准人（职务）：分数线为“原则上”时必填，其签批与理由一并印在附件4 审核意见栏；硬性分数线"
        "不设例外，本项不起作用。JC 第八条(二)：附件4 由牵头科室形成，推荐须经牵头科室负责人和分管领导签字后"
        "才送领导小组办公室，故审核阶段的例外由“分管领导”批准，领导小组随后仍审议整个拟定名单", default=None)
    quota_note: Text = _f("附件4 关于总量控制的原文（“同时要做好本行业专家总量控制”）")
    items: tuple[ScoreItem, ...] = _f("评分项，按附件4 顺序", min_length=1)

    @model_validator(mode="after")
    def _sums(self):
        _unique([it.key for it in self.items], "items", "评分项标识")
        total = sum(it.weight for it in self.items)
        if total != self.total_weight:
            raise _FieldProblem("items", f"各项权重之和为 {total}，应为 {self.total_weight}")
        if self.pass_mark > self.max_score:
            raise _FieldProblem("pass_mark", f"分数线 {self.pass_mark} 高于满分 {self.max_score}")
        if self.pass_mark_is_guideline and not self.below_pass_approval:
            raise _FieldProblem("below_pass_approval",
                                "分数线为“原则上”时须写明低于分数线例外通过由谁批准（如“分管领导”）")
        return self

    @property
    def max_score(self) -> int:
        """满分（不含加分）。"""
        return sum(it.weight for it in self.items)

    @property
    def max_score_with_bonus(self) -> int:
        return sum(it.max_with_bonus for it in self.items)

    def item(self, key: str) -> ScoreItem:
        for it in self.items:
            if it.key == key:
                return it
        raise PolicyError(f"评分表中没有评分项“{key}”")


# ---------------------------------------------------------------------------------------------------------------
# 聘任周期 — JC 第八条(三)(四)、第二十条（JC-L1..L3）；YQ 第七条、第九条（YQ-L1）
# ---------------------------------------------------------------------------------------------------------------
class LegacyAppointments(_Model):
    document_number: Text = _f("旧文件文号（按该文件选入的专家适用本规则）")
    leave_after_years: PosInt = _f("自原聘任文件下发之日起满几年自行解聘退出")
    text: Text = _f("原文")
    source: Text = _f("出处条款")


class Transition(_Model):
    from_state: Text = _f("变更前的专家状态（vocab.EXPERT_STATES）")
    to_state: Text = _f("变更后的专家状态（vocab.EXPERT_STATES）")
    action: Text = _f("这一变更的名称（页面按钮与记录上显示），如“恢复使用”")
    source: Text | None = _f("依据条款；省略表示办公室的管理操作", default=None)


_CERT_FIELDS = {"year", "seq"}


class Lifecycle(_Section):
    steps: tuple[Text, ...] = _f("从申报到聘任的步骤", min_length=1)
    approval_body: Text = _f("审议通过拟定名单的会议/机构")
    notice_channel: Text = _f("公示渠道")
    notice_days: PosInt = _f("公示天数（JC 第八条(三)：5日）")
    term_years: PosInt = _f("聘期年数（三年）")
    term_end_exits: Flag = _f("聘期届满是否自行解聘退出专家库（JC 第八条(三)）")
    reapply_after_term: Flag = _f("期满退出后可否重新申请")
    application_month: Month | None = _f("每年集中申报的月份（JC：6月）；省略表示随时可申报", default=None)
    annual_update: Flag = _f("专家库是否原则上每年更新一次（YQ 第九条(一)）")
    record_retention_years: PosInt | None = _f("申报至发证资料的最短保存年限（JC 第八条(四)：不少于五年）",
                                               default=None)
    legacy_appointments: LegacyAppointments | None = _f("按旧文件选入专家的过渡规则（JC 第二十条）", default=None)
    flow: tuple[Transition, ...] = _f(
        "专家状态允许的变更（每项一条：从哪个状态到哪个状态、叫什么）；不在表中的变更一律拒绝。"
        "退回也是一条新的变更（如 暂停→在库 恢复使用），从不改写旧记录（X-L1）", min_length=1)
    certificate_number_format: Text = _f(
        "聘书编号格式，{year} 为年份、{seq} 为当年序号，如“晋应急专家聘字〔{year}〕第{seq:03d}号”")

    _next: dict[str, tuple[Transition, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _flow_and_formats(self):
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(self.flow):
            _in_vocab(t.from_state, vocab.EXPERT_STATES, f"flow.{i}.from_state", "专家状态")
            _in_vocab(t.to_state, vocab.EXPERT_STATES, f"flow.{i}.to_state", "专家状态")
            if t.from_state == t.to_state:
                raise _FieldProblem(f"flow.{i}.to_state", f"“{t.from_state}”不能变更为自身")
            if (t.from_state, t.to_state) in seen:
                raise _FieldProblem(f"flow.{i}", f"“{t.from_state}→{t.to_state}”重复")
            seen.add((t.from_state, t.to_state))
        if not any(t.from_state == vocab.EXPERT_STATES[0] for t in self.flow):
            raise _FieldProblem("flow", f"应写明“{vocab.EXPERT_STATES[0]}”之后可以变为哪些状态")
        _check_certificate_format(self.certificate_number_format, "certificate_number_format")
        return self

    def model_post_init(self, __context: Any) -> None:
        nxt: dict[str, list[Transition]] = {}
        for t in self.flow:
            nxt.setdefault(t.from_state, []).append(t)
        self._next.update({k: tuple(v) for k, v in nxt.items()})

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """“state”之后允许的变更，按 flow 中的顺序；最终状态（如 清退）为空。"""
        return self._next.get(state, ())

    def transition(self, from_state: str, to_state: str) -> Transition | None:
        for t in self._next.get(from_state, ()):
            if t.to_state == to_state:
                return t
        return None


def _check_certificate_format(fmt: str, field: str) -> None:
    """A certificate number format names {year} and {seq} (nothing else) and formats a sample."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError as e:
        raise _FieldProblem(field, f"格式不正确（{e}）") from None
    if names != _CERT_FIELDS:
        raise _FieldProblem(field, "应恰好包含 {year} 和 {seq} 两个占位符（如 第{seq:03d}号）")
    try:
        fmt.format(year=2026, seq=1)
    except (ValueError, KeyError, IndexError) as e:
        raise _FieldProblem(field, f"格式不正确（{e}）") from None


# ---------------------------------------------------------------------------------------------------------------
# 抽取与委派 — JC 第十一条、附件7（JC-D1, JC-D2）；YQ 第十二条、第十四条、第二十五条（YQ-D1, D2, D5）
# ---------------------------------------------------------------------------------------------------------------
# 本系统中的审批层级：分管领导 / 主要领导 由“领导”角色签批，专家管理办公室 由办公室（或管理员）签批（core/dispatch.py）。
ApprovalLevel = Literal["分管领导", "主要领导", "专家管理办公室"]


class Approval(_Model):
    approver: Text = _f("使用专家前的审批人")
    signatures: tuple[Text, ...] = _f("审批/申请表上的签字栏")
    change_requires_approval: Flag = _f("已审批的专家因特殊原因调整时是否须再经批准")
    large_use_threshold: PosInt | None = _f("单次使用专家达到此人数（“10人以上”，含10）须报主要领导", default=None)
    large_use_approver: Text | None = _f("大规模使用的审批人", default=None)
    level: ApprovalLevel = _f(
        "本系统中审批使用申请的层级：分管领导（JC 第十一条 分管领导审签）或 专家管理办公室（YQ 第十四条(一) 严格审批，"
        "申请表送达专家管理办公室；附表四的使用部门领导签字在纸面完成）", default="分管领导")
    large_use_level: ApprovalLevel = _f(
        "单次使用达到 large_use_threshold 人时改由哪一层级审批（JC 附件7 注3：局主要领导）", default="主要领导")
    source: Text = _f("出处条款")


class OutOfPoolRule(_Model):
    approver: Text = _f("使用库外专家的审批人")
    min_title_level: Text = _f("库外专家最低职称等级（vocab.TITLE_LEVELS；高级及以上 = 副高级）")
    level: ApprovalLevel = _f("使用库外专家的申请由哪一层级审批（JC 第十一条、附件7 注3：主要领导）",
                              default="主要领导")
    source: Text = _f("出处条款")


class EmergencyUse(_Model):
    name: Text = _f("称谓，如“先委派后补批”")
    text: Text = _f("原文")
    approve_after: Flag = _f("是否先使用、事后补办审批/补填表单")
    allows_direct_selection: Flag = _f(
        "紧急时可否不按 direct_selection 所列情形直接选派专家（YQ 第十四条(二)：可根据需要先选派专家参与任务）",
        default=False)
    source: Text = _f("出处条款")


class DirectSelectionReason(_Model):
    code: Text = _f("序号，如“1”（原文“（1）”）")
    text: Text = _f("情形原文")


class DirectSelection(_Model):
    name: Text = _f("称谓")
    reasons: tuple[DirectSelectionReason, ...] = _f("可直接选派的情形（原文，逐条）", min_length=1)
    reason_required: Flag = _f("选派时是否须记录所依据的情形")
    source: Text = _f("出处条款")


class ConflictRules(_Model):
    exclude_same_employer: Flag = _f("与任务对象同一单位的专家是否回避")
    exclude_declared_relations: Flag = _f("申报了利害关系（关联企业）的专家是否回避")
    text: Text = _f("回避规定原文")
    source: Text = _f("出处条款")


class Drawing(_Section):
    principles: tuple[Text, ...] = _f("使用原则（JC：一事一派、随机选取、轮换使用、技术优先）", min_length=1)
    one_task_one_request: Flag = _f("一事一派：一项任务一张申请/审批单")
    rotation_window_days: PosInt = _f("轮换使用的统计窗口（天）：窗口内被使用次数少者优先")
    request_form_id: Text = _f("使用前填写的申请/审批单表单 id（JC 附件7、YQ 附表四）")
    dispatch_form_id: Text | None = _f("选定专家后填写的委派单表单 id（YQ 附表五）", default=None)
    request_lead_days: NonNegInt | None = _f("申请须提前的天数（YQ 第十四条(一)1(2)：3天）；省略表示无要求",
                                             default=None)
    request_lead_source: Text | None = _f("申请提前天数的出处条款（YQ：第十四条(一)1(2)）", default=None)
    approval: Approval = _f("审批规则")
    out_of_pool: OutOfPoolRule | None = _f("使用库外专家的规则（JC 第十一条）；不允许则省略", default=None)
    pool_first: Flag = _f("是否应优先从专家库中选取")
    emergency: EmergencyUse = _f("应急情况下先使用后补批")
    direct_selection: DirectSelection | None = _f("直接选派的情形（YQ 第十四条(一)2）；没有则省略", default=None)
    task_types: tuple[Text, ...] = _f("任务类型（JC 附件8 注1 项目名称；YQ 第十四条(一)1(1)）", min_length=1)
    usage_categories: tuple[Text, ...] = _f(
        "使用类别（YQ 附表四：安全生产、应急管理）；有则使用申请的类别（task_type）从这里选，否则从 task_types 选",
        default=())
    invitation_channels: tuple[Text, ...] = _f("任务邀请方式（YQ：电话或微信）", default=())
    redraw_on_decline: Flag = _f("抽中的专家无法参加时是否重新抽取")
    no_candidate_action: Text | None = _f("该专业人员均无法参加时的处理原文", default=None)
    report_before_use: Flag = _f("使用前是否须向专家管理机构报备（YQ 第十二条、第二十五条；JC 履职报备制）")
    report_text: Text | None = _f("报备规定原文", default=None)
    report_source: Text | None = _f("报备规定的出处条款（YQ：第十二条、第二十五条；JC：第十一条）", default=None)
    conflict: ConflictRules = _f("回避规则（JC 第六条(六)、第十四条(二)）")

    @model_validator(mode="after")
    def _vocab(self):
        if self.out_of_pool:
            _in_vocab(self.out_of_pool.min_title_level, vocab.TITLE_LEVELS, "out_of_pool.min_title_level", "职称等级")
        _unique(list(self.task_types), "task_types", "任务类型")
        _unique(list(self.usage_categories), "usage_categories", "使用类别")
        if self.direct_selection:
            _unique([r.code for r in self.direct_selection.reasons], "direct_selection.reasons", "情形序号")
        if self.request_lead_days is not None and self.request_lead_source is None:
            raise _FieldProblem("request_lead_source", "写明申请提前天数时应写明出处条款")
        return self


# ---------------------------------------------------------------------------------------------------------------
# 拒绝委派 — JC 第九条(四)（JC-D4）；YQ 第二十四条(十一)（YQ-D4）
# ---------------------------------------------------------------------------------------------------------------
class Declines(_Section):
    counting: Literal["consecutive", "within_window"] = _f(
        "计数方式：consecutive = 连续次数（YQ）；within_window = 窗口内累计次数（JC 一年内累计）")
    threshold: PosInt = _f("达到此次数即触发后果（YQ 3、JC 2）")
    window_days: PosInt | None = _f("within_window 时的窗口天数（“一年内”）", default=None)
    only_unjustified: Flag = _f("是否只计无正当理由的拒绝（JC：无正当理由）")
    consequence: Text = _f("后果，如“提出解聘意见”")
    dismissal_reason_number: PosInt = _f("对应的解聘/清退情形序号（见 dismissal.reasons）")

    @model_validator(mode="after")
    def _window(self):
        if self.counting == "within_window" and self.window_days is None:
            raise _FieldProblem("window_days", "按窗口累计时应写明窗口天数")
        if self.counting == "consecutive" and self.window_days is not None:
            raise _FieldProblem("window_days", "按连续次数计时不应有窗口天数")
        return self


# ---------------------------------------------------------------------------------------------------------------
# 服务评价 — JC 第十四条(一)、第十七条、附件8（JC-V1）；YQ 第二十二条、第二十三条、第二十四条(三)（YQ-V1, V2）
# ---------------------------------------------------------------------------------------------------------------
class EvaluationIndicator(_Model):
    number: PosInt = _f("指标序号")
    text: Text = _f("指标原文")
    options: tuple[Text, ...] = _f("可选结果（如 是/否；好/一般/不好）", min_length=2)


class UniformRatingRule(_Model):
    min_experts: PosInt = _f("一个项目参与专家达到此数（3名及以上）时适用")
    rating: Text = _f("不得全部评为该等级（“良”）")
    source: Text = _f("出处")


class EscalationStep(_Model):
    occurrence: PosInt = _f("年度内第几次被评为较低等级")
    action: Text = _f("处理：如“提醒谈话”“调整退出专家库”")
    proposes_dismissal: Flag = _f(
        "该次处理是否在解聘/清退流程中提出建议（YQ 第二十四条(三)：再次被评为一般或较差 → 调整退出专家库）；"
        "不是则只记录处理（如提醒谈话）", default=False)


class Evaluations(_Section):
    form_id: Text = _f("评价所用表单 id（JC 附件8、YQ 附表五）")
    ratings: tuple[Text, ...] = _f("总体评价等级，从高到低", min_length=2)
    reason_required_for: tuple[Text, ...] = _f("须说明理由的等级（JC：优；YQ：一般、较差）")
    reason_field: Text = _f("理由写在哪里（JC：备注栏；YQ：书面说明）")
    uniform_rule: UniformRatingRule | None = _f("同一项目不得全部评为某等级的规则（JC 附件8 注4）", default=None)
    meaningful_items_min: NonNegInt | None = _f("专家认为有意义的事项最少条数（JC：1）", default=None)
    meaningful_items_max: PosInt | None = _f("专家认为有意义的事项最多条数（JC：3）", default=None)
    deadline_days: PosInt = _f("任务结束后交回评价的期限")
    deadline_unit: Literal["working_days", "calendar_days"] = _f(
        "期限单位：working_days 工作日（按国家法定节假日安排）；calendar_days 自然日")
    submit_with_form_ids: tuple[Text, ...] = _f("须与评价表一同报送的表单 id（JC：附件7）", default=())
    indicators: tuple[EvaluationIndicator, ...] = _f("服务质量指标（JC 附件8 1–8 项）", default=())
    overall_indicator: PosInt | None = _f(
        "哪一项指标就是总体评价（JC 附件8 第8项“对专家工作的总体评价”）；该项的值即总体评价等级，"
        "其可选结果应与 ratings 相同；录入时可只填总体评价", default=None)
    negative_ratings: tuple[Text, ...] = _f("计入后果的较低等级（YQ：一般、较差）", default=())
    escalation: tuple[EscalationStep, ...] = _f("年度内多次较低评价的处理（YQ 第二十四条(三)）", default=())
    escalation_window: Literal["calendar_year"] | None = _f("累计较低评价的窗口：calendar_year = 同一自然年度",
                                                            default=None)
    escalation_dismissal_reason_number: PosInt | None = _f("对应的清退情形序号", default=None)
    work_record_form_id: Text | None = _f("专家工作记录卡表单 id（YQ 附表六）", default=None)

    @model_validator(mode="after")
    def _consistent(self):
        _unique(list(self.ratings), "ratings", "评价等级")
        for name in ("reason_required_for", "negative_ratings"):
            for i, r in enumerate(getattr(self, name)):
                if r not in self.ratings:
                    raise _FieldProblem(f"{name}.{i}", f"“{r}”不是评价等级之一（{'、'.join(self.ratings)}）")
        if self.uniform_rule and self.uniform_rule.rating not in self.ratings:
            raise _FieldProblem("uniform_rule.rating", f"“{self.uniform_rule.rating}”不是评价等级之一")
        lo, hi = self.meaningful_items_min, self.meaningful_items_max
        if lo is not None and hi is not None and lo > hi:
            raise _FieldProblem("meaningful_items_min", "有意义事项的最少条数不能大于最多条数")
        _unique([s.occurrence for s in self.escalation], "escalation", "次数")
        if self.escalation and (not self.negative_ratings or self.escalation_window is None):
            raise _FieldProblem("escalation", "有逐次处理时应写明 negative_ratings 和 escalation_window")
        if any(s.proposes_dismissal for s in self.escalation) and self.escalation_dismissal_reason_number is None:
            raise _FieldProblem("escalation_dismissal_reason_number", "有提出清退建议的处理时应写明对应的清退情形序号")
        if self.overall_indicator is not None:
            found = [ind for ind in self.indicators if ind.number == self.overall_indicator]
            if not found:
                raise _FieldProblem("overall_indicator", f"没有序号为 {self.overall_indicator} 的服务质量指标")
            if tuple(found[0].options) != tuple(self.ratings):
                raise _FieldProblem("overall_indicator", "总体评价指标的可选结果应与 ratings 相同")
        _unique([ind.number for ind in self.indicators], "indicators", "指标序号")
        return self


# ---------------------------------------------------------------------------------------------------------------
# 年度考核 — JC 第十条(三)、附件6（JC-Y1）；YQ 第九条(二)、第二十三条（YQ-Y1）
# ---------------------------------------------------------------------------------------------------------------
class AssessmentConclusion(_Model):
    key: Key = _f("结论标识")
    label: Text = _f("结论简称，如“继续使用”")
    text: Text = _f("结论原文")
    proposes_dismissal: Flag = _f("该结论是否提出解聘/清退意见")


class AnnualAssessment(_Section):
    name: Text = _f("称谓（履职考核 / 年度考评）")
    form_id: Text | None = _f("考核表表单 id（JC 附件6）", default=None)
    month: Month | None = _f("每年组织考核的月份（JC：6月）", default=None)
    before_month: Month | None = _f("须在该月之前完成（YQ 第九条(二)：每年7月前 → 7）", default=None)
    assessor: Text = _f("负责考核的机构")
    self_evaluation: Flag = _f("专家是否自评")
    self_evaluation_items_min: NonNegInt | None = _f("自评业绩最少条数（JC：1）", default=None)
    self_evaluation_items_max: PosInt | None = _f("自评业绩最多条数（JC：5）", default=None)
    service_self_ratings: tuple[Text, ...] = _f("服务质量自我评价等级（JC：优、良、中、差）", default=())
    items: tuple[Text, ...] = _f("考核项目（原文）", min_length=1)
    item_ratings: tuple[Text, ...] = _f("每项考核情况的等级", min_length=2)
    conclusions: tuple[AssessmentConclusion, ...] = _f("考核结论（原文）", min_length=1)
    results_form_id: Text | None = _f("考核结果汇总表表单 id（本地表单：JC 报领导小组办公室存档；YQ 公布）",
                                      default=None)
    results_published: Flag = _f("考核结果是否公布（YQ 第二十三条(二)）")
    results_archived: Flag = _f("考核结果是否存档/记入专家档案")
    basis_for_renewal: Flag = _f("考核结果是否作为续聘（及特聘）的依据")

    @model_validator(mode="after")
    def _months(self):
        if self.month is None and self.before_month is None:
            raise _FieldProblem("month", "应写明考核月份 month 或完成期限 before_month")
        _unique([c.key for c in self.conclusions], "conclusions", "结论标识")
        return self


# ---------------------------------------------------------------------------------------------------------------
# 解聘 / 清退 — JC 第九条、第十四条(三)（JC-R1, X-E1）；YQ 第二十四条（YQ-R1）
# ---------------------------------------------------------------------------------------------------------------
class DismissalReason(_Model):
    number: PosInt = _f("序号（1 起）")
    numeral: Text = _f("原文序号的汉字，如“五”（显示为 第九条（五））")
    text: Text = _f("情形原文")
    permanent_ban: Flag = _f("是否立即清退、永不录用（JC 第九条(五)–(九)）")


class OtherBan(_Model):
    key: Key = _f("情形标识（英文小写），立案时用它代替序号，如“bribery”")
    label: Text = _f("情形简称（含条款），用于记录和禁入提示，如“第十四条（三）违规收受任务对象单位现金、财物”")
    text: Text = _f("原文")
    source: Text = _f("出处条款")


class Dismissal(_Section):
    article: Text = _f("列举情形的条款，如“第九条”")
    name: Text = _f("称谓（解聘退出 / 清退）")
    reasons: tuple[DismissalReason, ...] = _f("解聘/清退情形（原文逐项）", min_length=1)
    suspend_immediately: Flag = _f("出现情形时是否立即停止使用（JC 第九条）")
    actions: Text = _f("处理方式原文")
    procedure: tuple[Text, ...] = _f("解聘程序步骤", default=())
    notice_days: PosInt | None = _f("解聘公示天数（JC：5日）", default=None)
    other_permanent_bans: tuple[OtherBan, ...] = _f("其他条款规定的永不录用情形（JC 第十四条(三)）", default=())
    steps_at_opening: NonNegInt = _f(
        "procedure 的前几步在立案时即完成并记录（JC：“立即停止使用”= 1；YQ：“使用部门反馈”= 1）", default=0)
    notice_step: Text | None = _f(
        "procedure 中的公示步骤名称：办理该步骤时须填写公示起止日期，且不少于 notice_days 日；省略表示没有公示步骤",
        default=None)
    reminder_talk: Flag = _f(
        "可否以提醒谈话代替调整退出（YQ 第二十四条：由专家管理办公室对其进行提醒谈话或按程序调整退出专家库）",
        default=False)
    conditions_reason_number: PosInt | None = _f(
        "在库专家不再符合随时间变化的选聘条件（年龄超过上限）时提出解聘/清退建议所依据的情形序号"
        "（JC 第九条(二)、YQ 第二十四条(十)）；省略表示只列出、不指定情形", default=None)

    @model_validator(mode="after")
    def _numbers(self):
        for i, r in enumerate(self.reasons):
            if r.number != i + 1:
                raise _FieldProblem(f"reasons.{i}.number", f"序号应为 {i + 1}（按顺序从1起）")
            if r.number < len(_CN_NUMERALS) and r.numeral != _CN_NUMERALS[r.number]:
                raise _FieldProblem(f"reasons.{i}.numeral", f"序号 {r.number} 的汉字应为“{_CN_NUMERALS[r.number]}”")
        _unique([b.key for b in self.other_permanent_bans], "other_permanent_bans", "情形标识")
        _unique(list(self.procedure), "procedure", "步骤")
        if self.steps_at_opening and self.steps_at_opening >= len(self.procedure):
            raise _FieldProblem("steps_at_opening", "立案时完成的步骤数应少于 procedure 的步骤数（立案后至少还有一步）")
        if self.notice_step is not None:
            if self.notice_step not in self.procedure:
                raise _FieldProblem("notice_step", f"“{self.notice_step}”不是 procedure 中的步骤")
            if self.procedure.index(self.notice_step) < self.steps_at_opening:
                raise _FieldProblem("notice_step", "公示步骤不能在立案时就完成")
            if self.notice_days is None:
                raise _FieldProblem("notice_days", "有公示步骤时应写明公示天数")
        return self

    def other_ban(self, key: str) -> OtherBan:
        """其他条款的永不录用情形（按 key）；没有则 PolicyError。"""
        for b in self.other_permanent_bans:
            if b.key == key:
                return b
        known = "、".join(b.key for b in self.other_permanent_bans) or "无"
        raise PolicyError(f"没有标识为“{key}”的其他永不录用情形（可用：{known}）")

    @property
    def case_steps(self) -> tuple[str, ...]:
        """立案后逐步办理的步骤（procedure 去掉立案时即完成的前几步）。"""
        return self.procedure[self.steps_at_opening:]

    def reason(self, number: int) -> DismissalReason:
        for r in self.reasons:
            if r.number == number:
                return r
        raise PolicyError(f"{self.article}没有第（{number}）项情形")

    def reason_label(self, number: int) -> str:
        """“第九条（五）被依法追究刑事责任的”。"""
        r = self.reason(number)
        return f"{self.article}（{r.numeral}）{r.text.rstrip('；;。')}"

    @property
    def permanent_ban_numbers(self) -> tuple[int, ...]:
        return tuple(r.number for r in self.reasons if r.permanent_ban)


# ---------------------------------------------------------------------------------------------------------------
# 劳务报酬 — JC 第十六条–第十八条（JC-F1..F4）；YQ 第二十条（YQ-F1）
# ---------------------------------------------------------------------------------------------------------------
class FeeRateVersion(_Model):
    effective_from: Day = _f("本标准自何日起适用（差旅费等标准调整后新增一个版本）")
    daily_rate: Money | None = _f("劳务报酬（元/人/工作日）；由本地设置且尚未设置时省略", default=None)
    cross_city_lodging: Money | None = _f("跨市服务另加住宿费（元/人/工作日）", default=None)
    cross_city_meals: Money | None = _f("跨市服务另加伙食补助费（元/人/工作日）", default=None)
    set_locally: Flag = _f("true = 种子文件未给出金额，由本地按所依据的办法设置")
    note: Text | None = _f("说明（set_locally 时写明依据，如按哪个办法执行）", default=None)
    source: Text = _f("出处条款")

    @model_validator(mode="after")
    def _rates_or_local(self):
        if not self.set_locally and self.daily_rate is None:
            raise _FieldProblem("daily_rate", "不是本地设置时应写明劳务报酬标准")
        if self.set_locally and not self.note:
            raise _FieldProblem("note", "本地设置的标准应写明依据")
        if (self.cross_city_lodging is None) != (self.cross_city_meals is None):
            raise _FieldProblem("cross_city_meals", "跨市住宿费和伙食补助费应同时写明或同时省略")
        return self


class Fees(_Section):
    basis_document: Text = _f("报酬标准所依据的文件")
    unit: Text = _f("计酬单位，如“每人每工作日”")
    paid_by: Text = _f("由谁支付/报销（原文）")
    public_servant_own_unit_unpaid: Flag = _f("公职人员从事本单位业务不得领取劳务报酬（JC 第十六条(二)）")
    overlap_pays_once: Flag = _f("同一时间参与多项服务只按一项发放（JC 第十六条(三)）")
    budget_required: Flag = _f("先预算后支出，严禁无预算或超预算（JC 第十八条）")
    rate_versions: tuple[FeeRateVersion, ...] = _f("报酬标准的各个版本，按生效日期从早到晚", min_length=1)
    statement_form_id: Text | None = _f("劳务报酬结算表表单 id（本地表单，附计算过程）", default=None)

    @model_validator(mode="after")
    def _ordered(self):
        for i in range(1, len(self.rate_versions)):
            if self.rate_versions[i].effective_from <= self.rate_versions[i - 1].effective_from:
                raise _FieldProblem(f"rate_versions.{i}.effective_from", "各版本的生效日期应从早到晚且不重复")
        return self

    def rate_on(self, day: date) -> FeeRateVersion | None:
        """该日适用的报酬标准；早于第一个版本则 None。"""
        found = None
        for v in self.rate_versions:
            if v.effective_from <= day:
                found = v
        return found


# ---------------------------------------------------------------------------------------------------------------
# 培训 — JC 第十三条；YQ 第二十一条（计入年度考核/考评）
# ---------------------------------------------------------------------------------------------------------------
class Training(_Section):
    required_by: Text = _f("培训要求原文摘要")
    organizer: Text = _f("组织培训的机构")
    sessions_per_year: NonNegInt | None = _f("每年至少组织的专题培训次数（JC：每年一次）；原文未规定时省略",
                                             default=None)
    ethics_briefing_before_use: Flag = _f("每次使用专家前是否须进行职业道德和廉政纪律教育")
    counted_in_assessment: Flag = _f("参加培训情况是否计入年度考核/考评")


# ---------------------------------------------------------------------------------------------------------------
# 技术帮扶 — YQ 第十五条–第十八条
# ---------------------------------------------------------------------------------------------------------------
class Assistance(_Section):
    name: Text = _f("称谓（技术服务与帮扶）")
    priority_targets: tuple[Text, ...] = _f("重点帮扶对象（原文）", default=())
    letter_form_id: Text = _f("问题隐患及建议书面移交企业所用表单 id（第十八条）")
    stop_work_report: Flag = _f("专家发现重大风险隐患时是否须责令停止作业并立即报告（第十六条）")
    report_to: Text = _f("重大风险隐患报告的接收机构（第十六条、第十七条）")


# ---------------------------------------------------------------------------------------------------------------
# 表单 — JC 附件1–附件8（JC-W1）；YQ 附表一–附表六 + 分类表（YQ-W1）
# ---------------------------------------------------------------------------------------------------------------
class FormSpec(_Model):
    id: Key = _f("表单标识，如“jc_fj2”")
    annex: Text = _f("附件编号原文，如“附件2”“附表一”")
    title: Text = _f("表单标题（原文）")
    template: Annotated[str, Strict(), Field(pattern=r"^[^/\\]+\.docx$")] = _f(
        "模板文件名（templates_docx/ 下），如“jc_fj2_申报表.docx”")
    source: Text = _f("规定使用本表的条款")
    purpose: Text = _f("用途简述")


# ---------------------------------------------------------------------------------------------------------------
# 整个策略
# ---------------------------------------------------------------------------------------------------------------
class Policy(_Model):
    format_version: PosInt = _f("策略文件格式版本（当前为 1）")
    id: Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = _f(
        "策略标识，如“jincheng-2026”；每条由规则产生的记录都存这个 policy_id")
    name: Text = _f("办法全称")
    short_name: Text = _f("简称，如“晋城市 2026”")
    city: Text = _f("城市，如“晋城市”")
    issuer: Text = _f("发文机关")
    document_number: Text = _f("文号")
    issued_date: Day = _f("印发日期")
    effective_date: Day = _f("施行日期")
    trial: Flag = _f("是否试行")
    replaces: tuple[Text, ...] = _f("同时废止的文件", default=())
    office: Text = _f("专家管理机构（办公室）名称")
    expert_kinds: tuple[Text, ...] = _f("专家类型（vocab.EXPERT_KINDS），第一项为普通专家", min_length=1)
    routes: tuple[Text, ...] = _f("全部申报方式（vocab.ROUTES）", min_length=1)
    taxonomy: Taxonomy = _f("专家类别、行业领域、专业与人数控制")
    eligibility: Eligibility = _f("选聘条件")
    intake: Intake = _f("申报")
    review: Review = _f("条件审核")
    scoring: Scoring | None = _f("条件审核评分表（JC 附件4）；不打分的策略省略", default=None)
    lifecycle: Lifecycle = _f("公示、聘任、聘期")
    drawing: Drawing = _f("抽取、审批与委派")
    declines: Declines = _f("拒绝委派的后果")
    evaluations: Evaluations = _f("每次服务的评价")
    assessment: AnnualAssessment = _f("年度履职考核/考评")
    dismissal: Dismissal = _f("解聘/清退情形与程序")
    fees: Fees = _f("劳务报酬")
    training: Training = _f("专家培训教育")
    assistance: Assistance | None = _f("技术服务与帮扶（YQ 第六章）；没有此章的策略省略", default=None)
    forms: tuple[FormSpec, ...] = _f("本策略的全部表单", min_length=1)

    _form_by_id: dict[str, FormSpec] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_checks(self):
        _unique(list(self.expert_kinds), "expert_kinds", "专家类型")
        for i, k in enumerate(self.expert_kinds):
            _in_vocab(k, vocab.EXPERT_KINDS, f"expert_kinds.{i}", "专家类型")
        if self.expert_kinds[0] != "普通专家":
            raise _FieldProblem("expert_kinds.0", "第一项应为“普通专家”")
        _unique(list(self.routes), "routes", "申报方式")
        for i, r in enumerate(self.routes):
            _in_vocab(r, vocab.ROUTES, f"routes.{i}", "申报方式")
        self._check_intake()
        self._check_eligibility()
        self._check_forms()
        if self.scoring:
            for i, it in enumerate(self.scoring.items):
                for j, b in enumerate(it.bonuses):
                    if b.required_category and b.required_category not in self.taxonomy.categories:
                        raise _FieldProblem(f"scoring.items.{i}.bonuses.{j}.required_category",
                                            f"“{b.required_category}”不是分类表中的专家类别")
        numbers = {r.number for r in self.dismissal.reasons}
        if self.declines.dismissal_reason_number not in numbers:
            raise _FieldProblem("declines.dismissal_reason_number", "不是解聘/清退情形中的序号")
        n = self.evaluations.escalation_dismissal_reason_number
        if n is not None and n not in numbers:
            raise _FieldProblem("evaluations.escalation_dismissal_reason_number", "不是解聘/清退情形中的序号")
        n = self.dismissal.conditions_reason_number
        if n is not None and n not in numbers:
            raise _FieldProblem("dismissal.conditions_reason_number", "不是解聘/清退情形中的序号")
        return self

    def _check_intake(self) -> None:
        kinds = [k.kind for k in self.intake.kinds]
        _unique(kinds, "intake.kinds", "专家类型")
        if set(kinds) != set(self.expert_kinds):
            raise _FieldProblem("intake.kinds", f"应为每种专家类型（{'、'.join(self.expert_kinds)}）各写一项")
        used: set[str] = set()
        for i, k in enumerate(self.intake.kinds):
            for j, r in enumerate(k.routes):
                if r not in self.routes:
                    raise _FieldProblem(f"intake.kinds.{i}.routes.{j}", f"申报方式“{r}”不在 routes 中")
                used.add(r)
        unused = [r for r in self.routes if r not in used]
        if unused:
            raise _FieldProblem("routes", f"申报方式“{'、'.join(unused)}”没有任何专家类型使用")

    def _check_eligibility(self) -> None:
        el = self.eligibility
        for i, a in enumerate(el.age_limits):
            if a.kind not in self.expert_kinds:
                raise _FieldProblem(f"eligibility.age_limits.{i}.kind", f"“{a.kind}”不在 expert_kinds 中")
        for kind in self.expert_kinds:
            for g in vocab.GENDERS:
                try:
                    el.max_age(g, kind)
                except PolicyError:
                    raise _FieldProblem("eligibility.age_limits", f"缺少“{kind}”（{g}）的年龄上限") from None
        for i, r in enumerate(el.experience_requirements):
            for j, c in enumerate(r.specialty_codes):
                if not self.taxonomy.has_specialty(c):
                    raise _FieldProblem(f"eligibility.experience_requirements.{i}.specialty_codes.{j}",
                                        f"分类表中没有专业代码“{c}”")
        special = [k for k in self.expert_kinds if k != "普通专家"]
        if special and (el.special_expert is None or el.special_expert.kind not in special):
            raise _FieldProblem("eligibility.special_expert", f"有“{special[0]}”时应写明其条件")
        if not special and el.special_expert is not None:
            raise _FieldProblem("eligibility.special_expert", "expert_kinds 中没有特聘专家，此处应省略")

    def _check_forms(self) -> None:
        _unique([f.id for f in self.forms], "forms", "表单标识")
        _unique([f.template for f in self.forms], "forms", "模板文件名")
        ids = {f.id for f in self.forms}
        refs: list[tuple[str, str | None]] = [
            ("taxonomy.form_id", self.taxonomy.form_id),
            ("intake.pledge_form_id", self.intake.pledge_form_id),
            ("review.form_id", self.review.form_id),
            ("review.summary_form_id", self.review.summary_form_id),
            ("drawing.request_form_id", self.drawing.request_form_id),
            ("drawing.dispatch_form_id", self.drawing.dispatch_form_id),
            ("evaluations.form_id", self.evaluations.form_id),
            ("evaluations.work_record_form_id", self.evaluations.work_record_form_id),
            ("assessment.form_id", self.assessment.form_id),
            ("assessment.results_form_id", self.assessment.results_form_id),
            ("fees.statement_form_id", self.fees.statement_form_id),
            ("assistance.letter_form_id", self.assistance.letter_form_id if self.assistance else None),
        ]
        refs += [(f"intake.kinds.{i}.application_form_id", k.application_form_id)
                 for i, k in enumerate(self.intake.kinds)]
        refs += [(f"evaluations.submit_with_form_ids.{i}", f) for i, f in enumerate(self.evaluations.submit_with_form_ids)]
        if self.scoring:
            refs.append(("scoring.form_id", self.scoring.form_id))
        for field, ref in refs:
            if ref is not None and ref not in ids:
                raise _FieldProblem(field, f"表单“{ref}”不在 forms 中")

    def model_post_init(self, __context: Any) -> None:
        self._form_by_id.update({f.id: f for f in self.forms})

    def form(self, form_id: str) -> FormSpec:
        try:
            return self._form_by_id[form_id]
        except KeyError:
            raise UnknownCodeError(f"策略“{self.short_name}”没有表单“{form_id}”") from None

    def variant(self, updates: Mapping[str, Any], *, label: str = "策略变体") -> "Policy":
        """X-P3 策略推演：按点分路径修改（如 {"eligibility.age_limits.0.max_age": 65}），重新校验后得到新策略。

        原策略不变；路径不存在或新值不合规时抛出 PolicyError（消息以 label 代替文件名）。
        """
        data = _thaw(self.model_dump())
        for dotted, value in updates.items():
            _set_path(data, dotted, value, label)
        return policy_from_data(data, label)


# ---------------------------------------------------------------------------------------------------------------
# 读取与错误翻译
# ---------------------------------------------------------------------------------------------------------------
def _thaw(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


def _set_path(data: Any, dotted: str, value: Any, label: str) -> None:
    parts = dotted.split(".")
    node = data
    try:
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise KeyError(last)
    except (KeyError, IndexError, ValueError, TypeError):
        raise PolicyError(f"{label} 有误：字段路径 {dotted} 不存在", path=label, problems=[(dotted, "字段路径不存在")]) \
            from None


_TYPE_WORDS = {
    "string_type": "应为文字", "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（如 2026-06-05，不加引号）", "date_parsing": "应为日期（如 2026-06-05，不加引号）",
    "date_from_datetime_inexact": "应为日期，不带时间", "date_from_datetime_parsing": "应为日期（如 2026-06-05）",
    "decimal_type": "应为金额数字", "decimal_parsing": "应为金额数字", "float_type": "应为数字",
    "tuple_type": "应为列表 [...]", "list_type": "应为列表 [...]", "dict_type": "应为表（table）",
    "model_type": "应为表（table）", "model_attributes_type": "应为表（table）",
}


def _explain(err: Mapping[str, Any]) -> tuple[str, str]:
    """One pydantic error → (字段路径, 中文说明)."""
    loc = [str(p) for p in err.get("loc", ())]
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, _FieldProblem):
        loc += cause.field.split(".")
        return ".".join(loc), cause.message
    if typ == "missing":
        msg = "缺少必填字段"
    elif typ == "extra_forbidden":
        msg = "未知字段（可能拼写错误）"
    elif typ in _TYPE_WORDS:
        msg = f"类型不正确：{_TYPE_WORDS[typ]}，实际为 {err.get('input')!r}"
    elif typ == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " 或 ")
        msg = f"取值不在允许范围内：应为 {expected}，实际为 {err.get('input')!r}"
    elif typ == "greater_than":
        gt = ctx.get("gt")
        msg = "应为正整数" if gt == 0 and isinstance(err.get("input"), int) else f"应大于 {gt}"
    elif typ == "greater_than_equal":
        msg = "不能为负数" if ctx.get("ge") == 0 else f"应不小于 {ctx.get('ge')}"
    elif typ == "less_than_equal":
        msg = f"应不大于 {ctx.get('le')}"
    elif typ == "less_than":
        msg = f"应小于 {ctx.get('lt')}"
    elif typ == "string_too_short":
        msg = "不能为空"
    elif typ == "too_short":
        msg = f"至少应有 {ctx.get('min_length')} 项"
    elif typ == "too_long":
        msg = f"最多 {ctx.get('max_length')} 项"
    elif typ == "string_pattern_mismatch":
        msg = f"格式不正确：{err.get('input')!r} 不符合 {ctx.get('pattern')}"
    elif typ in ("decimal_max_places", "decimal_max_digits", "decimal_whole_digits"):
        msg = "金额位数不正确（最多两位小数）"
    elif typ in ("value_error", "assertion_error") and cause is not None:
        msg = str(cause)
    else:
        msg = f"取值不正确（{err.get('msg', typ)}）"
    return ".".join(loc) or "（整个文件）", msg


def _policy_error(label: str, problems: list[tuple[str, str]]) -> PolicyError:
    shown = "；".join(f"字段 {f}：{m}" for f, m in problems[:20])
    more = f"；另有 {len(problems) - 20} 处" if len(problems) > 20 else ""
    return PolicyError(f"策略文件 {label} 有误：{shown}{more}", path=label, problems=problems)


def policy_from_data(data: Mapping[str, Any], label: str = "（内存中的策略）") -> Policy:
    """校验一份已解析的策略数据（dict），出错时抛出 PolicyError；label 出现在消息中代替文件名。"""
    try:
        return Policy.model_validate(data)
    except PydanticValidationError as e:
        errors = e.errors()
        # A list whose item failed also reports "too short" (the failed item is not counted): noise, drop it.
        deeper = [tuple(x["loc"]) for x in errors]
        errors = [x for x in errors if not (x["type"] == "too_short" and any(
            len(d) > len(x["loc"]) and d[:len(x["loc"])] == tuple(x["loc"]) for d in deeper))]
        raise _policy_error(label, [_explain(err) for err in errors]) from None


_TOML_POS = re.compile(r"^(?P<what>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)\s*$")


def load_policy(path: str | Path) -> Policy:
    """读取并校验一个策略文件（TOML）。任何问题都抛出 PolicyError，消息写明文件和字段路径（X-P2）。"""
    label = str(path)
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")  # tolerate the BOM Notepad adds
    except FileNotFoundError:
        raise PolicyError(f"策略文件 {label} 不存在", path=label) from None
    except UnicodeDecodeError:
        raise PolicyError(f"策略文件 {label} 不是 UTF-8 编码，请用 UTF-8 保存", path=label) from None
    except OSError as e:
        raise PolicyError(f"策略文件 {label} 无法读取：{e.strerror or e}", path=label) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_POS.match(str(e))
        where = f"第 {m['line']} 行第 {m['col']} 列附近" if m else ""
        what = m["what"] if m else str(e)
        raise PolicyError(f"策略文件 {label} 不是有效的 TOML：{where}有语法错误（{what}）", path=label,
                          problems=[("（语法）", f"{where}{what}")]) from None
    return policy_from_data(data, label)


def load_policies(folder: str | Path) -> dict[str, Policy]:
    """读取文件夹中所有 *.toml，按 id 返回；id 重复、文件夹不存在或没有策略文件时抛出 PolicyError。"""
    root = Path(folder)
    if not root.is_dir():
        raise PolicyError(f"策略文件夹 {folder} 不存在")
    found: dict[str, Policy] = {}
    where: dict[str, Path] = {}
    for file in sorted(root.glob("*.toml")):
        policy = load_policy(file)
        if policy.id in found:
            raise PolicyError(f"策略文件 {file} 有误：字段 id：“{policy.id}”与 {where[policy.id]} 重复",
                              path=str(file), problems=[("id", "与其他策略文件重复")])
        found[policy.id] = policy
        where[policy.id] = file
    if not found:
        raise PolicyError(f"策略文件夹 {folder} 中没有策略文件（*.toml）")
    return found


# ---------------------------------------------------------------------------------------------------------------
# 字段文档：给“每个参数出自哪一条”的页面和文档测试使用
# ---------------------------------------------------------------------------------------------------------------
class FieldDoc(_Model):
    path: Text = _f("字段路径，如“taxonomy.sectors[].cap”")
    model: Text = _f("所在模型类名")
    description: Text = _f("字段说明")


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models_in(arg)


def iter_field_docs(model: type[BaseModel] = Policy, prefix: str = "") -> Iterator[FieldDoc]:
    """按树形遍历模型的每个字段，给出路径和说明（元组中的元素用“[]”表示）。"""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield FieldDoc(path=path, model=model.__name__, description=info.description or "（缺少说明）")
        ann = info.annotation
        for sub in _models_in(ann):
            yield from iter_field_docs(sub, f"{path}[]." if _has_tuple(ann) else f"{path}.")


def _has_tuple(annotation: Any) -> bool:
    return get_origin(annotation) is tuple or any(_has_tuple(a) for a in get_args(annotation))
