"""Actions between meetings: the list and the action's page for every role; a partner sees only their agency's actions
(Housing nothing of the police's) and never a case not shared with them; progress and status through the page
(stale pages, dropped needs a reason); the home pages' panels; a fixed number of queries with 1,000 open actions."""
# ruff: noqa: F811 - the fixtures imported from test_views_conduct

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jag.models import ActionStatus, JagAction, JagEvent
from jag.selectors import NOT_SHARED_LABEL
from jag.services.actions import action_update

from .test_views_conduct import (  # noqa: F401 - fixtures
    DUE,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    SHARED_REF,
    UNSHARED_REF,
    agencies,
    assert_status,
    frozen,
    get_as,
    jag,
    users,
    with_actions,
)

pytestmark = pytest.mark.django_db


def seers(**overrides):
    return {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN, "call_centre": NOT_FOUND, **overrides}


MATRIX = [
    ("/jag/actions/", seers()),
    ("/jag/actions/?show=all&state=all", seers()),
    ("/jag/actions/{police_action}/", seers(housing=NOT_FOUND)),
    ("/jag/actions/{place_action}/", seers(housing=NOT_FOUND)),
    ("/jag/actions/{council_action}/", seers(housing=NOT_FOUND, police=NOT_FOUND, police_lead=NOT_FOUND, police_chair=NOT_FOUND)),
    ("/jag/actions/999999/", seers(**dict.fromkeys(ROLES[1:], NOT_FOUND))),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, jag, role, url, expected):
    ids = {k: v.pk for k, v in with_actions(jag).items()}
    assert_status(get_as(client, jag, role, url.format(**ids)), expected[role])


