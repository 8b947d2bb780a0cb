"""Crafted .xlsx files for issue 11 §9 (used by tests/integration/test_issue11_crafted_xlsx.py and
benchmarks/bench_crafted_xlsx.py). Each is built in memory in about a second: a long run of identical bytes is
deflated once with a full flush and the compressed block repeated (a full flush resets the window, so the copies
form one valid deflate stream), and the zip is written by hand so any declared size can be given.
"""
from __future__ import annotations

import struct
import zlib
from datetime import date

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 b'spreadsheetml.sheet.main+xml"/>'
                 b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.spreadsheetml.worksheet+xml"/>'
                 b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                 b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships"><sheets><sheet name="专家信息" sheetId="1" r:id="rId1"/></sheets>'
            f'</workbook>').encode()
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                 b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


class Part:
    """One zip member: its name, deflated bytes, CRC-32 and real uncompressed size (declared may differ)."""

    def __init__(self, name: str, pieces: list[tuple[bytes, int]] | bytes, declared_size: int | None = None):
        if isinstance(pieces, bytes):
            pieces = [(pieces, 1)]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        out, crc, size = [], 0, 0
        for block, times in pieces:
            if times == 1:
                out.append(comp.compress(block))
                crc, size = zlib.crc32(block, crc), size + len(block)
                continue
            out.append(comp.flush(zlib.Z_FULL_FLUSH))
            packed = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
            out.append(packed * times)
            for _ in range(times):
                crc = zlib.crc32(block, crc)
            size += len(block) * times
        out.append(comp.flush())
        self.name, self.data, self.crc, self.size = name.encode(), b"".join(out), crc, size
        self.declared = size if declared_size is None else declared_size


def build_zip(parts: list[Part], *, declared_count: int | None = None) -> bytes:
    """A zip archive of deflated parts, written by hand (no data descriptors, no zip64)."""
    body, central = bytearray(), bytearray()
    for p in parts:
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, p.crc, len(p.data), p.declared,
                            len(p.name), 0) + p.name + p.data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, p.crc, len(p.data),
                               p.declared, len(p.name), 0, 0, 0, 0, 0, offset) + p.name
    count = len(parts) if declared_count is None else declared_count
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def workbook(sheet: list[tuple[bytes, int]] | bytes, shared: list[tuple[bytes, int]] | bytes | None = None, *,
             extra: list[Part] = (), content_types: bytes = CONTENT_TYPES, declared_count: int | None = None) -> bytes:
    if shared is None:
        shared = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="1" uniqueCount="1"><si><t>姓名</t></si>' \
                 f'</sst>'.encode()
    return build_zip([Part("[Content_Types].xml", content_types), Part("_rels/.rels", ROOT_RELS),
                      Part("xl/workbook.xml", WORKBOOK), Part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                      Part("xl/worksheets/sheet1.xml", sheet), Part("xl/sharedStrings.xml", shared), *extra],
                     declared_count=declared_count)


def _sheet(rows: list[tuple[bytes, int]], dimension: str | None = "A1:A1") -> list[tuple[bytes, int]]:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet {NS}>{dim}<sheetData>{HEADER_ROW}'.encode()
    return [(head, 1), *rows, (b"</sheetData></worksheet>", 1)]


# --- the attacks of issue 11 §9, and their variants ------------------------------------------------------------

