"""Issue 12 (daily use — the busiest jobs), in AppTest:

- 入库申报 shows every problem of a submit at once: field errors, the 廉政承诺书 tick and the photo together, each
  under its own field and all listed with the field's name; the list follows the user's corrections; text quoted
  in a message (a name already in the register) is shown literally.
- 服务评价 → 表格下载: the tabs remember the open tab (key + on_change="rerun"); the browser check is
  tests/e2e/test_e2e_issue12_daily.py.
- Charts (首页, 劳务报酬, 政策推演) show department and sector names in full (horizontal bars, no label limit) and
  money as 13,800.00 (thousands separator, two decimals) on the axis, in tooltips and in the tables.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.errors import ValidationError
from services import applications as apps
from services.context import build_context
from tests.app.conftest import logged_in, shown, texts
from tests.app.test_app_application_pages import fill_intake
from tests.conftest import ADMIN, OFFICE
from tests.factories import make_expert, seed_expert, valid_id_number

P = "intake_new_"
LONG_NAME = "欧阳" + "长" * 29  # 31 characters: 姓名 allows 30
HOSTILE = "![x](http://127.0.0.1:9/x)<b>"


def errors_of(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def summary_of(at) -> str:
    found = [m for m in errors_of(at) if m.startswith("有 ") and "处需要修改" in m]
    assert len(found) == 1, errors_of(at)
    return found[0]


def test_intake_shows_every_error_at_once_issue12(app_ctx, data_dir):
    """One submit with a too-long name, a bad mobile number and no pledge tick reports all three, each under its
    field and listed with its name; nothing is saved. Fixing the name removes its message and keeps the others."""
    at = fill_intake(logged_in(page="pages/intake.py"), name=LONG_NAME, mobile="139123", pledge=False)
    at.button(key="intake_submit").click().run()
    assert not at.exception
    listed = summary_of(at)
    assert listed.startswith("有 3 处需要修改")
    lines = [line for line in listed.splitlines() if line.startswith("- ")]
    assert len(lines) == 3, listed
    assert "姓名不能超过30字" in lines[0]
    assert lines[1].startswith("- 移动电话")
    assert lines[2] == "- 廉政承诺书：请确认申报人已签署廉政承诺书（附件3）"
    # each problem also stands under its own field: the three field messages plus the summary
    inline = [m for m in errors_of(at) if m != listed]
    assert any("姓名不能超过30字" in m for m in inline)
    assert any(m.startswith("移动电话") for m in inline)
    assert "请确认申报人已签署廉政承诺书（附件3）" in inline
    assert apps.submitted(build_context(data_dir)) == []

    # the user corrects the name only: its message goes, the two others stay (no new submit needed)
    at.text_input(key=P + "name").input("欧阳长").run()
    listed = summary_of(at)
    assert listed.startswith("有 2 处需要修改") and "姓名" not in listed
    assert "移动电话" in listed and "廉政承诺书" in listed

    # everything corrected: the list is gone and the submit goes through
    at.text_input(key=P + "mobile").input("13912345678")
    at.checkbox(key=P + "pledge").check().run()
    assert not [m for m in errors_of(at) if "处需要修改" in m]
    at.button(key="intake_submit").click().run()
    assert not at.exception
    assert [e["name"] for e, _ in apps.submitted(build_context(data_dir))] == ["欧阳长"]


def test_intake_submit_service_reports_fields_pledge_and_photo_together_issue12(app_ctx):
    """The service behind the page: one ValidationError lists the field errors, the pledge and the photo, in form
    order — the name check no longer hides the pledge (the order the issue reports)."""
    policy = app_ctx.policies["jincheng-2026"]
    form = make_expert(policy, name=LONG_NAME)
    form.pop("route"), form.pop("expert_kind")
    with pytest.raises(ValidationError) as refused:
        apps.submit(app_ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐", "pledge_signed": False},
                    photo=(b"%PDF-1.4 not a photo", "scan.pdf"))
    keys = [key for key, _ in refused.value.errors]
    assert keys == ["name", "pledge_signed", "photo"], refused.value.errors
    assert app_ctx.store.collection("experts").all() == []


def test_intake_lists_a_registered_person_with_the_other_errors_and_shows_names_literally_issue12(app_ctx,
                                                                                                   data_dir):
    """An ID number already in the register is listed with the other problems (not found only after they are
    fixed), and the registered name it quotes — Markdown/HTML in it — is shown literally, never rendered."""
    policy = app_ctx.policies["jincheng-2026"]
    number = valid_id_number(date(1970, 2, 3), "女")
    seed_expert(app_ctx, ADMIN, make_expert(policy, name=HOSTILE, id_number=number, gender="女",
                                            birth_date="1970-02-03", state="在库"))
    at = fill_intake(logged_in(page="pages/intake.py"), id_number=number, pledge=False)
    at.button(key="intake_submit").click().run()
    assert not at.exception
    listed = summary_of(at)
    assert listed.startswith("有 2 处需要修改")
    assert f"身份证号已在专家库中：{HOSTILE}（在库）" in listed and "廉政承诺书" in listed
    for element in at.error:  # the Markdown source: every mark escaped, so the browser shows the text as typed
        assert "<b>" not in element.value and "![x](" not in element.value
    assert any(b.key == "intake_open_existing" for b in at.button)  # and the way to the existing record


# --- charts: full names, one number format ------------------------------------------------------------------------
LONG_DEPARTMENT = "市应急管理局危险化学品安全监督管理科"  # the name the issue saw cut ("市应急管理局危…")


def charts_of(at) -> list[tuple[dict, list[dict]]]:
    """(Vega-Lite spec, rows of its data) of every chart the run drew."""
    import pyarrow as pa

    found = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        rows = []
        for dataset in element.proto.datasets:
            rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
        found.append((spec, rows))
    return found


def layers(spec: dict) -> list[dict]:
    return spec.get("layer") or [spec]


def assert_full_names_and_format(spec: dict, rows: list[dict], *, name: str, value: str, money: bool) -> None:
    """Horizontal bars: names on y with no label limit (Vega-Lite cuts at 180 px otherwise), values on x in the
    one format, tooltips in the same format."""
    wanted = ",.2f" if money else ",d"
    for layer in layers(spec):
        y, x = layer["encoding"]["y"], layer["encoding"]["x"]
        assert y["field"] == name and y["type"] == "nominal"
        assert y["axis"]["labelLimit"] == 0, y
        assert x["type"] == "quantitative"
        for tip in layer["encoding"].get("tooltip", []):
            if tip.get("type") == "quantitative":
                assert tip["format"] == (wanted if tip["field"] == value else ",d"), tip
    bar = [layer for layer in layers(spec) if layer["mark"]["type"] == "bar"][0]
    assert bar["encoding"]["x"]["field"] == value and bar["encoding"]["x"]["axis"]["format"] == wanted
    assert rows and all(row[name] for row in rows)


def test_charts_show_full_names_issue12(app_ctx):
    """首页's sector chart and 劳务报酬's budget chart: horizontal bars with every name whole (a department such as
    市应急管理局危险化学品安全监督管理科 included) and money on the axis and in tooltips as 13,800.00."""
    from services import experts

    experts.load_demo(app_ctx, ADMIN)  # the pool and a year of tasks, fees and budgets
    policy = app_ctx.policies["jincheng-2026"]
    at = logged_in()
    assert not at.exception
    [(spec, rows)] = charts_of(at)
    assert_full_names_and_format(spec, rows, name="行业领域", value="人数", money=False)
    sectors = {f"{s.code}. {s.name}" for s in policy.taxonomy.sectors}
    assert {row["行业领域"] for row in rows} == sectors  # whole names, e.g. 5. 防灾减灾救灾应急处置与救援风险评估应急预案管理

    at = logged_in(page="pages/fees.py")
    assert not at.exception
    [(spec, rows)] = charts_of(at)
    assert_full_names_and_format(spec, rows, name="使用科室", value="金额（元）", money=True)
    assert LONG_DEPARTMENT in {row["使用科室"] for row in rows}
    assert spec["encoding"]["yOffset"]["field"] == "项目"  # 预算/已承诺/已支付/剩余 side by side, not stacked


def test_impact_fee_chart_and_table_use_one_money_format_issue12(app_ctx):
    """政策推演 → 劳务报酬: the per-department chart has full names and 13,800.00 on its axis; the table beside it
    writes amounts the same way (it showed 13800 before)."""
    import re

    from services import experts

    experts.load_demo(app_ctx, ADMIN)
    at = logged_in(page="pages/impact.py")
    at.button(key="impact_run").click().run()
    assert not at.exception
    fee_charts = [(s, r) for s, r in charts_of(at) if any(l["encoding"]["y"]["field"] == "使用科室" for l in layers(s))]
    assert len(fee_charts) == 1
    spec, rows = fee_charts[0]
    assert_full_names_and_format(spec, rows, name="使用科室", value="金额", money=True)
    assert LONG_DEPARTMENT in {row["使用科室"] for row in rows}
    quota = [(s, r) for s, r in charts_of(at) if any(l["encoding"]["y"]["field"] == "行业领域" for l in layers(s))]
    assert len(quota) == 1
    assert_full_names_and_format(*quota[0], name="行业领域", value="人数", money=False)
    tables = [t.value for t in at.dataframe if "现行（元）" in t.value.columns]
    assert len(tables) == 1
    amounts = [v for v in tables[0]["现行（元）"] if v != "—"]
    assert amounts and all(re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2}", v) for v in amounts), amounts


def test_intake_lists_the_special_route_department_with_the_field_errors_issue12(app_ctx, data_dir):
    """阳泉, 特聘专家 with no 推荐部门 and no name: both are reported by the same submit, the department under its
    own field."""
    from services import settings

    settings.set_active_policy(app_ctx, ADMIN, "yangquan-2024", confirmed=True)
    at = logged_in(page="pages/intake.py")
    at.selectbox(key=P + "kind").set_value("特聘专家").run()
    at.button(key="intake_submit").click().run()
    assert not at.exception
    listed = summary_of(at)
    assert "- 姓名为必填项" in listed.splitlines()
    assert "- 推荐部门：特聘专家须由使用部门推荐，请填写推荐部门" in listed.splitlines()
    assert "廉政承诺书" not in listed  # 阳泉 has no separate pledge form
    assert "特聘专家须由使用部门推荐，请填写推荐部门" in errors_of(at)  # under the 推荐部门 field
    at.text_input(key=P + "sp_dept").input("市应急管理局危险化学品安全监督管理科").run()
    assert "推荐部门" not in summary_of(at)


def tab_containers(node) -> list:
    """The st.tabs blocks of a run (their protos)."""
    found = []
    proto = getattr(node, "proto", None)
    if type(proto).__name__ == "Block" and proto.WhichOneof("type") == "tab_container":
        found.append(proto)
    for child in (getattr(node, "children", None) or {}).values():
        found += tab_containers(child)
    return found


def test_service_download_tab_keeps_place_issue12(app_ctx):
    """服务评价's tabs are a widget the server tracks under a key (plain st.tabs are not, and fell back to the first
    tab when a message appeared above them): with 表格下载 open, choosing another task and building its form leave
    表格下载 the open tab. The Chromium check is tests/e2e/test_e2e_issue12_daily.py."""
    from services import experts

    experts.load_demo(app_ctx, ADMIN)
    at = logged_in(page="pages/service.py")
    assert not at.exception
    [tabs] = tab_containers(at._tree)
    assert tabs.tab_container.id.endswith("-service_tabs"), tabs  # tracked: a widget id, not a plain layout block
    assert [t.label for t in at.tabs] == ["服务评价", "登记完成", "表格下载"]
    at.session_state["service_tabs"] = "表格下载"  # what a click on the tab sends
    at.run()
    box = at.selectbox(key="service_forms_task")
    box.select_index(2).run()
    assert not at.exception
    assert at.session_state["service_tabs"] == "表格下载"
    assert at.selectbox(key="service_forms_task").index == 2
    maker = [b for b in at.button if str(b.key or "").startswith("service_dl_") and b.key.endswith("__make")]
    maker[0].click().run()
    assert not at.exception
    assert at.session_state["service_tabs"] == "表格下载"
