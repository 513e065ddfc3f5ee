"""The same person twice on one case: recognising them (one rule, used by intake and the clean-up) and merging them."""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from ..models import Case, Contact, Deadline, DeadlineKind, Party, PartyRole, TimelineKind
from ..validators import normalise_phone, normalise_postcode
from .common import CaseError, case_touch, timeline_add

# Dropped before comparing names, so "Mrs M Ellis" and "Margaret Ellis" can be compared by initial and surname.
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord"}
# What a later report may add to the record of someone already on the case (blanks only: never overwritten).
FILLABLE = (
    "email", "phone", "address", "postcode", "description", "preferred_contact_method", "best_times",
    "customer_group", "support_needs", "support_details", "consent_to_share", "date_of_birth",
)


def _text(value) -> str:
    return " ".join((value or "").split()).casefold()


def _first_line(address: str) -> str:
    """'14 Bell Street, Oadby' and '14  bell street\\nOadby' both → '14 bell street'."""
    first = next((part for part in re.split(r"[\n,]", address or "") if part.strip()), "")
    return " ".join(re.sub(r"[^\w\s]", " ", first).split()).casefold()


def _postcode(value: str) -> str:
    return normalise_postcode(value or "").replace(" ", "")


def _name_parts(name: str) -> list[str]:
    return [w for w in re.sub(r"[^\w\s'-]", " ", _text(name)).split() if w not in TITLES]


def _names_alike(a: str, b: str) -> bool:
    """The same name, or the same surname and first initial ('Mrs M Ellis' / 'Margaret Ellis').
    Used only where a phone number or email address already matches: a household sharing a landline
    ('Tom Ellis' / 'Margaret Ellis') stays two people."""
    if _text(a) == _text(b):
        return True
    pa, pb = _name_parts(a), _name_parts(b)
    return len(pa) >= 2 and len(pb) >= 2 and pa[-1] == pb[-1] and pa[0][0] == pb[0][0]


def _same_address(address_a, postcode_a, address_b, postcode_b) -> bool:
    """First line and postcode, both given on both sides and equal once normalised."""
    lines, codes = (_first_line(address_a), _first_line(address_b)), (_postcode(postcode_a), _postcode(postcode_b))
    return all(lines) and all(codes) and lines[0] == lines[1] and codes[0] == codes[1]


def party_is_same(
    party: Party, *, role: str, full_name: str = "", email: str = "", phone: str = "", address: str = "",
    postcode: str = "", description: str = "",
) -> bool:
    """Whether someone a report names is `party` (already on the case). The one rule:
    - an alleged perpetrator only ever matches a perpetrator: a named one by name (and by address's first line
      and postcode where both give them), a described unknown person or group by an identical description;
    - anyone else (reporter, victim, witness) matches a non-perpetrator: by name with the same phone number
      (normalised), the same email (any case), or the same address (first line + postcode); by name alone when
      either of them has no contact details at all (a victim named by someone reporting on their behalf),
      except against that someone.
    """
    if (role == PartyRole.PERPETRATOR) != (party.role == PartyRole.PERPETRATOR):
        return False
    if role == PartyRole.PERPETRATOR and not full_name.strip():
        return party.is_unknown and bool(_text(description)) and _text(description) == _text(party.description)
    if party.is_unknown or not _text(full_name):
        return False
    if role == PartyRole.PERPETRATOR:
        if _text(full_name) != _text(party.full_name):
            return False
        if _first_line(address) and _first_line(party.address) and _first_line(address) != _first_line(party.address):
            return False
        return not (_postcode(postcode) and _postcode(party.postcode) and _postcode(postcode) != _postcode(party.postcode))
    phone_digits, email_text = normalise_phone(phone), _text(email)
    if (phone_digits and phone_digits == party.phone_normalised) or (email_text and email_text == _text(party.email)):
        return _names_alike(full_name, party.full_name)
    if _text(full_name) != _text(party.full_name):
        return False
    if not (phone_digits or email_text or _first_line(address)) or not (party.phone_normalised or party.email or party.address):
        # Named without contact details (a victim someone reported for): the name alone, but never the person who
        # reported on their behalf, who by saying so is someone else (a son reporting for his father of the same name).
        return PartyRole.REPORTER not in (role, party.role)
    return _same_address(address, postcode, party.address, party.postcode)


def party_match_on_case(
    *, case: Case, role: str, full_name: str = "", email: str = "", phone: str = "", address: str = "",
    postcode: str = "", description: str = "",
) -> Party | None:
    """The person already on the case whom a report names (see party_is_same), earliest first; None if nobody."""
    for party in case.parties.order_by("id"):
        if party_is_same(party, role=role, full_name=full_name, email=email, phone=phone, address=address,
                         postcode=postcode, description=description):
            return party
    return None


def _blank(value) -> bool:
    return value is None or value == "" or value == []


