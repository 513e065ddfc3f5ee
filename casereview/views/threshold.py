"""Threshold screens (/staff/case-review/): the list of cases whose victims met the threshold (with how often the Case
Review was explained at a second report), closing a flag, the threshold rules and the timescales.

Who: officers and managers see the list and the rules (Can.SEE_CASE_REVIEWS); closing a flag records how it was dealt
with, the single point of contact's work (Can.WORK_CASE_REVIEWS); rules and timescales are a manager's
(Can.DECIDE_CASE_REVIEWS). Anyone else gets 404. Reads go through selectors_threshold, writes through services.
"""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases import sla
from cases.policy import Can, can, requires

from .. import selectors_threshold as reads
from ..defaults import case_review_defaults_ensure
from ..forms_threshold import FlagCloseForm, RuleForm, TimescalesForm
from ..models import ThresholdRule, Timescales
from ..services.common import CaseReviewError
from ..services.flags import threshold_flag_close
from ..services.rules import threshold_rule_activate, threshold_rule_save, timescales_save

FLAGS_PER_PAGE = 25
REPORTED_MONTHS = 12


def _last_months(months: int):
    """[start, end): from the start of the London day `months` months ago to now."""
    now = timezone.now()
    start = (now.astimezone(sla.LONDON) - relativedelta(months=months)).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, now


@never_cache
@requires(Can.SEE_CASE_REVIEWS)
def threshold_list(request):
    page = Paginator(reads.flags_open(request.user), FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    start, end = _last_months(REPORTED_MONTHS)
    return render(request, "casereview/threshold/list.html", {
        "page": page, "query": "", "explained": reads.explained_counts(start, end), "explained_since": start,
        "can_close": can(request.user, Can.WORK_CASE_REVIEWS), "sees_people": can(request.user, Can.SEE_PEOPLE),
    })


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def flag_close(request, flag_id):
    flag = reads.flag_open_or_404(request.user, flag_id)
    form = FlagCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            threshold_flag_close(flag=flag, actor=request.user, note=form.cleaned_data["note"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Case {flag.case.reference} closed on the threshold list")
            return redirect("casereview_staff:threshold_list")
    return render(request, "casereview/threshold/close.html", {
        "form": form, "flag": flag, "back_url": reverse("casereview_staff:threshold_list"),
        "sees_people": can(request.user, Can.SEE_PEOPLE),
    })


@never_cache
@requires(Can.SEE_CASE_REVIEWS)
def rules(request):
    case_review_defaults_ensure()
    return render(request, "casereview/rules/list.html", {
        "rules": reads.rules_page(), "timescales": Timescales.current(), "can_edit": can(request.user, Can.DECIDE_CASE_REVIEWS),
    })


def _form_page(request, form, *, title, intro=""):
    back_url = reverse("casereview_staff:rules")
    return render(request, "casereview/rules/form.html", {
        "form": form, "title": title, "caption": "ASB Case Review", "back_url": back_url,
        "back_text": "Back to the threshold rules", "intro": intro,
    })


def _rule_values(form) -> dict:
    d = form.cleaned_data
    return {"kind": d["kind"], "min_reports": d["min_reports"], "window_months": d["window_months"], "is_active": d["is_active"],
            "display_order": d["display_order"], "counts_diary_entries": d["counts_diary_entries"]}


@never_cache
@requires(Can.DECIDE_CASE_REVIEWS)
def rule_add(request):
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = threshold_rule_save(actor=request.user, **_rule_values(form))
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Rule saved: {rule.describe()}")
            return redirect("casereview_staff:rules")
    return _form_page(request, form, title="Add a threshold rule",
                      intro="The threshold is met when any rule in force is met for a case's victim.")


@never_cache
@requires(Can.DECIDE_CASE_REVIEWS)
def rule_edit(request, rule_id):
    rule = ThresholdRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    if request.method == "POST" and "activate" in request.POST:
        # The rules page's button: switch the rule on or off.
        try:
            changed = threshold_rule_activate(rule=rule, active=request.POST.get("activate") == "on", actor=request.user)
        except CaseReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{changed.describe()[:1].upper()}{changed.describe()[1:]}: "
                             + ("in force" if changed.is_active else "switched off"))
        return redirect("casereview_staff:rules")
    initial = {"kind": rule.kind, "min_reports": rule.min_reports, "window_months": rule.window_months,
               "is_active": rule.is_active, "display_order": rule.display_order,
               "counts_diary_entries": rule.counts_diary_entries}
    form = RuleForm(request.POST or None, row=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = threshold_rule_save(actor=request.user, rule=rule, seen=form.cleaned_data["seen"], **_rule_values(form))
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Rule saved: {rule.describe()}")
            return redirect("casereview_staff:rules")
    return _form_page(request, form, title="Change a threshold rule", intro=f"Now: {rule.describe()}.")


@never_cache
@requires(Can.DECIDE_CASE_REVIEWS)
def timescales(request):
    row = Timescales.current()
    initial = {name: getattr(row, name) for name in ("acknowledge_days", "decision_days", "meeting_days", "outcome_days",
                                                     "escalation_request_days", "escalation_decision_days")}
    initial["default_spoc"] = row.default_spoc_id
    form = TimescalesForm(request.POST or None, row=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            timescales_save(actor=request.user, **d)
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Timescales saved: they apply to stages that start from now")
            return redirect("casereview_staff:rules")
    return _form_page(request, form, title="Case Review timescales",
                      intro="Working days (not weekends, bank holidays or closure days). A change applies to stages that start "
                            "after it; deadlines already running keep their dates.")
