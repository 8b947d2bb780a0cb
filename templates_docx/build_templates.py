"""模板生成脚本 — builds the skeleton .docx templates of the official forms with python-docx.

Run `python templates_docx/build_templates.py [folder]` to (re)create
  - jc_fj1_专家类别划分表.docx: JC 附件1《晋城市安全生产和应急管理专家类别划分表》(第十条; JC-W1)
  - jc_fj2_申报表.docx:         JC 附件2《晋城市安全生产和应急管理专家申报表》(第八条(一))
  - jc_fj3_廉政承诺书.docx:     JC 附件3《晋城市安全生产和应急管理专家廉政承诺书》(第八条(一))
  - jc_fj4_条件审核意见表.docx: JC 附件4《晋城市安全生产和应急管理专家条件审核意见表》(第八条(二))
  - jc_fj5_推荐汇总表.docx:     JC 附件5《晋城市安全生产和应急管理专家推荐汇总表》(第八条(二))
  - yq_flb_分类表.docx:         YQ《专家行业领域和专业范围分类表》(附表一、附表二 填写说明; YQ-W1)
  - yq_fb1_入库申请表.docx:     YQ 附表一《阳泉市应急管理和安全生产专家入库申请表》(第七条(一))
  - yq_fb2_特聘专家推荐表.docx: YQ 附表二《阳泉市应急管理和安全生产特聘专家推荐表》(第八条)
  - yq_fb3_汇总表.docx:         YQ 附表三《阳泉市应急管理和安全生产专家汇总表》(第九条(二))
  - notice_拟定名单公示.docx:   the public notice of the draft list (JC 第八条(三); YQ 第七条(二)3), both profiles
  - certificate_聘书.docx:      the appointment certificate, one page per expert (JC 第八条(三); YQ 第七条(二)5)
  - jc_fj7_服务派遣审批单.docx: JC 附件7《晋城市安全生产和应急管理专家服务派遣审批单》(第十一条), 注1–4
  - yq_fb4_使用申请表.docx:     YQ 附表四《阳泉市应急管理和安全生产专家使用申请表》(第十四条(一)1(2))
  - yq_fb5_使用委派单.docx:     YQ 附表五《阳泉市应急管理和安全生产专家使用委派单》(第十四条(一)1(5))
  - draw_record_抽取记录单.docx: the draw record (request, time, who drew, seed, list hashes, exclusions,
                                 ranked orders, answers), both profiles; no annex draws it
Each is A4 (the two wide summary tables and the certificate landscape) with real bordered tables, merged
cells where the annex has them, repeating header rows, 仿宋 as the East-Asian font of the Normal style, the
annex's fixed wording, notes and signature/date lines, and the docxtpl tags the app fills (`{%tr for %}`
rows, `{%p for %}` pages, `{% vm %}` / `{% vm_start %}` vertical merges, see forms/render.py). The committed
.docx files are the ones the app uses; office staff may edit them in Word afterwards (fonts, widths,
wording) — re-running this script overwrites such edits.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

HERE = Path(__file__).resolve().parent
JC_TAXONOMY = "jc_fj1_专家类别划分表.docx"
YQ_TAXONOMY = "yq_flb_分类表.docx"
JC_APPLICATION = "jc_fj2_申报表.docx"
JC_PLEDGE = "jc_fj3_廉政承诺书.docx"
JC_REVIEW = "jc_fj4_条件审核意见表.docx"
JC_SUMMARY = "jc_fj5_推荐汇总表.docx"
YQ_APPLICATION = "yq_fb1_入库申请表.docx"
YQ_SPECIAL = "yq_fb2_特聘专家推荐表.docx"
YQ_SUMMARY = "yq_fb3_汇总表.docx"
NOTICE = "notice_拟定名单公示.docx"
CERTIFICATE = "certificate_聘书.docx"
JC_DISPATCH = "jc_fj7_服务派遣审批单.docx"
YQ_REQUEST = "yq_fb4_使用申请表.docx"
YQ_DISPATCH = "yq_fb5_使用委派单.docx"
DRAW_RECORD = "draw_record_抽取记录单.docx"

BODY_FONT = "仿宋"  # East-Asian font of the Normal style
LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"  # official title font; Word falls back to 宋体 (declared in fontTable)
LABEL_FONT = "黑体"
TITLE_SIZE = Pt(22)  # 二号
LABEL_SIZE = Pt(16)  # 三号
CELL_SIZE = Pt(10.5)  # 五号
SMALL_SIZE = Pt(9)  # 小五: hints inside cells, wide tables
BODY_SIZE = Pt(16)  # 三号: running text of official documents
FOOTER_SIZE = Pt(9)  # 小五
TEXT_WIDTH_CM = 16.0  # A4 portrait minus margins
WIDE_TEXT_WIDTH_CM = 25.7  # A4 landscape minus margins

# Word's substitutes when a font is not installed (w:altName in word/fontTable.xml).
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋_GB2312", LABEL_FONT: "SimHei", "宋体": "SimSun"}

CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
TOP = WD_CELL_VERTICAL_ALIGNMENT.TOP
DATE_LINE = "　　　　年　　月　　日"


# ---------------------------------------------------------------- document set-up

def _set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):  # theme fonts would override the explicit ones
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _new_document(*, landscape: bool = False) -> Document:
    doc = Document()
    section = doc.sections[0]
    if landscape:  # the 11-column summary tables and the certificate
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
        section.left_margin, section.right_margin = Cm(2.0), Cm(2.0)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2.54), Cm(2.2)
        section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(1.2)

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default, BODY_FONT)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    _declare_font_fallbacks(doc)
    return doc


def _declare_font_fallbacks(doc: Document) -> None:
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    for name, alt in FONT_FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text: str, *, font: str = BODY_FONT, size=CELL_SIZE, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold
    run.font.name = LATIN_FONT
    _set_fonts(run._element.get_or_add_rPr(), font)
    return run


def _annex_label(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = LEFT
    _run(p, text, font=LABEL_FONT, size=LABEL_SIZE)


def _title(doc: Document, size=TITLE_SIZE) -> None:
    """The official title (from the context); 20 pt instead of 二号 where 21 characters would wrap."""
    p = doc.add_paragraph()
    p.alignment = CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(12)
    _run(p, "{{ title }}", font=TITLE_FONT, size=size, bold=True)


def _footer(doc: Document, prefix: str) -> None:
    """Small centred line: basis document, page number, print date (not part of the annex body)."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = CENTER
    _run(p, prefix + "　第 ", size=FOOTER_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    p._p.append(field)
    number = _run(p, "1", size=FOOTER_SIZE)._element  # shown until the field updates
    field.append(number)  # moves the run inside the field
    _run(p, " 页　　打印日期：{{ printed_on }}", size=FOOTER_SIZE)


# ---------------------------------------------------------------- tables

def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "8" if edge in ("insideH", "insideV") else "12")  # eighths of a point
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    # CT_TblPr order: … tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook
    anchor = next((tbl_pr.find(qn(t)) for t in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
                   if tbl_pr.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)


def _cell_margins(table, side) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(side.twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))  # CT_TblPr order: … tblLayout, tblCellMar, tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _row_properties(row, *, header: bool = False, min_height=Cm(0.75), cant_split: bool = True) -> None:
    row.height = min_height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    tr_pr = row._tr.get_or_add_trPr()
    height = tr_pr.find(qn("w:trHeight"))
    if cant_split:  # a row never breaks across pages (not for long-text rows, which may be longer than a page)
        height.addprevious(OxmlElement("w:cantSplit"))
    if header:
        height.addnext(OxmlElement("w:tblHeader"))  # repeat on every page


