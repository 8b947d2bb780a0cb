"""服务评价 — the office records a finished task (每名专家的实际工作天数), the using department evaluates it in time
(JC 附件8 八项指标 / YQ 附表五 优秀·良好·一般·较差), YQ 附表六 work cards and 技术帮扶 (问题隐患移交、停产撤人报告),
overdue evaluations and forms with their deadlines, and the Word forms of a task. JC-V1, YQ-V1, YQ-V2, X-V1."""
from datetime import date

import pandas as pd
import streamlit as st

from core.auth import can
from core.workdays import deadline_rule_text
from core.dates import office_date, office_period
from pages._ui import dataframe, md_escape, current_user, download, get_context, perform, show_flash
from services import calendar, evaluations, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
ev = policy.evaluations
office = can(user.role, "record_service")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
st.title("服务评价")
show_flash()
st.caption(f"评价期限：{md_escape(deadline_rule_text(policy))}；工作日按国家法定节假日和调休安排计算"
           f"（国务院节假日安排数据，至{md_escape(calendar.known_years()[1])}年）。")


def task_label(r: dict) -> str:
    return f"{r['id']}号 {r.get('department', '')}：{str(r.get('matter', ''))[:30]}（{office_period(r['start'], r['end'])}，{r['status']}）"


late = evaluations.overdue_evaluations(ctx, user)
if late:
    st.error(f"有 {len(late)} 项评价或表格逾期未交：")
    dataframe(pd.DataFrame([{"类别": r["kind"], "任务": f"{r['request_id']}号 {r['matter']}", "使用科室": r["department"],
                                "专家": r.get("expert", ""), "任务结束": r["end"], "期限": r["deadline"],
                                "逾期天数": r["days_overdue"]} for r in late]), hide_index=True, width="stretch")

# Years of tasks are kept; the lists below show what the office works on now unless a year is picked.
scopes = [evaluations.RECENT] + evaluations.task_years(ctx, user)
scope = st.selectbox("显示的任务", scopes, key="service_scope",
                     format_func=lambda s: (f"未评价的和近{evaluations.RECENT_DAYS}天内结束的任务" if s == evaluations.RECENT
                                            else f"{s}年开始的全部任务"), placeholder="请选择")

names = ["服务评价"] + (["登记完成"] if office else [])
if ev.work_record_form_id and office:
    names.append("工作记录卡")
if policy.assistance is not None:
    names.append("技术帮扶")
names.append("表格下载")
# Keyed and tracked by the server (on_change="rerun"): the open tab survives every rerun — choosing a task or
# building a form in 表格下载, and a success message shown above the tabs after 登记完成, which made plain tabs
# fall back to the first one (issue 12; tests/e2e/test_e2e_issue12_daily.py).
tabs = dict(zip(names, st.tabs(names, key="service_tabs", on_change="rerun")))

# --- 登记完成 -----------------------------------------------------------------------------------------------------
if "登记完成" in tabs:
    with tabs["登记完成"]:
        todo = {r["id"]: r for r in evaluations.tasks_to_finish(ctx, user)}
        if not todo:
            st.info("没有已到结束日期、待登记完成的任务。")
        else:
            rid = st.selectbox("任务", list(todo), format_func=lambda i: task_label(todo[i]), key="service_finish_task", placeholder="请选择")
            people = [p for p in evaluations.participants(ctx, rid) if p["status"] == "已接受"]
            span = (date.fromisoformat(todo[rid]["end"]) - date.fromisoformat(todo[rid]["start"])).days + 1
            # Every widget below belongs to task rid (or to one of its assignments): switching the task never shows
            # or submits another task's text.
            with st.form(f"service_finish_{rid}"):
                st.caption(f"实际工作天数：正整数，不超过任务起止日期的 {md_escape(span)} 天；劳务报酬据此计算。")
                days = {}
                for p in people:
                    who = f"{p['name']}（库外专家）" if p["external"] else p["name"]
                    key = (f"service_days_{rid}_{p['expert_id']}" if p["external"]
                           else f"service_days_{p['assignment_id']}")
                    days[p["expert_id"] if p["external"] else p["assignment_id"]] = st.number_input(
                        f"{md_escape(who)} 实际工作天数", min_value=0, max_value=366, value=span, step=1, key=key)
                summary = st.text_area("主要工作事项记录", key=f"service_summary_{rid}")
                on = st.date_input("完成日期", value=ctx.today(), key=f"service_completed_on_{rid}", format="YYYY-MM-DD")
                if st.form_submit_button("登记完成", type="primary"):
                    perform(lambda: evaluations.complete_task(ctx, user, rid, days=days, work_summary=summary,
                                                              completed_on=on), "已登记任务完成")

