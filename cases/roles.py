"""Roles. Each role is a Django group; a superuser counts as a manager.

What each role may do is not written here: `cases.policy` maps roles to named capabilities, and
views, templates and selectors ask the policy, never a role set.
"""

from django.db import models


class Role(models.TextChoices):
    CALL_CENTRE = "call_centre", "Call centre"
    OFFICER = "officer", "ASB officer"
    MANAGER = "manager", "Manager"
    # Staff of a partner agency (police, housing, NHS…): they see only what is shared with their agency.
    PARTNER_USER = "partner_user", "Partner user"
    # The agency's single point of contact: also manages its users and reads its access log.
    PARTNER_LEAD = "partner_lead", "Partner lead"


# Group names as staff see them in the admin; created by migrations cases/0002 and cases/0017.
GROUP_NAMES = {
    Role.CALL_CENTRE: "Call centre",
    Role.OFFICER: "ASB officer",
    Role.MANAGER: "Manager",
    Role.PARTNER_USER: "Partner user",
    Role.PARTNER_LEAD: "Partner lead",
}
_ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}
COUNCIL_ROLES = frozenset({Role.CALL_CENTRE, Role.OFFICER, Role.MANAGER})
PARTNER_ROLES = frozenset({Role.PARTNER_USER, Role.PARTNER_LEAD})


def user_roles(user) -> frozenset[str]:
    """The roles of a user, read once per request and kept on the user object.

    A partner role counts only with an agency membership (`AgencyMember`); a council role and a
    partner role on one account are refused altogether (no role), because the two see different things.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_asb_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(_ROLE_BY_GROUP[n] for n in names if n in _ROLE_BY_GROUP)
        if user.is_superuser:
            cached |= {Role.MANAGER}
        if cached & PARTNER_ROLES and cached & COUNCIL_ROLES:
            cached = frozenset()
        user._asb_roles = cached
    return cached


def has_any_role(user, allowed) -> bool:
    return bool(user_roles(user) & set(allowed))
