"""Benchmark: one recruitment campaign with 5,000 applications for 50 posts, end to end, in-process.

Drives the REST API through Flask's test client (no network) with the engine clock frozen per
stage: plan, approval, filing, notice, registrations, reviews, the registration timer, scores (the
written ones imported from a generated .xlsx), interview list, ranking, physical and vetting with
substitutions, publicity with its working-day timer, hire, the probation timer and review.

It answers two questions: does reviewing one application cost the same with 50 and with 5,000
applications in the campaign (goal: ratio of medians <= 1.2), and how long does a whole campaign
take. The database is SQLite in a temporary folder, or `--database-url` (PostgreSQL): that
database's public schema is DROPPED and recreated, so give it a database of its own.

    .venv/bin/python bench/recruitment_campaign.py
    .venv/bin/python bench/recruitment_campaign.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_bench
"""

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from engine.core import clock  # noqa: E402
from engine.process import timers  # noqa: E402
from web import create_app  # noqa: E402
from web.extensions import db  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
WINDOW = 50  # applications reviewed at each size
REPEAT = 4  # each reviewed this often (a review may be revised), so a median of 200 timings


def id_number(birth: date, seq: int) -> str:
    body = f"{110101 + seq // 900:06d}{birth:%Y%m%d}{seq % 900:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


class Api:
    """A bearer-token client for one demo user; tokens are issued at the frozen moment."""

    def __init__(self, client, username: str):  # noqa: ANN001
        self.client, self.username = client, username
        response = client.post("/api/v1/tokens", json={"username": username, "password": "demo-pass-2026"})
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, url: str) -> dict:
        response = self.client.get(url, headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def post(self, url: str, body: dict | None = None, *, expect: int = 200, **kwargs) -> dict:  # noqa: ANN003
        response = self.client.post(url, json=body, headers=self.headers, **kwargs) if body is not None else \
            self.client.post(url, headers=self.headers, **kwargs)
        assert response.status_code == expect, (url, response.status_code, response.get_json())
        return response.get_json()

    def complete(self, instance_id: int, name: str, data: dict) -> dict:
        tasks = self.get(f"/api/v1/tasks?instance={instance_id}&per_page=100")["items"]
        (task,) = [t for t in tasks if t["name"] == name]
        return self.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})["instance"]


