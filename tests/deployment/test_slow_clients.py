"""Slow clients do not starve the others: against a real gunicorn with config/gunicorn.conf.py, twenty
connections trickling their headers a line a second leave a normal request answered at once."""

import socket
import threading
import time

import pytest

from bench._server import Client, fresh_database, gunicorn

SLOW_CLIENTS = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """gunicorn with the shipped settings and two workers, on its own SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('slow') / 'cwflow.db'}"
    fresh_database(url)
    with gunicorn(url, workers=2, log_path=tmp_path_factory.mktemp("log") / "gunicorn.log") as (port, _proc):
        yield port


def _trickle(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    """One slow client: a request line, then one header line a second, never the blank line."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened.append(sock)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    line = 0
    while not stop.wait(1.0):
        line += 1
        try:
            sock.sendall(f"X-Slow-{line}: x\r\n".encode())
        except OSError:
            return


def test_twenty_slow_header_clients_do_not_keep_a_normal_request_waiting(server):
    stop = threading.Event()
    opened: list[socket.socket] = []
    slow = [threading.Thread(target=_trickle, args=(server, stop, opened), daemon=True) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(3)  # every slow client has sent a few lines and holds its connection
        for _attempt in range(3):
            began = time.monotonic()
            status, body = Client(server, timeout=10).call("GET", "/healthz")
            assert status == 200, body
            assert time.monotonic() - began < 2.0
        status, body = Client(server, timeout=10).call("GET", "/api/openapi.json")
        assert status == 200
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=5)
        for sock in opened:
            sock.close()
