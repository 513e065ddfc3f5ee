"""In the meeting (a co-chair's pages): opening it with attendance and the confidentiality statement, recording each
item and its actions, closing it. Thin: forms parse, jag.services.meeting and .actions decide.

What an item page shows of the item comes from `pack_for` (a police co-chair sees what their agency's pack holds); an
item whose record their agency may not read (a case not shared, or shared at reference only) is recorded by a
council co-chair, and its page says so."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.models import PartnerAgency
from cases.policy import Can, requires

from ..forms_conduct import ActionAddForm, CloseForm, ItemForm, OpenForm
from ..models import AgendaItem, ItemKind, JagMember, Meeting, MeetingStatus
from ..selectors import action_owner_choices, actions_visible_to, item_or_404, meeting_or_404, pack_for
from ..services import actions as action_services
from ..services.meeting import JagError, StaleError, item_record, item_seen, meeting_close, meeting_open
from ..services.schedule import co_chair_or_404

SESSION_KEYS = "jag_action_keys"


def _meeting_page(meeting_id: int) -> str:
    return reverse("jag:meeting", args=[meeting_id])


def _refresh_version(form, meeting: Meeting) -> None:
    """After a stale post: the page is drawn again with the meeting's current version, so a second post, made after
    reading the page again, is made against it."""
    form.data = form.data.copy()
    form.data["version"] = str(Meeting.objects.values_list("version", flat=True).get(pk=meeting.pk))


def _in_progress(meeting: Meeting) -> bool:
    return meeting.opened_at is not None and meeting.closed_at is None


@never_cache
@requires(Can.SEE_JAG)
def open_meeting(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    co_chair_or_404(group=meeting.group, user=request.user)
    back = _meeting_page(meeting.pk)
    if meeting.opened_at is not None or meeting.status != MeetingStatus.SCHEDULED:
        if request.method == "POST" and meeting.opened_at is not None:
            return redirect(back)  # a second click on "Open the meeting": it is open
        note = (f"This meeting opened at {timezone.localtime(meeting.opened_at):%H:%M on %-d %B %Y}."
                if meeting.opened_at else "This meeting was cancelled.")
        return render(request, "jag/open.html", {"meeting": meeting, "form": None, "note": note, "back_url": back})
    members = list(JagMember.objects.filter(group=meeting.group, is_active=True).select_related("user", "agency")
                   .order_by("-is_co_chair", "agency__name", "user__last_name", "user__first_name", "id"))
    agencies = list(PartnerAgency.objects.filter(is_active=True).order_by("name"))
    form = OpenForm(request.POST or None, members=members, agencies=agencies, version=meeting.version)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_open(meeting=meeting, attendance=form.entries(), actor=request.user, version=form.cleaned_data["version"])
        except StaleError as exc:
            _refresh_version(form, meeting)
            form.add_error(None, str(exc))
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The meeting is open: attendance and the confidentiality statement are recorded")
            return redirect(back)
    early = timezone.localdate() < meeting.held_on
    return render(request, "jag/open.html", {"meeting": meeting, "form": form, "back_url": back, "early": early,
                                             "note": ""})


def _readable(pack, pack_item) -> bool:
    """Whether the viewer's pack holds the item's record (a partner co-chair: not for a case withheld from their agency,
    nor one shared at reference only)."""
    if pack.is_full:
        return True
    if pack_item is None or pack_item.withheld:
        return False
    return not (pack_item.kind == ItemKind.CASE and (pack_item.case is None or pack_item.case.summary is None))


def _item_context(request, item: AgendaItem):
    """The item as the viewer's pack shows it, the next item, and the item's actions the viewer may see."""
    meeting = item.meeting
    pack = pack_for(meeting=meeting, viewer=request.user)
    pack_item = next((i for i in pack.items if i.item_id == item.pk), None)
    following = (AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
                 .filter(Q(position__gt=item.position) | Q(position=item.position, id__gt=item.pk))
                 .order_by("position", "id").values_list("id", flat=True).first())
    actions = list(actions_visible_to(request.user).filter(item=item).select_related("owner", "owner_agency").order_by("due_on", "id"))
    return {"meeting": meeting, "item": item, "pack": pack, "pack_item": pack_item, "next_item_id": following,
            "actions": actions, "readable": _readable(pack, pack_item), "in_progress": _in_progress(meeting),
            "today": timezone.localdate(), "back_url": _meeting_page(meeting.pk)}


def _co_chair_item(request, item_id) -> AgendaItem:
    item = item_or_404(request.user, item_id)
    co_chair_or_404(group=item.meeting.group, user=request.user)
    if item.removed_at is not None:
        raise Http404
    return item


@never_cache
@requires(Can.SEE_JAG)
def item(request, item_id):
    item = _co_chair_item(request, item_id)
    context = _item_context(request, item)
    if not context["readable"]:
        if request.method == "POST":
            raise Http404
        return render(request, "jag/item.html", {**context, "form": None})
    form = ItemForm(request.POST or None, initial={"notes": item.notes, "decisions": item.decisions, "outcome": item.outcome,
                                                   "seen": item_seen(item)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item_record(item=item, notes=data["notes"], decisions=data["decisions"], outcome=data["outcome"], actor=request.user,
                        seen=data["seen"] or None)
        except StaleError as exc:
            # Show them what is saved now, with their own words still in the form to merge.
            form.add_error(None, str(exc))
            item.refresh_from_db()
            form.data = form.data.copy()
            form.data["seen"] = item_seen(item)  # saving again, having read theirs, overwrites knowingly
            context = {**context, "saved_now": item}
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Item {item.position} saved")
            if "next" in request.POST and context["next_item_id"]:
                return redirect("jag:item", item_id=context["next_item_id"])
            return redirect("jag:item", item_id=item.pk)
    return render(request, "jag/item.html", {**context, "form": form})


def _owner_choices(meeting: Meeting):
    return action_owner_choices(meeting)


def _key_seen(request, item: AgendaItem, key: str) -> bool:
    return bool(key) and request.session.get(SESSION_KEYS, {}).get(str(item.pk)) == key


def _key_keep(request, item: AgendaItem, key: str) -> None:
    if key:
        keys = dict(request.session.get(SESSION_KEYS, {}))
        keys[str(item.pk)] = key
        request.session[SESSION_KEYS] = dict(list(keys.items())[-20:])  # the last few items only


@never_cache
@requires(Can.SEE_JAG)
def action_add(request, item_id):
    item = _co_chair_item(request, item_id)
    context = _item_context(request, item)
    if not context["readable"]:
        raise Http404
    agencies, people = _owner_choices(item.meeting)
    form = ActionAddForm(request.POST or None, agencies=agencies, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _key_seen(request, item, data["key"]):
            return redirect("jag:item", item_id=item.pk)  # the same form posted again: it was added the first time
        try:
            action_services.action_add(item=item, text=data["text"], owner_agency=form.agency, owner=form.owner_user,
                                       due_on=data["due_on"], actor=request.user)
        except JagError as exc:
            # The owner's errors point at the owner field; the due date's at the date; the rest at the form.
            message = str(exc)
            field = "owner" if message.startswith("Choose someone") or "owns the action" in message else (
                "due_on" if "due date" in message else None)
            form.add_error(field, message)
        else:
            _key_keep(request, item, data["key"])
            messages.success(request, "Action added: its owner will be reminded before it is due")
            return redirect("jag:item", item_id=item.pk)
    return render(request, "jag/action_add.html", {**context, "form": form, "back_url": reverse("jag:item", args=[item.pk])})


@never_cache
@requires(Can.SEE_JAG)
def close(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    co_chair_or_404(group=meeting.group, user=request.user)
    back = _meeting_page(meeting.pk)
    if meeting.closed_at is not None and request.method == "POST":
        return redirect("jag:minutes", meeting_id=meeting.pk)  # a second click: it is closed
    pack = pack_for(meeting=meeting, viewer=request.user)
    outcomes = dict(AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).values_list("id", "outcome"))
    waiting = [i for i in pack.items if not outcomes.get(i.item_id)]
    form = CloseForm(request.POST or None, version=meeting.version)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_close(meeting=meeting, actor=request.user, version=form.cleaned_data["version"])
        except StaleError as exc:
            _refresh_version(form, meeting)
            form.add_error(None, str(exc))
        except JagError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The meeting closed. Circulate the minutes within one working day")
            return redirect("jag:minutes", meeting_id=meeting.pk)
    return render(request, "jag/close.html", {"meeting": meeting, "form": form, "waiting": waiting, "back_url": back,
                                              "in_progress": _in_progress(meeting)})