class Bench:
    def __init__(self, url: str, applications: int, posts: int):
        self.url, self.n_apps, self.n_posts = url, applications, posts
        self.phases: dict[str, float] = {}
        self.rng = random.Random(2026)

    @contextmanager
    def phase(self, name: str, moment: str):
        started = time.perf_counter()
        with clock.frozen(datetime.fromisoformat(moment)):
            yield
        self.phases[name] = round(time.perf_counter() - started, 3)

    def setup(self) -> None:
        from cli.demo import ensure_org, load_demo
        from cli.migrate import upgrade
        from cli.workflows import deploy_shipped

        reset(self.url)
        upgrade(self.url)
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "bench", "TESTING": True,
                               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SESSION_COOKIE_SECURE": False})
        # Communities for 50 posts of 2: 10,000 residents each, so 18 by the staffing standard.
        self.communities = [f"S0{1 + i % 2}B{i:02d}" for i in range(self.n_posts // 2)]
        with self.app.app_context():  # never left pushed: each request needs its own context (and `g`)
            load_demo(db.session)
            for code in self.communities:
                ensure_org(db.session, code, f"基准社区{code}", "community", code[:3], 3000, 10000)
            db.session.commit()
            deploy_shipped()
            self.dialect = db.engine.dialect.name
        self.client = self.app.test_client()

    def tick(self, moment: str) -> None:
        with self.app.app_context():
            timers.tick(db.session, datetime.fromisoformat(moment))

    def run(self) -> dict:
        started = time.perf_counter()
        client = self.client
        with self.phase("plan_to_notice", "2026-09-01T09:00:00+08:00"):
            civil, swd, org = (Api(client, u) for u in ("civil_d01", "swd_d01", "org_d01"))
            plan = {"title": "基准招聘", "year": 2026, "registration_opens": "2026-09-07",
                    "registration_closes": "2026-09-11", "posts": [{"community": c, "count": 2} for c in self.communities]}
            campaign = civil.post("/api/v1/processes/recruitment/instances", {"org": "D01", "data": plan}, expect=201)
            self.id = cid = campaign["id"]
            swd.complete(cid, "approve_plan", {"decision": "approve"})
            org.complete(cid, "file_plan", {"filing_number": "组备1号", "filed_on": "2026-09-01"})
            civil.complete(cid, "publish_notice", {"notice_number": "公告1号", "published_on": "2026-09-01",
                                                   "channel": "网站"})
        base = f"/api/v1/recruitments/{cid}"
        ids: list[int] = []
        numbers: list[str] = []
        review_ms: dict[str, list[float]] = {"at_50": [], "at_5000": []}
        with self.phase("registration_and_review", "2026-09-08T10:00:00+08:00"):
            civil = Api(client, "civil_d01")
            self.register(base, 0, WINDOW, ids, numbers)
            review_ms["at_50"] = self.review(civil, base, ids[:WINDOW] * REPEAT)
            self.register(base, WINDOW, self.n_apps, ids, numbers)
            self.review(civil, base, ids[WINDOW:-WINDOW])
            review_ms["at_5000"] = self.review(civil, base, ids[-WINDOW:] * REPEAT)
        with self.phase("exam", "2026-09-20T10:00:00+08:00"):
            self.tick("2026-09-12T00:00:01+08:00")
            civil, panel = Api(client, "civil_d01"), Api(client, "panel_d01")
            civil.complete(cid, "close_qualification_review", {"confirmed": True})
            sheet = self.sheet(numbers)
            panel.post(f"{base}/scores/import?kind=written", data={"file": (sheet, "笔试成绩.xlsx")},
                       content_type="multipart/form-data")
            panel.complete(cid, "close_written_exam", {"pass_line": 60})
            listed = self.all_items(panel, f"{base}/applications?status=interview")
            panel.post(f"{base}/scores", {"kind": "interview", "items": [
                {"application_no": a["application_no"], "score": self.rng.randint(6000, 9800) / 100} for a in listed]})
            panel.complete(cid, "close_interview", {"confirmed": True})
        substitutions = 0
        with self.phase("physical_vetting", "2026-09-24T10:00:00+08:00"):
            panel = Api(client, "panel_d01")
            for stage, checks in (("physical", ("physical",)), ("vetting", ("physical", "vetting"))):
                for check in checks * 3:  # substitutes of a failed vetting need a physical first
                    for position, item in enumerate(self.all_items(panel, f"{base}/applications?status={check}")):
                        result = "fail" if position % 10 == 3 and item["substitute_for"] is None else "pass"
                        substitutions += result == "fail"
                        panel.post(f"{base}/applications/{item['id']}/{check}", {"result": result})
                panel.complete(cid, f"close_{stage}", {"confirmed": True})
        with self.phase("publicity", "2026-09-28T09:00:00+08:00"):
            Api(client, "civil_d01").complete(cid, "publish_list", {"channel": "网站"})
        with self.phase("hire", "2026-10-14T10:00:00+08:00"):
            self.tick("2026-10-14T00:00:01+08:00")
            civil = Api(client, "civil_d01")
            civil.complete(cid, "close_publicity", {"next_step": "hire"})
            civil.complete(cid, "hire", {"contract_start": "2026-11-01", "contract_years": 3, "probation_months": 3,
                                         "filing_number": "民备1号"})
        with self.phase("probation", "2027-02-02T10:00:00+08:00"):
            self.tick("2027-02-01T09:00:01+08:00")
            civil = Api(client, "civil_d01")
            hired = self.all_items(civil, f"{base}/applications?status=hired")
            for item in hired:
                civil.post(f"{base}/applications/{item['id']}/probation", {"result": "pass", "note": "合格"})
            done = civil.complete(cid, "probation_review", {"confirmed": True})
        assert done["status"] == "completed" and done["outcome"] == "hired"
        median_50, median_5000 = (statistics.median(review_ms[k]) for k in ("at_50", "at_5000"))
        return {"database": self.dialect, "applications": self.n_apps,
                "posts": sum(p["count"] for p in plan["posts"]), "hired": len(hired), "substitutions": substitutions,
                "review_ms_median_at_50": round(median_50, 3), "review_ms_median_at_5000": round(median_5000, 3),
                "review_cost_ratio": round(median_5000 / median_50, 3), "phases_s": self.phases,
                "campaign_wall_s": round(time.perf_counter() - started, 3)}

    def register(self, base: str, start: int, stop: int, ids: list[int], numbers: list[str]) -> None:
        posts = self.communities
        for seq in range(start, stop):
            birth = date(1988 + seq % 12, 1 + seq % 12, 1 + seq % 28)
            body = {"name": f"报名人{seq}", "gender": "男" if int(id_number(birth, seq)[16]) % 2 else "女",
                    "birth_date": birth.isoformat(), "id_number": id_number(birth, seq), "education": "本科",
                    "post": posts[seq % len(posts)], "local_residence": True}
            response = self.client.post(f"{base}/applications", json=body,
                                        environ_base={"REMOTE_ADDR": f"10.{seq // 60000}.{seq // 250 % 240}.{seq % 250}"})
            assert response.status_code == 201, response.get_json()
            ids.append(response.get_json()["id"])
            numbers.append(response.get_json()["application_no"])

    def review(self, civil: Api, base: str, ids: list[int]) -> list[float]:
        """Review each application; the wall time of each review completion, in ms."""
        gc.collect()
        costs = []
        for application_id in ids:
            started = time.perf_counter()
            civil.post(f"{base}/applications/{application_id}/review", {"decision": "approve"})
            costs.append((time.perf_counter() - started) * 1000)
        return costs

    def sheet(self, numbers: list[str]) -> BytesIO:
        book = Workbook()
        sheet = book.active
        sheet.append(("报名号", "成绩"))
        for number in numbers:
            sheet.append((number, self.rng.randint(3000, 9900) / 100))
        buffer = BytesIO()
        book.save(buffer)
        buffer.seek(0)
        return buffer

    def all_items(self, api: Api, url: str) -> list[dict]:
        items, page = [], 1
        while True:
            body = api.get(f"{url}&per_page=100&page={page}")
            items += body["items"]
            if len(items) >= body["total"]:
                return items
            page += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL of a database this run may wipe")
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=50, help="posts, 2 per generated community")
    parser.add_argument("--sqlite-dir", default=None,
                        help="folder for the SQLite file (default /dev/shm, so disk syncs do not drown the figures)")
    args = parser.parse_args()
    sqlite_dir = args.sqlite_dir or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    with tempfile.TemporaryDirectory(dir=sqlite_dir) as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        bench = Bench(url, args.applications, args.posts)
        bench.setup()
        result = bench.run()
    result["at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    result["sqlite_dir"] = None if args.database_url else sqlite_dir
    rows = [("database", result["database"]), ("applications / posts", f"{result['applications']} / {result['posts']}"),
            ("hired / substitutions", f"{result['hired']} / {result['substitutions']}"),
            ("review ms, median at 50", result["review_ms_median_at_50"]),
            ("review ms, median at 5,000", result["review_ms_median_at_5000"]),
            ("ratio (goal <= 1.2)", result["review_cost_ratio"]),
            *((f"phase {name} s", seconds) for name, seconds in result["phases_s"].items()),
            ("campaign wall time s", result["campaign_wall_s"])]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"recruitment_campaign-{result['database']}-{datetime.now():%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
