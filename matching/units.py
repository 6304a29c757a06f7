"""Units of the element lists and their conversion.

亩/平方米/公顷, 元/万元/亿元, 吨标煤/万吨标煤, 人, ….
"""

from __future__ import annotations

from chainatlas.graph.errors import ValidationFailed

__all__ = ["UNITS", "convert", "dimension", "to_base"]

#: unit → (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "亩": ("面积", 1.0),
    "平方米": ("面积", 1 / 666.6667),
    "㎡": ("面积", 1 / 666.6667),
    "公顷": ("面积", 15.0),
    "平方公里": ("面积", 1500.0),
    "元": ("金额", 1e-4),
    "万元": ("金额", 1.0),
    "亿元": ("金额", 1e4),
    "吨标煤": ("能耗", 1.0),
    "万吨标煤": ("能耗", 1e4),
    "千瓦时": ("电量", 1.0),
    "度": ("电量", 1.0),
    "万千瓦时": ("电量", 1e4),
    "人": ("人数", 1.0),
    "名": ("人数", 1.0),
    "个": ("个数", 1.0),
    "项": ("个数", 1.0),
    "家": ("个数", 1.0),
    "套": ("个数", 1.0),
    "件": ("个数", 1.0),
}


def dimension(unit: str) -> str:
    """The dimension of ``unit``; :class:`ValidationFailed` for an unknown unit."""
    try:
        return UNITS[unit.strip()][0]
    except KeyError:
        raise ValidationFailed(
            f"未知单位 {unit!r}，可用：{'、'.join(UNITS)}", [("unit", f"未知单位 {unit!r}")]
        ) from None


def to_base(quantity: float, unit: str) -> float:
    """``quantity`` in ``unit`` expressed in its dimension's base unit (亩, 万元, 吨标煤, …)."""
    dimension(unit)
    return quantity * UNITS[unit.strip()][1]


def convert(quantity: float, unit: str, to: str) -> float:
    """Convert between two units of the same dimension.

    >>> round(convert(1, "公顷", "亩"), 6), convert(2, "亿元", "万元")
    (15.0, 20000.0)

    Raises
    ------
    ValidationFailed
        When the units are unknown or of different dimensions (亩 → 万元).
    """
    if dimension(unit) != dimension(to):
        raise ValidationFailed(
            f"单位 {unit} 与 {to} 不能换算（{dimension(unit)} ≠ {dimension(to)}）"
        )
    return to_base(quantity, unit) / UNITS[to.strip()][1]
