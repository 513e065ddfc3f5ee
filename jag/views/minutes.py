"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def minutes(request, **kwargs):
    raise Http404


def edit(request, **kwargs):
    raise Http404
