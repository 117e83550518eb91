"""Number formats for the text of the book: powers of ten with Unicode superscripts.

Glued values appear inside sentences, where MathJax would be out of place:
``sci(1.234e-7)`` gives ``"1.2 × 10⁻⁷"`` and ``power_of_ten(-7)`` gives ``"10⁻⁷"``.
"""

from __future__ import annotations

from ..checks import check_int, check_number

__all__ = ["power_of_ten", "sci"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent):
    """``10`` with ``exponent`` as a superscript: ``power_of_ten(-7) == "10⁻⁷"``."""
    return "10" + str(check_int("exponent", exponent, minimum=-(10**6))).translate(_SUPERSCRIPT)


def sci(value, digits=1):
    """``value`` in scientific notation with ``digits`` decimals: ``sci(1.234e-7) == "1.2 × 10⁻⁷"``."""
    value = check_number("value", value)
    digits = check_int("digits", digits, minimum=0)
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa} × {power_of_ten(int(exponent))}"
