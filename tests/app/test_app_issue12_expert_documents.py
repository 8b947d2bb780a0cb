"""Issue 12, 专家库 detail: the expert's own documents — 申报表 (JC 附件2 / YQ 附表一, from the expert's application),
廉政承诺书 (JC 附件3), 聘书 once appointed, JC 附件6 of each year assessed, YQ 附表六 of each finished task — download
from the registry's detail, only for the roles that see full personal data (core.masking.sees_full_personal_data),
each download recorded as a personal-data export (services.personal_exports)."""
from __future__ import annotations

import io

import pytest
from docx import Document

from core import vocab
from core.errors import PermissionDenied
from core.forms_context import as_date, cn_date
from services import applications, expert_documents, experts, settings
from tests.app.conftest import build_download, logged_in, offered_downloads, texts
from tests.conftest import ADMIN, DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert


def _select(at, name: str):
    at.text_input(key="registry_text").input(name).run()
    at.session_state["registry_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    return at.run()


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _audit_lines(ctx) -> list[dict]:
    import json
    path = ctx.store.data_dir / "audit.jsonl"
    return [d for d in (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip())
            if d.get("action") == expert_documents.ACTION]


def test_registry_detail_downloads_the_experts_own_documents_issue12(app_ctx):
    experts.load_demo(app_ctx, ADMIN)  # the demo year: the 2026 履职考核 is recorded for (almost) everyone
    assessed = app_ctx.store.collection("assessments").all()[0]
    expert = app_ctx.store.collection("experts").get(assessed["expert_id"])
    at = _select(logged_in(page="pages/registry.py"), expert["name"])
    assert not at.exception
    assert "本人材料（4份）" in [e.label for e in at.expander]
    offered = offered_downloads(at)
    for title in ("申报表（附件2）", "廉政承诺书（附件3）", "聘书", f"{assessed['year']}年度履职考核表（附件6）"):
        assert f"生成{title}（Word）" in offered, offered
    build_download(at, "下载申报表（附件2）（Word）")
    build_download(at, "下载聘书（Word）")
    lines = _audit_lines(app_ctx)  # each download is a personal-data export, recorded before it is handed out
    assert len(lines) == 2 and all(line["actor"] == "admin" for line in lines)
    assert "申报表" in lines[0]["after"]["导出内容"] and expert["name"] in lines[0]["after"]["导出内容"]
    assert "完整" in lines[0]["after"]["敏感信息"] and lines[0]["after"]["记录编号"] == str(expert["id"])
    # the files are the full forms: the expert's name, full ID number and certificate number
    docs = {d.title: d for d in expert_documents.documents(app_ctx, ADMIN, expert["id"])}
    name, data = docs["申报表（附件2）"].build()
    assert name.startswith("附件2_") and expert["name"] in _docx_text(data) and expert["id_number"] in _docx_text(data)
    assert expert["certificate_no"] in _docx_text(docs["聘书"].build()[1])
    assert "专家服务态度及诚信情况" in _docx_text(docs[f"{assessed['year']}年度履职考核表（附件6）"].build()[1])


def test_an_applicants_form_comes_from_their_application_issue12(app_ctx):
    form = make_expert(settings.active_policy(app_ctx), name="申请人戊")
    form.pop("route", None)
    form.pop("expert_kind", None)
    expert_id, _ = applications.submit(app_ctx, OFFICE, form, {"kind": "普通专家", "route": "个人自荐",
                                                               "pledge_signed": True, "pledge_date": "2026-06-05",
                                                               "declarations": {"healthy": True}})
    docs = expert_documents.documents(app_ctx, OFFICE, expert_id)
    titles = [d.title for d in docs]
    assert titles == ["申报表（附件2）", "廉政承诺书（附件3）"]  # not appointed, not assessed: nothing else exists
    app = app_ctx.store.collection("applications").find("expert_id", expert_id)[-1]
    applied = cn_date(as_date(app["apply_date"]))  # the application's own 填报日期, as the office writes it
    assert docs[0].note == f"{applied}提交的入库申报"
    name, data = docs[0].build()
    assert name.endswith("申请人戊.docx") and f"填报日期：{applied}" in _docx_text(data)


def test_masked_role_gets_no_full_documents_issue12(app_ctx):
    experts.load_demo(app_ctx, ADMIN, history=False)
    expert = experts.active_experts(app_ctx)[0]
    for role_user in (DEPARTMENT, LEADER):
        with pytest.raises(PermissionDenied):
            expert_documents.documents(app_ctx, role_user, expert["id"])
    at = _select(logged_in(vocab.ROLE_DEPARTMENT, page="pages/registry.py", department=DEPARTMENT.department),
                 expert["name"])
    assert not at.exception
    assert not [b for b in offered_downloads(at) if b.startswith("生成申报表") or b == "生成聘书"]
    assert "只有管理员和专家管理办公室可以下载" in texts(at)
    assert _audit_lines(app_ctx) == []


def test_yq_expert_documents_include_the_work_cards_of_their_tasks_issue12(data_dir):
    from services import users
    from services.context import build_context
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id="yangquan-2024")
    experts.load_demo(ctx, ADMIN)
    done = next(a for a in ctx.store.collection("assignments").all() if a["status"] == "已完成")
    docs = expert_documents.documents(ctx, OFFICE, done["expert_id"])
    cards = [d for d in docs if d.key.startswith("work_card_")]
    assert docs[0].title == "申报表（附表一）" and any(d.title == "聘书" for d in docs)
    assert cards and all(d.title == "工作记录卡（附表六）" for d in cards)
    assert f"work_card_{done['id']}" in [d.key for d in cards]
    name, data = next(d for d in cards if d.key == f"work_card_{done['id']}").build()
    assert "附表六" in name and ctx.store.collection("experts").get(done["expert_id"])["name"] in _docx_text(data)
    assert len(_audit_lines(ctx)) == 1
