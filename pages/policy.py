"""政策规则 — read a policy profile (the one in force, the other city's, or a saved variant) as Chinese sections
with the article each rule comes from, download it as Word (政策规则说明); for make_variants users: make a variant
from a base profile or a saved variant by changing any parameter (filtered by section / search, because there are
hundreds), see old → new, save it with a name and note, list / copy / delete saved variants, and compare any two
profiles (e.g. “what if Yangquan adopted Jincheng's rules”). Base files in policies/ are never written (X-P1, X-P3)."""
import re
from datetime import date

import pandas as pd
import streamlit as st

from core.auth import can
from core.errors import DomainError
from core.dates import office_dates_in
from core.policy_doc import policy_sections
from core.policy_edit import diff, editable_parameters, format_value, make_variant, parse_value
from pages._ui import dataframe, md_escape, current_user, download, get_context, perform, show_error, show_flash
from services import policy_variants, settings

PAGE_SIZE = 40

ctx = get_context()
user = current_user()
st.title("政策规则")
show_flash()
if not can(user.role, "view_policy"):
    st.error("您没有查看政策规则的权限")
    st.stop()
editor = can(user.role, "make_variants")
choices = policy_variants.profile_choices(ctx)
refs = list(choices)
active = settings.active_policy_id(ctx)


def _resolve(ref):
    try:
        return policy_variants.resolve(ctx, ref)
    except DomainError as error:
        show_error(error)
        return None


# a form's id said as the office names the form (附件2《…》), from every loaded profile (issue 12)
FORM_NAMES = {f.id: f"{f.annex}《{f.title}》" for p in ctx.policies.values() for f in getattr(p, "forms", ()) or ()}


def _said(value):
    """A compared value in the office's words: a form id as the form's name, ISO dates as 2026年6月5日."""
    return FORM_NAMES.get(value, office_dates_in(value)) if isinstance(value, str) else value


def _diff_frame(rows) -> pd.DataFrame:
    """The changed parameters of two profiles; the profiles' own ids (策略标识) are left out — the two names are
    in the choice above — and "表单 id" reads "表单" (issue 12)."""
    return pd.DataFrame([{"参数": re.sub(r"\s*的?\s*id$", "", office_dates_in(r.label)), "原值": _said(r.old),
                          "新值": _said(r.new)} for r in rows if not r.label.endswith("策略标识")])


names = ["阅读规则"] + (["制作变体", "已存变体"] if editor else []) + ["比较两个策略"]
tabs = dict(zip(names, st.tabs(names, key="policy_tabs", on_change="rerun")))

# ---------------------------------------------------------------------------------------------- 阅读规则
with tabs["阅读规则"]:
    ref = st.selectbox("策略", refs, index=refs.index(active) if active in refs else 0, format_func=choices.get,
                       key="policy_read", placeholder="请选择")
    policy = _resolve(ref)
    if policy is not None:
        st.caption(f"{md_escape(policy.name)}（{md_escape(policy.document_number)}），{md_escape(policy.issuer)}印发，"
                   f"{md_escape(format_value(policy.effective_date))}施行。" + ("　:blue-badge[当前使用]" if ref == active else ""))
        download("下载 Word（政策规则说明）", lambda r=ref: policy_variants.profile_document(ctx, r)[1],
                 file_name=policy_variants.document_filename(ctx, ref), key=f"policy_read_docx_{ref}",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        search = st.text_input("查找参数", key="policy_read_search", placeholder="如 年龄、公示、分数线")
        changed = None
        if ref.startswith(policy_variants.VARIANT_PREFIX):
            doc = policy_variants.get(ctx, int(ref.split(":", 1)[1]))
            changed = {r.path: r.old for r in diff(ctx.policies[doc["base_id"]], policy)}
        for i, section in enumerate(policy_sections(policy, changed=changed)):
            rows = [r for r in section.rows if not search or search in r.param or search in r.value]
            if search and not rows:
                continue
            with st.expander(f"{md_escape(section.title)}（{len(rows)} 项）", expanded=bool(search) or i < 2):
                if section.source:
                    st.caption(f"出处：{md_escape(section.source)}")
                dataframe(pd.DataFrame([{"参数": r.param, "取值": r.value, "出处 / 本地设置": r.mark}
                                           for r in rows]), hide_index=True, width="stretch")
                for note in section.notes:
                    st.caption(f"说明：{md_escape(note)}")
                if section.local:
                    st.caption(f"本地设置（办法原文未规定）：{md_escape('、'.join(section.local))}")


# ---------------------------------------------------------------------------------------------- 制作变体
def _clear_edit_widgets() -> None:
    """Forget the editor's widget states, so the inputs show the base (or saved) values again."""
    for key in [k for k in st.session_state if str(k).startswith("pv_")]:
        del st.session_state[key]


def _widget(param, value, key):
    label = md_escape(param.short_label)
    help_text = md_escape(param.help)
    if param.kind == "int":
        return st.number_input(label, value=value, step=1, key=key, help=help_text,
                               placeholder="未规定" if param.optional else None)
    if param.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=help_text)
    if param.kind == "choice":
        options = list(param.choices) + ([None] if param.optional else [])
        index = options.index(value) if value in options else None
        return st.selectbox(label, options, index=index, key=key, help=help_text,
                            format_func=lambda v: "（未规定）" if v is None else format_value(v, param), placeholder="请选择")
    if param.kind == "date":
        return st.date_input(label, value=value, min_value=date(1990, 1, 1), max_value=date(2100, 12, 31), key=key,
                             help=help_text, format="YYYY-MM-DD")
    if param.kind == "money":
        return st.text_input(label, "" if value is None else f"{value:.2f}", key=key, help=help_text,
                             placeholder="金额（元），空 = 未规定")
    if param.kind == "list":
        return st.text_area(label, "\n".join(value or ()), key=key, help=help_text + "；每行一项")
    text = "" if value is None else str(value)
    if len(text) > 40:
        return st.text_area(label, text, key=key, help=help_text)
    return st.text_input(label, text, key=key, help=help_text)


