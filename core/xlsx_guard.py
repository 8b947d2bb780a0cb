"""上传的 Excel（.xlsx）在解析前的结构检查 — refuse a crafted file before openpyxl sees it (issue 11 §9).

An .xlsx is a zip of XML parts. openpyxl trusts it: 10 million shared strings in a 0.41 MB file cost 190 s of CPU
and 986 MB; one 1 GiB cell in 1.05 MB cost 41 s and 2.1 GB; 7.5 million empty rows cost 67 s. `check_xlsx(data)`
looks at the archive with the standard library only (zipfile, xml.parsers.expat), streaming and with a byte cap on
every part, and raises `ValidationError([("file", 中文说明)])` as soon as a limit is passed — the same kind of error
the import gives for a file it cannot use. Checked, in this order:

1. the zip's end record: members (`MAX_MEMBERS`) and the size of its central directory, before zipfile reads it;
2. each member as declared: uncompressed size per part (worksheets and binary parts `MAX_PART_BYTES`, the shared
   strings `MAX_STRINGS_PART_BYTES`, other XML parts `MAX_OTHER_XML_BYTES`) and in total, compression ratio,
   method, encryption;
3. each part as actually decompressed (the declared size is not trusted): read in chunks, counted against the same
   caps; every XML part (`.xml`, `.rels`) is parsed incrementally by expat (UTF-8 only) with handlers that refuse
   any DTD or entity declaration (billion laughs, external entities — an Excel file never has one); a start tag
   longer than `MAX_TAG_BYTES` or an attribute flood, more than `MAX_ELEMENTS` elements in all or
   `MAX_OTHER_ELEMENTS` in a part other than sheets and shared strings; in the shared strings the declared
   `count`/`uniqueCount` and the real number of `<si>` (`MAX_SHARED_STRINGS`); in each worksheet the
   `<dimension ref>`, every row and cell reference and the rows and cells actually present (`MAX_ROWS`,
   `MAX_COLUMNS`, `MAX_CELLS`); and the size of every cell or shared string (`MAX_CELL_CHARS`, Excel's own limit,
   as at most `MAX_CELL_BYTES` of XML).

The limits are sized from real use: an import holds at most 5,000 experts × the 46 fields of the form (a 5,000-row
file with every column filled passes, see tests/integration/test_issue11_crafted_xlsx.py); rows up to 20,000 are
allowed so blank or formatted rows below the data do not matter. Pure: bytes in, nothing read or written elsewhere.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from xml.parsers import expat

from core.errors import ValidationError

MAX_MEMBERS = 1_000                    # parts in the archive (Excel writes ~10–30; images and sheets add a few)
MAX_CENTRAL_DIRECTORY = 1024 * 1024    # bytes of the zip's central directory (≥ 46 bytes a member)
MAX_PART_BYTES = 64 * 1024 ** 2        # one part, uncompressed (the export of 5,000 experts: a 20 MB sheet)
MAX_STRINGS_PART_BYTES = 32 * 1024 ** 2  # the shared strings (openpyxl keeps them all in memory; 5,000 rows: ~1 MB)
MAX_OTHER_XML_BYTES = 8 * 1024 ** 2    # any other XML part (styles, workbook, theme …), which openpyxl loads whole
MAX_OTHER_ELEMENTS = 250_000           # elements in one such part (a heavily formatted styles.xml has ~50,000)
MAX_TOTAL_BYTES = 128 * 1024 ** 2      # all parts, uncompressed
MAX_RATIO = 200                        # uncompressed : compressed, for parts over RATIO_FLOOR bytes
RATIO_FLOOR = 4 * 1024 ** 2
MAX_SHARED_STRINGS = 300_000           # 5,000 rows × 40 columns all different is 200,000
MAX_ROWS = 20_000                      # highest row number in a sheet (the import takes 5,000 data rows)
MAX_COLUMNS = 256                      # highest column (IV); the import template has 46
MAX_CELLS = 500_000                    # cells present in all sheets (5,000 × the form's 46 fields is 230,000)
MAX_CELL_CHARS = 32_767                # Excel's own limit for the text of one cell
MAX_ELEMENTS = 3_000_000               # XML elements in all parts
MAX_TAG_BYTES = 1024 * 1024            # one start tag with its attributes
CHUNK = 256 * 1024

PREFIX = "文件过大或结构异常："
DAMAGED = "无法读取该文件：它不是有效的 Excel（.xlsx）文件或已损坏，请在 Excel 中重新“另存为” .xlsx 后再导入"
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_REF = re.compile(r"^\$?([A-Za-z]{1,4})?\$?(\d{1,9})?$")


class _Refused(Exception):
    pass


def _refuse(message: str) -> ValidationError:
    return ValidationError([("file", message)])


def _mb(n: int) -> str:
    return f"{n / 1024 ** 2:.0f} MB" if n >= 1024 ** 2 else f"{n / 1024:.0f} KB"


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _ref_position(ref: str) -> tuple[int, int]:
    """'AN5001' → (row 5001, column 40); either may be 0 when the reference leaves it out ('A', '7')."""
    m = _REF.match(ref.strip())
    if not m:
        raise _Refused(f"{PREFIX}单元格引用“{ref[:20]}”不正确")
    return int(m.group(2) or 0), _column_index(m.group(1) or "")


def _check_end_record(data: bytes) -> None:
    """Members and central-directory size from the zip's end record, before zipfile builds its member list."""
    tail_start = max(0, len(data) - (65_535 + 22))
    tail = data[tail_start:]
    pos = tail.rfind(_EOCD)
    if pos < 0 or len(tail) - pos < 22:
        raise _Refused(DAMAGED)
    entries_here, entries, cd_size = struct.unpack("<HHI", tail[pos + 8:pos + 16])
    zip64 = _ZIP64_LOCATOR in tail[max(0, pos - 20):pos]
    if zip64 or entries == 0xFFFF or entries_here == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise _Refused(f"{PREFIX}压缩包为 ZIP64 格式（部件超过 65535 个或文件超过 4 GB），Excel 导入文件不会这样大")
    if entries > MAX_MEMBERS:
        raise _Refused(f"{PREFIX}文件包含 {entries} 个部件，超过上限 {MAX_MEMBERS} 个")
    if cd_size > MAX_CENTRAL_DIRECTORY:
        raise _Refused(f"{PREFIX}压缩包目录有 {_mb(cd_size)}，超过上限 {_mb(MAX_CENTRAL_DIRECTORY)}")


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _Refused(f"{PREFIX}文件包含 {len(infos)} 个部件，超过上限 {MAX_MEMBERS} 个")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Refused(f"{PREFIX}部件 {info.filename[:80]} 已加密，无法检查")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(f"{PREFIX}部件 {info.filename[:80]} 的压缩方式（{info.compress_type}）不是 Excel 使用的")
        cap = _part_cap(info.filename)
        if info.file_size > cap:
            raise _Refused(f"{PREFIX}部件 {info.filename[:80]} 解压后有 {_mb(info.file_size)}，超过上限 {_mb(cap)}")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _Refused(f"{PREFIX}解压后共有 {_mb(total)} 以上，超过上限 {_mb(MAX_TOTAL_BYTES)}")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _Refused(f"{PREFIX}部件 {info.filename[:80]} 的压缩比为 {ratio}:1，超过上限 {MAX_RATIO}:1"
                           f"（疑似“压缩炸弹”）")


