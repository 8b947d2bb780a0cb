"""表单生成 — fill an official Word template (templates_docx/*.docx) with a context and hand back the bytes.

The only module that imports docxtpl. Every render escapes user text (`autoescape=True`, so `&`, `<`,
`{{` come out literally) and fails loudly on a field the context lacks (`StrictUndefined`); failures become
a `FormError` with a Chinese message for the page to show (X-W1). A "\n" in a value becomes a real line
break (docxtpl 0.20.2 turns every newline inside rendered text into <w:br/>, so plain strings suffice; no
Listing/RichText needed). Pictures (the 1-inch photo of JC 附件2, YQ 附表一/附表二) are passed as bytes in
`images` and placed as inline images, because an InlineImage needs the template being rendered.
`template_fields` / `check_template` let office staff who edited a template in Word see at once which fields
it needs that the app does not supply (X-W2). Each template's body is patched and compiled once and kept
(keyed by file, mtime and size, so a replaced template is used at once): a zip of 260 forms compiles once.

One extension to docxtpl's tags: `{% vm_start EXPR %}` at the start of a table cell inside a `{%tr for %}`
loop merges that cell vertically with the one above unless EXPR is true (a new merged block starts there).
docxtpl's own `{% vm %}` can only start a block on the first row of the innermost loop, which cannot express
two levels of grouping (专家类别 spanning several 行业领域, each spanning its 专业分类) — see
elapouya/python-docx-template issues #249 and #535.
"""
from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from docx.image.image import Image
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from lxml import etree

from core.errors import DomainError

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates_docx"

# A 1-inch ID photo is 25 mm × 35 mm; a picture of another shape is fitted inside that box, not stretched.
PHOTO_BOX_MM = (25, 35)
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP_INLINE = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"

# Schema order of <w:tcPr> children (ECMA-376 CT_TcPr). docxtpl appends <w:vMerge> at the end of the
# cell properties; Word may refuse (or "repair") a file whose elements are out of schema order.
_TCPR_ORDER = [
    _W + tag for tag in (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
        "tcPrChange",
    )
]

_VM_START_CELL = re.compile(
    r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*vm_start\s+((?:(?!%\}).)+?)\s*%\}.*?</w:tc>", re.DOTALL
)
_VM_START_TAG = re.compile(r"\{%\s*vm_start\s+(?:(?!%\}).)+?\s*%\}", re.DOTALL)


class FormError(DomainError):
    """A form could not be produced: template missing, a tag misspelt, or a field not supplied."""


# Compiled body of each template file, keyed by (path, mtime, size): patching the XML and compiling it with
# jinja is a third of a render and the same every time, so a batch of 260 forms does it once. A template
# replaced in Word has a new mtime/size and is compiled afresh. jinja templates render thread-safely.
_COMPILED: dict[tuple[str, int, int], object] = {}
_COMPILED_LOCK = threading.Lock()


class _Template(DocxTemplate):
    """DocxTemplate with `{% vm_start EXPR %}`, a cached compiled body and a strict check of the XML jinja
    produced."""

    def patch_xml(self, src_xml: str) -> str:
        return _VM_START_CELL.sub(_vm_start_cell, super().patch_xml(src_xml))

    def build_xml(self, context, jinja_env=None):
        # docxtpl 0.20.2's build_xml + render_xml_part for the body, with the compile step cached.
        compiled = self._compiled_body(jinja_env)
        self.current_rendering_part = self.docx._part  # InlineImage adds its picture to this part
        xml = compiled.render(context)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(xml)

    def _compiled_body(self, jinja_env):
        stat = Path(self.template_file).stat()
        key = (str(self.template_file), stat.st_mtime_ns, stat.st_size)
        compiled = _COMPILED.get(key)
        if compiled is None:
            xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", self.patch_xml(self.get_xml()))
            compiled = jinja_env.from_string(xml)  # a syntax error propagates: nothing is cached
            with _COMPILED_LOCK:
                for old in [k for k in _COMPILED if k[0] == key[0]]:
                    del _COMPILED[old]  # the file was replaced: forget its previous version
                _COMPILED[key] = compiled
        return compiled

    def fix_tables(self, xml: str):
        # docxtpl re-parses with recover=True, which silently drops everything after a broken spot
        # (how an unescaped "<" used to swallow the rest of a document). Refuse instead.
        try:
            etree.fromstring(xml)
        except etree.XMLSyntaxError as exc:
            raise FormError(f"生成的文档结构损坏，已停止生成（{exc}）。请检查模板中的标签。") from exc
        return super().fix_tables(xml)


