"""migrate_draws (issue 17) on a copy of a data folder made by the code before compact draw records
(tests/fixtures/draws_full_format, see make_folder.py there): every full-format draw becomes compact with its pool
snapshot, replays as before (X-D2), keeps its complete orders and full exclusion list (X-D1); a second run changes
nothing; a run interrupted after the snapshot is written carries on; a record that does not replay is left alone;
the audit log still verifies."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.drawing import RECORD_FORMAT, DrawResult
from services import dispatch, migrations
from services.context import build_context
from tests.conftest import FIXED_NOW

OLD_FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "draws_full_format"


@pytest.fixture
def old_ctx(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in OLD_FOLDER.iterdir():
        if path.suffix in (".json", ".jsonl"):
            shutil.copy(path, data / path.name)
    return build_context(data, clock=lambda: FIXED_NOW)


def _draws(ctx) -> dict[int, dict]:
    return {d["id"]: d for d in ctx.store.collection("draws").all()}


def test_x_d2_the_old_folder_holds_full_format_draws_that_replay(old_ctx):
    draws = _draws(old_ctx)
    assert len(draws) == 3 and all("pool" in d["result"]["inputs"] for d in draws.values())
    assert all(dispatch.verify(old_ctx, i)[0] for i in draws)
    # and they display: the summary and the names a person must see, from the full list
    rows = dispatch.exclusion_summary(draws[1]["result"])
    assert rows[-1]["rule"] == "wrong_specialty" and not rows[-1]["listed"]
    assert {x["rule"] for x in dispatch.listed_exclusions(draws[1]["result"])} >= {"same_employer", "unavailable"}


def test_x_d2_migrate_draws_converts_each_old_draw_and_it_replays_identically(old_ctx):
    before = _draws(old_ctx)
    report = migrations.migrate_draws(old_ctx)
    assert report["converted"] == 3 and report["skipped"] == [] and report["bytes_after"] < report["bytes_before"]
    after = _draws(old_ctx)
    for draw_id, old in before.items():
        new = after[draw_id]
        assert new["result"]["format"] == RECORD_FORMAT and "pool" not in new["result"]["inputs"]
        assert {k: v for k, v in new.items() if k not in ("result", "migrated")} == \
            {k: v for k, v in old.items() if k != "result"}
        ok, message = dispatch.verify(old_ctx, draw_id)
        assert ok and "抽取快照" in message, message
        was, now = DrawResult.from_dict(old["result"]), DrawResult.from_dict(new["result"])
        assert (now.orders, now.use_counts, now.eligible_hash, now.seed) == \
            (was.orders, was.use_counts, was.eligible_hash, was.seed)
        everyone = dispatch.all_exclusions(old_ctx, draw_id)
        assert [(x["expert_id"], x["rule"]) for x in everyone] == \
            [(x["expert_id"], x["rule"]) for x in old["result"]["exclusions"]]
        assert new["migrated"]["from_format"] == "full"
    assert old_ctx.store.audit.verify().ok


def test_x_d2_migrate_draws_is_idempotent(old_ctx):
    migrations.migrate_draws(old_ctx)
    data = old_ctx.store.data_dir
    files = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix in (".json", ".jsonl")}
    again = migrations.migrate_draws(old_ctx)
    assert again == {"converted": 0, "already_compact": 3, "skipped": [], "bytes_before": 0, "bytes_after": 0}
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.suffix in (".json", ".jsonl")} == files


def test_x_d2_migrate_draws_resumes_after_a_kill_between_the_snapshot_and_the_record(old_ctx, monkeypatch):
    real_update = type(old_ctx.store.collection("draws")).update
    calls = []

    def killed_on_the_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies after the second snapshot was written
        return real_update(self, *args, **kwargs)

    monkeypatch.setattr(type(old_ctx.store.collection("draws")), "update", killed_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        migrations.migrate_draws(old_ctx)
    monkeypatch.undo()
    formats = [d["result"].get("format") for d in _draws(old_ctx).values()]
    assert formats == [RECORD_FORMAT, None, None]
    assert all(dispatch.verify(old_ctx, i)[0] for i in _draws(old_ctx))  # half-way, every record still replays
    report = migrations.migrate_draws(old_ctx)
    assert (report["converted"], report["already_compact"]) == (2, 1)
    assert all(dispatch.verify(old_ctx, i)[0] for i in _draws(old_ctx))
    hashes = [s["hash"] for s in old_ctx.store.collection(dispatch.POOL_SNAPSHOTS).all()]
    assert len(hashes) == len(set(hashes))  # the snapshot written before the kill was reused, not duplicated


def test_x_d2_migrate_draws_leaves_a_record_that_does_not_replay_as_it_is(old_ctx):
    repo = old_ctx.store.collection("draws")
    tampered = repo.get(2)
    result = json.loads(json.dumps(tampered["result"]))
    first_spec = next(iter(result["orders"]))
    result["orders"][first_spec] = list(reversed(result["orders"][first_spec]))
    repo.update(2, {"result": result}, actor="t", action="t")
    report = migrations.migrate_draws(old_ctx)
    assert report["converted"] == 2 and [s["draw_id"] for s in report["skipped"]] == [2]
    assert "原记录复核不一致" in report["skipped"][0]["reason"]
    assert repo.get(2)["result"] == result
