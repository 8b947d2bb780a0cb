"""表单下载 — produce the official Word forms a page offers for download: (file name, .docx bytes).

Here: the printable taxonomy table of the active policy, JC 附件1《晋城市安全生产和应急管理专家类别划分表》
or the YQ《专家行业领域和专业范围分类表》(JC-W1, YQ-W1). The context comes from core (pure), the bytes from
forms (docxtpl); this module only picks the template and names the file.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import forms
from core.forms_context import taxonomy_table_context

# Layouts of the taxonomy table, used when a profile's forms list names no template file that exists:
# with categories, caps and 牵头科室 (JC 附件1) or a plain numbered list (YQ 分类表).
_WITH_CATEGORIES, _FLAT = "jc_fj1_专家类别划分表.docx", "yq_flb_分类表.docx"


def taxonomy_template(policy: Any) -> str:
    """Template file of the policy's taxonomy table: the one its profile lists (taxonomy.form_id → forms),
    else by shape — categories, caps and 牵头科室 (JC layout) or a plain numbered list (YQ layout)."""
    form_id = getattr(policy.taxonomy, "form_id", None)
    if form_id and hasattr(policy, "form"):
        template = policy.form(form_id).template
        if (forms.TEMPLATES_DIR / template).is_file():
            return template
    return _WITH_CATEGORIES if policy.taxonomy.categories else _FLAT


def taxonomy_filename(policy: Any, today: date) -> str:
    """晋城市专家类别划分表_20261125.docx / 阳泉市专家行业领域和专业范围分类表_20261125.docx."""
    kind = "专家类别划分表" if policy.taxonomy.categories else "专家行业领域和专业范围分类表"
    return f"{policy.city}{kind}_{today:%Y%m%d}.docx"


def taxonomy_form(policy: Any, today: date) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the taxonomy table of `policy`, dated `today`. Raises forms.FormError."""
    context = taxonomy_table_context(policy, printed_on=today)
    return taxonomy_filename(policy, today), forms.render(taxonomy_template(policy), context)


def template_problems(policy: Any, today: date) -> list[str]:
    """What stops the taxonomy template from being filled (X-W2: staff edited it in Word); [] when fine."""
    context = taxonomy_table_context(policy, printed_on=today)
    return forms.check_template(taxonomy_template(policy), context)


__all__ = ["taxonomy_filename", "taxonomy_form", "taxonomy_template", "template_problems"]
