"""SCAFFOLD: replaced by the register screens (issue 12)."""

from django.http import Http404


def hotspots(request):
    raise Http404
