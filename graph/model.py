"""Node and relationship kinds of the chain graph, validated with pydantic.

Labels and relationship types are the interchange vocabulary shared by every backend, the
bundle format, the API and the UI. Property values are Neo4j-compatible: strings, numbers,
booleans and lists of those.

This module is the one source of the data rules every way in applies — the API, templates,
bundles (both import paths) and the stores: per-label property types, validated strictly (a
date is ``YYYY-MM-DD`` text, a boolean is a boolean, a number a number: ``86400`` is not a date
and ``"yes"`` not ``true``); ids without surrounding whitespace or control characters; property
keys that are identifiers; lists of one type; names of at most :data:`NAME_MAX` characters with
something visible in them; and no control characters in any text (tab, line feed and carriage
return aside, outside names and ids), which Excel, XML and a round trip through CSV could not
carry. Values are refused, never silently trimmed or converted, so a refused write writes
nothing and an accepted one reads back as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Annotated, Any, Literal, Required, get_args

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from typing_extensions import TypedDict

from chainatlas.graph.creditcode import is_valid_credit_code
from chainatlas.graph.errors import SchemaViolation, ValidationFailed

__all__ = [
    "AMOUNT_MAX",
    "ATTRACTION_METHODS",
    "COUNT_MAX",
    "CHAIN_TIERS",
    "DOCKING_STATUSES",
    "FIRM_LADDER",
    "FIRM_PROGRAMMES",
    "FIRM_TAGS",
    "FORMAT_CHARS",
    "ID_MAX",
    "ID_MAX_COMPOSED",
    "ID_PREFIXES",
    "ID_REFUSED",
    "INVISIBLE",
    "LABELS",
    "LABEL_ZH",
    "LINE_REFUSED",
    "NAME_MAX",
    "PEOPLE_MAX",
    "QUANTITY_MAX",
    "REL_TYPES",
    "STAGES",
    "TEXT_MAX",
    "TEXT_REFUSED",
    "Amount",
    "ChainTier",
    "IsoDate",
    "Name",
    "Node",
    "People",
    "Quantity",
    "RelSpec",
    "Relationship",
    "Short",
    "char_class",
    "check_texts",
    "choices_zh",
    "id_max",
    "id_problem",
    "json_class",
    "json_pattern",
    "key_problem",
    "label_id_problem",
    "length_problem",
    "name_problem",
    "text_problem",
    "validate_node",
    "validate_relationship",
    "visible",
    "zh_message",
]

STAGES = ("upstream", "midstream", "downstream")
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
FIRM_TAGS = (
    "规上",
    "专精特新",
    "小巨人",
    "高新技术",
    "隐形冠军",
    "上市",
    "科技型中小企业",
    "创新型中小企业",
    *("雄鹰", "凤凰", "双金", "新锐壮腰"),
)
#: seed 000 §三（四）"统筹推进“雄鹰”“凤凰”“双金”“专精特新”“新锐壮腰”等企业培育工程": the
#: programmes a firm may be in (tags), besides the ladder's 专精特新
FIRM_PROGRAMMES = ("雄鹰", "凤凰", "双金", "新锐壮腰")
#: seed 000 §三（四）the ladder "科技型、创新型中小企业—专精特新中小企业、高新技术企业、隐形冠军—
#: 专精特新‘小巨人’", lowest rung first: each rung's name and the tags that put a firm on it
FIRM_LADDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("科技型、创新型中小企业", ("科技型中小企业", "创新型中小企业")),
    ("专精特新中小企业、高新技术企业、隐形冠军", ("专精特新", "高新技术", "隐形冠军")),
    ("专精特新“小巨人”", ("小巨人",)),
)
#: seed 000 §三（一）"强化产业链招商、基金招商、科技招商、以商引商、场景招商等方式": the closed
#: list a project's 招商方式 is taken from (the seed says 等; closing the list is the office's)
ATTRACTION_METHODS = ("产业链招商", "基金招商", "科技招商", "以商引商", "场景招商")
#: The four tiers of the 1366 layout (1 先导, 3 特色, 6 新兴, 6 未来).
ChainTier = Literal["先导", "特色", "新兴", "未来"]
CHAIN_TIERS: tuple[str, ...] = get_args(ChainTier)
PROJECT_STAGES = (
    "产业研究",
    "招商引资",
    "研判会商",
    "落地开工",
    "投产达效",
    "企业服务",
    "政策争取",
)
ELEMENT_KINDS = ("土地", "资金", "能耗", "人才", "技术", "配套")
#: What users call each kind of node, for messages (项目不存在, 图谱中没有「…」（平台）)
LABEL_ZH = {
    "Layout": "布局",
    "Chain": "产业链",
    "Segment": "环节",
    "Firm": "企业",
    "Industry": "行业",
    "Platform": "平台",
    "TalentPool": "人才库",
    "Fund": "基金",
    "Region": "区域",
    "Park": "园区",
    "Project": "项目",
    "Demand": "需求",
    "Supply": "供给",
    "Problem": "问题",
    "FollowUp": "跟进记录",
    "Docking": "对接记录",
}


@dataclass(slots=True)
class Node:
    """A node: a unique ``id``, one ``label`` and its properties."""

    id: str
    label: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass(slots=True)
class Relationship:
    """A directed relationship; ``(start, type, end)`` identifies it."""

    start: str
    type: str
    end: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.start, self.type, self.end)


# ---- text rules ------------------------------------------------------------------------------
#: The longest name (a node's ``name``, a problem's ``title``), in characters; also the
#: longest short text that names a unit, a person, a place or a code (责任单位, 提供方 …).
NAME_MAX = 200
#: The longest text of any other property or request field (descriptions, notes, quotes …).
TEXT_MAX = 2000
#: The longest id of a node people name or that is made from a name (``project:`` + 名称).
ID_MAX = 256
#: The longest id of any node: ids made of two others (对接 ``docking:<需求>:<供给>``, 跟进
#: ``followup:<项目>:<n>``) have room for both.
ID_MAX_COMPOSED = 2 * ID_MAX + 20

#: The format characters (Unicode category Cf, Unicode 14): they show nothing themselves or
#: change how the text around them shows (zero-width spaces, direction marks, the BOM, tags).
FORMAT_CHARS: tuple[tuple[int, int], ...] = (
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
#: Code points no text may hold (inclusive ranges): the C0 controls but tab, line feed and
#: carriage return; DEL and the C1 controls; lone surrogates (not encodable as UTF-8); and the
#: format characters (:data:`FORMAT_CHARS`: direction overrides such as U+202E show the text
#: around them reversed, zero-width spaces make two names that look the same differ).
TEXT_REFUSED: tuple[tuple[int, int], ...] = (
    (0x00, 0x08),
    (0x0B, 0x0C),
    (0x0E, 0x1F),
    (0x7F, 0x9F),
    (0xD800, 0xDFFF),
    *FORMAT_CHARS,
)
#: Code points one-line text (ids, names) may not hold: every control character, the
#: Unicode line and paragraph separators, and the format characters.
LINE_REFUSED: tuple[tuple[int, int], ...] = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x2028, 0x2029),
    (0xD800, 0xDFFF),
    *FORMAT_CHARS,
)
#: Code points that show nothing: whitespace (every ``str.isspace`` character), format
#: characters (zero-width spaces and joiners, direction marks, the byte-order mark, tags),
#: fillers and variation selectors. A name made only of these is refused.
INVISIBLE: tuple[tuple[int, int], ...] = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0xAD, 0xAD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFC),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
#: Code points no id may hold: those of one-line text, the format characters, every
#: invisible one but the plain space (inside an id; at its ends it is refused anyway), and
#: Hangul conjoining jamo and fillers (alone they show nothing: U+1160, U+1164, U+3164 …).
#: ``%E2%80%8Bfirm:sample-0005`` would otherwise be a second node that looks like the firm.
ID_REFUSED: tuple[tuple[int, int], ...] = (
    *LINE_REFUSED,
    *FORMAT_CHARS,
    *((a, b) for a, b in INVISIBLE if (a, b) != (0x1C, 0x20)),
    (0x1100, 0x11FF),
    (0x3164, 0x3164),
    (0xA960, 0xA97F),
    (0xD7B0, 0xD7FF),
    (0xFFA0, 0xFFA0),
)


def char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regular-expression class (Python's ``re``) of the code point ``ranges``."""
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


