"""A refused page (403, 404) is logged once, as one line without a traceback; a real error keeps its traceback."""

import io
import logging

import pytest

pytestmark = pytest.mark.django_db


def _handlers_reached(name):
    """Every handler a record logged on `name` reaches (the logger's own, then its parents' while they propagate)."""
    logger, handlers = logging.getLogger(name), []
    while logger:
        handlers += [h for h in logger.handlers if type(h) is logging.StreamHandler]  # not pytest's own capture handlers
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.fixture
def console():
    """What the console handlers print, as one text (pytest's caplog handler left out)."""
    streams = {}
    for handler in _handlers_reached("django.request"):
        streams[handler] = handler.setStream(io.StringIO())
    yield lambda: "".join(h.stream.getvalue() for h in streams)
    for handler, stream in streams.items():
        handler.setStream(stream)


@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_page_is_one_line_once_without_a_traceback(client, officer_user, caplog, console, settings, debug):
    settings.DEBUG = debug  # with DEBUG on, Django's own console handler used to print it a second time
    client.force_login(officer_user)
    with caplog.at_level(logging.INFO):
        assert client.get("/dashboard/").status_code == 404  # refusals answer "not found" (cases.policy)
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1
    assert refusals[0].getMessage() == "Not Found: /dashboard/" and refusals[0].exc_info is None
    printed = console()
    assert printed.count("Not Found: /dashboard/") == 1 and "Traceback" not in printed
    assert printed.strip().count("\n") == 0


@pytest.mark.parametrize("debug", [False, True])
def test_a_forbidden_page_is_one_line_once_without_a_traceback(client, officer_user, caplog, console, settings, debug):
    # 403 is left to the admin site (a staff flag without a superuser): still one line, no traceback.
    settings.DEBUG = debug
    officer_user.is_staff = True
    officer_user.save()
    client.force_login(officer_user)
    with caplog.at_level(logging.INFO):
        assert client.get("/admin/cases/case/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1
    assert refusals[0].getMessage() == "Forbidden (Permission denied): /admin/cases/case/" and refusals[0].exc_info is None
    printed = console()
    assert printed.count("Forbidden (Permission denied): /admin/cases/case/") == 1 and "Traceback" not in printed
    assert printed.strip().count("\n") == 0


def test_a_missing_page_is_one_line_without_a_traceback(client, officer_user, caplog, console):
    client.force_login(officer_user)
    with caplog.at_level(logging.INFO):
        assert client.get("/staff/cases/ASB-1999-99999/").status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Not Found: /staff/cases/ASB-1999-99999/" and record.exc_info is None
    assert "Traceback" not in console()


def test_a_server_error_keeps_its_traceback(caplog):
    # Only refusals lose the traceback: a 500 logged by Django still carries it.
    logger = logging.getLogger("django.request")
    with caplog.at_level(logging.INFO):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.error("Internal Server Error: /x/", exc_info=True, extra={"status_code": 500})
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None and "RuntimeError: boom" in caplog.text
