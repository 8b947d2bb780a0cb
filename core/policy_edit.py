"""策略变体编辑 — every parameter of a policy profile as an editable, labelled, typed value (X-P3, issue 6 §2).

`editable_parameters(policy)` walks the profile's pydantic model tree (core/policy.py) and lists every leaf
parameter with the dotted path `Policy.variant` understands (list items expanded by index, e.g.
"taxonomy.sectors.0.cap", "scoring.items.2.bands.1.points"), a Chinese label built from the field descriptions
and the item's own name, the value type (整数、是否、文字、日期、金额、选项、文字列表) and the current value. The list
is generated from the model, so the editor cannot fall behind it. `parse_value` turns what a user typed into the
typed value; `make_variant` applies changes through `Policy.variant` (the same validation as the base profiles)
and names the parameter's label in every error; `diff` lists what differs between two profiles — a variant and
its base, or the two cities' profiles (lists of different length are matched by code/key, unmatched items shown
as 新增/删除). Pure: stdlib + pydantic + core only.
"""
from __future__ import annotations

import re
import types
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Iterator, Literal, Mapping, Union, get_args, get_origin

from pydantic import BaseModel

from core import vocab
from core.policy import Policy, PolicyError

__all__ = [
    "Parameter", "DiffRow", "KIND_LABELS", "editable_parameters", "parameter_map", "parse_value", "make_variant",
    "diff", "label_for_path", "short_description", "item_name", "leaf_fields", "pattern_of", "format_value",
    "section_title", "SECTION_META",
]

KIND_LABELS = {"int": "整数", "bool": "是/否", "text": "文字", "date": "日期", "money": "金额（元）",
               "choice": "选项", "list": "文字列表（每行一项）"}

# Text fields whose allowed values are a vocabulary (core/policy.py checks them in validators): offered as choices.
_VOCAB_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Eligibility", "min_title_level"): vocab.TITLE_LEVELS,
    ("Eligibility", "out_of_city_min_title_level"): vocab.TITLE_LEVELS,
    ("Eligibility", "min_education"): vocab.EDUCATION_LEVELS,
    ("SpecialExpertPath", "min_title_level"): vocab.TITLE_LEVELS,
    ("OutOfPoolRule", "min_title_level"): vocab.TITLE_LEVELS,
    ("AgeLimit", "kind"): vocab.EXPERT_KINDS,
    ("IntakeKind", "kind"): vocab.EXPERT_KINDS,
    ("Transition", "from_state"): vocab.EXPERT_STATES,
    ("Transition", "to_state"): vocab.EXPERT_STATES,
}

# Fields every policy section (_Section) carries: shown as the section's source and notes, not as parameters of
# the rule itself (they are still editable).
SECTION_META = ("source", "set_locally", "notes")

_EMPTY = "（无）"

# Fields whose description opens with the codes it allows rather than a name.
_LABEL_OVERRIDES = {("ScoreItem", "method"): "打分方式", ("ScoreBonus", "method"): "判断方式",
                    ("ScoreItem", "derive_from"): "自动计分依据", ("FeeRateVersion", "set_locally"): "本地设置的标准"}


@dataclass(frozen=True)
class Parameter:
    """One editable leaf parameter of a profile."""
    path: str                    # "eligibility.age_limits.0.max_age"
    label: str                   # "选聘条件 › 年龄上限「普通专家·男」 › 年龄上限"
    section: str                 # top-level field: "eligibility" ("" for the profile's own fields)
    kind: str                    # int | bool | text | date | money | choice | list
    value: Any                   # current value (int, bool, str, date, Decimal, tuple[str, ...] or None)
    optional: bool = False       # None (未规定) is allowed
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""               # the field's full description
    field_name: str = ""         # the model field's own name ("max_age")
    model: str = ""              # the model class ("AgeLimit")
    item_source: str = ""        # the `source` of the nearest list item / section above it

    @property
    def pattern(self) -> str:
        """The path with list indexes as [] (as core.policy.iter_field_docs writes it)."""
        return pattern_of(self.path)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def short_label(self) -> str:
        """The label without the section title."""
        return self.label.split(" › ", 1)[1] if " › " in self.label else self.label


@dataclass(frozen=True)
class DiffRow:
    """One parameter that differs: old → new (display texts; "（无）" when one side does not have it)."""
    path: str
    label: str
    old: str
    new: str
    section: str = ""


