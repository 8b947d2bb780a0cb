"""Crafted .xlsx uploads (issue 11 §9) — time and peak memory to refuse each one, and the cost of a real import.

Every file of tests/integration/test_issue11_crafted_xlsx.py is written to a temporary folder and sent through the
import's entry point (services.excel_io.parse_import_xlsx) in a fresh Python process, which prints the wall time,
the CPU time and its peak resident memory (VmHWM of /proc/self/status; getrusage's ru_maxrss is not used because
Linux carries it across exec from the parent). Then a legitimate file of 5,000 experts × every column (the product's
own export, and the same rows as Excel saves them) is checked by the guard and imported, with the same figures.
Target: each crafted file refused within 2 s and 200 MB (the process's own ~60–90 MB of Python, openpyxl, pydantic
and the policies included).
Run: `.venv/bin/python benchmarks/bench_crafted_xlsx.py` (standalone; also `make bench`).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import issue11_crafted_xlsx as crafted  # noqa: E402
from tests.integration.test_issue11_crafted_xlsx import ATTACKS  # noqa: E402

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from datetime import date
from pathlib import Path
from core.errors import ValidationError
from core.policy import load_policies
from core.xlsx_guard import check_xlsx
from services.excel_io import parse_import_xlsx

def peak_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024

policy = load_policies(Path({root!r}) / 'policies')['jincheng-2026']
data = Path(sys.argv[1]).read_bytes()
base = peak_mb()
wall, cpu = time.perf_counter(), time.process_time()
guard = guard_cpu = None
try:
    check_xlsx(data)
    guard, guard_cpu = time.perf_counter() - wall, time.process_time() - cpu
    result = parse_import_xlsx(data, policy, date(2026, 6, 15))
    outcome = f"导入 {{len(result.rows)}} 行，{{len(result.errors)}} 处错误"
except ValidationError as error:
    outcome = "拒绝：" + error.message
print(json.dumps({{"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "guard": guard, "guard_cpu": guard_cpu,
                  "base_mb": base, "peak_mb": peak_mb(), "outcome": outcome}}, ensure_ascii=False))
"""


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(path)], capture_output=True,
                          text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'file':46} {'size':>8} {'time':>8} {'CPU':>8} {'peak':>9}  outcome")
        for n, (name, (build, _)) in enumerate(ATTACKS.items()):
            path = folder / f"attack{n}.xlsx"
            path.write_bytes(build())
            r = measure(path)
            print(f"{name:46} {path.stat().st_size / 1024 ** 2:6.2f}MB {r['wall']:7.3f}s {r['cpu']:7.3f}s "
                  f"{r['peak_mb']:6.1f} MB  {r['outcome'][:70]}")
        rows = crafted.legitimate_rows(5000)
        from services.excel_io import export_experts_xlsx

        started = time.perf_counter()
        legit = {"5,000 experts, the product's export": export_experts_xlsx(rows)}
        print(f"(export of 5,000 experts built in {time.perf_counter() - started:.1f} s)")
        legit["5,000 experts as Excel saves them"] = crafted.legitimate_xlsx(rows)
        for name, data in legit.items():
            path = folder / "legit.xlsx"
            path.write_bytes(data)
            r = measure(path)
            print(f"{name:46} {len(data) / 1024 ** 2:6.2f}MB {r['wall']:7.3f}s {r['cpu']:7.3f}s "
                  f"{r['peak_mb']:6.1f} MB  guard {r['guard']:.3f}s ({r['guard_cpu']:.3f}s CPU), {r['outcome']}")


if __name__ == "__main__":
    main()
