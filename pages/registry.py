"""专家库 — the filterable registry with counts against the caps, a detail view with the audit history, Excel
export of the filtered view, and the printable 分类表 (Word)."""
import pandas as pd
import streamlit as st

from core import vocab
from core.auth import can
from core.errors import DomainError
from core.expert_fields import EXPERT_FIELDS, GROUPS
from core.registry import RegistryFilter, specialty_label_or_code
from pages._ui import DEMO_BADGE, current_user, get_context, perform, show_error, show_flash
from services import dispatch, experts, forms_service, lifecycle, settings

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
    sector = c2.selectbox("行业领域", list(sectors), format_func=sectors.get, key="registry_sector")
    spec_codes = [sp.code for s in taxonomy.sectors if not sector or s.code == sector for sp in s.specialties]
    specialty = c3.selectbox("专业", [""] + spec_codes, key="registry_specialty",
                             format_func=lambda c: taxonomy.specialty_label(c) if c else "全部专业")
    c4, c5, c6 = st.columns([3, 2, 2])
    states = c4.multiselect("状态", vocab.EXPERT_STATES, key="registry_states", placeholder="全部状态")
    titles = c5.multiselect("职称等级", vocab.TITLE_LEVELS, key="registry_titles", placeholder="全部等级")
    demo = c6.selectbox("演示数据", ("全部", "仅演示数据", "不含演示数据"), key="registry_demo")

flt = RegistryFilter(text=text, sector=sector, specialty=specialty if specialty in spec_codes else "",
                     states=tuple(states), title_levels=tuple(titles), demo=demo)
view = experts.registry_view(ctx, user, flt)
rows, records, summary, others = view.rows, view.records, view.summary, view.other_policies
if others:
    st.caption("另有 " + "、".join(f"{n} 条记录属于政策 {pid}" for pid, n in others.items()) + "（切换当前政策后可见）")

tab_list, tab_sectors, tab_specs = st.tabs([f"名单（{len(rows)}人）", "行业领域名额", "专业名额"])
with tab_list:
    frame = pd.DataFrame(rows, columns=["id", "姓名", "单位", "行业领域", "专业", "状态", "职称", "年龄", "聘期结束", "演示数据"])
    event = st.dataframe(frame.drop(columns=["id"]), hide_index=True, width="stretch",
                         on_select="rerun", selection_mode="single-row", key="registry_table")
    st.caption(f"共 {len(rows)} 人。点击表格左侧选中一行可查看详情。")
    if can(user.role, "export_experts") and records:
        # built only when clicked (3,000 rows take ~2 s), not on every rerun of the page
        st.download_button("导出当前筛选结果（Excel）", lambda: experts.export_xlsx(ctx, user, records),
                           file_name=f"专家名单_{ctx.today():%Y%m%d}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key="registry_export")

with tab_sectors:
    st.dataframe(pd.DataFrame([{"行业领域": f"{r.code}. {r.name}", "在库人数": r.count,
                                "上限": r.limit_max if r.limit_max is not None else "不限",
                                "状态": r.status, "牵头科室": r.lead_department or ""} for r in summary.sectors]),
                 hide_index=True, width="stretch")
    cap = f"，上限 {summary.pool_cap} 人" if summary.pool_cap else ""
    st.caption(f"在库（含暂停）专家共 {summary.total} 人{cap}；一名专家在同一行业领域只计一次。")
    for problem in view.group_problems:
        st.warning(problem)
with tab_specs:
    limits = (f"每个专业原则上 {taxonomy.specialty_min}–{taxonomy.specialty_max} 人"
              if taxonomy.specialty_max else "本政策未规定各专业人数")
    st.caption(limits)
    st.dataframe(pd.DataFrame([{"专业": f"{r.code} {r.name}", "行业领域": r.category, "在库人数": r.count,
                                "状态": r.status} for r in summary.specialties]),
                 hide_index=True, width="stretch")
    st.download_button("下载专家分类表（Word）", lambda: forms_service.taxonomy_form(policy, ctx.today())[1],
                       file_name=forms_service.taxonomy_filename(policy, ctx.today()), key="registry_taxonomy_docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

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
    st.subheader(f"{record['name']}　{DEMO_BADGE if record.get('is_demo') else ''}")
    for group in GROUPS:
        with st.expander(group, expanded=group == "基本信息"):
            for field in (f for f in EXPERT_FIELDS if f.group == group):
                value = record.get(field.key)
                if field.kind == "specialties":
                    value = "；".join(specialty_label_or_code(taxonomy, c) for c in value or ())
                elif isinstance(value, list):
                    value = "、".join(value)
                elif isinstance(value, bool):
                    value = "是" if value else "否"
                st.text(f"{field.label}：{value if value not in (None, '') else '—'}")
    tasks = dispatch.tasks_of(ctx, expert_id)
    with st.expander(f"委派记录（{len(tasks)}）"):
        st.dataframe(pd.DataFrame([{"事项": t["matter"], "时间": f"{t['start']} 至 {t['end']}", "状态": t["status"],
                                    "拒绝理由": t.get("decline_reason", "")} for t in tasks]), hide_index=True, width="stretch")
    periods = record.get("unavailable") or []
    with st.expander(f"不可参加时段（{len(periods)}）"):
        for period in periods:
            st.markdown(f"- {period['start']} 至 {period['end']}：{period['reason']}")
        if can(user.role, "edit_experts"):
            with st.form("registry_unavailable"):
                c1, c2 = st.columns(2)
                start = c1.date_input("开始", value=None, key="registry_unavail_start", format="YYYY-MM-DD")
                end = c2.date_input("结束", value=None, key="registry_unavail_end", format="YYYY-MM-DD")
                why = st.text_input("原因", key="registry_unavail_reason")
                if st.form_submit_button("申报不可参加"):
                    perform(lambda: experts.declare_unavailable(ctx, user, expert_id, start, end, why), "已记录")
    transitions = lifecycle.history(ctx, expert_id)
    with st.expander(f"状态记录（{len(transitions)}）"):
        st.dataframe(pd.DataFrame([{"时间": t["at"], "由": t["from"], "变为": t["to"], "理由": t["reason"], "操作人": t["by"]}
                                   for t in transitions]), hide_index=True, width="stretch")
    with st.expander(f"修改记录（{len(trail)}）"):
        st.dataframe(pd.DataFrame(trail), hide_index=True, width="stretch")
    if can(user.role, "edit_experts") and lifecycle.next_states(ctx, record):
        with st.form("registry_transition"):
            st.markdown(f"**状态变更**（当前：{record['state']}）")
            to = st.selectbox("变更为", lifecycle.next_states(ctx, record), key="registry_transition_to")
            why = st.text_input("理由（必填，记入状态记录）", key="registry_transition_reason")
            if st.form_submit_button("确认变更"):
                try:
                    lifecycle.manual_transition(ctx, user, expert_id, to, why)
                except DomainError as error:
                    show_error(error)
                else:
                    st.rerun()
    if can(user.role, "edit_experts"):
        if st.button("修改此专家信息", key="registry_edit"):
            st.session_state["expert_form_id"] = expert_id
            st.switch_page("pages/expert_form.py")
