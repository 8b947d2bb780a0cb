"""浏览器实测基准 (issue 12 "Speed, measured in a real browser") — click → idle in Chromium, per page and per common
action; prints figures, asserts none (times depend on the machine: quote them with the machine facts printed).

The app runs as `make run` serves it (`python -m streamlit run server.py`, headless, a free loopback port,
EXPERT_DATA_DIR pointing at the data folder) and Debian's /usr/bin/chromium is driven with Playwright, with the same
launch flags as tests/e2e/conftest.py.

Data, two sizes:
- `--size demo` (default): a fresh temporary data folder; the first admin is created through the services
  (services.users.create_first_admin, admin / abc12345) and the demo pool and its year of history are loaded through
  the services (services.experts.load_demo) for `--profile` (jincheng-2026 by default, or yangquan-2024).
- `--folder PATH`: an existing data folder, e.g. one made by `benchmarks/bench_history.py --folder PATH` (3,000
  experts and thousands of tasks under 阳泉, admin "admin" / "abc12345"). The folder is COPIED to a temporary
  directory first and the app runs on the copy (it runs migrations at start and the actions below write).
  `--user` / `--password` give the admin's login (default admin / abc12345).

What is measured (each `--repeat` times, default 5; the table shows the median, the fastest, the slowest and the
first time, i.e. the first view in the session):
- every page in the admin's sidebar, clicked from the page before it (`--pages` limits the list, comma-separated
  titles, e.g. `--pages 首页,系统设置`);
- 抽取委派 → choosing another request in "使用申请";
- 抽取委派 → recording one answer (接受, the form's default) on an open invitation, when one is open (each
  measurement uses up one invitation, so there may be fewer than `--repeat`);
- 服务评价 → choosing another task in "评价的任务" (or 表格下载's "任务" when that list is empty);
- 专家库 → selecting one expert's row, which opens the expert's detail;
- with `--office`: the same pages for a 专家管理办公室 user (created in the data folder through the services).

The idle signal. Streamlit marks its root element `[data-testid="stApp"]` with `data-test-script-state`
(`running`, `rerunRequested`, `notRunning`, …: the attribute Streamlit's own end-to-end tests wait on). A script
injected before the app loads records, in the page's own clock (performance.now()):
- every click/pointerdown (capture phase) → the click time t0 is the first one after the action starts;
- every change of `data-test-script-state` (MutationObserver);
- the arrival of every message on the app's WebSocket (a run so short that React never draws the `running` state
  still shows as messages; the last message of a run is its "script finished");
- the last DOM mutation anywhere in the app.
A measurement ends when, after the click, the app has run (state or messages) and is `notRunning` again, the
"Running…" status widget (`[data-testid="stStatusWidget"]`) is gone, nothing has changed state or arrived for 400 ms
(so a follow-up `st.rerun()` counts in the same action) and the DOM has not changed for 200 ms. A click that starts
no run within 1.5 s is not a measurement (a page click is tried again, up to three times). Figures:
- idle: t0 → the last change to `notRunning` or the last message, whichever is later (Streamlit has finished
  running; what the issue calls click → idle);
- settled: t0 → the last DOM mutation before the quiet period (charts and grids drawn);
- run: the time the state was `running` after t0 (≈ the server's script time as the browser sees it: from the
  message that the run started to the message that it finished).
The fixed quiet periods are waited but not counted. An action whose page shows a Python exception
(`stException`) is reported.

Run: `.venv/bin/python benchmarks/bench_browser.py` (晋城 demo), `--profile yangquan-2024`, or
`--folder /tmp/bf3 --repeat 3`.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-gpu",
               "--disable-component-update", "--no-first-run"]  # as tests/e2e/conftest.py
QUIET_STATE_MS = 400
QUIET_DOM_MS = 200

RECORDER = """
(() => {
  const rec = window.__bench = {clicks: [], states: [], frames: [], lastMutation: 0, mark: 0};
  const now = () => performance.now();
  // the arrival of every message from the server (a run too short for the state attribute to change is seen here)
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) { super(...args); this.addEventListener('message', () => rec.frames.push(now())); }
  };
  for (const type of ['pointerdown', 'click']) {
    window.addEventListener(type, () => rec.clicks.push(now()), true);
  }
  let watched = null;
  const observeApp = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app === watched) return;
    watched = app;
    rec.states.push([now(), app.getAttribute('data-test-script-state')]);
    new MutationObserver(() => {
      const s = app.getAttribute('data-test-script-state');
      const last = rec.states[rec.states.length - 1];
      if (!last || last[1] !== s) rec.states.push([now(), s]);
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  const start = () => {
    new MutationObserver(() => { rec.lastMutation = now(); observeApp(); })
      .observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
    observeApp();
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

# true once the run the click caused is over and things are quiet; sets window.__bench.result
DONE = """
([quietState, quietDom, noRunAfter]) => {
  const rec = window.__bench;
  const t0 = rec.clicks.find(t => t >= rec.mark);
  if (t0 === undefined) return false;
  const now = performance.now();
  const after = rec.states.filter(([t]) => t >= t0);
  const last = rec.states[rec.states.length - 1];
  const frames = rec.frames.filter(t => t >= t0);
  const ran = after.some(([, s]) => s !== 'notRunning') || frames.length > 0;
  if (!ran && now - t0 < noRunAfter) return false;          // the run has not started yet
  if (!last || last[1] !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const end = Math.max(last[0], t0, frames.length ? frames[frames.length - 1] : t0);
  if (now - end < quietState || now - rec.lastMutation < quietDom) return false;
  let run = 0, since = null;
  for (const [t, s] of rec.states) {
    if (s === 'running' && since === null) since = Math.max(t, t0);
    else if (s !== 'running' && since !== null) { if (t >= t0) run += t - since; since = null; }
  }
  rec.result = {idle: ran ? end - t0 : 0, settled: Math.max(rec.lastMutation, end) - t0, run, ran,
                error: document.querySelectorAll('[data-testid="stException"]').length};
  return true;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    try:
        version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        version = "chromium ?"
    import streamlit

    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs {cpu}; python {platform.python_version()}; streamlit {streamlit.__version__}; "
            f"{version}; load average {load}")


# --- data -----------------------------------------------------------------------------------------------------------

def demo_folder(base: Path, profile: str) -> Path:
    from services import experts, users
    from services.context import build_context

    folder = base / "data"
    ctx = build_context(folder)
    admin = users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                                     confirm="abc12345", policy_id=profile)
    t = time.perf_counter()
    n = experts.load_demo(ctx, admin)
    print(f"demo data ({profile}): {n} experts with a year of history loaded in {time.perf_counter() - t:.1f} s")
    return folder


def copy_folder(source: Path, base: Path) -> Path:
    folder = base / "data"
    t = time.perf_counter()
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.lock"))
    # the audit key lives beside the folder (store.audit: EXPERT_AUDIT_KEY_FILE, else <folder>.audit.key); without
    # it the app refuses every write
    key = Path(os.environ.get("EXPERT_AUDIT_KEY_FILE") or f"{source.resolve()}.audit.key")
    os.environ.pop("EXPERT_AUDIT_KEY_FILE", None)  # the copy's key, beside the copy, for this process and the app
    if key.exists():
        shutil.copy2(key, f"{folder}.audit.key")
    else:
        print(f"no audit key found at {key}: the app may refuse writes (记录答复)")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    print(f"copied {source} ({size:.1f} MB) to {folder} in {time.perf_counter() - t:.1f} s")
    return folder


def add_office_user(folder: Path, username: str, password: str) -> None:
    from core import vocab
    from services import users
    from services.context import build_context

    ctx = build_context(folder)
    admin = users.login(ctx, username, password)
    users.create_user(ctx, admin, username="office", display_name="办公室乙", role=vocab.ROLE_OFFICE,
                      password="abc12345", confirm="abc12345")


def open_invitations(folder: Path, username: str, password: str, wanted: int) -> int:
    """One new request, filed, approved and drawn through the services (as services.demo_history does), so that
    抽取委派 has open invitations (邀请中) to answer: up to `wanted` specialties, one expert each. Returns how many
    invitations are open."""
    from datetime import timedelta

    from core import vocab
    from core.errors import DomainError
    from services import dispatch, users
    from services.context import User, build_context
    from services.demo_history import DEPARTMENTS, _by_specialty
    from services.settings import active_policy

    ctx = build_context(folder)
    admin = users.login(ctx, username, password)
    office = User(admin.username, admin.display_name, vocab.ROLE_OFFICE)
    leader = User(admin.username, admin.display_name, vocab.ROLE_LEADER)
    policy = active_policy(ctx)
    today = ctx.today()
    pool = [e for e in ctx.store.collection("experts").all() if e.get("policy_id") == policy.id]
    groups = _by_specialty(pool, today)
    codes = sorted((c for c, people in groups.items() if len(people) >= 4), key=lambda c: -len(groups[c]))
    start = today + timedelta(days=10)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    task_types = policy.drawing.usage_categories or policy.drawing.task_types
    for n in range(min(wanted, len(codes)), 0, -1):
        data = {"department": DEPARTMENTS.get(policy.city, DEPARTMENTS["晋城市"])[0], "contact": "基准测试", "contact_phone": "13900000000",
                "matter": "浏览器基准：安全生产专项检查", "task_type": task_types[0],
                "target_enterprises": [f"{policy.city}基准测试企业"], "place": policy.city, "outside_city": False,
                "start": start.isoformat(), "end": start.isoformat(),
                "needs": [{"specialty": c, "count": 1} for c in codes[:n]], "min_title_level": None,
                "mode": "抽取", "direct_reason": None, "emergency": False}
        try:
            request_id, _ = dispatch.file_request(ctx, office, data)
            approver = leader if dispatch.request(ctx, request_id)["required_level"] != "专家管理办公室" else office
            dispatch.approve(ctx, approver, request_id, "同意。")
            dispatch.draw(ctx, office, request_id)
        except DomainError as error:
            print(f"could not open invitations with {n} specialties: {error}")
            continue
        return sum(a["status"] == "邀请中" for a in dispatch.assignments_of(ctx, request_id))
    return 0


# --- server ---------------------------------------------------------------------------------------------------------

class Server:
    def __init__(self, folder: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, EXPERT_DATA_DIR=str(folder))
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable,
             "-m", "streamlit", "run", "server.py", "--server.headless=true", f"--server.port={self.port}",
             "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=2).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("Streamlit did not start: " + log.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# --- browser --------------------------------------------------------------------------------------------------------

def wait_quiet(page, timeout_ms: int = 120_000) -> None:
    """Idle as above, without a click (after a login or a page load)."""
    page.evaluate("() => { window.__bench.mark = performance.now(); window.__bench.clicks.push(performance.now()); }")
    measure_done(page, timeout_ms)


def measure_done(page, timeout_ms: int = 120_000) -> dict:
    page.wait_for_function(DONE, arg=[QUIET_STATE_MS, QUIET_DOM_MS, 1500], timeout=timeout_ms, polling=20)
    return page.evaluate("() => window.__bench.result")


def mark(page) -> None:
    page.evaluate("() => { window.__bench.mark = performance.now(); }")


def timed(page, action) -> dict:
    """Mark, do `action` (whose last step is the click), wait for idle; returns the figures (ms)."""
    mark(page)
    action()
    return measure_done(page)


def login(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="用户名", exact=True).wait_for(timeout=600_000)
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=120_000)
    wait_quiet(page)


def sidebar_pages(page) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    names = []
    for i in range(links.count()):
        text = links.nth(i).inner_text().strip().splitlines()
        names.append(text[-1].strip() if text else "")
    return [n for n in names if n]


def nav_link(page, name: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def go(page, name: str) -> None:
    mark(page)
    nav_link(page, name).click()
    measure_done(page)


def open_options(page, box) -> int:
    """Open the selectbox `box` (a locator around it); returns how many options it lists (left open)."""
    for _ in range(4):
        box.get_by_role("combobox").click()
        options = page.get_by_role("option")
        try:
            options.first.wait_for(timeout=5_000)
            return options.count()
        except Exception:
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
    return 0


def pick_other(page, box, n: int) -> dict | None:
    """Choose option `n` (mod the list, never the current one) in the selectbox `box`; the figures of that click."""
    for attempt in range(3):
        count = open_options(page, box)
        if count < 2:
            page.keyboard.press("Escape")
            return None
        options = page.get_by_role("option")
        current = box.get_by_role("combobox").input_value()
        index = (n + attempt) % count
        if options.nth(index).inner_text().strip() == current:
            index = (index + 1) % count
        figures = timed(page, lambda: options.nth(index).click())
        if figures["ran"]:
            return figures
    return figures  # no run after three choices: Results.add notes it


def widen_scope(page, scope, box, need: int = 3) -> None:
    """When the list `box` offers fewer than `need` choices under the page's default scope (what is open or
    recent), pick in the selectbox `scope` the year whose list is longest (a whole year's requests or tasks)."""
    def choices() -> int:
        if not box.count():
            return 0
        n = open_options(page, box)
        page.keyboard.press("Escape")
        return n

    if not scope.count() or choices() >= need:
        return
    years = open_options(page, scope)
    page.keyboard.press("Escape")
    best, best_n = None, choices()
    for index in range(1, years):
        open_options(page, scope)
        page.get_by_role("option").nth(index).click()
        wait_quiet(page)
        n = choices()
        if n > best_n:
            best, best_n = index, n
        if n >= need:
            return
    if best is not None:
        open_options(page, scope)
        page.get_by_role("option").nth(best).click()
        wait_quiet(page)


class Results:
    def __init__(self):
        self.rows: dict[str, list[dict]] = {}
        self.notes: list[str] = []

    def add(self, name: str, figures: dict | None) -> None:
        if figures is None:
            return
        if not figures["ran"]:  # the click started no run (a choice that changed nothing): not a measurement
            self.notes.append(f"{name}: a click started no script run; left out")
            return
        self.rows.setdefault(name, []).append(figures)
        if figures.get("error"):
            self.notes.append(f"{name}: the page showed a Python exception (stException)")

    def table(self) -> str:
        head = f"{'page / action':<34}{'n':>3}{'idle med':>10}{'min':>7}{'max':>7}{'first':>7}" \
               f"{'settled':>9}{'run':>7}"
        lines = [head, "-" * len(head)]
        for name, rows in self.rows.items():
            idle = [r["idle"] for r in rows]
            lines.append(f"{pad(name, 34)}{len(rows):>3}{statistics.median(idle):>10.0f}{min(idle):>7.0f}"
                         f"{max(idle):>7.0f}{idle[0]:>7.0f}{statistics.median(r['settled'] for r in rows):>9.0f}"
                         f"{statistics.median(r['run'] for r in rows):>7.0f}")
        return "\n".join(lines)


def pad(name: str, width: int) -> str:  # CJK characters take two columns in a terminal
    return name + " " * max(0, width - sum(2 if ord(c) > 0x2E80 else 1 for c in name))


def bench_role(page, url: str, role: str, username: str, password: str, repeat: int, only: list[str] | None,
               results: Results, actions: bool) -> None:
    login(page, url, username, password)
    pages = sidebar_pages(page)
    wanted = [p for p in pages if only is None or p in only]
    print(f"{role}: {len(pages)} pages in the sidebar: {'、'.join(pages)}", flush=True)
    current = pages[0] if pages else ""  # the default page after the login (首页)
    for rep in range(repeat):
        for name in wanted:
            if name == current:  # come from another page
                go(page, next(p for p in pages if p != name))
            current = name
            for _attempt in range(3):  # a click that started no run (it missed the link) is tried again
                figures = timed(page, lambda: nav_link(page, name).click())
                if figures["ran"]:
                    break
            results.add(f"{role} · {name}", figures)
        print(f"  round {rep + 1}/{repeat} of the pages done", flush=True)
    if not actions:
        return

    if "抽取委派" in pages and (only is None or "抽取委派" in only):
        go(page, "抽取委派")
        box = page.locator(".st-key-drawing_request")
        recorded = 0
        if box.count():
            count = open_options(page, box)
            page.keyboard.press("Escape")
            for index in range(count):
                if recorded >= repeat:
                    break
                answer = page.get_by_role("button", name="记录答复")
                while answer.count() and recorded < repeat:
                    results.add(f"{role} · 抽取委派 记录答复(接受)", timed(page, lambda: answer.first.click()))
                    recorded += 1
                    if not page.get_by_text("已记录答复").count():
                        results.notes.append(f"{role}: 记录答复 showed no “已记录答复” (answer {recorded})")
                if recorded >= repeat or index + 1 >= count:
                    break
                open_options(page, box)
                page.get_by_role("option").nth(index + 1).click()
                wait_quiet(page)
        if not recorded:
            results.notes.append(f"{role}: no open invitation found in 抽取委派: 记录答复 not measured")
        widen_scope(page, page.locator(".st-key-drawing_scope"), box)  # few ongoing: a whole year's list
        for rep in range(repeat):
            if box.count():
                results.add(f"{role} · 抽取委派 选申请", pick_other(page, box, rep + 1))
        if "抽取委派 选申请" not in " ".join(results.rows):
            results.notes.append(f"{role}: 抽取委派 lists fewer than two requests: 选申请 not measured")

    if "服务评价" in pages and (only is None or "服务评价" in only):
        go(page, "服务评价")
        box = page.locator(".st-key-service_eval_task")
        label = "服务评价 选任务(评价)"
        widen_scope(page, page.locator(".st-key-service_scope"), box)  # nothing recent: a whole year's tasks
        if not box.count():
            page.get_by_role("tab", name="表格下载").click()
            wait_quiet(page)
            box, label = page.locator(".st-key-service_forms_task"), "服务评价 选任务(表格下载)"
        for rep in range(repeat):
            if box.count():
                results.add(f"{role} · {label}", pick_other(page, box, rep + 1))
        if label not in " ".join(results.rows) and box.count():
            results.notes.append(f"{role}: 服务评价 lists fewer than two tasks: {label} not measured")
        if not box.count():
            results.notes.append(f"{role}: 服务评价 lists no task to choose")

    if "专家库" in pages and (only is None or "专家库" in only):
        for rep in range(repeat):
            go(page, "专家库")
            grid = page.locator(".st-key-registry_table [data-testid='stDataFrame']")
            if not grid.count():
                grid = page.get_by_test_id("stDataFrame").first
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            row_y = box["y"] + 35 + 35 * (rep + 1) + 17  # header 35 px, rows 35 px: rows 2, 3, …
            results.add(f"{role} · 专家库 打开专家详情", timed(page, lambda: page.mouse.click(box["x"] + 15, row_y)))
            if not page.get_by_role("heading", name="专家详情").count():
                results.notes.append(f"{role}: 专家库 row click did not open 专家详情 (round {rep + 1})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("demo",), default="demo")
    parser.add_argument("--profile", default="jincheng-2026", choices=("jincheng-2026", "yangquan-2024"))
    parser.add_argument("--folder", type=Path, help="an existing data folder (copied first; the copy is used)")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="abc12345")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", help="comma-separated page titles to measure (default: every sidebar page)")
    parser.add_argument("--office", action="store_true", help="also measure the pages of a 专家管理办公室 user")
    parser.add_argument("--no-actions", action="store_true", help="pages only, no common actions")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    only = [p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else None

    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp:
        base = Path(tmp)
        if args.folder:
            folder = copy_folder(args.folder, base)
            what = f"folder {args.folder} (copy)"
        else:
            folder = demo_folder(base, args.profile)
            what = f"demo size, {args.profile}"
        # the app's first run does the day's housekeeping (daily snapshot, term expiry): done here first and timed,
        # so the first measured click does not carry it
        from services.admin import housekeeping
        from services.context import build_context

        t = time.perf_counter()
        housekeeping(build_context(folder))
        print(f"start-up housekeeping (daily snapshot, term expiry) on this data: {time.perf_counter() - t:.1f} s",
              flush=True)
        if args.office:
            add_office_user(folder, args.user, args.password)
        if not args.no_actions:
            print(f"open invitations for 记录答复: {open_invitations(folder, args.user, args.password, args.repeat)}")
        from playwright.sync_api import sync_playwright

        t = time.perf_counter()
        server = Server(folder, base / "streamlit.log")
        print(f"server up in {time.perf_counter() - t:.1f} s at {server.url}", flush=True)
        results = Results()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                roles = [("管理员", args.user, args.password)] + ([("办公室", "office", "abc12345")] if args.office else [])
                for role, username, password in roles:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
                    context.add_init_script(RECORDER)
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    bench_role(page, server.url, role, username, password, args.repeat, only, results,
                               actions=not args.no_actions and role == "管理员")
                    context.close()
                browser.close()
        finally:
            server.stop()
        print()
        print(f"click → idle in Chromium, ms ({what}; repeat {args.repeat})")
        print(f"machine: {machine()}")
        print("idle = click → Streamlit no longer running; settled = click → DOM quiet; run = time the app was "
              "'running' (≈ server script time)")
        print(results.table())
        for note in results.notes:
            print("note:", note)


if __name__ == "__main__":
    main()
