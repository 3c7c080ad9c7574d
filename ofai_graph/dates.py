"""Dates with an honest precision.

The quarterly report dates a few actions to the day ("12 de febrero"), some to the month ("se espera
respuesta para el mes de agosto") and most only to the quarter ("primer trimestre"). A
:class:`PartialDate` keeps that precision instead of inventing a day: it covers an interval
``[start, end]`` and is written ``2024-02-12``, ``2024-08``, ``2024-Q1`` or ``2024``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from .errors import N_, InvalidValue, Msg, Phrase, kind_of_value
from .text import quote

# re.ASCII: \d would otherwise take "２０２４" or Arabic-Indic digits, which int() reads but which
# no one can type back to find the record.
_FORMS = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<q>[QqTt](?P<quarter>\d))|(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?))?$",
    re.ASCII,
)
# A quarter may be written with T too (trimestre): the Spanish hint says AAAA-Tn.
HINT = Msg(N_("write YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY"))


class Precision(str, Enum):
    day = "day"
    month = "month"
    quarter = "quarter"
    year = "year"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to a day, a month, a quarter or a year.

    >>> d = PartialDate.parse("2024-Q1")
    >>> d.precision.value, str(d.start), str(d.end)
    ('quarter', '2024-01-01', '2024-03-31')
    >>> PartialDate.parse("2024-08").end
    datetime.date(2024, 8, 31)
    """

    start: dt.date
    end: dt.date
    precision: Precision

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, str):
            return _parse_text(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value, value, Precision.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise InvalidValue(N_("{found} is not a date: {hint}"), found=kind_of_value(value), hint=HINT)
        return _parse_text(value)

    @classmethod
    def _from_text(cls, value: str) -> PartialDate:
        text = value.strip()
        m = _FORMS.match(text)
        if not m:
            if any(ch.isdigit() and not ch.isascii() for ch in text):
                raise InvalidValue(
                    N_("{value} is not a date: write it with the digits 0-9 ({hint})"), value=quote(text), hint=HINT
                )
            raise InvalidValue(N_("{value} is not a date: {hint}"), value=quote(text), hint=HINT)
        year = int(m["year"])
        if not 1 <= year <= 9999:
            raise InvalidValue(N_("{value}: the year {year} is out of range"), value=quote(text), year=year)
        if m["quarter"] is not None:
            q = int(m["quarter"])
            if not 1 <= q <= 4:
                raise InvalidValue(
                    N_("{value}: quarter {quarter} does not exist, use Q1 to Q4"), value=quote(text), quarter=q
                )
            first = 3 * (q - 1) + 1
            last = first + 2
            return cls(
                dt.date(year, first, 1),
                dt.date(year, last, calendar.monthrange(year, last)[1]),
                Precision.quarter,
            )
        if m["month"] is None:
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.year)
        month = int(m["month"])
        if not 1 <= month <= 12:
            raise InvalidValue(
                N_("{value}: month {month} is not between 1 and 12 ({hint})"), value=quote(text), month=month, hint=HINT
            )
        days = calendar.monthrange(year, month)[1]
        if m["day"] is None:
            return cls(dt.date(year, month, 1), dt.date(year, month, days), Precision.month)
        day = int(m["day"])
        if not 1 <= day <= days:
            raise InvalidValue(
                N_("{value}: day {day} does not exist in {month} (it has {days} days)"),
                value=quote(text),
                day=day,
                month=DateText(f"{year}-{month:02d}"),
                days=days,
            )
        d = dt.date(year, month, day)
        return cls(d, d, Precision.day)

    @classmethod
    def from_interval(cls, start: dt.date, end: dt.date) -> PartialDate:
        """The partial date whose interval is exactly ``[start, end]`` (as stored in a store's columns)."""
        if start == end:
            return cls(start, end, Precision.day)
        if start.month == end.month and start.year == end.year:
            return cls(start, end, Precision.month)
        if start.month == 1 and end.month == 12:
            return cls(start, end, Precision.year)
        return cls(start, end, Precision.quarter)

    @property
    def midpoint(self) -> dt.date:
        """The middle of the interval: our best single guess, used for recency."""
        return self.start + (self.end - self.start) / 2

    def __str__(self) -> str:
        return _format(self.start, self.end, self.precision)

    def _text(self) -> str:
        if self.precision is Precision.day:
            return self.start.isoformat()
        if self.precision is Precision.month:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.precision is Precision.quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def __repr__(self) -> str:
        return f"PartialDate({str(self)!r})"

    def __lt__(self, other: PartialDate) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def __le__(self, other: PartialDate) -> bool:
        return (self.start, self.end) <= (other.start, other.end)

    def __gt__(self, other: PartialDate) -> bool:
        return (self.start, self.end) > (other.start, other.end)

    def __ge__(self, other: PartialDate) -> bool:
        return (self.start, self.end) >= (other.start, other.end)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict:
        return {"type": "string", "pattern": r"^\d{4}(-(Q[1-4]|\d{2}(-\d{2})?))?$"}


class DateText(Phrase):
    """A date in a message, written at its precision in the reader's language ("febrero de 2024")."""

    def __init__(self, value: object):
        self.value = value

    def text(self, lang: str) -> str:
        from .i18n import format_date

        return format_date(self.value, lang)


@lru_cache(maxsize=65536)
def _format(start: dt.date, end: dt.date, precision: Precision) -> str:
    # Serializing a million interactions formats the same few thousand dates over and over.
    return PartialDate._text(PartialDate(start, end, precision))


@lru_cache(maxsize=65536)
def _parse_text(value: str) -> PartialDate:
    # A data set repeats a few thousand date strings a million times: parse each once.
    return PartialDate._from_text(value)


# Reference dates (--as-of, --on) are computed with: windows of years go back from them, so year 1
# would overflow. The office's records start in the 1990s; these bounds leave a wide margin.
MAX_DAYS = 36_500  # windows in days (dormant --days, --due-within): a hundred years at most
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def parse_day(value: str | dt.date | None, *, default: dt.date | None = None) -> dt.date:
    """A single day for options such as ``--as-of``; a month or quarter means its last day.

    >>> parse_day("2024-Q1")
    datetime.date(2024, 3, 31)
    """
    if value is None:
        return default or dt.date.today()
    return reference_day(PartialDate.parse(value).end, value)


def reference_day(day: dt.date, written: object = None) -> dt.date:
    """``day`` if it can serve as a date of reference (windows of years are counted back from it),
    else a ``ValueError`` naming the range: year 1 would overflow, year 9999 is a typing mistake."""
    if not FIRST_DAY <= day <= LAST_DAY:
        shown = quote(str(written if written is not None else day))
        raise InvalidValue(
            N_("{value} is out of range: use a date from {first} to {last}"), value=shown, first=DateText(FIRST_DAY), last=DateText(LAST_DAY)
        )
    return day
