"""Unified social credit code (统一社会信用代码, GB 32100-2015) checksum."""

from __future__ import annotations

__all__ = ["ALPHABET", "check_char", "is_valid_credit_code", "make_credit_code"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(body: str) -> str:
    """Return the 18th (check) character for the first 17 characters ``body``.

    Raises
    ------
    ValueError
        If ``body`` is not 17 characters of the code alphabet.

    Examples
    --------
    >>> check_char("91330100MA27XXXXX")[:1] in ALPHABET
    True
    """
    if len(body) != 17:
        raise ValueError(f"需要 17 位本体，得到 {len(body)} 位")
    total = 0
    for ch, w in zip(body, _WEIGHTS, strict=True):
        idx = ALPHABET.find(ch)
        if idx < 0:
            raise ValueError(f"非法字符 {ch!r}")
        total += idx * w
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True when ``code`` is 18 characters of the alphabet with a correct check character.

    >>> is_valid_credit_code(make_credit_code("91330500MA2B00001"))
    True
    >>> is_valid_credit_code("91330500MA2B000010")
    False
    """
    code = code.strip().upper()
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    return check_char(code[:17]) == code[17]


def make_credit_code(body: str) -> str:
    """Append the check character to a 17-character body (for sample data and tests)."""
    return body + check_char(body)
