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
    """What the signed-in staff member may do, for navigation. Views still check on the server."""
    from cases.roles import CAN_READ_CASE_FILE, Role, has_any_role

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"staff_can_read_cases": has_any_role(user, CAN_READ_CASE_FILE), "staff_is_manager": has_any_role(user, {Role.MANAGER})}
