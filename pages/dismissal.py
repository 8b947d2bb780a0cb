"""解聘清退 — raise a reason of the profile against an expert (suspended at once where the profile says so), take
the case through its procedure step by step, keep the ban list (永不录用); YQ reminder talks are recorded here.
条件变化：拟解聘/清退建议 (JC 第九条(二), YQ 第二十四条(十)) are computed on today's date and opened as a case with one
click; a proposal leaves the list once its case is open."""
import pandas as pd
import streamlit as st

from core.dates import office_date, office_datetime
from pages._ui import dataframe, md_escape, current_user, get_context, perform, show_flash
from services import conditions as pool_conditions
from services import dismissals, dispatch, experts, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("解聘清退")
show_flash()
reasons = dismissals.reasons(ctx)
pool = {e["id"]: e for e in experts.active_experts(ctx) if e.get("state") in ("在库", "暂停")}




pending = dispatch.proposals(ctx)
changed = pool_conditions.proposals(ctx, user)
tab_prop, tab_new, tab_open, tab_done, tab_talk = st.tabs(
    [f"待处理建议（{len(pending) + len(changed)}）", "提出解聘", "办理中", "已办结与永不录用", "提醒谈话"],
    key="dismissal_tabs", on_change="rerun")
with tab_prop:
    st.subheader("条件变化：拟解聘/清退建议")
    st.caption("每天按当日日期核对在库专家的年龄等随时间变化的条件；这些专家已不参加抽取。立案后按解聘程序办理，"
               "建议随即从本列表消失。")
    if not changed:
        st.caption("没有条件变化的建议。")
    for proposal in changed:
        with st.container(border=True):
            st.text(f"{proposal['name']}（{proposal['unit']}，{proposal['state']}）"
                    + ("　演示数据" if proposal["is_demo"] else ""))
            st.text(f"情形：{proposal['reason_label'] or '（本政策未指定对应情形）'}")
            st.text(f"理由：{proposal['reason']}")
            if st.button("立案（按上述情形提出解聘/清退）", key=f"dismissal_cond_raise_{proposal['expert_id']}"):
                perform(lambda p=proposal: pool_conditions.raise_case(ctx, user, p["expert_id"]),
                        "已立案，请在“办理中”继续办理")
    st.subheader("拒绝委派等情形的建议")
    st.caption("由拒绝委派等情形自动生成的建议，须由办公室决定是否立案，系统不会自动解聘。")
    if not pending:
        st.caption("没有待处理的建议。")
    for proposal in pending:
        with st.form(f"dismissal_proposal_{proposal['id']}"):
            st.text(f"{proposal['name']} — {reasons.get(proposal['reason_number'], '')}")  # user text: never Markdown
            st.text(f"{proposal['source']}：{proposal['text']}（{office_date(proposal['created_on'])}）")
            note = st.text_input("处理意见", key=f"dismissal_prop_note_{proposal['id']}")
            decision = st.radio("决定", ("立案", "不予立案"), horizontal=True, key=f"dismissal_prop_dec_{proposal['id']}")
            if st.form_submit_button("提交"):
                perform(lambda p=proposal, n=note, d=decision: dispatch.handle_proposal(
                    ctx, user, p["id"], open_case=d == "立案", note=n), f"已{md_escape(decision)}")

with tab_new:
    with st.form("dismissal_new"):
        expert_id = st.selectbox("专家", list(pool), key="dismissal_expert", index=None, placeholder="选择专家",
                                 format_func=lambda i: f"{pool[i]['name']}（{pool[i].get('unit', '')}，{pool[i]['state']}）")
        reason = st.selectbox("情形", list(reasons), key="dismissal_reason", format_func=reasons.get, placeholder="请选择")
        evidence = st.text_area("事实与依据", key="dismissal_evidence")
        if policy.dismissal.suspend_immediately:
            st.caption("提出后该专家立即停止使用（暂停），不再参与抽取。")
        if st.form_submit_button("提出解聘", type="primary"):
            perform(lambda: dismissals.raise_case(ctx, user, expert_id, reason, evidence), "已提出解聘")

with tab_open:
    open_cases = dismissals.cases(ctx, "进行中")
    if not open_cases:
        st.caption("没有正在办理的解聘事项。")
    for case in open_cases:
        with st.container(border=True):
            st.text(f"{case['name']} — {case['reason_label']}")  # user text: never Markdown
            if case["permanent"]:
                st.markdown(":red-badge[永不录用]")
            st.text(f"事实与依据：{case['evidence']}")
            for step in case["steps"]:
                st.text(f"✔ {step['name']}（{office_datetime(step['done_on'])}，{step['by']}）{step['note']}")
            next_step = case.get("next_step")
            if next_step:
                with st.form(f"dismissal_step_{case['id']}"):
                    st.markdown(f"下一步：**{md_escape(next_step)}**")
                    day = st.date_input("办理日期", value=None, key=f"dismissal_day_{case['id']}", format="YYYY-MM-DD")
                    note = st.text_input("说明", key=f"dismissal_note_{case['id']}")
                    notice = {}
                    if case["next_is_notice"]:
                        notice["notice_start"] = st.date_input("公示开始", value=None, key=f"dismissal_ns_{case['id']}")
                        notice["notice_end"] = st.date_input("公示结束", value=None, key=f"dismissal_ne_{case['id']}")
                    verdict = st.radio("结果", ("同意", "不同意（撤销解聘）"), horizontal=True, key=f"dismissal_ok_{case['id']}")
                    if st.form_submit_button("记录"):
                        perform(lambda c=case, d=day, n=note, v=verdict, ns=notice: dismissals.advance(
                            ctx, user, c["id"], done_on=d, note=n, approved=v == "同意", **ns), "已记录")

with tab_done:
    done = [c for c in dismissals.cases(ctx) if c["status"] != "进行中"]
    if done:
        dataframe(pd.DataFrame([{"姓名": c["name"], "情形": c["reason_label"], "结果": c["outcome"] or c["status"],
                                    "永不录用": "是" if c["permanent"] and c["status"] == "已完成" else ""}
                                   for c in done]), hide_index=True, width="stretch")
    else:
        st.caption("没有已办结的解聘事项。")

with tab_talk:
    with st.form("dismissal_talk"):
        target = st.selectbox("专家", list(pool), key="dismissal_talk_expert", index=None, placeholder="选择专家",
                              format_func=lambda i: pool[i]["name"])
        reason = st.selectbox("情形", list(reasons), key="dismissal_talk_reason", format_func=reasons.get, placeholder="请选择")
        note = st.text_area("谈话记录", key="dismissal_talk_note")
        if st.form_submit_button("记录提醒谈话"):
            perform(lambda: dismissals.record_reminder_talk(ctx, user, target, reason, note), "已记录提醒谈话")
