"""AppTest: 政策推演 page — choose a variant or the other city's profile, see the impact side by side, download (X-P3)."""
from __future__ import annotations

import hashlib

from core import vocab
from services import policy_variants, settings
from services.context import build_context
from tests.app.conftest import build_download, click, logged_in, offered_downloads, texts
from tests.conftest import ADMIN, OFFICE

YQ = "yangquan-2024"
PAGE = "pages/impact.py"


def _insert(ctx, name: str, doc: dict) -> int:
    return ctx.store.collection(name).insert(doc, actor="t", action="测试", unique=())


def yangquan_with_variant(ctx) -> str:
    """Yangquan active, a man of 62 in the pool, one finished task, and the saved variant “age cap 65”."""
    settings.set_active_policy(ctx, ADMIN, YQ)
    old = _insert(ctx, "experts", {"policy_id": YQ, "name": "老张", "gender": "男", "birth_date": "1964-03-01",
                                   "state": "在库", "expert_kind": "普通专家", "education": "本科",
                                   "title_level": "副高级", "years_in_field": 20, "specialties": ["4.1"],
                                   "unit": "某煤业", "id_number": "x1"})
    rid = _insert(ctx, "requests", {"policy_id": YQ, "department": "煤矿科", "matter": "检查", "start": "2026-03-02",
                                    "end": "2026-03-03", "outside_city": False, "status": "已委派",
                                    "required_level": "专家管理办公室",
                                    "approval": {"by": "office", "level": "专家管理办公室", "on": "2026-02-28"}})
    _insert(ctx, "assignments", {"request_id": rid, "expert_id": old, "policy_id": YQ, "status": "已完成",
                                 "start": "2026-03-02", "end": "2026-03-03"})
    vid = policy_variants.save_variant(ctx, OFFICE, YQ, "男性年龄上限65", "", {"eligibility.age_limits.0.max_age": 65})
    return f"variant:{vid}"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_opens_and_asks_for_a_comparison(app_ctx):
    at = logged_in(page=PAGE)
    assert not at.exception
    assert "开始推演" in texts(at) or any(b.label == "开始推演" for b in at.button)
    assert "选择比较对象" in texts(at)


def test_x_p3_the_office_applies_the_age_65_variant_and_sees_who_changes(app_ctx):
    key = yangquan_with_variant(app_ctx)
    at = logged_in(vocab.ROLE_OFFICE, page=PAGE)
    at.selectbox(key="impact_comparison").set_value(key)
    click(at, "开始推演")
    assert not at.exception
    shown = metrics(at)
    assert shown["资格变为符合"] == "1人" and shown["资格变为不符合"] == "0人"
    assert "现行：阳泉市 2024" in texts(at)
    eligibility = at.dataframe[2].value  # 摘要, 调整内容, 资格变化
    assert list(eligibility["姓名"]) == ["老张"] and list(eligibility["变化"]) == ["变为符合"]
    assert offered_downloads(at) == ["生成简报（Word）", "生成明细（Excel）"]
    build_download(at, "下载简报（Word）")


def test_a_leader_compares_yangquan_with_jinchengs_rules_and_fees_say_why_they_cannot_be_computed(app_ctx):
    yangquan_with_variant(app_ctx)
    at = logged_in(vocab.ROLE_LEADER, page=PAGE)
    at.selectbox(key="impact_comparison").set_value("jincheng-2026")
    click(at, "开始推演")
    assert not at.exception
    assert metrics(at)["劳务报酬增减（元）"] == "—"
    assert any("本地设置" in w.value for w in at.warning)


def test_x_p3_running_the_page_saves_nothing(app_ctx, data_dir):
    key = yangquan_with_variant(app_ctx)

    def snapshot():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data_dir.rglob("*"))
                if p.is_file() and not p.name.endswith(".lock")}

    at = logged_in(page=PAGE)  # starting the app makes the daily backup; after that nothing may change
    before = snapshot()
    at.selectbox(key="impact_comparison").set_value(key)
    click(at, "开始推演")
    assert not at.exception
    assert snapshot() == before
    assert len(build_context(data_dir).store.collection("policy_variants").all()) == 1


def test_a_bad_period_is_refused_in_chinese(app_ctx):
    from datetime import date

    key = yangquan_with_variant(app_ctx)
    at = logged_in(page=PAGE)
    at.selectbox(key="impact_comparison").set_value(key)
    at.date_input(key="impact_start").set_value(date(2026, 12, 1))
    at.date_input(key="impact_end").set_value(date(2026, 1, 1))
    click(at, "开始推演")
    assert not at.exception
    assert any("早于" in e.value for e in at.error)