def shared_strings(n: int, *, declare: bool = True, distinct: bool = False) -> bytes:
    """n shared strings ("a" each, or "0", "1", … when distinct, which compress only ~10:1); with declare=False the
    sst carries no count, so only counting them finds out."""
    counts = f' count="{n}" uniqueCount="{n}"' if declare else ""
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS}{counts}>'.encode(), 1)
    if distinct:
        return workbook(_sheet([]), [head, ("".join(f"<si><t>{i}</t></si>" for i in range(n)).encode(), 1),
                                     (b"</sst>", 1)])
    block_n = 4096
    block = b"<si><t>a</t></si>" * block_n
    sst = [head, (block, n // block_n), (b"<si><t>a</t></si>" * (n % block_n), 1), (b"</sst>", 1)]
    return workbook(_sheet([]), sst)


def _letters(size: int) -> bytes:
    """`size` bytes of letters that deflate hardly shrinks (a fixed pseudo-random sequence)."""
    import random

    letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" * 5  # 260 of the 256 byte values
    return random.Random(7).randbytes(size).translate(bytes(letters[:256]))


def huge_cell(size: int, *, inline: bool = False, incompressible: bool = False) -> bytes:
    """One cell of `size` characters ("A", or letters deflate cannot shrink), in the shared strings (or inline)."""
    mb = 1024 * 1024
    if incompressible:
        text = [(_letters(size), 1)]
    else:
        text = [(b"A" * mb, size // mb), (b"A" * (size % mb), 1)]
    if inline:
        row = [(b'<row r="2"><c r="A2" t="inlineStr"><is><t>', 1), *text, (b"</t></is></c></row>", 1)]
        return workbook(_sheet(row, "A1:A2"))
    sst = [(f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="2" uniqueCount="2"><si><t>姓名</t></si>'
            f'<si><t>'.encode(), 1), *text, (b"</t></si></sst>", 1)]
    return workbook(_sheet([(b'<row r="2"><c r="A2" t="s"><v>1</v></c></row>', 1)], "A1:A2"), sst)


def empty_rows(n: int, *, numbered: bool = False) -> bytes:
    """n empty rows after the header: `<row/>` (the attack: 7.5 million in a few hundred KB), or `<row r="k"/>`
    with no <dimension>, which compresses far less."""
    if not numbered:
        return workbook(_sheet([(b"<row/>" * 1000, n // 1000), (b"<row/>" * (n % 1000), 1)], None))
    return workbook(_sheet([("".join(f'<row r="{k}"/>' for k in range(2, n + 2)).encode(), 1)], None))


def far_row(row: int) -> bytes:
    """A single cell far down the sheet: openpyxl's read-only mode yields every empty row before it."""
    return workbook(_sheet([(f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>'.encode(), 1)], None))


def wide_cell(col: str = "XFD") -> bytes:
    return workbook(_sheet([(f'<row r="2"><c r="{col}2"><v>1</v></c></row>'.encode(), 1)], None))


def zip_bomb(size: int = 1024 ** 3, *, declared: int | None = None) -> bytes:
    """A member of `size` zero bytes (1 GiB compresses to ~1 MB)."""
    mb = 1024 * 1024
    return workbook(_sheet([]), extra=[Part("xl/media/image1.png", [(bytes(mb), size // mb)], declared)])


def many_zeros_parts(parts: int, size: int) -> bytes:
    """Several parts of zeros, each under the per-part cap, together over the total cap."""
    mb = 1024 * 1024
    return workbook(_sheet([]), extra=[Part(f"xl/media/image{i}.png", [(bytes(mb), size // mb)])
                                       for i in range(parts)])


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                             for i in range(1, 10))
                  + b']>\n<sst ' + NS.encode() + b' count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')


def billion_laughs(where: str = "sharedStrings") -> bytes:
    """The billion laughs entity expansion, in the shared strings or in [Content_Types].xml."""
    if where == "sharedStrings":
        return workbook(_sheet([]), BILLION_LAUGHS)
    types = CONTENT_TYPES.replace(b"<Types", b'<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                                  b"<Types", 1)
    return workbook(_sheet([]), content_types=types)


def external_entity() -> bytes:
    sst = (b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<sst ' + NS.encode()
           + b'><si><t>&x;</t></si></sst>')
    return workbook(_sheet([]), sst)


def too_many_members(n: int, *, declared_count: int | None = None) -> bytes:
    """n extra empty members (a zip without zip64 holds at most 65,535); declared_count makes the end record lie."""
    return workbook(_sheet([]), extra=[Part(f"xl/media/e{i}.bin", b"") for i in range(n)],
                    declared_count=None if declared_count is None else declared_count + 6)


def attribute_flood(n: int) -> bytes:
    attrs = b"".join(f' a{i}="1"'.encode() for i in range(n))
    return workbook(_sheet([(b'<row r="2"><c r="A2"' + attrs + b"><v>1</v></c></row>", 1)], None))


# --- the legitimate file: 5,000 experts × every column --------------------------------------------------------

def legitimate_rows(n: int = 5000) -> list[dict]:
    """n valid applicants for the import (every column of EXPERT_FIELDS an import accepts filled in)."""
    from pathlib import Path

    from core.policy import load_policies
    from services.demo import generate_demo_pool
    from tests.factories import valid_id_number

    policy = load_policies(Path(__file__).resolve().parents[1] / "policies")["jincheng-2026"]
    pool = generate_demo_pool(policy, seed=11, today=date(2026, 6, 15))
    rows, k = [], 0
    while len(rows) < n:
        for expert in pool:
            if len(rows) >= n:
                break
            k += 1
            gender = "男" if k % 2 else "女"
            birth = date(1962 + k % 30, 1 + k % 12, 1 + k % 28)
            seq = (k // 360) % 490 * 2 + (1 if gender == "男" else 2)
            record = {key: value for key, value in expert.items()
                      if key not in ("state", "term_start", "term_end", "certificate_no", "appointment_doc",
                                     "group_role", "transitions", "id", "is_demo", "policy_id")}
            record.update(id_number=valid_id_number(birth, gender, "140525", seq), gender=gender,
                          birth_date=birth.isoformat(), name=f"{expert.get('name', '专家')}{k}")
            rows.append(record)
    return rows


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def legitimate_xlsx(rows: list[dict]) -> bytes:
    """`rows` as Excel itself saves a sheet: every field of EXPERT_FIELDS a column, text in the shared strings,
    cells styled, a <dimension>. (The product's own export writes inline strings instead; the benchmark imports
    that one.)"""
    from xml.sax.saxutils import escape

    from core.expert_fields import EXPERT_FIELDS
    from services.excel_io import _cell_value

    strings: dict[str, int] = {}

    def index(text: str) -> int:
        return strings.setdefault(text, len(strings))

    lines = []
    table = [[spec.label for spec in EXPERT_FIELDS]] + [
        [_cell_value(spec, row.get(spec.key), str) for spec in EXPERT_FIELDS] for row in rows]
    for r, values in enumerate(table, start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            ref = f"{_column(c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" s="1" t="s"><v>{index(str(value))}</v></c>')
        lines.append(f'<row r="{r}" spans="1:{len(values)}">{"".join(cells)}</row>')
    last = f"{_column(len(EXPERT_FIELDS))}{len(table)}"
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><dimension ref="A1:{last}"/>'
             f'<sheetData>{"".join(lines)}</sheetData></worksheet>').encode()
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">'
           + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings)
           + "</sst>").encode()
    return workbook(sheet, sst)


def styles_elements(n: int) -> bytes:
    """A styles.xml of n tiny elements (openpyxl builds the whole tree of the styles in memory)."""
    styles = [(f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet {NS}><numFmts>'.encode(), 1),
              (b"<numFmt/>" * 1000, n // 1000), (b"</numFmts></styleSheet>", 1)]
    return workbook(_sheet([]), extra=[Part("xl/styles.xml", styles)])


def prefixed_far_row(row: int) -> bytes:
    """The far row again, with every element under a namespace prefix (x:row), which openpyxl reads the same."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><x:sheetData><x:row r="{row}"><x:c r="A{row}"><x:v>1</x:v></x:c></x:row>'
             f'</x:sheetData></x:worksheet>').encode()
    return workbook(sheet)


def split_string(runs: int, run_chars: int = 30_000) -> bytes:
    """One shared string made of `runs` rich-text runs, each under Excel's limit, together far over it."""
    text = _letters(run_chars)
    si = b"<si>" + b"".join(b"<r><t>" + text + b"</t></r>" for _ in range(runs)) + b"</si>"
    sst = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {NS} count="2" uniqueCount="2"><si><t>姓名</t></si>'.encode()
    return workbook(_sheet([]), sst + si + b"</sst>")
