"""演示数据删除计划 — from plain copies of the collections, decide exactly which records 删除全部演示数据 would
delete and which real records stand in its way. Pure: no store, no clock; the service re-computes the plan at the
moment it deletes and refuses if its fingerprint differs from the one the admin confirmed.

What goes: the demo experts (`is_demo`), the demo requests (`is_demo`) and everything that hangs off them
(assignments, draws, evaluations, work records, assistance, the events and proposals those evaluations raised),
budgets and training sessions marked `is_demo`, and records whose only subject is a demo expert (a dismissal case,
an annual assessment, a reminder talk, a proposal, an application or photo of that fictitious person, an
appointment round of demo experts only) — these would otherwise point at a person who no longer exists.

What blocks: a REAL record (not demo, not made by the demo history) that involves a demo expert together with real
business — an invitation or a rating of a demo expert in a real request, a real request whose open draw still
ranks demo experts (a decline would invite one of them next), a real training session a demo expert attended,
an appointment round mixing real and demo experts, or any record of a collection this module does not know that
names a demo expert. Deleting the demo experts under those records would leave a real request inviting a person
who is gone (抽取委派 showed a traceback, 劳务报酬 refused the statement), so removal is refused and each blocking
record is listed; the office corrects them (e.g. 更正参训人员) or keeps the demo pool.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# request-linked collections (deleted when the request is a demo one); order = delete order
REQUEST_LINKED = ("assignments", "draws", "evaluations", "work_records", "assistance", "events", "proposals")
# records whose subject is one expert
SUBJECT = ("events", "proposals", "dismissals", "assessments", "applications", "photos")
MARKED = ("budgets", "trainings")
DELETE_ORDER = ("assignments", "draws", "evaluations", "work_records", "assistance", "events", "proposals",
                "dismissals", "assessments", "applications", "photos", "rounds", "budgets", "trainings",
                "requests", "experts")
KNOWN = frozenset(DELETE_ORDER) | {"users", "settings", "policy_variants"}
CLOSED_REQUEST_STATUSES = ("已完成", "不同意", "已撤回")
EXPERT_LIST_FIELDS = ("expert_ids", "attendees", "members")

KIND_LABELS = {
    "experts": "演示专家", "requests": "使用申请", "assignments": "邀请与委派", "draws": "抽取记录",
    "evaluations": "服务评价", "work_records": "工作记录（工作卡）", "assistance": "技术帮扶记录",
    "events": "提醒谈话等事件", "proposals": "解聘建议", "dismissals": "解聘清退事项", "assessments": "年度考核记录",
    "applications": "入库申报资料", "photos": "照片", "rounds": "聘任批次", "budgets": "劳务报酬预算",
    "trainings": "培训记录",
}


@dataclass(frozen=True)
class Blocker:
    """A real record that involves a demo expert; `text` says which record and which expert, in Chinese."""
    collection: str
    record_id: int
    text: str


@dataclass(frozen=True)
class RemovalPlan:
    """`removals[collection]` = ids to delete (in DELETE_ORDER); `subject_only` = how many of them are not marked
    demo but are about a demo expert only; `blockers` = why removal must not run now."""
    removals: dict[str, tuple[int, ...]]
    blockers: tuple[Blocker, ...]
    subject_only: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.blockers

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.removals.values())

    @property
    def empty(self) -> bool:
        return self.total == 0 and not self.blockers

    def counts(self) -> list[tuple[str, str, int]]:
        """(collection, Chinese label, count) for every collection with something to delete, in delete order."""
        return [(name, KIND_LABELS.get(name, name), len(ids)) for name, ids in self.removals.items() if ids]


def _ids(values: Any) -> list:
    return list(values) if isinstance(values, (list, tuple, set)) else []


def _demo_made(doc: dict) -> bool:
    """Marked demo, or written by the demo history's own users ("demo:<admin>")."""
    if doc.get("is_demo"):
        return True
    return any(str(doc.get(k) or "").startswith("demo:") for k in ("by", "filed_by", "recorded_by", "created_by"))


def _who(demo: Mapping[int, str], expert_id: Any) -> str:
    return f"{demo.get(expert_id, '')}（演示专家 #{expert_id}）"


def _request_label(req: dict | None, request_id: Any) -> str:
    if req is None:
        return f"使用申请 #{request_id}"
    matter = str(req.get("matter") or "")
    return f"使用申请 #{request_id}（非演示，{req.get('department', '')}：{matter[:30]}）"


