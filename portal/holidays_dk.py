"""Danish public holidays (helligdage) from the maintained `holidays` package, pinned below 1.0."""
from __future__ import annotations

import warnings
from datetime import date
from functools import lru_cache


@lru_cache(maxsize=32)
def _year(year: int) -> frozenset[date]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its import announces 1.0, which is no news to a pinned install
        import holidays
    return frozenset(holidays.country_holidays("DK", years=[year]))


def danish_holidays(years) -> set[date]:
    return set().union(*(_year(y) for y in set(years)))
