"""The agenda, shaped by a co-chair (/jag/meetings/<id>/agenda/…): build it from what must be tabled, add an item,
put it in a new order, take an item off with a reason. Co-chairs only (anyone else: 404). Thin: jag.services.agenda
holds every rule; a refusal is shown as a message or a form error, never a server error."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cases.policy import Can, can, is_partner, requires
from cases.services.register import place_for

from ..forms_meetings import ItemAddForm, ItemRemoveForm, reorder_parse
from ..models import ItemKind, Meeting, MeetingStatus
from ..selectors import NOT_SHARED_LABEL, cases_readable_by, item_or_404, meeting_or_404, record_readable
from ..services.agenda import agenda_build, agenda_item_add, agenda_item_remove, agenda_reorder
from ..services.schedule import JagError, StaleError, co_chair_or_404
from .meetings import _subject, _visible_case_ids

__all__ = ["agenda", "build", "item_add", "item_remove", "reorder"]

STALE = "The agenda has changed since you opened the page. Check it and try again"


def _chaired_meeting(request, meeting_id) -> Meeting:
    meeting = meeting_or_404(request.user, meeting_id)
    co_chair_or_404(group=meeting.group, user=request.user)
    return meeting


def _council(user) -> bool:
    """Council staff who work cases read every item's record (a malformed case item too)."""
    return not is_partner(user) and can(user, Can.WORK_CASES)


def _editable(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.SCHEDULED and meeting.closed_at is None


def _shown(item, visible: set[int], readable: set[int], *, council: bool) -> None:
    """What this co-chair may read of an item: a case not shared with a partner co-chair's agency shows only that; a
    case shared at reference only (or locked down) its reference, but not why it is on or was taken off (the reasons
    may name people: pack_for's rule). `readable`: whether the co-chair may act on its record (take it off)."""
    item.title = _subject(item, visible)
    item.withheld = item.kind == ItemKind.CASE and item.case_id not in visible
    item.readable = council or record_readable(item, readable)
    item.why_shown = item.why if item.readable else ""
    item.removed_reason_shown = item.removed_reason if item.readable else ""


@never_cache
@requires(Can.SEE_JAG)
def agenda(request, meeting_id):
    meeting = _chaired_meeting(request, meeting_id)
    items = list(meeting.items.select_related("case", "place", "removed_by").order_by("position", "id"))
    visible = _visible_case_ids(request.user, [i.case_id for i in items])
    readable = cases_readable_by(request.user, [i.case_id for i in items])
    council = _council(request.user)
    for item in items:
        _shown(item, visible, readable, council=council)
    live = [i for i in items if i.removed_at is None]
    removed = sorted((i for i in items if i.removed_at is not None), key=lambda i: (i.removed_at, i.pk))
    return render(request, "jag/agenda.html", {
        "meeting": meeting, "items": live, "removed": removed, "editable": _editable(meeting),
        "back_url": reverse("jag:meeting", args=[meeting.pk]),
    })


@never_cache
@requires(Can.SEE_JAG)
def build(request, meeting_id):
    meeting = _chaired_meeting(request, meeting_id)
    if request.method != "POST":
        return redirect("jag:agenda", meeting_id=meeting.pk)
    before = meeting.items.filter(removed_at__isnull=True).count()
    try:
        built = agenda_build(meeting=meeting)
    except JagError as exc:
        messages.warning(request, str(exc))
    else:
        added = max(len(built) - before, 0)
        messages.success(request, "The agenda was built: nothing new to add" if added == 0 else
                         f"The agenda was built: {added} item{'s' if added != 1 else ''} added")
    return redirect("jag:agenda", meeting_id=meeting.pk)


@never_cache
@requires(Can.SEE_JAG)
def reorder(request, meeting_id):
    meeting = _chaired_meeting(request, meeting_id)
    if request.method != "POST":
        return redirect("jag:agenda", meeting_id=meeting.pk)
    order = reorder_parse(request.POST)
    try:
        if order is None:
            raise StaleError(STALE)
        agenda_reorder(meeting=meeting, item_ids=order, actor=request.user)
    except JagError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, "The agenda is in its new order")
    return redirect(reverse("jag:agenda", args=[meeting.pk]) + "#agenda-items")


@never_cache
@requires(Can.SEE_JAG)
def item_add(request, meeting_id):
    meeting = _chaired_meeting(request, meeting_id)
    form = ItemAddForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                place = place_for(address=data["address"], postcode=data["postcode"]) if data["kind"] == ItemKind.LOCATION else None
                item = agenda_item_add(meeting=meeting, kind=data["kind"], case=form.case, place=place, theme=data["theme"],
                                       reason=data["reason"], actor=request.user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Item {item.position} added to the agenda")
            return redirect("jag:agenda", meeting_id=meeting.pk)
    return render(request, "jag/item_add.html", {
        "meeting": meeting, "form": form, "editable": _editable(meeting),
        "back_url": reverse("jag:agenda", args=[meeting.pk]),
    })


@never_cache
@requires(Can.SEE_JAG)
def item_remove(request, item_id):
    item = item_or_404(request.user, item_id)
    meeting = item.meeting
    co_chair_or_404(group=meeting.group, user=request.user)
    _shown(item, _visible_case_ids(request.user, [item.case_id]), cases_readable_by(request.user, [item.case_id]),
           council=_council(request.user))
    if not item.readable:
        # A case their agency may not read (a partner co-chair): a council co-chair takes it off, not them.
        if request.method == "POST":
            raise Http404
        return render(request, "jag/item_remove.html", {
            "meeting": meeting, "item": item, "form": None, "editable": False, "not_shared": NOT_SHARED_LABEL,
            "back_url": reverse("jag:agenda", args=[meeting.pk]),
        })
    form = ItemRemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_remove(item=item, reason=form.cleaned_data["reason"], actor=request.user)
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Item {item.position} taken off the agenda")
            return redirect("jag:agenda", meeting_id=meeting.pk)
    return render(request, "jag/item_remove.html", {
        "meeting": meeting, "item": item, "form": form, "editable": _editable(meeting),
        "not_shared": NOT_SHARED_LABEL, "back_url": reverse("jag:agenda", args=[meeting.pk]),
    })
