"""Review (security): what a partner co-chair reads and may do on agenda items and nominations of cases their agency
may not read. A case shared at reference only (or locked down, which turns every share to reference only) shows its
reference and nothing else (jag.selectors.pack_for's rule): not why it is on, not why it was taken off, not the
reason it was nominated. And a partner co-chair cannot take off the agenda, nor accept or decline, a case item their
agency may not read: a council co-chair does that (the pages still open, saying only what the agency may see, with
no form; a post is 404)."""

import pytest
import time_machine
from django.utils import timezone

from cases.models import ShareScope
from jag.models import AgendaItem, ItemKind, ItemSource, JagEvent, Nomination
from jag.services.nominations import nomination_make

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .test_packs import _case, _share
from .test_views_meetings import LATE, NOW, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def limited(users, agencies, world):  # noqa: F811
    """A case shared with the police at reference only, on the agenda (why names a person), and a second one taken
    off the agenda with a reason naming a person."""
    case, chosen, _ = _case("limited")
    _share(case, agencies["police"], ShareScope.REFERENCE, users["officer"], chosen)
    item = AgendaItem.objects.create(meeting=world["meeting"], position=5, kind=ItemKind.CASE, case=case,
                                     source=ItemSource.ADDED, why="Why limited: Chosen limited was threatened")
    gone, gone_chosen, _ = _case("gone")
    _share(gone, agencies["police"], ShareScope.REFERENCE, users["officer"], gone_chosen)
    removed = AgendaItem.objects.create(meeting=world["meeting"], position=6, kind=ItemKind.CASE, case=gone,
                                        source=ItemSource.ADDED, why="Why gone: Chosen gone moved away",
                                        removed_at=timezone.now(), removed_by=users["officer"],
                                        removed_reason="Gone removal: Chosen gone rehoused")
    return {"case": case, "item": item, "gone": gone, "removed": removed}


# --- Defect 1: the agenda pages showed why a reference-only case is on (and why it was taken off) ------------------

