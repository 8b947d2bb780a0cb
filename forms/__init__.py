"""表单 — official Word forms from docxtpl templates; the only package that imports docxtpl.

`render(template_name, context) -> bytes`, `template_fields(name)`, `check_template(name, context)`,
`FormError`. Templates live in templates_docx/ (built by templates_docx/build_templates.py, editable in Word).
"""
from forms.render import TEMPLATES_DIR, FormError, check_template, render, template_fields

__all__ = ["TEMPLATES_DIR", "FormError", "check_template", "render", "template_fields"]
