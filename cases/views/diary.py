"""Staff screens for residents' diaries and what they asked for: the case's diary as a dated list, its court-bundle
PDF, and marking a resident's request dealt with. The team's only (Can.WORK_CASES): anyone else gets 404."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from asb_portal.pdf import pdf_from_template, pdf_response

from ..models import ResidentRequestKind
from ..policy import Can, case_or_404, requires
from ..selectors_diary import diary_for_case, resident_request_for_case, resident_requests_for_case
from ..services.common import CaseError
from ..services.resident_actions import resident_request_done


class RequestDoneForm(forms.Form):
    """How a resident's request was dealt with (the service checks it again)."""

    outcome = forms.CharField(label="How was it dealt with?", max_length=300,
                              error_messages={"required": "Say how it was dealt with",
                                              "max_length": "How it was dealt with must be 300 characters or fewer"})


def _page(request, case, *, failed_id=None, failed_form=None, status=200):
    entries = diary_for_case(case)
    requests = resident_requests_for_case(case)
    for r in requests:
        r.form = failed_form if r.pk == failed_id else RequestDoneForm(prefix=f"r{r.pk}")
        r.offer_reopen = r.kind == ResidentRequestKind.STARTED_AGAIN and not case.is_open
    errors = list(failed_form.errors.get("outcome", [])) if failed_form is not None else []
    return render(request, "cases/diary/list.html", {
        "case": case, "entries": entries, "requests": requests, "open_requests": [r for r in requests if r.dealt_with_at is None],
        "failed_id": failed_id, "errors": errors,
    }, status=status)


@never_cache
@requires(Can.WORK_CASES)
def diary_list(request, reference):
    return _page(request, case_or_404(request.user, reference))


@never_cache
@requires(Can.WORK_CASES)
def diary_pdf(request, reference):
    case = case_or_404(request.user, reference)
    context = {"case": case, "entries": diary_for_case(case), "printed_at": timezone.now(),
               "printed_by": request.user.get_full_name() or request.user.username, "council_name": settings.COUNCIL_NAME}
    return pdf_response(pdf_from_template("cases/diary/pdf.html", context), f"{case.reference}-diary-exhibit.pdf")


@never_cache
@require_POST
@requires(Can.WORK_CASES)
def request_done(request, reference, request_id):
    case = case_or_404(request.user, reference)
    resident_request = resident_request_for_case(case, request_id)
    if resident_request is None:
        raise Http404
    form = RequestDoneForm(request.POST, prefix=f"r{resident_request.pk}")
    if form.is_valid():
        try:
            resident_request_done(request=resident_request, actor=request.user, outcome=form.cleaned_data["outcome"])
        except CaseError as exc:
            form.add_error("outcome", str(exc))
        else:
            messages.success(request, f"Marked as dealt with: {resident_request.get_kind_display().lower()}")
            return redirect("staff:diary", reference=case.reference)
    return _page(request, case, failed_id=resident_request.pk, failed_form=form)
