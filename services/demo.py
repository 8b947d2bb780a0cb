"""演示专家库 — a plausible, reproducible pool of fictitious experts for demos and policy what-ifs.

`generate_demo_pool(policy, seed=…, today=…)` returns plain expert records (the keys of
`core.expert_fields.EXPERT_FIELDS`, already cleaned by `core.expert.validate_expert`) for one policy profile:
for 晋城市 2026 about 240 experts spread inside each 行业领域's 入选人数控制 and the pool's 260 (JC 第十条(二),
附件1; an expert counts once per sector, X-T1), aiming at 3–5 experts per 专业小类, one 组长 per sector and
1–2 副组长 where a sector has ≥30 experts (JC 第十条(一)); for 阳泉市 2024 about 200 experts over its 13 sectors.
Every person is invented (names and streets come from Faker zh_CN; units, titles and schools from short lists of
real Shanxi employers so the demo reads true), every 身份证号 has a correct GB 11643 check digit and a region code
of the policy's city (a few 市外专家 come from elsewhere in Shanxi and hold 副高级 or higher titles, JC 第七条(四)),
and every age is within the policy's limit on `today`. Same policy + seed + today → identical output: all
randomness flows from one `random.Random(seed)` and one Faker seeded with the same number, and nothing iterates
over a set or an unordered mapping. The records are not marked as demo here: the service that saves them adds
`is_demo=True`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from faker import Faker

from core import vocab
from core.expert import term_end_for, validate_expert
from core.idcard import age_on, check_digit, validate_mobile
from core.lifecycle import certificate_number

DEFAULT_SIZE_CAPPED = 240    # JC: 260 is the ceiling (第十条(二)); leave room for real additions
DEFAULT_SIZE_UNCAPPED = 200  # YQ has no caps
MIN_AGE_FLOOR = 32
GRADUATION_AGE = {"中专及以下": 19, "大专": 21, "本科": 22, "硕士研究生": 25, "博士研究生": 28}
EDUCATION_WEIGHTS = (("中专及以下", 2), ("大专", 14), ("本科", 52), ("硕士研究生", 25), ("博士研究生", 7))
POLITICAL_WEIGHTS = (
    ("中共党员", 62), ("群众", 26), ("九三学社社员", 3), ("民盟盟员", 2), ("民建会员", 1), ("民进会员", 1),
    ("农工党党员", 1), ("无党派人士", 3), ("中共预备党员", 1),
)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182",
                   "183", "185", "186", "187", "188", "189", "191", "198", "199")


# ---------------------------------------------------------------------------------------------------------
# Places: the policy's city (its 区县 codes, 区号, 邮编) and where 市外专家 come from.

@dataclass(frozen=True)
class District:
    code: str      # GB/T 2260 county-level code, first six digits of the ID number
    name: str
    postcode: str


@dataclass(frozen=True)
class City:
    name: str
    area_code: str    # 长途区号
    districts: tuple[District, ...]


JINCHENG = City("晋城市", "0356", (
    District("140502", "城区", "048000"), District("140521", "沁水县", "048200"),
    District("140522", "阳城县", "048100"), District("140524", "陵川县", "048300"),
    District("140525", "泽州县", "048012"), District("140581", "高平市", "048400"),
))
YANGQUAN = City("阳泉市", "0353", (
    District("140302", "城区", "045000"), District("140303", "矿区", "045000"),
    District("140311", "郊区", "045000"), District("140321", "平定县", "045200"),
    District("140322", "盂县", "045100"),
))
TAIYUAN = City("太原市", "0351", (
    District("140105", "小店区", "030032"), District("140106", "迎泽区", "030001"),
    District("140107", "杏花岭区", "030009"), District("140109", "万柏林区", "030024"),
    District("140110", "晋源区", "030025"),
))
OTHER_SHANXI = City("山西省", "0354", (
    District("140403", "长治市潞州区", "046000"), District("140702", "晋中市榆次区", "030600"),
    District("141002", "临汾市尧都区", "041000"), District("141102", "吕梁市离石区", "033000"),
    District("140202", "大同市新荣区", "037000"),
))
CITIES = {c.name: c for c in (JINCHENG, YANGQUAN)}

# 市外专家: employers outside the policy's city (Taiyuan mostly), with what they are.
OUT_OF_CITY_UNITS = (
    ("太原理工大学", "university"), ("中国煤炭科工集团太原研究院有限公司", "institute"),
    ("山西省安全生产科学研究院", "institute"), ("山西省煤炭地质勘查研究院有限公司", "institute"),
    ("山西省化工研究所（有限公司）", "institute"), ("中北大学", "university"),
    ("山西省应急管理厅宣传教育中心", "government"), ("山西潞安化工集团有限公司", "enterprise"),
)


# ---------------------------------------------------------------------------------------------------------
# Trades: what a sector's experts look like. A sector is matched to a trade by words in its name.

@dataclass(frozen=True)
class Trade:
    key: str
    weight: int                                    # share in a pool without caps (YQ)
    units: dict[str, tuple[tuple[str, str], ...]]  # city name -> ((unit, kind), …); "" = any city
    majors: tuple[str, ...]
    departments: tuple[str, ...]
    journals: tuple[str, ...]
    work: tuple[str, ...]                          # what an expert of this trade does, for the résumé
    public_servants: bool = False                  # government units are 公职人员 (JC 第十六条(二))
    qualification_rate: float = 0.3                # share holding 注册安全工程师
    male_rate: float = 0.82


def _units(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(pairs)


TRADES: tuple[Trade, ...] = (
    Trade("noncoal", 6, {
        "晋城市": _units(("晋城福盛钢铁有限公司矿业分公司", "enterprise"), ("晋城市大箕铁矿有限公司", "enterprise"),
                       ("山西金宇科林科技有限公司", "assessment"), ("晋城市安全生产技术服务中心", "government")),
        "阳泉市": _units(("阳泉市铝矾土矿业有限公司", "enterprise"), ("山西盂县西小坪耐火材料有限公司", "enterprise"),
                       ("阳泉市应急管理局", "government"), ("山西科达安全评价有限公司", "assessment")),
        "": _units(("山西省冶金设计院有限公司", "design"), ("太原理工大学", "university")),
    }, ("采矿工程", "地质工程", "矿物加工工程", "爆破工程", "机械工程"),
        ("安全环保部", "生产技术部", "采矿车间", "地测科", "机电科"),
        ("金属矿山", "中国矿业", "爆破"), ("非煤矿山安全检查", "尾矿库安全评价", "露天边坡稳定性分析")),
    Trade("coal", 40, {
        "晋城市": _units(("晋城蓝焰煤业股份有限公司", "enterprise"), ("山西兰花科技创业股份有限公司", "enterprise"),
                       ("晋能控股装备制造集团寺河煤矿", "enterprise"), ("晋能控股装备制造集团赵庄煤业有限责任公司", "enterprise"),
                       ("晋能控股装备制造集团成庄矿", "enterprise"), ("山西兰花大宁煤业股份有限公司", "enterprise"),
                       ("山西沁和能源集团有限公司", "enterprise"), ("晋能控股装备制造集团长平煤业有限责任公司", "enterprise"),
                       ("晋城市应急管理局", "government"), ("山西晋煤集团技术研究院有限责任公司", "institute"),
                       ("晋城职业技术学院", "university")),
        "阳泉市": _units(("华阳新材料科技集团有限公司", "enterprise"), ("阳泉煤业（集团）有限责任公司", "enterprise"),
                       ("华阳新材料科技集团有限公司一矿", "enterprise"), ("华阳新材料科技集团有限公司新景矿", "enterprise"),
                       ("阳泉市南庄煤炭集团有限责任公司", "enterprise"), ("山西平舒煤业有限公司", "enterprise"),
                       ("阳泉市应急管理局", "government"), ("阳泉市能源局", "government"),
                       ("山西国阳新能股份有限公司", "enterprise"), ("阳泉职业技术学院", "university")),
        "": _units(("太原理工大学", "university"), ("中国煤炭科工集团太原研究院有限公司", "institute"),
                   ("山西省煤炭规划设计院（有限公司）", "design")),
    }, ("采矿工程", "安全工程", "通风与安全", "矿山机电", "地质工程", "测绘工程", "矿物加工工程", "电气工程及其自动化"),
        ("通风科", "安全监察处", "生产技术部", "地测科", "机电科", "调度指挥中心", "防突科", "总工程师办公室"),
        ("煤矿安全", "煤炭学报", "煤炭工程", "中国安全科学学报", "矿业安全与环保"),
        ("煤矿瓦斯防治", "矿井通风系统优化", "煤矿水害防治", "煤矿安全质量标准化", "综采工作面顶板管理",
         "煤矿机电设备管理", "矿井应急救援")),
    Trade("fireworks", 8, {
        "": _units(("山西北方兴安化学工业有限公司", "enterprise"), ("山西江阳化工有限公司", "enterprise"),
                   ("山西省民爆集团有限公司", "enterprise"), ("山西华安检测评价有限公司", "assessment")),
    }, ("弹药工程与爆炸技术", "特种能源技术与工程", "安全工程", "化学工程与工艺"),
        ("安全技术部", "生产部", "质量检测中心"), ("爆破器材", "火工品", "含能材料"),
        ("民用爆炸物品生产安全", "烟花爆竹储存安全检查", "爆炸事故分析")),
    Trade("chem", 18, {
        "晋城市": _units(("山西天泽煤化工集团股份公司", "enterprise"), ("山西兰花科技创业股份有限公司化工分公司", "enterprise"),
                       ("晋能控股装备制造集团天源山西化工有限公司", "enterprise"), ("晋城宏圣化工有限公司", "enterprise"),
                       ("晋城市应急管理局", "government"), ("山西中环安全评价有限公司", "assessment")),
        "阳泉市": _units(("阳泉煤业集团阳煤化工股份有限公司", "enterprise"), ("山西阳煤丰喜肥业（集团）有限责任公司", "enterprise"),
                       ("阳泉市应急管理局", "government"), ("山西兴安化工工程有限公司", "design")),
        "": _units(("太原理工大学", "university"), ("赛鼎工程有限公司", "design"), ("山西省化工研究所（有限公司）", "institute")),
    }, ("化学工程与工艺", "应用化学", "安全工程", "过程装备与控制工程", "化工自动化", "油气储运工程"),
        ("安全环保部", "生产技术部", "设备部", "仪表车间", "工艺技术科"),
        ("化工进展", "化工安全与环境", "安全与环境学报", "现代化工"),
        ("危险化学品重大危险源管理", "化工工艺安全（HAZOP）分析", "化工装置检修安全", "特殊作业安全管理")),
    Trade("metal", 12, {
        "晋城市": _units(("晋城福盛钢铁有限公司", "enterprise"), ("山西晋城钢铁控股集团有限公司", "enterprise"),
                       ("晋城市安全生产技术服务中心", "government"), ("山西泽州天泰锦辰钢铁有限公司", "enterprise")),
        "阳泉市": _units(("阳泉市东升阳光高铝耐火材料有限公司", "enterprise"), ("山西阳泉钢铁有限责任公司", "enterprise"),
                       ("阳泉市应急管理局", "government"), ("阳泉冀东水泥有限责任公司", "enterprise")),
        "": _units(("太原钢铁（集团）有限公司", "enterprise"), ("山西省冶金设计院有限公司", "design")),
    }, ("冶金工程", "材料成型及控制工程", "机械设计制造及其自动化", "安全工程", "热能与动力工程"),
        ("安全环保部", "炼铁厂", "炼钢厂", "能源动力部", "设备管理部"),
        ("冶金安全", "中国冶金", "工业安全与环保"), ("冶金煤气安全", "高温熔融金属作业安全", "粉尘涉爆企业检查")),
    Trade("geo", 8, {
        "晋城市": _units(("晋城市自然资源局", "government"), ("晋城市地震监测中心", "government")),
        "阳泉市": _units(("阳泉市自然资源局", "government"), ("阳泉市地震局", "government")),
        "": _units(("山西省地震局", "government"), ("山西省地质调查院有限公司", "institute"), ("太原理工大学", "university")),
    }, ("地质工程", "地球物理学", "水文与水资源工程", "岩土工程", "测绘工程"),
        ("监测预报科", "地质环境科", "防震减灾科"), ("山西地震", "中国地质灾害与防治学报", "地震研究"),
        ("地质灾害隐患排查", "地震应急预案编制", "应急避难场所规划"), public_servants=True, qualification_rate=0.05),
    Trade("flood", 8, {
        "晋城市": _units(("晋城市水务局", "government"), ("晋城市水利勘测设计院", "design")),
        "阳泉市": _units(("阳泉市水务局", "government"), ("阳泉市水利水电勘测设计院", "design")),
        "": _units(("山西省水利水电勘测设计研究院有限公司", "design"), ("太原理工大学", "university")),
    }, ("水利水电工程", "水文与水资源工程", "农业水利工程", "港口航道与海岸工程"),
        ("防汛抗旱科", "水旱灾害防御科", "工程管理科"), ("山西水利", "水利水电技术", "人民黄河"),
        ("防汛抗旱预案编制", "水库安全度汛检查", "山洪灾害防御"), public_servants=True, qualification_rate=0.05),
    Trade("weather", 6, {
        "晋城市": _units(("晋城市气象局", "government"),),
        "阳泉市": _units(("阳泉市气象局", "government"),),
        "": _units(("山西省气象台", "government"), ("山西省气象科学研究所", "institute")),
    }, ("大气科学", "应用气象学", "雷电防护科学与技术", "气候学"),
        ("预报服务科", "防雷中心", "观测与网络科"), ("气象", "干旱气象", "山西气象"),
        ("气象灾害预警服务", "雷电灾害风险评估", "气候变化影响评估"), public_servants=True, qualification_rate=0.0,
        male_rate=0.65),
    Trade("emergency", 10, {
        "晋城市": _units(("晋城市应急管理局", "government"), ("晋城市消防救援支队", "government"),
                       ("晋城市应急救援指挥中心", "government"), ("晋能控股装备制造集团救护大队", "enterprise"),
                       ("山西金宇科林科技有限公司", "assessment")),
        "阳泉市": _units(("阳泉市应急管理局", "government"), ("阳泉市消防救援支队", "government"),
                       ("华阳新材料科技集团有限公司矿山救护大队", "enterprise")),
        "": _units(("山西省应急管理科学研究院", "institute"), ("太原理工大学", "university")),
    }, ("安全工程", "消防工程", "应急管理", "采矿工程", "灾害防治工程"),
        ("救援协调和预案管理科", "指挥中心", "战训科", "技术科"), ("中国应急救援", "灾害学", "中国安全生产科学技术"),
        ("应急预案编制与评审", "生产安全事故应急演练", "风险评估", "灾害事故调查评估", "应急处置与救援")),
    Trade("fire", 8, {
        "晋城市": _units(("晋城市消防救援支队", "government"),),
        "阳泉市": _units(("阳泉市消防救援支队", "government"), ("阳泉市林业局", "government")),
        "": _units(("山西省森林消防总队", "government"), ("山西中消消防技术服务有限公司", "assessment")),
    }, ("消防工程", "安全工程", "森林保护", "建筑环境与能源应用工程"),
        ("防火监督科", "战训科", "火灾调查科"), ("消防科学与技术", "火灾科学", "森林防火"),
        ("火灾调查", "森林草原防灭火", "消防设施检测"), public_servants=True, qualification_rate=0.1),
    Trade("rescue", 8, {
        "晋城市": _units(("晋城市应急管理局", "government"), ("晋能控股装备制造集团救护大队", "enterprise")),
        "阳泉市": _units(("阳泉市应急管理局", "government"), ("华阳新材料科技集团有限公司矿山救护大队", "enterprise"),
                       ("国家矿山应急救援阳泉队", "enterprise")),
        "": _units(("山西省应急管理科学研究院", "institute"),),
    }, ("安全工程", "采矿工程", "应急技术与管理", "化学工程与工艺"),
        ("事故调查科", "救援协调科", "技术科"), ("中国安全生产科学技术", "中国应急救援"),
        ("生产安全事故调查", "灾害事故评估", "矿山救援")),
    Trade("law", 5, {
        "晋城市": _units(("山西晋融律师事务所", "law"), ("山西泽州律师事务所", "law"), ("中共晋城市委党校", "university"),
                       ("晋城市应急管理局", "government"), ("晋城市融媒体中心", "government")),
        "阳泉市": _units(("山西阳泉正大律师事务所", "law"), ("中共阳泉市委党校", "university"),
                       ("阳泉市应急管理局", "government")),
        "": _units(("山西大学", "university"), ("山西财经大学", "university")),
    }, ("法学", "行政管理", "新闻学", "会计学", "安全工程"),
        ("政策法规科", "教研室", "法律事务部"), ("中国应急管理", "法制与社会", "行政法学研究"),
        ("安全生产行政执法案件咨询", "安全生产法律法规宣贯", "安全生产事故责任认定咨询"), qualification_rate=0.05,
        male_rate=0.7),
    Trade("it", 5, {
        "晋城市": _units(("中国移动通信集团山西有限公司晋城分公司", "enterprise"), ("晋城市大数据应用局", "government"),
                       ("晋城市应急管理调度指挥中心", "government")),
        "阳泉市": _units(("中国联合网络通信有限公司阳泉市分公司", "enterprise"), ("阳泉市大数据应用局", "government")),
        "": _units(("山西云时代技术有限公司", "enterprise"), ("中北大学", "university")),
    }, ("计算机科学与技术", "通信工程", "软件工程", "网络工程", "数据科学与大数据技术"),
        ("信息中心", "网络运维部", "数据管理科"), ("计算机工程", "通信学报", "信息安全研究"),
        ("应急指挥信息系统建设", "安全监测监控平台", "网络与数据安全"), qualification_rate=0.05, male_rate=0.75),
    Trade("general", 6, {
        "晋城市": _units(("晋城市住房和城乡建设局", "government"), ("山西建投晋东南建筑产业有限公司", "enterprise"),
                       ("晋城市交通运输局", "government"), ("晋城市特种设备监督检验所", "government"),
                       ("华润燃气（晋城）有限公司", "enterprise")),
        "阳泉市": _units(("阳泉市住房和城乡建设局", "government"), ("山西二建集团有限公司阳泉分公司", "enterprise"),
                       ("阳泉市交通运输局", "government"), ("阳泉市燃气公司", "enterprise")),
        "": _units(("山西省建筑设计研究院有限公司", "design"), ("太原理工大学", "university")),
    }, ("土木工程", "岩土工程", "交通运输", "机械工程", "电气工程及其自动化", "给排水科学与工程"),
        ("质量安全部", "工程管理科", "安全监督站"), ("建筑安全", "施工技术", "特种设备安全技术"),
        ("建筑施工安全检查", "燃气管网安全评估", "特种设备安全检验", "道路运输安全")),
)
TRADES_BY_KEY = {t.key: t for t in TRADES}
# First match wins: 非煤 before 煤; JC's long 防灾减灾救灾… sector before YQ's 救灾减灾 (weather).
_TRADE_WORDS = (
    ("非煤", "noncoal"), ("煤", "coal"), ("烟花", "fireworks"), ("化工", "chem"), ("冶金", "metal"),
    ("工贸", "metal"), ("地震", "geo"), ("地质", "geo"), ("防汛", "flood"), ("防灾减灾救灾", "emergency"),
    ("救灾减灾", "weather"), ("消防", "fire"), ("救援", "rescue"), ("调查", "rescue"), ("法规", "law"),
    ("政策", "law"), ("信息", "it"), ("综合", "general"),
)
_BROAD_TRADES = ("emergency", "rescue", "law", "general")
_SPECIALTY_WORDS = (  # a specialty that says more than its sector does
    ("防汛", "flood"), ("森林草原", "fire"), ("消防", "fire"), ("气象", "weather"), ("地震", "geo"),
    ("新闻", "law"), ("教育培训", "law"), ("建筑", "general"), ("交通", "general"),
)

UNIVERSITIES_BY_TRADE = {
    "coal": ("太原理工大学", "中国矿业大学", "河南理工大学", "辽宁工程技术大学", "西安科技大学", "安徽理工大学"),
    "noncoal": ("太原理工大学", "中南大学", "东北大学", "昆明理工大学", "北京科技大学"),
    "chem": ("太原理工大学", "中北大学", "中国石油大学（华东）", "北京化工大学", "华东理工大学"),
    "fireworks": ("中北大学", "南京理工大学", "北京理工大学"),
    "metal": ("太原科技大学", "北京科技大学", "东北大学", "太原理工大学"),
    "geo": ("中国地质大学（武汉）", "长安大学", "太原理工大学", "中国地质大学（北京）"),
    "flood": ("河海大学", "太原理工大学", "华北水利水电大学", "武汉大学"),
    "weather": ("南京信息工程大学", "兰州大学", "成都信息工程大学"),
    "emergency": ("中国矿业大学", "太原理工大学", "华北科技学院", "中国人民警察大学"),
    "fire": ("中国人民警察大学", "中国科学技术大学", "北京林业大学"),
    "rescue": ("华北科技学院", "中国矿业大学", "太原理工大学"),
    "law": ("山西大学", "中国政法大学", "西北政法大学", "山西财经大学"),
    "it": ("中北大学", "太原理工大学", "西安电子科技大学", "北京邮电大学"),
    "general": ("太原理工大学", "长安大学", "太原科技大学", "石家庄铁道大学"),
}
COLLEGES = ("山西煤炭职业技术学院", "山西工程职业学院", "晋城职业技术学院", "阳泉职业技术学院", "山西职业技术学院")
SECONDARY_SCHOOLS = ("晋城煤炭工业学校", "阳泉煤炭工业学校", "山西省煤炭工业学校")

TITLE_NAMES = {  # unit kind -> title names by level (中级, 副高级, 正高级)
    "enterprise": ("工程师", "高级工程师", "正高级工程师"),
    "design": ("工程师", "高级工程师", "正高级工程师"),
    "assessment": ("工程师", "高级工程师", "正高级工程师"),
    "government": ("工程师", "高级工程师", "正高级工程师"),
    "institute": ("助理研究员", "副研究员", "研究员"),
    "university": ("讲师", "副教授", "教授"),
    "law": ("三级律师", "二级律师", "一级律师"),
}
POSITIONS = {
    "enterprise": (("技术主管", "主任工程师", "安全员"), ("科长", "副总工程师", "安全总监", "部长"), ("总工程师", "副总经理")),
    "design": (("设计师", "项目负责人"), ("主任工程师", "所长"), ("总工程师", "副院长")),
    "assessment": (("评价师", "项目负责人"), ("技术负责人", "部门经理"), ("总工程师", "技术总监")),
    "government": (("一级主任科员", "科员"), ("科长", "四级调研员"), ("二级调研员", "总工程师")),
    "institute": (("课题组成员",), ("课题组长", "室主任"), ("首席专家", "副院长")),
    "university": (("专任教师",), ("教研室主任", "硕士生导师"), ("博士生导师", "院长")),
    "law": (("执业律师",), ("合伙人",), ("主任", "高级合伙人")),
}
TITLE_LEVEL_WEIGHTS = (("中级", 24), ("副高级", 56), ("正高级", 20))
AWARD_LEVELS = ("山西省", "{city}", "中国煤炭工业协会", "山西省应急管理厅")
AWARD_KINDS = ("科学技术进步奖三等奖", "科学技术进步奖二等奖", "安全生产先进个人", "优秀专家", "应急救援先进个人")
MALE_GIVEN_NAMES = (
    "建国", "志强", "伟", "刚", "勇", "军", "海涛", "晓东", "建华", "国庆", "立新", "俊峰", "鹏", "斌", "磊", "峰",
    "涛", "明", "强", "卫东", "永明", "建军", "志刚", "建平", "宏伟", "晓明", "振华", "光明", "海龙", "学军",
    "世杰", "润生", "保平", "国栋", "长青", "宝山", "鑫", "浩", "宇", "杰", "凯", "亮", "旭", "文斌", "红兵",
    "晋生", "泽民", "永强", "建新", "跃进", "志军", "小平", "利民", "耀华", "兴旺", "晓军", "国华", "建忠",
)
FEMALE_GIVEN_NAMES = (
    "丽", "红", "丽萍", "秀英", "桂英", "美玲", "晓燕", "雪梅", "冬梅", "海燕", "艳", "霞", "慧", "敏", "静", "芳",
    "丽娟", "晓红", "玉兰", "春燕", "建英", "彩霞", "小红", "婷", "瑞芳", "俊芳", "丽华", "艳芳", "爱萍", "润梅",
    "晓丽", "红梅", "素琴", "晋芳", "慧敏", "丽霞", "翠英", "秀梅",
)
GOV_DEPARTMENTS = {
    "": ("安全生产综合协调科", "安全技术科", "执法监察支队"),
    "coal": ("煤矿安全监管综合科", "煤矿通风安全监管科", "煤矿地质机电安全监管科", "安全技术科"),
    "noncoal": ("冶金工贸安全监督管理科", "安全技术科"),
    "chem": ("危险化学品安全监督管理科", "安全技术科"),
    "metal": ("冶金工贸安全监督管理科", "安全技术科"),
    "geo": ("地质灾害防治科", "监测预报科", "防震减灾科"),
    "flood": ("防汛抗旱科", "水旱灾害防御科", "工程管理科"),
    "weather": ("预报服务科", "防雷中心", "观测与网络科"),
    "emergency": ("救援协调和预案管理科", "事故调查和应急指挥科", "救灾减灾科", "火灾防治管理科", "战训科"),
    "fire": ("防火监督科", "战训科", "火灾调查科", "森林草原防火科"),
    "rescue": ("事故调查和应急指挥科", "救援协调和预案管理科"),
    "law": ("政策法规科", "新闻宣传科", "教育培训科", "规划财务科"),
    "it": ("物资装备和信息化科", "调度指挥中心", "数据资源科"),
    "general": ("安全生产综合协调科", "质量安全监督站", "特种设备安全监察科", "运输安全科"),
}
SUSPENSION_REASONS = ("本人申请暂停（工作调动）", "因病暂停使用", "所在单位发生事故，暂停使用待核查")


# ---------------------------------------------------------------------------------------------------------
# Plan: who sits in which sector and which specialties, within the caps.

@dataclass
class _Slot:
    """One planned expert: the specialty codes, primary sector first."""
    specialties: list[str]
    sectors: list[Any]
    out_of_city: bool = False
    kind: str = "普通专家"
    state: str = "在库"
    role: str = "成员"


def _trade_of(sector: Any, specialty_name: str = "") -> Trade:
    trade = TRADES_BY_KEY["general"]
    for word, key in _TRADE_WORDS:
        if word in sector.name:
            trade = TRADES_BY_KEY[key]
            break
    if trade.key in _BROAD_TRADES:  # a broad sector: its specialty may say more (5.2 防汛抗旱 → 水务局)
        for word, key in _SPECIALTY_WORDS:
            if word in specialty_name:
                return TRADES_BY_KEY[key]
    return trade


def _largest_remainder(weights: list[float], total: int, limits: list[int | None]) -> list[int]:
    """Split `total` in proportion to `weights`, never above a limit; deterministic (ties by position)."""
    wsum = sum(weights) or 1.0
    raw = [total * w / wsum for w in weights]
    counts = [int(r) for r in raw]
    counts = [min(c, lim) if lim is not None else c for c, lim in zip(counts, limits)]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    while sum(counts) < total:
        progressed = False
        for i in order:
            if sum(counts) >= total:
                break
            if limits[i] is None or counts[i] < limits[i]:
                counts[i] += 1
                progressed = True
        if not progressed:
            break
    return counts


def _plan(taxonomy: Any, size: int, rng: random.Random) -> list[_Slot]:
    sectors = list(taxonomy.sectors)
    # a sector holds at most its cap and, where the policy wants at most spec_max experts per specialty, at most
    # spec_max × its specialties (issue 12: JC 煤矿 may hold 80 but 13 specialties × 5 = 65 keeps each within 3–5)
    spec_room = [taxonomy.specialty_max * len(s.specialties) if taxonomy.specialty_max else None for s in sectors]
    caps = [min((x for x in (s.cap, room) if x is not None), default=None) for s, room in zip(sectors, spec_room)]
    capped = any(c is not None for c in caps)
    n_cross = max(2, size // 40) if len(sectors) > 1 else 0
    if capped:
        room = sum(c if c is not None else size for c in caps)
        n_cross = max(0, min(n_cross, room - size))
        typical = sum(c for c in caps if c is not None) / sum(1 for c in caps if c is not None)
        weights = [float(c if c is not None else typical) for c in caps]
    else:
        weights = [float(_trade_of(s).weight) for s in sectors]
    seats = _largest_remainder(weights, size + n_cross, caps)
    if sum(seats) < size + n_cross:  # caps too tight for the size asked: fewer people, never above a cap
        n_cross = 0
        size = min(size, sum(seats))
        seats = _largest_remainder(weights, size, caps)

    # Experts in two sectors (X-T1: they count once in each). Each sector keeps ≥ 2 single-sector seats.
    single = list(seats)
    pairs: list[tuple[int, int]] = []
    for _ in range(n_cross):
        open_ = [i for i in range(len(sectors)) if single[i] > 2]
        if len(open_) < 2:
            break
        a = rng.choices(open_, weights=[seats[i] for i in open_], k=1)[0]  # big sectors lend most
        rest = [i for i in open_ if i != a]
        b = rng.choices(rest, weights=[seats[i] for i in rest], k=1)[0]
        a, b = min(a, b), max(a, b)
        single[a] -= 1
        single[b] -= 1
        pairs.append((a, b))
    for _ in range(n_cross - len(pairs)):  # pairs that found no room: drop their extra seat, keep the size
        single[max(range(len(sectors)), key=lambda i: (single[i], -i))] -= 1

    spec_min = taxonomy.specialty_min      # JC-T2: 3–5 per specialty; None where the policy sets no range
    spec_max = taxonomy.specialty_max
    counts: dict[str, int] = {code: 0 for code in taxonomy.all_specialty_codes()}

    def least_filled(sector: Any, exclude: list[str]) -> str | None:
        options = [sp.code for sp in sector.specialties if sp.code not in exclude]
        if not options:
            return None
        low = min(counts[c] for c in options)
        return rng.choice([c for c in options if counts[c] == low])

    # Primary specialties first, spread evenly: cross-sector experts take one specialty in each sector.
    slots = [_Slot(specialties=[], sectors=[sectors[i]]) for i in range(len(sectors)) for _ in range(single[i])]
    slots += [_Slot(specialties=[], sectors=[sectors[a], sectors[b]]) for a, b in pairs]
    for slot in slots:
        for sector in slot.sectors:
            code = least_filled(sector, [])
            counts[code] += 1
            slot.specialties.append(code)

    # Then extra specialties within the sector for some single-sector experts (X-T1): about a fifth of them, more
    # where the policy wants ≥ spec_min experts per specialty and the sector has few experts for its specialties.
    for i, sector in enumerate(sectors):
        n_spec = len(sector.specialties)
        members = [s for s in slots if len(s.sectors) == 1 and s.sectors[0] is sector]
        wanted = round(0.2 * len(members))
        if spec_min is not None:
            wanted = max(wanted, spec_min * n_spec - seats[i])
        wanted = min(wanted, 2 * len(members), (n_spec - 1) * len(members))
        keep_max = spec_max is not None and seats[i] <= spec_max * n_spec  # else the max is out of reach anyway
        queue = list(members)
        rng.shuffle(queue)
        for _ in range(wanted):
            # the least-filled specialty someone can still take (ties broken at random)
            options = sorted(sector.specialties, key=lambda sp: (counts[sp.code], rng.random()))
            pick = None
            for sp in options:
                if keep_max and counts[sp.code] >= spec_max:
                    break
                holder = next((m for m in queue if sp.code not in m.specialties and len(m.specialties) < 3), None)
                if holder is not None:
                    pick = (sp.code, holder)
                    break
            if pick is None:
                break
            target, holder = pick
            holder.specialties.append(target)
            counts[target] += 1
            queue.remove(holder)
            queue.append(holder)  # everyone gets a second specialty before anyone gets a third
    return slots


def _assign_states(slots: list[_Slot], rng: random.Random, spec_min: int | None = None) -> None:
    """~92% 在库; a few 申请中, 暂停, 期满退出 (leaders are chosen afterwards, among 在库 only). Where the policy
    wants ≥ `spec_min` experts per specialty, the ones who do not count (申请中, 期满退出) are taken only from
    specialties that keep `spec_min` counted experts without them (issue 12: no specialty falls short by chance)."""
    n = len(slots)
    order = list(range(n))
    rng.shuffle(order)
    n_applying, n_paused, n_expired = max(1, round(n * 0.035)), max(1, round(n * 0.02)), max(1, round(n * 0.025))
    counted: dict[str, int] = {}
    for slot in slots:
        for code in slot.specialties:
            counted[code] = counted.get(code, 0) + 1
    wanted = ["申请中"] * n_applying + ["暂停"] * n_paused + ["期满退出"] * n_expired
    chosen: list[int] = []
    for state in wanted:
        spare = (i for i in order if i not in chosen
                 and (state == "暂停" or spec_min is None or all(counted[c] > spec_min for c in slots[i].specialties)))
        idx = next(spare, None)
        if idx is None:
            continue
        chosen.append(idx)
        slots[idx].state = state
        if state != "暂停":
            for code in slots[idx].specialties:
                counted[code] -= 1


def _assign_roles(slots: list[_Slot], people: list[dict], taxonomy: Any, rng: random.Random) -> None:
    """One 组长 per sector; 1–2 副组长 where the sector's counted experts reach the threshold (JC 第十条(一))."""
    level_rank = {lvl: n for n, lvl in enumerate(vocab.TITLE_LEVELS)}
    for sector in taxonomy.sectors:
        members = [i for i, s in enumerate(slots) if any(x.code == sector.code for x in s.sectors)]
        counted = [i for i in members if slots[i].state in ("在库", "暂停")]
        eligible = [i for i in members if slots[i].state == "在库" and len(slots[i].sectors) == 1]
        if not eligible:
            continue
        eligible.sort(key=lambda i: (-level_rank[people[i]["title_level"]], -people[i]["years_in_field"], i))
        leader, rest = eligible[0], eligible[1:]
        slots[leader].role = "组长"
        threshold = taxonomy.deputy_threshold
        if threshold is not None and len(counted) >= threshold and rest:
            n_dep = min(taxonomy.max_deputies or 1, rng.choice((1, 2)), len(rest))
            for i in rest[:n_dep]:
                slots[i].role = "副组长"


