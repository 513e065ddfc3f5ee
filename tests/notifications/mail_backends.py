"""A Django email backend for the delivery tests: a mail server whose behaviour each send is scripted.

Set EMAIL_BACKEND to "tests.notifications.mail_backends.ScriptedBackend" and append steps to SCRIPT: each
send pops the next step and calls it with the EmailMessage (it may probe, stall or raise); a send whose step
returns normally is accepted into ACCEPTED. With SCRIPT empty, every send is accepted at once.
"""

import threading

from django.core.mail.backends.base import BaseEmailBackend

SCRIPT: list = []
ACCEPTED: list = []
_lock = threading.Lock()


class WorkerKilled(BaseException):
    """Stands in for a worker killed mid-send (SIGKILL, OOM): not an Exception, so nothing records it."""


def reset() -> None:
    with _lock:
        SCRIPT.clear()
        ACCEPTED.clear()


def accept(email) -> None:
    with _lock:
        ACCEPTED.append(email)


class ScriptedBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for email in email_messages:
            with _lock:
                step = SCRIPT.pop(0) if SCRIPT else None
            if step is not None:
                step(email)
            accept(email)
        return len(email_messages)
