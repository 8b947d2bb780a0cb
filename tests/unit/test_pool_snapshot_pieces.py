"""Pool snapshots in pieces (issue 17, X-D2: every draw replays exactly) — the pool a draw read is kept in proportion
to what changed: one piece per distinct expert entry, chunks of references, one manifest per distinct snapshot under
the same SHA-256 as before. A one-expert change adds ≤ 2 KB at 3,000 experts (a whole snapshot was ~0.9 MB); draws
before and after a change, whole snapshots kept by the first compact records and full-format records all replay; an
altered piece, chunk or manifest is detected and named."""
from __future__ import annotations

import json
import random

import pytest

from core.drawing import draw, pool_snapshot_hash
from core.errors import DomainError
from core.pool_pieces import (CHUNK_SPAN, assemble, chunk_groups, is_manifest, is_whole_snapshot, snapshot_digest,
                              split_snapshot)
from services import dispatch, fees, pool_snapshots
from tests.conftest import DEPARTMENT, OFFICE
from tests.factories import real_policies
from tests.unit.test_draw_record_compact import _ask, _pool

POLICIES = real_policies()
YQ = POLICIES["yangquan-2024"]
ONE_CHANGE_LIMIT = 2 * 1024
UNITS = ("阳泉煤业（集团）有限责任公司", "阳泉市应急管理局", "太原理工大学安全与应急管理工程学院", "山西省化工研究所",
         "华阳新材料科技集团有限公司", "阳泉某煤业有限公司")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def big_pool(n: int = 3000, seed: int = 17) -> list[dict]:
    """n experts like the 阳泉 demo pool: the fields a draw reads, of realistic length."""
    rng = random.Random(seed)
    codes = YQ.taxonomy.all_specialty_codes()
    pool = []
    for eid in range(1, n + 1):
        x = {"id": eid, "name": rng.choice(SURNAMES) + "".join(rng.choice("明华建国志强伟芳秀英") for _ in range(2)),
             "state": rng.choice(("在库",) * 18 + ("暂停", "期满退出")), "term_start": "2024-03-01",
             "term_end": rng.choice(("2027-02-28", "2026-12-31")), "specialties": rng.sample(codes, rng.randint(1, 3)),
             "title_level": rng.choice(("中级", "副高级", "正高级")), "unit": rng.choice(UNITS),
             "related_enterprises": rng.sample(UNITS, rng.randint(0, 1)), "unavailable": [],
             "birth_date": f"19{rng.randint(60, 90)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
             "gender": rng.choice("男女"), "id_number": f"1403021980{eid:08d}", "mobile": f"139{eid:08d}"}
        if rng.random() < 0.1:
            x["unavailable"] = [{"start": "2026-08-01", "end": "2026-08-05", "reason": "外出培训"}]
        pool.append(x)
    return pool


def snapshot_of(pool: list[dict]) -> dict:
    code = YQ.taxonomy.all_specialty_codes()[0]
    req = {"id": 1, "policy_id": YQ.id, "start": "2026-12-07", "end": "2026-12-08",
           "needs": [{"specialty": code, "count": 2}], "min_title_level": None, "target_enterprises": []}
    record, snapshot = draw(req, pool, [], YQ, seed="s", drawn_at="2026-12-06T09:00:00").to_record()
    return json.loads(json.dumps(snapshot, ensure_ascii=False))


def stored_bytes(ctx) -> int:
    return sum((ctx.store.data_dir / f"{name}.json").stat().st_size
               for name in (pool_snapshots.SNAPSHOTS, pool_snapshots.PIECES)
               if (ctx.store.data_dir / f"{name}.json").exists())


# --- pure ----------------------------------------------------------------------------------------------------------
def test_x_d2_the_hash_of_a_snapshot_from_its_pieces_is_the_pool_snapshot_hash():
    for pool in ([], big_pool(5), big_pool(200) + [{"id": "外聘1", "name": "外聘", "state": "在库"}]):
        snapshot = {"experts": pool}
        digest, parts = split_snapshot(snapshot)
        assert digest == pool_snapshot_hash(snapshot) == snapshot_digest(p.data for p in parts)
        groups = chunk_groups(parts)
        assert [i for g in groups for i in g] == list(range(len(parts)))  # every piece once, in order
        assert all(len(g) <= CHUNK_SPAN for g in groups)