# ---------------------------------------------------------------------------------------------------------
# People.

def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs], k=1)[0]


def _birth_for_age(age: int, today: date, rng: random.Random) -> date:
    """A birth date giving exactly `age` full years on `today`."""
    def years_before(years: int) -> date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # today is 29 Feb
            return date(today.year - years, 2, 28)
    latest = years_before(age)
    earliest = years_before(age + 1) + timedelta(days=1)
    birth = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    while age_on(birth, today) != age:  # 29 Feb corner cases
        birth -= timedelta(days=1) if age_on(birth, today) < age else -timedelta(days=1)
    return birth


def _id_number(region: str, birth: date, gender: str, rng: random.Random, taken: set[str]) -> str:
    while True:
        seq = rng.randint(0, 99)
        sex_digit = rng.choice((1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8))
        first17 = f"{region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
        number = first17 + check_digit(first17)
        if number not in taken:
            taken.add(number)
            return number


def _mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        if number not in taken:
            taken.add(number)
            return validate_mobile(number)


def _landline(city: City, rng: random.Random) -> str:
    return f"{city.area_code}-{rng.randint(2, 8)}{rng.randint(0, 999_999):06d}"


class _PersonMaker:
    def __init__(self, policy: Any, today: date, rng: random.Random, fake: Faker):
        self.policy = policy
        self.today = today
        self.rng = rng
        self.fake = fake
        self.city = CITIES.get(policy.city, TAIYUAN)
        self.ids: set[str] = set()
        self.mobiles: set[str] = set()
        self.names: set[str] = set()
        edu_min = policy.eligibility.min_education
        floor = vocab.EDUCATION_LEVELS.index(edu_min) if edu_min in vocab.EDUCATION_LEVELS else 0
        self.educations = tuple((e, w) for e, w in EDUCATION_WEIGHTS if vocab.EDUCATION_LEVELS.index(e) >= floor)
        title_min = policy.eligibility.min_title_level or "中级"
        self.title_floor = max(vocab.TITLE_LEVELS.index(title_min), vocab.TITLE_LEVELS.index("中级"))
        self.min_years = max(policy.eligibility.min_years or 10, 10)
        self.kinds = tuple(policy.expert_kinds)
        self.routes = tuple(policy.routes)

    def _name(self, gender: str) -> str:
        # Faker zh_CN draws given names without regard to gender (a 男 "王冬梅"): surname from Faker, given
        # name from our own lists.
        given = MALE_GIVEN_NAMES if gender == "男" else FEMALE_GIVEN_NAMES
        for _ in range(30):
            name = self.fake.last_name() + self.rng.choice(given)
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def make(self, slot: _Slot, taxonomy: Any, certificate_serial: int) -> dict:
        rng, today, policy = self.rng, self.today, self.policy
        sector = slot.sectors[0]
        first_spec = taxonomy.specialty(slot.specialties[0])
        trade = _trade_of(sector, first_spec.name)

        gender = "男" if rng.random() < trade.male_rate else "女"
        kind = slot.kind
        max_age = policy.eligibility.max_age(gender, kind)
        education = _weighted(rng, self.educations)
        grad_age = GRADUATION_AGE[education]
        min_age = max(MIN_AGE_FLOOR, grad_age + self.min_years + 1)
        if kind == "特聘专家":
            age = rng.randint(max(min_age, max_age - 8), max_age)
        elif rng.random() < 0.85:  # most experts are 38–58 (women in YQ only to 55: no pile-up at the limit)
            high = min(58, max_age)
            age = round(rng.triangular(38, high, min(48, high - 4)))
        else:
            age = rng.randint(min_age, max_age)
        age = max(min_age, min(age, max_age))
        birth = _birth_for_age(age, today, rng)

        # Where the person is from and works.
        if slot.out_of_city:
            unit, unit_kind = rng.choice(trade.units.get("", OUT_OF_CITY_UNITS))
            home = rng.choice(TAIYUAN.districts + OTHER_SHANXI.districts[:2])
            work_city = TAIYUAN
            work_district = rng.choice(TAIYUAN.districts)
        else:
            local = trade.units.get(self.city.name, ())
            if local:
                unit, unit_kind = rng.choice(local)
                work_city = self.city
            else:  # a city this module has no employers for: provincial (Taiyuan) ones
                unit, unit_kind = rng.choice(trade.units.get("", OUT_OF_CITY_UNITS))
                work_city = TAIYUAN
            home = rng.choice(self.city.districts) if rng.random() < 0.93 else rng.choice(OTHER_SHANXI.districts)
            work_district = rng.choice(work_city.districts)
        id_number = _id_number(home.code, birth, gender, rng, self.ids)

        # Title and qualifications.
        floor = self.title_floor
        if slot.out_of_city or kind == "特聘专家":  # JC 第七条(四) 市外专家; YQ 第八条 特聘专家
            floor = max(floor, vocab.TITLE_LEVELS.index("副高级"))
        levels = tuple((lvl, w) for lvl, w in TITLE_LEVEL_WEIGHTS if vocab.TITLE_LEVELS.index(lvl) >= floor)
        if age < 40:
            levels = tuple((lvl, w if lvl != "正高级" else 2) for lvl, w in levels)
        title_level = _weighted(rng, levels)
        title_kind = unit_kind if unit_kind in TITLE_NAMES else "enterprise"
        if trade.key == "law" and unit_kind == "law":
            title_kind = "law"
        level_index = ("中级", "副高级", "正高级").index(title_level)
        title = TITLE_NAMES[title_kind][level_index]
        if trade.key == "law" and unit_kind == "government":
            title = ("经济师", "高级经济师", "正高级经济师")[level_index]
        quals: list[str] = []
        if title_kind == "law":
            quals.append("律师")
        if unit_kind == "assessment" and rng.random() < 0.6:
            quals.append("注册安全评价师")
        if rng.random() < trade.qualification_rate:
            quals.append("注册安全工程师")
        if trade.key in ("rescue", "coal") and unit_kind == "enterprise" and rng.random() < 0.05:
            quals.append("国家职业技能一级/高级技师")
        qualifications = [q for q in vocab.QUALIFICATIONS if q in quals]

        years = rng.randint(self.min_years, max(self.min_years, min(35, age - grad_age)))
        safety_years = None
        if unit_kind == "enterprise" and trade.key in ("coal", "noncoal", "chem", "metal", "fireworks"):
            safety_years = rng.randint(max(0, years - 12), years)

        # Employment.
        retire_age = 60 if gender == "男" else 55
        employment, employment_other = "在岗", ""
        if age >= retire_age - 2 and rng.random() < 0.55:
            employment = "退休"
        elif rng.random() < 0.01:
            employment, employment_other = "其他", "退休返聘"
        positions = POSITIONS[title_kind if title_kind in POSITIONS else "enterprise"][level_index]
        position = rng.choice(positions) if employment == "在岗" else ("原" + rng.choice(positions))

        if education == "中专及以下":
            school = rng.choice(SECONDARY_SCHOOLS)
        elif education == "大专":
            school = rng.choice(COLLEGES)
        else:
            school = rng.choice(UNIVERSITIES_BY_TRADE[trade.key])
        major = rng.choice(trade.majors)
        if unit_kind == "university":
            department = f"{major}系"
        elif unit_kind == "law":
            department = rng.choice(("诉讼部", "非诉业务部", "行政法律事务部"))
        elif unit_kind == "government":
            department = rng.choice(GOV_DEPARTMENTS.get(trade.key, GOV_DEPARTMENTS[""]))
        else:
            department = rng.choice(trade.departments)
        grad_year = birth.year + grad_age
        first_job_year = today.year - years
        spec_names = [taxonomy.specialty(c).name for c in slot.specialties]
        work = rng.choice(trade.work)

        joined = max(grad_year, first_job_year, today.year - rng.randint(3, 15))
        resume = (f"{grad_year}年毕业于{school}{major}专业（{education}），同年参加工作；"
                  f"{first_job_year}年起从事{work}工作；{joined}年起在{unit}{department}工作，"
                  f"任{position.removeprefix('原')}"
                  + ("，现已退休。" if employment == "退休" else "。"))
        achievements = (f"长期从事{spec_names[0]}相关工作，参与{work}等项目{rng.randint(3, 20)}项，"
                        f"主持编制技术方案、专项报告{rng.randint(2, 15)}份。")
        publications = (f"在《{rng.choice(trade.journals)}》等期刊发表论文{rng.randint(1, 9)}篇。"
                        if rng.random() < 0.45 else "")
        awards = ""
        if rng.random() < 0.35:
            issuer = rng.choice(AWARD_LEVELS).format(city=self.city.name)
            awards = f"{today.year - rng.randint(1, 12)}年获{issuer}{rng.choice(AWARD_KINDS)}。"
        is_public = unit_kind == "government" or (trade.public_servants and unit_kind == "institute" and
                                                  rng.random() < 0.3)

        related: list[str] = []
        if rng.random() < 0.12:
            others = sorted({u for units in trade.units.values() for u, k in units
                             if k in ("enterprise", "assessment") and u != unit})
            if others:
                related = rng.sample(others, min(len(others), rng.choice((1, 1, 2))))

        # YQ 第八条: 特聘专家 are put forward by the department that uses them; others by their unit or themselves.
        routes = [r for r in self.routes if r != "使用部门推荐"] or list(self.routes)
        if kind == "特聘专家" and "使用部门推荐" in self.routes:
            routes = ["使用部门推荐"]
        route = rng.choices(routes, weights=[7 if r == "单位推荐" else 2 if r == "个人自荐" else 1 for r in routes],
                            k=1)[0] if routes else None

        record: dict[str, Any] = {
            "name": self._name(gender),
            "id_number": id_number,
            "gender": gender,
            "birth_date": birth.isoformat(),
            "political_status": _weighted(rng, POLITICAL_WEIGHTS),
            "employment_status": employment,
            "employment_other": employment_other,
            "mobile": _mobile(rng, self.mobiles),
            "work_phone": _landline(work_city, rng) if employment != "退休" else "",
            "home_phone": _landline(self.city, rng) if rng.random() < 0.3 else "",
            "email": self.fake.free_email() if rng.random() < 0.8 else "",
            "unit": unit,
            "unit_address": f"{work_city.name}{work_district.name}{self.fake.street_name()}{rng.randint(1, 999)}号",
            "postcode": work_district.postcode,
            "department": department,
            "position": position,
            "unit_phone": _landline(work_city, rng),
            "fax": _landline(work_city, rng) if rng.random() < 0.15 else "",
            "is_public_servant": is_public,
            "is_out_of_city": slot.out_of_city,
            "school": school,
            "education": education,
            "major": major,
            "title": title,
            "title_level": title_level,
            "qualifications": qualifications,
            "current_field": f"{sector.name}（{spec_names[0]}）"[:60],
            "years_in_field": years,
            "enterprise_safety_years": safety_years,
            "route": route,
            "expert_kind": kind if kind in self.kinds else (self.kinds[0] if self.kinds else None),
            "specialties": list(slot.specialties),
            "resume": resume,
            "publications": publications,
            "awards": awards,
            "achievements": achievements,
            "unit_opinion": rng.choice(("同意推荐。", "该同志业务能力强，工作认真负责，同意推荐。",
                                        "情况属实，同意推荐。")),
            "related_enterprises": related,
            "remarks": "",
        }
        record.update(self._term(slot, certificate_serial))
        return record

    def _term(self, slot: _Slot, serial: int) -> dict[str, Any]:
        """状态, 聘期 and 聘书: 在库 terms started within the last term; 期满退出 ones ended before today."""
        rng, today, policy = self.rng, self.today, self.policy
        years = policy.lifecycle.term_years or 3
        term_days = (term_end_for(today, years) - today).days
        month = policy.lifecycle.application_month
        if slot.state == "申请中":
            apply = today - timedelta(days=rng.randint(1, 60))
            return {"state": "申请中", "apply_date": apply.isoformat(), "term_start": None, "term_end": None,
                    "certificate_no": "", "group_role": ""}
        if slot.state == "期满退出":
            start = today - timedelta(days=term_days + rng.randint(10, 300))
        else:
            start = today - timedelta(days=rng.randint(15, term_days - 15))
        if month:  # JC 第八条(一): applications come in once a year, in June
            year = start.year if start.month > month + 1 else start.year - 1
            apply = date(year, month, rng.randint(1, 28))
        else:
            apply = start - timedelta(days=rng.randint(30, 120))
        end = term_end_for(start, years)
        remarks = rng.choice(SUSPENSION_REASONS) if slot.state == "暂停" else ""
        out = {"state": slot.state, "apply_date": apply.isoformat(), "term_start": start.isoformat(),
               "term_end": end.isoformat(),
               "certificate_no": certificate_number(policy, start.year, serial),
               "group_role": slot.role if slot.state in ("在库", "暂停") else ""}
        if remarks:
            out["remarks"] = remarks
        return out