# ---------------------------------------------------------------------------------------------------------------
# Walking the model
# ---------------------------------------------------------------------------------------------------------------
def pattern_of(path: str) -> str:
    """"taxonomy.sectors.0.cap" → "taxonomy.sectors[].cap"."""
    return re.sub(r"\.\d+(?=\.|$)", "[]", path)


def short_description(description: str | None) -> str:
    """The head of a field description: "年龄上限（周岁，含）" → "年龄上限"."""
    text = (description or "").strip()
    head = re.split(r"[（(：:；;，,。]", text, maxsplit=1)[0].strip()
    return head or text or "（未命名）"


def _words(model: type[BaseModel], name: str) -> str:
    return _LABEL_OVERRIDES.get((model.__name__, name)) or short_description(model.model_fields[name].description)


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) < len(get_args(annotation)) and len(args) == 1:
            return args[0], True
    return annotation, False


def _unannotate(annotation: Any) -> tuple[Any, list[Any]]:
    metadata: list[Any] = []
    while get_origin(annotation) is Annotated:
        args = get_args(annotation)
        annotation = args[0]
        for meta in args[1:]:
            metadata.extend(getattr(meta, "metadata", None) or [meta])
    return annotation, metadata


def _field_type(info: Any) -> tuple[Any, bool, list[Any]]:
    """(bare annotation, optional, constraint metadata) of a pydantic FieldInfo."""
    ann, optional = _strip_optional(info.annotation)
    ann, metadata = _unannotate(ann)
    return ann, optional, list(info.metadata) + metadata


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tuple_item(annotation: Any) -> Any | None:
    if get_origin(annotation) is tuple:
        args = get_args(annotation)
        if args:
            return _unannotate(args[0])[0]
    return None


def _bounds(metadata: list[Any]) -> tuple[int | None, int | None]:
    lo = hi = None
    for m in metadata:
        if getattr(m, "gt", None) is not None:
            lo = int(m.gt) + 1
        if getattr(m, "ge", None) is not None:
            lo = int(m.ge)
        if getattr(m, "le", None) is not None:
            hi = int(m.le)
        if getattr(m, "lt", None) is not None:
            hi = int(m.lt) - 1
    return lo, hi


def leaf_fields(model: type[BaseModel] = Policy, prefix: str = "") -> Iterator[str]:
    """Every leaf field pattern of the model tree ("taxonomy.sectors[].cap"): the yardstick the editor and the
    reader are tested against."""
    for name, info in model.model_fields.items():
        ann, _opt, _meta = _field_type(info)
        item = _tuple_item(ann)
        if _is_model(ann):
            yield from leaf_fields(ann, f"{prefix}{name}.")
        elif item is not None and _is_model(item):
            yield from leaf_fields(item, f"{prefix}{name}[].")
        else:
            yield f"{prefix}{name}"


def item_name(item: BaseModel, index: int) -> str:
    """A short name for one element of a list of models, for labels: "1 煤矿", "普通专家·男", "第2档"…"""
    get = lambda attr: getattr(item, attr, None)  # noqa: E731
    cls = type(item).__name__
    if cls == "ScoreBand":
        return f"第{index + 1}档"
    if cls == "AgeLimit":
        return f"{item.kind}·{item.gender}" if item.gender else f"{item.kind}"
    if cls == "Transition":
        return f"{item.from_state}→{item.to_state}"
    if cls == "FeeRateVersion":
        return f"{item.effective_from.isoformat()} 起"
    if cls == "DismissalReason":
        return f"（{item.numeral}）"
    if cls == "EvaluationIndicator":
        return f"指标{item.number}"
    if cls == "EscalationStep":
        return f"第{item.occurrence}次"
    if cls == "DirectSelectionReason":
        return f"情形（{item.code}）"
    if cls == "LevelPoints":
        return str(item.level)
    if get("short_name"):
        name = get("short_name")
    elif get("code") and get("name"):
        name = f"{get('code')} {get('name')}"
    elif cls == "FormSpec":
        name = f"{item.annex}{item.title}"
    elif get("label"):
        name = get("label")
    elif get("name"):
        name = get("name")
    elif get("kind"):
        name = get("kind")
    else:
        name = f"第{index + 1}项"
    name = str(name)
    return name if len(name) <= 24 else name[:23] + "…"


