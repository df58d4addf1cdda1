"""A real SMTP server on loopback for tests (aiosmtpd in a thread)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Temporary failure, try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 OK"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SMTPServer:
    host = "127.0.0.1"

    def __init__(self) -> None:
        self.handler = _Handler()
        # aiosmtpd checks readiness by connecting to the port it was given, so
        # it needs a real free port rather than 0.
        self.port = _free_port(self.host)
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.handler.messages)

    @property
    def attempts(self) -> int:
        return self.handler.attempts

    def refuse_next(self, count: int) -> None:
        """Answer the next `count` messages with a temporary (451) failure."""
        self.handler.refuse_next = count

    def reset(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.attempts = 0
            self.handler.refuse_next = 0

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
