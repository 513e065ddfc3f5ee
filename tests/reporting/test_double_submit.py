"""Sending the online report several times at once (a double click under load) makes one report."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from cases.models import Case, Report
from notifications.models import Message

from .helpers import answers, post_step, step_url, walk

CONFIRMATION = "/report/confirmation/"
CLICKS = 5


def _send_at_once(session_cookie: str, clicks: int) -> list:
    """POST the check page from `clicks` clients sharing one session, all released together, and follow
    each one's redirects as a browser would. Returns each click's chain of (status, location) or the exception."""
    barrier = threading.Barrier(clicks)
    outcomes = [None] * clicks

    def click(i):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
        chain = []
        try:
            barrier.wait(timeout=30)
            response = post_step(client, "check", {})
            chain.append((response.status_code, response.get("Location", "")))
            for _ in range(5):
                if response.status_code != 302:
                    break
                response = client.get(response["Location"])
                chain.append((response.status_code, response.get("Location", "")))
            outcomes[i] = chain
        except Exception as exc:  # noqa: BLE001 (a 500 in the test client surfaces as the exception itself)
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _ends_on_confirmation(chain) -> bool:
    """Each click ends where the resident should be: the confirmation page, reached only by redirects."""
    if isinstance(chain, Exception) or not chain:
        return False
    *hops, (last_status, _) = chain
    return last_status == 200 and all(status == 302 for status, _ in hops) and hops[-1][1] == CONFIRMATION


@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_sends_of_the_check_page_make_one_report_and_one_acknowledgement():
    client = Client()
    assert walk(client, answers(), until="check") == step_url("check")
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    outcomes = _send_at_once(session_cookie, CLICKS)

    print(f"\ndouble submit: {Case.objects.count()} cases, {Report.objects.count()} reports, "
          f"{Message.objects.filter(key__startswith='report-ack:').count()} acknowledgements; {outcomes}")
    assert (Report.objects.count(), Case.objects.count()) == (1, 1)
    assert Message.objects.filter(key__startswith="report-ack:").count() == 1
    assert all(_ends_on_confirmation(chain) for chain in outcomes), outcomes
    # The resident's session now shows that one report's reference.
    page = client.get(CONFIRMATION).content.decode()
    assert Case.objects.get().reference in page


@pytest.mark.django_db
def test_a_click_whose_session_was_read_before_the_send_finished_returns_the_same_report():
    # The race without the timing: the slower click's session write (made from what it read before the
    # faster click finished) lands last, so the journey's answers come back; it must still be one report.
    from django.contrib.sessions.models import Session

    first, second = Client(), Client()
    walk(first, answers(), until="check")
    cookie = first.cookies[settings.SESSION_COOKIE_NAME].value
    second.cookies[settings.SESSION_COOKIE_NAME] = cookie
    post_step(first, "check", {})
    before_send = Session.objects.get(pk=cookie).session_data
    assert first.get("/report/step/sent/")["Location"] == CONFIRMATION
    Session.objects.filter(pk=cookie).update(session_data=before_send)

    response = second.get("/report/step/sent/")

    assert response["Location"] == CONFIRMATION
    assert (Report.objects.count(), Case.objects.count()) == (1, 1)
    assert Message.objects.filter(key__startswith="report-ack:").count() == 1


@pytest.mark.django_db
def test_a_second_click_arriving_after_the_send_finished_lands_on_the_confirmation():
    first, second = Client(), Client()
    walk(first, answers(), until="check")
    second.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value
    assert post_step(first, "check", {})["Location"] == "/report/step/sent/"
    assert post_step(second, "check", {})["Location"] == "/report/step/sent/"
    first.get("/report/step/sent/")

    # The second click's browser follows its redirect to the done step after the journey was reset.
    response = second.get("/report/step/sent/")

    assert response["Location"] == CONFIRMATION
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_new_journey_after_sending_gets_new_keys_and_makes_a_second_report(client):
    assert walk(client, answers()) == CONFIRMATION
    # Straight to the first question, without "Start now".
    assert walk_from_first_step(client) == CONFIRMATION
    assert Report.objects.count() == 2


def walk_from_first_step(client):
    steps = answers()
    url = step_url("category")
    assert client.get(url).status_code == 200
    while url.startswith("/report/step/"):
        step = url.rstrip("/").split("/")[-1]
        response = client.get(url) if step == "sent" else post_step(client, step, steps[step])
        url = response["Location"]
    return url
