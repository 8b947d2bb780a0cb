"""服务评价与帮扶表单模板 — builds, with build_templates.py's helpers (`bt`):
  - jc_fj8_服务质量登记表.docx:      JC 附件8《晋城市安全生产和应急管理专家服务质量登记表》(第十四条(一)、第十七条), 注1–4
  - yq_fb6_工作记录卡.docx:          YQ 附表六《阳泉市应急管理和安全生产专家工作记录卡》(第二十二条(一))
  - yq_assistance_帮扶问题移交书.docx: YQ 本地表单《专家帮扶问题隐患及建议移交书》(第十八条；第十六条 停产撤人)
附件8 prints five expert columns; the template repeats the whole table in a `{%p for page in pages %}` loop (one
page per five experts, core/forms_service_records.py decides the pages), with the first-page rows (工作天数,
主要工作事项记录) and the last-page rows (有意义的事项, 签字, 备注, 注) behind `{%tr if %}` / `{%p if %}`. As printed in
the annex, every one of the five expert columns shows the indicator boxes — a column no expert fills (fewer than five,
or the blank form) shows them unticked — and the row heights leave room for 注1–4 on page 1 (issue 12).
Loaded by build_templates.py (EXTRA_BUILDER_FILES); run `python templates_docx/build_templates.py`.
"""
from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt

JC_FJ8 = "jc_fj8_服务质量登记表.docx"
YQ_FB6 = "yq_fb6_工作记录卡.docx"
YQ_ASSISTANCE = "yq_assistance_帮扶问题移交书.docx"

MEANINGFUL_LABEL = "专家认为提供服务有意义的事项(1-3项,包括有价值的问题和解决方案,作为专家服务质量评估的一项依据)"