def _vm_start_cell(match: re.Match) -> str:
    cell, expr = match.group(0), match.group(1)
    tag = _VM_START_TAG.search(cell)
    tag_at, tag_end = tag.start(), tag.end()
    # Text from the tag to the cell's last </w:t> shows only where a block starts; both ends sit inside
    # <w:t> text, so whatever jinja drops in between is balanced XML.
    last_t = cell.rindex("</w:t>")
    cell = cell[:tag_at] + "{% if " + expr + " %}" + cell[tag_end:last_t] + "{% endif %}" + cell[last_t:]
    vmerge = '<w:vMerge w:val="{% if ' + expr + ' %}restart{% else %}continue{% endif %}"/>'
    tcpr = re.search(r"<w:tcPr(?: [^>]*)?(/?)>", cell)
    if tcpr is None:
        opening = re.match(r"<w:tc(?: [^>]*)?>", cell)
        return cell[: opening.end()] + "<w:tcPr>" + vmerge + "</w:tcPr>" + cell[opening.end():]
    if tcpr.group(1):  # <w:tcPr/>
        return cell[: tcpr.start()] + "<w:tcPr>" + vmerge + "</w:tcPr>" + cell[tcpr.end():]
    return cell[: tcpr.end()] + vmerge + cell[tcpr.end():]


_ENVIRONMENT = Environment(undefined=StrictUndefined, autoescape=True)


def _environment() -> Environment:
    """One shared environment (the compiled bodies belong to it); docxtpl only ever sets autoescape=True on it."""
    return _ENVIRONMENT


def _template_path(template_name: str) -> Path:
    name = template_name if template_name.endswith(".docx") else template_name + ".docx"
    if "/" in name or "\\" in name or name.startswith("."):
        raise FormError(f"模板名称不合法：{template_name}")
    path = TEMPLATES_DIR / name
    if not path.is_file():
        raise FormError(f"找不到表单模板《{name}》，请确认 templates_docx 文件夹中有这个文件。")
    return path


def _load(template_name: str) -> _Template:
    path = _template_path(template_name)
    try:
        return _Template(path)
    except Exception as exc:  # not a .docx after all: not a zip, no document part, …
        raise FormError(f"表单模板《{path.name}》无法打开，文件可能已损坏（{exc}）。") from exc


def _explain(template_name: str, exc: Exception) -> str:
    """A Chinese sentence for a jinja error, naming the field or tag where jinja says which. (jinja's line
    numbers and docxtpl's context lines refer to the rewritten XML, not to anything staff see in Word.)"""
    message = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, UndefinedError):
        field = re.search(r"'([^']+)' is undefined", message) or re.search(r"has no attribute '([^']+)'", message)
        name = field.group(1) if field else message
        return f"表单模板《{template_name}》用到字段「{name}」，但程序没有提供这个字段（可能是标签拼写错误）。"
    if isinstance(exc, TemplateSyntaxError):
        unknown = re.search(r"unknown tag '([^']+)'", message)
        if unknown:
            detail = f"不认识的标签「{unknown.group(1)}」"
        elif "end of template" in message:
            detail = "有标签没有配对结束（例如 {% for %} 缺少 {% endfor %}）"
        else:
            detail = f"标签写法有误（{message}）"
        return f"表单模板《{template_name}》中{detail}，请在 Word 中查找并改正。"
    return f"表单模板《{template_name}》生成失败：{message}。"


def _order_cell_properties(document) -> None:
    rank = {tag: i for i, tag in enumerate(_TCPR_ORDER)}
    for tcpr in document.element.body.iter(_W + "tcPr"):
        children = list(tcpr)
        ordered = sorted(children, key=lambda el: rank.get(el.tag, len(rank)))
        if ordered != children:
            for child in children:
                tcpr.remove(child)
            tcpr.extend(ordered)


def _keep_merged_blocks_together(document) -> None:
    """A vertically merged block (one 行业领域 and its 专业分类) is not split across pages: every row whose
    next row only continues merged cells keeps with it. Word then breaks the table between blocks, so each
    page starts with its labels visible; a block longer than a page still breaks."""
    for table in document.element.body.iter(_W + "tbl"):
        rows = [row for row in table if row.tag == _W + "tr"]
        for row, following in zip(rows, rows[1:]):
            merges = [tc.find(f"{_W}tcPr/{_W}vMerge") for tc in following.iter(_W + "tc")]
            merges = [m for m in merges if m is not None]
            if merges and all(m.get(_W + "val", "continue") == "continue" for m in merges):
                for paragraph in row.iter(_W + "p"):
                    _set_keep_next(paragraph)