# --- sizes (X-D2 in proportion to what changed) ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def kept_3000(tmp_path_factory):
    """3,000 experts: the first snapshot kept on disk, then one expert's change, a state change, a new expert."""
    from services.context import build_context
    from tests.conftest import FIXED_NOW

    ctx = build_context(tmp_path_factory.mktemp("pieces") / "data", clock=lambda: FIXED_NOW)
    pool = big_pool()
    first = snapshot_of(pool)
    pool_snapshots.keep(ctx, OFFICE, first)
    sizes = {"first": stored_bytes(ctx), "whole": len(json.dumps(first, ensure_ascii=False).encode("utf-8"))}
    changes = {
        "title": lambda p: p[1499].update(title_level="正高级" if p[1499]["title_level"] != "正高级" else "中级"),
        "state": lambda p: p[17].update(state="暂停" if p[17]["state"] == "在库" else "在库"),
        "unavailable": lambda p: p[2222].update(unavailable=[{"start": "2026-12-01", "end": "2026-12-09",
                                                              "reason": "住院治疗"}]),
        "new expert": lambda p: p.append(dict(p[-1], id=3001, name="新专家")),
    }
    digests = [pool_snapshot_hash(first)]
    for name, change in changes.items():
        change(pool)
        before = stored_bytes(ctx)
        snapshot = snapshot_of(pool)
        digests.append(pool_snapshots.keep(ctx, OFFICE, snapshot))
        sizes[name] = stored_bytes(ctx) - before
    return ctx, sizes, digests, snapshot_of(pool)


def test_x_d2_a_one_expert_pool_change_adds_at_most_2_kb_of_snapshot_data_at_3000_experts(kept_3000):
    _, sizes, digests, _ = kept_3000
    assert sizes["whole"] > 500 * 1024  # what each change cost before: a whole new snapshot
    for change in ("title", "state", "unavailable", "new expert"):
        assert 0 < sizes[change] <= ONE_CHANGE_LIMIT, (change, sizes)
    assert len(set(digests)) == len(digests)  # each change is a snapshot of its own


def test_x_d2_an_unchanged_pool_adds_nothing(kept_3000):
    ctx, _, digests, latest = kept_3000
    before = stored_bytes(ctx)
    assert pool_snapshots.keep(ctx, OFFICE, latest) == digests[-1]
    assert stored_bytes(ctx) == before


def test_x_d2_every_snapshot_of_the_changes_is_rebuilt_exactly_from_its_pieces(kept_3000):
    ctx, _, digests, latest = kept_3000
    for digest in digests:
        rebuilt = pool_snapshots.load(ctx, digest)
        assert pool_snapshot_hash(rebuilt) == digest and rebuilt["count"] == len(rebuilt["experts"])
    assert pool_snapshots.load(ctx, digests[-1])["experts"] == latest["experts"]
    manifests = ctx.store.collection(pool_snapshots.SNAPSHOTS).all()
    assert len(manifests) == len(digests) and all(is_manifest(m) for m in manifests)
    assert not any("id_number" in x or "mobile" in x for x in latest["experts"])


def test_x_d2_the_audit_lines_of_snapshot_pieces_show_no_entry_and_stay_small(kept_3000):
    ctx, _, _, _ = kept_3000
    lines = (ctx.store.data_dir / "audit.jsonl").read_bytes().splitlines()
    assert max(len(line) for line in lines) <= 64 * 1024
    packs = [json.loads(line) for line in lines if b'"pool_pieces"' in line and b'"kind": "pieces"' in line]
    assert packs and all(isinstance(e["after"]["experts"], str) and isinstance(e["after"]["hashes"], str)
                         and len(e["after"]["digest"]) == 64 for e in packs)
    assert packs[0]["after"]["count"] == 3000 and [e["after"]["count"] for e in packs[1:]] == [1, 1, 1, 1]


# --- through the services: replay across formats, tampering ---------------------------------------------------------
@pytest.fixture
def drawn(ctx):
    """Two draws of the same specialty: before and after one expert's title changed (two snapshots, shared pieces)."""
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    code, ids = _pool(ctx, 6)
    first = dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    ctx.store.collection("experts").update(ids[2], {"title_level": "正高级"}, actor="office", action="修改专家信息")
    second = dispatch.draw(ctx, OFFICE, _ask(ctx, code, start="2026-12-10", end="2026-12-11"))
    return ctx, first, second, ids


def _result(ctx, draw_id):
    return ctx.store.collection("draws").get(draw_id)["result"]


