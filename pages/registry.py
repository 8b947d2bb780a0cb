"""专家库 — the filterable registry with counts against the caps, a detail view with the audit history and the
expert's own documents (申报表, 聘书, 工作记录卡, 履职考核表 …, issue 12), Excel export of the filtered view, and the
printable 分类表 (Word)."""
import logging

import pandas as pd
import streamlit as st

from core import vocab
from core.auth import can
from core.errors import DomainError
from core.masking import sees_full_personal_data
from core.expert_fields import EXPERT_FIELDS, GROUPS
from core.registry import RegistryFilter, specialty_label_or_code
from core.dates import office_date, office_period
from pages._ui import (dataframe, md_escape, DEMO_BADGE, current_user, download, get_context, perform, prepare_label, show_error,
                       show_flash)
from services import dispatch, expert_documents, experts, forms_service, lifecycle, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
taxonomy = policy.taxonomy
st.title("专家库")
show_flash()

with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 3])
    text = c1.text_input("姓名/单位/职称", key="registry_text", placeholder="输入关键字")
    sectors = {"": "全部行业领域"} | {s.code: f"{s.code}. {s.name}" for s in taxonomy.sectors}
    sector = c2.selectbox("行业领域", list(sectors), format_func=sectors.get, key="registry_sector", placeholder="请选择")
    spec_codes = [sp.code for s in taxonomy.sectors if not sector or s.code == sector for sp in s.specialties]
    specialty = c3.selectbox("专业", [""] + spec_codes, key="registry_specialty",
                             format_func=lambda c: taxonomy.specialty_label(c) if c else "全部专业", placeholder="请选择")
    c4, c5, c6 = st.columns([3, 2, 2])
    states = c4.multiselect("状态", vocab.EXPERT_STATES, key="registry_states", placeholder="全部状态")
    titles = c5.multiselect("职称等级", vocab.TITLE_LEVELS, key="registry_titles", placeholder="全部等级")
    demo = c6.selectbox("演示数据", ("全部", "仅演示数据", "不含演示数据"), key="registry_demo", placeholder="请选择")

flt = RegistryFilter(text=text, sector=sector, specialty=specialty if specialty in spec_codes else "",
                     states=tuple(states), title_levels=tuple(titles), demo=demo)
view = experts.registry_view(ctx, user, flt)
rows, records, summary, others = view.rows, view.records, view.summary, view.other_policies
elsewhere = settings.elsewhere_text(ctx, others)  # the profile's Chinese name, never its id
if elsewhere:
    st.caption(md_escape(elsewhere))

if view.malformed:  # valid JSON of the wrong shape: listed with its id, never a traceback
    st.warning(f"有 {len(view.malformed)} 条记录格式有误，未列入名单和统计，请管理员核查数据文件或从备份恢复。")
    dataframe(pd.DataFrame([{"记录编号": str(m.id), "姓名": m.name, "问题": "；".join(m.problems)}
                               for m in view.malformed]), hide_index=True, width="stretch", key="registry_malformed")

tab_list, tab_sectors, tab_specs = st.tabs([f"名单（{len(rows)}人）", "行业领域名额", "专业名额"],
                                              key="registry_tabs", on_change="rerun")
with tab_list:
    frame = pd.DataFrame(rows, columns=["id", "姓名", "单位", "行业领域", "专业", "状态", "职称", "年龄", "聘期结束", "演示数据"])
    if rows:
        event = dataframe(frame.drop(columns=["id"]), hide_index=True, width="stretch",
                             on_select="rerun", selection_mode="single-row", key="registry_table")
        st.caption(f"共 {len(rows)} 人。点击表格左侧选中一行可查看详情。")
    else:  # an empty grid says "empty" in English: say in Chinese why there is nobody
        event = None
        st.info(f"当前政策（{md_escape(policy.short_name)}）下没有专家。{md_escape(elsewhere)}" if not sum(summary.state_counts.values())
                else "没有符合筛选条件的专家，请放宽筛选条件。")
    if can(user.role, "export_experts") and records:
        # built only when clicked (3,000 rows take ~2 s), not on every rerun of the page
        download("导出当前筛选结果（Excel）", lambda: experts.export_xlsx(ctx, user, records),
                 file_name=f"专家名单_{ctx.today():%Y%m%d}.xlsx",
                 mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 key="registry_export")

