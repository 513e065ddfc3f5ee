"""A case's letters and notices (placeholder: being built)."""

from django.http import Http404


def case_documents(request, reference):
    raise Http404


def document_new(request, reference, kind):
    raise Http404


def document_detail(request, reference, document_id):
    raise Http404


def document_pdf(request, reference, document_id):
    raise Http404


def document_sent(request, reference, document_id):
    raise Http404


def document_withdraw(request, reference, document_id):
    raise Http404
