"""The JAG schedule (/jag/), a meeting's page with its pack on screen, nominations, a co-chair's decision on an urgent
nomination, and moving a meeting. Thin: the selectors decide what each user may see (a partner: their agency's pack),
jag.services decide every change; a record the user may not see answers 404."""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases import sla
from cases.policy import Can, agency_of, can, cases_visible_to, is_partner, object_or_404, requires
from cases.services.register import place_for

from ..forms_meetings import DecideForm, MoveForm, NominateForm
from ..models import ItemKind, JagEvent, JagMember, Meeting, MeetingStatus, Nomination
from ..selectors import (
    NOT_SHARED_LABEL,
    cases_readable_by,
    groups_visible_to,
    meeting_or_404,
    meetings_visible_to,
    pack_for,
    record_readable,
)
from ..services.actions import action_status_words
from ..services.nominations import nomination_decide as decide_service
from ..services.nominations import nomination_make
from ..services.schedule import (
    JagError,
    co_chair_or_404,
    is_co_chair,
    meeting_move,
    meetings_ensure,
    nominations_close_at,
    papers_due_at,
    working_days_before,
)

__all__ = ["home", "meeting", "move", "nominate", "nomination_decide"]


def _cutoffs(meetings: list[Meeting], closures) -> None:
    """Each meeting's nominations and papers cut-off days (the end of that working day), from closure days read once
    (the same rule as schedule.nominations_close_at / papers_due_at, without a query per meeting)."""
    for m in meetings:
        m.nominations_close_on = working_days_before(m.held_on, m.group.nomination_cutoff_days, closures)
        m.papers_due_on = working_days_before(m.held_on, m.group.papers_cutoff_days, closures)


def _subject(nomination_or_item, visible_case_ids: set[int]) -> str:
    """What a nomination or item is about, as this user may read it."""
    if nomination_or_item.kind == ItemKind.CASE:
        if nomination_or_item.case_id in visible_case_ids:
            return nomination_or_item.case.reference
        return NOT_SHARED_LABEL
    if nomination_or_item.kind == ItemKind.LOCATION:
        place = nomination_or_item.place
        return f"{place.address}, {place.postcode}".strip(", ") if place is not None else ""
    return nomination_or_item.theme


def _visible_case_ids(user, case_ids) -> set[int]:
    case_ids = {c for c in case_ids if c}
    if not case_ids:
        return set()
    return set(cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))


@never_cache
@requires(Can.SEE_JAG)
def home(request):
    today = timezone.localdate()
    groups = list(groups_visible_to(request.user).filter(is_active=True).order_by("name"))
    schedule = []
    everything = []
    for group in groups:
        meetings = sorted(meetings_ensure(group=group, today=today), key=lambda m: (m.held_on, m.pk))
        for m in meetings:
            m.group = group
        everything.extend(meetings)
        schedule.append({"group": group, "meetings": meetings})
    if everything:
        closures = sla.closure_days(min(m.held_on for m in everything) - timedelta(days=60),
                                    max(m.held_on for m in everything))
        _cutoffs(everything, closures)
    by_group = {g.pk: g for g in groups}
    last_held = {}
    if groups:
        for m in (Meeting.objects.filter(group_id__in=list(by_group), status=MeetingStatus.HELD)
                  .order_by("group_id", "-held_on", "-id").distinct("group_id")):
            m.group = by_group[m.group_id]
            last_held[m.group_id] = m
    for row in schedule:
        row["last_held"] = last_held.get(row["group"].pk)

    # A co-chair's urgent nominations waiting for a decision.
    waiting = []
    chaired = list(JagMember.objects.filter(user_id=request.user.pk, is_co_chair=True, is_active=True,
                                            group_id__in=list(by_group)).values_list("group_id", flat=True)) if groups else []
    if chaired:
        waiting = list(Nomination.objects.filter(meeting__group_id__in=chaired, is_urgent=True, accepted__isnull=True,
                                                 meeting__status=MeetingStatus.SCHEDULED, meeting__closed_at__isnull=True)
                       .select_related("meeting__group", "case", "place", "agency").order_by("meeting__held_on", "created_at", "id"))
        # A case nomination the co-chair's agency may not read (a partner co-chair) is a council co-chair's to decide.
        if is_partner(request.user):
            readable = cases_readable_by(request.user, [n.case_id for n in waiting])
            waiting = [n for n in waiting if record_readable(n, readable)]
        visible = _visible_case_ids(request.user, [n.case_id for n in waiting])
        for n in waiting:
            n.subject = _subject(n, visible)
    return render(request, "jag/home.html", {"schedule": schedule, "waiting": waiting, "today": today})


