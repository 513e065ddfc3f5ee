"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def agenda(request, **kwargs):
    raise Http404


def build(request, **kwargs):
    raise Http404


def item_add(request, **kwargs):
    raise Http404


def reorder(request, **kwargs):
    raise Http404


def item_remove(request, **kwargs):
    raise Http404
