"""推荐与聘任 — JC: 推荐汇总 (附件5) → 拟定名单 → 领导小组会议审议 → 公示 → 聘任; YQ: 公示名单 → 公示 → 办公会议审定
→ 聘任. Each step records who, when and why; forms (附件5, 附表三, 公示名单, 聘书) download from here."""
from datetime import date

import pandas as pd
import streamlit as st

from core.dates import office_date, office_period
from pages._ui import dataframe, md_escape, current_user, download, get_context, perform, show_flash
from services import applications, forms_service, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
jc = applications.uses_recommendation(policy)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
st.title("推荐与聘任")
show_flash()




def people_table(people: list[dict]) -> None:
    dataframe(pd.DataFrame([{"姓名": e["name"], "单位": e.get("unit", ""), "职称": e.get("title", ""),
                                "状态": e.get("state", "")} for e in people]), hide_index=True, width="stretch")


# a keyed radio, not st.tabs: the office stays on its section after each action's rerun
sections = ["推荐汇总（附件5）", "拟定名单", "名单办理"] if jc else ["公示名单", "名单办理"]
section = st.radio("办理环节", sections, horizontal=True, key="appointment_section", label_visibility="collapsed")
if jc and section == sections[0]:
    reviewed = {e["id"]: e for e, _ in applications.submitted(ctx, state="已审核")}
    with st.form("appointment_recommend"):
        chosen = st.multiselect("审核通过、待推荐的人员", list(reviewed), key="appointment_recommend_ids",
                                format_func=lambda i: reviewed[i]["name"], placeholder="选择要推荐的人员")
        if st.form_submit_button("列入推荐汇总表"):
            perform(lambda: applications.recommend(ctx, user, chosen), f"已推荐 {len(chosen)} 人")
    groups = applications.by_lead_office(ctx)
    for office, rows in groups.items():
        st.markdown(f"**{md_escape(office)}**（{len(rows)}人）")
        people_table([e for e, _ in rows])
        download(f"下载附件5（{md_escape(office)}）", lambda r=rows, o=office: forms_service.recommendation_summary_form(
            r, o, policy, ctx.today())[1], file_name=f"附件5_推荐汇总表_{office}.docx", key=f"appointment_fj5_{office}",
            mime=DOCX)
    everyone = [row for rows in groups.values() for row in rows]
    if everyone and st.button(f"生成全部推荐人员申报表（{len(everyone)}份，zip）", key="appointment_fj2_zip"):
        bar = st.progress(0.0, text="正在生成申报表…")
        data = forms_service.application_forms_zip(
            everyone, policy, photos=applications.photos_of(ctx, [e["id"] for e, _ in everyone]),
            progress=lambda done, total: bar.progress(done / total, text=f"{md_escape(done)}/{md_escape(total)}"))
        st.download_button("下载申报表（zip）", data, file_name=f"附件2_申报表_{len(everyone)}份.zip",
                           mime="application/zip", key="appointment_fj2_zip_dl", on_click="ignore")

if section == sections[-2]:
    source = "已推荐" if jc else "已审核"
    rows = applications.submitted(ctx, state=source)
    candidates = {e["id"]: e for e, _ in rows}
    st.caption(f"可列入名单的人员：状态为“{source}”。")
    if not jc and rows:
        st.download_button("下载附表三 汇总表（Word）", lambda: forms_service.yq_summary_form(rows, policy, ctx.today())[1],
                           file_name=f"附表三_汇总表_{ctx.today():%Y%m%d}.docx", key="appointment_fb3", mime=DOCX)
    with st.form("appointment_round"):
        name = st.text_input("名单名称", value=f"{ctx.today().year}年度专家库拟定名单", key="appointment_round_name")
        chosen = st.multiselect("列入名单的人员", list(candidates), key="appointment_round_ids",
                                format_func=lambda i: candidates[i]["name"], placeholder="选择人员")
        if st.form_submit_button("建立名单"):
            perform(lambda: applications.open_round(ctx, user, chosen, name), "已建立名单")

