"""The placeholders letters and notices may use, which ones the law requires for each kind, and their values.

Wording is plain text with `{name}` placeholders (never Django template code: a manager's wording is data). Statutory
text that must not be lost (a CPN's offence, penalty and right of appeal; a CPW's "a Notice may follow"; a closure
notice's offence, the order to be applied for and the advice services) is itself a required placeholder whose value
comes from settings or reference data, so editing the wording can move it but never drop it.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
KINDS = ("text", "textarea", "date", "datetime", "address")


@dataclass(frozen=True)
class FieldSpec:
    name: str  # placeholder name, e.g. "conduct"
    label: str  # "The conduct" (the form names a missing field by this label)
    kind: str  # "text" | "textarea" | "date" | "datetime" | "address"
    hint: str = ""
    entered: bool = True  # False: filled from the case, settings or the caller, never typed


def _spec(name, label, kind="text", hint="", entered=True) -> FieldSpec:
    assert kind in KINDS, kind
    return FieldSpec(name=name, label=label, kind=kind, hint=hint, entered=entered)


# Filled from the case, the recipient, settings or the clock: any template may use these.
COMMON = [
    _spec("case_reference", "The case reference", entered=False),
    _spec("category", "What was reported", entered=False),
    _spec("case_address", "Where the problem is", "address", entered=False),
    _spec("recipient_name", "The person it is to", entered=False),
    _spec("recipient_address", "Their address", "address", entered=False),
    _spec("officer_name", "The officer's name", entered=False),
    _spec("officer_first_name", "The officer's first name", entered=False),
    _spec("team_phone", "The team's phone number", entered=False),
    _spec("council_name", "The council's name", entered=False),
    _spec("council_website", "The council's website", entered=False),
    _spec("today", "Today's date", "date", entered=False),
    _spec("update_every", "How often updates are due (7 days for high risk, otherwise 14)", entered=False),
]

# Placeholders that belong to particular kinds (a kind may use the common ones and its own).
SPECIFIC = [
    _spec("case_page_link", "The link to their case page", entered=False),
    _spec("message", "What you want to tell them", "textarea", hint="Optional. Added to the letter as its own paragraph."),
    _spec("update_text", "The update", "textarea", hint="What has happened on the case since the last update, in plain words."),
    _spec("behaviour", "The behaviour", "textarea", hint="What the person has been doing, with dates where you have them."),
    _spec("what_must_stop", "What must stop", "textarea", hint="Optional."),
    _spec("parties", "The parties", "textarea", hint="Everyone who signs the contract: the person, the council, any partner."),
    _spec("behaviours", "The behaviours", "textarea", hint="What the person agrees not to do (and to do)."),
    _spec("support_offered", "The support offered", "textarea"),
    _spec("consequences", "The consequences of breaking it", "textarea"),
    _spec("review_date", "The review date", "date", hint="Usually 6 months from today."),
    _spec("conduct", "The conduct", "textarea", hint="The conduct having a detrimental effect on the quality of life of those in the locality."),
    _spec("requirements", "The requirements", "textarea", hint="What must stop, and anything that must be done."),
    _spec("comply_by", "The date to comply by", "date"),
    _spec("notice_may_follow", "That a Notice may follow", "textarea", entered=False),
    _spec("offence_and_penalty", "The offence and penalty", "textarea", entered=False),
    _spec("appeal_rights", "The right of appeal", "textarea", entered=False),
    _spec("premises", "The premises", "address", hint="The full address of the premises the notice closes."),
    _spec("effect", "The effect of the notice", "textarea",
          hint="Who may not enter or remain on the premises, and anyone allowed to (people who live there habitually, say)."),
    _spec("offence", "The offence", "textarea", entered=False),
    _spec("order_application", "That a closure order will be applied for", "textarea", entered=False),
    _spec("hearing_at", "The hearing's date and time", "datetime", hint="Within 48 hours of serving the notice."),
    _spec("hearing_place", "The court", "text", hint="The magistrates' court and its address."),
    _spec("advice_services", "Advice services", "textarea", entered=False),
    _spec("applicant_name", "The applicant's name", entered=False),
    _spec("outcome", "The outcome", "textarea", entered=False),
    _spec("recommendations", "The recommendations", "textarea", entered=False),
]

PLACEHOLDERS: dict[str, FieldSpec] = {spec.name: spec for spec in COMMON + SPECIFIC}
COMMON_NAMES = frozenset(spec.name for spec in COMMON)


@dataclass(frozen=True)
class KindFields:
    own: tuple[str, ...]  # the kind's own placeholders, in form order
    required: tuple[str, ...]  # must have a value to generate, and must be in the wording
    in_wording: tuple[str, ...] = ()  # must also be in the wording (a value may be empty)


KIND_FIELDS: dict[str, KindFields] = {
    "first_contact": KindFields(own=("case_page_link", "message"), required=("recipient_name",),
                                in_wording=("case_page_link",)),
    "update": KindFields(own=("case_page_link", "update_text"), required=("recipient_name", "update_text"),
                         in_wording=("case_page_link",)),
    "warning": KindFields(own=("behaviour", "what_must_stop"), required=("recipient_name", "behaviour")),
    "abc": KindFields(own=("parties", "behaviours", "support_offered", "consequences", "review_date"),
                      required=("parties", "behaviours", "support_offered", "consequences", "review_date")),
    "cpw": KindFields(own=("conduct", "requirements", "comply_by", "notice_may_follow"),
                      required=("recipient_name", "conduct", "requirements", "comply_by", "notice_may_follow")),
    "cpn": KindFields(own=("conduct", "requirements", "comply_by", "offence_and_penalty", "appeal_rights"),
                      required=("recipient_name", "conduct", "requirements", "comply_by", "offence_and_penalty",
                                "appeal_rights")),
    "closure_notice": KindFields(
        own=("premises", "effect", "hearing_at", "hearing_place", "offence", "order_application", "advice_services"),
        required=("premises", "effect", "offence", "order_application", "hearing_at", "hearing_place", "advice_services")),
    "case_review_outcome": KindFields(own=("applicant_name", "outcome", "recommendations"),
                                      required=("applicant_name", "outcome", "recommendations")),
}

# --- Fixed wording from the law (a setting can replace it; a manager's edit cannot remove it) -------------------

CPW_NOTICE_MAY_FOLLOW = (
    "If this conduct has not stopped, and the requirements above have not been met, by the date given, a Community "
    "Protection Notice may follow (section 43 of the Anti-social Behaviour, Crime and Policing Act 2014). Failing to "
    "comply with a Community Protection Notice is a criminal offence."
)
CPN_PENALTY = (
    "Failing to comply with this notice without a reasonable excuse is a criminal offence (section 48 of the "
    "Anti-social Behaviour, Crime and Policing Act 2014). On conviction a person may be fined (up to level 4 on the "
    "standard scale; a business or other body, an unlimited fine), and the court may order the forfeiture of any item "
    "used in committing the offence (section 50). Instead of prosecution, an authorised officer may give you a fixed "
    "penalty notice of up to £100 (section 52). If you do not do what this notice requires, the council may do the work "
    "itself and recover the cost from you (section 47)."
)
CPN_APPEAL = (
    "You may appeal against this notice to the magistrates' court within {days} days beginning with the day it was "
    "given to you, so the day it was given to you counts as the first of those days (section 46 of the Anti-social "
    "Behaviour, Crime and Policing Act 2014). While an appeal is being decided, any "
    "requirement to stop doing something still applies; a requirement to do something is put on hold."
)
CLOSURE_OFFENCE = (
    "Anyone who, without a reasonable excuse, remains on or enters the premises in breach of this notice commits a "
    "criminal offence (section 86 of the Anti-social Behaviour, Crime and Policing Act 2014) and may be imprisoned "
    "for up to 3 months, fined, or both."
)
CLOSURE_ORDER_APPLICATION = (
    "The council will apply to the magistrates' court for a closure order at the hearing below. A closure order can "
    "stop anyone, or anyone except the people it names, entering or staying on the premises for up to 3 months, "
    "and the court can extend it to a total of 6 months (sections 80 and 82)."
)
ADVICE_SERVICES = (
    "For free, independent advice on housing and on this notice: Citizens Advice (0800 144 8848, "
    "www.citizensadvice.org.uk); Shelter (0808 800 4444, www.shelter.org.uk); Civil Legal Advice (0345 345 4345, "
    "www.gov.uk/civil-legal-advice); the council's housing options team on {phone}."
)


def _fixed_values() -> dict[str, str]:
    from cases.models import ActionType

    appeal_days = ActionType.objects.filter(slug="cpn").values_list("appeal_days", flat=True).first() or 21
    return {
        "notice_may_follow": getattr(settings, "LETTERS_CPW_NOTICE_MAY_FOLLOW", CPW_NOTICE_MAY_FOLLOW),
        "offence_and_penalty": getattr(settings, "LETTERS_CPN_PENALTY", CPN_PENALTY),
        "appeal_rights": getattr(settings, "LETTERS_CPN_APPEAL", CPN_APPEAL).replace("{days}", str(appeal_days)),
        "offence": getattr(settings, "LETTERS_CLOSURE_OFFENCE", CLOSURE_OFFENCE),
        "order_application": getattr(settings, "LETTERS_CLOSURE_ORDER_APPLICATION", CLOSURE_ORDER_APPLICATION),
        "advice_services": getattr(settings, "LETTERS_ADVICE_SERVICES", ADVICE_SERVICES).replace(
            "{phone}", settings.COUNCIL_PHONE),
    }


# --- Questions about a kind ---------------------------------------------------------------------------------------


def _kind(kind: str) -> KindFields:
    try:
        return KIND_FIELDS[str(kind)]
    except KeyError:
        raise ValueError(f"Unknown kind of document: {kind!r}") from None


def kind_placeholders(kind: str) -> list[FieldSpec]:
    """Every placeholder a template of `kind` may use: the common ones, then the kind's own."""
    return [*COMMON, *(PLACEHOLDERS[name] for name in _kind(kind).own)]