# elements that may sit inside a cell (<c>) or a shared string (<si>): any other start tag ends the open one
_CELL_CHILDREN = frozenset({"v", "f", "is", "r", "t", "rPr", "rPh", "phoneticPr", "extLst", "ext", "rFont", "charset",
                            "family", "b", "i", "strike", "outline", "shadow", "condense", "extend", "color", "sz", "u",
                            "vertAlign", "scheme"})
# bytes of one cell's or shared string's XML: 32,767 characters of at most 4 bytes, escapes and run markup
MAX_CELL_BYTES = 8 * MAX_CELL_CHARS


class _PartChecker:
    """Streams one XML part through expat with the limits of its kind. Only start tags are handled (no text or
    end-tag callbacks: at 5,000 × 46 cells those made the check several times slower); a cell's or shared string's
    size is the distance in bytes from its start tag to the next tag that is not inside it."""

    def __init__(self, name: str, budget: list[int]):
        self.name = name
        self.short = name.rsplit("/", 1)[-1]
        self.budget = budget  # [XML elements, worksheet cells] in the whole file
        lower = name.lower()
        self.kind = "sst" if lower == "xl/sharedstrings.xml" else "sheet" if lower.startswith("xl/worksheets/") \
            else "other"
        self.item_at = -1  # byte offset of the open <c> / <si>, -1 when none is open
        self.strings = 0
        self.rows = 0
        self.cells_in_row = 0
        self.row_number = 0
        self.open_tag_at: int | None = None
        self.offset = 0
        self.tags = 0
        p = expat.ParserCreate("UTF-8")  # an Excel part is UTF-8; another encoding fails as a damaged file
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        if self.kind != "other":
            p.StartElementHandler = self._start
        self.parser = p

    # -- handlers --------------------------------------------------------------------------------------------
    def _doctype(self, *args) -> None:
        raise _Refused(f"{PREFIX}部件 {self.short} 含有 DTD 声明（Excel 文件不会有），为防止实体扩展攻击已拒绝")

    def _entity(self, *args) -> None:
        raise _Refused(f"{PREFIX}部件 {self.short} 含有实体声明（Excel 文件不会有），为防止实体扩展攻击已拒绝")

    def _external(self, *args) -> int:
        raise _Refused(f"{PREFIX}部件 {self.short} 引用了外部实体，已拒绝")

    def _close_item(self, at: int) -> None:
        if self.item_at >= 0 and at - self.item_at > MAX_CELL_BYTES:
            where = "共享字符串" if self.kind == "sst" else f"工作表（{self.short}）的单元格"
            raise _Refused(f"{PREFIX}{where}内容超过 Excel 的上限 {MAX_CELL_CHARS} 个字符"
                           f"（一项占 {_mb(at - self.item_at)}）")
        self.item_at = -1

    def _start(self, name: str, attrs: dict) -> None:
        if ":" in name:
            name = name.rsplit(":", 1)[-1]
        if name in _CELL_CHILDREN and self.item_at >= 0:
            return
        at = self.parser.CurrentByteIndex
        self._close_item(at)
        if self.kind == "sst":
            if name == "si":
                self.strings += 1
                if self.strings > MAX_SHARED_STRINGS:
                    raise _Refused(f"{PREFIX}共享字符串超过 {MAX_SHARED_STRINGS} 条（上限 {MAX_SHARED_STRINGS} 条）")
                self.item_at = at
            elif name == "sst":
                for key in ("count", "uniqueCount"):
                    value = attrs.get(key, "0")
                    declared = int(value) if value.isdigit() and len(value) < 12 else MAX_SHARED_STRINGS + 1
                    if declared > MAX_SHARED_STRINGS:
                        raise _Refused(f"{PREFIX}共享字符串 {value[:12]} 条，超过上限 {MAX_SHARED_STRINGS} 条")
            return
        if name == "c":
            self.cells_in_row += 1
            self.budget[1] += 1
            if self.budget[1] > MAX_CELLS:
                raise _Refused(f"{PREFIX}单元格超过 {MAX_CELLS} 个（上限 {MAX_CELLS} 个）")
            ref = attrs.get("r")
            row, col = _ref_position(ref) if ref else (0, 0)
            if col > self.cells_in_row:
                self.cells_in_row = col  # a cell without r follows the one before it
            self._position(row or self.row_number, self.cells_in_row)
            self.item_at = at
        elif name == "row":
            self.rows += 1
            self.cells_in_row = 0
            ref = attrs.get("r")
            if ref is not None:
                if not ref.isdigit() or len(ref) > 9:
                    raise _Refused(f"{PREFIX}行号“{ref[:20]}”不正确")
                self.row_number = int(ref)
            else:
                self.row_number += 1
            self._position(max(self.row_number, self.rows), 0)
        elif name == "dimension":
            self._position(*_ref_position(attrs.get("ref", "").split(":")[-1]))

    def _position(self, row: int, col: int) -> None:
        if row > MAX_ROWS:
            raise _Refused(f"{PREFIX}工作表（{self.short}）有 {row} 行，超过上限 {MAX_ROWS} 行"
                           f"（一次最多导入 5000 名专家，请删除多余的行或分批导入）")
        if col > MAX_COLUMNS:
            raise _Refused(f"{PREFIX}工作表（{self.short}）有 {col} 列，超过上限 {MAX_COLUMNS} 列")

    # -- feeding ---------------------------------------------------------------------------------------------
    def feed(self, chunk: bytes, final: bool = False) -> None:
        tags = chunk.count(b"<")
        self.budget[0] += tags
        self.tags += tags
        if self.kind == "other" and self.tags > MAX_OTHER_ELEMENTS:
            raise _Refused(f"{PREFIX}部件 {self.short} 有超过 {MAX_OTHER_ELEMENTS} 个 XML 元素")
        if self.budget[0] > MAX_ELEMENTS:
            raise _Refused(f"{PREFIX}XML 元素超过 {MAX_ELEMENTS} 个")
        if self.kind != "other" and chunk.count(b'="') + chunk.count(b"='") > 8 * tags + 2048:
            # an attribute flood: expat builds every attribute of a tag before the handler sees it (a '>' inside
            # quoted values would fool the tag-length check below), so attributes are counted against tags
            raise _Refused(f"{PREFIX}部件 {self.short} 中的 XML 属性异常地多")
        self._check_tag_length(chunk)
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as err:
            raise _Refused(f"{DAMAGED}（部件 {self.short} 的 XML 格式错误：{expat.ErrorString(err.code)}）") from None
        if self.item_at >= 0 and (final or self.offset - self.item_at > MAX_CELL_BYTES):
            self._close_item(self.offset)

    def _check_tag_length(self, chunk: bytes) -> None:
        """No start tag may run longer than MAX_TAG_BYTES: expat would hand all its attributes over at once."""
        last_lt, last_gt = chunk.rfind(b"<"), chunk.rfind(b">")
        if last_lt > last_gt:
            if last_gt >= 0 or self.open_tag_at is None:
                self.open_tag_at = self.offset + last_lt
        elif last_gt >= 0:
            self.open_tag_at = None
        self.offset += len(chunk)
        if self.open_tag_at is not None and self.offset - self.open_tag_at > MAX_TAG_BYTES:
            raise _Refused(f"{PREFIX}部件 {self.short} 中有一个超过 {_mb(MAX_TAG_BYTES)} 的 XML 标签")