def party_blanks_fill(*, party: Party, values: dict) -> dict:
    """Give `party` the details it lacks from `values` (never overwriting one it has); saves and returns
    {"field": [old, new]} for the timeline. The caller holds the case lock."""
    changes = {}
    for name in FILLABLE:
        new = values.get(name)
        if name == "email" and new:
            new = new.strip().lower()
        elif name == "postcode" and new:
            new = normalise_postcode(new)
        elif isinstance(new, str):
            new = new.strip()
        if _blank(getattr(party, name)) and not _blank(new):
            changes[name] = [getattr(party, name), new]
            setattr(party, name, new)
    if changes:
        party.phone_normalised = normalise_phone(party.phone)
        party.save()
    return {k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- merging records already made twice --------------------------------------------------


def _has_dependents(row) -> bool:
    """Whether anything points at this row (an answered survey invitation has its response)."""
    return any(
        rel.related_model._base_manager.filter(**{rel.field.name: row}).exists()
        for rel in row._meta.related_objects
        if rel.one_to_many or rel.one_to_one
    )


def _relations_repoint(*, keep: Party, duplicate: Party) -> None:
    """Everything else that points at a party moves to `keep`: reports, risk assessments, actions, and the rows
    of apps above `cases` (survey invitations and opt-outs), found through the model's relations so that `cases`
    imports nothing above it. Where a unique rule allows only one (one closure survey per person, one opt-out),
    the row something depends on (an answered invitation) is kept, else the kept person's own."""
    for rel in Party._meta.related_objects:
        model, name = rel.related_model, rel.field.name
        if model in (Contact, Deadline) or not (rel.one_to_many or rel.one_to_one):
            continue
        manager = model._base_manager
        rules = [([name], Q())] if rel.one_to_one else [
            ([f for f in c.fields if f != name], c.condition or Q())
            for c in model._meta.constraints if getattr(c, "fields", None) and name in c.fields
        ]
        for others, condition in rules:
            others = [f for f in others if f != name]
            for row in manager.filter(condition, **{name: duplicate}):
                twin = manager.filter(condition, **{name: keep}, **{f: getattr(row, model._meta.get_field(f).attname)
                                                                     for f in others}).first()
                if twin is None:
                    continue
                if _has_dependents(row) and _has_dependents(twin):
                    raise CaseError(f"Both records of {keep} have a {model._meta.verbose_name} that cannot be merged")
                (twin if _has_dependents(row) else row).delete()
        manager.filter(**{name: duplicate}).update(**{name: keep})


def parties_merge(*, keep: Party, duplicate: Party, actor=None) -> dict:
    """Fold a second record of the same person into the first. The caller holds the case lock."""
    changes = party_blanks_fill(party=keep, values={n: getattr(duplicate, n) for n in FILLABLE})
    # One first contact per person (a unique rule): the earliest of the two records' stays the first.
    firsts = list(Contact.objects.filter(party__in=[keep, duplicate], is_first_contact=True).order_by("occurred_at", "id"))
    for later in firsts[1:]:
        later.is_first_contact = False
        later.save(update_fields=["is_first_contact"])
    Contact.objects.filter(party=duplicate).update(party=keep)
    # At most one open deadline per kind and person (a unique rule): the earliest due stays and the other, the
    # same obligation counted twice, is folded into it (its alerts kept where the stage is new), not left to count
    # as a second missed deadline in the figures.
    for kind in DeadlineKind.values:
        kept, *doubles = list(Deadline.objects.open().filter(kind=kind, party__in=[keep, duplicate]).order_by("due_at", "id")) or [None]
        for double in doubles:
            double.alerts.exclude(stage__in=kept.alerts.values("stage")).update(deadline=kept)
            double.delete()
    Deadline.objects.filter(party=duplicate).update(party=keep)
    if firsts:
        # First contact made with either record meets the person's first-contact deadline.
        for deadline in Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT, party=keep):
            deadline.met_at = firsts[0].occurred_at
            deadline.breached = deadline.breached or deadline.met_at > deadline.due_at
            deadline.save(update_fields=["met_at", "breached"])
    _relations_repoint(keep=keep, duplicate=duplicate)
    merged_id = duplicate.pk
    duplicate.delete()
    timeline_add(
        case=keep.case, actor=actor, kind=TimelineKind.PARTY,
        summary=f"Two records of {keep} merged: the same person",
        changes={"party": keep.pk, "merged_party": merged_id, **changes},
    )
    return changes


@dataclass
class PartyMerge:
    case_reference: str
    kept: str
    kept_id: int
    merged_id: int
    filled: dict = field(default_factory=dict)

    def __str__(self):
        filled = f" (added {', '.join(self.filled)})" if self.filled else ""
        return f"{self.case_reference}: party {self.merged_id} merged into {self.kept_id} {self.kept}{filled}"


def _details(party: Party) -> dict:
    return dict(role=party.role, full_name=party.full_name if not party.is_unknown else "", email=party.email,
                phone=party.phone, address=party.address, postcode=party.postcode, description=party.description)


def parties_dedupe_case(*, case: Case, actor=None) -> list[PartyMerge]:
    """Merge the records on one case that are the same person by party_is_same, earliest record kept."""
    merges = []
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        kept: list[Party] = []
        for party in case.parties.order_by("id"):
            same = next((k for k in kept if party_is_same(k, **_details(party))), None)
            if same is None:
                kept.append(party)
                continue
            merged_id = party.pk
            try:
                with transaction.atomic():
                    filled = parties_merge(keep=same, duplicate=party, actor=actor)
            except (CaseError, IntegrityError):  # a sent diary entry or a generated document keeps its person
                kept.append(party)  # left as two records; an officer can tell them apart
                continue
            merges.append(PartyMerge(case.reference, str(same), same.pk, merged_id, filled))
        if merges:
            case_touch(case)
    return merges


def parties_dedupe(*, dry_run: bool = False, actor=None) -> list[PartyMerge]:
    """Merge duplicate people on every case (reports added to a case before intake recognised them).
    A dry run works out the same merges and undoes them."""
    merges = []
    candidates = Case.objects.annotate(n=Count("parties")).filter(n__gte=2).order_by("id").values_list("id", flat=True)
    for case_id in candidates:
        with transaction.atomic():
            merges += parties_dedupe_case(case=Case(pk=case_id), actor=actor)
            if dry_run:
                transaction.set_rollback(True)
    return merges
