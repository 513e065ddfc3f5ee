"""The staff screens for letters and notices: every URL for every role (a partner with a share of the case
included: 404), creating one (errors name the missing field), its page, the stored PDF, sending, withdrawing, and
a fuzzed create form that never answers 500."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import (
    AgencyMember,
    CaseShare,
    LawfulBasis,
    PartnerAgency,
    PersonBasis,
    SharedPerson,
    ShareScope,
    SharingAgreement,
)
from cases.roles import GROUP_NAMES, Role
from letters.models import Document, DocumentKind, DocumentTemplate

from ..cases.factories import UserFactory
from ..conftest import PASSWORD
from . import test_documents_support as support
from .test_documents_support import T0, form_data, make

# The shared fixtures, registered in this module.
letter_storage = support.letter_storage
letter_templates = support.letter_templates
letters_case = support.letters_case

pytestmark = pytest.mark.usefixtures("letter_storage", "letter_templates")

ROLES = ["anonymous", "call_centre", "officer", "manager", "police", "police_lead", "no_role"]
STAFF = {"officer", "manager"}


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock, letters_case, role_users, no_role_user, officer_user):
    """The case with one unsent CPW (by post), shared with the police at the widest scope (evidence)."""
    x = letters_case
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    SharingAgreement.objects.create(agency=police, title="Police agreement", lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK,
                                    what_may_be_shared="All", signed_on=T0.date() - timedelta(days=30),
                                    review_by=T0.date() + timedelta(days=300))
    share = CaseShare.objects.create(case=x["case"], agency=police, reason="Joint problem solving", scope=ShareScope.EVIDENCE,
                                     shared_by=officer_user)
    SharedPerson.objects.create(share=share, party=x["kyle"], basis=PersonBasis.CONSENT)
    users = dict(role_users, no_role=no_role_user)
    for username, role in (("pc-smith", Role.PARTNER_USER), ("insp-jones", Role.PARTNER_LEAD)):
        user = UserFactory(username=username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
        AgencyMember.objects.create(user=user, agency=police)
        users["police" if role == Role.PARTNER_USER else "police_lead"] = user
    document = make(DocumentKind.CPW, case=x["case"], recipient=x["kyle"], actor=officer_user, delivery="post")
    return {**x, "users": users, "document": document}


def _urls(world):
    ref, pk = world["case"].reference, world["document"].pk
    return [
        reverse("letters:case_documents", args=[ref]),
        reverse("letters:document_new", args=[ref, "cpw"]),
        reverse("letters:document", args=[ref, pk]),
        reverse("letters:document_pdf", args=[ref, pk]),
        reverse("letters:print_queue"),
        reverse("letters:print_queue_pdf"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_url_for_every_role(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    for url in _urls(world):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"], url
        elif role in STAFF:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, (role, url)
    # Posting is refused alike, and changes nothing.
    ref, pk = world["case"].reference, world["document"].pk
    posts = [
        (reverse("letters:document_new", args=[ref, "cpw"]), form_data(DocumentKind.CPW, recipient=world["kyle"])),
        (reverse("letters:document_sent", args=[ref, pk]), {"method": "post", "sent_on_0": 2, "sent_on_1": 11, "sent_on_2": 2026}),
        (reverse("letters:document_withdraw", args=[ref, pk]), {"reason": "Mistake"}),
        (reverse("letters:print_queue"), {"document": str(pk)}),
    ]
    if role not in STAFF:
        for url, data in posts:
            response = client.post(url, data)
            assert response.status_code == (302 if role == "anonymous" else 404), (role, url)
        document = Document.objects.get(pk=pk)
        assert Document.objects.count() == 1 and document.sent_at is None and document.withdrawn_at is None


def test_unknown_document_kind_or_case_is_404(client, world):
    client.force_login(world["users"]["officer"])
    ref = world["case"].reference
    assert client.get(reverse("letters:document_new", args=[ref, "nonsense"])).status_code == 404
    assert client.get(reverse("letters:case_documents", args=["ASB-1999-99999"])).status_code == 404
    assert client.get(reverse("letters:document", args=[ref, uuid.uuid4()])).status_code == 404


def test_a_document_on_another_case_is_404_under_this_case(client, world, officer_user):
    from ..cases.factories import CaseFactory

    other = CaseFactory(received_at=T0 - timedelta(days=3))
    client.force_login(officer_user)
    url = reverse("letters:document", args=[other.reference, world["document"].pk])
    assert client.get(url).status_code == 404


def test_create_form_names_the_missing_field_and_makes_nothing(client, world, officer_user):
    client.force_login(officer_user)
    url = reverse("letters:document_new", args=[world["case"].reference, "cpw"])
    data = form_data(DocumentKind.CPW, recipient=world["kyle"])
    del data["conduct"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter the conduct" in response.content.decode()
    assert Document.objects.count() == 1


def test_create_then_double_submit_makes_one_document(client, world, officer_user):
    client.force_login(officer_user)
    url = reverse("letters:document_new", args=[world["case"].reference, "warning"])
    data = form_data(DocumentKind.WARNING, recipient=world["dean"], delivery="post")
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    made = Document.objects.filter(kind=DocumentKind.WARNING)
    assert made.count() == 1 and made.get().recipient == world["dean"]


def test_cpn_refused_on_the_form_with_the_reason(client, world, officer_user):
    client.force_login(officer_user)
    url = reverse("letters:document_new", args=[world["case"].reference, "cpn"])
    response = client.post(url, form_data(DocumentKind.CPN, recipient=world["kyle"]))
    assert response.status_code == 200
    assert "has not been recorded as served" in response.content.decode()
    assert not Document.objects.filter(kind=DocumentKind.CPN).exists()


def test_the_pdf_download_is_the_stored_file_even_after_the_template_changes(client, world, officer_user):
    client.force_login(officer_user)
    document = world["document"]
    DocumentTemplate.objects.filter(kind=DocumentKind.CPW).update(wording="Completely different wording {conduct}", version=2)
    response = client.get(reverse("letters:document_pdf", args=[world["case"].reference, document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response) == document.pdf.open("rb").read()
    assert "no-store" in response["Cache-Control"]


def test_record_served_and_withdraw_through_the_page(client, world, officer_user, clock):
    client.force_login(officer_user)
    ref, document = world["case"].reference, world["document"]
    clock.shift(timedelta(hours=1))
    future = client.post(reverse("letters:document_sent", args=[ref, document.pk]),
                         {"method": "hand", "sent_on_0": 3, "sent_on_1": 11, "sent_on_2": 2026})
    assert future.status_code == 200 and "must be now or in the past" in future.content.decode()
    response = client.post(reverse("letters:document_sent", args=[ref, document.pk]),
                           {"method": "hand", "sent_on_0": 2, "sent_on_1": 11, "sent_on_2": 2026, "sent_time": "10:30"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.sent_method == "hand" and document.sent_at == T0 + timedelta(minutes=30)
    page = client.get(reverse("letters:document", args=[ref, document.pk])).content.decode()
    assert "Record as served" not in page and "By hand" in page
    again = client.post(reverse("letters:document_withdraw", args=[ref, document.pk]), {"reason": "Mistake"})
    assert again.status_code == 200 and "cannot be withdrawn" in again.content.decode()

    other = make(DocumentKind.WARNING, case=world["case"], recipient=world["dean"], actor=officer_user)
    empty = client.post(reverse("letters:document_withdraw", args=[ref, other.pk]), {"reason": ""})
    assert empty.status_code == 200 and "Enter why it is being withdrawn" in empty.content.decode()
    done = client.post(reverse("letters:document_withdraw", args=[ref, other.pk]), {"reason": "Wrong person"})
    assert done.status_code == 302
    other.refresh_from_db()
    assert other.withdrawn_reason == "Wrong person" and other.sent_at is None


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_case_documents_page_has_a_fixed_number_of_queries(client, world, officer_user, django_assert_max_num_queries):
    client.force_login(officer_user)
    url = reverse("letters:case_documents", args=[world["case"].reference])
    small = _queries(client, url)
    for _ in range(10):
        make(DocumentKind.WARNING, case=world["case"], recipient=world["dean"], actor=officer_user)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count("/WARNING/") == 10


def test_document_page_and_case_page_panel(client, world, officer_user):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = officer_user
    html = Template("{% load letters_case %}{% letters_case case %}").render(Context({"request": request, "case": world["case"]}))
    assert world["document"].number in html and "Create a letter or notice" in html
    request.user = world["users"]["police"]
    hidden = Template("{% load letters_case %}{% letters_case case %}").render(Context({"request": request, "case": world["case"]}))
    assert world["document"].number not in hidden and "Letters" not in hidden


NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "\x00", "99999999999999999999", "-1", "0", "x" * 12000, "2026-02-30", "<script>", "😀" * 50,
                     str(uuid.uuid4()), "premises", "31", "13", "25:99"]),
)


@pytest.mark.parametrize("kind", ["cpw", "closure_notice"])
def test_fuzzed_create_form_never_answers_500(client, world, officer_user, kind):
    client.force_login(officer_user)
    url = reverse("letters:document_new", args=[world["case"].reference, kind])
    base = form_data(kind, recipient=world["kyle"] if kind == "cpw" else None)
    if kind == "closure_notice":
        base["recipient"] = "premises"
    names = sorted(set(base) | {"recipient", "hearing_at_time"})

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
    @given(st.dictionaries(st.sampled_from(names), NASTY, max_size=4), st.sets(st.sampled_from(names), max_size=3))
    def check(replaced, dropped):
        data = {k: v for k, v in {**base, **replaced}.items() if k not in dropped}
        response = client.post(url, data)
        assert response.status_code in (200, 302)

    check()


@pytest.mark.parametrize("kind", [k for k, _ in DocumentKind.choices])
def test_the_create_form_of_every_kind_opens_and_asks_for_its_fields(client, world, officer_user, kind):
    from letters.fields import entered_fields

    client.force_login(officer_user)
    response = client.get(reverse("letters:document_new", args=[world["case"].reference, kind]))
    assert response.status_code == 200
    page = response.content.decode()
    for spec in entered_fields(kind):
        assert spec.label in page, spec.label