def json_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A JSON Schema class (read alike by ECMA-262 and Python) of one character outside the
    code points of ``ranges``. Only the Basic Multilingual Plane can be named alike (surrogates
    left out: JSON text holds none); characters beyond it are left to the server's check."""
    kept = sorted((a, b) for a, b in ranges if b <= 0xFFFF and not 0xD800 <= a <= 0xDFFF)
    merged: list[tuple[int, int]] = []
    for a, b in kept:  # overlapping or touching ranges as one, for a shorter pattern
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return (
        "[^" + "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in merged) + "]"
    )


def json_pattern(ranges: tuple[tuple[int, int], ...]) -> str:
    """A JSON Schema ``pattern`` (read alike by ECMA-262 and Python) for text without the code
    points of ``ranges`` (see :func:`json_class`)."""
    return "^" + json_class(ranges) + "*$"


_TEXT_BAD = re.compile(char_class(TEXT_REFUSED))
_LINE_BAD = re.compile(char_class(LINE_REFUSED))
_FORMAT = re.compile(char_class(FORMAT_CHARS))
_INVISIBLE_ONLY = re.compile(char_class(INVISIBLE) + "*")
_ID_BAD = re.compile(char_class(ID_REFUSED))


def _char(c: str) -> str:
    return f"U+{ord(c):04X}"


