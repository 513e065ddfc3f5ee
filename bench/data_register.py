"""The person and place register in the bench data (issue 12): Person rows shared across cases, Place rows per address.

bench/data.py asks this, case by case in time order, who each victim and named perpetrator is, and where the case
happened. Its decisions use their own random stream, so the council's other rows draw the same numbers as before;
only a repeat's name, contact details and address are the earlier person's.

- **Victims.** About 10% of victims' person records are on more than one case: a new victim is, with probability
  REPEAT_VICTIM, someone who reported in the last two years or so (the same name, phone, email and home; the case is
  at their home). One person, the page person, is the victim on PAGE_PERSON_CASES cases over the ten years: the
  person's page bench/run.py measures.
- **Perpetrators.** About 15% of named perpetrators are on more than one case (REPEAT_PERPETRATOR): the same name
  and address as an earlier one.
- **Places.** One Place per distinct address (first line and postcode, the model's `key`). HOTSPOT_SHARE of cases
  happen at one of HOTSPOTS public places (parks, parades), weighted so that a few are busy.
- **The intake match.** A new report's caller for bench/run.py: the page person's phone number and a shortened
  name (a strong match by phone), stored in the marker.
"""

import random
from collections import Counter
from dataclasses import dataclass

REPEAT_VICTIM = 0.1
REPEAT_PERPETRATOR = 0.14
RECENT = 4000  # the pool a repeat is drawn from: the last 4,000 people (about 2 years at 100,000 cases in 10)
PAGE_PERSON_CASES = 12
HOTSPOTS = 40
HOTSPOT_SHARE = 0.03
HOTSPOT_PLACES = ["Peace Memorial Park", "The Parade", "Brocks Hill Country Park", "Blaby Road Park", "Bell Street precinct",
                  "Long Street shops", "Leicester Road bus station", "Willow Park", "Horsewell Lane car park",
                  "Coombe Park"]

SPEC = {
    "cases_person": ["id", "full_name", "date_of_birth", "email", "phone", "phone_normalised", "address", "postcode",
                     "is_vulnerable", "vulnerability_note", "merged_into_id", "anonymised_at", "created_at", "updated_at"],
    "cases_place": ["id", "address", "postcode", "key", "uprn", "created_at"],
}


def place_key(address: str, postcode: str) -> str:
    """The model's normalised key: first address line and postcode, upper-cased, no punctuation or spaces."""
    first = address.split(",")[0]
    return f"{''.join(ch for ch in first.upper() if ch.isalnum())}|{''.join(ch for ch in postcode.upper() if ch.isalnum())}"


@dataclass
class Someone:
    person_id: int
    name: str
    email: str
    phone: str
    address: str
    postcode: str
    created: str
    cases: int = 1


class Register:
    """Decides, case by case, who is who and where; writes cases_person and cases_place through `tables`."""

    def __init__(self, tables, *, seed: int, cases: int, ts):
        self.tables, self.ts = tables, ts
        self.rng = random.Random(seed * 104_729 + 3)
        self.victims: list[Someone] = []
        self.perpetrators: list[Someone] = []
        self.places: dict[str, int] = {}
        self.page_person: Someone | None = None
        # The page person reports again about every cases / PAGE_PERSON_CASES cases.
        self.page_every = max(2, cases // PAGE_PERSON_CASES)
        self.since_page = 0
        weights = [1 / (n + 1) for n in range(HOTSPOTS)]  # a few busy places, many quieter ones
        self.hotspots = [(f"{HOTSPOT_PLACES[n % len(HOTSPOT_PLACES)]}{'' if n < len(HOTSPOT_PLACES) else f' {n // len(HOTSPOT_PLACES) + 1}'}",
                          f"LE{2 + n % 17} {1 + n % 9}PQ") for n in range(HOTSPOTS)]
        self.hotspot_weights = weights
        self.place_cases: Counter = Counter()

    def _person(self, name, email, phone, address, postcode, created) -> int:
        person_id = self.tables.next_id("cases_person")
        self.tables.add("cases_person", (person_id, name, None, email, phone, phone.replace(" ", ""), address, postcode,
                                         "false", "", None, None, created, created))
        return person_id

    def case_place(self, street: str, postcode: str) -> tuple[str, str]:
        """Where the case happened: usually the address drawn; sometimes a hotspot."""
        if self.rng.random() < HOTSPOT_SHARE:
            return self.rng.choices(self.hotspots, weights=self.hotspot_weights)[0]
        return street, postcode

    def place_id(self, address: str, postcode: str, created: str) -> int:
        key = place_key(address, postcode)
        if key not in self.places:
            self.places[key] = self.tables.next_id("cases_place")
            self.tables.add("cases_place", (self.places[key], address, postcode, key, "", created))
        self.place_cases[self.places[key]] += 1
        return self.places[key]

    def victim(self, *, name, email, phone, address, postcode, created) -> Someone:
        """The victim of a new case: someone new, or someone who reported before (then the case is at their home)."""
        self.since_page += 1
        if self.page_person is not None and self.since_page >= self.page_every:
            self.since_page = 0
            self.page_person.cases += 1
            return self.page_person
        if self.victims and self.rng.random() < REPEAT_VICTIM:
            again = self.rng.choice(self.victims[-RECENT:])
            again.cases += 1
            return again
        someone = Someone(self._person(name, email, phone, address, postcode, created), name, email, phone, address, postcode,
                          created)
        self.victims.append(someone)
        if self.page_person is None:
            self.page_person, self.since_page = someone, 0
        return someone

    def perpetrator(self, *, name, address, postcode, created) -> Someone:
        if self.perpetrators and self.rng.random() < REPEAT_PERPETRATOR:
            again = self.rng.choice(self.perpetrators[-RECENT:])
            again.cases += 1
            return again
        someone = Someone(self._person(name, "", "", address, postcode, created), name, "", "", address, postcode, created)
        self.perpetrators.append(someone)
        return someone

    def summary(self) -> dict:
        def shared(people):
            return sum(1 for p in people if p.cases > 1) / max(1, len(people))

        return {"victim_people": len(self.victims), "victims_on_several_cases": shared(self.victims),
                "perpetrator_people": len(self.perpetrators), "perpetrators_on_several_cases": shared(self.perpetrators),
                "places": len(self.places), "busiest_place_cases": max(self.place_cases.values(), default=0),
                "page_person": self.page_person.person_id if self.page_person else None,
                "page_person_cases": self.page_person.cases if self.page_person else 0}

    def match_caller(self) -> dict:
        """A new report's caller: the page person's phone, a shortened name (a strong match by phone)."""
        p = self.page_person
        first, _, last = p.name.partition(" ")
        return {"full_name": f"{first[0]} {last}", "phone": p.phone, "email": "", "address": p.address,
                "postcode": p.postcode}
