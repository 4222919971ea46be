"""Editing a worker record on a version someone else has changed meanwhile is refused (409
worker_changed) and writes nothing; a PATCH of one key of flags, contract or data keeps the others."""

WORKER = "/api/v1/workers/1"  # 王晓梅, 阳光社区 S01C01


def _history_fields(hr) -> list[str]:  # noqa: ANN001
    return [c["field"] for c in hr.get(f"{WORKER}/history?per_page=100").get_json()["items"]]


def test_a_worker_shows_its_version_and_each_change_moves_it(as_user):
    hr = as_user("hr_s01")
    before = hr.get(WORKER)
    version = before.get_json()["version"]
    assert before.headers["ETag"] == f'"{version}"'

    changed = hr.patch(WORKER, json={"flags": {"under_audit": True}})
    assert changed.status_code == 200
    assert changed.get_json()["version"] == version + 1
    assert changed.headers["ETag"] == f'"{version + 1}"'
    unchanged = hr.patch(WORKER, json={"flags": {"under_audit": True}})
    assert unchanged.get_json()["version"] == version + 1


def test_a_stale_version_in_the_body_is_refused_and_nothing_is_written(as_user):
    hr = as_user("hr_s01")
    version = hr.get(WORKER).get_json()["version"]
    assert hr.patch(WORKER, json={"flags": {"under_audit": True}, "version": version}).status_code == 200
    history_before = _history_fields(hr)

    stale = hr.patch(WORKER, json={"flags": {"under_audit": False, "is_elected": True}, "name": "王小梅",
                                   "version": version})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "worker_changed"
    assert error["message"] == "该档案已被他人修改，请刷新后重试"
    assert error["details"]["version"] == version + 1
    worker = hr.get(WORKER).get_json()
    assert worker["flags"].get("under_audit") is True and not worker["flags"].get("is_elected")
    assert worker["name"] == "王晓梅" and worker["version"] == version + 1
    assert _history_fields(hr) == history_before


def test_if_match_names_the_version_like_the_body_does(as_user):
    hr = as_user("hr_s01")
    etag = hr.get(WORKER).headers["ETag"]
    fresh = hr.patch(WORKER, json={"flags": {"is_elected": True}}, headers={"If-Match": etag})
    assert fresh.status_code == 200
    stale = hr.patch(WORKER, json={"flags": {"is_elected": False}}, headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "worker_changed"
    assert hr.get(WORKER).get_json()["flags"]["is_elected"] is True
    weak = hr.patch(WORKER, json={"flags": {"is_elected": False}}, headers={"If-Match": f"W/{fresh.headers['ETag']}"})
    assert weak.status_code == 200


def test_an_if_match_that_is_no_version_is_refused_naming_the_header(as_user):
    hr = as_user("hr_s01")
    response = hr.patch(WORKER, json={"flags": {"under_audit": True}}, headers={"If-Match": '"abc"'})
    assert response.status_code == 422
    assert "If-Match" in response.get_json()["error"]["details"]["fields"]
    assert not hr.get(WORKER).get_json()["flags"].get("under_audit")


def test_a_patch_of_one_key_keeps_the_other_keys_of_flags_contract_and_data(as_user):
    hr = as_user("hr_s01")
    hr.patch(WORKER, json={"flags": {"under_audit": True}, "contract": {"type": "招聘", "start": "2024-01-01"},
                           "data": {"assessments": {"2025": "称职"}, "phone_note": "工作日可联系"}})
    response = hr.patch(WORKER, json={"flags": {"is_elected": True}, "contract": {"end": "2027-12-31"},
                                      "data": {"assessments": {"2025": "优秀"}}, "reason": "年度考核"})
    assert response.status_code == 200
    worker = response.get_json()
    assert worker["flags"]["under_audit"] is True and worker["flags"]["is_elected"] is True
    assert worker["contract"]["type"] == "招聘" and worker["contract"]["start"] == "2024-01-01"
    assert worker["contract"]["end"] == "2027-12-31"
    assert worker["data"] == {"assessments": {"2025": "优秀"}, "phone_note": "工作日可联系"}
    changes = hr.get(f"{WORKER}/history?per_page=100").get_json()["items"]
    last = [c for c in changes if c["source"] == "年度考核"]
    assert {c["field"] for c in last} == {"flags.is_elected", "contract.end", "data.assessments"}
