"""Refuse NUL characters before they reach the database: PostgreSQL cannot store them in text.

A NUL in the path answers 404 (no page has one), in a query string or a form field 400 with the
GOV.UK "problem with what you sent" page. A session cookie holding one is ignored (a new session).
No browser sends NUL from a form a person typed into, so a clear refusal is kinder than a half-cleaned value.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404

NUL = "\x00"


def _has_nul(query_dict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            raise Http404
        if NUL in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            # The session is loaded lazily, so nothing has looked it up yet: start a fresh one instead.
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        if _has_nul(request.GET):
            raise BadRequest("NUL character in the query string")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A multipart body is read here only if something (CSRF) already parsed it, so a view may still
        # choose its own upload handlers; its text fields are then refused by the forms (Django's
        # CharField rejects NUL) and file names are not stored as typed.
        multipart = request.content_type == "multipart/form-data"
        if request.method == "POST" and (not multipart or hasattr(request, "_post")) and _has_nul(request.POST):
            raise BadRequest("NUL character in a form field")
        return None
