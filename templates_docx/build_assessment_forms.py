"""Builders of the yearly-assessment templates: JC 附件6 《安全生产和应急管理专家履职考核表》 (第十条(三)) and the
local results list 考核结果汇总表 (JC 存档 / YQ 公布; title from the profile), loaded by build_templates.py, which
passes itself as `bt` for the shared helpers (tables, cells, fonts, signature lines).

附件6 as in the annex: 专家姓名 | 所在行业领域; 服务专业类别; the services block (its label cell spans the header, the
service rows and the period summary — the service rows repeat with {%tr for %}); 专家自评 with the annex's hint and
专家签字; the assessment block (label spanning 考核项目 | 考核情况 | 考核结论, the six items, 牵头科室考核评估意见 with the
three conclusions as check boxes); the 负责人 signature row with (签字) and the date.
"""
from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

JC_FJ6 = "jc_fj6_履职考核表.docx"
RESULTS = "assessment_results_考核结果汇总表.docx"

SELF_HINT = ("(内容涵盖能体现服务质量的1-5项业绩,对服务态度、专业能力、依法依规、客观实际、廉洁自律、服务对象认可情况等"
             "进行简要评述)")


def _v_merge(cell, restart: bool) -> None:
    """Mark `cell` as the start (restart) or a continuation of a vertical merge; kept in tcPr schema order."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:vMerge")):
        tc_pr.remove(old)
    el = OxmlElement("w:vMerge")
    if restart:
        el.set(qn("w:val"), "restart")
    anchor = next((tc_pr.find(qn(t)) for t in ("w:tcBorders", "w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                                               "w:tcFitText", "w:vAlign", "w:hideMark") if tc_pr.find(qn(t)) is not None),
                  None)
    if anchor is not None:
        anchor.addprevious(el)
    else:
        tc_pr.append(el)


def _loop_tag_row(bt, table, r: int, tag: str, first_col: int = 1) -> None:
    """A row holding only a {%tr %} tag in columns first_col.. (column 0 continues the merged section label);
    docxtpl replaces the whole row, so only the tag matters."""
    merged = bt._merge(table, r, first_col, r, len(table.columns) - 1)
    bt._cell(merged, tag, align=bt.LEFT)
    _v_merge(table.cell(r, 0), restart=False)


def builders(bt):

    def build_fj6(path):
        doc = bt._new_document()
        bt._heading(doc, "{{ annex_label }}", size=Pt(20))
        # grid: 3.2 label | 2.8 date / item | 3.2 | 3.6 | 3.2 rating = 16.0 cm
        table = bt._table(doc, [3.2, 2.8, 3.2, 3.6, 3.2], rows=20, tight=True)
        for r in range(20):
            bt._row_properties(table.rows[r], min_height=Cm(0.8))
        bt._cell(table.cell(0, 0), "专家姓名")
        bt._cell(table.cell(0, 1), "{{ name }}")
        bt._cell(table.cell(0, 2), "所在行业领域")
        bt._cell(bt._merge(table, 0, 3, 0, 4), "{{ sectors }}", align=bt.LEFT)
        bt._cell(table.cell(1, 0), "服务专业类别")
        bt._cell(bt._merge(table, 1, 1, 1, 4), "{{ specialties }}", align=bt.LEFT)
        # services block: rows 2 (header) .. 6 (summary); column 0 spans them
        bt._cell(table.cell(2, 0), "专家年度周期内参与安全生产和应急管理服务情况(行数不够可增加)", size=bt.SMALL_SIZE)
        _v_merge(table.cell(2, 0), restart=True)
        bt._cell(table.cell(2, 1), "服务起始日期")
        bt._cell(bt._merge(table, 2, 2, 2, 3), "服务项目")
        bt._cell(table.cell(2, 4), "服务质量自我评价\n(优、良、中、差)", size=bt.SMALL_SIZE)
        _loop_tag_row(bt, table, 3, "{%tr for s in services %}")
        bt._cell(table.cell(4, 1), "{{ s.start }}", size=bt.SMALL_SIZE)
        bt._cell(bt._merge(table, 4, 2, 4, 3), "{{ s.project }}", align=bt.LEFT, size=bt.SMALL_SIZE)
        bt._cell(table.cell(4, 4), "{{ s.self_rating }}")
        _v_merge(table.cell(4, 0), restart=False)
        _loop_tag_row(bt, table, 5, "{%tr endfor %}")
        bt._row_properties(table.rows[6], min_height=Cm(0.9), cant_split=False)
        bt._cell(bt._merge(table, 6, 1, 6, 4), "{{ services_summary }}", align=bt.LEFT, size=bt.SMALL_SIZE)
        _v_merge(table.cell(6, 0), restart=False)
        # 专家自评
        bt._row_properties(table.rows[7], min_height=Cm(4.2), cant_split=False)
        bt._cell(table.cell(7, 0), "专家自评")
        own = bt._merge(table, 7, 1, 7, 4)
        bt._user_text(own, "self_items", hint=SELF_HINT)
        bt._para(own, "{{ self_comment }}", before=2)
        bt._signature_block(own, ["专家签字:"], blank_lines=1, indent_cm=7.0)
        # assessment block: rows 8 (header) .. 12 (opinion)
        bt._cell(table.cell(8, 0), "{{ assessor }}考核评估")
        _v_merge(table.cell(8, 0), restart=True)
        bt._cell(bt._merge(table, 8, 1, 8, 2), "考核项目")
        bt._cell(table.cell(8, 3), "考核情况")
        bt._cell(table.cell(8, 4), "考核结论")
        _loop_tag_row(bt, table, 9, "{%tr for it in items %}")
        bt._cell(bt._merge(table, 10, 1, 10, 2), "{{ it.name }}", align=bt.LEFT)
        bt._cell(table.cell(10, 3), "{{ it.note }}", align=bt.LEFT, size=bt.SMALL_SIZE)
        # the annex's "(填写“优、良、中、差”,以下同)" in the first item's 考核结论 cell, above its rating
        rating = table.cell(10, 4)
        bt._cell(rating, "{%p if it.hint %}")
        bt._para(rating, "{{ it.hint }}", align=bt.CENTER, size=bt.SMALL_SIZE)
        bt._para(rating, "{%p endif %}")
        bt._para(rating, "{{ it.rating }}", align=bt.CENTER)
        _v_merge(table.cell(10, 0), restart=False)
        _loop_tag_row(bt, table, 11, "{%tr endfor %}")
        bt._row_properties(table.rows[12], min_height=Cm(2.4), cant_split=False)
        bt._cell(bt._merge(table, 12, 1, 12, 2), "牵头科室考核评估意见")
        # 考核情况: the annex's parenthetical as printed, then the assessor's words; 考核结论: the conclusion ticked
        opinion = table.cell(12, 3)
        bt._cell(opinion, "{{ opinion_hint }}", align=bt.JUSTIFY, size=bt.SMALL_SIZE, valign=bt.TOP)
        bt._para(opinion, "{{ opinion_note }}", before=2)
        bt._cell(table.cell(12, 4), "{{ conclusion_options }}", align=bt.LEFT)
        _v_merge(table.cell(12, 0), restart=False)
        # signature row
        bt._row_properties(table.rows[13], min_height=Cm(1.8))
        bt._cell(bt._merge(table, 13, 0, 13, 1), "{{ assessor }}负责人:")
        sign = bt._merge(table, 13, 2, 13, 4)
        bt._cell(sign, "")
        bt._signature_block(sign, ["(签字)　　　　{{ signed_on }}"], indent_cm=3.0)
        for _ in range(6):  # python-docx needs the row count up front; drop the spares
            table._tbl.remove(table.rows[14]._tr)
        bt._footer(doc, "{{ period }}")
        doc.core_properties.title = "晋城市安全生产和应急管理专家履职考核表"
        doc.save(path)

    def build_results(path):
        doc = bt._new_document(landscape=True)
        bt._title(doc, Pt(20))
        bt._left_right(doc, "{{ year_label }}", "考核单位：{{ assessor }}", bt.WIDE_TEXT_WIDTH_CM)
        widths = [1.1, 1.8, 3.6, 2.8, 2.3, 1.3, 1.6, 2.2, 5.0, 2.0, 2.0]  # 25.7 cm
        table = bt._table(doc, widths, rows=4, tight=True)
        bt._header(table, ["序号", "姓名", "工作单位", "行业领域", "接受委派", "服务\n天数", "参加\n培训", "服务评价",
                           "各项考核情况", "考核结论", "备注"])
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = bt.SMALL_SIZE
        bt._tag_row(table, 1, "{%tr for r in rows %}")
        bt._data_row(table, 2, ["{{ r.index }}", "{{ r.name }}", "{{ r.unit }}", "{{ r.sectors }}", "{{ r.dispatch }}",
                                "{{ r.days }}", "{{ r.training }}", "{{ r.evaluation }}", "{{ r.ratings }}",
                                "{{ r.conclusion }}", "{{ r.note }}"], left=(2, 3, 8, 10))
        bt._tag_row(table, 3, "{%tr endfor %}")
        bt._para(doc, "{{ summary }}", size=Pt(12), before=6)
        bt._notes(doc, ["{{ notes }}"], first="注：")
        bt._para(doc, "填表人：" + "　" * 10 + "负责人：" + "　" * 10 + "填报日期：{{ fill_date }}", size=Pt(12), before=14)
        bt._footer(doc, "{{ title }}")
        doc.core_properties.title = "专家年度考核结果汇总表"
        doc.save(path)

    return ((JC_FJ6, build_fj6), (RESULTS, build_results))