def text_problem(value: str, *, one_line: bool = False) -> str | None:
    r"""Why ``value`` may not be stored as text (``None`` when it may): a control character or
    a format character (an invisible one: U+200B, a direction override U+202E …), or, in
    one-line text, also a tab or a line break.

    >>> text_problem("合金\u202e4目项")
    '含不可见字符（U+202E，第 3 个字符），请删除后重试'
    """
    bad = (_LINE_BAD if one_line else _TEXT_BAD).search(value)
    if bad is None:
        return None
    c, where = bad.group(), f"第 {bad.start() + 1} 个字符"
    if _FORMAT.fullmatch(c):
        return f"含不可见字符（{_char(c)}，{where}），请删除后重试"
    what = "换行或制表符" if c in "\t\n\r\u2028\u2029" else "控制字符"
    return f"含不允许的{what} {_char(c)}（{where}）"


def length_problem(value: str, longest: int = TEXT_MAX) -> str | None:
    """Why ``value`` is too long (``None`` when it is not): more than ``longest`` characters.

    >>> length_problem("长" * 201, 200)
    '最多 200 个字（现有 201 个）'
    """
    return f"最多 {longest} 个字（现有 {len(value)} 个）" if len(value) > longest else None


def name_problem(value: object, *, what: str = "名称", longest: int = NAME_MAX) -> str | None:
    r"""Why ``value`` may not be a name people read (``None`` when it may), the message
    starting with ``what``: not text, more than ``longest`` characters, a line break, a
    control or format character (:func:`text_problem`), or nothing visible in it. The rule of
    :data:`Name`, for names kept outside the graph (a token's name).

    >>> name_problem("x\u202eevil", what="令牌名称")
    '令牌名称含不可见字符（U+202E，第 2 个字符），请删除后重试'
    >>> name_problem(" ", what="令牌名称")
    '令牌名称不能只有空白或不可见字符'
    """
    if not isinstance(value, str):
        return f"{what}应为文本"
    bad = length_problem(value, longest) or text_problem(value, one_line=True)
    if bad:
        return what + bad
    return None if visible(value) else f"{what}不能只有空白或不可见字符"


def id_problem(node_id: object, *, longest: int = ID_MAX_COMPOSED) -> str | None:
    """Why ``node_id`` is not a valid node id (``None`` when it is): empty, longer than
    ``longest``, surrounding whitespace, a control character, an invisible or format
    character (:data:`ID_REFUSED`). Ids are never trimmed: ``" a"`` is refused, not taken
    for ``"a"``. The one rule of every way in (API paths and links, templates, bundles on
    both paths); :func:`validate_node` also holds the ids of most labels to :data:`ID_MAX`
    and keeps each kind's prefix to its own (:func:`label_id_problem`)."""
    if not isinstance(node_id, str) or not node_id.strip():
        return "节点 id 不能为空"
    if len(node_id) > longest:
        return f"节点 id 太长：最多 {longest} 个字符（现有 {len(node_id)} 个）"
    if node_id != node_id.strip():
        return f"节点 id {node_id!r} 首尾不能有空白"
    bad = text_problem(node_id, one_line=True)
    if bad:
        return f"节点 id {node_id!r} {bad}"
    hidden = _ID_BAD.search(node_id)
    if hidden is None:
        return None
    where = f"第 {hidden.start() + 1} 个字符"
    return f"节点 id {node_id!r} 含不可见字符或格式字符 {_char(hidden.group())}（{where}）"