def test_x_d2_draws_before_and_after_a_pool_change_replay_from_shared_pieces(drawn):
    ctx, first, second, _ = drawn
    a, b = (_result(ctx, i)["inputs"]["pool_snapshot"] for i in (first, second))
    assert a != b
    manifests = ctx.store.collection(pool_snapshots.SNAPSHOTS).all()
    assert [m["hash"] for m in manifests] == [a, b] and all(is_manifest(m) for m in manifests)
    packs = [d for d in ctx.store.collection(pool_snapshots.PIECES).all() if d["kind"] == "pieces"]
    assert [p["count"] for p in packs] == [6, 1]  # the second snapshot added only the changed expert
    for draw_id in (first, second):
        ok, message = dispatch.verify(ctx, draw_id)
        assert ok and "抽取快照" in message, message
        everyone = dispatch.all_exclusions(ctx, draw_id)
        assert len(everyone) == _result(ctx, draw_id)["exclusion_total"] and everyone[0]["rule"] == "same_employer"


def test_x_d2_a_tampered_piece_is_detected_and_the_expert_named(drawn):
    ctx, first, second, ids = drawn
    repo = ctx.store.collection(pool_snapshots.PIECES)
    pack = next(d for d in repo.all() if d["kind"] == "pieces")
    experts = json.loads(json.dumps(pack["experts"]))
    experts[0]["title_level"] = "初级"
    repo.update(pack["id"], {"experts": experts}, actor="t", action="t")
    ok, message = dispatch.verify(ctx, first)
    assert not ok and f"专家 {ids[0]}号" in message and "片段与其校验值不符" in message, message
    with pytest.raises(DomainError, match="片段与其校验值不符"):
        dispatch.all_exclusions(ctx, first)


def test_x_d2_a_piece_altered_with_its_hash_is_detected_by_the_whole(drawn):
    ctx, first, _, _ = drawn
    from core.pool_pieces import canonical_piece, piece_hash

    repo = ctx.store.collection(pool_snapshots.PIECES)
    pack = next(d for d in repo.all() if d["kind"] == "pieces")
    experts, hashes = json.loads(json.dumps(pack["experts"])), list(pack["hashes"])
    experts[1]["unit"] = "另一家单位"
    hashes[1] = piece_hash(canonical_piece(experts[1]))
    repo.update(pack["id"], {"experts": experts, "hashes": hashes}, actor="t", action="t")
    ok, message = dispatch.verify(ctx, first)
    assert not ok and "快照目录可能被改动" in message, message


def test_x_d2_a_chunk_pointing_elsewhere_or_missing_is_detected(drawn):
    ctx, first, second, _ = drawn
    repo = ctx.store.collection(pool_snapshots.PIECES)
    chunk = next(d for d in repo.all() if d["kind"] == "chunk")
    refs = [list(r) for r in chunk["pieces"]]
    refs[0], refs[1] = refs[1], refs[0]
    repo.update(chunk["id"], {"pieces": refs}, actor="t", action="t")
    ok, message = dispatch.verify(ctx, first)
    assert not ok and "不符" in message, message
    repo.delete(chunk["id"], actor="t", action="t")
    ok, message = dispatch.verify(ctx, first)
    assert not ok and "缺少第1段" in message, message


def test_x_d2_a_manifest_whose_hash_was_changed_is_not_found_for_the_record(drawn):
    ctx, first, _, _ = drawn
    repo = ctx.store.collection(pool_snapshots.SNAPSHOTS)
    manifest = repo.all()[0]
    repo.update(manifest["id"], {"hash": "0" * 64}, actor="t", action="t")
    ok, message = dispatch.verify(ctx, first)
    assert not ok and "找不到本次抽取的专家名单快照" in message


def test_x_d2_pieces_are_reused_only_when_their_stored_content_matches(ctx):
    """A piece altered in the store is not reused by a later snapshot (it would never replay): it is kept anew."""
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    code, ids = _pool(ctx, 4)
    first = dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    repo = ctx.store.collection(pool_snapshots.PIECES)
    pack = next(d for d in repo.all() if d["kind"] == "pieces")
    experts = json.loads(json.dumps(pack["experts"]))
    experts[3]["name"] = "改过的名字"
    repo.update(pack["id"], {"experts": experts}, actor="t", action="t")
    ctx.store.collection("experts").update(ids[0], {"title_level": "正高级"}, actor="office", action="修改专家信息")
    second = dispatch.draw(ctx, OFFICE, _ask(ctx, code, start="2026-12-10", end="2026-12-11"))
    assert dispatch.verify(ctx, second)[0]
    assert not dispatch.verify(ctx, first)[0]
    packs = [d for d in repo.all() if d["kind"] == "pieces"]
    assert [p["count"] for p in packs] == [4, 2]  # the changed expert and the one whose stored piece was altered


