"""The register's backfill: people for every known party and places for every case address, in bulk (migration 0019
and `manage.py register_rebuild`). The rules are cases.services.register's; here they are applied in one pass,
keyed by normalised phone, email, (name, date of birth) and (name, address's first line)."""

from dataclasses import dataclass

from django.db import connections, router, transaction

from ..validators import normalise_phone, normalise_postcode
from .matching import _name_parts, _postcode
from .register import _address_line, names_similar, place_key


@dataclass
class RebuildResult:
    people_created: int = 0
    parties_linked: int = 0
    places_created: int = 0
    cases_placed: int = 0
    dry_run: bool = False

    def __str__(self):
        would = "would be " if self.dry_run else ""
        return (f"{self.parties_linked} parties {would}linked to people ({self.people_created} new people); "
                f"{self.cases_placed} cases {would}linked to places ({self.places_created} new places)")


def register_rebuild(*, dry_run: bool = False, apps=None, using: str | None = None) -> RebuildResult:
    """Link every known party without a person and every case with an address but no place, in bulk: parties that
    are strong matches of each other (or of a person already on the register) become one person; weak matches are
    left for staff (no PossibleMatch is written in bulk). Idempotent: only unlinked parties and unplaced cases are
    touched. Migration 0019 runs it with historical models (`apps`); a dry run works it out and rolls back."""
    from ..reference_data import register_reference_ensure

    if apps is None:
        from django.apps import apps
    using = using or router.db_for_write(apps.get_model("cases", "Person"))
    result = RebuildResult(dry_run=dry_run)
    with transaction.atomic(using=using):
        register_reference_ensure(apps)
        _people_backfill(apps, using, result)
        _places_backfill(apps, using, result)
        if dry_run:
            transaction.set_rollback(True, using=using)
    if not dry_run and (result.parties_linked or result.cases_placed):
        # Fresh statistics, or the planner (thinking the register empty) walks whole tables in person_candidates.
        with connections[using].cursor() as cursor:
            for name in ("Person", "Party", "Place"):
                cursor.execute(f'ANALYZE "{apps.get_model("cases", name)._meta.db_table}"')
    return result


def _keys(name: str, dob, email: str, phone: str, address: str) -> list[tuple]:
    """What a strong match can be found by: phone, email, (name, date of birth), (name, address's first line)."""
    name_key, line = " ".join(_name_parts(name)), _address_line(address)
    return [key for key, given in ((("phone", phone), phone), (("email", email), email),
                                   (("dob", name_key, dob), dob), (("address", name_key, line), line)) if given]


def _fits(kind: str, row: tuple, entry: tuple) -> bool:
    """Whether a party (name, dob, code) is a strong match of someone indexed under the same key: the rules of
    _compare, in the shape the one-pass grouping needs."""
    (name, dob, code), (other_name, other_dob, other_code) = row, entry[1:]
    if dob and other_dob and dob != other_dob:
        return False
    if kind in ("phone", "email"):
        return names_similar(name, other_name)
    if kind == "address":
        return not (code and other_code and code != other_code)
    return True  # ("dob", name, dob): the same name and date of birth


