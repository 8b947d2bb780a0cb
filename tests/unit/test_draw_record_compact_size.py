"""Issue 17 sizes (not times): at 3,000 experts (the 阳泉 demo generator, through the services, on disk) one draw
record stays ≤ 32 KB and no audit line the draw writes exceeds 64 KB, while the draw replays exactly (X-D2) and its
full exclusion list (X-D1) is recomputed from the pool snapshot."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from core.drawing import NAMED_LIMIT
from services import demo, dispatch, experts, settings
from services.context import build_context
from tests.conftest import ADMIN, FIXED_NOW, LEADER, OFFICE

RECORD_LIMIT = 32 * 1024
AUDIT_LINE_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """3,000 demo experts under 阳泉 and one drawn request (about 10 s)."""
    data = tmp_path_factory.mktemp("h17") / "data"
    ctx = build_context(data, clock=lambda: FIXED_NOW)
    settings.set_active_policy(ctx, ADMIN, "yangquan-2024")
    patch = pytest.MonkeyPatch()
    patch.setattr(demo, "default_size", lambda policy: 3000)
    try:
        assert experts.load_demo(ctx, ADMIN, history=False) == 3000
    finally:
        patch.undo()
    before = (data / "audit.jsonl").stat().st_size
    policy = settings.active_policy(ctx)
    in_pool = Counter(s for e in ctx.store.collection("experts").all() if e["state"] == "在库" for s in e["specialties"])
    code = in_pool.most_common(1)[0][0]
    request_id = dispatch.file_request(ctx, OFFICE, {
        "department": "安全生产基础科", "contact": "经办人", "contact_phone": "13900000000", "matter": "煤矿专项检查",
        "task_type": (policy.drawing.usage_categories or policy.drawing.task_types)[0],
        "target_enterprises": ["阳泉某煤业有限公司"], "place": "阳泉市", "outside_city": False,
        "start": "2026-12-07", "end": "2026-12-08", "needs": [{"specialty": code, "count": 2}],
        "min_title_level": None, "mode": "抽取", "direct_reason": None, "emergency": False})[0]
    approver = LEADER if dispatch.request(ctx, request_id)["required_level"] != "专家管理办公室" else OFFICE
    dispatch.approve(ctx, approver, request_id, "同意。")
    draw_id = dispatch.draw(ctx, OFFICE, request_id)
    with open(data / "audit.jsonl", "rb") as f:
        f.seek(before)
        lines = f.read().splitlines()
    return ctx, draw_id, lines


def test_x_d2_a_draw_record_at_3000_experts_is_at_most_32_kb(big):
    ctx, draw_id, _ = big
    record = ctx.store.collection("draws").get(draw_id)
    size = len(json.dumps(record, ensure_ascii=False).encode("utf-8"))
    assert size <= RECORD_LIMIT, size
    summary = {row["rule"]: row for row in record["result"]["exclusion_summary"]}
    assert record["result"]["exclusion_total"] > 2500  # nearly the whole pool is excluded …
    assert summary["wrong_specialty"]["listed"] == 0   # … and 专业不符 is a count
    assert all(x["rule"] != "wrong_specialty" for x in record["result"]["exclusions"])
    assert all(row["listed"] <= NAMED_LIMIT for row in summary.values() if row["rule"] == "not_in_term")
    assert len(record["result"]["exclusions"]) == sum(row["listed"] for row in summary.values())


def test_x_d2_no_audit_line_of_a_draw_at_3000_experts_exceeds_64_kb(big):
    ctx, draw_id, lines = big
    assert lines and max(len(line) for line in lines) <= AUDIT_LINE_LIMIT, max(len(line) for line in lines)
    draw_lines = [json.loads(line) for line in lines if b'"collection": "draws"' in line]
    assert [e["record_id"] for e in draw_lines] == [draw_id]  # the draw's own line is among those measured
    last = (ctx.store.data_dir / "audit.jsonl").read_bytes().splitlines()[-1]
    assert len(last) <= AUDIT_LINE_LIMIT


def test_x_d2_a_draw_at_3000_experts_replays_and_lists_every_exclusion_from_its_snapshot(big):
    ctx, draw_id, _ = big
    ok, message = dispatch.verify(ctx, draw_id)
    assert ok, message
    record = ctx.store.collection("draws").get(draw_id)["result"]
    everyone = dispatch.all_exclusions(ctx, draw_id)
    assert len(everyone) == record["exclusion_total"]
    assert Counter(x["rule"] for x in everyone) == {row["rule"]: row["count"] for row in record["exclusion_summary"]}
    [manifest] = ctx.store.collection(dispatch.POOL_SNAPSHOTS).all()
    assert manifest["count"] == 3000
    snapshot = dispatch.pool_snapshot(ctx, manifest["hash"])  # rebuilt from its pieces
    assert len(snapshot["experts"]) == 3000
    assert not any("id_number" in x or "mobile" in x for x in snapshot["experts"])
