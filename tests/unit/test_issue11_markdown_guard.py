"""Issue 11 §1 guard: no user text reaches a Markdown-rendering Streamlit call unescaped (rule X-W1's promise that
text typed by a user comes out literally, applied to the screens).

Streamlit 1.67 renders Markdown in st.markdown / caption / info / warning / error / success / toast / write(str) /
title / header / subheader / table, in the label (and `help`) of every widget, expander, tab, popover and metric,
and in radio / pills / segmented-control options. An image in such a string is fetched by every viewer's browser,
a link is clickable. The rule checked here, by reading pages/*.py and app.py with `ast`: every argument that
Streamlit renders as Markdown is built only from string literals, numbers (len/int/round…), names assigned only
such values in the same file, and `md_escape(...)` (pages/_ui.py) — anything else fails with its file:line.

The few values that are provably not user text are listed in ALLOWED with the reason. Messages handed to
pages._ui.flash / perform / download / error_text are checked at the call site (those helpers display them).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]

# call → which of its arguments Streamlit renders as Markdown: positional indexes and keyword names
BODY = {name: ((0,), ("body",)) for name in (
    "markdown", "caption", "info", "warning", "error", "success", "toast", "title", "header", "subheader")}
LABEL = {name: ((0,), ("label",)) for name in (
    "expander", "popover", "status", "button", "download_button", "form_submit_button", "link_button", "checkbox",
    "toggle", "radio", "selectbox", "multiselect", "text_input", "text_area", "number_input", "date_input",
    "time_input", "slider", "select_slider", "file_uploader", "color_picker", "camera_input", "pills",
    "segmented_control", "feedback", "page_link", "chat_input", "audio_input")}
SINKS = {**BODY, **LABEL,
         "metric": ((0, 1, 2), ("label", "value", "delta")),
         "progress": ((1,), ("text",)),
         "spinner": ((0,), ("text",)),
         "dialog": ((0,), ("title",)),
         # the project's own helpers that display their message / label
         "flash": ((0,), ("message",)),
         "perform": ((1,), ("message",)),
         "download": ((0,), ("label",)),
         }
OPTION_MARKDOWN = {"radio", "pills", "segmented_control", "select_slider"}  # options rendered as Markdown too
ALL_ARGS = {"write", "table", "tabs"}  # every positional argument (tabs: each name in its list)
NOT_STREAMLIT = {"_LOG", "logging", "log", "logger", "warnings"}

NUMERIC = {"len", "int", "float", "round", "sum", "abs", "bool", "md_escape"}
# names that hold Markdown written by the programmers on purpose (a literal in pages/_ui.py)
CONSTANTS = {"DEMO_BADGE": "pages/_ui.py: the literal ':orange-badge[演示数据]'"}

# (file, source of the expression) → why it is not user text. Keep short; each entry is a promise.
ALLOWED: dict[tuple[str, str], str] = {
    ("pages/_ui.py", "message"): "show_flash(): flash()/perform() messages are checked at their call sites here",
    ("pages/_ui.py", "label"): "download()/field_widget(): labels are checked at the download() call sites; "
                               "field labels come from core.expert_fields (code)",
    ("pages/_ui.py", "help_text"): "field_widget(): help texts come from core.expert_fields (code)",
    ("pages/_ui.py", "prepare_label(label)"): "download(): its label is checked at the download() call sites",
    ("pages/_ui.py", "label.removeprefix('下载')"): "download(): its label is checked at the download() call sites",
    ("pages/_ui.py", "message(result) if callable(message) else message"):
        "perform(): its message is checked at the perform() call sites",
    ("pages/_session.py", "url"): "follow_pending_redirect(): the URL has just matched _URL (/auth/session?t=<token> "
                                  "or /auth/logout), made by the app, never typed",
}


def _assignments(tree: ast.AST) -> tuple[dict[str, list[ast.AST]], set[str]]:
    """Name → the values assigned to it anywhere in the file; and the names bound any other way (loop targets,
    parameters, with/except/import, augmented or unpacking assignment), which are never trusted."""
    values: dict[str, list[ast.AST]] = {}
    other: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
                else:
                    other.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            values.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.comprehension, ast.NamedExpr)):
            other.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.arg):
            other.add(node.arg)
        elif isinstance(node, (ast.withitem,)) and node.optional_vars is not None:
            other.update(n.id for n in ast.walk(node.optional_vars) if isinstance(n, ast.Name))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            other.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            other.update((a.asname or a.name).split(".")[0] for a in node.names)
    return values, other


class Checker:
    def __init__(self, rel: str, tree: ast.AST):
        self.rel = rel
        self.values, self.other = _assignments(tree)
        self.functions = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        self._seen: set[str] = set()

    def _literal_table(self, name: str, *, values: bool) -> bool:
        """`name` is only ever assigned literal dicts / lists / tuples whose keys (and values) are safe."""
        tables = self.values.get(name, [])
        if not tables or name in self.other:
            return False
        for t in tables:
            if isinstance(t, ast.Dict):
                if not all(k is not None and self.safe(k) for k in t.keys):
                    return False
                if values and not all(self.safe(v) for v in t.values):
                    return False
            elif isinstance(t, (ast.List, ast.Tuple, ast.Set)):
                if not all(self.safe(e) for e in t.elts):
                    return False
            else:
                return False
        return True

    def safe(self, node: ast.AST | None) -> bool:
        if node is None:
            return True
        if ("%s" % self.rel, ast.unparse(node)) in ALLOWED:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.safe(node.value)
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            return self.safe(node.elt)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in NUMERIC:
                return True
            if name in ("list", "tuple", "sorted") and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                return self._literal_table(node.args[0].id, values=False)  # the keys / items of a literal table
            if name == "join" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant):
                return all(self.safe(a) for a in node.args)
            return False
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):  # a lookup in a literal table
            return self._literal_table(node.value.id, values=True)
        if isinstance(node, ast.Lambda):
            return self.safe(node.body)
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS or node.id == "md_escape":  # md_escape itself, e.g. format_func=md_escape
                return True
            if node.id in self.functions and node.id not in self.values:  # a message-building function
                returns = [r.value for r in ast.walk(self.functions[node.id]) if isinstance(r, ast.Return)]
                return bool(returns) and all(self.safe(r) for r in returns)
            if node.id in self.other or node.id not in self.values or node.id in self._seen:
                return False
            self._seen.add(node.id)
            try:
                return all(self.safe(v) for v in self.values[node.id])
            finally:
                self._seen.discard(node.id)
        return False


def violations_in(rel: str, source: str) -> list[str]:
    """'file:line: call(arg)' for every Markdown-rendered argument of a Streamlit call that is not provably safe."""
    tree = ast.parse(source)
    checker = Checker(rel, tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
            if isinstance(func.value, ast.Name) and func.value.id in NOT_STREAMLIT:
                continue
        elif isinstance(func, ast.Name) and func.id in ("flash", "perform", "download"):
            name = func.id
        else:
            continue
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        checked: list[ast.AST] = []
        if name in ALL_ARGS:
            checked += node.args
        elif name in SINKS:
            positions, keywords = SINKS[name]
            checked += [node.args[i] for i in positions if i < len(node.args)]
            checked += [kwargs[k] for k in keywords if k in kwargs]
        else:
            continue
        if "help" in kwargs:
            checked.append(kwargs["help"])
        if name in OPTION_MARKDOWN:
            if "format_func" in kwargs:
                checked.append(kwargs["format_func"])
            else:
                checked += [node.args[1]] if len(node.args) > 1 else [kwargs["options"]] if "options" in kwargs else []
        for arg in checked:
            if not checker.safe(arg):
                found.append(f"{rel}:{arg.lineno}: {name}({ast.unparse(arg)[:90]})")
    return found


def test_user_text_never_reaches_markdown_unescaped_in_any_page():
    """Issue 11 §1 / X-W1: every Markdown-rendered argument in pages/*.py and app.py is a literal, a number, or
    md_escape(...) — the list below names each place that is not, with its file and line."""
    found = []
    for path in SOURCES:
        found += violations_in(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    assert not found, f"{len(found)} Markdown-rendered arguments not escaped with md_escape():\n" + "\n".join(found)


@pytest.mark.parametrize("snippet", [
    'st.info(f"使用事项：{req[\'matter\']}")',
    'st.caption("单位：" + expert["unit"])',
    'with st.expander(e["name"]):\n    pass',
    'st.tabs([name for name in names])',
    'c1.radio("专家", ids, format_func=lambda i: names[i])',
    'st.button("删除", help=row["notes"])',
    'label = e["name"]\nst.markdown(label)',
    'for e in rows:\n    label = "x"\n    st.markdown(label + e["name"])',
    'st.write(e["name"])',
    'perform(lambda: 1, f"已保存：{e[\'name\']}")',
])
def test_guard_catches_user_text_in_a_markdown_call(snippet):
    """The guard itself can fail: each of these unescaped uses is reported."""
    assert violations_in("pages/x.py", snippet), snippet


@pytest.mark.parametrize("snippet", [
    'st.info(f"使用事项：{md_escape(req[\'matter\'])}")',
    'st.caption(f"共 {len(rows)} 人")',
    'label = "固定"\nst.expander(label)',
    'st.radio("方式", ("抽取", "选派"))',
    'st.tabs(["甲", "乙"])',
    'st.markdown("、".join(md_escape(n) for n in names))',
    'st.text(e["name"])',
    'st.dataframe(rows)',
])
def test_guard_accepts_literals_numbers_and_escaped_text(snippet):
    assert not violations_in("pages/x.py", snippet), snippet


@pytest.mark.parametrize("text", [
    "![x](http://127.0.0.1:9/x.png)", "[点此](http://127.0.0.1:9/)", "**粗**", ":red[x]", "$x$", "<b>x</b>",
    ":tada: :material/home: :streamlit:", "www.example.com a@b.cn", "a -> b <- c", "# 标题\n- 列表\n1. x\n===",
    "&amp; \\* `code` | 表 |", "王五", "",
])
def test_md_escape_escapes_every_markdown_character_and_changes_nothing_visible(text):
    """X-W1: each ASCII punctuation mark is backslash-escaped (so Markdown sees none of them), and the only other
    change is the invisible word joiner — removing both gives back the text exactly."""
    import re

    from pages._ui import md_escape

    escaped = md_escape(text)
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace("\u2060", "")
    assert unescaped == text
    bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[!-/:-@\[-`{-~]", bare), bare  # no punctuation left unescaped
    assert "://" not in escaped.replace("\\", "") and ":tada:" not in escaped.replace("\\", "")
    assert md_escape(None) == ""