def _keep_row_with_next(row) -> None:
    """Keep-with-next on every paragraph of `row`: Word and LibreOffice then print the row on the same page as
    what follows the table (a signature or date block never stands alone on a page; issue 12)."""
    for cell in row.cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def _keep_together(paragraphs) -> None:
    """Keep-with-next on each paragraph but the last: the block moves to the next page as a whole."""
    paragraphs = list(paragraphs)
    for p in paragraphs[:-1]:
        p.paragraph_format.keep_with_next = True


def _block(doc: Document, width_cm: float):
    """A borderless one-cell table whose only row never splits across pages; returns the cell to fill. What it holds
    (notes and the signature lines under them) moves to the next page as a whole: LibreOffice does not follow a
    keep-with-next chain of paragraphs reliably, but both it and Word honour a row that cannot split (issue 12)."""
    table = doc.add_table(rows=1, cols=1)
    table.autofit = False
    _cell_margins(table, Cm(0))
    table.columns[0].width = Cm(width_cm)
    cell = table.cell(0, 0)
    cell.width = Cm(width_cm)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return cell


def _no_wrap(cell) -> None:
    """<w:noWrap/> on a cell (in CT_TcPr order: after tcW, gridSpan, vMerge, tcBorders, shd): an ID number is
    never broken over two lines."""
    tc_pr = cell._tc.get_or_add_tcPr()
    if tc_pr.find(qn("w:noWrap")) is not None:
        return
    el = OxmlElement("w:noWrap")
    anchor = next((tc_pr.find(qn(t)) for t in ("w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                                               "w:hideMark") if tc_pr.find(qn(t)) is not None), None)
    if anchor is not None:
        anchor.addprevious(el)
    else:
        tc_pr.append(el)


def _table(doc: Document, widths_cm: list[float], rows: int, *, tight: bool = False):
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the widths below hold in Word and LibreOffice
    _borders(table)
    if tight:  # 1 mm cell margins instead of 1.9 mm: an 11-digit phone number fits a 2.5 cm column
        _cell_margins(table, Cm(0.1))
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def _cell(cell, text: str, *, align=CENTER, bold: bool = False, font: str = BODY_FONT, size=CELL_SIZE,
          valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER) -> None:
    cell.vertical_alignment = valign
    p = cell.paragraphs[0]
    p.alignment = align
    _lines(p, text, bold=bold, font=font, size=size)


def _lines(p, text: str, *, bold: bool = False, font: str = BODY_FONT, size=CELL_SIZE) -> None:
    """Runs of `text` in paragraph `p`, a real line break (<w:br/>) at each "\n"."""
    for i, line in enumerate(text.split("\n") if text else []):
        run = _run(p, line, bold=bold, font=font, size=size)
        if i:  # a line break inside the cell, before this run's text
            run._element.insert(1 if run._element.rPr is not None else 0, OxmlElement("w:br"))


def _tag_row(table, index: int, tag: str) -> None:
    """A row that holds only a docxtpl `{%tr … %}` tag: merged across, removed when rendered."""
    row = table.rows[index]
    merged = row.cells[0].merge(row.cells[-1])
    _cell(merged, tag, align=LEFT)


def _header(table, labels: list[str]) -> None:
    _row_properties(table.rows[0], header=True, min_height=Cm(0.9))
    for cell, label in zip(table.rows[0].cells, labels):
        _cell(cell, label, bold=True, font=LABEL_FONT)


# ---------------------------------------------------------------- the two forms

def build_jc_taxonomy(path: Path) -> None:
    """附件1: 专家类别 | 行业领域 | 专业分类 | 入选人数控制 | 备注, last row 合计."""
    doc = _new_document()
    _annex_label(doc, "附件1")
    _title(doc)
    # 16.0 cm = A4 width minus margins. 备注 holds the longest text (牵头科室 sentences).
    table = _table(doc, [2.2, 2.6, 4.4, 2.8, 4.0], rows=10)
    _header(table, ["专家类别", "行业领域", "专业分类", "入选人数\n控制", "备注"])
    _tag_row(table, 1, "{%tr for cat in categories %}")
    _tag_row(table, 2, "{%tr for sec in cat.sectors %}")
    _tag_row(table, 3, "{%tr for sp in sec.specialties %}")
    data = table.rows[4]
    _row_properties(data, min_height=Cm(0.6))
    # docxtpl's {% vm %} starts a merged block on the first row of the innermost loop (each sector);
    # the category spans several sectors, so it uses vm_start with a flag computed in core.
    _cell(data.cells[0], "{% vm_start sp.first_in_category %}{{ cat.name }}")
    _cell(data.cells[1], "{% vm %}{{ sec.label }}")
    _cell(data.cells[2], "{{ sp.label }}", align=LEFT)
    _cell(data.cells[3], "{% vm %}{{ sec.cap }}")
    _cell(data.cells[4], "{% vm %}{{ sec.note }}", align=LEFT)
    _tag_row(table, 5, "{%tr endfor %}")
    _tag_row(table, 6, "{%tr endfor %}")
    _tag_row(table, 7, "{%tr endfor %}")
    total = table.rows[8]
    _row_properties(total, min_height=Cm(0.8))
    label = total.cells[0].merge(total.cells[2])
    _cell(label, "{{ total_label }}", bold=True, font=LABEL_FONT)
    _cell(total.cells[3], "{{ total_cap }}")
    _cell(total.cells[4], "")
    table._tbl.remove(table.rows[9]._tr)  # python-docx needs the row count up front; one spare
    _footer(doc, "{{ document_number }} 附件1")
    doc.core_properties.title = "晋城市安全生产和应急管理专家类别划分表"
    doc.save(path)


def build_yq_taxonomy(path: Path) -> None:
    """分类表: 序号 | 行业领域 | 专业类别; 序号 and 行业领域 span their specialties."""
    doc = _new_document()
    _title(doc)
    table = _table(doc, [1.6, 5.4, 9.0], rows=6)
    _header(table, ["序号", "行业领域", "专业类别"])
    _tag_row(table, 1, "{%tr for sec in sectors %}")
    _tag_row(table, 2, "{%tr for sp in sec.specialties %}")
    data = table.rows[3]
    _row_properties(data, min_height=Cm(0.5))  # 160-odd rows: keep it to four pages
    _cell(data.cells[0], "{% vm %}{{ sec.code }}")
    _cell(data.cells[1], "{% vm %}{{ sec.name }}")
    _cell(data.cells[2], "{{ sp.label }}", align=LEFT)
    _tag_row(table, 4, "{%tr endfor %}")
    _tag_row(table, 5, "{%tr endfor %}")
    _footer(doc, "{{ document_number }}")
    doc.core_properties.title = "专家行业领域和专业范围分类表"
    doc.save(path)


# ---------------------------------------------------------------- shared pieces of the other forms

def _merge(table, r1: int, c1: int, r2: int, c2: int):
    """The cell covering rows r1..r2 and grid columns c1..c2 (merged as in the annex)."""
    return table.cell(r1, c1).merge(table.cell(r2, c2))


def _para(container, text: str = "", *, align=LEFT, size=CELL_SIZE, font: str = BODY_FONT, bold: bool = False,
          indent_chars: float = 0, before: float = 0, after: float = 0, line: float | None = None):
    """A new paragraph at the end of a cell or the document."""
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    if indent_chars:
        fmt.first_line_indent = Pt(size.pt * indent_chars)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line:
        fmt.line_spacing = line
    _lines(p, text, bold=bold, font=font, size=size)
    return p


def _heading(doc: Document, annex_label: str, *, colon: bool = False, size=TITLE_SIZE) -> None:
    """附件N / 附表N： label (from the context, so the profile's forms list decides it) and the title."""
    _annex_label(doc, annex_label + ("：" if colon else ""))
    _title(doc, size)


def _left_right(doc: Document, left: str, right: str, width_cm: float = TEXT_WIDTH_CM, *, size=Pt(12)):
    """One line with `left` at the margin and `right` flush with the right margin (a right tab stop)."""
    p = doc.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(Cm(width_cm), WD_TAB_ALIGNMENT.RIGHT)
    p.paragraph_format.space_after = Pt(4)
    _run(p, left + "\t" + right, size=size)
    return p


def _labels(table, cells: dict[tuple[int, int], str], *, size=CELL_SIZE) -> None:
    for (r, c), label in cells.items():
        _cell(table.cell(r, c), label, size=size)


def _long_text_row(table, row: int, label: str, hint: str, field: str, *, min_height_cm: float,
                   label_span: tuple[int, int] = (0, 0), value_span: tuple[int, int]) -> None:
    """A label cell and a wide cell holding the annex's hint (small) and the user's text below it. The row
    may break across pages: a long 简历 must not be pushed whole onto the next page or cut off."""
    _row_properties(table.rows[row], min_height=Cm(min_height_cm), cant_split=False)
    label_cell = table.cell(row, label_span[0]) if label_span[0] == label_span[1] else \
        _merge(table, row, label_span[0], row, label_span[1])
    _cell(label_cell, label)
    value = _merge(table, row, value_span[0], row, value_span[1])
    _user_text(value, field, hint=hint)


def _user_text(cell, field: str, *, hint: str = "") -> None:
    """The annex's hint (small, justified) and below it the user's text: left-aligned without indent, since
    its own line breaks (<w:br/>) would otherwise stretch each broken line to the full width."""
    cell.vertical_alignment = TOP
    first = cell.paragraphs[0]
    if hint:
        first.alignment = JUSTIFY
        _lines(first, hint, size=SMALL_SIZE)
        _para(cell, "{{ " + field + " }}", before=2)
    else:
        first.alignment = LEFT
        _lines(first, "{{ " + field + " }}")


def _signature_block(cell, lines: list[str], *, blank_lines: int = 0, indent_cm: float = 8.0) -> None:
    """Empty lines for handwriting, then the signature/seal/date lines (签名：  年 月 日) starting at
    `indent_cm` — an indent, not right alignment, so the space left for the handwriting stays."""
    for _ in range(blank_lines):
        _para(cell, "")
    for line in lines:
        p = _para(cell, line, before=3)
        p.paragraph_format.left_indent = Cm(indent_cm)


def _notes(doc: Document, lines: list[str], *, size=Pt(10.5), first: str = "说明：") -> None:
    p = _para(doc, first + lines[0], size=size, before=4)
    p.paragraph_format.left_indent = Cm(1.2)
    p.paragraph_format.first_line_indent = Cm(-1.2)
    for line in lines[1:]:
        q = _para(doc, line, size=size)
        q.paragraph_format.left_indent = Cm(1.2)


def _photo_cell(cell) -> None:
    """The 1-inch photo: an inline picture when the app has one, else the annex's 1寸免冠照片粘贴处."""
    _cell(cell, "{% if photo %}{{ photo }}{% else %}{{ photo_hint }}{% endif %}")


def _page_number_footer(doc: Document) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = CENTER
    _run(p, "— ", size=FOOTER_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    p._p.append(field)
    field.append(_run(p, "1", size=FOOTER_SIZE)._element)
    _run(p, " —", size=FOOTER_SIZE)


def _data_row(table, index: int, values: list[str], *, size=SMALL_SIZE, left: tuple[int, ...] = ()) -> None:
    row = table.rows[index]
    _row_properties(row, min_height=Cm(0.8))
    for c, value in enumerate(values):
        _cell(row.cells[c], value, size=size, align=LEFT if c in left else CENTER)


# ---------------------------------------------------------------- JC 附件2 申报表

JC_APPLICATION_PLEDGE = (
    "本人自愿加入晋城市安全生产和应急管理专家库,接受市应急管理局委派参与安全生产和应急管理工作,自觉严格遵守"
    "相关法律法规及有关规定,严格执行中央八项规定、党风廉政建设有关规定,正确行使专家权利,积极履行专家义务,"
    "依法依规开展相关工作,对出具的报告或意见建议负责。做好个人防护,对由违规或操作不当造成的后果承担责任。")


def build_jc_application(path: Path) -> None:
    """附件2: 7-column grid; the photo spans the first four rows; long texts span the value columns."""
    doc = _new_document()
    _heading(doc, "{{ annex_label }}")
    _left_right(doc, "申报专家类别：{{ category }}", "填报日期：{{ fill_date }}")
    table = _table(doc, [1.9, 2.5, 1.9, 2.5, 1.9, 2.4, 2.9], rows=16, tight=True)
    for r in range(10):
        _row_properties(table.rows[r], min_height=Cm(1.0 if r < 4 else 0.9))
    _labels(table, {(0, 0): "姓名", (0, 2): "性别", (0, 4): "出生年月",
                    (1, 0): "工作电话", (1, 2): "住宅电话", (1, 4): "移动电话",
                    (2, 0): "身份证号", (2, 3): "在岗情况", (3, 0): "单位全称",
                    (4, 0): "单位地址", (4, 4): "邮政编码", (5, 0): "所在部门", (5, 4): "职务(职称)",
                    (6, 0): "单位电话", (6, 2): "传真号码", (6, 4): "电子邮箱",
                    (7, 0): "毕业学校", (7, 2): "最高学历", (7, 4): "职业资格", (8, 0): "所学专业"})
    _labels(table, {(0, 1): "{{ name }}", (0, 3): "{{ gender }}", (0, 5): "{{ birth_month }}",
                    (1, 1): "{{ work_phone }}", (1, 3): "{{ home_phone }}", (1, 5): "{{ mobile }}",
                    (6, 1): "{{ unit_phone }}", (6, 3): "{{ fax }}", (7, 1): "{{ school }}",
                    (7, 3): "{{ education }}", (8, 1): "{{ major }}"})
    _photo_cell(_merge(table, 0, 6, 3, 6))
    _cell(_merge(table, 2, 1, 2, 2), "{{ id_number }}")
    _cell(_merge(table, 2, 4, 2, 5), "在岗{{ on_duty_box }} 退休{{ retired_box }} 其他：{{ employment_other }}",
          align=LEFT)
    _cell(_merge(table, 3, 1, 3, 5), "{{ unit }}", align=LEFT)
    _cell(_merge(table, 4, 1, 4, 3), "{{ unit_address }}", align=LEFT)
    _cell(_merge(table, 4, 5, 4, 6), "{{ postcode }}")
    _cell(_merge(table, 5, 1, 5, 3), "{{ department }}", align=LEFT)
    _cell(_merge(table, 5, 5, 5, 6), "{{ position_and_title }}")
    _cell(_merge(table, 6, 5, 6, 6), "{{ email }}")
    _cell(_merge(table, 7, 5, 7, 6), "{{ qualifications }}")
    _cell(_merge(table, 8, 2, 8, 3), "现从事行业(专业)及年限")
    _cell(_merge(table, 8, 4, 8, 6), "{{ field_and_years }}", align=LEFT)
    specialties = _merge(table, 9, 0, 9, 6)
    _cell(specialties, "申报专家行业领域及专业分类：", align=LEFT)
    lines = _para(specialties, "{{ specialty_lines }}")
    lines.paragraph_format.left_indent = Cm(0.8)  # every line of a multi-sector choice, not just the first
    _long_text_row(table, 10, "主要专业学历\n和工作简历",
                   "(提交学历、职称有关证明材料,重点填写全日制和后续取得国家高等教育学历认证的专业院校、所学专业、"
                   "学制年限、学历程度<中专、大专、本科、硕士以上>,填写从事安全生产、防灾减灾、应急救援等相关工作经历,"
                   "工作经历体现所申报专家类别、行业领域及专业分类内容及其相关年限。可附页)",
                   "resume", min_height_cm=5.0, value_span=(1, 6))
    _long_text_row(table, 11, "发明、著作、学术论文情况\n(何时、何地出版或发表)",
                   "(提交主要研究成果鉴定证书及获奖证书的复印件、发表论文及专著的有关证明材料。可附页。)",
                   "publications", min_height_cm=2.6, value_span=(1, 6))
    _long_text_row(table, 12, "受过何种奖励", "(提交奖励证书复印件等有关证明材料。可附页。)",
                   "awards", min_height_cm=2.0, value_span=(1, 6))
    _long_text_row(table, 13, "安全生产或应急管理相关工作主要业绩及研究成果",
                   "(主要包括参与国家和省市重大安全咨询与论证、重大科研等工作成果;参与安全检查、生产安全事故处理、"
                   "企业安全技术与管理咨询等工作实绩。可附页。)",
                   "achievements", min_height_cm=3.0, value_span=(1, 6))
    _row_properties(table.rows[14], min_height=Cm(5.0))
    _cell(table.cell(14, 0), "专家申报\n承诺")
    pledge = _merge(table, 14, 1, 14, 6)
    pledge.vertical_alignment = TOP
    pledge.paragraphs[0].alignment = JUSTIFY
    pledge.paragraphs[0].paragraph_format.first_line_indent = Pt(CELL_SIZE.pt * 2)
    _lines(pledge.paragraphs[0], JC_APPLICATION_PLEDGE)
    _para(pledge, "(请在对上述文字认真理解的基础上认真抄写在下方并签字确认)", size=SMALL_SIZE, indent_chars=2)
    _signature_block(pledge, ["签名：", DATE_LINE], blank_lines=4)
    _row_properties(table.rows[15], min_height=Cm(3.0))
    _cell(table.cell(15, 0), "推荐单位\n意见")
    opinion = _merge(table, 15, 1, 15, 6)
    _user_text(opinion, "unit_opinion")
    _signature_block(opinion, ["（公章）", DATE_LINE], blank_lines=1)
    _notes(doc, ["1.职业资格指注册安全工程师、注册安全评价师;",
                 "2.“申报专家类别”、“现从事行业(专业)及年限”栏、“申报专家类别、行业领域及专业分类”栏、请按照附件1"
                 "《晋城市安全生产和应急管理专家类别划分表》填写。"])
    doc.core_properties.title = "晋城市安全生产和应急管理专家申报表"
    doc.save(path)


# ---------------------------------------------------------------- JC 附件3 廉政承诺书

JC_PLEDGE_INTRO = (
    "本人自愿申请加入晋城市安全生产和应急管理专家库,在受聘及履职期间,严格遵守国家法律法规、党纪政纪和专家管理"
    "各项规定,恪守职业道德,坚守廉洁底线,郑重作出如下承诺:")
JC_PLEDGE_ITEMS = (
    "1.坚持公正、客观、独立、严谨履职,依法依规开展技术服务,不徇私偏袒,不出具虚假或不实专家意见。",
    "2.不以专家身份联系业务、推销产品、承揽项目,不利用工作便利为本人、所在单位或他人谋取不正当利益。",
    "3.不接受被服务单位现金、礼品、礼金、宴请、旅游等任何利益输送,执行任务期间按标准主动缴纳伙食费,杜绝吃拿卡要。",
    "4.严格执行回避制度,与服务对象存在利害关系时主动回避,不隐瞒、不参与相关工作。",
    "5.严守保密纪律,不泄露工作秘密、商业秘密、技术资料及未公开信息,依规做好保密工作。",
    "6.自觉接受监督与考核管理,若违反承诺,自愿承担受聘单位处理意见;涉嫌违纪违法的配合调查并承担相应责任。",
)


PLEDGE_SIGNATURE_INDENT_CM = 6.0


def build_jc_pledge(path: Path) -> None:
    """附件3: the promise in 三号 仿宋, the applicant's name and the date the pledge was signed."""
    doc = _new_document()
    _heading(doc, "{{ annex_label }}")
    _para(doc, JC_PLEDGE_INTRO, size=BODY_SIZE, indent_chars=2, align=JUSTIFY, line=1.5, before=6)
    for item in JC_PLEDGE_ITEMS:
        _para(doc, item, size=BODY_SIZE, indent_chars=2, align=JUSTIFY, line=1.5)
    _para(doc, "", size=BODY_SIZE, line=1.5)
    # 6 cm in: the blank "承诺日期：    年  月  日" (16 characters of 三号, 9 cm) fits on one line (issue 12)
    signer = _para(doc, "承诺人：{{ name }}", size=BODY_SIZE, line=1.5, before=18)
    signer.paragraph_format.left_indent = Cm(PLEDGE_SIGNATURE_INDENT_CM)
    day = _para(doc, "承诺日期：{{ pledge_date }}", size=BODY_SIZE, line=1.5)
    day.paragraph_format.left_indent = Cm(PLEDGE_SIGNATURE_INDENT_CM)
    _keep_together([signer, day])
    doc.core_properties.title = "晋城市安全生产和应急管理专家廉政承诺书"
    doc.save(path)


# ---------------------------------------------------------------- JC 附件4 条件审核意见表

def build_jc_review(path: Path) -> None:
    """附件4: name and sector rows, one row per scoring item (weight, 评分标准, points, 备注), the total and
    审核意见 with (签字) and the date; a 低于分数线例外通过 (reason, approver, date) prints inside 审核意见."""
    doc = _new_document()
    _heading(doc, "{{ annex_label }}", size=Pt(20))
    # 评分标准 spans three grid columns so the first row can hold 专家姓名 | name | 申请行业领域 | sectors.
    table = _table(doc, [2.6, 1.2, 2.2, 2.2, 2.0, 1.4, 4.4], rows=8, tight=True)
    for r in range(3):
        _row_properties(table.rows[r], header=True, min_height=Cm(0.9))
    _cell(table.cell(0, 0), "专家姓名")
    _cell(_merge(table, 0, 1, 0, 2), "{{ name }}")
    _cell(table.cell(0, 3), "申请行业领域")
    _cell(_merge(table, 0, 4, 0, 6), "{{ sectors }}", align=LEFT)
    _cell(table.cell(1, 0), "申请专业类别")
    _cell(_merge(table, 1, 1, 1, 6), "{{ specialties }}", align=LEFT)
    _cell(table.cell(2, 0), "审核项目", font=LABEL_FONT)
    _cell(table.cell(2, 1), "得分\n权重", font=LABEL_FONT)
    _cell(_merge(table, 2, 2, 2, 4), "评分标准", font=LABEL_FONT)
    _cell(table.cell(2, 5), "项目\n得分", font=LABEL_FONT)
    _cell(table.cell(2, 6), "备注", font=LABEL_FONT)
    _tag_row(table, 3, "{%tr for line in lines %}")
    item = table.rows[4]
    _row_properties(item, min_height=Cm(1.2))
    _cell(item.cells[0], "{{ line.name }}", size=SMALL_SIZE)
    _cell(item.cells[1], "{{ line.weight }}", size=SMALL_SIZE)
    _cell(_merge(table, 4, 2, 4, 4), "{{ line.criteria }}", align=JUSTIFY, size=SMALL_SIZE)
    _cell(item.cells[5], "{{ line.points }}")
    _cell(item.cells[6], "{{ line.remark }}", align=LEFT, size=SMALL_SIZE)
    _tag_row(table, 5, "{%tr endfor %}")
    total = table.rows[6]
    _row_properties(total, min_height=Cm(1.2))
    _cell(_merge(table, 6, 0, 6, 4), "{{ total_label }}", align=LEFT)
    _cell(total.cells[5], "{{ total }}", bold=True)
    _cell(total.cells[6], "{{ total_remark }}", align=LEFT, size=SMALL_SIZE)
    _row_properties(table.rows[7], min_height=Cm(4.0))
    _cell(table.cell(7, 0), "审核意见")
    opinion = _merge(table, 7, 1, 7, 6)
    _user_text(opinion, "opinion")
    # 低于分数线例外通过 (“原则上低于70分不予审核通过”): the written reason and the approval, under the opinion and
    # above the signature; both paragraphs vanish when there is no exception, so the annex's layout is unchanged.
    _para(opinion, "{%p if exception.granted %}")
    _para(opinion, "低于{{ pass_mark }}分例外通过理由：{{ exception.reason }}", before=4)
    _para(opinion, "批准人：{{ exception.approver_role }}　{{ exception.approved_by }}　　"
                   "批准日期：{{ exception.approved_on }}", before=2)
    _para(opinion, "{%p endif %}")
    _signature_block(opinion, ["（签字）", "{{ reviewed_on }}"], blank_lines=2)
    doc.core_properties.title = "晋城市安全生产和应急管理专家条件审核意见表"
    doc.save(path)


# ---------------------------------------------------------------- JC 附件5 推荐汇总表

def build_jc_summary(path: Path) -> None:
    """附件5 (landscape): 填报科室 and 填报日期, one row per candidate, 注, the three signature lines."""
    doc = _new_document(landscape=True)
    _heading(doc, "{{ annex_label }}")
    _left_right(doc, "填报科室：{{ lead_office }}", "填报日期：{{ fill_date }}", WIDE_TEXT_WIDTH_CM)
    # 身份证号 3.5 cm and no-wrap: 18 digits of 小五 need 2.9 cm, and at 3.1 cm the final X broke onto a second line
    widths = [1.1, 1.6, 1.0, 3.5, 2.3, 3.1, 2.2, 2.2, 2.0, 2.0, 4.7]
    table = _table(doc, widths, rows=4, tight=True)
    _header(table, ["序号", "姓名", "性别", "身份证号", "移动电话", "单位全称", "职务职称", "毕业院校", "所学专业",
                    "现从事专业", "拟申报专家类别、行业领域及专业分类"])
    for cell in table.rows[0].cells:  # the long header wraps; keep it at 小五 like the data
        for run in cell.paragraphs[0].runs:
            run.font.size = SMALL_SIZE
    _tag_row(table, 1, "{%tr for r in rows %}")
    _data_row(table, 2, ["{{ r.index }}", "{{ r.name }}", "{{ r.gender }}", "{{ r.id_number }}", "{{ r.mobile }}",
                         "{{ r.unit }}", "{{ r.position_and_title }}", "{{ r.school }}", "{{ r.major }}",
                         "{{ r.current_field }}", "{{ r.classification }}"], left=(5, 10))
    _no_wrap(table.cell(2, 3))
    _tag_row(table, 3, "{%tr endfor %}")
    _notes(doc, ["拟申报专家类别、行业领域及专业分类请务必按照附件1《晋城市安全生产和应急管理专家类别划分表》填写，"
                 "毕业院校和所学专业填写与申报专家专业有关的最高学历院校和专业，职务、职称如果有都要填写。"],
           first="注：")
    _para(doc, "承办人：" + "　" * 10 + "科室负责人：" + "　" * 10 + "分管领导：", size=Pt(12), before=14)
    _page_number_footer(doc)
    doc.core_properties.title = "晋城市安全生产和应急管理专家推荐汇总表"
    doc.save(path)


# ---------------------------------------------------------------- YQ 附表一 / 附表二

YQ_PLEDGE = (
    "本人自愿加入阳泉市应急管理和安全生产专家库，接受市安委委派参与应急管理和安全生产工作，自觉严格遵守相关法律"
    "法规及保密等管理规定，严格遵守廉洁自律和回避原则，正确行使专家权利，积极履行专家义务，依法依规开展相关工作，"
    "对出具的报告或意见建议承担责任。同时做好个人自我防护，对由违规或操作不当造成的后果承担责任。")
YQ_NOTES = ["1.职业资格：指注册安全工程师、注册安全评价师或国家职能技能一级/高级技师；",
            "2.现从事专业：请务必按照《专家行业领域和专业范围分类表》（见下表）填写；",
            "3.填写说明：此表一式两份。"]
YQ_ACHIEVEMENTS_HINT = ("（主要包括参与国家和省市重大安全咨询与论证、重大科研等工作成果；参与安全检查、隐患排查与整改、"
                        "安全生产事故处理、企业安全技术与管理咨询等工作实绩。可附页。）")


def _yq_person_rows(doc: Document, rows: int, *, special: bool):
    """The rows 附表一 and 附表二 share: personal data, photo, 工作简历 … 主要业绩."""
    _heading(doc, "{{ annex_label }}", colon=True)
    _para(doc, "填报：{{ fill_date }}", align=RIGHT, size=Pt(12), after=4)
    table = _table(doc, [1.9, 2.5, 1.9, 2.5, 1.9, 2.4, 2.9], rows=rows, tight=True)
    for r in range(8):
        _row_properties(table.rows[r], min_height=Cm(1.0 if r < 4 else 0.9))
    _labels(table, {(0, 0): "姓　名", (0, 2): "性　别", (0, 4): "出生年月", (1, 0): "政治面貌", (1, 2): "移动电话",
                    (2, 0): "身份证号"})
    _labels(table, {(0, 1): "{{ name }}", (0, 3): "{{ gender }}", (0, 5): "{{ birth_month }}",
                    (1, 1): "{{ political_status }}"})
    _photo_cell(_merge(table, 0, 6, 3, 6))
    _cell(_merge(table, 1, 3, 1, 5), "{{ mobile }}")
    _cell(_merge(table, 2, 1, 2, 3), "{{ id_number }}")
    _cell(_merge(table, 2, 4, 2, 5), "在岗{{ on_duty_box }}　退休{{ retired_box }}")
    _cell(table.cell(3, 0), "工作单位\n及地址")
    _cell(_merge(table, 3, 1, 3, 5), "{{ unit_and_address }}", align=LEFT)
    for r, (left, left_field, right, right_field) in enumerate([
            ("所在部门", "department", "职　务", "position"), ("毕业院校", "school", "职　称", "job_title"),
            ("所学专业", "major", "职业资格", "qualifications")], start=4):
        _cell(table.cell(r, 0), left)
        _cell(_merge(table, r, 1, r, 3), "{{ " + left_field + " }}", align=LEFT)
        _cell(table.cell(r, 4), right)
        _cell(_merge(table, r, 5, r, 6), "{{ " + right_field + " }}", align=LEFT)
    # 申请专业 may list several specialties: it gets the wider half of the row.
    _cell(table.cell(7, 0), "申请行业")
    _cell(_merge(table, 7, 1, 7, 2), "{{ sectors }}", align=LEFT)
    _cell(table.cell(7, 3), "申请专业")
    _cell(_merge(table, 7, 4, 7, 6), "{{ specialties }}", align=LEFT)
    _long_text_row(table, 8, "工\n作\n简\n历", "", "resume", min_height_cm=4.5, value_span=(1, 6))
    _long_text_row(table, 9, "发明、著作、学术论文情况（何时、何地出版或发表）",
                   "（提交主要研究成果鉴定证书及获奖证书的复印件、发表论文及专著的有关证明材料。）" if special else "",
                   "publications", min_height_cm=2.6, value_span=(1, 6))
    _long_text_row(table, 10, "受过何种奖励", "（提交奖励证书复印件等有关证明材料。）" if special else "",
                   "awards", min_height_cm=2.0, value_span=(1, 6))
    _long_text_row(table, 11, "安全生产相关工作主要业绩及研究成果", YQ_ACHIEVEMENTS_HINT, "achievements",
                   min_height_cm=3.0, value_span=(1, 6))
    return table


def _yq_pledge_row(table, row: int) -> None:
    _row_properties(table.rows[row], min_height=Cm(5.0))
    _cell(table.cell(row, 0), "专家承诺")
    pledge = _merge(table, row, 1, row, 6)
    pledge.vertical_alignment = TOP
    pledge.paragraphs[0].alignment = JUSTIFY
    pledge.paragraphs[0].paragraph_format.first_line_indent = Pt(CELL_SIZE.pt * 2)
    _lines(pledge.paragraphs[0], YQ_PLEDGE)
    _para(pledge, "请对上述文字认真理解，并抄写在下方。", indent_chars=2)
    _signature_block(pledge, ["签名：", DATE_LINE], blank_lines=4)


def build_yq_application(path: Path) -> None:
    """附表一: as the annex, 所在单位意见 (同意申报, 公章, date) before 专家承诺."""
    doc = _new_document()
    table = _yq_person_rows(doc, 14, special=False)
    _row_properties(table.rows[12], min_height=Cm(3.0))
    _cell(table.cell(12, 0), "所在单位\n意见")
    opinion = _merge(table, 12, 1, 12, 6)
    _user_text(opinion, "unit_opinion_or_agree")
    _signature_block(opinion, ["（公章）", DATE_LINE], blank_lines=1)
    _yq_pledge_row(table, 13)
    _notes(doc, YQ_NOTES)
    doc.core_properties.title = "阳泉市应急管理和安全生产专家入库申请表"
    doc.save(path)


def build_yq_special(path: Path) -> None:
    """附表二: as 附表一 without 所在单位意见; 推荐部门 spans 部门意见 and 分管领导, each with 签字."""
    doc = _new_document()
    table = _yq_person_rows(doc, 15, special=True)
    _yq_pledge_row(table, 12)
    _cell(_merge(table, 13, 0, 14, 0), "推荐部门\n{{ special_department }}")
    for row, label, field in ((13, "部\n门\n意\n见", "department_opinion"), (14, "分\n管\n领\n导", "leader_opinion")):
        _row_properties(table.rows[row], min_height=Cm(3.0))
        _cell(table.cell(row, 1), label)
        opinion = _merge(table, row, 2, row, 6)
        _user_text(opinion, field)
        _signature_block(opinion, ["签字：", DATE_LINE], blank_lines=1, indent_cm=6.0)
    _notes(doc, YQ_NOTES)
    doc.core_properties.title = "阳泉市应急管理和安全生产特聘专家推荐表"
    doc.save(path)


# ---------------------------------------------------------------- YQ 附表三 汇总表

def build_yq_summary(path: Path) -> None:
    """附表三 (landscape): 填报时间, one row per applicant."""
    doc = _new_document(landscape=True)
    _heading(doc, "{{ annex_label }}", colon=True)
    _para(doc, "填报时间：{{ fill_date }}", align=RIGHT, size=Pt(12), after=4)
    widths = [1.1, 1.7, 1.0, 2.0, 4.0, 2.2, 2.7, 2.2, 2.6, 2.8, 3.4]
    table = _table(doc, widths, rows=4, tight=True)
    _header(table, ["序号", "姓　名", "性别", "出生年月", "工作单位", "职务", "毕业院校", "职称", "职业资格",
                    "申请行业", "申请专业"])
    _tag_row(table, 1, "{%tr for r in rows %}")
    _data_row(table, 2, ["{{ r.index }}", "{{ r.name }}", "{{ r.gender }}", "{{ r.birth_month }}", "{{ r.unit }}",
                         "{{ r.position }}", "{{ r.school }}", "{{ r.job_title }}", "{{ r.qualifications }}",
                         "{{ r.sectors }}", "{{ r.specialties }}"], left=(4, 10))
    _tag_row(table, 3, "{%tr endfor %}")
    _page_number_footer(doc)
    doc.core_properties.title = "阳泉市应急管理和安全生产专家汇总表"
    doc.save(path)


# ---------------------------------------------------------------- 拟定名单公示 (both profiles)

def build_notice(path: Path) -> None:
    """The public notice: title, intro, the list (no ID or phone numbers), period, objections, issuer, date."""
    doc = _new_document()
    _title(doc, Pt(20))
    _para(doc, "{{ intro }}", size=BODY_SIZE, indent_chars=2, align=JUSTIFY, line=1.5, after=6)
    table = _table(doc, [1.1, 1.8, 1.1, 4.2, 2.8, 5.0], rows=4, tight=True)
    _header(table, ["序号", "姓名", "性别", "工作单位", "职务职称", "行业领域及专业"])
    # The closing text keeps together down to the date (keep-with-next on each paragraph but the last): the issuer
    # and date never stand alone on a page (issue 12).
    _tag_row(table, 1, "{%tr for r in rows %}")
    _data_row(table, 2, ["{{ r.index }}", "{{ r.name }}", "{{ r.gender }}", "{{ r.unit }}",
                         "{{ r.position_and_title }}", "{{ r.specialties }}"], size=CELL_SIZE, left=(3, 5))
    _tag_row(table, 3, "{%tr endfor %}")
    closing = [
        _para(doc, "{{ period_text }}", size=BODY_SIZE, indent_chars=2, align=JUSTIFY, line=1.5, before=8),
        _para(doc, "{{ objection_text }}", size=BODY_SIZE, indent_chars=2, align=JUSTIFY, line=1.5),
        _para(doc, "联系电话：{{ contact }}", size=BODY_SIZE, indent_chars=2, line=1.5),
        _para(doc, "{{ issuer }}", size=BODY_SIZE, align=RIGHT, line=1.5, before=24),
        _para(doc, "{{ issued_on }}", size=BODY_SIZE, align=RIGHT, line=1.5),
    ]
    _keep_together(closing)
    _page_number_footer(doc)
    doc.core_properties.title = "专家库拟定名单公示"
    doc.save(path)


# ---------------------------------------------------------------- 聘书 (both profiles, a page per expert)

def _page_border(doc: Document) -> None:
    """A double frame round each certificate page (w:pgBorders, after w:pgMar in CT_SectPr order)."""
    sect_pr = doc.sections[0]._sectPr
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "double")
        el.set(qn("w:sz"), "18")
        el.set(qn("w:space"), "24")
        el.set(qn("w:color"), "C00000")
        borders.append(el)
    sect_pr.find(qn("w:pgMar")).addnext(borders)


def build_certificate(path: Path) -> None:
    """聘书: A4 landscape, one page per entry of `certificates` (the title paragraph starts a new page)."""
    doc = _new_document(landscape=True)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(3.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _page_border(doc)
    _para(doc, "{%p for c in certificates %}")
    title = _para(doc, "聘　　书", align=CENTER, size=Pt(48), font=TITLE_FONT, bold=True, before=24, after=30)
    title.paragraph_format.page_break_before = True  # each certificate on its own page (none before the first)
    body = _para(doc, "", size=Pt(20), indent_chars=2, align=JUSTIFY, line=1.6, after=6)
    _run(body, "兹聘请", size=Pt(20))
    _run(body, "{{ c.name }}", size=Pt(22), bold=True)
    _run(body, "同志为{{ c.pool_name }}专家。", size=Pt(20))
    _para(doc, "{%p for d in c.details %}")
    detail = _para(doc, "{{ d.label }}：{{ d.value }}", size=Pt(18), line=1.4)
    detail.paragraph_format.left_indent = Cm(1.4)
    _para(doc, "{%p endfor %}")
    _para(doc, "{{ c.issuer }}", size=Pt(20), align=RIGHT, before=36, line=1.4)
    _para(doc, "{{ c.issued_on }}", size=Pt(20), align=RIGHT, line=1.4)
    _para(doc, "证书编号：{{ c.certificate_no }}", size=Pt(12), before=18)
    _para(doc, "{%p endfor %}")
    doc.core_properties.title = "聘书"
    doc.save(path)


# ---------------------------------------------------------------- drawing and dispatch forms (issue 4)

FORM_SIZE = Pt(12)  # 小四: the sparse two-column dispatch forms read better a size up from 五号


def _value(cell, text: str, *, align=LEFT, size=FORM_SIZE, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER) -> None:
    _cell(cell, text, align=align, size=size, valign=valign)


def _sign_lines(cell, lines: list[str], *, blank_lines: int = 0, indent_cm: float = 5.5, size=FORM_SIZE) -> None:
    """Room for handwriting, then "(签字)" and the date line from `indent_cm` (an indent, not right alignment)."""
    for _ in range(blank_lines):
        _para(cell, "", size=size)
    for line in lines:
        p = _para(cell, line, size=size, before=3)
        p.paragraph_format.left_indent = Cm(indent_cm)


def _label_rows(table, rows: list[tuple[int, str, float]], *, size=FORM_SIZE) -> None:
    """Left label cells with their minimum row heights (rows may grow with their content)."""
    for r, label, height in rows:
        _row_properties(table.rows[r], min_height=Cm(height), cant_split=height < 3.5)
        _cell(table.cell(r, 0), label, size=size)


def build_jc_dispatch_approval(path: Path) -> None:
    """附件7: the title over two lines, a two-column table (labels left, content right) and 注1–4 below."""
    doc = _new_document()
    _annex_label(doc, "{{ annex_label }}")
    _para(doc, "{{ title_lines }}", align=CENTER, size=TITLE_SIZE, font=TITLE_FONT, bold=True, before=6, after=14,
          line=1.15)
    table = _table(doc, [4.8, 11.2], rows=7)
    _label_rows(table, [(0, "市应急管理局分管\n领导意见", 4.0), (1, "市应急管理局使用科室\n(单位)负责人", 2.6),
                        (2, "市应急管理局使用科室\n(单位)及经办人", 1.8), (3, "专家出勤人员", 2.0),
                        (4, "专家工作时间", 1.2), (5, "专家工作地点", 1.2), (6, "主要工作内容", 3.4)])
    opinion = table.cell(0, 1)
    _value(opinion, "{{ leader_opinion }}", valign=TOP)
    _para(opinion, "{{ approval_note }}", size=CELL_SIZE, before=2)
    _sign_lines(opinion, ["(签字)", "{{ leader_date }}"], blank_lines=1)
    head = table.cell(1, 1)
    _value(head, "{{ department_head }}", valign=TOP)
    _sign_lines(head, ["(签字)", "{{ department_head_date }}"], blank_lines=1)
    _value(table.cell(2, 1), "{{ department_and_handler }}")
    _value(table.cell(3, 1), "{{ attendees }}")
    _value(table.cell(4, 1), "{{ work_period }}")
    _value(table.cell(5, 1), "{{ place }}")
    _value(table.cell(6, 1), "{{ work_content }}", valign=TOP)
    _para(doc, "注:", size=FORM_SIZE, before=8).paragraph_format.keep_with_next = True
    _para(doc, "{%p for n in notes %}", size=FORM_SIZE)
    note = _para(doc, "{{ n }}", size=FORM_SIZE, align=JUSTIFY)
    note.paragraph_format.left_indent = Cm(0.85)
    note.paragraph_format.first_line_indent = Cm(-0.35)
    _para(doc, "{%p endfor %}", size=FORM_SIZE)
    doc.core_properties.title = "晋城市安全生产和应急管理专家服务派遣审批单"
    doc.save(path)


def build_yq_request(path: Path) -> None:
    """附表四: 使用单位, 申请科室 | 联系人及电话, 使用事项, 使用时间, 使用类别, 行业、专业要求及专家数量, the two
    signature rows; every value cell spans to the right edge."""
    doc = _new_document()
    _heading(doc, "{{ annex_label }}", colon=True, size=Pt(20))
    # labels 2.8 cm, 1 mm cell margins: the blank 使用时间 "    年  月  日至    年  月  日，共计  天。" (30 characters
    # of 小四, 12.7 cm) fits on one line in the 13.2 cm value cell (issue 12)
    table = _table(doc, [2.8, 4.8, 3.0, 5.4], rows=8, tight=True)
    _label_rows(table, [(0, "使用单位", 1.5), (1, "申请科室", 1.5), (2, "使用事项", 4.2), (3, "使用时间", 1.5),
                        (4, "使用类别", 1.5), (5, "行业、专业要\n求及专家数量", 4.2), (6, "使用部门\n负责人签字", 2.6),
                        (7, "使用部门\n分管领导签字", 2.6)])
    _value(_merge(table, 0, 1, 0, 3), "{{ use_unit }}")
    _value(table.cell(1, 1), "{{ section }}")
    _cell(table.cell(1, 2), "联系人\n及电话", size=FORM_SIZE)
    _value(table.cell(1, 3), "{{ contact_line }}")
    _value(_merge(table, 2, 1, 2, 3), "{{ matter_text }}", valign=TOP)
    _value(_merge(table, 3, 1, 3, 3), "{{ period }}")
    _value(_merge(table, 4, 1, 4, 3), "{{ category_boxes }}")
    _value(_merge(table, 5, 1, 5, 3), "{{ needs_text }}", valign=TOP)
    for r in (6, 7):
        _value(_merge(table, r, 1, r, 3), "")
    doc.core_properties.title = "阳泉市应急管理和安全生产专家使用申请表"
    doc.save(path)


def build_yq_dispatch(path: Path) -> None:
    """附表五: 编号, 姓名 | 专业 | 职称/资格 | 对专家工作情况评价 (☐优秀 ☐良好 ☐一般 ☐较差) one row per expert,
    then 使用事项, 使用时间, 使用类别, 专家库负责人签字, 被检查企业 | 联系电话, 使用部门确认签字, 备注."""
    doc = _new_document()
    _heading(doc, "{{ annex_label }}", colon=True, size=Pt(20))
    _para(doc, "编号：{{ number }}", align=RIGHT, size=FORM_SIZE, after=4)
    # 5 grid columns: the rating spans the last two, so 被检查企业 | 联系电话 can share the same grid.
    table = _table(doc, [2.4, 4.2, 3.4, 2.4, 3.6], rows=11, tight=True)
    _row_properties(table.rows[0], header=True, min_height=Cm(1.0))
    for c, label in ((0, "姓　名"), (1, "专　业"), (2, "职称/资格")):
        _cell(table.cell(0, c), label, size=FORM_SIZE)
    _cell(_merge(table, 0, 3, 0, 4), "对专家工作情况评价", size=FORM_SIZE)
    _tag_row(table, 1, "{%tr for e in experts %}")
    row = table.rows[2]
    _row_properties(row, min_height=Cm(1.0))
    _cell(row.cells[0], "{{ e.name }}", size=FORM_SIZE)
    _cell(row.cells[1], "{{ e.specialty }}", size=CELL_SIZE)
    _cell(row.cells[2], "{{ e.title }}", size=CELL_SIZE)
    _cell(_merge(table, 2, 3, 2, 4), "{{ e.rating_boxes }}", size=CELL_SIZE)
    _tag_row(table, 3, "{%tr endfor %}")
    _label_rows(table, [(4, "使用事项", 2.6), (5, "使用时间", 1.3), (6, "使用类别", 1.3), (7, "专家库负\n责人签字", 1.8),
                        (8, "被检查企业", 1.5), (9, "使用部门\n确认签字", 1.8), (10, "备　注", 1.8)])
    _value(_merge(table, 4, 1, 4, 4), "{{ matter }}", valign=TOP)
    _value(_merge(table, 5, 1, 5, 4), "{{ period }}")
    _value(_merge(table, 6, 1, 6, 4), "{{ category_boxes }}")
    _value(_merge(table, 7, 1, 7, 4), "")
    _value(_merge(table, 8, 1, 8, 2), "{{ targets }}", size=CELL_SIZE)
    _cell(table.cell(8, 3), "联系电话", size=FORM_SIZE)
    _value(table.cell(8, 4), "{{ enterprise_phone }}", align=CENTER, size=CELL_SIZE)
    _value(_merge(table, 9, 1, 9, 4), "")
    _value(_merge(table, 10, 1, 10, 4), "{{ remark }}", valign=TOP, size=CELL_SIZE)
    doc.core_properties.title = "阳泉市应急管理和安全生产专家使用委派单"
    doc.save(path)


def _section_heading(doc: Document, text: str, note: str = "") -> None:
    """一、… heading kept with the table below it (and its small explanatory line, if any)."""
    heading = _para(doc, text, size=Pt(12), font=LABEL_FONT, before=10, after=0 if note else 4)
    heading.paragraph_format.keep_with_next = True
    if note:
        _para(doc, note, size=SMALL_SIZE, after=4).paragraph_format.keep_with_next = True


def _small_header(table, labels: list[str]) -> None:
    """A repeating 五号 header row that stays with the first data row."""
    _header(table, labels)
    for cell in table.rows[0].cells:
        cell.paragraphs[0].paragraph_format.keep_with_next = True
        for run in cell.paragraphs[0].runs:
            run.font.size = CELL_SIZE


def _grid(doc: Document, widths: list[float], labels: list[str], loop: str, cells: list[str], *,
          left: tuple[int, ...] = (), size=SMALL_SIZE):
    """A header row, then one data row repeated by `loop` ({%tr for … %} … {%tr endfor %})."""
    table = _table(doc, widths, rows=4, tight=True)
    _small_header(table, labels)
    _tag_row(table, 1, loop)
    row = table.rows[2]
    _row_properties(row, min_height=Cm(0.6))
    for c, value in enumerate(cells):
        _cell(row.cells[c], value, size=size, align=LEFT if c in left else CENTER)
    _tag_row(table, 3, "{%tr endfor %}")
    return table


def build_draw_record(path: Path) -> None:
    """抽取记录单: the request in brief and the draw's particulars (time, who, seed, method), then 一 the SHA-256
    of each specialty's eligible list, 二 the exclusions with rule and reason, 三 the complete ranked order of
    each specialty in its own table, 四 the answers; how to verify; signature lines."""
    doc = _new_document()
    _title(doc, Pt(20))
    table = _table(doc, [2.6, 5.4, 2.6, 5.4], rows=12, tight=True)
    for r in range(12):
        _row_properties(table.rows[r], min_height=Cm(0.8))
    pairs = {0: ("申请编号", "{{ request_no }}", "抽取时间", "{{ drawn_at }}"),
             1: ("使用科室", "{{ department }}", "联系人及电话", "{{ contact_line }}"),
             3: ("任务类型", "{{ task_type }}", "工作地点", "{{ place }}"),
             9: ("抽取人", "{{ drawn_by }}", "方法版本", "{{ method_version }}")}
    for r, (l1, v1, l2, v2) in pairs.items():
        _cell(table.cell(r, 0), l1)
        _cell(table.cell(r, 1), v1, align=LEFT)
        _cell(table.cell(r, 2), l2)
        _cell(table.cell(r, 3), v2, align=LEFT)
    for r, label, value in ((2, "使用事项", "{{ matter }}"), (4, "工作时间", "{{ period }}"),
                            (5, "服务对象", "{{ targets }}"), (6, "专业及人数", "{{ needs_text }}"),
                            (7, "选取方式", "{{ selection }}"), (8, "审批情况", "{{ approval_text }}"),
                            (10, "随机种子", "{{ seed }}"), (11, "抽取说明", "{{ reason }}")):
        _cell(table.cell(r, 0), label)
        _cell(_merge(table, r, 1, r, 3), value, align=LEFT)
    _section_heading(doc, "一、候选名单校验值（SHA-256）")
    _grid(doc, [4.8, 1.8, 9.4], ["专业", "候选人数", "校验值"], "{%tr for h in hashes %}",
          ["{{ h.specialty }}", "{{ h.candidates }}", "{{ h.hash_grouped }}"], left=(0, 2))
    _section_heading(doc, "二、回避与排除（共{{ exclusion_count }}人次）")
    _grid(doc, [1.2, 2.4, 3.8, 8.6], ["序号", "姓名", "排除规则", "原因"], "{%tr for x in exclusions %}",
          ["{{ x.index }}", "{{ x.name }}", "{{ x.rule }}", "{{ x.reason }}"], left=(3,))
    _section_heading(doc, "三、各专业完整排序", "轮换使用：近{{ window_days }}天内使用次数少者在前，次数相同者按随机种子"
                                            "排序；答复不能参加的，由本专业下一顺位递补。")
    # One small table per specialty under its own heading (not one table with the specialty merged down the
    # rows: a merged block is kept on one page, and a complete order of 60 experts is longer than a page).
    _para(doc, "{%p for s in orders %}")
    heading = _para(doc, "{{ s.heading }}", size=CELL_SIZE, font=LABEL_FONT, before=4, after=2)
    heading.paragraph_format.keep_with_next = True
    _grid(doc, [2.0, 5.0, 4.0, 5.0], ["顺位", "姓名", "近{{ window_days }}天使用次数", "邀请结果"],
          "{%tr for o in s.rows %}", ["{{ o.rank }}", "{{ o.name }}", "{{ o.uses }}", "{{ o.status }}"])
    _para(doc, "{%p endfor %}")
    _section_heading(doc, "四、邀请与答复")
    _grid(doc, [1.0, 2.2, 1.6, 1.6, 2.8, 4.2, 2.6], ["序号", "姓名", "答复", "方式", "日期", "拒绝理由", "理由是否成立"],
          "{%tr for a in answers %}",
          ["{{ a.index }}", "{{ a.name }}", "{{ a.answer }}", "{{ a.channel }}", "{{ a.answered_on }}",
           "{{ a.decline_reason }}", "{{ a.justified }}"], left=(5,))
    _para(doc, "{{ audit_note }}", size=SMALL_SIZE, align=JUSTIFY, before=8)
    _para(doc, "{{ verify_note }}", size=SMALL_SIZE, align=JUSTIFY, before=2)
    _para(doc, "抽取人（签字）：" + "　" * 9 + "监督人（签字）：", size=Pt(12), before=18)
    _page_number_footer(doc)
    doc.core_properties.title = "专家抽取记录单"
    doc.save(path)


BUILDERS = (
    (JC_TAXONOMY, build_jc_taxonomy), (YQ_TAXONOMY, build_yq_taxonomy),
    (JC_APPLICATION, build_jc_application), (JC_PLEDGE, build_jc_pledge), (JC_REVIEW, build_jc_review),
    (JC_SUMMARY, build_jc_summary), (YQ_APPLICATION, build_yq_application), (YQ_SPECIAL, build_yq_special),
    (YQ_SUMMARY, build_yq_summary), (NOTICE, build_notice), (CERTIFICATE, build_certificate),
    (JC_DISPATCH, build_jc_dispatch_approval), (YQ_REQUEST, build_yq_request), (YQ_DISPATCH, build_yq_dispatch),
    (DRAW_RECORD, build_draw_record),
)


# Later forms live in their own builder files beside this one; each defines `builders(bt)` returning
# ((file name, build function), ...) and receives this module as `bt` for the shared helpers (_table, _cell, …).
EXTRA_BUILDER_FILES = ("build_service_forms.py", "build_assessment_forms.py", "build_fee_forms.py",
                       "build_policy_docs.py", "build_impact_docs.py")


def _extra_builders() -> tuple:
    import importlib.util
    from types import SimpleNamespace

    found = []
    this = SimpleNamespace(**globals())  # works whether run as a script or loaded from its file by a test
    for file_name in EXTRA_BUILDER_FILES:
        path = HERE / file_name
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"_templates_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.extend(module.builders(this))
    return tuple(found)


def all_builders() -> tuple:
    return BUILDERS + _extra_builders()


def main(folder: Path = HERE, names: tuple[str, ...] | None = None) -> list[Path]:
    """Build every template (or only `names`) into `folder`; returns the files written."""
    built = []
    for name, build in all_builders():
        if names is None or name in names:
            build(folder / name)
            built.append(folder / name)
    return built


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