def entered_fields(kind: str) -> list[FieldSpec]:
    """What the officer types for this kind, in form order."""
    return [PLACEHOLDERS[name] for name in _kind(kind).own if PLACEHOLDERS[name].entered]


def required_fields(kind: str) -> list[FieldSpec]:
    """What the law requires for this kind (entered or from the case)."""
    return [PLACEHOLDERS[name] for name in _kind(kind).required]


# Printed by the layout itself (the address block, the reference line), so the wording need not repeat them.
PRINTED_BY_LAYOUT = frozenset({"recipient_name", "recipient_address", "case_reference", "today"})


def wording_must_include(kind: str) -> list[FieldSpec]:
    """The placeholders the wording of `kind` must contain: the required ones (bar those the layout prints) and any
    the letter must carry."""
    k = _kind(kind)
    names = [name for name in dict.fromkeys(k.required + k.in_wording) if name not in PRINTED_BY_LAYOUT]
    return [PLACEHOLDERS[name] for name in names]


# --- Values ---------------------------------------------------------------------------------------------------------


def format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime) -> str:
    if timezone.is_naive(value):
        value = value.replace(tzinfo=LONDON)
    local = value.astimezone(LONDON)
    return f"{local:%H:%M} on {format_date(local.date())}"


def value_text(spec: FieldSpec | None, value) -> str:
    """A value as it is printed: dates "14 December 2026", date-times "10:00 on 14 December 2026" (London)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if spec and spec.kind == "date":
            return format_date(value.astimezone(LONDON).date() if timezone.is_aware(value) else value.date())
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    text = str(value).strip()
    # An ISO date or date-time as stored (Document.values, a posted form) prints the same as the object would.
    if spec and spec.kind in ("date", "datetime") and text:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return text
        if spec.kind == "date" and len(text) <= 10:
            return format_date(parsed.date())
        return value_text(spec, parsed)
    return text


def _address(address: str, postcode: str) -> str:
    return ", ".join(part.strip() for part in (address, postcode) if part and part.strip())


def _in_sentence(name: str) -> str:
    return name[:1].lower() + name[1:]


def values_for(*, case, kind: str, recipient, entered: dict, at: datetime, extra: dict | None = None) -> dict[str, str]:
    """Every placeholder's value as text, from the case, the recipient, settings, `extra` and what was `entered`.

    `extra` (values the caller knows: case_page_link, a Case Review's outcome) may set any placeholder; `entered`
    sets only the fields an officer types, so typed input can never replace the law's fixed wording.
    """
    _kind(kind)
    officer = getattr(case, "officer", None) if case is not None else None
    values = {name: "" for name in PLACEHOLDERS}
    values.update(_fixed_values())
    values.update({
        "team_phone": settings.COUNCIL_PHONE,
        "council_name": settings.COUNCIL_NAME,
        "council_website": settings.COUNCIL_WEBSITE,
        "today": value_text(PLACEHOLDERS["today"], timezone.localtime(at, LONDON).date() if timezone.is_aware(at) else at.date()),
        "officer_name": (officer.get_full_name().strip() or officer.get_username()) if officer else "",
        "officer_first_name": (officer.first_name.strip() or officer.get_full_name().strip()) if officer else "",
    })
    if case is not None:
        values.update({
            "case_reference": case.reference,
            # Inside a sentence ("your report of street drinking"): the category's name as a common noun.
            "category": _in_sentence(str(case.category)) if case.category_id else "",
            "case_address": _address(case.address, case.postcode),
            # The service standard: victims updated at least every 14 days, every 7 when the case is high risk.
            "update_every": "7 days" if getattr(case, "risk_level", "") == "high" else "14 days",
        })
    if recipient is not None:
        values.update({"recipient_name": str(recipient.full_name or recipient.description or "").strip(),
                       "recipient_address": _address(recipient.address, recipient.postcode)})
    for name, value in (extra or {}).items():
        if name in PLACEHOLDERS:
            values[name] = value_text(PLACEHOLDERS[name], value)
    for name, value in (entered or {}).items():
        spec = PLACEHOLDERS.get(name)
        if spec is not None and spec.entered:
            values[name] = value_text(spec, value)
    return values


def missing_required(kind: str, values: dict) -> list[str]:
    """The labels of the fields the law requires for `kind` that are empty (or only spaces) in `values`."""
    return [spec.label for spec in required_fields(kind) if not str(values.get(spec.name) or "").strip()]


# --- Checking a manager's wording -----------------------------------------------------------------------------------


def wording_problems(kind: str, heading: str, wording: str) -> list[str]:
    """What is wrong with `heading` and `wording` for a template of `kind`, in words a manager can act on."""
    from letters.models import DocumentKind

    problems: list[str] = []
    heading = heading or ""
    wording = wording or ""
    if not heading.strip():
        problems.append("Enter a heading")
    elif "{" in heading or "}" in heading:
        problems.append("The heading cannot contain { or }: placeholders go in the wording")
    if not wording.strip():
        problems.append("Enter the wording")
        return problems
    if "{%" in wording or "{{" in wording or "%}" in wording or "}}" in wording:
        problems.append("The wording cannot contain template code such as {{ or {%: use placeholders like {case_reference}")
    stripped = PLACEHOLDER_RE.sub("", wording)
    if "{" in stripped or "}" in stripped:
        problems.append("The wording has a { or } that does not make a placeholder: write placeholders like "
                        "{case_reference}, with a matching pair of braces and nothing else inside")
    used = list(dict.fromkeys(PLACEHOLDER_RE.findall(wording)))
    allowed = {spec.name for spec in kind_placeholders(kind)}
    label = DocumentKind(kind).label if kind in DocumentKind.values else kind
    for name in used:
        if name not in PLACEHOLDERS:
            problems.append(f"{{{name}}} is not a placeholder: use one from the list")
        elif name not in allowed:
            problems.append(f"{{{name}}} cannot be used in a {label.lower()}: use one from the list")
    for spec in wording_must_include(kind):
        if spec.name not in used:
            problems.append(f"The wording must include {{{spec.name}}}: the law requires it"
                            if spec.name in _kind(kind).required else
                            f"The wording must include {{{spec.name}}}: every {label.lower()} carries it")
    return problems
