"""core/ is the functional core: standard library + pydantic only, no clock, no global random (ARCHITECTURE)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN_MODULES = {"streamlit", "tinydb", "docxtpl", "pandas", "openpyxl", "faker", "docx"}
CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"),
               ("time", "time")}
# random.Random(seed) passed in is the rule; module-level random functions share hidden global state.
RANDOM_ALLOWED = {"Random"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def impurities(source: str, filename: str = "<core>") -> list[str]:
    """Every forbidden import, clock read or global-random call in one module, as readable lines."""
    problems: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        else:
            names = []
        for name in names:
            if name.split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"{filename}:{node.lineno} imports {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = _dotted(node.func.value).split(".")[-1]
            if (owner, node.func.attr) in CLOCK_CALLS:
                problems.append(f"{filename}:{node.lineno} reads the clock: {_dotted(node.func)}()")
            if owner == "random" and node.func.attr not in RANDOM_ALLOWED:
                problems.append(f"{filename}:{node.lineno} uses the global random: {_dotted(node.func)}()")
    return problems


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_core_has_modules_to_check():
    assert any(p.name == "idcard.py" for p in core_modules())


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_no_framework_and_reads_no_clock(path):
    assert impurities(path.read_text(encoding="utf-8"), str(path.relative_to(CORE.parent))) == []


@pytest.mark.parametrize("snippet", [
    "import streamlit as st", "from tinydb import TinyDB", "import pandas", "from docxtpl import DocxTemplate",
    "import openpyxl", "from faker import Faker", "import docx", "from docx.shared import Pt", "import tinydb.storages",
    "from datetime import date\nx = date.today()", "import datetime\nx = datetime.datetime.now()",
    "from datetime import datetime\nx = datetime.now()", "import datetime\nx = datetime.date.today()",
    "import random\nrandom.shuffle(items)", "import random\nx = random.choice([1, 2])",
])
def test_the_checker_catches_each_kind_of_impurity(snippet):
    assert impurities(snippet)


@pytest.mark.parametrize("snippet", [
    "from datetime import date, timedelta\nx = date(2026, 1, 1) + timedelta(days=1)",
    "import random\nrng = random.Random(7)", "def f(rng):\n    return rng.choice([1, 2])",
    "from pydantic import BaseModel", "from core.errors import DomainError", "import tomllib",
    "def f(today):\n    return today.today",
])
def test_the_checker_lets_pure_code_through(snippet):
    assert impurities(snippet) == []
