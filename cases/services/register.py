"""The register's rules: places, matching a person across cases, linking parties, merging and unmerging people,
possible matches, the vulnerable flag, the repeat rules and the backfill (migration 0019, `register_rebuild`).

Matching (person_candidates), decided here once for intake, staff adding a person and the backfill:
- strong (linked without asking): the same phone number or the same email address with a similar name; the same
  name and date of birth; the same name and address (first line, postcodes equal where both are given: how a named
  perpetrator, who has no phone number on our files, is recognised on a second case). A date of birth that differs
  on both sides (the person's own, where a party gave none) is never strong.
- weak (a PossibleMatch for staff to decide, never merged silently): the same address with the same or a similar
  surname (a different person at the same door); the same name alone; a similar name with the same postcode.
- a similar name (names_similar) is matching._names_alike (same surname and first initial: 'Mrs M Ellis' /
  'Margaret Ellis'), except that two first names written out must also be close: one slip ('Jon' / 'John'), two in
  a name of six letters or more ('Margret' / 'Margaret'); never 'Tom' / 'Margaret' or 'Mark' / 'Margaret' on a shared
  family landline, nor a name and its form with an 'a' or 'e' added ('Paul' / 'Paula', 'Daniel' / 'Danielle'). Or the same first name with one slip in a surname of four letters or more ('Elis' / 'Ellis').
- a Person holds the latest known contact details: a party linked or edited now gives the person its email, phone
  and address (address and postcode together) where it has them; name and date of birth only fill blanks.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone

from ..models import (
    Party,
    Person,
    PersonMerge,
    Place,
    PossibleMatch,
    RepeatRule,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from ..validators import normalise_phone, normalise_postcode
from .common import CaseError
from .matching import _first_line, _name_parts, _names_alike, _postcode

CANDIDATE_ROWS = 200  # people read per lookup at most (a busy postcode); more is a data fault, not a match


# --- places -----------------------------------------------------------------------------------------------------------


def _address_line(address: str) -> str:
    """matching._first_line ('14 bell street'), except that a house number written apart keeps its street:
    '14, Bell Street' → '14 bell street', not '14'."""
    first = _first_line(address)
    if re.fullmatch(r"\d+[a-z]?", first):
        parts = [part for part in re.split(r"[\n,]", address or "") if part.strip()]
        if len(parts) > 1:
            return f"{first} {_first_line(parts[1])}"
    return first


def place_key(address: str, postcode: str) -> str:
    """'14 Bell Street, Oadby', 'le18 1aa' → '14BELLSTREET|LE181AA'; '' without an address's first line."""
    line = _address_line(address).upper().replace(" ", "").replace("_", "")
    return f"{line}|{_postcode(postcode)}" if line else ""


def place_for(*, address: str, postcode: str) -> Place | None:
    """The place at this address (created the first time); None when there is no address."""
    key = place_key(address, postcode)
    if not key:
        return None
    place, _ = Place.objects.get_or_create(
        key=key, defaults={"address": " ".join((address or "").split())[:300], "postcode": normalise_postcode(postcode or "")}
    )
    return place


# --- matching ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person: Person
    strength: str  # "strong" | "weak"
    reasons: tuple[str, ...]


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _same_name(a: str, b: str) -> bool:
    parts = _name_parts(a)
    return bool(parts) and parts == _name_parts(b)


def _first_names_close(a: str, b: str) -> bool:
    if min(len(a), len(b)) == 1:
        return a[0] == b[0]  # an initial
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and long[-1] in "ae" and len(long) - len(short) <= 2:
        return False  # another family member's name, not a slip: 'Paul' / 'Paula', 'Louis' / 'Louise', 'Daniel' / 'Danielle'
    if min(len(a), len(b)) >= 6:
        return _edits(a, b) <= 2
    return len(a) != len(b) and _edits(a, b) <= 1  # a letter added or dropped ('Jon' / 'John'), never 'Tom' / 'Tim'