def section_title(policy_or_model: Any, section: str) -> str:
    info = type(policy_or_model).model_fields.get(section) if not isinstance(policy_or_model, type) \
        else policy_or_model.model_fields.get(section)
    return short_description(info.description) if info else section


def _choices_for(model: type[BaseModel], name: str, ann: Any, item: Any) -> tuple[str, ...]:
    target = item if item is not None else ann
    if get_origin(target) is Literal:
        return tuple(str(a) for a in get_args(target))
    return _VOCAB_CHOICES.get((model.__name__, name), ())


def _kind_of(ann: Any, choices: tuple[str, ...]) -> str:
    if choices:
        return "choice"
    if ann is bool:
        return "bool"
    if ann is int:
        return "int"
    if ann is date:
        return "date"
    if ann is Decimal:
        return "money"
    if _tuple_item(ann) is not None:
        return "list"
    return "text"


def _walk(obj: BaseModel, path: str, label: str, section: str, source: str) -> Iterator[Parameter]:
    model = type(obj)
    own_source = getattr(obj, "source", None)
    if isinstance(own_source, str):
        source = own_source
    for name, info in model.model_fields.items():
        value = getattr(obj, name)
        ann, optional, metadata = _field_type(info)
        item = _tuple_item(ann)
        here = f"{path}{name}"
        sect = section or name
        words = _words(model, name)
        here_label = f"{label} › {words}" if label else words
        if _is_model(ann):
            if value is not None:
                yield from _walk(value, here + ".", here_label, sect, source)
            continue
        if item is not None and _is_model(item):
            for i, element in enumerate(value):
                yield from _walk(element, f"{here}.{i}.", f"{here_label}「{item_name(element, i)}」", sect, source)
            continue
        choices = _choices_for(model, name, ann, None if item is None else get_args(ann)[0])
        kind = "list" if item is not None else _kind_of(ann, choices)
        lo, hi = _bounds(metadata) if kind == "int" else (None, None)
        yield Parameter(path=here, label=here_label, section=section, kind=kind, value=value, optional=optional,
                        choices=choices, minimum=lo, maximum=hi, help=info.description or "", field_name=name,
                        model=model.__name__, item_source=source)


def editable_parameters(policy: Policy) -> list[Parameter]:
    """Every leaf parameter of `policy`, in model order (list items expanded by index). An optional part the
    profile leaves out (YQ has no scoring sheet) has no parameters; it can only be added as a whole."""
    out: list[Parameter] = []
    for p in _walk(policy, "", "", "", ""):
        out.append(p if p.section else replace(p, label=f"基本信息 › {p.label}"))
    return out


def parameter_map(policy: Policy) -> dict[str, Parameter]:
    return {p.path: p for p in editable_parameters(policy)}


def label_for_path(policy: Policy, path: str) -> str:
    """A Chinese label for any path under the profile — a leaf parameter or a part of it (e.g. "scoring.items.2"
    or "eligibility.age_limits"), as far as the path goes (following the model where the profile leaves a part
    out); unknown tails are shown as they are."""
    parts = [p for p in path.split(".") if p]
    node: Any = policy
    cls: Any = type(policy)
    words: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if _is_model(cls) and part in cls.model_fields:
            ann, _o, _m = _field_type(cls.model_fields[part])
            words.append(_words(cls, part))
            node = getattr(node, part) if isinstance(node, BaseModel) else None
            item = _tuple_item(ann)
            cls = ann if _is_model(ann) else item
            i += 1
            if item is not None and i < len(parts) and parts[i].isdigit():
                idx = int(parts[i])
                if isinstance(node, tuple) and idx < len(node) and isinstance(node[idx], BaseModel):
                    words[-1] += f"「{item_name(node[idx], idx)}」"
                    node = node[idx]
                else:
                    words[-1] += f"第{idx + 1}项"
                    node = None
                i += 1
            continue
        words.append(".".join(parts[i:]))
        break
    if not words:
        return path or "（整个策略）"
    top = type(policy).model_fields.get(parts[0]) if parts else None
    if top is not None:
        ann, _o, _m = _field_type(top)
        if not (_is_model(ann) or (_tuple_item(ann) is not None and _is_model(_tuple_item(ann)))):
            words.insert(0, "基本信息")
    return " › ".join(words)


# ---------------------------------------------------------------------------------------------------------------
# Reading a typed value
# ---------------------------------------------------------------------------------------------------------------
_TRUE = {"是", "true", "True", "1", "yes", "y", "对"}
_FALSE = {"否", "false", "False", "0", "no", "n", "不"}


