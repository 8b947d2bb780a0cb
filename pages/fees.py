"""劳务报酬 — fee statements of the active profile for a period (JC 第十六条–第十七条; YQ 第二十条): by task, by expert
or by using department, with each line's working and Excel / Word (劳务报酬结算表) downloads; the using departments'
yearly budgets (JC 第十八条 先预算后支出，严禁无预算或超预算): the report (budget, committed, paid, left) with a
chart, budget editing and the payment record of a finished task (manage_budgets). A 使用科室 user sees only its
own department. A profile whose rates are set locally and not yet filled in (阳泉) shows that message, no amounts."""
from datetime import date

import pandas as pd
import streamlit as st

from core import vocab
from core.auth import can
from core.errors import DomainError
from core.fees import money
from pages import _charts as charts
from pages._ui import dataframe, md_escape, current_user, download, get_context, perform, show_error, show_flash
from services import fees, settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
manager = can(user.role, "manage_budgets")
mine = user.department if user.role == vocab.ROLE_DEPARTMENT else ""
st.title("劳务报酬")
show_flash()
st.caption(f"{md_escape(policy.short_name)}：{md_escape(policy.fees.unit)}，依据{md_escape(policy.fees.basis_document)}（{md_escape(policy.fees.source)}）。"
           + (f"只显示本科室（{md_escape(mine)}）的任务。" if mine else ""))
with st.expander("适用标准（按生效日期分版本）"):
    for line in fees.rate_versions_text(policy):
        st.markdown(f"- {md_escape(line)}")
    st.caption(f"支付：{md_escape(policy.fees.paid_by)}")

problem = fees.rates_problem(policy, ctx.today())
today = ctx.today()

# --- 报酬明细 -------------------------------------------------------------------------------------------------
st.subheader("报酬明细")
c1, c2, c3 = st.columns([1, 2, 2])
mode = c1.radio("期间", ("全年", "自定义"), key="fees_period_mode", horizontal=True)
if mode == "全年":
    year = int(c2.number_input("年度", min_value=2000, max_value=2100, value=today.year, step=1, key="fees_year"))
    period = year
else:
    picked = c2.date_input("起止日期", value=(date(today.year, 1, 1), today), min_value=date(2000, 1, 1),
                           max_value=date(2100, 12, 31), key="fees_range", format="YYYY-MM-DD")
    period = tuple(picked) if isinstance(picked, (tuple, list)) and len(picked) == 2 else (today, today)
    year = period[0].year
kind = c3.radio("汇总方式", list(fees.KINDS), format_func=lambda k: md_escape(fees.KINDS.get(k)), key="fees_kind", horizontal=True)

if problem:
    st.warning(md_escape(problem))