def _surnames_close(a: str, b: str) -> bool:
    pa, pb = _name_parts(a), _name_parts(b)
    if not (pa and pb):
        return False
    la, lb = pa[-1], pb[-1]
    return la == lb or (min(len(la), len(lb)) >= 4 and _edits(la, lb) <= 1)


def names_similar(a: str, b: str) -> bool:
    """Whether two names may be one person's, where a phone number, email address or postcode already matches
    (the rule is in the module's docstring)."""
    if _same_name(a, b):
        return True
    pa, pb = _name_parts(a), _name_parts(b)
    if len(pa) < 2 or len(pb) < 2:
        return False
    if pa[-1] == pb[-1]:
        return _names_alike(a, b) and _first_names_close(pa[0], pb[0])
    return pa[0] == pb[0] and _surnames_close(a, b)


@dataclass(frozen=True)
class _Details:
    name: str
    dob: date | None
    email: str
    phone: str  # normalised
    address: str
    postcode: str  # compact

    @classmethod
    def of(cls, *, full_name="", date_of_birth=None, email="", phone="", address="", postcode=""):
        return cls(" ".join((full_name or "").split()), date_of_birth, (email or "").strip().lower(),
                   normalise_phone(phone), address or "", _postcode(postcode))


def _compare(d: _Details, name: str, dob, email: str, phone_normalised: str, address: str, postcode: str):
    """(strength or None, reasons) for someone described by `d` against a person's (or a party's) details."""
    same_phone = bool(d.phone) and d.phone == phone_normalised
    same_email = bool(d.email) and d.email == (email or "").lower()
    same_name = _same_name(d.name, name)
    similar = same_name or names_similar(d.name, name)
    dob_clash = bool(d.dob and dob and d.dob != dob)
    line = _address_line(d.address)
    same_line = bool(line) and line == _address_line(address)
    codes = (d.postcode, _postcode(postcode))
    postcode_same = all(codes) and codes[0] == codes[1]
    postcode_fits = not all(codes) or codes[0] == codes[1]
    strong = []
    if not dob_clash:
        if same_phone and similar:
            strong.append("same phone number")
        if same_email and similar:
            strong.append("same email address")
        if same_name and d.dob and d.dob == dob:
            strong.append("same name and date of birth")
        if same_name and same_line and postcode_fits:
            strong.append("same name and address")
    if strong:
        return "strong", tuple(strong)
    weak = []
    if same_line and postcode_fits and _surnames_close(d.name, name):
        weak.append("same address")
    if same_name:
        weak.append("same name")
    elif similar and postcode_same:
        weak.append("similar name and same postcode")
    if not weak:
        return None, ()
    weak += [why for why, fact in (("same phone number", same_phone), ("same email address", same_email),
                                   ("different date of birth", dob_clash)) if fact]
    return "weak", tuple(weak)


