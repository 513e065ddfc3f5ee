"""Actions between meetings: the list (mine, my agency's or everyone's; open or all) and one action's page, where its
owner (or their agency, or council staff) reports progress. The action's page is the path its deadline reminders link
to. What a row says of the item an action hangs on: a case by reference only when the viewer may open the case
(`cases_visible_to`), else "A case not shared with your agency"."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.policy import Can, agency_of, cases_visible_to, is_partner, requires

from ..forms_conduct import SHOW_AGENCY, SHOW_ALL, ActionFilterForm, ActionUpdateForm
from ..models import ActionStatus, ItemKind, JagAction
from ..selectors import NOT_SHARED_LABEL, action_or_404, actions_visible_to
from ..services.actions import action_may_update, action_status_words, action_update
from ..services.meeting import JagError, StaleError

PER_PAGE = 25


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    text: str
    item_title: str
    group_name: str
    meeting_id: int
    held_on: date
    owner_agency: str
    owner_name: str
    due_on: date
    status: str
    tag_words: str
    tag_colour: str
    progress: str


def _item_title(item, visible_case_ids: set[int]) -> str:
    if item.kind == ItemKind.CASE:
        return item.case.reference if item.case_id in visible_case_ids and item.case is not None else NOT_SHARED_LABEL
    if item.kind == ItemKind.LOCATION:
        return str(item.place) if item.place_id else ""
    return item.theme


def _rows(user, actions: list[JagAction]) -> list[ActionRow]:
    """Plain values for the page (one query for which of the cases the viewer may open)."""
    case_ids = {a.item.case_id for a in actions if a.item.case_id}
    visible = set(cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
    today = timezone.localdate()
    rows = []
    for a in actions:
        words, colour = action_status_words(a, today)
        rows.append(ActionRow(
            action_id=a.pk, text=a.text, item_title=_item_title(a.item, visible), group_name=a.meeting.group.name,
            meeting_id=a.meeting_id, held_on=a.meeting.held_on, owner_agency=a.owner_agency.name if a.owner_agency_id else "The council",
            owner_name=(a.owner.get_full_name() or a.owner.get_username()) if a.owner_id else "", due_on=a.due_on,
            status=a.status, tag_words=words, tag_colour=colour, progress=a.progress))
    return rows


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@never_cache
@requires(Can.SEE_JAG)
def action_list(request):
    user = request.user
    partner = is_partner(user)
    form = ActionFilterForm(request.GET or None, partner=partner)
    show, state = form.values()
    actions = actions_visible_to(user)
    if show == SHOW_AGENCY and partner:
        agency = agency_of(user)
        actions = actions.filter(owner_agency_id=agency.pk) if agency is not None else actions.none()
    elif show == SHOW_ALL and not partner:
        pass
    else:
        show = "mine"
        actions = actions.filter(Q(owner_id=user.pk))
    if state != "all":
        state = "open"
        actions = actions.filter(status=ActionStatus.OPEN)
    actions = actions.select_related("item__case", "item__place", "meeting__group", "owner", "owner_agency").order_by("due_on", "id")
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    # The filters as they were applied (a value not offered is ignored, not shown as an error).
    form = ActionFilterForm(initial={"show": show, "state": state}, partner=partner)
    return render(request, "jag/actions.html", {
        "form": form, "page": page, "rows": _rows(user, list(page.object_list)), "show": show, "state": state,
        "query": _query_without_page(request), "partner": partner,
    })


@never_cache
@requires(Can.SEE_JAG)
def action_detail(request, action_id):
    action = action_or_404(request.user, action_id)
    may_update = action_may_update(action, request.user)
    if request.method == "POST" and not may_update:
        raise Http404
    form = None
    if may_update:
        form = ActionUpdateForm(request.POST or None, initial={"status": action.status, "progress": action.progress},
                                version=action.version)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                action_update(action=action, status=data["status"], progress=data["progress"], actor=request.user,
                              version=data["version"])
            except StaleError as exc:
                # Show the action as it is now; a second post (after reading it) is made against this version.
                action = action_or_404(request.user, action_id)
                form.data = form.data.copy()
                form.data["version"] = str(action.version)
                form.add_error(None, str(exc))
            except JagError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Your update to the action was saved")
                return redirect("jag:action", action_id=action.pk)
    row = _rows(request.user, [action])[0]
    return render(request, "jag/action.html", {"action": action, "row": row, "form": form,
                                               "back_url": reverse("jag:actions")})
