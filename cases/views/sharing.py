"""SCAFFOLD: replaced by the staff sharing screens (issue 11)."""

from django.http import Http404


def agencies(request):
    raise Http404
