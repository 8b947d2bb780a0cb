"""Issue 17 (history that scales): the pages that list tasks show what the office works on now, not every task
ever; the service reads behind them make one pass per call, not one per task; 系统设置's template check is not
rendered again on every run. Through the services on an in-memory store (tasks stored as the dispatch flow leaves
them: tests/unit/test_evaluations_service.py's make_dispatched)."""
from __future__ import annotations

import os
import shutil

from services import dispatch, evaluations, forms_service
from tests.conftest import OFFICE
from tests.unit.test_evaluations_service import (DEPT, at, dispatched, finish, jc_data, pool, use_yq,
                                                 yq_data)


def _finished(ctx, clock, start, end, *, evaluate: bool) -> int:
    rid = dispatched(ctx, clock, start=start, end=end)
    y, m, d = (int(x) for x in end.split("-"))
    at(clock, y, m, d)
    finish(ctx, rid)
    if evaluate:
        evaluations.evaluate(ctx, DEPT, rid, jc_data(ctx, rid))
    return rid


def test_x_v1_service_page_lists_unevaluated_and_recent_tasks_by_default_and_any_year_on_request(ctx, clock):
    """服务评价 defaults to RECENT: every task not yet evaluated (however old) and those that ended in the last
    RECENT_DAYS days; an evaluated task of an earlier year is reached through its year."""
    pool(ctx, 3)
    old_done = _finished(ctx, clock, "2025-03-03", "2025-03-04", evaluate=True)
    old_open = _finished(ctx, clock, "2025-05-05", "2025-05-06", evaluate=False)
    recent = _finished(ctx, clock, "2026-11-02", "2026-11-03", evaluate=True)
    at(clock, 2026, 12, 7)
    shown = [r["id"] for r in evaluations.visible_tasks(ctx, OFFICE, ("已完成",), scope=evaluations.RECENT)]
    assert shown == [recent, old_open]  # newest first; the evaluated task of 2025 is not in the default list
    assert evaluations.task_years(ctx, OFFICE, ("已完成",)) == [2026, 2025]
    assert [r["id"] for r in evaluations.visible_tasks(ctx, OFFICE, ("已完成",), scope=2025)] == [old_open, old_done]
    assert [r["id"] for r in evaluations.visible_tasks(ctx, OFFICE, ("已完成",))] == [recent, old_open, old_done]


def test_drawing_page_year_filter_lists_the_requests_of_that_year_only(ctx, clock):
    """抽取委派 lists the unfinished requests by default (page) and a chosen year's requests, finished included."""
    pool(ctx, 3)
    old = _finished(ctx, clock, "2025-03-03", "2025-03-04", evaluate=False)
    new = dispatched(ctx, clock, start="2026-12-01", end="2026-12-03")
    assert dispatch.request_years(ctx, OFFICE, status=dispatch.DRAWING_PAGE_STATUSES) == [2026, 2025]
    assert [r["id"] for r in dispatch.requests(ctx, OFFICE, status=dispatch.DRAWING_PAGE_STATUSES, year=2025)] == [old]
    assert [r["id"] for r in dispatch.requests(ctx, OFFICE, status=dispatch.DRAWING_PAGE_STATUSES, year=2026)] == [new]
    assert {r["id"] for r in dispatch.requests(ctx, OFFICE, status=dispatch.DRAWING_PAGE_STATUSES)} == {old, new}


