"""随机抽取（可复核）— JC 第十一条 一事一派、随机选取、轮换使用、技术优先（JC-D1）；YQ 第十四条(一)1(3)(4) 从相应专业中
抽取、无法参与时重新抽取（YQ-D1）；回避 JC 第六条(六)、第十四条(二)，YQ 附表一 专家承诺、第二十四条(一)（JC-D3, YQ-D3）；
排除须写明原因（X-D1）；抽取可复算、可核验（X-D2）.

`draw` is a pure function of the request, the expert pool, the assignment history, the policy profile's drawing
parameters and a seed string the service made with `secrets`. It returns an exclusion ledger — every pool member
who may not serve, with the FIRST rule of `EXCLUSION_RULES` that excluded them and a Chinese reason naming the
detail — and, for each needed specialty, the COMPLETE ranked order of the eligible experts: fewer uses in the
profile's rotation window first (轮换使用), ties in a random order drawn from `random.Random(f"{seed}:{specialty}")`
(随机选取). 技术优先 is the request's minimum title. The service invites down that order and, on a decline, moves to
the next expert of the same committed order — never a second draw. Each order comes with the sha256 of its
canonical candidate list (ids, use counts, method version); the result also keeps a snapshot of exactly the inputs
it read, so `replay` re-derives the record from itself and `verify` re-derives it from any inputs (e.g. today's
store) and names what differs. Tie keys are `Random.random()` values taken in ascending id order: `random()` is the
part of the random module Python promises to reproduce across versions for the same seed (`shuffle` is not).
Experts who no longer meet a condition that changes with time — over the profile's age limit, or a term ended — on
the draw date (`today`, by default the day of `drawn_at`) are excluded under "conditions" / "not_in_term" with the
reason of core.conditions (JC 第七条(六)、第九条(二); YQ 第六条6、第八条、第二十四条(十)); the parameters go into the
snapshot, so a record made before this rule (no "conditions" in its parameters) still replays as it was drawn.

What the store keeps is the compact record of `DrawResult.to_record` (issue 17: in proportion to what the draw
decided, not to the pool — 3 KB instead of ~860 KB for the 阳泉 demo pool at 3,000 experts): each exclusion rule with
its count, by name only the exclusions a person must see (`listed`: experts of the needed specialties, never
专业不符), the digest of the full list, the history lines read as rows, and the inputs but the pool, which is
returned apart as a snapshot named by its SHA-256 (`pool_snapshot_hash`). The snapshot is request-independent (state
and specialties of an expert not 在库, else DRAW_FIELDS and the derived condition fields), so draws that saw the same
pool share it; the store keeps it in pieces, one per distinct expert entry, under the same hash (core.pool_pieces),
so a pool change of one expert adds about 1.6 KB, not a whole snapshot. `replay(record, snapshot)` checks the
snapshot against its hash and the recomputation against the record; `full_exclusions` gives the whole list back.
A full record (made before) still replays from itself.
"""
from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Mapping

from core import vocab
from core.conditions import RULE_TERM_ENDED, ConditionParams, condition_snapshot, time_conditions
from core.errors import DomainError
from core.expert import parse_date

__all__ = [
    "METHOD_VERSION", "EXCLUSION_RULES", "Exclusion", "DrawResult", "DrawParams", "draw", "verify", "replay",
    "eligible_list_hash", "same_organisation", "COUNTED_STATUSES", "BUSY_STATUSES", "DRAW_FIELDS",
    "RECORD_FORMAT", "NAMED_LIMIT", "listed", "summarise", "exclusion_digest", "pool_snapshot_hash",
    "full_exclusions", "snapshot_pool",
]

METHOD_VERSION = "rotation-seeded-v1"
# The method as the office and an auditor read it (screens and the 抽取记录单); the version id stays in the record.
METHOD_NAMES = {"rotation-seeded-v1": "轮换优先、随机排序（第1版）"}


def method_name(version: Any) -> str:
    """The draw method as the office says it: fewer uses in the rotation window first, ties in the seeded order."""
    return METHOD_NAMES.get(str(version), f"未知的抽取方法（{version}）")

# Fixed order: an expert is listed once, under the first rule that excludes them.
EXCLUSION_RULES: dict[str, str] = {
    "not_in_term": "不在聘期/未聘任",
    "suspended": "暂停使用",
    "dismissed": "已解聘/清退",
    "wrong_specialty": "专业不符",
    "conditions": "不再符合聘任条件",
    "below_title": "职称低于要求",
    "same_employer": "与任务对象同一单位",
    "related_enterprise": "申报的关联企业",
    "busy": "同期已有其他任务",
    "unavailable": "申报不可参加",
    "declined": "已拒绝本次委派",
}

COUNTED_STATUSES = frozenset({"已接受", "已完成"})   # a use, for rotation (轮换使用)
BUSY_STATUSES = frozenset({"邀请中", "已接受"})      # holds the expert's dates for another task
DECLINED = "已拒绝"
_READ_STATUSES = COUNTED_STATUSES | BUSY_STATUSES | {DECLINED}

# The fields of an expert record the draw reads; the snapshot keeps only these (no ID numbers, phones …).
DRAW_FIELDS = ("id", "name", "state", "term_start", "term_end", "specialties", "title_level", "unit",
               "related_enterprises", "unavailable")
_STATE_FIELDS = ("id", "name", "state", "specialties")  # specialties: whether the record names the exclusion
_LIST_FIELDS = ("specialties", "related_enterprises", "unavailable")
_HISTORY_FIELDS = ("id", "request_id", "expert_id", "start", "end", "status", "answered_on", "decline_reason")
_REQUEST_FIELDS = ("id", "policy_id", "start", "end", "needs", "min_title_level", "target_enterprises")

