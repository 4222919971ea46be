"""The provisional calendar of a year without official data: weekends plus the statutory holidays of
the 全国年节及纪念日放假办法 (2024 revision), lunar ones from the lunar tables, no 调休."""

from datetime import date, datetime, timedelta

import pytest
from lunardate import LunarDate

from engine.core import clock
from engine.core.statutory_holidays import statutory_holidays
from engine.core.workdays import WorkCalendar


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_2027_has_the_thirteen_statutory_days_off():
    assert sorted(statutory_holidays(2027)) == [
        date(2027, 1, 1),
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),  # 除夕, 初一–初三
        date(2027, 4, 5),  # 清明
        date(2027, 5, 1), date(2027, 5, 2),
        date(2027, 6, 9),  # 端午
        date(2027, 9, 15),  # 中秋
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
    ]


def test_lunar_holidays_agree_with_the_lunar_tables():
    assert LunarDate.from_solar_date(2027, 2, 6) == LunarDate(2027, 1, 1)
    assert LunarDate.from_solar_date(2028, 1, 26) == LunarDate(2028, 1, 1)
    assert LunarDate.from_solar_date(2027, 6, 9) == LunarDate(2027, 5, 5)
    assert LunarDate.from_solar_date(2027, 9, 15) == LunarDate(2027, 8, 15)
    assert {date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 28), date(2028, 4, 4)} <= statutory_holidays(2028)


def test_new_years_eve_after_a_29_day_twelfth_month():
    # lunar 2026's 12th month has 29 days: 除夕 is the 29th, not a "30th" that does not exist
    eve = date(2027, 2, 5)
    assert LunarDate.from_solar_date(eve.year, eve.month, eve.day) == LunarDate(2026, 12, 29)
    assert eve in statutory_holidays(2027)
    assert date(2027, 2, 4) not in statutory_holidays(2027)


def test_a_30_day_twelfth_month_puts_the_eve_on_the_30th():
    assert LunarDate.from_solar_date(2030, 2, 2) == LunarDate(2029, 12, 30)
    assert date(2030, 2, 2) in statutory_holidays(2030)


def test_provisional_working_days_skip_statutory_holidays_and_make_up_nothing(calendar):
    assert calendar.is_provisional(2027)
    assert not calendar.is_working_day(date(2027, 2, 8))  # Monday, 初三
    assert not calendar.is_working_day(date(2027, 6, 9))  # Wednesday, 端午
    assert not calendar.is_working_day(date(2027, 2, 13))  # Saturday: no 调休 is guessed
    # 2-4, 2-5 off .. 2-8 off, then 2-9, 2-10
    assert calendar.add_working_days_marked(date(2027, 2, 3), 3) == (date(2027, 2, 10), True)


def test_a_publicity_list_published_on_24_december_2026_ends_in_2027_provisionally(calendar):
    with clock.frozen(datetime(2026, 12, 24, 10, tzinfo=clock.CHINA_TZ)):
        marked = calendar.add_working_days_marked(clock.today(), 7)
    assert marked.day == date(2027, 1, 5) and marked.provisional


@pytest.mark.parametrize("year", [1990, 2003, 2027, 2050, 2099, 2100])
def test_every_year_from_1990_to_2100_gives_a_date(calendar, year):
    marked = calendar.add_working_days_marked(date(year, 1, 1), 250)
    assert marked.provisional
    assert marked.day.year == year + 1 or marked.day.year == year
    assert len(statutory_holidays(year)) >= 11


def test_a_count_over_several_years_says_provisional_when_one_is(calendar):
    assert calendar.add_working_days_marked(date(2025, 1, 2), 300).provisional is False
    assert calendar.add_working_days_marked(date(2025, 1, 2), 600).provisional is True
    assert calendar.add_working_days_marked(date(2026, 12, 31) - timedelta(days=0), 0) == (date(2026, 12, 31), False)
