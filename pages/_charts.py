"""The bar charts of the screens (首页, 劳务报酬, 政策推演) drawn one way (issue 12): horizontal bars whose names —
using departments such as “市应急管理局危险化学品安全监督管理科”, sectors — stand in full beside them (Vega-Lite
cuts axis labels at 180 px with “…” unless told otherwise), and numbers in one format: money as 13,800.00
(thousands separator, two decimals, as core.fees.money writes it in the tables and forms), counts as whole numbers.

Not a page (app.py never registers it). Only names and numbers reach a chart; Vega-Lite draws them as text on a
canvas, never as Markdown or HTML.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

MONEY_FORMAT = ",.2f"  # 13,800.00 — d3-format, the same text as core.fees.money
COUNT_FORMAT = ",d"  # 1,234
NO_LABEL_LIMIT = 0  # Vega-Lite: 0 = labels are never cut
BLUE, RED, ORANGE, GREEN, GREY = "#4c78a8", "#e45756", "#f58518", "#54a24b", "#9d9d9d"


def name_axis(field: str, *, title: str | None = None) -> alt.Y:
    """The category axis: one row per name, in the frame's order, the full name as its label."""
    return alt.Y(f"{field}:N", sort=None, title=title,
                 axis=alt.Axis(labelLimit=NO_LABEL_LIMIT, labelOverlap=False, labelPadding=6))


def value_axis(field: str, *, money: bool, title: str | None = None) -> alt.X:
    """The value axis: money as 13,800.00, counts as whole numbers (no 0.5 ticks)."""
    axis = alt.Axis(format=MONEY_FORMAT) if money else alt.Axis(format=COUNT_FORMAT, tickMinStep=1)
    return alt.X(f"{field}:Q", title=title if title is not None else field, axis=axis)


def tooltip(field: str, kind: str) -> alt.Tooltip:
    """kind: "name" (text), "money" or "count"."""
    if kind == "money":
        return alt.Tooltip(f"{field}:Q", format=MONEY_FORMAT)
    if kind == "count":
        return alt.Tooltip(f"{field}:Q", format=COUNT_FORMAT)
    return alt.Tooltip(f"{field}:N")


def colours(field: str, domain: list[str], palette: list[str], *, title: str | None = None) -> alt.Color:
    return alt.Color(f"{field}:N", title=title if title is not None else field,
                     scale=alt.Scale(domain=domain, range=palette), legend=alt.Legend(orient="top"))


def bars(frame: pd.DataFrame, *, name: str, value: str, money: bool, color: alt.Color, group: str | None = None,
         tips: list[alt.Tooltip] | None = None, value_title: str | None = None, row_step: int = 22,
         ticks: str | None = None, tick_tips: list[alt.Tooltip] | None = None) -> alt.Chart:
    """Horizontal bars of `value` per `name` (full names), side by side per `group` when given, with an optional
    black tick at each row's `ticks` value (a cap). Each bar is `row_step` px high."""
    encoding = {"y": name_axis(name), "x": value_axis(value, money=money, title=value_title), "color": color,
                "tooltip": tips or [tooltip(name, "name"), tooltip(value, "money" if money else "count")]}
    if group:
        encoding["yOffset"] = alt.YOffset(f"{group}:N", sort=None)
    step = alt.Step(row_step)  # with yOffset the step is each bar's (Vega-Lite's default `for: "offset"`)
    chart = alt.Chart(frame).mark_bar().encode(**encoding).properties(height=step)
    if ticks:
        capped = frame.dropna(subset=[ticks])
        if not capped.empty:
            marks = {"y": name_axis(name), "x": alt.X(f"{ticks}:Q"),
                     "tooltip": tick_tips or [tooltip(name, "name"), tooltip(ticks, "count")]}
            if group:
                marks["yOffset"] = alt.YOffset(f"{group}:N", sort=None)
            chart = alt.layer(chart, alt.Chart(capped).mark_tick(color="black", thickness=2,
                                                                 size=max(row_step - 4, 8)).encode(**marks)
                              ).properties(height=step)
    return chart
