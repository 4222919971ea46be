"""A business key reveals nothing about another street's case: scope is checked before the key is
looked up, and a key used out of sight is refused without a word about the case that holds it."""

from tests.helpers import start

RESIGNATION_S01 = {"worker_id": 1, "reason": "个人原因", "submitted_on": "2026-11-02"}
RESIGNATION_S02 = {"worker_id": 4, "reason": "个人原因", "submitted_on": "2026-11-02"}


def _error(response) -> dict:  # noqa: ANN001
    return response.get_json()["error"]


def test_a_start_in_another_streets_unit_looks_the_same_with_a_taken_key_as_with_a_new_one(as_user):
    assert start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION_S01, business_key="LZ-S01-7").status_code == 201
    hr2 = as_user("hr_s02")
    taken = start(hr2, "resignation", "S01C01", RESIGNATION_S01, business_key="LZ-S01-7")
    fresh = start(hr2, "resignation", "S01C01", RESIGNATION_S01, business_key="LZ-NEVER-USED")
    assert taken.status_code == fresh.status_code == 422
    assert _error(taken) == _error(fresh) and _error(taken)["code"] == "org_not_found"


def test_a_key_used_by_a_case_out_of_sight_is_refused_naming_the_field_and_nothing_else(as_user):
    first = start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION_S01, business_key="LZ-S01-8")
    case_id = first.get_json()["id"]
    refused = start(as_user("hr_s02"), "resignation", "S02C01", RESIGNATION_S02, business_key="LZ-S01-8")
    assert refused.status_code == 422
    error = _error(refused)
    assert error["code"] == "business_key_unavailable"
    assert error["details"]["fields"]["business_key"] == ["不可用，请使用其他编号"]
    text = refused.get_data(as_text=True)
    assert str(case_id) not in text and "S01" not in text and "李建国" not in text and "王晓梅" not in text
    listing = as_user("hr_s02").get("/api/v1/instances?business_key=LZ-S01-8").get_json()
    assert listing["total"] == 0
    again = start(as_user("hr_s01"), "resignation", "S01C01", RESIGNATION_S01, business_key="LZ-S01-8")
    assert again.status_code == 200 and again.get_json()["id"] == case_id  # its own retry still gets it

