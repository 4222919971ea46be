"""A tiny SMTP server for tests: accepts every message on 127.0.0.1 and keeps it in a list.

It speaks just enough of RFC 5321 (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for smtplib.
"""

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode("ascii"))

    def handle(self) -> None:
        server: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self._say("220 sink ready")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                self._say("250 sink")
            elif verb == "MAIL":
                sender, recipients = command[10:].strip("<> "), []
                self._say("250 ok")
            elif verb == "RCPT":
                address = command[8:].strip("<> ")
                if address in server.refuse:
                    self._say("550 no such user")
                else:
                    recipients.append(address)
                    self._say("250 ok")
            elif verb == "DATA":
                self._say("354 end with .")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                server.received.append((sender, list(recipients), message_from_bytes(b"".join(lines), policy=policy.default)))
                self._say("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self._say("250 ok")
            elif verb == "NOOP":
                self._say("250 ok")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


class SmtpSink:
    """`with SmtpSink() as sink:` — sink.port to connect to, sink.received the messages."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, list[str], Message]] = []
        self.refuse: set[str] = set()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.sink = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SmtpSink":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
