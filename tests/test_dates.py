import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ofai_graph.dates import PartialDate, Precision, parse_day


def test_a_quarter_covers_three_months_and_is_due_at_its_end():
    q = PartialDate.parse("2024-Q1")
    assert q.precision is Precision.quarter
    assert (q.start, q.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


def test_a_month_ends_on_its_last_day_even_in_february_of_a_leap_year():
    assert PartialDate.parse("2024-02").end == dt.date(2024, 2, 29)
    assert PartialDate.parse("2023-02").end == dt.date(2023, 2, 28)


def test_yaml_dates_and_years_are_accepted():
    assert PartialDate.parse(dt.date(2024, 2, 12)).precision is Precision.day
    assert PartialDate.parse(2021).precision is Precision.year


@pytest.mark.parametrize(
    ("text", "words"),
    [("2024-13-01", "month 13"), ("2024-02-30", "day 30"), ("2024-Q5", "Q5"), ("next week", "not a date")],
)
def test_impossible_dates_are_refused_with_a_reason(text, words):
    with pytest.raises(ValueError, match=words):
        PartialDate.parse(text)


def test_as_of_of_a_month_means_its_last_day():
    assert parse_day("2024-06") == dt.date(2024, 6, 30)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.sampled_from(list(Precision))
)
def test_text_form_round_trips_and_the_interval_contains_the_day(day, precision):
    text = {
        Precision.day: day.isoformat(),
        Precision.month: f"{day.year}-{day.month:02d}",
        Precision.quarter: f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        Precision.year: str(day.year),
    }[precision]
    d = PartialDate.parse(text)
    assert str(d) == text
    assert d.start <= day <= d.end
    assert d.start <= d.midpoint <= d.end


@pytest.mark.parametrize("text", ["２０２４-01-01", "٢٠٢٤-٠١-٠١", "2024-0١-01", "۲۰۲۴"])
def test_dates_in_non_ascii_digits_are_refused(text):
    with pytest.raises(ValueError, match="digits 0-9"):
        PartialDate.parse(text)


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12", "2999-01-01"])
def test_reference_days_out_of_range_are_refused(text):
    from ofai_graph.dates import parse_day

    with pytest.raises(ValueError, match="out of range"):
        parse_day(text)