def test_x_v1_overdue_work_cards_read_the_assignments_once_however_many_tasks(ctx, clock, monkeypatch):
    """YQ 附表六 overdue list: a fixed number of reads of the assignments and of the experts per call, however many
    tasks (it was one per finished task, each reading every expert), and the same rows as participants() gives task
    by task."""
    use_yq(ctx)
    pool(ctx, 3)
    rids = []
    for day in (2, 9, 16):
        rid = dispatched(ctx, clock, start=f"2026-11-{day:02d}", end=f"2026-11-{day + 1:02d}")
        at(clock, 2026, 11, day + 2)
        finish(ctx, rid)
        evaluations.evaluate(ctx, OFFICE, rid, yq_data(ctx, rid, ["良好", "良好"]))
        rids.append(rid)
    at(clock, 2026, 12, 7)
    reads = {"assignments": 0, "experts": 0}
    real = ctx.store.collection

    def counting(name, *args, **kwargs):
        repo = real(name, *args, **kwargs)
        if name in reads:  # every read that copies records (the index look-ups `keyed_ids` copy none)
            for method in ("search", "all", "find", "find_any", "find_from", "get_many"):
                def counted(*a, _real=getattr(repo, method), **k):
                    reads[name] += 1
                    return _real(*a, **k)
                setattr(repo, method, counted)
        return repo

    monkeypatch.setattr(ctx.store, "collection", counting)
    late = evaluations.overdue_evaluations(ctx, OFFICE)
    # the assignments: the finished ones whose card is missing, then those tasks' participants; the experts once
    assert reads == {"assignments": 2, "experts": 1}
    monkeypatch.undo()
    cards = [r for r in late if r["kind"].startswith(evaluations.WORK_CARD_KIND)]
    expected = {(rid, p["assignment_id"], p["name"]) for rid in rids for p in evaluations.participants(ctx, rid)}
    assert {(r["request_id"], r["assignment_id"], r["expert"]) for r in cards} == expected and len(cards) == 6


def test_template_check_is_not_rendered_again_until_a_template_changes(ctx, tmp_path, monkeypatch):
    """系统设置 shows the template check on every run: it is kept per profile, day and template files, and a
    template replaced in Word (size or modification time) is checked afresh."""
    import importlib

    renderer = importlib.import_module("forms.render")
    folder = tmp_path / "templates"
    shutil.copytree(renderer.TEMPLATES_DIR, folder)
    monkeypatch.setattr(renderer, "TEMPLATES_DIR", folder)
    monkeypatch.setattr(forms_service, "_REPORTS", {})
    calls = []
    real = forms_service._template_report
    monkeypatch.setattr(forms_service, "_template_report", lambda *a, **k: calls.append(1) or real(*a, **k))
    policy = ctx.policies["yangquan-2024"]
    first = forms_service.template_report(policy, ctx.today(), documents=True)
    again = forms_service.template_report(policy, ctx.today(), documents=True)
    assert len(calls) == 1 and again == first
    template = folder / first[0].template
    stamp = template.stat().st_mtime_ns + 10_000_000_000
    os.utime(template, ns=(stamp, stamp))
    forms_service.template_report(policy, ctx.today(), documents=True)
    assert len(calls) == 2
    other = ctx.policies["jincheng-2026"]
    forms_service.template_report(other, ctx.today(), documents=False)
    assert len(calls) == 3


def test_task_dates_read_fast_give_the_same_day_as_parse_date():
    """core.dispatch reads the stored YYYY-MM-DD dates of every expert of a pool per request (pool_counts) with
    date.fromisoformat; every other form still goes through parse_date, and an impossible date is still None."""
    from core.dispatch import _day
    from core.expert import parse_date

    for value in ("2026-12-07", "2024-02-29", "2026-02-30", "2026-1-07", "２０２６-12-07", "2026/12/07", "2026年12月7日",
                  "2026-12-07 08:00:00", "20261207", "x" * 10, "2026-13-01"):
        assert _day(value) == parse_date(value), value
    assert _day(None) is None and _day("") is None


def test_x_v1_the_recent_list_keeps_every_task_to_act_on_and_only_the_newest_settled_ones(ctx, clock, monkeypatch):
    """However busy the office, 服务评价's default list holds every task still to finish or evaluate and at most
    RECENT_LIMIT of those already settled (finished and evaluated) in the last RECENT_DAYS days, the newest."""
    monkeypatch.setattr(evaluations, "RECENT_LIMIT", 2)
    pool(ctx, 3)
    settled = [_finished(ctx, clock, f"2026-11-{d:02d}", f"2026-11-{d + 1:02d}", evaluate=True) for d in (2, 9, 16)]
    waiting = _finished(ctx, clock, "2026-11-23", "2026-11-24", evaluate=False)
    at(clock, 2026, 12, 7)
    shown = [r["id"] for r in evaluations.visible_tasks(ctx, OFFICE, ("已完成",), scope=evaluations.RECENT)]
    assert shown == [waiting, settled[2], settled[1]]
