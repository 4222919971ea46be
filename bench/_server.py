"""Shared by the benchmarks: a fresh database, a gunicorn server on a free port, a small HTTP client."""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


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


@contextmanager
def gunicorn(url: str, workers: int = 2):
    """Set the database up as `cwflow demo` does, then serve it with gunicorn until the block ends."""
    env = {**os.environ, "CWFLOW_DATABASE_URL": url, "CWFLOW_SECRET_KEY": "bench-secret",
           "CWFLOW_COOKIE_SECURE": "0", "CWFLOW_TOKEN_HOURS": "24"}
    subprocess.run([str(BIN / "cwflow"), "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "config/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", "/dev/null"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Client(port).call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Client:
    """A keep-alive JSON client for one thread."""

    def __init__(self, port: int, token: str | None = None):
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def login(self, username: str, password: str = "demo-pass-2026") -> "Client":
        status, body = self.call("POST", "/api/v1/tokens", {"username": username, "password": password})
        assert status == 201, body
        self.token = body["token"]
        return self


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path
