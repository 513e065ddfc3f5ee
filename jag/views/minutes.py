"""The minutes of a meeting: circulated within one working day, approved at the next meeting (then locked: a change
is an amendment with who, when and why).

Who sees what. The minutes' text names cases by reference and says what was said about them, so:
- council staff read the text once it has been circulated; before that the draft is read by the group's co-chairs and
  JAG managers only;
- a partner never reads the text (not even a partner co-chair, nor a draft): once the minutes are circulated they read
  their agency's record of the meeting, built from `pack_for` (each item as their agency's pack shows it, with the
  notes, decisions and outcome where the pack holds them; a case not shared is "a case not shared with your agency")
  and their agency's own actions from the meeting;
- writing (circulate, approve, edit) is for council co-chairs and JAG managers (the service's rule, narrowed here to
  council staff: a partner cannot change a text they may not read).
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.policy import Can, is_partner, requires

from ..forms_conduct import MinutesDecisionForm, MinutesEditForm
from ..models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from ..selectors import actions_visible_to, meeting_or_404, pack_for
from ..services.meeting import JagError, meeting_lock
from ..services.minutes import (
    minutes_amend,
    minutes_approve,
    minutes_circulate,
    minutes_due_at,
    minutes_generate,
    minutes_may_write,
)


def _may_write(user, meeting: Meeting) -> bool:
    return minutes_may_write(meeting, user)


def _next_meeting(meeting: Meeting) -> Meeting | None:
    return (Meeting.objects.filter(group_id=meeting.group_id, held_on__gt=meeting.held_on)
            .exclude(status=MeetingStatus.CANCELLED).order_by("held_on", "id").first())


def _partner_record(user, meeting: Meeting) -> dict:
    """A partner's minutes: their agency's pack of the meeting (plain values) and their agency's actions from it."""
    pack = pack_for(meeting=meeting, viewer=user)
    titles = {i.item_id: i.title for i in pack.items}
    actions = [{"text": a.text, "item_title": titles.get(a.item_id, ""), "owner_name": (a.owner.get_full_name() or a.owner.get_username()) if a.owner_id else "",
                "due_on": a.due_on, "action": a}
               for a in actions_visible_to(user).filter(meeting=meeting).select_related("owner").order_by("due_on", "id")]
    return {"pack": pack, "partner_actions": actions}


@never_cache
@requires(Can.SEE_JAG)
def minutes(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    user = request.user
    writer = _may_write(user, meeting)
    partner = is_partner(user)
    circulated = meeting.minutes_circulated_at is not None
    following = _next_meeting(meeting) if meeting.status == MeetingStatus.HELD else None
    form = MinutesDecisionForm(request.POST or None, version=meeting.version)
    if request.method == "POST":
        if not writer:
            raise Http404
        if form.is_valid():
            what = form.cleaned_data["what"]
            try:
                if what == "circulate":
                    minutes_circulate(meeting=meeting, actor=user)
                    messages.success(request, "The minutes were circulated")
                elif meeting.minutes_locked:
                    pass  # a second click on "Approve": they are approved
                else:
                    if following is None:
                        raise JagError("Minutes are approved at the group's next meeting")
                    minutes_approve(meeting=meeting, approved_at_meeting=following, actor=user)
                    messages.success(request, "The minutes were approved and are now locked")
            except JagError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("jag:minutes", meeting_id=meeting.pk)
    context = {
        "meeting": meeting, "form": form, "writer": writer, "partner": partner, "circulated": circulated,
        "following": following, "due_at": minutes_due_at(meeting), "now": timezone.now(),
        "back_url": reverse("jag:meeting", args=[meeting.pk]),
        "attendance": [], "text": "", "draft": False, "amendments": [],
    }
    if meeting.status != MeetingStatus.HELD:
        return render(request, "jag/minutes.html", context)
    if circulated or writer:
        context["attendance"] = _attendance(meeting)
    if partner:
        if circulated:
            context.update(_partner_record(user, meeting))
    elif circulated or writer:
        context["text"] = meeting.minutes or (minutes_generate(meeting) if writer else "")
        context["draft"] = not circulated
        context["amendments"] = list(meeting.amendments.select_related("changed_by").order_by("changed_at", "id"))
    return render(request, "jag/minutes.html", context)


def _attendance(meeting: Meeting):
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("agency").order_by("name", "id"))
    return [(s, [r for r in rows if r.status == s]) for s in AttendanceStatus]


@never_cache
@requires(Can.SEE_JAG)
def edit(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    if not _may_write(request.user, meeting):
        raise Http404
    back = reverse("jag:minutes", args=[meeting.pk])
    if meeting.status != MeetingStatus.HELD:
        return render(request, "jag/minutes_edit.html", {"meeting": meeting, "form": None, "back_url": back,
                                                         "note": "Minutes are written once the meeting has been held."})
    initial = {"text": meeting.minutes or minutes_generate(meeting)}
    form = MinutesEditForm(request.POST or None, initial=initial, version=meeting.version, locked=meeting.minutes_locked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                # The page's version, checked under the meeting's lock: an edit made meanwhile is not overwritten.
                if data["version"] is None:
                    raise JagError("Someone else has changed this meeting since you opened the page. Check it and try again")
                meeting_lock(meeting=meeting, version=data["version"])
                minutes_amend(meeting=meeting, text=data["text"], reason=data.get("reason", ""), actor=request.user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The minutes were amended" if meeting.minutes_locked else "The minutes were saved")
            return redirect(back)
    return render(request, "jag/minutes_edit.html", {"meeting": meeting, "form": form, "back_url": back, "note": ""})