def parse_value(param: Parameter, raw: Any) -> Any:
    """What the user entered for `param` → the typed value the model takes. Empty input means 未规定 (None) where
    the parameter is optional. Errors are PolicyError with a Chinese message naming the parameter."""
    def fail(what: str) -> PolicyError:
        return PolicyError(f"{param.label}：{what}", problems=[(param.path, what)])

    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == "" or (param.kind == "list" and raw in ((), []))
    if empty and param.kind != "list":
        if param.optional:
            return None
        raise fail("不能为空")
    kind = param.kind
    if kind == "int":
        if isinstance(raw, bool):
            raise fail(f"应为整数，而不是“{raw}”")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int):
            return raw
        try:
            return int(str(raw).replace(",", "").replace("，", ""))
        except ValueError:
            raise fail(f"应为整数，而不是“{raw}”") from None
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw) in _TRUE:
            return True
        if str(raw) in _FALSE:
            return False
        raise fail(f"应为“是”或“否”，而不是“{raw}”")
    if kind == "date":
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise fail(f"应为日期（如 2026-06-05），而不是“{raw}”") from None
    if kind == "money":
        if isinstance(raw, bool):
            raise fail(f"应为金额数字，而不是“{raw}”")
        try:
            amount = Decimal(str(raw).replace(",", "").replace("元", "").strip())
        except InvalidOperation:
            raise fail(f"应为金额数字（如 300 或 300.00），而不是“{raw}”") from None
        if not amount.is_finite():
            raise fail(f"应为金额数字，而不是“{raw}”")
        if amount < 0:
            raise fail("金额不能为负数")
        if amount != amount.quantize(Decimal("0.01")):
            raise fail("金额最多两位小数")
        return amount.quantize(Decimal("0.01"))
    if kind == "choice":
        value = str(raw)
        if value not in param.choices:
            raise fail(f"应为 {'、'.join(param.choices)} 之一，而不是“{value}”")
        return value
    if kind == "list":
        if raw is None or raw == "":
            items: list[str] = []
        elif isinstance(raw, str):
            items = [line.strip() for line in raw.splitlines()]
        else:
            items = [str(x).strip() for x in raw]
        return tuple(x for x in items if x)
    return str(raw)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def make_variant(base: Policy, changes: Mapping[str, Any], *, label: str = "策略变体") -> Policy:
    """`base` with `changes` ({path: typed value}) applied and validated by the same models as the profiles
    (Policy.variant). Every problem is reported as PolicyError naming the parameter's label."""
    params = parameter_map(base)
    unknown = [p for p in changes if p not in params and not _is_whole_part(base, p)]
    if unknown:
        problems = [(p, "没有这个参数") for p in unknown]
        raise PolicyError(f"{label}有误：没有参数 {'、'.join(unknown)}", path=label, problems=problems)
    try:
        return base.variant({p: _plain(v) for p, v in changes.items()}, label=label)
    except PolicyError as error:
        problems = error.problems or [("", error.message)]
        named = [(path, f"{label_for_path(base, path)}：{msg}") for path, msg in problems]
        shown = "；".join(m for _p, m in named[:10])
        more = f"；另有 {len(named) - 10} 处" if len(named) > 10 else ""
        raise PolicyError(f"{label}有误：{shown}{more}", path=label,
                          problems=[(p, m) for p, m in named]) from None


def _is_whole_part(base: Policy, path: str) -> bool:
    """A path naming a whole part of the profile (e.g. "scoring" to adopt another profile's scoring sheet)."""
    node: Any = base
    for part in path.split("."):
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# Showing values and differences
# ---------------------------------------------------------------------------------------------------------------
def format_value(value: Any, param: Parameter | None = None) -> str:
    """A value in plain Chinese: 是/否, 未规定, 2026年6月5日, 300.00 元, 列表用“、”连接."""
    if value is None:
        return "未规定"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value:.2f} 元"
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value) if value else "（无）"
    if isinstance(value, BaseModel):
        return f"有（{len(list(_walk(value, '', '', '', '')))} 项参数）"
    if param is not None and param.kind == "choice" and param.help:
        meaning = _choice_meanings(param.help).get(str(value))
        if meaning:
            return f"{meaning}（{value}）"
    return str(value)