# --- 服务评价 -----------------------------------------------------------------------------------------------------
with tabs["服务评价"]:
    pending = evaluations.pending_evaluations(ctx, user)
    if pending:
        st.markdown(f"**待评价 {len(pending)} 项**")
        dataframe(pd.DataFrame([{"任务": f"{r['request_id']}号 {r['matter']}", "使用科室": r["department"],
                                    "任务结束": r["end"], "期限": r["deadline"],
                                    "状态": f"逾期{r['days_overdue']}天" if r["overdue"] else "未到期"}
                                   for r in pending]), hide_index=True, width="stretch")
        for note in {r["calendar_note"] for r in pending if r["calendar_note"]}:
            st.caption(md_escape(note))
    finished = {r["id"]: r for r in evaluations.visible_tasks(ctx, user, ("已完成",), scope=scope)}
    if not finished:
        st.info("没有已完成的任务。任务结束后由专家管理办公室登记完成，再由使用科室评价。"
                + ("更早的任务可在上方“显示的任务”中按年份查看。" if scope == evaluations.RECENT and len(scopes) > 1 else ""))
    else:
        rid = st.selectbox("评价的任务", list(finished), key="service_eval_task",
                           format_func=lambda i: task_label(finished[i]) + ("（已评价，可更正）" if finished[i]["evaluated"] else ""), placeholder="请选择")
        existing = evaluations.evaluation_of(ctx, rid) or {}
        before = {str(r["expert_id"]): r for r in existing.get("ratings") or []}
        people = [p for p in evaluations.participants(ctx, rid) if p["status"] == "已完成"]
        if existing:
            st.info(f"已于 {md_escape(office_date(existing['filed_on']))} 评价" + ("（逾期报送）" if existing.get("late") else "")
                    + "；再次保存即更正，原记录留在审计日志中。")
        # Keyed by the task (and expert): another task's ratings and text never carry over (issue 10 item 1).
        with st.form(f"service_evaluate_{rid}"):
            ratings = []
            for p in people:
                old = before.get(str(p["expert_id"]), {})
                eid = f"{rid}_{p['expert_id']}"
                st.text(f"{p['name']}{'（库外专家，' + p['unit'] + '）' if p['external'] else ''}"
                        f"（实际工作 {p['days_worked'] or '—'} 天）")
                row = {"expert_id": p["expert_id"]}
                if ev.indicators:
                    picked = {}
                    for ind in ev.indicators:
                        if ind.number == ev.overall_indicator:
                            continue
                        value = (old.get("indicators") or {}).get(str(ind.number), ind.options[0])
                        picked[str(ind.number)] = st.radio(f"{md_escape(ind.number)}.{md_escape(ind.text)}", ind.options, horizontal=True, format_func=md_escape,
                                                           index=list(ind.options).index(value) if value in ind.options else 0,
                                                           key=f"service_ind_{eid}_{ind.number}")
                    row["indicators"] = picked
                overall = old.get("overall")
                row["overall"] = st.radio("总体评价" if ev.indicators else "对专家工作情况评价", ev.ratings, horizontal=True, format_func=md_escape,
                                          index=list(ev.ratings).index(overall) if overall in ev.ratings else None,
                                          key=f"service_overall_{eid}")
                row["reason"] = st.text_input(
                    f"{md_escape(ev.reason_field)}（评为{md_escape('、'.join(ev.reason_required_for))}时必填）", old.get("reason", ""),
                    key=f"service_reason_{eid}")
                ratings.append(row)
            data = {"ratings": ratings}
            if ev.indicators:
                data["meaningful_items"] = st.text_area(
                    f"专家认为提供服务有意义的事项（{md_escape(ev.meaningful_items_min)}–{md_escape(ev.meaningful_items_max)}项，每行一项）",
                    "\n".join(existing.get("meaningful_items") or []), key=f"service_items_{rid}").splitlines()
                data["work_record"] = st.text_area("主要工作事项记录",
                                                   existing.get("work_record") or finished[rid].get("work_summary", ""),
                                                   key=f"service_work_record_{rid}")
            if ev.uniform_rule:
                st.caption(md_escape(ev.uniform_rule.source))
            if st.form_submit_button("保存评价", type="primary"):
                def saved_message(saved):
                    late_note = "（逾期报送）" if saved["late"] else ""
                    return "；".join([f"已保存评价{late_note}"] + [f"{md_escape(c['name'])}：{md_escape(c['text'])} — "
                                                          f"{md_escape(c['outcome'])}" for c in saved["consequences"]])
                perform(lambda: evaluations.evaluate(ctx, user, rid, data), saved_message)

