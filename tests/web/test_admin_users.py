"""Users, roles per org unit, deactivation, org units and integration tokens."""

import re

from sqlalchemy import select

from engine.models import ApiToken, AuditEvent, OrgUnit, User
from tests.web.test_admin_support import login


def _user(app, username: str) -> User | None:  # noqa: ANN001
    from web.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def _api_login(client, username: str, password: str):  # noqa: ANN001, ANN201
    return client.post("/api/v1/tokens", json={"username": username, "password": password})


def test_an_admin_creates_a_user_with_a_role_who_can_then_sign_in(client, app):
    token = login(client)
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "hr_s01_b", "display_name": "第一街道人事（二）",
        "password": "a-strong-password", "role": "street_hr", "org": "S01"})
    assert response.status_code == 302
    user = _user(app, "hr_s01_b")
    assert user.active and [(a.role, a.org_code, a.org_path) for a in user.roles] == [("street_hr", "S01", "D01/S01/")]
    assert "a-strong-password" not in user.password_hash
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "用户已创建" in detail and "街道人事" in detail
    assert _api_login(client, "hr_s01_b", "a-strong-password").status_code == 201


def test_a_refused_user_form_says_why_beside_each_field(client, app):
    token = login(client)
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "hr_s01", "display_name": "", "password": "short",
        "role": "no_such_role", "org": "S01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "用户名已存在" in page and "请填写姓名" in page and "密码至少 8 位" in page and "未知角色" in page


def test_roles_are_added_per_org_unit_and_removed(client, app):
    token = login(client)
    hr = _user(app, "hr_s02")
    added = client.post(f"/admin/users/{hr.id}/roles", data={"csrf_token": token, "role": "street_leader",
                                                              "org": "S02"})
    assert added.status_code == 302
    roles = {(a.role, a.org_code): a.id for a in _user(app, "hr_s02").roles}
    assert ("street_leader", "S02") in roles
    duplicate = client.post(f"/admin/users/{hr.id}/roles", data={"csrf_token": token, "role": "street_leader",
                                                                  "org": "S02"})
    assert duplicate.status_code == 409
    unknown = client.post(f"/admin/users/{hr.id}/roles", data={"csrf_token": token, "role": "street_hr",
                                                                "org": "NOPE"})
    assert unknown.status_code == 422 and "未知的组织单位" in unknown.get_data(as_text=True)
    removed = client.post(f"/admin/users/{hr.id}/roles/{roles[('street_leader', 'S02')]}/delete",
                          data={"csrf_token": token})
    assert removed.status_code == 302
    assert {(a.role, a.org_code) for a in _user(app, "hr_s02").roles} == {("street_hr", "S02")}


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token_until_reactivated(client, app):
    leader_token = _api_login(client, "leader_s01", "demo-pass-2026").get_json()["token"]
    token = login(client)
    leader = _user(app, "leader_s01")
    assert client.post(f"/admin/users/{leader.id}/active", data={"csrf_token": token, "active": "0"}).status_code == 302
    assert not _user(app, "leader_s01").active
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {leader_token}"}).status_code == 401
    assert _api_login(client, "leader_s01", "demo-pass-2026").status_code == 401
    assert "已停用" in client.get(f"/admin/users/{leader.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{leader.id}/active", data={"csrf_token": token, "active": "1"}).status_code == 302
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {leader_token}"}).status_code == 200


def test_an_admin_cannot_lock_out_the_last_administrator(client, app):
    token = login(client)
    admin = _user(app, "admin")
    response = client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 409 and "不能停用自己的账号" in response.get_data(as_text=True)
    assignment = admin.roles[0].id
    removed = client.post(f"/admin/users/{admin.id}/roles/{assignment}/delete", data={"csrf_token": token})
    assert removed.status_code == 409
    assert _user(app, "admin").active and _user(app, "admin").roles


def test_the_user_list_is_searchable(client):
    login(client)
    page = client.get("/admin/users?q=leader").get_data(as_text=True)
    assert "leader_s01" in page and "hr_s01" not in page


def test_org_units_are_created_under_a_parent_of_the_level_above(client, app):
    token = login(client)
    created = client.post("/admin/orgs", data={"csrf_token": token, "code": "S01C03", "name": "第一街道新华社区",
                                               "level": "community", "parent": "S01", "households": "1800",
                                               "residents": ""})
    assert created.status_code == 302
    from web.extensions import db

    with app.app_context():
        org = db.session.get(OrgUnit, "S01C03")
        assert (org.path, org.level, org.households, org.residents) == ("D01/S01/S01C03/", "community", 1800, None)
    assert "第一街道新华社区" in client.get("/admin/orgs").get_data(as_text=True)

    wrong = client.post("/admin/orgs", data={"csrf_token": token, "code": "X1", "name": "错层社区",
                                             "level": "community", "parent": "D01"})
    assert wrong.status_code == 422 and "社区的上级应为：街道" in wrong.get_data(as_text=True)
    taken = client.post("/admin/orgs", data={"csrf_token": token, "code": "S01", "name": "重复",
                                             "level": "street", "parent": "D01", "households": "many"})
    page = taken.get_data(as_text=True)
    assert taken.status_code == 422 and "请填写整数" in page
    taken = client.post("/admin/orgs", data={"csrf_token": token, "code": "S01", "name": "重复", "level": "street",
                                             "parent": "D01"})
    assert taken.status_code == 422 and "代码已存在" in taken.get_data(as_text=True)
    district = client.post("/admin/orgs", data={"csrf_token": token, "code": "D02", "name": "新区",
                                                "level": "district", "parent": ""})
    assert district.status_code == 302


def test_a_minted_token_is_shown_once_works_and_can_be_revoked(client, app):
    token = login(client)
    user = _user(app, "hrss_d01")
    minted = client.post("/admin/tokens", data={"csrf_token": token, "user_id": str(user.id),
                                                "label": "人社系统同步", "hours": "0"})
    assert minted.status_code == 201
    page = minted.get_data(as_text=True)
    secret = re.search(r'<code id="minted-token">([^<]+)</code>', page).group(1)
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert secret not in listing and "人社系统同步" in listing and "不过期" in listing
    from web.extensions import db

    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.label == "人社系统同步"))
        assert row.expires_at is None and secret not in row.token_hash
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.type == "token_issued")).all()
        assert events and all(secret not in str(e.detail) for e in events)
    revoked = client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "已吊销" in client.get("/admin/tokens").get_data(as_text=True)


def test_a_token_needs_a_purpose_and_an_active_user(client):
    token = login(client)
    response = client.post("/admin/tokens", data={"csrf_token": token, "user_id": "999999", "label": "",
                                                  "hours": "-1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写用途" in page and "请选择一个在用的用户" in page and "有效期" in page
    assert client.post("/admin/tokens/999999/revoke", data={"csrf_token": token}).status_code == 404

