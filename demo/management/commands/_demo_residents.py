"""Residents' case pages, the online diary, letters and notices in the demo (issue 15). After the stories exist, this
makes sure the demo shows:

- **Aisha Khan** (the ABC noise case, email): two diary entries from her page, a shareable note, an update her officer
  sent through the system (it met her update deadline), and a request to be called back waiting on the officer's home;
- the **anonymous fly-tipping reporter**: their link (the one the confirmation page offered) and an officer's note
  shareable with them, the first update an anonymous reporter has ever had;
- **Patricia Lowe's street-drinking case**: a Community Protection Warning made and served by hand on Lee Barton four
  weeks ago, its compliance date passed, breaches noted, and a Community Protection Notice generated an hour ago
  (not served yet); and an update letter to Mrs Lowe (she prefers letters) waiting in the print queue.

`demo_resident_links()` gives each demo resident's link (the banner of `make run` and the README print them).
Idempotent on any date: each part runs once, keyed by its first row's submission key.
"""

from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    ContactMethod,
    DiaryEntry,
    Party,
    PartyRole,
    Report,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    Visibility,
)
from cases.services.resident_actions import callback_request, diary_entry_add, resident_request_done
from cases.services.resident_links import link_url, resident_link_issue
from cases.services.resident_updates import resident_update_send
from letters.builtin import templates_install_current
from letters.models import DeliveryMethod, Document, DocumentKind
from letters.services.documents import document_generate, document_record_sent
from notifications.models import Message, MessageStatus

AISHA_STORY = "demo-medium-abc"
ANONYMOUS_STORY = "demo-3"
LETTERS_STORY = "demo-letters-street-drinking"
LEE_BARTON = {"full_name": "Lee Barton", "address": "12 Queens Drive, Wigston", "postcode": "LE18 4PP"}


def _at(when, call):
    """Run a service as if at `when` (services stamp "now": the diary's received time, the update's time)."""
    with time_machine.travel(when, tick=False):
        return call()


def _reporter(submission_key, story: str) -> Report | None:
    return Report.objects.select_related("case", "reporter").filter(submission_key=submission_key(story)).first()


def aisha_ensure(*, users, demo, submission_key) -> bool:
    report = _reporter(submission_key, AISHA_STORY)
    first_key = submission_key(f"{AISHA_STORY}:diary-1")
    if report is None or DiaryEntry.objects.filter(submission_key=first_key).exists():
        return False
    case, aisha, officer = report.case, report.reporter, users["officer"]
    link = resident_link_issue(case=case, party=aisha)
    _at(demo.ago(6, 7, 50), lambda: diary_entry_add(
        link=link, happened_at=demo.ago(7, 23, 30), submission_key=first_key,
        what_happened="Music and shouting from Flat 2 from about 11pm until after 2am. Someone kicked the door of the stairwell.",
        who_involved="Jordan Walsh and three or four friends", how_affected="The children woke twice. I had three hours' sleep."))
    _at(demo.ago(5, 11), lambda: services.note_add(
        case=case, actor=officer, visibility=Visibility.RESIDENT,
        text="We have asked the housing association to visit Flat 2 about the noise on the night you recorded."))
    _at(demo.ago(2, 8, 15), lambda: diary_entry_add(
        link=link, happened_at=demo.ago(3, 1, 10), submission_key=submission_key(f"{AISHA_STORY}:diary-2"),
        what_happened="A party in Flat 2: about eight people, loud music and doors slamming until 3am.",
        who_involved="Jordan Walsh and guests", how_affected="I had to take the children to my sister's the next night."))
    # The officer read both entries before writing the update below.
    for request in ResidentRequest.objects.filter(case=case, kind=ResidentRequestKind.DIARY, dealt_with_at__isnull=True):
        _at(demo.ago(1, 15), lambda request=request: resident_request_done(
            request=request, actor=officer, outcome="Read; passed to the housing officer for the ABC review"))
    sent = demo.ago(1, 16)
    _at(sent, lambda: resident_update_send(
        case=case, party=aisha, actor=officer, submission_key=submission_key(f"{AISHA_STORY}:update-1"),
        text="Thank you for your diary entries. Mr Walsh's Acceptable Behaviour Contract review is this week, with his "
             "housing officer, and your entries will be part of it. Please keep the diary going."))
    # Delivered when it was written (a worker would have sent it then): nothing is left for today's worker.
    Message.objects.filter(key__startswith="resident-update:", key__endswith=str(submission_key(f"{AISHA_STORY}:update-1")),
                           status=MessageStatus.PENDING).update(status=MessageStatus.SENT, sent_at=sent)
    _at(demo.today(45), lambda: callback_request(
        link=link, phone="07700 900612", best_time="After 6pm", submission_key=submission_key(f"{AISHA_STORY}:callback")))
    return True


def anonymous_ensure(*, users, submission_key) -> bool:
    report = _reporter(submission_key, ANONYMOUS_STORY)
    if report is None or ResidentLink.objects.filter(report=report).exists():
        return False
    case = report.case
    resident_link_issue(case=case, report=report)
    services.note_add(case=case, actor=users["officer"], visibility=Visibility.RESIDENT,
                      text="Thank you for reporting this. Street cleansing are clearing the alley, and we are asking the "
                           "shops on Leicester Road for their CCTV of the alley.")
    return True


