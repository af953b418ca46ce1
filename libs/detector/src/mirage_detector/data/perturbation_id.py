"""Parameters of canonical condition ids, formatted as libs/contracts/src/perturbation-id.ts formats them.

The id names stored results on both sides (artifact keys, matrix rows), so the two must agree for every
value: strings unquoted, numbers as JavaScript's String(number), `sigma`/`factor` with ".0" when whole.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

FLOAT_PARAMS = frozenset({"sigma", "factor"})
"""Parameters that are real numbers: the id prints them with ".0" when whole (1.0), as the TS side does."""


def format_param(name: str, value: Any) -> str:
    """One parameter of an id as the TS `formatParam` writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        text = js_number(value)
        return f"{text}.0" if name in FLOAT_PARAMS and value.is_integer() else text
    return str(value)


def js_number(value: float) -> str:
    """A finite float as JavaScript's String(number) prints it (ECMAScript Number::toString).

    Python's repr and JavaScript both give the shortest digits that round-trip; they differ only in where
    they switch to exponent notation and how they write it (1e-05 against 0.00001, 1e+21), so the digits
    are taken from repr and laid out by the ECMAScript rules.
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + js_number(-value)
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0")
    exponent = int(exponent) + len(digits) - len(stripped)
    k = len(stripped)
    n = exponent + k  # value = 0.<stripped> x 10^n
    if k <= n <= 21:
        return stripped + "0" * (n - k)
    if 0 < n <= 21:
        return f"{stripped[:n]}.{stripped[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + stripped
    mantissa = stripped[0] + (f".{stripped[1:]}" if k > 1 else "")
    return f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