def key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid property name (``None`` when it is): it must be an
    identifier — letters (汉字 too), digits and ``_``, not starting with a digit."""
    if isinstance(key, str) and key.isidentifier():
        return None
    return f"属性名 {key!r} 无效：应由字母、数字和下划线组成，且不以数字开头"


def visible(text: str) -> bool:
    """Whether ``text`` shows something: not only characters of :data:`INVISIBLE`."""
    return not _INVISIBLE_ONLY.fullmatch(text)


def _check_name(v: str) -> str:
    bad = name_problem(v)
    if bad:
        raise ValueError(bad)
    return v


#: The validator of names; also how the columnar import path recognises a name column.
NAME_CHECK = AfterValidator(_check_name)
#: A name: one line, 1 to :data:`NAME_MAX` characters, something visible in it.
Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=NAME_MAX,
        json_schema_extra={"pattern": json_pattern(LINE_REFUSED)},
    ),
    NAME_CHECK,
]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: How a workbook's date cell reads as text (pandas): the date at midnight.
_SHEET_MIDNIGHT = " 00:00:00"


def _date_text(v: Any) -> str:
    """A date as ``YYYY-MM-DD`` text, from a date or from such text (or from a workbook's
    date cell read as text, ``YYYY-MM-DD 00:00:00``). Numbers are refused: ``86400`` is not a
    date."""
    if isinstance(v, datetime):
        if v.time() != time():
            raise ValueError("日期不能带时刻")
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if not isinstance(v, str):
        raise ValueError("日期应为 YYYY-MM-DD 文本")
    text = v.strip().removesuffix(_SHEET_MIDNIGHT)
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"日期格式应为 YYYY-MM-DD，而不是 {v!r}")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"不是有效日期：{v!r}") from None
    return text


#: A date, stored as ``YYYY-MM-DD`` text.
IsoDate = Annotated[
    str,
    BeforeValidator(_date_text),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-03-01"]}),
]

# Strict: no conversions between types (text to number or boolean, number to date).
_EXTRA = ConfigDict(extra="allow", str_strip_whitespace=True, strict=True)
NonEmpty = Annotated[str, Field(min_length=1)]
#: Short text that names a unit, a person, a place or a code: at most :data:`NAME_MAX`
#: characters (any other text: at most :data:`TEXT_MAX`, checked for every property).
Short = Annotated[str, Field(max_length=NAME_MAX)]

# ---- number rules: sane maxima, so a typo (or 1e308) is refused, not summed into a report ----
#: The largest amount in 亿元 (总投资, 产值, 规模目标, 基金规模, 年供货额): 10 万亿元.
AMOUNT_MAX = 100_000
#: The largest number of people (从业人数, 人才库规模).
PEOPLE_MAX = 10_000_000
#: The largest count of projects or demands (招商引资目标的项目个数, 可服务需求数).
COUNT_MAX = 100_000
#: The largest quantity of a demand or a supply, in its own unit (亩, 平方米, 千瓦时 …), and
#: the largest area (亩).
QUANTITY_MAX = 10**12
#: An amount in 亿元, 0 to :data:`AMOUNT_MAX`.
Amount = Annotated[float, Field(ge=0, le=AMOUNT_MAX)]
#: A number of people, 0 to :data:`PEOPLE_MAX`.
People = Annotated[int, Field(ge=0, le=PEOPLE_MAX)]
#: A quantity in its own unit, or an area, 0 to :data:`QUANTITY_MAX`.
Quantity = Annotated[float, Field(ge=0, le=QUANTITY_MAX)]
#: A point's longitude and latitude, in the coordinate system of the boundaries the maps draw
#: (GCJ-02, as 高德's data the boundaries derive from); bounded to China's extent.
Longitude = Annotated[float, Field(ge=73, le=136)]
Latitude = Annotated[float, Field(ge=3, le=54)]


def _check_credit_code(v: str) -> str:
    v = v.upper()
    if not is_valid_credit_code(v):
        raise ValueError(f"统一社会信用代码 {v} 校验位错误或格式不符")
    return v


def _check_tags(v: list[str]) -> list[str]:
    bad = [t for t in v if t not in FIRM_TAGS]
    if bad:
        raise ValueError(f"未知梯度标签 {bad}，可选: {'、'.join(FIRM_TAGS)}")
    return v


class _Props(TypedDict, total=False):
    __pydantic_config__ = _EXTRA  # type: ignore[misc]
    sample: bool


class _Named(_Props, total=False):
    name: Required[Name]


class LayoutProps(_Named, total=False):
    code: Required[Short]
    current: bool
    source: str


class ChainProps(_Named, total=False):
    layout: Required[Short]
    tier: ChainTier
    order: int
    target_2026: Amount  # 2026 年规模目标（亿元）
    target_text: str
    aliases: list[Short]
    alias_basis: str  # 推断 when an alias is not the seed's own identification
    leader: Short
    lead_department: Short
    action_plan: str
    fund: Short
    investment_team: Short
    think_tank: Short
    scenarios: list[str]


class SegmentProps(_Named, total=False):
    description: str
    source: str


class FirmProps(_Named, total=False):
    credit_code: Annotated[str, AfterValidator(_check_credit_code)]
    region: Short
    tags: Annotated[list[str], AfterValidator(_check_tags)]
    output: Amount  # 产值（亿元）
    employees: People
    stock_code: Short
    fullname: Short
    former_names: list[Short]
    listed: Short


class IndustryProps(_Named, total=False):
    code: Short
    level: int


class PlatformProps(_Named, total=False):
    kind: Short
    region: Short
    source: str
    quote: str  # the seed's words that name it (种子原文)
    lng: Longitude  # 经度 (optional; the maps place it at its district without one)
    lat: Latitude  # 纬度


class TalentPoolProps(_Named, total=False):
    kind: Short
    size: People


class FundProps(_Named, total=False):
    size: Amount  # 规模（亿元）
    manager: Short


class RegionProps(_Named, total=False):
    kind: Literal["省", "市", "区", "县", "功能区", "其他"]


class ParkProps(_Named, total=False):
    region: Short
    area: Quantity  # 面积（亩）
    vacancy: Annotated[float, Field(ge=0, le=1)]  # 空置率
    lng: Longitude  # 经度 (optional; the maps place it at its district without one)
    lat: Latitude  # 纬度


class ProjectProps(_Named, total=False):
    investment: Amount  # 总投资（亿元）
    stage: Literal[PROJECT_STAGES]  # type: ignore[valid-type]
    region: Short
    responsible_unit: Short
    attraction_method: Literal[ATTRACTION_METHODS]  # type: ignore[valid-type]  # 招商方式
    major: bool
    signed: IsoDate
    filed: IsoDate
    land_date: IsoDate  # 拿地日期（拿地即开工）
    started: IsoDate
    completed: IsoDate
    producing: IsoDate
    above_scale: IsoDate
    at_capacity: IsoDate


class _Element(_Props, total=False):
    kind: Required[Literal[ELEMENT_KINDS]]  # type: ignore[valid-type]
    description: Required[NonEmpty]
    quantity: Quantity
    unit: Short
    region: Short
    valid_from: IsoDate
    valid_to: IsoDate


class DemandProps(_Element, total=False):
    major: bool


class SupplyProps(_Element, total=False):
    capacity: Annotated[int, Field(ge=1, le=COUNT_MAX)]  # 可服务需求数
    provider: Short


class FollowUpProps(_Props, total=False):
    stage: Required[Short]
    date: Required[IsoDate]
    by: str
    note: str
    seq: int


class ProblemProps(_Props, total=False):
    title: Required[Name]
    level: Literal["一般", "重大", "特别重大"]
    status: Literal["收集", "交办", "督办", "反馈", "办结"]
    description: str
    raised: IsoDate
    due: IsoDate
    closed: IsoDate
    assignee: Short
    history: list[str]


#: 对接 states (seed 000 §四.三 “深入推进产业链供应链创新链对接”): a match recommended, being
#: followed up, then met or not met.
DOCKING_STATUSES = ("推荐", "对接中", "已落实", "未落实")


class DockingProps(_Props, total=False):
    status: Required[Literal[DOCKING_STATUSES]]  # type: ignore[valid-type]
    score: float
    supply_label: Short
    from_graph: bool
    created: IsoDate
    updated: IsoDate
    history: list[str]


LABELS: dict[str, type] = {
    "Layout": LayoutProps,
    "Chain": ChainProps,
    "Segment": SegmentProps,
    "Firm": FirmProps,
    "Industry": IndustryProps,
    "Platform": PlatformProps,
    "TalentPool": TalentPoolProps,
    "Fund": FundProps,
    "Region": RegionProps,
    "Park": ParkProps,
    "Project": ProjectProps,
    "Demand": DemandProps,
    "Supply": SupplyProps,
    "Problem": ProblemProps,
    "FollowUp": FollowUpProps,
    "Docking": DockingProps,
}


class _RelProps(TypedDict, total=False):
    __pydantic_config__ = _EXTRA  # type: ignore[misc]


class HasSegmentProps(_RelProps, total=False):
    stage: Required[Literal["upstream", "midstream", "downstream"]]
    key: bool
    order: int


class OperatesInProps(_RelProps, total=False):
    weight: Annotated[float, Field(ge=0, le=1)]


class EvolvedIntoProps(_RelProps, total=False):
    kind: str
    partial: bool
    basis: str


class SuppliesProps(_RelProps, total=False):
    value: Amount  # 年供货额（亿元）


@dataclass(frozen=True)
class RelSpec:
    """Which labels a relationship type may join, and its property model."""

    starts: frozenset[str]
    ends: frozenset[str]
    props: type = _RelProps

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.props)


def _spec(starts: str, ends: str, props: type = _RelProps) -> RelSpec:
    return RelSpec(frozenset(starts.split("|")), frozenset(ends.split("|")), props)


_ELEMENTS = "Project|Demand|Supply"
REL_TYPES: dict[str, RelSpec] = {
    "IN_LAYOUT": _spec("Chain", "Layout"),
    "EVOLVED_INTO": _spec("Chain", "Chain", EvolvedIntoProps),
    "HAS_SEGMENT": _spec("Chain", "Segment", HasSegmentProps),
    "SUBSEGMENT_OF": _spec("Segment", "Segment"),
    "UPSTREAM_OF": _spec("Segment", "Segment"),
    "OPERATES_IN": _spec("Firm", "Segment", OperatesInProps),
    "IN_INDUSTRY": _spec("Firm", "Industry"),
    "SUBINDUSTRY_OF": _spec("Industry", "Industry"),
    "SUPPLIES": _spec("Firm", "Firm", SuppliesProps),
    "PARTNER_OF": _spec("Firm", "Firm"),
    "CHAIN_MASTER_OF": _spec("Firm", "Chain"),
    "LOCATED_IN": _spec("Firm|Park|Platform|Project|TalentPool|Fund|Demand|Supply", "Region"),
    "PART_OF": _spec("Region", "Region"),
    "OVERLAPS": _spec("Region", "Region"),
    "IN_PARK": _spec("Firm|Project", "Park"),
    "SERVES": _spec("Platform|Fund|TalentPool|Park", "Chain|Segment"),
    "FOCUS_REGION": _spec("Chain", "Region"),
    "FOR_FIRM": _spec(_ELEMENTS + "|Problem", "Firm"),
    "FOR_PROJECT": _spec("Demand|Supply|Problem", "Project"),
    "IN_CHAIN": _spec(_ELEMENTS + "|Problem", "Chain"),
    "IN_SEGMENT": _spec(_ELEMENTS, "Segment"),
    "FOLLOWS_UP": _spec("FollowUp", "Project"),
    "DOCKS_DEMAND": _spec("Docking", "Demand"),
    "DOCKS_SUPPLY": _spec("Docking", "Supply|Firm"),
}


@cache
def _adapter(td: type) -> TypeAdapter[Any]:
    return TypeAdapter(td)


def _pre(props: dict[str, Any]) -> dict[str, Any]:
    """Drop absent values: None, NaN (pandas) and blank strings."""
    return {
        k: v
        for k, v in props.items()
        if v is not None and v == v and not (isinstance(v, str) and not v.strip())
    }


_PLAIN = frozenset({str, int, float, bool})


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def check_numbers(name: str, values: list[Any]) -> None:
    """Numbers a store can hold (as Neo4j can): integers within 64 bits, finite floats.

    Raises
    ------
    ValueError
        Naming the property.
    """
    for v in values:
        if type(v) is list:
            check_numbers(name, v)
        elif type(v) is int and not _INT64_MIN <= v <= _INT64_MAX:
            raise ValueError(f"属性 {name} 的整数超出 64 位范围")
        elif type(v) is float and not math.isfinite(v):
            raise ValueError(f"属性 {name} 不能是无穷大或非数字")


def check_texts(name: str, values: list[Any]) -> None:
    """Text a store can hold and every export can write: no control characters but tab, line
    feed and carriage return, no format characters (see :data:`TEXT_REFUSED`), at most
    :data:`TEXT_MAX` characters, in strings and lists of strings.

    Raises
    ------
    ValueError
        Naming the property.
    """
    for v in values:
        if type(v) is list:
            check_texts(name, v)
        elif type(v) is str:
            bad = text_problem(v) or length_problem(v)
            if bad:
                raise _PropError(name, bad)


class _PropError(ValueError):
    """A property that breaks a rule pydantic does not check; ``key`` names it."""

    def __init__(self, key: str, reason: str) -> None:
        shown = key if key.isidentifier() else repr(key)
        super().__init__(reason if reason.startswith("属性名") else f"属性 {shown}: {reason}")
        self.key = key
        self.reason = reason


def _post(props: dict[str, Any]) -> dict[str, Any]:
    """Check what pydantic does not (keys, text, numbers, list shapes) and normalise dates
    and tuples as stored."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        bad_key = key_problem(k)
        if bad_key:
            raise _PropError(str(k), bad_key)
        if isinstance(v, bool):
            pass
        elif isinstance(v, str):
            bad = text_problem(v) or length_problem(v)
            if bad:
                raise _PropError(k, bad)
        elif isinstance(v, int | float):
            v = int(v) if isinstance(v, int) else float(v)
            check_numbers(k, [v])
        elif isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, dict):
            raise _PropError(k, "不能是嵌套对象")
        elif isinstance(v, list | tuple):
            if not v:
                continue
            v = _plain_list(k, list(v))
        else:
            raise _PropError(k, f"不支持的取值类型 {type(v).__name__}")
        out[k] = v
    return out


