"""Reads of letters and notices that views, the case page's panel and the print queue share. Every one starts from
the access policy (cases.policy): a document on a case the user may not open is absent, so its page answers 404."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from cases.models import Party
from cases.policy import Can, can, object_or_404, scoped

from .models import DeliveryMethod, Document
from .rules import recipients_for_kind


def documents_visible_to(user) -> QuerySet[Document]:
    """Documents on the cases a user may work. Letters are casework: partners and the call centre see none,
    even on a case shared with a partner."""
    if not can(user, Can.WORK_CASES):
        return Document.objects.none()
    return scoped(user, Document.objects.all())


def case_documents(user, case) -> QuerySet[Document]:
    """A case's documents, newest first, with what each row shows (one query)."""
    return (documents_visible_to(user).filter(case=case)
            .select_related("created_by", "sent_by").order_by("-created_at", "-pk"))


def document_or_404(user, case, document_id) -> Document:
    if not isinstance(document_id, uuid.UUID):
        try:
            document_id = uuid.UUID(str(document_id))
        except ValueError:
            from django.http import Http404

            raise Http404 from None
    return object_or_404(
        documents_visible_to(user).select_related("case", "recipient", "created_by", "sent_by", "action", "template"),
        case=case, pk=document_id,
    )


def print_queue(user) -> QuerySet[Document]:
    """Letters waiting to be posted on the cases the user may work: by post, not yet sent, not withdrawn, oldest
    first (the partial index document_print_queue_idx). A document whose PDF was erased (privacy anonymisation)
    has nothing to print and is left out."""
    return (documents_visible_to(user)
            .filter(delivery=DeliveryMethod.POST, sent_at__isnull=True, withdrawn_at__isnull=True)
            .exclude(pdf="")
            .select_related("case", "created_by").order_by("created_at", "pk"))


def queued_document_or_404(user, document_id) -> Document:
    try:
        document_id = uuid.UUID(str(document_id))
    except ValueError:
        from django.http import Http404

        raise Http404 from None
    return object_or_404(print_queue(user), pk=document_id)


def recipients_for(case, kind: str) -> list[Party]:
    """The people on the case who may receive a document of `kind` (the create form's choices, one query)."""
    parties = Party.objects.filter(case=case).order_by("role", "full_name", "pk")
    return recipients_for_kind(kind, list(parties))


def case_review_application(case):
    """The Case Review application linked to the case (the latest), or None."""
    from casereview.models import Application

    return Application.objects.filter(case=case).order_by("-received_at", "-id").first()