def person_candidates(
    *, full_name: str, date_of_birth: date | None = None, email: str = "", phone: str = "", address: str = "",
    postcode: str = "", exclude_person_id: int | None = None, limit: int = 5,
) -> list[Candidate]:
    """People on the register who may be this person, strong matches first; never a merged or anonymised record.
    Compared with each person's latest details and with everything their cases recorded (a phone number she has
    since changed still finds her). Two queries, through the indexes on phone_normalised, email, date_of_birth,
    postcode and UPPER(full_name) of people and of parties."""
    d = _Details.of(full_name=full_name, date_of_birth=date_of_birth, email=email, phone=phone, address=address,
                    postcode=postcode)
    if not _name_parts(d.name):
        return []
    lookup = Q(full_name__iexact=d.name)
    if d.phone:
        lookup |= Q(phone_normalised=d.phone)
    if d.email:
        lookup |= Q(email=d.email)
    if d.dob:
        lookup |= Q(date_of_birth=d.dob)
    if d.postcode:
        lookup |= Q(postcode=normalise_postcode(d.postcode))
    # Retired and anonymised records are left out here rather than in SQL: the planner then always starts from the
    # indexes above, whatever its statistics say about merged_into.
    # Newest first by `pk + 0`, not `pk`: ordered by the primary key with a LIMIT, PostgreSQL walked the whole
    # primary-key index backwards hoping to meet 200 matches early (270 ms at 1,000,000 people for 23 matches);
    # an expression no index provides makes it gather the few matches from the indexes and sort them.
    newest_first = ExpressionWrapper(F("pk") + 0, output_field=IntegerField()).desc()
    people = Person.objects.filter(lookup).order_by(newest_first)[:CANDIDATE_ROWS]
    parties = Party.objects.filter(lookup, person__isnull=False).select_related("person").order_by(newest_first)[:CANDIDATE_ROWS]
    found: dict[int, Candidate] = {}
    for person, record in [(p, p) for p in people] + [(p.person, p) for p in parties if not p.is_unknown]:
        if person.pk == exclude_person_id or person.merged_into_id or person.anonymised_at:
            continue
        # The person's own date of birth counts too: a party recorded without one never makes a strong match
        # that the person's date of birth rules out (father and son of one name at one address).
        strength, reasons = _compare(d, record.full_name, record.date_of_birth or person.date_of_birth, record.email,
                                     record.phone_normalised, record.address, record.postcode)
        best = found.get(person.pk)
        if not strength or (best and best.strength == "strong" and strength == "weak"):
            continue
        if best and best.strength == strength:
            reasons = tuple(dict.fromkeys(best.reasons + reasons))
        found[person.pk] = Candidate(best.person if best else person, strength, reasons)
    ranked = sorted(found.values(), key=lambda c: (c.strength != "strong", -len(c.reasons), -c.person.pk))
    return ranked[:limit]


# --- linking parties --------------------------------------------------------------------------------------------------

def _person_from(party: Party) -> Person:
    return Person(full_name=" ".join(party.full_name.split()), date_of_birth=party.date_of_birth, email=party.email,
                  phone=party.phone, phone_normalised=normalise_phone(party.phone), address=party.address,
                  postcode=normalise_postcode(party.postcode) if party.postcode else "")


def _details_take(person: Person, party: Party, *, own: bool = False) -> list[str]:
    """Give `person` what `party` (the latest we heard) says: its contact details where it has them, its date of
    birth where the person has none. `own`: the person is this party's alone, so it follows its name too."""
    changed = []

    def put(name, value):
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)

    if own:
        put("full_name", " ".join(party.full_name.split()))
    if party.date_of_birth and (own or person.date_of_birth is None):
        put("date_of_birth", party.date_of_birth)
    if party.email:
        put("email", party.email.lower())
    if party.phone:
        put("phone", party.phone)
        put("phone_normalised", normalise_phone(party.phone))
    if party.address:
        put("address", party.address)
        put("postcode", normalise_postcode(party.postcode) if party.postcode else "")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return changed


def _matches_record(party: Party, candidates: list[Candidate]) -> None:
    PossibleMatch.objects.bulk_create(
        [PossibleMatch(party=party, person=c.person, reasons="; ".join(c.reasons)[:300]) for c in candidates],
        ignore_conflicts=True,
    )


def _set_person(party: Party, person: Person | None) -> None:
    party.person = person  # the caller's object too: a later save() of it must not undo the link
    Party.objects.filter(pk=party.pk).update(person=person)


def _candidates_for(party: Party, *, exclude_person_id=None, fresh: bool = False) -> list[Candidate]:
    """Candidates for a party, less the people staff have already said it is not (`fresh`: a party just made has
    no decisions yet, so no query for them)."""
    found = person_candidates(full_name=party.full_name, date_of_birth=party.date_of_birth, email=party.email,
                              phone=party.phone, address=party.address, postcode=party.postcode,
                              exclude_person_id=exclude_person_id)
    if fresh or not found:
        return found
    not_them = set(PossibleMatch.objects.filter(party=party, decision=PossibleMatch.Decision.DIFFERENT)
                   .values_list("person_id", flat=True))
    return [c for c in found if c.person.pk not in not_them]