with tab_sectors:
    dataframe(pd.DataFrame([{"行业领域": f"{r.code}. {r.name}", "在库人数": r.count,
                                "上限": r.limit_max if r.limit_max is not None else "不限",
                                "状态": r.status, "牵头科室": r.lead_department or ""} for r in summary.sectors]),
                 hide_index=True, width="stretch")
    cap = f"，上限 {summary.pool_cap} 人" if summary.pool_cap else ""
    st.caption(f"在库（含暂停）专家共 {md_escape(summary.total)} 人{md_escape(cap)}；一名专家在同一行业领域只计一次。")
    for problem in view.group_problems:
        st.warning(md_escape(problem))
with tab_specs:
    limits = (f"每个专业原则上 {taxonomy.specialty_min}–{taxonomy.specialty_max} 人"
              if taxonomy.specialty_max else "本政策未规定各专业人数")
    st.caption(md_escape(limits))
    dataframe(pd.DataFrame([{"专业": f"{r.code} {r.name}", "行业领域": r.category, "在库人数": r.count,
                                "状态": r.status} for r in summary.specialties]),
                 hide_index=True, width="stretch")
    download("下载专家分类表（Word）", lambda: forms_service.taxonomy_form(policy, ctx.today())[1],
             file_name=forms_service.taxonomy_filename(policy, ctx.today()), key=f"registry_taxonomy_docx_{policy.id}",
             mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_download(doc, key: str) -> None:
    """生成… then 下载… (Word) of one of the expert's documents: built on click (its file name comes with it), a
    failure said in Chinese, the download button does not rerun the page (as pages._ui.download)."""
    label = f"下载{md_escape(doc.title)}（Word）"
    if not st.button(md_escape(prepare_label(f"下载{doc.title}（Word）")), key=f"{key}__make"):
        return
    try:
        file_name, data = doc.build()  # audited as a personal-data export (services.expert_documents)
    except DomainError as error:
        st.error(f"未能生成“{md_escape(doc.title)}”：{md_escape(error.message)}")
        return
    except Exception:  # a defect: logged for the administrator, a Chinese message for the user
        logging.getLogger("zhuanjiaku.downloads").exception("building %s failed", key)
        st.error(f"未能生成“{md_escape(doc.title)}”：系统内部错误（已记入服务器日志）。请刷新页面后重试；"
                 "仍不成功请联系系统管理员。")
        return
    st.download_button(label, data, file_name=file_name, mime=DOCX, key=key, on_click="ignore",
                       type="primary", icon=":material/download:")


def own_documents(expert_id: int) -> None:
    """本人材料 (issue 12): the expert's own forms — 申报表, 廉政承诺书, 聘书, 工作记录卡, 履职考核表 — as far as they
    exist; only for a role that sees full personal data, each download recorded as a personal-data export."""
    if not sees_full_personal_data(user.role):
        with st.expander("本人材料"):
            st.caption("申报表、聘书等本人材料含完整的身份证号和联系电话，只有管理员和专家管理办公室可以下载。")
        return
    try:
        docs = expert_documents.documents(ctx, user, expert_id)
    except DomainError as error:
        show_error(error)
        return
    with st.expander(f"本人材料（{len(docs)}份）", expanded=True):
        st.caption("点击“生成…”后下载 Word 文件；每次下载都记入操作日志（个人信息导出记录）。")
        for doc in docs:
            left, right = st.columns([3, 2], vertical_alignment="center")
            left.text(f"{doc.title}{'：' + doc.note if doc.note else ''}")  # user text: never Markdown
            with right:
                document_download(doc, f"registry_doc_{expert_id}_{doc.key}")


selected = event.selection.rows if event is not None else []
if selected:
    expert_id = int(frame.iloc[selected[0]]["id"])
    try:
        record = experts.get_expert(ctx, user, expert_id)
        trail = experts.history(ctx, user, expert_id)
    except DomainError as error:
        show_error(error)
        st.stop()
    st.divider()
    st.subheader("专家详情")
    st.text(f"{record['name']}（{record.get('state')}）")  # user text: never rendered as Markdown
    if record.get("is_demo"):
        st.markdown(DEMO_BADGE)
    for group in GROUPS:
        with st.expander(md_escape(group), expanded=group == "基本信息"):
            for field in (f for f in EXPERT_FIELDS if f.group == group):
                value = record.get(field.key)
                if field.kind == "specialties":
                    value = "；".join(specialty_label_or_code(taxonomy, c) for c in value or ())
                elif isinstance(value, list):
                    value = "、".join(value)
                elif isinstance(value, bool):
                    value = "是" if value else "否"
                st.text(f"{field.label}：{value if value not in (None, '') else '—'}")
    own_documents(expert_id)
    tasks = dispatch.tasks_of(ctx, expert_id)
    with st.expander(f"委派记录（{len(tasks)}）"):
        if not tasks:
            st.caption("暂无委派记录。")
        else:
            dataframe(pd.DataFrame([{"事项": t["matter"], "时间": f"{t['start']} 至 {t['end']}", "状态": t["status"],
                                        "拒绝理由": t.get("decline_reason", "")} for t in tasks]),
                         hide_index=True, width="stretch")
    periods = record.get("unavailable") or []
    with st.expander(f"不可参加时段（{len(periods)}）"):
        for period in periods:
            st.text(f"· {office_period(period.get('start'), period.get('end'))}：{period.get('reason', '')}")
        if can(user.role, "edit_experts"):
            with st.form(f"registry_unavailable_{expert_id}"):
                c1, c2 = st.columns(2)
                start = c1.date_input("开始", value=None, key=f"registry_unavail_start_{expert_id}", format="YYYY-MM-DD")
                end = c2.date_input("结束", value=None, key=f"registry_unavail_end_{expert_id}", format="YYYY-MM-DD")
                why = st.text_input("原因", key=f"registry_unavail_reason_{expert_id}")
                if st.form_submit_button("申报不可参加"):
                    perform(lambda: experts.declare_unavailable(ctx, user, expert_id, start, end, why), "已记录")
    transitions = experts.state_history(ctx, user, expert_id)  # masked like the record for 使用科室/领导
    with st.expander(f"状态记录（{len(transitions)}）"):
        if not transitions:
            st.caption("暂无状态记录。")
        else:
            dataframe(pd.DataFrame([{"时间": t.get("at", ""), "由": t.get("from") or "（系统外聘任）",
                                        "变为": t.get("to", ""), "办理": t.get("workflow") or t.get("kind") or "",
                                        "理由": t.get("reason", ""), "操作人": t.get("by", "")} for t in transitions]),
                         hide_index=True, width="stretch")
    registration = record.get("legacy_registration")
    if isinstance(registration, dict):
        with st.expander("存量专家登记"):
            st.text(f"聘任文件：{registration.get('document_number')}　聘任日期：{office_date(registration.get('appointed_on'))}"
                    f"　聘期至：{office_date(registration.get('term_end'))}（{registration.get('term_basis', '')}）")
            st.text(f"登记人：{registration.get('by')}　登记时间：{registration.get('at')}")
            relaxed = registration.get("relaxations") or {}
            if relaxed:
                dataframe(pd.DataFrame([{"条件": v.get("name"), "审查结果": v.get("status"), "审查说明": v.get("finding"),
                                            "放宽或核实理由": v.get("reason")} for v in relaxed.values()]),
                             hide_index=True, width="stretch")
            else:
                st.caption("登记时各项资格条件均符合。")
    with st.expander(f"修改记录（{len(trail)}）"):
        if not trail:
            st.caption("暂无修改记录。")
        else:
            dataframe(pd.DataFrame(trail), hide_index=True, width="stretch")
    if user.role == vocab.ROLE_ADMIN:  # 更正: undo a mistaken step, recorded; never 在库/已审核/解聘/清退
        target, explanation = lifecycle.correction_option(ctx, user, expert_id)
        with st.expander(f"更正状态（管理员，当前：{md_escape(record['state'])}）"):
            st.caption("状态只能通过相应程序变更（条件审核、推荐与聘任、解聘清退、聘期届满）。更正只用于撤回一次误操作："
                       "回到最近一次变更前的状态，须写明错在哪里和理由；更正永远不能产生在库、已审核、解聘或清退。")
            st.text(explanation)
            if target is not None:
                with st.form(f"registry_correct_{expert_id}"):
                    wrong = st.text_area("错在哪里（至少10个字）", key=f"registry_correct_wrong_{expert_id}")
                    why = st.text_area("更正理由和依据（至少10个字）", key=f"registry_correct_why_{expert_id}")
                    if st.form_submit_button(f"更正为“{md_escape(target)}”"):
                        perform(lambda: lifecycle.correct_state(ctx, user, expert_id, target, wrong, why), "已更正")
    elif can(user.role, "edit_experts"):
        st.caption("状态只能通过相应程序变更：条件审核、推荐与聘任、解聘清退；误操作请由管理员在此处更正。")
    if can(user.role, "edit_experts"):
        if st.button("修改此专家信息", key="registry_edit"):
            st.session_state["expert_form_id"] = expert_id
            st.switch_page("pages/expert_form.py")
