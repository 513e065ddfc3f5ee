"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def open_meeting(request, **kwargs):
    raise Http404


def item(request, **kwargs):
    raise Http404


def action_add(request, **kwargs):
    raise Http404


def close(request, **kwargs):
    raise Http404
