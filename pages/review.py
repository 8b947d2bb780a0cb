"""条件审核 — review a submitted application: eligibility with overrides the profile allows, then JC 附件4 scoring
(derived points computed, manual points within their bands, total against the pass mark and the sector's quota) or
YQ's three review checks with a written opinion; the application forms download from here."""
import streamlit as st

from core.eligibility import EligibilityResult
from core.errors import DomainError
from core.intake import declaration_questions
from core.scoring import (APPROVER_NAME_MAX, EXCEPTION_REASON_MAX, EXCEPTION_REASON_MIN, derived_lines,
                          exception_possible, item_range, manual_help, manual_items, score_sheet)
from core.dates import office_date
from pages._ui import md_escape, current_user, download, get_context, perform, show_error, show_flash
from services import applications, experts, forms_service, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("条件审核")
show_flash()

def form_downloads(expert: dict, app: dict, key: str) -> None:
    """申报表 (附件2 / 附表一·二), 廉政承诺书 (附件3) and 条件审核意见表 (附件4) of one application, built on click."""
    label = policy.taxonomy.specialty_label
    items = [("申报表", lambda: forms_service.application_form(
        expert, app, policy, photo=applications.photo_of(ctx, expert["id"]), specialty_label=label)[1])]
    if policy.intake.pledge_form_id:
        items.append(("廉政承诺书", lambda: forms_service.pledge_form(expert, app, policy)[1]))
    if policy.scoring is not None:
        items.append(("条件审核意见表", lambda: forms_service.review_sheet_form(expert, app, policy,
                                                                      specialty_label=label)[1]))
    for col, (title, build) in zip(st.columns(len(items)), items):
        download(f"下载{md_escape(title)}（Word）", build, file_name=f"{title}_{expert['name']}.docx",
                 key=f"{key}_{title}", mime=DOCX, container=col)


def below_pass_fields(sheet, app_id: int) -> dict | None:
    """低于分数线例外通过 (附件4：原则上低于70分不予审核通过): under a guideline profile, the written reason and the
    approval the profile names, keyed by the application; the exception is sent only when ticked. A strict mark
    says that no exception exists."""
    if sheet.passed:
        return None
    mark, approver = sheet.pass_mark, policy.scoring.below_pass_approval
    if not exception_possible(sheet, policy):
        st.caption(f"本政策的分数线 {md_escape(mark)} 分为硬性规定，低于 {md_escape(mark)} 分不能例外通过。")
        return None
    with st.expander(f"低于{md_escape(mark)}分例外通过"):
        st.caption(f"附件4：原则上低于{md_escape(mark)}分不予审核通过。确需通过的，写明理由并经{md_escape(approver)}批准；"
                   f"理由、批准人和批准日期印在附件4 审核意见栏，并记入操作日志。")
        use = st.checkbox(f"经{md_escape(approver)}批准，按例外通过提交", key=f"review_{app_id}_exc_use")
        reason = st.text_area(f"例外通过理由（至少{md_escape(EXCEPTION_REASON_MIN)}个字）", key=f"review_{app_id}_exc_reason",
                              max_chars=EXCEPTION_REASON_MAX)
        left, right = st.columns(2)
        approved_by = left.text_input(f"批准人（{md_escape(approver)}）姓名", key=f"review_{app_id}_exc_by",
                                      max_chars=APPROVER_NAME_MAX)
        approved_on = right.date_input("批准日期", value=ctx.today(), max_value=ctx.today(),
                                       key=f"review_{app_id}_exc_on", format="YYYY-MM-DD")
    return {"reason": reason, "approved_by": approved_by, "approved_on": approved_on} if use else None


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
tab_wait, tab_done = st.tabs(["待审核", "已审核（表格下载）"], key="review_tabs", on_change="rerun")
with tab_done:
    done = applications.submitted(ctx, state=("已审核", "已推荐", "拟定", "公示中", "在库", "未通过"))
    reviewed = {a["id"]: (e, a) for e, a in done if a.get("review")}
    if reviewed:
        pick = st.selectbox("已审核申报", list(reviewed), key="review_done_app",
                            format_func=lambda i: f"{reviewed[i][0]['name']}（{reviewed[i][0]['state']}）", placeholder="请选择")
        form_downloads(*reviewed[pick], key="review_done_dl")
    else:
        st.caption("还没有已审核的申报。")

