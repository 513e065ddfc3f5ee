"""The access log is append-only for the application; only the retention purge deletes (privacy lists and confirms it)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.test import RequestFactory

from cases.models import AccessEvent, AccessLogEntry
from cases.services.access_log import access_log_purge, access_record

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def entry(manager_user):
    request = RequestFactory().get("/dashboard/export/reports.csv", REMOTE_ADDR="203.0.113.9")
    return access_record(user=manager_user, event=AccessEvent.EXPORT, request=request, detail="reports.csv")


def test_an_export_is_logged_with_who_and_from_where(entry, manager_user):
    stored = AccessLogEntry.objects.get(pk=entry.pk)
    assert (stored.username, stored.event, stored.detail, stored.address) == ("manager", "export", "reports.csv", "203.0.113.9")
    assert stored.agency_id is None and stored.case_reference == ""


def test_no_update_path_even_through_the_orm(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="nothing to see")
    entry.detail = "edited"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == "reports.csv"


def test_no_delete_path_outside_the_retention_purge(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_purge_deletes_only_entries_older_than_the_date_it_is_given(manager_user):
    with time_machine.travel(NOON - timedelta(days=31), tick=False):
        old = access_record(user=manager_user, event=AccessEvent.EXPORT, detail="old")
    with time_machine.travel(NOON - timedelta(days=29), tick=False):
        recent = access_record(user=manager_user, event=AccessEvent.EXPORT, detail="recent")
    with time_machine.travel(NOON, tick=False):
        assert access_log_purge(before=NOON - timedelta(days=30)) == 1
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    # The purge's permission ends with its transaction: a delete afterwards is refused again.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=recent.pk).delete()
    assert access_log_purge(before=NOON - timedelta(days=365)) == 0
