"""Issue 12 (Language and dates), on screen: with the demo pool and its year of history loaded, every page a
role opens shows dates the way the office writes them (2026年12月7日, 2026年12月7日 12:30 — never 2026-12-07 or
2026-12-07T12:30) and no developer text (method ids, library names, profile ids, form ids, None/nan/True/False).

What is read: titles, headers, Markdown, captions, texts, messages, metrics, expander and tab labels, the options
and labels of select boxes, radios and multiselects, and every cell of every table and data frame. The values
inside date pickers are not read: Streamlit's st.date_input cannot show 年月日 (see the README).

The data folders are those of the issue 10 page sweep (tests/app/test_app_page_sweep.py): the demo pool, its
history and a few more steps, built once per profile.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st

from core import vocab
from tests.app.conftest import shown
from tests.app.test_app_page_sweep import (PROFILES, ROLE_USERS, pages_for, registered_pages,  # noqa: F401
                                          signed_in_on, sweep_folders)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T|\s\d)?")
# developer text that must never reach a screen (issue 12)
# (a bare form id such as jc_fj1 — a template's file name jc_fj1_专家类别划分表.docx, which the admin needs to find
# the file, is not a bare id)
_NOT_WORD_BEFORE, _NOT_WORD_AFTER = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"
DEV_TOKENS = re.compile(r"rotation-seeded|chinesecalendar|jincheng-2026|yangquan-2024|policy_id|"
                        + _NOT_WORD_BEFORE + r"(?:(?:jc_fj|yq_fb)\d+|None|nan|NaN|True|False|null)" + _NOT_WORD_AFTER)
ROLES = (vocab.ROLE_ADMIN, vocab.ROLE_OFFICE, vocab.ROLE_DEPARTMENT, vocab.ROLE_LEADER)


def _cells(frame) -> list[str]:
    """Every header and cell of a pandas frame (or what AppTest hands back for a table) as text."""
    try:
        out = [str(c) for c in frame.columns]
        import pandas as pd

        out += [str(v) for row in frame.itertuples(index=False) for v in row if not (pd.api.types.is_scalar(v)
                                                                                     and pd.isna(v))]
        return out
    except AttributeError:
        return [str(frame)]


def screen_text(at) -> list[str]:
    """Every piece of text the user reads on this run (see the module docstring)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "error", "warning", "info"):
        parts += [shown(el.value) for el in getattr(at, kind)]
    parts += [str(el.value) for el in at.text]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(e.label) for e in at.expander] + [str(t.label) for t in at.tabs]
    for kind in ("selectbox", "radio", "multiselect"):
        for el in getattr(at, kind):
            parts.append(str(el.label))
            parts += [str(o) for o in el.options]
    for kind in ("button", "checkbox", "text_input", "number_input", "text_area", "toggle"):
        parts += [str(el.label) for el in getattr(at, kind)]
    for el in at.dataframe:
        parts += _cells(el.value)
    for el in at.table:
        parts += _cells(el.value)
    return parts


def _problems(parts: list[str]) -> list[str]:
    found = []
    for p in parts:
        if ISO_DATE.search(p):
            found.append(f"ISO 日期：{p[:160]!r}")
        if DEV_TOKENS.search(p):
            found.append(f"开发用语：{p[:160]!r}")
    return found


# 节假日安排 (pages/calendar.py) is being written under issue 13 by another change and is not swept here yet
CASES = [(profile, role, page) for profile in PROFILES for role in ROLES for page in pages_for(role, profile)
         if page not in ("pages/login.py", "pages/setup.py", "pages/calendar.py")]


def _id(case):
    profile, role, page = case
    return f"{'jc' if profile.startswith('jincheng') else 'yq'}-{ROLE_USERS[role].username}-{Path(page).stem}"


# Known and reported, outside this change's files: the message of core.fees.how_to_set_rates (阳泉's rates are set
# locally) tells the admin to edit "policies/yangquan-2024.toml … [[fees.rate_versions]] … daily_rate". Strict: the
# case fails as soon as that message is said in the office's words, so the mark must then be removed.
KNOWN = {("yangquan-2024", "pages/fees.py"): "core/fees.how_to_set_rates names the profile file and its TOML keys"}


def _param(case):
    mark = KNOWN.get((case[0], case[2]))
    return pytest.param(*case, id=_id(case), marks=[pytest.mark.xfail(strict=True, reason=mark)] if mark else [])


@pytest.mark.parametrize("profile, role, page", [_param(c) for c in CASES])
def test_issue12_pages_show_office_dates_and_no_developer_text(sweep_folders, registered_pages,  # noqa: F811
                                                               monkeypatch, profile, role, page):
    """Issue 12: no ISO date/time and no developer token in the text a page shows, demo pool loaded."""
    try:
        at = signed_in_on(sweep_folders(profile), role, monkeypatch)
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        folder = str(sweep_folders(profile))  # the test's own data path (系统设置 names it) is not page text
        parts = [p.replace(folder, "〈数据目录〉") for p in screen_text(at)]
        assert parts, "the page showed nothing"
        problems = _problems(parts)
        assert not problems, "\n".join(problems)
    finally:
        st.cache_resource.clear()


def test_issue12_the_sweep_would_see_an_iso_date_and_a_developer_token():
    """The checks above can fail: an ISO date, a 'T' time and the developer tokens are caught."""
    assert _problems(["任务 2026-12-07"]) and _problems(["2026-12-07T12:30"]) and _problems(["方法 rotation-seeded-v1"])
    assert _problems(["策略 jincheng-2026"]) and _problems(["表 jc_fj1"]) and _problems(["值 None"])
    assert _problems(["表单jc_fj1"]) and _problems(["是否：False"])
    assert not _problems(["2026年12月7日 12:30", "附件1 专家申报表", "13,800.00", "jc_fj1_申报表.docx"])
