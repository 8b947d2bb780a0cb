"""Median time to load the 专家库 (registry) page in AppTest with 260 and 3,000 experts on disk.

Target (issue 2 §8): ≤ 0.5 s at 3,000 experts. Run: .venv/bin/python benchmarks/bench_registry_page.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core import vocab  # noqa: E402
from core.expert import validate_expert  # noqa: E402
from services import demo, users  # noqa: E402
from services.context import User, build_context  # noqa: E402

REPEATS = 7


def seed_pool(data_dir: Path, size: int) -> None:
    ctx = build_context(data_dir)
    users.create_first_admin(ctx, username="admin", display_name="管理员", password="abc12345", confirm="abc12345",
                             policy_id="yangquan-2024")
    policy = ctx.policies["yangquan-2024"]
    records = demo.generate_demo_pool(policy, seed=11, today=ctx.today(), size=size)
    docs = [dict(validate_expert(r, policy, ctx.today()), policy_id=policy.id, is_demo=True) for r in records]
    ctx.store.collection("experts").insert_many(docs, actor="bench", action="基准数据", unique=("id_number",))


def time_registry(data_dir: Path) -> list[float]:
    os.environ["EXPERT_DATA_DIR"] = str(data_dir)
    st.cache_resource.clear()
    times = []
    for i in range(REPEATS + 1):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["user"] = User("admin", "管理员", vocab.ROLE_ADMIN)
        at.run()
        at.switch_page("pages/registry.py")
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        assert not at.exception, at.exception
        if i:  # the first run warms caches (policies, imports)
            times.append(elapsed)
    return times


def main() -> None:
    print(f"registry page load (AppTest, median of {REPEATS}, after one warm-up run)")
    print(f"{'experts':>8} {'median s':>9} {'min s':>7} {'max s':>7}")
    for size in (260, 3000):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            seed_pool(data_dir, size)
            times = time_registry(data_dir)
            print(f"{size:>8} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}")


if __name__ == "__main__":
    main()