# A name contained in another counts as the same organisation only from this length on: "煤业" inside every
# coal company's name is not a conflict, "晋城某煤业" inside "晋城某煤业有限公司" is.
MIN_CONTAINED_LEN = 4

_DISMISSED_STATES = ("解聘", "清退")
_SUSPENDED_STATES = ("暂停",)
_TITLE_RANK = {level: n for n, level in enumerate(vocab.TITLE_LEVELS)}


# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, init=False)
class Exclusion:
    """One line of the exclusion ledger: who, under which rule (a key of EXCLUSION_RULES), and why in Chinese."""

    expert_id: int
    name: str
    rule: str
    reason: str
    # Whether the expert has one of the request's specialties, i.e. would otherwise have been a candidate: a
    # compact record names only these (`listed`). Derived from the inputs, so not part of equality or of to_dict.
    relevant: bool = field(default=True, compare=False)

    def __init__(self, expert_id: int, name: str, rule: str, reason: str, relevant: bool = True):
        # A draw makes one per excluded expert (thousands): filling __dict__ directly is twice as fast as the
        # frozen dataclass's generated __init__; the instance stays frozen (assignment raises).
        d = self.__dict__
        d["expert_id"], d["name"], d["rule"], d["reason"], d["relevant"] = expert_id, name, rule, reason, relevant

    @property
    def label(self) -> str:
        return EXCLUSION_RULES[self.rule]

    def to_dict(self) -> dict:
        return {"expert_id": self.expert_id, "name": self.name, "rule": self.rule, "label": self.label,
                "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Exclusion":
        return cls(data["expert_id"], data.get("name", ""), data["rule"], data.get("reason", ""))


@dataclass(frozen=True)
class DrawParams:
    """The profile's parameters a draw reads ([drawing] rotation_window_days and [drawing.conflict], and the
    time conditions of core.conditions: age limits, whether age may be relaxed, the dismissal reason).

    Kept in the snapshot so a record replays under the rules it was drawn with, whatever the TOML says later. A
    record made before the time conditions existed has no "conditions" and replays without them (None).
    """

    policy_id: str
    rotation_window_days: int
    exclude_same_employer: bool
    exclude_declared_relations: bool
    conflict_source: str = ""
    conditions: ConditionParams | None = None

    @classmethod
    def from_policy(cls, policy: Any) -> "DrawParams":
        if isinstance(policy, DrawParams):
            return policy
        d = policy.drawing
        return cls(policy.id, int(d.rotation_window_days), bool(d.conflict.exclude_same_employer),
                   bool(d.conflict.exclude_declared_relations), d.conflict.source,
                   ConditionParams.from_policy(policy))

    def to_dict(self) -> dict:
        out = {"policy_id": self.policy_id, "rotation_window_days": self.rotation_window_days,
               "exclude_same_employer": self.exclude_same_employer,
               "exclude_declared_relations": self.exclude_declared_relations,
               "conflict_source": self.conflict_source}
        if self.conditions is not None:
            out["conditions"] = self.conditions.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DrawParams":
        conditions = data.get("conditions")
        return cls(data["policy_id"], int(data["rotation_window_days"]), bool(data["exclude_same_employer"]),
                   bool(data["exclude_declared_relations"]), data.get("conflict_source", ""),
                   ConditionParams.from_dict(conditions) if conditions else None)


@dataclass(frozen=True)
class DrawResult:
    """A committed draw. `orders[specialty]` is the complete ranked order; `exclusions` lists everyone else.

    `use_counts` maps str(expert_id) → uses in the rotation window, for every expert in any order.
    `inputs` is the snapshot of what the draw read (request, pool fields, history lines, parameters) or None.
    """

    request_id: Any
    policy_id: str
    method_version: str
    seed: str
    drawn_at: str
    eligible_hash: dict[str, str]
    exclusions: tuple[Exclusion, ...]
    orders: dict[str, tuple[int, ...]]
    use_counts: dict[str, int]
    inputs: dict | None = field(default=None, compare=False)
    # A compact record (RECORD_FORMAT) read back: `exclusions` holds only the listed entries, `summary` every
    # rule as (rule, count, how many of them are listed) and `exclusion_digest` pins the full list. None for a
    # full result.
    summary: tuple[tuple[str, int, int], ...] | None = field(default=None, compare=False)
    exclusion_digest: str | None = field(default=None, compare=False)

    @property
    def compact(self) -> bool:
        return self.summary is not None

    def excluded_ids(self) -> frozenset:
        """Every excluded expert (a compact record: the listed ones; `full_exclusions` gives the rest)."""
        return frozenset(x.expert_id for x in self.exclusions)

    def exclusion_counts(self) -> dict[str, int]:
        """rule → how many experts it excluded, in EXCLUSION_RULES order (rules that excluded nobody left out)."""
        if self.summary is not None:
            return {rule: count for rule, count, _ in self.summary}
        return _counts(self.exclusions)

    def to_dict(self) -> dict:
        """JSON-ready (lists, str keys); `from_dict(to_dict())` gives an equal result. A full result gives the full
        form (every exclusion, the pool inside `inputs`); a compact record read back gives its compact form."""
        out = {"request_id": self.request_id, "policy_id": self.policy_id, "method_version": self.method_version,
               "seed": self.seed, "drawn_at": self.drawn_at, "eligible_hash": dict(self.eligible_hash),
               "exclusions": [x.to_dict() for x in self.exclusions],
               "orders": {sp: list(order) for sp, order in self.orders.items()},
               "use_counts": dict(self.use_counts)}
        if self.summary is not None:
            out.update(_summary_fields(self.summary, self.exclusion_digest))
        if self.inputs is not None:
            out["inputs"] = self.inputs
        return out

    def to_record(self) -> tuple[dict, dict | None]:
        """The compact record the store keeps (RECORD_FORMAT) and the pool snapshot it names by hash.

        The record is in proportion to what the draw decided: the orders, their use counts and hashes, each
        exclusion rule with its count, by name only the exclusions a person must see (`listed`), the digest
        of the full list, and the inputs replay needs but the pool — that is `{"experts": […]}`, returned apart
        and named in `inputs["pool_snapshot"]` by its SHA-256 (`pool_snapshot_hash`), kept once however many draws
        saw it. A result drawn without inputs gives (record, None)."""
        if self.summary is not None:  # already compact
            return self.to_dict(), None
        named = listed(self.exclusions)
        out = {"request_id": self.request_id, "policy_id": self.policy_id, "method_version": self.method_version,
               "seed": self.seed, "drawn_at": self.drawn_at, "eligible_hash": dict(self.eligible_hash),
               "exclusions": [{k: v for k, v in x.to_dict().items() if k != "label"} for x in named],
               "orders": {sp: list(order) for sp, order in self.orders.items()},
               "use_counts": dict(self.use_counts)}
        out.update(_summary_fields(summarise(self.exclusions, named), exclusion_digest(self.exclusions)))
        snapshot = None
        if self.inputs is not None:
            inputs = {k: v for k, v in self.inputs.items() if k != "pool"}
            if isinstance(inputs.get("history"), list):  # rows, not objects: a third of the size
                inputs["history"] = _history_rows(inputs["history"])
                inputs["history_fields"] = list(_HISTORY_FIELDS)
            if "pool" in self.inputs:
                known = _known_hash(self.inputs["pool"])  # a SharedPool's snapshot: sorted and hashed once
                if known is not None:
                    snapshot = {"experts": self.inputs["pool"]}
                    inputs["pool_snapshot"] = known
                else:
                    snapshot = {"experts": sorted(self.inputs["pool"], key=_id_key)}  # canonical order
                    inputs["pool_snapshot"] = pool_snapshot_hash(snapshot)
            out["inputs"] = inputs
        return out, snapshot

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DrawResult":
        summary = digest = None
        if data.get("format") == RECORD_FORMAT:
            summary = tuple((str(row["rule"]), int(row["count"]), int(row["listed"]))
                            for row in data["exclusion_summary"])
            digest = str(data["exclusion_digest"])
        return cls(
            request_id=data.get("request_id"), policy_id=data["policy_id"], method_version=data["method_version"],
            seed=data["seed"], drawn_at=data.get("drawn_at", ""), eligible_hash=dict(data["eligible_hash"]),
            exclusions=tuple(Exclusion.from_dict(x) for x in data["exclusions"]),
            orders={sp: tuple(order) for sp, order in data["orders"].items()},
            use_counts={str(k): int(v) for k, v in data["use_counts"].items()},
            inputs=data.get("inputs"), summary=summary, exclusion_digest=digest)


# ---------------------------------------------------------------------------------------------------------------
# The compact record (issue 17: a draw record in proportion to what the draw decided, not to the pool)
# ---------------------------------------------------------------------------------------------------------------
RECORD_FORMAT = "compact-v1"
# 专业不符 is most of a large pool and tells nobody anything: counted, never listed by name.
COUNTED_ONLY_RULES = frozenset({"wrong_specialty"})
# Rules whose list can still be long among the experts of the needed specialties: listed by name while at most
# NAMED_LIMIT experts, else counted. The others (回避, busy, unavailable, declined, suspended, conditions) are listed.
CAPPED_RULES = frozenset({"not_in_term", "dismissed", "below_title"})
NAMED_LIMIT = 30


def listed(exclusions: Iterable[Exclusion]) -> tuple[Exclusion, ...]:
    """The exclusions a compact record names (a person must see them): every expert who has one of the request's
    specialties — who would otherwise have been a candidate — whatever the rule (回避, busy, unavailable, declined,
    suspended, conditions, out of term, dismissed, title), except a rule of CAPPED_RULES excluding more than
    NAMED_LIMIT of them, which is counted. Experts of other specialties (专业不符, or suspended, out of term …
    whatever their specialty) are counted per rule. A full record made before (no relevance known) names by rule."""
    named = [x for x in exclusions if x.relevant and x.rule not in COUNTED_ONLY_RULES]
    per_rule = _counts(named)
    return tuple(x for x in named if x.rule not in CAPPED_RULES or per_rule[x.rule] <= NAMED_LIMIT)


def _counts(exclusions: Iterable[Exclusion]) -> dict[str, int]:
    found: dict[str, int] = {}
    for x in exclusions:
        found[x.rule] = found.get(x.rule, 0) + 1
    ordered = {rule: found.pop(rule) for rule in EXCLUSION_RULES if rule in found}
    ordered.update(sorted(found.items()))  # an unknown rule (a damaged record) still counts, after the known ones
    return ordered


def summarise(exclusions: Iterable[Exclusion], named: Iterable[Exclusion] | None = None
              ) -> tuple[tuple[str, int, int], ...]:
    """(rule, count, how many of them are listed by name) for every rule that excluded someone, in
    EXCLUSION_RULES order."""
    exclusions = tuple(exclusions)
    shown = _counts(listed(exclusions) if named is None else named)
    return tuple((rule, n, shown.get(rule, 0)) for rule, n in _counts(exclusions).items())


def _summary_fields(summary: Iterable[tuple[str, int, bool]], digest: str | None) -> dict:
    rows = [{"rule": rule, "label": EXCLUSION_RULES.get(rule, rule), "count": n, "listed": listed}
            for rule, n, listed in summary]
    return {"format": RECORD_FORMAT, "exclusion_summary": rows, "exclusion_total": sum(r["count"] for r in rows),
            "exclusion_digest": digest}


def _history_rows(lines: Iterable[Mapping[str, Any]]) -> list[list]:
    """History lines as rows of _HISTORY_FIELDS values, trailing nulls dropped, and null for what the draw reads
    the same way when absent (`_index_history`): the end of a line that holds no dates or ends the day it starts,
    the answer of anything but a decline."""
    rows = []
    for line in lines:
        row = [line.get(k) for k in _HISTORY_FIELDS]
        if row[5] != DECLINED:  # answered_on and decline_reason are read for a decline of this request only
            row[6] = row[7] = None
        if row[4] == row[3] or row[5] not in BUSY_STATUSES:  # the end is read for a line that holds the dates
            row[4] = None
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def _history_lines(inputs: Mapping[str, Any]) -> list:
    """The history lines of a record's inputs, as the draw reads them (rows of a compact record turned back)."""
    history = inputs["history"]
    fields = inputs.get("history_fields")
    if fields is None:
        return history
    return [{k: v for k, v in zip(fields, row) if v is not None} for row in history]


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def exclusion_digest(exclusions: Iterable[Exclusion]) -> str:
    """sha256 of the full exclusion list as canonical JSON [[expert_id, rule], …] by id, with METHOD_VERSION: a
    compact record keeps it, so the list recomputed from the snapshot is proved to be the one of the draw."""
    pairs = sorted(([x.expert_id, x.rule] for x in exclusions), key=lambda p: (str(type(p[0])), p[0], p[1]))
    return hashlib.sha256(_canonical({"method_version": METHOD_VERSION, "exclusions": pairs})).hexdigest()


class SharedPool(list):
    """A pool list shared read-only by every draw and request check on one version of the experts file
    (services.dispatch._pool keeps one per version): what any draw derives from the pool whatever the request — the
    snapshot replay needs and its hash, the per-specialty counts — is computed once here, not once per task
    (issue 17). Never change it or the records in it; a plain list is drawn from exactly the same way."""
    __slots__ = ("_memo",)

    def __init__(self, records: Iterable[Mapping[str, Any]] = ()):
        super().__init__(records)
        self._memo: dict = {}

    def memo(self, key: Any, build) -> Any:
        found = self._memo.get(key, _NONE)
        if found is _NONE:
            found = build()
            self._memo = {**self._memo, key: found}  # replaced, never changed: other threads may read it
        return found


_NONE = object()
# entries list (by identity) → its snapshot hash, for the snapshots a SharedPool made (never changed afterwards)
_KNOWN_HASHES: dict[int, tuple[list, str]] = {}


def _shared_entries(pool: SharedPool, with_conditions: bool) -> list[dict]:
    def build():
        entries = sorted((_pool_entry(x, with_conditions) for x in pool), key=_id_key)
        digest = pool_snapshot_hash({"experts": entries})
        if len(_KNOWN_HASHES) >= 16:
            _KNOWN_HASHES.clear()
        _KNOWN_HASHES[id(entries)] = (entries, digest)
        return entries
    return pool.memo(("entries", with_conditions), build)


def _known_hash(entries: Any) -> str | None:
    found = _KNOWN_HASHES.get(id(entries))
    return found[1] if found is not None and found[0] is entries else None


def pool_snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    """The content address of a pool snapshot: sha256 of the canonical JSON of {"experts": […]} (sorted keys, no
    spaces, UTF-8). Anything else stored beside "experts" (the hash itself, a count, an id) is not part of it."""
    return hashlib.sha256(_canonical({"experts": list(snapshot.get("experts") or ())})).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Small rules
# ---------------------------------------------------------------------------------------------------------------
def _iso(value: Any) -> str | None:
    """An ISO day string ("2026-06-05") from a stored value, or None. ISO strings compare like dates."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":  # the stored form
        return value
    parsed = parse_date(value) if value not in (None, "") else None
    return parsed.isoformat() if parsed else None


def _day(iso: str) -> str:
    """2026年6月5日 (the way forms and messages write dates); a malformed stored value is shown as it is."""
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _norm(name: Any) -> str:
    """An organisation name for comparison: full-width → half-width (NFKC), no spaces at all, Latin lower-case."""
    if not isinstance(name, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def _same_norm(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_CONTAINED_LEN and short in long_


def same_organisation(a: Any, b: Any) -> bool:
    """Two names denote one organisation: equal, or one contains the other (≥ MIN_CONTAINED_LEN characters),
    after removing spaces and folding full-width characters."""
    return _same_norm(_norm(a), _norm(b))


def _overlaps(start: str, end: str, lo: str, hi: str) -> bool:
    """[start, end] and [lo, hi] share at least one day (inclusive; adjacent periods do not overlap)."""
    return start <= hi and end >= lo


def eligible_list_hash(specialty: str, counts: Iterable[tuple[int, int]]) -> str:
    """sha256 of the canonical JSON of one specialty's candidate list: [[expert_id, uses], …] sorted by id, with
    the specialty and METHOD_VERSION. Printed on the draw record so anyone can recompute it from the order."""
    payload = {"method_version": METHOD_VERSION, "specialty": specialty,
               "eligible": [[i, c] for i, c in sorted(counts)]}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_exclusion(state: Any) -> tuple[str, str] | None:
    if state == "在库":
        return None
    if state in _SUSPENDED_STATES:
        return "suspended", "暂停使用期间不参加抽取（状态“暂停”）"
    if state in _DISMISSED_STATES:
        return "dismissed", f"已{state}，不再使用（状态“{state}”）"
    if state == "期满退出":
        return "not_in_term", "聘期已满退出（状态“期满退出”）"
    shown = state if isinstance(state, str) and state else "未填"
    return "not_in_term", f"尚未聘任入库（状态“{shown}”）"


# ---------------------------------------------------------------------------------------------------------------
# The draw
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Request:
    id: Any
    start: str
    end: str
    needs: tuple[str, ...]
    needed: frozenset
    needs_text: str
    min_level: str | None
    targets: tuple[tuple[str, str], ...]   # (as written, normalised)


def _read_request(request: Mapping[str, Any], params: DrawParams) -> _Request:
    pid = request.get("policy_id")
    if pid and pid != params.policy_id:
        raise DomainError(f"申请属于策略“{pid}”，不能按策略“{params.policy_id}”抽取")
    start, end = _iso(request.get("start")), _iso(request.get("end"))
    if start is None or end is None:
        raise DomainError("申请的开始或结束日期无效，不能抽取")
    try:
        date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise DomainError("申请的开始或结束日期无效，不能抽取") from None
    if end < start:
        raise DomainError(f"申请的结束日期（{_day(end)}）早于开始日期（{_day(start)}），不能抽取")
    needs: list[str] = []
    for need in request.get("needs") or ():
        code = need.get("specialty") if isinstance(need, Mapping) else None
        if not code:
            raise DomainError("申请中有未填写专业的需求，不能抽取")
        if code not in needs:
            needs.append(code)
    if not needs:
        raise DomainError("申请没有填写所需专业和人数，不能抽取")
    level = request.get("min_title_level") or None
    if level is not None and level not in _TITLE_RANK:
        raise DomainError(f"最低职称“{level}”不是职称等级（可选：{'、'.join(vocab.TITLE_LEVELS)}）")
    targets = tuple((t.strip(), _norm(t)) for t in request.get("target_enterprises") or ()
                    if isinstance(t, str) and _norm(t))
    return _Request(request.get("id"), start, end, tuple(needs), frozenset(needs), "、".join(needs), level, targets)


def _index_history(history: Iterable[Mapping[str, Any]], req: _Request, window_start: str, candidates: Mapping,
                   keep: list | None) -> tuple[dict, dict, dict]:
    """One pass over the history for the experts still in the running: uses in the rotation window, another task
    on overlapping dates, declines of this request. Dates are compared as ISO strings (no parsing in the loop);
    lines about experts already excluded are skipped at once. `keep` collects the lines the draw read.
    """
    uses: dict[Any, int] = {}
    busy: dict[Any, tuple] = {}
    declined: dict[Any, tuple] = {}
    rid, start, end = req.id, req.start, req.end
    read_statuses, counted, holding = _READ_STATUSES, COUNTED_STATUSES, BUSY_STATUSES
    for a in history:
        if a.get("expert_id") not in candidates or a.get("status") not in read_statuses:
            continue
        eid, status = a["expert_id"], a["status"]
        s = a.get("start")
        if not (type(s) is str and len(s) == 10 and s[4] == "-"):
            s = _iso(s)
            if s is None:
                continue
        read = False
        same_request = rid is not None and a.get("request_id") == rid
        if status in counted and window_start <= s < start:
            uses[eid] = uses.get(eid, 0) + 1
            read = True
        if status in holding and not same_request:
            e = a.get("end")
            if not (type(e) is str and len(e) == 10 and e[4] == "-"):
                e = _iso(e) or s
            if s <= end and e >= start:
                key = (s, e, str(a.get("request_id")), status)
                if eid not in busy or key < busy[eid]:
                    busy[eid] = key
                read = True
        if status == DECLINED and same_request:
            key = (str(a.get("answered_on") or ""), str(a.get("decline_reason") or ""))
            if eid not in declined or key < declined[eid]:
                declined[eid] = key
            read = True
        if read and keep is not None:
            keep.append({k: a[k] for k in _HISTORY_FIELDS if k in a})
    return uses, busy, declined


def _profile_exclusion(x: Mapping[str, Any], req: _Request, params: DrawParams,
                       today: date | None) -> tuple[str, str] | None:
    """Rules read off the expert's own record: state, term, specialty, the time conditions on the draw date (age
    over the profile's limit, term ended — core.conditions), title, 回避. (rule, reason) or None.

    The time conditions come after the specialty so that they are computed only for the experts the request could
    use (a tenth of a large pool): an expert of another specialty is listed as 专业不符 whatever their age, and the
    office sees the age on the proposals list (services.conditions)."""
    state = x.get("state")
    if state != "在库":
        return _state_exclusion(state)
    term_end = x.get("term_end")
    if not (type(term_end) is str and len(term_end) == 10 and term_end[4] == "-"):
        term_end = _iso(term_end)
    if term_end is not None and term_end < req.end:
        return "not_in_term", f"聘期至{_day(term_end)}结束，早于任务结束日{_day(req.end)}"
    term_start = x.get("term_start")
    if not (type(term_start) is str and len(term_start) == 10 and term_start[4] == "-"):
        term_start = _iso(term_start)
    if term_start is not None and term_start > req.start:
        return "not_in_term", f"聘期自{_day(term_start)}开始，晚于任务开始日{_day(req.start)}"
    own = x.get("specialties") or ()
    if isinstance(own, str):
        own = (own,)
    if req.needed.isdisjoint(own):
        shown = "、".join(own) if own else "（未填）"
        return "wrong_specialty", f"所报专业 {shown} 均不是本次所需专业 {req.needs_text}"
    if params.conditions is not None:
        for finding in time_conditions(x, params.conditions, today):
            return ("not_in_term" if finding.rule == RULE_TERM_ENDED else "conditions"), finding.reason
    if req.min_level is not None:
        level = x.get("title_level")
        if _TITLE_RANK.get(level, -1) < _TITLE_RANK[req.min_level]:
            shown = level if level else "未填"
            return "below_title", f"职称等级“{shown}”低于本次要求的“{req.min_level}”（技术优先）"
    if req.targets:
        basis = f"（{params.conflict_source} 回避）" if params.conflict_source else "（回避）"
        if params.exclude_same_employer:
            unit = x.get("unit")
            unit_n = _norm(unit)
            for target, target_n in req.targets:
                if _same_norm(unit_n, target_n):
                    who = "" if unit_n == target_n else f"所在单位“{unit.strip()}”"
                    return "same_employer", f"{who}与任务对象“{target}”同一单位{basis}"
        if params.exclude_declared_relations:
            for related in x.get("related_enterprises") or ():
                related_n = _norm(related)
                for target, target_n in req.targets:
                    if _same_norm(related_n, target_n):
                        return "related_enterprise", f"申报的关联企业“{related.strip()}”即任务对象“{target}”{basis}"
    return None


def _time_exclusion(x: Mapping[str, Any], req: _Request, busy: Mapping, declined: Mapping) -> tuple[str, str] | None:
    """Rules about the task's dates and this request: another task, declared unavailability, a decline."""
    eid = x["id"]
    if eid in busy:
        s, e, other, status = busy[eid]
        return "busy", f"同期已有其他任务：申请第{other}号，{_day(s)}至{_day(e)}（{status}）"
    for period in x.get("unavailable") or ():
        s = _iso(period.get("start")) if isinstance(period, dict) else None
        if s is None:
            continue
        e = _iso(period.get("end")) or s
        if _overlaps(s, e, req.start, req.end):
            why = str(period.get("reason") or "").strip()
            return "unavailable", f"申报{_day(s)}至{_day(e)}不能参加" + (f"（{why}）" if why else "")
    if eid in declined:
        on, why = declined[eid]
        on_iso = _iso(on)
        detail = "，".join(p for p in ((f"{_day(on_iso)}答复" if on_iso else ""), why) if p)
        return "declined", "已拒绝本次委派" + (f"（{detail}）" if detail else "")
    return None


def _snapshot_request(request: Mapping[str, Any]) -> dict:
    out = {k: request[k] for k in _REQUEST_FIELDS if k in request}
    if isinstance(out.get("needs"), (list, tuple)):
        out["needs"] = [dict(n) if isinstance(n, Mapping) else n for n in out["needs"]]
    if isinstance(out.get("target_enterprises"), (list, tuple)):
        out["target_enterprises"] = list(out["target_enterprises"])
    return out


def _snapshot_expert(x: Mapping[str, Any], fields: tuple[str, ...]) -> dict:
    """The fields the draw read of one expert, lists copied (the caller's record may change after the draw)."""
    out = {k: x[k] for k in fields if k in x}
    for k in _LIST_FIELDS:
        v = out.get(k)
        if v:
            out[k] = [dict(p) if type(p) is dict else p for p in v] if k == "unavailable" else list(v)
    return out


def _pool_entry(x: Mapping[str, Any], with_conditions: bool) -> dict:
    """What any draw under the same parameters reads of one expert, whatever the request: the state (and the
    specialties, for `listed`) of an expert not 在库 (excluded by the state before anything else), else DRAW_FIELDS and, under time conditions, the
    derived birth date and gender (never the ID number). Independent of the request, so draws of different requests
    on an unchanged pool share one snapshot (see `pool_snapshot_hash`)."""
    if x.get("state") != "在库":
        return _snapshot_expert(x, _STATE_FIELDS)
    kept = _snapshot_expert(x, DRAW_FIELDS)
    if with_conditions:
        kept.update(condition_snapshot(x))
    return kept


def _id_key(x: Mapping[str, Any]) -> tuple:
    eid = x.get("id")
    return (0, eid, "") if isinstance(eid, int) and not isinstance(eid, bool) else (1, 0, str(eid))


def _draw_day(today: date | str | None, drawn_at: Any) -> date | None:
    """The draw date the time conditions are checked on: `today`, else the day part of `drawn_at`."""
    if isinstance(today, date):
        return today
    text = today if isinstance(today, str) else drawn_at
    if isinstance(text, str) and len(text) >= 10:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def draw(request: Mapping[str, Any], pool: Iterable[Mapping[str, Any]], history: Iterable[Mapping[str, Any]],
         policy: Any, *, seed: str, drawn_at: str, keep_inputs: bool = True, today: date | None = None) -> DrawResult:
    """The draw for one request (一事一派). Pure: same inputs and seed → same result, whatever the input order.

    `policy` is a Policy (or DrawParams). `history` is any list of assignments (others are ignored). `today` is
    the draw date the time conditions (core.conditions: age limit, term ended) are checked on; by default the day
    of `drawn_at`. Raises DomainError (Chinese) for a request it cannot draw for: bad dates, no needs, unknown
    title level, an expert without an id or an id twice in the pool, no draw date when the profile has time
    conditions. With `keep_inputs`, the result carries the snapshot `replay` needs.
    """
    if not isinstance(seed, str) or not seed:
        raise DomainError("抽取须有随机种子")
    params = DrawParams.from_policy(policy)
    on = _draw_day(today, drawn_at)
    if params.conditions is not None and on is None:
        raise DomainError("抽取须有抽取日期（用于核对年龄、聘期等随时间变化的条件）")
    req = _read_request(request, params)
    window_start = (date.fromisoformat(req.start) - timedelta(days=params.rotation_window_days)).isoformat()

    shared = pool if isinstance(pool, SharedPool) else None
    pool = list(pool)
    pool_ids: set = set()
    for x in pool:
        eid = x.get("id")
        if eid is None:
            raise DomainError(f"专家“{x.get('name', '')}”没有编号，不能参加抽取")
        if eid in pool_ids:
            raise DomainError(f"专家编号 {eid} 在专家名单中出现两次，不能抽取")
        pool_ids.add(eid)

    exclusions: list[Exclusion] = []
    candidates: dict[Any, Mapping[str, Any]] = {}
    with_conditions = params.conditions is not None
    snapshot: list[dict] | None = [] if keep_inputs and shared is None else None
    for x in pool:
        found = _profile_exclusion(x, req, params, on)
        if found is None:
            candidates[x["id"]] = x
        else:  # relevant: one of the needed specialties, so a candidate but for this rule
            own = x.get("specialties") or ()
            relevant = not req.needed.isdisjoint((own,) if isinstance(own, str) else own)
            exclusions.append(Exclusion(x["id"], str(x.get("name") or ""), *found, relevant))
        if snapshot is not None:
            snapshot.append(_pool_entry(x, with_conditions))

    kept: list | None = [] if keep_inputs else None
    uses, busy, declined = _index_history(history, req, window_start, candidates, kept)

    eligible: dict[str, list] = {sp: [] for sp in req.needs}
    for eid, x in candidates.items():
        found = _time_exclusion(x, req, busy, declined)
        if found is None:
            own = x.get("specialties") or ()
            own = (own,) if isinstance(own, str) else own
            for sp in req.needs:
                if sp in own:
                    eligible[sp].append(eid)
        else:
            exclusions.append(Exclusion(eid, str(x.get("name") or ""), *found))
    exclusions.sort(key=lambda e: e.expert_id)

    orders: dict[str, tuple[int, ...]] = {}
    hashes: dict[str, str] = {}
    use_counts: dict[str, int] = {}
    for sp in req.needs:
        ids = sorted(eligible[sp])
        rng = random.Random(f"{seed}:{sp}")
        key = {i: (uses.get(i, 0), rng.random()) for i in ids}
        orders[sp] = tuple(sorted(ids, key=key.__getitem__))
        hashes[sp] = eligible_list_hash(sp, ((i, uses.get(i, 0)) for i in ids))
        for i in ids:
            use_counts[str(i)] = uses.get(i, 0)

    inputs = None
    if keep_inputs:
        if shared is not None:
            snapshot = _shared_entries(shared, with_conditions)  # already in the canonical order
        else:
            snapshot.sort(key=_id_key)  # a canonical order, so equal pools give equal snapshots
        inputs = {"request": _snapshot_request(request), "pool": snapshot,
                  "history": kept, "params": params.to_dict()}
        if with_conditions:
            inputs["today"] = on.isoformat()
    return DrawResult(req.id, params.policy_id, METHOD_VERSION, seed, drawn_at, hashes, tuple(exclusions), orders,
                      use_counts, inputs)


# ---------------------------------------------------------------------------------------------------------------
# Verification (复核)
# ---------------------------------------------------------------------------------------------------------------
def _who(ids: Iterable[Any], names: Mapping[Any, str], limit: int = 5) -> str:
    ids = sorted(ids)
    shown = "、".join(f"{names.get(i) or '专家'}（{i}号）" for i in ids[:limit])
    return shown + (f"等{len(ids)}人" if len(ids) > limit else "")


def _candidates(result: DrawResult, sp: str) -> dict:
    return {i: result.use_counts.get(str(i)) for i in result.orders.get(sp, ())}


def verify(stored: Mapping[str, Any] | DrawResult, request: Mapping[str, Any], pool: Iterable[Mapping[str, Any]],
           history: Iterable[Mapping[str, Any]], policy: Any) -> tuple[bool, str]:
    """复核 (X-D2): recompute the draw from the given inputs with the stored seed and compare.

    Returns (True, "复核一致：…") or (False, a Chinese message naming every difference: 方法版本不同 /
    候选名单与抽取时不一致 (who was added, removed or has another use count) / 排序不一致 (first differing place) /
    排除记录与抽取时不一致).
    """
    try:
        rec = stored if isinstance(stored, DrawResult) else DrawResult.from_dict(stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False, "抽取记录不完整，无法复核"
    if rec.method_version != METHOD_VERSION:
        return False, (f"方法版本不同：记录为“{rec.method_version}”，本系统为“{METHOD_VERSION}”，"
                       "不能按原方法复算")
    pool = list(pool)
    try:
        on = rec.inputs.get("today") if isinstance(rec.inputs, Mapping) else None
        new = draw(request, pool, history, policy, seed=rec.seed, drawn_at=rec.drawn_at, keep_inputs=False,
                   today=_draw_day(on, rec.drawn_at))
    except DomainError as e:
        return False, f"无法复核：{e.message}"
    names: dict[Any, str] = {x.expert_id: x.name for x in rec.exclusions}
    if isinstance(rec.inputs, Mapping):  # names of experts no longer in the pool
        names.update({x.get("id"): str(x.get("name") or "") for x in rec.inputs.get("pool") or ()
                      if isinstance(x, Mapping)})
    names.update({x.get("id"): str(x.get("name") or "") for x in pool})
    problems: list[str] = []

    for sp, order in rec.orders.items():  # the record against its own hash: an edited order or count shows here
        counts = _candidates(rec, sp)
        if None in counts.values() or eligible_list_hash(sp, counts.items()) != rec.eligible_hash.get(sp):
            problems.append(f"候选名单与抽取时不一致：专业 {sp} 记录的名单与其校验值不符（记录可能被改动）")
    if (new.policy_id, new.request_id) != (rec.policy_id, rec.request_id):
        problems.append(f"申请或策略与记录不一致：记录为申请{rec.request_id}（{rec.policy_id}），"
                        f"复算为申请{new.request_id}（{new.policy_id}）")
    if list(new.orders) != list(rec.orders):
        problems.append(f"所需专业与抽取时不一致：记录为 {'、'.join(rec.orders) or '无'}，"
                        f"复算为 {'、'.join(new.orders) or '无'}")
    for sp in (s for s in rec.orders if s in new.orders):
        if new.eligible_hash[sp] != rec.eligible_hash.get(sp):
            old, now = _candidates(rec, sp), _candidates(new, sp)
            parts = []
            if now.keys() - old.keys():
                parts.append("新增 " + _who(now.keys() - old.keys(), names))
            if old.keys() - now.keys():
                parts.append("减少 " + _who(old.keys() - now.keys(), names))
            changed = [i for i in old.keys() & now.keys() if old[i] != now[i]]
            if changed:
                parts.append("使用次数变化 " + _who(changed, names))
            problems.append(f"候选名单与抽取时不一致（专业 {sp}）：" + ("；".join(parts) or "校验值不同"))
        if new.orders[sp] != rec.orders[sp]:
            a, b = rec.orders[sp], new.orders[sp]
            n = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            was = _who([a[n]], names) if n < len(a) else "（无）"
            now_ = _who([b[n]], names) if n < len(b) else "（无）"
            problems.append(f"排序不一致（专业 {sp}）：第{n + 1}位记录为{was}，复算为{now_}")
    old_x = {(x.expert_id, x.rule) for x in rec.exclusions}
    old_counts, new_counts = rec.exclusion_counts(), _counts(new.exclusions)
    # a compact record: compare whom it lists by name, the counts per rule, and the digest of the full list
    new_x = {(x.expert_id, x.rule) for x in (listed(new.exclusions) if rec.compact else new.exclusions)}
    parts = [f"{names.get(i) or '专家'}（{i}号）" + (f"记录为“{EXCLUSION_RULES.get(r, r)}”" if (i, r) in old_x
                                                    else f"复算为“{EXCLUSION_RULES.get(r, r)}”")
             for i, r in sorted(old_x ^ new_x, key=lambda p: (str(p[0]), p[1]))]
    more = f"等{len(parts)}处" if len(parts) > 5 else ""
    parts = parts[:5]
    if rec.compact:
        named = {r for _, r in old_x ^ new_x}
        parts += [f"“{EXCLUSION_RULES.get(r, r)}”记录为{old_counts.get(r, 0)}人，复算为{new_counts.get(r, 0)}人"
                  for r in dict.fromkeys([*old_counts, *new_counts])
                  if old_counts.get(r, 0) != new_counts.get(r, 0) and r not in named]
        if not parts and exclusion_digest(new.exclusions) != rec.exclusion_digest:
            parts.append("各规则人数相同，但逐人排除名单的校验值不同（有人换了排除规则）")
    if parts:
        problems.append("排除记录与抽取时不一致：" + "；".join(parts) + more)

    if problems:
        return False, "；".join(problems)
    total = sum(len(o) for o in rec.orders.values())
    return True, (f"复核一致：按记录的随机种子和方法（{METHOD_VERSION}）复算，{len(rec.orders)}个专业的候选名单校验值和"
                  f"完整排序（共{total}人次）与记录相同，排除{sum(old_counts.values())}人的规则相同")


def snapshot_pool(inputs: Mapping[str, Any], snapshot: Mapping[str, Any] | None = None) -> list:
    """The pool a record's draw read: inside `inputs` (a full record), or the snapshot it names by hash (a compact
    record) — checked against that hash. DomainError (Chinese) when it is missing or does not match."""
    if "pool" in inputs:
        return list(inputs["pool"] or ())
    want = inputs.get("pool_snapshot")
    if not isinstance(want, str) or not want:
        raise DomainError("记录中保存的抽取输入不完整，无法复算")
    if not isinstance(snapshot, Mapping) or not isinstance(snapshot.get("experts"), list):
        raise DomainError(f"找不到本次抽取的专家名单快照（校验值 {want[:12]}…），无法复算")
    if pool_snapshot_hash(snapshot) != want:
        raise DomainError(f"专家名单快照与记录的校验值（{want[:12]}…）不符：快照可能被改动，无法复算")
    return snapshot["experts"]


def _replay_inputs(stored: Mapping[str, Any] | DrawResult, snapshot: Mapping[str, Any] | None):
    inputs = stored.inputs if isinstance(stored, DrawResult) else (stored or {}).get("inputs")
    if not inputs:
        raise DomainError("记录中没有保存抽取时的输入，无法复算")
    try:
        params = DrawParams.from_dict(inputs["params"])
        request, history = inputs["request"], _history_lines(inputs)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DomainError("记录中保存的抽取输入不完整，无法复算") from None
    return inputs, request, snapshot_pool(inputs, snapshot), history, params


def replay(stored: Mapping[str, Any] | DrawResult, snapshot: Mapping[str, Any] | None = None) -> tuple[bool, str]:
    """复核 from the record alone: recompute from the inputs the draw kept and compare. A compact record needs the
    pool snapshot it names (`snapshot`: the stored document or {"experts": […]}), checked against its hash."""
    try:
        inputs, request, pool, history, params = _replay_inputs(stored, snapshot)
    except DomainError as e:
        return False, e.message
    ok, message = verify(stored, request, pool, history, params)
    if ok and "pool" not in inputs:
        message += f"；专家名单取自抽取快照（校验值 {inputs['pool_snapshot'][:12]}…，与快照内容相符）"
    return ok, message


def full_exclusions(stored: Mapping[str, Any] | DrawResult,
                    snapshot: Mapping[str, Any] | None = None) -> tuple[Exclusion, ...]:
    """查看全部排除: every exclusion of a draw with its rule and reason. A full record lists them; a compact one is
    recomputed from its inputs and pool snapshot and must match the record's digest and counts (DomainError else)."""
    try:
        rec = stored if isinstance(stored, DrawResult) else DrawResult.from_dict(stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DomainError("抽取记录不完整，无法列出全部排除") from None
    if not rec.compact:
        return rec.exclusions
    _, request, pool, history, params = _replay_inputs(rec, snapshot)
    on = rec.inputs.get("today")
    new = draw(request, pool, history, params, seed=rec.seed, drawn_at=rec.drawn_at, keep_inputs=False,
               today=_draw_day(on, rec.drawn_at))
    if exclusion_digest(new.exclusions) != rec.exclusion_digest or _counts(new.exclusions) != rec.exclusion_counts():
        raise DomainError("由抽取快照复算的排除名单与记录的校验值不符，请先“复核本次抽取”查明原因")
    return new.exclusions
