"""操作日志规模 — the size of an audit line and the cost of an expert's 履历 look-up in a long log (issue 17).

Part 1, line sizes through a real on-disk store: an expert record (3,000-expert demo shape) inserted and then
edited (one field), and a draw record of the old full shape at 3,000 experts (≈ 2,950 exclusion entries plus the
pool copy, ≈ 1 MB) inserted and then finished (two fields). "old format" is the line the audit log wrote until
2026-12 (the whole record before and after), computed from the same records; "now" is the line actually written.
Target: no line over 64 KB.

Part 2, a log of 200,000 lines / ≈ 57 MB (3,000 experts, each edited now and then, between lines about other
collections, plus 20 big lines) written through `AuditLog.append`; then `entries(collection="experts",
record_id=17)` — what an expert's 履历 reads — against the whole-file scan it did before the index (that code is
copied here as `scan_entries`): first call (builds the index) and the median of the next 20; then one more line
appended and the call again (the index reads only the new tail); and `verify()` (reads and checks everything: an
admin action).
Run: `.venv/bin/python benchmarks/bench_audit_log.py` (standalone, ~1 minute; writes only to a temporary folder).
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store import open_store  # noqa: E402
from store.audit import AuditLog  # noqa: E402

LINES = 200_000
EXPERTS = 3_000
TARGET_ID = 17


def _old_line(action: str, collection: str, record_id: int, before: dict | None, after: dict | None) -> int:
    """Bytes of the line the old format wrote: the whole record on each side (plus the fixed fields)."""
    entry = {"ts": "2026-12-07T18:00:00", "actor": "office", "action": action, "collection": collection,
             "record_id": record_id, "before": before, "after": after, "prev_hash": "0" * 64, "hash": "0" * 64}
    return len(json.dumps(entry, ensure_ascii=False).encode("utf-8")) + 1


def _last_line_bytes(store) -> int:
    raw = (store.data_dir / "audit.jsonl").read_bytes().rstrip(b"\n")
    return len(raw) - raw.rfind(b"\n")


def _expert(n: int, rng: random.Random) -> dict:
    return {"name": f"专家{n:04d}", "gender": rng.choice(["男", "女"]), "id_number": f"14030219800101{n:04d}",
            "birth_date": "1980-01-01", "phone": f"139{n:08d}", "office_phone": f"0353-{n:07d}",
            "employer": f"阳泉市第{n % 40}单位", "employer_type": "企业", "title": "高级工程师",
            "title_level": "正高级", "education": "研究生", "degree": "硕士", "major": "安全工程",
            "specialties": [f"A{n % 7}", f"B{n % 11}"], "work_years": 20, "state": "在库",
            "term_start": "2024-01-01", "term_end": "2026-12-31", "certificate_no": f"YQ-2024-{n:04d}",
            "appointed_under": "阳应急〔2024〕1号", "policy_id": "yq-2024", "address": "阳泉市城区" + "某路" * 10,
            "resume": "从事安全生产管理工作多年。" * 12,
            "transitions": [{"from": "申请中", "to": "在库", "date": "2024-01-01", "by": "office", "reason": "聘任"}]}


def _full_draw(rng: random.Random) -> dict:
    """A draw record of the shape stored before issue 17 at 3,000 experts (every exclusion, the pool inside)."""
    pool = [{"id": i, "name": f"专家{i:04d}", "specialties": [f"A{i % 7}"], "state": "在库", "employer": f"单位{i % 40}",
             "term_end": "2026-12-31", "title_level": "正高级", "birth_date": "1980-01-01"} for i in range(EXPERTS)]
    exclusions = [{"expert_id": i, "name": f"专家{i:04d}", "rule": rng.choice(["专业不符", "不在聘期"]),
                   "reason": "所列专业与本次需求的专业类别均不相符，不纳入本次抽取范围"} for i in range(50, EXPERTS)]
    return {"request_id": 1, "status": "已抽取", "seed": "f" * 64, "chosen": list(range(1, 6)),
            "exclusions": exclusions, "inputs": {"pool": pool}, "policy_id": "yq-2024"}


def line_sizes() -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "data", clock=lambda: datetime(2026, 12, 7, 18, 0, 0))
        experts, draws = store.collection("experts"), store.collection("draws")
        doc = _expert(TARGET_ID, rng)
        eid = experts.insert(doc, actor="office", action="新增专家", unique=())
        stored = {k: v for k, v in experts.get(eid).items() if k != "id"}
        print(f"expert insert: old format {_old_line('新增专家', 'experts', eid, None, stored):>9,} B"
              f"   now {_last_line_bytes(store):>9,} B")
        after = {k: v for k, v in experts.update(eid, {"phone": "13900000000"}, actor="office",
                                                 action="修改专家信息").items() if k != "id"}
        print(f"expert update: old format {_old_line('修改专家信息', 'experts', eid, stored, after):>9,} B"
              f"   now {_last_line_bytes(store):>9,} B")
        record = _full_draw(rng)
        did = draws.insert(record, actor="office", action="随机抽取", unique=())
        stored = {k: v for k, v in draws.get(did).items() if k != "id"}
        print(f"draw insert (full 3,000-expert record, {len(json.dumps(stored, ensure_ascii=False).encode()):,} B): "
              f"old format {_old_line('随机抽取', 'draws', did, None, stored):>9,} B   now {_last_line_bytes(store):>9,} B")
        after = {k: v for k, v in draws.update(did, {"status": "已完成", "finished_at": "2026-12-07"}, actor="office",
                                               action="办结").items() if k != "id"}
        print(f"draw update (2 fields): old format {_old_line('办结', 'draws', did, stored, after):>9,} B"
              f"   now {_last_line_bytes(store):>9,} B")
        longest = max(len(line) for line in (store.data_dir / "audit.jsonl").read_bytes().split(b"\n"))
        print(f"longest line written now: {longest:,} B (limit 65,536)")


def _ms(f, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def scan_entries(path: Path, collection: str, record_id: int) -> list[dict]:
    """What `entries(collection, record_id)` did before the index (until 2026-12): read the whole file, keep the
    lines whose bytes hold both keys, parse those."""
    needles = (b'"collection": ' + json.dumps(collection, ensure_ascii=False).encode("utf-8") + b",",
               b'"record_id": ' + json.dumps(record_id).encode("utf-8") + b",")
    out = []
    for raw in path.read_bytes().rstrip(b"\n").split(b"\n"):
        if all(n in raw for n in needles):
            entry = json.loads(raw)
            if entry.get("collection") == collection and entry.get("record_id") == record_id:
                out.append(entry)
    return out


def long_log() -> None:
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        log = AuditLog(data, key_path=Path(tmp) / "key", clock=lambda: datetime(2026, 12, 7, 18, 0, 0))
        log.setup_key()
        collections = ["assignments", "requests", "sessions", "evaluations", "fee_lines", "notifications"]
        t0 = time.perf_counter()
        written, batch = 0, []
        while written < LINES:
            n = written
            if n % 10_000 == 5_000:  # 20 big lines (a draw's, a restore summary …)
                batch.append(("draws", n, None, {"blob": "x" * 100_000}))
            elif n % 50 == 0:  # an expert edited
                eid = TARGET_ID if n % 16_000 == 0 else rng.randrange(1, EXPERTS + 1)
                batch.append(("experts", eid, {"phone": f"139{n:08d}"}, {"phone": f"138{n:08d}"}))
            else:
                batch.append((rng.choice(collections), rng.randrange(1, 60_000), None, {"n": n}))
            written += 1
            if len(batch) == 2_000:
                log.append("office", "生成", batch)
                batch = []
        if batch:
            log.append("office", "生成", batch)
        size = log.path.stat().st_size
        print(f"log: {LINES:,} lines, {size / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
        scanned = scan_entries(log.path, "experts", TARGET_ID)
        median = _ms(lambda: scan_entries(log.path, "experts", TARGET_ID), runs=5)
        print(f"before the index (whole-file scan): {len(scanned)} lines, median {median:,.1f} ms")
        reader = AuditLog(data, key_path=Path(tmp) / "key")
        t0 = time.perf_counter()
        found = reader.entries(collection="experts", record_id=TARGET_ID)
        first = (time.perf_counter() - t0) * 1000
        median = _ms(lambda: reader.entries(collection="experts", record_id=TARGET_ID))
        assert found == scanned
        print(f"entries(experts, {TARGET_ID}): {len(found)} lines; first call {first:,.1f} ms, "
              f"then median {median:,.2f} ms")
        log.append("office", "修改专家信息", [("experts", TARGET_ID, {"phone": "1"}, {"phone": "2"})])
        t0 = time.perf_counter()
        found = reader.entries(collection="experts", record_id=TARGET_ID)
        print(f"after one more line: {len(found)} lines in {(time.perf_counter() - t0) * 1000:,.2f} ms")
        t0 = time.perf_counter()
        check = reader.verify()
        print(f"verify(): {'ok' if check.ok else check.message} in {(time.perf_counter() - t0):,.2f} s")


if __name__ == "__main__":
    print("== audit line sizes ==")
    line_sizes()
    print("== a long log ==")
    long_log()
