"""Staff screens for residents' links and updates (placeholder: being built)."""

from django.http import Http404


def links(request, reference):
    raise Http404


def link_issue(request, reference):
    raise Http404


def link_revoke(request, reference, link_id):
    raise Http404


def update_send(request, reference, party_id):
    raise Http404
