"""Working days for due dates and publicity periods: national holidays, 调休 and missing years."""

import json
from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from engine.core.workdays import (
    CALENDAR_FILE_ENV,
    CalendarConfigError,
    WorkCalendar,
    default_calendar,
    reset_default_calendar,
)

BEIJING = timezone(timedelta(hours=8))

# A 2027 arrangement for the tests only (the real one is not in the package): New Year's Day off,
# the Saturday after it a make-up working day.
OVERRIDES_2027 = {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}}


@pytest.fixture(autouse=True)
def fresh_default_calendar(monkeypatch):
    """Each test reads the calendar files afresh, without an extra file from the environment."""
    monkeypatch.delenv(CALENDAR_FILE_ENV, raising=False)
    reset_default_calendar()
    yield
    reset_default_calendar()


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_package_data_has_national_day_2026_with_make_up_saturday():
    """The dates the next tests rely on come from the installed package, not from memory."""
    assert all(date(2026, 10, d) in chinese_calendar.holidays for d in range(1, 8))
    assert date(2026, 10, 10) in chinese_calendar.workdays  # Saturday, 调休
    assert date(2026, 9, 20) in chinese_calendar.workdays  # Sunday, 调休
    assert date(2026, 10, 10).weekday() == 5 and date(2026, 9, 20).weekday() == 6


def test_seven_working_days_from_28_september_2026_skip_national_day_and_count_make_up_saturday(calendar):
    # 9-29, 9-30 | 10-1..10-7 off | 10-8, 10-9, 10-10 (Sat, 调休), 10-12, 10-13
    assert calendar.add_working_days(date(2026, 9, 28), 7) == date(2026, 10, 13)


def test_national_day_week_2026_day_by_day(calendar):
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday, make-up working day
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    assert not calendar.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026_is_skipped_and_its_make_up_saturdays_count(calendar):
    assert date(2026, 2, 17) in chinese_calendar.holidays  # 春节 2026 (初一), from the package
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= set(chinese_calendar.workdays)
    # 2-13 (Fri), 2-14 (Sat, 调休) | 2-15..2-23 off | 2-24, 2-25, 2-26
    assert calendar.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert calendar.is_working_day(date(2026, 2, 28))  # Saturday, make-up working day
    # 2-14 (Sat, 调休), 2-24, 2-25, 2-26, 2-27
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_ordinary_week_counts_weekdays_only(calendar):
    assert calendar.add_working_days(date(2026, 3, 9), 5) == date(2026, 3, 16)  # Mon -> next Mon
    assert calendar.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri -> Mon
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_zero_working_days_ends_on_the_start_or_the_next_working_day(calendar):
    assert calendar.add_working_days(date(2026, 3, 10), 0) == date(2026, 3, 10)
    assert calendar.add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 16)  # Saturday
    assert calendar.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)


def test_negative_working_days_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 3, 10), -1)


def test_working_days_between_is_the_inverse_of_adding_them(calendar):
    start = date(2026, 9, 28)
    for n in range(1, 15):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n
    assert calendar.working_days_between(start, start) == 0
    assert calendar.working_days_between(date(2026, 10, 13), start) == -7


def test_datetimes_count_by_their_date(calendar):
    assert calendar.is_working_day(datetime(2026, 10, 10, 9, 0, tzinfo=BEIJING))
    assert calendar.add_working_days(datetime(2026, 9, 28, 17, 30, tzinfo=BEIJING), 7) == date(2026, 10, 13)


def test_covers_the_package_years_only(calendar):
    assert calendar.covers(2004) and calendar.covers(2026)
    assert not calendar.covers(2003) and not calendar.covers(2027)


def test_period_from_late_december_2026_into_2027_is_provisional_not_an_error(calendar):
    # 12-25, 12-28, 12-29, 12-30, 12-31 | 1-1 元旦 | 1-4, 1-5
    marked = calendar.add_working_days_marked(date(2026, 12, 24), 7)
    assert marked == (date(2027, 1, 5), True)


def test_period_ending_within_2026_does_not_need_2027(calendar):
    assert calendar.add_working_days(date(2026, 12, 24), 5) == date(2026, 12, 31)
    assert calendar.add_working_days_marked(date(2026, 12, 24), 5) == (date(2026, 12, 31), False)


