"""Retention against real Postgres: what is listed and when, legal holds, one waiting run (also under concurrency),
and the decisive check: anonymising leaves every dashboard and survey figure identical and nothing personal behind."""

import csv
import importlib
import io
import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from cases import sla
from cases.models import ActionType, Case, Evidence, PartnerAgency, Party, PartyRole, Person, Report
from cases.services import (
    action_record,
    case_assign,
    case_close,
    contact_record,
    evidence_add,
    note_add,
    referral_make,
    report_submit,
    risk_assess,
    risk_question_set_active,
)
from cases.services.access_log import access_record
from dashboard import selectors as dashboard
from dashboard.exports import EXPORTS, export_rows
from dashboard.selectors import Filters, period_from
from notifications.models import Message, MessageStatus
from privacy import selectors
from privacy.models import LegalHold, RecordClass, RetentionItem, RetentionRule, RetentionRun
from privacy.selectors import ANONYMISED_NAME, REMOVED
from privacy.services.retention import (
    DEFAULT_RULES,
    RetentionError,
    legal_hold_lift,
    legal_hold_place,
    retention_apply,
    retention_confirm,
    retention_item_keep,
    retention_list,
    retention_rules_ensure,
)
from surveys import selectors as surveys
from surveys.models import Invitation, Response
from surveys.services import comment_action_record, survey_submit, surveys_sweep

from ..cases.factories import report_submission
from ..cases.test_evidence import real_png

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


TODAY = date(2026, 12, 15)
NOW = london(2026, 12, 15, 12, 0)
ANSWERS = {"overall": "5", "treated_fairly": "5", "listened_to": "4", "kept_updated": "2", "first_contact_speed": "4",
           "staff_polite": "5"}


@pytest.fixture(autouse=True)
def _rules(request):
    """The schedule's rows (a transactional test elsewhere may have emptied the table the migration filled)."""
    marker = request.node.get_closest_marker("django_db")
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    retention_rules_ensure()


@pytest.fixture
def storage(settings, tmp_path):
    """Evidence goes to the test's own directory, so the test can see files go."""
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def at(moment):
    return time_machine.travel(moment, tick=False)


def report(moment, *, channel="online", logged_by=None, existing_case=None, **fields):
    import uuid

    with at(moment):
        return report_submit(data=report_submission(incident_date=moment.date(), **fields), channel=channel,
                             logged_by=logged_by, submission_key=uuid.uuid4(), received_at=moment, existing_case=existing_case)


def contact(case, party, officer, moment, *, final=False):
    with at(moment + timedelta(minutes=5)):
        case.refresh_from_db()
        return contact_record(case=case, party=party, method="phone", direction="out", successful=True,
                             summary=f"Spoke to {party.full_name} about the noise", occurred_at=moment, gave_update=True,
                             final_update=final, actor=officer)


def close(case, victim, officer, moment):
    contact(case, victim, officer, moment - timedelta(hours=1), final=True)
    with at(moment):
        case.refresh_from_db()
        case_close(case=case, reason="resolved", actor=officer)
    with at(moment + timedelta(hours=1)):
        surveys_sweep()  # the survey invitation at closure


def resident(n, name, **more):
    """A resident's own answers: a name, contact details and an address nobody else in the test uses."""
    first = name.split()[0].lower()
    return dict(full_name=name, email=f"{first}.{n}@example.org", phone=f"07700 900{n}", address=f"{n} Elm Road",
                postcode="LE18 2AB" if n < 310 else "LE19 3CD", **more)


PERSONAL = {  # what must be gone from the anonymised cases: names, emails, phones, addresses, free text
    "Margaret Hollingsworth", "margaret.301@example.org", "900301", "301 Elm Road",
    "Kyle Mercer", "Kyle warned", "Derek Osei", "derek.302@example.org", "900302", "302 Elm Road",
    "Barry Pike", "22 Oak Road", "Susan Clarke", "susan.304@example.org", "900304", "304 Elm Road",
    "LE18 2AB", "LE182AB", "scared of Kyle", "threatened Margaret", "Thank you Margaret", "Rang Margaret back",
    "music_clip.png", "Derek says",
}


