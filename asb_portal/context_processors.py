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


def staff(request):
    """What the signed-in user may do (`{% if can.assign_cases %}`), for navigation. Views still check on the server."""
    from cases.policy import CapabilitiesForTemplates, agency_of, is_partner

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    partner = is_partner(user)
    return {"can": CapabilitiesForTemplates(user), "user_is_partner": partner, "user_agency": agency_of(user) if partner else None}