# --- YQ 附表六 工作记录卡 ----------------------------------------------------------------------------------------
if "工作记录卡" in tabs:
    with tabs["工作记录卡"]:
        done = {r["id"]: r for r in evaluations.visible_tasks(ctx, user, ("已完成",), scope=scope)}
        if not done:
            st.info("没有已完成的任务。")
        else:
            rid = st.selectbox("任务", list(done), format_func=lambda i: task_label(done[i]), key="service_card_task", placeholder="请选择")
            cards = {c["assignment_id"]: c for c in evaluations.work_cards_of(ctx, rid)}
            people = {p["assignment_id"]: p for p in evaluations.participants(ctx, rid)
                      if p["status"] == "已完成" and not p["external"]}
            aid = st.selectbox("专家", list(people), key=f"service_card_expert_{rid}",
                               format_func=lambda a: people[a]["name"] + ("（已交回）" if a in cards else "（未交回）"), placeholder="请选择")
            old = cards.get(aid, {})
            with st.form(f"service_card_{aid}"):
                matter = st.text_input("工作事项", old.get("matter") or done[rid].get("matter", ""),
                                       key=f"service_card_matter_{aid}")
                situation = st.text_area("工作情况", old.get("situation", ""), key=f"service_card_situation_{aid}")
                returned = st.date_input("交回日期", value=ctx.today(), key=f"service_card_returned_{aid}",
                                         format="YYYY-MM-DD")
                if st.form_submit_button("登记工作记录卡", type="primary"):
                    perform(lambda: evaluations.record_work_card(ctx, user, aid, {
                        "matter": matter, "situation": situation, "returned_on": returned}), "已登记工作记录卡")

