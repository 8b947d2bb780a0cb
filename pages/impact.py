"""政策推演 — apply a saved variant, or the other city's profile, to the active profile's pool and history side by
side (X-P3): who becomes eligible or ineligible and why, quota per sector against the caps, this year's
applications whose result flips, decline and evaluation consequences triggered or lifted, fees over a period and
per using department, with charts; download the Word briefing 政策调整影响分析 and the Excel workbook. Nothing is
saved: the page only reads."""
import pandas as pd
import streamlit as st

from core.errors import DomainError
from core.fees import money
from pages import _charts as charts
from pages._ui import dataframe, md_escape, current_user, download, get_context, show_error
from services import impact, settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yuan(value) -> str:
    """An amount in a table as everywhere else: 13,800.00 (the tables held floats: 13800)."""
    return "—" if value is None else money(value)


ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("政策推演")
st.caption(f"把政策变体或另一城市的办法用于现行《{md_escape(policy.name)}》下的专家库和历史记录，与现行规则并排比较。"
           "推演只读取记录，不改动任何数据。")

choices = impact.comparison_choices(ctx)
with st.form("impact_form"):
    comparison = st.selectbox("比较对象", list(choices), format_func=lambda k: choices[k], key="impact_comparison",
                              help="已保存的政策变体（在“政策规则”页制作），或另一城市的办法", placeholder="请选择")
    first, last = impact.default_period(ctx)
    c1, c2 = st.columns(2)
    start = c1.date_input("劳务报酬期间：起", value=first, key="impact_start", format="YYYY-MM-DD")
    end = c2.date_input("劳务报酬期间：止", value=last, key="impact_end", format="YYYY-MM-DD")
    submitted = st.form_submit_button("开始推演", type="primary", key="impact_run")
if submitted:
    try:
        st.session_state["impact_result"] = impact.compute(ctx, user, comparison, period=(start, end))
    except DomainError as error:
        st.session_state.pop("impact_result", None)
        show_error(error)

result = st.session_state.get("impact_result")
if result is None or result.base_id != policy.id or result.comparison not in choices:
    st.info("选择比较对象和劳务报酬期间后点“开始推演”。还没有政策变体时，可在“政策规则”页制作。")
    st.stop()

report = result.report
counts = report.counts()
st.subheader(f"{md_escape(report.base_name)}　↔　{md_escape(report.other_name)}")
for note in report.notes:
    st.caption(md_escape(note))
m = st.columns(6)
m[0].metric("资格变为不符合", f"{md_escape(counts['to_ineligible'])}人")
m[1].metric("资格变为符合", f"{md_escape(counts['to_eligible'])}人")
over_delta = counts["over_cap_other"] - counts["over_cap_base"]
m[2].metric("超出上限的行业领域", int(counts["over_cap_other"]), delta=int(over_delta) or None, delta_color="inverse")
m[3].metric("申报结论变化", f"{md_escape(counts['applications_flipped'])}份")
m[4].metric("后果 将触发/将解除", f"{md_escape(counts['triggered'])}/{md_escape(counts['lifted'])}")
diff = report.fees.difference
m[5].metric("劳务报酬增减（元）", "—" if diff is None else md_escape(f"{diff:,.2f}"),
            help="有一方的报酬无法计算，原因见“劳务报酬”" if diff is None else "推演减现行，报酬期间内")

d1, d2 = st.columns(2)
download("下载简报（Word）", lambda: impact.briefing(ctx, user, result)[1], container=d1,
         file_name=impact.file_name(ctx, result, "docx"), mime=DOCX, key="impact_dl_docx")
download("下载明细（Excel）", lambda: impact.excel(ctx, user, result)[1], container=d2,
         file_name=impact.file_name(ctx, result, "xlsx"), mime=XLSX, key="impact_dl_xlsx")

names = ["摘要", f"调整内容（{len(result.changes)}）", f"资格变化（{len(report.eligibility)}）", "行业领域人数",
         f"申报（{len(report.applications)}）", f"后果（{len(report.consequences)}）", "劳务报酬"]
tabs = st.tabs(names, key="impact_tabs", on_change="rerun")

with tabs[0]:
    dataframe(pd.DataFrame(report.summary, columns=["项目", "数值"]), hide_index=True, width="stretch")

with tabs[1]:
    if result.changes:
        dataframe(pd.DataFrame([{"参数": c.label, "现行": c.old, "推演": c.new} for c in result.changes]),
                     hide_index=True, width="stretch")
    else:
        st.caption("两个策略的参数相同。")