else:
    try:
        found = fees.lines(ctx, user, period)
        stmt = fees.statement_from_lines(found, kind, period)
    except DomainError as error:
        show_error(error)
        found, stmt = None, None
    if stmt is not None:
        st.caption(f"{md_escape(fees.period_text(period))}，共{len(found)}行报酬（每位专家每项任务一行，计入其最后一个工作日所在期间）。")
        m1, m2, m3 = st.columns(3)
        m1.metric("合计（元）", md_escape(money(stmt.total.amount)))
        m2.metric("专家人数", int(stmt.total.experts))
        m3.metric("任务数", int(stmt.total.tasks))
        header = fees.ROW_HEADERS[kind]
        table = [{header: r.label, "工作日期": f"{r.start} 至 {r.end}" if r.start else "", "专家人数": r.experts,
                  "任务数": r.tasks, "实际工作天数": r.days_worked, "计酬天数": r.days, "劳务报酬": money(r.labour),
                  "跨市住宿费": money(r.lodging), "伙食补助费": money(r.meals), "合计": money(r.amount)}
                 for r in (*stmt.rows, stmt.total)]
        if stmt.rows:
            dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
        else:
            st.info("该期间没有劳务报酬。")
        if found:
            with st.expander(f"计算过程（{len(found)}行）"):
                dataframe(pd.DataFrame([{
                    "申请": ln.request_id, "使用事项": ln.matter, "使用科室": ln.department, "专家": ln.expert_name,
                    "工作日期": f"{ln.start} 至 {ln.end}", "跨市": "是" if ln.outside_city else "否",
                    "计酬天数": ln.days, "标准版本": "、".join(p.rate_version for p in ln.parts),
                    "合计": money(ln.amount), "计算过程": ln.working} for ln in found]), hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        download("下载 Excel 明细", lambda: fees.statement_xlsx(ctx, user, kind, period)[1], container=d1,
                 file_name=fees.statement_filename(policy, kind, period, user, ".xlsx"), mime=fees.XLSX,
                 key=f"fees_dl_xlsx_{kind}_{period}")
        download("下载劳务报酬结算表（Word）", lambda: fees.statement_docx(ctx, user, kind, period)[1], container=d2,
                 file_name=fees.statement_filename(policy, kind, period, user, ".docx"), mime=DOCX,
                 key=f"fees_dl_docx_{kind}_{period}")

# --- 预算 -----------------------------------------------------------------------------------------------------
st.subheader(f"{md_escape(year)}年预算执行情况")
if not policy.fees.budget_required:
    st.info(f"{md_escape(policy.short_name)}未规定使用前的预算审批（{md_escape(policy.fees.paid_by)}），审批使用申请时不检查预算。")
elif problem:
    st.warning(md_escape(problem))
else:
    try:
        report = fees.budget_report(ctx, year, user)
    except DomainError as error:
        show_error(error)
        report = []
    if not report:
        st.info(f"{md_escape(year)}年尚未设置预算。未设置预算的科室不能批准使用专家（第十八条 严禁无预算支出）。")
    else:
        dataframe(pd.DataFrame([{
            "使用科室（单位）": r.status.department, "预算": money(r.status.budget) if r.has_budget else "未设置",
            "已承诺": money(r.status.committed), "已支付": money(r.status.paid),
            "剩余": money(r.status.left) if r.has_budget else "—", "说明": r.note} for r in report]),
            hide_index=True, width="stretch")
        chart = pd.DataFrame([{"使用科室": r.status.department, "项目": label, "金额（元）": float(value)}
                              for r in report for label, value in (("预算", r.status.budget),
                                                                   ("已承诺", r.status.committed),
                                                                   ("已支付", r.status.paid),
                                                                   ("剩余", max(r.status.left, 0)))])
        st.altair_chart(charts.bars(
            chart, name="使用科室", value="金额（元）", money=True, group="项目",
            color=charts.colours("项目", ["预算", "已承诺", "已支付", "剩余"],
                                 [charts.GREY, charts.ORANGE, charts.BLUE, charts.GREEN]),
            tips=[charts.tooltip("使用科室", "name"), charts.tooltip("项目", "name"),
                  charts.tooltip("金额（元）", "money")], row_step=14), width="stretch")
        for r in report:
            if r.has_budget and r.status.left < 0:
                st.error(f"{md_escape(r.status.department)}：已超出预算{md_escape(money(-r.status.left))}元")

    if manager:
        with st.expander("设置或修改预算"):
            with st.form("fees_budget_form"):
                b1, b2, b3 = st.columns([3, 1, 2])
                department = b1.text_input("使用科室（单位）", key="fees_budget_department")
                budget_year = b2.number_input("年度", min_value=2000, max_value=2100, value=year, step=1,
                                              key="fees_budget_year")
                amount = b3.text_input("预算金额（元）", key="fees_budget_amount", placeholder="如 50000 或 50,000.00")
                note = st.text_input("说明", key="fees_budget_note")
                st.caption("预算不能低于该科室该年已承诺和已支付的金额。")
                if st.form_submit_button("保存预算", type="primary"):
                    perform(lambda: fees.set_budget(ctx, user, department, int(budget_year), amount, note),
                            lambda b: f"已保存 {md_escape(b['department'])} {md_escape(b['year'])}年预算 {md_escape(money(b['amount']))} 元")

# --- 支付 -----------------------------------------------------------------------------------------------------
st.subheader("支付登记")
if problem:
    st.warning(md_escape(problem))
else:
    try:
        due = fees.payable(ctx, user)
        paid = fees.paid_tasks(ctx, user)
    except DomainError as error:
        show_error(error)
        due, paid = [], []
    if not due:
        st.caption("没有待支付的已完成任务。")
    else:
        dataframe(pd.DataFrame([{"申请": r["id"], "使用科室": r["department"], "使用事项": r.get("matter", ""),
                                    "完成日期": r.get("completed_on", ""), "应付（元）": money(r["fee"])} for r in due]),
                     hide_index=True, width="stretch")
        if manager:
            with st.form("fees_pay_form"):
                by_id = {r["id"]: r for r in due}
                target = st.selectbox("已完成的任务", list(by_id), key="fees_pay_request",
                                      format_func=lambda i: f"{i}号 {by_id[i]['department']}：{by_id[i].get('matter', '')[:30]}"
                                                            f"（{money(by_id[i]['fee'])} 元）", placeholder="请选择")
                voucher = st.text_input("报销凭证号（或支付说明）", key="fees_pay_voucher")
                if st.form_submit_button("登记已支付"):
                    perform(lambda: fees.mark_paid(ctx, user, target, voucher),
                            lambda r: f"已登记支付：{md_escape(r['id'])}号 {md_escape(money(r['paid']['amount']))} 元")
    if paid:
        with st.expander(f"已支付（{len(paid)}项）"):
            dataframe(pd.DataFrame([{"申请": r["id"], "使用科室": r["department"], "使用事项": r.get("matter", ""),
                                        "支付日期": r["paid"]["on"], "金额（元）": money(r["paid"]["amount"]),
                                        "凭证": r["paid"]["voucher"], "登记人": r["paid"]["by"]} for r in paid]),
                         hide_index=True, width="stretch")