@never_cache
@requires(Can.SEE_JAG)
def meeting(request, meeting_id):
    user = request.user
    meeting = meeting_or_404(user, meeting_id)
    today = timezone.localdate()
    pack = pack_for(meeting=meeting, viewer=user)
    partner = is_partner(user)
    co_chair = is_co_chair(group=meeting.group, user=user)
    scheduled = meeting.status == MeetingStatus.SCHEDULED and meeting.closed_at is None
    in_progress = meeting.opened_at is not None and meeting.closed_at is None

    nominations = meeting.nominations.select_related("case", "place", "agency", "nominated_by", "decided_by")
    if partner:
        agency = agency_of(user)
        nominations = nominations.filter(agency_id=agency.pk if agency is not None else None)
    nominations = list(nominations.order_by("created_at", "id"))
    visible = _visible_case_ids(user, [n.case_id for n in nominations])
    readable = cases_readable_by(user, [n.case_id for n in nominations]) if partner else set()
    for n in nominations:
        n.subject = _subject(n, visible)
        # The reasons (why, and a co-chair's decision) may name people: not for a case the partner's agency sees at
        # reference only, or not at all (pack_for's rule).
        n.reason_shown = n.reason if not partner or record_readable(n, readable) else ""

    def with_status(actions):
        rows = []
        for a in actions:
            words, colour = action_status_words(a, today)
            rows.append({"action": a, "status_words": words, "status_colour": colour})
        return rows

    if meeting.opened_at is not None:
        # In and after the meeting: what it agreed, then what is still open from earlier meetings on its items.
        agreed = {a.action_id for a in pack.agreed_actions}
        sections = [{"id": "agreed-actions", "title": "Actions agreed at this meeting", "rows": with_status(pack.agreed_actions),
                     "empty": "No actions agreed yet."},
                    {"id": "open-actions", "title": "Open actions from earlier meetings",
                     "rows": with_status([a for a in pack.actions if a.action_id not in agreed]), "empty": "None."}]
    else:
        sections = [{"id": "open-actions", "title": "Open actions", "rows": with_status(pack.actions),
                     "empty": "No open actions."}]
    if pack.previous_held_on is not None:
        sections.append({"id": "previous-actions", "rows": with_status(pack.previous_actions),
                         "title": f"Actions agreed at the last meeting ({pack.previous_held_on:%-d %B %Y})",
                         "empty": "No actions were agreed."})
    events = []
    if not partner and can(user, Can.WORK_CASES):
        events = list(JagEvent.objects.filter(meeting=meeting).select_related("actor").order_by("-at", "-id"))
    return render(request, "jag/meeting.html", {
        "meeting": meeting, "pack": pack, "co_chair": co_chair, "scheduled": scheduled, "in_progress": in_progress,
        "nominations_close_at": nominations_close_at(meeting), "papers_due_at": papers_due_at(meeting),
        "nominations": nominations, "action_sections": sections, "item_links": co_chair and in_progress,
        "events": events, "user_is_council": not partner,
        "may_open": co_chair and scheduled and meeting.opened_at is None and today >= meeting.held_on,
        "may_move": can(user, Can.MANAGE_JAG) and scheduled and meeting.opened_at is None,
        "may_nominate": can(user, Can.NOMINATE_FOR_JAG) and scheduled,
        "is_held": meeting.status == MeetingStatus.HELD,
    })


def _nominated_message(nomination: Nomination, meeting: Meeting, user) -> str:
    when = f"{meeting.held_on:%A %-d %B %Y}"
    if nomination.nominated_by_id != user.pk and nomination.kind != ItemKind.THEME:
        return f"That is already nominated for the meeting on {when}"
    if nomination.is_urgent:
        if nomination.accepted is None:
            return ("Nomination made after the cut-off: it is urgent, and goes on the agenda only if a co-chair "
                    "accepts it")
        return f"Urgent nomination {'accepted' if nomination.accepted else 'declined'} by a co-chair"
    return f"Nomination made in time for the meeting on {when}"


