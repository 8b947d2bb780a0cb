"""AppTest: 首页 — the demo pool offer on an empty registry, counts, chart and terms ending."""
from core import vocab
from services import experts
from services.context import build_context
from tests.app.conftest import click, logged_in, texts


def test_an_empty_registry_offers_the_demo_pool_and_loads_it(app_ctx, data_dir):
    at = logged_in()
    assert not at.exception
    assert "加载演示数据" in [b.label for b in at.button]
    click(at, "加载演示数据")
    assert not at.exception
    assert "演示数据" in texts(at)
    assert len(experts.active_experts(build_context(data_dir))) >= 220


def test_home_shows_counts_chart_and_the_demo_warning(app_ctx):
    from tests.conftest import ADMIN
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in()
    assert not at.exception
    assert at.metric[0].label == "在库专家" and int(at.metric[0].value) > 200
    assert "各行业领域人数" in texts(at)
    assert "演示数据" in texts(at)
    assert "90天内聘期届满" in texts(at)


def test_a_leader_sees_the_home_page_without_the_demo_button(app_ctx):
    at = logged_in(vocab.ROLE_LEADER)
    assert not at.exception
    assert "加载演示数据" not in [b.label for b in at.button]
