"""How we reach a person: their preferred contact method decides, when we hold the details it needs.

The one place for this rule. The report forms' checks, the acknowledgement, the confirmation pages, the officer's
phone/letter tasks, satisfaction surveys, and update deadlines (who is reachable) all ask here.
"""

from dataclasses import dataclass

from django.db.models import Q

from .validators import is_mobile

EMAIL, TEXT, PHONE, LETTER = "email", "text", "phone", "letter"
# Methods a message can serve (the outbox sends them); phone calls and letters are a task for a person.
MESSAGE_METHODS = (EMAIL, TEXT)
# When the preference cannot be used: what we have, in this order (a letter is never a fallback: it is slow,
# and someone who asked not to be written to may have reasons).
FALLBACK_METHODS = (EMAIL, PHONE)


@dataclass(frozen=True)
class Reach:
    method: str  # email, text, phone or letter (the PreferredContactMethod values)
    address: str  # the email address, phone number or postal address to use


def _detail(method: str, *, email: str, phone: str, address: str) -> str:
    """The detail a method needs from what we hold, or "" when it is missing."""
    if method == EMAIL:
        return email or ""
    if method == TEXT:
        return phone if phone and is_mobile(phone) else ""
    if method == PHONE:
        return phone or ""
    if method == LETTER:
        return address or ""
    return ""


def _details(party) -> dict:
    return {"email": party.email, "phone": party.phone, "address": party.address}


def preferred_reach(party) -> Reach | None:
    """The person's preferred method with its detail, or None if they have none or we lack the detail it needs."""
    method = party.preferred_contact_method
    detail = _detail(method, **_details(party))
    return Reach(method, detail) if detail else None


def how_to_reach(party) -> Reach | None:
    """Their preferred method if we can use it; otherwise what we have (email, then a phone call); else None."""
    reach = preferred_reach(party)
    if reach is not None:
        return reach
    for method in FALLBACK_METHODS:
        if detail := _detail(method, **_details(party)):
            return Reach(method, detail)
    return None


def task_method_for(party) -> str:
    """How someone is reached when no message can reach them (a phone call or a letter: a person's task): the one
    they asked for when it is a call or a letter and we hold its detail; else a call if we hold a number; a letter
    only as the last resort (someone who did not ask to be written to may have reasons)."""
    reach = preferred_reach(party)
    if reach is not None and reach.method in (PHONE, LETTER):
        return reach.method
    return PHONE if _detail(PHONE, **_details(party)) else LETTER


def message_channel_for(party) -> str | None:
    """"email" or "text" when the person asked for one we can send; None means a person phones or writes (a task)."""
    reach = preferred_reach(party)
    return reach.method if reach and reach.method in MESSAGE_METHODS else None


def messageable(prefix: str = "") -> Q:
    """message_channel_for(party) is not None, as a filter on Party (prefix e.g. "party__"), for lists built in SQL."""
    return Q(**{f"{prefix}preferred_contact_method": EMAIL}) & ~Q(**{f"{prefix}email": ""}) | Q(
        **{f"{prefix}preferred_contact_method": TEXT, f"{prefix}phone_normalised__startswith": "07"}
    )


def is_reachable(party) -> bool:
    """Owed updates and we hold some way to reach them (email, phone or address): update deadlines and final updates."""
    return party.is_owed_updates and any(_detail(m, **_details(party)) for m in (EMAIL, PHONE, LETTER))


def method_problem(*, method: str, email: str, phone: str, address: str, postcode: str) -> str | None:
    """Why a chosen preferred method cannot be used with the details given (the report forms), or None."""
    if method == LETTER and not postcode:
        # A letter needs the postcode as well as the address to be delivered.
        address = ""
    if not method or _detail(method, email=email, phone=phone, address=address):
        return None
    return {
        EMAIL: "Enter an email address, or choose another way for us to contact you",
        TEXT: "Enter a mobile phone number, or choose another way for us to contact you",
        PHONE: "Enter a phone number, or choose another way for us to contact you",
        LETTER: "Enter your address and postcode, or choose another way for us to contact you",
    }.get(method)
