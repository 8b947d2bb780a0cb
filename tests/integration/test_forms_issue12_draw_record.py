"""Issue 12 (the busiest jobs, 抽取委派): the 抽取记录单 of a demo task lists the exclusions other than 专业不符 by
name and the rest as one short count line per rule, 专业不符 last, and prints on two pages through LibreOffice —
where the same form listing every excluded expert by name (as it printed before, "8 pages, mostly 233 rows of
专业不符") takes five or more. The demo pool and its year of tasks are made through the services."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

import forms
from core.forms_context import draw_record_context
from services import dispatch, experts, forms_service, users
from services.context import build_context
from services.settings import require_policy
from tests.conftest import ADMIN

HAVE_PDF_TOOLS = all(shutil.which(tool) for tool in ("soffice", "pdfinfo"))
needs_soffice = pytest.mark.skipif(not HAVE_PDF_TOOLS, reason="LibreOffice (soffice) or poppler not installed")
WRONG_SPECIALTY = "专业不符"


@pytest.fixture(scope="module", params=["jincheng-2026", "yangquan-2024"])
def demo(request, tmp_path_factory):
    ctx = build_context(tmp_path_factory.mktemp("issue12_draw_record") / "data")
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345", confirm="abc12345",
                             policy_id=request.param)
    experts.load_demo(ctx, ADMIN)
    latest = ctx.store.collection("draws").find("policy_id", request.param)[-1]
    return ctx, latest


def record_of(ctx, latest) -> bytes:
    [(_, _, build)] = [f for f in dispatch.forms_for(ctx, latest["request_id"]) if f[0] == "抽取记录单"]
    return build()


def exclusion_rows(data: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(data))
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells] == ["序号", "姓名", "排除规则", "原因"])
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def pages(data: bytes, folder: Path, name: str) -> int:
    source = folder / f"{name}.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(folder / f"{name}.pdf")], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_draw_record_lists_real_exclusions_by_name_and_counts_the_rest_issue12(demo):
    ctx, latest = demo
    rows = exclusion_rows(record_of(ctx, latest))
    listed = dispatch.listed_exclusions(latest["result"])
    named = [r for r in rows if r[0] != ""]
    counted = [r for r in rows if r[0] == ""]
    assert [r[1] for r in named] == [x["name"] for x in listed]  # every real exclusion by name, in order
    assert all(r[2] != WRONG_SPECIALTY for r in named)
    summary = {row["label"]: row for row in dispatch.exclusion_summary(latest["result"])}
    assert summary[WRONG_SPECIALTY]["count"] > 100  # the demo pool: most experts have another specialty
    assert counted[-1][1:3] == [f"{summary[WRONG_SPECIALTY]['count']}人", WRONG_SPECIALTY]  # one line, the last
    assert "查看全部排除" in counted[-1][3]
    for _, who, rule, reason in counted:  # one count line per rule, short enough for one line of the form
        assert who.rstrip("人").lstrip("另").isdigit() and len(reason) <= 24
        assert int(who.rstrip("人").lstrip("另")) == summary[rule]["count"] - summary[rule]["listed"]
        assert who.startswith("另") == bool(summary[rule]["listed"])  # “另13人” after the names of the same rule
    assert len(counted) == len({r[2] for r in counted})
    total = sum(row["count"] for row in summary.values())
    assert sum(int(r[1].rstrip("人").lstrip("另")) for r in counted) + len(named) == total


@needs_soffice
def test_draw_record_prints_on_two_pages_where_listing_everyone_took_five_or_more_issue12(demo, tmp_path):
    ctx, latest = demo
    record = record_of(ctx, latest)
    req = dispatch.request(ctx, latest["request_id"])
    policy = require_policy(ctx, req["policy_id"])
    names = {e["id"]: e["name"] for e in experts.active_experts(ctx)}
    context = draw_record_context(req, dict(latest["result"], reason=latest["reason"]), names,
                                  dispatch.assignments_of(ctx, req["id"]), policy, drawn_by=latest["drawn_by"])
    everyone = dispatch.all_exclusions(ctx, latest["id"])  # the form as it printed before: every exclusion by name
    context["exclusions"] = [{"index": i, "name": x["name"], "rule": x["label"], "rule_key": x["rule"],
                              "reason": x["reason"]} for i, x in enumerate(everyone, start=1)]
    template, _ = forms_service._local_template(policy, "draw_record", forms_service.DRAW_RECORD_TEMPLATE)
    before = pages(forms.render(template, context), tmp_path, "everyone")
    after = pages(record, tmp_path, "record")
    assert after <= 2 < 5 <= before, (before, after)