def _plain_list(key: str, items: list[Any]) -> list[Any]:
    """A list of one plain type (all text, all integers, all numbers with a fraction or all
    booleans): a column of a bundle holds one type, so a mixed list would not come back as
    it went in."""
    kinds = {type(x) for x in items}
    if not kinds <= _PLAIN:
        raise _PropError(key, "只能是文本、数字或布尔值的列表")
    if len(kinds) > 1:
        names = "、".join(sorted(_KIND_ZH[k] for k in kinds))
        raise _PropError(key, f"列表的元素应为同一类型（现有 {names}）")
    check_numbers(key, items)
    check_texts(key, items)
    return items


_KIND_ZH = {str: "文本", int: "整数", float: "小数", bool: "布尔值"}

_ZH = {
    "missing": "必填项为空",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "不是有效数字",
    "float_type": "应为数字",
    "finite_number": "不能是无穷大或非数字",
    "bool_parsing": "应为 是/否（true/false）",
    "bool_type": "应为布尔值 true/false",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "extra_forbidden": "不是可填写的字段",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "missing_argument": "缺少参数",
    "union_tag_invalid": "类型无效",
}


#: pydantic's errors for a date it cannot read: the format, or a day no calendar has
_DATE_ERRORS = ("date_parsing", "date_from_datetime_parsing")