# --- YQ 技术帮扶（第十五条–第十八条） -----------------------------------------------------------------------------
if "技术帮扶" in tabs:
    with tabs["技术帮扶"]:
        section = policy.assistance
        st.caption(f"{md_escape(section.name)}（{md_escape(section.source)}）：重点为{md_escape('、'.join(section.priority_targets))}。")
        if office:
            for report in evaluations.urgent_reports(ctx):
                with st.form(f"service_ack_{report['id']}"):
                    st.error(f"停产撤人报告（{md_escape(office_date(report['urgent_report']['reported_on']))}，{md_escape(report['id'])}号帮扶记录）")
                    st.text(f"{report['enterprise']}：{report['urgent_report']['content']}")
                    action = st.text_input(f"{md_escape(section.report_to)}采取的措施（第十七条）", key=f"service_ack_action_{report['id']}")
                    if st.form_submit_button("登记处理措施"):
                        perform(lambda r=report, a=action: evaluations.acknowledge_urgent(ctx, user, r["id"], a),
                                "已登记处理措施")
        active = {r["id"]: r for r in evaluations.visible_tasks(ctx, user, scope=scope)}
        if not active:
            st.info("没有已委派或已完成的任务。")
        else:
            rid = st.selectbox("任务", list(active), format_func=lambda i: task_label(active[i]), key="service_help_task", placeholder="请选择")
            records = evaluations.assistance_of(ctx, rid)
            if records:
                dataframe(pd.DataFrame([{"编号": x["id"], "企业": x["enterprise"], "问题隐患": len(x["items"]),
                                            "移交日期": x.get("handed_over_on") or "",
                                            "停产撤人": ("已处理" if x.get("acknowledged") else "待处理") if x.get("urgent") else ""}
                                           for x in records]), hide_index=True, width="stretch")
            with st.form(f"service_urgent_{rid}"):
                st.markdown("**停产撤人报告（第十六条）**")
                content = st.text_area("发现的重大风险隐患及已责令停止作业、撤出人员的情况",
                                       key=f"service_urgent_content_{rid}")
                if st.form_submit_button(f"报告{md_escape(section.report_to)}"):
                    perform(lambda: evaluations.report_urgent(ctx, user, rid, content), "已登记停产撤人报告，已提醒专家管理办公室")
            if office:
                with st.form(f"service_help_{rid}"):
                    st.markdown("**问题隐患及建议书面移交企业（第十八条）**")
                    targets = active[rid].get("target_enterprises") or [""]
                    choices = {0: "新建一条"} | {x["id"]: f"补全{x['id']}号（{x['enterprise']}）" for x in records}
                    target = st.selectbox("记录", list(choices), format_func=choices.get, key=f"service_help_target_{rid}", placeholder="请选择")
                    enterprise = st.text_input("被帮扶企业", targets[0], key=f"service_help_enterprise_{rid}")
                    problems = st.text_area("所发现的问题隐患（每行一条）", key=f"service_help_problems_{rid}")
                    suggestions = st.text_area("整改建议（每行一条，与上面的问题逐行对应）",
                                               key=f"service_help_suggestions_{rid}")
                    handed = st.date_input("移交日期", value=ctx.today(), key=f"service_help_handed_{rid}",
                                           format="YYYY-MM-DD")
                    if st.form_submit_button("登记帮扶记录", type="primary"):
                        lines, advice = problems.splitlines(), suggestions.splitlines()
                        items = [{"problem": p, "suggestion": advice[i] if i < len(advice) else ""}
                                 for i, p in enumerate(lines)]
                        items += [{"problem": "", "suggestion": s} for s in advice[len(lines):]]
                        perform(lambda: evaluations.record_assistance(ctx, user, rid, {
                            "assistance_id": target or None, "enterprise": enterprise, "items": items,
                            "handed_over_on": handed}), "已登记帮扶记录，可下载移交书")

# --- 表格下载 -----------------------------------------------------------------------------------------------------
with tabs["表格下载"]:
    done = {r["id"]: r for r in evaluations.visible_tasks(ctx, user, ("已完成",), scope=scope)}
    if not done:
        st.info("任务登记完成后可下载评价表格。")
    else:
        rid = st.selectbox("任务", list(done), format_func=lambda i: task_label(done[i]), key="service_forms_task", placeholder="请选择")
        for n, (title, filename, build) in enumerate(evaluations.forms_for_task(ctx, rid)):
            download(f"下载{md_escape(title)}", build, file_name=filename, key=f"service_dl_{rid}_{n}", mime=DOCX)
