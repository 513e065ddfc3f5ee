"""Merge the people recorded twice on one case (reports added to a case before intake recognised them).

The matching rule is a frozen copy of cases.services.matching.party_is_same (a migration must not import
live code); `manage.py parties_dedupe` does the same with the live rule for data that arrives later.
Every row pointing at a merged party moves to the kept one (the earliest record): reports, contacts (one
first contact per person: the earliest), deadlines (one open per kind: the earliest due; the double is folded
in), risk assessments, actions, survey invitations (one at closure: the answered one, else the kept person's)
and survey opt-outs. Irreversible in effect; reversing it is a no-op.
"""

import re

from django.db import migrations, transaction
from django.db.models import Count, Q
from django.utils import timezone

PERPETRATOR = "perpetrator"
REPORTER = "reporter"
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord"}
FILLABLE = (
    "email", "phone", "address", "postcode", "description", "preferred_contact_method", "best_times",
    "customer_group", "support_needs", "support_details", "consent_to_share", "date_of_birth",
)


class NotMergeable(Exception):
    pass


# --- frozen copy of cases.validators ----------------------------------------------------------


def normalise_postcode(value):
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(value):
    digits = re.sub(r"[^\d+]", "", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits.lstrip("+")


# --- frozen copy of cases.services.matching.party_is_same ---------------------------------------


def _text(value):
    return " ".join((value or "").split()).casefold()


def _first_line(address):
    first = next((part for part in re.split(r"[\n,]", address or "") if part.strip()), "")
    return " ".join(re.sub(r"[^\w\s]", " ", first).split()).casefold()


def _postcode(value):
    return normalise_postcode(value or "").replace(" ", "")


def _name_parts(name):
    return [w for w in re.sub(r"[^\w\s'-]", " ", _text(name)).split() if w not in TITLES]


def _names_alike(a, b):
    if _text(a) == _text(b):
        return True
    pa, pb = _name_parts(a), _name_parts(b)
    return len(pa) >= 2 and len(pb) >= 2 and pa[-1] == pb[-1] and pa[0][0] == pb[0][0]


def _same_address(address_a, postcode_a, address_b, postcode_b):
    lines, codes = (_first_line(address_a), _first_line(address_b)), (_postcode(postcode_a), _postcode(postcode_b))
    return all(lines) and all(codes) and lines[0] == lines[1] and codes[0] == codes[1]


def party_is_same(party, *, role, full_name="", email="", phone="", address="", postcode="", description=""):
    if (role == PERPETRATOR) != (party.role == PERPETRATOR):
        return False
    if role == PERPETRATOR and not full_name.strip():
        return party.is_unknown and bool(_text(description)) and _text(description) == _text(party.description)
    if party.is_unknown or not _text(full_name):
        return False
    if role == PERPETRATOR:
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
        return REPORTER not in (role, party.role)
    return _same_address(address, postcode, party.address, party.postcode)


def _details(party):
    return dict(role=party.role, full_name=party.full_name if not party.is_unknown else "", email=party.email,
                phone=party.phone, address=party.address, postcode=party.postcode, description=party.description)


# --- frozen copy of cases.services.matching.parties_merge ---------------------------------------


def _blank(value):
    return value is None or value == "" or value == []


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _blanks_fill(party, duplicate):
    changes = {}
    for name in FILLABLE:
        new = getattr(duplicate, name)
        if _blank(getattr(party, name)) and not _blank(new):
            changes[name] = [_plain(getattr(party, name)), _plain(new)]
            setattr(party, name, new)
    if changes:
        party.phone_normalised = normalise_phone(party.phone)
        party.save()
    return changes


def _has_dependents(row):
    return any(
        rel.related_model._base_manager.filter(**{rel.field.name: row}).exists()
        for rel in row._meta.related_objects
        if rel.one_to_many or rel.one_to_one
    )


def _relations_repoint(Party, Contact, Deadline, keep, duplicate):
    for rel in Party._meta.related_objects:
        model, name = rel.related_model, rel.field.name
        if model in (Contact, Deadline) or not (rel.one_to_many or rel.one_to_one):
            continue
        manager = model._base_manager
        rules = [([name], Q())] if rel.one_to_one else [
            (list(c.fields), c.condition or Q())
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
                    raise NotMergeable(model._meta.verbose_name)
                (twin if _has_dependents(row) else row).delete()
        manager.filter(**{name: duplicate}).update(**{name: keep})


def _merge(apps, keep, duplicate):
    Party = apps.get_model("cases", "Party")
    Contact = apps.get_model("cases", "Contact")
    Deadline = apps.get_model("cases", "Deadline")
    DeadlineAlert = apps.get_model("cases", "DeadlineAlert")
    TimelineEntry = apps.get_model("cases", "TimelineEntry")
    changes = _blanks_fill(keep, duplicate)
    firsts = list(Contact.objects.filter(party__in=[keep, duplicate], is_first_contact=True).order_by("occurred_at", "id"))
    for later in firsts[1:]:
        later.is_first_contact = False
        later.save(update_fields=["is_first_contact"])
    Contact.objects.filter(party=duplicate).update(party=keep)
    open_ = Q(met_at__isnull=True, cancelled_at__isnull=True)
    for kind in ("first_contact", "victim_update"):
        kept, *doubles = list(Deadline.objects.filter(open_, kind=kind, party__in=[keep, duplicate]).order_by("due_at", "id")) or [None]
        for double in doubles:
            DeadlineAlert.objects.filter(deadline=double).exclude(
                stage__in=DeadlineAlert.objects.filter(deadline=kept).values("stage")
            ).update(deadline=kept)
            double.delete()
    Deadline.objects.filter(party=duplicate).update(party=keep)
    if firsts:
        for deadline in Deadline.objects.filter(open_, kind="first_contact", party=keep):
            deadline.met_at = firsts[0].occurred_at
            deadline.breached = deadline.breached or deadline.met_at > deadline.due_at
            deadline.save(update_fields=["met_at", "breached"])
    _relations_repoint(Party, Contact, Deadline, keep, duplicate)
    merged_id = duplicate.pk
    duplicate.delete()
    name = keep.full_name or keep.description[:40]
    TimelineEntry.objects.create(
        case_id=keep.case_id, actor=None, kind="party", summary=f"Two records of {name} merged: the same person"[:300],
        changes={"party": keep.pk, "merged_party": merged_id, **changes}, visibility="staff", occurred_at=timezone.now(),
    )


def merge_duplicate_parties(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Party = apps.get_model("cases", "Party")
    db = schema_editor.connection.alias
    for case_id in Case.objects.using(db).annotate(n=Count("parties")).filter(n__gte=2).order_by("id").values_list("id", flat=True):
        kept = []
        for party in Party.objects.using(db).filter(case_id=case_id).order_by("id"):
            same = next((k for k in kept if party_is_same(k, **_details(party))), None)
            if same is None:
                kept.append(party)
                continue
            try:
                with transaction.atomic(using=db):
                    _merge(apps, same, party)
            except NotMergeable:
                kept.append(party)  # both answered the closure survey: left as two records for an officer


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_deadline_risk_interval"),
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunPython(merge_duplicate_parties, migrations.RunPython.noop)]
