"""The retention schedule anonymises a case file: what JAG meetings said about it (why it was on, notes, decisions,
its actions, the nomination's reason and the history of its items) goes too; the rows stay for the figures, and the
other items of the meeting keep what was said about them."""

from datetime import date

import pytest
from django.utils import timezone

from jag.models import AgendaItem, JagAction, JagEvent, Nomination
from jag.services.actions import action_add
from jag.services.meeting import item_record
from privacy.models import RetentionRun
from privacy.services.anonymise import REMOVED, case_file_anonymise

from .test_meeting import frozen, opened, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SECRET = "Ozymandias Featherstonehaugh"


def test_anonymising_a_case_file_removes_what_jag_said_about_it(world):  # noqa: F811
    case_item, place_item = world["items"][0], world["items"][1]
    AgendaItem.objects.filter(pk=case_item.pk).update(why=f"Nominated by the police: {SECRET} again")
    Nomination.objects.create(meeting=world["meeting"], kind="case", case=world["case"], reason=f"{SECRET} at number 14",
                              nominated_by=world["officer"], created_at=timezone.now(),
                              accepted=True)
    opened(world)
    item_record(item=case_item, notes=f"{SECRET} seen on Friday", decisions=f"Warn {SECRET}", outcome="keep",
                actor=world["chair"])
    item_record(item=place_item, notes="Lighting to be checked", decisions="", outcome="keep", actor=world["chair"])
    action = action_add(item=case_item, text=f"Visit {SECRET}", owner_agency=world["police"], owner=world["pc"],
                        due_on=date(2026, 12, 20), actor=world["chair"])
    JagEvent.objects.filter(action=action).update(words=f"Action about {SECRET}")

    case_file_anonymise(case_id=world["case"].pk, run=RetentionRun.objects.create(status="confirmed"))

    case_item.refresh_from_db()
    action.refresh_from_db()
    texts = [case_item.why, case_item.notes, case_item.decisions, action.text,
             *Nomination.objects.values_list("reason", flat=True), *JagEvent.objects.values_list("words", flat=True)]
    assert all(SECRET not in text for text in texts)
    assert case_item.notes == REMOVED and action.text == REMOVED and case_item.outcome == "keep"
    assert AgendaItem.objects.get(pk=place_item.pk).notes == "Lighting to be checked"
    assert JagAction.objects.count() == 1 and AgendaItem.objects.count() == 3
