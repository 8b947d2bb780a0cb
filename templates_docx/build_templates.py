"""模板生成脚本 — builds the skeleton .docx templates of the taxonomy tables with python-docx.

Run `python templates_docx/build_templates.py` to (re)create
  - jc_fj1_专家类别划分表.docx: JC 附件1《晋城市安全生产和应急管理专家类别划分表》(第十条; JC-W1)
  - yq_flb_分类表.docx:            YQ《专家行业领域和专业范围分类表》(附表一、附表二 填写说明; YQ-W1)
Each is A4 portrait with a real bordered table, a repeating header row, 仿宋 as the East-Asian font of
the Normal style and the docxtpl tags the app fills (`{%tr for %}` rows, `{% vm %}` / `{% vm_start %}`
vertical merges, see forms/render.py). The committed .docx files are the ones the app uses; office staff
may edit them in Word afterwards (fonts, widths, wording) — re-running this script overwrites such edits.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

HERE = Path(__file__).resolve().parent
JC_TAXONOMY = "jc_fj1_专家类别划分表.docx"
YQ_TAXONOMY = "yq_flb_分类表.docx"

BODY_FONT = "仿宋"  # East-Asian font of the Normal style
LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"  # official title font; Word falls back to 宋体 (declared in fontTable)
LABEL_FONT = "黑体"
TITLE_SIZE = Pt(22)  # 二号
LABEL_SIZE = Pt(16)  # 三号
CELL_SIZE = Pt(10.5)  # 五号
FOOTER_SIZE = Pt(9)  # 小五

# Word's substitutes when a font is not installed (w:altName in word/fontTable.xml).
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋_GB2312", LABEL_FONT: "SimHei", "宋体": "SimSun"}

CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT


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


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
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


def _title(doc: Document) -> None:
    p = doc.add_paragraph()
    p.alignment = CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(12)
    _run(p, "{{ title }}", font=TITLE_FONT, size=TITLE_SIZE, bold=True)


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


def _row_properties(row, *, header: bool = False, min_height=Cm(0.75)) -> None:
    row.height = min_height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    tr_pr = row._tr.get_or_add_trPr()
    height = tr_pr.find(qn("w:trHeight"))
    height.addprevious(OxmlElement("w:cantSplit"))  # a row never breaks across pages
    if header:
        height.addnext(OxmlElement("w:tblHeader"))  # repeat on every page


def _table(doc: Document, widths_cm: list[float], rows: int):
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the widths below hold in Word and LibreOffice
    _borders(table)
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def _cell(cell, text: str, *, align=CENTER, bold: bool = False, font: str = BODY_FONT) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = align
    for i, line in enumerate(text.split("\n") if text else []):
        run = _run(p, line, bold=bold, font=font)
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


def main(folder: Path = HERE) -> list[Path]:
    built = []
    for name, build in ((JC_TAXONOMY, build_jc_taxonomy), (YQ_TAXONOMY, build_yq_taxonomy)):
        build(folder / name)
        built.append(folder / name)
    return built


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