# --- the whole snapshots of the first compact records (old format) ---------------------------------------------
def keep_whole(ctx, snapshot: dict) -> str:
    """What the first compact records kept: the pool snapshot whole, one document per distinct pool."""
    digest = pool_snapshot_hash(snapshot)
    ctx.store.collection(pool_snapshots.SNAPSHOTS, redact=("experts",)).insert(
        {"hash": digest, "count": len(snapshot["experts"]), "experts": snapshot["experts"]},
        actor="office", action="保存抽取快照", unique=("hash",))
    return digest


@pytest.fixture
def whole_format(ctx, monkeypatch):
    """Two draws whose snapshots were kept whole (as the first compact records did)."""
    fees.set_budget(ctx, OFFICE, DEPARTMENT.department, 2026, 1_000_000)
    monkeypatch.setattr(pool_snapshots, "keep", lambda ctx_, actor, snapshot, digest=None: keep_whole(ctx_, snapshot))
    code, ids = _pool(ctx, 5)
    first = dispatch.draw(ctx, OFFICE, _ask(ctx, code))
    ctx.store.collection("experts").update(ids[1], {"state": "暂停"}, actor="office", action="暂停使用")
    second = dispatch.draw(ctx, OFFICE, _ask(ctx, code, start="2026-12-10", end="2026-12-11"))
    monkeypatch.undo()
    return ctx, first, second


def test_x_d2_a_draw_whose_snapshot_was_kept_whole_still_replays(whole_format):
    ctx, first, second = whole_format
    assert all(is_whole_snapshot(d) for d in ctx.store.collection(pool_snapshots.SNAPSHOTS).all())
    for draw_id in (first, second):
        ok, message = dispatch.verify(ctx, draw_id)
        assert ok, message


def test_x_d2_whole_snapshots_convert_to_pieces_under_the_same_hash_and_replay(whole_format):
    ctx, first, second = whole_format
    hashes = [d["hash"] for d in ctx.store.collection(pool_snapshots.SNAPSHOTS).all()]
    report = pool_snapshots.convert_whole_snapshots(ctx, OFFICE)
    assert (report["converted"], report["already"], report["skipped"]) == (2, 0, [])
    docs = ctx.store.collection(pool_snapshots.SNAPSHOTS).all()
    assert [d["hash"] for d in docs] == hashes and all(is_manifest(d) and "experts" not in d for d in docs)
    packs = [d for d in ctx.store.collection(pool_snapshots.PIECES).all() if d["kind"] == "pieces"]
    assert [p["count"] for p in packs] == [5, 1]  # the second snapshot shares all but the suspended expert
    for draw_id in (first, second):
        ok, message = dispatch.verify(ctx, draw_id)
        assert ok, message
    again = pool_snapshots.convert_whole_snapshots(ctx, OFFICE)
    assert (again["converted"], again["already"]) == (0, 2)


def test_x_d2_a_whole_snapshot_that_does_not_match_its_hash_is_left_as_it_is(whole_format):
    ctx, first, _ = whole_format
    repo = ctx.store.collection(pool_snapshots.SNAPSHOTS)
    doc = repo.all()[0]
    experts = json.loads(json.dumps(doc["experts"]))
    experts[0]["name"] = "改过的名字"
    repo.update(doc["id"], {"experts": experts}, actor="t", action="t")
    report = pool_snapshots.convert_whole_snapshots(ctx, OFFICE)
    assert report["converted"] == 1 and [s["snapshot_id"] for s in report["skipped"]] == [doc["id"]]
    assert repo.get(doc["id"])["experts"] == experts
    assert not dispatch.verify(ctx, first)[0]


def test_x_d2_assemble_refuses_a_manifest_of_the_wrong_size():
    pool = big_pool(3)
    digest, parts = split_snapshot({"experts": pool})
    docs = {1: {"id": 1, "kind": "pieces", "hashes": [p.hash for p in parts], "experts": pool},
            2: {"id": 2, "kind": "chunk", "pieces": [[1, 0], [1, 1], [1, 2]]}}
    assert assemble({"hash": digest, "count": 3, "chunks": [2]}, docs)["experts"] == pool
    with pytest.raises(DomainError, match="不符"):
        assemble({"hash": digest, "count": 4, "chunks": [2]}, docs)
    with pytest.raises(DomainError, match="不存在"):
        assemble({"hash": digest, "count": 3, "chunks": [2]}, {2: docs[2]})
