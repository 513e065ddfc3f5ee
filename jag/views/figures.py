"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def figures(request, **kwargs):
    raise Http404


def figures_csv(request, **kwargs):
    raise Http404
