"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def action_list(request, **kwargs):
    raise Http404


def action_detail(request, **kwargs):
    raise Http404