@pytest.fixture
def world(storage, officer_user, manager_user, call_centre_user):
    """Four cases closed in October and November 2026 (online and by phone, contacts on time and late, a risk change, an
    action, a referral, evidence, surveys with comments), two open ones, and two held ones."""
    cpw = ActionType.objects.get(slug="cpw")
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    questions = list(risk_question_set_active().questions.all())

    # 1. Online, contacted on time, risk raised to high, an action, a referral, evidence, a survey with a comment.
    r1 = report(london(2026, 11, 2, 9), perpetrator_known="named", perpetrator_name="Kyle Mercer",
                perpetrator_address="299 Elm Road", impact="Margaret is scared of Kyle", **resident(301, "Margaret Hollingsworth"))
    one, margaret = r1.case, r1.reporter
    with at(london(2026, 11, 2, 10)):
        case_assign(case=one, officer=officer_user, actor=manager_user)
    contact(one, margaret, officer_user, london(2026, 11, 3, 10))
    with at(london(2026, 11, 4, 10)):
        one.refresh_from_db()
        risk_assess(case=one, answers={q.pk: q.forces_high for q in questions}, notes="Margaret is scared of Kyle", actor=officer_user)
        kyle = Party.objects.get(case=one, role=PartyRole.PERPETRATOR)
        action_record(case=one, action_type=cpw, perpetrator=kyle, served_on=date(2026, 11, 4), details="Kyle warned about the music",
                      actor=officer_user)
        referral_make(case=one, agency=police, reason="Kyle threatened Margaret", referred_on=date(2026, 11, 4), actor=officer_user)
        note_add(case=one, text="Margaret Hollingsworth rang: Kyle Mercer again", actor=officer_user)
        evidence_add(case=one, uploaded=SimpleUploadedFile("music_clip.png", real_png()), actor=officer_user)
    contact(one, margaret, officer_user, london(2026, 11, 9, 10))  # update on time (high risk: 7 days)
    close(one, margaret, officer_user, london(2026, 11, 20, 15))

    # 2. By phone, first contact late, a phone survey.
    r2 = report(london(2026, 11, 9, 9), channel="phone", logged_by=call_centre_user, **resident(302, "Derek Osei", preferred_contact_method="phone"))
    two, derek = r2.case, r2.reporter
    contact(two, derek, officer_user, london(2026, 11, 13, 10))
    close(two, derek, officer_user, london(2026, 11, 25, 15))

    # 3. Anonymous, online.
    r3 = report(london(2026, 11, 16, 9), is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="",
                description="Barry Pike at 22 Oak Road deals from the flat", address="20 Oak Road", postcode="LE18 2AB")
    with at(london(2026, 11, 30, 15)):
        case_close(case=r3.case, reason="no_further_action", actor=officer_user)

    # 4. Online, then the same resident phoned: the call is added to her case.
    r4 = report(london(2026, 10, 5, 9), **resident(304, "Susan Clarke"))
    four, susan = r4.case, r4.reporter
    contact(four, susan, officer_user, london(2026, 10, 6, 10))
    report(london(2026, 10, 12, 9), channel="phone", logged_by=call_centre_user, existing_case=four, **resident(304, "Susan Clarke"))
    contact(four, susan, officer_user, london(2026, 10, 19, 10))
    close(four, susan, officer_user, london(2026, 10, 28, 15))

    # Surveys: answers to the invitations sent at closure, with comments (and a "you said, we did").
    with at(london(2026, 12, 2, 9)):
        survey_submit(invitation=Invitation.objects.get(case=one), answers=ANSWERS, comments="Thank you Margaret says")
        survey_submit(invitation=Invitation.objects.get(case=two), answers={**ANSWERS, "overall": "2"},
                      comments="Derek says nobody rang", entered_by=call_centre_user)
        survey_submit(invitation=Invitation.objects.get(case=four), answers=ANSWERS, comments="")
        comment_action_record(response=Response.objects.get(invitation__case=one), text="Rang Margaret back", actor=manager_user)

    # Open cases: one overdue for first contact, one contacted; both stay as they are.
    o1 = report(london(2026, 12, 1, 9), **resident(311, "Olive Openshaw"))
    with at(london(2026, 12, 1, 10)):
        case_assign(case=o1.case, officer=officer_user, actor=manager_user)
    o2 = report(london(2026, 12, 7, 9), **resident(312, "Oscar Open"))
    contact(o2.case, o2.reporter, officer_user, london(2026, 12, 8, 10))
    with at(london(2026, 12, 8, 11)):
        o2.case.refresh_from_db()
        risk_assess(case=o2.case, answers={q.pk: False for q in questions}, actor=officer_user)

    # Held: a case on hold, and a case whose victim is on hold as a person.
    h1 = report(london(2026, 11, 3, 9), **resident(321, "Hannah Heldman"))
    close(h1.case, h1.reporter, officer_user, london(2026, 11, 10, 15))
    h2 = report(london(2026, 11, 4, 9), **resident(322, "Peter Personhold"))
    close(h2.case, h2.reporter, officer_user, london(2026, 11, 11, 15))
    with at(london(2026, 12, 3, 9)):
        legal_hold_place(case=h1.case, reason="Court proceedings", actor=manager_user)
        h2.reporter.refresh_from_db()
        assert h2.reporter.person_id, "intake links the victim to the person register"
        legal_hold_place(person=h2.reporter.person, reason="Complaint to the Ombudsman", actor=manager_user)

    with at(london(2026, 11, 21, 9)):
        access_record(user=manager_user, event="export", detail="reports.csv", case=one)
    Message.objects.update(status=MessageStatus.SENT, sent_at=london(2026, 12, 2, 9))
    return {"closed": [one, two, r3.case, four], "open": [o1.case, o2.case], "held": [h1.case, h2.case]}