@transaction.atomic
def party_link(*, party: Party, actor=None, fresh: bool = False) -> Person | None:
    """Link a party to its person on the register (intake, and staff adding or editing someone). Unknown people and
    groups have no person. A single strong match links; otherwise a new person, with a PossibleMatch for each weak
    (or competing strong) match for staff to decide. Re-run after a party's details change: a person that is this
    party's alone follows them (and is merged, with history, into a single strong match they now make); a person
    shared with other cases takes the new contact details while the party still resembles them, else the party
    leaves it and is linked afresh. A person staff said the party is not is never linked again automatically.
    `fresh`: the party was made just now (intake, staff adding someone): it has no decisions to respect."""
    if party.is_unknown or not _name_parts(party.full_name):
        if party.person_id:
            _set_person(party, None)
        return None
    current = Person.objects.select_for_update().filter(pk=party.person_id, merged_into__isnull=True,
                                                        anonymised_at__isnull=True).first() if party.person_id else None
    if current is not None:
        shared = Party.objects.filter(person=current).exclude(pk=party.pk).exists()
        if not shared:
            _details_take(current, party, own=True)
            candidates = _candidates_for(party, exclude_person_id=current.pk)
            strong = [c for c in candidates if c.strength == "strong"]
            if len(strong) == 1:
                person_merge(kept=strong[0].person, merged=current, actor=actor,
                             reason=f"Details of {party.full_name} changed: {', '.join(strong[0].reasons)}")
                party.person = strong[0].person
                return strong[0].person
            _matches_record(party, candidates)
            return current
        strength, _ = _compare(_Details.of(full_name=party.full_name, date_of_birth=party.date_of_birth,
                                           email=party.email, phone=party.phone, address=party.address,
                                           postcode=party.postcode),
                               current.full_name, current.date_of_birth, current.email, current.phone_normalised,
                               current.address, current.postcode)
        dob_clash = bool(party.date_of_birth and current.date_of_birth and party.date_of_birth != current.date_of_birth)
        if strength == "strong" or (names_similar(party.full_name, current.full_name) and not dob_clash):
            _details_take(current, party)
            _matches_record(party, _candidates_for(party, exclude_person_id=current.pk))
            return current
    candidates = _candidates_for(party, exclude_person_id=current.pk if current else None, fresh=fresh)
    strong = [c for c in candidates if c.strength == "strong"]
    if len(strong) == 1:
        person = Person.objects.select_for_update().get(pk=strong[0].person.pk)
        if person.merged_into_id:  # merged by someone else since the search: link to the record it lives on
            person = Person.objects.select_for_update().get(pk=_live(person).pk)
        if not person.anonymised_at:
            _details_take(person, party)
            _set_person(party, person)
            return person
        candidates = [c for c in candidates if c is not strong[0]]  # anonymised meanwhile: no match to offer
    person = _person_from(party)
    person.save()
    _set_person(party, person)
    _matches_record(party, candidates)
    return person


# --- deciding possible matches, merging and unmerging --------------------------------------------------------------


def _live(person: Person) -> Person:
    """The record a merged person now lives on (following merges, at most a few)."""
    for _ in range(10):
        if not person.merged_into_id:
            return person
        person = Person.objects.get(pk=person.merged_into_id)
    raise CaseError("This person's record has been merged too many times to follow")


def _timeline_on_cases(case_ids, *, actor, summary: str, changes: dict, body: str = "") -> None:
    now = timezone.now()
    TimelineEntry.objects.bulk_create([
        TimelineEntry(case_id=case_id, actor=actor, kind=TimelineKind.PARTY, summary=summary[:300], body=body,
                      changes=changes, visibility=Visibility.STAFF, occurred_at=now)
        for case_id in sorted(set(case_ids))
    ])