with tabs[2]:
    if report.eligibility:
        dataframe(pd.DataFrame([{"姓名": f.name, "状态": f.state, "变化": f.direction, "现行": f.base_text,
                                    "推演": f.other_text, "说明": f.note} for f in report.eligibility]),
                     hide_index=True, width="stretch")
    else:
        st.caption("没有专家的资格结论发生变化。")
    if report.unmapped:
        st.markdown(f"**专业无法对应的专家（{len(report.unmapped)}人）**：另一分类表中没有同名专业，不计入其行业领域人数。")
        dataframe(pd.DataFrame([{"姓名": u.name, "找不到对应的专业": "、".join(u.codes)} for u in report.unmapped]),
                     hide_index=True, width="stretch")

with tabs[3]:
    rows = []
    for q in report.quota:
        for side, row in (("现行", q.base), ("推演", q.other)):
            if row is not None:
                rows.append({"行业领域": q.label, "策略": side, "人数": row.count, "上限": row.limit_max,
                             "状态": row.status})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        chart = charts.bars(frame, name="行业领域", value="人数", money=False, group="策略", ticks="上限",
                            color=charts.colours("策略", ["现行", "推演"], [charts.BLUE, charts.ORANGE]),
                            tips=[charts.tooltip("行业领域", "name"), charts.tooltip("策略", "name"),
                                  charts.tooltip("人数", "count"), charts.tooltip("上限", "count"),
                                  charts.tooltip("状态", "name")],
                            tick_tips=[charts.tooltip("行业领域", "name"), charts.tooltip("策略", "name"),
                                       charts.tooltip("上限", "count")])
        st.altair_chart(chart, width="stretch")
        st.caption(f"黑色竖线为入选人数上限。{md_escape(report.pool_total[0])}人在库（现行总数上限 {md_escape(report.pool_cap[0] or '不限')}，"
                   f"推演 {md_escape(report.pool_cap[1] or '不限')}）。")
    dataframe(pd.DataFrame([{"行业领域": q.label, "现行人数": q.base.count if q.base else None,
                                "现行上限": q.base.limit_max if q.base else None, "现行状态": q.base_status,
                                "推演人数": q.other.count if q.other else None,
                                "推演上限": q.other.limit_max if q.other else None, "推演状态": q.other_status,
                                "变化": q.change} for q in report.quota]), hide_index=True, width="stretch")

with tabs[4]:
    st.caption(f"今年已提交的申报共 {md_escape(report.applications_checked)} 份，按两个策略重新审查。")
    if report.applications:
        dataframe(pd.DataFrame([{"姓名": a.name, "申报日期": a.apply_date, "变化": a.change, "现行": a.base.text,
                                    "推演": a.other.text} for a in report.applications]),
                     hide_index=True, width="stretch")

with tabs[5]:
    if report.consequences:
        dataframe(pd.DataFrame([{"姓名": c.name, "类别": c.kind, "变化": c.change, "现行": c.base_text,
                                    "推演": c.other_text} for c in report.consequences]),
                     hide_index=True, width="stretch")
    else:
        st.caption("没有将触发或解除的拒绝委派、服务评价后果。")

with tabs[6]:
    fees = report.fees
    for name, side in ((report.base_name, fees.base), (report.other_name, fees.other)):
        if not side.available:
            st.warning(f"{md_escape(name)}的劳务报酬无法计算：{md_escape(side.message)}")
    if fees.rows:
        fee_frame = pd.DataFrame([{"使用科室": r.department, "策略": side, "金额": float(v)}
                                  for r in fees.rows for side, v in (("现行", r.base), ("推演", r.other))
                                  if v is not None])
        if not fee_frame.empty:
            st.altair_chart(charts.bars(
                fee_frame, name="使用科室", value="金额", money=True, group="策略", value_title="金额（元）",
                color=charts.colours("策略", ["现行", "推演"], [charts.BLUE, charts.ORANGE]),
                tips=[charts.tooltip("使用科室", "name"), charts.tooltip("策略", "name"),
                      charts.tooltip("金额", "money")]), width="stretch")
        dataframe(pd.DataFrame([{"使用科室": r.department, "现行（元）": _yuan(r.base), "推演（元）": _yuan(r.other),
                                    "增减（元）": _yuan(r.difference)} for r in fees.rows]),
                     hide_index=True, width="stretch")
    else:
        st.caption("期间内没有计酬的委派。")
