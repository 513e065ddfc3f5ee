"""The papers: a member's pack as a PDF, the council's check of each agency's pack before it goes, sending the papers,
and the minutes as a PDF.

What a page shows of the agenda comes from `jag.selectors.pack_for` (plain values: what each agency may see), never
from the models; every page starts from `meeting_or_404` (a meeting the user may not see is 404, never 403)."""

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from asb_portal.pdf import pdf_from_template, pdf_response
from cases.models import PartnerAgency
from cases.policy import Can, can, is_partner, live_shares, requires, scoped

from ..models import ActionStatus, AgendaItem, ItemKind, JagEvent, JagMember, Meeting
from ..selectors import NOT_SHARED_LABEL, actions_visible_to, meeting_or_404, pack_for
from ..services.papers import PAPERS_EVENT, papers_cutoff, papers_send
from ..services.schedule import JagError, is_co_chair


def _council_or_404(request) -> None:
    """The papers pages are the council's: staff who work cases and see JAG business (partners never)."""
    if is_partner(request.user) or not can(request.user, Can.WORK_CASES):
        raise Http404


def _may_send(meeting: Meeting, user) -> bool:
    return can(user, Can.MANAGE_JAG) or is_co_chair(group=meeting.group, user=user)


def _member_agencies(meeting: Meeting) -> list[PartnerAgency]:
    """The partner agencies sitting on the group (an active member from each)."""
    members = JagMember.objects.filter(group_id=meeting.group_id, agency_id=OuterRef("pk"), is_active=True)
    return list(PartnerAgency.objects.filter(Exists(members)).order_by("name", "pk"))


def _not_shared_counts(meeting: Meeting, agencies: list[PartnerAgency]) -> dict[int, int]:
    """For each agency, how many case items its pack holds as "a case not shared with your agency": pack_for's rule
    (no live share of the case with the agency) for every agency at once, in two queries."""
    cases = list(AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True, kind=ItemKind.CASE)
                 .values_list("case_id", flat=True))
    shared: dict[int, set] = {a.pk: set() for a in agencies}
    if cases and agencies:
        for agency_id, case_id in (live_shares().filter(agency_id__in=list(shared), case_id__in=[c for c in cases if c])
                                   .values_list("agency_id", "case_id")):
            shared[agency_id].add(case_id)
    return {a.pk: sum(1 for c in cases if c is None or c not in shared[a.pk]) for a in agencies}


class _SendForm(forms.Form):
    """Only to carry the refusal's message to the page's error summary."""


def _papers_page(request, meeting: Meeting, *, form=None, status=200):
    agencies = _member_agencies(meeting)
    counts = _not_shared_counts(meeting, agencies)
    sent = (JagEvent.objects.filter(meeting=meeting, kind=PAPERS_EVENT).select_related("actor").order_by("at", "id").first()
            if meeting.papers_sent_at else None)
    context = {
        "meeting": meeting, "group": meeting.group, "rows": [{"agency": a, "not_shared": counts[a.pk]} for a in agencies],
        "papers_due_at": papers_cutoff(meeting), "sent_event": sent, "may_send": _may_send(meeting, request.user),
        "form": form or _SendForm(),
    }
    return render(request, "jag/papers.html", context, status=status)


@never_cache
@requires(Can.SEE_JAG)
def papers(request, meeting_id):
    _council_or_404(request)
    meeting = meeting_or_404(request.user, meeting_id)
    return _papers_page(request, meeting)


