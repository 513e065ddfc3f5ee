"""A logging filter that bounds every message: requests carry values of any length, and logs must not.

Django logs the request path with each 4xx and 5xx, and an exception's text can hold a posted value whole
(formtools' KeyError did: 100,000 characters in one line). Cut each message and each traceback line.
"""

import logging

MAX_MESSAGE = 1000
MAX_TRACEBACK_LINE = 500


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text) - limit} more characters]"


class TruncateLongValues(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_MESSAGE:
            record.msg, record.args = _cut(message, MAX_MESSAGE), ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = "\n".join(_cut(line, MAX_TRACEBACK_LINE) for line in text.splitlines())
        return True


class RefusalsOnOneLine(logging.Filter):
    """A 403 or 404 is an expected answer, not a fault: log it as one line, without the traceback Django attaches.

    django.request logs PermissionDenied and Http404 as warnings with exc_info; a traceback per refused page
    buries real errors. Only the record is changed (4xx at status 403/404); 5xx keep their traceback.
    """

    STATUSES = {403, 404}

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in self.STATUSES:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
