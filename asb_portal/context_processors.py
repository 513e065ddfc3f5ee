"""Template context shared by every page: the council's branding from settings."""

from types import SimpleNamespace

from django.conf import settings


def council(request):
    return {
        "council": SimpleNamespace(
            name=settings.COUNCIL_NAME,
            service_name=settings.COUNCIL_SERVICE_NAME,
            phone=settings.COUNCIL_PHONE,
            website=settings.COUNCIL_WEBSITE,
            colour=settings.COUNCIL_COLOUR,
        )
    }
