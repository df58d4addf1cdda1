"""A real SMTP server on loopback for tests (aiosmtpd in a thread)."""

from __future__ import annotations

import asyncio
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
        self.sessions = 0
        self.delay = 0.0
        self.lock = threading.Lock()
        # hold_after(n): the message after the n-th is held until released,
        # so a test can act (kill the sender) while it is in flight.
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_at is not None and len(self.messages) >= self.hold_at:
            self.hold_at = None
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.01)
            if server.transport is None or server.transport.is_closing():
                # The sender went away before hearing "250": like any SMTP
                # server, take no responsibility for the message.
                return "451 4.3.0 Connection lost before the message was accepted"
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

    @property
    def sessions(self) -> int:
        """SMTP sessions opened (EHLO greetings): one per connection."""
        return self.handler.sessions

    def hold_after(self, count: int) -> None:
        """Hold the message after the `count`-th until `release()`; `holding`
        is set while it waits."""
        self.handler.holding.clear()
        self.handler.released.clear()
        self.handler.hold_at = count

    @property
    def holding(self) -> threading.Event:
        return self.handler.holding

    def release(self) -> None:
        self.handler.released.set()

    def slow_down(self, seconds: float) -> None:
        """Take this long to accept each message (a slower relay)."""
        self.handler.delay = seconds

    def refuse_next(self, count: int) -> None:
        """Answer the next `count` messages with a temporary (451) failure."""
        self.handler.refuse_next = count

    def reset(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.attempts = 0
            self.handler.refuse_next = 0
            self.handler.sessions = 0
            self.handler.delay = 0.0

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
