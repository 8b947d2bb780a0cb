"""Issue 17: fees read only the tasks that may share a day with the ones asked about, and give exactly what the
whole history gives (JC-F1 days × rate, JC-F3 同日只发一项, JC-F4 budgets).

An approval's budget check, a payment, the payable list and a year's statement used to compute every fee line of
every task ever kept; now each computes the lines of the tasks concerned with the tasks ending on or after their
first day and starting on or before their last (services.fees._lines_of). The invariant checked here on the 晋城
demo year (every task made through the services, with budgets and payments) plus tasks placed on one expert's same
days: every figure equals the figure computed from all tasks.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.fees import fee_lines
from services import experts, fees, settings
from services.context import build_context
from tests.conftest import ADMIN, FIXED_NOW

PID = "jincheng-2026"


@pytest.fixture(scope="module")
def jc(tmp_path_factory):
    ctx = build_context(tmp_path_factory.mktemp("fees17") / "data", clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, PID)
    experts.load_demo(ctx, ADMIN)
    _overlapping_tasks(ctx)
    return ctx


def _overlapping_tasks(ctx) -> None:
    """A second finished task giving one expert the same days (recorded as data: no draw would pick a busy
    expert), so JC-F3 pays the shared days once: the bounded computation must see both tasks."""
    done = [r for r in ctx.store.collection("requests").find("status", "已完成") if r.get("policy_id") == PID]
    first = done[-1]
    a = next(x for x in ctx.store.collection("assignments").find("request_id", first["id"]) if x["status"] == "已完成")
    twin = {k: v for k, v in first.items() if k not in ("id", "paid")}
    twin["matter"] = first["matter"] + "（同日另一项）"
    rid = ctx.store.collection("requests").insert(twin, actor="test", action="测试数据", unique=())
    ctx.store.collection("assignments").insert({k: v for k, v in a.items() if k != "id"} | {"request_id": rid},
                                               actor="test", action="测试数据", unique=())


def _everything(ctx):
    policy = ctx.policies[PID]
    reqs = [r for r in ctx.store.collection("requests").all() if r.get("policy_id") == PID]
    ids = {r["id"] for r in reqs}
    asgs = [a for a in ctx.store.collection("assignments").all() if a.get("request_id") in ids
            and a.get("status") in ("已接受", "已完成")]
    return fee_lines(asgs, reqs, ctx.store.collection("experts").all(), policy), reqs


def test_jc_f1_f3_every_task_fee_equals_the_fee_from_all_tasks_issue17(jc):
    full, reqs = _everything(jc)
    by_request: dict = {}
    for ln in full:
        by_request[ln.request_id] = by_request.get(ln.request_id, Decimal("0.00")) + ln.amount
    finished = [r for r in reqs if r["status"] == "已完成"]
    assert len(finished) >= 10
    for r in finished:
        assert fees.request_fee(jc, r["id"]) == by_request.get(r["id"], Decimal("0.00")), r["id"]
    assert any(ln.unpaid_reason for ln in full)  # the shared days were paid once: the case is in the data
    payable = {r["id"]: Decimal(r["fee"]) for r in fees.payable(jc, ADMIN)}
    assert payable == {r["id"]: by_request.get(r["id"], Decimal("0.00")) for r in finished if not r.get("paid")}


@pytest.mark.parametrize("year", [2025, 2026])
def test_jc_f1_a_years_lines_equal_the_lines_from_all_tasks_issue17(jc, year):
    full, _ = _everything(jc)
    expected = [ln for ln in full if f"{year}-01-01" <= ln.end <= f"{year}-12-31"]
    assert fees.lines(jc, ADMIN, year) == expected


def test_jc_f4_every_budget_equals_the_budget_from_all_tasks_issue17(jc, monkeypatch):
    report = {(row.status.department, row.status.year): row.status for year in (2025, 2026)
              for row in fees.budget_report(jc, year, ADMIN)}
    assert report
    # the whole history: every task of the profile, and fee lines from every task
    monkeypatch.setattr(fees, "_requests_starting_in",
                        lambda ctx, policy, year: [r for r in fees._policy_requests(ctx, policy)
                                                   if fees._year_of(r) == year])
    monkeypatch.setattr(fees, "_lines_of", lambda ctx, policy, wanted: [
        ln for ln in fees._all_lines(ctx, policy, fees._policy_requests(ctx, policy))
        if ln.request_id in {r["id"] for r in wanted}])
    for (dept, year), status in report.items():
        record = fees.budget_record(jc, dept, year, PID)
        amount = record["amount"] if record else 0
        assert fees._status(jc, jc.policies[PID], dept, year, amount) == status, (dept, year)
