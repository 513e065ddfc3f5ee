"""SCAFFOLD: replaced by the sign-in screens (issue 11)."""

from django.http import Http404


def security(request):
    raise Http404