@transaction.atomic
def possible_match_decide(*, match: PossibleMatch, same: bool, actor) -> PossibleMatch:
    """Staff say whether a party is the person a weak match proposed. The same: the party's own record is merged
    into that person (history kept, so it can be undone), or the party is linked if it had none."""
    match = PossibleMatch.objects.select_for_update().select_related("party__case", "person").get(pk=match.pk)
    if match.decision:
        raise CaseError("Someone has already decided this possible match")
    party, other = match.party, _live(match.person)
    if other.anonymised_at:
        raise CaseError("That person's record has been anonymised")
    if same:
        mine = Person.objects.filter(pk=party.person_id).first()
        if mine is None:
            _set_person(party, other)
        elif mine.pk != other.pk:
            person_merge(kept=other, merged=_live(mine), actor=actor,
                         reason=f"Confirmed the same person on {party.case.reference} ({match.reasons})")
    match.decision = PossibleMatch.Decision.SAME if same else PossibleMatch.Decision.DIFFERENT
    match.decided_by, match.decided_at = actor, timezone.now()
    match.save(update_fields=["decision", "decided_by", "decided_at"])
    where = f"{other.full_name}" + (f", {_first_line_display(other.address)}" if other.address else "")
    summary = (f"{party} confirmed as the same person as {where} on the register" if same
               else f"{party} confirmed not the same person as {where} on the register")
    _timeline_on_cases([party.case_id], actor=actor, summary=summary,
                       changes={"possible_match": match.pk, "party": party.pk, "person": other.pk, "decision": match.decision})
    return match


def _first_line_display(address: str) -> str:
    return next((part.strip() for part in (address or "").replace("\n", ",").split(",") if part.strip()), "")


FILL_FIELDS = ("date_of_birth", "email", "phone", "phone_normalised", "address", "postcode", "is_vulnerable",
               "vulnerability_note")


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _blanks_fill(kept: Person, merged: Person) -> dict:
    """Give the kept record what only the merged one knew; {"field": [old, new]} (kept on the timeline, so that
    undoing the merge can give the blanks back)."""
    filled = {}
    for name in FILL_FIELDS:
        old, new = getattr(kept, name), getattr(merged, name)
        if old in (None, "", False) and new not in (None, "", False):
            if name == "postcode" and "address" not in filled:
                continue  # an address and its postcode travel together
            filled[name] = [_plain(old), _plain(new)]
            setattr(kept, name, new)
    if filled:
        kept.save(update_fields=[*filled, "updated_at"])
    return filled


def _lock_pair(a_id: int, b_id: int) -> dict[int, Person]:
    # Both rows locked in id order, so two merges of the same pair at once cannot deadlock.
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[a_id, b_id]).order_by("pk")}


def _case_ids(person: Person) -> list[int]:
    return list(Party.objects.filter(person=person).values_list("case_id", flat=True).distinct())


@transaction.atomic
def person_merge(*, kept: Person, merged: Person, reason: str, actor) -> PersonMerge:
    """Two records found to be one person: every party of `merged` moves to `kept`, `merged` is retired (kept, with
    `merged_into`), blanks of `kept` are filled, and the history row lists the parties moved (for unmerging)."""
    if kept.pk == merged.pk:
        raise CaseError("Choose a different person to merge with")
    locked = _lock_pair(kept.pk, merged.pk)
    kept, merged = locked[kept.pk], locked[merged.pk]
    for person in (kept, merged):
        if person.merged_into_id:
            raise CaseError(f"The record of {person} has already been merged into another")
        if person.anonymised_at:
            raise CaseError("An anonymised record cannot be merged")
    party_ids = list(Party.objects.filter(person=merged).order_by("pk").values_list("pk", flat=True))
    Party.objects.filter(pk__in=party_ids).update(person=kept)
    filled = _blanks_fill(kept, merged)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = PersonMerge.objects.create(kept=kept, merged=merged, party_ids=party_ids, reason=(reason or "")[:300],
                                       merged_by=actor)
    _timeline_on_cases(_case_ids(kept), actor=actor, body=reason or "",
                       summary=f"Person records merged: {merged.full_name} (record {merged.pk}) into {kept.full_name} "
                               f"(record {kept.pk})",
                       changes={"person_merge": merge.pk, "kept": kept.pk, "merged": merged.pk, "parties": party_ids,
                                "filled": filled})
    return merge


