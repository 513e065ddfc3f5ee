"""A report is taken and confirmed even when Redis or the mail server is down; its message goes later.

Also: the health check, and a real Celery worker on the real Redis delivering the acknowledgement.
"""

import time

import pytest
from django.core import mail
from django.test import override_settings

from asb_portal.celery import app as celery_app
from cases.models import Report
from notifications.models import Message, MessageStatus
from notifications.tasks import relay_pending_messages

from .reporting.helpers import answers, walk

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _set_broker(url):
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Point the Celery broker, the cache (rate limits) and the health check at a Redis that is not there."""
    original = celery_app.conf.broker_url
    _set_broker(DEAD_REDIS)
    dead_cache = {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}
    with override_settings(CACHES={"default": dead_cache}, REDIS_URL=DEAD_REDIS):
        yield
    _set_broker(original)


@pytest.mark.django_db(transaction=True)
def test_report_is_saved_and_confirmed_with_redis_down_and_its_message_sent_later(client, redis_down):
    started = time.monotonic()
    final = walk(client, answers())
    # Generous bound: the point is that a dead broker fails fast instead of hanging the resident's request.
    assert time.monotonic() - started < 30
    assert final == "/report/confirmation/"
    report = Report.objects.get()
    assert report.case.reference in client.get(final).content.decode()
    message = Message.objects.get(key=f"report-ack:{report.pk}")
    assert message.status == MessageStatus.PENDING and mail.outbox == []

    # Later, the beat relay (running in the worker once Redis is back) delivers it.
    Message.objects.update(created_at=message.created_at.replace(year=2020))
    assert relay_pending_messages() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1 and report.case.reference in mail.outbox[0].subject


@pytest.mark.django_db
def test_healthz_reports_both_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"].startswith("error") and body["status"] == "degraded"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_the_acknowledgement_after_commit(client):
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
        walk(client, answers())
        report = Report.objects.get()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Message.objects.filter(key=f"report-ack:{report.pk}", status=MessageStatus.SENT).exists():
                break
            time.sleep(0.2)
    message = Message.objects.get(key=f"report-ack:{report.pk}")
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert [m.subject for m in mail.outbox] == [f"We have received your report: {report.case.reference}"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_turns_a_breached_deadline_into_exactly_one_alert():
    """The beat job's task, run by a real worker on the real Redis: one alert per recipient, even run twice."""
    from datetime import timedelta

    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.models import AlertStage, Deadline, DeadlineAlert
    from cases.reference_data import reference_data_ensure
    from cases.services import case_assign
    from cases.tasks import sla_sweep

    from .cases.factories import UserFactory, report_submission, submit_report

    reference_data_ensure()
    manager = UserFactory(username="mgr", email="manager@example.com")
    manager.groups.add(Group.objects.get(name="Manager"))
    received = timezone.now() - timedelta(days=10)
    case = submit_report(report_submission(incident_date=received.date()), received_at=received).case
    case_assign(case=case, officer=manager, actor=manager)
    assert Deadline.objects.get().due_at < timezone.now()

    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
        for _ in range(2):
            sla_sweep.apply_async()  # the beat job, twice
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Message.objects.filter(key__startswith="deadline:", status=MessageStatus.SENT).exists() and DeadlineAlert.objects.exists():
                time.sleep(1)  # let the second sweep finish too
                break
            time.sleep(0.2)
    assert DeadlineAlert.objects.filter(stage=AlertStage.BREACH).count() == 1
    alerts = Message.objects.filter(key__startswith="deadline:")
    assert alerts.count() == 1 and alerts.get().status == MessageStatus.SENT  # the manager is also the officer here
    assert [m.subject for m in mail.outbox if m.subject.startswith("Overdue")] == [f"Overdue: first contact on {case.reference}"]
