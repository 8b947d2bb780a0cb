"""政策规则说明模板 — builds policy_profile_政策规则说明.docx, the Word version of the 政策规则 page (X-P1).

Loaded by templates_docx/build_templates.py (`builders(bt)`, `bt` = that module's helpers). The document is the
profile read out in plain Chinese: the official-style title, the profile's full name and document number, a line
saying whether it is the profile in force or a saved variant (推演用), then for each section (一、基本信息 …) its
heading, its source article and a bordered three-column table 参数 / 取值 / 出处或本地设置 with a repeating header
row, and the section's notes. Everything shown comes from core/policy_doc.profile_doc_context, which generates it
from the profile itself; this template only places it.
"""
from __future__ import annotations

from pathlib import Path

POLICY_PROFILE = "policy_profile_政策规则说明.docx"


def builders(bt) -> tuple:
    def build_policy_profile(path: Path) -> None:
        doc = bt._new_document()
        bt._title(doc, bt.Pt(20))
        bt._para(doc, "{{ subtitle }}", align=bt.CENTER, size=bt.Pt(12), after=4)
        bt._para(doc, "{{ variant_line }}", align=bt.JUSTIFY, size=bt.SMALL_SIZE, after=6)
        bt._para(doc, "{%p for s in sections %}")
        bt._section_heading(doc, "{{ s.heading }}", "{{ s.source_line }}")
        bt._grid(doc, [5.6, 6.8, 3.6], ["参数", "取值", "出处 / 本地设置"], "{%tr for r in s.rows %}",
                 ["{{ r.param }}", "{{ r.value }}", "{{ r.mark }}"], left=(0, 1, 2))
        bt._para(doc, "{{ s.notes_text }}", align=bt.JUSTIFY, size=bt.SMALL_SIZE, before=2)
        bt._para(doc, "{%p endfor %}")
        bt._para(doc, "本说明由系统从策略档案生成；“本地设置”表示办法原文未作规定、由本地确定的参数。", size=bt.SMALL_SIZE,
                 align=bt.JUSTIFY, before=8)
        bt._footer(doc, "政策规则说明")
        doc.core_properties.title = "政策规则说明"
        doc.save(path)

    return ((POLICY_PROFILE, build_policy_profile),)
