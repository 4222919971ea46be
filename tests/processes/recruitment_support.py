"""What the recruitment tests share: a campaign brought to a stage, applicants, valid ID numbers."""

from datetime import date, datetime
from typing import Any

from tests.helpers import complete, open_task_names, start

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: date, seq: int, gender: str = "女") -> str:
    """A resident ID number with a valid GB 11643 check digit for this birth date and gender."""
    order = (seq % 500) * 2 + (1 if gender == "男" else 0)
    body = f"110101{birth:%Y%m%d}{order:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def applicant(seq: int, post: str = "S01C01", **overrides: Any) -> dict[str, Any]:
    birth = overrides.pop("birth_date", date(1995, 1, 1 + seq % 28))
    gender = overrides.pop("gender", "女" if seq % 2 else "男")
    return {"name": f"报名人{seq}", "gender": gender, "birth_date": birth.isoformat(),
            "id_number": id_number(birth, seq, gender), "education": "本科", "phone": "13800000000",
            "post": post, "local_residence": True, **overrides}


PLAN = {"title": "示范区2026年社区工作者公开招聘", "year": 2026,
        "posts": [{"community": "S01C01", "count": 2}, {"community": "S02C01", "count": 1}],
        "registration_opens": "2026-09-07", "registration_closes": "2026-09-11"}
NOTICE = {"notice_number": "示民〔2026〕8号", "published_on": "2026-09-02", "channel": "区政府网站"}


def start_campaign(user, org: str = "D01", **overrides: Any):  # noqa: ANN001
    return start(user, "recruitment", org, {**PLAN, **overrides})


class Campaign:
    """Drives one campaign through the API as the demo users, with the clock frozen per step."""

    def __init__(self, app, as_user, frozen_clock, client):  # noqa: ANN001
        self.app, self.as_user, self.frozen_clock, self.client = app, as_user, frozen_clock, client
        self.civil, self.swd, self.org = as_user("civil_d01"), as_user("swd_d01"), as_user("org_d01")
        self.panel = as_user("panel_d01")
        self.id: int = 0

    def at(self, moment: str):  # noqa: ANN201
        return self.frozen_clock(moment)

    def login(self, username: str, moment: str):  # noqa: ANN201
        """A fresh token issued at `moment` (tokens last hours; the probation ends months later)."""
        from tests.conftest import ApiClient

        with self.at(moment):
            user = ApiClient(self.client, username)
        if username == "civil_d01":
            self.civil = user
        return user

    def tick(self, moment: str) -> None:
        from engine.process import timers
        from web.extensions import db

        with self.app.app_context():
            timers.tick(db.session, datetime.fromisoformat(moment))

    def instance(self) -> dict[str, Any]:
        return self.civil.get(f"/api/v1/instances/{self.id}").get_json()

    def tasks(self) -> list[str]:
        return open_task_names(self.instance())

    def to_registration(self, **plan: Any) -> "Campaign":
        with self.at("2026-09-01T09:00:00+08:00"):
            response = start_campaign(self.civil, **plan)
            assert response.status_code == 201, response.get_json()
            self.id = response.get_json()["id"]
            complete(self.swd, self.id, "approve_plan", {"decision": "approve", "comment": "同意"})
            complete(self.org, self.id, "file_plan", {"filing_number": "组备〔2026〕3号", "filed_on": "2026-09-01"})
            complete(self.civil, self.id, "publish_notice", NOTICE)
        return self

    def apply(self, data: dict[str, Any], moment: str = "2026-09-08T10:00:00+08:00", address: str | None = None):  # noqa: ANN201
        with self.at(moment):
            return self.client.post(f"/api/v1/recruitments/{self.id}/applications", json=data,
                                    environ_base={"REMOTE_ADDR": address or f"10.0.{int(data['id_number'][-5:-1]) % 250}.9"})

    def register(self, applicants: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Register applicants; returns {name: {id, application_no}}."""
        created = {}
        for data in applicants:
            response = self.apply(data)
            assert response.status_code == 201, response.get_json()
            created[data["name"]] = response.get_json()
        return created

    def review_all(self, apps: dict[str, dict[str, Any]]) -> None:
        with self.at("2026-09-12T10:00:00+08:00"):
            for item in apps.values():
                response = self.civil.post(f"/api/v1/recruitments/{self.id}/applications/{item['id']}/review",
                                           json={"decision": "approve"})
                assert response.status_code == 200, response.get_json()

    def close(self, user, name: str, data: dict[str, Any], moment: str) -> dict[str, Any]:  # noqa: ANN001
        with self.at(moment):
            return complete(user, self.id, name, data)

    def scores(self, kind: str, rows: dict[str, Any], apps: dict[str, dict[str, Any]], moment: str):  # noqa: ANN201
        items = [{"application_no": apps[name]["application_no"], "score": score} for name, score in rows.items()]
        with self.at(moment):
            return self.panel.post(f"/api/v1/recruitments/{self.id}/scores", json={"kind": kind, "items": items})

    def applications(self, user=None, **query: Any) -> list[dict[str, Any]]:  # noqa: ANN001
        params = "&".join(f"{k}={v}" for k, v in {"per_page": 100, **query}.items())
        response = (user or self.civil).get(f"/api/v1/recruitments/{self.id}/applications?{params}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    def by_name(self) -> dict[str, dict[str, Any]]:
        return {a["name"]: a for a in self.applications()}

    def to_ranking(self, written: dict[str, Any], interview: dict[str, Any], apps: dict[str, dict[str, Any]]) -> None:
        """From registration to the ranking: review all, exam with pass line 60."""
        self.review_all(apps)
        self.tick("2026-09-12T00:00:01+08:00")
        self.close(self.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
        assert self.scores("written", written, apps, "2026-09-20T10:00:00+08:00").status_code == 200
        self.close(self.panel, "close_written_exam", {"pass_line": 60}, "2026-09-20T11:00:00+08:00")
        shortlisted = {n: s for n, s in interview.items() if self.by_name()[n]["status"] == "interview"}
        assert self.scores("interview", shortlisted, apps, "2026-09-22T10:00:00+08:00").status_code == 200
        self.close(self.panel, "close_interview", {"confirmed": True}, "2026-09-22T11:00:00+08:00")

    def check(self, kind: str, application_id: int, result: str, moment: str = "2026-09-24T10:00:00+08:00"):  # noqa: ANN201
        with self.at(moment):
            return self.panel.post(f"/api/v1/recruitments/{self.id}/applications/{application_id}/{kind}",
                                   json={"result": result, "note": "合格" if result == "pass" else "不合格"})