def figures(viewer, officer):
    """Every figure the dashboard and the survey results show, for several periods and filters."""
    with at(NOW):
        periods = [period_from(key, today=TODAY) for key in ("this_month", "last_month", "12m")]
        periods += [period_from("custom", today=TODAY, start=date(2026, 10, 1), end=date(2026, 11, 30))]
        filters = [Filters(viewer=viewer), Filters(viewer=viewer, channel="phone"), Filters(viewer=viewer, channel="online"),
                   Filters(viewer=viewer, officer=officer.pk), Filters(viewer=viewer, risk_level="high"),
                   Filters(viewer=viewer, category=Case.objects.first().category_id)]
        out = {
            "figures": [dashboard.figures(p, f, now=NOW) for p in periods for f in filters],
            "trends": [dashboard.trends(f, today=TODAY, now=NOW) for f in filters],
            "workload": [dashboard.workload(f, now=NOW) for f in filters],
        }
        responses = surveys.responses(viewer)
        out["surveys"] = [
            surveys.satisfaction(responses), surveys.question_rates(responses), surveys.comments_with_response(responses),
            surveys.comments(responses).count(),
            *[surveys.satisfaction_by(responses, by) for by in ("officer", "category_name", "report_channel", "month")],
        ]
        # The exports behind each figure: the same rows, apart from the people's names and the comments' words.
        exports = {}
        for name, (header, _) in EXPORTS.items():
            keep = [i for i, column in enumerate(header) if column not in ("person", "comments")]
            rows = list(csv.reader(io.StringIO("".join(export_rows(name, periods[2], Filters(viewer=viewer))))))
            exports[name] = [[row[i] for i in keep] for row in rows]
        out["exports"] = exports
    return out


