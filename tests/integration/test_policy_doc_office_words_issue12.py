"""Issue 12 (Language and dates): the 政策规则说明 Word file of each profile says everything in the office's words —
no field name of the profile model (min_education, direct_selection, pool_cap, flow, source …), no internal key
(legal_cases, motivation …), no form id (jc_fj1), no profile id, no "省略", no ISO date. Rendered through the
same service the 政策规则 page uses and reopened with python-docx."""
from __future__ import annotations

import io
import re

import docx
import pytest
from pydantic import BaseModel

from core import policy as policy_module
from services import policy_variants


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _field_names() -> set[str]:
    names: set[str] = set()
    for attr in dir(policy_module):
        cls = getattr(policy_module, attr)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            names.update(cls.model_fields)
    return names


def _keys(value, out: set[str]) -> set[str]:
    """Every `key` and `id` value anywhere in the profile (rule keys, conclusion keys, form ids, the profile id)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("key", "id", "form_id") and isinstance(v, str):
                out.add(v)
            _keys(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _keys(v, out)
    return out


def _token(word: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])")


@pytest.mark.parametrize("policy_id", ["jincheng-2026", "yangquan-2024"])
def test_issue12_policy_document_has_no_internal_key_or_field_name(ctx, policy_id):
    _name, data = policy_variants.profile_document(ctx, policy_id)
    text = _text(data)
    policy = ctx.policies[policy_id]
    developer = {w for w in _field_names() | _keys(policy.model_dump(), set()) if re.search(r"[a-z]", w)}
    # the words the issue names are among those checked
    assert {"min_education", "direct_selection", "pool_cap", "cap", "flow", "source"} <= developer
    if policy_id == "jincheng-2026":
        assert {"legal_cases", "motivation"} <= developer
    found = sorted(w for w in developer if _token(w).search(text))
    assert not found, found
    assert "省略" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"（[a-z_]+）", text)  # option codes such as （manual） （within_window）
    # what the office reads instead
    assert policy.name in text
    assert any(f"{f.annex}《{f.title}》" in text for f in policy.forms)


def test_issue12_jc_notes_say_in_chinese_what_the_profile_leaves_open(ctx):
    text = _text(policy_variants.profile_document(ctx, "jincheng-2026")[1])
    assert "最低学历未作规定" in text
    assert "直接选派的情形未作规定" in text
    assert "legal_cases" not in text and "motivation" not in text