@transaction.atomic
def person_unmerge(*, merge: PersonMerge, actor) -> PersonMerge:
    """Undo a merge: exactly the parties it moved go back to the retired record, which is live again, and the blanks
    it filled on the kept record are given back (where nobody has changed them since)."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise CaseError("This merge has already been undone")
    locked = _lock_pair(merge.kept_id, merge.merged_id)
    kept, merged = locked[merge.kept_id], locked[merge.merged_id]
    if kept.merged_into_id:
        raise CaseError(f"The record of {kept} has since been merged into another: undo that merge first")
    if merged.merged_into_id != kept.pk:
        raise CaseError("This merge no longer matches the records")
    affected = set(_case_ids(kept))
    Party.objects.filter(pk__in=merge.party_ids, person=kept).update(person=merged)
    entry = TimelineEntry.objects.filter(kind=TimelineKind.PARTY, changes__person_merge=merge.pk).order_by("pk").first()
    filled = (entry.changes.get("filled") or {}) if entry else {}
    restored = [name for name, (old, new) in filled.items() if _plain(getattr(kept, name)) == new]
    for name in restored:
        setattr(kept, name, Person._meta.get_field(name).to_python(filled[name][0]))
    if restored:
        kept.save(update_fields=[*restored, "updated_at"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    merge.undone_by, merge.undone_at = actor, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    _timeline_on_cases(affected, actor=actor,
                       summary=f"Merge undone: {merged.full_name} (record {merged.pk}) separated again from "
                               f"{kept.full_name} (record {kept.pk})",
                       changes={"person_unmerge": merge.pk, "kept": kept.pk, "merged": merged.pk,
                                "parties": merge.party_ids})
    return merge


# --- flags and rules staff set ----------------------------------------------------------------------------------------


@transaction.atomic
def person_vulnerable_set(*, person: Person, vulnerable: bool, note: str, actor) -> Person:
    """Flag (or unflag) a person as vulnerable wherever they appear; the note says why (required to flag)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id or person.anonymised_at:
        raise CaseError("This record has been merged or anonymised: change the current record")
    note = " ".join((note or "").split())
    if vulnerable and not note:
        raise CaseError("Say why they are vulnerable")
    if len(note) > 300:
        raise CaseError("The note must be 300 characters or fewer")
    new_note = note if vulnerable else ""
    if person.is_vulnerable == vulnerable and person.vulnerability_note == new_note:
        return person
    person.is_vulnerable, person.vulnerability_note = vulnerable, new_note
    person.save(update_fields=["is_vulnerable", "vulnerability_note", "updated_at"])
    _timeline_on_cases(_case_ids(person), actor=actor, body=note,
                       summary=f"{person.full_name} {'marked as vulnerable' if vulnerable else 'no longer marked as vulnerable'}",
                       changes={"person": person.pk, "is_vulnerable": vulnerable})
    return person


MAX_REPEAT_MONTHS = 120


@transaction.atomic
def repeat_rule_update(*, kind: str, cases: int, months: int, actor) -> RepeatRule:
    """What makes a repeat victim or a repeat perpetrator: `cases` cases in `months` months."""
    if kind not in RepeatRule.Kind.values:
        raise ValueError(f"Unknown repeat rule: {kind}")
    if cases < 2:
        raise CaseError("A repeat needs at least 2 cases")
    if not 1 <= months <= MAX_REPEAT_MONTHS:
        raise CaseError(f"The period must be between 1 and {MAX_REPEAT_MONTHS} months")
    rule, _ = RepeatRule.objects.update_or_create(kind=kind, defaults={"cases": cases, "months": months, "updated_by": actor})
    return rule


# --- the backfill (migration 0019) and `manage.py register_rebuild`: the same rules, in bulk ---------------------

from .register_backfill import RebuildResult, register_rebuild  # noqa: E402  (it uses the rules above)

__all__ = [
    "Candidate", "RebuildResult", "names_similar", "party_link", "person_candidates", "person_merge", "person_unmerge",
    "person_vulnerable_set", "place_for", "place_key", "possible_match_decide", "register_rebuild", "repeat_rule_update",
]
