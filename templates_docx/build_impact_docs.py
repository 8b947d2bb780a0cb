"""政策调整影响分析 — the skeleton of the Word briefing of a policy what-if (X-P3), loaded by build_templates.py.

impact_briefing_政策调整影响分析.docx: the title, who made it and when, what is compared with what (现行 / 推演),
then 一 调整内容 (each changed parameter: 现行 → 推演), 二 影响摘要, 三 资格条件变化 (and the experts whose specialties
cannot be mapped to the other taxonomy), 四 行业领域人数与上限, 五 今年申报结论变化, 六 拒绝委派与服务评价的后果,
七 劳务报酬 (per using department and in total), and a signature line. No annex draws it (本地文书); the context
comes from core.impact.briefing_context and is rendered with forms.render.
"""
from __future__ import annotations

from pathlib import Path

IMPACT_BRIEFING = "impact_briefing_政策调整影响分析.docx"


def builders(bt) -> tuple:
    def build_impact_briefing(path: Path) -> None:
        doc = bt._new_document()
        bt._title(doc, bt.Pt(20))
        info = bt._table(doc, [2.6, 5.4, 2.6, 5.4], rows=4, tight=True)
        for r in range(4):
            bt._row_properties(info.rows[r], min_height=bt.Cm(0.8))
        for r, label, value in ((0, "现行策略", "{{ base_name }}"), (1, "推演对象", "{{ other_name }}")):
            bt._cell(info.cell(r, 0), label)
            bt._cell(bt._merge(info, r, 1, r, 3), value, align=bt.LEFT)
        for r, (l1, v1, l2, v2) in {2: ("数据截至", "{{ as_of }}", "报酬期间", "{{ period }}"),
                                   3: ("制作人", "{{ author }}", "制作日期", "{{ made_on }}")}.items():
            bt._cell(info.cell(r, 0), l1)
            bt._cell(info.cell(r, 1), v1, align=bt.LEFT)
            bt._cell(info.cell(r, 2), l2)
            bt._cell(info.cell(r, 3), v2, align=bt.LEFT)
        bt._para(doc, "{{ comparison_note }}", size=bt.SMALL_SIZE, before=4)

        bt._section_heading(doc, "一、调整内容", "下表列出推演对象与现行策略不同的每一项参数（现行 → 推演）。")
        bt._grid(doc, [1.2, 6.4, 4.2, 4.2], ["序号", "参数", "现行", "推演"], "{%tr for c in changes %}",
                 ["{{ c.index }}", "{{ c.label }}", "{{ c.old }}", "{{ c.new }}"], left=(1, 2, 3))
        bt._para(doc, "{{ changes_note }}", size=bt.SMALL_SIZE)

        bt._section_heading(doc, "二、影响摘要")
        bt._grid(doc, [8.0, 8.0], ["项目", "数值"], "{%tr for s in summary %}", ["{{ s.item }}", "{{ s.value }}"],
                 left=(0,), size=bt.CELL_SIZE)
        bt._para(doc, "{{ notes }}", size=bt.SMALL_SIZE, before=2)

        bt._section_heading(doc, "三、资格条件变化", "在库（含暂停）专家按两个策略的选聘条件逐条审查，结论在“不符合”与"
                                              "“符合/待审核”之间变化的，列出两边不通过的条件及理由。")
        bt._grid(doc, [1.0, 2.0, 1.4, 2.0, 4.8, 4.8], ["序号", "姓名", "状态", "变化", "现行", "推演"],
                 "{%tr for f in flips %}", ["{{ f.index }}", "{{ f.name }}", "{{ f.state }}", "{{ f.direction }}",
                                          "{{ f.base }}", "{{ f.other }}"], left=(4, 5))
        bt._para(doc, "{{ flips_note }}", size=bt.SMALL_SIZE)
        bt._para(doc, "专业无法对应的专家（另一分类表中没有同名专业，不计入其行业领域人数）：", size=bt.CELL_SIZE,
                 font=bt.LABEL_FONT, before=6, after=2).paragraph_format.keep_with_next = True
        bt._grid(doc, [1.2, 3.0, 11.8], ["序号", "姓名", "找不到对应的专业"], "{%tr for u in unmapped %}",
                 ["{{ u.index }}", "{{ u.name }}", "{{ u.codes }}"], left=(2,))
        bt._para(doc, "{{ unmapped_note }}", size=bt.SMALL_SIZE)

        bt._section_heading(doc, "四、行业领域人数与上限", "{{ pool_line }}")
        bt._grid(doc, [3.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6, 2.8],
                 ["行业领域", "现行人数", "现行上限", "现行状态", "推演人数", "推演上限", "推演状态", "变化"],
                 "{%tr for q in quota %}",
                 ["{{ q.sector }}", "{{ q.base_count }}", "{{ q.base_cap }}", "{{ q.base_status }}",
                  "{{ q.other_count }}", "{{ q.other_cap }}", "{{ q.other_status }}", "{{ q.change }}"], left=(0,))

        bt._section_heading(doc, "五、今年申报结论变化", "今年已提交的申报按两个策略重新审查资格；评分的策略按审核人原打分"
                                                "重新计算附件4 得分并与分数线比较。")
        bt._grid(doc, [1.0, 2.0, 2.2, 2.4, 4.2, 4.2], ["序号", "姓名", "申报日期", "变化", "现行", "推演"],
                 "{%tr for a in apps %}", ["{{ a.index }}", "{{ a.name }}", "{{ a.apply_date }}", "{{ a.change }}",
                                         "{{ a.base }}", "{{ a.other }}"], left=(4, 5))
        bt._para(doc, "{{ apps_note }}", size=bt.SMALL_SIZE)

        bt._section_heading(doc, "六、拒绝委派与服务评价的后果", "按两个策略的拒绝委派和服务评价规则，列出将触发、将解除或"
                                                      "处理改变的后果（只是建议，由办公室按程序办理）。")
        bt._grid(doc, [1.0, 2.0, 1.8, 1.8, 4.7, 4.7], ["序号", "姓名", "类别", "变化", "现行", "推演"],
                 "{%tr for c in consequences %}", ["{{ c.index }}", "{{ c.name }}", "{{ c.kind }}", "{{ c.change }}",
                                                 "{{ c.base }}", "{{ c.other }}"], left=(4, 5))
        bt._para(doc, "{{ consequences_note }}", size=bt.SMALL_SIZE)

        bt._section_heading(doc, "七、劳务报酬", "报酬期间内已接受、已完成的委派按两个策略的报酬标准计算（元）。")
        table = bt._table(doc, [6.4, 3.2, 3.2, 3.2], rows=5, tight=True)
        bt._small_header(table, ["使用科室", "现行", "推演", "增减"])
        bt._tag_row(table, 1, "{%tr for d in fee_rows %}")
        bt._row_properties(table.rows[2], min_height=bt.Cm(0.6))
        for c, value in enumerate(["{{ d.department }}", "{{ d.base }}", "{{ d.other }}", "{{ d.difference }}"]):
            bt._cell(table.rows[2].cells[c], value, size=bt.SMALL_SIZE, align=bt.LEFT if c == 0 else bt.RIGHT)
        bt._tag_row(table, 3, "{%tr endfor %}")
        total = table.rows[4]
        bt._row_properties(total, min_height=bt.Cm(0.7))
        for c, value in enumerate(["合计", "{{ fee_total_base }}", "{{ fee_total_other }}", "{{ fee_difference }}"]):
            bt._cell(total.cells[c], value, bold=True, align=bt.CENTER if c == 0 else bt.RIGHT)
        # The signature never stands alone on a page (issue 12): every row of this short table (one per using
        # department) keeps with the next, and so does the note under it, so the table, its note and the signature
        # line move together (LibreOffice keeps a table with what follows only when all its rows keep-with-next).
        for row in (table.rows[2], total):
            bt._keep_row_with_next(row)
        bt._para(doc, "{{ fee_note }}", size=bt.SMALL_SIZE).paragraph_format.keep_with_next = True

        bt._para(doc, "制作人：{{ author }}" + "　" * 6 + "日期：{{ made_on }}", size=bt.Pt(12), before=18)
        bt._page_number_footer(doc)
        doc.core_properties.title = "政策调整影响分析"
        doc.save(path)

    return ((IMPACT_BRIEFING, build_impact_briefing),)
