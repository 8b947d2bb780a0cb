"""劳务报酬明细表性能 — a year's fee statement with 3,000 experts and 20,000 tasks (`core.fees`).

The JC 2026 profile with a second rate version from 2027-07-01 (so tasks across that day are split by version).
20,000 requests (使用申请) spread over 2027 and the last days of 2026, 1–4 days each, 10 % outside the city, eight
using departments, 1–3 invited experts each (≈ 40,000 assignments: mostly 已完成, some 已接受 / 已拒绝 / 已取消 /
邀请中); 3,000 experts, 8 % public servants whose unit is the using department for some tasks. With this density
an expert often serves two tasks on one day, so the once-a-day rule (第十六条(三)) does real work. Each run is the
whole statement: every fee line for the year and the three statements (by task, by expert, by department). The
working text (算式) of a line is made when read; its cost for every line of the year (what an Excel export reads)
is timed on its own. Target: ≤ 2 s. Run: `.venv/bin/python benchmarks/bench_fees.py` (not yet in `make bench`).

Service level (`services.fees`): the same data in an in-memory store (experts, requests, assignments collections),
then what the 劳务报酬 page does for the year: `fees.statement` (read the store, every fee line, the statement by
task) and `fees.statement_xlsx` (the same plus the Excel file with the statement sheet and one working row per
fee line). Target: each ≤ 2 s.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.fees import (  # noqa: E402
    fee_lines, money, statement_by_department, statement_by_expert, statement_by_task,
)
from core.policy import load_policy, policy_from_data  # noqa: E402

REPS = 7
EXPERTS = 3000
TASKS = 20000
YEAR = 2027
TARGET_S = 2.0
DEPARTMENTS = ("煤矿安全监督管理科", "危险化学品安全监督管理科", "非煤矿山安全监督管理科", "工贸行业安全监督管理科",
               "安全技术科", "应急指挥中心", "晋城市应急管理局", "防汛抗旱科")
UNITS = ("山西某煤业有限公司", "晋城市应急管理局", "太原理工大学", "山西省化工研究所", "晋能控股装备制造集团有限公司")
STATUSES = ("已完成",) * 14 + ("已接受", "已拒绝", "已取消", "邀请中")


def policy_with_2027_rates():
    data = load_policy(ROOT / "policies" / "jincheng-2026.toml").model_dump()
    data["fees"]["rate_versions"] = list(data["fees"]["rate_versions"]) + [{
        "effective_from": date(2027, 7, 1), "daily_rate": Decimal("320"), "cross_city_lodging": Decimal("180"),
        "cross_city_meals": Decimal("60"), "set_locally": False, "source": "基准测试：差旅费标准调整", "note": None}]
    return policy_from_data(data)


def make_data(rng: random.Random) -> tuple[list[dict], list[dict], list[dict]]:
    experts = []
    for n in range(1, EXPERTS + 1):
        servant = rng.random() < 0.08
        experts.append({"id": n, "name": f"专家{n}", "is_public_servant": servant,
                        "unit": "晋城市应急管理局" if servant else rng.choice(UNITS)})
    requests, assignments = [], []
    first = date(YEAR - 1, 12, 20)
    for r in range(1, TASKS + 1):
        start = first + timedelta(days=rng.randrange(0, 375))
        end = start + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
        requests.append({"id": r, "policy_id": "jincheng-2026", "department": rng.choice(DEPARTMENTS),
                         "matter": f"技术服务{r}", "outside_city": rng.random() < 0.1, "start": start.isoformat(),
                         "end": end.isoformat(), "status": "已委派"})
        for k in rng.sample(range(1, EXPERTS + 1), rng.randint(1, 3)):
            a = {"id": len(assignments) + 1, "request_id": r, "expert_id": k, "status": rng.choice(STATUSES)}
            if rng.random() < 0.05 and end > start:
                a["days_worked"] = 1
            assignments.append(a)
    return experts, requests, assignments


def timed(fn, reps: int = REPS) -> tuple[float, float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times), result


def main() -> int:
    policy = policy_with_2027_rates()
    experts, requests, assignments = make_data(random.Random(20270101))

    def lines():
        return fee_lines(assignments, requests, experts, policy, period=YEAR)

    def whole():
        ls = lines()
        return ls, statement_by_task(ls), statement_by_expert(ls), statement_by_department(ls)

    med_lines, max_lines, ls = timed(lines)
    _, _, ls_all = timed(lambda: fee_lines(assignments, requests, experts, policy), reps=1)
    med_st, max_st, _ = timed(lambda: (statement_by_task(ls), statement_by_expert(ls), statement_by_department(ls)))
    med_all, max_all, (_, by_task, by_expert, by_dept) = timed(whole)
    med_w, max_w, _ = timed(lambda: [x.working for x in ls])

    overlap = sum(1 for x in ls if x.paid_under)
    servant = sum(1 for x in ls if x.unpaid_reason and not x.paid_under)
    split = sum(1 for x in ls if len(x.parts) > 1)
    print(f"劳务报酬 benchmark: {EXPERTS} experts, {TASKS} tasks, {len(assignments)} assignments, year {YEAR}, "
          f"median of {REPS} (Python {sys.version.split()[0]})")
    print(f"fee lines in {YEAR}: {len(ls)} (all years {len(ls_all)}); with days paid under another task "
          f"(第十六条(三)) {overlap}; public servant own unit (第十六条(二)) {servant}; split by a rate change {split}")
    print(f"statement rows: by task {len(by_task.rows)}, by expert {len(by_expert.rows)}, "
          f"by department {len(by_dept.rows)}; total {money(by_task.total.amount)} 元 "
          f"(= by expert {money(by_expert.total.amount)}, by department {money(by_dept.total.amount)})")
    print(f"{'operation':<40}{'median s':>10}{'max s':>10}")
    for name, med, worst in (("fee_lines (the year)", med_lines, max_lines),
                             ("three statements from the lines", med_st, max_st),
                             ("whole: lines + three statements", med_all, max_all),
                             ("working text of every line (for export)", med_w, max_w)):
        print(f"{name:<40}{med:>10.3f}{worst:>10.3f}")
    met = med_all <= TARGET_S
    print(f"target: whole statement ≤ {TARGET_S:.0f} s — {'met' if met else 'NOT met'}")
    return 0 if service_level(policy, experts, requests, assignments) and met else 1


def service_level(policy, experts, requests, assignments) -> bool:
    """The same year through services.fees on an in-memory store, as the 劳务报酬 page asks for it."""
    from datetime import datetime

    from services import fees
    from services.context import build_context
    from tests.conftest import OFFICE

    ctx = build_context(None, clock=lambda: datetime(YEAR, 12, 31, 9, 0))
    ctx.policies[policy.id] = policy
    t = time.perf_counter()
    for name, docs in (("experts", experts), ("requests", requests), ("assignments", assignments)):
        ctx.store.collection(name).insert_many([{k: v for k, v in d.items() if k != "id"} for d in docs],
                                               actor="bench", action="基准数据")
    load = time.perf_counter() - t
    med_st, max_st, stmt = timed(lambda: fees.statement(ctx, OFFICE, "task", YEAR), reps=3)
    med_x, max_x, (_, data) = timed(lambda: fees.statement_xlsx(ctx, OFFICE, "task", YEAR), reps=3)
    print(f"service level (in-memory store, loaded in {load:.1f} s): statement rows {len(stmt.rows)}, "
          f"total {money(stmt.total.amount)} 元; Excel {len(data) / 1e6:.1f} MB")
    print(f"{'operation':<40}{'median s':>10}{'max s':>10}")
    for name, med, worst in (("fees.statement (store → by task)", med_st, max_st),
                             ("fees.statement_xlsx (store → .xlsx)", med_x, max_x)):
        print(f"{name:<40}{med:>10.3f}{worst:>10.3f}")
    met = med_st <= TARGET_S
    print(f"target: service statement ≤ {TARGET_S:.0f} s — {'met' if met else 'NOT met'} "
          f"(the Excel download, every fee line with its working, is a separate figure with no target)")
    return met


if __name__ == "__main__":
    raise SystemExit(main())
