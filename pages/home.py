"""首页 — counts by state, sector counts against their caps, terms ending in the next 90 days, overdue evaluations
and forms with their deadlines and open stop-work reports (X-V1; YQ 第十六条), and on an empty registry the
one-click demo pool (演示数据). Records kept under another policy profile are named by the profile's Chinese name,
so after a switch the page never claims the registry is empty."""
import pandas as pd
import streamlit as st

from core.auth import can
from pages import _charts as charts
from core.dates import office_date
from pages._ui import dataframe, md_escape, DEMO_BADGE, current_user, get_context, perform, show_flash
from services import calendar, demo_history, dispatch, evaluations, experts, settings
from services import conditions as pool_conditions

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("专家库 · 首页")
show_flash()
st.caption(f"{md_escape(policy.city)}安全生产和应急管理专家库 — 执行《{md_escape(policy.name)}》")

view = experts.home_view(ctx, user, 90)
summary = view.summary

elsewhere = settings.elsewhere_text(ctx)
if view.empty and elsewhere:  # after a switch of profile: the records are kept, under the other profile
    st.info(f"当前政策（{md_escape(policy.short_name)}）下没有专家。{md_escape(elsewhere)}")
    st.stop()
if view.empty:
    st.info("专家库中还没有专家。可以在“专家录入”或“批量导入”中添加，也可以先加载一套演示数据看看系统如何工作。")
    if can(user.role, "load_demo"):
        if st.button("加载演示数据", type="primary", key="home_load_demo",
                     help="生成一套虚构的专家名单和近一年的使用、评价、报酬记录（均标记为“演示数据”），管理员可在“系统设置”中一键删除"):
            bar = st.progress(0.0, text="正在生成演示专家…")  # each step of the load shown as it runs (issue 12)
            perform(lambda: demo_history.load_demo_with_progress(
                        ctx, user, lambda share, text: bar.progress(min(1.0, max(0.0, share)), text=md_escape(text))),
                    lambda count: f"已加载 {md_escape(count)} 名演示专家和近一年的演示业务记录（均标记为演示数据）")
    st.stop()

# 节假日安排 (issue 13): from 1 December the admin is told when next year's State Council arrangement is missing
if (calendar_line := calendar.missing_next_year_notice(ctx, user)) is not None:
    st.warning(md_escape(calendar_line))

if can(user.role, "edit_experts"):
    pending = dispatch.proposals(ctx)
    if pending:
        st.warning(f"有 {len(pending)} 条因拒绝委派等情形生成的解聘建议待处理（见“解聘清退”）："
                   + "；".join(f"{md_escape(p['name'])}：{md_escape(p['text'])}" for p in pending[:5]))
# 条件变化 (JC 第九条(二), YQ 第二十四条(十)), computed today and never stored; JC-T3 组长/副组长 (第十条(一))
changed, role_flags = pool_conditions.home_notices(ctx, user)
if changed:
    st.warning(f"条件变化：拟解聘/清退建议 {len(changed)} 条（已不参加抽取；在“解聘清退”中立案办理）")
    dataframe(pd.DataFrame([{"姓名": p["name"], "单位": p["unit"], "状态": p["state"], "情形": p["reason_label"],
                                "理由": p["reason"], "演示数据": "演示" if p["is_demo"] else ""} for p in changed]),
                 hide_index=True, width="stretch")
if can(user.role, "approve_requests"):
    waiting = dispatch.awaiting_approval(ctx, user)
    if waiting:
        st.info(f"有 {len(waiting)} 份使用申请待您审批（见“使用审批”），其中紧急使用待补批 "
                f"{sum(1 for r in waiting if r['status'] != '待审批')} 份。")

if can(user.role, "record_service"):
    for report in evaluations.urgent_reports(ctx):
        st.error(f"停产撤人报告待处理（第十六条）：{md_escape(report['department'])} {md_escape(report['matter'])} — {md_escape(report['enterprise'])}："
                 f"{md_escape(report['urgent_report']['content'])}（{md_escape(office_date(report['urgent_report']['reported_on']))}，见“服务评价”）")
if can(user.role, "record_service") or can(user.role, "evaluate_service"):
    late = evaluations.overdue_evaluations(ctx, user)  # a 使用科室 sees only its own department's
    if late:
        st.warning(f"有 {len(late)} 项服务评价或表格逾期未交（见“服务评价”）：")
        dataframe(pd.DataFrame([{"类别": r["kind"], "任务": f"{r['request_id']}号 {r['matter']}",
                                    "使用科室": r["department"], "专家": r.get("expert", ""), "期限": r["deadline"],
                                    "逾期天数": r["days_overdue"]} for r in late]),
                     hide_index=True, width="stretch")

if elsewhere:
    st.caption(f"以下为当前政策（{md_escape(policy.short_name)}）下的专家。{md_escape(elsewhere)}")
if view.has_demo:
    st.warning(f"{DEMO_BADGE} 当前专家库含演示数据（虚构人员），正式使用前请由管理员在“系统设置”中删除。")

cols = st.columns(5)
cols[0].metric("在库专家", int(summary.state_counts.get("在库", 0)),
               help=f"总数上限 {md_escape(summary.pool_cap)} 人" if summary.pool_cap else None)
cols[1].metric("暂停使用", int(summary.state_counts.get("暂停", 0)))
cols[2].metric("申请/审核中", sum(summary.state_counts.get(s, 0) for s in ("申请中", "已审核", "已推荐", "拟定", "公示中")))
cols[3].metric("期满退出", int(summary.state_counts.get("期满退出", 0)))
cols[4].metric("解聘/清退", int(summary.state_counts.get("解聘", 0) + summary.state_counts.get("清退", 0)))
if summary.over_pool_cap:
    st.error(f"在库专家 {md_escape(summary.total)} 人，超过总数上限 {md_escape(summary.pool_cap)} 人")

st.subheader("各行业领域人数")
frame = pd.DataFrame([{"行业领域": f"{r.code}. {r.name}", "人数": r.count, "上限": r.limit_max, "状态": r.status}
                      for r in summary.sectors])
chart = charts.bars(frame, name="行业领域", value="人数", money=False, ticks="上限",
                    color=charts.colours("状态", ["正常", "超出", "不足"], [charts.BLUE, charts.RED, charts.ORANGE]),
                    tips=[charts.tooltip("行业领域", "name"), charts.tooltip("人数", "count"),
                          charts.tooltip("上限", "count"), charts.tooltip("状态", "name")])
st.altair_chart(chart, width="stretch")
if role_flags:  # JC-T3; none for YQ
    st.warning(f"行业专业组组长、副组长配备有 {len(role_flags)} 处问题（在“专家录入”中设置专家的组长/副组长）：")
    dataframe(pd.DataFrame({"问题": role_flags}), hide_index=True, width="stretch")
if frame["上限"].notna().any():
    st.caption("黑色竖线为该行业领域的入选人数上限")

st.subheader("90天内聘期届满")
ending = view.ending
if ending:
    dataframe(pd.DataFrame([{"姓名": e["name"], "单位": e.get("unit", ""), "聘期结束": e["term_end"],
                                "演示数据": "演示" if e.get("is_demo") else ""} for e in ending]),
                 hide_index=True, width="stretch")
else:
    st.caption("未来90天内没有专家聘期届满。")
