"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def home(request, **kwargs):
    raise Http404


def meeting(request, **kwargs):
    raise Http404


def nominate(request, **kwargs):
    raise Http404


def nomination_decide(request, **kwargs):
    raise Http404


def move(request, **kwargs):
    raise Http404
