"""The resident's own case page, opened by their personal link (placeholder: being built)."""

from django.http import Http404


def case_page(request, token):
    raise Http404


def link_rotate(request, token):
    raise Http404