@never_cache
@requires(Can.NOMINATE_FOR_JAG)
def nominate(request, meeting_id):
    user = request.user
    meeting = meeting_or_404(user, meeting_id)
    open_for_business = meeting.status == MeetingStatus.SCHEDULED and meeting.closed_at is None
    initial = {}
    reference = (request.GET.get("case") or "").replace("\x00", "").strip()[:40]
    if reference:
        initial = {"kind": ItemKind.CASE, "case_reference": reference}
    form = NominateForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                place = place_for(address=data["address"], postcode=data["postcode"]) if data["kind"] == ItemKind.LOCATION else None
                nomination = nomination_make(meeting=meeting, kind=data["kind"], case=form.case, place=place,
                                             theme=data["theme"], reason=data["reason"], actor=user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            message = _nominated_message(nomination, meeting, user)
            (messages.success if not nomination.is_urgent or nomination.accepted else messages.warning)(request, message)
            return redirect("jag:meeting", meeting_id=meeting.pk)
    cutoff = nominations_close_at(meeting)
    return render(request, "jag/nominate.html", {
        "meeting": meeting, "form": form, "open_for_business": open_for_business, "nominations_close_at": cutoff,
        "late": timezone.now() > cutoff, "back_url": reverse("jag:meeting", args=[meeting.pk]),
    })


@never_cache
@requires(Can.SEE_JAG)
def nomination_decide(request, nomination_id):
    user = request.user
    nomination = object_or_404(Nomination.objects.filter(meeting__in=meetings_visible_to(user))
                               .select_related("meeting__group", "case", "place", "agency", "nominated_by", "decided_by"),
                               pk=nomination_id)
    meeting = nomination.meeting
    co_chair_or_404(group=meeting.group, user=user)
    # A partner co-chair neither reads nor decides a case nomination their agency may not read (not shared, or at
    # reference only, as a locked-down case is: the reasons may name people): a council co-chair decides it.
    readable = not is_partner(user) or record_readable(nomination, cases_readable_by(user, [nomination.case_id]))
    if request.method == "POST" and not readable:
        raise Http404
    visible = _visible_case_ids(user, [nomination.case_id])
    nomination.subject = _subject(nomination, visible)
    nomination.reason_shown = nomination.reason if readable else ""
    if not readable:
        return render(request, "jag/decide.html", {
            "meeting": meeting, "nomination": nomination, "form": None, "needs_decision": False, "council_decides": True,
            "back_url": reverse("jag:meeting", args=[meeting.pk]),
        })
    form = DecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accept = data["decision"] == "accept"
        try:
            decided = decide_service(nomination=nomination, accept=accept, reason=data["reason"], actor=user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Urgent nomination {'accepted: build the agenda to add it' if decided.accepted else 'declined'}")
            return redirect("jag:meeting", meeting_id=meeting.pk)
    return render(request, "jag/decide.html", {
        "meeting": meeting, "nomination": nomination, "form": form,
        "needs_decision": nomination.is_urgent and nomination.accepted is None,
        "back_url": reverse("jag:meeting", args=[meeting.pk]),
    })


@never_cache
@requires(Can.MANAGE_JAG)
def move(request, meeting_id):
    user = request.user
    meeting = meeting_or_404(user, meeting_id)
    form = MoveForm(request.POST if request.method == "POST" else None, version=meeting.version, initial={"held_on": meeting.held_on})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = meeting_move(meeting=meeting, held_on=data["held_on"], reason=data["reason"], actor=user,
                                 version=data["version"])
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Meeting moved to {moved.held_on:%A %-d %B %Y}")
            return redirect("jag:meeting", meeting_id=moved.pk)
    movable = meeting.status == MeetingStatus.SCHEDULED and meeting.opened_at is None
    return render(request, "jag/move.html", {"meeting": meeting, "form": form, "movable": movable,
                                             "back_url": reverse("jag:meeting", args=[meeting.pk])})

