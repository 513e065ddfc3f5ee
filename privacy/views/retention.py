"""Retention screens (/staff/privacy/retention/): the schedule, legal holds, and reviewing and confirming a run.

Managers only (Can.MANAGE_PRIVACY); anyone else gets 404. Reads go through privacy.selectors and the access
policy, writes through privacy.services.retention.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.policy import Can, case_or_404, object_or_404, people_visible_to, requires

from .. import selectors
from ..forms_retention import HoldForm, RuleForm
from ..models import RecordClass, RetentionRun
from ..services.retention import (
    RetentionError,
    legal_hold_lift,
    legal_hold_place,
    retention_cancel,
    retention_confirm,
    retention_item_keep,
    retention_rule_update,
    retention_rules_ensure,
)

ITEMS_PER_PAGE = 100


@never_cache
@requires(Can.MANAGE_PRIVACY)
def schedule(request):
    retention_rules_ensure()
    return render(request, "privacy/retention/schedule.html", {
        "rules": selectors.retention_schedule(), "runs": selectors.runs_recent(), "holds": selectors.holds_page(),
    })


@never_cache
@requires(Can.MANAGE_PRIVACY)
def rule_edit(request, record_class):
    rule = selectors.rule_or_404(record_class)
    form = RuleForm(request.POST or None, initial={"keep_days": rule.keep_days, "reason": rule.reason})
    if request.method == "POST" and form.is_valid():
        try:
            retention_rule_update(rule=rule, actor=request.user, **form.cleaned_data)
        except RetentionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{rule.get_record_class_display()}: kept for {form.cleaned_data['keep_days']:,} days")
            return redirect("privacy:retention")
    return render(request, "privacy/retention/form.html", {
        "form": form, "title": f"How long to keep {RecordClass(rule.record_class).label[0].lower()}{RecordClass(rule.record_class).label[1:]}",
        "caption": "Retention schedule", "back_url": reverse("privacy:retention"), "back_text": "Back to the retention schedule",
    })


def _hold_target(request):
    """The case (?case=<reference>) or person (?person=<id>) to hold, through the access policy, or 404."""
    reference, person_id = request.GET.get("case", ""), request.GET.get("person", "")
    if reference and not person_id:
        return case_or_404(request.user, reference), None
    if person_id.isdigit() and not reference:
        return None, object_or_404(people_visible_to(request.user), pk=int(person_id))
    raise Http404


@never_cache
@requires(Can.MANAGE_PRIVACY)
def hold_add(request):
    case, person = _hold_target(request)
    back_url = reverse("staff:case", args=[case.reference]) if case else reverse("privacy:retention")
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_place(case=case, person=person, reason=form.cleaned_data["reason"], actor=request.user)
        except RetentionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Legal hold placed: the retention schedule will not anonymise "
                             + (f"case {case.reference}" if case else "any case this person is on"))
            return redirect(back_url)
    what = f"case {case.reference}" if case else f"person record {person.pk}"
    return render(request, "privacy/retention/form.html", {
        "form": form, "title": f"Place a legal hold on {what}", "caption": "Legal hold", "back_url": back_url,
        "back_text": "Back to the case" if case else "Back to the retention schedule",
        "intro": "While the hold is in place, nothing on " + ("this case" if case else "any case this person is on")
                 + " is anonymised or deleted by the retention schedule.",
    })


@never_cache
@requires(Can.MANAGE_PRIVACY)
def hold_lift(request, hold_id):
    hold = selectors.hold_or_404(hold_id)
    if hold.case_id:
        case_or_404(request.user, hold.case.reference)
    back_url = reverse("staff:case", args=[hold.case.reference]) if hold.case_id else reverse("privacy:retention")
    if request.method == "POST":
        try:
            legal_hold_lift(hold=hold, actor=request.user)
        except RetentionError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, "Legal hold lifted: the retention schedule applies again")
        return redirect(back_url)
    return render(request, "privacy/retention/hold_lift.html", {"hold": hold, "back_url": back_url})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def run_review(request, run_id):
    run = selectors.run_or_404(run_id)
    classes = selectors.run_classes(run)
    chosen = request.GET.get("class") or (classes[0].record_class if classes else "")
    if chosen and chosen not in {c.record_class for c in classes}:
        raise Http404
    page = Paginator(selectors.run_items(run, chosen), ITEMS_PER_PAGE).get_page(request.GET.get("page")) if chosen else None
    return render(request, "privacy/retention/run.html", {
        "run": run, "classes": classes, "chosen": chosen, "chosen_label": RecordClass(chosen).label if chosen else "",
        "page": page, "query": f"class={chosen}", "waiting": run.status == RetentionRun.Status.LISTED,
        "to_apply": sum(c.to_apply for c in classes),
    })


def _back_to_run(run, item=None, request=None):
    url = reverse("privacy:retention_run", args=[run.pk])
    if item is not None:
        url += f"?class={item.record_class}"
        page = request.POST.get("page", "") if request else ""
        if page.isdigit():
            url += f"&page={page}"
    return redirect(url)


@requires(Can.MANAGE_PRIVACY)
@require_POST
def item_keep(request, run_id, item_id):
    run = selectors.run_or_404(run_id)
    item = selectors.item_or_404(run, item_id)
    keep = request.POST.get("keep") == "yes"
    try:
        retention_item_keep(item=item, keep=keep, actor=request.user)
    except RetentionError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, f"{item.label}: " + ("kept, not anonymised in this run" if keep else "back in the run"))
    return _back_to_run(run, item, request)


@requires(Can.MANAGE_PRIVACY)
@require_POST
def run_confirm(request, run_id):
    run = selectors.run_or_404(run_id)
    try:
        retention_confirm(run=run, actor=request.user)
    except RetentionError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, f"Retention run {run.pk} confirmed: the records are being anonymised")
    return _back_to_run(run)


@requires(Can.MANAGE_PRIVACY)
@require_POST
def run_cancel(request, run_id):
    run = selectors.run_or_404(run_id)
    try:
        retention_cancel(run=run, actor=request.user)
    except RetentionError as exc:
        messages.info(request, str(exc))
        return _back_to_run(run)
    messages.success(request, f"Retention run {run.pk} cancelled: nothing was anonymised")
    return redirect("privacy:retention")
