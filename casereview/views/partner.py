"""PLACEHOLDER: replaced by the helper who owns this module."""

from django.http import Http404


def recommendation_list(request, **kwargs):
    raise Http404


def recommendation_detail(request, **kwargs):
    raise Http404

