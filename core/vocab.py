"""Controlled vocabularies shared by both policy profiles and the expert record.

The words are the users' own terms from the seeds (JC 附件2, YQ 附表一). Policy profiles refer to these
values (e.g. the minimum education is one of EDUCATION_LEVELS) and are validated against them.
"""
from __future__ import annotations

GENDERS = ("男", "女")

# 最高学历, lowest first — order matters: eligibility compares positions (YQ 第六条 3: 大专以上).
EDUCATION_LEVELS = ("中专及以下", "大专", "本科", "硕士研究生", "博士研究生")

# 专业技术职称等级, lowest first. "高级" in the seeds means 副高级 or 正高级.
TITLE_LEVELS = ("无", "初级", "中级", "副高级", "正高级")
SENIOR_TITLE_LEVELS = ("副高级", "正高级")

# 职业资格 (JC 第七条(四): 注册安全工程师、注册安全评价师、律师; YQ 第六条 3 adds 国家职业技能一级/高级技师).
QUALIFICATIONS = ("注册安全工程师", "注册安全评价师", "律师", "国家职业技能一级/高级技师")

# 在岗情况 (JC 附件2: 在岗□ 退休□ 其他：; YQ 附表一: 在岗□ 退休□).
EMPLOYMENT_STATUSES = ("在岗", "退休", "其他")

POLITICAL_STATUSES = (
    "中共党员", "中共预备党员", "共青团员", "民革党员", "民盟盟员", "民建会员", "民进会员",
    "农工党党员", "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众",
)

# 申报方式 (JC 第八条(一); YQ 第七条(一), 第八条 特聘专家由使用部门推荐).
ROUTES = ("单位推荐", "个人自荐", "牵头科室推荐", "使用部门推荐")

# 专家类型: YQ 第八条 特聘专家; JC 第七条(四) 市外专家 needs 高级.
EXPERT_KINDS = ("普通专家", "特聘专家")

# Lifecycle states of an expert record (issue 3 adds the transitions).
EXPERT_STATES = ("申请中", "已审核", "已推荐", "拟定", "公示中", "在库", "暂停", "未通过", "期满退出", "解聘", "清退")
ACTIVE_STATES = ("在库",)

# 行业专业组 roles (JC 第十条(一)).
GROUP_ROLES = ("成员", "组长", "副组长")

# 使用申请的状态 (services/dispatch). 退回修改: the approver sent it back, the requester edits and resubmits;
# 不同意 and 已撤回 are final.
REQUEST_STATUSES = ("待审批", "待补批", "退回修改", "已审批", "已抽取", "已委派", "已完成", "不同意", "已撤回")

# Login roles.
ROLE_ADMIN = "管理员"
ROLE_OFFICE = "专家管理办公室"
ROLE_DEPARTMENT = "使用科室"
ROLE_LEADER = "领导"
ROLES = (ROLE_ADMIN, ROLE_OFFICE, ROLE_DEPARTMENT, ROLE_LEADER)