def _people_backfill(apps, using: str, result: RebuildResult) -> None:
    PersonModel, PartyModel = apps.get_model("cases", "Person"), apps.get_model("cases", "Party")
    index: dict[tuple, list[tuple]] = {}  # key -> [(group, name, dob, postcode)]
    groups: list = []  # a person's pk (already on the register) or the new person's fields
    dobs: dict[int, object] = {}  # group -> its person's date of birth: a party whose own differs never joins it

    def remember(group: int, name, dob, email, phone, address, postcode, keys=None):
        entry = (group, name, dob, _postcode(postcode))
        for key in keys or _keys(name, dob, (email or "").lower(), phone, address):
            index.setdefault(key, []).append(entry)

    live = PersonModel.objects.using(using).filter(merged_into__isnull=True, anonymised_at__isnull=True)
    known = {}
    for pk, *details in live.values_list("pk", "full_name", "date_of_birth", "email", "phone_normalised", "address",
                                         "postcode").iterator(chunk_size=5000):
        known[pk] = len(groups)
        groups.append(pk)
        if details[1]:
            dobs[known[pk]] = details[1]
        remember(known[pk], *details)
    linked = PartyModel.objects.using(using).filter(person__in=live)
    for person_id, *details in linked.values_list("person_id", "full_name", "date_of_birth", "email", "phone_normalised",
                                                  "address", "postcode").iterator(chunk_size=5000):
        remember(known[person_id], *details)

    links: list[tuple[int, int]] = []  # (party, group)
    unlinked = PartyModel.objects.using(using).filter(person__isnull=True, is_unknown=False).exclude(full_name="")
    for pk, name, dob, email, phone, address, postcode, created_at in unlinked.order_by("pk").values_list(
            "pk", "full_name", "date_of_birth", "email", "phone", "address", "postcode", "created_at").iterator(chunk_size=5000):
        if not _name_parts(name):
            continue
        email, phone_normalised = (email or "").lower(), normalise_phone(phone)
        row = (name, dob, _postcode(postcode))
        keys = _keys(name, dob, email, phone_normalised, address)
        matched = {entry[0] for key in keys for entry in index.get(key, ()) if _fits(key[0], row, entry)
                   and not (dob and dobs.get(entry[0]) and dobs[entry[0]] != dob)}
        # One strong match links (as party_link): two different people it could be get a new record, not a guess.
        group = matched.pop() if len(matched) == 1 else None
        if group is None:
            group = len(groups)
            groups.append(dict(full_name=" ".join(name.split()), date_of_birth=None, email="", phone="",
                               phone_normalised="", address="", postcode="", created_at=created_at))
        fields = groups[group]
        if isinstance(fields, dict):  # a new person: the latest party's contact details, the first date of birth
            fields["date_of_birth"] = fields["date_of_birth"] or dob
            if email:
                fields["email"] = email
            if phone:
                fields["phone"], fields["phone_normalised"] = phone, phone_normalised
            if address:
                fields["address"], fields["postcode"] = address, normalise_postcode(postcode) if postcode else ""
        if keys:
            remember(group, name, dob, email, phone_normalised, address, postcode, keys)
        if dob and group not in dobs:
            dobs[group] = dob
        links.append((pk, group))

    new = [(group, PersonModel(**fields)) for group, fields in enumerate(groups) if isinstance(fields, dict)]
    PersonModel.objects.using(using).bulk_create([person for _, person in new], batch_size=2000)
    for group, person in new:
        groups[group] = person.pk
    _foreign_keys_set(using, PartyModel._meta.db_table, "person_id", [(party, groups[group]) for party, group in links])
    result.people_created, result.parties_linked = len(new), len(links)


def _places_backfill(apps, using: str, result: RebuildResult) -> None:
    PlaceModel, CaseModel = apps.get_model("cases", "Place"), apps.get_model("cases", "Case")
    places = dict(PlaceModel.objects.using(using).values_list("key", "pk").iterator(chunk_size=5000))
    new, links = {}, []
    unplaced = CaseModel.objects.using(using).filter(place__isnull=True).exclude(address="")
    for pk, address, postcode in unplaced.order_by("pk").values_list("pk", "address", "postcode").iterator(chunk_size=5000):
        key = place_key(address, postcode)
        if not key:
            continue
        if key not in places and key not in new:
            new[key] = PlaceModel(key=key, address=" ".join(address.split())[:300],
                                  postcode=normalise_postcode(postcode) if postcode else "")
        links.append((pk, key))
    PlaceModel.objects.using(using).bulk_create(list(new.values()), batch_size=2000)
    places.update({key: place.pk for key, place in new.items()})
    _foreign_keys_set(using, CaseModel._meta.db_table, "place_id", [(case, places[key]) for case, key in links])
    result.places_created, result.cases_placed = len(new), len(links)


def _foreign_keys_set(using: str, table: str, column: str, pairs: list[tuple[int, int]], batch: int = 5000) -> None:
    """UPDATE table SET column = target for (id, target) pairs, a few thousand rows per statement."""
    with connections[using].cursor() as cursor:
        for start in range(0, len(pairs), batch):
            chunk = pairs[start:start + batch]
            cursor.execute(
                f'UPDATE "{table}" AS t SET "{column}" = v.target '
                f'FROM (VALUES {", ".join(["(%s::bigint, %s::bigint)"] * len(chunk))}) AS v(id, target) WHERE t.id = v.id',
                [value for pair in chunk for value in pair],
            )
