"""AppTest, issue 11 §2 / X-I1 (data shown per role): on the 专家库 page a 使用科室 or 领导 opening an expert sees the ID
number and phones masked and the birth date as its year only — in the detail, the state record and the 修改记录 —
and the page's Excel export is built masked and audited; tables offer no unaudited CSV download."""
from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest

from core import vocab
from services import experts
from tests.app.conftest import ROOT_PATH, build_download, logged_in, texts
from tests.app.test_app_registry import _legacy_expert  # a 存量 expert registered through the service
from tests.conftest import OFFICE


def _everything_shown(at) -> str:
    parts = [texts(at)]
    parts += [e.label for e in at.expander]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def _secrets(record: dict) -> list[str]:
    b = date.fromisoformat(record["birth_date"])
    return [record["id_number"], record["mobile"], record["birth_date"], f"{b:%Y%m%d}", f"{b.year}年{b.month}月",
            f"{b.year}年{b.month:02d}月", f"{b:%Y/%m/%d}", f"{b:%Y.%m.%d}"]


@pytest.mark.parametrize("role", [vocab.ROLE_DEPARTMENT, vocab.ROLE_LEADER])
def test_the_registry_detail_and_history_show_the_birth_year_only_to_masked_roles_x_i1(app_ctx, role):
    expert_id = _legacy_expert(app_ctx, name="脱敏专家", birth_date="1975-03-08")
    stored = app_ctx.store.collection("experts").get(expert_id)
    experts.update_expert(app_ctx, OFFICE, expert_id, {
        "mobile": "13812345678", "remarks": f"出生于1975年3月8日，身份证{stored['id_number']}"})
    before = app_ctx.store.collection("experts").get(expert_id)
    at = logged_in(role, page="pages/registry.py", department="化工科")
    at.session_state["registry_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    shown = _everything_shown(at)
    assert "出生日期：1975年" in shown
    assert "移动电话：138****5678" in shown
    assert "身份证号：" + stored["id_number"][:4] + "*" * 10 + stored["id_number"][-4:] in shown
    assert "出生于1975年，身份证" in shown  # the expert's own numbers are scrubbed from free text too
    leaks = [s for s in _secrets(before) + _secrets(stored) if s in shown]
    assert not leaks, leaks
    assert not re.search(r"(?<![\d*])\d{17}[\dX](?![\d*])", shown)


def test_the_office_sees_the_same_detail_in_full(app_ctx):
    expert_id = _legacy_expert(app_ctx, name="完整专家", birth_date="1975-03-08")
    stored = app_ctx.store.collection("experts").get(expert_id)
    at = logged_in(vocab.ROLE_OFFICE, page="pages/registry.py")
    at.session_state["registry_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    shown = _everything_shown(at)
    assert "出生日期：1975-03-08" in shown and f"身份证号：{stored['id_number']}" in shown


def test_the_registry_export_of_a_masked_role_is_built_masked_and_audited_x_i1(app_ctx):
    _legacy_expert(app_ctx, name="导出专家", birth_date="1975-03-08")
    at = logged_in(vocab.ROLE_LEADER, page="pages/registry.py")
    lines = len(app_ctx.store.audit.entries())
    build_download(at, "导出当前筛选结果（Excel）")
    audit = [e for e in app_ctx.store.audit.entries()[lines:] if e["action"] == experts.EXPORT_ACTION]
    assert len(audit) == 1 and audit[0]["after"]["行数"] == 1 and "已脱敏" in audit[0]["after"]["敏感信息"]


def test_tables_offer_no_csv_download_personal_data_leaves_only_through_audited_exports():
    """st.dataframe's toolbar CSV download and clipboard copy would be an export nobody audits."""
    config = tomllib.loads((ROOT_PATH / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
