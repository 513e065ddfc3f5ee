"""The print queue (placeholder: being built)."""

from django.http import Http404


def print_queue(request):
    raise Http404


def print_queue_pdf(request):
    raise Http404
