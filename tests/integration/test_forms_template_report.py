"""X-W2: office staff may replace a template in Word; `template_report` lists every template of a profile with
the fields it needs against what the app supplies (from a sample context) and names each problem in Chinese,
and a template with an unknown field is refused with a FormError instead of a half-filled form."""
from __future__ import annotations

import importlib
import io
import shutil
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

import forms
from core.forms_context import application_form_context
from forms import FormError
from services import forms_service
from tests.factories import make_expert, real_policies

render_module = importlib.import_module("forms.render")  # `forms.render` is the function
TODAY = date(2026, 6, 15)
APPLICATION = "jc_fj2_申报表.docx"


@pytest.fixture(scope="module")
def policies():
    return real_policies()


def edited_copy(tmp_path, monkeypatch, name: str, old: str, new: str) -> None:
    """All templates in a temporary folder, `name` with one tag changed as staff might in Word."""
    folder = tmp_path / "templates_docx"
    shutil.copytree(render_module.TEMPLATES_DIR, folder)
    document = docx.Document(folder / name)
    changed = 0
    for t in document.element.body.iter(qn("w:t")):
        if t.text and old in t.text:
            t.text = t.text.replace(old, new)
            changed += 1
    assert changed, old
    document.save(folder / name)
    monkeypatch.setattr(render_module, "TEMPLATES_DIR", folder)
    monkeypatch.setattr(forms, "TEMPLATES_DIR", folder)


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_x_w2_every_form_the_app_fills_has_a_template_whose_fields_it_supplies(policies, policy_id):
    report = forms_service.template_report(policies[policy_id], TODAY)
    assert [s.form_id for s in report] == [f.id for f in policies[policy_id].forms]
    supported = [s for s in report if s.supported]
    assert {s.form_id.split("_")[-1] for s in supported} >= {"notice", "certificate"}
    for status in supported:
        assert status.exists and status.ok, (status.form_id, status.problems)
        assert status.needed and not status.missing
        assert set(status.needed) <= set(status.supplied)
    later = [s.form_id for s in report if not s.supported]
    assert all(not s.problems for s in report if not s.supported)
    assert later == []  # every annex and local form of both profiles is filled by the app


def test_x_w2_report_shows_what_the_application_template_needs(policies):
    status = next(s for s in forms_service.template_report(policies["jincheng-2026"], TODAY) if s.form_id == "jc_fj2")
    assert status.template == APPLICATION and status.annex == "附件2"
    assert {"name", "id_number", "on_duty_box", "retired_box", "photo", "photo_hint", "specialty_lines",
            "resume"} <= set(status.needed)
    assert "photo" in status.supplied  # a picture field, supplied by the service rather than the context
    assert "special_department" in status.unused  # YQ 附表二's field: harmless here


def test_x_w2_a_template_with_an_unknown_field_is_reported_and_refused_in_chinese(policies, tmp_path, monkeypatch):
    jc = policies["jincheng-2026"]
    edited_copy(tmp_path, monkeypatch, APPLICATION, "{{ mobile }}", "{{ wechat }}")
    status = next(s for s in forms_service.template_report(jc, TODAY) if s.form_id == "jc_fj2")
    assert status.missing == ("wechat",)
    assert not status.ok
    assert status.problems == ("表单模板《jc_fj2_申报表.docx》需要字段「wechat」，但程序没有提供。",)
    expert = make_expert(jc)
    with pytest.raises(FormError, match="「wechat」"):
        forms_service.application_form(expert, {"kind": "普通专家"}, jc)
    others = [s for s in forms_service.template_report(jc, TODAY) if s.form_id != "jc_fj2"]
    assert all(s.ok for s in others)


def test_x_w2_a_misspelt_nested_field_is_found_by_the_trial_render(policies, tmp_path, monkeypatch):
    jc = policies["jincheng-2026"]
    edited_copy(tmp_path, monkeypatch, "jc_fj4_条件审核意见表.docx", "{{ line.criteria }}", "{{ line.criterion }}")
    status = next(s for s in forms_service.template_report(jc, TODAY) if s.form_id == "jc_fj4")
    assert status.missing == ()  # the top-level fields are all there …
    assert len(status.problems) == 1 and "「criterion」" in status.problems[0]  # … but the render names the typo


def test_x_w2_a_broken_tag_and_a_missing_file_are_problems_too(policies, tmp_path, monkeypatch):
    yq = policies["yangquan-2024"]
    edited_copy(tmp_path, monkeypatch, "yq_fb3_汇总表.docx", "{%tr endfor %}", "{%tr endfro %}")
    (tmp_path / "templates_docx" / "certificate_聘书.docx").unlink()
    report = {s.form_id: s for s in forms_service.template_report(yq, TODAY)}
    assert "endfro" in report["yq_fb3"].problems[0] and "请在 Word 中查找并改正" in report["yq_fb3"].problems[0]
    assert not report["yq_certificate"].exists
    assert report["yq_certificate"].problems == ("找不到表单模板《certificate_聘书.docx》，请把模板文件放到 templates_docx 文件夹。",)


def test_x_w2_check_template_counts_picture_fields_as_supplied(policies):
    jc = policies["jincheng-2026"]
    context = application_form_context(make_expert(jc), None, jc)
    assert forms.check_template(APPLICATION, context, images={"photo": None}) == []
    problems = forms.check_template(APPLICATION, context)
    assert problems == ["表单模板《jc_fj2_申报表.docx》需要字段「photo」，但程序没有提供。"]


def test_x_w2_a_template_replaced_under_the_same_name_is_used_at_once(policies, tmp_path, monkeypatch):
    """Compiled templates are cached by file, mtime and size: a replacement must not be served stale."""
    jc = policies["jincheng-2026"]
    folder = tmp_path / "templates_docx"
    shutil.copytree(render_module.TEMPLATES_DIR, folder)
    monkeypatch.setattr(render_module, "TEMPLATES_DIR", folder)
    expert = make_expert(jc, mobile="13912345678")
    first = docx.Document(io.BytesIO(forms_service.application_form(expert, None, jc)[1]))
    assert first.tables[0].cell(1, 5).text == "13912345678"
    document = docx.Document(folder / APPLICATION)
    for t in document.element.body.iter(qn("w:t")):
        if t.text == "{{ mobile }}":
            t.text = "手机 {{ mobile }}（已改版）"
    document.save(folder / APPLICATION)
    second = docx.Document(io.BytesIO(forms_service.application_form(expert, None, jc)[1]))
    assert second.tables[0].cell(1, 5).text == "手机 13912345678（已改版）"


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_x_w2_the_report_also_checks_the_apps_own_documents(policies, policy_id):
    report = forms_service.template_report(policies[policy_id], TODAY, documents=True)
    docs = [s for s in report if s.annex == "系统文档"]
    assert [s.form_id for s in docs] == ["policy_profile", "impact_briefing"]
    assert all(s.exists and s.ok and not s.missing for s in docs), [s.problems for s in docs]
