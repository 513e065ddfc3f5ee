"""PLACEHOLDER: replaced by the helper who owns this module."""

from django.http import Http404


def threshold_list(request, **kwargs):
    raise Http404


def flag_close(request, **kwargs):
    raise Http404


def rules(request, **kwargs):
    raise Http404


def rule_add(request, **kwargs):
    raise Http404


def rule_edit(request, **kwargs):
    raise Http404


def timescales(request, **kwargs):
    raise Http404