def database_text() -> str:
    """Every row of every table, as JSON text: what a search of the database for someone's details would find."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608 - table names from the catalogue
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks)


def all_rules(days: int) -> None:
    RetentionRule.objects.update(keep_days=days)


def run_all(manager, today=date(2026, 12, 16)) -> RetentionRun:
    run = retention_list(today=today)
    retention_confirm(run=run, actor=manager)
    return retention_apply(run=run)


# --- the decisive test ----------------------------------------------------------------------------------------------------

def test_anonymising_keeps_every_figure_and_removes_everything_personal(world, manager_user, officer_user, storage):
    before = figures(manager_user, officer_user)
    october_november = before["figures"][18]  # no filters
    assert october_november.reports_by_channel == {"online": 5, "phone": 2}
    assert (october_november.first_contact.met, october_november.first_contact.total) == (2, 5)
    assert october_november.updates_high.total == 2 and october_november.open_by_risk["Standard"] == 1
    assert before["surveys"][0].total == 3 and before["workload"][0][0]["overdue"] == 1
    files = [Evidence.objects.get(case=world["closed"][0]).file.name]
    assert all((storage / name).exists() for name in files)
    held_before = {c.pk: sorted(Party.objects.filter(case=c).values_list("full_name", "email", "phone")) for c in world["held"]}
    all_rules(1)

    run = run_all(manager_user)

    assert run.status == RetentionRun.Status.DONE
    assert figures(manager_user, officer_user) == before
    # Nothing personal left anywhere in the database: not in the case file, the register, the outbox, nor the run.
    text = database_text().lower()
    left = sorted(word for word in PERSONAL if word.lower() in text)
    assert left == [], [line for line in text.splitlines() if any(w.lower() in line for w in left)][:5]
    # What stays: categories, dates, channels, the postcode district, scores, the rows themselves.
    one = Report.objects.get(case=world["closed"][0])
    assert (one.description, one.postcode, one.channel, one.category.slug) == (REMOVED, "LE18", "online", "noise")
    assert set(Party.objects.filter(case__in=world["closed"], is_unknown=False).values_list("full_name", flat=True)) == {ANONYMISED_NAME}
    assert Response.objects.get(invitation__case=world["closed"][1]).overall == 2
    # Evidence files are gone from storage; the row keeps its size and type.
    assert not any((storage / name).exists() for name in files)
    evidence = Evidence.objects.get(case=world["closed"][0])
    assert (evidence.file.name, evidence.original_name, evidence.content_type) == ("", "", "image/png")
    # The held cases and the open ones are as they were.
    assert {c.pk: sorted(Party.objects.filter(case=c).values_list("full_name", "email", "phone")) for c in world["held"]} == held_before
    assert "hannah heldman" in text and "peter personhold" in text and "olive openshaw" in text
    # The run's audit is counts and references only.
    assert run.counts[RecordClass.CASE_FILE] == 4 and run.counts["access_log_entries_deleted"] == 1
    assert set(run.items.filter(record_class=RecordClass.CASE_FILE).values_list("label", flat=True)) == {c.reference for c in world["closed"]}
    assert not run.items.filter(object_id__in=[str(c.pk) for c in world["held"]], record_class=RecordClass.CASE_FILE).exists()


def test_a_second_apply_changes_nothing(world, manager_user):
    all_rules(1)
    run = run_all(manager_user)
    snapshot = database_text()
    RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.CONFIRMED)
    RetentionItem.objects.filter(run=run).update(done_at=None)
    retention_apply(run=run)
    assert RetentionItem.objects.filter(run=run, done_at__isnull=True, excluded=False).count() == 0
    changed = set(database_text().splitlines()) ^ set(snapshot.splitlines())
    # Only the items' own bookkeeping (when each was done) differs: no record changed, no note was added twice.
    assert [line for line in changed if '"done_at"' not in line and '"listed_at"' not in line] == []
    assert retention_list(today=date(2026, 12, 16)) is None  # nothing left to list


# --- when records are listed ----------------------------------------------------------------------------------------------

def test_a_case_is_listed_on_the_day_its_period_ends_not_before(world):
    RetentionRule.objects.filter(record_class=RecordClass.CASE_FILE).update(keep_days=30)
    # Case 4 closed on 28 October: due on 27 November, not on the 26th.
    four = world["closed"][3]
    assert not selectors.due_case_files(date(2026, 11, 26), 30).filter(pk=four.pk).exists()
    assert selectors.due_case_files(date(2026, 11, 27), 30).filter(pk=four.pk).exists()
    run = retention_list(today=date(2026, 11, 27))
    item = run.items.get(record_class=RecordClass.CASE_FILE)
    assert (item.label, item.due_since) == (four.reference, date(2026, 11, 27))


def test_the_migration_writes_the_documented_defaults(db):
    from django.apps import apps

    RetentionRule.objects.all().delete()
    importlib.import_module("privacy.migrations.0002_retention_defaults").add_defaults(apps, None)
    rules = {r.record_class: r for r in RetentionRule.objects.all()}
    assert {c: r.keep_days for c, r in rules.items()} == {c: days for c, (days, _) in DEFAULT_RULES.items()}
    assert rules[RecordClass.CASE_FILE].keep_days == 2190 and rules[RecordClass.MESSAGE_BODY].keep_days == 90
    assert all(r.reason for r in rules.values())


def test_with_the_default_schedule_nothing_recent_is_listed(world):
    assert retention_list(today=date(2026, 12, 16)) is None


def test_open_and_held_cases_are_never_listed_and_a_lifted_hold_lets_the_clock_run(world, manager_user):
    all_rules(1)
    run = retention_list(today=date(2026, 12, 16))
    listed = set(run.items.filter(record_class=RecordClass.CASE_FILE).values_list("object_id", flat=True))
    assert listed == {str(c.pk) for c in world["closed"]}
    run.status = RetentionRun.Status.CANCELLED
    run.save()
    hold = LegalHold.objects.get(case=world["held"][0])
    legal_hold_lift(hold=hold, actor=manager_user)
    again = retention_list(today=date(2026, 12, 16))
    assert str(world["held"][0].pk) in set(again.items.filter(record_class=RecordClass.CASE_FILE).values_list("object_id", flat=True))
    assert str(world["held"][1].pk) not in set(again.items.values_list("object_id", flat=True))
    timeline = list(world["held"][0].timeline.filter(summary__startswith="Legal hold").order_by("id").values_list("summary", flat=True))
    assert len(timeline) == 2 and "placed" in timeline[0] and "lifted" in timeline[1]


def test_a_hold_placed_after_the_listing_still_wins(world, manager_user):
    all_rules(1)
    run = retention_list(today=date(2026, 12, 16))
    two = world["closed"][1]
    legal_hold_place(case=two, reason="Claim received", actor=manager_user)
    retention_confirm(run=run, actor=manager_user)
    retention_apply(run=run)
    assert Party.objects.get(case=two, role=PartyRole.VICTIM).full_name == "Derek Osei"
    assert run.items.get(record_class=RecordClass.CASE_FILE, object_id=str(two.pk)).excluded


def test_a_hold_needs_a_reason_and_one_at_a_time(world, manager_user):
    two = world["closed"][1]
    with pytest.raises(RetentionError, match="reason"):
        legal_hold_place(case=two, reason="  ", actor=manager_user)
    legal_hold_place(case=two, reason="Claim", actor=manager_user)
    with pytest.raises(RetentionError, match="already"):
        legal_hold_place(case=two, reason="Claim again", actor=manager_user)


def test_a_kept_back_item_is_not_anonymised(world, manager_user):
    all_rules(1)
    run = retention_list(today=date(2026, 12, 16))
    one = world["closed"][0]
    retention_item_keep(item=run.items.get(record_class=RecordClass.CASE_FILE, object_id=str(one.pk)), keep=True, actor=manager_user)
    retention_confirm(run=run, actor=manager_user)
    retention_apply(run=run)
    assert Party.objects.get(case=one, role=PartyRole.VICTIM).full_name == "Margaret Hollingsworth"
    assert Party.objects.get(case=world["closed"][1], role=PartyRole.VICTIM).full_name == ANONYMISED_NAME
    with pytest.raises(RetentionError):
        retention_item_keep(item=run.items.first(), keep=False, actor=manager_user)  # a confirmed run is closed to changes


def test_one_run_waits_at_a_time(world, manager_user):
    all_rules(1)
    first = retention_list(today=date(2026, 12, 16))
    assert first is not None and retention_list(today=date(2026, 12, 17)) is None
    assert RetentionRun.objects.count() == 1


# --- the other classes on their own ---------------------------------------------------------------------------------------

def test_each_class_on_its_own_period(world, storage):
    """Case files kept six years; the other classes at one day: only their own data goes."""
    RetentionRule.objects.exclude(record_class=RecordClass.CASE_FILE).update(keep_days=1)
    run = retention_list(today=date(2026, 12, 16))
    classes = {c.record_class: c.listed for c in selectors.run_classes(run)}
    assert RecordClass.CASE_FILE not in classes
    assert classes[RecordClass.ANONYMOUS_REPORT] == 1 and classes[RecordClass.EVIDENCE] == 1
    assert classes[RecordClass.SURVEY_RESPONSE] == 2 and classes[RecordClass.ACCESS_LOG] == 1
    run.status, run.confirmed_by = RetentionRun.Status.CONFIRMED, None
    run.save()
    retention_apply(run=run)
    anonymous = Report.objects.get(case=world["closed"][2])
    assert (anonymous.description, anonymous.postcode) == (REMOVED, "LE18")
    assert not any(storage.rglob("*.png"))
    assert set(Response.objects.values_list("comments", flat=True)) == {REMOVED, ""}
    # Delivered messages lose body and address, except those about the held cases.
    held_keys = selectors.case_message_keys([c.pk for c in world["held"]])
    assert Message.objects.filter(held_keys).exclude(body="").count() == 4  # two acknowledgements, two survey invitations
    assert not Message.objects.exclude(held_keys).exclude(body="").exists()
    assert not Message.objects.exclude(held_keys).exclude(to="").exists()
    assert Party.objects.get(case=world["closed"][0], role=PartyRole.VICTIM).full_name == "Margaret Hollingsworth"


def test_messages_about_a_held_case_are_kept(world, manager_user):
    RetentionRule.objects.filter(record_class=RecordClass.MESSAGE_BODY).update(keep_days=1)
    held = world["held"][0]
    keys = [f"report-ack:{r.pk}" for r in Report.objects.filter(case=held)]
    assert Message.objects.filter(key__in=keys).exists()
    run = retention_list(today=date(2026, 12, 16))
    listed = set(run.items.values_list("object_id", flat=True))
    assert not listed & {str(pk) for pk in Message.objects.filter(key__in=keys).values_list("pk", flat=True)}


def test_a_person_on_an_open_case_keeps_their_record(world, manager_user, officer_user):
    # Margaret reports again: her person record now also backs an open case, so it keeps her details.
    again = report(london(2026, 12, 10, 9), **resident(301, "Margaret Hollingsworth"))
    person = again.reporter.person
    assert person and Party.objects.filter(person=person, case=world["closed"][0]).exists()
    all_rules(1)
    run_all(manager_user)
    person.refresh_from_db()
    assert person.full_name == "Margaret Hollingsworth" and person.anonymised_at is None
    kyle = Party.objects.get(case=world["closed"][0], role=PartyRole.PERPETRATOR).person
    assert kyle.full_name == ANONYMISED_NAME and kyle.anonymised_at is not None and kyle.email == ""
    assert Person.objects.get(pk=Party.objects.get(case=world["closed"][1], role=PartyRole.VICTIM).person_id).anonymised_at


# --- two listings at once -------------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_listings_at_once_make_one_run(officer_user):
    with at(london(2026, 11, 2, 9)):
        for n in range(3):
            case = report(london(2026, 11, 2, 9), **resident(400 + n, f"Resident Number{n}")).case
            Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
    all_rules(1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def listing():
        try:
            barrier.wait(timeout=10)
            results.append(retention_list(today=date(2026, 12, 16)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=listing) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(r is None for r in results) == [False, True]
    assert RetentionRun.objects.count() == 1
    assert RetentionItem.objects.filter(record_class=RecordClass.CASE_FILE).count() == 3
