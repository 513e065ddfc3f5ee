"""SCAFFOLD: replaced by the partner screens (issue 11)."""

from django.http import Http404


def home(request):
    raise Http404


team = access_log = home
