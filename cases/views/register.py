"""The register's screens: a person's page, merging and unmerging people, the vulnerable flag, deciding a possible
match, hotspots and a place's page, the repeat rules. Every view asks the policy; what a user may not see is 404."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import selectors_register_pages as reads
from ..forms_register import (
    PERIODS,
    ConfirmForm,
    MatchDecideForm,
    MergePickForm,
    PeriodForm,
    RepeatRulesForm,
    VulnerableForm,
)
from ..policy import Can, can, case_or_404, requires
from ..selectors_register import hotspots as hotspot_rows
from ..selectors_register import person_flags
from ..services import CaseError
from ..services.register import (
    person_candidates,
    person_merge,
    person_unmerge,
    person_vulnerable_set,
    possible_match_decide,
    repeat_rule_update,
)


def _first_line(address: str) -> str:
    return (address or "").replace("\n", ",").split(",")[0].strip()


def _person_or_404(user, person_id):
    person = reads.person_or_none(user, person_id)
    if person is None:
        raise Http404
    return person


# --- a person's page ----------------------------------------------------------------------------------

@never_cache
@requires(Can.SEE_REGISTER)
def person(request, person_id):
    found = _person_or_404(request.user, person_id)
    if found.merged_into_id:
        current = reads.person_current(request.user, found)
        if current is None:
            raise Http404
        messages.info(request, f"That record was merged into this one: {found.full_name}'s cases are listed here.")
        return redirect("staff:person", person_id=current.pk)
    page = reads.person_page(request.user, found)
    flags = person_flags([found.pk]).get(found.pk)
    return render(request, "cases/register/person.html", {"page": page, "person": found, "flags": flags})


@dataclass
class _Pick:
    """A candidate as the merge form offers it: the record and what makes it look like the same person."""

    person: object
    hint: str


def _candidates(person) -> list[_Pick]:
    found = person_candidates(
        full_name=person.full_name, date_of_birth=person.date_of_birth, email=person.email, phone=person.phone,
        address=person.address, postcode=person.postcode, exclude_person_id=person.pk,
    )
    picks = []
    for c in found:
        other = c.person
        facts = [f"born {other.date_of_birth:%-d %b %Y}" if other.date_of_birth else "", ", ".join(filter(None, [other.address, other.postcode]))]
        reasons = c.reasons if isinstance(c.reasons, str) else "; ".join(c.reasons)
        picks.append(_Pick(other, ". ".join(filter(None, [*facts, f"Why: {reasons}" if reasons else ""]))))
    return picks


@never_cache
@requires(Can.MERGE_PEOPLE)
def merge(request, person_id):
    kept = _person_or_404(request.user, person_id)
    if kept.merged_into_id:
        raise Http404  # a retired record takes no merges: merge into the record it now lives in
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ConfirmForm(request.POST)
        other = reads.person_or_none(request.user, confirm.cleaned_data["person_id"]) if confirm.is_valid() else None
        if other is None:
            messages.error(request, "Choose the record to merge again")
            return redirect("staff:person_merge", person_id=kept.pk)
        try:
            person_merge(kept=kept, merged=other, reason=confirm.cleaned_data["reason"], actor=request.user)
        except CaseError as exc:
            messages.error(request, str(exc))
            return redirect("staff:person_merge", person_id=kept.pk)
        messages.success(request, f"Record {other.pk} ({other.full_name}) merged into this one. You can undo it below.")
        return redirect("staff:person", person_id=kept.pk)

    candidates = _candidates(kept)
    form = MergePickForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        other = reads.person_or_none(request.user, form.cleaned_data["person_id"])
        if other is None or other.merged_into_id:
            form.add_error("other_id", "There is no current record with that number")
        elif other.pk == kept.pk:
            form.add_error("other_id", "That is this person's own record: choose another")
        else:
            counts = reads.people_case_counts([kept.pk, other.pk])
            confirm = ConfirmForm(initial={"person_id": other.pk, "reason": form.cleaned_data["reason"]})
            return render(request, "cases/register/merge_confirm.html", {
                "kept": kept, "other": other, "confirm": confirm, "reason": form.cleaned_data["reason"],
                "kept_cases": counts.get(kept.pk, 0), "other_cases": counts.get(other.pk, 0),
            })
    return render(request, "cases/register/merge.html", {"person": kept, "form": form, "candidates": candidates})


@never_cache
@requires(Can.MERGE_PEOPLE)
def unmerge(request, merge_id):
    found = reads.merge_or_none(request.user, merge_id)
    if found is None:
        raise Http404
    if found.undone_at:
        messages.info(request, "This merge has already been undone")
        return redirect("staff:person", person_id=found.kept_id)
    if request.method == "POST":
        try:
            person_unmerge(merge=found, actor=request.user)
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Merge undone: {found.merged.full_name} (record {found.merged_id}) is a record of their own again")
        return redirect("staff:person", person_id=found.kept_id)
    return render(request, "cases/register/unmerge_confirm.html", {"merge": found})


@never_cache
@requires(Can.SEE_REGISTER)
def vulnerable(request, person_id):
    found = _person_or_404(request.user, person_id)
    if found.merged_into_id:
        raise Http404
    form = VulnerableForm(request.POST if request.method == "POST" else None, person=found)
    if request.method == "POST" and form.is_valid():
        try:
            person_vulnerable_set(person=found, vulnerable=form.cleaned_data["vulnerable"], note=form.cleaned_data["note"], actor=request.user)
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{found.full_name} is {'now flagged as vulnerable' if form.cleaned_data['vulnerable'] else 'not flagged as vulnerable'}")
            return redirect("staff:person", person_id=found.pk)
    return render(request, "cases/register/vulnerable.html", {"person": found, "form": form})


# --- a possible match on a case ---------------------------------------------------------------------

@never_cache
@requires(Can.MERGE_PEOPLE)
def match_decide(request, reference, match_id):
    case = case_or_404(request.user, reference)
    match = reads.match_for_case(case, match_id)
    if match is None or not can(request.user, Can.SEE_REGISTER):
        raise Http404
    if match.decision:
        messages.info(request, f"This match was already decided: {match.get_decision_display().lower()}")
        return redirect("staff:case", reference=case.reference)
    other = match.person
    where = _first_line(other.address)
    form = MatchDecideForm(request.POST if request.method == "POST" else None, legend=f"Is this the same {other.full_name}{', ' + where if where else ''}?")
    if request.method == "POST" and form.is_valid():
        try:
            possible_match_decide(match=match, same=form.cleaned_data["same"], actor=request.user)
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Linked {match.party} to {other.full_name}'s record" if form.cleaned_data["same"]
                             else f"Noted: {match.party} is not {other.full_name}")
            return redirect("staff:case", reference=case.reference)
    counts = reads.people_case_counts([other.pk])
    return render(request, "cases/register/match_decide.html", {
        "case": case, "match": match, "party": match.party, "other": other, "form": form, "other_cases": counts.get(other.pk, 0),
    })


# --- places ------------------------------------------------------------------------------------------

@never_cache
@requires(Can.SEE_REGISTER)
def hotspots(request):
    form = PeriodForm(request.GET or None)
    period = form.chosen()
    end = timezone.now()
    start = end - timedelta(days=PERIODS[period][1])
    rows = hotspot_rows(start=start, end=end)
    return render(request, "cases/register/hotspots.html", {"form": form, "rows": rows, "period_label": PERIODS[period][0],
                                                             "period": period, "periods": PERIODS})


@never_cache
@requires(Can.SEE_REGISTER)
def place(request, place_id):
    found = reads.place_or_none(request.user, place_id)
    if found is None:
        raise Http404
    cases = reads.place_cases_for_page(request.user, found)
    return render(request, "cases/register/place.html", {"place": found, "cases": cases,
                                                          "open_count": sum(1 for c in cases if c.is_open)})


# --- repeat rules ------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@requires(Can.EDIT_REPEAT_RULES)
def repeat_rules(request):
    rules = reads.repeat_rules()
    form = RepeatRulesForm(request.POST if request.method == "POST" else None, rules=rules)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # both rules or neither
                for kind, (cases, months) in form.rules().items():
                    repeat_rule_update(kind=kind, cases=cases, months=months, actor=request.user)
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Repeat rules saved. Flags everywhere now follow them.")
            return redirect("staff:repeat_rules")
    return render(request, "cases/register/repeat_rules.html", {"form": form})