def test_a_partner_co_chair_reads_no_reason_of_a_case_shared_at_reference_only(client, world, limited):  # noqa: F811
    client.force_login(world["chair"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()
    assert "ASB-2026-LIMITED" in html and "ASB-2026-GONE" in html  # the reference is what the share gives
    for secret in ("Why limited", "Chosen limited", "Gone removal", "Chosen gone"):
        assert secret not in html, secret
    for item in (limited["item"], limited["removed"]):
        page = client.get(f"/jag/items/{item.pk}/remove/")
        assert page.status_code == 200
        text = page.content.decode()
        for secret in ("Why limited", "Chosen limited", "Why gone", "Gone removal", "Chosen gone"):
            assert secret not in text, secret


def test_a_locked_down_case_shows_a_partner_co_chair_no_reason(client, users, world):  # noqa: F811
    from cases.services.sharing import case_lock_down

    case_lock_down(case=world["shared"], locked=True, actor=users["officer"])
    client.force_login(world["chair"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()
    assert "ASB-2026-SHARED" in html and "Why shared" not in html
    assert "Why shared" not in client.get(f"/jag/items/{world['items'][0].pk}/remove/").content.decode()


def test_the_council_co_chair_still_reads_every_reason(client, users, world, limited):  # noqa: F811
    client.force_login(users["officer"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()
    for seen in ("Why limited: Chosen limited was threatened", "Gone removal: Chosen gone rehoused", "Why shared"):
        assert seen in html, seen


# --- Defect 2: the decision page showed a partner co-chair the reason a reference-only case was nominated ---------

def _urgent_case_nomination(users, world, case):  # noqa: F811
    with time_machine.travel(LATE, tick=False):
        return nomination_make(meeting=world["meeting"], kind=ItemKind.CASE, case=case,
                               reason=f"Urgent reason: Chosen {case.reference[9:].lower()} was hurt", actor=users["officer"])


def test_a_partner_co_chair_does_not_read_why_a_reference_only_case_was_nominated(client, users, world, limited):  # noqa: F811
    nomination = _urgent_case_nomination(users, world, limited["case"])
    assert nomination.is_urgent and nomination.accepted is None
    client.force_login(world["chair"])
    home = client.get("/jag/").content.decode()
    assert "Urgent reason" not in home and f"/jag/nominations/{nomination.pk}/decide/" not in home
    page = client.get(f"/jag/nominations/{nomination.pk}/decide/")
    assert page.status_code == 200 and "ASB-2026-LIMITED" in page.content.decode()
    assert "Urgent reason" not in page.content.decode()


# --- Defect 3: a partner co-chair could take off, or decide on, a case their agency may not read -----------------

@pytest.mark.parametrize("which", ["secret", "limited"])
def test_a_partner_co_chair_cannot_remove_a_case_item_they_cannot_read(client, users, world, limited, which):  # noqa: F811
    item = world["items"][1] if which == "secret" else limited["item"]
    client.force_login(world["chair"])
    page = client.get(f"/jag/items/{item.pk}/remove/")
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()  # no form to take it off
    events = JagEvent.objects.count()
    assert client.post(f"/jag/items/{item.pk}/remove/", {"reason": "Not ours"}).status_code == 404
    item.refresh_from_db()
    assert item.removed_at is None and JagEvent.objects.count() == events
    # The council co-chair can.
    client.force_login(users["officer"])
    assert client.post(f"/jag/items/{item.pk}/remove/", {"reason": "Dealt with"}).status_code == 302
    item.refresh_from_db()
    assert item.removed_at is not None


def test_a_partner_co_chair_can_still_remove_what_they_can_read(client, world):  # noqa: F811
    client.force_login(world["chair"])
    for item in (world["items"][0], world["items"][2]):  # a case shared at summary; a location
        assert client.post(f"/jag/items/{item.pk}/remove/", {"reason": "Dealt with"}).status_code == 302
        item.refresh_from_db()
        assert item.removed_at is not None


@pytest.mark.parametrize("which", ["secret", "limited"])
def test_a_partner_co_chair_cannot_decide_on_a_case_they_cannot_read(client, users, world, limited, which):  # noqa: F811
    case = world["secret"] if which == "secret" else limited["case"]
    Nomination.objects.filter(case=case).delete()
    nomination = _urgent_case_nomination(users, world, case)
    client.force_login(world["chair"])
    page = client.get(f"/jag/nominations/{nomination.pk}/decide/")
    assert page.status_code == 200 and 'name="decision"' not in page.content.decode()  # no form to decide it
    assert "Urgent reason" not in page.content.decode()
    assert client.post(f"/jag/nominations/{nomination.pk}/decide/",
                       {"decision": "decline", "reason": "Not ours"}).status_code == 404
    nomination.refresh_from_db()
    assert nomination.accepted is None
    assert f"/jag/nominations/{nomination.pk}/decide/" not in client.get("/jag/").content.decode()
    # The council co-chair decides it, and the police co-chair still decides what they can read.
    client.force_login(users["officer"])
    assert client.post(f"/jag/nominations/{nomination.pk}/decide/",
                       {"decision": "accept", "reason": "Serious"}).status_code == 302
    nomination.refresh_from_db()
    assert nomination.accepted is True
    client.force_login(world["chair"])
    assert client.get(f"/jag/nominations/{world['urgent'].pk}/decide/").status_code == 200


def test_the_meeting_page_shows_a_partner_no_decision_reason_on_a_reference_only_case(client, users, world, limited):  # noqa: F811
    from jag.services.nominations import nomination_decide

    with time_machine.travel(LATE, tick=False):
        nomination = nomination_make(meeting=world["meeting"], kind=ItemKind.CASE, case=limited["case"],
                                     reason="Police reason: limited", actor=users["police"])
        nomination_decide(nomination=nomination, accept=False, reason="Decision: Chosen limited moved away",
                          actor=users["officer"])
    client.force_login(users["police"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
    assert "ASB-2026-LIMITED" in html and "Urgent: declined" in html
    assert "Chosen limited" not in html and "Police reason" not in html
    # At summary the agency reads both.
    nomination = nomination_make(meeting=world["meeting"], kind=ItemKind.CASE, case=world["shared"], reason="Police: shared",
                                 actor=users["police"])
    assert "Police: shared" in client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()


def test_a_partner_who_moved_agency_leaves_the_old_agencys_actions_behind(db):
    """A police officer owns a JAG action, then moves to the housing providers: the action leaves their home panel and
    they can no longer update it (the police still can); nothing of the police is shown to housing."""
    from datetime import date

    from django.utils import timezone

    from cases.models import AgencyMember, PartnerAgency
    from cases.roles import Role
    from jag.models import AgendaItem, JagAction
    from jag.services.actions import action_may_update, actions_for_home

    from ..casereview.factories import partner_user, staff
    from ..test_access_partners import _agreement
    from .factories import group_make, meeting_make

    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    mover = partner_user("pc-mover", Role.PARTNER_USER, police)
    colleague = partner_user("pc-stays", Role.PARTNER_USER, police)
    meeting = meeting_make(group_make(), date(2026, 12, 8))
    item = AgendaItem.objects.create(meeting=meeting, position=1, kind="theme", theme="Bikes", source="added", why="Up")
    action = JagAction.objects.create(meeting=meeting, item=item, text="Patrols", owner_agency=police, owner=mover,
                                      due_on=date(2026, 12, 20), created_by=staff("chair", Role.OFFICER),
                                      created_at=timezone.now())
    assert actions_for_home(mover) == [action] and action_may_update(action, mover)
    AgencyMember.objects.filter(user=mover).update(agency=housing)
    mover = type(mover).objects.get(pk=mover.pk)  # a new request: the agency is read afresh
    assert actions_for_home(mover) == [] and not action_may_update(action, mover)
    assert action_may_update(action, colleague)
