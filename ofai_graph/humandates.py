"""Dates as people type them in a spreadsheet: "agosto 2024", "primer trimestre 2024", "12/02/2024".

:class:`~ofai_graph.dates.PartialDate` reads the canonical forms (``2024-02-12``, ``2024-08``,
``2024-Q1``, ``2024``); this module also reads the forms the office writes by hand, in Spanish or
English, and keeps their precision. Day-month-year with slashes is read the Colombian way
(``12/02/2024`` is the 12th of February), never month first.

>>> str(parse_human_date("agosto de 2024")), str(parse_human_date("primer trimestre 2024"))
('2024-08', '2024-Q1')
>>> str(parse_human_date("12 de febrero de 2024")), str(parse_human_date("IV trimestre 2023"))
('2024-02-12', '2023-Q4')
>>> str(parse_human_date("12/02/2024")), str(parse_human_date("August 2024"))
('2024-02-12', '2024-08')
"""

from __future__ import annotations

import datetime as dt
import re

from .dates import DateText, PartialDate, Precision
from .errors import N_, InvalidValue, Label, Msg
from .text import fold, quote

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("enero", "ene", "january", "jan"),
        ("febrero", "feb", "february"),
        ("marzo", "mar", "march"),
        ("abril", "abr", "april", "apr"),
        ("mayo", "may"),
        ("junio", "jun", "june"),
        ("julio", "jul", "july"),
        ("agosto", "ago", "august", "aug"),
        ("septiembre", "setiembre", "sep", "sept", "set", "september"),
        ("octubre", "oct", "october"),
        ("noviembre", "nov", "november"),
        ("diciembre", "dic", "december", "dec"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

QUARTERS = {
    "primer": 1, "primero": 1, "1er": 1, "1o": 1, "1": 1, "i": 1, "first": 1, "1st": 1,
    "segundo": 2, "2do": 2, "2o": 2, "2": 2, "ii": 2, "second": 2, "2nd": 2,
    "tercer": 3, "tercero": 3, "3er": 3, "3o": 3, "3": 3, "iii": 3, "third": 3, "3rd": 3,
    "cuarto": 4, "4to": 4, "4o": 4, "4": 4, "iv": 4, "fourth": 4, "4th": 4,
}  # fmt: skip

_FILLER = re.compile(r"\b(?:de|del|of|the|el|ano)\b|[,.]")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH_YEAR_NUM = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_QCODE = re.compile(r"^(?:(?:q|t)([1-4])\s*(\d{4})|(\d{4})\s*(?:q|t|-q|-t)([1-4]))$")
HINT = Msg(N_("write 2024-02-12, 12/02/2024, 2024-08, August 2024, 2024-Q1, first quarter of 2024 or 2024"))


def parse_human_date(value: str) -> PartialDate:
    """A :class:`PartialDate` from canonical or hand-written text; ``ValueError`` says what to write."""
    text = value.strip()
    try:
        return PartialDate.parse(text)
    except ValueError:
        pass
    folded = fold(text)
    m = _NUMERIC.match(folded)
    if m:
        return _day(int(m[3]), int(m[2]), int(m[1]), text)
    m = _MONTH_YEAR_NUM.match(folded)
    if m:
        if not 1 <= int(m[1]) <= 12:
            raise InvalidValue(
                N_("{value} is not a date: there is no month {month} ({hint})"), value=quote(text), month=int(m[1]), hint=HINT
            )
        return PartialDate.parse(f"{m[2]}-{int(m[1]):02d}")
    words = _FILLER.sub(" ", folded).split()
    compact = " ".join(words)
    m = _QCODE.match(compact)
    if m:
        q, year = (m[1], m[2]) if m[1] else (m[4], m[3])
        return PartialDate.parse(f"{year}-Q{q}")
    if len(words) == 3 and _year(words[2]):
        # "primer trimestre 2024", "first quarter 2024", "trimestre I 2024"
        if words[1] in ("trimestre", "quarter") and words[0] in QUARTERS:
            return PartialDate.parse(f"{words[2]}-Q{QUARTERS[words[0]]}")
        if words[0] in ("trimestre", "quarter") and words[1] in QUARTERS:
            return PartialDate.parse(f"{words[2]}-Q{QUARTERS[words[1]]}")
    if len(words) == 2 and words[0] in MONTHS and _year(words[1]):
        return PartialDate.parse(f"{words[1]}-{MONTHS[words[0]]:02d}")
    if len(words) == 3 and _year(words[2]):
        day, month = (words[0], words[1]) if words[0].isdigit() else (words[1], words[0])
        if day.isdigit() and month in MONTHS:
            return _day(int(words[2]), MONTHS[month], int(day), text)
    raise InvalidValue(N_("{value} is not a date: {hint}"), value=quote(text), hint=HINT)


def _year(word: str) -> bool:
    return word.isdigit() and len(word) == 4


def _day(year: int, month: int, day: int, text: str) -> PartialDate:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(
            N_("{value} is not a date: there is no day {day} in {month}"),
            value=quote(text),
            day=day,
            month=DateText(f"{year}-{month:02d}"),
        ) from None
    return PartialDate(d, d, Precision.day)


def widen(date: PartialDate, precision: Precision) -> PartialDate:
    """``date`` stated to a coarser ``precision`` (the day 2024-08-12 as the month 2024-08).

    Asking for a finer precision than the date has is an error: a quarter cannot become a day.
    """
    order = [Precision.day, Precision.month, Precision.quarter, Precision.year]
    if order.index(precision) < order.index(date.precision):
        raise InvalidValue(
            N_("{date} is known only to the {known}; it cannot be given to the {asked}"),
            date=DateText(date),
            known=Label("Precision", date.precision.value),
            asked=Label("Precision", precision.value),
        )
    d = date.start
    if precision is Precision.day:
        return date
    if precision is Precision.month:
        return PartialDate.parse(f"{d.year}-{d.month:02d}")
    if precision is Precision.quarter:
        return PartialDate.parse(f"{d.year}-Q{(d.month - 1) // 3 + 1}")
    return PartialDate.parse(str(d.year))


__all__ = ["parse_human_date", "widen"]
