"""SCAFFOLD: replaced by the rights-request screens (issue 12)."""

from django.http import Http404


def request_list(request):
    raise Http404
