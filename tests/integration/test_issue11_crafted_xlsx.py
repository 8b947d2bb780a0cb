"""Issue 11 §9 — a crafted .xlsx cannot exhaust the server (X-I1: a bad file gets a clear Chinese message and
nothing is saved). Each attack file is generated here (tests/issue11_crafted_xlsx.py), sent through the import's
entry point (services.excel_io.parse_import_xlsx) and must be refused by core.xlsx_guard before openpyxl opens it;
a subprocess proves the peak memory of refusing all of them stays under 200 MB. Times are printed by
benchmarks/bench_crafted_xlsx.py, not asserted here.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from core import xlsx_guard
from core.errors import ValidationError
from core.policy import load_policies
from services import excel_io
from tests import issue11_crafted_xlsx as crafted

ROOT = Path(__file__).resolve().parents[2]
JC = load_policies(ROOT / "policies")["jincheng-2026"]
TODAY = date(2026, 6, 15)

# name → (builder, words the refusal must contain)
ATTACKS = {
    "10M shared strings (0.5 MB file)": (lambda: crafted.shared_strings(10_000_000), "sharedStrings.xml 解压后有"),
    "350k distinct shared strings, no count": (
        lambda: crafted.shared_strings(350_000, declare=False, distinct=True), "共享字符串超过 300000 条"),
    "1 GiB cell (1 MB file)": (lambda: crafted.huge_cell(1024 ** 3), "解压后有 1024 MB"),
    "5 MB shared string, incompressible": (
        lambda: crafted.huge_cell(5 * 1024 ** 2, incompressible=True), "超过 Excel 的上限 32767 个字符"),
    "5 MB inline cell, incompressible": (
        lambda: crafted.huge_cell(5 * 1024 ** 2, incompressible=True, inline=True), "单元格内容超过 Excel 的上限"),
    "7.5M empty rows": (lambda: crafted.empty_rows(7_500_000), "超过上限 20000 行"),
    "100k numbered empty rows, no dimension": (
        lambda: crafted.empty_rows(100_000, numbered=True), "超过上限 20000 行"),
    "one cell at row 1048576": (lambda: crafted.far_row(1_048_576), "有 1048576 行"),
    "one cell at column XFD": (lambda: crafted.wide_cell("XFD"), "有 16384 列"),
    "zip bomb: 1 GiB of zeros": (lambda: crafted.zip_bomb(1024 ** 3), "解压后有 1024 MB"),
    "zip bomb with a lying declared size": (lambda: crafted.zip_bomb(1024 ** 3, declared=1000), "已损坏"),
    "3 parts of 60 MB zeros": (lambda: crafted.many_zeros_parts(3, 60 * 1024 ** 2), "压缩炸弹"),
    "billion laughs in the shared strings": (lambda: crafted.billion_laughs("sharedStrings"), "实体扩展攻击"),
    "entity expansion in [Content_Types].xml": (lambda: crafted.billion_laughs("content_types"), "实体扩展攻击"),
    "external entity": (crafted.external_entity, "DTD"),
    "2,000 members": (lambda: crafted.too_many_members(2_000), "2006 个部件，超过上限 1000 个"),
    "60,000 members": (lambda: crafted.too_many_members(60_000), "超过上限 1000 个"),
    "60,000 members, end record says 16": (
        lambda: crafted.too_many_members(60_000, declared_count=10), "压缩包目录"),
    "1M attributes on one cell": (lambda: crafted.attribute_flood(1_000_000), "XML 属性异常地多"),
    "styles.xml of 300,000 elements": (lambda: crafted.styles_elements(300_000), "超过 250000 个 XML 元素"),
    "row 1048576 under a namespace prefix": (lambda: crafted.prefixed_far_row(1_048_576), "有 1048576 行"),
    "a shared string of 40 runs of 30,000 characters": (lambda: crafted.split_string(40), "超过 Excel 的上限 32767"),
}


@pytest.fixture(scope="module")
def attack_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("crafted_xlsx")
    files = {}
    for n, (name, (build, _)) in enumerate(ATTACKS.items()):
        files[name] = folder / f"attack{n}.xlsx"
        files[name].write_bytes(build())
    return files


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was given a file the guard should have refused")
    monkeypatch.setattr(excel_io, "load_workbook", refuse)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_issue11_d9_x_i1_a_crafted_xlsx_is_refused_in_chinese_before_openpyxl_opens_it(name, attack_files,
                                                                                       openpyxl_must_not_open):
    data = attack_files[name].read_bytes()
    assert len(data) < 20 * 1024 * 1024  # each fits under the upload limit
    with pytest.raises(ValidationError) as refused:
        excel_io.parse_import_xlsx(data, JC, TODAY)
    message = refused.value.message
    assert refused.value.errors[0][0] == "file"
    assert ATTACKS[name][1] in message, message
    assert message.startswith(("文件过大或结构异常：", "无法读取该文件"))


def test_issue11_d9_the_attacks_of_the_issue_are_really_what_they_claim():
    """The files are the attacks described (so a refusal is not of some other, broken file)."""
    import io
    import zipfile

    infos = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(crafted.shared_strings(10_000_000))).infolist()}
    assert infos["xl/sharedStrings.xml"].file_size == 17 * 10_000_000 + len(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sst {crafted.NS} count="10000000" uniqueCount="10000000">'
        .encode()) + len(b"</sst>")
    data = crafted.huge_cell(1024 ** 3)
    assert len(data) < 1.1 * 1024 ** 2
    sst = zipfile.ZipFile(io.BytesIO(data)).open("xl/sharedStrings.xml")
    sst.read(200)
    assert sst.read(1024) == b"A" * 1024
    rows = zipfile.ZipFile(io.BytesIO(crafted.empty_rows(7_500_000))).read("xl/worksheets/sheet1.xml")
    assert rows.count(b"<row/>") == 7_500_000


def test_issue11_d9_refusing_every_crafted_file_stays_under_200_mb_of_memory(attack_files):
    """The files go through parse_import_xlsx in a fresh process; its peak RSS is the figure. VmHWM from
    /proc/self/status, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a child started by pytest
    reports pytest's own size (a child of a 300 MB process read 311 MB with ru_maxrss, 8.8 MB with VmHWM)."""
    script = (
        "import json, sys\n"
        "def peak_mb():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from datetime import date\nfrom pathlib import Path\n"
        "from core.errors import ValidationError\nfrom core.policy import load_policies\n"
        "from services.excel_io import parse_import_xlsx\n"
        f"policy = load_policies(Path({str(ROOT / 'policies')!r}))['jincheng-2026']\n"
        "out = {'base_mb': peak_mb(), 'files': {}}\n"
        "for path in sys.argv[1:]:\n"
        "    data = Path(path).read_bytes()\n"
        "    try:\n"
        "        parse_import_xlsx(data, policy, date(2026, 6, 15)); refused = False\n"
        "    except ValidationError:\n"
        "        refused = True\n"
        "    out['files'][path] = refused\n"
        "out['peak_mb'] = peak_mb()\n"
        "print(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script, *map(str, attack_files.values())], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert all(result["files"].values()), result
    assert result["peak_mb"] < 200, result  # the whole process: Python, openpyxl, pydantic and the policies included


def test_issue11_d9_a_legitimate_5000_row_file_with_every_column_passes_the_guard():
    """The limits are sized from real use: 5,000 experts × every field of the form, as Excel saves it."""
    rows = crafted.legitimate_rows(5000)
    data = crafted.legitimate_xlsx(rows)
    xlsx_guard.check_xlsx(data)  # no refusal
    small = excel_io.parse_import_xlsx(crafted.legitimate_xlsx(rows[:300]), JC, TODAY)
    assert (len(small.rows), small.errors) == (300, [])  # and such a file imports, every row


def test_issue11_d9_the_products_own_export_passes_the_guard_and_imports():
    rows = crafted.legitimate_rows(300)
    data = excel_io.export_experts_xlsx(rows)
    xlsx_guard.check_xlsx(data)
    result = excel_io.parse_import_xlsx(data, JC, TODAY)
    assert (len(result.rows), result.errors) == (300, [])


def test_issue11_d9_not_an_xlsx_and_a_broken_archive_keep_their_messages():
    with pytest.raises(ValidationError, match="不是 Excel"):
        excel_io.parse_import_xlsx(b"hello", JC, TODAY)
    with pytest.raises(ValidationError, match="已损坏"):
        excel_io.parse_import_xlsx(b"PK\x03\x04" + b"\0" * 100, JC, TODAY)
    good = crafted.workbook(crafted._sheet([]))
    with pytest.raises(ValidationError, match="已损坏"):
        xlsx_guard.check_xlsx(good[: len(good) // 2])