def _choice_meanings(description: str) -> dict[str, str]:
    """"consecutive = 连续次数（YQ）；within_window = 窗口内累计次数…" → {"consecutive": "连续次数", …}."""
    found: dict[str, str] = {}
    for code, meaning in re.findall(r"\b([a-z_]+)\s*(?:=\s*)?([^\sa-z_；;，,、（(：:][^；;，,、（(：:]*)", description):
        found.setdefault(code, meaning.strip())
    return found


def _identity(item: BaseModel) -> Any:
    for attrs in (("code",), ("key",), ("id",), ("number",), ("occurrence",), ("level",), ("kind", "gender"),
                  ("from_state", "to_state"), ("effective_from",)):
        if all(a in type(item).model_fields for a in attrs):
            return tuple(getattr(item, a) for a in attrs)
    return None


def _align(old: tuple, new: tuple) -> list[tuple[int | None, int | None]]:
    """Pairs of indexes to compare. A list of the same length whose items mostly keep their code / key at the
    same place (a variant of its base) is compared by index, so a changed code shows as old → new; otherwise
    items are matched by code / key where every item has a unique one (the other city's profile: sector "1"
    against sector "1", forms by id), the rest unmatched (新增 / 删除); else by index."""
    ko = [_identity(x) for x in old]
    kn = [_identity(x) for x in new]
    same_place = sum(1 for a, b in zip(ko, kn) if a == b)
    keyed = None not in ko and None not in kn and len(set(ko)) == len(ko) and len(set(kn)) == len(kn)
    if keyed and not (len(old) == len(new) and same_place * 2 >= len(old)):
        pairs: list[tuple[int | None, int | None]] = [(ko.index(k) if k in ko else None, j) for j, k in enumerate(kn)]
        pairs += [(i, None) for i, k in enumerate(ko) if k not in kn]
        return pairs
    n = max(len(old), len(new))
    return [(i if i < len(old) else None, i if i < len(new) else None) for i in range(n)]


def diff(old: Policy, new: Policy) -> list[DiffRow]:
    """Every parameter whose value differs between two profiles, in model order: (path, label, old → new).
    Works for a variant against its base and for two different profiles; a list item present on one side only
    is one row (新增/删除), an optional part present on one side only is one row."""
    rows: list[DiffRow] = []
    _diff_model(old, new, "", "", "", rows, old, new)
    return rows


def _diff_model(a: BaseModel, b: BaseModel, path: str, label: str, section: str, rows: list[DiffRow],
                root_a: Policy, root_b: Policy) -> None:
    for name, info in type(b).model_fields.items():
        va, vb = getattr(a, name), getattr(b, name)
        ann, _opt, _meta = _field_type(info)
        item = _tuple_item(ann)
        here = f"{path}{name}"
        words = _words(type(b), name)
        is_part = _is_model(ann) or (item is not None and _is_model(item))
        if not path and not is_part:
            here_label = f"基本信息 › {words}"
        else:
            here_label = f"{label} › {words}" if label else words
        sect = section or (name if is_part else "")
        if _is_model(ann):
            if va is None and vb is None:
                continue
            if va is None or vb is None:
                rows.append(DiffRow(here, here_label, _EMPTY if va is None else format_value(va),
                                    _EMPTY if vb is None else format_value(vb), sect))
                continue
            _diff_model(va, vb, here + ".", here_label, sect, rows, root_a, root_b)
            continue
        if item is not None and _is_model(item):
            for i, j in _align(va, vb):
                if i is not None and j is not None:
                    _diff_model(va[i], vb[j], f"{here}.{j}.", f"{here_label}「{item_name(vb[j], j)}」", sect, rows,
                                root_a, root_b)
                elif j is not None:
                    rows.append(DiffRow(f"{here}.{j}", f"{here_label}「{item_name(vb[j], j)}」", _EMPTY,
                                        "新增：" + item_name(vb[j], j), sect))
                else:
                    rows.append(DiffRow(f"{here}.{i}", f"{here_label}「{item_name(va[i], i)}」",
                                        "删除：" + item_name(va[i], i), _EMPTY, sect))
            continue
        if va != vb:
            choices = _choices_for(type(b), name, ann, None if item is None else get_args(ann)[0])
            probe = Parameter(path=here, label=here_label, section=sect, kind=_kind_of(ann, choices), value=vb,
                              help=info.description or "")
            rows.append(DiffRow(here, here_label, format_value(va, probe), format_value(vb, probe), sect))