def _part_cap(name: str) -> int:
    """The uncompressed size allowed for a part: worksheets and binary parts MAX_PART_BYTES (openpyxl streams a
    sheet in read-only mode and does not read images), the shared strings and other XML parts less (loaded whole)."""
    lower = name.lower()
    if lower == "xl/sharedstrings.xml":
        return MAX_STRINGS_PART_BYTES
    if _is_xml(name) and not lower.startswith("xl/worksheets/"):
        return MAX_OTHER_XML_BYTES
    return MAX_PART_BYTES


def _is_xml(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(".xml") or lower.endswith(".rels")


def _read_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    budget = [0, 0]  # XML elements, worksheet cells
    for info in infos:
        if info.is_dir():
            continue
        checker = _PartChecker(info.filename, budget) if _is_xml(info.filename) else None
        cap = _part_cap(info.filename)
        size = 0
        with zf.open(info) as member:
            while True:
                chunk = member.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                total += len(chunk)
                if size > cap:
                    raise _Refused(f"{PREFIX}部件 {info.filename[:80]} 解压后超过 {_mb(cap)}")
                if total > MAX_TOTAL_BYTES:
                    raise _Refused(f"{PREFIX}解压后共超过 {_mb(MAX_TOTAL_BYTES)}")
                if checker is not None:
                    checker.feed(chunk)
        if checker is not None:
            checker.feed(b"", final=True)


def check_xlsx(data: bytes) -> None:
    """Refuse (ValidationError on field "file", in Chinese) an .xlsx whose structure would exhaust the server."""
    try:
        _check_end_record(data)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
            raise _Refused(DAMAGED) from None
        with zf:
            infos = zf.infolist()
            _check_declared(infos)
            try:
                _read_parts(zf, infos)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError,
                    struct.error, zlib.error):
                raise _Refused(DAMAGED) from None
    except _Refused as refused:
        raise _refuse(str(refused)) from None