def listing(client, jag, role, **query) -> str:
    client.force_login(jag["people"][role])
    response = client.get("/jag/actions/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_mine_by_default_then_my_agencys_or_everyones(client, jag):
    actions = with_actions(jag)
    police, council, place = (actions[k].text for k in ("police_action", "council_action", "place_action"))
    html = listing(client, jag, "police")
    assert police in html and place not in html and council not in html  # the police officer's own
    html = listing(client, jag, "police", show="agency")
    assert police in html and place in html and council not in html  # the agency's
    html = listing(client, jag, "police", show="all")  # not offered to partners: their own
    assert police in html and place not in html and council not in html
    html = listing(client, jag, "officer")
    assert council in html and police not in html
    html = listing(client, jag, "manager", show="all")
    assert police in html and place in html and council in html
    html = listing(client, jag, "manager", show="agency")  # not offered to the council: their own (none)
    assert "No actions to show" in html


def test_housing_sees_nothing_of_the_police(client, jag):
    actions = with_actions(jag)
    for show in ("mine", "agency", "all"):
        html = listing(client, jag, "housing", show=show, state="all")
        assert "No actions to show" in html
        assert all(a.text not in html for a in actions.values())
    for action in actions.values():
        assert client.get(f"/jag/actions/{action.pk}/").status_code == 404
        assert client.post(f"/jag/actions/{action.pk}/", {"status": "done", "progress": "x", "version": "1"}).status_code == 404
    assert not JagAction.objects.exclude(status=ActionStatus.OPEN).exists()


def test_a_partner_never_sees_the_reference_of_a_case_not_shared_with_them(client, jag):
    with_actions(jag)
    # A police action on the case not shared with the police (agreed by the council co-chair).
    from jag.services.actions import action_add

    action_add(item=jag["items"]["unshared"], text="Police to check the address", owner_agency=jag["police"],
               owner=jag["people"]["police"], due_on=DUE, actor=jag["people"]["chair"])
    html = listing(client, jag, "police", show="agency")
    assert "Police to check the address" in html and NOT_SHARED_LABEL in html
    assert UNSHARED_REF not in html and SHARED_REF in html and "Bell Street Car Park" in html
    detail = JagAction.objects.get(text="Police to check the address")
    html = client.get(f"/jag/actions/{detail.pk}/").content.decode()
    assert NOT_SHARED_LABEL in html and UNSHARED_REF not in html
    html = listing(client, jag, "manager", show="all")
    assert UNSHARED_REF in html


def test_done_and_open_filters(client, jag):
    actions = with_actions(jag)
    action = actions["police_action"]
    action_update(action=action, status="done", progress="Patrolled", actor=jag["people"]["police"], version=action.version)
    html = listing(client, jag, "police")
    assert action.text not in html
    html = listing(client, jag, "police", state="all")
    assert action.text in html and ">Done<" in html


def test_the_owner_marks_the_action_done(client, jag):
    action = with_actions(jag)["police_action"]
    client.force_login(jag["people"]["police"])
    url = f"/jag/actions/{action.pk}/"
    html = client.get(url).content.decode()
    assert "On track" in html and 'name="status"' in html and f'name="version" value="{action.version}"' in html
    assert f'href="/jag/meetings/{jag["meeting"].pk}/"' in html
    response = client.post(url, {"status": "done", "progress": "Patrols every Friday since", "version": action.version})
    assert response.status_code == 302 and response["Location"] == url
    action.refresh_from_db()
    assert action.status == "done" and action.progress == "Patrols every Friday since" and action.updated_by == jag["people"]["police"]
    html = client.get(url).content.decode()
    assert ">Done<" in html and "Patrols every Friday since" in html
    # The same post again (a double click with the old version) is stale and changes nothing.
    again = client.post(url, {"status": "done", "progress": "Patrols every Friday since", "version": action.version - 1})
    assert again.status_code == 200 and "Someone else has changed this action" in again.content.decode()
    assert JagEvent.objects.filter(kind="action.updated").count() == 1


def test_the_agencys_lead_may_update_and_a_stale_page_says_so(client, jag):
    action = with_actions(jag)["police_action"]
    client.force_login(jag["people"]["police_lead"])
    url = f"/jag/actions/{action.pk}/"
    client.get(url)
    action_update(action=action, status="open", progress="Started", actor=jag["people"]["police"], version=action.version)
    response = client.post(url, {"status": "done", "progress": "Finished", "version": action.version})
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else has changed this action" in html
    action.refresh_from_db()
    assert action.status == "open" and action.progress == "Started"
    assert f'name="version" value="{action.version}"' in html  # after reading it again, a second post goes through
    assert client.post(url, {"status": "done", "progress": "Finished", "version": action.version}).status_code == 302


def test_dropping_needs_a_reason(client, jag):
    action = with_actions(jag)["police_action"]
    client.force_login(jag["people"]["police"])
    response = client.post(f"/jag/actions/{action.pk}/", {"status": "dropped", "progress": "", "version": action.version})
    assert response.status_code == 200 and "Say why the action was dropped" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "open"


def test_the_action_tag_says_when_it_is_due(client, jag):
    actions = with_actions(jag)
    JagAction.objects.filter(pk=actions["police_action"].pk).update(due_on=timezone.localdate() - timedelta(days=1))
    JagAction.objects.filter(pk=actions["place_action"].pk).update(due_on=timezone.localdate() + timedelta(days=3))
    html = listing(client, jag, "manager", show="all")
    assert "govuk-tag--red\">Overdue" in html and "govuk-tag--yellow\">Due soon" in html and "govuk-tag--blue\">On track" in html


def test_the_list_is_a_fixed_number_of_queries_with_a_thousand_open_actions(client, jag):
    actions = with_actions(jag)
    base = actions["police_action"]

    def count(role, query):
        client.force_login(jag["people"][role])
        client.get("/jag/actions/", query)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/jag/actions/", query).status_code == 200
        return len(captured)

    cases = [("manager", {"show": "all"}), ("police", {"show": "agency"}), ("police", {}), ("manager", {"show": "all", "page": "3"})]
    before = [count(role, query) for role, query in cases]
    items = [jag["items"][k] for k in ("shared", "unshared", "place", "theme")]
    JagAction.objects.bulk_create([
        JagAction(meeting=base.meeting, item=items[n % 4], text=f"Action {n}", owner_agency=jag["police"] if n % 2 else None,
                  owner=jag["people"]["police"] if n % 2 else jag["people"]["officer"], due_on=DUE + timedelta(days=n % 40),
                  created_by=jag["people"]["chair"], created_at=timezone.now())
        for n in range(1000)])
    after = [count(role, query) for role, query in cases]
    assert before == after, (before, after)
    assert max(after) <= 12, after
    assert "page 1 of 41" in listing(client, jag, "manager", show="all")


# --- the home pages ------------------------------------------------------------------------------------------------

def test_the_home_pages_show_the_users_open_actions(client, jag):
    actions = with_actions(jag)
    client.force_login(jag["people"]["officer"])
    html = client.get("/staff/").content.decode()
    assert "My JAG actions" in html and actions["council_action"].text in html and actions["police_action"].text not in html
    assert f'href="/jag/actions/{actions["council_action"].pk}/"' in html
    client.force_login(jag["people"]["police"])
    html = client.get("/partners/").content.decode()
    assert "My JAG actions" in html and actions["police_action"].text in html and actions["place_action"].text not in html
    client.force_login(jag["people"]["police_lead"])
    html = client.get("/partners/").content.decode()  # a partner lead: their agency's too
    assert actions["police_action"].text in html and actions["place_action"].text in html
    assert actions["council_action"].text not in html
    client.force_login(jag["people"]["housing"])
    assert "My JAG actions" not in client.get("/partners/").content.decode()
    action = actions["police_action"]
    action_update(action=action, status="done", progress="Done", actor=jag["people"]["police"], version=action.version)
    client.force_login(jag["people"]["police"])
    assert action.text not in client.get("/partners/").content.decode()


@pytest.mark.parametrize("role, url", [("officer", "/staff/"), ("manager", "/staff/"), ("police", "/partners/"),
                                       ("police_lead", "/partners/")])
def test_the_home_panel_is_a_fixed_number_of_queries(client, jag, role, url):
    actions = with_actions(jag)
    base = actions["police_action"]
    client.force_login(jag["people"][role])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    JagAction.objects.bulk_create([
        JagAction(meeting=base.meeting, item=base.item, text=f"Action {n}", owner_agency=jag["police"] if n % 2 else None,
                  owner=jag["people"][role], due_on=DUE, created_by=jag["people"]["chair"], created_at=timezone.now())
        for n in range(40)])
    assert count() == before


def test_the_action_tag_include_works_on_a_model_and_on_a_pack_action(jag):
    from django.template.loader import render_to_string

    from jag.selectors import pack_for

    actions = with_actions(jag)
    JagAction.objects.filter(pk=actions["place_action"].pk).update(due_on=timezone.localdate() - timedelta(days=2))
    pack = pack_for(meeting=jag["meeting"], viewer=jag["people"]["police"])
    tags = {a.action_id: render_to_string("jag/includes/action_tag.html", {"action": a}).strip() for a in pack.actions}
    assert tags[actions["place_action"].pk] == '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    assert tags[actions["police_action"].pk] == '<strong class="govuk-tag govuk-tag--blue">On track</strong>'
    model = render_to_string("jag/includes/action_tag.html", {"action": JagAction.objects.get(pk=actions["council_action"].pk)})
    assert model.strip() == '<strong class="govuk-tag govuk-tag--blue">On track</strong>'