if section == sections[-1]:
    rounds = {r["id"]: r for r in applications.rounds(ctx)}
    if not rounds:
        st.info("还没有名单。")
        st.stop()
    round_id = st.selectbox("名单", list(rounds), key="appointment_round", format_func=lambda i: rounds[i]["name"], placeholder="请选择")
    rnd = rounds[round_id]
    members = applications.round_members(ctx, round_id)
    people_table(members)
    notice = rnd.get("notice")
    meeting = rnd.get("meeting")
    meeting_label = "领导小组会议审议" if jc else "办公会议审定"

    def meeting_form():
        with st.form("appointment_meeting"):
            st.markdown(f"**{meeting_label}**")
            day = st.date_input("会议日期", value=None, key="appointment_meeting_date", format="YYYY-MM-DD")
            decisions = {e["id"]: st.checkbox(f"{md_escape(e['name'])} 通过", value=True, key=f"appointment_dec_{e['id']}")
                         for e in members if e.get("state") == ("拟定" if jc else "公示中")}
            note = st.text_input("备注（会议纪要文号等）", key="appointment_meeting_note")
            if st.form_submit_button("记录会议结果"):
                perform(lambda: applications.record_meeting(ctx, user, round_id, meeting_date=day, decisions=decisions,
                                                        note=note), "已记录会议结果")

    def notice_form():
        with st.form("appointment_notice"):
            st.markdown(f"**公示**（{md_escape(policy.lifecycle.notice_days)}日）")
            start = st.date_input("公示开始日期", value=None, key="appointment_notice_start", format="YYYY-MM-DD")
            end = st.date_input("公示结束日期（不填则按政策天数计算）", value=None, key="appointment_notice_end",
                                format="YYYY-MM-DD")
            if st.form_submit_button("开始公示"):
                perform(lambda: applications.start_notice(ctx, user, round_id, start=start, end=end), "已开始公示")

    if jc and not meeting:
        meeting_form()
    elif not notice:
        notice_form()
    else:
        st.success(f"公示期：{md_escape(office_period(notice['start'], notice['end']))}")
        st.download_button("下载公示名单（Word）", lambda: forms_service.notice_form(
            applications.round_rows(ctx, round_id), policy, date.fromisoformat(notice["start"]),
            date.fromisoformat(notice["end"]), issued_on=ctx.today())[1],
            file_name=f"公示名单_{rnd['name']}.docx", key="appointment_notice_docx", mime=DOCX)
        for index, objection in enumerate(rnd["objections"]):
            who = next((e["name"] for e in members if e["id"] == objection["expert_id"]), "?")
            status = ("属实，已取消" if objection["upheld"] else "不属实") if objection["resolved"] else "待核查"
            st.markdown(f"- 异议（{md_escape(who)}，{md_escape(office_date(objection['raised_on']))}）：{md_escape(objection['text'])} — **{status}** {md_escape(objection['note'])}")
            if not objection["resolved"]:
                with st.form(f"appointment_resolve_{index}"):
                    note = st.text_input("核查结论", key=f"appointment_resolve_note_{index}")
                    upheld = st.radio("异议是否属实", ("不属实", "属实"), horizontal=True, key=f"appointment_upheld_{index}")
                    if st.form_submit_button("处理异议"):
                        perform(lambda i=index: applications.resolve_objection(ctx, user, round_id, i, upheld=upheld == "属实",
                                                                           note=note), "已处理异议")
        with st.form("appointment_objection"):
            target = st.selectbox("被提出异议的人员", [e["id"] for e in members], key="appointment_obj_target",
                                  format_func=lambda i: next(e["name"] for e in members if e["id"] == i), placeholder="请选择")
            text = st.text_area("异议内容", key="appointment_obj_text")
            if st.form_submit_button("记录异议"):
                perform(lambda: applications.add_objection(ctx, user, round_id, target, text), "已记录异议")
        if not jc and not meeting:
            meeting_form()
        elif not rnd.get("appointed_on"):
            with st.form("appointment_appoint"):
                day = st.date_input("聘任日期", value=None, key="appointment_day", format="YYYY-MM-DD")
                if st.form_submit_button("聘任并生成聘书编号", type="primary"):
                    perform(lambda: applications.appoint(ctx, user, round_id, appointed_on=day), "已聘任")
        else:
            appointed = [e for e in members if e.get("state") == "在库" and e.get("certificate_no")]
            st.success(f"已于 {md_escape(office_date(rnd['appointed_on']))} 聘任 {len(appointed)} 人")
            if appointed and st.button("生成全部聘书（zip）", key="appointment_certificates"):
                bar = st.progress(0.0, text="正在生成聘书…")
                items = [(e, e["certificate_no"], date.fromisoformat(e["term_start"]), date.fromisoformat(e["term_end"]))
                         for e in appointed]
                data = forms_service.certificates_zip(
                    items, policy, date.fromisoformat(rnd["appointed_on"]),
                    progress=lambda done, total: bar.progress(done / total, text=f"{md_escape(done)}/{md_escape(total)}"))
                st.download_button("下载聘书（zip）", data, file_name=f"聘书_{rnd['name']}.zip",
                                   mime="application/zip", key="appointment_certificates_zip", on_click="ignore")
