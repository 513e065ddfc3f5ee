"""Staff roles. Each role is a Django group; a superuser counts as a manager."""

from django.db import models


class Role(models.TextChoices):
    CALL_CENTRE = "call_centre", "Call centre"
    OFFICER = "officer", "ASB officer"
    MANAGER = "manager", "Manager"


# Group names as staff see them in the admin; created by migration cases/0002.
GROUP_NAMES = {Role.CALL_CENTRE: "Call centre", Role.OFFICER: "ASB officer", Role.MANAGER: "Manager"}
_ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Who may do what. Views and selectors ask these, never group names.
CAN_LOG_PHONE_REPORTS = {Role.CALL_CENTRE, Role.OFFICER, Role.MANAGER}
CAN_SEE_CALLER_HISTORY = {Role.CALL_CENTRE, Role.OFFICER, Role.MANAGER}
CAN_READ_CASE_FILE = {Role.OFFICER, Role.MANAGER}
# Who reported, and their contact details. The call centre never sees them: a perpetrator calling
# about their own address must not learn who complained.
CAN_SEE_PEOPLE = {Role.OFFICER, Role.MANAGER}


def user_roles(user) -> frozenset[str]:
    """The roles of a user, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_asb_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(_ROLE_BY_GROUP[n] for n in names if n in _ROLE_BY_GROUP)
        if user.is_superuser:
            cached |= {Role.MANAGER}
        user._asb_roles = cached
    return cached


def has_any_role(user, allowed) -> bool:
    return bool(user_roles(user) & set(allowed))
