"""历史增长基准 (issue 17) — 3,000 experts, then N tasks through the services, in steps; prints figures, asserts none.

Under 阳泉 (no pool cap), the demo generator's 3,000 invented experts go in through the store in one write; then
tasks are made by the demo history's own per-task path (services.demo_history.DemoRun.task: filed, approved,
drawn, answered, finished, evaluated, paid — every step a real service call with its fsyncs and audit lines),
about 40 a working day from the pool's start onwards. After each step (default 1,000, 5,000 and 20,000 tasks in
all) it prints:
- ms/task: median time of a task over the step's last 100 tasks (all of them when the step is shorter);
- write: median of 20 single-record updates of a history collection (使用申请), lock + read + fsync + audit;
- expert write: the same for one expert record (专家库, a whole file of 3,000 experts);
- the service calls behind the pages that grow with history, as the admin's first view of each page makes them
  (median of 3): 抽取委派 (the year filter's choices, the ongoing requests, the experts' names, the first request's
  draws, staffing and assignments), 服务评价 (overdue and pending evaluations, the year filter's choices, the tasks
  to finish, the recent and unfinished task lists, participants and evaluation of the first task), 首页 (home view,
  proposals, condition notices, approvals, urgent reports, overdue), 履历 (an expert's audit history, state
  record and tasks);
- the data folder's size and the process's peak memory (VmHWM).
Times depend on the machine (quote it with the figures); the issue's goal is ≤ 150 ms a task, the last step's
task ≤ 1.5× the first's, a write ≤ 50 ms and every page ≤ 1 s.

Run: `.venv/bin/python benchmarks/bench_history.py` (1k, 5k, 20k: hours) or a quick
`.venv/bin/python benchmarks/bench_history.py --steps 200,1000`.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import vocab  # noqa: E402
from core.expert import validate_expert  # noqa: E402
from services import demo, users  # noqa: E402
from services.context import User, build_context  # noqa: E402

EXPERTS = 3000
PROFILE = "yangquan-2024"
START = date(2025, 1, 6)      # the pool is generated as of this day; tasks are filed from it onwards
PER_DAY = 40                  # tasks filed per working day
SEED = 20261207


def peak_memory_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def median_ms(fn, reps: int = 3) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


class Clock:
    """The benchmark's clock: the services date what they write by it; set to each step's day by DemoRun."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def seed_pool(ctx, admin_name: str) -> list[dict]:
    from services.experts import demo_transitions

    policy = ctx.policies[PROFILE]
    records = demo.generate_demo_pool(policy, seed=SEED, today=START, size=EXPERTS)
    now = datetime.combine(START, datetime.min.time()).isoformat(timespec="seconds")
    docs = [dict(validate_expert(r, policy, START), policy_id=policy.id, is_demo=True, created_at=now, updated_at=now)
            for r in records]
    for doc in docs:
        doc["transitions"] = demo_transitions(doc, policy, now)
    ctx.store.collection("experts").insert_many(docs, actor=admin_name, action="加载演示数据", unique=("id_number",))
    return ctx.store.collection("experts").all()


def page_reads(ctx, admin: User) -> dict[str, float]:
    """The service calls the four pages make on one run, for the admin (ms, median of 3)."""
    from services import conditions, dispatch, evaluations, experts

    def drawing():  # pages/drawing.py as first opened: the ongoing requests, the first one's draws and staffing
        dispatch.request_years(ctx, admin, status=dispatch.DRAWING_PAGE_STATUSES)
        open_ = dispatch.requests(ctx, admin, status=tuple(s for s in dispatch.DRAWING_PAGE_STATUSES if s != "已完成"))
        experts.expert_names(ctx)
        if open_:
            rid = open_[0]["id"]
            dispatch.draws_of(ctx, rid)
            dispatch.staffing_of(ctx, rid)
            dispatch.assignments_of(ctx, rid)

    def service():  # pages/service.py as first opened (scope: the recent and the unfinished)
        evaluations.overdue_evaluations(ctx, admin)
        evaluations.task_years(ctx, admin)
        evaluations.tasks_to_finish(ctx, admin)
        evaluations.pending_evaluations(ctx, admin)
        finished = evaluations.visible_tasks(ctx, admin, ("已完成",), scope=evaluations.RECENT)
        evaluations.visible_tasks(ctx, admin, scope=evaluations.RECENT)
        if finished:
            rid = finished[0]["id"]
            evaluations.evaluation_of(ctx, rid)
            evaluations.participants(ctx, rid)

    def home():
        experts.home_view(ctx, admin, 90)
        dispatch.proposals(ctx)
        conditions.home_notices(ctx, admin)
        dispatch.awaiting_approval(ctx, admin)
        evaluations.urgent_reports(ctx)
        evaluations.overdue_evaluations(ctx, admin)

    busiest = max(ctx.store.collection("assignments").all() or [{"expert_id": 1}],
                  key=lambda a: a["expert_id"] % 97)["expert_id"]  # any expert with tasks

    def record():
        experts.history(ctx, admin, busiest)
        experts.state_history(ctx, admin, busiest)
        dispatch.tasks_of(ctx, busiest)

    return {name: median_ms(fn) for name, fn in
            (("抽取委派", drawing), ("服务评价", service), ("首页", home), ("履历", record))}