def _set_keep_next(paragraph) -> None:
    ppr = paragraph.find(_W + "pPr")
    if ppr is None:
        ppr = etree.SubElement(paragraph, _W + "pPr")
        paragraph.insert(0, ppr)
    if ppr.find(_W + "keepNext") is not None:
        return
    keep = etree.Element(_W + "keepNext")
    # CT_PPr order: pStyle first, then keepNext.
    style = ppr.find(_W + "pStyle")
    ppr.insert(1 if style is not None else 0, keep)


def image_problem(data: bytes) -> str | None:
    """Why `data` cannot be placed as a picture (Chinese), or None when it is a readable JPG or PNG."""
    if not isinstance(data, (bytes, bytearray)) or not bytes(data).startswith(_IMAGE_SIGNATURES):
        return "照片应为 JPG 或 PNG 图片，这个文件不是。"
    try:
        image = Image.from_blob(bytes(data))
        if image.px_width <= 0 or image.px_height <= 0:
            raise ValueError("尺寸为0")
    except Exception as exc:  # truncated or damaged file: python-docx raises various errors
        return f"照片文件无法读取，可能已损坏（{exc}）。"
    return None


def _inline_image(template: _Template, key: str, data: bytes | None, box_mm: tuple[float, float]):
    """An InlineImage fitted into `box_mm` (keeping its shape), or "" when there is no picture."""
    if not data:
        return ""
    problem = image_problem(data)
    if problem:
        raise FormError(f"图片「{key}」无法放入表单：{problem}")
    image = Image.from_blob(bytes(data))
    box_w, box_h = box_mm
    if image.px_width * box_h >= image.px_height * box_w:  # wider than the box: full width
        width, height = Mm(box_w), Mm(box_w * image.px_height / image.px_width)
    else:
        width, height = Mm(box_h * image.px_width / image.px_height), Mm(box_h)
    return InlineImage(template, io.BytesIO(bytes(data)), width=width, height=height)


def _no_wrap_distance(document) -> None:
    """python-docx writes <wp:inline> without distT/distB/distL/distR; Word reads that as 0 but LibreOffice
    adds ~3 mm each side, pushing a 25 mm photo over the border of its 29 mm cell. Say 0 explicitly."""
    for inline in document.element.body.iter(_WP_INLINE):
        for side in ("distT", "distB", "distL", "distR"):
            if inline.get(side) is None:
                inline.set(side, "0")


def render(template_name: str, context: dict, *, images: dict[str, bytes | None] | None = None,
           image_box_mm: tuple[float, float] = PHOTO_BOX_MM) -> bytes:
    """The filled form as .docx bytes (for `st.download_button`). Raises FormError in Chinese.

    `images` maps a template field to picture bytes (JPG/PNG) or None: the field becomes an inline picture
    fitted into `image_box_mm`, or "" when None (the template then shows its placeholder, e.g.
    `{% if photo %}{{ photo }}{% else %}{{ photo_hint }}{% endif %}`)."""
    template = _load(template_name)
    if images:
        context = dict(context)
        for key, data in images.items():
            context[key] = _inline_image(template, key, data, image_box_mm)
    try:
        template.render(context, jinja_env=_environment(), autoescape=True)
    except FormError:
        raise
    except TemplateError as exc:
        raise FormError(_explain(template.template_file.name, exc)) from exc
    except Exception as exc:  # docxtpl/lxml trouble must still reach the user as a message, not a traceback
        raise FormError(f"表单《{template.template_file.name}》生成失败：{exc}") from exc
    _order_cell_properties(template.docx)
    _keep_merged_blocks_together(template.docx)
    if images:
        _no_wrap_distance(template.docx)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def template_fields(template_name: str) -> set[str]:
    """Top-level context keys the template uses (e.g. {"title", "categories"})."""
    template = _load(template_name)
    try:
        return set(template.get_undeclared_template_variables(jinja_env=_environment()))
    except TemplateError as exc:
        raise FormError(_explain(template.template_file.name, exc)) from exc


def check_template(template_name: str, context: dict, *, images: dict[str, bytes | None] | None = None) -> list[str]:
    """Problems (Chinese sentences) that stop `template_name` from being filled from `context` (plus the
    picture fields in `images`); empty when it renders. For staff who changed a template in Word (X-W2): a
    misspelt tag or a field the app does not supply is named here instead of failing at download time."""
    try:
        needed = template_fields(template_name)
    except FormError as exc:
        return [exc.message]
    name = _template_path(template_name).name
    missing = sorted(needed - set(context) - set(images or ()))
    problems = [f"表单模板《{name}》需要字段「{field}」，但程序没有提供。" for field in missing]
    if not problems:  # top level complete: a trial render finds misspelt nested fields (sec.lable)
        try:
            render(template_name, context, images=images)
        except FormError as exc:
            problems.append(exc.message)
    return problems
