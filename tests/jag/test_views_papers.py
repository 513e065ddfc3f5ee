"""The papers pages (jag.views.papers): every URL for every role; what each page and PDF reveals (a partner never a
case not shared with their agency, nor the minutes' free text); sending the papers (POST only, co-chairs and JAG
managers, a double click sends once); fixed query counts whatever the agenda's size."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from asb_portal import pdf as pdf_module
from cases.models import CaseShare, PersonBasis, Place, SharedPerson, ShareScope
from jag.models import ActionStatus, AgendaItem, ItemKind, ItemOutcome, ItemSource, JagAction, Meeting, MeetingStatus
from jag.selectors import NOT_SHARED_LABEL, pack_for
from notifications.models import Message

from ..cases.factories import CaseFactory, PartyFactory, UserFactory
from ..test_access_partners import ROLES, agencies, users  # noqa: F401 (fixtures)
from .factories import group_make, meeting_make, member_make

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HELD_ON = date(2026, 3, 10)
OK, LOGIN, NOT_FOUND, FOUND = 200, "login", 404, 302
MINUTES_TEXT = "FREE TEXT OF THE MINUTES: the council's own words"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _case(tag):
    case = CaseFactory(reference=f"ASB-2026-{tag.upper()}", address=f"{tag} Close", postcode="LE18 1AA",
                       location_description=f"Behind the {tag} shops")
    return case, PartyFactory(case=case, full_name=f"Chosen {tag}"), PartyFactory(case=case, full_name=f"Withheld {tag}")


def _item(meeting, position, **values):
    values.setdefault("source", ItemSource.NOMINATION)
    return AgendaItem.objects.create(meeting=meeting, position=position, **values)


def _add_shared_items(w, n, start=10):
    """`n` more case items shared with the police (summary), each with a police action: a large agenda."""
    for i in range(n):
        case, chosen, _ = _case(f"bulk{i}")
        share = CaseShare.objects.create(case=case, agency=w["police"], reason="For JAG", scope=ShareScope.SUMMARY,
                                         shared_by=w["officer"])
        SharedPerson.objects.create(share=share, party=chosen, basis=PersonBasis.CONSENT)
        item = _item(w["meeting"], start + i, kind=ItemKind.CASE, case=case, why=f"Why bulk{i}", notes=f"Notes bulk{i}")
        JagAction.objects.create(meeting=w["meeting"], item=item, text=f"Bulk action {i}", owner_agency=w["police"],
                                 owner=w["police_user"], due_on=HELD_ON + timedelta(days=14), created_by=w["officer"],
                                 created_at=NOW)


@pytest.fixture
def w(users, agencies):  # noqa: F811
    police, housing = agencies["police"], agencies["housing"]
    officer = users["officer"]
    chair = UserFactory(username="chair", email="chair@example.com")
    chair.groups.set(users["officer"].groups.all())
    group = group_make()
    member_make(group, chair, co_chair=True)
    member_make(group, officer)
    member_make(group, users["police"], agency=police)
    member_make(group, users["police_lead"], agency=police, co_chair=True)
    for user in (officer, users["police"], users["police_lead"]):
        user.email = f"{user.username}@example.com"
        user.save()
    meeting = meeting_make(group, HELD_ON)
    shared, shared_chosen, _ = _case("shared")
    share = CaseShare.objects.create(case=shared, agency=police, reason="For JAG", scope=ShareScope.SUMMARY, shared_by=officer)
    SharedPerson.objects.create(share=share, party=shared_chosen, basis=PersonBasis.CONSENT)
    unshared = _case("unshared")[0]
    place = Place.objects.create(address="Brookside Recreation Ground", postcode="LE18 9ZZ", key="BROOKSIDE|LE189ZZ")
    items = {
        "shared": _item(meeting, 1, kind=ItemKind.CASE, case=shared, why="Why shared", notes="Notes shared",
                        decisions="Decided shared", outcome=ItemOutcome.KEEP),
        "unshared": _item(meeting, 2, kind=ItemKind.CASE, case=unshared, why="Why unshared", notes="Notes unshared",
                          decisions="Decided unshared"),
        "place": _item(meeting, 3, kind=ItemKind.LOCATION, place=place, why="Why place"),
        "theme": _item(meeting, 4, kind=ItemKind.THEME, theme="Off-road bikes", why="Why theme"),
    }
    actions = {
        "police": JagAction.objects.create(meeting=meeting, item=items["shared"], text="Police patrols on shared",
                                           owner_agency=police, owner=users["police"], due_on=HELD_ON + timedelta(days=14),
                                           created_by=officer, created_at=NOW),
        "council": JagAction.objects.create(meeting=meeting, item=items["unshared"], text="Council letter on unshared",
                                            owner=officer, due_on=HELD_ON + timedelta(days=14), created_by=officer,
                                            created_at=NOW),
    }
    return {"group": group, "meeting": meeting, "items": items, "actions": actions, "police": police, "housing": housing,
            "officer": officer, "chair": chair, "police_user": users["police"], "users": users}


def _circulate(w, text=MINUTES_TEXT):
    Meeting.objects.filter(pk=w["meeting"].pk).update(status=MeetingStatus.HELD, minutes=text, minutes_circulated_at=NOW)


def _draft(w, text=MINUTES_TEXT):
    Meeting.objects.filter(pk=w["meeting"].pk).update(status=MeetingStatus.HELD, minutes=text)


def _urls(w):
    m = w["meeting"].pk
    return {
        "pack_pdf": f"/jag/meetings/{m}/pack.pdf",
        "papers": f"/jag/meetings/{m}/papers/",
        "agency_pack": f"/jag/meetings/{m}/papers/{w['police'].pk}/",
        "agency_not_on_group": f"/jag/meetings/{m}/papers/{w['housing'].pk}/",
        "send": f"/jag/meetings/{m}/papers/send/",
        "minutes_pdf": f"/jag/meetings/{m}/minutes.pdf",
    }


def _row(anonymous=LOGIN, call_centre=NOT_FOUND, officer=NOT_FOUND, manager=NOT_FOUND, police=NOT_FOUND,
         police_lead=NOT_FOUND, housing=NOT_FOUND):
    return {"anonymous": anonymous, "call_centre": call_centre, "officer": officer, "manager": manager, "police": police,
            "police_lead": police_lead, "housing": housing}


GET_MATRIX = [
    ("pack_pdf", None, _row(officer=OK, manager=OK, police=OK, police_lead=OK)),
    ("papers", None, _row(officer=OK, manager=OK)),
    ("agency_pack", None, _row(officer=OK, manager=OK)),
    ("agency_not_on_group", None, _row()),
    ("send", None, _row()),  # GET: never sends
    ("minutes_pdf", None, _row()),  # no minutes yet
    ("minutes_pdf", "draft", _row(manager=OK)),  # the draft: co-chairs and JAG managers only, never partners
    ("minutes_pdf", "circulated", _row(officer=OK, manager=OK, police=OK, police_lead=OK)),
]


def _check(response, want):
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == want, response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "state", "expected"), GET_MATRIX, ids=[f"{m[0]}-{m[1]}" for m in GET_MATRIX])
def test_every_url_for_every_role(client, w, role, name, state, expected):
    if state == "draft":
        _draft(w)
    elif state == "circulated":
        _circulate(w)
    if role != "anonymous":
        client.force_login(w["users"][role])
    _check(client.get(_urls(w)[name]), expected[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_co_chairs_and_jag_managers_may_send(client, w, role):
    expected = _row(manager=FOUND, police_lead=FOUND)[role]  # police_lead is a co-chair of this group
    if role != "anonymous":
        client.force_login(w["users"][role])
    _check(client.post(_urls(w)["send"]), expected)
    sent = Message.objects.filter(key__startswith=f"jag.papers:{w['meeting'].pk}:").count()
    assert sent == (4 if expected == FOUND else 0)
    if role == "manager":
        assert client.post(_urls(w)["send"]).status_code == FOUND
    if role == "police_lead":  # a partner co-chair goes back to the meeting, not the council's papers page
        assert client.post(_urls(w)["send"])["Location"] == f"/jag/meetings/{w['meeting'].pk}/"


@pytest.mark.django_db
def test_a_council_co_chair_sends_and_a_double_click_sends_once(client, w):
    client.force_login(w["chair"])
    first = client.post(_urls(w)["send"], follow=True)
    assert first.redirect_chain[-1][0] == _urls(w)["papers"]
    page = first.content.decode()
    assert "Papers sent: 4 members emailed" in page and "by " in page
    second = client.post(_urls(w)["send"], follow=True)
    assert "already sent" in second.content.decode()
    assert Message.objects.filter(key__startswith=f"jag.papers:{w['meeting'].pk}:").count() == 4


@pytest.mark.django_db
def test_sending_for_a_cancelled_meeting_shows_the_reason_not_a_500(client, w):
    Meeting.objects.filter(pk=w["meeting"].pk).update(status=MeetingStatus.CANCELLED)
    client.force_login(w["users"]["manager"])
    response = client.post(_urls(w)["send"])
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page and "govuk-error-summary" in page
    assert "Papers go out before a scheduled meeting" in page


# --- what the pages show ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_papers_page_counts_each_agencys_unshared_items_as_its_pack_does(client, w):
    client.force_login(w["users"]["officer"])
    page = client.get(_urls(w)["papers"]).content.decode()
    assert "Leicestershire Police" in page and "Housing providers" not in page
    withheld = sum(1 for i in pack_for(meeting=w["meeting"], viewer=w["police_user"]).items if i.withheld)
    assert withheld == 1
    assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{withheld}</td>' in page
    assert f"/jag/meetings/{w['meeting'].pk}/papers/{w['police'].pk}/" in page
    assert "Send papers now" not in page  # an officer who is not a co-chair
    client.force_login(w["chair"])
    assert "Send papers now" in client.get(_urls(w)["papers"]).content.decode()


@pytest.mark.django_db
def test_the_agency_pack_is_the_agencys_view_and_offers_to_share_the_rest(client, w):
    client.force_login(w["users"]["officer"])
    page = client.get(_urls(w)["agency_pack"]).content.decode()
    assert "ASB-2026-SHARED" in page and "Chosen shared" in page and "Withheld shared" not in page
    assert NOT_SHARED_LABEL in page
    for secret in ("unshared Close", "Chosen unshared", "Why unshared", "Notes unshared", "Council letter"):
        assert secret not in page
    # The officer may share the withheld case with the agency: the link names it for the officer only.
    assert "/staff/cases/ASB-2026-UNSHARED/share/" in page
    assert "Police patrols on shared" in page


@pytest.fixture
def printed(monkeypatch):
    """The HTML each PDF is printed from (the PDF's text is glyphs: read what went into it)."""
    seen = []

    def spy(template_name, context, *, request=None):
        html = pdf_module.pdf_html(template_name, context, request=request)
        seen.append(html)
        return pdf_module.pdf_from_html(html)

    monkeypatch.setattr("jag.views.papers.pdf_from_template", spy)
    return seen


@pytest.mark.django_db
def test_the_police_pack_pdf_holds_nothing_unshared(client, w, printed):
    client.force_login(w["police_user"])
    response = client.get(_urls(w)["pack_pdf"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="jag-pack-2026-03-10.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    html = printed[-1]
    assert "OFFICIAL-SENSITIVE" in html and "Everything discussed is confidential" in html
    assert "ASB-2026-SHARED" in html and "Chosen shared" in html and "Police patrols on shared" in html
    assert NOT_SHARED_LABEL in html and "The pack for Leicestershire Police" in html
    for secret in ("ASB-2026-UNSHARED", "unshared Close", "Chosen unshared", "Withheld", "Why unshared", "Notes unshared",
                   "Decided unshared", "Council letter"):
        assert secret not in html, secret


@pytest.mark.django_db
def test_the_council_pack_pdf_has_everything(client, w, printed):
    client.force_login(w["users"]["officer"])
    assert client.get(_urls(w)["pack_pdf"]).content.startswith(b"%PDF")
    html = printed[-1]
    for text in ("ASB-2026-SHARED", "ASB-2026-UNSHARED", "Why unshared", "Council letter on unshared",
                 "The council's full pack"):
        assert text in html, text


@pytest.mark.django_db
def test_partner_minutes_are_their_record_never_the_free_text(client, w, printed):
    _circulate(w)
    client.force_login(w["police_user"])
    response = client.get(_urls(w)["minutes_pdf"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert 'filename="jag-minutes-2026-03-10.pdf"' in response["Content-Disposition"]
    html = printed[-1]
    assert MINUTES_TEXT not in html and "FREE TEXT" not in html
    assert "Notes shared" in html and "Decided shared" in html and "Keep on the agenda" in html
    assert "Police patrols on shared" in html and "OFFICIAL-SENSITIVE" in html
    for secret in ("ASB-2026-UNSHARED", "Notes unshared", "Decided unshared", "Council letter", "Chosen unshared"):
        assert secret not in html, secret
    client.force_login(w["users"]["officer"])
    client.get(_urls(w)["minutes_pdf"])
    assert "FREE TEXT OF THE MINUTES" in printed[-1] and "DRAFT" not in printed[-1]


@pytest.mark.django_db
def test_a_co_chair_prints_the_draft_marked_as_such(client, w, printed):
    _draft(w)
    client.force_login(w["chair"])
    assert client.get(_urls(w)["minutes_pdf"]).status_code == 200
    assert "DRAFT: not yet circulated" in printed[-1] and MINUTES_TEXT in printed[-1].replace("&#x27;", "'")


# --- fixed query counts ----------------------------------------------------------------------------------------------

def _count(client, url):
    client.get(url)  # warm (sessions, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "name"), [("police", "pack_pdf"), ("officer", "pack_pdf"), ("officer", "papers"),
                                            ("officer", "agency_pack"), ("police", "minutes_pdf")])
def test_pages_keep_a_fixed_query_count_whatever_the_agendas_size(client, w, monkeypatch, role, name):
    monkeypatch.setattr("jag.views.papers.pdf_from_template", lambda *a, **k: b"%PDF-1.7 stub")
    _circulate(w)
    client.force_login(w["users"][role])
    small = _count(client, _urls(w)[name])
    _add_shared_items(w, 25)
    JagAction.objects.filter(meeting=w["meeting"]).update(status=ActionStatus.OPEN)
    assert _count(client, _urls(w)[name]) == small


# --- hostile input ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(data=st.dictionaries(st.sampled_from(["version", "csrfmiddlewaretoken", "meeting", "x"]),
                            st.one_of(st.text(max_size=30), st.integers().map(str)), max_size=3),
       agency_id=st.integers(min_value=0, max_value=2**63 - 1), meeting_id=st.integers(min_value=0, max_value=2**63 - 1))
def test_hostile_posts_and_ids_never_make_a_server_error(client, w, data, agency_id, meeting_id):
    client.force_login(w["users"]["manager"])
    m = w["meeting"].pk
    assert client.post(f"/jag/meetings/{m}/papers/send/", data).status_code in (302, 400)
    for url in (f"/jag/meetings/{m}/papers/{agency_id}/", f"/jag/meetings/{meeting_id}/papers/",
                f"/jag/meetings/{meeting_id}/pack.pdf", f"/jag/meetings/{meeting_id}/minutes.pdf",
                f"/jag/meetings/{meeting_id}/papers/send/"):
        assert client.get(url).status_code in (200, 404)
    assert Message.objects.filter(key__startswith=f"jag.papers:{m}:").count() == 4
