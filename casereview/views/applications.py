"""PLACEHOLDER: replaced by the helper who owns this module."""

from django.http import Http404


def application_list(request, **kwargs):
    raise Http404


def application_log(request, **kwargs):
    raise Http404


def application_detail(request, **kwargs):
    raise Http404


def acknowledge(request, **kwargs):
    raise Http404


def spoc(request, **kwargs):
    raise Http404


def link(request, **kwargs):
    raise Http404


def withdraw(request, **kwargs):
    raise Http404

