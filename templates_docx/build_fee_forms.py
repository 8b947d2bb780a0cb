"""劳务报酬结算表模板 — builds fee_statement_劳务报酬结算表.docx, the local fee statement form of both profiles
(forms jc_fee_statement: JC 第十六条–第十八条, 报销由专家管理工作领导小组办公室审核汇总; yq_fee_statement: YQ 第二十条,
由使用单位支付). Neither seed draws this form, so its layout is local: A4 landscape (eleven columns), the official
title from the profile, the period / summary kind / scope line, 一、汇总 (one row per task, expert or department and
the 合计 row, the total in Chinese capitals), 二、计算过程 (each fee line with its days, day rate, rate version,
amount and working), 三、适用标准 (rate versions, basis document, who pays), 说明 and the signature lines.
Loaded by templates_docx/build_templates.py (`builders(bt)`), which passes its own helpers as `bt`.
"""
from __future__ import annotations

from pathlib import Path

from docx.shared import Cm, Pt

FEE_STATEMENT = "fee_statement_劳务报酬结算表.docx"


def builders(bt) -> tuple:
    def build_fee_statement(path: Path) -> None:
        doc = bt._new_document(landscape=True)
        bt._title(doc, Pt(20))
        bt._left_right(doc, "期间：{{ period }}　　汇总方式：{{ kind_label }}　　范围：{{ scope }}", "金额单位：元",
                       bt.WIDE_TEXT_WIDTH_CM)

        bt._section_heading(doc, "一、汇总")
        widths = [1.1, 5.6, 5.6, 1.4, 1.3, 1.6, 1.5, 2.0, 1.9, 1.9, 1.4]
        widths[-1] = round(bt.WIDE_TEXT_WIDTH_CM - sum(widths[:-1]), 2)
        table = bt._table(doc, widths, rows=5, tight=True)
        bt._small_header(table, ["序号", "{{ row_label }}", "工作日期", "专家人数", "任务数", "实际工作天数", "计酬天数",
                                 "劳务报酬", "跨市住宿费", "伙食补助费", "合计"])
        bt._tag_row(table, 1, "{%tr for r in rows %}")
        bt._data_row(table, 2, ["{{ r.index }}", "{{ r.label }}", "{{ r.dates }}", "{{ r.experts }}", "{{ r.tasks }}",
                                "{{ r.days_worked }}", "{{ r.days }}", "{{ r.labour }}", "{{ r.lodging }}",
                                "{{ r.meals }}", "{{ r.amount }}"], left=(1, 2))
        bt._tag_row(table, 3, "{%tr endfor %}")
        total = table.rows[4]
        bt._row_properties(total, min_height=Cm(0.8))
        bt._cell(bt._merge(table, 4, 0, 4, 1), "合　计", bold=True, size=bt.SMALL_SIZE)
        for c, value in enumerate(["{{ total.dates }}", "{{ total.experts }}", "{{ total.tasks }}",
                                   "{{ total.days_worked }}", "{{ total.days }}", "{{ total.labour }}",
                                   "{{ total.lodging }}", "{{ total.meals }}", "{{ total.amount }}"], start=2):
            bt._cell(total.cells[c], value, bold=True, size=bt.SMALL_SIZE)
        bt._para(doc, "合计金额（大写）：人民币{{ total_upper }}（¥{{ total.amount }}）", size=Pt(12), before=6)

        bt._section_heading(doc, "二、计算过程（共{{ line_count }}行，每位专家每项任务一行）")
        widths = [0.9, 1.2, 3.4, 1.5, 2.9, 1.0, 1.1, 1.1, 1.5, 2.1, 1.7, 5.2]
        widths[-1] = round(bt.WIDE_TEXT_WIDTH_CM - sum(widths[:-1]), 2)
        bt._grid(doc, widths, ["序号", "申请编号", "使用事项", "专家", "工作日期", "地点", "实际天数", "计酬天数",
                               "日标准", "标准起始日期", "金额", "计算过程"],
                 "{%tr for x in lines %}",
                 ["{{ x.index }}", "{{ x.request_no }}", "{{ x.matter }}", "{{ x.expert }}", "{{ x.dates }}",
                  "{{ x.place }}", "{{ x.days_worked }}", "{{ x.days }}", "{{ x.rate }}", "{{ x.rate_version }}",
                  "{{ x.amount }}", "{{ x.working }}"], left=(2, 4, 11))

        bt._section_heading(doc, "三、适用标准")
        bt._para(doc, "{%p for v in rates %}", size=Pt(10.5))
        bt._para(doc, "{{ v }}", size=Pt(10.5)).paragraph_format.left_indent = Cm(0.8)
        bt._para(doc, "{%p endfor %}", size=Pt(10.5))
        bt._para(doc, "标准依据：{{ basis }}（{{ source }}）", size=Pt(10.5), before=2)
        bt._para(doc, "支付：{{ paid_by }}", size=Pt(10.5))
        # 说明, its notes, 制表人 and the two signature lines stand in one borderless block whose row cannot split: the
        # signatures never stand alone on a page (issue 12)
        block = bt._block(doc, bt.WIDE_TEXT_WIDTH_CM)
        bt._cell(block, "说明：", align=bt.LEFT, size=Pt(10.5), valign=bt.TOP)
        block.paragraphs[0].paragraph_format.space_before = Pt(4)
        bt._para(block, "{%p for n in notes %}", size=Pt(10.5))
        note = bt._para(block, "{{ n }}", size=Pt(10.5), align=bt.JUSTIFY)
        note.paragraph_format.left_indent = Cm(0.8)
        bt._para(block, "{%p endfor %}", size=Pt(10.5))
        bt._para(block, "制表人：{{ prepared_by }}　　　　制表日期：{{ printed_on }}", size=Pt(12), before=16)
        for who in ("使用科室（单位）负责人（签字）：", "专家管理办公室审核（签字）："):
            line = bt._para(block, who + "\t" + bt.DATE_LINE, size=Pt(12), before=14, after=4)
            line.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), bt.WD_TAB_ALIGNMENT.RIGHT)

        bt._page_number_footer(doc)
        doc.core_properties.title = "专家劳务报酬结算表"
        doc.save(path)

    return ((FEE_STATEMENT, build_fee_statement),)
