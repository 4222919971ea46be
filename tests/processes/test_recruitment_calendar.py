"""A publicity list published late in December counts its 7 working days into a year the holiday
package does not know: it is answered with a provisional end (never a 500), and loading the year's
official arrangement recounts the end and moves the 公示期满 timer with it."""

import json

from cli.main import cwflow
from tests.processes.test_recruitment_api import _ranked

# An arrangement for the test only: 1 and 4 January off, so the end moves from 5 to 6 January.
ARRANGEMENT_2027 = {"year": 2027, "holidays": ["2027-01-01", "2027-01-04"], "workdays": []}


def _publish_on_christmas_eve(campaign) -> dict:  # noqa: ANN001
    _, people = _ranked(campaign)
    for name in ("A1", "A2", "B2"):
        assert campaign.check("physical", people[name]["id"], "pass").status_code == 200
    campaign.close(campaign.panel, "close_physical", {"confirmed": True}, "2026-09-24T12:00:00+08:00")
    for name in ("A1", "A2", "B2"):
        campaign.check("vetting", people[name]["id"], "pass", "2026-09-25T10:00:00+08:00")
    campaign.close(campaign.panel, "close_vetting", {"confirmed": True}, "2026-09-25T13:00:00+08:00")
    campaign.login("civil_d01", "2026-12-24T08:00:00+08:00")
    return campaign.close(campaign.civil, "publish_list", {"channel": "区政府网站"}, "2026-12-24T09:00:00+08:00")


def test_publishing_on_24_december_2026_gives_a_provisional_end_in_2027(campaign):
    done = _publish_on_christmas_eve(campaign)
    assert done["status"] == "running"
    people = campaign.by_name()
    # 12-25, 12-28, 12-29, 12-30, 12-31 | 1-1 元旦 (statutory) | 1-4, 1-5
    assert people["A1"]["publicity_until"] == "2027-01-05"
    assert people["A1"]["publicity_provisional"] is True
    assert people["A7"]["publicity_provisional"] is False  # never on the list


def test_loading_2027_recounts_the_publicity_end_and_moves_its_timer(campaign, app, tmp_path):
    _publish_on_christmas_eve(campaign)
    file = tmp_path / "2027.json"
    file.write_text(json.dumps(ARRANGEMENT_2027), encoding="utf-8")
    with campaign.at("2026-12-25T09:00:00+08:00"):
        result = app.test_cli_runner().invoke(cwflow, args=["calendar", "load", str(file)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["year"] == 2027 and report["publicity_ends_changed"] == 3
    people = campaign.by_name()
    assert people["A1"]["publicity_until"] == "2027-01-06" and people["A1"]["publicity_provisional"] is False

    campaign.tick("2027-01-06T23:00:00+08:00")
    assert campaign.tasks() == []  # the provisional end (5 January) no longer closes the list
    campaign.tick("2027-01-07T00:00:01+08:00")
    assert campaign.tasks() == ["close_publicity"]
    events = campaign.civil.get(f"/api/v1/instances/{campaign.id}/events?per_page=100").get_json()["items"]
    assert [e["detail"]["ends"] for e in events if e["type"] == "publicity_recounted"] == [{"2027-01-05": "2027-01-06"}]
