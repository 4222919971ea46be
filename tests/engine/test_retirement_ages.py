"""The statutory retirement age under the gradual reform, checked against points of the published
tables (国务院关于渐进式延迟法定退休年龄的办法, 附件 1–3): birth month → age and retirement month."""

from datetime import date

import pytest

from engine.rules.retirement import community_worker_group, retirement_age


@pytest.mark.parametrize(("born", "group", "years", "months", "retires"), [
    # men, 60 → 63, one month every four months
    ("1964-12-15", "male_60", 60, 0, "2024-12-15"),  # reached 60 before the reform
    ("1965-01-01", "male_60", 60, 1, "2025-02-01"),
    ("1965-04-30", "male_60", 60, 1, "2025-05-30"),
    ("1965-05-01", "male_60", 60, 2, "2025-07-01"),
    ("1965-12-01", "male_60", 60, 3, "2026-03-01"),
    ("1970-06-01", "male_60", 61, 5, "2031-11-01"),
    ("1976-08-01", "male_60", 62, 11, "2039-07-01"),
    ("1976-09-01", "male_60", 63, 0, "2039-09-01"),
    ("1976-12-01", "male_60", 63, 0, "2039-12-01"),
    ("1985-03-01", "male_60", 63, 0, "2048-03-01"),
    # women whose original age is 55 (cadres), 55 → 58, one month every four months
    ("1969-12-01", "female_55", 55, 0, "2024-12-01"),
    ("1970-01-01", "female_55", 55, 1, "2025-02-01"),
    ("1970-05-01", "female_55", 55, 2, "2025-07-01"),
    ("1981-08-01", "female_55", 57, 11, "2039-07-01"),
    ("1981-09-01", "female_55", 58, 0, "2039-09-01"),
    # women whose original age is 50 (workers), 50 → 55, one month every two months
    ("1974-12-01", "female_50", 50, 0, "2024-12-01"),
    ("1975-01-01", "female_50", 50, 1, "2025-02-01"),
    ("1975-03-01", "female_50", 50, 2, "2025-05-01"),
    ("1980-01-01", "female_50", 52, 7, "2032-08-01"),
    ("1984-10-01", "female_50", 54, 11, "2039-09-01"),
    ("1984-11-01", "female_50", 55, 0, "2039-11-01"),
])
def test_the_reform_tables(born, group, years, months, retires):
    age = retirement_age(date.fromisoformat(born), group)
    assert (age.years, age.months, age.on.isoformat()) == (years, months, retires)


def test_community_workers_retire_at_the_ages_of_003_art_20():
    """Men 60, women 55 before the reform: the female_55 group, unless the record names another."""
    assert community_worker_group("男") == "male_60"
    assert community_worker_group("女") == "female_55"
    assert community_worker_group("女", {"retirement_group": "female_50"}) == "female_50"
    assert community_worker_group("女", {"retirement_group": "unknown"}) == "female_55"
    assert community_worker_group(None) is None


def test_the_groups_are_policy(monkeypatch):
    monkeypatch.setenv("CWFLOW_POLICY_COMMUNITY_WORKER_RETIREMENT_GROUP", '{"男": "male_60", "女": "female_50"}')
    assert community_worker_group("女") == "female_50"