if editor:
    with tabs["制作变体"]:
        st.caption("从一个策略出发修改任意参数，保存为变体用于推演；不会改动正式的策略文件。")
        start = st.selectbox("从哪个策略开始", refs, index=refs.index(active) if active in refs else 0,
                             format_func=choices.get, key="policy_edit_start", placeholder="请选择")
        if st.session_state.get("policy_edit_from") != start:
            try:
                base_id, typed = policy_variants.base_of(ctx, start)
            except DomainError as error:
                show_error(error)
                st.stop()
            st.session_state["policy_edit_from"] = start
            st.session_state["policy_edit_base"] = base_id
            st.session_state["policy_changes"] = dict(typed)
        base_id = st.session_state["policy_edit_base"]
        base = ctx.policies[base_id]
        changes: dict = st.session_state["policy_changes"]
        params = editable_parameters(base)
        titles = {}
        for p in params:
            titles.setdefault(p.section, p.label.split(" › ", 1)[0])
        section = st.selectbox("分节", ["（全部）"] + list(titles.values()), key="policy_edit_section", placeholder="请选择")
        query = st.text_input("查找参数（名称、路径或当前值）", key="policy_edit_search",
                              placeholder="如 年龄上限、分数线、notice_days")
        found = [p for p in params
                 if (section == "（全部）" or titles[p.section] == section)
                 and (not query or query in p.label or query in p.path or query in format_value(p.value, p))]
        st.caption(f"共 {len(params)} 项参数，符合条件 {len(found)} 项" +
                   (f"，显示前 {PAGE_SIZE} 项，请用分节或查找缩小范围" if len(found) > PAGE_SIZE else ""))
        shown = found[:PAGE_SIZE]
        if shown:
            with st.form("policy_edit_form"):
                raw = {}
                for p in shown:
                    current = changes.get(p.path, p.value)
                    raw[p.path] = _widget(p, current, f"pv_{start}_{p.path}")
                    if p.path in changes:
                        st.caption(f"已修改，原值：{md_escape(format_value(p.value, p))}")
                submitted = st.form_submit_button("记下修改", type="primary")
            if submitted:
                problems = []
                for p in shown:
                    try:
                        value = parse_value(p, raw[p.path])
                    except DomainError as error:
                        problems.append(error.message)
                        continue
                    if value == p.value:
                        changes.pop(p.path, None)
                    else:
                        changes[p.path] = value
                for message in problems:
                    st.error(md_escape(message))
                if not problems:
                    st.rerun()  # redraw the inputs with their "已修改，原值：…" notes for the changes just taken
        if changes:
            st.subheader(f"修改对比（{len(changes)} 项）")
            variant = None
            try:
                variant = make_variant(base, changes, label="本变体")
            except DomainError as error:
                show_error(error)
            by_path = {p.path: p for p in params}
            rows = diff(base, variant) if variant is not None else []
            if variant is None:  # still list what was changed, so the error can be traced
                dataframe(pd.DataFrame([{"参数": by_path[k].label, "原值": format_value(by_path[k].value, by_path[k]),
                                            "新值": format_value(v, by_path[k])} for k, v in changes.items()]),
                             hide_index=True, width="stretch")
            else:
                dataframe(_diff_frame(rows), hide_index=True, width="stretch")
            if st.button("撤销全部修改", key="policy_edit_reset"):
                st.session_state["policy_changes"] = {}
                _clear_edit_widgets()
                st.rerun()
            with st.form("policy_save"):
                name = st.text_input("变体名称 *", key="policy_save_name", placeholder="如 阳泉·男性年龄上限65")
                note = st.text_area("说明", key="policy_save_note", placeholder="为什么做这个变体、想回答什么问题")
                if st.form_submit_button("保存变体", type="primary"):
                    derived = int(start.split(":", 1)[1]) if start.startswith(policy_variants.VARIANT_PREFIX) else None

                    def _save(n=name, t=note):
                        vid = policy_variants.save_variant(ctx, user, base_id, n, t, changes, derived_from=derived)
                        st.session_state["policy_changes"] = {}
                        st.session_state.pop("policy_edit_from", None)
                        _clear_edit_widgets()
                        return vid
                    perform(_save, f"已保存变体“{md_escape(name.strip())}”，可在“政策推演”页查看影响")
        else:
            st.caption("还没有修改任何参数。")

    # ------------------------------------------------------------------------------------------ 已存变体
    with tabs["已存变体"]:
        saved = policy_variants.list_variants(ctx)
        if not saved:
            st.caption("还没有保存的变体。")
        else:
            dataframe(pd.DataFrame([{"名称": v["name"], "基于": v["base_name"], "修改项数": v["change_count"],
                                        "制作人": v["author"], "时间": v["created"].replace("T", " "),
                                        "说明": v.get("note", "")} for v in saved]), hide_index=True, width="stretch")
            by_id = {v["id"]: v for v in saved}
            pick = st.selectbox("变体", list(by_id), format_func=lambda i: by_id[i]["name"], key="policy_saved_pick", placeholder="请选择")
            chosen = by_id[pick]
            try:
                loaded = policy_variants.load_variant(ctx, pick)
            except DomainError as error:
                show_error(error)
                loaded = None
            if loaded is not None:
                dataframe(_diff_frame(diff(ctx.policies[chosen["base_id"]], loaded)), hide_index=True,
                             width="stretch")
                ref_v = f"{policy_variants.VARIANT_PREFIX}{pick}"
                download("下载 Word（政策规则说明）",
                         lambda r=ref_v: policy_variants.profile_document(ctx, r)[1],
                         file_name=policy_variants.document_filename(ctx, ref_v), key=f"policy_saved_docx_{ref_v}",
                                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            left, right = st.columns(2)
            if left.button("复制为新变体", key="policy_saved_copy"):
                perform(lambda: policy_variants.duplicate(ctx, user, pick), "已复制，可在“制作变体”中从副本开始修改")
            confirm = right.checkbox("确认删除", key="policy_saved_confirm")
            if right.button("删除变体", key="policy_saved_delete", disabled=not confirm):
                perform(lambda: policy_variants.delete(ctx, user, pick), f"已删除变体“{md_escape(chosen['name'])}”")

# ---------------------------------------------------------------------------------------------- 比较两个策略
with tabs["比较两个策略"]:
    st.caption("列出两个策略取值不同的参数，例如“阳泉采用晋城的规则会怎样”。")
    others = [r for r in refs if r != active]
    col_a, col_b = st.columns(2)
    ref_a = col_a.selectbox("原策略", refs, index=refs.index(active) if active in refs else 0,
                            format_func=choices.get, key="policy_cmp_a", placeholder="请选择")
    ref_b = col_b.selectbox("对比策略", refs, index=refs.index(others[0]) if others else 0,
                            format_func=choices.get, key="policy_cmp_b", placeholder="请选择")
    pa, pb = _resolve(ref_a), _resolve(ref_b)
    if pa is not None and pb is not None:
        rows = diff(pa, pb)
        if not rows:
            st.info("两个策略的全部参数相同。")
        else:
            sections = sorted({r.label.split(" › ", 1)[0] for r in rows}, key=[r.label.split(" › ", 1)[0]
                                                                              for r in rows].index)
            pick_section = st.selectbox("分节", ["（全部）"] + sections, key="policy_cmp_section", placeholder="请选择")
            shown_rows = [r for r in rows if pick_section == "（全部）" or r.label.startswith(pick_section + " › ")
                          or r.label == pick_section]
            st.caption(f"共 {len(rows)} 项不同，显示 {len(shown_rows)} 项。")
            dataframe(_diff_frame(shown_rows), hide_index=True, width="stretch")
