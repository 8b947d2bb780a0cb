"""演示数据加载时间 (issue 12) — the 加载演示数据 button's call (services.demo_history.load_demo_with_progress: experts.load_demo, then the year of use
and the assessments) on a fresh file store, per profile; prints seconds and what the loaded year leaves overdue
(首页's overdue list, the assessment year's unassessed experts), asserts nothing (times depend on the machine: quote it with them).

The issue's goal is under 8 s per profile on the office's machine. Run:
`.venv/bin/python benchmarks/bench_demo_load.py` (both profiles, today's date) or add `--profile yangquan-2024`,
`--repeat 3` (median), `--profile-calls` (cProfile's top 25 by cumulative time).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import vocab  # noqa: E402
from services import assessments, demo_history, evaluations, settings  # noqa: E402
from services.context import User, build_context  # noqa: E402

ADMIN = User("admin", "管理员", vocab.ROLE_ADMIN)
OFFICE = User("office", "办公室", vocab.ROLE_OFFICE)
PROFILES = ("jincheng-2026", "yangquan-2024")


def load_once(profile: str, now: datetime, *, profile_calls: bool = False) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as folder:
        ctx = build_context(folder, clock=lambda: now, migrate=True)
        settings.set_active_policy(ctx, ADMIN, profile)
        profiler = cProfile.Profile() if profile_calls else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        steps: list[str] = []
        demo_history.load_demo_with_progress(ctx, ADMIN, lambda share, text: steps.append(text))
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        year = assessments.default_year(ctx)
        due = assessments.due_list(ctx, year)
        return seconds, {"首页逾期": len(evaluations.overdue_evaluations(ctx, OFFICE)),
                         f"{year}年度考核未考核逾期": sum(r["overdue"] for r in due), "应考核": len(due),
                         "进度步骤": len(steps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, action="append")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile-calls", action="store_true")
    args = parser.parse_args()
    now = datetime.now().replace(microsecond=0)
    for profile in args.profile or PROFILES:
        times, status = [], {}
        for _ in range(args.repeat):
            seconds, status = load_once(profile, now, profile_calls=args.profile_calls)
            times.append(seconds)
        print(f"{profile}: {statistics.median(times):.2f} s (median of {len(times)})"
              + "".join(f"  {k}={v}" for k, v in status.items()), flush=True)


if __name__ == "__main__":
    main()