@never_cache
@requires(Can.SEE_JAG)
def agency_pack(request, meeting_id, agency_id):
    _council_or_404(request)
    meeting = meeting_or_404(request.user, meeting_id)
    agency = next((a for a in _member_agencies(meeting) if a.pk == agency_id), None)
    if agency is None:
        raise Http404
    pack = pack_for(meeting=meeting, viewer=request.user, agency=agency)
    # The officer (not the agency) may share a withheld case: the case's reference, for the link, read only here.
    offer_ids = [i.item_id for i in pack.items if i.can_offer_share]
    references = {}
    if offer_ids and can(request.user, Can.SHARE_CASES):
        references = dict(scoped(request.user, AgendaItem.objects.filter(meeting=meeting, pk__in=offer_ids))
                          .values_list("pk", "case__reference"))
    return render(request, "jag/agency_pack.html", {"meeting": meeting, "agency": agency, "pack": pack,
                                                    "offers": references})


@never_cache
@requires(Can.SEE_JAG)
def send(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    if request.method != "POST" or not _may_send(meeting, request.user):
        raise Http404
    council = not is_partner(request.user) and can(request.user, Can.WORK_CASES)
    try:
        result = papers_send(meeting, actor=request.user)
    except JagError as exc:
        if not council:
            messages.error(request, str(exc))
            return redirect("jag:meeting", meeting_id=meeting.pk)
        form = _SendForm(data={})
        form.is_valid()
        form.add_error(None, str(exc))
        return _papers_page(request, meeting, form=form)
    if result.already and not result.queued:
        messages.info(request, f"The papers were already sent on {timezone.localtime(meeting.papers_sent_at):%-d %B %Y at %H:%M}")
    else:
        skipped = f" ({result.no_email} without an email address)" if result.no_email else ""
        messages.success(request, f"Papers sent: {result.queued} member{'s' if result.queued != 1 else ''} emailed{skipped}")
    return redirect("jag:papers" if council else "jag:meeting", meeting_id=meeting.pk)


@never_cache
@requires(Can.SEE_JAG)
def pack_pdf(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    pack = pack_for(meeting=meeting, viewer=request.user)
    pdf = pdf_from_template("jag/pdf/pack.html", {"pack": pack, "printed_at": timezone.localtime()})
    return pdf_response(pdf, f"jag-pack-{meeting.held_on:%Y-%m-%d}.pdf")


def minutes_context(request, meeting: Meeting) -> dict | None:
    """What the minutes PDF shows this user, or None (404): council staff the stored minutes once circulated
    (co-chairs and JAG managers also the draft); a partner never the free text, but their agency's record built from
    `pack_for` (the items they may see with what was said, and their agency's actions of the meeting), once the
    minutes are circulated."""
    user = request.user
    base = {"meeting": meeting, "group_name": meeting.group.name, "printed_at": timezone.localtime(),
            "confidentiality_statement": meeting.group.confidentiality_statement}
    if not is_partner(user) and can(user, Can.WORK_CASES):
        if not meeting.minutes.strip():
            return None
        if meeting.minutes_circulated_at is None and not _may_send(meeting, user):
            return None
        return {**base, "text": meeting.minutes, "draft": meeting.minutes_circulated_at is None}
    if meeting.minutes_circulated_at is None:
        return None
    pack = pack_for(meeting=meeting, viewer=user)
    if pack.is_full or not pack.agency_name:
        return None
    titles = {i.item_id: i.title for i in pack.items}
    actions = [{**a, "item_title": titles.get(a["item_id"], NOT_SHARED_LABEL), "status_label": ActionStatus(a["status"]).label}
               for a in actions_visible_to(user).filter(meeting=meeting, item__removed_at__isnull=True)
               .values("pk", "item_id", "text", "due_on", "status", "owner__first_name", "owner__last_name")
               .order_by("due_on", "pk")]
    return {**base, "pack": pack, "actions": actions, "draft": False}


@never_cache
@requires(Can.SEE_JAG)
def minutes_pdf(request, meeting_id):
    meeting = meeting_or_404(request.user, meeting_id)
    context = minutes_context(request, meeting)
    if context is None:
        raise Http404
    pdf = pdf_from_template("jag/pdf/minutes.html", context)
    return pdf_response(pdf, f"jag-minutes-{meeting.held_on:%Y-%m-%d}.pdf")