waiting = applications.submitted(ctx, state="申请中")
with tab_wait:
    if not waiting:
        st.info("没有待审核的申报。新申报请在“入库申报”中提交。")
        st.stop()
    by_app = {a["id"]: (e, a) for e, a in waiting}
    app_id = st.selectbox("待审核申报", list(by_app), key="review_app",
                          format_func=lambda i: f"{by_app[i][0]['name']}　{by_app[i][0].get('unit', '')}（{office_date(by_app[i][1]['apply_date'])}）", placeholder="请选择")
    expert, app = by_app[app_id]
    taxonomy = policy.taxonomy
    st.caption("申报专业：" + "；".join(md_escape(taxonomy.specialty_label(c)) for c in expert.get("specialties") or [])
               + ("　:orange-badge[非申报期受理]" if app.get("outside_window") else ""))

    # --- eligibility ---------------------------------------------------------------------------------------------
    result = EligibilityResult.from_dict(app["eligibility"])
    icons = {"通过": ":green[✔ 通过]", "不通过": ":red[✘ 不通过]", "待审核": ":orange[● 待审核]"}
    with st.expander(f"资格条件：{md_escape(result.status)}", expanded=result.status != "符合"):
        for rule in result.rules:
            extra = f"（已放宽：{rule.override_reason}）" if rule.overridden else ""
            st.markdown(f"{icons[rule.status]} **{md_escape(rule.name)}** — {md_escape(rule.reason)}{md_escape(extra)}  \n:gray[{md_escape(rule.source)}]")
        questions = declaration_questions(policy, app.get("kind", "普通专家"), expert.get("specialties"),
                                          expert.get("qualifications"))
        if questions:
            with st.form("review_declarations"):
                st.markdown("**核实申报声明**")
                answers = {"未核实": None, "是": True, "否": False}
                picked = {key: st.radio(md_escape(label), list(answers), horizontal=True, key=f"review_decl_{app_id}_{key}",
                                        index=list(answers.values()).index((app.get("declarations") or {}).get(key)))
                          for key, label in questions}
                if st.form_submit_button("保存核实结果"):
                    chosen = {k: answers[v] for k, v in picked.items()}
                    perform(lambda: applications.confirm_declarations(ctx, user, app_id, chosen),
                            "已保存核实结果并重新检查资格")
        failing = [r for r in result.rules if r.status == "不通过" and r.overridable and not r.overridden]
        if failing:
            with st.form("review_override"):
                st.markdown("**放宽条件**（仅限政策允许放宽的条款，理由记入操作日志）")
                rule_id = st.selectbox("条款", [r.rule_id for r in failing], key="review_override_rule",
                                       format_func=lambda rid: next(r.name for r in failing if r.rule_id == rid), placeholder="请选择")
                reason = st.text_area("放宽理由", key="review_override_reason")
                if st.form_submit_button("放宽该条件"):
                    perform(lambda: applications.override_rule(ctx, user, app_id, rule_id, reason), "已记录放宽条件")

    # --- the review itself ---------------------------------------------------------------------------------------
    if policy.scoring is not None:
        st.subheader("附件4 条件审核意见表")
        for line in derived_lines(expert, policy):
            st.markdown(f"- **{md_escape(line.name)}**（{md_escape(line.weight)}分）：{md_escape(line.points + line.bonus_points)}分 — {md_escape(line.rule)}"
                        + (f"；{md_escape(line.bonus_rule)}" if line.bonus_rule else ""))
        manual, bonuses = {}, {}
        cols = st.columns(2)
        for i, item in enumerate(manual_items(policy)):
            with cols[i % 2]:
                low, high = item_range(item)
                manual[item.key] = st.number_input(f"{md_escape(item.name)}（{md_escape(low)}–{md_escape(high)}分）", min_value=0, max_value=high,
                                                   step=1, value=None, key=f"review_{app_id}_{item.key}",
                                                   help=md_escape(manual_help(item)))
                for bonus in (b for b in item.bonuses if b.method == "manual"):
                    bonuses[bonus.key] = st.checkbox(f"{md_escape(bonus.label)}（+{md_escape(bonus.points)}分）", key=f"review_{app_id}_{bonus.key}")
        filled = {k: v for k, v in manual.items() if v is not None}
        exception = None
        if len(filled) == len(manual):
            try:
                sheet = score_sheet(expert, policy, manual=filled, bonuses=bonuses)
            except DomainError as error:
                show_error(error)
            else:
                verdict = "达到" if sheet.passed else "低于"
                st.metric("总得分", f"{md_escape(sheet.total)} 分", help=f"及格线 {md_escape(sheet.pass_mark)} 分")
                (st.success if sheet.passed else st.warning)(f"总得分 {sheet.total} 分，{verdict}及格线 {sheet.pass_mark} 分")
                exception = below_pass_fields(sheet, app_id)
        else:
            st.caption(f"还有 {len(manual) - len(filled)} 项待评分。")
        summary = experts.summary(ctx)
        sectors = {taxonomy.sector_of(c).code for c in expert.get("specialties") or []}
        for row in summary.sectors:
            if row.code in sectors:
                st.caption(f"行业总量控制：{md_escape(row.name)} 在库 {md_escape(row.count)} 人 / 上限 {md_escape(row.limit_max)} 人")
        opinion = st.text_area("审核意见", key=f"review_{app_id}_opinion")
        if st.button("提交审核结果", type="primary", key="review_submit"):
            perform(lambda: applications.review_scored(ctx, user, app_id, manual=filled, bonuses=bonuses,
                                                       opinion=opinion, exception=exception),
                    lambda review: f"已提交：{md_escape(expert['name'])} 得分 {md_escape(review['sheet']['total'])} 分"
                                   + ("，低于分数线经批准例外通过" if review.get("exception") else ""))
    else:
        st.subheader("办公室审核（第七条(二)）")
        with st.form("review_checks"):
            checks = {key: st.checkbox(md_escape(label), key=f"review_{app_id}_{key}") for key, label in applications.REVIEW_CHECKS}
            opinion = st.text_area("审核意见", key=f"review_{app_id}_opinion")
            verdict = st.radio("审核结论", ("通过", "不通过"), horizontal=True, key=f"review_{app_id}_result")
            if st.form_submit_button("提交审核结果", type="primary"):
                perform(lambda: applications.review_checked(ctx, user, app_id, checks=checks, opinion=opinion,
                                                            result=verdict),
                        f"已提交：{md_escape(expert['name'])} 审核{md_escape(verdict)}")

    st.subheader("表格下载")
    form_downloads(expert, app, key="review_dl")
