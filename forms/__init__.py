"""表单 — official Word forms from docxtpl templates; the only package that imports docxtpl.

`render(template_name, context, *, images=None) -> bytes`, `template_fields(name)`,
`check_template(name, context, *, images=None)`, `image_problem(bytes)`, `FormError`. Templates live in templates_docx/ (built by
templates_docx/build_templates.py, editable in Word).
"""
from forms.render import (
    PHOTO_BOX_MM, TEMPLATES_DIR, FormError, check_template, image_problem, render, template_fields,
)

__all__ = ["PHOTO_BOX_MM", "TEMPLATES_DIR", "FormError", "check_template", "image_problem", "render", "template_fields"]
