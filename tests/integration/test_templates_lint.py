"""Template lint (X-W1, X-W2): every .docx in templates_docx/ parses, is named by a profile's forms list, renders
the sample context of every profile that uses it under StrictUndefined with autoescape, leaves no `{{`/`{%`
behind, and keeps docxtpl's placement rules: each `{%tr %}` / `{%p %}` / `{%tc %}` tag stands alone in its
row / paragraph / cell, no tag is split across paragraphs, prefixes pair up (`{%tr for %}` … `{%tr endfor %}`).
When the `docxtpl-lint` package is installed, its static rules run over the templates too."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

import forms
from services import forms_service
from tests.factories import real_policies

TODAY = date(2026, 6, 15)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEMPLATES = sorted(p.name for p in forms.TEMPLATES_DIR.glob("*.docx"))
# jc_fj1 uses the app's own `{% vm_start %}` tag (forms/render.py), which a generic linter cannot know.
CUSTOM_TAG_TEMPLATES = {"jc_fj1_专家类别划分表.docx"}


@pytest.fixture(scope="module")
def policies():
    return real_policies()


def template_parts(name: str) -> dict[str, etree._Element]:
    """document, headers and footers of a template, parsed."""
    with zipfile.ZipFile(forms.TEMPLATES_DIR / name) as z:
        return {part: etree.fromstring(z.read(part)) for part in z.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", part)}


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


def samples(policies) -> list[tuple[str, str, dict, dict]]:
    """(profile id, template, context, images) for every form the app fills, from each profile."""
    out = []
    for policy in policies.values():
        for spec in policy.forms:
            sample = forms_service.sample_context(policy, spec.id, TODAY)
            if sample is not None:
                out.append((policy.id, spec.template, *sample))
        for _doc_id, _title, template, context, images in forms_service.app_documents(policy, TODAY):
            out.append((policy.id, template, context, images))
    return out


def test_there_are_templates_and_each_parses():
    assert len(TEMPLATES) >= 11
    for name in TEMPLATES:
        assert forms.template_fields(name), name


def test_x_w2_every_template_file_is_named_by_a_profile_or_is_an_app_document(policies):
    named = {spec.template for policy in policies.values() for spec in policy.forms}
    named |= {doc[2] for policy in policies.values() for doc in forms_service.app_documents(policy, TODAY)}
    assert set(TEMPLATES) <= named, set(TEMPLATES) - named


def test_x_w1_every_template_renders_each_profiles_sample_under_strict_undefined_without_leftover_tags(policies):
    rendered = set()
    for policy_id, template, context, images in samples(policies):
        data = forms.render(template, context, images=images)  # StrictUndefined + autoescape inside
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for part in z.namelist():
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", part):
                    xml = z.read(part).decode("utf-8")
                    for tag in ("{{", "}}", "{%", "%}", "{#", "#}"):
                        assert tag not in xml, (policy_id, template, part, tag)
        rendered.add(template)
    assert rendered == set(TEMPLATES)  # no template is left without a sample


def test_x_w1_block_tags_stand_alone_in_their_row_paragraph_or_cell():
    for name in TEMPLATES:
        for part, root in template_parts(name).items():
            for row in root.iter(W + "tr"):
                text = text_of(row)
                if "{%tr" in text:
                    assert re.fullmatch(r"\s*\{%tr [^%]+%\}\s*", text), (name, text)
            for cell in root.iter(W + "tc"):
                text = text_of(cell)
                if "{%tc" in text:
                    assert re.fullmatch(r"\s*\{%tc [^%]+%\}\s*", text), (name, text)
            for paragraph in root.iter(W + "p"):
                text = text_of(paragraph)
                if "{%p" in text:
                    assert re.fullmatch(r"\s*\{%p [^%]+%\}\s*", text), (name, text)


def test_x_w1_no_tag_is_split_across_paragraphs_and_prefixes_are_well_formed():
    for name in TEMPLATES:
        for part, root in template_parts(name).items():
            for paragraph in root.iter(W + "p"):
                text = text_of(paragraph)
                assert text.count("{{") == text.count("}}"), (name, text)
                assert text.count("{%") == text.count("%}"), (name, text)
                assert text.count("{#") == text.count("#}"), (name, text)
                assert not re.search(r"\{%\s+(tr|tc|p|r)\s", text), (name, text)  # "{% tr" is not "{%tr"


def test_x_w1_table_loops_open_and_close_in_the_same_table():
    for name in TEMPLATES:
        root = template_parts(name)["word/document.xml"]
        for table in root.iter(W + "tbl"):
            rows = [text_of(r) for r in table if r.tag == W + "tr"]
            opened = sum(1 for t in rows if re.search(r"\{%tr (for|if) ", t))
            closed = sum(1 for t in rows if re.search(r"\{%tr end(for|if) ", t))
            assert opened == closed, name
        body = text_of(root)
        assert body.count("{%p for") == body.count("{%p endfor"), name


def test_templates_are_a4_with_a_cjk_east_asian_font():
    for name in TEMPLATES:
        root = template_parts(name)["word/document.xml"]
        size = root.find(f".//{W}sectPr/{W}pgSz")
        dims = sorted((int(size.get(W + "w")), int(size.get(W + "h"))))
        assert dims == [11906, 16838], name  # A4 in twentieths of a point, either orientation
        with zipfile.ZipFile(forms.TEMPLATES_DIR / name) as z:
            styles = etree.fromstring(z.read("word/styles.xml"))
        fonts = styles.find(f".//{W}docDefaults//{W}rFonts")
        assert fonts.get(W + "eastAsia") == "仿宋", name


def test_docxtpl_lint_finds_nothing_when_it_is_installed(policies):
    lint = pytest.importorskip("docxtpl_lint").lint
    contexts: dict[str, list[dict]] = {}
    for _policy_id, template, context, images in samples(policies):
        contexts.setdefault(template, []).append({**context, **{k: "" for k in images}})
    for name in TEMPLATES:
        # a template the linter cannot parse (custom tag) cannot have its data checked either
        ignore = ["DTL103", "DTL3"] if name in CUSTOM_TAG_TEMPLATES else []
        result = lint(str(Path(forms.TEMPLATES_DIR) / name), contexts=contexts.get(name), autoescape=True,
                      ignore=ignore)
        assert not result.issues, (name, [str(i) for i in result.issues])
