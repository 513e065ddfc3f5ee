"""The case page at county scale (issue 16): a fixed number of queries whatever the case holds, and what it shows
from rows it no longer joins again (breach dates, each row's person, whether a referred agency can answer)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone

from cases.models import ActionType, Case, TimelineEntry
from cases.selectors import _action_dates, case_dues, case_for_detail
from cases.services import action_record, breach_record, evidence_add, referral_make
from cases.services.actions import action_update
from cases.services.risk import risk_assess
from cases.services.sharing import share_stop

from .factories import report_submission, submit_report
from .test_casework import PNG, answers
from .test_query_counts import CASE_PAGE_MAX_QUERIES, queries_for, worked_case
from .test_sharing import agency, agreement, partner, share

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WHEN = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # after the factories' incident date


@pytest.fixture
def at_fixed_time():
    with time_machine.travel(WHEN, tick=False):
        yield


def page(client, case):
    response = client.get(f"/staff/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_case_page_makes_the_same_queries_for_a_bare_case_and_a_full_one(client, officer_user, at_fixed_time):
    bare = submit_report(report_submission(phone="07700 900001", email="bare@example.com", address="1 Mill Lane")).case
    full = worked_case(2, officer_user, extra=6)
    victim = full.parties.order_by("id").first()
    risk_assess(case=full, answers=answers(0, 1), actor=officer_user, party=victim)
    risk_assess(case=full, answers=answers(0, 1, 2), actor=officer_user)
    for n in range(3):
        evidence_add(case=full, uploaded=SimpleUploadedFile(f"photo{n}.png", PNG), actor=officer_user)
    police = agency()
    agreement(police)
    partner("pc", police)
    share_stop(share=share(full, officer_user, police), reason="Done", actor=officer_user)
    share(full, officer_user, police)
    client.force_login(officer_user)
    page(client, bare)  # warm the session and role caches
    counts = [queries_for(client, f"/staff/cases/{case.reference}/") for case in (bare, full, bare)]
    assert counts[0] == counts[1] == counts[2] <= CASE_PAGE_MAX_QUERIES, counts


def test_case_page_shows_breach_dates_newest_first_and_each_rows_person(client, officer_user, at_fixed_time):
    case = worked_case(3, officer_user, extra=1)
    action = case.actions.get()
    with time_machine.travel(WHEN + timedelta(days=5), tick=False):
        breach_record(action=action, occurred_on=date(2026, 12, 7), description="Shouting", actor=officer_user)
        client.force_login(officer_user)
        html = page(client, case)
    assert "<br>Breached 7 Dec 2026<br>Breached 2 Dec 2026</td>" in html
    victim = case.parties.order_by("id").first()
    assert f"Phone to {victim}" in html  # the contact names the case's own person
    assert '<td class="govuk-table__cell">Flat 3</td>' in html  # the action's perpetrator


def test_referral_says_the_agency_can_answer_only_while_a_share_is_in_effect(client, officer_user, at_fixed_time):
    case = worked_case(4, officer_user, extra=0)
    police = agency()
    referral_make(case=case, agency=police, reason="Threats", referred_on=timezone.localdate(), actor=officer_user)
    partner("pc", police)
    client.force_login(officer_user)
    assert "Answers outside ASB Portal" in page(client, case)  # no share
    agreement(police)
    live = share(case, officer_user, police)
    assert "Can answer in ASB Portal" in page(client, case)
    share_stop(share=live, reason="Done", actor=officer_user)
    assert "Answers outside ASB Portal" in page(client, case)
    share(case, officer_user, police, ends_on=timezone.localdate() + timedelta(days=1))
    with time_machine.travel(WHEN + timedelta(days=3), tick=False):  # the share has run past its end date
        client.force_login(officer_user)
        assert "Answers outside ASB Portal" in page(client, case)


# The timeline loop as the case page drew it before case_timeline_items (issue 16): the tag must draw the same HTML.
TIMELINE_LOOP = """{% for entry in timeline %}
    <li class="app-timeline__item{% if entry.visibility == 'internal' %} app-timeline__item--internal{% endif %}">
      <p class="app-timeline__summary">{{ entry.summary }}</p>
      <p class="app-timeline__meta">{{ entry.get_kind_display }}, {{ entry.occurred_at|date:"D j M Y H:i" }}{% if entry.actor %}, {{ entry.actor.get_full_name|default:entry.actor.username }}{% endif %}{% if entry.agency %}, from {{ entry.agency.name }}{% endif %}.
        {% if entry.visibility == 'internal' %}<strong class="govuk-tag govuk-tag--grey">Internal</strong>{% elif entry.visibility == 'resident' %}<strong class="govuk-tag govuk-tag--blue">Shareable</strong>{% elif entry.visibility == 'partners' %}<strong class="govuk-tag govuk-tag--purple">Shared with partners</strong>{% endif %}{% if entry.agency %} <strong class="govuk-tag govuk-tag--yellow">From {{ entry.agency.name }}</strong>{% endif %}</p>
      {% if entry.body %}<p class="app-timeline__body">{{ entry.body }}</p>{% endif %}
      {% if entry.changes and entry.kind == 'edit' or entry.kind == 'assignment' %}<ul class="govuk-list govuk-!-font-size-16">{% for field, values in entry.changes.items %}<li>{{ field|capfirst }}: {{ values.0|default:"(blank)" }} → {{ values.1|default:"(blank)" }}</li>{% endfor %}</ul>{% endif %}
    </li>
  {% endfor %}"""  # noqa: E501


def test_timeline_tag_draws_what_the_template_loop_drew(officer_user, django_user_model, at_fixed_time):
    case = worked_case(5, officer_user, extra=2)
    nameless = django_user_model.objects.create_user(username="nameless<b>", password="x")
    police = agency()
    now = timezone.now()
    odd = [
        dict(kind="edit", visibility="internal", summary="Edited <script>", changes={"address": ["1 A & B", ""], "postcode": [None, 5],
                                                                                    "notes": "x", "count": [0]}),
        dict(kind="assignment", visibility="staff", summary="Assigned", changes={}, actor=nameless),
        dict(kind="assignment", visibility="resident", summary="Reassigned", changes={"officer": ["Ann", "Bob"]}),
        dict(kind="note", visibility="partners", summary="From police", body="Said <hi>", agency=police, changes={"x": [1, 2]}),
        dict(kind="edit", visibility="internal", summary="No change", changes={}),
    ]
    for n, values in enumerate(odd):
        TimelineEntry.objects.create(case=case, occurred_at=now - timedelta(days=40 * n, minutes=n), **values)
    timeline = list(TimelineEntry.objects.filter(case=case).select_related("actor", "agency").order_by("-occurred_at", "-id"))
    assert len(timeline) > len(odd) + 5
    before = Template(TIMELINE_LOOP).render(Context({"timeline": timeline}))
    after = Template("{% load case_timeline %}{% case_timeline_items timeline %}").render(Context({"timeline": timeline}))
    assert "&lt;script&gt;" in after and "From police" in after and "1 A &amp; B → (blank)" in after
    assert after == before


def test_case_page_next_action_dates_are_the_earliest_of_its_planned_and_in_force_actions(officer_user, at_fixed_time):
    case = worked_case(6, officer_user, extra=1)  # one action in force, review in 7 days
    cpw = ActionType.objects.get(slug="cpw")
    today = timezone.localdate()
    ended = action_record(case=case, action_type=cpw, review_on=today + timedelta(days=2), expires_on=today + timedelta(days=3),
                          actor=officer_user)
    action_update(action=ended, status="ended", actor=officer_user)
    action_record(case=case, action_type=cpw, review_on=today + timedelta(days=5), expires_on=today + timedelta(days=30),
                  actor=officer_user)
    action_record(case=case, action_type=cpw, expires_on=today + timedelta(days=20), actor=officer_user)
    shown = case_for_detail(officer_user, reference=case.reference)
    annotated = Case.objects.annotate(**_action_dates()).get(pk=case.pk)
    assert (shown.next_action_review, shown.next_action_expiry) == (today + timedelta(days=5), today + timedelta(days=20))
    assert (shown.next_action_review, shown.next_action_expiry) == (annotated.next_action_review, annotated.next_action_expiry)
    assert [d.what for d in case_dues(shown)].count("Action review") == 1
    bare = submit_report(report_submission(phone="07700 900002", email="bare2@example.com", address="2 Mill Lane")).case
    shown = case_for_detail(officer_user, reference=bare.reference)
    assert (shown.next_action_review, shown.next_action_expiry) == (None, None)


def test_case_page_lists_shares_in_effect_first_and_says_when_one_has_ended(client, officer_user, at_fixed_time):
    case = worked_case(7, officer_user, extra=0)
    police, housing = agency(), agency("Housing providers")
    agreement(police)
    agreement(housing)
    share_stop(share=share(case, officer_user, police), reason="Done", actor=officer_user)
    share(case, officer_user, housing, ends_on=timezone.localdate() + timedelta(days=1))
    with time_machine.travel(WHEN + timedelta(days=3), tick=False):
        client.force_login(officer_user)
        html = page(client, case)
    table = html.index('aria-label="Shared with partner agencies"')
    assert table < html.index("Sharing that was stopped (1)")
    assert "ended 3 Dec 2026" in html[table:html.index("Sharing that was stopped (1)")]