#: What the patterns of the API's parameters ask for, in words: a user never sees a regex
_PATTERN_ZH = {
    r"^[0-9]{4}-(0[1-9]|1[0-2])$": "应为年月 YYYY-MM，如 2026-10",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "应为日期 YYYY-MM-DD，如 2026-03-01",
    r"^[0-9a-f]{12}$": "应为 12 位十六进制数字",
    r"^[01]?$": "应为 1 或 0（或留空）",
}
#: A pattern that lists its values, ``^(a|b|c)$`` (``?`` before ``$``: or empty)
_ALTERNATIVES = re.compile(r"\^\(([^()\\]*)\)(\?)?\$")


def choices_zh(choices: list[str], names: Mapping[str, str] | None = None) -> str:
    """A list of allowed values as a user reads it: 、 between them, 或 before the last, each
    with its Chinese name where it has one.

    >>> choices_zh(["产业研究", "招商引资", "政策争取"])
    '产业研究、招商引资 或 政策争取'
    >>> choices_zh(["open", "all"], {"open": "未办结", "all": "全部"})
    'open（未办结） 或 all（全部）'
    """
    shown = [f"{c}（{names[c]}）" if names and c in names else c for c in choices]
    return shown[0] if len(shown) < 2 else f"{'、'.join(shown[:-1])} 或 {shown[-1]}"


