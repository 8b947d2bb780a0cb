"""使用申请、审批层级与拒绝委派的后果 — JC-D1, JC-D2, JC-D4, YQ-D1, YQ-D2, YQ-D4, YQ-D5.

使用申请（JC 附件7 派遣审批单、YQ 附表四 使用申请表）在保存前由 `check_request` 一次检查全部字段：使用科室、使用事项、
联系人、任务类型（JC 附件8 注1）或使用类别（YQ 附表四）、起止日期与天数（含首尾）、各专业人数（不超过库内在库专家数）、
技术优先的最低职称、选派的依据（YQ 第十四条(一)2 七种情形；JC 第十一条只允许随机选取）、库外专家（JC 第十一条：
高级及以上职称、主要领导批准）；有问题抛出一个列出全部问题的 ValidationError，没有问题则返回提醒（YQ 第十四条(一)1(2)
提前3天、第十二条/第二十五条 报备、紧急情况先委派后补批）。`required_approval` 定审批层级（JC 分管领导，10人以上或用
库外专家报主要领导，附件7 注3；YQ 专家管理办公室），`may_draw` 把住“先审批后抽取”（紧急除外），`decline_consequence`
按策略档案 [declines] 判断拒绝委派是否已构成解聘/清退情形（YQ 第二十四条(十一) 连续3次；JC 第九条(四) 一年内累计两次
无正当理由），只提出建议，从不自动执行。纯函数：不读时钟，`today` 由调用方传入。

Issue 10: `clean_request_input` is the whitelist a request passes before `check_request` (fields, lengths, NFC,
invisible characters, phones — core.text); `staffing` / `plan_invitations` keep every specialty at or under the
number requested (open slots = requested − accepted − pending invitations), `outcome_lines` says per specialty what a
draw did, and `staffed_assignments` caps what a dispatch form lists.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable

from core import vocab
from core.errors import DomainError, ValidationError
from core.expert import parse_date
from core.lifecycle import format_day
from core.numbers import whole_number
from core.text import clean_phone, clean_text

__all__ = [
    "LEVEL_DEPUTY", "LEVEL_MAIN", "LEVEL_OFFICE", "APPROVAL_LEVELS", "MODE_DRAW", "MODE_DIRECT", "MODES",
    "task_type_choices", "task_type_label", "direct_reason_choices", "task_days", "pool_counts", "check_request",
    "required_approval", "can_approve", "status_on_filing", "may_draw", "change_needs_approval",
    "decline_consequence", "department_key", "same_department",
    "AWAITING_APPROVAL", "WITHDRAWABLE", "FINAL_STATUSES", "DRAWABLE_STATUSES", "DRAWING_PAGE_STATUSES", "REQUEST_FIELDS", "clean_request_input", "clean_reason",
    "request_fingerprint", "history_entry", "staffing", "fully_staffed", "plan_invitations", "outcome_lines",
    "staffed_assignments",
]

LEVEL_DEPUTY, LEVEL_MAIN, LEVEL_OFFICE = "分管领导", "主要领导", "专家管理办公室"


def department_key(name: Any) -> str:
    """A using department's name as compared everywhere (requests, evaluations, fees, budgets): all whitespace
    removed, so “危化科 ” typed with a trailing space is the same department."""
    return "".join(str(name or "").split())


def same_department(a: Any, b: Any) -> bool:
    """Whether two department names are the same department; an empty name matches none."""
    key = department_key(a)
    return bool(key) and key == department_key(b)
APPROVAL_LEVELS = (LEVEL_OFFICE, LEVEL_DEPUTY, LEVEL_MAIN)
# A leader's signature at a higher level covers a lower one (主要领导 may sign what needs 分管领导).
_LEADER_RANK = {LEVEL_DEPUTY: 1, LEVEL_MAIN: 2}

MODE_DRAW, MODE_DIRECT = "抽取", "选派"
MODES = (MODE_DRAW, MODE_DIRECT)

ANSWERED = ("已接受", "已完成", "已拒绝")  # 邀请中 / 已取消 are not answers of the expert
DECLINED = "已拒绝"


# ---------------------------------------------------------------------------------------------------------------
# 小工具
# ---------------------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:  # the stored form (YYYY-MM-DD): ~20× faster than strptime, read for every expert of a pool
            return date.fromisoformat(value)
        except ValueError:
            pass
    try:
        return parse_date(value)
    except Exception:  # odd data never raises here
        return None


def _first_article(source: str) -> str:
    """“第十一条；第十四条(二)；附件7” → “第十一条”."""
    return (source or "").replace(";", "；").split("；")[0].strip()


def _title_rank(level: Any) -> int | None:
    return vocab.TITLE_LEVELS.index(level) if level in vocab.TITLE_LEVELS else None


def _title_phrase(level: str) -> str:
    """副高级 → “高级及以上”（原文的“高级”含副高级、正高级）；其他 → “中级及以上”."""
    if level == vocab.SENIOR_TITLE_LEVELS[0]:
        return "高级及以上"
    return f"{level}及以上"


def _spec_label(policy: Any, code: str) -> str:
    try:
        return policy.taxonomy.specialty_label(code)
    except Exception:
        return str(code)


def _has_specialty(policy: Any, code: Any) -> bool:
    if not isinstance(code, str) or not code:
        return False
    try:
        policy.taxonomy.specialty(code)
        return True
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------------------------
# 页面用的选项
# ---------------------------------------------------------------------------------------------------------------
def task_type_choices(policy: Any) -> tuple[str, ...]:
    """申请可选的类别：YQ 附表四 使用类别（安全生产/应急管理）；没有使用类别的策略用任务类型（JC 附件8 注1）。"""
    d = policy.drawing
    return tuple(d.usage_categories) or tuple(d.task_types)


def task_type_label(policy: Any) -> str:
    """“使用类别”（YQ）或“任务类型”（JC）。"""
    return "使用类别" if tuple(policy.drawing.usage_categories) else "任务类型"


def direct_reason_choices(policy: Any) -> tuple[tuple[str, str], ...]:
    """可直接选派的情形 (序号, 原文)，YQ 第十四条(一)2 七种；不允许选派的策略（JC）为空。"""
    ds = policy.drawing.direct_selection
    return tuple((r.code, r.text) for r in ds.reasons) if ds else ()


def _direct_reason_known(value: str, policy: Any) -> bool:
    """选派依据可写序号（“3”“(3)”“（3）”）或情形原文。"""
    v = value.strip().strip("()（）").strip()
    for code, text in direct_reason_choices(policy):
        if v == code or value.strip().rstrip("；;。") == text.rstrip("；;。"):
            return True
    return False


def task_days(start: Any, end: Any) -> int | None:
    """使用天数 = 起止日期含首尾的日历天数（“年 月 日至 年 月 日，共计 天”）；日期不对时为 None。"""
    s, e = _day(start), _day(end)
    if s is None or e is None or e < s:
        return None
    return (e - s).days + 1


def _in_term_in_pool(expert: dict, on: date) -> bool:
    if expert.get("state") not in vocab.ACTIVE_STATES:
        return False
    ts, te = _day(expert.get("term_start")), _day(expert.get("term_end"))
    return not (ts and ts > on) and not (te and te < on)


def pool_counts(pool: Iterable[Any], on: date, min_title_level: str | None = None) -> dict[str, int]:
    """每个专业有多少在库（在聘期内、未暂停）专家可用；给了最低职称时只数达到的。"""
    need = _title_rank(min_title_level) if min_title_level else None
    counts: dict[str, int] = {}
    for e in pool:
        if not isinstance(e, dict) or not _in_term_in_pool(e, on):
            continue
        if need is not None and (_title_rank(e.get("title_level")) or 0) < need:
            continue
        specs = e.get("specialties") or ()
        for code in set(specs) if isinstance(specs, (list, tuple, set)) else ():
            if isinstance(code, str):
                counts[code] = counts.get(code, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------------------------
# 使用申请的检查 — JC-D1, JC-D2, YQ-D1, YQ-D2, YQ-D5
# ---------------------------------------------------------------------------------------------------------------
def check_request(request: dict, policy: Any, pool: list[dict], today: date, *,
                  filer_role: str | None = None) -> list[str]:
    """检查一份使用申请；有问题抛出 ValidationError（列出全部问题，每条写明字段），否则返回提醒（中文）。

    `filer_role` 为提交人的角色（vocab.ROLES），不传时读 request["filed_by_role"]；使用科室提交的申请即为报备（YQ-D5）。
    天数可不填（由 `task_days` 计算），填了必须等于含首尾的天数。
    """
    errors: list[tuple[str, str]] = []
    warnings: list[str] = []
    d = policy.drawing
    req = request if isinstance(request, dict) else {}

    # --- who, what, which kind -----------------------------------------------------------------------------
    for key, label in (("department", "使用科室（单位）"), ("matter", "使用事项"), ("contact", "联系人")):
        if not _text(req.get(key)):
            errors.append((key, f"{label}不能为空"))
    choices = task_type_choices(policy)
    type_label = task_type_label(policy)
    task_type = _text(req.get("task_type"))
    if not task_type:
        errors.append(("task_type", f"请选择{type_label}（{'、'.join(choices)}）"))
    elif task_type not in choices:
        errors.append(("task_type", f"{type_label}“{task_type}”不在可选范围内（{'、'.join(choices)}）"))

    # --- dates ---------------------------------------------------------------------------------------------
    start, end = _day(req.get("start")), _day(req.get("end"))
    if start is None:
        errors.append(("start", "使用开始日期应为日期（如 2026-06-05）" if req.get("start") else "请填写使用开始日期"))
    if end is None:
        errors.append(("end", "使用结束日期应为日期（如 2026-06-05）" if req.get("end") else "请填写使用结束日期"))
    if start and end and end < start:
        errors.append(("end", f"使用结束日期（{format_day(end)}）早于开始日期（{format_day(start)}）"))
    span = task_days(start, end)
    given_days = req.get("days")
    if given_days not in (None, ""):
        n = whole_number(given_days)
        if n is None or n <= 0:
            errors.append(("days", f"共计天数应为正整数，填写的是“{given_days}”"))
        elif span is not None and n != span:
            errors.append(("days", f"共计天数应为{span}天（{format_day(start)}至{format_day(end)}，含首尾），"
                                   f"填写的是{n}天"))

    # --- needs (专业、人数) -----------------------------------------------------------------------------------
    min_title = req.get("min_title_level")
    title_ok = min_title in (None, "") or min_title in vocab.TITLE_LEVELS
    if not title_ok:
        errors.append(("min_title_level",
                       f"最低职称要求“{min_title}”不在职称等级中（{'、'.join(vocab.TITLE_LEVELS)}）"))
    needs = req.get("needs")
    if not isinstance(needs, (list, tuple)) or not needs:
        errors.append(("needs", "请至少填写一个专业及所需专家人数"))
        needs = []
    on = start or today
    title_filter = min_title if title_ok and min_title not in (None, "", "无") else None
    counts = (pool.memo(("counts", on, title_filter), lambda: pool_counts(pool, on, title_filter))
              if hasattr(pool, "memo") else pool_counts(pool or (), on, title_filter))  # a SharedPool: once a day
    seen: set[str] = set()
    for i, need in enumerate(needs, start=1):
        if not isinstance(need, dict):
            errors.append(("needs", f"第{i}行专业需求格式不正确"))
            continue
        code = need.get("specialty")
        count = whole_number(need.get("count"))
        known = _has_specialty(policy, code)
        repeated = known and code in seen
        label = _spec_label(policy, code) if known else f"“{code if code is not None else ''}”"
        if code in (None, ""):
            errors.append(("needs", f"第{i}行：请选择专业"))
        elif not known:
            errors.append(("needs", f"第{i}行：专业代码“{code}”不在分类表《{getattr(policy.taxonomy, 'title', '专业分类表')}》中"))
        elif repeated:
            errors.append(("needs", f"专业 {label} 重复填写，请合并为一行"))
        else:
            seen.add(code)
        if count is None or count <= 0:
            errors.append(("needs", f"第{i}行 {label}：所需专家人数应为正整数，填写的是“{need.get('count')}”"))
        elif known and not repeated and count > counts.get(code, 0):
            where = f"库内在库且职称达到{title_filter}的专家" if title_filter else "库内在库专家"
            errors.append(("needs", f"{label}：申请{count}人，{where}仅{counts.get(code, 0)}人"))

    # --- mode: 抽取 or 选派 ------------------------------------------------------------------------------------
    mode = _text(req.get("mode")) or MODE_DRAW
    emergency = req.get("emergency") is True
    if mode not in MODES:
        errors.append(("mode", f"使用方式应为“{MODE_DRAW}”或“{MODE_DIRECT}”，填写的是“{mode}”"))
    elif mode == MODE_DIRECT:
        errors += _check_direct(req, policy, emergency)

    # --- experts from outside the pool (JC 第十一条) ----------------------------------------------------------
    errors += _check_externals(req.get("external_experts"), policy)

    if errors:
        raise ValidationError(errors)

    # --- reminders ---------------------------------------------------------------------------------------------
    filed = _day(req.get("filed_on")) or today
    lead = d.request_lead_days
    if lead and not emergency and start is not None and (start - filed).days < lead:
        warnings.append(f"申请时间不足{lead}天（{d.request_lead_source or d.source}：应提前{lead}天送达使用申请表；"
                        f"本申请{format_day(filed)}提交，{format_day(start)}开始使用）")
    elif not emergency and start is not None and start < today:
        warnings.append(f"使用开始日期（{format_day(start)}）早于今天；已先行使用的紧急任务请勾选“{d.emergency.name}”")
    role = filer_role if filer_role is not None else req.get("filed_by_role")
    if d.report_before_use and role == vocab.ROLE_DEPARTMENT:
        src = f"（{d.report_source}）" if d.report_source else ""
        warnings.append(f"使用科室提交本申请即向{policy.office}报备{src}，由其审核、抽取后委派专家")
    if emergency:
        if d.emergency.approve_after:
            warnings.append(f"紧急使用（{d.emergency.name}）：可先抽取、委派专家，审批事后补办，"
                            f"补批前申请显示为“待补批”（{d.emergency.source}）")
        else:
            warnings.append(f"{policy.short_name}办法没有先使用后补批的规定，紧急申请仍须先审批")
    if req.get("outside_city") is True:
        place = _text(req.get("place"))
        warnings.append(f"任务地点在{policy.city}以外{f'（{place}）' if place else ''}，请做好专家交通和后勤保障")
    return warnings


def _check_direct(req: dict, policy: Any, emergency: bool) -> list[tuple[str, str]]:
    d = policy.drawing
    if d.direct_selection is None:
        principle = "随机选取" if "随机选取" in d.principles else "抽取"
        return [("mode", f"{policy.short_name}办法没有直接选派的规定，专家应按“{principle}”原则从库中抽取"
                         f"（{_first_article(d.source)}）")]
    if emergency and d.emergency.allows_direct_selection:
        return []  # YQ 第十四条(二)：紧急突发事项可根据需要先选派专家
    reason = _text(req.get("direct_reason"))
    listed = "；".join(f"（{c}）{t.rstrip('；;。')}" for c, t in direct_reason_choices(policy))
    if not reason:
        return [("direct_reason", f"选派须写明所依据的情形（{d.direct_selection.source}）：{listed}")]
    if not _direct_reason_known(reason, policy):
        return [("direct_reason", f"选派依据“{reason}”不是{d.direct_selection.source}所列情形之一：{listed}")]
    return []


def _check_externals(externals: Any, policy: Any) -> list[tuple[str, str]]:
    if externals in (None, "", [], ()):
        return []
    rule = policy.drawing.out_of_pool
    if rule is None:
        return [("external_experts", f"{policy.short_name}办法未规定使用库外专家，只能从专家库中选取")]
    if not isinstance(externals, (list, tuple)):
        return [("external_experts", "库外专家名单格式不正确")]
    article = _first_article(rule.source)
    need = _title_rank(rule.min_title_level) or 0
    problems: list[tuple[str, str]] = []
    for i, x in enumerate(externals, start=1):
        if not isinstance(x, dict):
            problems.append(("external_experts", f"第{i}名库外专家的信息格式不正确"))
            continue
        who = f"第{i}名库外专家" + (f"“{_text(x.get('name'))}”" if _text(x.get("name")) else "")
        missing = [label for key, label in (("name", "姓名"), ("unit", "工作单位"), ("title", "职称"),
                                            ("reason", "使用理由")) if not _text(x.get(key))]
        if missing:
            problems.append(("external_experts", f"{who}缺少{'、'.join(missing)}"))
        level = x.get("title_level")
        rank = _title_rank(level)
        if rank is None:
            problems.append(("external_experts", f"{who}的职称等级“{level or ''}”不在职称等级中"
                                                 f"（{'、'.join(vocab.TITLE_LEVELS)}）"))
        elif rank < need:
            problems.append(("external_experts", f"{who}职称等级为{level}：库外专家须具有"
                                                 f"{_title_phrase(rule.min_title_level)}职称（{article}）"))
    return problems


# ---------------------------------------------------------------------------------------------------------------
# 审批 — JC-D2, YQ-D2
# ---------------------------------------------------------------------------------------------------------------
def _total_experts(req: dict) -> int:
    total = 0
    for need in req.get("needs") or ():
        if isinstance(need, dict):
            n = whole_number(need.get("count"))
            total += n if n and n > 0 else 0
    externals = req.get("external_experts") or ()
    return total + (len(externals) if isinstance(externals, (list, tuple)) else 0)


def required_approval(request: dict, policy: Any) -> dict:
    """{"level": 分管领导|主要领导|专家管理办公室, "reason": 中文依据}。

    JC：单次使用达到 large_use_threshold（10）人（库内人数 + 库外人数）或使用任何库外专家 → 主要领导（附件7 注3），
    否则分管领导（第十一条）。YQ：专家管理办公室（第十四条(一)）。
    """
    req = request if isinstance(request, dict) else {}
    a = policy.drawing.approval
    rule = policy.drawing.out_of_pool
    total = _total_experts(req)
    externals = req.get("external_experts") or ()
    reasons: list[str] = []
    level = a.level
    if a.large_use_threshold and total >= a.large_use_threshold:
        level = a.large_use_level
        reasons.append(f"单次使用专家{a.large_use_threshold}人以上（本次{total}人），须报"
                       f"{a.large_use_approver or a.large_use_level}批准（{a.source}）")
    if rule and isinstance(externals, (list, tuple)) and externals:
        if _level_rank(rule.level) > _level_rank(level):
            level = rule.level
        reasons.append(f"使用专家库之外的专家（{len(externals)}人），须报{rule.approver}批准（{rule.source}）")
    if not reasons:
        if a.level == LEVEL_OFFICE:
            signed = "、".join(a.signatures)
            reasons.append(f"使用申请由{policy.office}审批（{a.source}）"
                           + (f"；申请表上的{signed}在纸面完成" if signed else ""))
        else:
            reasons.append(f"使用专家前须经{a.approver}审签同意（{_first_article(a.source)}）")
    return {"level": level, "reason": "；".join(reasons)}


def _level_rank(level: Any) -> int:
    return _LEADER_RANK.get(level, 0)


def can_approve(role: str, level: str) -> bool:
    """领导 签批 分管领导/主要领导 两级（系统里只有一个“领导”角色，记录签的是哪一级）；专家管理办公室和管理员签批
    专家管理办公室一级（YQ）。"""
    if level in (LEVEL_DEPUTY, LEVEL_MAIN):
        return role == vocab.ROLE_LEADER
    if level == LEVEL_OFFICE:
        return role in (vocab.ROLE_OFFICE, vocab.ROLE_ADMIN)
    return False


def status_on_filing(request: dict, policy: Any) -> str:
    """新申请的状态：紧急且策略允许先使用后补批 → “待补批”，否则 “待审批”。"""
    emergency = isinstance(request, dict) and request.get("emergency") is True
    return "待补批" if emergency and policy.drawing.emergency.approve_after else "待审批"


def may_draw(request: dict, policy: Any) -> None:
    """抽取前的审批检查：已按所需层级审批，或紧急（先委派后补批 / 使用后填写，申请为“待补批”）；否则 DomainError。"""
    req = request if isinstance(request, dict) else {}
    if req.get("status") == "已撤回":
        raise DomainError("申请已撤回，不能抽取")
    approval = req.get("approval")
    if isinstance(approval, dict) and approval:
        needed = required_approval(req, policy)
        got = approval.get("level")
        if got and needed["level"] in _LEADER_RANK and _level_rank(got) < _level_rank(needed["level"]):
            raise DomainError(f"本申请须经{needed['level']}审批（{needed['reason']}），现有审批为{got}，不能抽取")
        return None
    if req.get("emergency") is True and policy.drawing.emergency.approve_after:
        return None
    raise DomainError("尚未审批，不能抽取（非紧急）")


def change_needs_approval(request: dict, policy: Any) -> bool:
    """已审批的申请调整委派专家时是否须再报批（JC 第十一条：应报分管领导批准同意；YQ 未规定）。"""
    approved = isinstance(request, dict) and bool(request.get("approval"))
    return bool(policy.drawing.approval.change_requires_approval and approved)


# ---------------------------------------------------------------------------------------------------------------
# 拒绝委派的后果 — YQ-D4（第二十四条(十一)）、JC-D4（第九条(四)）
# ---------------------------------------------------------------------------------------------------------------
def _answer_day(a: dict) -> date | None:
    return _day(a.get("answered_on")) or _day(a.get("start"))


def _sort_key(a: dict) -> tuple:
    day = _answer_day(a) or date.min
    aid = a.get("id")
    return (day, aid if isinstance(aid, int) and not isinstance(aid, bool) else 0)


def decline_consequence(expert_id: Any, assignments: Iterable[Any], policy: Any, today: date) -> dict | None:
    """拒绝委派是否已达到策略档案 [declines] 的后果；达到时返回 {"reason_number", "text", "assignment_ids"}，否则 None。

    只看该专家已答复的邀请（已接受/已完成/已拒绝，答复日期不晚于 today），按答复日期排序。
    consecutive（YQ）：最近 threshold 次答复都是拒绝（接受一次即重新计数）；only_unjustified 时正当理由的拒绝不计。
    within_window（JC）：today 之前 window_days 天内（今天算第0天，364天前仍在内，365天前不在）无正当理由
    （decline_justified 为 False）的拒绝达到 threshold 次。只是建议，由办公室决定是否立案。对异常数据不抛错。
    """
    try:
        rules = policy.declines
        threshold = int(rules.threshold)
        mine = [a for a in (assignments or ()) if isinstance(a, dict) and a.get("expert_id") is not None
                and str(a.get("expert_id")) == str(expert_id) and a.get("status") in ANSWERED]
        mine = [a for a in mine if (_answer_day(a) or date.min) <= today]
        mine.sort(key=_sort_key)
        unjust = "无正当理由" if rules.only_unjustified else ""
        if rules.counting == "consecutive":
            run: list[dict] = []
            for a in mine:
                if a.get("status") != DECLINED:
                    run = []
                elif rules.only_unjustified and a.get("decline_justified") is not False:
                    continue
                else:
                    run.append(a)
            if len(run) < threshold:
                return None
            counted = run
            what = f"连续{len(counted)}次{unjust}无法参加委派任务"
        else:
            window = int(rules.window_days or 365)
            since = today - timedelta(days=window - 1)
            counted = [a for a in mine if a.get("status") == DECLINED
                       and (a.get("decline_justified") is False or not rules.only_unjustified)
                       and since <= (_answer_day(a) or date.min)]
            if len(counted) < threshold:
                return None
            period = "一年内" if window in (365, 366) else f"{window}日内"
            what = f"{period}累计{len(counted)}次{unjust}不接受委派"
        days = "、".join(format_day(d) for d in (_answer_day(a) for a in counted) if d)
        return {"reason_number": rules.dismissal_reason_number,
                "text": f"{what}（{days}）" if days else what,
                "assignment_ids": [a.get("id") for a in counted]}
    except Exception:  # odd data or a policy without [declines]: no proposal rather than a crash
        return None


# ---------------------------------------------------------------------------------------------------------------
# 申请状态、输入白名单 — issue 10 items 5 and 11
# ---------------------------------------------------------------------------------------------------------------
AWAITING_APPROVAL = ("待审批", "待补批")                          # 审批页上等待签批的申请
WITHDRAWABLE = ("待审批", "待补批", "退回修改", "已审批", "已抽取")  # 委派完成（各专业都已接受）前可撤回
FINAL_STATUSES = ("已完成", "不同意", "已撤回")                    # 不再抽取、邀请、修改
DRAWABLE_STATUSES = ("待审批", "待补批", "已审批", "已抽取", "已委派")  # 抽取委派页可办理（服务再逐项把关）
DRAWING_PAGE_STATUSES = tuple(s for s in vocab.REQUEST_STATUSES if s not in ("不同意", "已撤回", "退回修改"))
ACCEPTED = ("已接受", "已完成")
PENDING = "邀请中"

# 使用申请每个字段的上限（字数）；姓名、单位等单行，使用事项、理由可多行。
REQUEST_TEXT_FIELDS = {  # key: (label, max_len, multiline)
    "department": ("使用科室（单位）", 50, False),
    "contact": ("联系人", 20, False),
    "matter": ("使用事项", 500, True),
    "task_type": ("任务类型", 30, False),
    "place": ("工作地点", 100, False),
    "mode": ("使用方式", 10, False),
    "direct_reason": ("选派情形", 200, False),
    "min_title_level": ("最低职称要求", 10, False),
}
REQUEST_BOOL_FIELDS = {"outside_city": "跨市服务", "emergency": "紧急使用"}
REQUEST_FIELDS = frozenset(REQUEST_TEXT_FIELDS) | frozenset(REQUEST_BOOL_FIELDS) | {
    "contact_phone", "target_enterprises", "start", "end", "days", "needs", "external_experts"}
DEMO_FIELD = "is_demo"
MAX_ENTERPRISES, ENTERPRISE_LEN = 50, 100
MAX_NEEDS, MAX_COUNT = 30, 50
MAX_EXTERNALS = 20
EXTERNAL_FIELDS = {"name": ("姓名", 20), "unit": ("工作单位", 100), "title": ("职称", 30),
                   "title_level": ("职称等级", 10), "reason": ("使用理由", 200)}
# yes/no facts of an outside expert that the fee rules read (JC 第十六条(一) 市外专家来我市, (二) 公职人员本单位业务)
EXTERNAL_FLAGS = {"is_out_of_city": "市外专家", "is_public_servant": "公职人员"}
REASON_LEN = 500


def clean_request_input(data: Any, *, allow_demo: bool = False) -> dict:
    """The request a form sent, reduced to the fields a 使用申请 has, each normalised (NFC, trimmed), typed and
    length-limited (core.text); anything else — an unknown key such as "paid" or "approvals", a 5,000,000-character
    使用事项, a NUL, a zero-width or bidi character, a phone that is not an 11-digit mobile or 区号-号码 — raises one
    ValidationError listing every problem. Whether the values make a valid request is `check_request`'s job."""
    if not isinstance(data, dict):
        raise ValidationError(("data", "申请内容格式不正确"))
    allowed = REQUEST_FIELDS | ({DEMO_FIELD} if allow_demo else set())
    errors: list[tuple[str, str]] = []
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        errors.append(("data", f"申请中含有不接受的字段：{'、'.join(unknown)}"))
    out: dict[str, Any] = {}

    def run(key, fn):
        try:
            out[key] = fn()
        except ValidationError as e:
            errors.extend(e.errors)

    for key, (label, limit, multiline) in REQUEST_TEXT_FIELDS.items():
        value = data.get(key)
        run(key, lambda v=value, l=label, m=limit, ml=multiline, k=key: clean_text(
            v, field_label=l, max_len=m, multiline=ml, field_key=k) or None)
    for key in ("department", "contact", "matter", "task_type"):
        if out.get(key) is None and key in out:
            out[key] = ""
    if "mode" in out:
        out["mode"] = out["mode"] or MODE_DRAW
    run("contact_phone", lambda: clean_phone(data.get("contact_phone"), required=False, field_key="contact_phone"))
    for key, label in REQUEST_BOOL_FIELDS.items():
        value = data.get(key, False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            errors.append((key, f"{label}应为“是”或“否”"))
        out[key] = value is True
    if allow_demo and DEMO_FIELD in data:
        out[DEMO_FIELD] = data[DEMO_FIELD] is True
    run("target_enterprises", lambda: _clean_list(data.get("target_enterprises"), "任务对象单位",
                                                  MAX_ENTERPRISES, ENTERPRISE_LEN, "target_enterprises"))
    for key, label in (("start", "使用开始日期"), ("end", "使用结束日期")):
        run(key, lambda v=data.get(key), l=label, k=key: _clean_day(v, l, k))
    run("days", lambda: _clean_days(data.get("days")))
    run("needs", lambda: _clean_needs(data.get("needs")))
    run("external_experts", lambda: _clean_externals(data.get("external_experts")))
    if errors:
        raise ValidationError(errors)
    return out


def _clean_list(value: Any, label: str, max_items: int, max_len: int, key: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError((key, f"{label}应为名单（每行一个）"))
    if len(value) > max_items:
        raise ValidationError((key, f"{label}最多{max_items}个，填写了{len(value)}个"))
    items = [clean_text(v, field_label=f"{label}第{i}项", max_len=max_len, field_key=key)
             for i, v in enumerate(value, start=1)]
    return [v for v in items if v]


def _clean_day(value: Any, label: str, key: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = clean_text(value, field_label=label, max_len=20, field_key=key)
    day = _day(text)
    if day is None:
        raise ValidationError((key, f"{label}应为日期（如 2026-06-05），填写的是“{text}”"))
    return day.isoformat()


def _clean_days(value: Any) -> int | None:
    if value in (None, ""):
        return None
    n = whole_number(value) if not isinstance(value, bool) else None
    if n is None or not 0 < n <= 3660:
        raise ValidationError(("days", f"共计天数应为正整数，填写的是“{str(value)[:20]}”"))
    return n


def _clean_needs(value: Any) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError(("needs", "专业需求格式不正确"))
    if len(value) > MAX_NEEDS:
        raise ValidationError(("needs", f"一份申请最多{MAX_NEEDS}个专业，填写了{len(value)}个"))
    out = []
    for i, need in enumerate(value, start=1):
        if not isinstance(need, dict) or set(need) - {"specialty", "count"}:
            raise ValidationError(("needs", f"第{i}行专业需求格式不正确（只填专业和人数）"))
        code = clean_text(need.get("specialty"), field_label=f"第{i}行专业", max_len=20, field_key="needs")
        raw = need.get("count")
        count = None if isinstance(raw, bool) else whole_number(raw)
        if count is None or not 0 < count <= MAX_COUNT:
            raise ValidationError(("needs", f"第{i}行：所需专家人数应为1到{MAX_COUNT}的整数，填写的是“{str(raw)[:20]}”"))
        out.append({"specialty": code, "count": count})
    return out


def _clean_externals(value: Any) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError(("external_experts", "库外专家名单格式不正确"))
    if len(value) > MAX_EXTERNALS:
        raise ValidationError(("external_experts", f"库外专家最多{MAX_EXTERNALS}名，填写了{len(value)}名"))
    out = []
    for i, x in enumerate(value, start=1):
        if not isinstance(x, dict) or set(x) - set(EXTERNAL_FIELDS) - set(EXTERNAL_FLAGS):
            raise ValidationError(("external_experts", f"第{i}名库外专家的信息格式不正确"))
        row = {key: clean_text(x.get(key), field_label=f"第{i}名库外专家的{label}", max_len=limit,
                               field_key="external_experts")
               for key, (label, limit) in EXTERNAL_FIELDS.items()}
        for key, label in EXTERNAL_FLAGS.items():
            flag = x.get(key, False)
            if flag in (None, ""):  # an unticked cell of the page's table
                flag = False
            if not isinstance(flag, bool):
                raise ValidationError(("external_experts", f"第{i}名库外专家的“{label}”只能是“是”或“否”"))
            row[key] = flag
        out.append(row)
    return out


def clean_reason(value: Any, *, label: str, required: bool) -> str:
    """A reason or opinion typed on a dispatch screen (审批意见, 撤回理由, 拒绝理由…): multi-line, ≤ 500 characters."""
    return clean_text(value, field_label=label, max_len=REASON_LEN, multiline=True, required=required,
                      field_key="reason")


def request_fingerprint(request: dict) -> str:
    """What makes two requests “the same request” for the double-submission check: every field typed on the form."""
    import json

    keys = sorted(REQUEST_FIELDS - {"days"})
    return json.dumps({k: request.get(k) for k in keys}, ensure_ascii=False, sort_keys=True, default=str)


def history_entry(action: str, actor: Any, at: str, reason: str = "") -> dict:
    """One line of a request's history (提交申请、同意、不同意、退回修改、重新提交、撤回): who, when, why."""
    return {"action": action, "by": getattr(actor, "display_name", ""), "username": getattr(actor, "username", ""),
            "role": getattr(actor, "role", ""), "at": at, "reason": reason}


# ---------------------------------------------------------------------------------------------------------------
# 人数不超过申请 — issue 10 item 2
# ---------------------------------------------------------------------------------------------------------------
def staffing(needs: Iterable[Any], assignments: Iterable[Any]) -> list[dict]:
    """Per requested specialty: {"specialty", "requested", "accepted", "pending", "open"} where open =
    requested − (accepted + pending invitations), never below 0. 已接受/已完成 count as accepted, 邀请中 as pending;
    declined and cancelled invitations hold no slot."""
    rows = []
    live = [a for a in assignments if isinstance(a, dict)]
    for need in needs or ():
        if not isinstance(need, dict):
            continue
        spec, requested = need.get("specialty"), whole_number(need.get("count")) or 0
        accepted = sum(1 for a in live if a.get("specialty") == spec and a.get("status") in ACCEPTED)
        pending = sum(1 for a in live if a.get("specialty") == spec and a.get("status") == PENDING)
        rows.append({"specialty": spec, "requested": requested, "accepted": accepted, "pending": pending,
                     "open": max(requested - accepted - pending, 0)})
    return rows


def fully_staffed(needs: Iterable[Any], assignments: Iterable[Any]) -> bool:
    """Every requested specialty has as many accepted experts as requested (委派完成)."""
    rows = staffing(needs, assignments)
    return bool(rows) and all(r["accepted"] >= r["requested"] for r in rows)


def plan_invitations(needs: Iterable[Any], orders: dict, assignments: Iterable[Any]) -> list[dict]:
    """Who to invite from a draw's committed orders: per specialty only its open slots (`staffing`), the first
    experts of the order never invited for this request before (a decliner, a released or a cancelled expert is not
    invited again). Returns `staffing`'s rows with "invite" [(expert_id, position)] and "short" (slots left open)."""
    existing = [a for a in assignments if isinstance(a, dict)]
    taken = {a.get("expert_id") for a in existing}
    plan = []
    for row in staffing(needs, existing):
        order = list((orders or {}).get(row["specialty"], []))
        candidates = [(i, n) for n, i in enumerate(order, start=1) if i not in taken]
        invite = candidates[:row["open"]]
        taken.update(i for i, _ in invite)
        plan.append(dict(row, invite=invite, short=row["open"] - len(invite)))
    return plan


def outcome_lines(plan: Iterable[dict], label: Any) -> list[tuple[str, str]]:
    """The outcome of a draw or refill per specialty as (kind, Chinese text), kind "ok" or "short", so a screen never
    shows “已发出邀请” and “无可用专家” for the same specialty. `label(code)` names a specialty."""
    lines = []
    for row in plan:
        name = label(row["specialty"])
        invited, short = len(row["invite"]), row["short"]
        held = f"已接受{row['accepted']}人、邀请中{row['pending']}人，申请{row['requested']}人"
        if row["open"] == 0:
            lines.append(("ok", f"{name}：已满员（{held}），本次未抽取"))
        elif short == 0:
            lines.append(("ok", f"{name}：补足{invited}人，已发出邀请（{held}）"))
        elif invited:
            lines.append(("short", f"{name}：已邀请{invited}人，仍缺{short}人，该专业无更多可用专家（{held}）"))
        else:
            lines.append(("short", f"{name}：仍缺{short}人，该专业无可用专家，未发出邀请（{held}）"))
    return lines


def staffed_assignments(needs: Iterable[Any], assignments: Iterable[Any]) -> list[dict]:
    """The accepted assignments a dispatch form lists (JC 附件7, YQ 附表五): per specialty at most the requested
    number, earliest first — so a form never names more experts than were requested, whatever the data holds."""
    limits: dict[Any, int] = {}
    for need in needs or ():
        if isinstance(need, dict):
            limits[need.get("specialty")] = limits.get(need.get("specialty"), 0) + (whole_number(need.get("count")) or 0)
    out, used = [], {}
    for a in sorted((a for a in assignments if isinstance(a, dict) and a.get("status") in ACCEPTED),
                    key=lambda a: a.get("id") or 0):
        spec = a.get("specialty")
        if used.get(spec, 0) < limits.get(spec, 0):
            used[spec] = used.get(spec, 0) + 1
            out.append(a)
    return out