def one_write_ms(ctx, collection: str = "requests") -> float:
    """Median of 20 single-record updates of `collection` (lock + read + write + fsync + audit line)."""
    repo = ctx.store.collection(collection)
    ids = [r["id"] for r in repo.all()]
    rng = random.Random(1)
    times = []
    for i in range(20):
        rid = rng.choice(ids)
        t = time.perf_counter()
        repo.update(rid, {"bench_note": f"基准写入{time.time_ns()}-{i}"}, actor="bench", action="基准写入")  # always a change
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1000,5000,20000",
                        help="cumulative task counts at which to print a line (default 1000,5000,20000)")
    parser.add_argument("--tasks", type=int, default=None, help="stop after this many tasks (default: the last step)")
    parser.add_argument("--folder", default=None, help="data folder to use (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    steps = sorted({int(s) for s in args.steps.split(",") if s.strip()})
    if args.tasks:
        steps = [s for s in steps if s < args.tasks] + [args.tasks]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp) / "data"
        run(folder, steps)


def run(folder: Path, steps: list[int]) -> None:
    from services.demo_history import DEPARTMENTS, STOP, DemoRun, _weekday_on_or_after

    clock = Clock(datetime.combine(START, datetime.min.time()))
    ctx = build_context(folder, clock=clock)
    users.create_first_admin(ctx, username="admin", display_name="管理员", password="abc12345", confirm="abc12345",
                             policy_id=PROFILE)
    admin = User("admin", "管理员", vocab.ROLE_ADMIN)
    t = time.perf_counter()
    pool = seed_pool(ctx, admin.username)
    print(f"{len(pool)} experts ({PROFILE}) in {time.perf_counter() - t:.1f} s; folder {folder_mb(folder):.1f} MB; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    policy = ctx.policies[PROFILE]
    office = User("bench:office", "基准（办公室）", vocab.ROLE_OFFICE)
    leader = User("bench:leader", "基准（领导）", vocab.ROLE_LEADER)
    far = date(2100, 1, 1)  # DemoRun stops a task that ends on or after its `today`: never here
    demo_run = DemoRun(ctx, office, leader, policy, [e for e in pool if e.get("is_demo")],
                       DEPARTMENTS[policy.city], random.Random(SEED), far)
    print(f"{'tasks':>6} {'ms/task':>8} {'refused':>7} {'write ms':>8} {'expert w':>8} {'抽取委派':>8} {'服务评价':>8} "
          f"{'首页':>8} {'履历':>8} {'folder MB':>9} {'peak MB':>8} {'elapsed s':>9}", flush=True)
    made, refused, day, today_count = 0, 0, _weekday_on_or_after(START), 0
    times: list[float] = []
    started = time.perf_counter()
    for step in steps:
        step_times: list[float] = []
        while made < step:
            if today_count >= PER_DAY:
                day, today_count = _weekday_on_or_after(day + timedelta(days=1)), 0
            today_count += 1
            t = time.perf_counter()
            outcome = demo_run.task(day)
            elapsed = (time.perf_counter() - t) * 1000
            if outcome == STOP:
                break
            if not outcome:
                refused += 1
                continue
            made += 1
            step_times.append(elapsed)
        times.extend(step_times)
        tail = step_times[-100:] or [float("nan")]
        reads = page_reads(ctx, admin)
        print(f"{made:>6} {statistics.median(tail):>8.0f} {refused:>7} {one_write_ms(ctx):>8.1f} "
              f"{one_write_ms(ctx, 'experts'):>8.1f} "
              f"{reads['抽取委派']:>8.0f} {reads['服务评价']:>8.0f} {reads['首页']:>8.0f} {reads['履历']:>8.0f} "
              f"{folder_mb(folder):>9.1f} {peak_memory_mb():>8.0f} {time.perf_counter() - started:>9.0f}", flush=True)
    print("(ms/task: median of the step's last 100 tasks; reads: the service calls each page makes, ms, median of 3)")


if __name__ == "__main__":
    main()
