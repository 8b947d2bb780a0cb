"""抽取性能 — median time of one `core.drawing.draw` with 3,000 experts and 20,000 past assignments.

The pool is the JC profile's taxonomy spread over 3,000 experts (1–3 specialties each; mostly 在库, some 暂停 /
期满退出 / 解聘, some with a term ending mid-task, some over the profile's age limit on the draw date (core.conditions),
declared related enterprises and unavailable periods); the history
is 20,000 assignments over the two years before the task (已完成 / 已接受 / 已拒绝 / 已取消 / 邀请中), some
overlapping the task's dates. The request needs 2–3 experts in each of three specialties, a minimum title and two
target enterprises, so every exclusion rule fires. Each run is the whole draw: the one-pass history index, the
ledger with reasons, the rotation orders, the hashes and the input snapshot `replay` needs ("draw"), and the same
without the snapshot ("draw, no snapshot"); "verify" is a full replay and comparison. Target: draw ≤ 20 ms.
Sizes (issue 17): the draw record as stored before (full: every exclusion, the pool inside) and now (compact: counts
per rule, names where a person must see them, the pool snapshot apart under its SHA-256), the snapshot, and the
audit lines of the draw and of its snapshot written through a real on-disk store; then the snapshot data one
expert's change adds (before: a whole new snapshot; now, services.pool_snapshots: one piece, one chunk, one manifest)
and the time to rebuild the snapshot from its pieces and replay the draw from it. Targets: record ≤ 32 KB, audit
line ≤ 64 KB, ≤ 2 KB per one-expert change. "compact record + snapshot hash" and "replay from pieces" time what the
service adds.
Run: `.venv/bin/python benchmarks/bench_drawing.py` (standalone; also `make bench`).
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.drawing import draw, replay, verify  # noqa: E402
from core.policy import load_policy  # noqa: E402

REPS = 41
EXPERTS = 3000
ASSIGNMENTS = 20000
TARGET_MS = 20.0
TASK_START = date(2026, 6, 15)
UNITS = ("阳泉煤业（集团）有限责任公司", "晋城市应急管理局", "山西兰花科技创业股份有限公司", "太原理工大学安全与应急管理工程学院",
         "晋能控股装备制造集团有限公司", "山西省化工研究所", "晋城某煤业有限公司", "山西晋城无烟煤矿业集团有限责任公司")
STATES = ("在库",) * 90 + ("暂停",) * 4 + ("期满退出",) * 3 + ("解聘",) * 2 + ("申请中",)
TITLES = ("中级", "副高级", "副高级", "正高级", "初级")
STATUSES = ("已完成",) * 12 + ("已接受", "已拒绝", "已取消", "邀请中")


def make_pool(rng: random.Random, codes: tuple[str, ...]) -> list[dict]:
    pool = []
    for n in range(1, EXPERTS + 1):
        term_start = TASK_START - timedelta(days=rng.randrange(30, 1000))
        term_end = term_start + timedelta(days=3 * 365 - 1)
        if rng.random() < 0.02:
            term_end = TASK_START + timedelta(days=1)  # ends inside the task
        pool.append({
            "id": n, "name": f"专家{n}", "state": rng.choice(STATES), "term_start": term_start.isoformat(),
            "term_end": term_end.isoformat(), "specialties": sorted(rng.sample(codes, rng.randint(1, 3))),
            "title_level": rng.choice(TITLES), "unit": rng.choice(UNITS),
            "related_enterprises": ["晋城某化工有限公司"] if rng.random() < 0.03 else [],
            "unavailable": ([{"start": (TASK_START + timedelta(days=1)).isoformat(),
                              "end": (TASK_START + timedelta(days=20)).isoformat(), "reason": "出差"}]
                            if rng.random() < 0.03 else []),
            "birth_date": (date(1958, 1, 1) if rng.random() < 0.03 else date(1980, 1, 1)).isoformat(),
            "gender": rng.choice(("男", "女")), "expert_kind": "普通专家",
            # the rest of a real record, which the draw must skip past
            "id_number": f"14050219800101{n:04d}", "mobile": f"139{n:08d}", "resume": "从事煤矿安全技术工作。" * 10,
        })
    return pool


def make_history(rng: random.Random) -> list[dict]:
    history = []
    for n in range(1, ASSIGNMENTS - 5 + 1):
        start = TASK_START - timedelta(days=rng.randrange(-10, 730))
        history.append({"id": n, "request_id": 10_000 + n // 3, "expert_id": rng.randint(1, EXPERTS),
                        "policy_id": "jincheng-2026", "start": start.isoformat(),
                        "end": (start + timedelta(days=rng.randrange(0, 4))).isoformat(),
                        "status": rng.choice(STATUSES), "answered_on": start.isoformat(), "answer_channel": "电话",
                        "decline_reason": "", "decline_justified": None})
    history += [{"id": ASSIGNMENTS + k, "request_id": 1, "expert_id": k * 7, "policy_id": "jincheng-2026",
                 "start": TASK_START.isoformat(), "end": (TASK_START + timedelta(days=2)).isoformat(),
                 "status": "已拒绝", "answered_on": "2026-06-12", "decline_reason": "外出"} for k in range(1, 6)]
    return history


def median_ms(fn) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    policy = load_policy(ROOT / "policies" / "jincheng-2026.toml")
    rng = random.Random(20260615)
    codes = policy.taxonomy.all_specialty_codes()
    pool, history = make_pool(rng, codes), make_history(rng)
    for k in range(1, 6):  # the experts who declined this request: eligible but for that
        pool[k * 7 - 1].update(state="在库", specialties=[codes[0]], title_level="副高级", unit="太原理工大学",
                               related_enterprises=[], unavailable=[], term_end="2028-12-31")
    request = {"id": 1, "policy_id": policy.id, "start": TASK_START.isoformat(),
               "end": (TASK_START + timedelta(days=2)).isoformat(),
               "needs": [{"specialty": codes[0], "count": 3}, {"specialty": codes[1], "count": 2},
                         {"specialty": codes[5], "count": 2}],
               "min_title_level": "中级", "target_enterprises": ["晋城某煤业", "晋城某化工有限公司"]}

    drawn_at = "2026-06-13T09:00:00"
    result = draw(request, pool, history, policy, seed="bench", drawn_at=drawn_at)
    ok, message = verify(result.to_dict(), request, pool, history, policy)
    assert ok, message
    rules: dict[str, int] = {}
    for x in result.exclusions:
        rules[x.rule] = rules.get(x.rule, 0) + 1

    rows = [
        ("draw", *median_ms(lambda: draw(request, pool, history, policy, seed="bench", drawn_at=drawn_at))),
        ("draw, no snapshot", *median_ms(lambda: draw(request, pool, history, policy, seed="bench", drawn_at=drawn_at,
                                                      keep_inputs=False))),
        ("verify (replay + compare)", *median_ms(lambda: verify(result, request, pool, history, policy))),
    ]
    print(f"抽取 benchmark: {EXPERTS} experts, {len(history)} past assignments, {len(request['needs'])} specialties, "
          f"{REPS} runs (Python {sys.version.split()[0]})")
    print("eligible per specialty: " + ", ".join(f"{sp} {len(o)}" for sp, o in result.orders.items())
          + f"; excluded {len(result.exclusions)}: " + ", ".join(f"{k} {v}" for k, v in rules.items()))
    print(f"{'operation':<28}{'median ms':>10}{'max ms':>10}")
    for name, med, worst in rows:
        print(f"{name:<28}{med:>10.1f}{worst:>10.1f}")
    met = rows[0][1] <= TARGET_MS
    print(f"target: draw ≤ {TARGET_MS:.0f} ms — {'met' if met else 'NOT met'}")
    small = sizes(result, request, pool, history, policy, drawn_at)
    return 0 if met and small else 1


def _kb(data) -> str:
    return f"{len(data) / 1024:.1f} KB"


def sizes(result, request=None, pool=None, history=None, policy=None, drawn_at="") -> bool:
    """Record, snapshot and audit-line sizes, written through the services on a real store in a temp folder; then
    the snapshot data each one-expert pool change adds (before: a whole new snapshot; now: its pieces, chunk and
    manifest) and the time to replay a draw from its snapshot rebuilt from the pieces."""
    import json
    import tempfile

    from services import pool_snapshots
    from services.context import SYSTEM, build_context

    full = json.dumps({"result": result.to_dict()}, ensure_ascii=False).encode("utf-8")
    record, snapshot = result.to_record()
    t = time.perf_counter()
    for _ in range(5):
        result.to_record()
    to_record_ms = (time.perf_counter() - t) * 200
    stored = json.loads(json.dumps(record, ensure_ascii=False))
    digest = record["inputs"]["pool_snapshot"]
    whole = len(json.dumps({"hash": digest, "count": len(snapshot["experts"]), "experts": snapshot["experts"]},
                           ensure_ascii=False).encode("utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        ctx = build_context(Path(folder) / "data")
        data = ctx.store.data_dir

        def snapshot_bytes() -> int:
            return sum((data / f"{n}.json").stat().st_size for n in (pool_snapshots.SNAPSHOTS, pool_snapshots.PIECES)
                       if (data / f"{n}.json").exists())

        t = time.perf_counter()
        pool_snapshots.keep(ctx, SYSTEM, snapshot, digest)
        first_keep_ms = (time.perf_counter() - t) * 1000
        first = snapshot_bytes()
        ctx.store.collection("draws").insert({"request_id": 1, "seq": 1, "result": record}, actor="bench",
                                             action="随机抽取")
        draw_doc = json.dumps(ctx.store.collection("draws").all()[0], ensure_ascii=False).encode("utf-8")  # as stored
        lines = (data / "audit.jsonl").read_bytes().splitlines()
        draw_line, snap_line = lines[-1], max(lines[:-1], key=len)
        added, keep_ms = [], []
        if pool is not None:
            changed = [dict(x) for x in pool]
            for k in range(5):  # one expert's title, each time another expert
                x = changed[137 + 401 * k]
                x["title_level"] = "正高级" if x.get("title_level") != "正高级" else "副高级"
                new_record, new_snapshot = draw(request, changed, history, policy, seed="bench",
                                                drawn_at=drawn_at).to_record()
                before = snapshot_bytes()
                t = time.perf_counter()
                pool_snapshots.keep(ctx, SYSTEM, new_snapshot, new_record["inputs"]["pool_snapshot"])
                keep_ms.append((time.perf_counter() - t) * 1000)
                added.append(snapshot_bytes() - before)
        load_ms = median_ms(lambda: pool_snapshots.load(ctx, digest))[0]
        replay_ms = median_ms(lambda: replay(stored, pool_snapshots.load(ctx, digest)))[0]
        ok_replay = replay(stored, pool_snapshots.load(ctx, digest))[0]
    print(f"draw record: full (before) {_kb(full)}, compact {_kb(draw_doc)} (target ≤ 32 KB); "
          f"pool snapshot: first one {first / 1024:.1f} KB in pieces (whole: {whole / 1024:.1f} KB)")
    print(f"audit line: draw {_kb(draw_line)} (before: the full record again), largest snapshot line {_kb(snap_line)} "
          "(target ≤ 64 KB)")
    if added:
        print(f"snapshot data added per one-expert pool change: before {whole / 1024:.1f} KB (a whole snapshot), now "
              f"{statistics.median(added) / 1024:.2f} KB median, {max(added) / 1024:.2f} KB max (target ≤ 2 KB); "
              f"keep {statistics.median(keep_ms):.0f} ms median")
    print(f"compact record + snapshot hash {to_record_ms:.1f} ms; first snapshot kept in pieces {first_keep_ms:.0f} ms; "
          f"snapshot rebuilt from pieces {load_ms:.1f} ms; replay from pieces {replay_ms:.1f} ms "
          f"({'identical' if ok_replay else 'NOT identical'})")
    ok = (len(draw_doc) <= 32 * 1024 and max(len(draw_line), len(snap_line)) <= 64 * 1024 and ok_replay
          and all(n <= 2 * 1024 for n in added))
    print(f"target: record ≤ 32 KB, audit line ≤ 64 KB, ≤ 2 KB per one-expert change — {'met' if ok else 'NOT met'}")
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
