"""Partner agencies' Case Review recommendations (/partners/recommendations/): their own agency's only, through the
access policy (casereview.selectors_recommendations); another agency's is a 404. No applicant or victim details."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cases.policy import Can, agency_of, can, requires

from .. import selectors_recommendations as reads
from ..forms_stages import ProgressForm
from ..services.common import CaseReviewError
from ..services.recommendations import recommendation_update

PER_PAGE = 25


@never_cache
@requires(Can.READ_RECOMMENDATIONS)
def recommendation_list(request):
    showing = "all" if request.GET.get("show") == "all" else "open"
    page = Paginator(reads.recommendation_rows(request.user, status=showing), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "casereview/partner/list.html", {
        "page": page, "rows": reads.rows_for(page.object_list), "showing": showing, "agency": agency_of(request.user),
        "query": f"show={showing}",
    })


@never_cache
@requires(Can.READ_RECOMMENDATIONS)
def recommendation_detail(request, rec_id):
    row = reads.recommendation_page(request.user, rec_id)
    may_update = can(request.user, Can.UPDATE_RECOMMENDATIONS)
    if request.method == "POST" and not may_update:
        raise Http404
    form = None
    if may_update:
        form = ProgressForm(request.POST or None, initial={"status": row.status, "progress": row.progress, "token": row.token})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                recommendation_update(recommendation=reads.recommendation_or_404(request.user, rec_id), actor=request.user,
                                      token=data["token"], status=data["status"], progress=data["progress"])
            except CaseReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Progress saved. The council's Case Review team can see it")
                return redirect("casereview_partner:detail", rec_id=rec_id)
    return render(request, "casereview/partner/detail.html", {"row": row, "form": form, "agency": agency_of(request.user)})
