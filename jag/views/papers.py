"""Placeholder: replaced by the page's real view."""

from django.http import Http404


def pack_pdf(request, **kwargs):
    raise Http404


def papers(request, **kwargs):
    raise Http404


def agency_pack(request, **kwargs):
    raise Http404


def send(request, **kwargs):
    raise Http404


def minutes_pdf(request, **kwargs):
    raise Http404