def builders(bt):
    size = bt.CELL_SIZE
    small = bt.SMALL_SIZE

    def page_break_if(doc, condition: str) -> None:
        bt._para(doc, "{%p if " + condition + " %}")
        p = doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        bt._para(doc, "{%p endif %}")

    def build_jc_fj8(path: Path) -> None:
        """附件8: 项目名称 | 使用科室(单位); 工作天数及起止时间; 主要工作事项记录; 服务质量指标 / 专家姓名 · 服务评价 ×5;
        1–8 项指标 ×5; 有意义的事项; 经办人 | 负责人签字; 备注; 注1–4 — repeated per five experts."""
        doc = bt._new_document()
        bt._para(doc, "{%p for page in pages %}")
        page_break_if(doc, "not page.first")
        bt._annex_label(doc, "{{ annex_label }}")
        bt._para(doc, "{{ title }}", align=bt.CENTER, size=Pt(18), font=bt.TITLE_FONT, bold=True, before=6, after=4)
        # the caption (续表 第N页) only when the experts need more than one page: an empty line would cost the
        # room 注1–4 need to stay on page 1 (issue 12)
        bt._para(doc, "{%p if page.caption %}")
        bt._para(doc, "{{ page.caption }}", align=bt.CENTER, size=small, after=4)
        bt._para(doc, "{%p endif %}")
        widths = [1.5, 2.7] + [2.36] * 5
        table = bt._table(doc, widths, rows=15, tight=True)
        for r in range(15):
            bt._row_properties(table.rows[r], min_height=Cm(0.8))
        # 0: 项目名称 | value | 使用科室(单位) | value (repeated on every page, so each page names its project)
        bt._cell(bt._merge(table, 0, 0, 0, 1), "项目名称", size=size)
        bt._cell(bt._merge(table, 0, 2, 0, 3), "{{ project_name }}", align=bt.LEFT, size=size)
        bt._cell(table.cell(0, 4), "使用科室\n(单位)", size=size)
        bt._cell(bt._merge(table, 0, 5, 0, 6), "{{ department }}", align=bt.LEFT, size=size)
        bt._tag_row(table, 1, "{%tr if page.first %}")
        bt._cell(bt._merge(table, 2, 0, 2, 1), "工作天数\n及起止时间", size=size)
        bt._cell(bt._merge(table, 2, 2, 2, 6), "{{ work_days }}", align=bt.LEFT, size=size)
        bt._row_properties(table.rows[3], min_height=Cm(2.2), cant_split=False)
        bt._cell(bt._merge(table, 3, 0, 3, 1), "主要工作\n事项记录", size=size)
        bt._cell(bt._merge(table, 3, 2, 3, 6), "{{ work_record }}", align=bt.LEFT, size=size, valign=bt.TOP)
        bt._tag_row(table, 4, "{%tr endif %}")
        bt._cell(bt._merge(table, 5, 0, 6, 0), "服务\n质量\n指标", size=size)
        bt._cell(table.cell(5, 1), "专家姓名", size=size)
        bt._cell(table.cell(6, 1), "服务评价", size=size)
        for i in range(5):
            bt._cell(table.cell(5, 2 + i), "{{ page.names.n%d }}" % (i + 1), size=size)
            bt._cell(table.cell(6, 2 + i), "{{ page.overall.o%d }}" % (i + 1), size=size)
        bt._tag_row(table, 7, "{%tr for r in page.rows %}")
        bt._row_properties(table.rows[8], min_height=Cm(0.9))
        bt._cell(bt._merge(table, 8, 0, 8, 1), "{{ r.label }}", align=bt.LEFT, size=small)
        for i in range(5):  # an empty column (fewer than five experts, the blank form) prints the annex's boxes
            bt._cell(table.cell(8, 2 + i), "{{ r.c%d or r.blank }}" % (i + 1), size=small)
        bt._tag_row(table, 9, "{%tr endfor %}")
        bt._tag_row(table, 10, "{%tr if page.last %}")
        bt._row_properties(table.rows[11], min_height=Cm(2.2), cant_split=False)
        bt._cell(bt._merge(table, 11, 0, 11, 1), MEANINGFUL_LABEL, size=small)
        bt._cell(bt._merge(table, 11, 2, 11, 6), "{{ meaningful_items }}", align=bt.LEFT, size=size, valign=bt.TOP)
        bt._row_properties(table.rows[12], min_height=Cm(1.4))
        bt._cell(bt._merge(table, 12, 0, 12, 1), "使用科室(单位)\n经办人签字", size=size)
        bt._cell(bt._merge(table, 12, 2, 12, 3), "", size=size)
        bt._cell(bt._merge(table, 12, 4, 12, 5), "使用科室(单位)\n负责人签字", size=size)
        bt._cell(table.cell(12, 6), "", size=size)
        bt._row_properties(table.rows[13], min_height=Cm(1.6), cant_split=False)
        bt._cell(bt._merge(table, 13, 0, 13, 1), "备注", size=size)
        bt._cell(bt._merge(table, 13, 2, 13, 6), "{{ remark }}", align=bt.LEFT, size=size, valign=bt.TOP)
        bt._keep_row_with_next(table.rows[13])  # 注1–4 never stand alone on a page: 备注 goes with them
        bt._tag_row(table, 14, "{%tr endif %}")
        bt._para(doc, "{%p if page.last %}")
        bt._para(doc, "注:", size=size, before=6).paragraph_format.keep_with_next = True
        bt._para(doc, "{%p for n in notes %}", size=size)
        note = bt._para(doc, "{{ n }}", size=size, align=bt.JUSTIFY)
        note.paragraph_format.left_indent = Cm(0.85)
        note.paragraph_format.first_line_indent = Cm(-0.35)
        note.paragraph_format.keep_with_next = True  # 注1–4 together (the last one keeps with the page's end)
        bt._para(doc, "{%p endfor %}", size=size)
        bt._para(doc, "{%p endif %}")
        bt._para(doc, "{%p endfor %}")
        doc.core_properties.title = "晋城市安全生产和应急管理专家服务质量登记表"
        doc.save(path)

    def build_yq_fb6(path: Path) -> None:
        """附表六: 姓名 | 专业; 工作事项; 工作情况 (a large cell), then the date the card came back."""
        doc = bt._new_document()
        bt._heading(doc, "{{ annex_label }}", colon=True, size=Pt(20))
        table = bt._table(doc, [2.6, 5.4, 2.6, 5.4], rows=3)
        bt._row_properties(table.rows[0], min_height=Cm(1.2))
        bt._cell(table.cell(0, 0), "姓　名", size=bt.FORM_SIZE)
        bt._cell(table.cell(0, 1), "{{ name }}", size=bt.FORM_SIZE)
        bt._cell(table.cell(0, 2), "专　业", size=bt.FORM_SIZE)
        bt._cell(table.cell(0, 3), "{{ specialty }}", size=size)
        bt._row_properties(table.rows[1], min_height=Cm(2.6), cant_split=False)
        bt._cell(table.cell(1, 0), "工作事项", size=bt.FORM_SIZE)
        bt._cell(bt._merge(table, 1, 1, 1, 3), "{{ matter }}", align=bt.LEFT, size=bt.FORM_SIZE, valign=bt.TOP)
        bt._row_properties(table.rows[2], min_height=Cm(15.0), cant_split=False)
        situation = bt._merge(table, 2, 0, 2, 3)
        bt._cell(situation, "工作情况：", align=bt.LEFT, size=bt.FORM_SIZE, valign=bt.TOP)
        bt._para(situation, "{{ situation }}", size=bt.FORM_SIZE, before=4)
        bt._para(doc, "使用时间：{{ period }}", size=small, before=6)
        bt._para(doc, "交回日期：{{ returned_on }}", size=small)
        doc.core_properties.title = "阳泉市应急管理和安全生产专家工作记录卡"
        doc.save(path)

    def build_yq_assistance(path: Path) -> None:
        """帮扶问题隐患及建议移交书: title, to the enterprise, the basis, the task in brief, 序号 | 问题隐患 | 整改建议,
        the 第十六条 stop-work note when there was one, hand-over and receipt signatures with dates."""
        doc = bt._new_document()
        bt._para(doc, "{{ title_lines }}", align=bt.CENTER, size=Pt(18), font=bt.TITLE_FONT, bold=True, before=6,
                 after=12, line=1.15)
        bt._para(doc, "{{ salutation }}", size=bt.FORM_SIZE, after=4)
        bt._para(doc, "{{ intro }}", size=bt.FORM_SIZE, align=bt.JUSTIFY, indent_chars=2, after=8, line=1.3)
        info = bt._table(doc, [3.2, 12.8], rows=4)
        for r, (label, value) in enumerate((("帮扶事项", "{{ matter }}"), ("帮扶时间", "{{ period }}"),
                                            ("帮扶专家", "{{ experts }}"), ("组织部门", "{{ department }}"))):
            bt._row_properties(info.rows[r], min_height=Cm(0.9))
            bt._cell(info.cell(r, 0), label, size=bt.FORM_SIZE)
            bt._cell(info.cell(r, 1), value, align=bt.LEFT, size=bt.FORM_SIZE)
        bt._section_heading(doc, "所发现的问题隐患及整改建议（共{{ item_count }}条）")
        bt._grid(doc, [1.4, 7.3, 7.3], ["序号", "问题隐患", "整改建议"], "{%tr for it in items %}",
                 ["{{ it.index }}", "{{ it.problem }}", "{{ it.suggestion }}"], left=(1, 2), size=size)
        bt._para(doc, "{%p if urgent %}")
        bt._para(doc, "停产撤人情况", size=Pt(12), font=bt.LABEL_FONT, before=10, after=2)
        bt._para(doc, "{{ urgent_text }}", size=bt.FORM_SIZE, align=bt.JUSTIFY, indent_chars=2)
        bt._para(doc, "{%p endif %}")
        bt._para(doc, "请你单位收到后组织整改，整改情况及时报告使用部门。", size=bt.FORM_SIZE, indent_chars=2, before=8)
        for line in ("移交单位（盖章）：", "移交日期：{{ handed_over_on }}", "接收企业（盖章）：",
                     "接收人（签字）：", "接收日期：{{ blank_date }}"):
            p = bt._para(doc, line, size=bt.FORM_SIZE, before=10)
            p.paragraph_format.left_indent = Cm(7.5)
        doc.core_properties.title = "阳泉市应急管理和安全生产专家帮扶问题隐患及建议移交书"
        doc.save(path)

    return ((JC_FJ8, build_jc_fj8), (YQ_FB6, build_yq_fb6), (YQ_ASSISTANCE, build_yq_assistance))
