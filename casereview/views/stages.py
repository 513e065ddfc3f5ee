"""PLACEHOLDER: replaced by the helper who owns this module."""

from django.http import Http404


def decide(request, **kwargs):
    raise Http404


def meeting(request, **kwargs):
    raise Http404


def recommendation_add(request, **kwargs):
    raise Http404


def recommendation_edit(request, **kwargs):
    raise Http404


def outcome(request, **kwargs):
    raise Http404


def escalation(request, **kwargs):
    raise Http404


def escalation_outcome(request, **kwargs):
    raise Http404

