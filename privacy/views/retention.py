"""SCAFFOLD: replaced by the retention screens (issue 12)."""

from django.http import Http404


def schedule(request):
    raise Http404
