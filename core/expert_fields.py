"""The fields of an expert record (专家信息), as data: one list serves the form, the table, Excel and validation.

The list is the union of JC 附件2 (晋城市安全生产和应急管理专家申报表) and YQ 附表一 (阳泉市应急管理和安全生产
专家入库申请表) plus what the office keeps about an expert (state, term, 回避 relations, group role).
`groups` follow the paper forms' blocks so a screen can show them in the same order.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import vocab

# kinds: text (one line), longtext (multi-line), choice (one of choices), multichoice (several of choices),
# int, date (ISO yyyy-mm-dd), bool, specialties (several taxonomy codes), list (several free-text items)
SHORT_MAX = 100
LONG_MAX = 4000


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"
    required: bool = False
    max_len: int = SHORT_MAX
    choices: tuple[str, ...] = ()
    group: str = "基本信息"
    sensitive: bool = False  # masked for roles that do not need it
    source: str = ""  # where the field stands in the seeds
    help: str = ""


GROUPS = ("基本信息", "联系方式", "单位信息", "学历职称", "申报信息", "简历与业绩", "管理信息")

EXPERT_FIELDS: tuple[FieldSpec, ...] = (
    # 基本信息
    FieldSpec("name", "姓名", required=True, max_len=30, source="JC附件2/YQ附表一 姓名"),
    FieldSpec("id_number", "身份证号", required=True, max_len=18, sensitive=True,
              source="JC附件2/YQ附表一 身份证号", help="18位居民身份证号，末位可为X"),
    FieldSpec("gender", "性别", "choice", choices=vocab.GENDERS, source="性别",
              help="可不填，由身份证号推出；填写时须与身份证号一致"),
    FieldSpec("birth_date", "出生日期", "date", source="出生年月",
              help="可不填，由身份证号推出；填写时须与身份证号一致"),
    FieldSpec("political_status", "政治面貌", "choice", choices=vocab.POLITICAL_STATUSES, source="YQ附表一 政治面貌"),
    FieldSpec("employment_status", "在岗情况", "choice", required=True, choices=vocab.EMPLOYMENT_STATUSES,
              source="JC附件2 在岗□ 退休□ 其他"),
    FieldSpec("employment_other", "在岗情况（其他）说明", max_len=50, source="JC附件2 其他："),
    # 联系方式
    FieldSpec("mobile", "移动电话", required=True, max_len=11, group="联系方式", sensitive=True,
              source="移动电话", help="11位手机号，以1开头"),
    FieldSpec("work_phone", "工作电话", max_len=20, group="联系方式", source="JC附件2 工作电话"),
    FieldSpec("home_phone", "住宅电话", max_len=20, group="联系方式", sensitive=True, source="JC附件2 住宅电话"),
    FieldSpec("email", "电子邮箱", max_len=80, group="联系方式", source="JC附件2 电子邮箱"),
    # 单位信息
    FieldSpec("unit", "单位全称", required=True, max_len=100, group="单位信息", source="JC 单位全称 / YQ 工作单位"),
    FieldSpec("unit_address", "单位地址", max_len=200, group="单位信息", source="单位地址"),
    FieldSpec("postcode", "邮政编码", max_len=6, group="单位信息", source="JC附件2 邮政编码"),
    FieldSpec("department", "所在部门", max_len=50, group="单位信息", source="所在部门"),
    FieldSpec("position", "职务", max_len=50, group="单位信息", source="职务"),
    FieldSpec("unit_phone", "单位电话", max_len=20, group="单位信息", source="JC附件2 单位电话"),
    FieldSpec("fax", "传真号码", max_len=20, group="单位信息", source="JC附件2 传真号码"),
    FieldSpec("is_public_servant", "公职人员", "bool", group="单位信息",
              source="JC 第十六条(二)", help="公职人员从事本单位业务不领取劳务报酬"),
    FieldSpec("is_out_of_city", "市外专家", "bool", group="单位信息", source="JC 第七条(四)",
              help="市外专家须具有高级以上职称"),
    # 学历职称
    FieldSpec("school", "毕业院校", max_len=60, group="学历职称", source="毕业学校/毕业院校"),
    FieldSpec("education", "最高学历", "choice", required=True, choices=vocab.EDUCATION_LEVELS, group="学历职称",
              source="JC附件2 最高学历"),
    FieldSpec("major", "所学专业", max_len=60, group="学历职称", source="所学专业"),
    FieldSpec("title", "职称", max_len=50, group="学历职称", source="职称 / 职务(职称)",
              help="职称名称，如“高级工程师”"),
    FieldSpec("title_level", "职称等级", "choice", required=True, choices=vocab.TITLE_LEVELS, group="学历职称",
              source="JC 第七条(四) 中级以上/高级以上"),
    FieldSpec("qualifications", "职业资格", "multichoice", choices=vocab.QUALIFICATIONS, group="学历职称",
              source="职业资格"),
    FieldSpec("current_field", "现从事行业(专业)", max_len=60, group="学历职称", source="JC附件2 现从事行业(专业)及年限"),
    FieldSpec("years_in_field", "从事本专业年限", "int", required=True, group="学历职称",
              source="JC附件2 现从事行业(专业)及年限", help="整年数，0–60"),
    FieldSpec("enterprise_safety_years", "企业安全生产系统工作年限", "int", group="学历职称",
              source="JC附件4 年限 加分项", help="整年数，0–60"),
    # 申报信息
    FieldSpec("route", "申报方式", "choice", choices=vocab.ROUTES, group="申报信息", source="JC 第八条(一)"),
    FieldSpec("expert_kind", "专家类型", "choice", choices=vocab.EXPERT_KINDS, group="申报信息",
              source="YQ 第八条 特聘专家"),
    FieldSpec("specialties", "申报行业领域及专业", "specialties", required=True, group="申报信息",
              source="JC附件2 申报专家行业领域及专业分类 / YQ 申请行业、申请专业", help="可多选，按分类表"),
    FieldSpec("apply_date", "填报日期", "date", group="申报信息", source="填报日期"),
    # 简历与业绩
    FieldSpec("resume", "主要专业学历和工作简历", "longtext", max_len=LONG_MAX, group="简历与业绩", source="工作简历"),
    FieldSpec("publications", "发明、著作、学术论文情况", "longtext", max_len=LONG_MAX, group="简历与业绩",
              source="发明、著作、学术论文情况"),
    FieldSpec("awards", "受过何种奖励", "longtext", max_len=LONG_MAX, group="简历与业绩", source="受过何种奖励"),
    FieldSpec("achievements", "主要业绩及研究成果", "longtext", max_len=LONG_MAX, group="简历与业绩",
              source="安全生产相关工作主要业绩及研究成果"),
    FieldSpec("unit_opinion", "推荐单位（所在单位）意见", "longtext", max_len=1000, group="简历与业绩",
              source="JC 推荐单位意见 / YQ 所在单位意见"),
    # 管理信息
    FieldSpec("state", "状态", "choice", required=True, choices=vocab.EXPERT_STATES, group="管理信息"),
    FieldSpec("term_start", "聘期开始", "date", group="管理信息", source="JC 第八条(三) 聘期三年"),
    FieldSpec("term_end", "聘期结束", "date", group="管理信息", source="JC 第八条(三) 聘期三年"),
    FieldSpec("certificate_no", "聘书编号", max_len=40, group="管理信息"),
    FieldSpec("appointed_under", "聘任文件", max_len=60, group="管理信息", source="JC 第二十条",
              help="原聘任文件文号；按晋市应急总指办发[2023]4号选入的专家自原聘任之日起满三年退出"),
    FieldSpec("group_role", "专业组职务", "choice", choices=vocab.GROUP_ROLES, group="管理信息",
              source="JC 第十条(一) 组长、副组长"),
    FieldSpec("related_enterprises", "申报关联企业（回避）", "list", max_len=100, group="管理信息",
              source="JC 第六条(六) 回避", help="每行一个企业名称"),
    FieldSpec("remarks", "备注", "longtext", max_len=1000, group="管理信息"),
)

FIELDS_BY_KEY = {f.key: f for f in EXPERT_FIELDS}
SENSITIVE_KEYS = tuple(f.key for f in EXPERT_FIELDS if f.sensitive)
# Fields the system keeps on every record beside the ones above (not typed by users).
SYSTEM_KEYS = ("id", "policy_id", "is_demo", "schema_version", "created_at", "updated_at", "transitions",
               "unavailable", "legacy_registration")
