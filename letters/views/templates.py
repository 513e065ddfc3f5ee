"""Managers' template editing (placeholder: being built)."""

from django.http import Http404


def template_list(request):
    raise Http404


def template_edit(request, kind):
    raise Http404


def template_history(request, kind):
    raise Http404