def _literal_choices(expected: str) -> list[str]:
    """pydantic's ``expected`` of a literal error (``'a', 'b' or 'c'``) as its values."""
    parts = re.split(r", | or ", expected)
    return [p[1:-1] if len(p) > 1 and p[0] == p[-1] == "'" else p for p in parts]


def _pattern_zh(pattern: str, names: Mapping[str, str] | None) -> str:
    """What ``pattern`` asks for, in words."""
    if pattern in _PATTERN_ZH:
        return _PATTERN_ZH[pattern]
    m = _ALTERNATIVES.fullmatch(pattern)
    if m:
        empty = "（或留空）" if m.group(2) else ""
        return f"应为 {choices_zh(m.group(1).split('|'), names)}{empty}"
    return "格式不符"


def _whole(v: Any) -> Any:
    """A bound as people write it: ``100000``, not pydantic's ``100000.0``."""
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e16 else v


def zh_message(error: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """A pydantic error (one item of ``ValidationError.errors()``, or of FastAPI's request
    validation errors) as a Chinese message without the location; ``names`` gives the Chinese
    names of a field's allowed values, where they have them.

    >>> zh_message({"type": "string_pattern_mismatch", "input": "2026-13",
    ...             "ctx": {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}})
    "应为年月 YYYY-MM，如 2026-10，而不是 '2026-13'"
    """
    t = str(error.get("type", ""))
    ctx = {k: _whole(v) for k, v in (error.get("ctx") or {}).items()}
    if t == "literal_error":
        choices = choices_zh(_literal_choices(str(ctx.get("expected", ""))), names)
        return f"取值应为 {choices}，而不是 {error.get('input')!r}"
    if t == "string_pattern_mismatch":
        return f"{_pattern_zh(str(ctx.get('pattern', '')), names)}，而不是 {error.get('input')!r}"
    if t in ("value_error", "assertion_error"):
        return (
            str(error.get("msg", ""))
            .removeprefix("Value error, ")
            .removeprefix("Assertion failed, ")
        )
    given = error.get("input")
    if t in _DATE_ERRORS and isinstance(given, str) and _ISO_DATE.fullmatch(given.strip()):
        return f"不是日历上的日期：{given!r}"  # the format is right, the day is not (2026-02-30)
    template = _ZH.get(t)
    if template is None:
        return "取值无效"
    try:
        text = template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template
    if t == "string_too_long" and isinstance(given, str):
        text += f"（现有 {len(given)} 个）"
    return text


def _problems(err: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(x) for x in e["loc"]) or "属性", zh_message(e)) for e in err.errors()]


def _fail(what: str, err: ValidationError) -> ValidationFailed:
    problems = _problems(err)
    return ValidationFailed(f"{what}: " + "; ".join(f"{k}: {m}" for k, m in problems), problems)


def _refused(what: str, exc: ValueError) -> ValidationFailed:
    if isinstance(exc, _PropError):
        return ValidationFailed(f"{what}: {exc}", [(exc.key, exc.reason)])
    return ValidationFailed(f"{what}: {exc}")


#: The id prefixes of the records people write, by label: no other of these kinds may take
#: them (``PUT /records/demands/firm:x`` would make a demand that reads as a firm everywhere).
ID_PREFIXES = {
    "Firm": "firm:",
    "Project": "project:",
    "Demand": "demand:",
    "Supply": "supply:",
    "Problem": "problem:",
    "Docking": "docking:",
    "FollowUp": "followup:",
}
#: Labels whose ids are made of two others (:data:`ID_MAX_COMPOSED`)
_COMPOSED_IDS = frozenset({"Docking", "FollowUp"})


def id_max(label: str) -> int:
    """The longest id of a ``label`` node: :data:`ID_MAX`, or :data:`ID_MAX_COMPOSED` for the
    labels whose ids are made of two others."""
    return ID_MAX_COMPOSED if label in _COMPOSED_IDS else ID_MAX


