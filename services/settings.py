"""系统设置 — the installation's active policy profile, chosen by an admin (X-P1).

Every record a service creates stores the `policy_id` it was made under, so a later change of profile never
rewrites history.
"""
from __future__ import annotations

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, ValidationError
from core.policy import Policy
from services.context import AppContext, User

SETTINGS = "settings"
ACTIVE_POLICY_KEY = "active_policy"
DEFAULT_POLICY_ID = "jincheng-2026"


def _setting(ctx: AppContext, key: str) -> dict | None:
    found = ctx.store.collection(SETTINGS).search(lambda d: d.get("key") == key)
    return found[0] if found else None


def active_policy_id(ctx: AppContext) -> str:
    doc = _setting(ctx, ACTIVE_POLICY_KEY)
    if doc and doc.get("value") in ctx.policies:
        return doc["value"]
    return DEFAULT_POLICY_ID if DEFAULT_POLICY_ID in ctx.policies else sorted(ctx.policies)[0]


def active_policy(ctx: AppContext) -> Policy:
    return ctx.policies[active_policy_id(ctx)]


def policy_choices(ctx: AppContext) -> dict[str, str]:
    """Profile id → a label for a select box, e.g. '晋城市 2026（晋市应急安技发[2026]63号）'."""
    return {pid: f"{p.short_name}（{p.document_number}）" for pid, p in sorted(ctx.policies.items())}


def set_active_policy(ctx: AppContext, actor: User, policy_id: str) -> None:
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以更改当前政策")
    if policy_id not in ctx.policies:
        raise ValidationError(("policy_id", f"没有名为 {policy_id} 的政策文件"))
    _put(ctx, actor, ACTIVE_POLICY_KEY, policy_id, "切换当前政策")


def _put(ctx: AppContext, actor: User, key: str, value, action: str) -> None:
    repo = ctx.store.collection(SETTINGS)
    doc = _setting(ctx, key)
    if doc is None:
        repo.insert({"key": key, "value": value}, actor=actor.username, action=action, unique=("key",))
    elif doc.get("value") != value:
        repo.update(doc["id"], {"value": value}, actor=actor.username, action=action)


def require_policy(ctx: AppContext, policy_id: str) -> Policy:
    try:
        return ctx.policies[policy_id]
    except KeyError:
        raise NotFoundError(f"找不到政策 {policy_id}") from None
