"""Staff screens for residents' diaries and what they asked for (placeholder: being built)."""

from django.http import Http404


def diary_list(request, reference):
    raise Http404


def diary_pdf(request, reference):
    raise Http404


def request_done(request, reference, request_id):
    raise Http404