def test_a_year_before_the_package_is_provisional_too(calendar):
    assert calendar.is_provisional(2003) and not calendar.is_provisional(2004)
    assert calendar.is_working_day(date(2003, 12, 31))
    assert not calendar.is_working_day(date(2003, 10, 2))  # 国庆 by the statutory rule
    assert calendar.add_working_days_marked(date(2003, 12, 30), 3) == (date(2004, 1, 5), True)


def test_2027_from_an_override_file_named_in_the_environment(tmp_path, monkeypatch):
    assert default_calendar().add_working_days_marked(date(2026, 12, 24), 7) == (date(2027, 1, 5), True)

    extra = tmp_path / "calendar-2027.json"
    extra.write_text(json.dumps({"years": OVERRIDES_2027}), encoding="utf-8")
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(extra))
    reset_default_calendar()

    calendar = default_calendar()
    assert calendar.covers(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))  # holiday from the override
    assert calendar.is_working_day(date(2027, 1, 2))  # Saturday, make-up day from the override
    # 12-25, 12-28, 12-29, 12-30, 12-31 | 1-1 off | 1-2 (Sat, 调休), 1-4
    assert calendar.add_working_days_marked(date(2026, 12, 24), 7) == (date(2027, 1, 4), False)


def test_2027_from_overrides_given_to_the_constructor():
    calendar = WorkCalendar(OVERRIDES_2027)
    assert calendar.add_working_days(date(2026, 12, 24), 7) == date(2027, 1, 4)
    assert calendar.working_days_between(date(2026, 12, 31), date(2027, 1, 5)) == 3  # 1-2, 1-4, 1-5


def test_overrides_beat_the_package_for_a_known_year():
    calendar = WorkCalendar({"2026": {"holidays": ["2026-10-10"], "workdays": ["2026-10-07"]}})
    assert not calendar.is_working_day(date(2026, 10, 10))  # package: make-up working Saturday
    assert calendar.is_working_day(date(2026, 10, 7))  # package: National Day holiday
    assert calendar.is_working_day(date(2026, 9, 20))  # dates not named keep the package's answer
    # 9-29, 9-30, 10-7, 10-8, 10-9, 10-12, 10-13
    assert calendar.add_working_days(date(2026, 9, 28), 7) == date(2026, 10, 13)
    assert calendar.add_working_days(date(2026, 10, 8), 2) == date(2026, 10, 12)


def test_a_later_file_wins_over_an_earlier_one(tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"years": OVERRIDES_2027}), encoding="utf-8")
    second = tmp_path / "second.json"
    second.write_text(json.dumps({"years": {"2027": {"holidays": ["2027-01-02"]}}}), encoding="utf-8")
    calendar = WorkCalendar.from_files(first, second)
    assert not calendar.is_working_day(date(2027, 1, 2))
    assert not calendar.is_working_day(date(2027, 1, 1))


def test_shipped_calendar_file_is_documented_and_adds_no_year():
    from engine.core.workdays import DEFAULT_CALENDAR_FILE

    document = json.loads(DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"))
    assert document["_doc"] and document["years"] == {}
    assert not default_calendar().covers(2027)


@pytest.mark.parametrize(
    ("years", "complaint"),
    [
        ({"2027": {"holidays": ["2028-01-01"]}}, "listed under year 2027"),
        ({"2027": {"holidays": ["2027-13-01"]}}, "not a YYYY-MM-DD date"),
        ({"2027": {"holiday": ["2027-01-01"]}}, "unknown keys"),
        ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}, "both holiday and workday"),
        ({"27": {"holidays": []}}, "four-digit year"),
    ],
)
def test_malformed_override_tables_are_refused_with_the_file_named(tmp_path, years, complaint):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"years": years}), encoding="utf-8")
    with pytest.raises(CalendarConfigError, match=complaint) as caught:
        WorkCalendar.from_files(bad)
    assert str(bad) in str(caught.value)


def test_an_environment_file_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(tmp_path / "missing.json"))
    with pytest.raises(CalendarConfigError, match="does not exist"):
        default_calendar()
