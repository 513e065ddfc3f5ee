"""What a resident can do from their case page (placeholder: being built)."""

from django.http import Http404


def diary_add(request, token):
    raise Http404


def diary_correct(request, token, entry_id):
    raise Http404


def diary_pdf(request, token):
    raise Http404


def evidence_add(request, token):
    raise Http404


def callback(request, token):
    raise Http404


def contact_preference(request, token):
    raise Http404


def stopped(request, token):
    raise Http404


def started_again(request, token):
    raise Http404
