"""The README documents every screen app.py registers, and every dependency in requirements.txt."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_registered_page_is_in_the_readme_screens_table():
    titles = re.findall(r'st\.Page\("pages/[a-z_]+\.py", title="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    assert titles, "no pages found in app.py"
    missing = [t for t in titles if f"| {t} |" not in README]
    assert not missing, f"README 的页面表缺少：{missing}"


def test_every_page_file_is_registered_in_app_py():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    pages = [p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")]
    assert all(f"pages/{name}" in app for name in pages)


def test_every_pinned_dependency_is_justified_in_the_readme():
    pins = [line.split("==")[0] for line in (ROOT / "requirements.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")]
    missing = [p for p in pins if f"| {p} " not in README]
    assert not missing, f"README 的依赖表缺少：{missing}"