def label_id_problem(node_id: str, label: str) -> str | None:
    """Why ``node_id`` may not be the id of a ``label`` node (``None`` when it may), beyond
    :func:`id_problem`: longer than :data:`ID_MAX` (ids made of two others aside), or, for
    the records people write (:data:`ID_PREFIXES`), starting with another such kind's prefix.

    >>> label_id_problem("firm:x", "Demand")
    "需求的 id 不能以 firm: 开头（那是企业的 id）：'firm:x'"
    """
    what = LABEL_ZH.get(label, label)
    if len(node_id) > id_max(label):
        return f"{what}的 id 太长：最多 {id_max(label)} 个字符（现有 {len(node_id)} 个）"
    for other, prefix in ID_PREFIXES.items() if label in ID_PREFIXES else ():
        if other != label and node_id.startswith(prefix):
            return f"{what}的 id 不能以 {prefix} 开头（那是{LABEL_ZH[other]}的 id）：{node_id!r}"
    return None


def _check_id(node_id: object, label: str) -> None:
    bad = id_problem(node_id) or label_id_problem(str(node_id), label)
    if bad:
        raise SchemaViolation(bad, [("id", bad)])


def validate_node(node: Node) -> Node:
    """Return ``node`` with properties checked and normalised against its label's model.

    Raises
    ------
    SchemaViolation
        For an unknown label or an id that is empty, padded with whitespace or holds a
        control character (see :func:`id_problem`).
    ValidationFailed
        For properties that break the label's model; the message names the property.
    """
    model = LABELS.get(node.label)
    if model is None:
        raise SchemaViolation(f"未知标签 {node.label!r}，可选: {', '.join(LABELS)}")
    try:  # properties first: where an id is made from a name, the name is the one to fix
        props = _post(_adapter(model).validate_python(_pre(node.props)))
    except ValidationError as exc:
        raise _fail(f"{node.label} {node.id!r}", exc) from None
    except ValueError as exc:
        raise _refused(f"{node.label} {node.id!r}", exc) from None
    _check_id(node.id, node.label)
    return Node(node.id, node.label, props)


def check_endpoints(rel: Relationship, start_label: str, end_label: str) -> RelSpec:
    """The spec of ``rel``'s type, after checking that its endpoints' labels fit it.

    Raises
    ------
    SchemaViolation
        For an unknown type or endpoints of the wrong labels.
    """
    spec = REL_TYPES.get(rel.type)
    if spec is None:
        raise SchemaViolation(f"未知关系类型 {rel.type!r}，可选: {', '.join(REL_TYPES)}")
    if start_label not in spec.starts or end_label not in spec.ends:
        raise SchemaViolation(
            f"{rel.type} 不能连接 {start_label}({rel.start}) → {end_label}({rel.end})；"
            f"允许 {'|'.join(sorted(spec.starts))} → {'|'.join(sorted(spec.ends))}"
        )
    return spec


def validate_relationship(rel: Relationship, start_label: str, end_label: str) -> Relationship:
    """Return ``rel`` with properties checked; endpoint labels must fit the type.

    Raises
    ------
    SchemaViolation
        For an unknown type or endpoints of the wrong labels.
    ValidationFailed
        For properties that break the type's model.
    """
    spec = check_endpoints(rel, start_label, end_label)
    if not rel.props and spec.props is _RelProps:
        return rel
    try:
        props = _post(spec.adapter.validate_python(_pre(rel.props)))
    except ValidationError as exc:
        raise _fail(f"{rel.type} {rel.start}→{rel.end}", exc) from None
    except ValueError as exc:
        raise _refused(f"{rel.type} {rel.start}→{rel.end}", exc) from None
    return Relationship(rel.start, rel.type, rel.end, props)


def validate_nodes(nodes: list[Node]) -> list[Node]:
    """Validate many nodes at once (one pydantic call per label); see :func:`validate_node`.

    Raises
    ------
    SchemaViolation, ValidationFailed
        For the first offending node, named by label and id.
    """
    by_label: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        by_label.setdefault(n.label, []).append(i)
    out: list[Node | None] = [None] * len(nodes)
    for label, idx in by_label.items():
        model = LABELS.get(label)
        if model is None:
            raise SchemaViolation(f"未知标签 {label!r}，可选: {', '.join(LABELS)}")
        for i in idx:
            _check_id(nodes[i].id, label)
        adapter = _adapter(list[model])  # type: ignore[valid-type]
        try:
            validated = adapter.validate_python([_pre(nodes[i].props) for i in idx])
        except ValidationError as exc:
            first = exc.errors()[0]
            bad = nodes[idx[int(first["loc"][0])]]
            validate_node(bad)  # raises with the node's own message
            raise ValidationFailed(f"{bad.label} {bad.id}: {exc}") from None
        for i, props in zip(idx, validated, strict=True):
            try:
                out[i] = Node(nodes[i].id, label, _post(props))
            except ValueError as exc:
                raise _refused(f"{label} {nodes[i].id}", exc) from None
    return out  # type: ignore[return-value]
