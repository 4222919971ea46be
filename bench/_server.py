"""Shared by the benchmarks and the reliability tests: a fresh database, a gunicorn server on a free
port, a small HTTP client, peak-memory sampling and result files.

`python bench/_server.py prepare URL` sets a database up as `cwflow demo` does and deploys the
benchmark diagrams of bench/fixtures; it runs in its own process so that the process caches of the
caller (definition versions by id) never mix two databases.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
FIXTURES = ROOT / "bench" / "fixtures"
PASSWORD = "demo-pass-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    """Empty the benchmark database (PostgreSQL: a schema reset; SQLite: a new file)."""
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)


def server_env(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "CWFLOW_DATABASE_URL": url, "CWFLOW_SECRET_KEY": "bench-secret",
            "CWFLOW_COOKIE_SECURE": "0", "CWFLOW_TOKEN_HOURS": "24", **extra}


def prepare(url: str, fixtures: tuple[str, ...] = ()) -> None:
    """Demo data and shipped workflows, plus the named bench/fixtures diagrams, in a child process."""
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "prepare", url, *fixtures],
                   env=server_env(url), check=True, capture_output=True, cwd=ROOT)


def _prepare_here(url: str, fixtures: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from cli.demo import load_demo
    from cli.migrate import upgrade
    from cli.workflows import deploy_shipped
    from engine.workflow.definitions import Upload, deploy, load_form_files
    from web import create_app
    from web.extensions import db

    upgrade(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    forms = load_form_files(FIXTURES)
    with app.test_request_context():
        load_demo(db.session)
        db.session.commit()
        deploy_shipped()
        for name in fixtures:
            deploy(db.session, Upload((FIXTURES / f"{name}.bpmn").read_bytes(), (), forms,
                                      source=f"{name}.bpmn"), actor="bench")


@contextmanager
def gunicorn(url: str, workers: int = 2, *, fixtures: tuple[str, ...] = (), prepared: bool = False,
             log_path: Path | None = None, env: dict[str, str] | None = None):
    """Set the database up (unless `prepared`), then serve it with gunicorn until the block ends.

    Yields (port, process). `log_path` receives gunicorn's access and error logs (default: none).
    """
    if not prepared:
        prepare(url, fixtures)
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    access = ["--access-logfile", "-"] if log_path else ["--access-logfile", "/dev/null"]
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "config/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), *access],
        env={**server_env(url), **(env or {})}, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_healthy(port, proc)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log_path:
            log.close()


def wait_healthy(port: int, proc: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if Client(port, timeout=5).call("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def inprocess_app(url: str, fixtures: tuple[str, ...] = ()):  # noqa: ANN201 - a Flask app
    """A fresh, prepared database and the app on it in this process (for in-process benchmarks)."""
    sys.path.insert(0, str(ROOT))
    fresh_database(url)
    prepare(url, fixtures)
    os.environ.setdefault("CWFLOW_SECRET_KEY", "bench-secret")
    from web import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False})


class TestClientApi:
    """The API through Flask's test client, logged in by POST /api/v1/tokens (no HTTP, no gunicorn)."""

    def __init__(self, app, username: str):  # noqa: ANN001
        self.client = app.test_client()
        response = self.client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.client.open(path, method=method, json=body, headers=self.headers)
        return response.status_code, response.get_json()


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn worker processes (children of the master) right now."""
    try:
        text = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set (VmHWM) of a process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def own_peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """Samples the peak RSS of every gunicorn worker while it runs (workers may be recycled)."""

    def __init__(self, master_pid: int, interval: float = 0.5):
        self.master_pid = master_pid
        self.interval = interval
        self.peak: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in worker_pids(self.master_pid):
            value = peak_rss_mb(pid)
            if value is not None:
                self.peak[pid] = max(self.peak.get(pid, 0.0), value)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> "RssSampler":
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    @property
    def max_mb(self) -> float:
        return round(max(self.peak.values(), default=0.0), 1)


class Client:
    """A keep-alive JSON client for one thread."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.token = token

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                              headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except OSError:
            self.reconnect()
            raise
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return response.status, payload

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def login(self, username: str, password: str = PASSWORD) -> "Client":
        status, body = self.call("POST", "/api/v1/tokens", {"username": username, "password": password})
        assert status == 201, body
        self.token = body["token"]
        return self


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path


def print_table(title: str, rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> None:
    """A plain fixed-width table on stdout."""
    cells = [tuple(str(c) for c in header)] + [tuple("" if c is None else str(c) for c in row) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "prepare":
        _prepare_here(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("usage: _server.py prepare DATABASE_URL [FIXTURE ...]")