def letters_ensure(*, users, demo, submission_key) -> bool:
    if Report.objects.filter(submission_key=submission_key(LETTERS_STORY)).exists():
        return False
    d = demo
    d.report(d.ago(24, 21, 15), category="street-drinking", home=True, address="7 Queens Drive, Wigston", postcode="LE18 4PP",
             description="A man drinks outside the off-licence on Queens Drive most evenings, shouts at people going past "
                         "and urinates in my front garden.",
             impact="I am afraid to go out in the evening and my grandchildren no longer visit.", frequency="daily",
             perpetrator_known="named", perpetrator_name=LEE_BARTON["full_name"], perpetrator_address=LEE_BARTON["address"],
             full_name="Patricia Lowe", phone="0116 496 0733", customer_group="owner_occupier",
             preferred_contact_method="letter")
    d.assign(d.ago(23, 9, 30), "officer")
    d.contact(d.ago(23, 14), "Visited Mrs Lowe at home; she is keeping a diary and the off-licence has CCTV.", method=ContactMethod.VISIT)
    d.risk(d.ago(23, 15), ["afraid", "daily life"], "Lives alone; afraid to go out in the evening.")
    lee = d.case.parties.get(role=PartyRole.PERPETRATOR)
    Party.objects.filter(pk=lee.pk).update(postcode=LEE_BARTON["postcode"])
    lee.refresh_from_db()
    officer = users["officer"]
    served = d.ago(20, 14)
    cpw = _at(d.ago(20, 11), lambda: document_generate(
        case=d.case, kind=DocumentKind.CPW, recipient=lee, delivery=DeliveryMethod.HAND, actor=officer,
        submission_key=submission_key(f"{LETTERS_STORY}:cpw"),
        entered={"conduct": "Drinking alcohol and shouting at passers-by outside the off-licence on Queens Drive, Wigston, "
                            "and urinating in the front gardens of nearby homes, most evenings since September.",
                 "requirements": "You must stop drinking alcohol in Queens Drive, stop shouting at or approaching people "
                                 "there, and stop urinating in any garden or public place.",
                 "comply_by": timezone.localdate(served) + timedelta(days=7)}))
    _at(served, lambda: document_record_sent(document=cpw, method=DeliveryMethod.HAND, sent_at=served, actor=officer))
    d.contact(d.ago(9, 11), "Visited Mrs Lowe: the warning has been served; she showed me her diary of the evenings since.",
              method=ContactMethod.VISIT)
    warning = cpw.action if cpw.action_id else Document.objects.get(pk=cpw.pk).action
    d.breach(d.ago(4, 9, 30), warning, "Drinking and shouting outside the off-licence on three evenings after the compliance date.")
    d.note(d.ago(4, 10), "Mrs Lowe's diary and the off-licence CCTV show Mr Barton drinking and shouting outside the shop on "
                         "three evenings since the warning's compliance date.")
    _at(d.today(60), lambda: document_generate(
        case=d.case, kind=DocumentKind.CPN, recipient=lee, delivery=DeliveryMethod.HAND, actor=officer,
        submission_key=submission_key(f"{LETTERS_STORY}:cpn"),
        entered={"conduct": "Drinking alcohol and shouting at passers-by outside the off-licence on Queens Drive, Wigston, "
                            "and urinating in the front gardens of nearby homes, continuing after the Community Protection "
                            "Warning served on you.",
                 "requirements": "You must not drink alcohol in any public place in Queens Drive, Wigston; you must not "
                                 "shout at, follow or approach anyone there; you must not urinate in any garden or public place.",
                 "comply_by": timezone.localdate(d.now) + timedelta(days=7)}))
    patricia = d.reporter
    _at(d.today(30), lambda: document_generate(
        case=d.case, kind=DocumentKind.UPDATE, recipient=patricia, delivery=DeliveryMethod.POST, actor=officer,
        submission_key=submission_key(f"{LETTERS_STORY}:update"),
        entered={"update_text": "The man you reported was given a Community Protection Warning four weeks ago. Because the "
                                "behaviour has carried on, we are now serving a Community Protection Notice on him. Breaking "
                                "it is a criminal offence. Please keep your diary and tell us about anything new."}))
    return True


def residents_ensure(*, users: dict, now, demo_for, submission_key) -> int:
    """Each part in its own transaction; returns how many ran now."""
    templates_install_current()  # the built-in letter templates, if a flushed database lost them (never overwrites)
    made = 0
    with transaction.atomic():
        made += aisha_ensure(users=users, demo=demo_for(AISHA_STORY), submission_key=submission_key)
    with transaction.atomic():
        made += anonymous_ensure(users=users, submission_key=submission_key)
    with transaction.atomic():
        made += letters_ensure(users=users, demo=demo_for(LETTERS_STORY), submission_key=submission_key)
    return made


def demo_resident_links(submission_key) -> list[tuple[str, str]]:
    """(who, link) for the demo's residents, from the live links in the database (the token needs SECRET_KEY)."""
    found = []
    for story, who in ((AISHA_STORY, "Aisha Khan (diary entries and an update)"), (ANONYMOUS_STORY, "anonymous fly-tipping reporter"),
                       (LETTERS_STORY, "Patricia Lowe (letters by post)")):
        report = _reporter(submission_key, story)
        if report is None:
            continue
        owner = {"party": report.reporter} if report.reporter_id else {"report": report}
        link = ResidentLink.objects.filter(revoked_at__isnull=True, **owner).first()
        if link is not None:
            found.append((who, link_url(link)))
    return found


def cpn_ready(submission_key) -> Document | None:
    return Document.objects.filter(submission_key=submission_key(f"{LETTERS_STORY}:cpn")).first()

