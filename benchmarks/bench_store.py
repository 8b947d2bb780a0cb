"""存储性能 — median time of one insert and one update through a Repository at 260 and 3,000 experts.

Each document is an expert-like record of about 1 KB of realistic Chinese text. Every write is the real thing:
lock, read the file, check the 身份证号 is unique, write a temp file, fsync, rename, fsync the folder, append and
fsync the audit line. Target: ≤ 50 ms per write at 3,000 experts. "insert*" is the slower case where another
process wrote the file since this process's last write, so it must be parsed again.

Issue 17: a history collection ("assignments", an append-only log) at 40,000 documents — insert, update, get,
search, all() and open. `--before DIR` runs the same with the `store` package found in DIR (a copy of the
whole-file store made before issue 17) to compare; `--history-only` skips the experts part.
Run: `.venv/bin/python benchmarks/bench_store.py` (standalone; also `make bench`).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "--before" in sys.argv:  # the store package of an older tree (only store/ is taken from there)
    sys.path.insert(0, sys.argv[sys.argv.index("--before") + 1])

import random  # noqa: E402

from store import open_store  # noqa: E402

REPS = 30
SIZES = (260, 3000)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
UNITS = ("阳泉煤业（集团）有限责任公司", "晋城市应急管理局", "山西兰花科技创业股份有限公司", "太原理工大学安全与应急管理工程学院",
         "晋能控股装备制造集团有限公司", "山西省化工研究所")
SPECIALTIES = ("1.1", "1.2", "2.1", "2.3", "3.4", "4.2", "5.1", "6.3")


def make_expert(rng: random.Random, n: int) -> dict:
    unit = rng.choice(UNITS)
    return {
        "name": rng.choice(SURNAMES) + rng.choice("建国志强海军丽华明伟"),
        "id_number": f"140302{1960 + n % 35}{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:04d}"[:18],
        "gender": rng.choice(("男", "女")), "birth_date": f"{1960 + n % 35}-0{(n % 9) + 1}-1{n % 9}",
        "political_status": "中共党员", "employment_status": "在岗", "mobile": f"139{n:08d}",
        "unit": unit, "unit_address": "山西省阳泉市城区南大街18号", "department": "安全生产管理部", "position": "副总工程师",
        "education": "本科", "title_level": "正高级", "title": "教授级高级工程师", "years_in_field": 10 + n % 20,
        "specialties": rng.sample(SPECIALTIES, 2),
        "resume": (f"{1980 + n % 20}年毕业于中国矿业大学采矿工程专业，先后在{unit}从事煤矿通风、瓦斯防治和应急救援技术工作，"
                   "主持编制矿井灾害预防和处理计划，多次参加省市安全生产大检查和事故调查。"),
        "achievements": "主持完成省级科研项目三项，获山西省科技进步二等奖一项，发表论文十余篇，参与制定地方标准两项。",
        "remarks": "", "state": "在库", "policy_id": "yangquan-2024", "is_demo": True,
        "created_at": "2026-11-25T09:30:00", "updated_at": "2026-11-25T09:30:00",
    }


def median_ms(fn) -> float:
    times = []
    for i in range(REPS):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench(size: int) -> dict:
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "data")
        repo = store.collection("experts")
        repo.insert_many([make_expert(rng, n) for n in range(size)], actor="bench", action="预置", unique=("id_number",))
        file_kb = (store.data_dir / "experts.json").stat().st_size / 1024
        ids = [d["id"] for d in repo.all()]
        new = [make_expert(rng, 100000 + i) for i in range(REPS)]
        insert = median_ms(lambda i: repo.insert(new[i], actor="bench", action="新建专家"))
        update = median_ms(lambda i: repo.update(rng.choice(ids), {"remarks": f"第{i}次修改：补充业绩材料"},
                                                 actor="bench", action="修改专家信息", unique=("id_number",)))
        storage = repo._h.storage  # forget the bytes this process wrote last: as after another process's write

        def cold_insert(i):
            if hasattr(storage, "drop_cache"):
                storage.drop_cache()
            else:  # the store before issue 17
                storage._kept = None
            repo.insert(cold[i], actor="bench", action="新建专家")

        cold = [make_expert(rng, 200000 + i) for i in range(REPS)]
        insert_cold = median_ms(cold_insert)
        get = median_ms(lambda i: repo.get(rng.choice(ids)))
        search = median_ms(lambda i: repo.search(lambda d: "1.1" in d["specialties"]))
        t = time.perf_counter()
        open_store(store.data_dir)
        opened = (time.perf_counter() - t) * 1000
        assert store.audit.verify().ok
    return {"size": size, "file_kb": file_kb, "insert": insert, "update": update, "cold": insert_cold, "get": get,
            "search": search, "open": opened}


HISTORY_DOCS = 40000
HISTORY_REPS = 20


def make_assignment(rng: random.Random, n: int) -> dict:
    return {"request_id": n // 2 + 1, "expert_id": rng.randint(1, 3000), "policy_id": "yangquan-2024",
            "status": rng.choice(("已邀请", "已接受", "已完成", "已谢绝")), "invited_at": "2026-11-25T09:30:00",
            "answered_at": "2026-11-25T10:05:00", "fee": {"amount": 800, "days": 1, "lines": [["劳务费", 800]]},
            "note": "专家已按时到场参加评审工作，现场提出整改意见三条。", "by": "office"}


def bench_history(n: int = HISTORY_DOCS) -> dict:
    """One history collection ("assignments") of `n` documents: write, get, search and all() medians."""
    rng = random.Random(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "data")
        repo = store.collection("assignments")
        for start in range(0, n, 5000):
            repo.insert_many([make_assignment(rng, k) for k in range(start, min(n, start + 5000))], actor="bench",
                             action="预置")
        file_mb = (store.data_dir / "assignments.json").stat().st_size / 1e6
        reps = HISTORY_REPS

        def timed(fn, count=reps):
            times = []
            for i in range(count):
                t = time.perf_counter()
                fn(i)
                times.append((time.perf_counter() - t) * 1000)
            return statistics.median(times)

        new = [make_assignment(rng, n + i) for i in range(reps)]
        insert = timed(lambda i: repo.insert(new[i], actor="bench", action="邀请专家", unique=()))
        update = timed(lambda i: repo.update(rng.randint(1, n), {"status": "已完成", "note": f"第{i}次"},
                                             actor="bench", action="完成"))
        get = timed(lambda i: repo.get(rng.randint(1, n)))
        search = timed(lambda i: repo.search(lambda d, r=rng.randint(1, n // 2): d["request_id"] == r), 5)
        everything = timed(lambda i: repo.all(), 3)
        opened_ms = timed(lambda i: open_store(store.data_dir), 1)
    return {"docs": n, "file_mb": file_mb, "insert": insert, "update": update, "get": get, "search": search,
            "all": everything, "open": opened_ms}


def print_history(r: dict) -> None:
    print(f"\nHistory collection (assignments) at {r['docs']:,} documents, file {r['file_mb']:.1f} MB — median ms:")
    print(f"{'insert':>8} {'update':>8} {'get':>8} {'search':>8} {'all()':>8} {'open':>8}")
    print(f"{r['insert']:>8.1f} {r['update']:>8.1f} {r['get']:>8.2f} {r['search']:>8.1f} {r['all']:>8.1f} "
          f"{r['open']:>8.1f}")


def main() -> None:
    if "--history-only" in sys.argv:
        print_history(bench_history())
        return
    rows = [bench(size) for size in SIZES]
    print(f"Store benchmark — median of {REPS} operations each (temp dir, real fsync)")
    print(f"{'experts':>8} {'file KB':>8} {'insert ms':>10} {'update ms':>10} {'insert* ms':>11} {'get ms':>7} "
          f"{'search ms':>10} {'open ms':>8}")
    for r in rows:
        print(f"{r['size']:>8} {r['file_kb']:>8.0f} {r['insert']:>10.1f} {r['update']:>10.1f} {r['cold']:>11.1f} "
              f"{r['get']:>7.1f} {r['search']:>10.1f} {r['open']:>8.1f}")
    print("insert*: right after another process changed the file (this process must parse it again)")
    worst = max(max(r["insert"], r["update"], r["cold"]) for r in rows if r["size"] == 3000)
    print(f"target ≤ 50 ms per write at 3,000 experts: {'met' if worst <= 50 else 'NOT met'} ({worst:.1f} ms)")
    history = bench_history()
    print_history(history)
    worst = max(history["insert"], history["update"])
    print(f"target ≤ 50 ms per write at 40,000 history documents: {'met' if worst <= 50 else 'NOT met'} "
          f"({worst:.1f} ms)")


if __name__ == "__main__":
    main()