def default_size(policy: Any) -> int:
    """~240 where the policy caps the pool (JC 260), ~200 where it does not (YQ)."""
    cap = policy.taxonomy.pool_cap
    if cap is None:
        return DEFAULT_SIZE_UNCAPPED
    return min(DEFAULT_SIZE_CAPPED, cap)


def generate_demo_pool(policy: Any, *, seed: int, today: date, size: int | None = None) -> list[dict]:
    """A reproducible pool of invented experts that pass `validate_expert` for `policy` on `today`."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    taxonomy = policy.taxonomy
    if size is None:
        size = default_size(policy)
    if taxonomy.pool_cap is not None:
        size = min(size, taxonomy.pool_cap)
    if size <= 0 or not taxonomy.sectors:
        return []

    slots = _plan(taxonomy, size, rng)
    _assign_states(slots, rng, taxonomy.specialty_min)
    n_out = max(1, len(slots) // 25)
    for idx in sorted(rng.sample(range(len(slots)), n_out)):
        slots[idx].out_of_city = True
    if "特聘专家" in policy.expert_kinds and "普通专家" in policy.expert_kinds:
        for idx in sorted(rng.sample(range(len(slots)), max(1, len(slots) // 60))):
            slots[idx].kind = "特聘专家"

    maker = _PersonMaker(policy, today, rng, fake)
    people = [maker.make(slot, taxonomy, n + 1) for n, slot in enumerate(slots)]
    _assign_roles(slots, people, taxonomy, rng)
    for slot, person in zip(slots, people):
        if person["state"] in ("在库", "暂停"):
            person["group_role"] = slot.role
    return [validate_expert(p, policy, today) for p in people]
