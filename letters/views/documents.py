"""A case's letters and notices: the list, creating one of a kind, its page (record as sent or served, withdraw) and
the download of the PDF exactly as stored. Officers and managers on cases they may work; 404 for everyone else."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from asb_portal.pdf import pdf_response
from cases.policy import Can, case_or_404, requires
from cases.services.common import CaseError

from ..forms import PREMISES, DocumentForm, SentForm, WithdrawForm
from ..models import DocumentKind
from ..selectors import case_documents as case_documents_of
from ..selectors import document_or_404, recipients_for
from ..services import documents as services
from ..services.documents import SERVED_KINDS


def _kinds():
    return [(value, label) for value, label in DocumentKind.choices]


@never_cache
@requires(Can.WORK_CASES)
def case_documents(request, reference):
    case = case_or_404(request.user, reference)
    documents = list(case_documents_of(request.user, case))
    return render(request, "letters/documents/list.html", {
        "case": case, "documents": documents, "kinds": _kinds(),
        "back_url": reverse("staff:case", args=[case.reference]),
    })


@never_cache
@requires(Can.WORK_CASES)
def document_new(request, reference, kind):
    case = case_or_404(request.user, reference)
    if kind not in DocumentKind.values:
        raise Http404
    form = DocumentForm(request.POST or None, kind=kind, recipients=recipients_for(case, kind))
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("recipient")
        recipient = form.recipient()
        if chosen and chosen != PREMISES and recipient is None:
            form.add_error("recipient", "Select who it is for")
        else:
            try:
                document = services.document_generate(
                    case=case, kind=kind, recipient=recipient, entered=form.entered(),
                    delivery=form.cleaned_data["delivery"], actor=request.user, submission_key=form.key(),
                )
            except CaseError as exc:  # DocumentError, or a closed case (CaseClosedError)
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{document.get_kind_display()} {document.number} made")
                return redirect("letters:document", reference=case.reference, document_id=document.pk)
    return render(request, "letters/documents/new.html", {
        "case": case, "form": form, "kind": kind, "kind_label": DocumentKind(kind).label,
        "back_url": reverse("letters:case_documents", args=[case.reference]),
    })


def _detail(request, case, document, *, sent_form=None, withdraw_form=None, status=200):
    open_to_change = document.sent_at is None and document.withdrawn_at is None
    return render(request, "letters/documents/detail.html", {
        "case": case, "document": document, "served": document.kind in SERVED_KINDS,
        # A posted form comes back with its errors even when the document can no longer change (it says why).
        "sent_form": sent_form or (SentForm(document=document) if open_to_change else None),
        "withdraw_form": withdraw_form or (WithdrawForm() if open_to_change else None),
        "back_url": reverse("letters:case_documents", args=[case.reference]),
    }, status=status)


@never_cache
@requires(Can.WORK_CASES)
def document_detail(request, reference, document_id):
    case = case_or_404(request.user, reference)
    document = document_or_404(request.user, case, document_id)
    return _detail(request, case, document)


@never_cache
@requires(Can.WORK_CASES)
def document_pdf(request, reference, document_id):
    case = case_or_404(request.user, reference)
    document = document_or_404(request.user, case, document_id)
    if not document.pdf:
        raise Http404  # erased (privacy anonymisation): nothing to download
    # The stored bytes, as made: never rendered again (the template may have changed since).
    with document.pdf.open("rb") as stored:
        content = stored.read()
    return pdf_response(content, f"{document.number.replace('/', '-')}.pdf")


@never_cache
@requires(Can.WORK_CASES)
@require_POST
def document_sent(request, reference, document_id):
    case = case_or_404(request.user, reference)
    document = document_or_404(request.user, case, document_id)
    form = SentForm(request.POST, document=document)
    if form.is_valid():
        try:
            document = services.document_record_sent(document=document, method=form.cleaned_data["method"],
                                            sent_at=form.cleaned_data["sent_at"], actor=request.user)
        except CaseError as exc:  # DocumentError, or a closed case (CaseClosedError)
            form.add_error(None, str(exc))
        else:
            verb = "served" if document.kind in SERVED_KINDS else "sent"
            messages.success(request, f"{document.number} recorded as {verb}")
            return redirect("letters:document", reference=case.reference, document_id=document.pk)
    document = document_or_404(request.user, case, document_id)
    return _detail(request, case, document, sent_form=form)


@never_cache
@requires(Can.WORK_CASES)
@require_POST
def document_withdraw(request, reference, document_id):
    case = case_or_404(request.user, reference)
    document = document_or_404(request.user, case, document_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            document = services.document_withdraw(document=document, actor=request.user, reason=form.cleaned_data["reason"])
        except CaseError as exc:  # DocumentError, or a closed case (CaseClosedError)
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{document.number} withdrawn")
            return redirect("letters:document", reference=case.reference, document_id=document.pk)
    document = document_or_404(request.user, case, document_id)
    return _detail(request, case, document, withdraw_form=form)
