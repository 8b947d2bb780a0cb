"""End-to-end fixtures: a real Streamlit server on a free loopback port and Debian's Chromium via Playwright.

Without /usr/bin/chromium the tests skip on a developer machine, but fail in CI (E2E_REQUIRED=1).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The app as `make run` serves it: server.py (st.App around app.py, with the session-cookie routes and the
    security headers), so every end-to-end test runs under the Content-Security-Policy and real cookies."""
    port = _free_port()
    env = dict(os.environ, EXPERT_DATA_DIR=str(tmp_path / "data"))
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit did not start: " + (tmp_path / "streamlit.log").read_text())
    yield url, tmp_path / "data"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail("Chromium is not installed (apt-get install chromium), but E2E_REQUIRED is set")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-gpu",
            "--disable-component-update", "--no-first-run"])
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000},
                                      locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        yield pg
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / "e2e-last.png"), full_page=True)
        except Exception:
            pass
        browser.close()


def setup_admin(page, url: str, *, username: str = "admin", name: str = "管理员甲", password: str = "abc12345") -> None:
    """The first run as a new office does it: open the app, fill in 初始设置, create the admin (signed in after)."""
    page.goto(url)
    page.get_by_text("初始设置").first.wait_for()
    page.get_by_role("textbox", name="管理员用户名").fill(username)
    page.get_by_role("textbox", name="管理员姓名").fill(name)
    page.get_by_role("textbox", name="密码（至少8位，含字母和数字）").fill(password)
    page.get_by_role("textbox", name="再次输入密码").fill(password)
    page.get_by_role("button", name="创建管理员并进入系统").click()


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished the current script run (its 'Running…' status widget is gone)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)  # let a rerun triggered by the last action start
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)


def download(page, button_name: str, path, *, clicks: int = 1) -> bytes:
    """Build the file with its 生成… button, then click the download button `clicks` times; every click must
    deliver the file (no retry: a lost click is the defect issue 10 §6 describes). Returns the last file's bytes."""
    from pages._ui import prepare_label

    wait_idle(page)
    page.get_by_role("button", name=prepare_label(button_name), exact=True).click()
    wait_idle(page)
    data = b""
    for n in range(clicks):
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name=button_name, exact=True).click()
        info.value.save_as(path)
        data = path.read_bytes()
        assert data, f"download {n + 1} of {button_name!r} was empty"
    return data
