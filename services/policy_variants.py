"""策略变体 — saved what-if variants of a policy profile, and the profile read out as a Word document (X-P3).

A variant is a base profile (policies/*.toml, never written here) plus a set of changed parameters
({dotted path as in Policy.variant: value}), validated by the same pydantic models as the base profiles
(core.policy_edit.make_variant) before it is stored, with its name (required, unique), author, time and note, in
the collection "policy_variants". `load_variant` rebuilds the variant as a Policy for the impact page
(services/impact.py). `profile_document` renders 政策规则说明 (templates_docx/policy_profile_政策规则说明.docx,
context from core/policy_doc.py) for a base profile or a saved variant. Making, copying and deleting variants
needs the make_variants permission; reading needs none beyond seeing the page.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

import forms
from core.auth import can
from core.errors import DuplicateError, NotFoundError, PermissionDenied, ValidationError
from core.policy import Policy, PolicyError
from core.policy_doc import DOC_TITLE, profile_doc_context
from core.policy_edit import diff, make_variant, parameter_map, parse_value
from services.context import AppContext, User

COLLECTION = "policy_variants"
TEMPLATE = "policy_profile_政策规则说明.docx"
VARIANT_PREFIX = "variant:"
NAME_MAX = 60
NOTE_MAX = 2000


def _require(actor: User) -> None:
    if not can(actor.role, "make_variants"):
        raise PermissionDenied("只有专家管理办公室、管理员和领导可以制作政策变体")


def _base(ctx: AppContext, base_id: str) -> Policy:
    try:
        return ctx.policies[base_id]
    except KeyError:
        raise ValidationError(("base_id", f"没有名为“{base_id}”的基础策略")) from None


def _norm(name: str) -> str:
    return "".join(str(name).split()).casefold()


def _encode(value: Any) -> Any:
    """A typed parameter value as JSON: dates ISO, money as a Decimal string, lists as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, tuple):
        return list(value)
    return value


