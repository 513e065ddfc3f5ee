"""Reference data every installation needs: staff role groups and the ASB categories.

Used by migration 0002 (with historical models) and by the test suite, whose transactional
tests truncate tables.
"""

GROUPS = ["Call centre", "ASB officer", "Manager"]

CATEGORIES = [
    # (name, asb_type, hint)
    ("Noise", "nuisance", "Loud music, shouting, barking, parties"),
    ("Rowdy or inconsiderate behaviour", "nuisance", "Groups causing a nuisance, drunken behaviour"),
    ("Neighbour dispute", "personal", "Ongoing problems between neighbours"),
    ("Vehicle nuisance", "nuisance", "Off-road bikes, racing, revving engines, abandoned vehicles"),
    ("Street drinking", "nuisance", ""),
    ("Drug use or dealing", "nuisance", ""),
    ("Littering or fly-tipping", "environmental", ""),
    ("Graffiti, vandalism or criminal damage", "environmental", ""),
    ("Animal nuisance", "nuisance", "Dog fouling, dangerous or nuisance animals"),
    ("Trespass", "nuisance", ""),
    ("Begging", "nuisance", ""),
    ("Fireworks", "nuisance", ""),
    ("Intimidation or harassment", "personal", "Threats, verbal abuse, being targeted"),
    ("Hate-motivated incident", "personal", "Targeted because of race, religion, sexual orientation, disability or transgender identity"),
    ("Other", "nuisance", "Something not listed here"),
]


def reference_data_ensure(apps=None) -> None:
    """Create whatever is missing; never changes what a manager has edited."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Category = apps.get_model("cases", "Category")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    for order, (name, asb_type, hint) in enumerate(CATEGORIES, start=1):
        slug = name.lower().replace(",", "").replace(" or ", "-or-").replace(" ", "-")
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "asb_type": asb_type, "hint": hint, "display_order": order * 10}
        )
