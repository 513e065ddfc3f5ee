"""PLACEHOLDER: replaced by the helper who owns this module."""

from django.http import Http404


def about(request, **kwargs):
    raise Http404


def apply(request, **kwargs):
    raise Http404


def applied(request, **kwargs):
    raise Http404


def figures(request, **kwargs):
    raise Http404


def figures_csv(request, **kwargs):
    raise Http404