def plan_removal(collections: Mapping[str, Iterable[dict]]) -> RemovalPlan:
    """The removal plan for the given collections (name → every document)."""
    data = {name: list(docs) for name, docs in collections.items()}
    demo = {e["id"]: str(e.get("name") or "") for e in data.get("experts", ()) if e.get("is_demo")}
    requests = {r["id"]: r for r in data.get("requests", ())}
    demo_requests = {rid for rid, r in requests.items() if r.get("is_demo")}
    removals: dict[str, list[int]] = {}
    subject_only: dict[str, int] = {}
    blockers: list[Blocker] = []

    def remove(name: str, doc: dict, *, subject: bool = False) -> None:
        removals.setdefault(name, []).append(doc["id"])
        if subject:
            subject_only[name] = subject_only.get(name, 0) + 1

    def block(name: str, doc: dict, text: str) -> None:
        blockers.append(Blocker(name, doc["id"], text))

    for name in REQUEST_LINKED:
        for doc in data.get(name, ()):
            rid = doc.get("request_id")
            if rid is not None and rid in demo_requests:
                remove(name, doc)
                continue
            if name in SUBJECT:
                continue  # handled below as a record about one expert
            req = requests.get(rid)
            label = _request_label(req, rid)
            if name == "assignments" and doc.get("expert_id") in demo:
                block(name, doc, f"{label}的委派专家 {_who(demo, doc['expert_id'])}（委派状态：{doc.get('status', '')}）")
            elif name == "evaluations":
                rated = [r.get("expert_id") for r in doc.get("ratings") or () if r.get("expert_id") in demo]
                if rated:
                    block(name, doc, f"{label}的服务评价 #{doc['id']} 评价了 " + "、".join(_who(demo, i) for i in rated))
            elif name == "draws":
                if req is not None and req.get("status") in CLOSED_REQUEST_STATUSES:
                    continue  # a closed request never invites from its order again; the draw keeps the names
                ranked = sorted({i for order in ((doc.get("result") or {}).get("orders") or {}).values()
                                 for i in order if i in demo})
                if ranked:
                    block(name, doc, f"{label}尚未办结，其抽取记录第{doc.get('seq', '')}次的排序名单含 {len(ranked)} 名"
                                     f"演示专家（如 {_who(demo, ranked[0])}），有人拒绝时会依次邀请他们")
            elif doc.get("expert_id") in demo:
                block(name, doc, f"{label}的{KIND_LABELS.get(name, name)} #{doc['id']} 涉及 {_who(demo, doc['expert_id'])}")
    handled = {(n, i) for n, ids in removals.items() for i in ids}

    for name in SUBJECT:
        for doc in data.get(name, ()):
            if (name, doc["id"]) in handled or doc.get("expert_id") not in demo:
                continue
            rid = doc.get("request_id")
            if rid is not None and rid not in demo_requests and rid in requests:
                block(name, doc, f"{KIND_LABELS.get(name, name)} #{doc['id']}（由{_request_label(requests[rid], rid)}"
                                 f"产生）涉及 {_who(demo, doc['expert_id'])}")
            else:
                remove(name, doc, subject=not _demo_made(doc))

    for doc in data.get("rounds", ()):
        members = _ids(doc.get("members"))
        demo_members = [i for i in members if i in demo]
        if demo_members and len(demo_members) == len(members):
            remove("rounds", doc, subject=not _demo_made(doc))
        elif demo_members:
            block("rounds", doc, f"聘任批次 #{doc['id']}“{doc.get('name', '')}”同时含真实专家和演示专家 "
                                 + "、".join(_who(demo, i) for i in demo_members[:5]))

    for name in MARKED:
        for doc in data.get(name, ()):
            if doc.get("is_demo"):
                remove(name, doc)
            elif name == "trainings":
                attended = [i for i in _ids(doc.get("attendees")) if i in demo]
                if attended:
                    block(name, doc, f"培训 #{doc['id']}“{doc.get('title', '')}”（非演示）的参训专家含 "
                                     + "、".join(_who(demo, i) for i in attended[:5])
                                     + (f" 等 {len(attended)} 人" if len(attended) > 5 else "")
                                     + "（可在“专家培训”中更正参训人员）")

    for rid in sorted(demo_requests):
        removals.setdefault("requests", []).append(rid)
    for eid in sorted(demo):
        removals.setdefault("experts", []).append(eid)

    for name in sorted(set(data) - KNOWN):  # a collection added later: never delete blindly, never lose a link
        for doc in data[name]:
            named = [doc.get("expert_id")] + [i for f in EXPERT_LIST_FIELDS for i in _ids(doc.get(f))]
            hits = sorted({i for i in named if i in demo})
            if hits:
                block(name, doc, f"集合 {name} 的记录 #{doc.get('id')} 涉及 " + "、".join(_who(demo, i) for i in hits[:5]))

    ordered = {name: tuple(sorted(set(removals[name]))) for name in DELETE_ORDER if removals.get(name)}
    return RemovalPlan(ordered, tuple(blockers), subject_only,
                       fingerprint(ordered, blockers))


def fingerprint(removals: Mapping[str, tuple[int, ...]], blockers: Iterable[Blocker]) -> str:
    """A short hash of exactly what would be deleted and what blocks it: a plan confirmed on screen is executed only
    if the store still gives the same plan."""
    payload = json.dumps({"remove": {k: list(v) for k, v in removals.items()},
                          "block": sorted([b.collection, b.record_id] for b in blockers)},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def blocking_message(plan: RemovalPlan, limit: int = 10) -> str:
    """The Chinese refusal listing the first `limit` blocking records."""
    shown = "；".join(b.text for b in plan.blockers[:limit])
    more = f"；另有 {len(plan.blockers) - limit} 条" if len(plan.blockers) > limit else ""
    return (f"不能删除演示数据：有 {len(plan.blockers)} 条真实（非演示）记录用到了演示专家，删除后这些记录将指向不存在的专家："
            f"{shown}{more}。请先处理这些记录，或保留演示数据。")
