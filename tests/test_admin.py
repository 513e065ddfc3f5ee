"""The Django admin cannot bypass the workflow (issue 11): a superuser cannot change a case's status, risk,
officer, merge or deadlines there, nor write or delete the access log, shares or timeline; every admin
page still opens."""

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    AccessEvent,
    AccessLogEntry,
    AgencyMember,
    CaseShare,
    CaseStatus,
    Channel,
    Deadline,
    PartnerAgency,
    RiskLevel,
    SharedPerson,
    ShareScope,
    SharingAgreement,
    TimelineEntry,
)
from cases.services import report_submit

from .cases.factories import UserFactory
from .cases.factories import report_submission as submission


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def world(db, superuser, officer_user, call_centre_user):
    """A case with a deadline, shared with an agency under an agreement, and one access log entry."""
    report = report_submit(data=submission(), channel=Channel.PHONE, submission_key=uuid.uuid4(), logged_by=call_centre_user)
    case = report.case
    agency = PartnerAgency.objects.create(name="Test Police")
    today = timezone.localdate()
    SharingAgreement.objects.create(agency=agency, title="ISA", lawful_basis="cda_s115", what_may_be_shared="Case summaries",
                                    signed_on=today - timedelta(days=10), review_by=today + timedelta(days=300))
    partner = UserFactory(username="pc")
    AgencyMember.objects.create(user=partner, agency=agency)
    share = CaseShare.objects.create(case=case, agency=agency, reason="Joint visit", scope=ShareScope.SUMMARY, shared_by=officer_user)
    SharedPerson.objects.create(share=share, party=case.parties.first(), basis="consent")
    entry = AccessLogEntry.objects.create(user=partner, username="pc", agency=agency, agency_name=agency.name, case=case,
                                          case_reference=case.reference, event=AccessEvent.CASE_VIEW, detail="Case page")
    return {"case": case, "share": share, "entry": entry, "agency": agency}


class _FormFields(HTMLParser):
    """The values a browser would post from the admin's change form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(page: str) -> dict:
    form = re.search(r'<form[^>]*id="case_form".*?</form>', page, re.S).group(0)
    parser = _FormFields()
    parser.feed(form)
    return parser.data


def test_a_superuser_cannot_change_a_cases_workflow_fields_in_the_admin(client, superuser, officer_user, world):
    case = world["case"]
    deadlines_before = list(Deadline.objects.filter(case=case).values_list("pk", "due_at", "met_at", "cancelled_at"))
    client.force_login(superuser)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = client.get(url).content.decode()
    data = form_data(page)
    assert data["address"]  # the form really is the case's: an editable field came through
    # What the workflow alone may set, posted as a browser (or a hand-made request) could.
    data.update({"status": CaseStatus.CLOSED, "risk_level": RiskLevel.HIGH, "officer": str(officer_user.pk),
                 "closure_reason": "resolved", "is_locked_down": "on", "merged_into": "", "received_at_0": "01/01/2020",
                 "address": "2 Corrected Street"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]  # saved: the other fields were allowed
    case.refresh_from_db()
    assert case.address == "2 Corrected Street"
    assert (case.status, case.risk_level, case.officer, case.closure_reason, case.is_locked_down) == (
        CaseStatus.NEW, RiskLevel.NOT_ASSESSED, None, "", False)
    assert list(Deadline.objects.filter(case=case).values_list("pk", "due_at", "met_at", "cancelled_at")) == deadlines_before
    # The case page's workflow fields are shown, not offered as inputs.
    for field in ("status", "risk_level", "officer", "merged_into", "closure_reason", "is_locked_down", "received_at"):
        assert f'name="{field}"' not in page and f'name="{field}_0"' not in page, field


def test_the_admin_does_not_add_or_delete_cases(client, superuser, world):
    client.force_login(superuser)
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.get(reverse("admin:cases_case_delete", args=[world["case"].pk])).status_code == 403


@pytest.mark.parametrize("model", ["accesslogentry", "caseshare", "sharedperson", "sharingagreement", "agencymember",
                                   "deadline", "deadlinealert", "timelineentry"])
def test_records_are_read_only_in_the_admin(client, superuser, world, model):
    from django.apps import apps

    rows = apps.get_model("cases", model).objects.all()
    client.force_login(superuser)
    assert client.get(reverse(f"admin:cases_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:cases_{model}_add")).status_code == 403
    first = rows.first()
    if first is None:
        return  # no row of this kind in the world (an alert is written only by the sweep)
    change = reverse(f"admin:cases_{model}_change", args=[first.pk])
    assert client.get(change).status_code == 200  # viewed, without a form to save
    assert client.post(change, {}).status_code == 403
    assert client.get(reverse(f"admin:cases_{model}_delete", args=[first.pk])).status_code == 403
    assert client.post(reverse(f"admin:cases_{model}_delete", args=[first.pk]), {"post": "yes"}).status_code == 403
    assert rows.filter(pk=first.pk).exists()


def test_the_access_log_has_no_delete_or_change_in_the_admin(client, superuser, world):
    entry = world["entry"]
    client.force_login(superuser)
    changelist = reverse("admin:cases_accesslogentry_changelist")
    page = client.get(changelist).content.decode()
    assert entry.case_reference in page and "delete_selected" not in page
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    assert response.status_code in (200, 302)
    change = reverse("admin:cases_accesslogentry_change", args=[entry.pk])
    assert client.post(change, {"detail": "rewritten", "username": "someone"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.detail, entry.username) == ("Case page", "pc")
    admin_class = admin.site._registry[AccessLogEntry]
    assert not admin_class.has_delete_permission(None) and not admin_class.has_change_permission(None)
    assert not admin_class.has_add_permission(None)


def test_a_reports_case_and_evidences_case_cannot_be_moved_in_the_admin(client, superuser, world):
    from cases.admin import EvidenceAdmin, ReportAdmin

    assert {"case", "reporter", "received_at"} <= set(ReportAdmin.readonly_fields)
    assert {"case", "report"} <= set(EvidenceAdmin.readonly_fields)
    client.force_login(superuser)
    report = world["case"].reports.first()
    page = client.get(reverse("admin:cases_report_change", args=[report.pk])).content.decode()
    assert 'name="case"' not in page and 'name="reporter"' not in page


def test_a_cases_people_and_reports_cannot_be_added_or_removed_through_its_inlines(client, superuser, world):
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_case_change", args=[world["case"].pk])).content.decode()
    assert 'id="parties-empty"' not in page and 'id="reports-empty"' not in page  # the blank row "Add another" copies
    assert not re.search(r'name="(parties|reports)-\d+-DELETE"', page)
    assert not re.search(r'name="parties-\d+-full_name"', page)


def test_every_admin_list_and_add_page_opens(client, superuser, world):
    """200, or 403 where adding is not allowed: never a server error."""
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "x"}).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code in (200, 403), add
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_timeline_entries_are_not_written_in_the_admin(client, superuser, world):
    client.force_login(superuser)
    before = TimelineEntry.objects.count()
    response = client.post(reverse("admin:cases_timelineentry_add"), {"case": world["case"].pk, "kind": "note", "summary": "x"})
    assert response.status_code == 403 and TimelineEntry.objects.count() == before
