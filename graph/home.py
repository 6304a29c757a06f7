"""The home area: which places are local (湖州市, its districts and counties, its functional
zones), for every figure that tells local firms from outside ones.

Its own module because both the settings (the office may set another home area) and the
algorithms over the graph (fishbone verdicts, gaps, targets, matching) need it, and neither
should import the other for it.
"""

from __future__ import annotations

__all__ = ["DISTRICT_KINDS", "HOME_AREA", "is_local"]

#: The default home area: 湖州市, its districts and counties, and the two functional zones.
HOME_AREA = ("湖州市", "吴兴区", "南浔区", "德清县", "长兴县", "安吉县", "南太湖新区", "长合区")
#: The kinds of Region that are the city's districts (区、县) and functional zones (功能区), not a
#: province or a city: what a district token's scope may name, and where a project, a demand or
#: a supply may be located.
DISTRICT_KINDS = ("区", "县", "功能区")


def is_local(region: str | None, home_area: tuple[str, ...] = HOME_AREA) -> bool:
    """True when ``region`` names a place in the home area (e.g. "浙江省湖州市德清县").

    >>> is_local("德清县"), is_local("浙江省湖州市"), is_local("上海市"), is_local(None)
    (True, True, False, False)
    """
    if not region:
        return False
    return any(area in region for area in home_area)
