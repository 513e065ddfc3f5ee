"""The print queue: letters and notices to be posted (by post, not yet sent, not withdrawn) on the cases the user may
work, oldest first; "Record as posted" for one, and "Print all" as one PDF of the stored files."""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from pypdf import PdfReader, PdfWriter

from asb_portal.pdf import pdf_response
from cases.policy import Can, requires
from cases.services.common import CaseError

from ..models import DeliveryMethod
from ..selectors import print_queue as queued
from ..selectors import queued_document_or_404
from ..services.documents import document_record_sent

PER_PAGE = 25
# One "Print all" run: a day's post is far fewer; the rest print in the next run once these are recorded as posted.
PRINT_ALL_LIMIT = 200


@never_cache
@requires(Can.WORK_CASES)
def print_queue(request):
    if request.method == "POST":
        document = queued_document_or_404(request.user, request.POST.get("document", ""))
        try:
            document_record_sent(document=document, method=DeliveryMethod.POST, sent_at=timezone.now(), actor=request.user)
        except CaseError as exc:  # DocumentError, or a closed case (CaseClosedError)
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{document.number} recorded as posted")
        return redirect("letters:print_queue")
    page = Paginator(queued(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "letters/queue/list.html", {"page": page, "documents": list(page.object_list),
                                                       "print_all_limit": PRINT_ALL_LIMIT})


@never_cache
@requires(Can.WORK_CASES)
@require_GET
def print_queue_pdf(request):
    documents = list(queued(request.user)[:PRINT_ALL_LIMIT])
    if not documents:
        messages.info(request, "There is nothing waiting to be posted")
        return redirect("letters:print_queue")
    writer = PdfWriter()
    for document in documents:
        # The stored bytes as made, one after another (never rendered again).
        with document.pdf.open("rb") as stored:
            writer.append(PdfReader(io.BytesIO(stored.read())))
    out = io.BytesIO()
    writer.write(out)
    return pdf_response(out.getvalue(), f"print-queue-{timezone.localdate():%Y-%m-%d}.pdf")