def decode_changes(base: Policy, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Stored or typed-in changes → typed values (parse_value of each parameter); an unknown parameter or a
    value of the wrong type is a PolicyError naming the parameter."""
    params = parameter_map(base)
    typed: dict[str, Any] = {}
    unknown = [p for p in changes if p not in params]
    if unknown:
        raise PolicyError(f"策略“{base.short_name}”没有参数 {'、'.join(unknown)}",
                          problems=[(p, "没有这个参数") for p in unknown])
    for path, raw in changes.items():
        typed[path] = parse_value(params[path], raw)
    return typed


def effective_changes(base: Policy, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The typed changes that really differ from the base's values."""
    params = parameter_map(base)
    typed = decode_changes(base, changes)
    return {p: v for p, v in typed.items() if v != params[p].value}


def save_variant(ctx: AppContext, actor: User, base_id: str, name: str, note: str,
                 changes: Mapping[str, Any], *, derived_from: int | None = None) -> int:
    """Validate and store a variant; returns its id. Nothing is stored when anything is wrong."""
    _require(actor)
    base = _base(ctx, base_id)
    name = (name or "").strip()
    note = (note or "").strip()
    if not name:
        raise ValidationError(("name", "请填写变体名称"))
    if len(name) > NAME_MAX:
        raise ValidationError(("name", f"变体名称不能超过 {NAME_MAX} 个字"))
    if len(note) > NOTE_MAX:
        raise ValidationError(("note", f"说明不能超过 {NOTE_MAX} 个字"))
    repo = ctx.store.collection(COLLECTION)
    clash = [v for v in repo.all() if _norm(v.get("name", "")) == _norm(name)]
    if clash:
        raise DuplicateError(f"已有名为“{clash[0]['name']}”的政策变体，请换一个名称", clash[0]["id"])
    typed = effective_changes(base, changes)
    if not typed:
        raise ValidationError(("changes", "变体没有修改任何参数"))
    make_variant(base, typed, label=f"变体“{name}”")  # the same validation as the base profiles
    doc = {"base_id": base_id, "name": name, "author": actor.display_name, "author_username": actor.username,
           "created": ctx.now().replace(microsecond=0).isoformat(), "note": note,
           "changes": {p: _encode(v) for p, v in typed.items()}, "derived_from": derived_from}
    return repo.insert(doc, actor=actor.username, action="保存政策变体", unique=("name",))


def list_variants(ctx: AppContext) -> list[dict]:
    """Saved variants, newest first, each with `base_name` and `change_count` added."""
    out = []
    for v in ctx.store.collection(COLLECTION).all():
        base = ctx.policies.get(v.get("base_id"))
        out.append({**v, "base_name": base.short_name if base else f"（策略 {v.get('base_id')} 已不存在）",
                    "change_count": len(v.get("changes") or {})})
    return sorted(out, key=lambda v: (v.get("created", ""), v["id"]), reverse=True)


def get(ctx: AppContext, variant_id: int) -> dict:
    doc = ctx.store.collection(COLLECTION).get(int(variant_id))
    if doc is None:
        raise NotFoundError(f"找不到编号为 {variant_id} 的政策变体")
    base = ctx.policies.get(doc.get("base_id"))
    return {**doc, "base_name": base.short_name if base else "", "change_count": len(doc.get("changes") or {})}


def load_variant(ctx: AppContext, variant_id: int) -> Policy:
    """The saved variant as a Policy: its base profile with the stored changes applied and validated."""
    doc = get(ctx, variant_id)
    base = ctx.policies.get(doc["base_id"])
    if base is None:
        raise NotFoundError(f"政策变体“{doc['name']}”的基础策略 {doc['base_id']} 已不存在")
    return make_variant(base, decode_changes(base, doc.get("changes") or {}), label=f"变体“{doc['name']}”")


def delete(ctx: AppContext, actor: User, variant_id: int) -> None:
    _require(actor)
    doc = get(ctx, variant_id)
    ctx.store.collection(COLLECTION).delete(doc["id"], actor=actor.username, action="删除政策变体")


def _copy_name(ctx: AppContext, name: str) -> str:
    taken = {_norm(v.get("name", "")) for v in ctx.store.collection(COLLECTION).all()}
    candidate = f"{name}（副本）"
    n = 2
    while _norm(candidate) in taken:
        candidate = f"{name}（副本{n}）"
        n += 1
    return candidate


def duplicate(ctx: AppContext, actor: User, variant_id: int, name: str | None = None) -> int:
    """A copy of a saved variant under a new name (default “…（副本）”), to change further."""
    _require(actor)
    doc = get(ctx, variant_id)
    return save_variant(ctx, actor, doc["base_id"], name or _copy_name(ctx, doc["name"]), doc.get("note", ""),
                        doc.get("changes") or {}, derived_from=doc["id"])


# ---------------------------------------------------------------------------------------------------------------
# Choosing a profile to read / compare: base profiles by id, saved variants as "variant:<id>"
# ---------------------------------------------------------------------------------------------------------------
def profile_choices(ctx: AppContext) -> dict[str, str]:
    """Every readable profile: the base profiles ('jincheng-2026' → '晋城市 2026（…号）') and the saved variants
    ('variant:3' → '变体：年龄65（基于 阳泉市 2024）')."""
    choices = {pid: f"{p.short_name}（{p.document_number}）" for pid, p in sorted(ctx.policies.items())}
    for v in list_variants(ctx):
        choices[f"{VARIANT_PREFIX}{v['id']}"] = f"变体：{v['name']}（基于 {v['base_name']}）"
    return choices


def resolve(ctx: AppContext, ref: str) -> Policy:
    """A choice of profile_choices → the Policy."""
    if ref.startswith(VARIANT_PREFIX):
        return load_variant(ctx, int(ref[len(VARIANT_PREFIX):]))
    if ref not in ctx.policies:
        raise NotFoundError(f"找不到策略 {ref}")
    return ctx.policies[ref]


def base_of(ctx: AppContext, ref: str) -> tuple[str, dict[str, Any]]:
    """Where an edit starting from `ref` begins: (base profile id, typed changes already made)."""
    if ref.startswith(VARIANT_PREFIX):
        doc = get(ctx, int(ref[len(VARIANT_PREFIX):]))
        base = _base(ctx, doc["base_id"])
        return doc["base_id"], decode_changes(base, doc.get("changes") or {})
    _base(ctx, ref)
    return ref, {}


# ---------------------------------------------------------------------------------------------------------------
# 政策规则说明 (Word)
# ---------------------------------------------------------------------------------------------------------------
def document_filename(ctx: AppContext, ref: str) -> str:
    """File name of 政策规则说明 for `ref`, known before the document is built (for a download button)."""
    if ref.startswith(VARIANT_PREFIX):
        label = get(ctx, int(ref[len(VARIANT_PREFIX):]))["name"]
    else:
        label = resolve(ctx, ref).short_name
    return _safe(f"{DOC_TITLE}_{label}_{ctx.today().isoformat()}.docx")


def profile_document(ctx: AppContext, ref: str) -> tuple[str, bytes]:
    """(file name, .docx bytes) of 政策规则说明 for a base profile or a saved variant ("variant:<id>"); a variant's
    changed parameters are marked 变体修改 with their base value."""
    policy = resolve(ctx, ref)
    variant = changed = None
    if ref.startswith(VARIANT_PREFIX):
        variant = get(ctx, int(ref[len(VARIANT_PREFIX):]))
        changed = {row.path: row.old for row in diff(ctx.policies[variant["base_id"]], policy)}
    context = profile_doc_context(policy, printed_on=ctx.today(), variant=variant, changed=changed)
    return document_filename(ctx, ref), forms.render(TEMPLATE, context)


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|\n\r\t' else ch for ch in name)


def sample_form_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict] | None:
    """For the template report / lint (services.forms_service): the context of 政策规则说明 when `form_id` names it
    (a profile form whose template is policy_profile_政策规则说明.docx, or an id ending in “policy_profile”)."""
    template = None
    try:
        template = policy.form(form_id).template
    except Exception:  # noqa: BLE001 — a profile without this form, or a stand-in object
        pass
    if template != TEMPLATE and not str(form_id).endswith("policy_profile"):
        return None
    return profile_doc_context(policy, printed_on=today), {}


def document_sample(policy: Policy, today: date) -> tuple[str, dict, dict]:
    """(template, context, images) of 政策规则说明 for a profile — for template tests that cover documents no
    profile lists as a form."""
    return TEMPLATE, profile_doc_context(policy, printed_on=today), {}
